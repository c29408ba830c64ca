"""Repeat contacts of one customer: the parent-side preprocessor ``RepeatContacts(window)``
(``voc tag --repeat-window``) counts, for each contact, the earlier contacts of its customer
within the window and writes the count to ``metadata["repeat_contacts"]``, which churn and
escalation read (``voc.lang.metadata.repeat_count``)."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta, timezone

from ..errors import ConfigError
from ..lang.metadata import REPEAT_KEY, to_datetime
from ..records import Contact

_WINDOW = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(d|h|m|w|day|days|hour|hours|天|日|小时|周|分钟)?\s*$", re.I)


def parse_window(window: str | int | float | timedelta | None) -> timedelta | None:
    """``7d``, ``48h``, ``30m``, ``2w``, ``7天`` or a number of days; None/'' / 0 for off."""
    if window is None or window == "" or window == 0:
        return None
    if isinstance(window, timedelta):
        return window
    if isinstance(window, (int, float)):
        return timedelta(days=float(window))
    m = _WINDOW.match(str(window))
    if not m:
        raise ConfigError(f"repeat window {window!r} is not a duration; use e.g. 7d, 48h or 30m.")
    n, unit = float(m.group(1)), (m.group(2) or "d").lower()
    if n == 0:
        return None
    if unit in ("h", "hour", "hours", "小时"):
        return timedelta(hours=n)
    if unit in ("m", "分钟"):
        return timedelta(minutes=n)
    if unit in ("w", "周"):
        return timedelta(weeks=n)
    return timedelta(days=n)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


class RepeatContacts:
    """Parent-side preprocessor (``Pipeline(preprocessors=[RepeatContacts("7d")])``): called
    once per contact in input order, it sets ``metadata["repeat_contacts"]`` to how many
    earlier contacts of the same ``customer_id`` fall within ``window`` before this one.

    "Earlier" is by ``created_at``, among the contacts seen before this one (inputs are
    normally in time order; a contact seen later but dated earlier is not counted). Contacts
    without a ``customer_id`` pass unchanged; contacts without a parsable time count every
    earlier contact of the customer. Memory holds, per customer, only the times inside the
    window. One instance per run: it remembers the contacts it has seen.
    """

    name = "repeat_contacts"

    def __init__(self, window: str | int | float | timedelta | None = "7d"):
        self.window = parse_window(window)
        # Per customer: the sorted times inside the window, as a tuple of integer microseconds
        # (exact, like the datetimes), and the count of untimed contacts. One entry per customer
        # adds up over a million contacts: a tuple of one int takes 80 bytes, a deque 760.
        self._seen: dict[str, tuple[int, ...]] = {}
        self._untimed: dict[str, int] = {}
        self._window_us = self.window // _MICROSECOND if self.window is not None else 0

    def __call__(self, c: Contact) -> Contact:
        if not isinstance(c, Contact) or not c.customer_id or self.window is None:
            return c
        key = str(c.customer_id)
        when = to_datetime(c.created_at)
        q = self._seen.get(key, ())
        untimed = self._untimed.get(key, 0)
        if when is None:
            n = untimed + len(q)
            self._untimed[key] = untimed + 1
        else:
            t = (when - _EPOCH) // _MICROSECOND
            lo = t - self._window_us
            if q and q[0] < lo:
                q = q[bisect_left(q, lo):]
            n = sum(1 for x in q if x <= t) + untimed
            if not q or q[-1] <= t:
                q += (t,)
            else:  # out of time order: keep the times sorted
                i = bisect_right(q, t)
                q = q[:i] + (t,) + q[i:]
            self._seen[key] = q
        # Contact(...) rather than dataclasses.replace: this runs in the parent for every contact
        return Contact(c.id, c.turns, c.channel, c.created_at, c.customer_id, {**c.metadata, REPEAT_KEY: n}, c.source)
