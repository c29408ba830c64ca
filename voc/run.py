"""The batch job behind ``voc tag``: read inputs, tag in chunks, write output, errors and summary.

Every run ends with ``read == tagged + errors``: a row that cannot be read or tagged goes to
``<output>.errors.jsonl`` with its location and reason, never silently away.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from ._version import __version__
from .io.readers import Columns, RowError, read_contacts
from .io.writers import RESUMABLE_FORMATS, JsonlWriter, csv_text, format_from_path, jsonl_text, open_writer
from .errors import ConfigError, InputError, OutputError
from .engines import Engine, LocalEngine
from .pipeline import Pipeline, chunked
from .settings import Settings
from .records import OUTPUT_FIELDS

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    inputs: list[str]
    output: str
    errors_file: str
    read: int = 0
    tagged: int = 0
    errors: int = 0
    seconds: float = 0.0
    workers: int = 1
    version: str = __version__
    by_status: dict[str, int] = field(default_factory=dict)
    duplicate_ids: int = 0
    duplicate_examples: list[str] = field(default_factory=list)

    def line(self) -> str:
        rate = self.tagged / self.seconds if self.seconds else 0.0
        return (f"read {self.read:,} / tagged {self.tagged:,} / errors {self.errors:,} "
                f"in {self.seconds:.1f} s ({rate:,.0f} contacts/s, {self.workers} workers)")


def errors_path(output: str | Path) -> Path:
    return Path(f"{output}.errors.jsonl")


def summary_path(output: str | Path) -> Path:
    return Path(f"{output}.summary.json")


class Progress:
    """A one-line progress report on stderr, refreshed at most every 0.5 s."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.t0 = time.monotonic()
        self.last = 0.0

    def update(self, done: int, errors: int, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if force or now - self.last > 0.5:
            self.last = now
            rate = done / max(now - self.t0, 1e-9)
            sys.stderr.write(f"\rvoc: tagged {done:,} contacts, {errors:,} errors, {rate:,.0f}/s ")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def _safe_error(entry: dict[str, Any]) -> dict[str, Any]:
    """Error reasons can quote input (e.g. an unknown speaker label, a raw row), ids and sources
    too: every field is redacted (issue 16: ``Redactor.scrub``)."""
    return _scrubber().scrub(entry)


def _scrubber():
    from .text.redact import Redactor

    global _SCRUBBER
    if _SCRUBBER is None:
        _SCRUBBER = Redactor()
    return _SCRUBBER


_SCRUBBER = None
# issue 16: record fields that do not come from the redacted text are scrubbed once more on
# the way out (a stage may quote input in a status or a reason)
# (the contact's own fields - id, channel, created_at, customer_id, metadata - were scrubbed by
# the redact stage)
_SCRUB_FIELDS = ("root_cause_evidence", "churn_reasons", "escalation_reasons", "topic_label", "status")


def _scrub_record(record: dict[str, Any]) -> dict[str, Any]:
    scrub = _scrubber().scrub
    for k in _SCRUB_FIELDS:
        v = record.get(k)
        if v is not None and v != "ok":
            record[k] = scrub(v)
    return record


@dataclass
class ChunkResult:
    """One tagged chunk as the batch job needs it: made where the chunk was tagged (a worker
    process or a Dask worker), so the parent only counts and writes bytes."""

    n: int  # items of the chunk (contacts and unreadable rows)
    ids: list[str]  # ids of the contacts, in order (duplicate check)
    by_status: dict[str, int]
    tagged: int
    errors: list[dict[str, Any]]  # errors-file entries (reasons redacted), in order
    text: str | None  # the output lines of the tagged contacts (JSONL or CSV)
    records: list[dict[str, Any]] | None  # the output records, when the parent needs them


class ChunkOutput:
    """``finalize_chunk`` of the batch job: a tagged chunk -> ``ChunkResult``. Output records
    are serialised here, in the worker (``fmt`` jsonl or csv); ``records=True`` also sends the
    records back (an XLSX output, a results store)."""

    def __init__(self, fmt: str, records: bool = False, scrub: bool = True):
        self.fmt = fmt
        self.records = records or fmt not in RESUMABLE_FORMATS
        self.scrub = scrub  # issue 16: off only with --no-redact

    def __call__(self, items: list[Any]) -> ChunkResult:
        ids: list[str] = []
        by_status: dict[str, int] = {}
        errors: list[dict[str, Any]] = []
        good: list[dict[str, Any]] = []
        for item in items:
            if isinstance(item, RowError):
                errors.append(_safe_error(item.to_record()))
                continue
            record = item.to_record()
            if self.scrub:
                _scrub_record(record)
            ids.append(record["id"])
            head = "error" if item.error is not None else record["status"].partition(":")[0]
            by_status[head] = by_status.get(head, 0) + 1
            if item.error is not None:
                errors.append(_safe_error({"source": item.contact.source, "id": record["id"],
                                           "reason": str(item.error)}))
            else:
                good.append(record)
        text = None
        if self.fmt == "jsonl":
            text = jsonl_text(good)
        elif self.fmt == "csv":
            text = csv_text(good, OUTPUT_FIELDS)
        return ChunkResult(n=len(items), ids=ids, by_status=by_status, tagged=len(good), errors=errors,
                           text=text, records=good if self.records else None)


class RunLock:
    """``OUTPUT.lock``: refuses a second concurrent run on the same output."""

    def __init__(self, output: Path):
        self.path = Path(f"{output}.lock")

    def __enter__(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create the folder of {self.path.with_suffix('')} ({e.strerror}); "
                              f"choose a writable output path.") from None
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    pid = int(self.path.read_text().strip() or 0)
                except (OSError, ValueError):
                    pid = 0
                if pid and _alive(pid):
                    raise OutputError(f"another voc run (pid {pid}) is writing {self.path.with_suffix('')}; "
                                      f"wait for it to finish or choose another output.") from None
                self.path.unlink(missing_ok=True)  # stale lock of a killed run
                continue
            except OSError as e:
                raise OutputError(f"cannot write beside {self.path.with_suffix('')} ({e.strerror}); "
                                  f"choose a writable output path.") from None
            with os.fdopen(fd, "w") as f:
                f.write(str(os.getpid()))
            return self
        raise OutputError(f"cannot take the lock {self.path}; remove it if no voc run is writing there.")

    def __exit__(self, *exc) -> None:
        self.path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fingerprint(inputs: Sequence[str], options: dict[str, Any]) -> str:
    """SHA-256 over the inputs' bytes and the options that shape the output."""
    h = hashlib.sha256()
    for p in inputs:
        h.update(os.fsencode(os.path.abspath(p)) + b"\0")
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    h.update(json.dumps(options, sort_keys=True, default=repr).encode())
    return h.hexdigest()


class Checkpoint:
    """``OUTPUT.checkpoint.json``: how far an interrupted run got, written after every chunk
    once that chunk's records and errors are in the partial files."""

    def __init__(self, output: Path):
        self.path = Path(f"{output}.checkpoint.json")
        self.tmp = self.path.with_name(f".{self.path.name}.tmp")

    def load(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def save(self, state: dict[str, Any]) -> None:
        self.tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(self.tmp, self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
        self.tmp.unlink(missing_ok=True)


class DuplicateIds:
    """Counts contact ids seen before in this run.

    Keeps 8-byte hashes of the ids, not the ids: the latest ones in a small set, the rest in
    sorted numpy arrays merged as they grow (a log-structured merge), about 8 bytes per
    distinct id (a Python set of the same hashes takes about 70).
    """

    RECENT = 1 << 15  # hashes kept in the set before they move to a sorted array

    def __init__(self):
        self.recent: set[int] = set()
        self.levels: list[Any] = []  # sorted uint64 arrays, largest first
        self.count = 0
        self.examples: list[str] = []

    @staticmethod
    def _key(cid: str) -> int:
        return int.from_bytes(hashlib.blake2b(cid.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")

    def add(self, cid: str) -> None:
        self.add_many([cid])

    def add_many(self, ids: Sequence[str]) -> None:
        if not ids:
            return
        keys = [self._key(c) for c in ids]
        old = self._in_levels(keys)
        recent = self.recent
        for i, key in enumerate(keys):
            if (old is not None and old[i]) or key in recent:
                self.count += 1
                if len(self.examples) < 20:
                    self.examples.append(ids[i])
            else:
                recent.add(key)
        if len(recent) >= self.RECENT:
            self._flush()

    def _in_levels(self, keys: list[int]):
        if not self.levels:
            return None
        import numpy as np

        arr = np.array(keys, dtype=np.uint64)
        hit = np.zeros(len(keys), dtype=bool)
        for level in self.levels:
            pos = np.searchsorted(level, arr)
            np.minimum(pos, len(level) - 1, out=pos)
            hit |= level[pos] == arr
        return hit.tolist()

    def _flush(self) -> None:
        import numpy as np

        self.levels.append(np.sort(np.fromiter(self.recent, dtype=np.uint64, count=len(self.recent))))
        self.recent = set()
        while len(self.levels) > 1 and len(self.levels[-2]) <= 2 * len(self.levels[-1]):
            top = self.levels.pop()
            below = self.levels.pop()
            merged = np.concatenate([below, top])
            merged.sort()
            self.levels.append(merged)


def tag_files(inputs: Sequence[str | Path], output: str | Path, *, settings: Settings | dict[str, Any] | None = None,
              pipeline: Pipeline | None = None, engine: Engine | None = None, workers: int | None = None,
              format: str | None = None, batch_size: int = 256,
              input_format: str | None = None, encoding: str | None = None, sheet: str | None = None,
              columns: Columns | None = None, progress: bool = False, store: str | Path | None = None,
              resume: bool = False, on_record: Callable[[dict[str, Any]], None] | None = None) -> RunSummary:
    """Tag every contact of ``inputs`` into ``output`` (JSONL, CSV or XLSX).

    Writes ``OUTPUT.errors.jsonl`` (rows that could not be read or tagged, with location and
    reason) and ``OUTPUT.summary.json``. A JSONL or CSV run checkpoints after every chunk:
    after a crash or ``kill -9``, ``resume=True`` continues where it stopped, giving output
    byte-identical to an uninterrupted run; it refuses when the inputs or options changed.
    ``store`` also adds the tagged records to a results store (``voc.store.Store``).

    The pipeline is ``pipeline``, else the one ``settings`` build (default ``Settings()``).
    ``engine`` says where chunks are tagged: ``LocalEngine(workers)`` (the default) or
    ``voc.engines.dask.DaskEngine(...)``; an engine given here is not closed here.
    """
    if store is not None:
        from .store import Store

        with Store(store) as st:
            return tag_files(inputs, output, settings=settings, pipeline=pipeline, engine=engine, workers=workers,
                             format=format, batch_size=batch_size, input_format=input_format, encoding=encoding,
                             sheet=sheet, columns=columns, progress=progress, resume=resume, on_record=st.add)
    t0 = time.monotonic()
    if engine is None:
        engine = LocalEngine(workers)
    elif isinstance(engine, str):
        raise ConfigError(f"engine={engine!r}: pass an engine object, LocalEngine(workers) or "
                          f"voc.engines.dask.DaskEngine(...).")
    pipeline = pipeline or engine.load(Settings.coerce(settings))
    workers = engine.workers
    fmt = format or format_from_path(output)
    output = Path(output)
    inputs = [str(p) for p in inputs]
    # open every input first: a missing file or column fails before anything is written
    streams = [read_contacts(p, format=input_format, encoding=encoding, columns=columns, sheet=sheet)
               for p in inputs]
    summary = RunSummary(inputs=inputs, output=str(output), errors_file=str(errors_path(output)), workers=workers)
    with RunLock(output):
        options = {"format": fmt, "input_format": input_format, "encoding": encoding, "sheet": sheet,
                   "columns": asdict(columns) if columns else None, "batch_size": batch_size,
                   "pipeline": pipeline.version,
                   "settings": pipeline.settings.fingerprint() if pipeline.settings is not None else None}
        ckpt = Checkpoint(output)
        resumable = fmt in RESUMABLE_FORMATS
        fp = fingerprint(inputs, options) if resumable else None
        state = None
        if resume:
            if not resumable:
                raise OutputError(f"a {fmt} output cannot be resumed; write JSONL or CSV to use --resume.")
            state = ckpt.load()
            if state is None:
                raise OutputError(f"there is no interrupted run of {output} to resume; run without --resume.")
            if state["fingerprint"] != fp:
                raise InputError(f"the inputs or options changed since the interrupted run of {output}; "
                                 f"run again without --resume to start over.")
            for k in ("read", "tagged", "errors"):
                setattr(summary, k, state["counts"][k])
            summary.by_status = dict(state["counts"]["by_status"])
        out = open_writer(output, fmt, OUTPUT_FIELDS, resume_at=state["output_bytes"] if state else None)
        try:
            err = JsonlWriter(errors_path(output), resume_at=state["errors_bytes"] if state else None)
        except BaseException:
            out.abort(keep=resumable)
            raise
        duplicates = DuplicateIds()
        items = pipeline.preprocess(itertools.chain.from_iterable(streams))
        done = 0
        if state:  # skip what the interrupted run wrote (its ids still count for duplicates)
            for part in chunked(itertools.islice(items, state["items"]), 4096):
                done += len(part)
                duplicates.add_many([x.id for x in part if not isinstance(x, RowError)])
        bar = Progress(progress)
        # records are serialised where they are tagged; the parent needs them only for an XLSX
        # output or a results store
        finish = ChunkOutput(fmt, records=on_record is not None,
                             scrub=pipeline.settings is None or pipeline.settings.redact)
        try:
            for res in engine.map_chunks(pipeline, chunked(items, batch_size), finalize_chunk=finish):
                summary.read += res.n
                summary.tagged += res.tagged
                summary.errors += len(res.errors)
                for k, v in res.by_status.items():
                    summary.by_status[k] = summary.by_status.get(k, 0) + v
                for entry in res.errors:
                    err.write(entry)
                duplicates.add_many(res.ids)
                if res.text is not None:
                    out.write_text(res.text)
                else:
                    for record in res.records:
                        out.write(record)
                if on_record and res.records:
                    for record in res.records:
                        on_record(record)
                done += res.n
                if resumable:
                    ckpt.save({"fingerprint": fp, "items": done, "output_bytes": out.size(),
                               "errors_bytes": err.size(),
                               "counts": {"read": summary.read, "tagged": summary.tagged,
                                          "errors": summary.errors, "by_status": summary.by_status}})
                bar.update(summary.tagged, summary.errors)
            out.close()
            err.close()
        except BaseException:
            out.abort(keep=resumable)
            err.abort(keep=resumable)
            bar.close()
            raise
        ckpt.remove()
    bar.update(summary.tagged, summary.errors, force=True)
    bar.close()
    summary.duplicate_ids = duplicates.count
    summary.duplicate_examples = duplicates.examples
    if duplicates.count:
        log.warning("%d contacts have an id seen before in this run (e.g. %s); all were tagged",
                    duplicates.count, duplicates.examples[0])
    summary.seconds = round(time.monotonic() - t0, 3)
    summary_path(output).write_text(json.dumps(_scrubber().scrub(asdict(summary)), ensure_ascii=False, indent=2)
                                    + "\n", encoding="utf-8")  # issue 16: scrubbed
    log.info("%s", summary.line())
    return summary
