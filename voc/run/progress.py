"""Progress of ``voc tag`` on stderr.

On a terminal: a tqdm bar (tqdm: small, no dependencies, the usual Python progress bar) with
the total, percentage, rate and time left when the number of input rows is known, and the
count and rate when it is not (XLSX, turn-per-row input). Elsewhere (a scheduled run's log):
one plain line every ``INTERVAL`` seconds or every 10% of the total, e.g.
``voc: 120,000 / 500,000 contacts (24%), 2,100/s, about 3 min left``, so the log shows the run
is alive. ``voc tag -q`` shows neither.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

INTERVAL = 30.0  # seconds between two progress lines on a non-terminal
STEP = 0.10  # ... or this share of the total, whichever comes first
_BLOCK = 1 << 20


def count_rows(paths: Sequence[str | Path], formats: Sequence[str | None], group_by: bool = False) -> int | None:
    """The number of contacts in ``paths`` as far as a byte scan can tell (about 3 s per GB
    of CSV, less for JSONL): lines of JSONL; records of CSV/TSV (line breaks outside double
    quotes, minus the header). None when unknown: an Excel file, a UTF-16 file, or one turn
    per row."""
    if group_by:
        return None
    total = 0
    for path, fmt in zip(paths, formats):
        if fmt not in ("jsonl", "csv", "tsv"):
            return None
        try:
            n = _lines(path) if fmt == "jsonl" else _records(path)
        except OSError:
            return None
        if n is None:
            return None
        total += max(0, n - (0 if fmt == "jsonl" else 1))
    return total


def _lines(path: str | Path) -> int | None:
    n, last = 0, b"\n"
    with open(path, "rb") as f:
        while block := f.read(_BLOCK):
            if n == 0 and block[:2] in (b"\xff\xfe", b"\xfe\xff"):
                return None
            n += block.count(b"\n")
            last = block
    return n + (not last.endswith(b"\n"))


def _records(path: str | Path) -> int | None:
    """Line breaks outside quotes (a quote byte is never part of a UTF-8, GB18030 or Big5
    character, so the bytes tell)."""
    n, quoted, rest = 0, False, b""
    with open(path, "rb") as f:
        first = True
        while block := f.read(_BLOCK):
            if first and block[:2] in (b"\xff\xfe", b"\xfe\xff"):
                return None
            first = False
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            for line in lines:
                if line.count(b'"') % 2:
                    quoted = not quoted
                n += not quoted
    return n + bool(rest.strip())


def _left(seconds: float) -> str:
    if seconds < 90:
        return f"about {max(1, round(seconds))} s left"
    if seconds < 5400:
        return f"about {round(seconds / 60)} min left"
    return f"about {seconds / 3600:.1f} h left"


class Progress:
    """``update(done, errors)`` after each chunk, ``close()`` at the end. ``total`` (input rows,
    or None), ``stream`` (default stderr; a terminal gets the bar), ``interval`` and ``clock``
    (for tests)."""

    def __init__(self, enabled: bool, total: int | None = None, stream: TextIO | None = None,
                 interval: float | None = None, clock: Callable[[], float] = time.monotonic, start: int = 0):
        self.enabled = enabled
        self.start = start  # rows a resumed run had done before: not part of the rate
        self.total = total or None
        self.stream = stream or sys.stderr
        self.interval = INTERVAL if interval is None else interval
        self.clock = clock
        self.t0 = self.last = clock()
        self.last_share = 0.0
        self.bar: Any = None
        if enabled and _isatty(self.stream):
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, initial=start, file=self.stream, unit=" contacts",
                            desc="voc", dynamic_ncols=True, mininterval=0.5, smoothing=0.1)

    def update(self, done: int, errors: int = 0, force: bool = False) -> None:
        if not self.enabled:
            return
        if self.total is not None and done > self.total:
            self.total = done  # the byte count was short: a total never below the count
            if self.bar is not None:
                self.bar.total = done
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
            if errors:
                self.bar.set_postfix_str(f"{errors:,} errors", refresh=False)
            return
        now = self.clock()
        share = done / self.total if self.total else 0.0
        if force or now - self.last >= self.interval or (self.total and share - self.last_share >= STEP):
            self.last, self.last_share = now, share
            self.stream.write(self.line(done, errors, now) + "\n")
            self.stream.flush()

    def line(self, done: int, errors: int, now: float) -> str:
        """``voc: 120,000 / 500,000 contacts (24%), 2,100/s, about 3 min left``"""
        elapsed = max(now - self.t0, 1e-9)
        rate = (done - self.start) / elapsed
        if self.total:
            out = f"voc: {done:,} / {self.total:,} contacts ({done / self.total:.0%}), {rate:,.0f}/s"
            if done < self.total and rate > 0:
                out += f", {_left((self.total - done) / rate)}"
        else:
            out = f"voc: {done:,} contacts, {rate:,.0f}/s"
        return out + (f", {errors:,} errors" if errors else "")

    def close(self, done: int | None = None) -> None:
        """End the bar (at ``done``, the final count, which is the total)."""
        if self.bar is not None:
            if done is not None:
                self.bar.total = done
                self.bar.update(done - self.bar.n)
            self.bar.close()
            self.bar = None


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
