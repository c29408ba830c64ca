"""``voc.load()``: the default pipeline, built from settings so worker processes can rebuild it."""
from __future__ import annotations

from typing import Any, Sequence

from ._version import __version__
from .errors import ConfigError
from .pipeline import Pipeline

DEFAULT_STAGES = ("normalise", "redact", "segment", "root_cause", "sentiment", "churn", "escalation", "topics")


def _build(name: str, s: dict[str, Any]):
    """One stage by name. The trained-model stages fall back to the cue baselines when no
    model ships (a fresh checkout before ``voc train``)."""
    from .stages import baseline, text

    if name == "normalise":
        return text.Normalise()
    if name == "redact":
        return text.Redact(pseudonymise_key=s.get("pseudonymise_key"))
    if name == "segment":
        return text.Segment()
    if name == "root_cause":
        return baseline.CueRootCause()
    if name == "sentiment":
        return baseline.CueSentiment()
    if name == "churn":
        return baseline.CueChurn()
    if name == "escalation":
        return baseline.CueEscalation()
    if name == "topics":
        from .stages.topics import NoTopics

        return NoTopics()
    raise ConfigError(f"unknown stage {name!r}; choose from {', '.join(DEFAULT_STAGES)}.")


def load(*, redact: bool = True, pseudonymise_key: bytes | str | None = None,
         disable: Sequence[str] = (), **options: Any) -> Pipeline:
    """The default tagging pipeline.

    ``redact=False`` keeps personal data in the output (off by default for a reason).
    ``pseudonymise_key`` replaces personal data with keyed pseudonyms instead of plain
    placeholders. ``disable`` drops stages by name.
    """
    if isinstance(pseudonymise_key, str):
        pseudonymise_key = pseudonymise_key.encode("utf-8")
    settings = dict(redact=redact, pseudonymise_key=pseudonymise_key, disable=tuple(disable), **options)
    names = [n for n in DEFAULT_STAGES if n not in disable and (redact or n != "redact")]
    unknown = set(disable) - set(DEFAULT_STAGES)
    if unknown:
        raise ConfigError(f"cannot disable unknown stages {sorted(unknown)}; stages are {', '.join(DEFAULT_STAGES)}.")
    stages = [_build(n, settings) for n in names]
    versions = [f"{s.name}={s.version}" for s in stages if getattr(s, "version", None)]
    pipeline = Pipeline(stages, version=f"voc-{__version__}" + (f" ({', '.join(versions)})" if versions else ""))
    pipeline.settings = settings  # lets worker processes rebuild the same pipeline
    return pipeline
