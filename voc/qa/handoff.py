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

from ..lang.patterns import compile_scanning
from ..records import Turn
from .engine import bigrams

# the customer asks, in this turn, for a person: to be put through to one, how / where / when one
# can be reached, whether one is there or whether this is one (corpus/README.md, "Conventions for
# transfer-to-human requests"); not a report of an earlier attempt, a manual process (人工提额),
# a hotline number alone or a greeting (在吗)
_PERSON = r"(人工|真人|活人)"
REQUEST = compile_scanning(
    rf"(转|转接|接|找|要|换|叫|请|给我接?|来个?|需要|我要|联系|接通|轻|申请)(一?个)?{_PERSON}"
    rf"|(怎么|如何|怎样|哪里|在哪)(才能)?(联系|打|接通|找|转|接)(到)?(上)?{_PERSON}"
    rf"|{_PERSON}(客服|服务|坐席|座席|台)?\s*(在哪|在不在|在吗|在么|在爱么|呐|呢|在哪里|有吗|出来)"
    rf"|{_PERSON}(客服|服务)\W*$"
    rf"|有(没有)?.{{0,6}}{_PERSON}(客服|服务|电话|坐席|座席|台){{0,2}}(吗|嘛|么|没|没有|\?|？|$)"
    rf"|{_PERSON}(客服|服务|咨询)?(电话|号码)"
    rf"|(是|你是|是不是){_PERSON}(客服|服务)?(吗|嘛|么|\?|？|$)"
    rf"|{_PERSON}(服务)?.{{0,4}}(几点|什么时候|时间|上班)|(客服|人工)(电话|服务)?(什么时间|什么时候|几点|时间|上班)"
    r"|^\W*(我要|需要|找|给我接|接|转)?(人工|真人)(客服|服务)?\W*$|人工\W*人工|就要人工|不要机器人"
    r"|(找|联系|换个?|我要|我想找|我要找)(在线|人工)?客服|客服(人员)?(在不在|在吗|在么|在哪|呢\W*$)|到底有客服"
    r"|有没有(电话的|在线的?)?客服(?!电话)|(让|叫|请|麻烦)(你们)?客服(人员)?.{0,6}(联系我|给我打|打给我|电话过来|回电|回复我)"
    r"|(给我|帮我|麻烦|你就不能|能不能)(帮我)?转(接)?(?!账|入|出|让|给[他她]).{0,8}(客服|专线|人工|一下)|转接一下"
    r"|有人(在)?(吗|嘛|么|不\W*$)|有没有人(在)?"
    # ask for another or a more senior person (找个有能力解释的高级客服来, 给我换个客服, 叫你们经理来)
    r"|(找|换|叫|派|安排|请)(个|一个|一位|位)?[^，,。！？!?]{0,10}(高级|资深|专业|其他|别的)(的)?(客服|人工|专员|工作人员|经理|主管)"
    # a named person or role asked to contact, call back or explain (请相关人员给我来电, 请安排客服帮我解释)
    r"|(让|叫|请|麻烦|安排)(你们)?(的)?(客服|相关|工作|专职|专属)?(人员|专员|客服|经理)[^，,。！？!?]{0,8}"
    r"(联系我|来电|致电|回电|给我打|打给我|电话过来|帮我解释|给我解释|跟我说明)"
    # whether the chat has a person behind it, online (可以在线咨询吗, 官网上有客服窗口没)
    r"|(在线|网上|官网)(的)?(咨询|客服|人工)(窗口|入口)?(吗|嘛|么|没|呢|\?|？|$)"
    r"|(客服|人工)(窗口|入口)(吗|嘛|么|没|呢|在哪|\?|？|$)|(提供|给)(一下)?(你们)?(的)?(官方|在线)客服"
    # is this a person or a machine (真人还是机械人, 你是机器还是人工)
    r"|(人工|真人|活人)还是(机器|机械|电脑|自动)|(机器|机械|电脑)人?还是(人工|真人|活人)")
# short clauses that are a bare 客服 / 人工 command with or without a topic (客服; 蚂蚁借呗客服; 花呗分期人工)
BARE_SERVICE = re.compile(r"^\W*(\w{0,6}(客服|人工)|(客服|人工)\W*\w{0,6})\W*$")
NOT_REQUEST = compile_scanning(
    r"人工(提额|审核|申请|扣款|还款|开通|回访|邀请|智能|费|成本|湖|降雨)|(还款顺序|顺序)人工|无法|没法|没有转|打来|打过来|来得方便"
    r"|打不通|没人接|无人接|不接|不通|挂(断|机|了)|(全|一直|都)(在)?忙|按半天|已经?(联系|反馈|打)|打了|打过|拨了|致电"
    r"|没有人工(跟|和|给)我|取消(了)?人工|你是机器人|自动回复|机器人(客服|回复)|都是机器"
    r"|还没(打|回)|多久能?(接到|打)|是(?!人工|真人).{0,6}客服(不|吗|是吗)|帮您|为您|给您|我这边|人工有个"
    r"|1001\d|10000|10086|热线|语音|按\d|繁忙|好不容易|终于|没有(人工|真人)(?!.{0,4}(吗|嘛|么))"
    # a manual operation on the account (人工关闭借呗, 人工注销)
    r"|人工(关闭|取消|注销|修改|调整|解冻|冻结|激活|删除|减免|退款|核实|核查|查询|确认)"
    # a report of what happened: the outcome of an earlier contact (联系客服半天也没给回话, 联系人工客服 根本打不进去)
    r"|打不进|进不去|接不通|联系不上|没(给|有给)?回|不回|(联系|打|找)了?.{0,6}半天|无果|未果|只发|说了|告诉我|告知|答复"
    # narrative time and sequence words (连忙进入app找人工客服, 之前联系过客服)
    r"|之前|当时|曾经?|昨天|前天|上次|多次|几次|连忙|于是|后来|然后|随后|结果"
    # a habit told in a suggestion or complaint (现在每次都要找客服改), not a request now
    r"|每次|每回|总是|老是|还得|都得|都要找"
    # a wish or complaint about a person, not a request (要是真人该多好, 比真人有意思)
    r"|要是|如果是|比真人|真人秀|真人真事")
_MENTION = re.compile(r"@[\w\-·]+")
_BARE_PERSON = re.compile(r"^\W*(人工|真人)(客服|服务)?\W*$")
_CLAUSE = re.compile(r"[，,。.！？!?；;\n]+")
_SPACE = re.compile(r"\s+")
# a clause that tells the outcome of one before it (找客服投诉, 投诉说工作人员会主动联系; 我联系人工客服 电话
# 根本打不进去)
_OUTCOME = re.compile(r"\W*.{0,4}(说|告诉|告知|回复|答复|结果|但|可是|却)|.{0,4}(打不进|打不通|没人接|无人接|接不通|不通|没回|不回)")
PHONE_ONLY = re.compile(r"电话|号码|热线|多少")
TRANSFER = re.compile(
    r"(?=[正已马立这现人转客专])(?:(正在|已经?|马上|立即|立刻|这就|现在)(为您|给您|帮您)?(转接|转入|接入|转到|转给|转)(人工|客服|专员|坐席|座席)"
    r"|人工(客服|坐席|座席).{0,6}(为您服务|已接入|接入)|转人工(成功|中)|(客服|专员)\S{0,8}(已)?接入)")
# bot failure signals (taxonomy: the bot's failures that precede a hand-off)
CUSTOMER_FAILS = re.compile(r"答非所问|听不懂|没听懂|看不懂|不是这个意思|我问的是|你在说什么|说人话|牛头不对马嘴"
                            r"|驴唇不对马嘴|文不对题|不是我问的|没用的?回答|机器人|自动回复")
BOT_FALLBACK = compile_scanning(r"(没|不|未)(有|能)?(听懂|理解|明白|识别)|换个(说法|问法)|没有?找到(相关|答案)|还在学习|再说一遍|请重新描述")


# the words every match of REQUEST, BARE_SERVICE and _BARE_PERSON contains (read off each alternative);
# a new alternative without one of them must add its word here
_ASK = re.compile(r"人工|真人|活人|客服|机器人|转|有人|专员|人员|经理|主管|咨询")


def _can_ask(text: str) -> bool:
    """Whether ``text`` holds a word every request needs (``_ASK``): one literal scan that skips the
    long patterns on most turns and clauses (for speed: they try every position)."""
    return _ASK.search(text) is not None


def _rephrased(a: str, b: str) -> bool:
    """The customer says the same thing again (most of the shorter turn's bigrams recur)."""
    x, y = bigrams(a), bigrams(b)
    if len(x) < 3 or len(y) < 3:
        return False
    return len(x & y) / min(len(x), len(y)) >= 0.6


def _spaced_clauses(clause: str) -> bool:
    """Whether the spaces of a clause separate clauses rather than single words (most parts longer than two
    characters)."""
    parts = _SPACE.split(clause)
    return len(parts) > 1 and sum(len(p) > 2 for p in parts) * 2 >= len(parts)


def is_request(text: str) -> bool:
    """Whether a customer turn asks for a person (see ``REQUEST``)."""
    # speed: a word found in the raw turn is found with its spaces removed too, so the removal is only
    # needed when the raw turn has none but has whitespace
    if not _can_ask(text) and (_SPACE.search(text) is None or not _can_ask(_SPACE.sub("", text))):
        return False  # the parts below may join words split by spaces (人 工)
    if "@" in text:  # speed: without an @ there is no mention to drop, and the test below was the one above
        text = _MENTION.sub(" ", text).strip()
        if not _can_ask(_SPACE.sub("", text)):  # its 客服 was in an @客服 mention
            return False
    else:
        text = text.strip()
    clauses = [c.strip() for c in _CLAUSE.split(text) if c.strip()]
    # a space separates clauses in a chat line (换卡 请问有人在吗, 人工 人工), but the words of a word-segmented
    # sentence (好 吧 真人 犀利, 我要 真人 聊聊): split on spaces only where most parts are longer than a word
    parts = [(i, p) for i, c in enumerate(clauses)
             for p in (_SPACE.split(c) if _spaced_clauses(c) else [_SPACE.sub("", c)])]
    for k, (i, part) in enumerate(parts):
        if not _can_ask(part):  # no request can match here (for speed: the searches below are long)
            continue
        # the next clause, or the next two parts of a clause split at spaces, may tell how an earlier contact went
        after = [p for j, p in parts[k + 1:k + 3] if j == i] or [p for j, p in parts[k + 1:k + 2]]
        if NOT_REQUEST.search(part) or any(_OUTCOME.match(p) for p in after):
            continue
        if REQUEST.search(part):
            return True
    # a short turn that is a bare 客服 / 人工 command (客服; 蚂蚁借呗客服; 取消蚂蚁花呗,人工客服)
    if len(text) <= 16 and clauses and not PHONE_ONLY.search(text) and not NOT_REQUEST.search(text) \
            and (BARE_SERVICE.match(text) or _BARE_PERSON.match(clauses[-1])):
        return True
    return False


def handoff(turns: Sequence[Turn]) -> tuple[str, int | None, tuple[str, ...]]:
    req = trans = None
    bot_seen = False
    for i, t in enumerate(turns):
        if not t.text:
            continue
        if t.speaker == "customer":
            if req is None and is_request(t.text):
                req = i
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
