"""What every finder of ``voc.text.redact`` shares: the kinds and their placeholders, the
entity record, and the length-preserving normalisation all matching runs on.

The normalised copy is built with a one-to-one character map (full-width digits, letters and
punctuation -> ASCII, exotic spaces -> space, dash variants -> ``-``), so match offsets are
offsets into the original text. Placeholders and pseudonyms already in the input are masked
(``MASK``) so that a second pass finds nothing new (``redact`` is idempotent)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["KINDS", "PLACEHOLDERS", "Entity", "MASK", "DIGIT", "TRANSLATE", "PLACEHOLDER_RE", "match_copy",
           "not_before"]

KINDS = ("id_card", "mobile", "bank_card", "email", "landline", "plate", "address",
         "name", "wechat", "qq", "passport")

PLACEHOLDERS = {
    "id_card": "〔身份证〕",
    "mobile": "〔手机号〕",
    "bank_card": "〔银行卡〕",
    "email": "〔邮箱〕",
    "landline": "〔电话〕",
    "plate": "〔车牌〕",
    "address": "〔地址〕",
    "name": "〔姓名〕",
    "wechat": "〔微信号〕",
    "qq": "〔QQ号〕",
    "passport": "〔护照号〕",
}


@dataclass(frozen=True)
class Entity:
    kind: str
    start: int
    end: int
    text: str


def _build_translation() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xFF01, 0xFF5F):  # full-width ASCII block
        ch = unicodedata.normalize("NFKC", chr(cp))
        if len(ch) == 1 and ch.isascii():
            table[cp] = ch
    for cp in (0x3000, 0x00A0, 0x2007, 0x202F, 0x205F, 0x0009) + tuple(range(0x2000, 0x200B)):
        table[cp] = " "
    for cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63):
        table[cp] = "-"
    return table


TRANSLATE = _build_translation()
MASK = "\u3013"  # 〓: not a digit, letter, CJK ideograph or separator
DIGIT = re.compile("[0-9]")

PLACEHOLDER_RE = re.compile(
    "〔(?:" + "|".join(re.escape(p[1:-1]) for p in PLACEHOLDERS.values()) + ")(?::[0-9a-f]{8})?〕"
)

# the characters TRANSLATE changes; most texts have none, and str.translate costs a dict
# lookup per character
_NEEDS_TRANSLATE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(TRANSLATE)) + "]")


def match_copy(text: str) -> str:
    """The normalised copy of ``text`` that the finders read (same length as ``text``)."""
    norm = text.translate(TRANSLATE) if _NEEDS_TRANSLATE.search(text) else text
    if "〔" in norm:
        norm = PLACEHOLDER_RE.sub(lambda m: MASK * (m.end() - m.start()), norm)
    return norm


def not_before(words: str, gap: int = 8) -> re.Pattern:
    """A context regex: one of ``words`` (a regex alternation) ending at most ``gap`` characters
    before the end of the searched slice, with no digit or masked entity in between (so a
    context word belongs to the nearest number)."""
    return re.compile(rf"(?:{words})[^0-9{MASK}]{{0,{gap}}}$")
