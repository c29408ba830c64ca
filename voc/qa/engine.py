"""Matching a contact against a compiled QA rule set (``voc.qa.rules``).

Everything is compiled when the rules are read (one regular-expression alternation per word
list); a contact is checked lazily: a rule's ``when`` asks for the conditions it needs, each
condition is matched once per contact (memoised) on the units of its role and scope, which are
cut once per contact and shared by every condition with that role and scope.

A condition's hits are ``(turn, start, end)`` in the contact's turns; it holds when it has at
least ``count`` hits (a ``none``-only condition holds when no unit of its scope holds a word).
"""
from __future__ import annotations

import re
from typing import Callable, Sequence

from ..lang.metadata import to_datetime
from ..records import QaHit, Turn
from .rules import Condition, Rule, RuleSet

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]*")
_NORM = re.compile(r"[\W_]+")

Hit = tuple[int, int, int]  # turn index, start, end (character offsets in that turn's text)


def role_filter(role: str) -> Callable[[str], bool]:
    if role == "any":
        return lambda s: s != "system"
    if role == "staff":
        return lambda s: s in ("agent", "bot")
    return lambda s: s == role


_ROLES = {r: role_filter(r) for r in ("customer", "agent", "bot", "staff", "any")}


def bigrams(text: str) -> set[str]:
    t = _NORM.sub("", text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


class _Contact:
    """One contact while it is checked: its turns, the units of each (role, scope, n), the hits
    of each condition."""

    __slots__ = ("turns", "units", "hits", "conds", "_times", "texts")

    def __init__(self, turns: Sequence[Turn], conds: dict[str, Condition]):
        self.turns = turns
        self.texts: dict[str, str] = {}  # role -> its turns joined (a cheap first test of each condition)
        self.units: dict[tuple, list] = {}
        self.hits: dict[str, list[Hit]] = {}
        self.conds = conds
        self._times: list | None = None

    # -- units -----------------------------------------------------------------------------
    def get_units(self, role: str, scope: str, n: int) -> list[tuple[str, tuple]]:
        """(text, segments) per unit; a segment is (offset in the unit, turn index, offset in the turn)."""
        key = (role, scope, n)
        got = self.units.get(key)
        if got is not None:
            return got
        keep = _ROLES[role]
        mine = [(i, t.text) for i, t in enumerate(self.turns) if t.text and keep(t.speaker)]
        if scope == "first":
            mine = mine[:n]
        elif scope == "last":
            mine = mine[-n:]
        if scope == "sentence":
            units = [(m.group(), ((0, i, m.start()),)) for i, text in mine for m in _SENTENCE.finditer(text)]
        elif scope in ("turn", "first", "last"):
            units = [(text, ((0, i, 0),)) for i, text in mine]
        else:  # window of n turns, or the whole contact
            size = len(mine) if scope == "contact" else n
            starts = range(max(1, len(mine) - size + 1)) if mine else ()
            units = []
            for s in starts:
                parts, segs, off = [], [], 0
                for i, text in mine[s:s + size]:
                    segs.append((off, i, 0))
                    parts.append(text)
                    off += len(text) + 1
                units.append(("\n".join(parts), tuple(segs)))
        self.units[key] = units
        return units

    def times(self) -> list:
        if self._times is None:
            self._times = [to_datetime(t.at) if t.at else None for t in self.turns]
        return self._times

    # -- conditions ------------------------------------------------------------------------
    def holds(self, name: str) -> bool:
        c = self.conds[name]
        hits = self.get_hits(name)
        if c.only_none:
            return hits is _NONE_HOLDS
        return len(hits) >= c.count

    def get_hits(self, name: str) -> list[Hit]:
        got = self.hits.get(name)
        if got is None:
            c = self.conds[name]
            got = self._timing(c) if c.timing else self._match(c)
            if c.after or c.before:
                got = self._anchor(c, got)
            self.hits[name] = got
        return got

    def _anchor(self, c: Condition, hits: list[Hit]) -> list[Hit]:
        anchor = self.get_hits(c.after or c.before)
        if not anchor or anchor is _NONE_HOLDS:
            return []
        first = min((h[0], h[1]) for h in anchor)
        if c.after:
            return [h for h in hits if (h[0], h[1]) > first]
        return [h for h in hits if (h[0], h[1]) < first]

    def _match(self, c: Condition) -> list[Hit]:
        if c.gate is not None:
            text = self.texts.get(c.role)
            if text is None:
                keep = _ROLES[c.role]
                text = self.texts[c.role] = "\n".join(t.text for t in self.turns if t.text and keep(t.speaker))
            if not c.gate.search(text):
                return []
        units = self.get_units(c.role, c.scope, c.turns)
        if c.only_none:
            return _NONE_HOLDS if not any(c.none_rx.search(u) for u, _ in units) else []
        if c.repeat and len(units) < c.repeat:  # nothing can repeat (speed: repeated_reply was the costliest check)
            return []
        passed: list[tuple[str, tuple, list[tuple[int, int]]]] = []
        for text, segs in units:
            spans = self._unit(c, text, segs)
            if spans is not None:
                passed.append((text, segs, spans))
        if c.repeat:
            groups: dict[str, list] = {}
            for p in passed:
                key = _NORM.sub("", p[0])
                if key:
                    groups.setdefault(key, []).append(p)
            passed = [p for g in groups.values() if len(g) >= c.repeat for p in g[1:]]
        out = []
        for _, segs, spans in passed:
            for s, e in spans:
                out.append(_locate(segs, s, e))
        out.sort()
        return out

    def _unit(self, c: Condition, text: str, segs: tuple) -> list[tuple[int, int]] | None:
        if c.exclude is not None and c.exclude.search(text):
            return None
        if c.none_rx is not None and c.none_rx.search(text):
            return None
        if c.min_chars and len(text) < c.min_chars:
            return None
        spans: list[tuple[int, int]] = []
        if c.any_rx is not None:
            found = [(m.start(), m.end()) for m in c.any_rx.finditer(text)]
            if not found:
                return None
            spans += found
        for rx in c.all_rx:
            m = rx.search(text)
            if m is None:
                return None
            spans.append((m.start(), m.end()))
        if c.n_of_rx is not None:
            seen: dict[str, tuple[int, int]] = {}
            for m in c.n_of_rx.finditer(text):
                seen.setdefault(m.group(), (m.start(), m.end()))
            if len(seen) < c.n_of[0]:
                return None
            spans += seen.values()
        if c.regex is not None:
            found = [(m.start(), m.end()) for m in c.regex.finditer(text) if m.end() > m.start()]
            if not found:
                return None
            spans += found
        if c.overlap_below is not None:
            turn = segs[0][1]
            prev = next((t.text for t in reversed(self.turns[:turn]) if t.speaker == "customer" and t.text), None)
            if not prev:
                return None
            q = bigrams(prev)
            if not q or len(q & bigrams(text)) / len(q) >= c.overlap_below:
                return None
        return sorted(set(spans)) if spans else [(0, len(text))]

    def _timing(self, c: Condition) -> list[Hit]:
        kind, limit = c.timing
        times, turns = self.times(), self.turns
        keep = _ROLES[c.role]
        out = []
        if kind == "gap_over":
            last = None
            for i, (t, at) in enumerate(zip(turns, times)):
                if at is None:
                    continue
                if last is not None and keep(t.speaker) and (at - last).total_seconds() > limit:
                    out.append((i, 0, len(t.text)))
                last = at
            return out
        asked = None  # time of the customer turn waiting for a reply
        for i, (t, at) in enumerate(zip(turns, times)):
            if t.speaker == "customer":
                if asked is None:
                    asked = at
            elif keep(t.speaker) and t.speaker != "system":
                if asked is not None and at is not None and (at - asked).total_seconds() > limit:
                    out.append((i, 0, len(t.text)))
                asked = None
                if kind == "first_response_over":
                    break
        return out


_NONE_HOLDS: list[Hit] = []  # the identity marks "a none-only condition holds"


def _locate(segs: tuple, s: int, e: int) -> Hit:
    seg = segs[0]
    for g in segs:
        if g[0] <= s:
            seg = g
        else:
            break
    off, turn, toff = seg
    return (turn, toff + s - off, toff + e - off)


class Engine:
    """``Engine(ruleset).check(turns, channel) -> (score, hits)``: the 0–100 score (100 minus the
    deductions of the rules that fired, each once; 0 when a critical rule fired) and one
    ``QaHit`` per evidence span (a must_have rule that fired has one hit with no turn)."""

    MAX_SPANS = 3  # evidence spans kept per rule

    def __init__(self, ruleset: RuleSet):
        self.ruleset = ruleset
        self.rules: list[Rule] = [r for r in ruleset.rules if r.enabled]
        self.conditions = ruleset.conditions
        self._applying: dict[tuple, list[Rule]] = {}

    def applying(self, channel: str, present: frozenset[str]) -> list[Rule]:
        """The rules that apply to a contact of ``channel`` where ``present`` roles speak (memoised)."""
        key = (channel, present)
        got = self._applying.get(key)
        if got is None:
            if len(self._applying) > 1000:
                self._applying.clear()
            got = self._applying[key] = [r for r in self.rules if self.applies(r, channel, set(present))]
        return got

    def applies(self, rule: Rule, channel: str, present: set[str]) -> bool:
        if rule.channels and not any(c in channel for c in rule.channels):
            return False
        for need in rule.needs:
            if need == "any" and not present - {"system"} or need == "staff" and not present & {"agent", "bot"} \
                    or need not in ("any", "staff") and need not in present:
                return False
        return True

    def check(self, turns: Sequence[Turn], channel: str | None = None) -> tuple[float, tuple[QaHit, ...]]:
        ctx = _Contact(turns, self.conditions)
        present = frozenset(t.speaker for t in turns if t.text)
        hits: list[QaHit] = []
        lost, critical = 0.0, False
        for r in self.applying((channel or "").lower(), present):
            value = r.when(ctx.holds)
            if r.type == "must_not" and value:
                spans = sorted({h for n in r.when.positive if ctx.holds(n) for h in ctx.get_hits(n)})
                for turn, s, e in spans[:self.MAX_SPANS] or [(None, 0, 0)]:
                    span = turns[turn].text[s:e] if turn is not None else ""
                    hits.append(QaHit(r.id, r.item, r.severity, r.type, turn, span,
                                      turns[turn].speaker if turn is not None else None))
            elif r.type == "must_have" and not value:
                hits.append(QaHit(r.id, r.item, r.severity, r.type, None, ""))
            else:
                continue
            lost += r.deduct
            critical = critical or r.severity == "critical"
        score = 0.0 if critical else max(0.0, round(100.0 - lost, 1))
        return score, tuple(hits)

    def condition_hits(self, turns: Sequence[Turn], name: str) -> list[Hit]:
        """The hits of one condition on ``turns`` (for tests and for reading a rule's hits)."""
        ctx = _Contact(turns, self.conditions)
        return list(ctx.get_hits(name)) if ctx.holds(name) or ctx.get_hits(name) else []
