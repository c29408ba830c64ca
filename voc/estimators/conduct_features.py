"""Question-answer relation features of the agent-conduct model (taxonomy section 9).

Perfunctory replies, ignored or misunderstood questions and pushing the customer away are
relations between what the customer asked and what the agent replied, which character n-grams of
the agent's turns alone do not see. Each agent reply is paired with the customer turns just
before it, and ``relation_features`` measures (all in 0..1 or -1..1, plain regular expressions and
set arithmetic, a few microseconds a contact):

- how many of the customer's character bigrams the reply takes up (lowest, highest, mean; and
  the first customer turn's in the first reply), computed for the whole batch with numpy;
- the questions asked by type (time / place / how / why) and those whose reply has no element of
  the matching kind (a time, a place, a step, a cause);
- the reply's length against the question's, and the shortest reply;
- replies that only refer elsewhere or ask for a private message (请私信 / 请拨打 / 请咨询 ...);
- the customer's turns after the first reply against the agent's turns;
- the customer repeating the first question after the reply, asking again, or reacting badly.

Chosen on development folds of the non-reserved labels (docs/qa.md "Agent conduct (learnt)").
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ..lang.patterns import compile_scanning
from ..records import Turn
from .root_cause_features import BITS

# question type -> (the question asks it, the reply has an element of that kind)
QUESTION_TYPES = {
    "time": (r"什么时候|何时|多久|几天|几点|啥时候|多长时间|时间", r"\d|小时|天|工作日|尽快|今天|明天|近期|月|号|周"),
    "place": (r"哪里|哪儿|在哪|哪个|地址|哪家", r"营业厅|网点|地址|路|区|市|中心|店|官网|网站|页面"),
    "how": (r"怎么|如何|怎样|咋|能不能|可以.{0,6}吗|有没有办法", r"可以|请您?|登录|点击|进入|设置|申请|办理|拨打|通过|方法|步骤"),
    "why": (r"为什么|为啥|为何|凭什么|怎么回事|什么原因", r"因为|由于|原因|是因|导致|所以"),
}
REFERRAL = r"私信|拨打|致电|热线|咨询|营业厅|联系方式|提供.{0,6}(号码|手机|订单)|1001\d|10000|10086|客服电话|当地"
NEGATIVE = (r"敷衍|没用|呵呵|无语|垃圾|算了|还是|到底|不是|有什么用|什么意思|又|怎么还|然后呢|就这|[?？].*[?？]|!!|！！"
            r"|差劲|坑|骗|无奈|失望|搞笑|醉了")
_QRX = tuple((compile_scanning(a), compile_scanning(b)) for a, b in QUESTION_TYPES.values())
_ANY_Q = compile_scanning("|".join(f"(?:{a})" for a, _ in QUESTION_TYPES.values()))  # speed: one scan skips the four on most turns
_REFER = compile_scanning(REFERRAL)
_NEG = compile_scanning(NEGATIVE)
# digits, spaces and punctuation are dropped before bigrams are taken
NOISE = "0123456789０１２３４５６７８９ \t\n\r\u3000\xa0,.!?，。！？~～、:：;；@#-_()（）[]【】"
_IS_NOISE = np.zeros(0x10000, dtype=bool)
_IS_NOISE[[ord(ch) for ch in NOISE]] = True
N_RELATION = 15
SHORT_REFERRAL = 80  # a referral reply longer than this says something else too
ROW_SHIFT = 2 * BITS  # a bigram key takes 42 bits; the row goes above them


def bigram_keys(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(row, key) of every character bigram of each text once its noise characters are dropped,
    for the whole batch in numpy: code points packed two to an int64 (as ``char_keys``)."""
    joined = "\x00".join(t.replace("\x00", " ") for t in texts) + "\x00"
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lens = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    row = np.repeat(np.arange(len(texts), dtype=np.int64), lens)
    keep = ~_IS_NOISE[np.minimum(cp, 0xFFFF)] | (cp > 0xFFFF)
    cp, row = cp[keep], row[keep]
    valid = (cp[:-1] != 0) & (cp[1:] != 0)
    return row[:-1][valid], ((cp[:-1] << BITS) | cp[1:])[valid]


def _unique(v: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort and a comparison: faster here than ``np.unique``'s hashing)."""
    v = np.sort(v)
    return v[np.concatenate([[True], v[1:] != v[:-1]])] if len(v) else v


def overlaps(a: list[str], b: list[str]) -> np.ndarray:
    """For each pair, the share of ``a[i]``'s character bigrams found in ``b[i]`` (0 when ``a[i]``
    has none), for all pairs at once: bigram keys with the pair's row above them, intersected with
    numpy."""
    out = np.zeros(len(a))
    step = 1 << (62 - ROW_SHIFT)
    for lo in range(0, len(a), step):
        ra, ka = bigram_keys(a[lo:lo + step])
        rb, kb = bigram_keys(b[lo:lo + step])
        ua, ub = _unique((ra << ROW_SHIFT) | ka), _unique((rb << ROW_SHIFT) | kb)
        n = min(step, len(a) - lo)
        common = np.bincount(np.intersect1d(ua, ub, assume_unique=True) >> ROW_SHIFT, minlength=n)
        total = np.bincount(ua >> ROW_SHIFT, minlength=n)
        out[lo:lo + n] = np.divide(common, total, out=np.zeros(n), where=total > 0)
    return out


def pairs_of(turns: Sequence[Turn]) -> list[tuple[str, str]]:
    """(the customer's words since the previous reply, the agent's reply) for each agent turn."""
    out, asked = [], []
    for t in turns:
        if not t.text:
            continue
        if t.speaker == "customer":
            asked.append(t.text)
        elif t.speaker == "agent":
            out.append(("".join(asked), t.text))
            asked = []
    return out


def relation_features(batch: Sequence[Sequence[Turn]]) -> np.ndarray:
    """``N_RELATION`` features of each contact's turns (a row per contact)."""
    shapes, a, b = [], [], []
    for turns in batch:
        pairs = pairs_of(turns)
        said = [t for t in turns if t.text]
        customer = [t.text for t in said if t.speaker == "customer"]
        first = next((i for i, t in enumerate(said) if t.speaker == "agent"), len(said))
        later = [t.text for t in said[first:] if t.speaker == "customer"]
        shapes.append((pairs, later, bool(customer and pairs)))
        if customer and pairs:  # the first customer turn against the first reply
            a.append(customer[0])
            b.append(pairs[0][1])
        if customer and later:  # the customer repeating the first question after the reply
            a += later
            b += [customer[0]] * len(later)
    share = iter(overlaps(a, b).tolist())
    out = []
    for pairs, later, opens in shapes:
        opening = next(share) if opens else 0.0
        repeat = max([next(share) for _ in later], default=0.0)
        out.append([opening] + _features(pairs, later, repeat))
    return np.array(out, dtype=np.float64).reshape(len(out), N_RELATION)


def _features(pairs, later, repeat) -> list[float]:
    agent = [r for _, r in pairs]
    f: list[float] = []
    asked = unanswered = 0
    for q, r in pairs:
        if _ANY_Q.search(q) is None:
            continue
        for qx, rx in _QRX:
            if qx.search(q):
                asked += 1
                unanswered += not rx.search(r)
    f += [min(asked, 3) / 3, min(unanswered, 3) / 3, 1.0 if unanswered else 0.0]
    ratios = [max(-3.0, min(3.0, math.log((len(r) + 1) / (len(q) + 1)))) / 3 for q, r in pairs]
    f += [sum(ratios) / len(ratios), min(ratios), min(min(len(r) for r in agent), 60) / 60] if pairs else [0.0] * 3
    referral = [bool(_REFER.search(r)) and len(r) < SHORT_REFERRAL for r in agent]
    f += [1.0 if agent and all(referral) else 0.0, sum(referral) / len(agent) if agent else 0.0]
    f += [min(len(later), 4) / 4, (len(later) - len(agent) + 3) / 6 if agent else 0.0]
    f += [repeat, 1.0 if any("?" in t or "？" in t for t in later) else 0.0]
    f += [1.0 if any(_NEG.search(t) for t in later) else 0.0, 1.0 if later and _NEG.search(later[-1]) else 0.0]
    return f
