"""Streaming readers: JSONL, CSV/TSV (one contact per row, or one turn per row with
``group_by``), Excel (.xlsx, .xls). Each yields ``Contact`` objects, or ``RowError`` for a row
that cannot become a contact (the caller writes it to the errors file with its location and
reason). Problems with the file as a whole (missing, undecodable, no text column) raise
``InputError`` before any contact is produced.
"""
from __future__ import annotations

import codecs
import csv
import itertools
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from ..errors import InputError
from ..lang.metadata import to_datetime
from ..records import Contact, Turn, as_text, text_turns
from . import excel
from .columns import COLUMNS, TURN_KEYS, Columns, pick_column
from .encoding import ESCAPED_BYTE, SAMPLE, WIDE, Scan, check_encoding, detect_encoding, scan
from .ids import default_id_prefix
from .values import BIG_DECODER, DECODER, MAX_LINE, checked, parse_json, scrubbed, unique_header
from .writers import unescape_cell

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv", "tsv", "xlsx", "xls")
MAX_FIELD = MAX_LINE  # a CSV field larger than this is refused (rows go to errors)

@dataclass(frozen=True, slots=True)
class RowError:
    """A row that could not become a contact."""

    source: str  # file:line
    reason: str
    id: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {"source": self.source, "id": self.id, "reason": self.reason}


def parse_time(value: Any) -> str | None:
    """ISO 8601 with offset (Asia/Shanghai when the input has none); the raw text if unparseable
    or out of range (``voc.lang.metadata.to_datetime`` reads it; a number or a 10- or 13-digit
    text is Unix seconds or milliseconds, kept as text when it falls outside 1990-2099)."""
    try:
        dt = to_datetime(value, epoch=True)
        if dt is not None and 1 < dt.year < 9999:  # (a time at the ends of the range overflows in UTC)
            return dt.isoformat()
    except (ValueError, OverflowError, OSError):  # year 99999, a time zone shift past year 9999
        pass
    raw = "" if value is None else (as_text(value) or "").strip()
    return raw or None


# -- opening files ------------------------------------------------------------------------
def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path} does not exist; check the path.")
    if path.is_dir():
        raise InputError(f"{path} is a folder; give the files inside it (e.g. {path}/*.jsonl).")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path} cannot be read; check its permissions.")


def guess_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix in ("csv", "txt"):
        return "csv"
    if suffix in FORMATS:
        return suffix
    raise InputError(f"cannot tell the format of {path.name} from its extension; "
                     f"pass --input-format (one of {', '.join(FORMATS)}).")


def _encoding_of(path: Path, encoding: str | None, line_oriented: bool = False) -> tuple[str, Scan]:
    """The encoding of a text file (given or detected) and the scan of the whole file in it.
    Too many undecodable lines refuse the file now, before any contact is tagged, naming the
    encoding the file looks like; a stray one or two go to the errors file."""
    with open(path, "rb") as f:
        sample = f.read(SAMPLE)
    if encoding:
        enc = check_encoding(encoding)
    else:
        enc = detect_encoding(sample, name=str(path), line_oriented=line_oriented, tolerant=True)
    found = scan(path, enc)
    if not found.tolerable():
        where = f"line {found.bad[0]}" + (f" and {found.n_bad - 1:,} more lines" if found.n_bad > 1 else "")
        try:
            guess = detect_encoding(sample, name=str(path)) if encoding else None
        except InputError:
            guess = None
        if guess and codecs.lookup(guess).name != codecs.lookup(enc).name:
            hint = f"it looks like {guess}: pass --encoding {guess} or leave --encoding out."
        elif encoding:
            hint = "pass its real encoding with --encoding."
        else:
            hint = "convert it to UTF-8 or pass its real encoding with --encoding."
        raise InputError(f"{path} is not valid {enc} text ({where}); {hint}")
    if found.n_bad:
        log.warning("%s: %d line(s) not valid %s (line %s ...): those rows go to the errors file",
                    path, found.n_bad, enc, found.bad[0])
    return enc, found


def _open_text(path: Path, encoding: str):
    return open(path, encoding=encoding, errors="strict", newline="")


# -- JSONL ------------------------------------------------------------------------------------
def _first(obj: dict, keys: Iterable[str]) -> Any:
    for k in keys:
        if k in obj and obj[k] not in (None, ""):
            return obj[k]
    return None


def _turns_from_json(raw: Any, cols: Columns) -> tuple[Turn, ...]:
    if not isinstance(raw, list):
        raise ValueError("'turns' must be a list of {speaker, text} objects")
    turns = []
    for t in raw:
        if not isinstance(t, dict):
            raise ValueError("each turn must be an object with speaker and text")
        text = _first(t, TURN_KEYS["text"])
        if isinstance(text, list):  # STC-3 style: several utterances in one turn
            text = " ".join(s for s in (as_text(u) for u in text) if s and s.strip())
        speaker = _first(t, TURN_KEYS["speaker"])
        turns.append(Turn(cols.speaker_role(as_text(speaker)), as_text(text) or "",
                          parse_time(_first(t, TURN_KEYS["at"]))))
    return tuple(turns)


_KNOWN_JSON = {"id", "channel", "created_at", "customer_id", "text", "turns", "metadata"}


def _jsonl_objects(path: Path, encoding: str) -> Iterator[tuple[str, Any]]:
    """(location, parsed object or RowError) for each non-blank line of a JSONL file."""
    if encoding in WIDE:  # UTF-16/32: decoded as a whole (the scan found it valid)
        with open(path, encoding=encoding, errors="strict") as t:
            for lineno, line in enumerate(t, 1):
                if line.strip():
                    yield _parsed(f"{path}:{lineno}", line.lstrip("\ufeff") if lineno == 1 else line)
        return
    decoder = codecs.getdecoder(encoding)
    with open(path, "rb") as f:
        for lineno, raw in _lines(f):
            where = f"{path}:{lineno}"
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                line = decoder(raw, "strict")[0]
            except UnicodeDecodeError as e:
                yield where, RowError(where, f"bytes not valid {encoding} at column {e.start + 1}")
                continue
            try:
                yield where, parse_json(line)
            except ValueError as e:
                yield where, RowError(where, str(e))


def _lines(f) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of each line of a binary file, a lone CR ending a line as LF and CRLF
    do (old Mac exports): JSON text never holds a raw CR inside a string, so no value is cut."""
    lineno = 0
    for raw in f:
        if b"\r" in raw and b"\r" in raw.rstrip(b"\r\n"):
            pieces = raw.split(b"\r")
            if pieces[-1] in (b"", b"\n"):  # the CR or CRLF that ends the last line
                pieces.pop()
            for piece in pieces:
                lineno += 1
                yield lineno, piece
            continue
        lineno += 1
        yield lineno, raw


def _parsed(where: str, line: str) -> tuple[str, Any]:
    try:
        return where, parse_json(line)
    except ValueError as e:
        return where, RowError(where, str(e))


def _json_array_objects(path: Path, encoding: str) -> Iterator[tuple[str, Any]]:
    """(location, object) for each element of a JSON array file, parsed incrementally so
    that the whole file is never held in memory (location = element number)."""
    decoder = DECODER
    block = 1 << 20
    with open(path, encoding=encoding, errors="strict") as f:
        buf = f.read(block).lstrip("\ufeff \t\r\n")
        if not buf.startswith("["):
            raise InputError(f"{path} is neither JSON Lines nor a JSON array; give one contact per line.")
        pos, index, eof = 1, 0, False
        while True:
            while True:  # skip separators, reading on when the buffer runs out
                while pos < len(buf) and buf[pos] in " \t\r\n,":
                    pos += 1
                if pos < len(buf) or eof:
                    break
                buf, pos = f.read(block), 0
                eof = not buf
            if pos >= len(buf):
                raise InputError(f"{path} ends before its JSON array is closed; the file is truncated.")
            if buf[pos] == "]":
                _nothing_after(f, buf[pos + 1:], path)
                return
            try:
                try:
                    obj, end = decoder.raw_decode(buf, pos)
                except json.JSONDecodeError:
                    raise
                except ValueError:  # an integer past Python's int-from-string limit: kept as text
                    obj, end = BIG_DECODER.raw_decode(buf, pos)
            except RecursionError:
                raise InputError(f"{path} nests element {index + 1} deeper than Python can read; fix the file.") from None
            except json.JSONDecodeError as e:
                if eof:
                    raise InputError(f"{path} is not valid JSON in element {index + 1} ({e.msg}); fix the file.") from None
                more = f.read(block)  # the element may continue in the next block
                eof = not more
                buf, pos = buf[pos:] + more, 0
                continue
            index += 1
            try:
                yield f"{path}:[{index}]", checked(obj, buf[pos:end])
            except ValueError as e:
                yield f"{path}:[{index}]", RowError(f"{path}:[{index}]", str(e))
            pos = end


def _nothing_after(f, rest: str, path: Path) -> None:
    """``InputError`` unless only whitespace follows the closing bracket of a JSON array file:
    contacts after it would otherwise be dropped without a word."""
    while True:
        if rest.strip():
            raise InputError(f"{path} has more after the JSON array it starts with; a JSON array file holds one "
                             f"array, a JSON Lines file one object per line (name it .jsonl if it is one).")
        rest = f.read(1 << 20)
        if not rest:
            return


def _read_jsonl(path: Path, encoding: str, found: Scan, cols: Columns) -> Iterator[Contact | RowError]:
    text_key, id_key = cols.text or "text", cols.id or "id"
    time_key, channel_key = cols.time or "created_at", cols.channel or "channel"
    cust_key = cols.customer or "customer_id"
    with open(path, "rb") as f:
        head = codecs.getincrementaldecoder(encoding)("replace").decode(f.read(4096)).lstrip("\ufeff \t\r\n")
    # a .jsonl file is read line by line even when a line holds an array (that line is an error)
    array = head.startswith("[") and path.suffix.lower() not in (".jsonl", ".ndjson")
    if array and found.n_bad:
        raise InputError(f"{path} is a JSON array with bytes that are not valid {encoding} on line {found.bad[0]}; "
                         f"fix the file or pass its real encoding with --encoding.")
    objects = _json_array_objects(path, encoding) if array else _jsonl_objects(path, encoding)
    id_prefix = default_id_prefix(path)  # default ids: file stem + content fingerprint (voc.io.ids)
    for where, obj in objects:
        if isinstance(obj, RowError):
            yield obj
            continue
        if not isinstance(obj, dict):
            yield RowError(where, "not a JSON object")
            continue
        cid = obj.get(id_key)
        if cid.__class__ is not str or not cid:  # (str first: the common case, hot)
            cid = as_text(cid) or f"{id_prefix}:{where.rsplit(':', 1)[1]}"
        try:
            if "turns" in obj and obj["turns"] is not None:
                turns = _turns_from_json(obj["turns"], cols)
            else:
                text = obj.get(text_key, _first(obj, COLUMNS["text"]))
                if text is None:
                    raise ValueError(f"no {text_key!r} or 'turns' field")
                turns = text_turns(as_text(text) or "", cols.speakers)
        except ValueError as e:
            yield RowError(where, str(e), cid)
            continue
        meta = obj.get("metadata")
        # a metadata that is not an object is kept as it is, under its own name, not dropped
        metadata = dict(meta) if isinstance(meta, dict) else {} if meta is None else {"metadata": meta}
        for k, v in obj.items():
            if k not in _KNOWN_JSON and k not in (text_key, id_key, time_key, channel_key, cust_key):
                metadata[k] = v
        channel, cust = obj.get(channel_key), obj.get(cust_key)
        if channel is not None and channel.__class__ is not str:
            channel = as_text(channel)
        if cust.__class__ is not str or not cust:
            cust = as_text(cust)
        yield Contact(id=cid, turns=turns, channel=channel, created_at=parse_time(obj.get(time_key)),
                      customer_id=cust, metadata=metadata, source=where)


# -- tables (CSV, TSV, Excel) ---------------------------------------------------------------------
def _rows_csv(path: Path, encoding: str, found: Scan, delimiter: str | None) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of each CSV row. When the scan found undecodable lines, the file is
    decoded with ``surrogateescape`` and a row holding such a byte becomes a ``ValueError``
    naming its line (the rest is read)."""
    csv.field_size_limit(MAX_FIELD)
    errors = "surrogateescape" if found.n_bad else "strict"
    bad_lines = set(found.bad) if found.n_bad <= Scan.KEEP else None
    with open(path, encoding=encoding, errors=errors, newline="") as f:
        if delimiter is None:
            sample = f.read(64 * 1024)
            f.seek(0)
            try:
                delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",\t;|").delimiter
            except csv.Error:
                delimiter = ","
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        offset = 0  # physical lines before the reader's first (after an unclosed quote: see below)
        while True:
            start = offset + reader.line_num + 1  # a quoted field may span lines: report where the row starts
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise InputError(f"{path} has bytes that are not valid {encoding} near line "
                                 f"{offset + reader.line_num + 1}; fix the file or pass --encoding.") from None
            except csv.Error as e:
                if "field larger than field limit" in str(e):
                    # the reader would go on from inside that field and take its rest for rows
                    raise InputError(f"{path} has a field of over {MAX_FIELD:,} characters in the row starting on "
                                     f"line {start} (often a quote that is never closed); fix that row and run "
                                     f"again.") from None
                end = offset + reader.line_num
                if "unexpected end of data" in str(e) or end > start:
                    # a quote opened and never closed, or closed only on a later line (a stray " at
                    # the start of a field of an unquoted export): that row's first line is an
                    # error, and the lines after it are read again as rows of their own rather
                    # than swallowed into it
                    why = "unclosed quote" if "unexpected end of data" in str(e) else f"malformed CSV ({e})"
                    yield start, ValueError(f"{why} in the row on line {start}; the row was not read, "  # type: ignore[misc]
                                            f"the lines after it were")
                    f.seek(0)
                    lines = iter(f)
                    for _ in itertools.islice(lines, start):
                        pass
                    offset = start
                    reader = csv.reader(lines, delimiter=delimiter, strict=True)
                    continue
                yield start, ValueError(f"malformed CSV ({e}) in line {start}")  # type: ignore[misc]
                continue
            end = offset + reader.line_num
            if found.n_bad and (bad_lines is None or any(start <= n <= end for n in bad_lines)) \
                    and any(ESCAPED_BYTE.search(c) for c in row):
                lines = f"line {start}" if start == end else f"lines {start}-{end}"
                yield start, ValueError(f"bytes not valid {encoding} in {lines}; the row was not read")  # type: ignore[misc]
                continue
            yield start, row


def _table_rows(path: Path, fmt: str, encoding: str | None, sheet: str | None):
    if fmt in ("xlsx", "xls"):
        return excel.rows(path, sheet)
    return _rows_csv(path, *_encoding_of(path, encoding), "\t" if fmt == "tsv" else None)


def _read_table(path: Path, fmt: str, encoding: str | None, cols: Columns,
                sheet: str | None) -> Iterator[Contact | RowError]:
    rows = _table_rows(path, fmt, encoding, sheet)
    header: list[str] | None = None
    first: list[str] | None = None  # the header row as written, to recognise it repeated
    for line, row in rows:
        if isinstance(row, Exception):
            if header is None:
                raise InputError(f"{path} has a malformed header: {row}")
            yield RowError(f"{path}:{line}", str(row))
            continue
        if not any(c.strip() for c in row):
            continue
        if cols.no_header:
            header = [str(i) for i in range(1, len(row) + 1)]
            rows = itertools.chain([(line, row)], rows)
        else:
            first = [h.strip().lstrip("\ufeff").strip() for h in row]
            header = unique_header(row, str(path))
        break
    if header is None:
        if fmt in ("xlsx", "xls"):  # the contacts may be on another sheet
            which = f"sheet {sheet!r}" if sheet else "its first sheet"
            raise InputError(f"{path} has no rows in {which}; name the sheet that holds the contacts with --sheet.")
        raise InputError(f"{path} is empty; give a file with a header row and contacts.")
    where = str(path)
    i_text = pick_column(header, "text", cols.text, True, where)
    i_id = pick_column(header, "id", cols.group_by or cols.id, bool(cols.group_by), where)
    i_time = pick_column(header, "time", cols.time, False, where)
    i_chan = pick_column(header, "channel", cols.channel, False, where)
    i_cust = pick_column(header, "customer", cols.customer, False, where)
    i_spk = pick_column(header, "speaker", cols.speaker, bool(cols.group_by), where) if cols.group_by else None
    used = {i for i in (i_text, i_id, i_time, i_chan, i_cust, i_spk) if i is not None}
    meta_cols = [(i, h) for i, h in enumerate(header) if i not in used]
    width = len(header)
    repeats: list[int] = []

    def is_header(line: int, row: list[str]) -> bool:
        """The header again mid-file (exports concatenated, each with its BOM and header)."""
        if first is None or row[0].strip().lstrip("\ufeff").strip() != first[0] \
                or [c.strip().lstrip("\ufeff").strip() for c in row] != first:
            return False
        if not repeats:
            log.warning("%s:%d repeats the header row (files joined together?); skipped, not read as a contact",
                        path, line)
        repeats.append(line)
        return True

    id_prefix = default_id_prefix(path)  # default ids: file stem + content fingerprint (voc.io.ids)

    def contact_fields(row: list[str], line: int) -> dict[str, Any]:
        return {
            "id": row[i_id].strip() if i_id is not None and row[i_id].strip() else f"{id_prefix}:{line}",
            "channel": row[i_chan].strip() or None if i_chan is not None else None,
            "created_at": parse_time(row[i_time]) if i_time is not None else None,
            "customer_id": row[i_cust].strip() or None if i_cust is not None else None,
            "metadata": {h: row[i] for i, h in meta_cols if row[i] != ""},
        }

    def checked(line: int, row: list[str]) -> RowError | None:
        if len(row) != width:
            return RowError(f"{path}:{line}", f"row has {len(row)} fields, the header has {width}")
        return None

    if not cols.group_by:
        i_turn_spk = pick_column(header, "speaker", cols.speaker, False, where)
        last_id, warned = None, i_turn_spk is None or i_id is None
        for line, row in rows:
            if isinstance(row, Exception):
                yield RowError(f"{path}:{line}", str(row))
                continue
            if not any(c.strip() for c in row) or is_header(line, row):
                continue
            bad = checked(line, row)
            if bad:
                yield bad
                continue
            f = contact_fields(row, line)
            if not warned:  # a speaker column and an id repeated on the next row: one turn per row
                if f["id"] == last_id:
                    warned = True
                    log.warning("%s looks like one turn per row (column %s names the speaker and the same %s "
                                "is on consecutive rows), but each row is read as one contact; pass --group-by %s "
                                "to read each call or chat as one contact", path.name, header[i_turn_spk],
                                header[i_id], header[i_id])
                last_id = f["id"]
            yield Contact(turns=text_turns(unescape_cell(row[i_text]), cols.speakers), source=f"{path}:{line}", **f)
        return

    # one turn per row, grouped by consecutive rows with the same contact id
    current: dict[str, Any] | None = None
    turns: list[Turn] = []
    start_line = 0
    for line, row in rows:
        if isinstance(row, Exception):
            yield RowError(f"{path}:{line}", str(row))
            continue
        if not any(c.strip() for c in row) or is_header(line, row):
            continue
        bad = checked(line, row)
        if bad:
            yield bad
            continue
        cid = row[i_id].strip()
        if current is None or cid != current["id"]:
            if current is not None:
                yield Contact(turns=tuple(turns), source=f"{path}:{start_line}", **current)
            current, turns, start_line = contact_fields(row, line), [], line
        try:
            speaker = cols.speaker_role(row[i_spk])
        except ValueError as e:
            yield RowError(f"{path}:{line}", str(e), cid)
            continue
        turns.append(Turn(speaker, unescape_cell(row[i_text]), parse_time(row[i_time]) if i_time is not None else None))
    if current is not None:
        yield Contact(turns=tuple(turns), source=f"{path}:{start_line}", **current)


def read_contacts(path: str | os.PathLike, *, format: str | None = None, encoding: str | None = None,
                  columns: Columns | None = None, sheet: str | None = None,
                  **column_names: str | None) -> Iterator[Contact | RowError]:
    """Stream the contacts of one file.

    ``format`` is guessed from the extension (jsonl, csv, tsv, xlsx, xls); ``encoding`` is
    detected (UTF-8 with or without BOM, GB18030/GBK, Big5) unless given. Column names are
    found among common English and Chinese headers, or set with ``id=``, ``text=``,
    ``speaker=``, ``time=``, ``channel=``, ``customer=``, ``group_by=`` (one turn per row).
    Yields ``Contact`` objects and, for rows that cannot be read, ``RowError`` objects.
    Errors with the whole file raise ``voc.InputError`` at once (not lazily).
    """
    path = Path(path)
    _check_path(path)
    cols = columns or Columns(**{k: v for k, v in column_names.items() if v is not None})
    cols.roles  # a --speakers role that is none: one ConfigError now, not an error per row
    fmt = format or guess_format(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown input format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if path.stat().st_size == 0:
        raise InputError(f"{path} is empty; give a file with contacts.")
    if fmt == "jsonl":
        gen = _read_jsonl(path, *_encoding_of(path, encoding, line_oriented=True), cols)
    else:
        gen = _read_table(path, fmt, encoding, cols, sheet)
    return _Primed(gen, path)


class _Primed:
    """Runs a generator up to its first item now, so file-level errors raise at call time (and a
    file that holds no row at all, a header or blank lines only, is said now)."""

    def __init__(self, gen: Iterator, path: Path | None = None):
        self._gen = gen
        try:
            self._head = [next(gen)]
        except StopIteration:
            self._head = []
            if path is not None:
                log.warning("%s holds no contacts (a header row or blank lines only)", path)

    def __iter__(self):
        yield from self._head
        self._head = []
        yield from self._gen


def read_inputs(inputs: Sequence[str | Path], **read_options: Any) -> Iterable[Contact]:
    """The contacts of ``inputs`` in order; unreadable rows are logged and skipped."""
    streams = [read_contacts(p, **read_options) for p in inputs]  # file errors raise here
    for s in streams:
        for item in s:
            if isinstance(item, RowError):
                log.warning("%s: %s", item.source, scrubbed(item.reason))
                continue
            yield item
