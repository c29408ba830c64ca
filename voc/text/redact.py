"""Personal-data redaction for Chinese customer-service text.

Finds resident ID numbers, mobile and landline phone numbers, bank cards, e-mail
addresses, vehicle plates and street-level postal addresses, and replaces them
with fixed placeholders (``〔手机号〕``) or, when a key is given, with keyed
pseudonyms (``〔手机号:3fa9c1d2〕``) that are stable across formats of the same
value.

Design notes
------------
* All matching runs on a *normalised copy* of the text built with a
  one-to-one character map (full-width digits/letters/punctuation -> ASCII,
  exotic spaces -> space, dash variants -> ``-``).  Because the map never
  changes the length, match offsets are offsets into the original text.
* Digit runs are delimited with digit look-arounds, never ``\\b`` (CJK
  characters are ``\\w``, so ``\\b`` does not fire between 号 and 1).
* Patterns use bounded or non-nested quantifiers and digit/letter
  look-behinds that stop the engine from retrying inside a run, so matching
  is linear in the input length (1 MB of chat text: about 0.5 s of CPU).
* Placeholders and pseudonyms already present in the input are masked before
  matching.  Context-dependent kinds (bank cards, then landlines) are decided
  on a copy of the text in which the entities found before them are masked,
  i.e. on the text as it will read after redaction.  Both make ``redact``
  idempotent (checked by property tests).

Only the standard library is used.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .checksums import card_iin_plausible, id_shaped, id_valid, luhn


__all__ = [
    "Entity",
    "KINDS",
    "PLACEHOLDERS",
    "Redactor",
    "canonical_value",
    "find_entities",
    "pseudonym",
    "redact",
]

KINDS = ("id_card", "mobile", "bank_card", "email", "landline", "plate", "address")

PLACEHOLDERS = {
    "id_card": "〔身份证〕",
    "mobile": "〔手机号〕",
    "bank_card": "〔银行卡〕",
    "email": "〔邮箱〕",
    "landline": "〔电话〕",
    "plate": "〔车牌〕",
    "address": "〔地址〕",
}


@dataclass(frozen=True)
class Entity:
    kind: str
    start: int
    end: int
    text: str


# --------------------------------------------------------------------------- #
# normalisation (length preserving)


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


_TRANSLATE = _build_translation()
_MASK = "\u3013"  # 〓: not a digit, letter, CJK ideograph or separator

_PLACEHOLDER_RE = re.compile(
    "〔(?:" + "|".join(re.escape(p[1:-1]) for p in PLACEHOLDERS.values()) + ")(?::[0-9a-f]{8})?〕"
)


# the characters _TRANSLATE changes; most texts have none, and str.translate costs a dict
# lookup per character
_NEEDS_TRANSLATE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TRANSLATE)) + "]")
_DIGIT = re.compile("[0-9]")
# kinds whose patterns all need an ASCII digit in the normalised text (plates: three or more)
_NEED_DIGIT = frozenset({"id_card", "bank_card", "landline", "plate"})


def _normalise(text: str) -> str:
    norm = text.translate(_TRANSLATE) if _NEEDS_TRANSLATE.search(text) else text
    if "〔" in norm:
        norm = _PLACEHOLDER_RE.sub(lambda m: _MASK * (m.end() - m.start()), norm)
    return norm


# --------------------------------------------------------------------------- #
# patterns (all run on the normalised text)

_ID_RE = re.compile(  # 18 contiguous, 6-8-4 or 6-4-4-4 groups
    r"(?<![0-9])([1-8][0-9]{5})[ -]?([0-9]{4})[ -]?([0-9]{4})[ -]?([0-9]{3}(?:[0-9](?![0-9])|[Xx]))"
)

_MOBILE_RE = re.compile(
    r"(?:(?:\(\+?86\)|\+86)[ -]?|(?<![0-9])(?:(?:0086|86)[ -]?)?)1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])"
)
_CN_DIGITS = "零〇一二三四五六七八九幺两"
_CN_DIGIT_VALUE = {c: str(i) for i, c in enumerate("零一二三四五六七八九")}
_CN_DIGIT_VALUE.update({"〇": "0", "幺": "1", "两": "2"})
_MOBILE_SPOKEN_RE = re.compile(
    rf"(?<![{_CN_DIGITS}十百千万亿])[一幺][三四五六七八九][{_CN_DIGITS}] ?[{_CN_DIGITS}]{{4}} ?[{_CN_DIGITS}]{{4}}"
    rf"(?![{_CN_DIGITS}十百千万亿])"
)

_SPOKEN_HINT_RE = re.compile(r"[一幺][三四五六七八九]")

_CARD_RE = re.compile(
    r"(?<![0-9])(?:[0-9]{16,19}|[0-9]{4}(?:[ -][0-9]{4}){3}(?:[ -][0-9]{1,4})?)(?![0-9])"
)

_AREA = r"(?:010|02[0-9]|0[3-9][0-9]{2})"
_LOCAL = r"[2-9][0-9]{2,3}[ -]?[0-9]{4}"
_EXT = r"(?: ?(?:转|分机|-|ext\.?|EXT\.?) ?[0-9]{1,5})"
_LANDLINE_RE = re.compile(
    rf"(?:\({_AREA}\) ?|(?<![0-9]){_AREA}[ -]?|(?:\+86|(?<![0-9])0086)[ -]?\(?(?:10|2[0-9]|[3-9][0-9]{{2}})\)?[ -]?)"
    rf"{_LOCAL}{_EXT}?(?![0-9])"
)

# e-mail: anchored on each "@": the local part is the run of ASCII local-part
# characters right before it (at most 64, so Chinese before it is never
# swallowed), the domain is matched right after it.
_EMAIL_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_EMAIL_DOMAIN_RE = re.compile(r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}")

_PLATEPROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_RE = re.compile(
    rf"[{_PLATEPROVINCES}][A-HJ-NP-Za-hj-np-z][·・•. -]?"
    r"(?:([A-HJ-NP-Za-hj-np-z0-9]{5,6})|([A-HJ-NP-Za-hj-np-z0-9]{4})[挂学警港澳领试超使])(?![0-9])"
)

# address: number detail ("123号", "4栋502室", "3号楼2单元1201", "12-3-502")
_NUM = r"(?:(?<![0-9])[0-9]{1,5}|[零〇一二三四五六七八九十两]{1,3}|[A-Za-z](?= ?(?:座|栋|幢|区|单元|号楼)))"
_UNIT = r"(?:号院|号楼|号(?!码)|弄|栋|幢|座(?!机)|单元|室|楼|层|户|组|期|区)"
_SP = r"(?: (?=[号栋幢单室]))?"  # ASR: "123 号", "3 栋"
_DASH = r"[0-9]{1,3}(?:-[0-9]{1,4}){1,3}(?![0-9-])"  # 12-3-502 (building-unit-room)
_DETAIL_RE = re.compile(
    rf"(?P<dash>(?<![0-9]){_DASH})"
    rf"|(?P<chain>{_NUM}{_SP}{_UNIT}(?:[ -]?{_NUM}{_SP}{_UNIT})*)"
    rf"(?:(?<=[栋幢座元楼层])-?[0-9]{{2,5}}(?![0-9])|(?<=[区期])(?P<tail>{_DASH}))?"
)
_STRONG_UNIT_RE = re.compile("[号弄栋幢座室楼层户组]|单元")
_BUILDING_RE = re.compile("[栋幢座]|号楼|单元")
_ROOM_RE = re.compile("[室户]|单元.")
# street-level name suffixes (one or two characters; two-character ones win)
_NAME_SUFFIXES = frozenset(
    "路 街 大街 大道 道 巷 胡同 里 村 小区 花园 家园 新村 苑 园 公寓 大厦 广场 中心 大楼 "
    "社区 城 府 华府 名邸 邸 庭 湾 阁 居 坊 庄 屯 寨 院 宿舍 期 区 楼 段".split()
)
_DASH_SUFFIXES = frozenset("小区 花园 家园 新村 苑 园 公寓 社区 宿舍 里 村 府 邸 期 区".split())
# characters that never belong to a street/compound name: particles, verbs,
# pronouns, admin units (so that province/city/district/town are kept).
_ADDR_STOP = frozenset(
    "的了在是我你他她它们住址到送寄往从把给与及或请帮要就都也还又很说这那个为换填写收货"
    "吗呢吧啊呀哦嗯您能没有麻烦谢改成已被让号单元省市县镇乡区栋幢室层楼座幺"
)
_CN_NUMERALS = frozenset("零〇一二三四五六七八九十百千两幺")
_WEAK_SUFFIXES = frozenset("里 城 园 居 庄 院 府 湾 阁 庭 坊 邸 期 区 楼 道 中心 苑".split())
_ADDR_MAX_NAME = 12


def _address_start(norm: str, p: int, dash: bool) -> int:
    """Start of the street-level name that ends right before position p, or -1.

    The name is: a suffix (路, 小区, 大厦 ...) preceded by 1-12 name characters
    (CJK ideographs that are not particles, verbs, pronouns or admin units), so
    that "上海市浦东新区张江路" yields "张江路" and "我住在阳光小区" yields "阳光小区".
    """
    if p > 0 and norm[p - 1] == " ":
        p -= 1
    if p < 2:
        return -1
    suffixes = _DASH_SUFFIXES if dash else _NAME_SUFFIXES
    suf = norm[p - 2:p]
    if suf not in suffixes:
        suf = suf[1]
        if suf not in suffixes:
            return -1
    q = p - len(suf)
    limit = max(0, q - _ADDR_MAX_NAME)
    while q > limit:
        c = norm[q - 1]
        if c == "区" and q >= 2 and norm[q - 2] in "小社":
            q -= 2  # "阳光小区东苑": an inner compound name
            continue
        if c == "道" and q >= 2 and norm[q - 2] == "街":
            break  # a 街道 (sub-district office) before the compound is kept
        if c in _CN_NUMERALS:
            # "五一路", "二环" take one or two numerals; a longer run is a
            # spoken number ("幺三八...") and ends the name
            r = q - 1
            while r > 0 and norm[r - 1] in _CN_NUMERALS:
                r -= 1
            if q - r > 2:
                break
        if ("\u4e00" <= c <= "\u9fff" and c not in _ADDR_STOP) or ("A" <= c <= "Z" or "a" <= c <= "z"):
            q -= 1
            continue
        break
    name_len = p - len(suf) - q
    if name_len < 1 or (name_len < 2 and suf in _WEAK_SUFFIXES):
        return -1
    return q


# context words.  "Before" contexts must reach the number without another
# digit in between, so that a context word belongs to the nearest number.
_ORDER_WORDS = r"订单|单号|快递|运单|流水|工单|交易号|物流|编号|发票|票号|代码|取件|追踪|包裹|会员|学号|工号|ID|id"
_ORDER_CTX_RE = re.compile(rf"(?:{_ORDER_WORDS})[^0-9{_MASK}]{{0,8}}$")
_CARD_CTX_RE = re.compile(
    r"(?:卡号|银行卡|信用卡|储蓄卡|借记卡|尾号|银联|开户行|账号|账户|收款|还款|工行|建行|农行|中行|招行|交行|"
    r"邮储|的卡|这张卡|卡是|卡)[^0-9" + _MASK + r"]{0,10}$"
)
_CARD_AFTER_RE = re.compile(rf"^[^0-9{_MASK}，。,；;]{{0,4}}?(?:卡|账户)(?!号)")
_ID_CTX_RE = re.compile(rf"(?:身份证|证件)[^0-9{_MASK}]{{0,8}}$")
_PHONE_CTX_RE = re.compile(rf"(?:电话|座机|固话|致电|拨打|打给|联系|分机|热线|办公室)[^0-9{_MASK}]{{0,8}}$")


_DATE_PREFIX_RE = re.compile(r"20[0-3][0-9](?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])")


def _card_decision(norm: str, start: int, end: int, digits: str) -> bool:
    if not (16 <= len(digits) <= 19) or not luhn(digits):
        return False
    before = norm[max(0, start - 24):start]
    if len(digits) == 18 and _ID_CTX_RE.search(before):
        return False  # an ID number with a typo is not a bank card
    looks_like_id = len(digits) == 18 and id_shaped(digits)
    card = _CARD_CTX_RE.search(before)
    order = _ORDER_CTX_RE.search(before)
    if card and (not order or card.start() >= order.start()):
        return True
    if order:
        return False  # order / tracking / invoice number
    if _CARD_AFTER_RE.search(norm[end:end + 8]):
        return True
    if looks_like_id:
        return False  # shaped like a resident ID (region + birth date) with a wrong check digit
    if _DATE_PREFIX_RE.match(digits):
        return False  # 20260915xxxxxxxx: a date-stamped order / transaction number
    return card_iin_plausible(digits)


# --------------------------------------------------------------------------- #
# candidate finders: yield (start, end, kind)

_PRIORITY = {"email": 0, "id_card": 1, "bank_card": 2, "mobile": 3, "landline": 4, "plate": 5, "address": 6}


def _find_id(norm: str):
    for m in _ID_RE.finditer(norm):
        value = "".join(m.groups()).upper()
        if id_valid(value):
            yield m.start(), m.end(), "id_card"


# "SF", "JT", "JDVA" ...: a code prefix glued to the digits (tracking numbers);
# "TEL", "QQ", "WX" ... are labels, not prefixes.
_CODE_PREFIX_RE = re.compile(r"(?<![A-Za-z0-9.@_%+\-])[A-Z]{1,5}$")
_LABEL_PREFIXES = frozenset("TEL PHONE MOBILE MOB MP PH CALL WX VX QQ CELL NO NUM".split())


def _glued_code_prefix(norm: str, s: int) -> bool:
    if s and "A" <= norm[s - 1] <= "Z":
        pm = _CODE_PREFIX_RE.search(norm, max(0, s - 6), s)
        return pm is not None and pm.group() not in _LABEL_PREFIXES
    return False


def _find_mobile(norm: str):
    for m in _MOBILE_RE.finditer(norm) if _DIGIT.search(norm) else ():
        s = m.start()
        if _glued_code_prefix(norm, s):
            continue
        yield s, m.end(), "mobile"
    if _SPOKEN_HINT_RE.search(norm):
        for m in _MOBILE_SPOKEN_RE.finditer(norm):
            yield m.start(), m.end(), "mobile"


def _find_card(norm: str):
    for m in _CARD_RE.finditer(norm):
        s, e = m.span()
        raw = m.group()
        digits = raw.replace(" ", "").replace("-", "")
        if len(digits) == 17 and norm[e:e + 1] in ("X", "x"):
            continue  # 17 digits + X: a resident ID, never a card
        if _card_decision(norm, s, e, digits):
            yield s, e, "bank_card"
        elif len(digits) in (17, 18, 20) and not raw.isdigit() and raw[4] in " -":
            # "6225 8863 0850 9247 2024年": a grouped 16-digit card followed by
            # an unrelated group (4-4-4-4-3 is the 19-digit layout: no retry)
            if _card_decision(norm, s, s + 19, digits[:16]):
                yield s, s + 19, "bank_card"


_GROUPED_TAIL_RE = re.compile(r"[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}$")
_GROUP_BEFORE_RE = re.compile(r"(?<![0-9])(?<![0-9][ -])[0-9]{4}[ -]$")


def _find_landline(norm: str):
    for m in _LANDLINE_RE.finditer(norm):
        s, e = m.span()
        raw = m.group()
        if raw.isdigit():  # contiguous: could be an invoice code / order number
            if _glued_code_prefix(norm, s):
                continue
            before = norm[max(0, s - 16):s]
            order = _ORDER_CTX_RE.search(before)
            if order:
                phone = _PHONE_CTX_RE.search(before)
                if not phone or phone.start() < order.start():
                    continue
        elif _GROUPED_TAIL_RE.match(raw) and _GROUP_BEFORE_RE.search(norm, max(0, s - 6), s):
            continue  # "6226 0968 4590 0807": the tail of a grouped 16-digit number
        yield s, e, "landline"


_EMAIL_LABEL_RE = re.compile(r"(?:e-?mail|E-?MAIL|Email|E-?Mail)[:]?")


def _find_email(norm: str):
    at = norm.find("@")
    while at != -1:
        s = at
        limit = max(0, at - 64)
        while s > limit and norm[s - 1] in _EMAIL_LOCAL_CHARS:
            s -= 1
        if s < at:
            m = _EMAIL_DOMAIN_RE.match(norm, at + 1)
            if m is not None:
                # ASR output glues a spoken label to the address ("emailabc@qq.com",
                # "身份证110...email123@qq.com"): start after the label.
                lab = _EMAIL_LABEL_RE.search(norm, s, at)
                if lab and lab.end() < at:
                    s = lab.end()
                yield s, m.end(), "email"
        at = norm.find("@", at + 1)


def _find_plate(norm: str):
    for m in _PLATE_RE.finditer(norm):
        end = m.end()
        tail = m.group(1) or m.group(2)
        if not tail.isdigit():
            tail = tail.upper()
            if len(tail) == 6:  # new-energy: D/F + 5, or 5 digits + D/F
                if not ((tail[0] in "DF" and tail[2:].isdigit()) or (tail[:5].isdigit() and tail[5] in "DF")):
                    if not tail[5].isalpha():
                        continue
                    tail, end = tail[:5], end - 1  # "粤B12345A座": an ordinary plate, then a word
            if sum(c.isdigit() for c in tail) < 3:  # ordinary plates have at most two letters
                continue
        yield m.start(), end, "plate"


_UNIT_HINT_RE = re.compile(r"[号弄栋幢座元室楼层户组区期]|[0-9]-[0-9]")


def _find_address(norm: str):
    if not _UNIT_HINT_RE.search(norm):
        return
    spans: list[list[int]] = []
    for m in _DETAIL_RE.finditer(norm):
        s, e = m.span()
        chain = m.group("chain")
        dash = chain is None
        if not dash and m.group("tail") is None and not _STRONG_UNIT_RE.search(chain):
            continue  # "阳光小区一期", "A区": no number detail
        q = _address_start(norm, s, dash)
        if q < 0:
            # no recognisable street/compound name: building + unit/room
            # numbers ("3号楼2单元1201", "4栋502室") still go
            if dash or not _BUILDING_RE.search(chain) or not (
                    _ROOM_RE.search(chain) or e - s > len(chain)):
                continue
            q = s
        if spans and q <= spans[-1][1] + 1 and norm[spans[-1][1]:q].strip() == "":
            spans[-1][1] = e  # chained: road + number, then compound + building
        else:
            spans.append([q, e])
    for q, e in spans:
        yield q, e, "address"


_FINDERS = {
    "id_card": _find_id,
    "mobile": _find_mobile,
    "bank_card": _find_card,
    "email": _find_email,
    "landline": _find_landline,
    "plate": _find_plate,
    "address": _find_address,
}


def _check_kinds(kinds) -> tuple[str, ...]:
    if isinstance(kinds, str):
        kinds = (kinds,)
    kinds = tuple(kinds)
    unknown = [k for k in kinds if k not in _FINDERS]
    if unknown:
        raise ValueError(f"unknown entity kind(s): {unknown}; expected a subset of {KINDS}")
    return kinds


_TRIMMABLE = {
    "address": lambda norm, s, e: e - s >= 3,
    "email": lambda norm, s, e: norm.find("@", s, e) > s,
}


# Entities whose decision depends on nearby words are found last, on a copy of
# the text in which the entities found so far are masked.  Context is thus read
# exactly as it will look after redaction, which keeps redact() idempotent.
_PHASES = (
    ("email", "id_card", "mobile", "plate", "address"),
    ("bank_card",),
    ("landline",),
)


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
        parts.append(_MASK * (e - s))
        pos = e
    parts.append(norm[pos:])
    return "".join(parts)


def _find(text: str, norm: str, kinds: tuple[str, ...]) -> list[Entity]:
    if not _DIGIT.search(norm):  # skip the patterns that cannot match (same result, less time)
        kinds = tuple(k for k in kinds if k not in _NEED_DIGIT)
    found: list[tuple[int, int, str]] = []
    work = norm
    for phase in _PHASES:
        cands: list[tuple[int, int, int, str]] = []
        for kind in phase:
            if kind in kinds:
                pr = _PRIORITY[kind]
                for s, e, k in _FINDERS[kind](work):
                    cands.append((s, -(e - s), pr, k))
        if cands:
            new = _resolve(cands, work)
            found.extend(new)
            if phase is not _PHASES[-1]:
                work = _mask(work, new)
    found.sort()
    return [Entity(k, s, e, text[s:e]) for s, e, k in found]


def find_entities(text: str, kinds=KINDS) -> list[Entity]:
    """Personal-data entities in ``text``: non-overlapping, sorted by start."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    kinds = _check_kinds(kinds)
    if not text:
        return []
    return _find(text, _normalise(text), kinds)


# --------------------------------------------------------------------------- #
# pseudonyms


def canonical_value(kind: str, value: str) -> str:
    """Format-independent form of an entity value (used for keyed pseudonyms)."""
    norm = value.translate(_TRANSLATE)
    if kind in ("mobile", "id_card", "bank_card", "landline"):
        digits = "".join(_CN_DIGIT_VALUE.get(c, c) for c in norm)
        keep = "".join(c for c in digits if c.isascii() and (c.isdigit() or c in "Xx")).upper()
        if kind == "mobile":
            return keep[-11:]
        if kind == "landline":
            if norm.lstrip().startswith(("+86", "0086")):
                keep = "0" + keep[4:] if keep.startswith("0086") else "0" + keep[2:]
            return keep
        return keep
    if kind == "email":
        return norm.strip().lower()
    if kind == "plate":
        return "".join(c for c in norm if c not in "·・•. -").upper()
    return "".join(norm.split())


def pseudonym(kind: str, value: str, key: bytes) -> str:
    """``〔手机号:3fa9c1d2〕``: first 8 hex digits of
    HMAC-SHA256(key, kind + ":" + canonical_value)."""
    msg = (kind + ":" + canonical_value(kind, value)).encode("utf-8", "surrogatepass")
    tag = hmac.new(key, msg, hashlib.sha256).hexdigest()[:8]
    return PLACEHOLDERS[kind][:-1] + ":" + tag + "〕"


# --------------------------------------------------------------------------- #
# redactor


class Redactor:
    """Callable redactor.  ``Redactor()(text)`` returns the redacted text;
    ``Redactor().redact(text)`` also returns the entities found in ``text``."""

    def __init__(self, kinds=KINDS, pseudonymise_key: bytes | None = None):
        self.kinds = _check_kinds(kinds)
        if pseudonymise_key is not None and not isinstance(pseudonymise_key, (bytes, bytearray)):
            raise TypeError("pseudonymise_key must be bytes")
        self.pseudonymise_key = bytes(pseudonymise_key) if pseudonymise_key is not None else None

    def __repr__(self) -> str:
        keyed = "keyed" if self.pseudonymise_key else "placeholders"
        return f"Redactor(kinds={self.kinds!r}, {keyed})"

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

    def redact(self, text: str) -> tuple[str, list[Entity]]:
        ents = find_entities(text, self.kinds)
        return (self._apply(text, ents) if ents else text), ents

    def __call__(self, text: str) -> str:
        return self.redact(text)[0]

    def scrub(self, value: Any) -> Any:
        """``value`` with every string in it redacted (dict keys too; numbers that hold a
        phone, ID or card become the redacted string): what every string leaving voc goes through."""
        if isinstance(value, str):
            return self(value) if value else value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out = self(str(value)) if abs(value) >= 10_000 else None
            return value if out is None or out == str(value) else out
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, dict):
            return {self.scrub(str(k)): self.scrub(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.scrub(v) for v in value]
        return self.scrub(str(value))


_DEFAULT = Redactor()


def redact(text: str) -> str:
    """Redact ``text`` with the default settings (all kinds, fixed placeholders)."""
    return _DEFAULT(text)
