"""What a run keeps beside its output: the lock, the checkpoint, the resume fingerprint, the
duplicate-id count, and the checks that a run may write where it was told to."""
from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Sequence

from ..errors import ConfigError, InputError, OutputError

log = logging.getLogger("voc.run")


def errors_path(output: str | Path) -> Path:
    return Path(f"{output}.errors.jsonl")


def summary_path(output: str | Path) -> Path:
    return Path(f"{output}.summary.json")


def sidecars(output: str | Path) -> dict[str, Path]:
    """Every file a run writes for ``output``, by what it is."""
    return {"output": Path(output), "errors file": errors_path(output), "summary": summary_path(output),
            "checkpoint": Path(f"{output}.checkpoint.json"), "lock": Path(f"{output}.lock")}


def same_file(a: Path, b: Path) -> bool:
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_paths(inputs: Sequence[str | Path], output: str | Path, store: str | Path | None = None) -> None:
    """Refuse a run that would overwrite one of its inputs (the output, its errors file, summary,
    checkpoint or lock on an input, by path or by ``os.path.samefile``, links included), or
    its results store; and a file name that is not UTF-8 (it would end up in the output's
    sources, ids and summary, which are UTF-8)."""
    for what, p in [*(("input", p) for p in inputs), ("output", output),
                    *([("results store", store)] if store is not None else [])]:
        _utf8_name(what, p)
    written = sidecars(output)
    for what, w in written.items():  # a run replaces its files whole (os.replace): never a device
        if os.path.lexists(w) and not (os.path.isfile(w) or os.path.islink(w)):
            raise OutputError(f"the {what} {w} exists and is not a regular file (a device, folder or pipe), "
                              f"which voc would replace; give a file path for -o.")
    if store is not None and str(store) != ":memory:":
        written["results store"] = Path(store)
    for p in inputs:
        for what, w in written.items():
            if same_file(Path(p), w):
                raise OutputError(f"the {what} {w} is the input {p}; voc would overwrite the contacts it reads: "
                                  f"choose another output path.")
    if store is not None and str(store) != ":memory:":
        for what, w in sidecars(output).items():
            if same_file(Path(store), w):
                raise OutputError(f"the results store {store} is the {what} of this run; choose another --store path.")


def _utf8_name(what: str, path: str | Path) -> None:
    name = os.fspath(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes the file system gave back as surrogates (os.fsdecode)
        shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        error = InputError if what == "input" else OutputError
        raise error(f"the {what} name {shown} is not valid UTF-8 (a name made on Windows in GBK?); rename it "
                    f"(e.g. convmv -f gbk -t utf-8 --notest FILE) and run again.") from None


# -- the lock -----------------------------------------------------------------------------------
def process_start(pid: int) -> str | None:
    """When process ``pid`` started, as the OS counts it (clock ticks since boot on Linux,
    psutil's create_time elsewhere); None when unknown. Together with the pid it names one
    process: a pid reused by another program has another start time."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        return stat[stat.rindex(b")") + 2:].split()[19].decode()
    except (OSError, ValueError, IndexError):
        pass
    try:
        import psutil

        return f"{psutil.Process(pid).create_time():.2f}"
    except Exception:  # psutil missing, or no such process
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True


def _cmdline(pid: int) -> bytes | None:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return None


class RunLock:
    """``OUTPUT.lock``: refuses a second concurrent run on the same output.

    The lock holds ``{"program": "voc", "pid": ..., "start": ...}`` (the process start time,
    see ``process_start``). A lock is held only while a process with that pid *and* that start
    time runs; a lock of a killed run, or one whose pid now belongs to another program, is
    stale and taken over with a warning (an old lock holding only a pid: while that pid is a
    live process whose command line names voc)."""

    def __init__(self, output: Path):
        self.path = Path(f"{output}.lock")
        self.took_over = False  # a stale lock was taken over

    def holder(self) -> int | None:
        """The pid of the live voc run holding the lock, or None (no lock, or a stale one)."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return None
        try:
            info = json.loads(text) if text.startswith("{") else {"pid": int(text or 0)}
            pid = int(info.get("pid") or 0)
        except (ValueError, TypeError, AttributeError):
            return None
        if pid <= 0 or not _alive(pid):
            return None
        start = info.get("start")
        if info.get("program") == "voc" and start is not None:
            now = process_start(pid)
            return pid if now is None or now == str(start) else None
        cmd = _cmdline(pid)  # a lock written by an older voc: the pid only
        if cmd is None:
            return pid  # cannot tell: assume it is the run
        return pid if b"voc" in cmd or b"cli.py" in cmd else None

    def __enter__(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create the folder of {self.path.with_suffix('')} ({e.strerror}); "
                              f"choose a writable output path.") from None
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                pid = self.holder()
                if pid is not None:
                    raise OutputError(f"another voc run (pid {pid}) is writing {self.path.with_suffix('')}; "
                                      f"wait for it to finish or choose another output.") from None
                log.warning("taking over the stale lock %s: the run that took it is gone", self.path)
                self.took_over = True
                self.path.unlink(missing_ok=True)
                continue
            except OSError as e:
                raise OutputError(f"cannot write beside {self.path.with_suffix('')} ({e.strerror}); "
                                  f"choose a writable output path.") from None
            pid = os.getpid()
            with os.fdopen(fd, "w") as f:
                f.write(json.dumps({"program": "voc", "pid": pid, "start": process_start(pid)}))
            return self
        raise OutputError(f"cannot take the lock {self.path}; remove it if no voc run is writing there.")

    def __exit__(self, *exc) -> None:
        self.path.unlink(missing_ok=True)


# -- the checkpoint and the resume fingerprint -------------------------------------------------------
def _hash_path(h: Any, p: Path) -> None:
    """Feed a file's bytes, or a folder's files (relative names and bytes), into ``h``."""
    files = [p] if p.is_file() else sorted(x for x in p.rglob("*") if x.is_file())
    for f in files:
        h.update(os.fsencode(f.relative_to(p).as_posix() if f != p else f.name) + b"\0")
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)


def settings_files(settings: Any) -> dict[str, str]:
    """SHA-256 of every file or folder the settings name (rules, system lines, topic model,
    name lists, model folders, cue files: each setting whose value is an existing path), plus
    the shipped models' manifests (which list the SHA-256 of every model file), the shipped
    escalation rules and lexicons: what a resume must find unchanged."""
    from ..resources import corpus_path, models_path

    out: dict[str, str] = {}
    if settings is not None:
        for name, value in sorted(settings.to_dict().items()):
            if isinstance(value, str) and value and name != "pseudonymise_key":
                p = Path(value)
                if p.exists():
                    h = hashlib.sha256()
                    _hash_path(h, p)
                    out[name] = h.hexdigest()
    shipped = hashlib.sha256()
    for root, pattern in ((models_path(), "*/*/manifest.json"), (corpus_path("lexicons"), "*"),
                          (Path(__file__).resolve().parent.parent / "data", "*")):
        if root.is_dir():
            for f in sorted(root.glob(pattern)):
                if f.is_file():
                    shipped.update(os.fsencode(f.relative_to(root).as_posix()) + b"\0" + f.read_bytes())
    out["shipped"] = shipped.hexdigest()
    return out


def fingerprint(inputs: Sequence[str], options: dict[str, Any]) -> str:
    """SHA-256 over the inputs' bytes and the options that shape the output."""
    h = hashlib.sha256()
    for p in inputs:
        h.update(os.fsencode(os.path.abspath(p)) + b"\0")
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    h.update(json.dumps(options, sort_keys=True, default=repr).encode())
    return h.hexdigest()


def changed_files(old: dict[str, str] | None, new: dict[str, str]) -> list[str]:
    """Names of the settings files whose content changed between two ``settings_files``."""
    if not old:
        return []
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


class Checkpoint:
    """``OUTPUT.checkpoint.json``: how far an interrupted run got, written after every chunk
    once that chunk's records and errors are in the partial files (and in the results store)."""

    def __init__(self, output: Path):
        self.path = Path(f"{output}.checkpoint.json")
        self.tmp = self.path.with_name(f".{self.path.name}.tmp")

    def load(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def save(self, state: dict[str, Any]) -> None:
        try:
            self.tmp.write_text(json.dumps(state), encoding="utf-8")
            os.replace(self.tmp, self.path)
        except OSError as e:
            raise OutputError(f"cannot write the checkpoint {self.path} ({e.strerror}); free disk space, then run "
                              f"the same command with --resume.") from None

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
        self.tmp.unlink(missing_ok=True)


class DuplicateIds:
    """Counts contact ids seen before in this run.

    Keeps 8-byte hashes of the ids, not the ids: the latest ones in a small set, the rest in
    sorted numpy arrays merged as they grow (a log-structured merge), about 8 bytes per
    distinct id (a Python set of the same hashes takes about 70).
    """

    RECENT = 1 << 15  # hashes kept in the set before they move to a sorted array

    def __init__(self):
        self.recent: set[int] = set()
        self.levels: list[Any] = []  # sorted uint64 arrays, largest first
        self.count = 0
        self.examples: list[str] = []

    @staticmethod
    def _key(cid: str) -> int:
        return int.from_bytes(hashlib.blake2b(cid.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")

    def add(self, cid: str) -> None:
        self.add_many([cid])

    def add_many(self, ids: Sequence[str]) -> None:
        if not ids:
            return
        keys = [self._key(c) for c in ids]
        old = self._in_levels(keys)
        recent = self.recent
        for i, key in enumerate(keys):
            if (old is not None and old[i]) or key in recent:
                self.count += 1
                if len(self.examples) < 20:
                    self.examples.append(ids[i])
            else:
                recent.add(key)
        if len(recent) >= self.RECENT:
            self._flush()

    def _in_levels(self, keys: list[int]):
        if not self.levels:
            return None
        import numpy as np

        arr = np.array(keys, dtype=np.uint64)
        hit = np.zeros(len(keys), dtype=bool)
        for level in self.levels:
            pos = np.searchsorted(level, arr)
            np.minimum(pos, len(level) - 1, out=pos)
            hit |= level[pos] == arr
        return hit.tolist()

    def _flush(self) -> None:
        import numpy as np

        self.levels.append(np.sort(np.fromiter(self.recent, dtype=np.uint64, count=len(self.recent))))
        self.recent = set()
        while len(self.levels) > 1 and len(self.levels[-2]) <= 2 * len(self.levels[-1]):
            top = self.levels.pop()
            below = self.levels.pop()
            merged = np.concatenate([below, top])
            merged.sort()
            self.levels.append(merged)


def read_pseudonymise_key(key: str | None, key_file: str | None) -> str | None:
    """The ``--pseudonymise`` key: given (``VOC_PSEUDONYMISE_KEY`` fills it through click), or
    the first line of ``key_file``; both is an error, so is an empty key."""
    if key_file is not None:
        if key:
            raise ConfigError("give the pseudonymisation key once: --pseudonymise / VOC_PSEUDONYMISE_KEY "
                              "or --pseudonymise-key-file, not both.")
        try:
            lines = Path(key_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"cannot read the key file {key_file} ({getattr(e, 'strerror', None) or e}); "
                              f"give a UTF-8 file whose first line is the key.") from None
        key = lines[0].strip() if lines else ""
        if not key:
            raise ConfigError(f"the key file {key_file} is empty; put the key on its first line.")
    elif key is not None and not key.strip():
        raise ConfigError("the pseudonymisation key is empty; give a secret key.")
    return key
