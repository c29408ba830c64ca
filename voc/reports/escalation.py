"""Upstream escalation reports: one HTML page per owner plus the flagged contacts as CSV and
XLSX for ticketing systems. ``escalation(store, month, out_dir) -> EscalationFiles``.

Owners come from the records (``owner``: the escalation owner, else the root cause's owner;
defaults in ``voc.lang.taxonomy.OWNERS``: agent -> 客服质检/培训, product -> 产品/研发, policy ->
业务政策/合规, process -> 运营/流程). The four default owners always get a report; any other
owner named by custom escalation rules gets one too.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .._version import __version__
from ..errors import OutputError
from ..store import Store
from . import charts
from .common import (OWNER_KEYS, OWNER_ORDER, ROOT_CAUSE_NAMES, WINDOW, Facts, Table, count_change, fetch_contacts, significant,
                     issue_condition, name_of, share, verbatim)
from .monthly import open_store
from .period import report_month, undated
from .types import CONTACT_TYPE_NAMES

ACTIONS = {
    "agent": "抽检相关录音/会话，对涉及人员做针对性辅导与培训，复核话术与回访承诺的执行",
    "product": "复现并定位问题，评估修复排期；影响面大时准备公告或补偿方案",
    "policy": "复核相关收费、条款或规则本身及其告知方式，评估调整或补充说明",
    "process": "梳理相关流程节点与时限，清理积压，减少转办和重复联络",
}
DEFAULT_ACTION = "核查相关联络，确认问题归属与处理方案"
FLAGGED_FIELDS = ("id", "month", "created_at", "channel", "owner", "owner_key", "contact_type", "root_cause", "urgency",
                  "escalation_reasons", "churn_level", "churn_risk", "resolved", "topic", "evidence", "tier", "text")
FLAGGED_HEADERS = ("联络ID", "月份", "创建时间", "渠道", "负责方", "负责方代码", "联络类型", "根因", "紧急程度", "升级原因",
                   "流失风险", "流失风险分", "是否解决", "话题", "根因证据", "客户等级", "原话（已脱敏）")
FLAGGED_KINDS = ["float" if f == "churn_risk" else "text" for f in FLAGGED_FIELDS]
_URGENCY_ORDER = "CASE escalation_level WHEN 'urgent' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END"


@dataclass
class EscalationReport:
    owner: str
    key: str | None
    month: str
    context: dict[str, Any]
    tables: list[Table]
    flagged: list[dict[str, Any]] = field(repr=False, default_factory=list)
    path: Path | None = None

    def to_html(self) -> str:
        from .render import render

        return render("escalation.html", report=self, t={t.sheet: t for t in self.tables}, **self.context)


@dataclass
class EscalationFiles:
    month: str
    reports: list[EscalationReport]
    csv: Path
    xlsx: Path

    @property
    def paths(self) -> list[Path]:
        return [r.path for r in self.reports if r.path] + [self.csv, self.xlsx]


def owner_slug(owner: str) -> str:
    key = OWNER_KEYS.get(owner)
    if key:
        return key
    ascii_part = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in owner).strip("-")[:24]
    return f"owner-{ascii_part + '-' if ascii_part else ''}{hashlib.sha1(owner.encode('utf-8')).hexdigest()[:8]}"


def _flagged_row(r: dict[str, Any], month: str) -> dict[str, Any]:
    return {"id": r["id"], "month": month, "created_at": r["created_at"], "channel": r["channel"], "owner": r["owner"],
            "owner_key": OWNER_KEYS.get(r["owner"] or "", ""), "contact_type": r["contact_type"],
            "root_cause": r["root_cause"], "resolved": r["resolved"],
            "urgency": r["urgency"], "escalation_reasons": "；".join(r["escalation_reasons"]),
            "churn_level": r["churn_level"], "churn_risk": r["churn_risk"], "topic": r["topic"],
            "evidence": "；".join(r["evidence"]), "tier": r["tier"], "text": r["text"]}


def _actions(facts: Facts, owner: str, key: str | None, tot: dict, limit: int = 3) -> list[dict[str, Any]]:
    """Recommended actions from the data: the largest growing issues in the owner's area,
    the flagged contacts, and the customers at high risk of leaving."""
    month = facts.month
    cur, before = facts.issue_counts(month, owner), facts.issue_counts(facts.prev, owner)
    growing = sorted(((k, n, n - before.get(k, 0)) for k, n in cur.items() if n - before.get(k, 0) > 0),
                     key=lambda x: (-x[2], -x[1], x[0]))[:limit]
    new = facts.emerging(owner, limit=limit)
    new_issues = {e.issue: e for e in new}
    action = ACTIONS.get(key or "", DEFAULT_ACTION)
    out = []
    for issue, n, d in growing:
        b = before.get(issue, 0)
        e = new_issues.get(issue)
        why = f"本月 {n:,} 件，较上月 +{d:,}" + (f"（+{d / b * 100:.0f}%）" if b else "（上月没有）")
        if e:
            why += f"，占比显著上升（G²={e.g2:.1f}，p{'<0.0001' if e.p < 1e-4 else f'={e.p:.4f}'}）"
        out.append({"title": f"优先处理「{issue}」", "why": why, "what": action})
    for e in new:
        if e.issue not in {g[0] for g in growing} and len(out) < limit + 1:
            out.append({"title": f"关注新出现的「{e.issue}」", "why": f"本月 {e.count:,} 件，占比 {e.share * 100:.1f}%，"
                        f"此前 {e.base_share * 100:.1f}%（G²={e.g2:.1f}）", "what": action})
    cur_t = tot[month]
    if cur_t["escalations"]:
        out.append({"title": f"逐一处理 {cur_t['escalations']:,} 件需升级联络",
                    "why": f"其中紧急 {cur_t['urgent']:,} 件（提及监管、媒体、法律或人身安全等）",
                    "what": "按随附的 CSV/XLSX 建单，紧急件当日回访"})
    if cur_t["churn_high"]:
        out.append({"title": f"挽留 {cur_t['churn_high']:,} 位高流失风险客户", "why": "客户明确表达销户、退订、转网或不再使用等意图",
                    "what": "由专人回访，先解决本次问题再谈挽留方案"})
    return out


def _owner_report(facts: Facts, owner: str, max_flagged: int) -> tuple[EscalationReport, list[dict[str, Any]]]:
    st, month, prev, months = facts.store, facts.month, facts.prev, facts.months
    has_prev, dim = facts.has_prev, facts.dim
    key = OWNER_KEYS.get(owner)
    tot = facts.totals(owner, sorted(set(months) | {prev}) if has_prev else months)
    cur, before = tot[month], tot.get(prev)
    kpis = []
    for label, k, bad_up in (("联络量", "contacts", True), ("投诉", "complaints", True), ("需升级", "escalations", True),
                             ("紧急", "urgent", True), ("高流失风险", "churn_high", True)):
        b = before[k] if has_prev and before else None
        kpis.append({"label": label, "value": f"{cur[k]:,}", "change": count_change(cur[k], b),
                     "kind": "rel" if b else "delta", "bad_up": bad_up, "note": None if b is None else f"上月 {b:,}",
                     "significant": significant(cur[k], b)})
    neg = share(cur["negative"], cur["contacts"])
    negp = share(before["negative"], before["contacts"]) if has_prev and before else None
    kpis.append({"label": "负面情绪占比", "value": "—" if neg is None else f"{neg * 100:.1f}%",
                 "change": None if neg is None or negp is None else neg - negp, "kind": "pp", "bad_up": True,
                 "note": None})
    trend_table = Table("趋势", "月度趋势", ["月份", "联络", "投诉", "需升级", "紧急", "高流失风险", "负面占比"],
                        ["text", "int", "int", "int", "int", "int", "pct"],
                        [[m, tot[m]["contacts"], tot[m]["complaints"], tot[m]["escalations"], tot[m]["urgent"], tot[m]["churn_high"],
                          share(tot[m]["negative"], tot[m]["contacts"])] for m in months])
    trend_chart = charts.line_chart(months, [("联络", key or "product", [tot[m]["contacts"] for m in months]),
                                             ("需升级", "negative", [tot[m]["escalations"] for m in months]),
                                             ("高流失风险", "medium", [tot[m]["churn_high"] for m in months])],
                                    f"{owner} 月度联络与升级")
    trend_legend = [("联络", charts.colour(key or "product", 0)), ("需升级", charts.colour("negative", 1)),
                    ("高流失风险", charts.colour("medium", 2))]
    # causes: root cause mix and the evidence behind it
    rc_cur, rc_prev = facts.root_causes(month, owner), facts.root_causes(prev, owner)
    rc_comp = facts.root_causes(month, owner, complaints=True)
    causes = Table("根因", "根因构成", ["根因", "本月联络", "其中投诉", "占比", "上月联络", "变化"],
                   ["text", "int", "int", "pct", "int", "delta"])
    for label, n in sorted(rc_cur.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        b = rc_prev.get(label, 0) if has_prev else None
        causes.rows.append([name_of("root_cause", label), n, rc_comp.get(label, 0), share(n, cur["contacts"]), b,
                            None if b is None else n - b])
    ev_cur, ev_prev = facts.evidence(month, owner), facts.evidence(prev, owner)
    evidence = Table("根因证据", "最常见的根因证据（原文片段）", ["证据", "本月联络", "上月联络", "变化"],
                     ["text", "int", "int", "delta"])
    for term, n in sorted(ev_cur.items(), key=lambda kv: (-kv[1], kv[0]))[:12]:
        b = ev_prev.get(term, 0)
        evidence.rows.append([term, n, b if has_prev else None, n - b if has_prev else None])
    topics = Table("话题", "主要话题", ["话题", "本月联络", "上月联络", "变化", "其中需升级"], ["text", "int", "int", "delta", "int"])
    issues_now = facts.issue_stats(month, owner)
    if dim == "topic":
        tp = facts.issue_counts(prev, owner)
        for topic, (n, esc, _) in sorted(issues_now.items(), key=lambda kv: (-kv[1][0], kv[0]))[:12]:
            b = tp.get(topic, 0)
            topics.rows.append([topic, n, b if has_prev else None, n - b if has_prev else None, esc])
    flagged_all = fetch_contacts(st, facts.cond("month = ? AND owner = ? AND escalate = 1"), (month, owner, *facts.params),
                                 f"{_URGENCY_ORDER}, churn_risk DESC, ts, id")
    shown = [verbatim(r, width=300) for r in flagged_all[:max_flagged]]
    # representative verbatims of the top issues, evidence highlighted
    examples = []
    for issue, (n, _, _) in sorted(issues_now.items(), key=lambda kv: (-kv[1][0], kv[0]))[:3]:
        rows = fetch_contacts(st, facts.cond(f"month = ? AND owner = ? AND {issue_condition(dim)}"),
                              (month, owner, issue, *facts.params), "root_cause_score DESC, churn_risk DESC, id", 2)
        examples.append({"issue": issue, "count": n, "verbatims": [verbatim(r) for r in rows]})
    actions = _actions(facts, owner, key, tot)
    flagged_table = Table("需升级联络", "需升级联络", list(FLAGGED_HEADERS), FLAGGED_KINDS,
                          [[_flagged_row(r, month)[f] for f in FLAGGED_FIELDS] for r in flagged_all])
    context = {"owner": owner, "key": key, "month": month, "months": months, "prev_month": prev, "has_prev": has_prev,
               "kpis": kpis, "trend_chart": trend_chart, "trend_legend": trend_legend, "actions": actions,
               "flagged": shown, "flagged_total": len(flagged_all), "examples": examples, "issue_dim": dim,
               "root_cause_name": ROOT_CAUSE_NAMES.get(key or "", ""), "voc_version": __version__,
               "timezone": st.timezone, "store_name": Path(st.path).name, "max_flagged": max_flagged,
               "filter_label": facts.filter_label, "type_names": CONTACT_TYPE_NAMES, "untyped": cur["untyped"],
               "untyped_complaints": cur["untyped_complaints"]}
    tables = [trend_table, causes, evidence, topics, flagged_table]
    return EscalationReport(owner, key, month, context, tables, flagged_all), flagged_all


def escalation(store: Store | str | Path, month: str | None, out_dir: str | Path, *, trend_months: int = WINDOW,
               max_flagged: int = 200, contact_types: str | Sequence[str] | None = None) -> EscalationFiles:
    """Write one escalation report per owner for ``month`` into ``out_dir``
    (``escalation-<month>-<owner>.html``) and the flagged contacts of all owners as
    ``flagged-<month>.csv`` and ``flagged-<month>.xlsx`` (``month`` None: the latest month with contacts). ``max_flagged`` caps the contacts
    listed on each page (the CSV/XLSX hold all). ``contact_types``: only contacts of these
    types (``"complaint,inquiry"`` or a list), on the pages and in the CSV/XLSX."""
    from .render import write_text
    from .xlsx import cell, write_workbook

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create {out} ({e.strerror}); choose a writable folder with -o.") from None
    st, opened = open_store(store)
    try:
        month = report_month(st, month)
        facts = Facts(st, month, trend_months, contact_types=contact_types)
        no_date = undated(st, facts.where, facts.params)
        owners = OWNER_ORDER + sorted((o for o in facts.owners() if o is not None and o not in OWNER_ORDER),
                                      key=lambda o: (-facts.totals(o, [month])[month]["contacts"], o))
        reports, flagged = [], []
        for owner in owners:
            rep, rows = _owner_report(facts, owner, max_flagged)
            rep.context["undated"] = no_date
            rep.path = write_text(out / f"escalation-{month}-{owner_slug(owner)}.html", rep.to_html())
            reports.append(rep)
            flagged += [_flagged_row(r, month) for r in rows]
    finally:
        if opened:
            st.close()
    csv_path = out / f"flagged-{month}.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(FLAGGED_FIELDS)
    for r in flagged:
        w.writerow([cell(r[f]) if r[f] is not None else "" for f in FLAGGED_FIELDS])
    tmp = csv_path.with_name(f".{csv_path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(buf.getvalue(), encoding="utf-8-sig", newline="")  # BOM: Excel opens it as UTF-8
        os.replace(tmp, csv_path)
    except OSError as e:
        raise OutputError(f"cannot write {csv_path} ({e.strerror}); choose a writable folder with -o.") from None
    sheets = [Table("全部", "全部需升级联络", list(FLAGGED_FIELDS), FLAGGED_KINDS,
                    [[r[f] for f in FLAGGED_FIELDS] for r in flagged])]
    for rep in reports:
        sheets.append(Table(rep.owner, rep.owner, list(FLAGGED_FIELDS), sheets[0].kinds,
                            [[r[f] for f in FLAGGED_FIELDS] for r in flagged if r["owner"] == rep.owner]))
    xlsx_path = write_workbook(out / f"flagged-{month}.xlsx", sheets)
    return EscalationFiles(month, reports, csv_path, xlsx_path)
