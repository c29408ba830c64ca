"""Finders for the number-like kinds: resident IDs, mobiles, bank cards, landlines, e-mail
addresses and vehicle plates. Each ``find_*`` reads the normalised copy (``base.match_copy``)
and yields ``(start, end, kind)``.

Digit runs are delimited with digit look-arounds, never ``\\b`` (CJK characters are ``\\w``,
so ``\\b`` does not fire between 号 and 1). Patterns use bounded quantifiers and digit
look-behinds, so matching stays linear in the input length."""
from __future__ import annotations

import re

from ..checksums import card_iin_plausible, id_shaped, id_valid, luhn
from .base import DIGIT, MASK, not_before

__all__ = ["CN_DIGIT_VALUE", "find_id", "find_mobile", "find_card", "find_landline", "find_email", "find_plate",
           "card_strict_iin"]

# resident ID: 17 digits + check character, in any grouping (contiguous, 6-8-4, 6-4-4-4,
# 6-4-4-4 with dots ...): the check digit, province code and birth date decide
_ID_RE = re.compile(r"(?<![0-9])[1-8][0-9](?:(?:[ .\-]{1,2}|[。，,、\n] ?)?[0-9]){15}(?:[ .\-]{1,2}|[。，,、\n] ?)?"
                    r"(?:[0-9](?![0-9])|[Xx])")

# mobile: 1[3-9]x + 8 digits in any grouping of 3+ digits (3-4-4, 4-3-4, 3-8, 138.1234.5678,
# (138)1234-5678, +86 (138) 1234 5678); split by 。，、 or a line break only as 3-4-4
_MSEP = r"(?:[ .\-]{1,2}|[。，,、\n] ?)"
_MOBILE_RE = re.compile(
    r"(?:(?:\(\+?86\)|\+86)[ -]?|(?<![0-9])(?:(?:0086|86)[ -]?)?)"
    rf"(\(?1[3-9][0-9](?:\) ?|{_MSEP})?[0-9](?:{_MSEP}?[0-9]){{7}})(?![0-9])"
)
_WEAK_SEP = re.compile("[。，,、\n]")
_GROUPS = re.compile("[0-9]+")
_CN_DIGITS = "零〇一二三四五六七八九幺两"
CN_DIGIT_VALUE = {c: str(i) for i, c in enumerate("零一二三四五六七八九")}
CN_DIGIT_VALUE.update({"〇": "0", "幺": "1", "两": "2"})
_MOBILE_SPOKEN_RE = re.compile(
    rf"(?<![{_CN_DIGITS}十百千万亿])[一幺][三四五六七八九][{_CN_DIGITS}] ?[{_CN_DIGITS}]{{4}} ?[{_CN_DIGITS}]{{4}}"
    rf"(?![{_CN_DIGITS}十百千万亿])"
)
_SPOKEN_HINT_RE = re.compile(r"[一幺][三四五六七八九]")

_CARD_RE = re.compile(
    r"(?<![0-9])(?:[0-9]{16,19}|[0-9]{4}(?:[ -][0-9]{4}){3}(?:[ -][0-9]{1,4})?)(?![0-9])"
)
# other groupings (6222。6242。3127。5150382): a card only with a card network's prefix and length
_CARD_LOOSE_RE = re.compile(r"(?<![0-9])[0-9]{3,}(?:(?:[ \-]|[。，,、\n] ?)[0-9]{3,}){1,5}(?![0-9])")
_NOT_ID_CHAR = re.compile("[^0-9Xx]")

_AREA = r"(?:010|02[0-9]|0[3-9][0-9]{2})"
_LOCAL = r"[2-9][0-9]{2,3}[ -]?[0-9]{4}"
_EXT = r"(?: ?(?:转|分机|-|ext\.?|EXT\.?) ?[0-9]{1,5})"
_LANDLINE_RE = re.compile(
    rf"(?:\({_AREA}\) ?|(?<![0-9]){_AREA}[ -]?|(?:\+86|(?<![0-9])0086)[ -]?\(?(?:10|2[0-9]|[3-9][0-9]{{2}})\)?[ -]?)"
    rf"{_LOCAL}{_EXT}?(?![0-9])"
)

_PLATEPROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_RE = re.compile(
    rf"[{_PLATEPROVINCES}][A-HJ-NP-Za-hj-np-z][·・•. -]?"
    r"(?:([A-HJ-NP-Za-hj-np-z0-9]{5,6})|([A-HJ-NP-Za-hj-np-z0-9]{4})[挂学警港澳领试超使])(?![0-9])"
)

# context words (simplified and traditional: metadata and ids are not converted by OpenCC)
# tracking, invoice and transaction numbers: a Luhn-valid number after them is kept
_LOOKALIKE_CTX_RE = not_before(r"(?<![订訂])单号|(?<![订訂])單號|快递|快遞|运单|運單|流水|工单|工單|交易号|物流|编号|編號|"
                               r"发票|發票|票号|代码|取件|追踪|包裹")
# order and member numbers: kept too, unless they carry a card network's prefix and length
_ORDER_CTX_RE = not_before(r"订单|訂單|会员|會員|学号|工号|ID|id")
_CARD_CTX_RE = not_before(r"卡号|卡號|银行卡|銀行卡|信用卡|储蓄卡|儲蓄卡|借记卡|借記卡|尾号|尾號|银联|銀聯|开户行|開戶行|"
                          r"账号|賬號|帳號|账户|賬戶|帳戶|收款|还款|還款|工行|建行|农行|農行|中行|招行|交行|"
                          r"邮储|郵儲|的卡|这张卡|卡是|卡", 10)
_CARD_AFTER_RE = re.compile(rf"^[^0-9{MASK}，。,；;]{{0,4}}?(?:卡|账户|賬戶|帳戶)(?!号|號)")
_ID_CTX_RE = not_before(r"身份证|身份證|证件|證件")
_PHONE_CTX_RE = not_before(r"电话|電話|座机|座機|固话|固話|致电|致電|拨打|撥打|打给|打給|联系|聯繫|分机|分機|热线|熱線|"
                           r"办公室|辦公室")
_DATE_PREFIX_RE = re.compile(r"20[0-3][0-9](?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])")


def card_strict_iin(d: str) -> bool:
    """The issuer prefix of a card network (UnionPay 62, Visa 4, Mastercard 51-55 and
    2221-2720, Amex 34/37, JCB 35) and a card length: strong enough to call a Luhn-valid
    number a card even after an order or member word."""
    if len(d) == 15:
        return d[:2] in ("34", "37")
    if len(d) == 19:
        return d[:2] == "62" or d[0] == "4"
    if len(d) != 16:
        return False
    if d[0] == "4" or d[:2] in ("62", "35") or "51" <= d[:2] <= "55":
        return True
    return "2221" <= d[:4] <= "2720"


def _card_decision(norm: str, start: int, end: int, digits: str) -> bool:
    if not (16 <= len(digits) <= 19) or not luhn(digits):
        return False
    before = norm[max(0, start - 24):start]
    if len(digits) == 18 and _ID_CTX_RE.search(before):
        return False  # an ID number with a typo is not a bank card
    looks_like_id = len(digits) == 18 and id_shaped(digits)
    card = _CARD_CTX_RE.search(before)
    lookalike = _LOOKALIKE_CTX_RE.search(before)
    order = _ORDER_CTX_RE.search(before)
    if card and all(c is None or card.start() >= c.start() for c in (lookalike, order)):
        return True
    if lookalike:
        return False  # tracking / invoice / transaction number
    if looks_like_id:
        return False  # shaped like a resident ID (region + birth date) with a wrong check digit
    if _DATE_PREFIX_RE.match(digits):
        return False  # 20260915xxxxxxxx: a date-stamped order / transaction number
    if order:
        # after an order or member word: a card only with a card network's prefix and length
        return card_strict_iin(digits)
    if _CARD_AFTER_RE.search(norm[end:end + 8]):
        return True
    return card_iin_plausible(digits)


def _scan(rx: re.Pattern, norm: str, ok):
    """Matches of ``rx`` that pass ``ok(m)``; after a match that fails, the search goes on from
    the next character (a rejected run must not hide a valid number that starts inside it:
    ``7073。421011 1970 0728 2996``)."""
    pos = 0
    while True:
        m = rx.search(norm, pos)
        if m is None:
            return
        if ok(m):
            yield m
            pos = m.end()
        else:
            pos = m.start() + 1


def find_id(norm: str):
    for m in _scan(_ID_RE, norm, lambda m: id_valid(_NOT_ID_CHAR.sub("", m.group()).upper())):
        yield m.start(), m.end(), "id_card"


# "SF", "JT", "JDVA" ...: a code prefix glued to the digits (tracking numbers);
# "TEL", "QQ", "WX" ... are labels, not prefixes.
_CODE_PREFIX_RE = re.compile(r"(?<![A-Za-z0-9.@_%+\-])[A-Z]{1,5}$")
_LABEL_PREFIXES = frozenset("TEL PHONE MOBILE MOB MP PH CALL WX VX QQ CELL NO NUM".split())


def glued_code_prefix(norm: str, s: int) -> bool:
    if s and "A" <= norm[s - 1] <= "Z":
        pm = _CODE_PREFIX_RE.search(norm, max(0, s - 6), s)
        return pm is not None and pm.group() not in _LABEL_PREFIXES
    return False


_CLASSIC = re.compile(r"1[3-9][0-9](?:[ -]?[0-9]{4}){2}")
# (a masked entity counts as digits: a second pass must decide as the first did)
_GROUP_BEFORE = re.compile(rf"[0-9{MASK}][ .\-]$")
_GROUP_AFTER = re.compile(rf"[ .\-][0-9{MASK}]")


def _mobile_groups_ok(norm: str, m: re.Match) -> bool:
    body = m.group(1)
    if body.isdigit() or _CLASSIC.fullmatch(body):
        return True
    groups = [len(g) for g in _GROUPS.findall(body)]
    if _WEAK_SEP.search(body):
        ok = groups == [3, 4, 4]
    else:
        ok = min(groups) >= 3
    # other groupings (4-3-4, 138.1234.5678) only when not part of a longer grouped number
    return ok and not _GROUP_BEFORE.search(norm, max(0, m.start() - 2), m.start()) \
        and not _GROUP_AFTER.match(norm, m.end())


def find_mobile(norm: str):
    ok = lambda m: not glued_code_prefix(norm, m.start()) and _mobile_groups_ok(norm, m)  # noqa: E731
    for m in _scan(_MOBILE_RE, norm, ok) if DIGIT.search(norm) else ():
        yield m.start(), m.end(), "mobile"
    if _SPOKEN_HINT_RE.search(norm):
        for m in _MOBILE_SPOKEN_RE.finditer(norm):
            yield m.start(), m.end(), "mobile"


def _loose_card(m: re.Match) -> bool:
    raw = m.group()
    if _CARD_RE.fullmatch(raw):
        return False  # the usual layouts: decided by _card_decision
    digits = _NOT_ID_CHAR.sub("", raw)
    return (15 <= len(digits) <= 19 and luhn(digits) and card_strict_iin(digits)
            and not _DATE_PREFIX_RE.match(digits) and not (len(digits) == 18 and id_shaped(digits)))


def find_card(norm: str):
    for m in _scan(_CARD_LOOSE_RE, norm, _loose_card):
        yield m.start(), m.end(), "bank_card"
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


def find_landline(norm: str):
    for m in _LANDLINE_RE.finditer(norm):
        s, e = m.span()
        raw = m.group()
        if raw.isdigit():  # contiguous: could be an invoice code / order number
            if glued_code_prefix(norm, s):
                continue
            before = norm[max(0, s - 16):s]
            order = _ORDER_CTX_RE.search(before) or _LOOKALIKE_CTX_RE.search(before)
            if order:
                phone = _PHONE_CTX_RE.search(before)
                if not phone or phone.start() < order.start():
                    continue
        elif _GROUPED_TAIL_RE.match(raw) and _GROUP_BEFORE_RE.search(norm, max(0, s - 6), s):
            continue  # "6226 0968 4590 0807": the tail of a grouped 16-digit number
        yield s, e, "landline"


# e-mail: anchored on each "@": the local part is the run of ASCII local-part characters
# right before it (at most 64), or up to 6 Chinese characters (张三@公司.中国) that stop at a
# cue or particle, so Chinese text before it is never swallowed; the domain is matched right
# after it: ASCII or Chinese labels, an ASCII TLD or a known Chinese one.
_EMAIL_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_EMAIL_CJK_STOP = frozenset("是为為的了：:箱件址给給发發到在用我您你他她吧呢吗嗎啊和或")
_CN_TLDS = "中国|中國|公司|网络|網絡|集团|集團|在线|在線|移动|移動|商城|网店|網店|信息|手机|手機|政务|公益|香港|台湾|台灣|新加坡"
_EMAIL_DOMAIN_RE = re.compile(
    r"[A-Za-z0-9\-\u4e00-\u9fff]{1,63}(?:\.[A-Za-z0-9\-\u4e00-\u9fff]{1,63})*"
    rf"\.(?:[A-Za-z]{{2,24}}|(?:{_CN_TLDS}))"
)
_EMAIL_LABEL_RE = re.compile(r"(?:e-?mail|E-?MAIL|Email|E-?Mail)[:]?")


def find_email(norm: str):
    at = norm.find("@")
    while at != -1:
        s = at
        limit = max(0, at - 64)
        while s > limit and norm[s - 1] in _EMAIL_LOCAL_CHARS:
            s -= 1
        if s == at:
            while s > at - 6 and s > 0 and "\u4e00" <= norm[s - 1] <= "\u9fff" and norm[s - 1] not in _EMAIL_CJK_STOP:
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


def find_plate(norm: str):
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
