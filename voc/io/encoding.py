"""Encoding detection: UTF-8 (with or without BOM) first, then GB18030/GBK or Big5.

Never decodes with replacement characters: a file that is none of these is refused.
"""
from __future__ import annotations

import codecs

from ..errors import InputError

SAMPLE = 1 << 20  # bytes read to decide


def _decodes(sample: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)(errors="strict").decode(sample, final=False)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def _mostly_utf8(sample: bytes) -> bool:
    """True when all but a few lines are UTF-8 (line-oriented files: the rest go to errors)."""
    lines = [line for line in sample.split(b"\n")[:-1] if line.strip()]
    bad = sum(not _decodes(line, "utf-8") for line in lines)
    return bool(lines) and bad <= max(1, len(lines) // 100) and bad < len(lines)


def detect_encoding(sample: bytes, name: str = "input", line_oriented: bool = False) -> str:
    """The encoding of a file from its first bytes: ``utf-8-sig``, ``utf-8``, ``gb18030`` or ``big5``.

    ``line_oriented`` (JSONL): a file whose lines are UTF-8 but for one or two is UTF-8; the
    reader sends those lines to the errors file.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(sample, "utf-8") or (line_oriented and _mostly_utf8(sample)):
        return "utf-8"
    candidates = [enc for enc in ("gb18030", "big5") if _decodes(sample, enc)]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:  # Big5 bytes often decode "successfully" as GB18030: ask charset-normalizer
        from charset_normalizer import from_bytes

        best = from_bytes(sample, cp_isolation=candidates).best()
        if best is not None:
            return "big5" if best.encoding.startswith("big5") else "gb18030"
        return "gb18030"
    raise InputError(f"{name} is neither UTF-8 nor GB18030/GBK nor Big5 text; "
                     f"convert it to UTF-8 or pass --encoding with its real encoding.")


def check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}; use a Python codec name such as utf-8 or gb18030.") from None
