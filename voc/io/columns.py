"""Which column or field of an export plays which role: the default header names (工单号, 内容,
角色 ...), the columns a user names (``Columns``, the ``--*-col`` and ``--speakers`` options) and
the reading of an export's own speaker values. The readers (``voc.io.readers``) use them."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Mapping, Sequence

from ..errors import ConfigError, InputError
from ..records import normalise_speaker
from .values import scrubbed

# Default column names, tried in order (lower-cased). Users override with --*-col.
COLUMNS = {
    "id": ("id", "contact_id", "ticket_id", "call_id", "session_id", "工单号", "工单编号", "投诉编号",
           "通话id", "会话id", "对话id", "编号", "序列号", "流水号"),
    "text": ("text", "content", "review", "comment", "message", "内容", "通话内容", "对话内容",
             "投诉内容", "文本", "工单内容", "问题描述", "评论", "评价内容", "留言", "消息", "描述"),
    "speaker": ("speaker", "role", "sender", "角色", "说话人", "发言人", "发送方", "身份"),
    "time": ("created_at", "time", "timestamp", "datetime", "date", "时间", "创建时间", "来电时间",
             "受理时间", "日期", "提交时间", "发送时间"),
    "channel": ("channel", "source", "渠道", "来源", "受理渠道", "接入渠道"),
    "customer": ("customer_id", "customer", "user_id", "客户编号", "客户id", "用户id", "客户号", "会员号"),
}
# Columns kept in the metadata that quality inspection reads (``voc tag --qa``): the agent and the team
AGENT_COLUMNS = {
    "agent": ("agent_id", "agent", "agent_name", "坐席工号", "客服工号", "坐席姓名", "客服姓名", "工号", "坐席",
              "坐席id", "客服id", "客服", "座席工号", "处理人", "受理人"),
    "team": ("team", "group", "班组", "组别", "技能组", "团队", "小组", "部门"),
}
# which of them hold a person's name (redacted or pseudonymised like personal data)
NAME_COLUMNS = ("agent_name", "坐席姓名", "客服姓名", "处理人", "受理人", "坐席", "客服")


def find_column(keys: Sequence[str], role: str, chosen: str | None = None) -> str | None:
    """The key of ``keys`` (metadata keys or headers) that holds ``role`` (agent / team):
    ``chosen`` when given (compared like headers), else the first default name found."""
    lowered = {header_key(k): k for k in keys}
    if chosen:
        return lowered.get(header_key(chosen))
    return next((lowered[n] for n in AGENT_COLUMNS[role] if n in lowered), None)


# the keys of a JSON turn
TURN_KEYS = {"speaker": ("speaker", "role", "sender", "角色", "说话人"),
             "text": ("text", "content", "utterance", "utterances", "内容", "通话内容"),
             "at": ("at", "time", "timestamp", "时间")}


def speaker_key(raw: Any) -> str:
    """A speaker value as --speakers names it: width-folded ("０" is "0"), lower case, and a
    whole number read as a float by a spreadsheet or pandas ("1.0") as the number ("1")."""
    key = unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip().lower()
    return key[:-2] if key.endswith(".0") and key[:-2].isdigit() else key


def speaker_map(speakers: Mapping[str, str]) -> dict[str, str]:
    """``speakers`` with its keys as ``speaker_key`` reads them and each role checked."""
    try:
        return {speaker_key(k): normalise_speaker(v, exact=True) for k, v in speakers.items()}
    except ValueError as e:
        raise ConfigError(f"speakers: {scrubbed(str(e))}; give each value a role: customer, agent, bot or system."
                          ) from None


@dataclass(frozen=True)
class Columns:
    """Column names chosen by the user; None means "find it among the defaults"."""

    id: str | None = None
    text: str | None = None
    speaker: str | None = None
    time: str | None = None
    channel: str | None = None
    customer: str | None = None
    group_by: str | None = None
    no_header: bool = False  # the first row is data; columns are named 1, 2, 3...
    # the export's own speaker values, e.g. {"0": "customer", "1": "agent"} (--speakers 0=customer,1=agent);
    # read before the built-in names (voc.records.normalise_speaker)
    speakers: Mapping[str, str] | None = None

    @cached_property
    def roles(self) -> dict[str, str]:
        """``speakers`` read once (``speaker_map``): a ``ConfigError`` for a role that is none."""
        return speaker_map(self.speakers) if self.speakers else {}

    def speaker_role(self, raw: Any) -> str:
        if self.speakers:
            role = self.roles.get(speaker_key(raw))
            if role is not None:
                return role
        try:
            return normalise_speaker(raw)
        except ValueError as e:
            raise ValueError(f"{e}, or name the export's own values with --speakers (e.g. 0=customer,1=agent)") from None


def header_key(name: str) -> str:
    """Header names compare case-, width- and script-insensitively (工單號 == 工单号)."""
    from ..text.normalise import normalise

    return normalise(name, spoken=False).lower().replace(" ", "")


def pick_column(header: Sequence[str], role: str, chosen: str | None, required: bool, path: str) -> int | None:
    lowered = [header_key(h) for h in header]
    if chosen:
        if header_key(chosen) in lowered:
            return lowered.index(header_key(chosen))
        raise InputError(f"{path} has no column {scrubbed(chosen)!r}; columns found: {scrubbed(', '.join(header))}. "
                         f"Pass the right name with --{role}-col.")
    for name in COLUMNS[role]:
        if name in lowered:
            return lowered.index(name)
    if required:
        shown = scrubbed(", ".join(h[:20] for h in header[:12])) or "(none)"
        raise InputError(f"{path} has no {role} column among {shown}; name it with --{role}-col "
                         f"(or --no-header --{role}-col N if the file has no header row).")
    return None
