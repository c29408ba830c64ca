"""Writers for tagged records: JSONL (default), CSV, XLSX.

Every writer writes to a temporary file beside the target and renames it into place only
when the run completes, so a crashed run never leaves a half-written output under the real
name. ``escape_cell`` is the one function every CSV and XLSX writer of voc passes its cells
through (tag output, report workbooks, escalation files, the ``voc label`` sheet): text that
starts with = + - @, a tab or a carriage return gets a leading apostrophe (OWASP's advice
against CSV injection), so that a spreadsheet never runs customer text as a formula; numbers
stay numbers. An XLSX sheet holds at most ``XLSX_MAX_ROWS`` rows: the rows past it go on to
further sheets (``contacts_2`` ...), never dropped.
"""
from __future__ import annotations

import csv
import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from ..errors import OutputError
from .jsonline import dumps

log = logging.getLogger(__name__)

OUTPUT_FORMATS = ("jsonl", "csv", "xlsx")
RESUMABLE_FORMATS = ("jsonl", "csv")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_LIMIT = 32767
# the creation time written into every XLSX voc makes (docProps/core.xml): fixed, so a file is a function of
# its data (zip entry dates are fixed by xlsxwriter already)
FIXED_TIME = datetime(2000, 1, 1)
XLSX_MAX_ROWS = 1_048_576  # rows of one sheet, header included (Excel's limit)


def escape_cell(value: Any) -> Any:
    """Prefix ``'`` to text that a spreadsheet would run as a formula, or that xlsxwriter
    would copy unescaped into the sheet's XML as rich text (``<r>...</r>``); anything that is
    not a string (numbers, booleans, None) is returned unchanged."""
    if isinstance(value, str) and (value.startswith(_FORMULA_START)
                                   or (value.startswith("<r>") and value.endswith("</r>"))):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """The inverse of ``escape_cell`` for text read back from a sheet voc wrote (a labelled
    ``voc label`` file, a tagged CSV): the apostrophe before = + - @ tab CR is dropped."""
    if value[:1] == "'" and (value[1:2] in _FORMULA_START or (value.startswith("'<r>") and value.endswith("</r>"))):
        return value[1:]
    return value


def xlsx_cell(value: Any) -> Any:
    """A value safe for an XLSX cell: lists/objects as JSON, escaped, cut to Excel's limit."""
    value = escape_cell(_flat(value))
    if isinstance(value, str) and len(value) > XLSX_CELL_LIMIT:
        value = value[:XLSX_CELL_LIMIT - 1] + "…"
    return value


def csv_text(records: Sequence[dict[str, Any]], fields: Sequence[str]) -> str:
    """The CSV rows of ``records``, as ``CsvWriter.write`` writes them one by one."""
    import io

    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerows([escape_cell(_flat(r.get(k))) for k in fields] for r in records)
    return buf.getvalue()


def _flat(value: Any) -> Any:
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return value


class _AtomicFile:
    """Writes ``.<name>.partial`` beside the target and renames it into place on ``close``.

    ``resume_at`` reopens an earlier run's partial file, cut back to that many bytes (the
    size recorded in the run's last checkpoint), and appends from there.
    """

    def __init__(self, path: str | os.PathLike, resume_at: int | None = None):
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.partial")
        self.resumed = resume_at is not None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if resume_at is not None:
                if not self.tmp.is_file() or self.tmp.stat().st_size < resume_at:
                    raise OutputError(f"the partial output {self.tmp} of the interrupted run is missing or "
                                      f"shorter than its checkpoint; run again without --resume.")
                os.truncate(self.tmp, resume_at)
            self._open()
        except OSError as e:
            raise OutputError(f"cannot write {self.path} ({e.strerror}); choose a writable output path.") from None

    def _open(self) -> None:
        self.f = open(self.tmp, "a" if self.resumed else "w", encoding="utf-8", newline="")

    def _guard(self, fn, *args):
        try:
            return fn(*args)
        except OSError as e:
            raise OutputError(f"writing {self.path} failed ({e.strerror}); free disk space or choose "
                              f"another output path, then run again (add --resume to continue).") from None

    def write_text(self, text: str) -> None:
        """Write already formatted lines (``jsonl_text``, ``csv_text``: made by the worker
        processes, so the parent only writes)."""
        self._guard(self.f.write, text)

    def size(self) -> int:
        """Bytes written so far (flushed to the operating system)."""
        self._guard(self.f.flush)
        return os.fstat(self.f.fileno()).st_size

    def close(self) -> None:
        self._guard(self._finish)
        os.replace(self.tmp, self.path)

    def _finish(self) -> None:
        self.f.flush()
        os.fsync(self.f.fileno())
        self.f.close()

    def abort(self, keep: bool = False) -> None:
        """Close without publishing; ``keep`` leaves the partial file for a later --resume."""
        try:
            self.f.close()
        except Exception:
            pass
        if not keep:
            try:
                self.tmp.unlink()
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class JsonlWriter(_AtomicFile):
    def write(self, record: dict[str, Any]) -> None:
        self._guard(self.f.write, dumps(record) + "\n")


class CsvWriter(_AtomicFile):
    def __init__(self, path, fields: Sequence[str], resume_at: int | None = None):
        self.fields = list(fields)
        super().__init__(path, resume_at)
        self._w = csv.writer(self.f)
        if not self.resumed:
            self._guard(self._w.writerow, self.fields)

    def _open(self) -> None:  # BOM: Excel opens it as UTF-8 (not written again when appending)
        self.f = open(self.tmp, "a" if self.resumed else "w", encoding="utf-8-sig", newline="")

    def write(self, record: dict[str, Any]) -> None:
        self._guard(self._w.writerow, [escape_cell(_flat(record.get(k))) for k in self.fields])


def sheet_names(base: str, n: int) -> list[str]:
    """Names of the ``n`` sheets one table is split into: ``base``, ``base_2``, ``base_3`` ..."""
    return [base] + [f"{base[:31 - len(str(k)) - 1]}_{k}" for k in range(2, n + 1)]


class XlsxWriter(_AtomicFile):  # a zip file cannot be cut back and appended to: no resume
    def __init__(self, path, fields: Sequence[str], sheet: str = "contacts", resume_at: int | None = None):
        if resume_at is not None:
            raise OutputError("an XLSX output cannot be resumed; write JSONL or CSV to use --resume.")
        self.fields = list(fields)
        self.sheet = sheet
        super().__init__(path)

    def _open(self) -> None:
        import xlsxwriter

        self.f = None
        self.wb = xlsxwriter.Workbook(str(self.tmp), {"constant_memory": True, "strings_to_formulas": False,
                                                      "strings_to_urls": False, "strings_to_numbers": False})
        self.wb.set_properties({"created": FIXED_TIME})  # not now: the same input gives the same bytes
        self.sheets = 0
        self.cut = 0  # cells cut to Excel's limit (said when the file is finished)
        self._next_sheet()

    def _next_sheet(self) -> None:
        self.sheets += 1
        name = sheet_names(self.sheet, self.sheets)[-1]
        if self.sheets == 2:
            log.warning("%s: more than %d rows; the rest go on to sheet %s (and further sheets)",
                        self.path, XLSX_MAX_ROWS - 1, name)
        self.ws = self.wb.add_worksheet(name)
        self.ws.write_row(0, 0, [escape_cell(f) for f in self.fields])
        self.row = 1

    def write(self, record: dict[str, Any]) -> None:
        if self.row >= XLSX_MAX_ROWS:
            self._next_sheet()
        cells = [xlsx_cell(record.get(k)) for k in self.fields]
        self.ws.write_row(self.row, 0, cells)
        self.row += 1
        for c in cells:
            if c.__class__ is str and len(c) == XLSX_CELL_LIMIT and c[-1] == "…":
                self.cut += 1

    def _finish(self) -> None:
        self.wb.close()
        if self.cut:
            log.warning("%s: %d cell(s) longer than Excel's %d characters were cut (ending in …); write JSONL or "
                        "CSV output for the full values", self.path, self.cut, XLSX_CELL_LIMIT)

    def abort(self, keep: bool = False) -> None:
        try:
            self.tmp.unlink()
        except OSError:
            pass


def open_writer(path: str | os.PathLike, fmt: str, fields: Sequence[str], resume_at: int | None = None):
    if fmt == "jsonl":
        return JsonlWriter(path, resume_at)
    if fmt == "csv":
        return CsvWriter(path, fields, resume_at=resume_at)
    if fmt == "xlsx":
        return XlsxWriter(path, fields)
    raise OutputError(f"unknown output format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}.")


def format_from_path(path: str | os.PathLike, default: str = "jsonl") -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in OUTPUT_FORMATS else default
