"""What both reports share: display names, tables, store queries, emerging-issue statistics,
verbatim excerpts with highlighted evidence, and the model facts for the methods box."""
from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass, field
from html import escape
from typing import Any, Iterable, Sequence

from ..errors import InputError
from ..lang.stats import g2, p_chi2_1
from ..lang.taxonomy import OWNERS, ROOT_CAUSES
from ..store import Store, check_month, month_range, shift_month
from .types import CONTACT_TYPE_NAMES, TYPE_SQL, and_, describe, is_complaint, parse_contact_types, type_filter

log = logging.getLogger(__name__)

ROOT_CAUSE_NAMES = {"agent": "人员", "product": "产品", "policy": "政策", "process": "流程", "other": "其他"}
OWNER_KEYS = {v: k for k, v in OWNERS.items() if v}  # 产品/研发 -> product
OWNER_ORDER = [OWNERS[k] for k in ROOT_CAUSES if OWNERS[k]]
SENTIMENT_NAMES = {"negative": "负面", "neutral": "中性", "positive": "正面"}
CHURN_NAMES = {"high": "高", "medium": "中", "low": "低"}
URGENCY_NAMES = {"urgent": "紧急", "normal": "一般", "none": "无"}
CHANNEL_NAMES = {"phone": "电话", "call": "电话", "voice": "电话", "chat": "在线客服", "online": "在线客服",
                 "im": "在线客服", "ticket": "工单", "complaint": "投诉", "review": "评价", "email": "邮件",
                 "app": "App", "weibo": "微博", "wechat": "微信", "sms": "短信", "web": "网页", "store": "门店"}
NONE_LABEL = "（未标注）"
WINDOW = 12  # months in trend charts
BASELINE_MONTHS = 3  # months an emerging issue is compared with


def name_of(dim: str, value: Any) -> str:
    """Display name of a value of a store column."""
    if value is None or value == "":
        return {"owner": "（无负责方）", "topic": "（无话题）", "tier": "（无等级）"}.get(dim, NONE_LABEL)
    if dim == "root_cause":
        return f"{ROOT_CAUSE_NAMES.get(value, value)}"
    if dim == "contact_type":
        return CONTACT_TYPE_NAMES.get(value, str(value))
    if dim == "channel":
        return CHANNEL_NAMES.get(str(value).lower(), str(value))
    if dim == "sentiment_label":
        return SENTIMENT_NAMES.get(value, value)
    if dim == "churn_level":
        return CHURN_NAMES.get(value, value)
    if dim == "escalation_level":
        return URGENCY_NAMES.get(value, value)
    return str(value)


_TIER_RANK = ("至尊", "钻石", "黑钻", "黑金", "白金", "铂金", "金卡", "金牌", "银卡", "银牌", "铜卡", "普卡", "普通", "大众",
              "diamond", "platinum", "gold", "silver", "bronze", "standard", "basic", "regular")


def tier_rank(tier: Any, count: int = 0) -> tuple:
    """Sort key: known value tiers from the highest down, then the others by volume."""
    t = str(tier or "").lower()
    for i, name in enumerate(_TIER_RANK):
        if name in t:
            return (0, i, -count, t)
    return (1, 0, -count, t)


def display_time(value: Any, tz: Any = None) -> str:
    """``2026-10-10T08:21:45+08:00`` -> ``2026-10-10 08:21`` (in the store's time zone)."""
    from ..store import get_tz, parse_time

    dt = parse_time(value, tz or get_tz("Asia/Shanghai"))
    return dt.strftime("%Y-%m-%d %H:%M") if dt else str(value or "")


@dataclass
class Table:
    """A titled table shared by the HTML and the XLSX (one sheet each).

    ``kinds`` per column: text, int, pct (0..1), pp (percentage points), delta (signed int),
    float."""

    sheet: str
    title: str
    columns: list[str]
    kinds: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""

    cell_kinds: list[list[str]] | None = None  # per cell, when a column mixes kinds (the overview)

    def fmt(self, value: Any, kind: str) -> str:
        return fmt(value, kind)

    def kind(self, row: int, col: int) -> str:
        """The kind of one cell: its own when ``cell_kinds`` is given, else its column's."""
        return self.cell_kinds[row][col] if self.cell_kinds else self.kinds[col]


def fmt(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "int":
        return f"{value:,.0f}"
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "pp":
        return f"{value * 100:+.1f} pp"
    if kind == "delta":
        return f"{value:+,.0f}"
    if kind == "rel":
        return f"{value * 100:+.0f}%"
    if kind == "float":
        return f"{value:.2f}"
    if kind == "p":
        return "<0.0001" if value < 1e-4 else f"{value:.4f}"
    return str(value)


def share(a: float | None, n: float | None) -> float | None:
    return a / n if a is not None and n else None


def count_change(cur: float | None, prev: float | None) -> float | None:
    """Relative change, or the absolute one when the previous count was 0 (see ``kind``)."""
    if cur is None or prev is None:
        return None
    return (cur - prev) / prev if prev else cur - prev


MIN_COUNT = 10  # fewer contacts than this in both months together: no change is called significant


def significant(a: int | None, b: int | None, n: int | None = None, m: int | None = None,
                alpha: float = 0.05) -> bool:
    """Is the change from ``b`` (last month) to ``a`` (this month) more than chance?

    Counts (``n``, ``m`` not given): an exact binomial test of ``a`` out of ``a + b`` against
    1/2 (two Poisson counts over equal periods). Shares (``a`` of ``n`` against ``b`` of ``m``):
    Fisher's exact test. Fewer than ``MIN_COUNT`` contacts behind the change: not significant,
    so +100% on 2 -> 4 is shown as noise, not as an alarm (scipy.stats)."""
    if a is None or b is None:
        return False
    from scipy.stats import binomtest, fisher_exact

    if n is None or m is None:
        if a + b < MIN_COUNT or a == b:
            return False
        return bool(binomtest(int(a), int(a + b), 0.5).pvalue < alpha)
    if a + b < MIN_COUNT or not n or not m:
        return False
    return bool(fisher_exact([[a, n - a], [b, m - b]])[1] < alpha)


def rel_change(cur: float | None, prev: float | None) -> float | None:
    return (cur - prev) / prev if cur is not None and prev else None


# -- store access -----------------------------------------------------------------------------
_DIMS = ("contact_type", "root_cause", "owner", "channel", "topic", "tier", "sentiment_label", "churn_level", "escalation_level",
         "sentiment_trend")


def window(store: Store, month: str, size: int = WINDOW, stored: Sequence[str] | None = None) -> list[str]:
    """The trend months: up to ``size`` consecutive months ending at ``month``, starting no
    earlier than the store's first month."""
    month = check_month(month)
    months = list(stored) if stored is not None else store.months()
    if month not in months:
        have = f"{months[0]} to {months[-1]}" if months else "none"
        raise InputError(f"the store has no contacts in {month} (months stored: {have}); choose a stored month "
                         f"or add that month's tagged contacts.")
    first = max(months[0], shift_month(month, -(size - 1)))
    out, m = [], first
    while m <= month:
        out.append(m)
        m = shift_month(m, 1)
    return out


def counts_by(store: Store, dim: str, months: Sequence[str], where: str = "", params: Sequence[Any] = ()
              ) -> dict[str, dict[Any, int]]:
    """{month: {value: contacts}} for a store column over ``months`` (``contact_type``: the
    type a report counts, ``voc.reports.types.TYPE_SQL``)."""
    if dim not in _DIMS:
        raise ValueError(f"unknown dimension {dim!r}")
    out: dict[str, dict[Any, int]] = {m: {} for m in months}
    col = TYPE_SQL if dim == "contact_type" else dim
    sql = (f"SELECT month, {col}, COUNT(*) FROM contacts WHERE month BETWEEN ? AND ? "
           f"{'AND ' + where if where else ''} GROUP BY 1, 2")
    for m, v, n in store.query(sql, (months[0], months[-1], *params)):
        out[m][v] = n
    return out


def evidence_counts(store: Store, months: Sequence[str], where: str = "", params: Sequence[Any] = ()
                    ) -> dict[str, dict[str, int]]:
    """{month: {evidence span: contacts}}: the cues and spans behind the root causes."""
    out: dict[str, dict[str, int]] = {m: {} for m in months}
    sql = ("SELECT c.month, je.value, COUNT(*) FROM contacts c, json_each(c.evidence) je "
           f"WHERE c.month BETWEEN ? AND ? {'AND ' + where if where else ''} GROUP BY c.month, je.value")
    for m, v, n in store.query(sql, (months[0], months[-1], *params)):
        if isinstance(v, str) and v.strip():
            out[m][v] = n
    return out


TOTAL_KEYS = ("contacts", "complaints", "negative", "neutral", "positive", "sentiment_sum", "sentiment_n", "churn_high",
              "churn_medium", "escalations", "urgent", "worsened", "dialogues", "untyped", "untyped_complaints")


def _finish(t: dict[str, Any]) -> dict[str, Any]:
    t["mean_sentiment"] = t["sentiment_sum"] / t["sentiment_n"] if t["sentiment_n"] else None
    return t


def empty_totals() -> dict[str, Any]:
    return _finish(dict.fromkeys(TOTAL_KEYS, 0))


def issue_dimension(store: Store, month: str, where: str = "", params: Sequence[Any] = ()) -> str:
    """``topic`` when the month's contacts carry topics, else ``evidence`` (root-cause spans)."""
    sql = f"SELECT 1 FROM contacts WHERE month = ? AND topic IS NOT NULL {'AND ' + where if where else ''} LIMIT 1"
    return "topic" if store.query(sql, (month, *params)) else "evidence"


def issue_counts(store: Store, dim: str, months: Sequence[str], where: str = "", params: Sequence[Any] = ()
                 ) -> dict[str, dict[str, int]]:
    if dim == "topic":
        c = counts_by(store, "topic", months, where, params)
        return {m: {k: v for k, v in d.items() if k is not None} for m, d in c.items()}
    return evidence_counts(store, months, where, params)


ALL = "\x00all"  # owner key of the figures over all owners


class Facts:
    """The aggregates a report needs, each read in one grouped pass over the store and then
    sliced by owner in Python (so one pass serves every owner's section or report).

    * ``months``: the trend window; ``prev``: the month before; ``base``: the stored months an
      emerging issue is compared with; ``dim``: ``topic`` or ``evidence`` (no topics stored).
    * ``contact_types``: count only contacts of these types (``voc.reports.types``); ``where``
      and ``params``: that filter as an SQL condition, for the report's own queries.
    * complaints: contacts whose contact type is complaint; contacts without a contact type
      (``untyped``) by the old rule, root cause not other (``untyped_complaints``).
    """

    def __init__(self, store: Store, month: str, trend_months: int = WINDOW,
                 baseline_months: int = BASELINE_MONTHS, contact_types: Any = None):
        self.store = store
        self.month = check_month(month)
        self.contact_types = parse_contact_types(contact_types)
        self.where, self.params = type_filter(self.contact_types)
        self.filter_label = describe(self.contact_types)
        w = f" AND {self.where}" if self.where else ""
        stored = store.months()
        self.months = window(store, self.month, trend_months, stored)
        self.stored = set(stored)
        self.prev = shift_month(self.month, -1)
        self.has_prev = self.prev in self.stored
        self.base = [m for m in (shift_month(self.month, -k) for k in range(baseline_months, 0, -1))
                     if m in self.stored]
        self.span = month_range(self.base[0], self.month) if self.base else [self.month]
        self.dim = issue_dimension(store, self.month, self.where, self.params)
        self._tot: dict[tuple[str, Any], dict[str, Any]] = {}
        first = min(self.months[0], self.span[0])
        # grouped in the order of the covering index contacts_month_contact_type: an index-only
        # scan (named, as the planner picks a non-covering index for a single type without it);
        # the sums are taken in Python over a few hundred groups
        sql = ("SELECT month, contact_type, owner, root_cause, sentiment_label, churn_level, escalate, "
               "escalation_level, sentiment_trend, COUNT(*), SUM(sentiment), COUNT(sentiment) FROM contacts "
               "INDEXED BY contacts_month_contact_type "
               f"WHERE month BETWEEN ? AND ?{w} GROUP BY month, contact_type, owner, root_cause, sentiment_label, "
               "churn_level, escalate, escalation_level, sentiment_trend")
        for m, ct, o, rc, sl, cl, esc, lvl, tr, n, ssum, sn in store.query(sql, (first, self.month, *self.params)):
            t = self._tot.get((m, o))
            if t is None:
                t = self._tot[(m, o)] = dict.fromkeys(TOTAL_KEYS, 0)
            t["contacts"] += n
            complaint = is_complaint(ct, rc)
            if complaint:
                t["complaints"] += n
            if ct is None:
                t["untyped"] += n
                t["untyped_complaints"] += n if complaint else 0
            if sl in ("negative", "neutral", "positive"):
                t[sl] += n
            t["sentiment_sum"] += ssum or 0
            t["sentiment_n"] += sn
            if cl == "high":
                t["churn_high"] += n
            elif cl == "medium":
                t["churn_medium"] += n
            if esc == 1:
                t["escalations"] += n
                if lvl == "urgent":
                    t["urgent"] += n
            if tr is not None:
                t["dialogues"] += n
                if tr == "worsened":
                    t["worsened"] += n
        if self.contact_types and not any(m == self.month for m, _ in self._tot):
            raise InputError(f"the store has no contacts of the types {', '.join(self.contact_types)} in "
                             f"{self.month}; choose other types or another month.")
        if self.dim == "topic":
            sql = ("SELECT month, owner, topic, COUNT(*), SUM(escalate = 1), SUM(churn_level = 'high') FROM contacts "
                   f"WHERE month BETWEEN ? AND ? AND topic IS NOT NULL{w} GROUP BY month, topic, owner")
        else:
            sql = ("SELECT c.month, c.owner, je.value, COUNT(*), SUM(c.escalate = 1), SUM(c.churn_level = 'high') "
                   f"FROM contacts c, json_each(c.evidence) je WHERE c.month BETWEEN ? AND ?{w} GROUP BY 1, 2, 3")
        self._issues: dict[tuple[str, Any], dict[str, tuple[int, int, int]]] = {}
        for m, owner, issue, n, esc, high in store.query(sql, (self.span[0], self.month, *self.params)):
            if isinstance(issue, str) and issue.strip():
                self._issues.setdefault((m, owner), {})[issue] = (n, esc or 0, high or 0)
        self._rc: dict[tuple[str, Any, str], dict[Any, int]] | None = None
        self._evidence: dict[tuple[str, Any], dict[str, int]] | None = None

    def cond(self, *conds: str) -> str:
        """``conds`` and the contact-type filter joined with AND (for ``fetch_contacts``)."""
        return and_(*conds, self.where)

    def tiers(self) -> list[tuple[str, Any, Any, Any, Any, Any, int]]:
        """(tier, contact type, root cause, sentiment label, churn level, escalate, contacts) of the month."""
        return self.store.query(
            "SELECT tier, contact_type, root_cause, sentiment_label, churn_level, escalate, COUNT(*) FROM contacts "
            f"WHERE {self.cond('month = ?', 'tier IS NOT NULL')} "
            "GROUP BY tier, contact_type, root_cause, sentiment_label, churn_level, escalate", (self.month, *self.params))

    def owners(self) -> list[Any]:
        return sorted({o for (m, o) in self._tot if m == self.month}, key=lambda o: (o is None, str(o)))

    def totals(self, owner: Any = ALL, months: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        out = {}
        for m in months or self.months:
            if owner is ALL:
                t = empty_totals()
                for (mm, _), v in self._tot.items():
                    if mm == m:
                        for k in TOTAL_KEYS:
                            t[k] += v[k]
                out[m] = _finish(t)
            else:
                out[m] = _finish(dict(self._tot.get((m, owner)) or dict.fromkeys(TOTAL_KEYS, 0)))
        return out

    def issue_stats(self, month: str, owner: Any = ALL) -> dict[str, tuple[int, int, int]]:
        """{issue: (contacts, escalations, high churn)} in ``month`` (within the emerging span)."""
        if owner is not ALL:
            return dict(self._issues.get((month, owner), {}))
        out: dict[str, list[int]] = {}
        for (m, _), d in self._issues.items():
            if m == month:
                for k, v in d.items():
                    acc = out.setdefault(k, [0, 0, 0])
                    for i in range(3):
                        acc[i] += v[i]
        return {k: tuple(v) for k, v in out.items()}  # type: ignore[misc]

    def issue_counts(self, month: str, owner: Any = ALL) -> dict[str, int]:
        return {k: v[0] for k, v in self.issue_stats(month, owner).items()}

    def main_owner(self, issue: str) -> Any:
        counts = [(d[issue][0], o) for (m, o), d in self._issues.items() if m == self.month and issue in d]
        return min(counts, key=lambda x: (-x[0], x[1] is None, str(x[1])))[1] if counts else None

    def root_causes(self, month: str, owner: Any, complaints: bool = False) -> dict[Any, int]:
        """{root cause: contacts (complaints only if ``complaints``)} of ``owner`` in ``month``
        (the month or the one before)."""
        if self._rc is None:
            self._rc = {}
            sql = ("SELECT month, owner, root_cause, contact_type, COUNT(*) FROM contacts "
                   f"WHERE {self.cond('month IN (?, ?)')} GROUP BY month, owner, root_cause, contact_type")
            for m, o, rc, ct, n in self.store.query(sql, (self.prev, self.month, *self.params)):
                for key, hit in (((m, o, "all"), True), ((m, o, "complaints"), is_complaint(ct, rc))):
                    if hit:
                        d = self._rc.setdefault(key, {})
                        d[rc] = d.get(rc, 0) + n
        return dict(self._rc.get((month, owner, "complaints" if complaints else "all"), {}))

    def evidence(self, month: str, owner: Any) -> dict[str, int]:
        """{evidence span: contacts} of ``owner`` in ``month`` (the month or the one before)."""
        if self.dim == "evidence":
            return self.issue_counts(month, owner)
        if self._evidence is None:
            self._evidence = {}
            for m, o, v, n in self.store.query(
                    "SELECT c.month, c.owner, je.value, COUNT(*) FROM contacts c, json_each(c.evidence) je "
                    f"WHERE {self.cond('c.month IN (?, ?)')} GROUP BY 1, 2, 3", (self.prev, self.month, *self.params)):
                if isinstance(v, str) and v.strip():
                    self._evidence.setdefault((m, o), {})[v] = n
        return dict(self._evidence.get((month, owner), {}))

    def emerging(self, owner: Any = ALL, min_count: int = 5, alpha: float = 0.001, min_ratio: float = 1.5,
                 limit: int = 10) -> list["Emerging"]:
        """Issues whose share of contacts rose significantly in the month versus the baseline
        months (G² test, p < ``alpha``, at least ``min_count`` contacts and ``min_ratio`` times
        the baseline share)."""
        if not self.base:
            return []
        tot = self.totals(owner, self.span)
        n1 = tot[self.month]["contacts"]
        n2 = sum(tot[m]["contacts"] for m in self.base)
        cur = self.issue_counts(self.month, owner)
        before: dict[str, int] = {}
        for m in self.base:
            for k, v in self.issue_counts(m, owner).items():
                before[k] = before.get(k, 0) + v
        found = find_emerging(cur, before, n1, n2, self.dim, min_count, alpha, min_ratio)[:limit]
        for e in found:
            e.owner = owner if owner is not ALL else self.main_owner(e.issue)
        return found

    def emerging_topics(self, limit: int = 10) -> tuple[list["Emerging"], str]:
        """The month's emerging issues and how they were found: with ``voc.topics.track`` over
        the stored top topics when the contacts carry topics, else (or if that fails) with
        ``emerging()`` over the store's own month counts."""
        if self.dim == "topic" and self.base:
            try:
                return self._track(limit), "track"
            except Exception as e:  # degrade to the store's own counts, and say so in the report
                log.warning("voc.topics.track failed (%s); emerging issues come from the store's month counts", e)
        return self.emerging(limit=limit), "store"

    def _track(self, limit: int) -> list["Emerging"]:
        from ..topics.track import track

        rows: list[tuple] = []
        labels: dict[int, tuple[int, str]] = {}
        for m, tid, label, n in self.store.query(
                "SELECT month, topic_id, topic, COUNT(*) FROM contacts "
                f"WHERE {self.cond('month BETWEEN ? AND ?', 'topic_id IS NOT NULL')} GROUP BY month, topic_id, topic",
                (self.span[0], self.month, *self.params)):
            if m not in self.stored:
                continue
            rows.extend([(m, None, ((tid, 1.0),))] * n)
            if label and n > labels.get(tid, (0, ""))[0]:
                labels[tid] = (n, label)
        report = track(rows, None, by="month", window=len(self.base))
        found = []
        for t in report.topics:
            st = t["by_period"].get(self.month, {})
            if st.get("status") not in ("new", "growing"):
                continue
            label = labels.get(t["id"], (0, str(t["label"])))[1]
            base_n = sum(t["by_period"].get(m, {}).get("volume", 0) for m in self.base)
            found.append(Emerging(label, "topic", st["volume"], st["share"], base_n, st.get("baseline_share", 0.0),
                                  st.get("ratio") if base_n else None, st.get("g2", 0.0), st.get("p_adj", 1.0),
                                  "新出现" if st["status"] == "new" else "增长"))
        found.sort(key=lambda e: (-e.g2, e.issue))
        found = found[:limit]
        for e in found:
            e.owner = self.main_owner(e.issue)
        return found


def issue_condition(dim: str) -> str:
    return "topic = ?" if dim == "topic" else "EXISTS (SELECT 1 FROM json_each(contacts.evidence) WHERE value = ?)"


# -- emerging issues (G²: voc.lang.stats) -----------------------------------------------------
@dataclass
class Emerging:
    issue: str
    kind: str  # topic | evidence
    count: int
    share: float
    base_count: int
    base_share: float
    ratio: float | None
    g2: float
    p: float
    status: str  # 新出现 | 增长
    owner: str | None = None


def find_emerging(cur: dict[str, int], before: dict[str, int], n1: int, n2: int, kind: str, min_count: int = 5,
                  alpha: float = 0.001, min_ratio: float = 1.5) -> list[Emerging]:
    """Issues with ``cur[issue]`` of ``n1`` contacts now versus ``before[issue]`` of ``n2``
    that rose significantly, largest G² first."""
    found = []
    if not n1 or not n2:
        return found
    for issue, a in cur.items():
        b = before.get(issue, 0)
        if a < min_count:
            continue
        s1, s2 = a / n1, b / n2
        if s1 <= s2 or (s2 and s1 / s2 < min_ratio):
            continue
        g = g2(a, n1, b, n2)
        p = p_chi2_1(g)
        if p >= alpha:
            continue
        found.append(Emerging(issue, kind, a, s1, b, s2, (s1 / s2) if s2 else None, g, p,
                              "新出现" if b == 0 else "增长"))
    found.sort(key=lambda e: (-e.g2, e.issue))
    return found


# -- verbatims --------------------------------------------------------------------------------
def _spans(text: str, spans: Iterable[str]) -> list[tuple[int, int]]:
    taken: list[tuple[int, int]] = []
    for s in sorted({s for s in spans if isinstance(s, str) and s.strip()}, key=lambda s: (-len(s), s)):
        start = text.find(s)
        while start != -1:
            end = start + len(s)
            if all(end <= a or start >= b for a, b in taken):
                taken.append((start, end))
            start = text.find(s, end)
    return sorted(taken)


def excerpt(text: str | None, spans: Iterable[str] = (), width: int = 160) -> str:
    """At most ``width`` characters of ``text``, placed so that the first evidence span shows."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= width:
        return text
    found = _spans(text, spans)
    start = max(0, min(found[0][0] - width // 4, len(text) - width)) if found else 0
    out = text[start:start + width]
    return ("…" if start > 0 else "") + out + ("…" if start + width < len(text) else "")


class _Html(str):
    """Safe HTML for templates (markupsafe's protocol), when markupsafe is not installed."""

    def __html__(self) -> str:
        return str(self)


def highlight(text: str, spans: Iterable[str]):
    """``text`` HTML-escaped, with the evidence ``spans`` wrapped in ``<mark>``."""
    try:
        from markupsafe import Markup
    except ImportError:  # the XLSX needs no jinja2/markupsafe; the HTML checks for them
        Markup = _Html

    out, pos = [], 0
    for a, b in _spans(text, spans):
        out.append(escape(text[pos:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    out.append(escape(text[pos:]))
    return Markup("".join(out))


def verbatim(record_row: dict[str, Any], width: int = 160) -> dict[str, Any]:
    spans = record_row.get("evidence") or []
    text = excerpt(record_row.get("text"), spans, width)
    return {**record_row, "excerpt": text, "html": highlight(text, spans)}


def fetch_contacts(store: Store, where: str, params: Sequence[Any], order: str, limit: int | None = None,
                   offset: int = 0) -> list[dict[str, Any]]:
    """Light rows for verbatims and flagged lists (columns plus reasons from ``extra``); ``offset``
    skips rows (a page of the exploration page)."""
    sql = ("SELECT id, created_at, channel, text, root_cause, root_cause_score, evidence, owner, sentiment_label, "
           "churn_level, churn_risk, escalate, escalation_level, topic, tier, extra, contact_type, resolved FROM contacts "
           f"WHERE {where or '1'} ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit else "")
           + (f" OFFSET {int(offset)}" if limit and offset else ""))
    out = []
    for row in store.query(sql, params):
        (id_, created_at, channel, text, rc, score, evidence, owner, sent, churn, churn_risk, esc, level, topic,
         tier, extra, ctype, resolved) = row
        x = json.loads(extra) if extra else {}
        out.append({"id": id_, "created_at": created_at, "when": display_time(created_at, store.tz),
                    "channel": channel, "text": text or "", "root_cause": rc,
                    "score": score, "evidence": json.loads(evidence) if evidence else [], "owner": owner,
                    "sentiment_label": sent, "churn_level": churn, "churn_risk": churn_risk,
                    "escalate": bool(esc), "urgency": level, "topic": topic, "tier": tier,
                    "contact_type": ctype, "resolved": resolved,
                    "escalation_reasons": x.get("escalation_reasons") or [],
                    "churn_reasons": x.get("churn_reasons") or []})
    return out
