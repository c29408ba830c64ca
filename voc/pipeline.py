"""A pipeline: named stages that a ``Tagged`` record flows through.

Every stage is a callable over a *batch* (a list of ``Tagged``) that returns the enriched
batch, with ``name``, ``requires`` (fields it reads) and ``assigns`` (fields it writes): the
``voc.registry.Stage`` contract. ``Pipeline`` checks when built that each stage's inputs are
assigned by an earlier stage, so a misconfigured pipeline fails at once, not hours into a
batch, and checks every batch a stage returns: one record per input, in order, with only the
fields it assigns changed (else a ``StageError`` naming the stage). ``pipe`` streams contacts
through in chunks, here or on an engine (``voc.engines``), yielding in input order.
"""
from __future__ import annotations

import logging
from operator import attrgetter
from typing import Any, Callable, Iterable, Iterator, Sequence

from . import workers as _workers
from .errors import ConfigError, StageError
from .records import Contact, Tagged, evolve
from .registry import INPUT_FIELDS, STAGE_FIELDS, Stage
from .settings import Settings

log = logging.getLogger(__name__)

# Contacts per chunk (a worker's batch) unless the caller says otherwise. Larger chunks amortise
# what each stage pays once per batch: its model's tables and coefficients brought back into the
# CPU caches after the other stages evicted them, numpy/scipy call overheads and the topic
# E-step's iterations; the normalise and segment stages also find more repeated turns per batch.
# 1024 instead of 256: stage costs lower on the default workload (docs/performance.md, issue 15
# fourth round), peak RSS of `voc tag -w 2` ~5% higher, same output (no stage's result for a
# contact depends on the rest of its batch).
BATCH_SIZE = 1024
# the Tagged fields a stage may change when it declares them (contact: an input field it rewrites)
_CHECKED = tuple(sorted((STAGE_FIELDS - {"metadata"}) | {"contact"}))
_BLANK = Tagged(contact=None)  # type: ignore[arg-type]  # every field at its default (tag_batch)


class Pipeline:
    """Named stages applied in order. Build with ``voc.load()`` (from ``Settings``) or from
    your own stages."""

    def __init__(self, stages: Sequence[Stage], version: str | None = None,
                 preprocessors: Sequence[Callable[[Contact], Contact]] = (), settings: Settings | None = None):
        self.stages = list(stages)
        self.version = version
        # Per-contact callables run in input order in the parent process, before chunking, for
        # state that spans contacts (e.g. repeat contacts of one customer): each takes a
        # Contact and returns it (or an enriched copy). Every run works on fresh copies
        # (``preprocess``), so no state leaks from one run into the next.
        self.preprocessors = list(preprocessors)
        # the build spec: a pipeline built from settings is rebuilt from them in a worker process
        self.settings = settings
        self._check()
        kept = [[f for f in _CHECKED if f not in set(s.assigns)] for s in self.stages]
        self._kept = [_getter(names) for names in kept]
        self._same = [_identical(names) for names in kept]

    @classmethod
    def from_settings(cls, settings: Settings | dict[str, Any] | None = None) -> "Pipeline":
        """The default pipeline of ``settings`` (``voc.load`` is this with keyword arguments)."""
        from . import registry
        from ._version import __version__

        settings = Settings.coerce(settings)
        stages = registry.build_stages(settings)
        versions = [f"{s.name}={s.version}" for s in stages if getattr(s, "version", None)]
        return cls(stages, version=f"voc-{__version__}" + (f" ({', '.join(versions)})" if versions else ""),
                   preprocessors=registry.preprocessors(settings), settings=settings)

    @classmethod
    def upto(cls, last: str, **settings: Any) -> "Pipeline":
        """The default pipeline up to and including stage ``last`` (``"segment"``: the text
        stages, as ``voc tag`` runs them before the model stages)."""
        from .registry import DEFAULT_STAGES

        if last not in DEFAULT_STAGES:
            raise ConfigError(f"unknown stage {last!r}; stages are {', '.join(DEFAULT_STAGES)}.")
        after = DEFAULT_STAGES[DEFAULT_STAGES.index(last) + 1:]
        given = Settings.from_dict(settings)
        return cls.from_settings(given.replace(disable=tuple(dict.fromkeys((*given.disable, *after)))))

    # -- construction ---------------------------------------------------------------
    def _check(self) -> None:
        have: set[str] = set(INPUT_FIELDS)
        names: set[str] = set()
        for stage in self.stages:
            for attr in ("name", "requires", "assigns"):
                if not hasattr(stage, attr):
                    raise ConfigError(f"stage {stage!r} has no {attr!r}; give it name, requires and assigns.")
            if stage.name in names:
                raise ConfigError(f"two stages are named {stage.name!r}; stage names must be unique.")
            names.add(stage.name)
            unknown = (set(stage.requires) | set(stage.assigns)) - STAGE_FIELDS
            if unknown:
                raise ConfigError(f"stage {stage.name!r} names unknown fields {sorted(unknown)}; "
                                  f"use fields of voc.Tagged, or contact / metadata.")
            missing = set(stage.requires) - have
            if missing:
                raise ConfigError(f"stage {stage.name!r} needs {sorted(missing)}, which no earlier "
                                  f"stage assigns; put the stage after the one that assigns it.")
            have |= set(stage.assigns)

    @property
    def stage_names(self) -> list[str]:
        return [s.name for s in self.stages]

    def get_stage(self, name: str) -> Stage:
        for s in self.stages:
            if s.name == name:
                return s
        raise KeyError(name)

    def __repr__(self) -> str:
        return f"Pipeline({' -> '.join(self.stage_names)})"

    # -- tagging --------------------------------------------------------------------
    def tag(self, item: str | Contact) -> Tagged:
        """Tag one text or contact."""
        contact = item if isinstance(item, Contact) else Contact.from_text(str(item))
        return self.tag_batch([contact])[0]

    def __call__(self, item: str | Contact) -> Tagged:
        return self.tag(item)

    def tag_batch(self, contacts: Sequence[Contact]) -> list[Tagged]:
        """Tag a batch. A contact on which a stage fails is returned with ``status = 'error'``
        and ``error``, the ``StageError`` saying which stage and why; the batch goes on."""
        # evolve of a blank record: Tagged(contact=c, model_version=...) itself, without the
        # frozen dataclass's __init__ (~5 µs a record, through object.__setattr__ per field)
        batch = [evolve(_BLANK, contact=c, model_version=self.version) for c in contacts]
        return self._run(batch, range(len(self.stages)))

    def _run(self, batch: list[Tagged], stages: Iterable[int]) -> list[Tagged]:
        for i in stages:
            stage = self.stages[i]
            live = [t for t in batch if t.error is None]
            if not live:
                break
            try:
                done = stage(live)
            except Exception as e:  # isolate the contact(s) that fail; the rest go on
                if len(live) > 1:
                    done = [self._run([t], [i])[0] for t in live]
                else:
                    t = live[0]
                    log.warning("stage %s failed on contact %s", stage.name, t.contact.id, exc_info=True)
                    err = e if isinstance(e, StageError) else StageError(stage.name, f"{type(e).__name__}: {e}",
                                                                           t.contact.id)
                    done = [evolve(t, status=f"error: {err}", error=err)]
            else:
                self._enforce(i, live, done)
            it = iter(done)
            batch = [t if t.error is not None else next(it) for t in batch]
        return batch

    def _enforce(self, i: int, given: list[Tagged], done: Any) -> None:
        """The stage contract: one record per input, in order, changing only what it assigns."""
        stage = self.stages[i]
        if not isinstance(done, list) or len(done) != len(given):
            n = len(done) if hasattr(done, "__len__") else "no list of"
            raise StageError(stage.name, f"returned {n} records for {len(given)} contacts; a stage must "
                                         f"return one record per input, in order")
        kept, same = self._kept[i], self._same[i]
        for before, after in zip(given, done):
            if not same(after, before) and kept(after) != kept(before):
                changed = [f for f in _CHECKED if f not in stage.assigns
                           and getattr(after, f) != getattr(before, f)]
                raise StageError(stage.name, f"changed {', '.join(changed) or 'the record'} of contact "
                                             f"{before.contact.id} without assigning it; declare it in assigns")

    def pipe(self, contacts: Iterable[Contact], *, batch_size: int = BATCH_SIZE, workers: int = 1,
             window: int | None = None, finalize: Callable[[Tagged], Any] | None = None,
             engine: Any = None) -> Iterator[Any]:
        """Tag a stream of contacts, yielding ``Tagged`` in input order.

        ``workers > 1`` tags chunks on that many processes (``voc.workers``); ``engine`` (a
        ``voc.engines`` engine, e.g. ``DaskEngine``) tags them there instead. At most
        ``window`` chunks (default ``2 * workers``) are in flight, so memory does not grow
        with the input. ``finalize`` (a top-level function) is applied to each result where it
        was tagged. Each call is a run of its own: the preprocessors start from a fresh state.
        Plain strings are tagged like ``tag`` tags them, with their position as id.
        """
        contacts = (Contact.from_text(x, id=str(i)) if isinstance(x, str) else x for i, x in enumerate(contacts))
        chunks = chunked(self.preprocess(contacts), batch_size)
        if engine is not None:
            tagged = engine.map_chunks(self, chunks, finalize=finalize)
        else:
            tagged = self.pipe_chunks(chunks, workers=workers, window=window, finalize=finalize)
        for chunk in tagged:
            yield from chunk

    def preprocess(self, items: Iterable[Any]) -> Iterator[Any]:
        """Apply the preprocessors to each Contact in order; other items pass unchanged.

        Each call is one run: it works on fresh copies (``copy.deepcopy``) of the preprocessors
        as they were given, so state such as the repeat-contact counter never carries over
        from an earlier run on the same pipeline. The instances in ``self.preprocessors`` are
        never called here and stay as they were built.
        """
        import copy

        pres = [copy.deepcopy(p) for p in self.preprocessors]
        if not pres:
            yield from items
            return
        for item in items:
            if isinstance(item, Contact):
                for pre in pres:
                    item = pre(item)
            yield item

    def warm(self) -> "Pipeline":
        """Load what the stages load on first use (the segmenter's dictionary), so that worker
        processes forked from this one start ready to tag."""
        for stage in self.stages:
            warm = getattr(stage, "warm", None)
            if callable(warm):
                warm()
        return self

    def pipe_chunks(self, chunks: Iterable[list], *, workers: int = 1, window: int | None = None,
                    finalize: Callable[[Tagged], Any] | None = None,
                    finalize_chunk: Callable[[list], Any] | None = None) -> Iterator[Any]:
        """Tag chunks (lists) in order on ``workers`` processes; items that are not ``Contact``
        (e.g. a reader's ``RowError``) pass through in place, so they keep their position in
        the stream. ``finalize_chunk`` (a picklable callable) turns each finished chunk into
        what is yielded, where it was tagged (e.g. the chunk's output lines)."""
        yield from _workers.map_chunks(self, chunks, workers=workers, window=window, finalize=finalize,
                                       finalize_chunk=finalize_chunk)

    def tag_items(self, items: Sequence[Any]) -> list[Any]:
        """Tag the contacts among ``items``; other items keep their place."""
        contacts = [x for x in items if isinstance(x, Contact)]
        if len(contacts) == len(items):
            return self.tag_batch(contacts)
        tagged = iter(self.tag_batch(contacts))
        return [next(tagged) if isinstance(x, Contact) else x for x in items]

    def factory(self) -> Callable[[], "Pipeline"]:
        """A picklable callable that makes this pipeline in another process: rebuilt from its
        settings (models loaded there once) when it has them, else this pipeline itself."""
        return Rebuild(self.settings) if self.settings is not None else Given(self)


def _getter(names: list[str]) -> Callable[[Tagged], Any]:
    return attrgetter(*names) if names else (lambda t: ())


def _identical(names: list[str]) -> Callable[[Tagged, Tagged], bool]:
    """``a.f is b.f`` for each of ``names``, written out (generated) for speed: a stage copies
    the fields it does not assign, so this holds for every contact of every stage, and then their
    values are equal without building and comparing tuples of them (~0.8 -> ~0.3 µs per contact
    and stage, ten stages); where it does not hold, ``_enforce`` compares the values."""
    if not names:
        return lambda a, b: True
    scope: dict[str, Any] = {}
    exec("def identical(a, b):\n    return " + " and ".join(f"a.{n} is b.{n}" for n in names) + "\n",  # noqa: S102
         scope)  # source built from the dataclass's own field names (_CHECKED)
    return scope["identical"]


class Rebuild:
    """Builds ``Pipeline.from_settings(settings)`` where it is called (a worker process)."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def __call__(self) -> Pipeline:
        return Pipeline.from_settings(self.settings)


class Given:
    """Gives the pipeline it was made with (pickled with it, stages and all)."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline

    def __call__(self) -> Pipeline:
        return self.pipeline


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of ``size`` items (the last may be shorter)."""
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
