"""Repeat contacts of one customer: the parent-side preprocessor ``RepeatContacts(window)``
(``voc tag --repeat-window``) counts, for each contact, the earlier contacts of its customer
within the window and writes the count to ``metadata["repeat_contacts"]``, which churn and
escalation read (``voc.lang.metadata.repeat_count``)."""
from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta, timezone

from ..errors import ConfigError
from ..lang.metadata import REPEAT_INPUT_KEY as INPUT_KEY, REPEAT_KEY, to_datetime
from ..records import Contact

_WINDOW = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(d|h|m|w|day|days|hour|hours|天|日|小时|周|分钟)?\s*$", re.I)


def parse_window(window: str | int | float | timedelta | None) -> timedelta | None:
    """``7d``, ``48h``, ``30m``, ``2w``, ``7天`` or a number of days; None/'' / 0 for off."""
    if window is None or window == "" or window == 0:
        return None
    if isinstance(window, timedelta):
        return window
    if isinstance(window, (int, float)):
        n, unit = float(window), "d"
    else:
        m = _WINDOW.match(str(window))
        if not m:
            raise ConfigError(f"repeat window {window!r} is not a duration; use e.g. 7d, 48h or 30m.")
        n, unit = float(m.group(1)), (m.group(2) or "d").lower()
    if n == 0:
        return None
    try:
        if unit in ("h", "hour", "hours", "小时"):
            return timedelta(hours=n)
        if unit in ("m", "分钟"):
            return timedelta(minutes=n)
        if unit in ("w", "周"):
            return timedelta(weeks=n)
        return timedelta(days=n)
    except (OverflowError, ValueError):  # past timedelta's range (~2.7 million years) or not finite
        raise ConfigError(f"repeat window {window!r} is too long; use at most a few years, e.g. 365d.") from None


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


class RepeatContacts:
    """Parent-side preprocessor (``Pipeline(preprocessors=[RepeatContacts("7d")])``): called
    once per contact in input order, it sets ``metadata["repeat_contacts"]`` to how many
    earlier contacts of the same ``customer_id`` fall within ``window`` before this one.

    "Earlier" is by ``created_at``, among the contacts seen before this one (inputs are
    normally in time order; a contact seen later but dated earlier is not counted). Contacts
    without a ``customer_id`` pass unchanged; contacts without a parsable time count every
    earlier contact of the customer. One instance per run: it remembers the contacts it has seen.

    Linear and bounded: per customer, the times inside the window are kept sorted in an
    ``array('q')`` of microseconds (8 bytes a time) with a start index that moves past the
    times that left the window (compacted when half is dead), so a contact costs O(log n),
    not O(n) (100,000 contacts of one customer: seconds, not minutes). At most ``cap`` times are
    kept per customer (counts stop at ``cap``), and customers whose newest contact left the
    window are dropped every ``SWEEP`` contacts (a customer's untimed count stays).
    """

    name = "repeat_contacts"
    CAP = 10_000  # times kept per customer: a count stops there (a bot or a test account)
    SWEEP = 100_000  # contacts between sweeps of customers whose contacts all left the window

    def __init__(self, window: str | int | float | timedelta | None = "7d", cap: int = CAP):
        self.window = parse_window(window)
        self.cap = int(cap)
        self._seen: dict[str, array] = {}  # customer -> sorted times (microseconds); dead ones before _start
        self._start: dict[str, int] = {}  # customer -> index of the first live time, when not 0
        self._untimed: dict[str, int] = {}
        self._window_us = self.window // _MICROSECOND if self.window is not None else 0
        self._newest = None  # the latest time seen (for the sweep)
        self._calls = 0

    def _sweep(self) -> None:
        if self._newest is None:
            return
        lo = self._newest - self._window_us
        gone = [k for k, q in self._seen.items() if q[-1] < lo]
        for k in gone:
            del self._seen[k]
            self._start.pop(k, None)

    def __call__(self, c: Contact) -> Contact:
        if not isinstance(c, Contact):
            return c
        if REPEAT_KEY in c.metadata:  # an input column of that name is the user's, not voc's count
            meta = {(INPUT_KEY if k == REPEAT_KEY else k): v for k, v in c.metadata.items()}
            c = Contact(c.id, c.turns, c.channel, c.created_at, c.customer_id, meta, c.source)
        if not c.customer_id or self.window is None:
            return c
        key = str(c.customer_id)
        when = to_datetime(c.created_at)
        q = self._seen.get(key)
        start = self._start.get(key, 0)
        untimed = self._untimed.get(key, 0)
        if when is None:
            n = untimed + (len(q) - start if q is not None else 0)
            self._untimed[key] = untimed + 1
        else:
            t = (when - _EPOCH) // _MICROSECOND
            if self._newest is None or t > self._newest:
                self._newest = t
            if q is None:
                n = untimed
                self._seen[key] = array("q", (t,))
            else:
                lo = t - self._window_us
                if q[start] < lo:  # times that left the window: move past them
                    start = bisect_left(q, lo, start)
                end = len(q)
                if start < end and q[-1] <= t:  # in time order (the usual case)
                    n = end - start + untimed
                    q.append(t)
                else:
                    i = bisect_right(q, t, start)
                    n = i - start + untimed
                    q.insert(i, t)
                if len(q) - start > self.cap:  # keep the newest cap times
                    start = len(q) - self.cap
                if start and start * 2 >= len(q):
                    del q[:start]
                    start = 0
                if start:
                    self._start[key] = start
                else:
                    self._start.pop(key, None)
            self._calls += 1
            if self._calls % self.SWEEP == 0:
                self._sweep()
        # Contact(...) rather than dataclasses.replace: this runs in the parent for every contact
        return Contact(c.id, c.turns, c.channel, c.created_at, c.customer_id, {**c.metadata, REPEAT_KEY: n}, c.source)
