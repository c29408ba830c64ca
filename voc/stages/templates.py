"""Templates: customer lines of dialogues that repeat verbatim across many contacts of one input
(an export's header or a quick-reply button written under the customer's name, a notice nobody
listed) are system lines (taxonomy section 10). Agent and bot lines are left to the speaker
they were exported with, and a single text (a ticket, a review) is never a template.

``Templates(repeats)`` is a parent-side preprocessor (``voc.registry.preprocessor``): called
once per contact in input order, it counts each line (normalised lightly: NFKC, case, spaces,
digits as 0) once per contact, and from the contact in which a line reaches its ``repeats``-th
occurrence on, it rewrites that turn's speaker to ``system``; the normalise stage keeps it
out of the customer's text. Within a run the result depends only on the input order, so it is
deterministic; memory is bounded (an 8-byte hash per distinct line, at most ``max_lines``
lines; lines first seen after the cap are not counted). Short lines (under ``min_chars``
characters, e.g. "好的", "谢谢") are never templates: they are the customer's own words.
"""
from __future__ import annotations

import hashlib
import re

from ..errors import ConfigError
from ..records import Contact, Turn
from ..text.normalise import nfkc

SYSTEM = "system"
CUSTOMER = "customer"
MIN_CHARS = 10
MAX_LINES = 500_000
_DIGITS = re.compile(r"\d+")


def line_key(text: str) -> str:
    """The form in which two lines count as the same template line."""
    t = nfkc(text).lower()
    # "".join(t.split()) removes what re.sub(r"\s+", "", t) would (str.split and the re
    # module's \s test the same Unicode whitespace: every code point is checked in
    # tests/test_system_lines.py) in a third of the time; this runs in the parent for every turn
    return _DIGITS.sub("0", "".join(t.split()))


class Templates:
    """Parent-side preprocessor (``Pipeline(preprocessors=[Templates(20)])``), one instance per
    run: it remembers the lines it has seen."""

    name = "templates"

    def __init__(self, repeats: int = 20, min_chars: int = MIN_CHARS, max_lines: int = MAX_LINES):
        if not isinstance(repeats, int) or repeats < 1:
            raise ConfigError(f"template repeats must be a whole number >= 1; got {repeats!r}.")
        self.repeats = repeats
        self.min_chars = min_chars
        self.max_lines = max_lines
        self._counts: dict[bytes, int] = {}

    def __call__(self, c: Contact) -> Contact:
        # a single text (a ticket, a review) is never a template: thirty identical complaints
        # about one outage are thirty complaints, and emptying them would lose them
        if not isinstance(c, Contact) or len(c.turns) < 2:
            return c
        counts, seen, marked = self._counts, set(), None
        for i, turn in enumerate(c.turns):
            # the customer's side only: an agent's script (the greeting and closing of every
            # call) is the agent's own words, which quality inspection reads; a bot's repeated
            # fallback is what hand-off detection reads
            if turn.speaker != CUSTOMER or not turn.text:
                continue
            key = line_key(turn.text)
            if len(key) < self.min_chars:
                continue
            h = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
            if h not in seen:  # once per contact
                seen.add(h)
                n = counts.get(h)
                if n is None:
                    if len(counts) >= self.max_lines:
                        continue
                    n = 0
                counts[h] = n = n + 1
            else:
                n = counts.get(h, 0)
            if n >= self.repeats:
                marked = marked or list(c.turns)
                marked[i] = Turn(SYSTEM, turn.text, turn.at)
        if marked is None:
            return c
        return Contact(c.id, tuple(marked), c.channel, c.created_at, c.customer_id, c.metadata, c.source)
