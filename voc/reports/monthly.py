"""The monthly complaint-analysis report: ``monthly(store, month) -> Report``.

Everything is read from the results store (never re-tagged): a handful of grouped queries
over the month and the trend window (up to 12 months), so a report over 12 × 100,000
contacts builds in seconds.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from .._version import __version__
from ..lang.taxonomy import OWNERS, ROOT_CAUSES
from ..store import Store, check_month, shift_month
from . import charts
from .common import (CHANNEL_NAMES, OWNER_KEYS, OWNER_ORDER, ROOT_CAUSE_NAMES, SENTIMENT_NAMES, WINDOW, Facts, Table,
                     count_change, counts_by, fetch_contacts, significant, issue_condition, issue_counts, name_of, rel_change, share,
                     tier_rank, verbatim)
from .methods import fmt_metric, model_facts
from .outlook import forecast_section, journey_section
from .types import COMPLAINT_SQL, CONTACT_TYPES, TYPE_SQL, and_, is_complaint

log = logging.getLogger(__name__)

DIM_TITLES = {"contact_type": "联络类型", "root_cause": "根因", "owner": "负责方", "channel": "渠道", "topic": "话题", "evidence": "问题（根因证据）"}
# the contacts sheet of the XLSX: output-record field -> store column (lists stay JSON text)
CONTACT_COLUMNS = {
    "id": "id", "created_at": "created_at", "channel": "channel", "text": "text", "contact_type": "contact_type",
    "root_cause": "root_cause",
    "root_cause_evidence": "evidence", "owner": "owner", "sentiment_label": "sentiment_label",
    "resolved": "resolved", "churn_level": "churn_level", "escalation_level": "escalation_level",
    "topic_label": "topic", "tier": "tier",
}
CONTACT_FIELDS = tuple(CONTACT_COLUMNS)


def open_store(store: Store | str | Path) -> tuple[Store, bool]:
    """(store, opened here) for a Store or a path to one."""
    if isinstance(store, Store):
        return store, False
    return Store(store, readonly=True), True


@dataclass
class Report:
    """A built monthly report: ``to_html()``, ``write_html(path)``, ``to_xlsx(path)``."""

    month: str
    months: list[str]
    timezone: str
    context: dict[str, Any]
    tables: list[Table]
    store_path: str
    _store: Store | None = field(default=None, repr=False)
    where: str = ""  # the contact-type filter (SQL) and its parameters
    params: tuple = ()

    def table(self, sheet: str) -> Table:
        for t in self.tables:
            if t.sheet == sheet:
                return t
        raise KeyError(sheet)

    def to_html(self) -> str:
        """The report as one self-contained HTML page (inline CSS and SVG, no requests)."""
        from .render import render

        return render("monthly.html", report=self, t={t.sheet: t for t in self.tables}, **self.context)

    def write_html(self, path: str | Path) -> Path:
        from .render import write_text

        return write_text(path, self.to_html())

    def contacts(self) -> Iterator[tuple]:
        """The month's stored contacts as rows of ``CONTACT_FIELDS`` (for the XLSX)."""
        sql = (f"SELECT {', '.join(CONTACT_COLUMNS.values())} FROM contacts WHERE {and_('month = ?', self.where)} "
               "ORDER BY ts, id")
        if self._store is not None and not self._store.closed:
            yield from self._store.iter_query(sql, (self.month, *self.params))
            return
        with Store(self.store_path, readonly=True) as st:
            yield from st.iter_query(sql, (self.month, *self.params))

    def to_xlsx(self, path: str | Path, contacts: bool = True) -> Path:
        """The report's tables, one sheet each, plus the month's tagged contacts."""
        from .xlsx import write_workbook

        return write_workbook(path, self.tables, (CONTACT_FIELDS, self.contacts()) if contacts else None)


# -- building blocks --------------------------------------------------------------------------
def _order(dim: str, values: set[Any], current: dict[Any, int]) -> list[Any]:
    if dim == "root_cause":
        fixed = [v for v in ROOT_CAUSES if v in values]
    elif dim == "owner":
        fixed = [v for v in OWNER_ORDER if v in values]
    else:
        fixed = []
    rest = sorted((v for v in values if v not in fixed), key=lambda v: (-current.get(v, 0), v is None, str(v)))
    return fixed + rest


SIGNIFICANCE_NOTE = ("变化率只列出显著的变化（精确检验 p < 0.05，且两个月合计至少 10 件）；"
                     "数量少时的涨跌多为偶然，不作为预警。")


def _dimension(dim: str, counts: dict[str, dict[Any, int]], months: list[str], month: str, tot: dict,
               top: int = 8, table_rows: int = 15, complaints: dict[Any, int] | None = None) -> dict[str, Any]:
    """Volumes by one store column; ``complaints`` ({value: complaints this month}) adds the
    column 其中投诉."""
    prev = shift_month(month, -1)
    cur, before = counts.get(month, {}), counts.get(prev, {})
    n = tot[month]["contacts"]
    has_prev = prev in counts and tot.get(prev, {}).get("contacts", 0) > 0
    values = set(cur) | (set(before) if has_prev else set())
    order = _order(dim, values, cur)
    title = DIM_TITLES.get(dim, dim)
    table = Table(f"{title}"[:28], f"按{title}", [title, "本月联络", "占比", "上月联络", "变化", "变化率"],
                  ["text", "int", "pct", "int", "delta", "rel"],
                  note=SIGNIFICANCE_NOTE if has_prev else "")
    if complaints is not None:
        table.columns[2:2], table.kinds[2:2] = ["其中投诉"], ["int"]
    sparks = []
    for v in order[:table_rows]:
        a, b = cur.get(v, 0), before.get(v, 0) if has_prev else None
        table.rows.append([name_of(dim, v), a, share(a, n), b, None if b is None else a - b,
                           rel_change(a, b) if significant(a, b) else None])
        if complaints is not None:
            table.rows[-1][2:2] = [complaints.get(v, 0)]
        sparks.append(charts.sparkline([counts[m].get(v, 0) for m in months],
                                       stroke=charts.colour(v if dim == "root_cause" else None, 0)))
    if len(order) > table_rows:
        rest = order[table_rows:]
        a = sum(cur.get(v, 0) for v in rest)
        b = sum(before.get(v, 0) for v in rest) if has_prev else None
        table.rows.append([f"其余 {len(rest)} 项", a, share(a, n), b, None if b is None else a - b,
                           rel_change(a, b) if significant(a, b) else None])
        if complaints is not None:
            table.rows[-1][2:2] = [sum(complaints.get(v, 0) for v in rest)]
        sparks.append("")
    series_keys = [v for v in order if v is not None][:top]
    series = [(name_of(dim, v), v if dim in ("root_cause",) else None, [counts[m].get(v, 0) for m in months])
              for v in series_keys]
    if dim == "owner":
        series = [(name_of(dim, v), OWNER_KEYS.get(v), vs) for (_, _, vs), v in zip(series, series_keys)]
    trend = Table(f"{title}-趋势"[:31], f"按{title}的月度联络量", ["月份", *[s[0] for s in series]],
                  ["text", *["int"] * len(series)],
                  [[m, *[s[2][i] for s in series]] for i, m in enumerate(months)])
    chart = charts.line_chart(months, series, f"按{title}的月度联络量") if series else ""
    legend = [(s[0], charts.colour(s[1], i)) for i, s in enumerate(series)]
    return {"dim": dim, "title": title, "table": table, "trend": trend, "chart": chart, "legend": legend,
            "sparks": sparks, "has_prev": has_prev}


def _merged(dim: str, counts: dict[str, dict[Any, int]]) -> dict[str, dict[Any, int]]:
    """Channels spelled differently by different exports (phone, 电话) counted as one."""
    if dim != "channel":
        return counts
    out: dict[str, dict[Any, int]] = {}
    for m, d in counts.items():
        merged: dict[Any, int] = {}
        for k, n in d.items():
            key = None if k in (None, "") else name_of("channel", k)
            merged[key] = merged.get(key, 0) + n
        out[m] = merged
    return out


def _headline(tot: dict, month: str) -> tuple[list[dict[str, Any]], Table, bool]:
    prev = shift_month(month, -1)
    c, p = tot[month], tot.get(prev)
    has_prev = bool(p and p["contacts"])
    items = []

    def count(label, key, bad_up, note=None):
        a, b = c[key], p[key] if has_prev else None
        items.append({"label": label, "value": f"{a:,}", "raw": a, "prev": b, "change": count_change(a, b),
                      "kind": "rel" if b else "delta", "bad_up": bad_up, "note": note,
                      "significant": significant(a, b)})

    def rate(label, key, bad_up=True):
        a = share(c[key], c["contacts"])
        b = share(p[key], p["contacts"]) if has_prev else None
        items.append({"label": label, "value": f"{a * 100:.1f}%" if a is not None else "—", "raw": a, "prev": b,
                      "change": None if a is None or b is None else a - b, "kind": "pp", "bad_up": bad_up,
                      "note": f"{c[key]:,} 件",
                      "significant": has_prev and significant(c[key], p[key], c["contacts"], p["contacts"])})

    count("联络量", "contacts", None)
    rate("投诉占比", "complaints")
    rate("负面情绪占比", "negative")
    count("高流失风险", "churn_high", True, f"占 {(share(c['churn_high'], c['contacts']) or 0) * 100:.1f}%")
    count("需升级", "escalations", True, f"其中紧急 {c['urgent']:,} 件")
    # numbers stay numbers (in the XLSX too): each cell carries its own kind
    table = Table("概览", "本月概览", ["指标", "本月", "上月", "变化", "变化显著"], ["text", "int", "int", "rel", "text"],
                  cell_kinds=[], note=SIGNIFICANCE_NOTE if has_prev else "")
    for it in items:
        value = "pct" if it["kind"] == "pp" else "int"
        table.rows.append([it["label"], it["raw"], it["prev"], it["change"],
                           None if it["change"] is None else ("是" if it["significant"] else "否")])
        table.cell_kinds.append(["text", value, value, it["kind"], "text"])
    return items, table, has_prev


def _issue_label(dim: str) -> str:
    return "话题" if dim == "topic" else "问题（证据词）"


def _top_issues_per_owner(facts: Facts, owners: list[Any], per_owner: int = 3, verbatims: int = 2
                          ) -> tuple[list[dict], Table]:
    store, month, prev, dim = facts.store, facts.month, facts.prev, facts.dim
    out = []
    table = Table("负责方重点问题", "各负责方的重点问题与代表性原话",
                  ["负责方", _issue_label(dim), "本月联络", "上月联络", "变化", "代表联络", "原话（已脱敏）"],
                  ["text", "text", "int", "int", "delta", "text", "text"])
    tot = {o: facts.totals(o, [month])[month] for o in owners}
    for owner in owners:
        used: set[str] = set()
        cur, before = facts.issue_counts(month, owner), facts.issue_counts(prev, owner)
        top = sorted(cur.items(), key=lambda kv: (-kv[1], kv[0]))[:per_owner]
        issues = []
        for issue, n in top:
            rows = fetch_contacts(store, facts.cond(f"month = ? AND owner = ? AND {issue_condition(dim)}"),
                                  (month, owner, issue, *facts.params), "root_cause_score DESC, churn_risk DESC, id",
                                  verbatims + len(used))
            vs = [verbatim(r) for r in rows if r["id"] not in used][:verbatims]
            used.update(v["id"] for v in vs)
            b = before.get(issue, 0)
            issues.append({"issue": issue, "count": n, "prev": b, "delta": n - b, "verbatims": vs})
            for v in vs or [{"id": "", "excerpt": ""}]:
                table.rows.append([owner, issue, n, b, n - b, v["id"], v["excerpt"]])
        prev_n = facts.totals(owner, [prev])[prev]["contacts"] if facts.has_prev else None
        out.append({"owner": owner, "key": OWNER_KEYS.get(owner), "contacts": tot[owner]["contacts"],
                    "complaints": tot[owner]["complaints"], "prev": prev_n, "escalations": tot[owner]["escalations"], "issues": issues})
    return out, table


def _churn_hotspots(facts: Facts, min_contacts: int = 3, limit: int = 10) -> tuple[Table, Table, str]:
    month, dim = facts.month, facts.dim
    cur = facts.issue_stats(month)
    before = {k: v[2] for k, v in facts.issue_stats(facts.prev).items()}
    rows = sorted(((k, n, h) for k, (n, _, h) in cur.items() if n >= min_contacts and h > 0),
                  key=lambda r: (-r[2], -r[2] / r[1], r[0]))[:limit]
    label = _issue_label(dim)
    t_issue = Table("流失热点-话题" if dim == "topic" else "流失热点-问题", f"高流失风险热点：{label}",
                    [label, "本月联络", "高流失风险", "高风险占比", "上月高风险"], ["text", "int", "int", "pct", "int"],
                    [[k, n, h, share(h, n), before.get(k, 0) if facts.has_prev else None] for k, n, h in rows])
    by_tier: dict[str, list[int]] = {}
    for tier, _, _, _, churn, _, n in facts.tiers():
        acc = by_tier.setdefault(tier, [0, 0])
        acc[0] += n
        acc[1] += n if churn == "high" else 0
    tiers = sorted(((k, n, h) for k, (n, h) in by_tier.items()), key=lambda r: tier_rank(r[0], r[1]))
    t_tier = Table("流失热点-等级", "高流失风险热点：客户等级", ["客户等级", "本月联络", "高流失风险", "高风险占比"],
                   ["text", "int", "int", "pct"],
                   [[name_of("tier", k), n, h or 0, share(h or 0, n)] for k, n, h in tiers if k is not None])
    chart = charts.hbar_chart([(r[0], r[2]) for r in rows], f"高流失风险联络最多的{label}",
                              key=lambda i: charts.FIXED["high"]) if rows else ""
    return t_issue, t_tier, chart


def _tiers(facts: Facts) -> tuple[Table, str]:
    stats: dict[str, list[int]] = {}
    causes: dict[str, dict[str, int]] = {}
    for tier, ct, rc, sent, churn, esc, n in facts.tiers():
        acc = stats.setdefault(tier, [0, 0, 0, 0, 0])
        complaint = is_complaint(ct, rc)
        for i, hit in enumerate((True, complaint, sent == "negative", churn == "high", esc == 1)):
            acc[i] += n if hit else 0
        if complaint:
            causes.setdefault(tier, {})[rc] = causes.get(tier, {}).get(rc, 0) + n
    rows = [(tier, *acc) for tier, acc in stats.items()]
    total = sum(r[1] for r in rows)
    rows = sorted(rows, key=lambda r: tier_rank(r[0], r[1]))
    table = Table("客户等级", "按客户价值等级", ["客户等级", "联络", "占比", "投诉占比", "负面占比", "高流失风险占比", "需升级",
                                          "主要根因"],
                  ["text", "int", "pct", "pct", "pct", "pct", "int", "text"], note="主要根因：投诉中最多的根因。")
    for tier, n, comp, neg, high, esc in rows:
        top = sorted(causes.get(tier, {}).items(), key=lambda kv: (-kv[1], kv[0]))
        main = f"{ROOT_CAUSE_NAMES.get(top[0][0], top[0][0])}（{top[0][1]:,}）" if top else "—"
        table.rows.append([tier, n, share(n, total), share(comp, n), share(neg, n), share(high, n), esc or 0, main])
    chart = ""
    if rows:
        chart = charts.hbar_chart([(r[0], share(r[3] or 0, r[1]) or 0) for r in rows], "各等级负面情绪占比", kind="pct",
                                  key=lambda i: charts.FIXED["negative"])
    return table, chart


def _contact_types(facts: Facts, tot: dict) -> dict[str, Any]:
    """Volumes and shares by contact type, this month against the one before and over the
    trend window, with the share of each type's contacts resolved within the contact."""
    st, months, month, prev = facts.store, facts.months, facts.month, facts.prev
    counts = counts_by(st, "contact_type", months, facts.where, facts.params)
    has_prev = facts.has_prev and tot.get(prev, {}).get("contacts", 0) > 0
    seen = {v for d in counts.values() for v in d}
    order = [*(facts.contact_types or CONTACT_TYPES), *sorted(str(v) for v in seen if v and v not in CONTACT_TYPES),
             *([None] if None in seen else [])]
    res: dict[Any, dict[Any, int]] = {}
    for t, r, n in st.query(f"SELECT {TYPE_SQL}, resolved, COUNT(*) FROM contacts WHERE {facts.cond('month = ?')} "
                            "GROUP BY 1, 2", (month, *facts.params)):
        res.setdefault(t, {})[r] = n
    n, pn = tot[month]["contacts"], tot.get(prev, {}).get("contacts", 0)
    table = Table("联络类型", "按联络类型", ["联络类型", "本月联络", "占比", "上月联络", "上月占比", "占比变化", "当场解决率"],
                  ["text", "int", "pct", "int", "pct", "pp", "pct"],
                  note="当场解决率：已判断是否解决（resolved 为 yes 或 no）的联络中 yes 的占比；unclear 不计。")
    sparks = []
    for t in order:
        a = counts[month].get(t, 0)
        b = counts.get(prev, {}).get(t, 0) if has_prev else None
        sa, sb = share(a, n), share(b, pn) if has_prev else None
        r = res.get(t, {})
        table.rows.append([name_of("contact_type", t), a, sa, b, sb, None if sa is None or sb is None else sa - sb,
                           share(r.get("yes", 0), r.get("yes", 0) + r.get("no", 0))])
        sparks.append(charts.sparkline([counts[m].get(t, 0) for m in months], stroke=charts.colour(t or "untyped", 0)))
    shown = [t for t in order if any(counts[m].get(t, 0) for m in months)]
    names = [name_of("contact_type", t) for t in shown]
    trend = Table("联络类型-趋势", "按联络类型的月度联络量", ["月份", "联络", *names], ["text", "int", *["int"] * len(shown)],
                  [[m, tot[m]["contacts"], *[counts[m].get(t, 0) for t in shown]] for m in months])
    shares = Table("联络类型-占比", "各联络类型的月度占比", ["月份", *names], ["text", *["pct"] * len(shown)],
                   [[m, *[share(counts[m].get(t, 0), tot[m]["contacts"]) for t in shown]] for m in months])
    series = [(name_of("contact_type", t), t or "untyped", [counts[m].get(t, 0) for m in months]) for t in shown]
    chart = charts.stacked_bars(months, series, "各月联络类型构成") if series else ""
    legend = [(s[0], charts.colour(s[1], i)) for i, s in enumerate(series)]
    return {"table": table, "trend": trend, "shares": shares, "chart": chart, "legend": legend, "sparks": sparks}


def _complaint_method(facts: Facts, tot: dict) -> str:
    """How complaints were counted, for the methods section (and the fallback, if used)."""
    text = ("投诉：联络类型为“投诉”的联络（联络类型阶段，taxonomy 第 7 节）；咨询、办理/求助、表扬、建议和其他类型的联络"
            "不计为投诉，无论其根因。")
    months = facts.months
    untyped = sum(tot[m]["untyped"] for m in months)
    if untyped:
        cur = tot[facts.month]
        text += (f"趋势期内有 {untyped:,} 件联络没有联络类型（由没有联络类型阶段的较早版本 voc 写入），本月 "
                 f"{cur['untyped']:,} 件：这些联络沿用旧口径，根因为人员、产品、政策或流程的计为投诉（本月 "
                 f"{cur['untyped_complaints']:,} 件），其余在“按联络类型”中列为“未标注”。")
    return text


def _sentiment(months: list[str], tot: dict) -> tuple[Table, str, list]:
    series = [(SENTIMENT_NAMES[k], k, [tot[m][k] for m in months]) for k in ("negative", "neutral", "positive")]
    chart = charts.stacked_bars(months, series, "各月情绪构成")
    table = Table("情绪趋势", "情绪趋势", ["月份", "联络", "负面占比", "中性占比", "正面占比", "平均情绪分",
                                        "对话变差占比"],
                  ["text", "int", "pct", "pct", "pct", "float", "pct"])
    for m in months:
        t = tot[m]
        table.rows.append([m, t["contacts"], share(t["negative"], t["contacts"]), share(t["neutral"], t["contacts"]),
                           share(t["positive"], t["contacts"]), t["mean_sentiment"],
                           share(t["worsened"], t["dialogues"])])
    legend = [(s[0], charts.colour(s[1], i)) for i, s in enumerate(series)]
    return table, chart, legend


def _emerging_issues(facts: Facts) -> tuple[Table, str]:
    """Emerging issues: voc.topics.track over the stored topics, else a G² test on the store's
    own month counts (also when the contacts carry no topics: root-cause evidence spans)."""
    found, how = facts.emerging_topics()
    base = facts.base
    label = _issue_label(facts.dim)
    table = Table("新出现问题", "新出现与快速增长的问题",
                  [label, "状态", "本月联络", "本月占比", "基线占比", "倍数", "G²", "p 值", "主要负责方"],
                  ["text", "text", "int", "pct", "pct", "float", "float", "p", "text"],
                  [[e.issue, e.status, e.count, e.share, e.base_share, e.ratio, e.g2, e.p, name_of("owner", e.owner)]
                   for e in found])
    if not base:
        method = "结果库中没有更早的月份，无法判断新出现问题。"
    elif how == "track":
        method = (f"话题跟踪（voc.topics.track）：各话题在有话题的联络中所占比例，与此前 {len(base)} 个月"
                  f"（{base[0]}–{base[-1]}）合计相比，对数似然比 G² 检验，按 Benjamini–Hochberg 校正后 p < 0.01，"
                  f"至少 5 件且为基线占比的 1.5 倍以上（新出现：基线中没有）。")
    else:
        method = (f"与此前 {len(base)} 个月（{base[0]}–{base[-1]}）合计相比，本月占全部联络的比例显著上升"
                  f"（对数似然比 G² 检验，p < 0.001，至少 5 件，且为基线占比的 1.5 倍以上；新出现：基线中没有）。")
    return table, method


def _owners(facts: Facts) -> list[Any]:
    present = [o for o in facts.owners() if o is not None]
    return list(OWNER_ORDER) + sorted((o for o in present if o not in OWNER_ORDER),
                                      key=lambda o: (-facts.totals(o, [facts.month])[facts.month]["contacts"], o))


def monthly(store: Store | str | Path, month: str, *, trend_months: int = WINDOW, verbatims: int = 2,
            contact_types: str | Sequence[str] | None = None) -> Report:
    """Build the monthly complaint-analysis report of ``month`` (``YYYY-MM``) from a store.

    ``trend_months``: length of the trend window (the month and the ones before it that the
    store has). ``verbatims``: representative verbatims per top issue. ``contact_types``:
    report only contacts of these types (``"complaint,inquiry"`` or a list; see
    ``voc.reports.types``).
    """
    month = check_month(month)
    st, opened = open_store(store)
    try:
        facts = Facts(st, month, trend_months, contact_types=contact_types)
        months, prev, idim, where, params = facts.months, facts.prev, facts.dim, facts.where, facts.params
        tot = facts.totals()
        headline, t_head, has_prev = _headline(tot, month)
        dims = {}
        for d in ("root_cause", "owner", "channel"):
            comp = counts_by(st, d, [month], and_(COMPLAINT_SQL, where), params)[month] if d != "channel" else None
            dims[d] = _dimension(d, _merged(d, counts_by(st, d, months, where, params)), months, month, tot,
                                 complaints=comp)
        types = _contact_types(facts, tot)
        icounts = issue_counts(st, idim, months, where, params)
        dims["issue"] = _dimension("topic" if idim == "topic" else "evidence", icounts, months, month, tot, top=6)
        t_emerging, emerging_method = _emerging_issues(facts)
        base = facts.base
        t_sent, sent_chart, sent_legend = _sentiment(months, tot)
        t_churn_issue, t_churn_tier, churn_chart = _churn_hotspots(facts)
        per_owner, t_owner = _top_issues_per_owner(facts, _owners(facts), verbatims=verbatims)
        t_tier, tier_chart = _tiers(facts)
        models = model_facts(st, month, where=where, params=params)
        t_models = Table("模型", "模型版本与实测准确率", ["模型版本", "本月联络", "阶段", "阶段版本", "指标", "来源"],
                         ["text", "int", "text", "text", "text", "text"])
        for f in models:
            for s in f["stages"] or [{"stage": "", "version": "", "metrics": [], "source": ""}]:
                t_models.rows.append([f["version"], f["contacts"], s["stage"], s["version"],
                                      "; ".join(f"{k}={fmt_metric(v)}" for k, v in s["metrics"]) or "—", s["source"]])
        t_trend = Table("月度趋势", "月度总体趋势", ["月份", "联络", "投诉", "投诉占比", "负面占比", "高流失风险", "需升级",
                                                 "紧急"], ["text", "int", "int", "pct", "pct", "int", "int", "int"],
                        [[m, tot[m]["contacts"], tot[m]["complaints"], share(tot[m]["complaints"], tot[m]["contacts"]),
                          share(tot[m]["negative"], tot[m]["contacts"]), tot[m]["churn_high"], tot[m]["escalations"],
                          tot[m]["urgent"]] for m in months])
        overview_chart = charts.line_chart(
            months, [("投诉占比", "agent", [share(tot[m]["complaints"], tot[m]["contacts"]) for m in months]),
                     ("负面占比", "policy", [share(tot[m]["negative"], tot[m]["contacts"]) for m in months]),
                     ("高流失风险占比", "product", [share(tot[m]["churn_high"], tot[m]["contacts"]) for m in months])],
            "投诉、负面与高流失风险占比", kind="pct")
        overview_legend = [("投诉占比", charts.colour("agent", 0)), ("负面占比", charts.colour("policy", 1)),
                           ("高流失风险占比", charts.colour("product", 2))]
        undated = st.query(f"SELECT COUNT(*) FROM contacts WHERE {and_('month IS NULL', where)}", params)[0][0]
        tables = [t_head, t_trend, types["table"], types["trend"], types["shares"]]
        for d in ("root_cause", "owner", "channel", "issue"):
            tables += [dims[d]["table"], dims[d]["trend"]]
        journey, t_journey = journey_section(st, month, months, where, params)
        outlook, t_outlook = forecast_section(st, month, where, params)
        tables += [t_emerging, t_sent, t_churn_issue, t_churn_tier, t_owner, t_tier, *t_journey, *t_outlook, t_models]
        context = {
            "month": month, "months": months, "prev_month": prev, "has_prev": has_prev, "headline": headline,
            "dims": dims, "issue_dim": idim, "issue_label": _issue_label(idim), "emerging_method": emerging_method,
            "emerging_base": base, "sentiment_chart": sent_chart, "sentiment_legend": sent_legend,
            "churn_chart": churn_chart, "tier_chart": tier_chart, "per_owner": per_owner, "models": models,
            "overview_chart": overview_chart, "overview_legend": overview_legend, "timezone": st.timezone,
            "store_name": Path(st.path).name, "voc_version": __version__, "undated": undated,
            "channel_names": CHANNEL_NAMES, "owners": OWNERS, "types": types,
            "complaint_method": _complaint_method(facts, tot), "filter_label": facts.filter_label,
            "journey": journey, "outlook": outlook,
        }
        report = Report(month, months, st.timezone, context, tables, st.path, None if opened else st, where, params)
    finally:
        if opened:
            st.close()
    return report


def write_monthly(store: Store | str | Path, month: str, output: str | Path, xlsx: str | Path | None = None,
                  contact_types: str | Sequence[str] | None = None) -> list[Path]:
    """Build the monthly report (of the ``contact_types`` only, if given) and write its HTML
    (and XLSX); returns the paths written."""
    month = check_month(month)
    from .topics import use_store_topics

    use_store_topics(store)  # topics fitted on the store's own contacts (voc.reports.topics)
    st, opened = open_store(store)
    try:
        report = monthly(st, month, contact_types=contact_types)
        paths = [report.write_html(output)]
        if xlsx:
            paths.append(report.to_xlsx(xlsx))
    finally:
        if opened:
            st.close()
    return paths
