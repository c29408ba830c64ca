"""Street-level postal addresses: from the first street-level component (road, street, lane,
compound, village, building) through the last number detail (号, 栋, 单元, 室, ``12-3-502``).
Province, city, district, county, town and 街道 are kept (docs/privacy.md)."""
from __future__ import annotations

import re

__all__ = ["find_address"]

# number detail ("123号", "4栋502室", "3号楼2单元1201", "12-3-502")
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


# a necessary condition for a _DETAIL_RE match: a chain starts with a number (digit, Chinese
# numeral or letter), an optional space, then the first character of a unit; a dash detail has [0-9]-[0-9]
_UNIT_HINT_RE = re.compile(r"[0-9零〇一二三四五六七八九十两A-Za-z] ?[号弄栋幢座单室楼层户组期区]|[0-9]-[0-9]")


def find_address(norm: str):
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


