"""``Settings``: what a pipeline is built from, frozen and validated.

``voc.load(**options)`` turns its keyword arguments into a ``Settings`` (an unknown or
misspelled option fails with the list of valid ones), the stage registry builds the stages
from it, and the pipeline keeps it as its build spec (``pipeline.settings``), so a worker
process rebuilds the very same pipeline from it::

    Settings(segmenter="jieba", disable=("topics",)).to_dict()
    Settings.from_dict({"segmentr": "jieba"})   # ConfigError: unknown setting 'segmentr' ...
"""
from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError

SEGMENTERS = ("jieba", "rjieba")
SENTIMENT_BACKENDS = ("default", "snownlp")
_NONE_IS_DEFAULT = ("redact", "sentiment_backend", "disable", "template_repeats", "reasons_language", "qa")


@dataclass(frozen=True)
class Settings:
    """Every setting of the default pipeline (docs/architecture.md, "Settings")."""

    redact: bool = True  # replace personal data by typed placeholders (off: --no-redact)
    pseudonymise_key: bytes | None = None  # keyed pseudonyms instead of placeholders
    disable: tuple[str, ...] = ()  # stages left out, by name
    segmenter: str | None = None  # jieba | rjieba (same tokens); None: rjieba when installed
    contact_type_model: str | None = None  # a contact-type model folder; None: the shipped model
    root_cause_model: str | None = None  # a model folder; None: the shipped model
    sentiment_backend: str = "default"  # default (shipped model) | snownlp
    sentiment_model: str | None = None  # a model folder; None: the shipped model
    resolved_model: str | None = None  # a resolved model folder; None: the shipped model
    churn_model: str | None = None  # a folder from `voc train churn`; None: the shipped model
    churn_cues: str | None = None  # a churn cue file (TSV) replacing the shipped one
    rules: str | None = None  # an escalation rules file (TOML) over the shipped rules
    topics: str | None = None  # a topic model folder; None: the shipped model
    repeat_window: str | None = "7d"  # repeat contacts of a customer within this window
    system_lines: str | None = None  # a file of extra system-line patterns (kind<TAB>pattern<TAB>comment)
    template_repeats: int = 20  # a customer line repeated verbatim in this many dialogues of one input is a template
    reasons_language: str = "zh"  # wording of the churn reasons: zh | en
    qa: bool = False  # quality inspection: the qa and agent_conduct stages (docs/qa.md)
    qa_rules: str | None = None  # a QA rules file (TOML) over the shipped scorecard
    agent_conduct_model: str | None = None  # an agent-conduct model folder; None: the shipped model
    agent_col: str | None = None  # metadata column of the agent id (default: agent_id, 坐席工号, 客服工号 ...)
    team_col: str | None = None  # metadata column of the agent's team (default: team, 班组, 组别 ...)
    person_names: str | None = None  # issue 16: a file of personal names to redact (one a line; voc tag --names)

    def __post_init__(self) -> None:
        key = self.pseudonymise_key
        if isinstance(key, str):
            object.__setattr__(self, "pseudonymise_key", key.encode("utf-8"))
        elif key is not None and not isinstance(key, bytes):
            raise ConfigError("pseudonymise_key must be a string or bytes; pass the secret key itself.")
        disable = self.disable
        if isinstance(disable, str):
            disable = (disable,)
        object.__setattr__(self, "disable", tuple(disable))
        for name in ("contact_type_model", "root_cause_model", "resolved_model", "sentiment_model", "churn_model",
                     "churn_cues", "rules", "topics", "system_lines", "qa_rules", "agent_conduct_model",
                     "person_names"):
            value = getattr(self, name)
            if isinstance(value, Path):
                object.__setattr__(self, name, str(value))
            elif value is not None and not isinstance(value, str):
                raise ConfigError(f"setting {name!r} must be a path; got {type(value).__name__}.")
        if not isinstance(self.redact, bool):
            raise ConfigError("setting 'redact' must be True or False.")
        if not isinstance(self.qa, bool):
            raise ConfigError("setting 'qa' must be True or False.")
        if isinstance(self.template_repeats, bool) or not isinstance(self.template_repeats, int) \
                or self.template_repeats < 0:
            raise ConfigError("setting 'template_repeats' must be a whole number >= 0 (0 turns templates off).")
        if self.segmenter not in (None, *SEGMENTERS):
            raise ConfigError(f"unknown segmenter {self.segmenter!r}; use one of {', '.join(SEGMENTERS)}.")
        if self.reasons_language not in ("zh", "en"):
            raise ConfigError(f"unknown reasons language {self.reasons_language!r}; use zh or en.")
        if self.sentiment_backend not in SENTIMENT_BACKENDS:
            raise ConfigError(f"unknown sentiment backend {self.sentiment_backend!r}; "
                              f"use one of {', '.join(SENTIMENT_BACKENDS)}.")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_dict(cls, options: Mapping[str, Any] | None = None, **more: Any) -> "Settings":
        """Settings from a mapping (``to_dict``'s, or ``voc.load``'s keyword arguments); an
        unknown key is a ``ConfigError`` that lists the valid ones. ``None`` means the default
        for the settings that cannot be unset (``_NONE_IS_DEFAULT``); for the others it is their
        own "not set" value (``repeat_window=None``: no repeat counting)."""
        given = {**(options or {}), **more}
        valid = cls.names()
        unknown = sorted(k for k in given if k not in valid)
        if unknown:
            close = difflib.get_close_matches(unknown[0], valid, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"unknown setting {unknown[0]!r}{hint}; valid settings are {', '.join(valid)}.")
        defaults = cls()
        return cls(**{k: (getattr(defaults, k) if v is None and k in _NONE_IS_DEFAULT else v)
                      for k, v in given.items()})

    @classmethod
    def coerce(cls, settings: "Settings | Mapping[str, Any] | None") -> "Settings":
        return settings if isinstance(settings, Settings) else cls.from_dict(settings)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def replace(self, **changes: Any) -> "Settings":
        """A copy with ``changes`` (validated like ``from_dict``)."""
        self.from_dict(changes)  # the same errors for unknown keys
        return replace(self, **changes)

    def fingerprint(self) -> dict[str, Any]:
        """What identifies the output these settings give, for a resume check: every setting,
        the key as a flag only (it must never be written to a file)."""
        d = self.to_dict()
        d["pseudonymise_key"] = self.pseudonymise_key is not None
        return d
