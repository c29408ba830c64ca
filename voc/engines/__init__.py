"""Engines: where the chunks of a run are tagged.

An engine is an object with

- ``workers``: how many processes (or worker threads of a cluster) tag at once;
- ``load(settings) -> Pipeline``: the pipeline this engine tags with, built from
  ``voc.Settings`` (on a cluster the workers load the models; the caller gets a stand-in);
- ``map_chunks(pipeline, chunks, *, finalize=None, finalize_chunk=None)``: the tagged chunks in
  input order, ``finalize``/``finalize_chunk`` applied where each chunk was tagged (an engine
  may cut chunks smaller, e.g. ``LocalEngine`` the last ones: the items and their order stay);
- ``close()`` (and ``with engine: ...``).

``LocalEngine`` (worker processes on this machine, the default) and ``voc.engines.dask.DaskEngine``
(a Dask cluster, ``pip install 'voc-cx[dist]'``) give byte-identical output. To add an engine,
write a class with these four members (docs/architecture.md, "To add an engine").
"""
from __future__ import annotations

import itertools
from typing import Any, Callable, Iterable, Iterator, Protocol, runtime_checkable

from ..pipeline import Pipeline
from ..settings import Settings
from ..workers import default_workers, split_tail

__all__ = ["Engine", "LocalEngine", "default_workers"]


@runtime_checkable
class Engine(Protocol):
    workers: int

    def load(self, settings: Settings) -> Pipeline: ...

    def map_chunks(self, pipeline: Pipeline, chunks: Iterable[list], *, finalize: Callable | None = None,
                   finalize_chunk: Callable | None = None) -> Iterator[Any]: ...

    def close(self) -> None: ...


class LocalEngine:
    """Worker processes on this machine: ``workers`` of them (default: every core), forked
    from the loaded parent where that is safe (``voc.workers``)."""

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = default_workers() if workers is None else max(1, int(workers))

    def load(self, settings: Settings | dict[str, Any] | None = None) -> Pipeline:
        return Pipeline.from_settings(settings)

    def map_chunks(self, pipeline: Pipeline, chunks: Iterable[list], *, finalize: Callable | None = None,
                   finalize_chunk: Callable | None = None, window: int | None = None) -> Iterator[Any]:
        chunks = iter(chunks)
        head = list(itertools.islice(chunks, 2))  # a single chunk is tagged here: no pool to start
        workers = self.workers if len(head) > 1 else 1
        chunks = itertools.chain(head, chunks)
        if workers > 1:  # the last chunks in smaller ones, so that the workers finish together
            chunks = split_tail(chunks, eager=workers)
        yield from pipeline.pipe_chunks(chunks, workers=workers, window=window,
                                        finalize=finalize, finalize_chunk=finalize_chunk)

    def close(self) -> None:
        pass

    def __enter__(self) -> "LocalEngine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LocalEngine(workers={self.workers})"
