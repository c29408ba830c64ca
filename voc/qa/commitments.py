"""Promises an agent made, for a supervisor to follow up: call-backs (稍后回电, 联系您), deadlines
(24小时内处理, 3个工作日内回复), applications (给您申请, 为您提交, 帮您登记) and follow-ups (跟进,
催办), each with the turn and the time promised when one is said (``due``)."""
from __future__ import annotations

import re
from typing import Sequence

from ..lang.patterns import compile_scanning
from ..records import Commitment, Turn

_NUM = r"(\d+|[一二两三四五六七八九十半]+)"
DUE = compile_scanning(rf"{_NUM}\s*(个)?\s*(小时|工作日|个?工作日|天|日|分钟|周|星期)(之内|以内|内)?|今天|今日|明天|明日|当天|"
                 r"本周|下周|月底|\d{1,2}[点:：]\d{0,2}(前|之前)?")
KINDS = (
    ("deadline", re.compile(rf"(?=[\d一二两三四五六七八九十半会将])(?:{_NUM}\s*个?\s*(小时|工作日|天|日|分钟)(之内|以内|内).{{0,8}}"
                            r"(处理|回复|答复|解决|联系|回电|到账|完成|反馈|退|补|恢复|修复|上门)"
                            # 会在今天之内处理: the time between the promise and the deed
                            rf"|(会|将)在(今天|今日|明天|明日|当天|本周|下周|月底|{_NUM}\s*个?\s*(小时|工作日|天|日|分钟))"
                            r"(之内|以内|内|前|之前)?.{0,4}(处理|回复|答复|解决|到账|完成|反馈|退|补|恢复|修复|上门))")),
    ("callback", re.compile(r"(?=[稍随尽会将再专工同])(?:(稍后|随后|尽快|会|将|再)(给您|为您|与您)?(回电|致电|回复您|联系您|电话联系|回访)"
                            # 会在今天下午5点前给您回电: a time said between 会 and the call-back
                            r"|(会|将)在[^，,。！？!?；;]{1,14}?(给您|为您|与您)(回电|致电|回复|答复|联系|打电话)"
                            r"|专人(与您|给您|和您)?(联系|回电|跟进)|(工作人员|专员|同事)(会|将)?(尽快)?(与您|给您)?(联系|回电))")),
    ("application", re.compile(r"(?=[给为帮])(?:给您|为您|帮您)(申请|提交|登记|反馈|上报|报障|报修|加急|催办|补发|补偿)")),
    ("follow_up", re.compile(r"(?=[会将督催])(?:(会|将)(持续|继续|及时)?(跟进|关注|督促|催促)|(督促|催促|催办)相关)")),
)
_NEGATED = re.compile(r"(不|无法|没法|不能|没有办法)(给您|为您|帮您|会|将)?$")


def commitments(turns: Sequence[Turn]) -> tuple[Commitment, ...]:
    out = []
    for i, t in enumerate(turns):
        if t.speaker != "agent" or not t.text:
            continue
        for kind, rx in KINDS:
            m = rx.search(t.text)
            if m is None or _NEGATED.search(t.text[max(0, m.start() - 6):m.start()]):
                continue
            # the clause around the promise, and a time said in it
            lo = max(t.text.rfind(p, 0, m.start()) for p in "。！？!?；;,，") + 1
            ends = [j for j in (t.text.find(p, m.end()) for p in "。！？!?；;") if j != -1]
            hi = min(ends) + 1 if ends else len(t.text)
            clause = t.text[lo:hi].strip()
            due = DUE.search(clause)
            out.append(Commitment(i, clause[:120], kind, due.group() if due else None))
            break  # one commitment per turn: the strongest kind
    return tuple(out)
