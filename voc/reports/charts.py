"""Hand-written SVG charts: no plotting library, no fonts on the server.

Labels are ``<text>`` elements, so the reader's browser renders the Chinese with its own
fonts; every label is XML-escaped. Charts scale to their container (``viewBox`` with
``width="100%"``); legends are HTML (see the templates) so that they wrap on a phone.
"""
from __future__ import annotations

import math
from html import escape
from typing import Callable, Sequence

FONT = "'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC','Source Han Sans SC'," \
       "'WenQuanYi Micro Hei',sans-serif"
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac")
FIXED = {  # stable colours for the labels that recur in every report
    "agent": "#e15759", "product": "#4e79a7", "policy": "#f28e2b", "process": "#59a14f", "other": "#bab0ac",
    "negative": "#e15759", "neutral": "#bab0ac", "positive": "#59a14f",
    "high": "#e15759", "medium": "#f28e2b", "low": "#76b7b2",
    "complaint": "#e15759", "inquiry": "#4e79a7", "request": "#76b7b2", "praise": "#59a14f", "suggestion": "#edc948",
    "untyped": "#9c755f",
}


def colour(key: str | None, i: int) -> str:
    return FIXED.get(key or "", PALETTE[i % len(PALETTE)])


def text_width(s: str, size: float) -> float:
    """Rough rendered width: CJK and full-width characters ~1 em, others ~0.6 em."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in s)


def nice_ticks(vmax: float, n: int = 4) -> list[float]:
    """0 and about ``n`` round steps up to at least ``vmax``."""
    if vmax <= 0:
        return [0.0, 1.0]
    raw = vmax / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    top = math.ceil(vmax / step - 1e-9) * step
    k = int(round(top / step))
    return [round(i * step, 10) for i in range(k + 1)]


def fmt_value(v: float, kind: str) -> str:
    if kind == "pct":
        return f"{v * 100:.0f}%" if v * 100 >= 10 or v == 0 else f"{v * 100:.1f}%"
    if kind == "float":
        return f"{v:.2f}"
    return f"{v:,.0f}" if abs(v) >= 1 or v == 0 else f"{v:.1f}"


def month_labels(months: Sequence[str]) -> list[str]:
    """``2026-05`` -> ``5月``; the first month and every January also carry the year."""
    out = []
    for i, m in enumerate(months):
        y, mm = m.split("-")
        out.append(f"{y[2:]}年{int(mm)}月" if i == 0 or mm == "01" else f"{int(mm)}月")
    return out


def _svg(width: int, height: int, title: str, body: list[str], cls: str = "chart") -> str:
    t = escape(title)
    return (f'<svg class="{cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'role="img" aria-label="{t}" font-family="{escape(FONT)}" font-size="12">'
            f'<title>{t}</title>' + "".join(body) + "</svg>")


def line_chart(months: Sequence[str], series: Sequence[tuple[str, str | None, Sequence[float | None]]],
               title: str, kind: str = "int", width: int = 460, height: int = 230) -> str:
    """Lines over months. ``series``: (label, colour key, values per month; None = no data)."""
    left, right, top, bottom = 46, 14, 12, 30
    pw, ph = width - left - right, height - top - bottom
    values = [v for _, _, vs in series for v in vs if v is not None]
    ticks = nice_ticks(max(values) if values else 0)
    ymax = ticks[-1] or 1
    n = len(months)
    x = (lambda i: left + pw / 2) if n == 1 else (lambda i: left + i * pw / (n - 1))
    y = lambda v: top + ph - v / ymax * ph  # noqa: E731
    body = []
    for t in ticks:
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#e3e3e3"/>')
        body.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end" fill="#666">'
                    f'{escape(fmt_value(t, kind))}</text>')
    step = max(1, math.ceil(n / 8))
    for i, lab in enumerate(month_labels(months)):
        if i % step == 0 or i == n - 1:
            body.append(f'<text x="{x(i):.1f}" y="{height - 10}" text-anchor="middle" fill="#666">{escape(lab)}</text>')
    for si, (label, key, vs) in enumerate(series):
        c = colour(key, si)
        pts = [(x(i), y(v)) for i, v in enumerate(vs) if v is not None]
        segs, cur = [], []
        for i, v in enumerate(vs):
            if v is None:
                if cur:
                    segs.append(cur)
                cur = []
            else:
                cur.append(f"{x(i):.1f},{y(v):.1f}")
        if cur:
            segs.append(cur)
        for seg in segs:
            if len(seg) > 1:
                body.append(f'<polyline class="series" fill="none" stroke="{c}" stroke-width="2.2" '
                            f'stroke-linejoin="round" points="{" ".join(seg)}">'
                            f'<title>{escape(label)}</title></polyline>')
        for (px, py), v in zip(pts, [v for v in vs if v is not None]):
            body.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.8" fill="{c}">'
                        f'<title>{escape(label)}: {escape(fmt_value(v, kind))}</title></circle>')
    return _svg(width, height, title, body)


def stacked_bars(months: Sequence[str], series: Sequence[tuple[str, str | None, Sequence[float]]], title: str,
                 percent: bool = True, width: int = 460, height: int = 230) -> str:
    """Stacked columns per month; ``percent`` scales each column to 100%."""
    left, right, top, bottom = 46, 14, 12, 30
    pw, ph = width - left - right, height - top - bottom
    n = len(months)
    totals = [sum(s[2][i] or 0 for s in series) for i in range(n)]
    ticks = [0, 0.25, 0.5, 0.75, 1.0] if percent else nice_ticks(max(totals) if totals else 0)
    ymax = ticks[-1] or 1
    slot = pw / max(n, 1)
    bw = min(44.0, slot * 0.62)
    body = []
    for t in ticks:
        yy = top + ph - t / ymax * ph
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#e3e3e3"/>')
        body.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#666">'
                    f'{escape(fmt_value(t, "pct" if percent else "int"))}</text>')
    labels = month_labels(months)
    step = max(1, math.ceil(n / 8))
    for i in range(n):
        cx = left + slot * (i + 0.5)
        base = top + ph
        for si, (label, key, vs) in enumerate(series):
            v = vs[i] or 0
            share = v / totals[i] if percent and totals[i] else v
            h = share / ymax * ph
            if h > 0:
                pct = f" ({v / totals[i] * 100:.1f}%)" if totals[i] else ""
                body.append(f'<rect x="{cx - bw / 2:.1f}" y="{base - h:.1f}" width="{bw:.1f}" height="{h:.1f}" '
                            f'fill="{colour(key, si)}"><title>{escape(label)} {escape(labels[i])}: '
                            f'{v:,.0f}{pct}</title></rect>')
            base -= h
        if i % step == 0 or i == n - 1:
            body.append(f'<text x="{cx:.1f}" y="{height - 10}" text-anchor="middle" fill="#666">'
                        f'{escape(labels[i])}</text>')
    return _svg(width, height, title, body)


def hbar_chart(items: Sequence[tuple[str, float]], title: str, kind: str = "int",
               key: Callable[[int], str] | None = None, width: int = 460, bar: int = 20, gap: int = 8) -> str:
    """Horizontal bars with the label on the left and the value at the bar's end."""
    size = 12
    lw = min(190.0, max([text_width(lab, size) for lab, _ in items] + [40]) + 8)
    vw = 64
    pw = width - lw - vw
    vmax = max([v for _, v in items] + [0]) or 1
    height = max(1, len(items)) * (bar + gap) + gap
    body = []
    for i, (lab, v) in enumerate(items):
        yy = gap + i * (bar + gap)
        shown = lab
        while text_width(shown, size) > lw - 8 and len(shown) > 2:
            shown = shown[:-2] + "…"
        w = max(1.0, v / vmax * pw) if v else 0
        c = key(i) if key else PALETTE[0]
        body.append(f'<text x="{lw - 8:.1f}" y="{yy + bar / 2 + 4:.1f}" text-anchor="end" fill="#333">'
                    f'{escape(shown)}<title>{escape(lab)}</title></text>')
        body.append(f'<rect x="{lw:.1f}" y="{yy}" width="{w:.1f}" height="{bar}" rx="2" fill="{c}">'
                    f'<title>{escape(lab)}: {escape(fmt_value(v, kind))}</title></rect>')
        body.append(f'<text x="{lw + w + 6:.1f}" y="{yy + bar / 2 + 4:.1f}" fill="#333">'
                    f'{escape(fmt_value(v, kind))}</text>')
    return _svg(width, height, title, body)


def sparkline(values: Sequence[float | None], width: int = 96, height: int = 24, stroke: str = "#4e79a7") -> str:
    """A tiny line for table cells (no axes, no text)."""
    vs = [v for v in values if v is not None]
    if len(vs) < 2:
        return ""
    vmax, vmin = max(vs), min(vs)
    span = (vmax - vmin) or 1
    n = len(values)
    pts = [f"{2 + i * (width - 4) / (n - 1):.1f},{height - 2 - ((v - vmin) / span) * (height - 4):.1f}"
           for i, v in enumerate(values) if v is not None]
    return (f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" aria-hidden="true"><polyline fill="none" stroke="{stroke}" stroke-width="1.6" '
            f'points="{" ".join(pts)}"/></svg>')
