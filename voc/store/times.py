"""Months, durations and time zones of the store (a month is a calendar month of created_at in
the store's time zone)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from ..errors import ConfigError
from ..lang.metadata import to_datetime

DEFAULT_TZ = "Asia/Shanghai"
MIN_YEAR, MAX_YEAR = 1900, 2200  # created_at outside these years is read as no date

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dhw]|days?|hours?|weeks?|天|小时|周)\s*$", re.I)
_UNITS = {"d": 86400, "day": 86400, "days": 86400, "天": 86400, "h": 3600, "hour": 3600, "hours": 3600,
          "小时": 3600, "w": 604800, "week": 604800, "weeks": 604800, "周": 604800}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_duration(value: str | int | float | timedelta) -> timedelta:
    """``365d``, ``48h``, ``52w`` (or a timedelta, or a number of days) as a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)):
        return timedelta(days=value)
    m = _DURATION.match(str(value))
    if not m:
        raise ConfigError(f"cannot read the duration {value!r}; write a number and a unit, e.g. 365d, 48h or 52w.")
    return timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2).lower()])


def check_month(month: str) -> str:
    """``month`` if it reads as YYYY-MM, else a ConfigError."""
    m = _MONTH.match(str(month).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ConfigError(f"cannot read the month {month!r}; write it as YYYY-MM, e.g. 2026-10.")
    return m.group(0)


def shift_month(month: str, n: int) -> str:
    """The month ``n`` months after ``month`` (negative: before)."""
    y, m = map(int, check_month(month).split("-"))
    k = y * 12 + (m - 1) + n
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    out, m = [], check_month(first)
    while m <= last:
        out.append(m)
        m = shift_month(m, 1)
    return out


def get_tz(name: str) -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:
        if name in ("Asia/Shanghai", "Asia/Chongqing", "PRC", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Macau"):
            return timezone(timedelta(hours=8), name)  # no DST since 1991; works without tzdata
        if name.upper() in ("UTC", "Z", "GMT"):
            return timezone.utc
        raise ConfigError(f"unknown time zone {name!r}; give an IANA name such as Asia/Shanghai "
                          f"(on Windows: pip install tzdata).") from None


def parse_time(value: Any, tz: tzinfo) -> datetime | None:
    """``created_at`` as an aware datetime in ``tz`` (``voc.lang.metadata.to_datetime``: naive
    times are local to ``tz``; numbers and 10/13-digit strings are Unix seconds or milliseconds).
    None when unreadable."""
    dt = to_datetime(value, tz, epoch=True)
    if dt is None:
        return None
    try:
        dt = dt.astimezone(tz)
    except (OverflowError, ValueError):  # 0001-01-01T00:00:00+14:00 and the like: not a real date
        return None
    # a contact dated 0001 or 9999 is a placeholder, not a date: it belongs to no month (the reports
    # count it as undated) rather than stretch every report, trend and forecast to the year 1 or 10000
    return dt if MIN_YEAR <= dt.year <= MAX_YEAR else None

