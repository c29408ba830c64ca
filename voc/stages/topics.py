"""Topic assignment stage."""
from __future__ import annotations

from pathlib import Path

from ..records import Tagged, evolve


class NoTopics:
    """Placeholder used when no topic model is given: empty topics, no label."""

    name = "topics"
    requires = ("tokens",)
    assigns = ("topics", "topic_label")

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        return [evolve(t, topics=(), topic_label=None) for t in batch]


class Topics:
    """Topic weights from a topic model folder (``voc topics fit`` or the shipped one).

    ``topics`` gets the contact's top topic and up to two more of weight >= the model's
    ``min_weight`` as ``(topic_id, weight)`` pairs, heaviest first; ``topic_label`` the label
    of the top topic. A contact with no known term gets ``()`` and no label. The model is
    loaded (checksums verified, no pickle, no gensim) once, when the stage is built; the
    whole batch is inferred at once.
    """

    name = "topics"
    requires = ("tokens",)
    assigns = ("topics", "topic_label")

    def __init__(self, model_dir: str | Path):
        from ..topics.model import TopicModel

        self.model_dir = Path(model_dir)
        self.model = TopicModel.load(self.model_dir)
        self.version = getattr(self.model, "version_", None)
        self._labels = self.model.labels
        ids = self.model.topic_ids  # stable ids of a model fitted on a store's month, else indexes
        self._ids = None if ids == list(range(len(ids))) else ids

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        if not batch:
            return []
        assigned = self.model.assign([t.tokens or () for t in batch])
        labels, ids = self._labels, self._ids
        if ids is not None:
            return [evolve(t, topics=tuple((ids[k], w) for k, w in a), topic_label=labels[a[0][0]] if a else None)
                    for t, a in zip(batch, assigned)]
        return [evolve(t, topics=a, topic_label=labels[a[0][0]] if a else None) for t, a in zip(batch, assigned)]
