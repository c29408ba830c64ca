"""Encoding detection: UTF-8 (with or without BOM) first, then GB18030/GBK or Big5; UTF-16 and
UTF-32 by their BOM or by the pattern of NUL bytes that ASCII characters leave in them.

Never decodes with replacement characters: a file that is none of these is refused. The
detection looks at the first megabyte; ``scan`` then decodes the whole file (fast: whole
chunks through the C codec, a second look only at a chunk that fails), so a bad byte further
on is found before any contact is tagged, with its line number.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

SAMPLE = 1 << 20  # bytes read to decide
CHUNK = 4 << 20  # bytes decoded at a time by ``scan``
WIDE = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")  # not ASCII-compatible
ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # an undecodable byte under errors="surrogateescape"


def _decodes(sample: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)(errors="strict").decode(sample, final=False)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def _mostly_utf8(sample: bytes) -> bool:
    """True when all but a few lines are UTF-8 (line-oriented files: the rest go to errors)."""
    lines = [line for line in sample.split(b"\n")[:-1] if line.strip()]
    bad = sum(not _decodes(line, "utf-8") for line in lines)
    return bool(lines) and bad <= max(1, len(lines) // 100) and bad < len(lines)


def detect_encoding(sample: bytes, name: str = "input", line_oriented: bool = False, tolerant: bool = False) -> str:
    """The encoding of a file from its first bytes: ``utf-8-sig``, ``utf-8``, ``gb18030`` or ``big5``.

    ``line_oriented`` (JSONL): a file whose lines are UTF-8 but for one or two is UTF-8; the
    reader sends those lines to the errors file. ``tolerant`` (CSV): the same, but only when the
    sample is not wholly GB18030 or Big5 either.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00
        return "utf-32"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    wide = _wide_without_bom(sample)
    if wide:
        return wide
    if _decodes(sample, "utf-8") or (line_oriented and _mostly_utf8(sample)):
        return "utf-8"
    candidates = [enc for enc in ("gb18030", "big5") if _decodes(sample, enc)]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:  # Big5 bytes often decode "successfully" as GB18030: ask charset-normalizer
        from charset_normalizer import from_bytes

        best = from_bytes(sample, cp_isolation=candidates).best()
        if best is not None:
            return "big5" if best.encoding.startswith("big5") else "gb18030"
        return "gb18030"
    if tolerant and _mostly_utf8(sample):
        return "utf-8"
    raise InputError(f"{name} is neither UTF-8 nor GB18030/GBK nor Big5 text; "
                     f"convert it to UTF-8 or pass --encoding with its real encoding.")


def _wide_without_bom(sample: bytes) -> str | None:
    """UTF-16/UTF-32 without a BOM, told by where the NUL bytes fall (ASCII characters, digits
    and line ends leave a NUL beside them; UTF-8 and GB18030 text has none)."""
    head = sample[:1 << 16]
    if b"\x00" not in head:
        return None
    n = len(head) - len(head) % 4
    if n < 4:
        return None
    nul = [head[i:n:4].count(0) / (n // 4) for i in range(4)]
    if nul[2] > 0.9 and nul[3] > 0.99:
        guess = "utf-32-le"
    elif nul[0] > 0.99 and nul[1] > 0.9:
        guess = "utf-32-be"
    elif (odd := (nul[1] + nul[3]) / 2) > 0.05 and (nul[0] + nul[2]) / 2 < odd / 5:
        guess = "utf-16-le"  # (a CJK character U+xx00 puts a NUL on the other side now and then)
    elif (even := (nul[0] + nul[2]) / 2) > 0.05 and (nul[1] + nul[3]) / 2 < even / 5:
        guess = "utf-16-be"
    else:
        return None
    if not _decodes(head[:n], guess):
        return None
    text = head[:n].decode(guess, "ignore")  # a line end, and no control characters but tab/CR/LF
    return guess if "\n" in text and not any(c < " " and c not in "\t\r\n" for c in text) else None


@dataclass
class Scan:
    """What decoding a whole file found: its line count and the lines holding bytes that are
    not valid in the encoding (the first ``KEEP`` of them)."""

    lines: int = 0
    bad: list[int] = field(default_factory=list)
    n_bad: int = 0
    KEEP = 20

    def tolerable(self) -> bool:
        """A stray bad line or two (at most 1 in 100): those rows go to the errors file; more
        means the encoding is wrong and the file is refused (so is a file of one or two lines
        that are mostly bad)."""
        return not self.n_bad or (self.n_bad <= max(1, self.lines // 100) and 2 * self.n_bad < self.lines)


def scan(path: str | Path, encoding: str) -> Scan:
    """Decode all of ``path`` as ``encoding``. An ASCII-compatible encoding is decoded in chunks
    cut at line ends, each strictly (C speed); a chunk that fails is decoded again with
    ``surrogateescape`` to find its bad lines. A UTF-16/32 file must decode completely: the
    first bad byte raises ``InputError``."""
    out = Scan()
    name = codecs.lookup(encoding).name
    with open(path, "rb") as f:
        if name in WIDE or name.startswith(("utf-16", "utf-32")):
            dec = codecs.getincrementaldecoder(encoding)(errors="strict")
            done = 0
            while True:
                block = f.read(CHUNK)
                try:
                    text = dec.decode(block, final=not block)
                except UnicodeDecodeError as e:
                    raise InputError(f"{path} is {encoding} text with a broken character near byte "
                                     f"{done + e.start}; re-save it as UTF-8.") from None
                except UnicodeError as e:  # e.g. utf-16 without a byte-order mark
                    raise InputError(f"{path} is not {encoding} text ({e}); pass its real encoding with "
                                     f"--encoding (utf-16-le or utf-16-be if it has no BOM).") from None
                out.lines += text.count("\n")
                done += len(block)
                if not block:
                    return out
        tail = b""
        while True:
            block = f.read(CHUNK)
            data, tail = tail + block, b""
            if block:  # decode whole lines; the rest waits for the next block
                cut = data.rfind(b"\n") + 1
                data, tail = data[:cut], data[cut:]
            if data:
                try:
                    data.decode(encoding)
                except UnicodeDecodeError:
                    _bad_lines(data.decode(encoding, "surrogateescape"), out)
                except UnicodeError as e:  # a codec that fails other than byte by byte
                    raise InputError(f"{path} cannot be read as {encoding} ({e}); pass its real encoding with "
                                     f"--encoding.") from None
                out.lines += data.count(b"\n")
            if not block:
                if data and not data.endswith(b"\n"):
                    out.lines += 1
                return out


def _bad_lines(text: str, out: Scan) -> None:
    line, pos, seen = out.lines + 1, 0, -1
    for m in ESCAPED_BYTE.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        if line != seen:
            seen = line
            out.n_bad += 1
            if len(out.bad) < Scan.KEEP:
                out.bad.append(line)


def check_encoding(encoding: str) -> str:
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}; use a Python codec name such as utf-8 or gb18030.") from None
    # a codec that cannot carry lines of text (hex, base64, rot13), or cannot mark the bad bytes of a
    # line for the errors file (idna), cannot read a file
    name, probe = info.name, "id,text\n"
    try:
        ok = getattr(info, "_is_text_encoding", True) and probe.encode(name).decode(name, "surrogateescape") == probe
    except (UnicodeError, TypeError, LookupError):
        ok = False
    if not ok:
        raise InputError(f"{encoding!r} is not an encoding of text files; use one such as utf-8, gb18030 or big5.")
    return name
