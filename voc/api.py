"""``voc.load()``: the default pipeline, built from validated ``Settings``."""
from __future__ import annotations

from typing import Any, Sequence

from .pipeline import Pipeline
from .registry import DEFAULT_STAGES
from .settings import Settings

__all__ = ["load", "DEFAULT_STAGES"]


def load(*, redact: bool = True, pseudonymise_key: bytes | str | None = None,
         disable: Sequence[str] = (), **options: Any) -> Pipeline:
    """The default tagging pipeline.

    ``redact=False`` keeps personal data in the output (off by default for a reason).
    ``pseudonymise_key`` replaces personal data with keyed pseudonyms instead of plain
    placeholders. ``disable`` drops stages by name. Other options are the fields of
    ``voc.Settings`` (``segmenter``, ``rules``, ``root_cause_model`` ...); an unknown one is a
    ``ConfigError`` that lists them. ``load(**pipeline.settings.to_dict())`` rebuilds the
    same pipeline.
    """
    settings = Settings.from_dict(options, redact=redact, pseudonymise_key=pseudonymise_key,
                                  disable=tuple(disable))
    return Pipeline.from_settings(settings)
