"""The stage registry: stage factories by name, with what each stage reads and writes.

A factory is a function ``Settings -> stage``, registered with the ``factory`` decorator
(spaCy's ``@Language.factory`` is the model)::

    from voc.registry import factory

    @factory("my_stage", requires=("text",), assigns=("topic_label",))
    def my_stage(settings):
        return MyStage()

The built-in stages are declared in ``voc.stages`` (imported on the first lookup, so
``import voc`` stays light). ``build_stages(settings)`` makes the stages of a pipeline and
checks that each one declares what its factory declared. Fields a stage may name are the
``voc.Tagged`` fields, plus the input fields ``contact`` (a stage that rewrites the contact
assigns it) and ``metadata`` (a stage that reads the contact's metadata requires it).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, fields
from typing import Callable, Protocol, Sequence, runtime_checkable

from .errors import ConfigError
from .records import Tagged
from .settings import Settings

# The default pipeline, in order.
DEFAULT_STAGES = ("normalise", "redact", "segment", "contact_type", "root_cause", "sentiment", "resolved", "churn",
                  "escalation", "topics")
# The quality-inspection stages, after the default ones when ``Settings.qa`` is on (docs/qa.md).
QA_STAGES = ("qa", "agent_conduct")
# Fields of the input every stage can read without an earlier stage assigning them.
INPUT_FIELDS = frozenset({"contact", "metadata"})
# Fields a stage may declare: Tagged's own (except the bookkeeping ones) and the input fields.
STAGE_FIELDS = (frozenset(f.name for f in fields(Tagged)) - {"status", "error", "model_version"}) | INPUT_FIELDS


@runtime_checkable
class Stage(Protocol):
    """A stage: a callable over a batch of ``Tagged`` returning one enriched copy per input,
    in order, with ``name``, ``requires`` and ``assigns`` (names in ``STAGE_FIELDS``)."""

    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]

    def __call__(self, batch: list[Tagged]) -> list[Tagged]: ...


@dataclass(frozen=True)
class StageFactory:
    name: str
    make: Callable[[Settings], Stage]
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    reads: tuple[str, ...]  # the settings the factory uses


_FACTORIES: dict[str, StageFactory] = {}
_BUILTINS = "voc.stages"  # declares the built-in factories


def factory(name: str, *, requires: Sequence[str] = (), assigns: Sequence[str] = (),
            reads: Sequence[str] = ()) -> Callable[[Callable[[Settings], Stage]], Callable[[Settings], Stage]]:
    """Register ``make(settings) -> stage`` as the factory of stage ``name``."""
    unknown = (set(requires) | set(assigns)) - STAGE_FIELDS
    if unknown:
        raise ConfigError(f"stage {name!r} names unknown fields {sorted(unknown)}; use fields of voc.Tagged.")
    bad = set(reads) - set(Settings.names())
    if bad:
        raise ConfigError(f"stage {name!r} reads unknown settings {sorted(bad)}; see voc.Settings.")

    def register(make: Callable[[Settings], Stage]) -> Callable[[Settings], Stage]:
        _FACTORIES[name] = StageFactory(name, make, tuple(requires), tuple(assigns), tuple(reads))
        return make

    return register


def get(name: str) -> StageFactory:
    """The factory of stage ``name``."""
    if name not in _FACTORIES:
        importlib.import_module(_BUILTINS)  # a string import: the registry sits below the stages
    try:
        return _FACTORIES[name]
    except KeyError:
        raise ConfigError(f"unknown stage {name!r}; registered stages are {', '.join(names())}.") from None


def names() -> list[str]:
    """Every registered stage, the default ones first in pipeline order."""
    importlib.import_module(_BUILTINS)
    return [n for n in DEFAULT_STAGES + QA_STAGES if n in _FACTORIES] + \
        sorted(set(_FACTORIES) - set(DEFAULT_STAGES) - set(QA_STAGES))


def stage_names(settings: Settings) -> list[str]:
    """The stages of the default pipeline these settings build, in order."""
    unknown = set(settings.disable) - set(DEFAULT_STAGES) - set(QA_STAGES)
    if unknown:
        raise ConfigError(f"cannot disable unknown stages {sorted(unknown)}; stages are "
                          f"{', '.join(DEFAULT_STAGES + QA_STAGES)}.")
    names = DEFAULT_STAGES + QA_STAGES if settings.qa else DEFAULT_STAGES
    return [n for n in names if n not in settings.disable and (settings.redact or n != "redact")]


def build_stages(settings: Settings, stages: Sequence[str] | None = None) -> list[Stage]:
    """The stages named (default: ``stage_names(settings)``), made by their factories. A stage
    whose ``name`` or ``assigns`` differ from its factory's, or that requires more than its
    factory declared, is a ``ConfigError`` (a stage may require less: escalation requires only
    what its rules read)."""
    out = []
    for name in (stage_names(settings) if stages is None else stages):
        spec = get(name)
        stage = spec.make(settings)
        for attr in ("name", "requires", "assigns"):
            if not hasattr(stage, attr):
                raise ConfigError(f"stage {name!r} has no {attr!r}; give it name, requires and assigns.")
        if stage.name != name or not set(stage.requires) <= set(spec.requires) or set(stage.assigns) != set(spec.assigns):
            raise ConfigError(f"stage {name!r} declares requires={tuple(stage.requires)} assigns={tuple(stage.assigns)}, "
                              f"its factory requires={spec.requires} assigns={spec.assigns}; make them agree.")
        out.append(stage)
    return out


def preprocessor(name: str, *, when: Sequence[str]) -> Callable[[Callable[[Settings], object]], Callable]:
    """Register ``make(settings) -> callable | None``: a per-contact preprocessor run in input
    order before chunking (state that spans contacts), used when any stage of ``when`` runs."""

    def register(make: Callable[[Settings], object]) -> Callable[[Settings], object]:
        _PREPROCESSORS[name] = (make, tuple(when))
        return make

    return register


_PREPROCESSORS: dict[str, tuple[Callable[[Settings], object], tuple[str, ...]]] = {}


def preprocessors(settings: Settings) -> list:
    """The parent-side preprocessors of the pipeline these settings build (e.g. the
    repeat-contact counter when churn or escalation runs)."""
    importlib.import_module(_BUILTINS)
    running = set(stage_names(settings))
    out = []
    for make, when in _PREPROCESSORS.values():
        if running & set(when):
            pre = make(settings)
            if pre is not None:
                out.append(pre)
    return out
