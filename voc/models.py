"""Model artefacts: one folder per model version, never loaded with pickle.

A model folder (``models/<name>/<version>/``) holds plain files (JSON, ``.npy``/``.npz``
read with ``allow_pickle=False``, skops files loaded with no trusted types, gensim text
formats) and a ``manifest.json``::

    {"name": "root_cause", "version": "1.0.0", "description": "...",
     "created_with": {"voc": "0.1.0", "scikit-learn": "1.9.1", ...},
     "data_sources": [...], "metrics": {...}, "files": {"model.skops": "<sha256>", ...}}

``verify(folder)`` checks every listed checksum before anything is read; a tampered or
unlisted file, or a pickle stream under any name, is refused with ``voc.ModelError`` and no
code from the file runs.
"""
from __future__ import annotations

import hashlib
import json
import logging
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from ._version import __version__
from .errors import ModelError
from .resources import models_path

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"
_PICKLE_MAGIC = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")
TRACKED_LIBS = ("scikit-learn", "numpy", "scipy", "gensim", "jieba", "skops")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def library_versions(libs: Iterable[str] = TRACKED_LIBS) -> dict[str, str]:
    out = {"voc": __version__}
    for lib in libs:
        v = _installed_version(lib)
        if v is not None:
            out[lib] = v
    return out


@lru_cache(maxsize=None)
def _installed_version(lib: str) -> str | None:
    """The installed version of ``lib`` (None: not installed), read once per process: each
    ``metadata.version`` scans the installed distributions (~4 ms), and every model loaded
    checks five libraries."""
    try:
        return metadata.version(lib)
    except metadata.PackageNotFoundError:
        return None


def write_manifest(folder: str | Path, *, name: str, version: str, description: str = "",
                   data_sources: list[dict[str, Any]] | None = None, metrics: dict[str, Any] | None = None,
                   **extra: Any) -> dict[str, Any]:
    """Write ``manifest.json`` listing the SHA-256 of every other file in ``folder``."""
    folder = Path(folder)
    files = {p.relative_to(folder).as_posix(): sha256(p)
             for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}
    manifest = {"name": name, "version": version, "description": description,
                "created_with": library_versions(), "data_sources": data_sources or [],
                "metrics": metrics or {}, **extra, "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n",
                                   encoding="utf-8")
    return manifest


def verify(folder: str | Path) -> dict[str, Any]:
    """Check a model folder's checksums and refuse pickles; returns the manifest."""
    folder = Path(folder)
    mpath = folder / MANIFEST
    if not mpath.is_file():
        raise ModelError(f"{folder} has no {MANIFEST}; give a model folder written by voc.")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        files = manifest["files"]
    except (ValueError, KeyError, UnicodeDecodeError):
        raise ModelError(f"{mpath} is not a valid voc manifest; rebuild the model.") from None
    if not isinstance(files, dict):
        raise ModelError(f"{mpath} is not a valid voc manifest; rebuild the model.")
    root = folder.resolve()
    for rel, digest in files.items():
        p = folder / rel
        # a manifest names files inside its folder only: no absolute path, no '..', no symlink out
        if not isinstance(rel, str) or Path(rel).is_absolute() or not p.resolve().is_relative_to(root):
            raise ModelError(f"{mpath} names the file {rel!r} outside the model folder; voc reads only the "
                             f"folder's own files: rebuild or reinstall the model.")
        if not p.is_file():
            raise ModelError(f"model file {p} is missing; rebuild or reinstall the model.")
        if sha256(p) != digest:
            raise ModelError(f"model file {p} does not match its checksum in {MANIFEST}; it was changed "
                             f"after training: rebuild or reinstall the model.")
        with open(p, "rb") as f:
            if f.read(2) in _PICKLE_MAGIC:
                raise ModelError(f"model file {p} is a pickle stream; voc never loads pickles.")
    extra = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                   if p.is_file() and p.name != MANIFEST and p.relative_to(folder).as_posix() not in files)
    if extra:
        raise ModelError(f"{folder} holds files not listed in its manifest ({', '.join(extra[:3])}); remove them.")
    _check_versions(folder, manifest)
    return manifest


def _check_versions(folder: Path, manifest: dict[str, Any]) -> None:
    """Warn when the model was saved with a different major.minor of a library."""
    saved = manifest.get("created_with", {})
    now = library_versions(saved.keys())
    for lib, v in saved.items():
        if lib in now and now[lib].split(".")[:2] != str(v).split(".")[:2]:
            log.warning("model %s was saved with %s %s, installed is %s; retrain it if results look wrong",
                        folder, lib, v, now[lib])


def find(name: str, version: str | None = None, root: str | Path | None = None) -> Path | None:
    """The folder of model ``name`` (highest version unless ``version``), or None if none ships."""
    base = Path(root) if root else models_path()
    parent = base / name
    if not parent.is_dir():
        return None
    if version:
        p = parent / version
        return p if p.is_dir() else None
    versions = [p for p in parent.iterdir() if (p / MANIFEST).is_file()]
    if not versions:
        return None

    def key(p: Path):
        return tuple(int(x) if x.isdigit() else 0 for x in p.name.split("."))

    return max(versions, key=key)


def save_arrays(path: Path, **arrays: Any) -> None:
    import numpy as np

    np.savez_compressed(path, **arrays)


def load_arrays(path: Path) -> dict[str, Any]:
    """Arrays of an ``.npz`` file; object arrays (which would need pickle) are refused."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except Exception as e:
        raise ModelError(f"model file {path} is not a plain array file ({type(e).__name__}: {e}); rebuild the model.") from None


def _skops(path: Path):
    try:
        import skops.io as sio
    except ImportError:
        raise ModelError(f"the skops file {path} needs skops, which is not installed (no shipped model "
                         f"needs it); install it with pip install 'voc-cx[bench]'.") from None
    return sio


def save_skops(obj: Any, path: Path) -> None:
    _skops(path).dump(obj, path)


def load_skops(path: Path) -> Any:
    """Load a skops file trusting no extra types: one that needs any is refused."""
    sio = _skops(path)

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as e:
        raise ModelError(f"model file {path} is not a skops file ({type(e).__name__}); rebuild the model.") from None
    if untrusted:
        raise ModelError(f"model file {path} needs untrusted types ({', '.join(untrusted[:3])}); "
                         f"voc refuses to load it.")
    return sio.load(path, trusted=[])


def read_json(path: Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))
