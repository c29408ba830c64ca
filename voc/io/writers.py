"""Writers for tagged records: JSONL (default), CSV, XLSX.

Every writer writes to a temporary file beside the target and renames it into place only
when the run completes, so a crashed run never leaves a half-written output under the real
name. Spreadsheet cells that start with = + - @ are escaped with a leading apostrophe so that
Excel does not run customer text as a formula.
"""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any, Sequence

from ..errors import OutputError

OUTPUT_FORMATS = ("jsonl", "csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_LIMIT = 32767


def escape_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _flat(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return dumps(value)  # type: ignore[arg-type]
    return value


class _AtomicFile:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._open()
        except OSError as e:
            raise OutputError(f"cannot write {self.path} ({e.strerror}); choose a writable output path.") from None

    def _open(self) -> None:
        self.f = open(self.tmp, "w", encoding="utf-8", newline="")

    def _guard(self, fn, *args):
        try:
            return fn(*args)
        except OSError as e:
            self.abort()
            raise OutputError(f"writing {self.path} failed ({e.strerror}); free disk space or choose "
                              f"another output path, then run again.") from None

    def close(self) -> None:
        self._guard(self._finish)
        os.replace(self.tmp, self.path)

    def _finish(self) -> None:
        self.f.flush()
        os.fsync(self.f.fileno())
        self.f.close()

    def abort(self) -> None:
        try:
            self.f.close()
        except Exception:
            pass
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
    def __init__(self, path, fields: Sequence[str]):
        self.fields = list(fields)
        super().__init__(path)
        self._w = csv.writer(self.f)
        self._guard(self._w.writerow, self.fields)

    def _open(self) -> None:
        self.f = open(self.tmp, "w", encoding="utf-8-sig", newline="")  # BOM: Excel opens it as UTF-8

    def write(self, record: dict[str, Any]) -> None:
        self._guard(self._w.writerow, [escape_cell(_flat(record.get(k))) for k in self.fields])


class XlsxWriter(_AtomicFile):
    def __init__(self, path, fields: Sequence[str], sheet: str = "contacts"):
        self.fields = list(fields)
        self.sheet = sheet
        super().__init__(path)

    def _open(self) -> None:
        import xlsxwriter

        self.f = None
        self.wb = xlsxwriter.Workbook(str(self.tmp), {"constant_memory": True, "strings_to_formulas": False,
                                                      "strings_to_urls": False, "strings_to_numbers": False})
        self.ws = self.wb.add_worksheet(self.sheet)
        self.ws.write_row(0, 0, self.fields)
        self.row = 1

    def write(self, record: dict[str, Any]) -> None:
        values = []
        for k in self.fields:
            v = escape_cell(_flat(record.get(k)))
            if isinstance(v, str) and len(v) > XLSX_CELL_LIMIT:
                v = v[:XLSX_CELL_LIMIT - 1] + "…"
            values.append(v)
        self.ws.write_row(self.row, 0, values)
        self.row += 1

    def _finish(self) -> None:
        self.wb.close()

    def abort(self) -> None:
        try:
            self.tmp.unlink()
        except OSError:
            pass


def open_writer(path: str | os.PathLike, fmt: str, fields: Sequence[str]):
    if fmt == "jsonl":
        return JsonlWriter(path)
    if fmt == "csv":
        return CsvWriter(path, fields)
    if fmt == "xlsx":
        return XlsxWriter(path, fields)
    raise OutputError(f"unknown output format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}.")


def format_from_path(path: str | os.PathLike, default: str = "jsonl") -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in OUTPUT_FORMATS else default
