"""The redactor: candidates of every finder, resolved into non-overlapping entities, replaced
by placeholders or keyed pseudonyms; ``Redactor.scrub`` for any JSON-like value and
``Redactor.redact_turns`` for numbers split across the turns of a contact."""
from __future__ import annotations

import hashlib
import hmac
import math
import re
from typing import Any, Iterable

from ..checksums import card_iin_plausible, id_shaped
from .address import find_address
from .base import DIGIT, KINDS, MASK, PLACEHOLDERS, TRANSLATE, Entity, match_copy
from .clean import clean, is_clean
from .numbers import CN_DIGIT_VALUE, find_card, find_email, find_id, find_landline, find_mobile, find_plate
from .people import find_name, find_passport, find_qq, find_wechat, is_person_name, name_list_finder, warm_pos

__all__ = ["Redactor", "canonical_value", "find_entities", "personal_token", "pseudonym", "read_names", "redact"]

_FINDERS = {
    "id_card": find_id,
    "mobile": find_mobile,
    "bank_card": find_card,
    "email": find_email,
    "landline": find_landline,
    "plate": find_plate,
    "address": find_address,
    "name": find_name,
    "wechat": find_wechat,
    "qq": find_qq,
    "passport": find_passport,
}
_PRIORITY = {k: i for i, k in enumerate(("email", "id_card", "bank_card", "mobile", "landline", "plate", "address",
                                         "passport", "wechat", "qq", "name"))}
_DIGIT_KINDS = ("id_card", "mobile", "bank_card", "landline")

_TRIMMABLE = {
    "address": lambda norm, s, e: e - s >= 3,
    "email": lambda norm, s, e: norm.find("@", s, e) > s,
}

# Entities whose decision depends on nearby words are found last, on a copy of
# the text in which the entities found so far are masked.  Context is thus read
# exactly as it will look after redaction, which keeps redact() idempotent.
_PHASES = (
    ("email", "id_card", "mobile", "plate", "address", "name", "wechat", "qq", "passport"),
    ("bank_card",),
    ("landline",),
)


def _check_kinds(kinds) -> tuple[str, ...]:
    if isinstance(kinds, str):
        kinds = (kinds,)
    kinds = tuple(kinds)
    unknown = [k for k in kinds if k not in _FINDERS]
    if unknown:
        raise ValueError(f"unknown entity kind(s): {unknown}; expected a subset of {KINDS}")
    return kinds


def _resolve(cands: list[tuple[int, int, int, str]], norm: str) -> list[tuple[int, int, str]]:
    """Greedy non-overlapping selection: earliest start, then longest, then priority."""
    cands.sort()
    out: list[tuple[int, int, str]] = []
    last_end = -1
    for s, neg_len, _, k in cands:
        e = s - neg_len
        if s < last_end < e and k in _TRIMMABLE and _TRIMMABLE[k](norm, last_end, e):
            # "京A1234学|阳光小区5栋", "138 1234 5678|abc@qq.com": keep the part
            # that the earlier entity does not cover
            s = last_end
        if s >= last_end:
            out.append((s, e, k))
            last_end = e
    return out


def _mask(norm: str, spans: list[tuple[int, int, str]]) -> str:
    parts, pos = [], 0
    for s, e, _ in spans:
        parts.append(norm[pos:s])
        parts.append(MASK * (e - s))
        pos = e
    parts.append(norm[pos:])
    return "".join(parts)


_CJK = re.compile("[\u3400-\u9fff]")
_LETTER = re.compile("[A-Za-z]")
_SPOKEN = re.compile("[一幺][三四五六七八九]")  # a spoken mobile starts so


def _gates(norm: str) -> frozenset:
    """The kinds that can match at all in ``norm`` (cheap character-class checks and the count
    of ASCII digits each number kind needs at least), so the finders that cannot are not run
    (same result, less time: most fields are short)."""
    cjk = _CJK.search(norm) is not None
    letter = _LETTER.search(norm) is not None
    digits = sum(map(norm.count, "0123456789")) if DIGIT.search(norm) else 0
    ok = set()
    if digits:
        # the fewest [0-9] a match needs: ID 17 (+ check digit or X), card 15 (_loose_card and
        # _CARD_RE), landline 10 (area code 3 + local 7), mobile 11, passport 7, QQ 5, plate 3
        # (a 5-character tail of digits, or at least 3 digits in it); masking for later phases
        # only removes digits, so counting on ``norm`` is a safe upper bound
        if digits >= 17:
            ok.add("id_card")
        if digits >= 15:
            ok.add("bank_card")
        if digits >= 10:
            ok.add("landline")
        if digits >= 3 and cjk:
            ok.add("plate")
        if digits >= 5 and (letter or cjk):
            ok.add("qq")
        if digits >= 7 and letter:
            ok.add("passport")
    if digits >= 11 or (cjk and ("一" in norm or "幺" in norm) and _SPOKEN.search(norm)):  # (_SPOKEN starts so)
        ok.add("mobile")  # (find_mobile runs its digit pattern only on text with a digit)
    if "@" in norm:
        ok.add("email")
    if cjk:
        ok.update(("name", "address"))
    if letter:
        ok.add("wechat")
    return frozenset(ok)


_PLANS: dict = {}


def _plan(kinds: tuple[str, ...], gates: frozenset) -> list[list[tuple[str, Any, int]]]:
    """The finders of each phase that are asked for and can match (few distinct gate sets occur)."""
    key = (kinds, gates)
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= 4096:
            _PLANS.clear()
        plan = _PLANS[key] = [[(k, _FINDERS[k], _PRIORITY[k]) for k in phase if k in kinds and k in gates]
                              for phase in _PHASES]
    return plan


def _find(text: str, norm: str, kinds: tuple[str, ...], extra=None) -> list[Entity]:
    found: list[tuple[int, int, str]] = []
    work = norm
    last = len(_PHASES) - 1
    for i, phase in enumerate(_plan(kinds, _gates(norm))):
        cands: list[tuple[int, int, int, str]] = []
        for kind, finder, pr in phase:
            for s, e, k in finder(work):
                cands.append((s, -(e - s), pr, k))
        if extra is not None and i == 0:
            for s, e, k in extra(work):
                cands.append((s, -(e - s), _PRIORITY[k], k))
        if cands:
            new = _resolve(cands, work)
            found.extend(new)
            if i != last:
                work = _mask(work, new)
    if not found:
        return []
    found.sort()
    return [Entity(k, s, e, text[s:e]) for s, e, k in found]


def find_entities(text: str, kinds=KINDS, *, names: Iterable[str] = ()) -> list[Entity]:
    """Personal-data entities in ``text``: non-overlapping, sorted by start."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    kinds = _check_kinds(kinds)
    if not text:
        return []
    return _find(text, match_copy(text), kinds, name_list_finder(names) if names else None)


# --------------------------------------------------------------------------- #
# pseudonyms


def canonical_value(kind: str, value: str) -> str:
    """Format-independent form of an entity value (used for keyed pseudonyms)."""
    norm = value.translate(TRANSLATE)
    if kind in ("mobile", "id_card", "bank_card", "landline", "qq"):
        digits = "".join(CN_DIGIT_VALUE.get(c, c) for c in norm)
        keep = "".join(c for c in digits if c.isascii() and (c.isdigit() or c in "Xx")).upper()
        if kind == "mobile":
            return keep[-11:]
        if kind == "landline":
            if norm.lstrip().startswith(("+86", "0086")):
                keep = "0" + keep[4:] if keep.startswith("0086") else "0" + keep[2:]
            return keep
        return keep
    if kind in ("email", "wechat"):
        return norm.strip().lower()
    if kind == "plate":
        return "".join(c for c in norm if c not in "·・•. -").upper()
    if kind == "passport":
        return norm.strip().upper()
    return "".join(norm.split())


def pseudonym(kind: str, value: str, key: bytes) -> str:
    """``〔手机号:3fa9c1d2〕``: first 8 hex digits of
    HMAC-SHA256(key, kind + ":" + canonical_value)."""
    msg = (kind + ":" + canonical_value(kind, value)).encode("utf-8", "surrogatepass")
    tag = hmac.new(key, msg, hashlib.sha256).hexdigest()[:8]
    return PLACEHOLDERS[kind][:-1] + ":" + tag + "〕"


# --------------------------------------------------------------------------- #
# redactor

# values scrub can pass without looking: times as exports write them, and ASCII strings with
# fewer than 5 digits and no @ or WeChat cue (no kind can match in them)
_SAFE_TIME = re.compile(r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?"
                        r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?")
# the ASCII digits of a string, counted as the length translate() removes (one C pass; ten
# str.count calls took ~2 µs, and a regex for "5 digits anywhere" ~0.6 µs, on each id)
_NO_ASCII_DIGITS = {c: None for c in range(ord("0"), ord("9") + 1)}
_PASSPORT_NUMBER = re.compile(r"[EeGg][0-9]{8}")


# The two tests below are, on an ASCII string, re.search(r"[VvWw][Xx]|weixin|wechat", value,
# re.I) (a WeChat cue) and re.search(r"qq|passport|[EeGg][0-9]{8}", value, re.I) (after the
# other gates of _scrub_str: ASCII with fewer than 10 digits, no @ and no WeChat cue, only a QQ
# number or a passport can match, and only after these, as in ids such as "U0012345"), written
# with lower() and substring tests (case-insensitive is lower() on ASCII; tests/test_redact_gates.py):
# the regex engine matches a case-insensitive alternation character by character (~1 µs on an
# 8-character id, against ~0.15 µs), and every id, customer id and channel of every contact
# passes here.
def _wx_ascii(value: str) -> bool:
    v = value.lower()
    return "vx" in v or "wx" in v or "weixin" in v or "wechat" in v


def _qq_passport_ascii(value: str) -> bool:
    v = value.lower()
    return "qq" in v or "passport" in v or _PASSPORT_NUMBER.search(value) is not None

# metadata keys whose values are read with the key as their cue
_KEY_CUE = re.compile(r"姓名|名字|联系人|聯繫人|收件人|收货人|客户名|户名|持卡人|机主|微信号?|微信|QQ|qq|扣扣|护照|護照|通行证|"
                      r"(?P<number>身份证|身份證|证件|證件|卡号|卡號|银行卡|銀行卡|账号|賬號|帳號)|"
                      r"(?i:name|wechat|weixin|passport|(?P<number2>id_?card|id_?no|card_?no|account))")
_DIGITS_15_19 = re.compile(r"[0-9]{15,19}")
_KEY_CUES: dict[str, Any] = {}  # key -> _KEY_CUE.search(key): metadata keys repeat on every contact


def _key_cue(key: str) -> Any:
    """``_KEY_CUE.search(key)``, remembered per key (1.8-3.6 µs a search, for each metadata key of
    each contact; an export has a few dozen keys, the memo is cleared past 10,000)."""
    try:
        return _KEY_CUES[key]
    except KeyError:
        if len(_KEY_CUES) >= 10_000:
            _KEY_CUES.clear()
        found = _KEY_CUES[key] = _KEY_CUE.search(key)
        return found

# a turn that ends / starts with a digit fragment (a number typed over several messages)
_ENDS_DIGIT = re.compile(r"[0-9０-９][\s。，,.\-]{0,2}$")
_STARTS_DIGIT = re.compile(r"\s*[0-9０-９(（+＋]")


ID_KEY = b"voc:identifiers"  # see Redactor.for_ids


class Redactor:
    """Callable redactor.  ``Redactor()(text)`` returns the redacted text;
    ``Redactor().redact(text)`` also returns the entities found in ``text``.
    ``names``: a user list of personal names to redact wherever they occur."""

    def __init__(self, kinds=KINDS, pseudonymise_key: bytes | None = None, names: Iterable[str] = ()):
        self.kinds = _check_kinds(kinds)
        if pseudonymise_key is not None and not isinstance(pseudonymise_key, (bytes, bytearray)):
            raise TypeError("pseudonymise_key must be bytes")
        self.pseudonymise_key = bytes(pseudonymise_key) if pseudonymise_key is not None else None
        self.names = tuple(names or ())
        self._names = name_list_finder(self.names) if self.names and "name" in self.kinds else None
        self._memo: dict[str, str] = {}  # scrub of short strings (channels, metadata keys and values repeat)

    def __repr__(self) -> str:
        keyed = "keyed" if self.pseudonymise_key else "placeholders"
        return f"Redactor(kinds={self.kinds!r}, {keyed}, names={len(self.names)})"

    def warm(self) -> None:
        """Load jieba's part-of-speech tagger now (names after 我叫/我是 use it)."""
        if "name" in self.kinds:
            warm_pos()

    def _replacement(self, ent: Entity) -> str:
        if self.pseudonymise_key is None:
            return PLACEHOLDERS[ent.kind]
        return pseudonym(ent.kind, ent.text, self.pseudonymise_key)

    def _apply(self, text: str, ents: list[Entity]) -> str:
        parts, pos = [], 0
        for ent in ents:
            parts.append(text[pos:ent.start])
            parts.append(self._replacement(ent))
            pos = ent.end
        parts.append(text[pos:])
        return "".join(parts)

    def find(self, text: str, kinds: tuple[str, ...] | None = None) -> list[Entity]:
        if not text:
            return []
        return _find(text, match_copy(text), kinds or self.kinds, self._names)

    def redact(self, text: str) -> tuple[str, list[Entity]]:
        ents = self.find(text)
        return (self._apply(text, ents) if ents else text), ents

    def __call__(self, text: str) -> str:
        return self.redact(text)[0]

    def redact_turns(self, texts: list[str]) -> list[str]:
        """Each text redacted, then numbers split over adjacent texts (``138`` / ``1234`` /
        ``5678`` typed as three chat messages) found on the joined digit fragments: every
        fragment of such a number becomes the placeholder."""
        out = [self(t) if t else t for t in texts]
        if len(out) < 2:
            return out
        i = 0
        while i < len(out) - 1:
            j = i
            while j + 1 < len(out) and _ENDS_DIGIT.search((out[j] or "")[-3:]) and _STARTS_DIGIT.match(out[j + 1] or ""):
                j += 1
            if j > i:
                out[i:j + 1] = self._join(out[i:j + 1])
            i = j + 1
        return out

    def _join(self, parts: list[str]) -> list[str]:
        # joined without a separator: a number typed over several messages reads as one
        starts, pos = [], 0
        for p in parts:
            starts.append(pos)
            pos += len(p)
        joined = "".join(parts)
        kinds = tuple(k for k in _DIGIT_KINDS if k in self.kinds)
        cuts: list[list[tuple[int, int, str]]] = [[] for _ in parts]
        for ent in self.find(joined, kinds):
            first = max(k for k, s in enumerate(starts) if s <= ent.start)
            last = max(k for k, s in enumerate(starts) if s < ent.end)
            if first == last:
                continue  # inside one text: found by the first pass already
            rep = self._replacement(ent)
            for k in range(first, last + 1):
                s = max(ent.start - starts[k], 0)
                e = min(ent.end - starts[k], len(parts[k]))
                if s < e:
                    cuts[k].append((s, e, rep))
        out = []
        for p, cut in zip(parts, cuts):
            for s, e, rep in sorted(cut, reverse=True):
                p = p[:s] + rep + p[e:]
            out.append(p)
        return out

    def _scrub_str(self, value: str) -> str:
        if len(value) > 64:
            return self._scrub_uncached(value)
        if _SAFE_TIME.fullmatch(value) or (value.isascii() and "@" not in value and not _wx_ascii(value) and (
                (digits := len(value) - len(value.translate(_NO_ASCII_DIGITS))) < 5
                or (self._names is None and digits < 10 and is_clean(value) and not _qq_passport_ascii(value)))):
            # a date-time, or ASCII without an @ or a WeChat cue and either without 5 digits or
            # (no name list, cleaning changes nothing) without 10 digits and a QQ / passport cue:
            # nothing to find (see _gates)
            return value
        out = self._memo.get(value)
        if out is None:
            if len(self._memo) >= 50_000:
                self._memo.clear()
            out = self._memo[value] = self._scrub_uncached(value)
        return out

    def _scrub_uncached(self, value: str) -> str:
        cleaned = clean(value, self._lossy)
        out = self(cleaned)
        if out != cleaned:
            return out
        # nothing found: keep the value as it was, unless a rounded number was replaced
        return cleaned if cleaned.count("〔") > value.count("〔") else value

    def _scrub_under(self, key: str, value: Any) -> Any:
        """A value under a key that is a cue (联系人, 微信, QQ, 护照, phone ...): read as
        ``key：value``, so a bare name or account id is found too."""
        cue = _key_cue(key)
        if not cue or isinstance(value, (bool, dict, list, tuple)) or value is None \
                or (isinstance(value, float) and not value.is_integer()):
            return self.scrub(value)
        text = str(int(value)) if isinstance(value, float) else str(value)
        if not text:
            return value
        if (cue.group("number") or cue.group("number2")) and _DIGITS_15_19.fullmatch(text):
            # an ID or card number under its own key whose check digit was rounded away (an
            # Excel number cell read as text): its shape decides
            lossy = self._lossy(text)
            if lossy is not None:
                return lossy
        ctx = cue.group() + "："
        out = self._scrub_str(ctx + text)
        if out.startswith(ctx) and out[len(ctx):] != text:
            return out[len(ctx):]
        return self.scrub(value)

    def _lossy(self, digits: str) -> str | None:
        """A float-rounded number of 15+ digits (an Excel cell): its check digit is lost, so
        its shape decides (an ID's region and birth date, a card issuer's prefix)."""
        if len(digits) >= 17 and id_shaped(digits[:18]) and "id_card" in self.kinds:
            return self._replacement(Entity("id_card", 0, len(digits), digits))
        if 15 <= len(digits) <= 19 and card_iin_plausible(digits) and "bank_card" in self.kinds:
            return self._replacement(Entity("bank_card", 0, len(digits), digits))
        return None

    def for_ids(self) -> "Redactor":
        """The redactor of identifiers (contact and customer ids): personal data in an id is
        replaced by a keyed pseudonym, never by the bare placeholder, so that two customers whose
        ids are phone numbers stay two customers (repeats, journeys, the store's one row per id).
        Without a pseudonymise key the key is the fixed ``ID_KEY``: the 8-hex tag of a mobile
        then matches about 20 of the 10^11 possible numbers, so it keeps them apart without
        naming one; give --pseudonymise for a secret key."""
        twin = Redactor(self.kinds, pseudonymise_key=self.pseudonymise_key or ID_KEY)
        twin.names, twin._names = self.names, self._names  # the name list, compiled once
        return twin

    def scrub(self, value: Any) -> Any:
        """``value`` with every string in it redacted (dict keys too; numbers that hold a
        phone, ID or card become the redacted string; integral floats are read by their
        integer digits): what every string leaving voc goes through. Strings are cleaned
        first (zero-width characters, HTML tags and entities, 1.38E+10 notation)."""
        if isinstance(value, str):
            return self._scrub_str(value) if value else value
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            if -10_000 < value < 10_000:
                return value
            try:
                s = str(value)
            except ValueError:  # more digits than int -> str allows: no personal data
                return value
            out = self._scrub_str(s)
            return value if out == s else out
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer() or abs(value) < 10_000:
                return value
            digits = str(int(abs(value)))
            if len(digits) >= 16:
                lossy = self._lossy(digits)
                if lossy is not None:
                    return lossy
            out = self(digits)
            return value if out == digits else out
        if isinstance(value, dict):
            return {self.scrub(str(k)): self._scrub_under(str(k), v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            return [self.scrub(v) for v in value]
        return self.scrub(str(value))


_DEFAULT = Redactor()


def redact(text: str) -> str:
    """Redact ``text`` with the default settings (all kinds, fixed placeholders)."""
    return _DEFAULT(text)


def personal_token(redactor: Redactor | None = None):
    """A test for single tokens (topic terms): a person name by jieba's tagger, or a token the
    redactor changes. Answers are cached per token."""
    r = redactor or _DEFAULT
    memo: dict[str, bool] = {}

    def personal(token: str) -> bool:
        hit = memo.get(token)
        if hit is None:
            hit = memo[token] = is_person_name(token) or r(token) != token
        return hit
    return personal


def read_names(path) -> list[str]:
    """A user name list (``voc tag --names FILE``): UTF-8, one name a line, ``#`` comments and
    blank lines skipped."""
    from ...errors import ConfigError

    try:
        with open(path, encoding="utf-8-sig") as f:
            return [ln.strip() for ln in f if ln.strip() and not ln.lstrip().startswith("#")]
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read the name list {path} ({e}); give a UTF-8 text file, one name a line.") \
            from None
