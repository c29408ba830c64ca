"""The batch job behind ``voc tag``: read inputs, tag in chunks, write output, errors and summary.

Every run ends with ``read == tagged + errors``: a row that cannot be read or tagged goes to
``<output>.errors.jsonl`` with its location and reason, never silently away.
"""
from __future__ import annotations

import itertools
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from datetime import timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from .._version import __version__
from ..io.ids import source_label
from ..io.readers import Columns, RowError, guess_format, read_contacts
from ..lang.metadata import to_datetime
from ..io.jsonline import jsonl_text
from ..io.writers import RESUMABLE_FORMATS, JsonlWriter, csv_text, format_from_path, open_writer
from ..errors import ConfigError, InputError, OutputError
from ..engines import Engine, LocalEngine
from ..pipeline import BATCH_SIZE, Pipeline, chunked
from ..settings import Settings
from ..records import OUTPUT_FIELDS, QA_FIELDS
from .progress import Progress, count_rows
from .state import (Checkpoint, DuplicateIds, RunLock, changed_files, check_paths, errors_path, fingerprint,
                    settings_files, summary_path)

log = logging.getLogger("voc.run")


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
    store: str | None = None  # the results store the run added to
    store_count: int | None = None  # contacts the store holds after the run
    store_replaced: int = 0  # stored contacts replaced by another contact with the same id
    store_replaced_examples: list[str] = field(default_factory=list)
    store_restored: int = 0  # records of the output an earlier run had not stored, added on resume
    undated: int = 0  # tagged contacts without a readable created_at: in no monthly report
    dialogues: int = 0  # tagged contacts read as conversations (turns, or a transcript in one text)
    stale_lock: bool = False  # the lock of a run that is gone was taken over
    fingerprint: str | None = None  # inputs, options, rules, models (the resume check)
    already_complete: bool = field(default=False, repr=False)  # --resume found the run finished

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("already_complete")
        return d

    def warnings(self) -> list[str]:
        """One line per thing the user should know (also logged as warnings)."""
        out = []
        if self.undated:
            out.append(f"{self.undated:,} of {self.tagged:,} contacts have no readable created_at and will appear in "
                       f"no monthly report; give the time column with --time-col (e.g. --time-col 创建时间)")
        if self.duplicate_ids:
            out.append(f"{self.duplicate_ids:,} contacts have an id seen before in this run "
                       f"(e.g. {self.duplicate_examples[0]}); all were tagged, a store keeps the last")
        if self.stale_lock:
            out.append(f"took over the stale lock {self.output}.lock (the run that took it is gone)")
        if self.store_restored:
            out.append(f"added {self.store_restored:,} contacts of the output that {self.store} lacked")
        if self.store_replaced:
            out.append(f"{self.store_replaced:,} contacts already in {self.store} were replaced by other contacts "
                       f"with the same id (e.g. {self.store_replaced_examples[0]})")
        return out

    def line(self) -> str:
        rate = self.tagged / self.seconds if self.seconds else 0.0
        # how many were read as conversations: a transcript in one text cell that was not (a form,
        # an unknown label) shows here as 0, before the analyst reads twenty results
        return (f"read {self.read:,} / tagged {self.tagged:,} (conversations: {self.dialogues:,}) / errors "
                f"{self.errors:,} in {self.seconds:.1f} s ({rate:,.0f} contacts/s, {self.workers} workers)")


# issue 16: record fields that do not come from the redacted text are scrubbed once more on the
# way out (a stage may quote input in a status or a reason); the contact's own fields (id,
# channel, created_at, customer_id, metadata) were scrubbed by the redact stage
_SCRUB_FIELDS = ("root_cause_evidence", "churn_reasons", "escalation_reasons", "topic_label", "status")


def _scrub_record(record: dict[str, Any], redactor: Any) -> dict[str, Any]:
    for k in _SCRUB_FIELDS:
        v = record.get(k)
        if v is not None and v != "ok":
            record[k] = redactor.scrub(v)
    return record


def _safe_error(entry: dict[str, Any], redactor: Any, ids: Any) -> dict[str, Any]:
    """Error rows can quote input (an unknown speaker label, the id, a header cell): every
    string of the row is redacted with the run's ``redactor`` (its name list), and the id with
    ``ids`` as the output's ids are (a keyed pseudonym, so an error row and an output row match)."""
    out = redactor.scrub({k: v for k, v in entry.items() if k != "id"})
    if entry.get("id") is not None:
        out["id"] = ids.scrub(entry["id"])
    return {k: out.get(k) for k in entry}


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
    undated: int  # tagged contacts without a readable created_at
    records: list[dict[str, Any]] | None  # the output records, when the parent needs them
    sources: list[int] | None = None  # with records: the index of each record's input file
    dialogues: int = 0  # tagged contacts read as conversations


class ChunkOutput:
    """``finalize_chunk`` of the batch job: a tagged chunk -> ``ChunkResult``. Output records
    are serialised here, in the worker (``fmt`` jsonl or csv); ``records=True`` also sends the
    records back (an XLSX output, a results store)."""

    def __init__(self, fmt: str, records: bool = False, inputs: Sequence[str] = (),
                 fields: tuple[str, ...] = OUTPUT_FIELDS, scrub: bool = True, names: str | None = None,
                 pseudonymise_key: bytes | None = None):
        self.fmt = fmt
        self.scrub = scrub  # off only with --no-redact
        self.names, self.pseudonymise_key = names, pseudonymise_key  # as the redact stage's (--names, --pseudonymise)
        self._redactor: Any = None
        self._ids: Any = None
        self.fields = fields
        self.records = records or fmt not in RESUMABLE_FORMATS
        self.prefixes = [f"{Path(p)}:" for p in inputs]  # a contact's source is "<path>:<where>"

    @property
    def redactor(self) -> Any:
        """The run's redactor (built once per process; not pickled to the workers)."""
        if self._redactor is None:
            from ..text.redact import Redactor, read_names

            self._redactor = Redactor(pseudonymise_key=self.pseudonymise_key,
                                      names=read_names(self.names) if self.names else ())
            self._ids = self._redactor.for_ids()
        return self._redactor

    def _error(self, entry: dict[str, Any]) -> dict[str, Any]:
        return _safe_error(entry, self.redactor, self._ids)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_redactor": None, "_ids": None}

    def _input_of(self, source: str | None) -> int:
        for i, prefix in enumerate(self.prefixes):
            if source and source.startswith(prefix):
                return i
        return -1

    def __call__(self, items: list[Any]) -> ChunkResult:
        ids: list[str] = []
        by_status: dict[str, int] = {}
        errors: list[dict[str, Any]] = []
        good: list[dict[str, Any]] = []
        sources: list[int] = []
        undated = dialogues = 0
        for item in items:
            if isinstance(item, RowError):
                errors.append(self._error(item.to_record()))
                continue
            record = item.to_record()
            if self.scrub:
                _scrub_record(record, self.redactor)
            ids.append(record["id"])
            head = "error" if item.error is not None else record["status"].partition(":")[0]
            by_status[head] = by_status.get(head, 0) + 1
            if item.error is not None:
                errors.append(self._error({"source": item.contact.source, "id": record["id"],
                                           "reason": str(item.error)}))
            else:
                good.append(record)
                undated += to_datetime(record.get("created_at"), timezone.utc, epoch=True) is None
                dialogues += item.contact.is_dialogue
                if self.records and self.prefixes:
                    sources.append(self._input_of(item.contact.source))
        text = None
        if self.fmt == "jsonl":
            text = jsonl_text(good)
        elif self.fmt == "csv":
            text = csv_text(good, self.fields)
        return ChunkResult(n=len(items), ids=ids, by_status=by_status, tagged=len(good), errors=errors,
                           text=text, undated=undated, records=good if self.records else None,
                           sources=sources if self.records and self.prefixes else None, dialogues=dialogues)


def tag_files(inputs: Sequence[str | Path], output: str | Path, *, settings: Settings | dict[str, Any] | None = None,
              pipeline: Pipeline | None = None, engine: Engine | None = None, workers: int | None = None,
              format: str | None = None, batch_size: int = BATCH_SIZE,
              input_format: str | None = None, encoding: str | None = None, sheet: str | None = None,
              columns: Columns | None = None, progress: bool = False, store: Any = None,
              resume: bool = False, on_record: Callable[[dict[str, Any]], None] | None = None) -> RunSummary:
    """Tag every contact of ``inputs`` into ``output`` (JSONL, CSV or XLSX).

    Writes ``OUTPUT.errors.jsonl`` (rows that could not be read or tagged, with location and
    reason) and ``OUTPUT.summary.json``. A JSONL or CSV run checkpoints after every chunk:
    after a crash or ``kill -9``, ``resume=True`` continues where it stopped, giving output
    byte-identical to an uninterrupted run; it refuses when the inputs, options, rules or
    models changed. Like ``wget -c``, ``resume=True`` with nothing to resume starts the run,
    and on a finished output reports it complete (``already_complete``) without rewriting it.
    ``store`` (a path or a ``voc.store.Store``) also adds the tagged records to a results
    store: each chunk is committed to the store before the checkpoint records it, and a resume
    re-adds from the output the records the store lacks, so output and store always agree.

    The pipeline is ``pipeline``, else the one ``settings`` build (default ``Settings()``).
    ``engine`` says where chunks are tagged: ``LocalEngine(workers)`` (the default) or
    ``voc.engines.dask.DaskEngine(...)``; an engine given here is not closed here.
    """
    inputs = [str(p) for p in inputs]
    if store is not None and not hasattr(store, "add"):
        check_paths(inputs, output, store)
        from ..store import Store

        with Store(store) as st:
            return tag_files(inputs, output, settings=settings, pipeline=pipeline, engine=engine, workers=workers,
                             format=format, batch_size=batch_size, input_format=input_format, encoding=encoding,
                             sheet=sheet, columns=columns, progress=progress, store=st, resume=resume,
                             on_record=on_record)
    check_paths(inputs, output, getattr(store, "path", None))
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
    # open every input first: a missing file or column fails before anything is written
    streams = [read_contacts(p, format=input_format, encoding=encoding, columns=columns, sheet=sheet)
               for p in inputs]
    summary = RunSummary(inputs=inputs, output=str(output), errors_file=str(errors_path(output)), workers=workers,
                         store=getattr(store, "path", None))
    with RunLock(output) as lock:
        summary.stale_lock = lock.took_over
        options = {"format": fmt, "input_format": input_format, "encoding": encoding, "sheet": sheet,
                   "columns": asdict(columns) if columns else None, "batch_size": batch_size,
                   "pipeline": pipeline.version,
                   "settings": pipeline.settings.fingerprint() if pipeline.settings is not None else None}
        ckpt = Checkpoint(output)
        resumable = fmt in RESUMABLE_FORMATS
        files = settings_files(pipeline.settings) if resumable else {}
        fp = fingerprint(inputs, {**options, "files": files}) if resumable else None
        summary.fingerprint = fp
        state = None
        if resume:
            if not resumable:
                raise OutputError(f"a {fmt} output cannot be resumed; write JSONL or CSV to use --resume.")
            state = ckpt.load()
            finished = _finished_run(output, fp, files, state)
            if finished is not None:
                return _complete(finished, output, ckpt, store)
            if state is not None and state.get("fingerprint") != fp:
                raise InputError(_changed_message(output, state.get("files"), files))
            if state is None:
                log.info("no interrupted run of %s to resume: starting it", output)
            else:
                for k in ("read", "tagged", "errors"):
                    setattr(summary, k, state["counts"][k])
                summary.by_status = dict(state["counts"]["by_status"])
                summary.undated = state["counts"].get("undated", 0)
                summary.dialogues = state["counts"].get("dialogues", 0)
                if store is not None and fmt == "jsonl":  # records an earlier run did not store
                    summary.store_restored = _restore(store, output.with_name(f".{output.name}.partial"),
                                                      state["output_bytes"])
        fields = OUTPUT_FIELDS + (QA_FIELDS if pipeline.settings is not None and pipeline.settings.qa else ())
        out = open_writer(output, fmt, fields, resume_at=state["output_bytes"] if state else None)
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
        total = count_rows(inputs, [input_format or guess_format(Path(p)) for p in inputs],
                           bool(columns and columns.group_by)) if progress else None
        bar = Progress(progress, total, start=done)
        labels = [source_label(p) for p in inputs] if store is not None else []
        # records are serialised where they are tagged; the parent needs them only for an XLSX
        # output, a results store or an on_record callback
        finish = ChunkOutput(fmt, records=store is not None or on_record is not None,
                             inputs=inputs if store is not None else (), fields=fields,
                             scrub=pipeline.settings is None or pipeline.settings.redact,
                             names=pipeline.settings.person_names if pipeline.settings is not None else None,
                             pseudonymise_key=pipeline.settings.pseudonymise_key if pipeline.settings is not None else None)
        try:
            for res in engine.map_chunks(pipeline, chunked(items, batch_size), finalize_chunk=finish):
                summary.read += res.n
                summary.tagged += res.tagged
                summary.errors += len(res.errors)
                summary.undated += res.undated
                summary.dialogues += res.dialogues
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
                if res.records:
                    if store is not None:
                        for record, src in zip(res.records, res.sources or itertools.repeat(-1)):
                            store.add(record, source=labels[src] if src >= 0 else None)
                    if on_record is not None:
                        for record in res.records:
                            on_record(record)
                done += res.n
                if resumable:
                    state = {"fingerprint": fp, "files": files, "items": done, "output_bytes": out.size(),
                             "errors_bytes": err.size(),
                             "counts": {"read": summary.read, "tagged": summary.tagged,
                                        "errors": summary.errors, "by_status": summary.by_status,
                                        "undated": summary.undated, "dialogues": summary.dialogues}}
                    if store is not None:  # the store holds the chunk before the checkpoint says it is done
                        store.flush()
                    ckpt.save(state)
                bar.update(done, summary.errors)
            if store is not None:
                store.flush()
            err.close()
            out.close()
        except BaseException:
            out.abort(keep=resumable)
            err.abort(keep=resumable)
            bar.close()
            raise
        bar.close(done)
        summary.duplicate_ids = duplicates.count
        summary.duplicate_examples = duplicates.examples
        if store is not None:
            summary.store_replaced = store.replaced_other
            summary.store_replaced_examples = list(store.replaced_examples)
            summary.store_count = store.count()
        summary.seconds = round(time.monotonic() - t0, 3)
        _write_summary(summary)  # then the checkpoint goes: a resume finds the run complete
        ckpt.remove()
    # the first warnings (undated, duplicate ids) are the run's; the lock, the store restore and
    # the store log their own
    for line in summary.warnings()[:bool(summary.undated) + bool(summary.duplicate_ids)]:
        log.warning("%s", line)
    log.info("%s", summary.line())
    return summary


def _write_summary(summary: RunSummary) -> None:
    path = summary_path(summary.output)
    tmp = path.with_name(f".{path.name}.tmp")
    from ..io.values import scrubbed

    tmp.write_text(json.dumps(scrubbed(summary.to_dict()), ensure_ascii=False, indent=2) + "\n",
                   encoding="utf-8")  # issue 16: the examples of ids it names are scrubbed
    os.replace(tmp, path)


def _changed_message(output: Path, old_files: dict[str, str] | None, files: dict[str, str]) -> str:
    changed = changed_files(old_files, files)
    if changed:
        what = ", ".join("the shipped models, rules or lexicons" if k == "shipped" else f"the {k} file"
                         for k in changed)
        return (f"{what} changed since the interrupted run of {output}; restore it, or run again without "
                f"--resume to start over with the new one.")
    return (f"the inputs or options changed since the interrupted run of {output}; run again without --resume "
            f"to start over.")


def _finished_run(output: Path, fp: str | None, files: dict[str, str],
                  state: dict[str, Any] | None) -> dict[str, Any] | None:
    """The summary of a finished run of the same inputs and options at ``output``, or None
    when there is none (``InputError`` when the output is a finished run of something else)."""
    if not output.exists():
        return None
    try:
        done = json.loads(summary_path(output).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        done = None
    partial = output.with_name(f".{output.name}.partial")
    if (done is None or done.get("fingerprint") != fp) and state is not None and not partial.exists() \
            and state.get("fingerprint") == fp and output.stat().st_size == state["output_bytes"]:
        # killed between publishing the output and writing the summary: the last checkpoint
        # holds the final counts
        err_partial = errors_path(output).with_name(f".{errors_path(output).name}.partial")
        if err_partial.exists():
            os.truncate(err_partial, state["errors_bytes"])
            os.replace(err_partial, errors_path(output))
        done = {"inputs": None, "output": str(output), "errors_file": str(errors_path(output)),
                **{k: state["counts"][k] for k in ("read", "tagged", "errors", "by_status")}, "fingerprint": fp}
    if done is None or done.get("fingerprint") is None:
        if state is not None:
            return None
        raise OutputError(f"{output} exists and holds no run voc can resume; run without --resume to replace it.")
    if done["fingerprint"] != fp:
        if state is not None:
            return None  # an older finished run; the checkpoint is the newer one
        raise InputError(_changed_message(output, None, files).replace("the interrupted run", "the finished run"))
    return done


def _complete(done: dict[str, Any], output: Path, ckpt: Checkpoint, store: Any) -> RunSummary:
    """``--resume`` on a finished run: nothing is rewritten; a store given gets the records it lacks."""
    fields = set(RunSummary.__dataclass_fields__)
    summary = RunSummary(**{k: v for k, v in done.items() if k in fields and k != "already_complete"})
    if summary.inputs is None:
        summary.inputs = []
        _write_summary(summary)
    ckpt.remove()
    summary.already_complete = True
    summary.duplicate_ids = summary.store_replaced = 0  # told when the run finished
    summary.stale_lock = False
    if store is not None and output.suffix.lower() != ".csv":
        summary.store_restored = _restore(store, output, output.stat().st_size)
    log.info("%s is complete (%d contacts tagged); nothing to resume", output, summary.tagged)
    return summary


def _restore(store: Any, path: Path, nbytes: int) -> int:
    """Add to ``store`` the records of the JSONL ``path`` (its first ``nbytes``) that it lacks:
    what an earlier run wrote to the output but not to the store. Returns how many."""
    if not path.is_file():
        return 0
    added = 0
    with open(path, "rb") as f:
        data = f.read(nbytes)
    lines = data.splitlines()
    for i in range(0, len(lines), 2000):
        records = [json.loads(line) for line in lines[i:i + 2000] if line.strip()]
        by_id = {str(r["id"]): r for r in records}
        for cid in store.missing(list(by_id)):
            store.add(by_id[cid])
            added += 1
        store.flush()
    if added:
        log.warning("added %d contacts of %s that the store %s lacked", added, path.name, store.path)
    return added
