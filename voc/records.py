"""The records that flow through a pipeline: ``Contact`` in, ``Tagged`` out.

Records are frozen: a stage never mutates its input, it returns an enriched copy
(``dataclasses.replace``). ``Tagged.to_record()`` is the flat, documented output record
(docs/formats.md); its field names are a stable contract.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Iterable, Mapping, NamedTuple

from .errors import ConfigError, StageError

SPEAKERS = ("customer", "agent", "bot", "system")

# exact (lower-cased) names first, then substrings for names such as "客服小王" or "坐席(工号123)";
# traditional forms too (客戶, 顧客, 機器人, 系統): a Big5 export keeps them
_SPEAKER_NAMES = {
    "customer": ("customer", "客户", "用户", "顾客", "user", "client", "consumer", "客人", "来电人", "买家",
                 "乘客", "旅客", "访客", "buyer", "caller", "visitor", "客戶", "用戶", "顧客", "來電人", "買家", "訪客",
                 "c"),
    "agent": ("agent", "坐席", "客服", "helpdesk", "staff", "人工", "座席", "service", "operator", "卖家", "商家",
              "话务员", "接线员", "人工客服", "客服代表", "seller", "賣家", "話務員", "接線員", "a"),
    "bot": ("bot", "机器人", "智能客服", "robot", "ivr", "機器人"),
    "system": ("system", "系统", "sys", "系統"),
}
_EXACT = {name: role for role, names in _SPEAKER_NAMES.items() for name in names}
_SUBSTRINGS = [(n, role) for role in ("bot", "system", "agent", "customer")
               for n in _SPEAKER_NAMES[role] if len(n) > 1]


def normalise_speaker(raw: Any, exact: bool = False) -> str:
    """Map a speaker label from any export to customer|agent|bot|system; with ``exact``, only a
    name itself (a role given by a user: "客户经理" or "customer 1" is not one).

    Raises ``ValueError`` for a label that names none of them.
    """
    name = str(raw if raw is not None else "").strip().lower()
    if name in _EXACT:
        return _EXACT[name]
    for needle, role in () if exact else _SUBSTRINGS:
        if needle in name:
            return role
    raise ValueError(f"unknown speaker {raw!r}; expected a customer, agent, bot or system label")


# A transcript exported as one text ("客户：……\n坐席：……"). A label starts a line, or follows a
# run of spaces on a one-line ASR export ("客户：喂 坐席：您好"); never a sentence end, with or
# without a space after it, where a ticket's own words ("用户：我要投诉你们客服！ 客服：态度极差")
# would be cut. It is a speaker name, optionally in brackets, after a timestamp ("[00:01:02] 客户：",
# "2023-05-01 10:00:01 客户：", "[00:01-00:05] 客户："), with an id or an agent's name ("坐席1023",
# "客服1号", "客服(工号1023)", "客服小王", "客服-张三", "客户[00:01]"; an id that a colon and a digit
# follow is a clock time: "客户12:30来电" is a ticket), then a colon; or a time and the end of the
# line ("客户 00:00:01" above what was said). A longer word after the name ("客服态度：",
# "客户反映：", "客服小妹说：") is not a label, and a text with any other field label at such a place
# ("问题：", "诉求：", "电话：138…", "Issue:") is a form, not a transcript. Precision first: a text
# wrongly split loses the customer's words, one wrongly left whole is read as before.
_SP = "[ \\t\u3000\xa0]"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_STAMP = (rf"(?:\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}[T ]+)?[\[【(（]?(?:\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}[T ]+)?"
          rf"{_TIME}(?:{_SP}*[-~–—]{_SP}*{_TIME})?[\]】)）]?{_SP}*")
_PAREN_ID = r"(?:工号|编号|ID)?[：:]?[A-Za-z0-9_-]{1,12}"
_SUFFIX = (rf"(?:[（(](?:{_PAREN_ID}|{_TIME}|[\u4e00-\u9fff]{{1,3}})[）)]|[\[【]{_TIME}[\]】]"
           rf"|[-_#·]?[A-Za-z]?\d{{1,10}}号?(?!{_SP}*[：:][0-9])|工号\d{{1,10}}"  # "客户12:30来电": a time, not an id
           rf"|[-_·]?{_SP}?小[\u4e00-\u9fff]|[-_·][\u4e00-\u9fff]{{1,4}})")
_END = rf"(?:{_SP}*[：:](?!//)|{_SP}+{_TIME}(?:{_SP}*[：:](?![0-9]|//)|(?={_SP}*(?:\r?\n|$))))"
# another field label: a name that is not only digits ("12:30" is a time), then a colon
_FIELD = r"(?![0-9]{1,10}[：:])[^\s\u3000\xa0：:，,。.!！?？;；()（）]{1,10}[：:](?!//|[()])"
_LEADING = " \t\r\n\u3000\xa0\ufeff\u200b"
_HEADER_VALUE = 8  # characters: a name or an id, the value of a header line
_NOT_LABELS = ("service", "sys", "consumer", "staff", "operator", "helpdesk")
_LABEL_NAMES = [n for names in _SPEAKER_NAMES.values() for n in names if len(n) > 1 and n not in _NOT_LABELS]


def _label_pattern(names: Iterable[str], own: Iterable[str] = ()) -> "re.Pattern[str]":
    def alt(words: Iterable[str]) -> str:
        return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))

    label = rf"(?:{_STAMP})?[\[【]?(?:(?P<name>{alt(names)}){_SUFFIX}?"
    label += (rf"|(?P<own>{alt(own)}))" if own else ")")
    # ASCII: case-insensitive for the English names only ("ſ" is not "s"); the label eats the
    # spaces after its colon, so that a field label right after it is known as the turn's text
    return re.compile(rf"(?:^|(?<=[\n\r\ufeff\u200b])|(?<![。！？!?；;…][ \t\u3000\xa0])(?<=[ \t\u3000\xa0]))(?:(?P<label>{label})[\]】]?{_END}{_SP}*|(?P<field>{_FIELD}))",
                      re.IGNORECASE | re.ASCII)


_TRANSCRIPT_LABEL = _label_pattern(_LABEL_NAMES)
_OWN_LABELS: dict[tuple[tuple[str, str], ...], "tuple[re.Pattern[str], dict[str, str]]"] = {}


def _own_pattern(speakers: Mapping[str, str]) -> "tuple[re.Pattern[str], dict[str, str]]":
    """The pattern with an export's own labels; only labels with a non-digit ("说话人1", "A"),
    never "0"/"1" (those are column values, and "1" would read "10:00" as a label)."""
    key = tuple(sorted((str(k), str(v)) for k, v in speakers.items()))
    if key not in _OWN_LABELS:
        if len(_OWN_LABELS) > 32:  # a library user with many maps: keep the cache small
            _OWN_LABELS.clear()
        own = {k.strip().lower(): normalise_speaker(v, exact=True) for k, v in key
               if k.strip() and not k.strip().isdigit()}
        _OWN_LABELS[key] = (_label_pattern(_LABEL_NAMES, own), own)
    return _OWN_LABELS[key]


def split_transcript(text: str, speakers: Mapping[str, str] | None = None) -> "tuple[Turn, ...] | None":
    """The turns of a transcript exported as one text, or None when the text is not one.

    A text is a transcript when it starts with a speaker label (``客户：``, ``坐席:``,
    ``[00:01] 客服小王：`` ...), its labels name the customer and at least one other speaker,
    and no other field label (``问题：``, ``诉求：``) starts a line or follows a space. Anything
    else (a ticket that quotes "客服：" once, "客户反映：……", a form "客户：张先生 问题：……")
    stays one customer text. ``speakers`` adds an export's own labels with their roles
    (``{"说话人1": "customer", "说话人2": "agent"}``, ``voc tag --speakers``).
    """
    if "：" not in text and ":" not in text:  # (the common case, hot: a review or a ticket)
        return None
    pattern, own = _own_pattern(speakers) if speakers else (_TRANSCRIPT_LABEL, {})
    first = pattern.match(text, len(text) - len(text.lstrip(_LEADING)))  # (hot too: one look)
    if first is None or first["label"] is None:
        return None
    labels: list[tuple[str, re.Match[str]]] = []
    for m in pattern.finditer(text, first.start()):
        if m["field"] is not None:
            if labels and m.start() == labels[-1][1].end():
                continue  # what a turn starts with ("坐席： 温馨提示：……") is its text
            return None  # a form with other fields, not a transcript
        name = (m["own"] if own and m["own"] else m["name"]).lower()
        role = own.get(name) or _EXACT.get(name)  # the export's own meaning of a name first
        if role is None:
            return None
        labels.append((role, m))
    roles = {role for role, _ in labels}
    if len(labels) < 2 or "customer" not in roles or len(roles) < 2:
        return None
    ends = [m.start() for _, m in labels[1:]] + [len(text)]
    said = [text[m.end():end].strip(_LEADING + "|") for (_, m), end in zip(labels, ends)]
    if len(said) <= 3 and "\n" in said[-1] and all("\n" not in x for x in said[:-1]) \
            and all(len(x.split("\n", 1)[0]) <= _HEADER_VALUE for x in said):
        return None  # a header block ("客户：张先生\n客服：小王\n" and the body on lines of its own)
    turns = tuple(Turn(role, x) for (role, _), x in zip(labels, said) if x)
    return turns or (Turn("customer", ""),)


@dataclass(frozen=True, slots=True)
class Turn:
    speaker: str  # customer | agent | bot | system
    text: str
    at: str | None = None

    def __post_init__(self) -> None:
        if self.speaker not in SPEAKERS:
            object.__setattr__(self, "speaker", normalise_speaker(self.speaker))


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, slots=True)
class Contact:
    """One customer contact: a call, a chat, a ticket or a review.

    A single-text ticket or review is a contact with one customer turn.
    ``source`` is where it was read from (``file:line``), for error messages.
    """

    id: str
    turns: tuple[Turn, ...]
    channel: str | None = None
    created_at: str | None = None
    customer_id: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", str(self.id))
        object.__setattr__(self, "turns", tuple(self.turns))
        object.__setattr__(self, "metadata", _frozen(self.metadata))

    def __reduce__(self):  # mappingproxy cannot be pickled; workers need contacts
        return (_rebuild_contact, (self.id, self.turns, self.channel, self.created_at,
                                   self.customer_id, dict(self.metadata), self.source))

    @classmethod
    def from_text(cls, text: str, id: str = "0", **kwargs: Any) -> "Contact":
        """A contact from one text: the customer's, or a transcript's turns (``split_transcript``)."""
        return cls(id=id, turns=text_turns(text), **kwargs)

    @property
    def is_dialogue(self) -> bool:
        return any(t.speaker != "customer" for t in self.turns) or len(self.turns) > 1


def text_turns(text: str, speakers: Mapping[str, str] | None = None) -> "tuple[Turn, ...]":
    """One text as turns: a transcript's turns, or else one customer turn."""
    turns = split_transcript(text, speakers)
    return (Turn("customer", text),) if turns is None else turns


def as_text(value: Any) -> str | None:
    """A scalar field (id, channel, customer, text) as a string: None and "" stay None, lists
    and objects become their JSON text (keys sorted), numbers and booleans ``str``."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def customer_text(turns: Any) -> str:
    """The customer's side of a conversation, turns joined with a full stop."""
    parts = [t.text for t in turns if t.speaker == "customer" and t.text]
    return "。".join(parts)


def _rebuild_contact(*args: Any) -> Contact:
    return Contact(*args)


@dataclass(frozen=True, slots=True)
class ContactType:
    """Why the customer got in touch (taxonomy section 7)."""

    label: str  # complaint | inquiry | request | praise | suggestion | other
    scores: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Resolved:
    """Whether the customer's need was met within the contact (taxonomy section 8)."""

    label: str  # yes | no | unclear
    score: float | None = None  # probability of yes (dialogues); None where it cannot be told


@dataclass(frozen=True, slots=True)
class RootCause:
    label: str
    scores: Mapping[str, float]
    evidence: tuple[str, ...] = ()
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class Sentiment:
    score: float  # probability that the customer is positive, 0..1
    label: str  # negative | neutral | positive
    start: float | None = None  # first customer turn (dialogues)
    end: float | None = None  # last customer turn (dialogues)
    trend: str | None = None  # improved | worsened | stable (dialogues)


@dataclass(frozen=True, slots=True)
class Churn:
    score: float
    level: str  # low | medium | high
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Escalation:
    flag: bool
    level: str  # none | normal | urgent
    reasons: tuple[str, ...] = ()
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class QaHit:
    """One piece of evidence of a QA rule that fired (``voc.qa``): a ``must_not`` rule's matched
    span in turn ``turn`` said by ``speaker`` (the agent's words, or the customer's for a rule
    such as "the customer is upset and the agent does not apologise"), or a ``must_have`` rule's
    missing item (``turn`` and ``speaker`` None)."""

    rule: str
    item: str
    severity: str  # info | minor | major | critical
    type: str  # must_have | must_not
    turn: int | None
    span: str
    speaker: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "item": self.item, "severity": self.severity, "type": self.type,
                "turn": self.turn, "speaker": self.speaker, "span": self.span}


@dataclass(frozen=True, slots=True)
class Commitment:
    """A promise an agent made (稍后回电, 24小时内处理, 给您申请...) for a supervisor to follow up."""

    turn: int
    text: str  # the promise as said
    kind: str  # callback | deadline | application | follow_up
    due: str | None = None  # the time promised, as said (24小时内, 明天, 3个工作日), None when none

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "kind": self.kind, "text": self.text, "due": self.due}


@dataclass(frozen=True, slots=True)
class QA:
    """Quality inspection of one contact (``voc tag --qa``, docs/qa.md)."""

    score: float | None  # 0..100; None when no agent or bot spoke
    hits: tuple[QaHit, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    handoff: str = "none"  # none | requested | transferred
    handoff_turn: int | None = None
    handoff_signals: tuple[str, ...] = ()  # bot failures before the hand-off (答非所问, rephrasing, 听不懂)
    agent_id: str | None = None
    team: str | None = None
    bot: bool = False  # a bot spoke in the contact


@dataclass(frozen=True, slots=True)
class AgentConduct:
    """Did the agent(s) serve well? (taxonomy section 9) with the reasons and agent-turn spans."""

    label: str  # ok | problem | na
    score: float | None = None  # probability of problem
    reasons: tuple[str, ...] = ()
    spans: tuple[tuple[int, str], ...] = ()  # (turn index, text) of the offending agent turns


@dataclass(frozen=True, slots=True)
class Tagged:
    """A contact and everything the stages found out about it.

    Stage outputs start as ``None``; each stage declares which of these fields it reads
    (``requires``) and writes (``assigns``), and the pipeline checks the order when built.
    """

    contact: Contact
    turns: tuple[Turn, ...] | None = None  # normalised (and redacted) turns
    text: str | None = None  # normalised customer-side text
    emoji: tuple[str, ...] | None = None  # emoji / placeholders removed from customer turns
    tokens: tuple[str, ...] | None = None  # customer-side tokens, stopwords removed
    turn_tokens: tuple[tuple[str, ...], ...] | None = None  # tokens of each customer turn
    contact_type: ContactType | None = None
    root_cause: RootCause | None = None
    sentiment: Sentiment | None = None
    resolved: Resolved | None = None
    churn: Churn | None = None
    escalation: Escalation | None = None
    topics: tuple[tuple[int, float], ...] | None = None
    topic_label: str | None = None
    qa: QA | None = None  # only with --qa
    agent_conduct: AgentConduct | None = None  # only with --qa
    status: str = "ok"  # ok | empty: ... | low_confidence: ... | truncated: ... | error
    error: StageError | None = None  # why a stage failed on this contact (status "error")
    model_version: str | None = None

    def to_record(self) -> dict[str, Any]:
        """The flat output record (field order fixed, see docs/formats.md)."""
        c, rc, s, ch, e = self.contact, self.root_cause, self.sentiment, self.churn, self.escalation
        ct, rs = self.contact_type, self.resolved
        return {
            "id": c.id,
            "channel": c.channel,
            "created_at": c.created_at,
            "customer_id": c.customer_id,
            "text": self.text,
            "contact_type": ct.label if ct else None,
            "contact_type_scores": dict(ct.scores) if ct else None,
            "root_cause": rc.label if rc else None,
            "root_cause_scores": dict(rc.scores) if rc else None,
            "root_cause_evidence": list(rc.evidence) if rc else None,
            "sentiment": s.score if s else None,
            "sentiment_label": s.label if s else None,
            "sentiment_start": s.start if s else None,
            "sentiment_end": s.end if s else None,
            "sentiment_trend": s.trend if s else None,
            "resolved": rs.label if rs else None,
            "resolved_score": rs.score if rs else None,
            "churn_risk": ch.score if ch else None,
            "churn_level": ch.level if ch else None,
            "churn_reasons": list(ch.reasons) if ch else None,
            "escalate": e.flag if e else None,
            "escalation_level": e.level if e else None,
            "escalation_reasons": list(e.reasons) if e else None,
            "owner": e.owner if e and e.owner else (rc.owner if rc else None),
            "topics": [[i, w] for i, w in self.topics] if self.topics is not None else [],
            "topic_label": self.topic_label,
            "metadata": dict(c.metadata),
            "status": self.status,
            "model_version": self.model_version,
            **(self._qa_record() if self.qa is not None or self.agent_conduct is not None else {}),
        }

    def _qa_record(self) -> dict[str, Any]:
        """The QA fields (``QA_FIELDS``), after the others: only when the QA stages ran."""
        q, a, rc = self.qa, self.agent_conduct, self.root_cause
        spans = [[i, text] for i, text in a.spans] if a else []
        return {
            "agent_id": q.agent_id if q else None,
            "team": q.team if q else None,
            "qa_score": q.score if q else None,
            "qa_hits": [h.to_dict() for h in q.hits] if q else [],
            "commitments": [c.to_dict() for c in q.commitments] if q else [],
            "handoff": q.handoff if q else None,
            "handoff_turn": q.handoff_turn if q else None,
            "handoff_signals": list(q.handoff_signals) if q else [],
            "bot": q.bot if q else None,
            "agent_conduct": a.label if a else None,
            "agent_conduct_score": a.score if a else None,
            "agent_conduct_reasons": list(a.reasons) if a else [],
            "agent_conduct_spans": spans,
            # root cause `agent`: the agent's own offending turns are its evidence, marked agent-side
            "agent_evidence": [text for _, text in a.spans] if a and rc is not None and rc.label == "agent" else [],
        }


class Doc(NamedTuple):
    """A contact as the estimators see it: what the text stages (normalise, redact, segment)
    made of it. Estimators take prepared documents, so training and tagging read the same."""

    tokens: tuple[str, ...]  # customer tokens (segment stage: stopwords removed)
    text: str  # normalised customer text (evidence spans are cut from it)
    context: str = ""  # agent/bot turns, joined
    turns: tuple[tuple[str, tuple[str, ...]], ...] = ()  # each customer turn: (text, its tokens)

    @classmethod
    def of(cls, t: "Tagged") -> "Doc":
        turns = t.turns or ()
        context = "。".join(x.text for x in turns if x.speaker not in ("customer", "system") and x.text)
        own = [x.text for x in turns if x.speaker == "customer"]
        per_turn = t.turn_tokens or ()
        return cls(tuple(t.tokens or ()), t.text or "", context,
                   tuple(zip(own, per_turn)) if len(own) == len(per_turn) else ())


OUTPUT_FIELDS = tuple(Tagged(Contact("0", ())).to_record())
# the fields --qa adds after OUTPUT_FIELDS
QA_FIELDS = tuple(Tagged(Contact("0", ()), qa=QA(None)).to_record())[len(OUTPUT_FIELDS):]


class _Draft:
    """A mutable twin of ``Tagged`` (the same slots, so the same layout): ``evolve`` fills one
    with plain attribute stores and then makes it a ``Tagged`` by assigning ``__class__``."""

    __slots__ = Tagged.__slots__


def _make_evolve():
    """``evolve(tagged, **changes)``: ``dataclasses.replace`` for ``Tagged``, generated like a
    dataclass ``__init__`` (one line per field). Tagged has no ``__post_init__`` to run, so
    the copy needs no ``__init__`` call, and every stage makes one per contact. Written by hand
    for speed: the fields are stored into a ``_Draft`` (an ordinary slot store, where the
    frozen class's own slot setters cost a call each) that then becomes a ``Tagged`` (its
    ``__class__`` assigned; CPython allows it between classes of one layout): ~2x faster than
    the setters (which were ~1.6 µs against ~5.6 µs for ``dataclasses.replace``). Where the
    assignment is refused (another Python), the setters are used."""
    from dataclasses import fields

    names = [f.name for f in fields(Tagged)]
    head = f"def evolve(t, *, {', '.join(f'{n}=_KEEP' for n in names)}):\n"
    draft = (head + "    new = _new(_Draft)\n"
             + "".join(f"    new.{n} = t.{n} if {n} is _KEEP else {n}\n" for n in names)
             + "    new.__class__ = Tagged\n    return new\n")
    setters = (head + "    new = _new(Tagged)\n"
               + "".join(f"    _set_{n}(new, t.{n} if {n} is _KEEP else {n})\n" for n in names)
               + "    return new\n")
    scope: dict[str, Any] = {"_KEEP": object(), "_new": object.__new__, "Tagged": Tagged, "_Draft": _Draft}
    scope.update({f"_set_{n}": getattr(Tagged, n).__set__ for n in names})  # the slots' setters
    for src in (draft, setters):
        exec(src, scope)  # noqa: S102 - source built above from the dataclass's own field names
        fn = scope["evolve"]
        try:
            probe = Tagged(Contact("0", ()))
            if fn(probe, status="x") == replace(probe, status="x"):
                break
        except TypeError:  # __class__ assignment refused
            continue
    fn.__doc__ = "A copy of a ``Tagged`` with the given fields changed (``dataclasses.replace``, faster)."
    return fn


evolve = _make_evolve()


def to_frame(items: Iterable[Any]) -> Any:
    """A pandas DataFrame of tagged results (``Tagged`` or the flat records of ``to_record()``
    / a tagged JSONL file), one row per contact, the output fields as columns in their order.
    Needs pandas (``pip install 'voc-cx[frame]'``)."""
    try:
        import pandas as pd
    except ImportError:
        raise ConfigError("voc.to_frame needs pandas; install it with pip install 'voc-cx[frame]'.") from None
    rows = [x.to_record() if isinstance(x, Tagged) else dict(x) for x in items]
    extra = [k for r in rows for k in r if k not in OUTPUT_FIELDS]
    return pd.DataFrame(rows, columns=[*OUTPUT_FIELDS, *dict.fromkeys(extra)])
