"""One compact JSON line per record, the bytes of
``json.dumps(record, ensure_ascii=False, separators=(",", ":"))``, made faster with orjson where
it is installed (the ``fast`` extra) and gives exactly those bytes.

Why: encoding the output records took ~0.025 ms per contact with the standard library's C
encoder (about 2.5% of ``voc tag``'s CPU), orjson about a third of that. orjson writes the same
text as the standard encoder with these options for str (UTF-8 unescaped; the same escapes of
``"``, ``\\``, control characters: ``\\n``, ``\\u001f`` ...), bool, None, int within 64 bits,
list, tuple and dict with str keys, and for floats that are 0 or whose magnitude lies in
[1e-4, 1e16) (the shortest repr in fixed notation, both ways; checked on 600,000 random
floats and every character below U+3000, tests/test_jsonline.py). It differs elsewhere: NaN and
infinities become ``null``, other floats are written in another exponent notation, and it
encodes types the standard encoder refuses (datetime, UUID, dataclass, enum). So a record goes
to orjson only when ``plain`` finds nothing but those types and floats in it; any other
record, or one orjson refuses (a lone surrogate, an int beyond 64 bits), takes the standard
encoder, which writes (or refuses) it as before. Output bytes are the same either way.
"""
from __future__ import annotations

import json
from typing import Any, Sequence

try:  # optional: pip install 'voc-cx[fast]'
    import orjson
except ImportError:  # pragma: no cover - depends on the installation
    orjson = None

# json.dumps with these options builds a new encoder on every call; one made once encodes the same
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_INT_MIN, _INT_END = -2 ** 63, 2 ** 64  # orjson's integers (it raises beyond)


def plain(value: Any) -> bool:
    """True when ``value`` holds only what orjson writes as the standard encoder does (see
    the module's docstring). Written out by hand for speed: it runs on every output record
    (~50 values), so the values of a dict or list that need no look inside (str, None, bool,
    float, int) are tested in the loop, without a call each."""
    t = type(value)
    if t is dict:
        for k in value:
            if type(k) is not str:
                return False
        items: Any = value.values()
    elif t is list or t is tuple:
        items = value
    elif t is float:
        return value == 0.0 or 1e-4 <= abs(value) < 1e16  # False for NaN and infinities
    elif t is int:
        return _INT_MIN <= value < _INT_END
    else:
        return t is str or value is None or t is bool
    for v in items:
        tv = type(v)
        if tv is str or v is None or tv is bool:
            continue
        if tv is float:
            if v == 0.0 or 1e-4 <= abs(v) < 1e16:
                continue
            return False
        if tv is int:
            if _INT_MIN <= v < _INT_END:
                continue
            return False
        if not plain(v):
            return False
    return True


def dumps(record: Any) -> str:
    """One compact JSON line (``json.dumps(record, ensure_ascii=False, separators=(",", ":"))``)."""
    if orjson is not None:
        try:
            if plain(record):
                return orjson.dumps(record).decode()
        except (TypeError, RecursionError):  # orjson refuses it; a cycle: the standard encoder says so
            pass
    return _ENCODER.encode(record)


def jsonl_text(records: Sequence[Any]) -> str:
    """The JSONL lines of ``records``, as ``JsonlWriter.write`` writes them one by one."""
    return "".join([dumps(r) + "\n" for r in records])
