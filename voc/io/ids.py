"""Default contact ids that do not collide across exports.

A row without an id gets ``<file stem>@<fingerprint>:<line>``. The fingerprint is the first 8
hex digits of SHA-1 over the file's size and its first 64 KiB: deterministic for the same file
(a re-run gives the same ids, so a re-added run replaces its own rows), different for this
month's export saved under last month's name (which would otherwise replace last month's
rows in a results store, silently). Reading 64 KiB keeps it cheap for any file size.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

HEAD = 64 * 1024


@lru_cache(maxsize=256)
def _fingerprint(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha1(usedforsecurity=False)
    h.update(str(size).encode() + b"\0")
    with open(path, "rb") as f:
        h.update(f.read(HEAD))
    return h.hexdigest()[:8]


def file_fingerprint(path: str | os.PathLike) -> str:
    """8 hex digits identifying a file's content (its size and first 64 KiB)."""
    st = os.stat(path)
    return _fingerprint(os.fspath(path), st.st_size, st.st_mtime_ns)


def default_id_prefix(path: str | os.PathLike) -> str:
    """``stem@fingerprint``: what a row's line number follows in its default id."""
    return f"{Path(path).stem}@{file_fingerprint(path)}"


def source_label(path: str | os.PathLike) -> str:
    """``name@fingerprint``: the input a stored row came from (``voc.store`` warns when a
    row of another source is replaced)."""
    return f"{Path(path).name}@{file_fingerprint(path)}"
