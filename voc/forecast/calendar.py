"""Chinese public holidays and make-up working days (调休) as regressors of the daily model.

The calendar is the ``holidays`` package (the Open World Holidays Framework, country ``CN``):
it is released every month, marks the official make-up working days (``weekend_workdays``:
the Saturdays and Sundays that are working days, e.g. 2026-02-14 and 2026-02-28 around the
Spring Festival) and computes the holidays of years whose official arrangement is not out yet
from the lunar calendar, so a forecast into next year still knows when the Spring Festival
falls. ``chinesecalendar`` has the same official days (they agree on every day of 2024–2026)
but raises for any year it does not list, which a forecast horizon soon reaches.
"""
from __future__ import annotations

import math
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Sequence

import numpy as np

from ..errors import ConfigError

SPRING = ("Spring Festival", "Chinese New Year")
# regressors of one day (column order of ``features``)
BASE = ("mon", "tue", "wed", "thu", "fri", "sat", "off", "makeup", "spring", "pre", "post1", "post2", "post3",
        "spring_post")


def need(module: str):
    """Import an optional dependency of the forecast, or say how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        name = module.split(".")[0]
        raise ConfigError(f"forecasts need the {name} package; install them with: pip install 'voc-cx[forecast]'") from None


@lru_cache(maxsize=8)
def _calendar(first: int, last: int):
    holidays = need("holidays")
    return holidays.country_holidays("CN", years=range(first, last + 1))


@lru_cache(maxsize=64)
def _year_days(year: int) -> tuple[dict, frozenset]:
    """(day -> holiday name, make-up working days) of one year (and its neighbours)."""
    cal = _calendar(year - 1, year + 1)
    names = {d: n for d, n in cal.items() if d.year == year}
    return names, frozenset(d for d in cal.weekend_workdays if d.year == year)


def holiday_name(d: date) -> str | None:
    return _year_days(d.year)[0].get(d)


def is_workday(d: date) -> bool:
    names, makeup = _year_days(d.year)
    if d in makeup:
        return True
    return d.weekday() < 5 and d not in names


def holiday_breaks(days: Sequence[date]) -> dict[date, tuple[int, bool]]:
    """Off stretches of 3+ days that hold a public holiday: day -> (length, Spring Festival)."""
    out: dict[date, tuple[int, bool]] = {}
    lo, hi = days[0] - timedelta(days=20), days[-1] + timedelta(days=20)
    d = lo
    while d <= hi:
        if is_workday(d):
            d += timedelta(days=1)
            continue
        run = []
        while not is_workday(d):
            run.append(d)
            d += timedelta(days=1)
        names = [holiday_name(x) for x in run]
        if len(run) >= 3 and any(names):
            spring = any(n and any(s in n for s in SPRING) for n in names)
            for x in run:
                out[x] = (len(run), spring)
    return out



def workdays_since_break(d: date, breaks: dict, limit: int) -> tuple[int, Any]:
    """(working days between the last holiday break and ``d``, that break's entry in
    ``holiday_breaks``), looking back over at most ``limit`` working days; (limit, None) when
    no break ends within them."""
    k, x = 0, d - timedelta(days=1)
    while k < limit:
        if x in breaks:
            return k, breaks[x]
        if is_workday(x):
            k += 1
        x -= timedelta(days=1)
    return k, None

def features(days: Sequence[date], yearly: int = 0) -> tuple[np.ndarray, list[str]]:
    """The regressors of ``days`` (consecutive dates): weekday dummies (Sunday is the base),
    ``off`` (a non-working day that is not an ordinary weekend: a public holiday or a weekday of
    a holiday break), ``makeup`` (a weekend day that is a working day), ``spring`` (a day of the
    Spring Festival break), ``pre`` (the last working day before a break of 3+ days), ``post1``
    to ``post3`` (the first three working days after one), ``spring_post`` (the first five
    working days after the Spring Festival break), and ``yearly`` pairs of Fourier terms."""
    if not days:
        raise ConfigError("no days to build the calendar of; give a longer history.")
    breaks = holiday_breaks(days)
    rows = []
    for d in days:
        wd = d.weekday()
        work = is_workday(d)
        brk = breaks.get(d)
        row = [1.0 if wd == k else 0.0 for k in range(6)]
        row.append(1.0 if not work and (wd < 5 or brk) else 0.0)
        row.append(1.0 if work and wd >= 5 else 0.0)
        row.append(1.0 if brk and brk[1] else 0.0)
        row.append(0.0)
        row += [0.0, 0.0, 0.0, 0.0]
        if work:
            nxt = d + timedelta(days=1)
            if nxt in breaks or (not is_workday(nxt) and (nxt + timedelta(days=1)) in breaks):
                row[9] = 1.0
            spring = False
            k, seen_break = workdays_since_break(d, breaks, 8)
            if seen_break is not None:
                spring = seen_break[1]
                if k < 3:
                    row[10 + k] = 1.0
                if spring and k < 5:
                    row[13] = 1.0
        rows.append(row)
    names = list(BASE)
    x = np.array(rows)
    if yearly:
        t = np.array([d.toordinal() for d in days], dtype=float)
        cols = []
        for k in range(1, yearly + 1):
            cols += [np.sin(2 * math.pi * k * t / 365.25), np.cos(2 * math.pi * k * t / 365.25)]
            names += [f"sin{k}", f"cos{k}"]
        x = np.column_stack([x, *cols])
    return x, names
