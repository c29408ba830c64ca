"""Values from hostile or messy exports made safe to read: JSON lines parsed under limits,
lone surrogates replaced, lists and objects in scalar fields turned into text, and table
headers with duplicate or empty names made unique.

Each problem either is repaired the same way every time (and said once in the log) or
becomes a ``ValueError`` whose message is the errors-file reason of that row.
"""
from __future__ import annotations

import functools
import json
import logging
import re
import sys
from typing import Any, Sequence

log = logging.getLogger("voc.io")

MAX_DEPTH = 64  # JSON nesting deeper than this sends the row to the errors file
MAX_LINE = 16 * 1024 * 1024  # a JSON line (or CSV field) longer than this: row to the errors file
_SURROGATE = re.compile("[\ud800-\udfff]")
# NaN / Infinity (pandas writes them for missing values) read as null: output stays valid JSON
DECODER = json.JSONDecoder(parse_constant=lambda name: None)


def _big_int(digits: str) -> int | str:
    """An integer literal; past Python's digit limit for int(str), its digits as text."""
    return int(digits) if len(digits) < sys.get_int_max_str_digits() - 1 else digits


BIG_DECODER = json.JSONDecoder(parse_constant=lambda name: None, parse_int=_big_int)


def parse_json(line: str) -> Any:
    """One JSON value from ``line``, or ``ValueError`` with the reason for the errors file:
    invalid JSON or nesting deeper than ``MAX_DEPTH``. An integer longer than Python's
    int-from-string limit is kept as its digits (text); lone surrogates (``\\ud800``) become U+FFFD."""
    if len(line) > MAX_LINE:
        raise ValueError(f"line of {len(line):,} characters, over the {MAX_LINE:,} limit; split the record")
    try:
        obj = DECODER.decode(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON: {e.msg} at column {e.colno}") from None
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # int('1' * 5000): Python's limit on digits converted from text
        obj = BIG_DECODER.decode(line)
    if line.count("[") + line.count("{") > MAX_DEPTH and depth(obj) > MAX_DEPTH:  # (checked(), inlined: hot)
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
    if "\\ud" in line or "\\uD" in line:
        obj = no_surrogates(obj)
    return obj


def checked(obj: Any, text: str) -> Any:
    """``obj`` parsed from ``text``: ``ValueError`` when nested deeper than ``MAX_DEPTH``; lone
    surrogates replaced."""
    if text.count("[") + text.count("{") > MAX_DEPTH and depth(obj) > MAX_DEPTH:
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
    if "\\ud" in text or "\\uD" in text:
        obj = no_surrogates(obj)
    return obj


def depth(obj: Any) -> int:
    """Nesting depth of lists and objects (iterative: safe on any depth)."""
    best, stack = 0, [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if isinstance(o, dict):
            o = list(o.values())
        elif not isinstance(o, list):
            continue
        best = max(best, d)
        stack.extend((x, d + 1) for x in o if isinstance(x, (list, dict)))
    return best


def no_surrogates(obj: Any) -> Any:
    """``obj`` with every lone surrogate in its strings (keys too) replaced by U+FFFD: such a
    string cannot be written as UTF-8 by any later step."""
    if isinstance(obj, str):
        return _SURROGATE.sub("\ufffd", obj)
    if isinstance(obj, list):
        return [no_surrogates(x) for x in obj]
    if isinstance(obj, dict):
        return {no_surrogates(k): no_surrogates(v) for k, v in obj.items()}
    return obj


def unique_header(cells: Sequence[str], where: str) -> list[str]:
    """Header names with none lost: an empty name becomes ``column_<position>``, a repeated
    one gets ``_2``, ``_3`` ... (warned once per file), so every column reaches the metadata."""
    names: list[str] = []
    used: set[str] = set()
    changed: list[str] = []
    for i, raw in enumerate(cells, 1):
        name = raw.strip().lstrip("\ufeff").strip()
        if not name:
            name = f"column_{i}"
            changed.append(f"column {i} has no name: {name}")
        if name in used:
            n = 2
            while f"{name}_{n}" in used:
                n += 1
            changed.append(f"{name!r} repeated: column {i} is {name}_{n}")
            name = f"{name}_{n}"
        used.add(name)
        names.append(name)
    if changed:
        log.warning("%s: %s", where, scrubbed("; ".join(changed[:5]) + (" ..." if len(changed) > 5 else "")))
    return names


@functools.cache
def _redactor():
    from ..text.redact import Redactor

    return Redactor()


def scrubbed(value: Any) -> Any:
    """``value`` with personal data redacted (``voc.text.redact.Redactor.scrub``): for error
    messages and errors-file rows that quote the input (header cells, speaker labels, ids)."""
    return _redactor().scrub(value)
