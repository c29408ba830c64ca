"""Report tables as an XLSX workbook (xlsxwriter): one sheet per table, cells that start with
= + - @ escaped so that Excel never runs customer text as a formula."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import OutputError
from ..io.writers import _FORMULA_START, XLSX_CELL_LIMIT, escape_cell
from .common import Table

_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def cell(value: Any) -> Any:
    """A value safe to write into a cell: lists/dicts as JSON, formulas escaped, cut to the limit."""
    if isinstance(value, (list, dict, tuple)):
        value = json.dumps(value, ensure_ascii=False)
    value = escape_cell(value)
    if isinstance(value, str) and len(value) > XLSX_CELL_LIMIT:
        value = value[:XLSX_CELL_LIMIT - 1] + "…"
    return value


def _text(value: str) -> str:
    if value[:1] in _FORMULA_START:
        value = "'" + value
    return value if len(value) <= XLSX_CELL_LIMIT else value[:XLSX_CELL_LIMIT - 1] + "…"


def sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET.sub("-", name).strip("'")[:31] or "sheet"
    out, i = base, 2
    while out.lower() in used:
        suffix = f" ({i})"
        out, i = base[:31 - len(suffix)] + suffix, i + 1
    used.add(out.lower())
    return out


def write_workbook(path: str | Path, tables: Sequence[Table],
                   contacts: tuple[Sequence[str], Iterable[dict[str, Any] | Sequence[Any]]] | None = None,
                   contacts_sheet: str = "联络明细") -> Path:
    """Write ``tables`` (and optionally records under ``contacts`` = (fields, records)) to ``path``."""
    import xlsxwriter

    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.xlsx")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
        bold = wb.add_format({"bold": True, "bg_color": "#eef2f7", "border": 0})
        formats = {"pct": wb.add_format({"num_format": "0.0%"}), "pp": wb.add_format({"num_format": "+0.0%;-0.0%"}),
                   "rel": wb.add_format({"num_format": "+0%;-0%"}), "float": wb.add_format({"num_format": "0.00"}),
                   "int": wb.add_format({"num_format": "#,##0"}), "delta": wb.add_format({"num_format": "+#,##0;-#,##0"}),
                   "p": wb.add_format({"num_format": "0.0000"})}
        used: set[str] = set()
        for t in tables:
            ws = wb.add_worksheet(sheet_name(t.sheet, used))
            ws.write_row(0, 0, [cell(c) for c in t.columns], bold)
            ws.freeze_panes(1, 0)
            for j, (col, kind) in enumerate(zip(t.columns, t.kinds)):
                ws.set_column(j, j, 40 if kind == "text" and j > 0 and "原话" in col else 14 if kind != "text" else 18,
                              formats.get(kind))
            for i, row in enumerate(t.rows, 1):
                for j, (v, kind) in enumerate(zip(row, t.kinds)):
                    if v is None:
                        continue
                    ws.write(i, j, cell(v), formats.get(kind))
        if contacts is not None:
            fields, records = contacts
            ws = wb.add_worksheet(sheet_name(contacts_sheet, used))
            ws.write_row(0, 0, list(fields), bold)
            ws.freeze_panes(1, 1)
            write_row = ws.write_row
            for i, rec in enumerate(records, 1):
                if isinstance(rec, dict):
                    rec = [rec.get(f) for f in fields]
                write_row(i, 0, [_text(v) if v.__class__ is str else cell(v) for v in rec])
        wb.close()
        os.replace(tmp, path)
    except OSError as e:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise OutputError(f"cannot write {path} ({e.strerror}); choose a writable output path.") from None
    return path
