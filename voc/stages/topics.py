"""Topic assignment stage."""
from __future__ import annotations

from dataclasses import replace

from ..records import Tagged


class NoTopics:
    """Placeholder used when no topic model is given: empty topics, no label."""

    name = "topics"
    requires = ("tokens",)
    assigns = ("topics", "topic_label")

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        return [replace(t, topics=(), topic_label=None) for t in batch]
