"""Text stages: normalise -> redact -> segment."""
from __future__ import annotations

import re
from itertools import chain
from dataclasses import replace

from ..lang.system_lines import SYSTEM, substantive
from ..records import Contact, Tagged, Turn, customer_text, evolve
from ..text.normalise import normalise, normalise_with_emoji
from ..text.segment import Segmenter, default_segmenter


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
MAX_CHARS = 20_000  # per contact: longer texts are cut for tagging (a status says so)


class Normalise:
    """NFKC, traditional -> simplified, HTML/emoji/control clean-up of every turn (and spoken
    fillers out of the customer's turns: ``voc.text.normalise``); system lines
    (taxonomy section 10, ``voc.lang.system_lines``: export headers, queue and transfer
    notices, auto-replies, masked placeholders) become turns of speaker ``system`` and system
    fragments embedded in a turn are removed, so no later stage reads them as the customer's
    words. ``system_lines``: a user file of extra patterns (setting ``system_lines``)."""

    name = "normalise"
    requires = ("contact",)
    assigns = ("turns", "text", "emoji")

    def __init__(self, system_lines: str | None = None):
        from ..lang.system_lines import system_lines as load

        self.system_lines = system_lines
        self._lines = load(system_lines)

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        out = []
        done: dict[tuple[str, str], tuple[str, str, tuple[str, ...]]] = {}  # this batch's turns, once each
        for t in batch:
            turns, emoji = [], []
            for turn in t.contact.turns:
                key = (turn.speaker, turn.text)
                got = done.get(key)
                if got is None:
                    got = done[key] = self._lines_out(turn)
                speaker, text, found = got
                if speaker == "customer":
                    emoji.extend(found)
                if text:
                    turns.append(Turn(speaker, text, turn.at))
            turns_t = tuple(turns)
            text = customer_text(turns_t)
            cut = len(text) > MAX_CHARS
            if cut:
                turns_t = _cut(turns_t)
                text = customer_text(turns_t)
            if not text:
                status = "empty: no customer text"
            elif not _HAN.search(text):
                status = "low_confidence: no Chinese text"
            elif cut:
                status = f"truncated: text cut to {MAX_CHARS} characters for tagging"
            else:
                status = t.status
            out.append(evolve(t, turns=turns_t, text=text, emoji=tuple(emoji), status=status))
        return out

    def _lines_out(self, turn: Turn) -> tuple[str, str, tuple[str, ...]]:
        """``_turn`` of the turn without the lines of a multi-line turn that are system notices
        (a prefix or ``line`` pattern: ``SystemLines.is_notice``). An export that writes
        "好的\n会话已结束" or "转人工\n正在为您转接人工客服，请稍候" into one customer cell keeps
        the customer's "好的" and "转人工": a whole-turn test would either keep the notice as the
        customer's words or drop the customer's words with it. The turn stays one turn."""
        if turn.speaker != SYSTEM and "\n" in turn.text:
            lines = turn.text.split("\n")
            voice = turn.speaker == "customer"
            keep = [x for x in lines if not (x.strip() and self._lines.is_notice(normalise(x, spoken=False), voice))]
            if len(keep) < len(lines) and any(x.strip() for x in keep):
                return self._turn(Turn(turn.speaker, "\n".join(keep), turn.at))
        return self._turn(turn)

    def _turn(self, turn: Turn) -> tuple[str, str, tuple[str, ...]]:
        """(speaker, normalised text, emoji) of one turn; a system line gets speaker system."""
        if turn.speaker == SYSTEM:
            return SYSTEM, normalise(turn.text, spoken=False), ()
        lines = self._lines
        raw = lines.strip(turn.text)  # masked placeholders go before normalise reads them as emoji
        spoken = turn.speaker == "customer"  # spoken fillers go from the customer's words only
        text, found = normalise_with_emoji(raw, spoken)
        # the customer's own voice (我, 你们) keeps a customer turn that quotes a notice; an agent's
        # or bot's turn that a notice pattern matches is a system line whatever it says
        if lines.is_line(text, turn.speaker == "customer") or (raw != turn.text and not substantive(text)):
            return SYSTEM, normalise(turn.text, spoken=False) or turn.text.strip(), ()
        stripped = lines.strip(text)
        if stripped != text:
            text = normalise(stripped, spoken)
            if not substantive(text):
                return SYSTEM, normalise(turn.text, spoken=False) or turn.text.strip(), ()
        return turn.speaker, text, found


def _cut(turns: tuple[Turn, ...]) -> tuple[Turn, ...]:
    """Keep turns (all speakers) until the customer side reaches MAX_CHARS characters."""
    out, left = [], MAX_CHARS
    for t in turns:
        if t.speaker == "customer":
            if left <= 0:
                break
            text = t.text[:left]
            left -= len(text) + 1
            out.append(Turn(t.speaker, text, t.at))
        else:
            out.append(t)
    return tuple(out)


class Redact:
    """Replace personal data with typed placeholders (〔手机号〕...) in every turn (numbers split
    over adjacent turns too) and in every other field of the contact: id, channel, raw
    ``created_at``, customer id, metadata keys and values of any type (``Redactor.scrub``).
    ``names``: a file of personal names to redact (one a line)."""

    name = "redact"
    requires = ("contact", "turns", "text")
    assigns = ("contact", "turns", "text")

    def __init__(self, pseudonymise_key: bytes | None = None, names: str | None = None):
        self.pseudonymise_key = pseudonymise_key
        self.names = names
        from ..text.redact import Redactor, read_names

        self._redactor = Redactor(pseudonymise_key=pseudonymise_key, names=read_names(names) if names else ())
        self._ids = self._redactor.for_ids()  # ids keep apart: keyed pseudonyms, not bare placeholders

    def warm(self) -> None:
        self._redactor.warm()

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        r = self._redactor
        out = []
        for t in batch:
            texts = r.redact_turns([x.text for x in t.turns])
            turns = tuple(Turn(x.speaker, y, x.at) if y != x.text else x for x, y in zip(t.turns, texts))
            out.append(evolve(t, contact=self._contact(t.contact), turns=turns, text=customer_text(turns)))
        return out

    def _contact(self, c: Contact) -> Contact:
        """Ids, channels, raw times, customer ids and metadata often hold phone numbers: they are
        redacted too (with --pseudonymise the same customer keeps one token, so repeats stay
        visible)."""
        scrub = self._redactor.scrub
        changes = {}
        for name in ("id", "channel", "created_at", "customer_id"):
            value = getattr(c, name)
            if isinstance(value, (str, int, float)) and value != "":
                new = (self._ids.scrub if name in ("id", "customer_id") else scrub)(value)
                if new != value:
                    changes[name] = new if isinstance(new, str) or name == "created_at" else str(new)
        if c.metadata:
            meta = scrub(dict(c.metadata))
            if meta != dict(c.metadata):
                changes["metadata"] = meta
        return replace(c, **changes) if changes else c


class Segment:
    """jieba tokens of each customer turn (stopwords and punctuation removed)."""

    name = "segment"
    requires = ("turns",)
    assigns = ("tokens", "turn_tokens")

    def __init__(self, segmenter: Segmenter | None = None):
        self.segmenter = segmenter

    def warm(self) -> None:
        """Load the dictionary now (it loads on first use otherwise)."""
        (self.segmenter or default_segmenter()).tokenizer

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        seg = self.segmenter or default_segmenter()
        out = []
        done: dict[str, tuple[str, ...]] = {}  # this batch's texts, cut once each ("好的", "谢谢")

        def cut(text: str) -> tuple[str, ...]:
            got = done.get(text)
            if got is None:
                got = done[text] = tuple(seg.cut(text))
            return got

        for t in batch:
            per_turn = tuple(cut(x.text) for x in t.turns if x.speaker == "customer")
            # one turn (most contacts): its tuple as is; else one C-level concatenation (a
            # generator over every token took ~1 µs per 20 tokens)
            tokens = per_turn[0] if len(per_turn) == 1 else tuple(chain.from_iterable(per_turn))
            out.append(evolve(t, turn_tokens=per_turn, tokens=tokens))
        return out
