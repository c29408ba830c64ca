"""The Dask engine: tag on a Dask distributed cluster (``pip install 'voc-cx[dist]'``).

``voc tag ... --engine dask --scheduler tcp://HOST:8786`` runs on an existing cluster;
``--engine dask`` alone starts a local cluster (one single-threaded worker process per core,
bound to 127.0.0.1, no dashboard) for the run. In Python::

    import voc
    from voc.engines.dask import DaskEngine

    with DaskEngine(scheduler="tcp://10.0.0.5:8786") as engine:
        voc.tag_files(["calls.jsonl"], "tagged.jsonl", engine=engine)
        for tagged in voc.load().pipe(voc.read_contacts("calls.jsonl"), engine=engine):
            ...

How it runs: a ``WorkerPlugin`` builds the pipeline once on every worker (from
``pipeline.settings``, as the local worker pool does, so models load once per worker and never
travel; the workers of a ``Session``'s local cluster are forked from the client with the
pipeline already loaded). The client reads the input in chunks and submits them several chunks
to a task (about ``TASK_ITEMS`` contacts), with a bounded number of tasks in flight, and the
results come back in input order, chunk by chunk. Every worker tags a chunk exactly as the
local engine does, so the output is byte-identical to ``--engine local``. Workers need voc (and its
models) installed at the same version as the client.
"""
from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from contextlib import ExitStack, contextmanager
from typing import Any, Callable, Iterable, Iterator

from ..errors import ConfigError, VocError
from ..pipeline import Pipeline, Rebuild
from ..registry import preprocessors
from ..settings import Settings
from ..workers import Packed, default_workers, finish, freeze, start_method, unpack

log = logging.getLogger(__name__)

__all__ = ["DaskEngine", "PipelinePlugin", "Session", "map_chunks", "local_cluster", "connect"]

try:  # optional: voc-cx[dist]
    from distributed import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover - exercised without the extra
    _WorkerPlugin = object

# Contacts per task: a task carries consecutive chunks until it holds this many. Each task costs
# the client (which also runs a local cluster's scheduler) and the worker a few messages and
# state changes; with a task per chunk of 256 the client's event loop used 2.2 s of CPU on
# 50,000 contacts, with four chunks per task 1.7 s (docs/scale.md).
TASK_ITEMS = 1024

# pipelines built on this worker process, by plugin name (or loaded by a Session in the client
# and inherited by the workers forked from it)
_PIPELINES: dict[str, Pipeline] = {}
_LOCK = threading.Lock()


def _require_distributed():
    try:
        import distributed
    except ImportError:
        raise ConfigError("the Dask engine needs dask.distributed; run pip install 'voc-cx[dist]' "
                          "or use --engine local.") from None
    return distributed


class PipelinePlugin(_WorkerPlugin):
    """Builds the tagging pipeline once on each worker (current and future ones).

    ``factory`` rebuilds the pipeline from its settings (``Pipeline.factory()``), or carries
    a custom pipeline as it is. ``freeze=True`` (for workers voc started itself) then moves what
    the worker has loaded out of the garbage collector's reach, as the local engine's workers do.
    """

    def __init__(self, factory: Callable[[], Pipeline], name: str, freeze: bool = False):
        self.factory = factory
        self.name = name
        self.freeze = freeze

    def setup(self, worker=None) -> None:
        with _LOCK:
            if self.name not in _PIPELINES:
                # warm: the segmenter's dictionary loads now, not in the first task
                _PIPELINES[self.name] = self.factory().warm()
                if self.freeze:
                    freeze()
            elif self.freeze:  # plugin names are unique: a worker forked from a Session's client
                freeze()

    def teardown(self, worker=None) -> None:
        with _LOCK:
            _PIPELINES.pop(self.name, None)


def make_plugin(pipeline: Pipeline, name: str | None = None, freeze: bool = False):
    """A ``distributed.WorkerPlugin`` that builds ``pipeline`` on every worker."""
    _require_distributed()
    return PipelinePlugin(pipeline.factory(), name or f"voc-pipeline-{uuid.uuid4().hex[:12]}", freeze)


class Payload:
    """The chunks of a task as its argument. Dask walks list, tuple and dict arguments looking
    for futures inside them: for chunks that is every turn of every contact, ~6 ms per chunk of
    256 in the client (a tenth of its time). An object that is none of those it passes as it is."""

    __slots__ = ("chunks",)

    def __init__(self, chunks: list[list[Any]]):
        self.chunks = chunks

    def __reduce__(self):
        return (Payload, (self.chunks,))


def held_pipeline(name: str) -> Pipeline:
    """Runs on a worker: the pipeline the plugin ``name`` built there (or that the worker
    inherited from a Session's client)."""
    pipeline = _PIPELINES.get(name)
    if pipeline is None:
        raise VocError(f"the voc pipeline {name} is not loaded on this worker; "
                       f"check the worker's log for the error that stopped it loading.")
    return pipeline


def held_pipelines() -> list[str]:
    """Runs on a worker: the names of the pipelines it holds."""
    return sorted(_PIPELINES)


def tag_task(name: str, payload: Payload, finalize: Callable[[Any], Any] | None,
             finalize_chunk: Callable[[list], Any] | None = None) -> list[Any]:
    """Runs on a worker: tag the chunks of a task with the pipeline the plugin built, each as
    the local engine tags a chunk; one result per chunk."""
    pipeline = held_pipeline(name)
    return [finish(pipeline.tag_items(unpack(chunk)), finalize, finalize_chunk) for chunk in payload.chunks]


def group_chunks(chunks: Iterable[list], items: int) -> Iterator[list[list]]:
    """Consecutive chunks grouped until a group holds at least ``items`` items."""
    group: list[list] = []
    n = 0
    for chunk in chunks:
        group.append(chunk)
        n += len(chunk)
        if n >= items:
            yield group
            group, n = [], 0
    if group:
        yield group


# -- clusters -----------------------------------------------------------------------------------
# Dask settings for the clusters voc starts (docs/scale.md gives them for an existing cluster)
QUIET = {"distributed.admin.tick.interval": "1s",
         "distributed.worker.memory.monitor-interval": "1s",
         "distributed.admin.system-monitor.interval": "2s"}


def local_security() -> Any:
    """``distributed.security.Security.temporary()`` (TLS, mutual authentication with a
    certificate made for this run and never written to disk) for a cluster voc starts, or
    None when ``cryptography`` (which makes the certificate) is not installed."""
    try:
        from importlib.util import find_spec

        from distributed.security import Security
        if find_spec("cryptography") is None:  # Security.temporary needs it
            return None
    except ImportError:
        return None
    return Security.temporary()


def _open_local(workers: int | None = None, *, default: bool = True, fork: bool = False,
                **kwargs: Any) -> tuple[Any, Callable[[], None]]:
    """(client, close) on a new local cluster (see ``local_cluster``); ``default``: the client
    becomes Dask's default one (not for a client opened in a background thread); ``fork``: the
    worker processes are forked from this one (Dask spawns them by default)."""
    distributed = _require_distributed()
    # dashboard off; the scheduler's small HTTP server (health, metrics) cannot be turned off, so
    # it gets a free port on 127.0.0.1 instead of 8787 (no clash with a cluster already running).
    # Dask's own logs stay quiet: a worker's error reaches the caller as the exception it raised
    # (e.g. a bad rules file, with its line), not as a traceback per worker on stderr.
    options = dict(n_workers=workers or default_workers(), threads_per_worker=1, processes=True,
                   host="127.0.0.1", dashboard_address=None, silence_logs=logging.CRITICAL,
                   scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
    options.update(kwargs)
    security = local_security() if options.get("processes", True) else None
    if security is not None:  # TLS with a throw-away CA: only this process holds the keys
        options.update(security=security, protocol="tls://")
    elif options.get("processes", True):  # pragma: no cover - tested with cryptography hidden
        # without cryptography no certificate can be made: any local user could connect to a
        # TCP scheduler and run code in the workers, so the cluster stays inside this process
        log.warning("cryptography is not installed, so the local Dask cluster runs inside this process "
                    "(threads, slower); pip install 'voc-cx[dist]' for authenticated worker processes")
        options.update(processes=False)
        options.pop("host", None)
    import dask

    # the workers' statistical profiler samples every thread's stack every 10 ms: ~20% more
    # CPU for pure-Python tasks such as tagging, and nobody reads it without a dashboard.
    # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which also freezes glibc's mmap
    # threshold at 128 KiB: every numpy array of a batch above that is mmapped, page-faulted
    # in and unmapped again, and tagging a chunk took 1.5x the CPU (docs/scale.md).
    # Housekeeping callbacks (the event-loop health tick every 20 ms, the memory monitor every
    # 100 ms, the system monitor every 500 ms) wake each process's event loop, which then takes
    # the GIL from the thread that tags; a few per second are enough on a cluster of one run.
    config = {**QUIET, "distributed.worker.profile.enabled": False,
              "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    if fork:
        config["distributed.worker.multiprocessing-method"] = "fork"
    with dask.config.set(config):
        cluster = distributed.LocalCluster(**options)
    try:
        # results come straight from the workers, not relayed by the scheduler (in this process)
        client = distributed.Client(cluster, set_as_default=default, direct_to_workers=True,
                                    **({"security": security} if security is not None else {}))
    except BaseException:
        cluster.close()
        raise

    def close() -> None:
        try:
            client.close()
        finally:
            cluster.close()

    return client, close


def _open(scheduler: str | None, workers: int | None, timeout: float = 30,
          default: bool = True, fork: bool = False) -> tuple[Any, Callable[[], None]]:
    """(client, close) on the scheduler at ``scheduler``, or on a new local cluster."""
    if scheduler is None:
        return _open_local(workers, default=default, fork=fork)
    distributed = _require_distributed()
    try:
        client = distributed.Client(scheduler, timeout=timeout, set_as_default=default)
    except (OSError, TimeoutError) as e:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler} ({e}); check the address, "
                          f"or leave --scheduler out to start a local cluster.") from None
    return client, client.close


@contextmanager
def local_cluster(workers: int | None = None, **kwargs: Any) -> Iterator[Any]:
    """A ``distributed.Client`` on a local cluster of ``workers`` single-threaded worker
    processes, bound to 127.0.0.1 with the dashboard off; closed on exit."""
    client, close = _open_local(workers, **kwargs)
    try:
        yield client
    finally:
        close()


@contextmanager
def connect(scheduler: str | None = None, *, workers: int | None = None, timeout: float = 30) -> Iterator[Any]:
    """A client on the scheduler at ``scheduler`` (``tcp://HOST:8786``), or on a local cluster
    of ``workers`` processes when no scheduler is given."""
    client, close = _open(scheduler, workers, timeout)
    try:
        yield client
    finally:
        close()


class Session:
    """A Dask client whose workers build the pipeline of ``settings`` (``Pipeline.from_settings``),
    started in a background thread.

    Starting a local cluster and loading the models on its workers takes a few seconds; a
    session does both in the background. A local cluster's workers are forked from this
    process once the session has loaded the pipeline here, as the local engine's workers are,
    so the models load once (on Linux, when the process runs no thread besides the caller's;
    elsewhere, or with ``VOC_START_METHOD`` set to another method, each worker loads them).
    ``pipeline()`` is the client's stand-in for the workers' pipeline;
    ``map_chunks(..., session=s)`` tags on the session's client, on the pipeline its workers
    already hold when the settings match::

        with Session(settings) as s:
            pipeline = s.pipeline()
            for chunk in map_chunks(pipeline, chunked(pipeline.preprocess(contacts), 256), session=s): ...
    """

    def __init__(self, settings: Settings | dict[str, Any] | None, *, scheduler: str | None = None,
                 workers: int | None = None, timeout: float = 30):
        _require_distributed()
        self.settings = Settings.coerce(settings)
        self.plugin_name = f"voc-pipeline-{uuid.uuid4().hex[:12]}"
        self.local = scheduler is None  # a cluster of its own
        self._close: Callable[[], None] | None = None
        self._client = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._start, args=(scheduler, workers, timeout), name="voc-dask-session",
                                        daemon=True)
        self._thread.start()

    def _start(self, scheduler: str | None, workers: int | None, timeout: float) -> None:
        try:
            fork = self.local and fork_safe()
            if fork:  # the workers forked from this process start with it: loaded once, shared
                _PIPELINES[self.plugin_name] = Pipeline.from_settings(self.settings).warm()
            self._client, self._close = _open(scheduler, workers, timeout, default=False, fork=fork)
            plugin = PipelinePlugin(Rebuild(self.settings), self.plugin_name, freeze=self.local)
            self._client.register_plugin(plugin, name=self.plugin_name)  # a worker's load error raises here
        except BaseException as e:  # raised in the caller's thread by client()
            self._error = e

    def client(self):
        """The client, once the cluster is up and its workers hold the pipeline."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._client

    def pipeline(self) -> Pipeline:
        """The client's stand-in for the pipeline the workers hold: its version (asked of the
        workers), settings and preprocessors, and no stages, so this process loads no model.
        It tags only through this session (``map_chunks(..., session=self)``)."""
        versions = set(self.client().run(_version_of, self.plugin_name).values())
        if len(versions) != 1:
            raise VocError(f"the Dask workers hold different voc pipelines ({'; '.join(sorted(map(str, versions)))}); "
                           f"install the same voc and models on every worker.")
        return HeldPipeline(versions.pop(), preprocessors(self.settings), self.settings)

    def plugin_for(self, pipeline: Pipeline) -> str | None:
        """The name of the workers' pipeline if it is ``pipeline`` (same settings), else None."""
        return self.plugin_name if pipeline.settings == self.settings else None

    def close(self) -> None:
        self._thread.join()
        _PIPELINES.pop(self.plugin_name, None)
        if self._client is not None and self._error is None:
            try:
                self._client.unregister_worker_plugin(self.plugin_name)
            except Exception:  # pragma: no cover - cluster already gone
                log.debug("could not unregister %s", self.plugin_name, exc_info=True)
        if self._close is not None:
            self._close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def fork_safe() -> bool:
    """Whether a Session (in its own thread) may fork the workers of its local cluster: where
    the local engine would fork, counting the session's thread besides the caller's (Dask's
    own fork mode takes care of the threads it starts). ``VOC_START_METHOD`` decides as it
    does for the local engine."""
    return start_method(threads=2) == "fork"


def _version_of(name: str) -> str | None:
    """Runs on a worker: the version of the pipeline the plugin ``name`` built."""
    return held_pipeline(name).version


class HeldPipeline(Pipeline):
    """What the client of a ``Session`` knows of the pipeline its workers hold (version,
    settings, preprocessors). It has no stages and tags nothing in this process."""

    def __init__(self, version: str | None, preprocessors: list, settings: Settings):
        super().__init__([], version=version, preprocessors=preprocessors, settings=settings)

    def tag_batch(self, contacts):
        raise VocError("this pipeline is held by the workers of a Dask cluster; tag through its "
                       "DaskEngine, or load one here with voc.load().")


def _threads(client) -> int:
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # pragma: no cover - scheduler gone
        return 1


# -- tagging ------------------------------------------------------------------------------------
def map_chunks(pipeline: Pipeline, chunks: Iterable[list], *, client=None, scheduler: str | None = None,
               workers: int | None = None, window: int | None = None,
               finalize: Callable[[Any], Any] | None = None,
               finalize_chunk: Callable[[list], Any] | None = None,
               session: Session | None = None, task_items: int = TASK_ITEMS, freeze: bool = False) -> Iterator[Any]:
    """Tag chunks on a Dask cluster, yielding the tagged chunks in input order.

    The same contract as ``Pipeline.pipe_chunks``: items that are not contacts pass through in
    place, ``finalize`` and ``finalize_chunk`` run on the worker. Each task carries consecutive
    chunks of ``task_items`` contacts in all (default ``TASK_ITEMS``), and at most ``window``
    tasks (default: 3 per worker thread) are in flight, so memory does not grow with the input.
    Give a ``client``, a ``session``, a ``scheduler`` address, or none of them for a local
    cluster of ``workers`` processes.
    """
    with ExitStack() as stack:
        name = None  # the name of a pipeline the workers already hold (a session's)
        if session is not None:
            client, name, ours = session.client(), session.plugin_for(pipeline), session.local
        elif client is None:
            client, ours = stack.enter_context(connect(scheduler, workers=workers)), scheduler is None
        else:
            ours = freeze
        plugin = make_plugin(pipeline, freeze=ours) if name is None else None
        name = name or plugin.name
        window = window or 3 * _threads(client)
        pending: deque = deque()
        try:
            if plugin is not None:
                client.register_plugin(plugin, name=name)  # raises a worker's error building it
            for group in group_chunks(chunks, task_items):
                payload = Payload([Packed.of(chunk) for chunk in group])
                pending.append(client.submit(tag_task, name, payload, finalize, finalize_chunk, pure=False))
                if len(pending) >= window:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            if pending:
                client.cancel(list(pending))
            if plugin is not None:
                try:
                    client.unregister_worker_plugin(name)
                except Exception:  # pragma: no cover - cluster already gone
                    log.debug("could not unregister %s", name, exc_info=True)


class DaskEngine:
    """The Dask engine: tags on the cluster at ``scheduler``, on ``client``, or on a local
    cluster of ``workers`` processes started for it (bound to 127.0.0.1).

    ``load(settings)`` starts a ``Session``: the cluster comes up and its workers build the
    pipeline in the background (forked from this process, loaded once, on a local cluster);
    this process gets a stand-in and loads no model. ``map_chunks`` tags on that session when
    given its pipeline, else it registers the given pipeline on the workers for the call.
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, *, workers: int | None = None, client: Any = None,
                 session: "Session | None" = None, timeout: float = 30):
        _require_distributed()
        self.scheduler, self.client, self.timeout = scheduler, client, timeout
        self.workers = workers or default_workers()
        self._session = session  # a caller's session is the caller's to close
        self._owns_session = False
        self._ours = False  # a local cluster this engine started
        self._opened = False  # a client this engine opened (closed by close())
        self._stack = ExitStack()

    def load(self, settings: Settings | dict[str, Any] | None = None) -> Pipeline:
        """The workers' pipeline for ``settings``: a stand-in here (version, settings,
        preprocessors); a scheduler that cannot be reached, or a worker that cannot load the
        models, fails here, before any file is opened."""
        if self.client is not None:  # a caller's client: build here, register on its workers per call
            return Pipeline.from_settings(settings)
        settings = Settings.coerce(settings)
        if self._session is None or self._session.settings != settings:
            if self._owns_session:
                self._session.close()
            self._session = Session(settings, scheduler=self.scheduler, workers=self.workers, timeout=self.timeout)
            self._owns_session = True
        return self._session.pipeline()

    def map_chunks(self, pipeline: Pipeline, chunks: Iterable[list], *, finalize: Callable | None = None,
                   finalize_chunk: Callable | None = None, window: int | None = None) -> Iterator[Any]:
        if self._session is not None and self._session.plugin_for(pipeline):
            yield from map_chunks(pipeline, chunks, session=self._session, window=window, finalize=finalize,
                                  finalize_chunk=finalize_chunk)
            return
        if self.client is None:  # no session for this pipeline: a cluster kept until close()
            self.client = self._stack.enter_context(connect(self.scheduler, workers=self.workers,
                                                            timeout=self.timeout))
            self._ours, self._opened = self.scheduler is None, True
        yield from map_chunks(pipeline, chunks, client=self.client, window=window, finalize=finalize,
                              finalize_chunk=finalize_chunk, freeze=self._ours)

    def close(self) -> None:
        if self._owns_session:
            self._session.close()
        self._session, self._owns_session = None, False
        self._stack.close()
        if self._opened:  # the client this engine opened (and a local cluster of its own) are gone
            self.client, self._opened, self._ours = None, False, False

    def __enter__(self) -> "DaskEngine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.scheduler or ("a client" if self.client is not None else "a local cluster")
        return f"DaskEngine({where}, workers={self.workers})"
