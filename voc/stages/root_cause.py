"""The root-cause stage: fills ``root_cause`` (label, scores, evidence spans, owner) of each
contact from a trained ``voc.estimators.root_cause.RootCauseClassifier`` (docs/root_cause.md).
Training, evaluation and the shipped build: ``voc.training.root_cause``."""
from __future__ import annotations

import logging
from pathlib import Path

from ..estimators.root_cause import NAME, RootCauseClassifier
from ..records import Doc, Tagged, evolve

log = logging.getLogger(__name__)


class RootCauseStage:
    """Pipeline stage: fills ``root_cause`` (label, scores, evidence, owner) from a trained model."""

    name = "root_cause"
    requires = ("turns", "text", "tokens")
    assigns = ("root_cause",)

    def __init__(self, model: RootCauseClassifier):
        self.model = model
        manifest = getattr(model, "manifest_", None) or {}
        self.version = manifest.get("version", "unsaved")

    @classmethod
    def from_folder(cls, folder: str | Path) -> "RootCauseStage":
        return cls(RootCauseClassifier.load(folder))

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        if not batch:
            return []
        results = self.model.explain([Doc.of(t) for t in batch])
        return [evolve(t, root_cause=r) for t, r in zip(batch, results)]


def default_stage(model: str | Path | None = None):
    """The root-cause stage ``voc.load()`` uses: the model folder ``model`` if given, else the
    shipped model, else the cue-lexicon baseline (a checkout before ``python -m voc.build``)."""
    from ..models import find

    if model:
        return RootCauseStage.from_folder(model)
    folder = find(NAME)
    if folder is None:
        from .baseline import CueRootCause

        log.info("no root-cause model ships; using the cue-lexicon baseline")
        return CueRootCause()
    return RootCauseStage.from_folder(folder)
