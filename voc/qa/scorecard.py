"""Scorecards: QA results of many contacts summed up per agent, team or month.

``aggregate(rows)`` takes ``(key, qa_score, agent_conduct, qa_hits)`` rows (the store's columns;
``qa_hits`` as a list or its JSON) and gives one ``Scorecard`` per key: contacts, the mean score,
the share with a conduct problem, and hits per scorecard item (each item counted once per
contact). The QA report (``voc.reports.qa``) reads the store and renders these.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

SEVERITY_RANK = {"critical": 0, "major": 1, "minor": 2, "info": 3}


@dataclass
class Scorecard:
    key: Any
    contacts: int = 0
    scored: int = 0  # contacts with a score (an agent or bot spoke)
    score_sum: float = 0.0
    problems: int = 0
    rated: int = 0  # contacts with an ok / problem conduct label
    items: dict[str, int] = field(default_factory=dict)  # item -> contacts with a hit on it
    severities: dict[str, str] = field(default_factory=dict)  # item -> its worst severity

    @property
    def mean_score(self) -> float | None:
        return round(self.score_sum / self.scored, 1) if self.scored else None

    @property
    def problem_share(self) -> float | None:
        return self.problems / self.rated if self.rated else None

    def worst_items(self, n: int = 3) -> list[tuple[str, int]]:
        """Items with the most contacts hit, the more severe first on ties."""
        return sorted(self.items.items(), key=lambda kv: (-kv[1], SEVERITY_RANK.get(self.severities.get(kv[0]), 9),
                                                          kv[0]))[:n]


def hits_of(value: Any) -> list[dict[str, Any]]:
    if not value:
        return []
    if isinstance(value, str):
        value = json.loads(value)
    return [h for h in value if isinstance(h, dict)]


def aggregate(rows: Iterable[tuple[Any, Any, Any, Any]]) -> dict[Any, Scorecard]:
    out: dict[Any, Scorecard] = {}
    for key, score, conduct, hits in rows:
        card = out.get(key)
        if card is None:
            card = out[key] = Scorecard(key)
        card.contacts += 1
        if score is not None:
            card.scored += 1
            card.score_sum += float(score)
        if conduct in ("ok", "problem"):
            card.rated += 1
            card.problems += conduct == "problem"
        seen = set()
        for h in hits_of(hits):
            item = h.get("item") or h.get("rule")
            if item in seen:
                continue
            seen.add(item)
            card.items[item] = card.items.get(item, 0) + 1
            sev = h.get("severity")
            if SEVERITY_RANK.get(sev, 9) < SEVERITY_RANK.get(card.severities.get(item), 9):
                card.severities[item] = sev
    return out


def total(cards: dict[Any, Scorecard]) -> Scorecard:
    """One scorecard summing ``cards``."""
    t = Scorecard("all")
    for c in cards.values():
        t.contacts += c.contacts
        t.scored += c.scored
        t.score_sum += c.score_sum
        t.problems += c.problems
        t.rated += c.rated
        for k, v in c.items.items():
            t.items[k] = t.items.get(k, 0) + v
            if SEVERITY_RANK.get(c.severities.get(k), 9) < SEVERITY_RANK.get(t.severities.get(k), 9):
                t.severities[k] = c.severities[k]
    return t
