"""Cleaning of a value before ``Redactor.scrub`` reads it: fields other than the text (ids,
metadata, raw times, error reasons) do not go through the normalise stage, so the tricks that
hide a number from a pattern are undone here: zero-width characters, HTML tags and entities
splitting digits (``138<b>1234</b>5678``), and numbers that Excel wrote in scientific notation
(``1.3812345678E+10``). The cleaned string is only used when something is found in it."""
from __future__ import annotations

import html
import re
from typing import Callable

__all__ = ["clean", "is_clean"]

_ZW = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
_ZW_RE = re.compile(f"[{_ZW}]")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,200})?/?>")
_SCI = re.compile(r"(?<![0-9.])([0-9])\.([0-9]{1,17})[eE]\+?([0-9]{1,2})(?![0-9])")
_HINT = re.compile(f"[{_ZW}<&]|[0-9][eE]\\+?[0-9]")


def is_clean(value: str) -> bool:
    """``clean`` leaves ``value`` as it is (no zero-width character, ``<``, ``&`` or 1.3E+10 notation)."""
    return not _HINT.search(value)


def clean(value: str, lossy: Callable[[str], str | None] | None = None) -> str:
    """``value`` without zero-width characters and HTML, with scientific notation written out.
    ``lossy(digits)``: what to write for a number whose digits were rounded away (or None)."""
    if is_clean(value):
        return value
    if "&" in value:
        value = html.unescape(value)
    if "<" in value:
        value = _TAG.sub("", value)
    value = _ZW_RE.sub("", value)

    def expand(m: re.Match) -> str:
        lead, frac, exp = m.group(1), m.group(2), int(m.group(3))
        if exp < 4 or len(frac) > exp:
            return m.group()
        digits = lead + frac + "0" * (exp - len(frac))
        if lossy is not None and len(digits) >= 16 and len(frac) < exp:
            return lossy(digits) or digits
        return digits
    return _SCI.sub(expand, value)
