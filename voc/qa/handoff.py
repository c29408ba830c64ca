"""Transfer to a person: did the customer ask for one (转人工, 人工客服, 找真人, "人工" said
again and again), was the contact transferred (a transfer notice, or a person answering after a
bot), and which bot failures came before (the customer saying 答非所问 / 听不懂, the customer
rephrasing the same question, the bot's own "I did not understand").

``handoff(turns) -> (state, turn, signals)``: state ``none`` | ``requested`` | ``transferred``
(transferred wins), the turn of the first request (or of the transfer when nobody asked), and
the failure signals seen before that turn.
"""
from __future__ import annotations

import re
from typing import Sequence

from ..records import Turn
from .engine import bigrams

# the customer asks for a person in this contact; not a report about a phone line's 人工服务
REQUEST = re.compile(
    r"(转|转接|接|找|要|换|叫|请|给我|来个?|需要|我要)(一?个)?(人工|真人|活人)|人工客服(呢|在吗|在哪|在不在|出来)"
    r"|^\W*人工\W*$|人工\W*人工|真人客服|(有没有|有无)(人工|真人)|能不能.{0,4}(人|真人)(来|回复|回答)"
    r"|不要(机器人|自动回复)|别(用|再)?(机器人|自动回复)")
NOT_REQUEST = re.compile(r"打|拨|致电|电话|热线|1001\d|10000|10086|语音|按\d|人工智能|人工费|人工成本|人工台")
TRANSFER = re.compile(
    r"(?=[正已马立这现人转客专])(?:(正在|已经?|马上|立即|立刻|这就|现在)(为您|给您|帮您)?(转接|转入|接入|转到|转给|转)(人工|客服|专员|坐席|座席)"
    r"|人工(客服|坐席|座席).{0,6}(为您服务|已接入|接入)|转人工(成功|中)|(客服|专员)\S{0,8}(已)?接入)")
# bot failure signals (taxonomy: the bot's failures that precede a hand-off)
CUSTOMER_FAILS = re.compile(r"答非所问|听不懂|没听懂|看不懂|不是这个意思|我问的是|你在说什么|说人话|牛头不对马嘴"
                            r"|驴唇不对马嘴|文不对题|不是我问的|没用的?回答|机器人|自动回复")
BOT_FALLBACK = re.compile(r"(没|不|未)(有|能)?(听懂|理解|明白|识别)|换个(说法|问法)|没有?找到(相关|答案)|还在学习|再说一遍|请重新描述")


def _rephrased(a: str, b: str) -> bool:
    """The customer says the same thing again (most of the shorter turn's bigrams recur)."""
    x, y = bigrams(a), bigrams(b)
    if len(x) < 3 or len(y) < 3:
        return False
    return len(x & y) / min(len(x), len(y)) >= 0.6


def handoff(turns: Sequence[Turn]) -> tuple[str, int | None, tuple[str, ...]]:
    req = trans = None
    bot_seen = False
    for i, t in enumerate(turns):
        if not t.text:
            continue
        if t.speaker == "customer":
            if req is None:
                for m in REQUEST.finditer(t.text):
                    clause = re.split(r"[，,。！？!?；;\s]", t.text[:m.start()])[-1] + t.text[m.start():m.end() + 6]
                    if not NOT_REQUEST.search(clause):
                        req = i
                        break
        elif t.speaker == "bot":
            bot_seen = True
        elif t.speaker == "agent" and bot_seen and trans is None:
            trans = i  # a person answers after the bot
        if t.speaker in ("system", "bot", "agent") and trans is None and TRANSFER.search(t.text):
            trans = i
    state = "transferred" if trans is not None else "requested" if req is not None else "none"
    at = req if req is not None else trans
    if at is None:
        return state, None, ()
    signals: list[str] = []
    prev_customer = None
    for t in turns[:at + 1]:
        if t.speaker == "customer" and t.text:
            m = CUSTOMER_FAILS.search(t.text)
            if m and m.group() not in signals:
                signals.append(m.group())
            if prev_customer is not None and _rephrased(prev_customer, t.text) and "rephrased" not in signals:
                signals.append("rephrased")
            prev_customer = t.text
        elif t.speaker == "bot" and t.text and BOT_FALLBACK.search(t.text) and "bot_fallback" not in signals:
            signals.append("bot_fallback")
    return state, at, tuple(signals)
