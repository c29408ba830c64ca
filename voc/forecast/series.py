"""Volume series from the results store: contacts per local day (and per hour of the day),
overall or by a column, counted in SQL (one grouped scan; nothing loads the contacts)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Sequence

import numpy as np

from ..errors import ConfigError
from ..store import Store

BY = ("root_cause", "contact_type", "topic", "channel", "owner")
BUCKET = 1800  # seconds: half hours map to local hours in every zone with a whole or half-hour offset
OTHERS = "（其余）"


def check_by(by: str | None) -> str | None:
    if by in (None, "", "all", "none"):
        return None
    if by not in BY:
        raise ConfigError(f"cannot forecast by {by!r}; give one of: {', '.join(BY)} (or leave --by out).")
    return by


def buckets(store: Store, by: str | None = None, until: int | None = None, where: str = "",
            params: Sequence[Any] = ()) -> dict[tuple[datetime, Any], int]:
    """{(local start of the half hour, value of ``by``): contacts} for contacts with ``ts < until``."""
    by = check_by(by)
    conds, args = ["ts IS NOT NULL"], []
    if until is not None:
        conds.append("ts < ?")
        args.append(int(until))
    if where:
        conds.append(f"({where})")
        args.extend(params)
    key = by or "NULL"
    sql = (f"SELECT ts / {BUCKET}, {key}, COUNT(*) FROM contacts WHERE {' AND '.join(conds)} GROUP BY 1, 2")
    out: dict[tuple[datetime, Any], int] = {}
    for b, value, n in store.iter_query(sql, args):
        out[(datetime.fromtimestamp(b * BUCKET, store.tz), value)] = n
    return out


def daily(store: Store, by: str | None = None, until: int | None = None, top: int = 12, where: str = "",
          params: Sequence[Any] = ()) -> tuple[list[date], dict[Any, np.ndarray]]:
    """Consecutive local days from the first to the last contact (days without contacts are 0)
    and the daily counts: ``{"all": counts}``, or one series per value of ``by`` (the ``top``
    values by volume over the last 90 days; the rest summed as ``OTHERS``)."""
    counts = buckets(store, by, until, where, params)
    if not counts:
        return [], {}
    first = min(k[0] for k in counts).date()
    last = max(k[0] for k in counts).date()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    index = {d: i for i, d in enumerate(days)}
    values: dict[Any, np.ndarray] = {}
    for (when, value), n in counts.items():
        key = "all" if by is None else value
        arr = values.get(key)
        if arr is None:
            arr = values[key] = np.zeros(len(days))
        arr[index[when.date()]] += n
    if by is not None and len(values) > top:
        recent = sorted(values, key=lambda k: (-values[k][-90:].sum(), str(k)))
        rest = recent[top:]
        values = {k: values[k] for k in recent[:top]} | {OTHERS: sum(values[k] for k in rest)}
    return days, values


def hourly_profile(store: Store, until: int | None = None, weeks: int = 8, where: str = "",
                   params: Sequence[Any] = ()) -> dict[bool, np.ndarray]:
    """Share of a day's contacts in each local hour, for working days (True) and days off
    (False), from the last ``weeks`` weeks of the store (flat when a kind of day has none)."""
    from .calendar import is_workday

    end = until if until is not None else (store.query("SELECT MAX(ts) FROM contacts")[0][0] or 0) + 1
    start = end - weeks * 7 * 86400
    conds = f"ts >= {int(start)}" + (f" AND ({where})" if where else "")
    counts = buckets(store, None, end, conds, params)
    prof = {True: np.zeros(24), False: np.zeros(24)}
    for (when, _), n in counts.items():
        prof[is_workday(when.date())][when.hour] += n
    for k, v in prof.items():
        prof[k] = v / v.sum() if v.sum() else np.full(24, 1 / 24)
    return prof
