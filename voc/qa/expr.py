"""The small boolean language of a QA rule's ``when``: condition names combined with
``and``, ``or``, ``not`` and parentheses (``&&``, ``||`` and ``!`` are accepted too, as in
Baidu's ``(会议||例会) && (缺货||退款)``). Parsed by a recursive-descent parser into closures;
nothing is ever ``eval``-ed.

    greeting and not (rude or mocking)
"""
from __future__ import annotations

import re
from typing import Callable

_TOKEN = re.compile(r"\s*(?:(\()|(\))|(&&|\band\b)|(\|\||\bor\b)|(!|\bnot\b)|([A-Za-z_][A-Za-z0-9_\-]*)|(\S))")

Lookup = Callable[[str], bool]


class ExprError(ValueError):
    """A ``when`` expression that does not parse (the message says where)."""


class Expr:
    """A parsed expression: ``names`` (every condition it reads), ``positive`` (the names read
    outside any ``not``: their hits are the evidence of a rule that fires), ``__call__(lookup)``."""

    def __init__(self, source: str):
        self.source = source
        self._toks = self._tokens(source)
        self._i = 0
        self.names: list[str] = []
        self.positive: list[str] = []
        self._fn = self._or(False)
        if self._i != len(self._toks):
            raise ExprError(f"unexpected {self._toks[self._i][1]!r} in {source!r}")

    @staticmethod
    def _tokens(source: str) -> list[tuple[str, str]]:
        out = []
        kinds = ("(", ")", "and", "or", "not", "name", "bad")
        pos = 0
        while pos < len(source):
            m = _TOKEN.match(source, pos)
            if m is None or m.end() == pos:
                break
            pos = m.end()
            for kind, value in zip(kinds, m.groups()):
                if value is not None:
                    if kind == "bad":
                        raise ExprError(f"unexpected {value!r} in {source!r}; use names, and, or, not, ( )")
                    out.append((kind, value))
        if not out:
            raise ExprError("empty expression")
        return out

    def _peek(self) -> str | None:
        return self._toks[self._i][0] if self._i < len(self._toks) else None

    def _or(self, negated: bool):
        parts = [self._and(negated)]
        while self._peek() == "or":
            self._i += 1
            parts.append(self._and(negated))
        if len(parts) == 1:
            return parts[0]
        return lambda look: any(p(look) for p in parts)

    def _and(self, negated: bool):
        parts = [self._not(negated)]
        while self._peek() == "and":
            self._i += 1
            parts.append(self._not(negated))
        if len(parts) == 1:
            return parts[0]
        return lambda look: all(p(look) for p in parts)

    def _not(self, negated: bool):
        if self._peek() == "not":
            self._i += 1
            inner = self._not(not negated)
            return lambda look: not inner(look)
        return self._atom(negated)

    def _atom(self, negated: bool):
        kind = self._peek()
        if kind == "(":
            self._i += 1
            inner = self._or(negated)
            if self._peek() != ")":
                raise ExprError(f"a '(' is not closed in {self.source!r}")
            self._i += 1
            return inner
        if kind == "name":
            name = self._toks[self._i][1]
            self._i += 1
            if name not in self.names:
                self.names.append(name)
            if not negated and name not in self.positive:
                self.positive.append(name)
            return lambda look: look(name)
        got = "the end" if kind is None else repr(self._toks[self._i][1])
        raise ExprError(f"expected a condition name or '(' but found {got} in {self.source!r}")

    def __call__(self, lookup: Lookup) -> bool:
        return bool(self._fn(lookup))
