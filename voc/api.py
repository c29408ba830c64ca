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
    from .stages import text

    if name == "normalise":
        return text.Normalise()
    if name == "redact":
        return text.Redact(pseudonymise_key=s.get("pseudonymise_key"))
    if name == "segment":  # segmenter: jieba | rjieba (same tokens); default rjieba when installed
        from .text.segment import default_backend, default_segmenter

        return text.Segment(default_segmenter(s.get("segmenter") or default_backend()))
    if name == "root_cause":  # root_cause_model: a model folder; else the shipped model, else cues
        from .stages.root_cause import default_stage

        return default_stage(s.get("root_cause_model"))
    if name == "sentiment":  # sentiment_backend: default (shipped model) | snownlp; sentiment_model: a folder
        from .stages.sentiment import default_stage as sentiment_stage

        return sentiment_stage(s.get("sentiment_backend") or "default", s.get("sentiment_model"))
    if name == "churn":  # churn_model: a folder from `voc train churn`; churn_cues: a cue file
        from .stages.churn import Churn

        return Churn(cues=s.get("churn_cues"), model=s.get("churn_model"))
    if name == "escalation":  # rules: a user TOML file that overrides/extends the shipped rules
        from .stages.escalation import Escalation

        return Escalation(s.get("rules"))
    if name == "topics":
        from .models import find
        from .stages.topics import NoTopics, Topics

        folder = s.get("topics") or find("topics")  # the --topics folder, else the shipped model
        return Topics(folder) if folder else NoTopics()
    raise ConfigError(f"unknown stage {name!r}; choose from {', '.join(DEFAULT_STAGES)}.")


def load_settings(*, redact: bool = True, pseudonymise_key: bytes | str | None = None,
                  disable: Sequence[str] = (), **options: Any) -> dict[str, Any]:
    """The settings ``load`` stores on its pipeline (``pipeline.settings``) for these arguments;
    ``load(**load_settings(...))`` rebuilds the same pipeline in another process."""
    if isinstance(pseudonymise_key, str):
        pseudonymise_key = pseudonymise_key.encode("utf-8")
    return dict(redact=redact, pseudonymise_key=pseudonymise_key, disable=tuple(disable), **options)


def load(*, redact: bool = True, pseudonymise_key: bytes | str | None = None,
         disable: Sequence[str] = (), **options: Any) -> Pipeline:
    """The default tagging pipeline.

    ``redact=False`` keeps personal data in the output (off by default for a reason).
    ``pseudonymise_key`` replaces personal data with keyed pseudonyms instead of plain
    placeholders. ``disable`` drops stages by name.
    """
    settings = load_settings(redact=redact, pseudonymise_key=pseudonymise_key, disable=disable, **options)
    names = _stage_names(settings)
    unknown = set(disable) - set(DEFAULT_STAGES)
    if unknown:
        raise ConfigError(f"cannot disable unknown stages {sorted(unknown)}; stages are {', '.join(DEFAULT_STAGES)}.")
    stages = [_build(n, settings) for n in names]
    versions = [f"{s.name}={s.version}" for s in stages if getattr(s, "version", None)]
    pipeline = Pipeline(stages, version=f"voc-{__version__}" + (f" ({', '.join(versions)})" if versions else ""),
                        preprocessors=preprocessors(settings))
    pipeline.settings = settings  # lets worker processes rebuild the same pipeline
    return pipeline


def _stage_names(settings: dict[str, Any]) -> list[str]:
    disable = settings.get("disable", ())
    return [n for n in DEFAULT_STAGES if n not in disable and (settings.get("redact", True) or n != "redact")]


def preprocessors(settings: dict[str, Any]) -> list:
    """The parent-side preprocessors of the pipeline ``load(**settings)`` builds: the repeat-contact
    counter (``repeat_window``) when churn or escalation runs."""
    names = _stage_names(settings)
    if "churn" not in names and "escalation" not in names:
        return []
    from .stages.churn import RepeatContacts

    window = RepeatContacts(settings.get("repeat_window", "7d"))  # repeat contacts of a customer
    return [window] if window.window is not None else []
