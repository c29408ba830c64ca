"""Worker processes: chunks of contacts mapped over a process pool, in order, with a bounded
window of chunks in flight.

The pool knows nothing of pipelines beyond what it calls: ``target.tag_items(chunk)``,
``target.warm()`` and ``target.factory()`` (a picklable callable that rebuilds the target in a
fresh process). On Linux, when the parent runs no other thread, the workers are forked from
the parent after ``warm()``: models and the segmenter's dictionary are loaded once and shared
copy-on-write (loading them takes ~2 s of CPU per process). Otherwise (another OS, or threads
in the parent, where fork is unsafe) they start from a clean forkserver process and each
rebuilds the target with its factory. ``VOC_START_METHOD=forkserver|spawn|fork`` forces one.
Both give the same bytes.
"""
from __future__ import annotations

import os
from collections import deque
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

from .errors import ConfigError
from .records import Contact, Tagged, Turn

_WORKER_TARGET: Any = None  # what this worker process tags with


def default_workers() -> int:
    """The cores this process may use."""
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


# The collector's youngest generation is collected every 700 net container allocations by
# default. A batch of 1,024 contacts keeps tens of thousands of containers alive at once
# (records, token tuples, n-gram lists), and each collection traverses them all: ~60
# collections per 1,000 contacts took ~0.04 ms per contact, ~5% of the tagging. With the
# threshold above a batch's working set, a collection comes only when longer-lived objects
# (the stages' memos) have piled up: none in 10,000 contacts of the workload. Cyclic garbage
# waits for at most this many container allocations; output does not depend on it.
YOUNG_GC = 100_000


def freeze() -> None:
    """In a worker process (ours alone): move everything loaded so far (models, dictionary)
    out of the garbage collector's reach. Collections then scan only what the chunks create
    (~2% of the tagging time), and do not write to pages shared with the parent. Young
    collections then wait for ``YOUNG_GC`` allocations."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(max(YOUNG_GC, gc.get_threshold()[0]))


@contextmanager
def young_gc() -> Iterator[None]:
    """``YOUNG_GC`` as the threshold of young collections while a run tags or feeds workers in
    this process (the caller's own process: restored afterwards)."""
    import gc

    old = gc.get_threshold()
    gc.set_threshold(max(YOUNG_GC, old[0]), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def finish(items: list[Any], finalize: Callable[[Tagged], Any] | None,
           finalize_chunk: Callable[[list], Any] | None = None) -> Any:
    """A tagged chunk as the caller asked for it, made where it was tagged: ``finalize`` on each
    tagged record, then ``finalize_chunk`` on the chunk."""
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
    """The chunk's items, contacts rebuilt from a ``Packed`` chunk."""
    return chunk.unpack() if isinstance(chunk, Packed) else chunk


def _quiet_worker() -> None:
    """A worker leaves interruption to the parent: Ctrl+C (sent to the whole process group)
    is ignored here, as the parent stops the pool and says "Interrupted." once; and a worker
    whose parent was killed ends silently when it writes to the broken pipe (SIGPIPE's default)
    instead of printing a BrokenPipeError traceback under the user's prompt. Errors while
    tagging are not affected: the pool sends them to the parent, which reports them."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def _init_rebuild(factory: Callable[[], Any]) -> None:
    global _WORKER_TARGET
    _quiet_worker()
    _WORKER_TARGET = factory().warm()
    freeze()


def _init_inherit(target: Any) -> None:
    """Initializer of a forked worker: the target is the parent's, already in memory."""
    global _WORKER_TARGET
    _quiet_worker()
    _WORKER_TARGET = target
    freeze()


def _tag(chunk: list[Any], finalize: Callable[[Tagged], Any] | None,
         finalize_chunk: Callable[[list], Any] | None = None) -> Any:
    return finish(_WORKER_TARGET.tag_items(unpack(chunk)), finalize, finalize_chunk)


def split_tail(chunks: Iterable[list], *, eager: int = 2, hold: int = 2, pieces: int = 4) -> Iterator[list]:
    """The same items in the same order, in the same chunks except the last ``hold``, whose
    items come in chunks ``pieces`` times smaller, so that parallel workers finish together.

    Without it, the worker that takes the last chunk works alone while the others wait: on
    average half a chunk's time (~0.3 s of a 15 s run on two workers). Knowing which chunks are
    the last takes a lookahead of ``hold`` chunks, which starts after the first ``eager`` (one
    per worker), so no worker waits for it at the start. Tagging does not depend on how
    contacts are grouped into chunks, so the output is the same."""
    from collections import deque

    it = iter(chunks)
    held: deque = deque()
    size = 0
    for i, chunk in enumerate(it):
        size = max(size, len(chunk))
        if i < eager:
            yield chunk
            continue
        held.append(chunk)
        if len(held) > hold:
            yield held.popleft()
    step = max(1, -(-size // pieces))
    rest = [x for c in held for x in c]
    for i in range(0, len(rest), step):
        yield rest[i:i + step]


def map_chunks(target: Any, chunks: Iterable[list], *, workers: int = 1, window: int | None = None,
               finalize: Callable[[Any], Any] | None = None,
               finalize_chunk: Callable[[list], Any] | None = None) -> Iterator[Any]:
    """``finish(target.tag_items(chunk), ...)`` for each chunk, in order, on ``workers``
    processes (here when ``workers <= 1``), with at most ``window`` chunks (default
    ``2 * workers``) in flight, so memory does not grow with the input."""
    with young_gc():
        yield from _map_chunks(target, chunks, workers, window, finalize, finalize_chunk)


def _map_chunks(target: Any, chunks: Iterable[list], workers: int, window: int | None,
                finalize: Callable[[Any], Any] | None, finalize_chunk: Callable[[list], Any] | None) -> Iterator[Any]:
    if workers <= 1:
        for chunk in chunks:
            yield finish(target.tag_items(chunk), finalize, finalize_chunk)
        return
    import multiprocessing as mp

    method = start_method()
    if method == "fork":
        target.warm()
        init, arg = _init_inherit, target
    else:
        init, arg = _init_rebuild, target.factory()
    ctx = mp.get_context(method)
    window = window or 2 * workers
    with ctx.Pool(workers, initializer=init, initargs=(arg,)) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_tag, (Packed.of(chunk), finalize, finalize_chunk)))
            if len(pending) >= window:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
