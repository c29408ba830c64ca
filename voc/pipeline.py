"""A pipeline: named stages that a ``Tagged`` record flows through.

Every stage is a callable over a *batch* (a list of ``Tagged``) that returns the enriched
batch, with three class attributes: ``name``, ``requires`` (``Tagged`` fields it reads) and
``assigns`` (fields it writes). ``Pipeline`` checks when built that each stage's inputs are
assigned by an earlier stage, so a misconfigured pipeline fails at once, not hours into a
batch. ``pipe`` streams contacts through in chunks, on worker processes that each build the
pipeline once, holding a bounded number of chunks in flight and yielding in input order.
"""
from __future__ import annotations

import logging
import os
from collections import deque
from dataclasses import fields, replace
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence, runtime_checkable

from .errors import ConfigError
from .records import Contact, Tagged, Turn

log = logging.getLogger(__name__)

TAGGED_FIELDS = frozenset(f.name for f in fields(Tagged)) - {"contact", "status", "model_version"}


@runtime_checkable
class Stage(Protocol):
    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]

    def __call__(self, batch: list[Tagged]) -> list[Tagged]: ...


class Pipeline:
    """Named stages applied in order. Build with ``voc.load()`` or from your own stages."""

    def __init__(self, stages: Sequence[Stage], version: str | None = None,
                 preprocessors: Sequence[Callable[[Contact], Contact]] = ()):
        self.stages = list(stages)
        self.version = version
        # Per-contact callables run in input order in the parent process, before chunking, for
        # state that spans contacts (e.g. repeat contacts of one customer): each takes a
        # Contact and returns it (or an enriched copy).
        self.preprocessors = list(preprocessors)
        self._check()

    # -- construction ---------------------------------------------------------------
    def _check(self) -> None:
        have: set[str] = set()
        names: set[str] = set()
        for stage in self.stages:
            for attr in ("name", "requires", "assigns"):
                if not hasattr(stage, attr):
                    raise ConfigError(f"stage {stage!r} has no {attr!r}; give it name, requires and assigns.")
            if stage.name in names:
                raise ConfigError(f"two stages are named {stage.name!r}; stage names must be unique.")
            names.add(stage.name)
            unknown = (set(stage.requires) | set(stage.assigns)) - TAGGED_FIELDS
            if unknown:
                raise ConfigError(f"stage {stage.name!r} names unknown fields {sorted(unknown)}; "
                                  f"use fields of voc.Tagged.")
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
        """Tag a batch. A contact on which a stage fails is returned with
        ``status = 'error: <stage>: <reason>'`` and the batch goes on."""
        batch = [Tagged(contact=c, model_version=self.version) for c in contacts]
        return self._run(batch, self.stages)

    def _run(self, batch: list[Tagged], stages: Sequence[Stage]) -> list[Tagged]:
        for i, stage in enumerate(stages):
            live = [t for t in batch if not t.status.startswith("error")]
            if not live:
                break
            try:
                done = stage(live)
            except Exception:  # isolate the contact(s) that fail; the rest go on
                if len(live) == 1:
                    t = live[0]
                    log.warning("stage %s failed on contact %s", stage.name, t.contact.id, exc_info=True)
                    import sys

                    reason = f"{type(sys.exc_info()[1]).__name__}: {sys.exc_info()[1]}"
                    done = [replace(t, status=f"error: {stage.name}: {reason}")]
                else:
                    done = [self._run([t], [stage])[0] for t in live]
            it = iter(done)
            batch = [t if t.status.startswith("error") else next(it) for t in batch]
        return batch

    def pipe(self, contacts: Iterable[Contact], *, batch_size: int = 256, workers: int = 1,
             window: int | None = None, finalize: Callable[[Tagged], Any] | None = None) -> Iterator[Any]:
        """Tag a stream of contacts, yielding ``Tagged`` in input order.

        ``workers > 1`` tags chunks on that many processes (each builds the pipeline once);
        at most ``window`` chunks (default ``2 * workers``) are in flight, so memory does not
        grow with the input. ``finalize`` (a top-level function) is applied to each result
        where it was tagged, e.g. to send back only the output record instead of the whole
        ``Tagged``.
        """
        for chunk in self.pipe_chunks(chunked(self.preprocess(contacts), batch_size), workers=workers,
                                      window=window, finalize=finalize):
            yield from chunk

    def preprocess(self, items: Iterable[Any]) -> Iterator[Any]:
        """Apply the preprocessors to each Contact in order; other items pass unchanged."""
        for item in items:
            if isinstance(item, Contact):
                for pre in self.preprocessors:
                    item = pre(item)
            yield item

    def pipe_chunks(self, chunks: Iterable[list], *, workers: int = 1, window: int | None = None,
                    finalize: Callable[[Tagged], Any] | None = None) -> Iterator[list]:
        """Tag chunks (lists) in order; items that are not ``Contact`` (e.g. a reader's
        ``RowError``) pass through in place, so they keep their position in the stream."""
        yield from map_chunks(self.tag_items, chunks, workers=workers, window=window,
                              factory=self._factory(), finalize=finalize)

    def tag_items(self, items: Sequence[Any]) -> list[Any]:
        contacts = [x for x in items if isinstance(x, Contact)]
        if len(contacts) == len(items):
            return self.tag_batch(contacts)
        tagged = iter(self.tag_batch(contacts))
        return [next(tagged) if isinstance(x, Contact) else x for x in items]

    def _factory(self) -> Callable[[], "Pipeline"]:
        return _PipelineFactory(self)


class _PipelineFactory:
    """Rebuilds a pipeline in a worker process. Pipelines built by ``voc.load`` are rebuilt
    from their settings (models loaded once per worker); others are sent as they are."""

    def __init__(self, pipeline: Pipeline):
        self.settings = getattr(pipeline, "settings", None)
        self.pipeline = None if self.settings is not None else pipeline

    def __call__(self) -> Pipeline:
        if self.pipeline is not None:
            return self.pipeline
        from .api import load

        return load(**self.settings)


def chunked(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# -- worker processes -------------------------------------------------------------------
_WORKER_PIPELINE: Pipeline | None = None


def _worker_init(factory: Callable[[], Pipeline]) -> None:
    global _WORKER_PIPELINE
    _WORKER_PIPELINE = factory()


def _finish(items: list[Any], finalize: Callable[[Tagged], Any] | None) -> list[Any]:
    if finalize is None:
        return items
    return [finalize(t) if isinstance(t, Tagged) else t for t in items]


def _worker_tag(chunk: list[Any], finalize: Callable[[Tagged], Any] | None) -> list[Any]:
    assert _WORKER_PIPELINE is not None
    return _finish(_WORKER_PIPELINE.tag_items(chunk), finalize)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def map_chunks(func: Callable[[list], list], chunks: Iterable[list], *, workers: int = 1,
               window: int | None = None, factory: Callable[[], Pipeline] | None = None,
               finalize: Callable[[Any], Any] | None = None) -> Iterator[list]:
    """Apply the pipeline to chunks, in order, on ``workers`` processes with a bounded window."""
    if workers <= 1 or factory is None:
        for chunk in chunks:
            yield _finish(func(chunk), finalize)
        return
    import multiprocessing as mp

    ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
    window = window or 2 * workers
    with ctx.Pool(workers, initializer=_worker_init, initargs=(factory,)) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_worker_tag, (chunk, finalize)))
            if len(pending) >= window:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def customer_text(turns: Iterable[Turn]) -> str:
    """The customer's side of a conversation, turns joined with a full stop."""
    parts = [t.text for t in turns if t.speaker == "customer" and t.text]
    return "。".join(parts)
