"""Two sections of the monthly report: first-contact resolution and repeat contacts
(``voc.journey``), and next month's expected volume per root cause (``voc.forecast``). Each
returns its template context and its tables; neither fails the report: with too little
history, or without the forecast extra, the section says so."""
from __future__ import annotations

import calendar
import logging
from datetime import datetime
from typing import Any

from ..errors import VocError
from ..store import Store, shift_month
from .common import Table, display_time, excerpt, name_of, share

log = logging.getLogger(__name__)

FCR_DIMS = (("channel", "渠道"), ("root_cause", "根因"), ("owner", "负责方"), ("tier", "客户等级"))
RISE = 0.10  # a cause "rises" when its expected daily volume is at least 10 % above this month's
# months of the FCR trend: the report month and the two before it (on 12 x 100,000 contacts the
# full 12-month window costs 22 s of CPU against 5 s; `voc journey` covers the whole store)
FCR_MONTHS = 3


def month_start(store: Store, month: str) -> int:
    y, m = map(int, month.split("-"))
    return int(datetime(y, m, 1, tzinfo=store.tz).timestamp())


def month_days(month: str) -> int:
    y, m = map(int, month.split("-"))
    return calendar.monthrange(y, m)[1]


def _rate(d: dict[str, int]) -> float | None:
    return share(d["fcr"], d["fcr"] + d["not_fcr"])


def journey_section(st: Store, month: str, months: list[str], where: str = "", params: tuple = (),
                    window: str = "7d", examples: int = 3) -> tuple[dict[str, Any], list[Table]]:
    """FCR and repeat rate by month, and by channel, root cause, owner and tier this month; the
    issues of this month that took the most contacts, with their redacted texts."""
    from ..journey import analyse, window_seconds

    w = window_seconds(window)
    months = months[-FCR_MONTHS:]
    since = month_start(st, months[0]) - w
    until = month_start(st, shift_month(month, 1)) + w
    stats = analyse(st, window, since=since, until=until, where=where, params=params, top=examples,
                    longest_month=month)
    by_month = {r["month"]: r for r in stats.table("month")}
    trend = Table("首次解决-趋势", "首次解决率与重复联络（按月）",
                  ["月份", "联络", "重复联络", "重复率", "结果已知", "首次解决率", "结果不明", "尚在观察期"],
                  ["text", "int", "int", "pct", "int", "pct", "int", "int"],
                  note=f"重复联络：同一客户 {w // 86400} 天内就同一问题再次联络（同一根因〔其他除外〕、同一话题、文本相似或明确提到上次）。"
                       "首次解决：首次联络的 resolved 为 yes 且窗口内没有重复联络；resolved 为 unclear 或未标注、且没有重复联络的"
                       "不计入分母（“结果不明”）；窗口尚未结束的首次联络列为“尚在观察期”。")
    for m in months:
        d = by_month.get(m)
        if d is None:
            trend.rows.append([m, 0, 0, None, 0, None, 0, 0])
            continue
        trend.rows.append([m, d["contacts"], d["repeats"], d["repeat_rate"], d["fcr"] + d["not_fcr"], d["fcr_rate"],
                           d["unclear"] + d["untagged"], d["open"]])
    split = Table("首次解决-分项", f"{month} 首次解决率与重复率（按渠道、根因、负责方、客户等级）",
                  ["维度", "取值", "联络", "重复率", "结果已知", "首次解决率"], ["text", "text", "int", "pct", "int", "pct"],
                  note="首次解决率按首次联络的渠道、根因、负责方、客户等级计；重复率按联络本身计。")
    for dim, title in FCR_DIMS:
        for r in stats.table(dim, month):
            split.rows.append([title, name_of(dim, r[dim]), r["contacts"], r["repeat_rate"], r["fcr"] + r["not_fcr"],
                               r["fcr_rate"]])
    cur = by_month.get(month) or {"contacts": 0, "repeats": 0, "fcr": 0, "not_fcr": 0, "unclear": 0, "untagged": 0,
                                  "open": 0, "first": 0}
    items = []
    for n, span, customer, ids in stats.longest:
        rows = st.query(f"SELECT id, created_at, channel, root_cause, resolved, text FROM contacts WHERE id IN "
                        f"({', '.join('?' * len(ids))}) ORDER BY ts, id", ids)
        items.append({"customer": customer, "contacts": n, "days": round(span / 86400, 1),
                      "steps": [{"id": i, "when": display_time(c, st.tz), "channel": name_of("channel", ch),
                                 "root_cause": name_of("root_cause", rc), "resolved": r or "—",
                                 "excerpt": excerpt(t, (), 100)} for i, c, ch, rc, r, t in rows]})
    context = {"window_days": w // 86400, "months": len(months), "fcr_rate": _rate(cur), "known": cur["fcr"] + cur["not_fcr"],
               "repeat_rate": share(cur["repeats"], cur["contacts"]), "repeats": cur["repeats"],
               "unclear": cur.get("unclear", 0) + cur.get("untagged", 0), "open": cur.get("open", 0),
               "per_resolution": stats.contacts_per_resolution, "switches": stats.switches,
               "all_repeats": stats.repeats, "switch_share": share(stats.switches, stats.repeats), "examples": items}
    return context, [trend, split]


def forecast_section(st: Store, month: str, where: str = "", params: tuple = ()) -> tuple[dict[str, Any], list[Table]]:
    """Next month's expected contacts per root cause with the 80 % band, from the history up
    to the end of ``month``; the causes whose expected daily volume rises."""
    nxt = shift_month(month, 1)
    table = Table("下月预测", f"{nxt} 预计联络量（按根因，80% 区间）",
                  ["根因", "本月联络", "下月预计", "区间下限", "区间上限", "日均变化", "上升"],
                  ["text", "int", "int", "int", "int", "rel", "text"])
    context: dict[str, Any] = {"next_month": nxt, "message": "", "rising": [], "total": None}
    try:
        from ..forecast import forecast_store
        from ..forecast.model import MIN_DAYS

        until = month_start(st, nxt)
        horizon = month_days(nxt)
        out = forecast_store(st, "root_cause", horizon, until=until, where=where, params=params)
        total = forecast_store(st, None, horizon, until=until, where=where, params=params)
    except VocError as e:  # the forecast extra is not installed, or the history is unusable
        context["message"] = f"无法预测：{e}"
        return context, [table]
    if not out.forecasts:
        days = len(out.history)
        context["message"] = (f"结果库中 {month} 及以前只有 {days} 天的历史，少于预测所需的 {MIN_DAYS} 天（八周），"
                              "暂不预测下月联络量。" if days < MIN_DAYS else "各根因近四周的联络太少，暂不预测。")
        return context, [table]
    cur_days = month_days(month)
    for name, f in sorted(out.forecasts.items(), key=lambda kv: -kv[1].total()[0]):
        actual = float(sum(out.actual[name][-cur_days:]))
        mid, lo, hi = f.total()
        change = (mid / horizon) / (actual / cur_days) - 1 if actual else None
        rising = change is not None and change >= RISE and lo / horizon > actual / cur_days
        label = name_of("root_cause", name)
        table.rows.append([label, actual, mid, lo, hi, change, "↑" if rising else ""])
        if rising:
            context["rising"].append({"cause": label, "change": change, "expected": mid})
    if "all" in total.forecasts:
        mid, lo, hi = total.forecasts["all"].total()
        context["total"] = {"expected": mid, "lo": lo, "hi": hi,
                            "actual": float(sum(total.actual["all"][-cur_days:]))}
    context["skipped"] = [f"{name_of('root_cause', k)}（{v}）" for k, v in out.skipped.items()]
    table.note = (f"模型：对数日联络量的回归（星期、法定节假日与调休、春节、长假前后）加 ARIMA(1,1,1) 误差（statsmodels）；"
                  f"节假日来自 holidays 包。上升：下月日均预计比本月日均高 {RISE:.0%} 以上，且区间下限也高于本月日均。")
    return context, [table]
