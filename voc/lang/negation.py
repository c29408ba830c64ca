"""Negation of a cue by the words before it: 不会销户, 没打算注销, 我不会去投诉到12315.

One routine, ``negated(text, start)``, for the cue matchers (churn, escalation, the cue
baselines); ``rhetorical(text, start)`` for a cue inside a rhetorical question that denies it
(怎么可能退网, 哪会换运营商), which the churn exit cues also treat as negated. The sentiment model handles negation its own way (``NegationMarker`` in
voc/stages/sentiment.py rewrites a negated polarity word before its n-grams are taken)."""
from __future__ import annotations

import re

NEGATORS = ("不会", "不想", "不打算", "没打算", "不要", "不用", "不需要", "并不", "没有", "不是", "不必", "无需",
            "无意", "从不", "从来不", "从没", "从来没", "从未", "别", "不", "没", "未")
NOT_NEGATION = ("不得不", "不然", "要不", "不行就", "不行我", "不解决", "不处理", "不给", "不退", "不还", "不停",
                "不能", "不了", "不让", "不予", "不同意", "不允许", "无法", "没法", "不可以", "不可", "没办法",
                "一直不", "还不", "都不", "没人", "没有人", "不然", "否则",
                "找不到", "不知道", "不懂", "不会操作")
INTENT_NEGATORS = ("不会", "不想", "不打算", "没打算", "不准备", "没想", "不要", "无意", "并不", "不必", "不用", "不需要")
CLAUSE_END = re.compile(r"[，。！？；,.!?;：:\n]")
_CONSEQUENCE = ("就", "便", "则", "立刻", "马上", "只能", "只好")
# "never lets one down": a negated causative before a feeling (从不让人失望, 没让人失望过, 从未令我失望);
# before an action it is prevention, not negation (不让人退款, 不让我注销: NOT_NEGATION's 不让)
_CAUSATIVE = re.compile(r"(?:(?:从不|从来不|从没|从来没|从未|没有|没|不)(?:让|令|叫|使)(?:人|大家)"
                        r"|(?:从不|从来不|从没|从来没|从未)(?:让|令|叫|使)(?:我|我们))$")
FEELINGS = ("失望", "心寒", "寒心", "生气", "气愤", "愤怒", "恼火", "无语", "恶心", "伤心", "反感", "担心", "烦")
RHETORICAL = ("怎么可能", "怎么会", "怎会", "哪会", "哪可能", "哪能", "不可能", "难道会", "难道要", "岂会", "岂能")


def negated(text: str, start: int, window: int = 4) -> bool:
    """True when the words before ``start`` negate it: a negation word within ``window``
    characters before it (不会销户, 没有投诉), or an intent negation earlier in the same clause
    (我不会去投诉到12315). Not for phrases that only look negated (不得不注销, 无法注销, 不给退订)
    nor for conditionals whose consequence it is (不解决就打12315, 没人管我就销户)."""
    lo = max(0, start - 12)
    clause = text[lo:start]
    cut = list(CLAUSE_END.finditer(clause))
    if cut:
        clause = clause[cut[-1].end():]
    if not clause:
        return False
    if any(c in clause for c in _CONSEQUENCE):
        return False
    if _CAUSATIVE.search(clause) and text.startswith(FEELINGS, start):
        return True
    before = clause[-window:]
    if any(p in text[max(0, start - window - 2):start] for p in NOT_NEGATION):
        return False
    if any(before.endswith(n) or n in before[-3:] for n in NEGATORS):
        return True
    return any(n in clause for n in INTENT_NEGATORS)


def rhetorical(text: str, start: int) -> bool:
    """True when the cue at ``start`` sits in a rhetorical question that denies it, earlier in the
    same clause: 怎么可能退网, 我哪会换运营商, 不可能销户."""
    lo = max(0, start - 12)
    clause = text[lo:start]
    cut = list(CLAUSE_END.finditer(clause))
    if cut:
        clause = clause[cut[-1].end():]
    return any(r in clause for r in RHETORICAL)
