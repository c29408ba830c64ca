"""Contact-volume forecasts from the results store, their backtest, and the staffing they imply
(docs/forecast.md).

    from voc.forecast import forecast, staffing
    fc = forecast("voc.db", by="root_cause", horizon="30d")   # daily, with 80 % intervals
    fc.rows("week"), fc.write("out.csv")
    staffing("voc.db", horizon="7d", aht="300s")                # agents per day and hour, Erlang C

Needs the ``forecast`` extra (statsmodels, holidays): ``pip install 'voc-cx[forecast]'``.
"""
from __future__ import annotations

import csv
import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import ConfigError, InputError, OutputError
from ..store import Store, parse_duration
from .calendar import need
from .model import MIN_DAYS, DailyModel, Forecast
from .series import BY, check_by, daily, hourly_profile
from .staffing import agents_needed, handle_time, parse_seconds, with_shrinkage

__all__ = ["BY", "MIN_DAYS", "DailyModel", "Forecast", "Outlook", "agents_needed", "forecast", "forecast_store",
           "staffing", "write_rows"]
log = logging.getLogger(__name__)
FREQS = ("day", "week", "month")


@contextmanager
def single_threaded():
    """One BLAS thread while fitting: the small matrices gain nothing from more, and on a busy
    machine the threads only fight (threadpoolctl comes with scikit-learn)."""
    need("statsmodels.tsa.statespace.sarimax")  # load its BLAS first: threadpoolctl limits loaded libraries only
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        yield
        return
    with threadpool_limits(1):
        yield


def _open(store: Store | str | Path) -> tuple[Store, bool]:
    if isinstance(store, Store):
        return store, False
    return Store(store, readonly=True), True


MAX_HORIZON_DAYS = 732  # two years: past that a daily forecast of contact volume says nothing (and runs for ever)


def horizon_days(horizon: str | int | timedelta) -> int:
    days = max(1, round(parse_duration(horizon).total_seconds() / 86400))
    if days > MAX_HORIZON_DAYS:
        raise ConfigError(f"a horizon of {days:,} days is too far; forecast at most {MAX_HORIZON_DAYS} days (e.g. 90d).")
    return days


@dataclass
class Outlook:
    """Forecasts of every series of one store (``forecast``)."""

    by: str | None
    history: list[date]
    actual: dict[Any, Any]               # series -> daily counts of the history
    forecasts: dict[Any, Forecast] = field(default_factory=dict)
    skipped: dict[Any, str] = field(default_factory=dict)  # series -> why no forecast

    def periods(self, freq: str) -> list[tuple[str, date, date]]:
        """(label, start, end) of the forecast days by day, ISO week or month."""
        days = next(iter(self.forecasts.values())).days if self.forecasts else []
        out: dict[str, list[date]] = {}
        for d in days:
            label = (d.isoformat() if freq == "day" else f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}"
                     if freq == "week" else f"{d.year:04d}-{d.month:02d}")
            out.setdefault(label, []).append(d)
        return [(k, v[0], v[-1] + timedelta(days=1)) for k, v in out.items()]

    def rows(self, freq: str = "day") -> list[dict[str, Any]]:
        """One row per series and period: expected contacts (median) and the interval."""
        if freq not in FREQS:
            raise InputError(f"unknown period {freq!r}; give one of: {', '.join(FREQS)}.")
        rows = []
        for name, f in self.forecasts.items():
            for label, start, end in self.periods(freq):
                mid, lo, hi = f.total(start, end)
                if freq == "day":
                    i = f.days.index(start)
                    mid, lo, hi = float(f.mean[i]), float(f.lo[i]), float(f.hi[i])
                rows.append({"series": name if self.by else "all", "by": self.by or "all", "period": label,
                             "days": (end - start).days, "expected": round(mid, 1), "lo": round(lo, 1),
                             "hi": round(hi, 1), "level": f.level})
        return rows

    def write(self, path: str | Path, freq: str = "day") -> Path:
        return write_rows(self.rows(freq), path)


def csv_text(rows: list[dict[str, Any]], newline: str = "\r\n") -> str:
    """The rows as CSV text: every string redacted, and text a spreadsheet would run as a
    formula (a channel or root cause value starting with = + - @) escaped (``escape_cell``)."""
    import io

    from ..io.writers import escape_cell
    from ..text.redact import Redactor

    rows = Redactor().scrub(rows)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(list(rows[0]) if rows else ["series"])
    w.writerows([[escape_cell(v) for v in r.values()] for r in rows])
    return buf.getvalue()


def write_rows(rows: list[dict[str, Any]], path: str | Path) -> Path:
    """CSV (UTF-8 with BOM, for Excel; ``csv_text``) or JSON by the suffix; every string redacted."""
    from ..text.redact import Redactor

    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        if p.suffix.lower() == ".json":
            p.write_text(json.dumps(Redactor().scrub(rows), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        else:
            with open(p, "w", encoding="utf-8-sig", newline="") as f:
                f.write(csv_text(rows))
    except OSError as e:
        raise OutputError(f"cannot write {p} ({e.strerror}); choose a writable output path.") from None
    return p


def forecast_store(st: Store, by: str | None = None, horizon: str | int = "30d", level: float = 0.8,
                   until: int | None = None, top: int = 12, where: str = "", params: Sequence[Any] = (),
                   min_days: int = MIN_DAYS) -> Outlook:
    """Forecast the ``horizon`` days after the store's history (or after ``until``, Unix
    seconds: only contacts before it are history). A series with too little history or too
    few contacts is listed in ``skipped`` with the reason."""
    need("statsmodels")
    need("holidays")
    by = check_by(by)
    days, series = daily(st, by, until, top, where, params)
    out = Outlook(by, days, series)
    if until is not None and days:
        # the history ends on the last day before ``until``, even when it had no contacts
        end = datetime.fromtimestamp(until - 1, st.tz).date()
        while days[-1] < end:
            days.append(days[-1] + timedelta(days=1))
            for k in series:
                series[k] = list(series[k]) + [0.0]
    h = horizon_days(horizon)
    with single_threaded():
        for name, counts in series.items():
            if len(days) < min_days:
                out.skipped[name] = f"{len(days)} days of history, a forecast needs {min_days}"
                continue
            if sum(counts[-28:]) < 28:
                out.skipped[name] = "fewer than one contact a day over the last four weeks"
                continue
            out.forecasts[name] = DailyModel(str(name)).fit(days, counts).forecast(h, level=level)
    return out


def forecast(store: Store | str | Path, by: str | None = None, horizon: str | int = "30d", level: float = 0.8,
             top: int = 12) -> Outlook:
    """Daily forecasts of the contact volume after the store's last day, overall or by
    ``by`` (one of ``BY``), with ``level`` prediction intervals."""
    st, opened = _open(store)
    try:
        out = forecast_store(st, by, horizon, level, top=top)
        if not out.forecasts:
            why = "; ".join(sorted({str(v) for v in out.skipped.values()})) or "the store has no dated contacts"
            raise InputError(f"no forecast could be made from {st.path} ({why}); add more history to the store.")
        return out
    finally:
        if opened:
            st.close()


def staffing(store: Store | str | Path, horizon: str | int = "7d", aht: str | float | None = None,
             target: float = 0.8, answer_within: str | float = "20s", shrinkage: float = 0.0,
             max_occupancy: float = 1.0) -> dict[str, Any]:
    """Agents needed per day and hour over the forecast horizon, by Erlang C: the overall daily
    forecast spread over the hours by the store's recent hourly profile (working days and days
    off apart), handle time from the contacts' metadata or ``aht``."""
    from .calendar import is_workday

    st, opened = _open(store)
    try:
        ht = handle_time(st, aht)
        wait = parse_seconds(answer_within)
        out = forecast_store(st, None, horizon)
        if "all" not in out.forecasts:
            why = out.skipped.get("all") or "the store has no dated contacts"
            raise InputError(f"no forecast could be made from {st.path} ({why}); add more history to the store.")
        f = out.forecasts["all"]
        profile = hourly_profile(st)
        rows = []
        for i, d in enumerate(f.days):
            shares = profile[is_workday(d)]
            for hour in range(24):
                n = float(f.mean[i] * shares[hour])
                need_ = agents_needed(n, 3600, ht.seconds, target, wait, max_occupancy)
                rows.append({"day": d.isoformat(), "hour": hour, "contacts": round(n, 1),
                             "contacts_hi": round(float(f.hi[i] * shares[hour]), 1), "agents": need_["agents"],
                             "scheduled": with_shrinkage(need_["agents"], shrinkage),
                             "service_level": None if need_["service_level"] is None else round(need_["service_level"], 4),
                             "occupancy": None if need_["occupancy"] is None else round(need_["occupancy"], 4)})
        days = {}
        for r in rows:
            d = days.setdefault(r["day"], {"day": r["day"], "contacts": 0.0, "peak_agents": 0, "agent_hours": 0})
            d["contacts"] = round(d["contacts"] + r["contacts"], 1)
            d["peak_agents"] = max(d["peak_agents"], r["scheduled"])
            d["agent_hours"] += r["scheduled"]
        return {"aht_seconds": round(ht.seconds, 1), "aht_source": ht.source, "aht_contacts": ht.contacts,
                "target": target, "answer_within_s": wait, "shrinkage": shrinkage, "days": list(days.values()),
                "hours": rows}
    finally:
        if opened:
            st.close()


def iter_rows(outlook: Outlook, freq: str) -> Iterator[dict[str, Any]]:
    yield from outlook.rows(freq)
