"""The QA report (质检报告) of one month from the store: scorecards by agent and team with the
trend against earlier months and the worst items, examples a coach can use (redacted), the
agents' open commitments, and the bot / self-service figures (containment, hand-off to a person
and the bot failures before it, resolved rate, return within N days, rating when the input had
one). ``qa_report(store, month=None) -> QaReport`` (None: the latest month with QA-tagged contacts; ``to_html``, ``write_html``, ``to_xlsx``).

Only contacts tagged with ``voc tag --qa`` count (the store's ``handoff`` column is set).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..qa.scorecard import Scorecard, aggregate, hits_of, total
from ..errors import InputError
from ..store import Store, check_month
from .common import Table, count_change, display_time, excerpt, highlight, share, window
from .monthly import open_store
from .period import latest_month

QA_WHERE = "handoff IS NOT NULL"
RATING_KEYS = ("rating", "评分", "满意度", "满意度评分", "评价分", "score", "星级")
SIGNAL_NAMES = {"rephrased": "客户换说法重复提问", "bot_fallback": "机器人表示没听懂"}
KIND_NAMES = {"callback": "回电/联系", "deadline": "限时处理", "application": "申请/提交", "follow_up": "跟进"}
SEVERITY_NAMES = {"critical": "致命", "major": "严重", "minor": "一般", "info": "提示"}
NO_AGENT = "（未标坐席）"
NO_TEAM = "（未标班组）"
# whose words a hit's span is (a hit of an older store has no speaker: the agent's, as before)
SPEAKER_NAMES = {"agent": "坐席", "customer": "客户", "bot": "机器人", "system": "系统"}


@dataclass
class QaReport:
    month: str
    context: dict[str, Any]
    tables: list[Table]
    store_path: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_html(self) -> str:
        from .render import render

        return render("qa.html", t={t.sheet: t for t in self.tables}, voc_version=__version__, month=self.month,
                      **self.context)

    def write_html(self, path: str | Path) -> Path:
        from .render import write_text

        return write_text(path, self.to_html())

    def to_xlsx(self, path: str | Path) -> Path:
        from .xlsx import write_workbook

        return write_workbook(path, self.tables)


def _delta(cur: float | None, prev: float | None) -> float | None:
    return None if cur is None or prev is None else round(cur - prev, 1)


def _cards(store: Store, dim: str, months: list[str]) -> dict[str, dict[Any, Scorecard]]:
    marks = ",".join("?" * len(months))
    missing = NO_TEAM if dim == "team" else NO_AGENT
    rows = store.query(f"SELECT month, COALESCE({dim}, ?), qa_score, agent_conduct, qa_hits FROM contacts "
                       f"WHERE month IN ({marks}) AND {QA_WHERE}", (missing, *months))
    out: dict[str, list] = {m: [] for m in months}
    for m, key, score, conduct, hits in rows:
        out[m].append((key, score, conduct, hits))
    return {m: aggregate(r) for m, r in out.items()}


def _card_table(sheet: str, title: str, label: str, cards: dict[Any, Scorecard], prev: dict[Any, Scorecard],
                teams: dict[Any, Any] | None = None) -> Table:
    cols = [label] + (["班组"] if teams is not None else []) + ["联络数", "平均分", "较上月", "服务问题占比", "最常见扣分项"]
    kinds = ["text"] + (["text"] if teams is not None else []) + ["int", "float", "float", "pct", "text"]
    rows = []
    for key, c in sorted(cards.items(), key=lambda kv: (kv[1].mean_score if kv[1].mean_score is not None else 101,
                                                        str(kv[0]))):
        p = prev.get(key)
        worst = "、".join(f"{i}（{n}）" for i, n in c.worst_items(3)) or "—"
        rows.append([key] + ([teams.get(key) or "—"] if teams is not None else [])
                    + [c.contacts, c.mean_score, _delta(c.mean_score, p.mean_score if p else None), c.problem_share,
                       worst])
    return Table(sheet, title, cols, kinds, rows, "按平均分从低到高排列；平均分 = 100 减去各扣分项（致命项记 0 分）。")


def _examples(store: Store, month: str, items: list[str], per_item: int = 3) -> list[dict[str, Any]]:
    """For each of the worst items, contacts a coach can use: the agent's words (the hit span) and
    the customer's (redacted) text around it."""
    if not items:
        return []
    rows = store.query(f"SELECT id, created_at, channel, text, agent_id, qa_hits, qa_score FROM contacts "
                       f"WHERE month = ? AND {QA_WHERE} AND qa_hits != '[]' ORDER BY qa_score, ts, id", (month,))
    out = {i: [] for i in items}
    for id_, created_at, channel, text, agent, hits, score in rows:
        for h in hits_of(hits):
            item = h.get("item") or h.get("rule")
            if item in out and len(out[item]) < per_item and not any(e["id"] == id_ for e in out[item]):
                span = h.get("span") or ""
                out[item].append({"id": id_, "when": display_time(created_at, store.tz), "channel": channel,
                                  "agent": agent or NO_AGENT, "rule": h.get("rule"), "span": span,
                                  "who": SPEAKER_NAMES.get(h.get("speaker"), "坐席"),
                                  "missing": h.get("type") == "must_have", "score": score,
                                  "customer": highlight(excerpt(text, (), 120), ())})
    return [{"item": i, "examples": out[i]} for i in items if out[i]]


def _bot(store: Store, month: str, return_days: int) -> tuple[dict[str, Any], Table]:
    bot = f"month = ? AND {QA_WHERE} AND json_extract(extra, '$.bot') = 1"
    n, handed, contained, resolved = store.query(
        "SELECT COUNT(*), SUM(handoff != 'none'), SUM(handoff = 'none' AND resolved = 'yes'), SUM(resolved = 'yes') "
        f"FROM contacts WHERE {bot}", (month,))[0]
    signals: dict[str, int] = {}
    for (raw,) in store.query(f"SELECT json_extract(extra, '$.handoff_signals') FROM contacts WHERE {bot} "
                              "AND handoff != 'none'", (month,)):
        for s in json.loads(raw or "[]"):
            signals[s] = signals.get(s, 0) + 1
    returned, with_customer = store.query(
        "SELECT SUM(EXISTS (SELECT 1 FROM contacts b WHERE b.customer_id = a.customer_id AND b.id != a.id "
        "AND b.ts > a.ts AND b.ts <= a.ts + ?)), COUNT(*) FROM contacts a "
        "WHERE a.month = ? AND a.handoff IS NOT NULL AND json_extract(a.extra, '$.bot') = 1 "
        "AND a.customer_id IS NOT NULL AND a.ts IS NOT NULL",
        (return_days * 86400, month))[0]
    ratings = []
    for (meta,) in store.query(f"SELECT json_extract(extra, '$.metadata') FROM contacts WHERE {bot}", (month,)):
        m = json.loads(meta or "{}")
        for k in RATING_KEYS:
            try:
                ratings.append(float(m[k]))
                break
            except (KeyError, TypeError, ValueError):
                continue
    n = n or 0
    facts = {"bot_contacts": n, "containment": share(contained or 0, n), "handoff_rate": share(handed or 0, n),
             "resolved_rate": share(resolved or 0, n), "return_rate": share(returned or 0, with_customer or 0),
             "return_days": return_days, "rating": round(sum(ratings) / len(ratings), 2) if ratings else None,
             "rated": len(ratings), "handed": handed or 0}
    rows = [[SIGNAL_NAMES.get(s, s), c, share(c, handed or 0)] for s, c in
            sorted(signals.items(), key=lambda kv: (-kv[1], kv[0]))]
    return facts, Table("转人工前的机器人失败", "转人工前的机器人失败信号", ["信号", "联络数", "占转人工联络"],
                        ["text", "int", "pct"], rows, "一次联络可有多个信号。")


def qa_month(store: Store, month: str | None) -> str:
    """``month`` checked, or the latest month holding contacts tagged with ``--qa`` when it is None."""
    if month:
        return check_month(month)
    row = store.query(f"SELECT MAX(month) FROM contacts WHERE {QA_WHERE}")
    if row and row[0][0]:
        return row[0][0]
    if store.query(f"SELECT COUNT(*) FROM contacts WHERE {QA_WHERE}")[0][0]:
        return latest_month(store)  # QA contacts, none dated: its sentence says how to fix that
    raise InputError(f"{store.path} holds no contacts tagged with --qa; tag them with voc tag --qa --store "
                     f"{store.path} first.")


def qa_report(store: Store | str | Path, month: str | None = None, trend_months: int = 6,
              return_days: int = 7) -> QaReport:
    """The QA report of ``month`` (None: the latest month with QA-tagged contacts)."""
    st, opened = open_store(store)
    try:
        month = qa_month(st, month)
        months = window(st, month, trend_months)
        prev_month = months[-2] if len(months) > 1 else None
        agents = _cards(st, "agent_id", months)
        teams = _cards(st, "team", months)
        cur, prev = agents[month], agents[prev_month] if prev_month else {}
        team_of = dict(st.query(f"SELECT COALESCE(agent_id, ?), MAX(team) FROM contacts WHERE month = ? AND {QA_WHERE} "
                                "GROUP BY 1", (NO_AGENT, month)))
        t_all, t_prev = total(cur), total(prev) if prev else None
        trend = Table("趋势", "月度质检趋势", ["月份", "质检联络数", "平均分", "服务问题占比"], ["text", "int", "float", "pct"],
                      [[m, total(agents[m]).contacts, total(agents[m]).mean_score, total(agents[m]).problem_share]
                       for m in months])
        prev_items = t_prev.items if t_prev else {}
        worst = t_all.worst_items(8)
        items = Table("扣分项", "扣分项（本月命中最多的）", ["扣分项", "严重程度", "联络数", "占比", "较上月（件）"],
                      ["text", "text", "int", "pct", "delta"],
                      [[i, SEVERITY_NAMES.get(t_all.severities.get(i), "—"), c, share(c, t_all.contacts),
                        count_change(c, prev_items.get(i, 0) if t_prev else None)] for i, c in worst])
        commitments = []
        for id_, agent, raw in st.query(f"SELECT id, agent_id, commitments FROM contacts WHERE month = ? AND {QA_WHERE} "
                                        "AND commitments != '[]' ORDER BY ts, id", (month,)):
            for c in json.loads(raw or "[]"):
                commitments.append([id_, agent or NO_AGENT, KIND_NAMES.get(c.get("kind"), c.get("kind")),
                                    c.get("text") or "", c.get("due") or "未说明时间"])
        commit_table = Table("承诺跟进", "坐席承诺（待跟进）", ["联络ID", "坐席", "类型", "承诺（已脱敏）", "承诺时间"],
                             ["text"] * 5, commitments, "承诺时间“未说明时间”的，请督促坐席给出明确时限。")
        bot_facts, signals = _bot(st, month, return_days)
        tables = [_card_table("坐席", "坐席评分卡", "坐席", cur, prev, team_of),
                  _card_table("班组", "班组评分卡", "班组", teams[month], teams[prev_month] if prev_month else {}),
                  trend, items, commit_table, signals]
        context = {
            "store_name": Path(st.path).name, "timezone": st.setting("timezone") or "", "months": months,
            "contacts": t_all.contacts, "mean_score": t_all.mean_score,
            "score_change": _delta(t_all.mean_score, t_prev.mean_score if t_prev else None),
            "problem_share": t_all.problem_share, "agents": len([k for k in cur if k != NO_AGENT]),
            "examples": _examples(st, month, [i for i, _ in worst[:4]]), "bot": bot_facts,
            "commitments_total": len(commitments),
            "undated_commitments": sum(1 for c in commitments if c[4] == "未说明时间"),
        }
        return QaReport(month, context, tables, st.path)
    finally:
        if opened:
            st.close()


def write_qa(store: Store | str | Path, month: str | None, output: str | Path, xlsx: str | Path | None = None,
             return_days: int = 7) -> QaReport:
    """Build the QA report of ``month`` (None: the latest with QA contacts) and write it to ``output`` (HTML) and ``xlsx`` if given."""
    report = qa_report(store, month, return_days=return_days)
    report.write_html(output)
    if xlsx:
        report.to_xlsx(xlsx)
    return report
