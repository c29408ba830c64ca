"""Personal-data redaction for Chinese customer-service text.

Finds resident ID numbers, mobile and landline phone numbers, bank cards, e-mail addresses,
vehicle plates, street-level postal addresses, personal names, WeChat ids, QQ numbers and
passport / travel-permit numbers, and replaces them with fixed placeholders (``〔手机号〕``)
or, when a key is given, with keyed pseudonyms (``〔手机号:3fa9c1d2〕``) that are stable
across formats of the same value. ``Redactor.scrub(value)`` redacts any JSON-like value
(keys too, numbers that hold a phone or an ID): every string that leaves voc goes through it.

* ``base``: kinds, placeholders, the length-preserving normalised copy the finders read;
* ``numbers``: IDs, mobiles, cards, landlines, e-mail, plates; ``address``: addresses;
* ``people``: names (titles, cues + jieba's POS tagger, a user list), WeChat, QQ, passports;
* ``clean``: zero-width characters, HTML and scientific notation undone before ``scrub``;
* ``core``: resolution of overlapping candidates, pseudonyms, ``Redactor``.

Only the standard library is used, plus jieba's POS tagger (already a dependency) for names
after a weak cue (我叫/我是). Placeholders already present are masked before matching, and
context-dependent kinds (cards, then landlines) are decided on the text as it reads after
redaction, so ``redact`` is idempotent (checked by property tests).
"""
from __future__ import annotations

from .base import KINDS, PLACEHOLDERS, Entity
from .core import Redactor, canonical_value, find_entities, personal_token, pseudonym, read_names, redact

__all__ = ["Entity", "KINDS", "PLACEHOLDERS", "Redactor", "canonical_value", "find_entities", "personal_token",
           "pseudonym", "read_names", "redact"]
