"""User regular expressions (escalation rules, system-line files): checked before they run.

Python's ``re`` backtracks, so a pattern such as ``(a+)+$`` takes time exponential in the
length of a text it almost matches (``'a' * 30 + '!'``: minutes), and one such pattern in a
rules file would hang a whole run. ``unsafe_reason(pattern)`` walks the parsed pattern (the
standard library's own parser, so it sees exactly what ``re`` will run) and names the
constructs that backtrack catastrophically:

* a repeat whose body itself holds an unbounded repeat: ``(a+)+``, ``(.*)*``, ``(\\w+\\s?)*``;
* an unbounded repeat of a group of several parts that can all match nothing: ``(a?b?)*``.

Possessive repeats and atomic groups (``a++``, ``(?>...)``, Python 3.11+) never backtrack
into their body and are accepted. The check is static and deterministic (no time budget
that would make a run's output depend on the machine's speed); it refuses a few patterns that
would in fact be safe, and the message says how to rewrite them.
"""
from __future__ import annotations

import re
from typing import Any

try:  # Python 3.11+
    from re import _constants as _c, _parser as _p
except ImportError:  # pragma: no cover - Python < 3.11 (voc needs 3.11)
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}
_SAFE = {getattr(_c, "POSSESSIVE_REPEAT", None), getattr(_c, "ATOMIC_GROUP", None)} - {None}
UNBOUNDED = 50  # a repeat allowing more than this many copies counts as unbounded

__all__ = ["unsafe_reason", "compile_user"]


def _subpatterns(op: Any, av: Any) -> list[Any]:
    """The sub-patterns of one parsed item (to walk into)."""
    if op in _REPEATS or op in _SAFE and op is not getattr(_c, "ATOMIC_GROUP", None):
        return [av[2]]
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return [av]
    if op is _c.SUBPATTERN:
        return [av[-1]]
    if op is _c.BRANCH:
        return list(av[1])
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return [av[1]]
    if op is _c.GROUPREF_EXISTS:
        return [x for x in av[1:] if x is not None]
    return []


def _has_unbounded(items: Any) -> bool:
    for op, av in items:
        if op in _SAFE:
            continue
        if op in _REPEATS and av[1] > UNBOUNDED:
            return True
        if any(_has_unbounded(s) for s in _subpatterns(op, av)):
            return True
    return False


def _unwrap(items: Any) -> Any:
    """The items of a group, through groups of one item: ``((a?))`` -> ``[a?]``."""
    while len(items) == 1 and items[0][0] is _c.SUBPATTERN:
        items = items[0][1][-1]
    return items


def _can_be_empty(items: Any) -> bool:
    lo, _ = items.getwidth()
    return lo == 0


def _check(items: Any) -> str | None:
    for op, av in items:
        if op in _SAFE:
            continue
        if op in _REPEATS and av[1] > UNBOUNDED:
            body = av[2]
            if _has_unbounded(body):
                return "it nests an unbounded repeat inside another one, e.g. (a+)+ or (.*)*"
            if _can_be_empty(body) and len(_unwrap(body)) > 1:
                return "it repeats without bound a group whose parts can all match nothing, e.g. (a?b?)*"
        for s in _subpatterns(op, av):
            reason = _check(s)
            if reason:
                return reason
    return None


def unsafe_reason(pattern: str, flags: int = 0) -> str | None:
    """Why ``pattern`` can backtrack catastrophically, or None when it is safe (or does not
    parse: ``re.compile`` then raises the parse error itself)."""
    try:
        parsed = _p.parse(pattern, flags)
    except (re.error, RecursionError, OverflowError):
        return None
    return _check(parsed)


def compile_user(pattern: str, flags: int = 0) -> re.Pattern:
    """``re.compile`` for a user's pattern: ``re.error`` when it does not parse, ``ValueError``
    (with the reason and how to fix it) when it can backtrack catastrophically."""
    compiled = re.compile(pattern, flags)
    reason = unsafe_reason(pattern, flags)
    if reason:
        raise ValueError(f"{reason}, which can take hours on one text; write it without the nested "
                         f"repeat (e.g. a+ for (a+)+) or make the inner repeat possessive (a++)")
    return compiled
