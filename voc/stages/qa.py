"""Quality inspection (质检, docs/qa.md): the ``qa`` stage checks every contact against the
scorecard (``voc/data/qa_rules.toml`` plus a centre's ``--qa-rules`` file), lists the agent's
commitments and the transfer to a person; the ``agent_conduct`` stage tags agent conduct
(taxonomy section 9) with the shipped model. Both run only with ``voc tag --qa`` /
``voc.load(qa=True)``; without them the output is unchanged.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from pathlib import Path

from ..io.columns import NAME_COLUMNS, find_column
from ..qa.commitments import commitments
from ..qa.engine import Engine
from ..qa.handoff import handoff
from ..qa.rules import load_rules
from ..records import QA, AgentConduct, Tagged, evolve


def _key_of(header: str) -> str:
    return "".join(header.split()).lower()


def person_token(value: str, key: bytes) -> str:
    """``〔坐席:3fa9c1d2〕``: the first 8 hex digits of HMAC-SHA256(key, 'agent:' + value)."""
    tag = hmac.new(key, ("agent:" + "".join(value.split())).encode("utf-8", "surrogatepass"),
                   hashlib.sha256).hexdigest()[:8]
    return f"〔坐席:{tag}〕"


class Qa:
    """Scorecard hits and score, commitments, hand-off, agent and team of each contact."""

    name = "qa"
    requires = ("contact", "turns", "metadata")
    assigns = ("qa", "contact")  # the agent's name or id in the metadata is redacted like the rest

    def __init__(self, rules: str | Path | None = None, agent_col: str | None = None, team_col: str | None = None,
                 redact: bool = True, pseudonymise_key: bytes | None = None):
        self.engine = Engine(load_rules(rules))
        self.agent_col, self.team_col = agent_col, team_col
        self.redact, self.key = redact, pseudonymise_key
        self.version = "rules-1" if rules is None else "rules-1+user"
        self._cols: dict[tuple, tuple] = {}

    def _people(self, metadata) -> tuple[str | None, str | None, str | None]:
        """(agent, team, the metadata key of the agent when its value must be replaced)."""
        keys = tuple(metadata)
        cols = self._cols.get(keys)
        if cols is None:
            cols = self._cols[keys] = (find_column(keys, "agent", self.agent_col),
                                       find_column(keys, "team", self.team_col))
        a, m = cols
        raw = _value(metadata[a]) if a else None
        team = _value(metadata[m]) if m else None
        agent = raw
        if raw is not None and self.redact:
            if self.key is not None:
                agent = person_token(raw, self.key)
            elif _key_of(a) in NAME_COLUMNS:
                agent = "〔坐席〕"  # a person's name; --pseudonymise keeps agents apart
        return agent, team, (a if agent != raw else None)

    def check(self, t: Tagged) -> QA:
        turns = t.turns or ()
        staff = any(x.speaker in ("agent", "bot") and x.text for x in turns)
        score, hits = self.engine.check(turns, t.contact.channel) if staff else (None, ())
        state, at, signals = handoff(turns)
        agent, team, _ = self._people(t.contact.metadata) if t.contact.metadata else (None, None, None)
        return QA(score, hits, commitments(turns), state, at, signals, agent, team,
                  any(x.speaker == "bot" for x in turns))

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        out = []
        for t in batch:
            qa = self.check(t)
            c = t.contact
            key = self._people(c.metadata)[2] if c.metadata else None
            if key is not None:
                c = replace(c, metadata={**c.metadata, key: qa.agent_id})
            out.append(evolve(t, qa=qa, contact=c))
        return out


def _value(v) -> str | None:
    """An agent or team cell as text; a JSON null or an empty cell is no agent (not "None")."""
    return None if v is None else (str(v).strip() or None)


class AgentConductStage:
    """ok / problem / na from the shipped model (``models/agent_conduct``), with the reasons and
    the agent turns that weigh most; without a model, ``problem`` when a major or critical
    must_not rule fired."""

    name = "agent_conduct"
    requires = ("turns", "qa")
    assigns = ("agent_conduct",)

    def __init__(self, model=None):
        self.model = model
        self.version = model.version if model is not None else "rules-baseline"

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        if self.model is not None:
            return [evolve(t, agent_conduct=a) for t, a in zip(batch, self.model.predict(batch))]
        out = []
        for t in batch:
            if not any(x.speaker == "agent" and x.text for x in (t.turns or ())):
                out.append(evolve(t, agent_conduct=AgentConduct("na")))
                continue
            bad = [h for h in t.qa.hits if h.type == "must_not" and h.severity in ("major", "critical")]
            out.append(evolve(t, agent_conduct=AgentConduct(
                "problem" if bad else "ok", None, tuple(dict.fromkeys(h.item for h in bad)),
                tuple((h.turn, t.turns[h.turn].text) for h in bad if h.turn is not None))))
        return out


def default_conduct_stage(folder: str | None = None) -> AgentConductStage:
    from ..models import find

    folder = folder or find("agent_conduct")
    if not folder:
        return AgentConductStage(None)
    from ..estimators.agent_conduct import AgentConductModel

    return AgentConductStage(AgentConductModel.load(folder))
