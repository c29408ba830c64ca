"""Reading Excel workbooks safely: python-calamine (Rust, fast) reads the cells; before it opens
an .xlsx, the zip is checked against a decompression bomb and the sheet's XML is scanned once
for its extent (a cell at XFD1048576 would make calamine allocate every cell between) and for
the exact digits of long numbers, which calamine reads as floats.

Numbers: a cell holding an ID, phone or card number as a *number* comes back as a float. An
integral float is read as integer text (``13812345678.0`` -> ``13812345678``). Past 2**53 a
float cannot hold every digit: the digits are then taken from the sheet's XML when the writer
stored them all (openpyxl, most databases); Excel itself stores only 15 significant digits, so
an 18-digit ID typed as a number in Excel is already ``123456789012345000`` in the file and
cannot be recovered. Cells formatted as text are read as text, unchanged.
"""
from __future__ import annotations

import logging
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from ..errors import InputError

log = logging.getLogger(__name__)

MAX_UNZIPPED = 200 * 1024 * 1024  # an .xlsx may unpack to this much, or to MAX_RATIO x its size
MAX_RATIO = 100
MAX_ROWS = 1_048_576  # Excel's own limit: a sheet claiming more is refused
MAX_COLS = 16_384
MAX_CELLS = 50_000_000  # rows x columns calamine would allocate
_EXACT = 2 ** 53
_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,9})"')
_LONG_NUMBER = re.compile(rb'<c\b([^>]*)>(?:<f\b[^>]*?(?:/>|>[^<]*</f>))?<v>(-?[0-9]{16,})</v>')
_ATTR_R = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,9})"')
_ATTR_T = re.compile(rb'\bt="([a-z]+)"')


def column_letters(j: int) -> str:
    """Column letters of the 0-based column ``j`` (0 -> A, 26 -> AA)."""
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def sheet_part(z: zipfile.ZipFile, sheet: str) -> str:
    """The zip member of the worksheet named ``sheet`` (KeyError when there is none)."""
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


def check_unzipped_size(path: Path) -> None:
    """Refuse an .xlsx whose members unpack to more than the limit (sizes from the zip's
    directory, before anything is unpacked)."""
    size = path.stat().st_size
    with zipfile.ZipFile(path) as z:
        total = sum(i.file_size for i in z.infolist())
    limit = max(MAX_UNZIPPED, MAX_RATIO * size)
    if total > limit:
        raise InputError(f"{path} would unpack to {total / 2**20:,.0f} MB from {size / 2**20:,.1f} MB, over voc's "
                         f"limit of {limit / 2**20:,.0f} MB (a damaged or hostile workbook); export the sheet as CSV.")


def scan_sheet(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """One pass over the sheet's XML: refuse a sheet larger than Excel's limits or than
    ``MAX_CELLS``; return the exact digits of numeric cells with 16+ digits, by (row, col)
    counted from 0."""
    digits: dict[tuple[int, int], str] = {}
    max_row = max_col = 0
    with zipfile.ZipFile(path) as z:
        try:
            part = sheet_part(z, sheet)
        except (KeyError, AttributeError):
            return digits  # an unusual layout: calamine reads it, without these checks' extras
        with z.open(part) as f:
            tail = b""
            while True:
                block = f.read(1 << 22)
                data = tail + block
                cut = data.rfind(b"</row>") + 6 if block else len(data)
                if cut < 6:
                    cut = 0
                data, tail = data[:cut], data[cut:]
                for m in _CELL_REF.finditer(data):
                    c, r = column_number(m.group(1).decode()), int(m.group(2))
                    max_row, max_col = max(max_row, r), max(max_col, c)
                if b"</v>" in data:
                    for m in _LONG_NUMBER.finditer(data):
                        attrs = m.group(1)
                        t = _ATTR_T.search(attrs)
                        ref = _ATTR_R.search(attrs)
                        if ref and (t is None or t.group(1) == b"n"):
                            digits[(int(ref.group(2)) - 1, column_number(ref.group(1).decode()) - 1)] = m.group(2).decode()
                if not block:
                    break
    if max_row > MAX_ROWS or max_col > MAX_COLS or max_row * max_col > MAX_CELLS:
        raise InputError(f"{path} sheet {sheet!r} reaches row {max_row:,}, column {max_col:,}: over voc's limit of "
                         f"{MAX_CELLS:,} cells (a damaged or hostile workbook); export the sheet as CSV.")
    return digits


def cell_text(value: Any) -> str:
    """A calamine cell as text: integral floats as integers (IDs and phones stored as numbers)."""
    if value is None:
        return ""
    if value.__class__ is float and value.is_integer():
        return str(int(value)) if abs(value) < _EXACT else str(int(Decimal(repr(value))))
    return str(value)


def rows(path: Path, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) of one sheet (the first by default)."""
    is_xlsx = zipfile.is_zipfile(path)
    try:
        from python_calamine import CalamineWorkbook

        if is_xlsx:
            check_unzipped_size(path)
        wb = CalamineWorkbook.from_path(str(path))
        names = wb.sheet_names
        if sheet is not None and sheet not in names:
            raise InputError(f"{path} has no sheet {sheet!r}; sheets: {', '.join(names)}.")
        name = sheet or names[0]
        digits = scan_sheet(path, name) if is_xlsx else {}
        ws = wb.get_sheet_by_name(name)
        start = ws.start or (0, 0)
        it = ws.iter_rows()
    except InputError:
        raise
    except Exception as e:  # calamine and zipfile raise their own errors for zip/xml problems
        raise InputError(f"{path} is not a readable Excel workbook ({type(e).__name__}); "
                         f"open and re-save it, or export it as CSV.") from None
    r0, c0 = start
    lossy = False
    for i, row in enumerate(it):
        cells = [cell_text(v) for v in row]
        for j, v in enumerate(row):
            if v.__class__ is float and abs(v) >= _EXACT and v.is_integer():
                exact = digits.get((r0 + i, c0 + j))
                if exact is not None:
                    cells[j] = exact
                    continue
                # the digits the file has, in the E notation a spreadsheet shows and exports
                # (1.1010519491231E+17), never padded with zeros that read as a number of their
                # own: redaction judges such a rounded number by its shape (an ID's region and
                # birth date), in an id column too
                text = repr(v)
                if "e" in text:
                    cells[j] = text.upper()
                if not lossy:
                    lossy = True
                    log.warning("%s: cell %s%d holds a number of more than 15 digits stored as a number, whose "
                                "last digits the file no longer has; export ID, phone and card columns as text",
                                path, column_letters(c0 + j), r0 + i + 1)
        yield r0 + i + 1, cells
