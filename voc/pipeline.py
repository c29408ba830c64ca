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
        # Contact and returns it (or an enriched copy). Every run works on fresh copies
        # (``preprocess``), so no state leaks from one run into the next.
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

        ``workers > 1`` tags chunks on that many processes (they start with the pipeline
        loaded once, see ``map_chunks``); at most ``window`` chunks (default ``2 * workers``)
        are in flight, so memory does not grow with the input. ``finalize`` (a top-level
        function) is applied to each result where it was tagged, e.g. to send back only the
        output record instead of the whole ``Tagged``. Each call is a run of its own: the
        preprocessors start from a fresh state (``preprocess``).
        """
        for chunk in self.pipe_chunks(chunked(self.preprocess(contacts), batch_size), workers=workers,
                                      window=window, finalize=finalize):
            yield from chunk

    def preprocess(self, items: Iterable[Any]) -> Iterator[Any]:
        """Apply the preprocessors to each Contact in order; other items pass unchanged.

        Each call is one run: it works on fresh copies (``copy.deepcopy``) of the preprocessors
        as they were given, so state such as the repeat-contact counter never carries over
        from an earlier run on the same pipeline. The instances in ``self.preprocessors`` are
        never called here and stay as they were built.
        """
        pres = fresh_preprocessors(self.preprocessors)
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
        """Tag chunks (lists) in order; items that are not ``Contact`` (e.g. a reader's
        ``RowError``) pass through in place, so they keep their position in the stream.
        ``finalize_chunk`` (a picklable callable) turns each finished chunk into what is
        yielded, where it was tagged (e.g. the chunk's output lines, serialised in the worker)."""
        yield from map_chunks(self.tag_items, chunks, workers=workers, window=window,
                              factory=self._factory(), finalize=finalize, finalize_chunk=finalize_chunk,
                              pipeline=self)

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

    def __init__(self, pipeline: Pipeline | None, settings: dict[str, Any] | None = None):
        self.settings = getattr(pipeline, "settings", None) if pipeline is not None else settings
        self.pipeline = None if self.settings is not None else pipeline

    def __call__(self) -> Pipeline:
        if self.pipeline is not None:
            return self.pipeline
        from .api import load

        return load(**self.settings)


def fresh_preprocessors(preprocessors: Sequence[Callable]) -> list[Callable]:
    """Copies of ``preprocessors`` with their state as given (one set per run)."""
    import copy

    return [copy.deepcopy(p) for p in preprocessors]


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
# Worker processes start with the pipeline loaded. On Linux, when the parent has no other
# thread running, they are forked from the parent after ``Pipeline.warm()``: the models and
# the segmenter's dictionary are loaded once, in the parent, and shared copy-on-write (loading
# them takes ~2 s of CPU per process). Otherwise (another OS, or threads in the parent, where
# fork is unsafe) they start from a clean forkserver process and each rebuilds the pipeline
# from its settings. VOC_START_METHOD=forkserver|spawn|fork forces one.
_WORKER_PIPELINE: Pipeline | None = None


def _worker_init(factory: Callable[[], Pipeline]) -> None:
    global _WORKER_PIPELINE
    _WORKER_PIPELINE = factory().warm()
    _freeze()


def _worker_use(pipeline: Pipeline) -> None:
    """Initializer of a forked worker: the pipeline is the parent's, already in memory."""
    global _WORKER_PIPELINE
    _WORKER_PIPELINE = pipeline
    _freeze()


def _freeze() -> None:
    """In a worker process (ours alone): move everything loaded so far (models, dictionary)
    out of the garbage collector's reach. Collections then scan only what the chunks create
    (~2% of the tagging time), and do not write to pages shared with the parent."""
    import gc

    gc.collect()
    gc.freeze()


def _finish(items: list[Any], finalize: Callable[[Tagged], Any] | None,
            finalize_chunk: Callable[[list], Any] | None = None) -> Any:
    if finalize is not None:
        items = [finalize(t) if isinstance(t, Tagged) else t for t in items]
    return items if finalize_chunk is None else finalize_chunk(items)


class Packed(list):
    """A chunk as it travels to a worker process: each ``Contact`` as a plain tuple. Pickling
    frozen dataclasses goes through ``dataclasses.fields`` for every turn; tuples of strings
    pickle several times faster, and the parent is the one process that every chunk passes."""

    @classmethod
    def of(cls, items: Iterable[Any]) -> "Packed":
        return cls((c.id, tuple((t.speaker, t.text, t.at) for t in c.turns), c.channel, c.created_at,
                    c.customer_id, dict(c.metadata) if c.metadata else None, c.source)
                   if type(c) is Contact else c for c in items)

    def unpack(self) -> list[Any]:
        return [Contact(x[0], tuple(Turn(*t) for t in x[1]), x[2], x[3], x[4], x[5], x[6])
                if type(x) is tuple else x for x in self]


def unpack(chunk: list[Any]) -> list[Any]:
    return chunk.unpack() if isinstance(chunk, Packed) else chunk


def _worker_tag(chunk: list[Any], finalize: Callable[[Tagged], Any] | None,
                finalize_chunk: Callable[[list], Any] | None = None) -> Any:
    assert _WORKER_PIPELINE is not None
    return _finish(_WORKER_PIPELINE.tag_items(unpack(chunk)), finalize, finalize_chunk)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def start_method(threads: int = 1) -> str:
    """How worker processes start: ``fork`` (from the loaded parent) where that is safe, else
    ``forkserver`` (or ``spawn``). Fork is safe on Linux when the process runs no more than
    ``threads`` threads of its own (fork copies only the forking thread, and a lock held by
    another would stay locked in the child)."""
    import multiprocessing as mp
    import sys
    import threading

    methods = mp.get_all_start_methods()
    forced = os.environ.get("VOC_START_METHOD")
    if forced:
        if forced not in methods:
            raise ConfigError(f"VOC_START_METHOD={forced} is not available here; use one of {', '.join(methods)}.")
        return forced
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() <= threads:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def map_chunks(func: Callable[[list], list], chunks: Iterable[list], *, workers: int = 1,
               window: int | None = None, factory: Callable[[], Pipeline] | None = None,
               finalize: Callable[[Any], Any] | None = None,
               finalize_chunk: Callable[[list], Any] | None = None,
               pipeline: Pipeline | None = None) -> Iterator[Any]:
    """Apply the pipeline to chunks, in order, on ``workers`` processes with a bounded window.

    ``pipeline`` (the parent's own) lets the workers be forked from it, loaded; ``factory``
    rebuilds it in workers that start clean."""
    if workers <= 1 or (factory is None and pipeline is None):
        for chunk in chunks:
            yield _finish(func(chunk), finalize, finalize_chunk)
        return
    import multiprocessing as mp

    method = start_method()
    if method == "fork" and pipeline is not None:
        pipeline.warm()
        init, arg = _worker_use, pipeline
    elif factory is not None:
        method = method if method != "fork" else ("forkserver" if "forkserver" in mp.get_all_start_methods()
                                                  else "spawn")
        init, arg = _worker_init, factory
    else:
        init, arg = _worker_use, pipeline
    ctx = mp.get_context(method)
    window = window or 2 * workers
    with ctx.Pool(workers, initializer=init, initargs=(arg,)) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_worker_tag, (Packed.of(chunk), finalize, finalize_chunk)))
            if len(pending) >= window:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def customer_text(turns: Iterable[Turn]) -> str:
    """The customer's side of a conversation, turns joined with a full stop."""
    parts = [t.text for t in turns if t.speaker == "customer" and t.text]
    return "。".join(parts)
