"""What a contact's metadata and time fields say: the customer tier, the repeat-contact count,
and one parser for times (``to_datetime``) behind the readers' and the store's formatters."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from types import MappingProxyType
from typing import Any, Mapping

SHANGHAI = timezone(timedelta(hours=8))

TIER_KEYS = ("tier", "customer_tier", "customer_level", "vip_level", "member_level", "level", "客户等级",
             "会员等级", "客户级别", "会员级别", "客户星级", "星级", "等级", "客户类型",
             "value_tier", "客户价值", "价值等级", "客户分层", "segment")
"""Metadata keys read as the customer value tier (case-insensitive), the first present wins."""
REPEAT_KEY = "repeat_contacts"
REPEAT_INPUT_KEY = "repeat_contacts_input"  # an input column named repeat_contacts, kept apart from voc's count
DIMENSION_KEYS = {
    "product": ("product", "product_name", "产品", "产品名称", "业务", "业务类型", "套餐"),
    "region": ("region", "city", "province", "地区", "区域", "地域", "省份", "城市", "归属地"),
    "team": ("team", "group", "班组", "组别", "团队", "坐席组", "技能组"),
    "agent": ("agent", "agent_id", "agent_name", "坐席", "坐席工号", "坐席姓名", "客服", "客服工号", "工号"),
}
"""Metadata keys of the product, region, team and agent of a contact (case-insensitive, the first
present wins: ``tier(metadata, DIMENSION_KEYS[dim])``); the store keeps them as columns."""
MAX_TIER_CHARS = 20
_LONG_DIGITS = re.compile(r"[0-9]{5}")  # a tier never holds a phone, card or id number
# a contact's metadata is a mappingproxy: tested first, as isinstance against typing.Mapping (an
# ABC check through typing) takes ~1.4 µs
_MAPPINGS = (MappingProxyType, dict)


def _first_short(metadata: Mapping[str, Any] | None, keys: tuple[str, ...], max_chars: int,
                 digits: bool) -> str | None:
    """The first of ``keys`` (case-insensitive) in ``metadata`` holding a short text or number,
    stripped; a list, a mapping or a long string is not one (it would copy whatever it holds into
    reasons and reports). ``digits=False`` also refuses runs of 5+ digits (a phone, card, id)."""
    if not metadata or not isinstance(metadata, _MAPPINGS) and not isinstance(metadata, Mapping):
        return None
    lowered = {str(k).strip().lower(): v for k, v in metadata.items()}
    if lowered.keys().isdisjoint(keys):
        # the usual case (only repeat_contacts): one C-level pass instead of ~0.3 µs of type
        # checks per key in the loop below; this runs for every contact (churn, escalation)
        return None
    for k in keys:
        v = lowered.get(k)
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            continue
        v = str(v).strip()
        if v and len(v) <= max_chars and (digits or not _LONG_DIGITS.search(v)):
            return v
    return None


def tier(metadata: Mapping[str, Any] | None, keys: tuple[str, ...] = TIER_KEYS) -> str | None:
    """The customer value tier from a contact's metadata (tier, 客户等级 ...): a short category
    (金卡, VIP3, 2), stripped, or None (issue 16: never a phone copied into reasons)."""
    return _first_short(metadata, keys, MAX_TIER_CHARS, digits=False)


def dimension(metadata: Mapping[str, Any] | None, keys: tuple[str, ...]) -> str | None:
    """A product, region, team or agent (``DIMENSION_KEYS``) from a contact's metadata: the first
    of ``keys`` present holding a short text or number (an agent id may be all digits), else None."""
    return _first_short(metadata, keys, 2 * MAX_TIER_CHARS, digits=True)


def repeat_count(metadata: Mapping[str, Any]) -> int:
    """How many earlier contacts of the customer ``voc.stages.repeat.RepeatContacts`` counted."""
    try:
        return max(0, int(metadata.get(REPEAT_KEY) or 0))
    except (TypeError, ValueError):
        return 0


# -- time ---------------------------------------------------------------------------------------
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                "%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日",
                "%Y年%m月%d日%H:%M:%S", "%Y年%m月%d日%H:%M", "%Y年%m月%d日 %H时%M分%S秒", "%Y年%m月%d日 %H时%M分",
                "%Y年%m月%d日%H时%M分%S秒", "%Y年%m月%d日%H时%M分", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d")
# digits only: read by their length alone (strptime takes one-digit fields, so 1714540800 would be
# the year 1714 and 202605011030 10:03)
DIGIT_FORMATS = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}
# 下午3:30, 晚上8点15分: the half of the day before a 12-hour time
_HALF_DAY = re.compile(r"\s*(上午|早上|凌晨|中午|下午|傍晚|晚上)\s*(\d{1,2})(?:[:：点时](\d{1,2})分?)?(?:[:：](\d{1,2}))?\s*$")
_PM = ("中午", "下午", "傍晚", "晚上")
EPOCH_YEARS = (1990, 2100)  # a Unix time outside these years is not a contact's time: the raw text is kept
_ISO_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?[+-]\d{2}:\d{2}")
_EPOCH = re.compile(r"\d{10}(\d{3})?(\.\d+)?")


def to_datetime(value: Any, tz: tzinfo = SHANGHAI, *, epoch: bool = False) -> datetime | None:
    """A time as an aware datetime, or None when empty or unreadable.

    Reads datetimes and dates, ISO 8601 (``2026-10-31T23:30:00+08:00``, ``...Z``, date only) and
    ``TIME_FORMATS`` (``2026/10/31 23:30``, ``2026年10月31日``, ``20261031`` ...). A time without
    an offset is local time of ``tz``; one with an offset keeps it. With ``epoch``, numbers and
    10- or 13-digit strings are Unix seconds or milliseconds (in ``tz``); without, they are text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif epoch and isinstance(value, (int, float)) and not isinstance(value, bool):
        if 0 < value < 1e15 and float(value).is_integer():
            dt = _parse_text(str(int(value)))  # 20260501 or 20260501103000 written as a JSON number (DIGIT_FORMATS)
            if dt is not None:
                return dt.replace(tzinfo=tz)
        dt = datetime.fromtimestamp(value / 1000 if value > 1e11 else value, tz)
        return dt if EPOCH_YEARS[0] <= dt.year < EPOCH_YEARS[1] else None
    elif isinstance(value, str) and _ISO_OFFSET.fullmatch(value):  # what the readers write
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        s = str(value).strip()
        if epoch and _EPOCH.fullmatch(s):
            return to_datetime(float(s), tz, epoch=True)
        dt = _parse_text(s)
        if dt is None:
            return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=tz)


def _parse_text(s: str) -> datetime | None:
    if not s:
        return None
    if s.isdigit():
        fmt = DIGIT_FORMATS.get(len(s))
        try:
            return datetime.strptime(s, fmt) if fmt else None
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        pass
    m = _HALF_DAY.search(s)
    if m is not None and s[:m.start()].strip():
        day = _parse_text(s[:m.start()].strip())
        hour, minute, second = int(m.group(2)), int(m.group(3) or 0), int(m.group(4) or 0)
        if m.group(1) in _PM and hour < 12:
            hour += 12
        elif m.group(1) not in _PM and hour == 12:
            hour = 0
        if day is None or day.hour or day.minute or hour > 23 or minute > 59 or second > 59:
            return None
        return day.replace(hour=hour, minute=minute, second=second)
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            continue
    return None
