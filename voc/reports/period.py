"""Which months a report covers, and the contacts that belong to none.

* ``report_month(store, month)``: the month asked for, else the latest month that holds
  contacts; a store without any dated contact is one sentence that says how to fix it.
* ``undated(store)``: contacts without a readable ``created_at`` (no month): every report
  counts and names them.
* ``range_report(store, since, until)``: a report over several months. It is built from the
  range's own figures only — totals, per-month tables and trends over the range — and makes no
  comparison with an earlier period (docs/reports.md says why).
* ``write_report(...)``: what ``voc report monthly`` calls (one month or a range).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from .._version import __version__
from ..errors import InputError
from ..store import Store, check_month, month_range
from . import charts
from .common import ALL, CHANNEL_NAMES, TOTAL_KEYS, Facts, Table, counts_by, issue_counts, name_of, share
from .monthly import CONTACT_COLUMNS, CONTACT_FIELDS, DIM_TITLES, Report, open_store, write_monthly
from .types import and_

ROWS = 15  # values listed per table (the rest summed in one row)
SERIES = 6  # lines per trend chart


def latest_month(store: Store) -> str:
    """The latest month that holds contacts (InputError, saying how to fix it, when none does)."""
    months = store.months()
    if months:
        return months[-1]
    n = store.count()
    if n:
        raise InputError(f"none of the {n:,} contacts in {store.path} has a readable created_at, so no month can be "
                         f"reported; tag them again with --time-col naming the time column (e.g. --time-col 创建时间) "
                         f"and add the output to the store.")
    raise InputError(f"{store.path} holds no contacts; add tagged contacts with voc tag --store or voc store add.")


def report_month(store: Store, month: str | None) -> str:
    """``month`` checked, or the latest month with contacts when it is None."""
    return check_month(month) if month else latest_month(store)


def undated(store: Store, where: str = "", params: Sequence[Any] = ()) -> int:
    """Contacts without a readable created_at (in no month), within the contact-type filter."""
    return store.query(f"SELECT COUNT(*) FROM contacts WHERE {and_('month IS NULL', where)}", params)[0][0]


def span(store: Store, since: str | None, until: str | None) -> list[str]:
    """The months from ``since`` to ``until`` (defaults: the store's first and latest months)."""
    stored = store.months()
    if not stored:
        latest_month(store)  # raises: no dated contact
    since, until = check_month(since or stored[0]), check_month(until or stored[-1])
    if since > until:
        raise InputError(f"--since {since} is after --until {until}; give the earlier month first.")
    if not any(since <= m <= until for m in stored):
        raise InputError(f"the store has no contacts from {since} to {until} (months stored: {stored[0]} to "
                         f"{stored[-1]}); choose a range that holds contacts.")
    return month_range(since, until)


@dataclass
class RangeReport(Report):
    """A report over ``months`` (``month`` is ``since–until``): ``to_html``, ``to_xlsx``."""

    def to_html(self) -> str:
        from .render import render

        return render("range.html", report=self, t={t.sheet: t for t in self.tables}, **self.context)

    def contacts(self) -> Iterator[tuple]:
        """The range's stored contacts as rows of ``CONTACT_FIELDS`` (for the XLSX)."""
        sql = (f"SELECT {', '.join(CONTACT_COLUMNS.values())} FROM contacts "
               f"WHERE {and_('month BETWEEN ? AND ?', self.where)} ORDER BY ts, id")
        params = (self.months[0], self.months[-1], *self.params)
        with Store(self.store_path, readonly=True) as st:
            yield from st.iter_query(sql, params)

    def to_xlsx(self, path: str | Path, contacts: bool = True) -> Path:
        from .xlsx import write_workbook

        return write_workbook(path, self.tables, (CONTACT_FIELDS, self.contacts()) if contacts else None)


def _by(dim: str, title: str, counts: dict[str, dict[Any, int]], months: list[str], n: int) -> dict[str, Any]:
    """The range total, its share and the count of each month, for each value of one column."""
    if dim == "channel":  # exports spell channels differently (phone, 电话): counted as one
        counts = {m: _sum_by(d, lambda k: None if k in (None, "") else name_of("channel", k)) for m, d in counts.items()}
    total = _sum_by({(m, k): v for m, d in counts.items() for k, v in d.items()}, lambda mk: mk[1])
    order = sorted(total, key=lambda v: (-total[v], v is None, str(v)))
    table = Table(title[:31], f"按{title}", [title, "区间合计", "占比", *months], ["text", "int", "pct", *["int"] * len(months)])
    for v in order[:ROWS]:
        table.rows.append([name_of(dim, v), total[v], share(total[v], n), *[counts[m].get(v, 0) for m in months]])
    if len(order) > ROWS:
        rest = order[ROWS:]
        a = sum(total[v] for v in rest)
        table.rows.append([f"其余 {len(rest)} 项", a, share(a, n), *[sum(counts[m].get(v, 0) for v in rest) for m in months]])
    series = [(name_of(dim, v), v if dim == "root_cause" else None, [counts[m].get(v, 0) for m in months])
              for v in order if v is not None][:SERIES]
    chart = charts.line_chart(months, series, f"按{title}的月度联络量") if series and len(months) > 1 else ""
    return {"title": title, "table": table, "chart": chart,
            "legend": [(s[0], charts.colour(s[1], i)) for i, s in enumerate(series)]}


def _sum_by(d: dict, key) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for k, v in d.items():
        out[key(k)] = out.get(key(k), 0) + v
    return out


def range_report(store: Store | str | Path, since: str | None = None, until: str | None = None, *,
                 contact_types: str | Sequence[str] | None = None) -> RangeReport:
    """The report over the months from ``since`` to ``until`` (``YYYY-MM``; defaults: the
    store's first and latest months): totals of the range, per-month tables and trends; no
    comparison with an earlier period."""
    st, opened = open_store(store)
    try:
        months = span(st, since, until)
        last = max(m for m in st.months() if months[0] <= m <= months[-1])
        facts = Facts(st, last, len(month_range(months[0], last)), contact_types=contact_types)
        where, params = facts.where, facts.params
        per_month = facts.totals(ALL, months)
        tot = {k: sum(per_month[m][k] for m in months) for k in TOTAL_KEYS}
        n = tot["contacts"]
        kpis = [("联络量", f"{n:,}", None), ("投诉占比", _pct(tot["complaints"], n), f"{tot['complaints']:,} 件"),
                ("负面情绪占比", _pct(tot["negative"], n), f"{tot['negative']:,} 件"),
                ("高流失风险", f"{tot['churn_high']:,}", f"占 {_pct(tot['churn_high'], n)}"),
                ("需升级", f"{tot['escalations']:,}", f"其中紧急 {tot['urgent']:,} 件")]
        trend = Table("月度趋势", "各月与区间合计", ["月份", "联络", "投诉", "投诉占比", "负面占比", "高流失风险", "需升级", "紧急"],
                      ["text", "int", "int", "pct", "pct", "int", "int", "int"])
        for label, t in [*((m, per_month[m]) for m in months), ("区间合计", tot)]:
            trend.rows.append([label, t["contacts"], t["complaints"], share(t["complaints"], t["contacts"]),
                               share(t["negative"], t["contacts"]), t["churn_high"], t["escalations"], t["urgent"]])
        dims = [_by(d, DIM_TITLES[d], counts_by(st, d, months, where, params), months, n)
                for d in ("contact_type", "root_cause", "owner", "channel")]
        idim = "topic" if facts.dim == "topic" else "evidence"
        dims.append(_by(idim, DIM_TITLES[idim], issue_counts(st, facts.dim, months, where, params), months, n))
        context = {"since": months[0], "until": months[-1], "months": months, "kpis": kpis, "dims": dims,
                   "undated": undated(st, where, params), "store_name": Path(st.path).name, "timezone": st.timezone,
                   "voc_version": __version__, "filter_label": facts.filter_label, "channel_names": CHANNEL_NAMES}
        report = RangeReport(f"{months[0]}–{months[-1]}", months, st.timezone, context,
                             [trend, *(d["table"] for d in dims)], st.path, None, where, params)
    finally:
        if opened:
            st.close()
    return report


def _pct(a: int, n: int) -> str:
    return f"{a / n * 100:.1f}%" if n else "—"


def write_report(store: Store | str | Path, output: str | Path, *, month: str | None = None, since: str | None = None,
                 until: str | None = None, xlsx: str | Path | None = None,
                 contact_types: str | Sequence[str] | None = None) -> tuple[str, list[Path]]:
    """``voc report monthly``: the report of ``month`` (default: the latest month with contacts),
    or over ``since``..``until`` when either is given. Returns (the period covered, paths written)."""
    if month and (since or until):
        raise InputError("give either --month or --since/--until, not both.")
    for m in (month, since, until):
        if m:
            check_month(m)  # before the topics are fitted (seconds on a large store)
    from .topics import use_store_topics

    use_store_topics(store)  # before the store is opened for reading (a path only)
    st, opened = open_store(store)
    try:
        if since or until:
            report = range_report(st, since, until, contact_types=contact_types)
            paths = [report.write_html(output)] + ([report.to_xlsx(xlsx)] if xlsx else [])
            return report.month, paths
        month = report_month(st, month)
        return month, write_monthly(st, month, output, xlsx=xlsx, contact_types=contact_types)
    finally:
        if opened:
            st.close()
