"""Report tables as an XLSX workbook: one sheet per table, written with xlsxwriter, plus an
optional sheet of contacts streamed in afterwards.

Every string cell that starts with = + - @ (or a tab or carriage return) gets a leading
apostrophe, so that Excel never runs customer text as a formula; numbers stay numbers. So
does a string of the form ``<r>…</r>``, which xlsxwriter would copy into the XML unescaped
(as rich text), letting customer text rewrite the workbook's shared strings.

A month can hold 100,000 contacts. xlsxwriter spends ~10 µs per cell, so the contacts sheet
(over a million cells) is written differently: xlsxwriter writes the workbook with that
sheet's header, column widths and frozen pane, then its rows are streamed into the sheet's
XML as inline strings (same escaping as xlsxwriter: XML entities, control characters as
``_xHHHH_``; everything escaped), several times faster.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import OutputError
from ..io.writers import _FORMULA_START, XLSX_CELL_LIMIT, xlsx_cell
from .common import Table

_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


cell = xlsx_cell  # lists/dicts as JSON, formulas and rich-text look-alikes escaped, cut to the limit


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


def column_letter(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


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


def _sheet_part(z: zipfile.ZipFile, sheet: str) -> str:
    """The zip member of the worksheet named ``sheet``."""
    workbook = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for m in re.finditer(r"<sheet [^>]*>", workbook):
        tag = m.group(0)
        name = re.search(r'name="([^"]*)"', tag).group(1)
        if name.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"') == sheet:
            rid = re.search(r'r:id="([^"]*)"', tag).group(1)
            rel = re.search(rf'<Relationship [^>]*Id="{re.escape(rid)}"[^>]*>', rels).group(0)
            target = re.search(r'Target="([^"]*)"', rel).group(1)
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise KeyError(sheet)


def _fill_sheet(path: Path, sheet: str, fields: Sequence[str], rows: Iterable[Any]) -> int:
    """Stream ``rows`` into the (header-only) sheet ``sheet`` of the workbook at ``path``."""
    tmp_zip = path.with_name(path.name + ".rows.xlsx")
    with zipfile.ZipFile(path) as zin, tempfile.TemporaryFile() as body:
        part = _sheet_part(zin, sheet)
        xml = zin.read(part).decode("utf-8")
        last = _stream_rows(body, rows, fields, 2)
        head, tail = xml.split("</sheetData>", 1)
        if head.endswith("<sheetData/>"):  # pragma: no cover - the header row is always there
            head = head[:-len("<sheetData/>")] + "<sheetData>"
        ref = f"A1:{column_letter(len(fields) - 1)}{max(last, 1)}"
        head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>', head, count=1)
        # level 1: fast, and the sheet's XML still shrinks about tenfold
        with zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1) as zout:
            for info in zin.infolist():
                if info.filename == part:
                    with zout.open(part, "w", force_zip64=True) as f:
                        f.write(head.encode("utf-8"))
                        body.seek(0)
                        shutil.copyfileobj(body, f, 1 << 20)
                        f.write(("</sheetData>" + tail).encode("utf-8"))
                else:
                    zout.writestr(info, zin.read(info.filename))
    os.replace(tmp_zip, path)
    return last - 1


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
        bold = wb.add_format({"bold": True, "bg_color": "#eef2f7", "border": 0})
        formats = {"pct": wb.add_format({"num_format": "0.0%"}), "pp": wb.add_format({"num_format": "+0.0%;-0.0%"}),
                   "rel": wb.add_format({"num_format": "+0%;-0%"}), "float": wb.add_format({"num_format": "0.00"}),
                   "int": wb.add_format({"num_format": "#,##0"}),
                   "delta": wb.add_format({"num_format": "+#,##0;-#,##0"}),
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
                for j, v in enumerate(row):
                    if v is None:
                        continue
                    ws.write(i, j, cell(v), formats.get(t.kind(i - 1, j)))
        name = None
        if contacts is not None:
            fields, records = contacts
            name = sheet_name(contacts_sheet, used)
            ws = wb.add_worksheet(name)
            ws.write_row(0, 0, list(fields), bold)
            ws.freeze_panes(1, 1)
            for j, f in enumerate(fields):
                wide = f in ("id", "created_at", "root_cause_evidence")
                ws.set_column(j, j, 60 if f == "text" else 24 if wide else 14)
        wb.close()
        if contacts is not None:
            _fill_sheet(tmp, name, fields, records)
        os.replace(tmp, path)
    except OSError as e:
        for p in (tmp, tmp.with_name(tmp.name + ".rows.xlsx")):
            try:
                p.unlink()
            except OSError:
                pass
        raise OutputError(f"cannot write {path} ({e.strerror}); choose a writable output path.") from None
    return path
