"""The batch job behind ``voc tag``: read inputs, tag in chunks, write output, errors and summary.

Every run ends with ``read == tagged + errors``: a row that cannot be read or tagged goes to
``<output>.errors.jsonl`` with its location and reason, never silently away.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from ._version import __version__
from .io.readers import Columns, RowError, read_contacts
from .io.writers import JsonlWriter, format_from_path, open_writer
from .pipeline import Pipeline, default_workers
from .records import OUTPUT_FIELDS, Contact

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


def _finalize(tagged) -> tuple[dict[str, Any], str | None]:
    """Runs where the contact was tagged: only the output record travels back."""
    return tagged.to_record(), tagged.contact.source


def tag_files(inputs: Sequence[str | Path], output: str | Path, *, pipeline: Pipeline | None = None,
              format: str | None = None, workers: int | None = None, batch_size: int = 256,
              input_format: str | None = None, encoding: str | None = None, sheet: str | None = None,
              columns: Columns | None = None, progress: bool = False, store: str | Path | None = None,
              on_record: Callable[[dict[str, Any]], None] | None = None) -> RunSummary:
    """Tag every contact of ``inputs`` into ``output`` (JSONL, CSV or XLSX).

    ``store`` also adds the tagged records to a results store (``voc.store.Store``).
    Returns the run summary, also written to ``<output>.summary.json``.
    """
    if store is not None:
        from .store import Store

        with Store(store) as st:
            return tag_files(inputs, output, pipeline=pipeline, format=format, workers=workers,
                             batch_size=batch_size, input_format=input_format, encoding=encoding, sheet=sheet,
                             columns=columns, progress=progress, on_record=st.add)
    from .api import load

    t0 = time.monotonic()
    pipeline = pipeline or load()
    workers = default_workers() if workers is None else max(1, workers)
    fmt = format or format_from_path(output)
    inputs = [str(p) for p in inputs]
    # open every input first: a missing file or column fails before anything is written
    streams = [read_contacts(p, format=input_format, encoding=encoding, columns=columns, sheet=sheet)
               for p in inputs]
    summary = RunSummary(inputs=inputs, output=str(output), errors_file=str(errors_path(output)), workers=workers)
    bar = Progress(progress)
    with open_writer(output, fmt, OUTPUT_FIELDS) as out, JsonlWriter(errors_path(output)) as err:

        def contacts() -> Iterator[Contact]:
            for stream in streams:
                for item in stream:
                    summary.read += 1
                    if isinstance(item, RowError):
                        summary.errors += 1
                        err.write(item.to_record())
                    else:
                        yield item

        for record, source in pipeline.pipe(contacts(), batch_size=batch_size, workers=workers, finalize=_finalize):
            status = record["status"].split(":", 1)[0]
            summary.by_status[status] = summary.by_status.get(status, 0) + 1
            if status == "error":
                summary.errors += 1
                err.write({"source": source, "id": record["id"], "reason": record["status"].split(":", 1)[1].strip()})
            else:
                summary.tagged += 1
                out.write(record)
                if on_record:
                    on_record(record)
            bar.update(summary.tagged, summary.errors)
    bar.update(summary.tagged, summary.errors, force=True)
    bar.close()
    summary.seconds = round(time.monotonic() - t0, 3)
    summary_path(output).write_text(json.dumps(asdict(summary), ensure_ascii=False, indent=2) + "\n",
                                    encoding="utf-8")
    log.info("%s", summary.line())
    return summary
