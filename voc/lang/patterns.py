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
from functools import lru_cache
from typing import Any

try:  # Python 3.11+
    from re import _constants as _c, _parser as _p
except ImportError:  # pragma: no cover - Python < 3.11 (voc needs 3.11)
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}
_SAFE = {getattr(_c, "POSSESSIVE_REPEAT", None), getattr(_c, "ATOMIC_GROUP", None)} - {None}
UNBOUNDED = 50  # a repeat allowing more than this many copies counts as unbounded

__all__ = ["unsafe_reason", "compile_user", "first_chars", "compile_scanning"]


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


def compile_user(pattern: str, flags: int = 0, scanning: bool = False) -> re.Pattern:
    """``re.compile`` for a user's pattern: ``re.error`` when it does not parse, ``ValueError``
    (with the reason and how to fix it) when it can backtrack catastrophically. ``scanning``:
    compiled by ``compile_scanning`` (same matches, found faster by ``search``)."""
    compiled = re.compile(pattern, flags)
    reason = unsafe_reason(pattern, flags)
    if reason:
        raise ValueError(f"{reason}, which can take hours on one text; write it without the nested "
                         f"repeat (e.g. a+ for (a+)+) or make the inner repeat possessive (a++)")
    return compile_scanning(pattern, flags) if scanning else compiled


# -- scanning faster: the characters a match can start with -------------------------------------
_CATEGORIES = {_c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_NOT_DIGIT: r"\D", _c.CATEGORY_SPACE: r"\s",
               _c.CATEGORY_NOT_SPACE: r"\S", _c.CATEGORY_WORD: r"\w", _c.CATEGORY_NOT_WORD: r"\W"}
_ZERO_WIDTH_AT = {_c.AT_BEGINNING, _c.AT_BEGINNING_STRING, _c.AT_BOUNDARY, _c.AT_NON_BOUNDARY}


def _char(code: int) -> str:
    return f"\\U{code:08x}"


def _first(items: Any) -> tuple[list[str], bool] | None:
    """(class items that the first character of a match is one of, whether the items can match
    nothing at all), or None when that cannot be told (any character, a lookaround, ...)."""
    out: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            return out + [_char(av)], False
        if op is _c.IN:
            for kind, arg in av:
                if kind is _c.LITERAL:
                    out.append(_char(arg))
                elif kind is _c.RANGE:
                    out.append(f"{_char(arg[0])}-{_char(arg[1])}")
                elif kind is _c.CATEGORY and arg in _CATEGORIES:
                    out.append(_CATEGORIES[arg])
                else:  # a negated class, or a category this does not know
                    return None
            return out, False
        if op is _c.AT and av in _ZERO_WIDTH_AT:  # zero width: the next item consumes the first character
            continue
        if op is _c.SUBPATTERN:
            if av[1] or av[2]:  # (?i:...) and the like change how characters match
                return None
            sub = _first(av[3])
        elif op is _c.BRANCH:
            subs = [_first(b) for b in av[1]]
            if any(x is None for x in subs):
                return None
            sub = ([c for x in subs for c in x[0]], any(x[1] for x in subs))
        elif op in _REPEATS or op is getattr(_c, "POSSESSIVE_REPEAT", None):
            inner = _first(av[2])
            sub = None if inner is None else (inner[0], inner[1] or av[0] == 0)
        else:  # ANY, NOT_LITERAL, lookarounds, group references, end anchors ...
            return None
        if sub is None:
            return None
        out += sub[0]
        if not sub[1]:
            return out, False
    return out, True


def _cased(code: int) -> bool:
    c = chr(code)
    return c.lower() != c or c.upper() != c


def _re_finds_start(items: Any, flags: int) -> bool:
    """Whether ``re`` skips to where a match of the parsed pattern ``items`` can start by itself:
    it opens with a literal, a class, or an alternation whose every branch opens with a literal
    (characters without case under IGNORECASE), as ``re._compiler`` checks, or with ``^`` (tried
    at the start only). A lookahead would then only slow it."""
    while items and items[0][0] is _c.SUBPATTERN and not (items[0][1][1] or items[0][1][2]):
        items = items[0][1][3]
    if not items:
        return False
    cased = _cased if flags & re.IGNORECASE else (lambda code: False)
    op, av = items[0]
    if op is _c.LITERAL:
        return not cased(av)
    if op is _c.IN:
        return not any(kind is _c.LITERAL and cased(arg) or kind is _c.RANGE and any(map(cased, range(arg[0], arg[1] + 1)))
                       for kind, arg in av)
    if op is _c.AT and av in (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING):  # tried at the start only
        return True
    if op is _c.BRANCH:
        return all(b and b[0][0] is _c.LITERAL and not cased(b[0][1]) for b in av[1])
    return False


def _parsed(pattern: str, flags: int) -> Any:
    try:
        return _p.parse(pattern, flags)
    except (re.error, RecursionError, OverflowError):
        return None


def _class_of(items: Any) -> str | None:
    found = _first(items)
    if found is None or found[1] or not found[0]:
        return None
    return "[" + "".join(dict.fromkeys(found[0])) + "]"


def first_chars(pattern: str, flags: int = 0) -> str | None:
    """A character class (``[...]``) that the first character of every match of ``pattern``
    is in, or None when that cannot be told or the pattern can match the empty string."""
    items = _parsed(pattern, flags)
    return None if items is None else _class_of(items)


@lru_cache(maxsize=512)
def compile_scanning(pattern: str, flags: int = 0) -> re.Pattern:
    """``re.compile(pattern, flags)``, with a lookahead of the characters a match can start
    with (``first_chars``) in front when they can be told: the same matches, found faster.

    Speed: ``re`` tries an alternation of many patterns at every position of the text unless
    it can tell the first characters itself, which it does only for plain literals at the top
    level; with the lookahead (compiled under the same flags, so case-insensitivity applies to
    it the same way) a position that no pattern can start at costs one class test. On the
    shipped system-line fragments: 5.2 -> 2.0 µs a turn."""
    items = _parsed(pattern, flags)
    cls = None if items is None or _re_finds_start(items, flags) else _class_of(items)
    if cls is not None:
        try:
            return re.compile(f"(?={cls})(?:{pattern})", flags)
        except re.error:  # e.g. global flags (?i) that must open the pattern
            pass
    return re.compile(pattern, flags)
