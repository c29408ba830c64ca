"""Byte-identity check: this tree tags exactly as a reference revision does.

    python bench/identical.py --ref REV            # samples and 20,000 real contacts
    python bench/identical.py --ref REV --quick    # the bundled samples only

Both trees run ``voc tag`` with their own code (``python cli.py`` with the tree as working
folder, in this venv) on the same input files: the bundled samples (contacts.jsonl, tickets.csv
and tickets_gbk.csv together; call_turns.csv grouped by 通话ID) and ``--n`` real contacts built
from ../shared/data by bench/make_workload.py (skipped where the data is absent), each with
``--workers 1``, ``--workers 2`` and ``--engine dask --workers 2`` (skipped without dask). The
output and errors files are compared byte for byte (not the summary, which has timings); one
line per case, exit status 1 on any difference. REV is checked out in a temporary ``git
worktree``, removed afterwards; its outputs are kept in ``--cache`` under its commit hash and
the inputs' digest, so later runs tag only this tree.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # this tree's voc and make_workload
BASE = "45c496808e35ae458d7eef6bdde03d1dd5c0b143"  # the last landed commit before issue 14
SAMPLES = ROOT / "corpus" / "samples"


def tag_command(inputs: list[Path], output: Path, workers: int, engine: str, extra: list[str]) -> list[str]:
    """voc's command line, in this one place (run with a tree as the working folder)."""
    return [sys.executable, "cli.py", "tag", *map(str, inputs), "-o", str(output), "--workers", str(workers),
            "--engine", engine, "-q", *extra]


@dataclass(frozen=True)
class Case:
    name: str
    inputs: tuple[Path, ...]
    extra: tuple[str, ...]
    workers: int
    engine: str

    @property
    def label(self) -> str:
        return f"{self.name}, " + ("--engine dask " if self.engine == "dask" else "") + f"--workers {self.workers}"

    def key(self) -> str:
        h = hashlib.sha256(" ".join(self.extra).encode())
        for p in self.inputs:
            h.update(p.name.encode() + b"\0" + p.read_bytes())
        return f"{self.name}-{self.engine}-w{self.workers}-{h.hexdigest()[:12]}"


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout.strip()


@contextmanager
def worktree(commit: str):
    """A temporary git worktree of ``commit``, removed on exit."""
    parent = Path(tempfile.mkdtemp(prefix="voc-identical-"))
    path = parent / commit[:12]
    git("worktree", "add", "--detach", "--quiet", str(path), commit)
    try:
        yield path
    finally:
        git("worktree", "remove", "--force", str(path))
        shutil.rmtree(parent, ignore_errors=True)


def stable_inputs(files: list[Path], cache: Path) -> tuple[Path, ...]:
    """Copies of ``files`` in a folder named by their content, so that both trees (and later runs)
    read the same paths: error records name the input file."""
    h = hashlib.sha256()
    for p in files:
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    folder = cache / "inputs" / h.hexdigest()[:12]
    if not folder.is_dir():
        tmp = Path(tempfile.mkdtemp(dir=cache, prefix=".inputs-"))
        for p in files:
            shutil.copyfile(p, tmp / p.name)
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            tmp.rename(folder)
        except OSError:  # another run made it meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
    return tuple(folder / p.name for p in files)


def real_workload(n: int, cache: Path, work: Path) -> Path | None:
    """``n`` real contacts from bench/make_workload.py, or None without ../shared/data."""
    from voc.datasets import shared_data_dir

    if shared_data_dir() is None:
        return None
    import make_workload

    path = work / f"workload-{n}.jsonl"
    make_workload.write_fast(n, path)
    return stable_inputs([path], cache)[0]


def cases(args, cache: Path, work: Path) -> list[Case]:
    sets = [("samples", stable_inputs([SAMPLES / "contacts.jsonl", SAMPLES / "tickets.csv",
                                       SAMPLES / "tickets_gbk.csv"], cache), ()),
            ("calls", stable_inputs([SAMPLES / "call_turns.csv"], cache), ("--group-by", "通话ID"))]
    if not args.quick:
        workload = real_workload(args.n, cache, work)
        if workload is None:
            print(f"real-{args.n}: skipped (no ../shared/data)")
        else:
            sets.append((f"real-{args.n}", (workload,), ()))
    runs = [(1, "local"), (2, "local")]
    if importlib.util.find_spec("distributed") is not None:
        runs.append((2, "dask"))
    else:
        print("dask engine: skipped (dask[distributed] is not installed)")
    return [Case(name, inputs, extra, w, engine) for name, inputs, extra in sets for w, engine in runs]


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VOC_HOME", "PYTHONPATH")}
    from voc.datasets import shared_data_dir

    data = shared_data_dir()
    if data is not None:  # the reference worktree has no ../shared/data beside it
        env["VOC_SHARED_DATA"] = str(data.resolve())
    return env


def check_tree(tree: Path, env: dict[str, str]) -> None:
    """Each tree runs its own voc."""
    where = subprocess.run([sys.executable, "-c", "import voc; print(voc.__file__)"], cwd=tree, env=env,
                           check=True, capture_output=True, text=True).stdout.strip()
    if not Path(where).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"{tree} imports voc from {where}; run from a venv without another voc on its path.")


def tag(tree: Path, case: Case, folder: Path, env: dict[str, str]) -> float:
    folder.mkdir(parents=True, exist_ok=True)
    cmd = tag_command(list(case.inputs), folder / "out.jsonl", case.workers, case.engine, list(case.extra))
    t0 = time.monotonic()
    r = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{case.label} failed in {tree} (exit {r.returncode}): {r.stderr.strip()[-1500:]}")
    return time.monotonic() - t0


def first_difference(a: Path, b: Path) -> int | None:
    """The first line (1-based) where the files differ, or None when they are the same bytes."""
    if not a.exists() or not b.exists():
        return None if a.exists() == b.exists() else 1
    with open(a, "rb") as fa, open(b, "rb") as fb:
        n = 0
        while True:
            n += 1
            la, lb = fa.readline(), fb.readline()
            if la != lb:
                return n
            if not la:
                return None


def compare(ref: Path, cur: Path) -> str:
    for name in ("out.jsonl", "out.jsonl.errors.jsonl"):
        line = first_difference(ref / name, cur / name)
        if line is not None:
            return f"DIFFERENT: first differing line {line} of the {'errors' if 'errors' in name else 'output'} file"
    return "same"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default=BASE, help="Git revision to compare with (default: %(default)s).")
    ap.add_argument("--quick", action="store_true", help="The bundled samples only.")
    ap.add_argument("--n", type=int, default=20_000, help="Real contacts from ../shared/data (default 20,000).")
    ap.add_argument("--cache", type=Path, default=ROOT / "bench" / "results" / ".identical-cache",
                    help="Where the reference outputs and inputs are kept (default: %(default)s).")
    args = ap.parse_args(argv)
    commit = git("rev-parse", "--verify", f"{args.ref}^{{commit}}")
    cache = args.cache.resolve()
    cache.mkdir(parents=True, exist_ok=True)
    env = child_env()
    check_tree(ROOT, env)
    print(f"reference {args.ref} = {commit[:12]}, this tree {ROOT}")
    failed = False
    with tempfile.TemporaryDirectory(prefix="voc-identical-") as tmp:
        work = Path(tmp)
        todo = cases(args, cache, work)
        refs = {c: cache / commit / c.key() for c in todo}
        missing = [c for c in todo if not (refs[c] / "done").exists()]
        times: dict[Case, str] = {c: "cached" for c in todo}
        broken: dict[Case, str] = {}
        if missing:
            with worktree(commit) as tree:
                check_tree(tree, env)
                for c in missing:
                    shutil.rmtree(refs[c], ignore_errors=True)
                    try:
                        times[c] = f"{tag(tree, c, refs[c], env):.1f} s"
                    except RuntimeError as e:
                        times[c], broken[c] = "-", f"FAILED (reference): {e}"
                        continue
                    (refs[c] / "done").write_text("", encoding="utf-8")
        for i, c in enumerate(todo):
            try:
                took = f"{tag(ROOT, c, work / str(i), env):.1f} s"
                verdict = broken.get(c) or compare(refs[c], work / str(i))
            except RuntimeError as e:
                took, verdict = "-", f"FAILED: {e}"
            failed |= verdict != "same"
            print(f"{c.label}: {verdict}   (reference {times[c]}, this tree {took})", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
