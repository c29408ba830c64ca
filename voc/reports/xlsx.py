"""Report tables as an XLSX workbook: one sheet per table, written with xlsxwriter, plus an
optional sheet of contacts streamed in afterwards.

Every string cell goes through ``voc.io.writers.escape_cell`` (the one escaping function of
every CSV/XLSX writer): text that starts with = + - @ (or a tab or carriage return) gets a
leading apostrophe, so that Excel never runs customer text as a formula; numbers stay
numbers. So does a string of the form ``<r>…</r>``, which xlsxwriter would copy into the XML
unescaped (as rich text), letting customer text rewrite the workbook's shared strings.

A table or the contacts past ``XLSX_MAX_ROWS`` rows go on to further sheets (``联络明细_2`` ...).

A month can hold 100,000 contacts. xlsxwriter spends ~10 µs per cell, so the contacts sheet
(over a million cells) is written differently: xlsxwriter writes the workbook with that
sheet's header, column widths and frozen pane, then its rows are streamed into the sheet's
XML as inline strings (same escaping as xlsxwriter: XML entities, control characters as
``_xHHHH_``; everything escaped), several times faster.
"""
from __future__ import annotations

import itertools
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import OutputError
from ..io import writers
from ..io.excel import column_letters, sheet_part
from ..io.writers import FIXED_TIME, XLSX_CELL_LIMIT, escape_cell, xlsx_cell
from .common import Table

_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


cell = xlsx_cell  # lists/dicts as JSON, formulas and rich-text look-alikes escaped, cut to the limit


def _text(value: str) -> str:
    value = escape_cell(value)
    return value if len(value) <= XLSX_CELL_LIMIT else value[:XLSX_CELL_LIMIT - 1] + "…"


def sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET.sub("-", name).strip("'")[:31] or "sheet"
    out, i = base, 2
    while out.lower() in used:
        suffix = f" ({i})"
        out, i = base[:31 - len(suffix)] + suffix, i + 1
    used.add(out.lower())
    return out


column_letter = column_letters


def _xml_string(s: str) -> str:
    """An inline-string cell body, escaped as Excel and xlsxwriter do."""
    if "_x" in s:
        s = _ESCAPED.sub(r"_x005F\1", s)
    if _CONTROL.search(s):
        s = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", s)
    s = s.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if s[:1].isspace() or s[-1:].isspace() else ""
    return f'<is><t{space}>{s}</t></is>'


def _stream_rows(out, rows: Iterable[dict[str, Any] | Sequence[Any]], fields: Sequence[str], first_row: int) -> int:
    """Write ``<row>`` elements for ``rows`` to the binary file ``out``; returns the last row number."""
    letters = [column_letter(j) for j in range(len(fields))]
    r = first_row - 1
    buf: list[str] = []
    for rec in rows:
        r += 1
        if isinstance(rec, dict):
            rec = [rec.get(f) for f in fields]
        parts = [f'<row r="{r}">']
        for col, v in zip(letters, rec):
            if v is None or v == "":
                continue
            if v.__class__ is str:
                parts.append(f'<c r="{col}{r}" t="inlineStr">{_xml_string(_text(v))}</c>')
            elif isinstance(v, bool):
                parts.append(f'<c r="{col}{r}" t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, (int, float)):
                parts.append(f'<c r="{col}{r}"><v>{v!r}</v></c>')
            else:
                parts.append(f'<c r="{col}{r}" t="inlineStr">{_xml_string(str(cell(v)))}</c>')
        parts.append("</row>")
        buf.append("".join(parts))
        if len(buf) >= 2000:
            out.write("".join(buf).encode("utf-8", "replace"))
            buf.clear()
    out.write("".join(buf).encode("utf-8", "replace"))
    return r


def _spool(rows: Iterable[Any], fields: Sequence[str]) -> list[tuple[Any, int]]:
    """The ``<row>`` XML of ``rows`` in temporary files, one per sheet of at most
    ``XLSX_MAX_ROWS`` rows (header included), with each sheet's last row number."""
    it = iter(rows)
    bodies: list[tuple[Any, int]] = []
    while True:
        body = tempfile.TemporaryFile()
        last = _stream_rows(body, itertools.islice(it, writers.XLSX_MAX_ROWS - 1), fields, 2)
        if last < 2 and bodies:
            body.close()
            return bodies
        bodies.append((body, last))
        if last < writers.XLSX_MAX_ROWS:
            return bodies


def _fill_sheets(path: Path, sheets: Sequence[tuple[str, Any, int]], fields: Sequence[str]) -> None:
    """Put the spooled rows into the (header-only) sheets ``(name, body, last row)`` of the
    workbook at ``path``."""
    tmp_zip = path.with_name(path.name + ".rows.xlsx")
    with zipfile.ZipFile(path) as zin:
        parts = {sheet_part(zin, name): (body, last) for name, body, last in sheets}
        # level 1: fast, and the sheet's XML still shrinks about tenfold
        with zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1) as zout:
            for info in zin.infolist():
                if info.filename not in parts:
                    zout.writestr(info, zin.read(info.filename))
                    continue
                body, last = parts[info.filename]
                head, tail = zin.read(info.filename).decode("utf-8").split("</sheetData>", 1)
                if head.endswith("<sheetData/>"):  # pragma: no cover - the header row is always there
                    head = head[:-len("<sheetData/>")] + "<sheetData>"
                ref = f"A1:{column_letter(len(fields) - 1)}{max(last, 1)}"
                head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>', head, count=1)
                with zout.open(info.filename, "w", force_zip64=True) as f:
                    f.write(head.encode("utf-8"))
                    body.seek(0)
                    shutil.copyfileobj(body, f, 1 << 20)
                    f.write(("</sheetData>" + tail).encode("utf-8"))
    os.replace(tmp_zip, path)


def _table_parts(rows: Sequence[Any]) -> list[Sequence[Any]]:
    """A table's rows cut into sheets of at most ``XLSX_MAX_ROWS`` rows (header included)."""
    per = writers.XLSX_MAX_ROWS - 1
    return [rows[i:i + per] for i in range(0, len(rows), per)] or [rows]


def write_workbook(path: str | Path, tables: Sequence[Table],
                   contacts: tuple[Sequence[str], Iterable[dict[str, Any] | Sequence[Any]]] | None = None,
                   contacts_sheet: str = "联络明细") -> Path:
    """Write ``tables`` (and optionally records under ``contacts`` = (fields, records)) to ``path``."""
    import xlsxwriter

    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.xlsx")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False})
        wb.set_properties({"created": FIXED_TIME})  # not now: the same data give the same bytes
        bold = wb.add_format({"bold": True, "bg_color": "#eef2f7", "border": 0})
        formats = {"pct": wb.add_format({"num_format": "0.0%"}), "pp": wb.add_format({"num_format": "+0.0%;-0.0%"}),
                   "rel": wb.add_format({"num_format": "+0%;-0%"}), "float": wb.add_format({"num_format": "0.00"}),
                   "int": wb.add_format({"num_format": "#,##0"}),
                   "delta": wb.add_format({"num_format": "+#,##0;-#,##0"}),
                   "p": wb.add_format({"num_format": "0.0000"})}
        used: set[str] = set()
        for t in tables:
            parts = _table_parts(t.rows)
            first = 0  # index in t.rows of each part's first row (per-cell kinds)
            for k, rows in enumerate(parts, 1):
                ws = wb.add_worksheet(sheet_name(t.sheet if k == 1 else f"{t.sheet}_{k}", used))
                ws.write_row(0, 0, [cell(c) for c in t.columns], bold)
                ws.freeze_panes(1, 0)
                for j, (col, kind) in enumerate(zip(t.columns, t.kinds)):
                    ws.set_column(j, j, 40 if kind == "text" and j > 0 and "原话" in col else 14 if kind != "text" else 18,
                                  formats.get(kind))
                for i, row in enumerate(rows, 1):
                    for j, v in enumerate(row):
                        if v is None:
                            continue
                        ws.write(i, j, cell(v), formats.get(t.kind(first + i - 1, j)))
                first += len(rows)
        sheets: list[tuple[str, Any, int]] = []
        if contacts is not None:
            fields, records = contacts
            bodies = _spool(records, fields)
            for k, (body, last) in enumerate(bodies, 1):
                name = sheet_name(contacts_sheet if k == 1 else f"{contacts_sheet}_{k}", used)
                sheets.append((name, body, last))
                ws = wb.add_worksheet(name)
                ws.write_row(0, 0, [cell(f) for f in fields], bold)
                ws.freeze_panes(1, 1)
                for j, f in enumerate(fields):
                    wide = f in ("id", "created_at", "root_cause_evidence")
                    ws.set_column(j, j, 60 if f == "text" else 24 if wide else 14)
        wb.close()
        if sheets:
            _fill_sheets(tmp, sheets, fields)
            for _, body, _ in sheets:
                body.close()
        os.replace(tmp, path)
    except OSError as e:
        for p in (tmp, tmp.with_name(tmp.name + ".rows.xlsx")):
            try:
                p.unlink()
            except OSError:
                pass
        raise OutputError(f"cannot write {path} ({e.strerror}); choose a writable output path.") from None
    return path
