"""The resolved stage: fills ``resolved`` (yes / no / unclear and the probability of yes) of each
contact from a trained ``voc.estimators.resolved.ResolvedClassifier`` (taxonomy section 8).
Dialogues are scored from their turns; single texts (tickets, reviews, questions) are
``unclear`` with score None unless the text says its need was met. Training, evaluation and the
shipped build: ``voc.training.resolved``."""
from __future__ import annotations

from pathlib import Path

from ..errors import ModelError
from ..estimators.resolved import NAME, ResolvedClassifier
from ..records import Tagged, evolve


class ResolvedStage:
    """Pipeline stage: whether each contact's need was met, in one vectorised call per batch."""

    name = "resolved"
    requires = ("contact", "turns", "text")
    assigns = ("resolved",)

    def __init__(self, model: ResolvedClassifier):
        self.model = model
        self.version = (getattr(model, "manifest_", None) or {}).get("version", "unsaved")

    @classmethod
    def from_folder(cls, folder: str | Path) -> "ResolvedStage":
        return cls(ResolvedClassifier.load(folder))

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        if not batch:
            return []
        found = self.model.explain([t.turns if t.turns is not None else t.contact.turns for t in batch])
        return [evolve(t, resolved=r) for t, r in zip(batch, found)]


def default_stage(model: str | Path | None = None) -> ResolvedStage:
    """The stage ``voc.load()`` uses: the model folder ``model`` if given, else the shipped model."""
    from ..models import find

    folder = model or find(NAME)
    if folder is None:
        raise ModelError("no resolved model ships in models/; rebuild it with python -m voc.build resolved, "
                         "or disable the stage (disable=('resolved',)).")
    return ResolvedStage.from_folder(folder)
