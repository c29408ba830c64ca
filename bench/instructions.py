"""Instructions per contact of `voc tag` and of the bare script, counted by valgrind: a cost
measure that the load of a shared machine does not move.

    python bench/instructions.py                 # this tree: voc tag -w 1 and the bare script
    python bench/instructions.py --ref 25bcc4f   # and another revision (temporary git worktree)
    python bench/instructions.py --qa            # voc tag --qa as well

Wall-clock rates on this kind of host move by tens of per cent from minute to minute (the bare
script's own rate spanned 2,745-4,448 contacts/s within one run of bench/run_bench.py), so a
change of a few per cent cannot be seen in them. Here each command runs under ``valgrind
--tool=cachegrind --cache-sim=no`` (about 25x slower) with ``PYTHONHASHSEED=0`` (set and dict
order, hence the work, no longer varies between runs) and one BLAS thread (no spinning pool
threads, whose count grows with the machine's load), once on the first ``--small`` contacts of
the bench workload (bench/make_workload.py, real texts from ../shared/data) and once on the first
``--large``; the difference of the two instruction counts over the difference of the contacts is
the cost per contact, start-up (imports, model loading) cancelled out. ``voc tag`` runs with one
worker (no process pool): every step a contact goes through, reading, preprocessors, stages and
writing, in one process. The bare script (bench/baselines.py, jieba + TF-IDF/LR, trained here
once) runs with one process.

Instructions are not time: numpy's vectorised loops do more per cycle than the interpreter, so
the bare/voc ratio of instructions (about 0.6) is lower than the ratio of rates in
bench/run_bench.py (0.7-0.8). Use this to compare trees and to see what a change costs; the
targets are judged on bench/run_bench.py. Needs valgrind (``apt install valgrind``).
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def instructions(cmd: list[str], cwd: Path, env: dict[str, str]) -> int:
    """Instructions (cachegrind's ``I refs``) of ``cmd``, children not followed."""
    r = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", *cmd],
                       cwd=cwd, env=env, capture_output=True, text=True)
    m = re.search(r"I\s+refs:\s+([\d,]+)", r.stderr)
    if r.returncode != 0 or m is None:
        raise SystemExit(f"{' '.join(cmd)} failed under valgrind: {r.stderr.strip()[-1500:]}")
    return int(m.group(1).replace(",", ""))


def per_contact(make_cmd, tree: Path, env: dict[str, str], files: dict[int, Path]) -> tuple[float, int]:
    """(instructions per contact, start-up instructions) of the command ``make_cmd(path)`` in ``tree``."""
    (small, f_small), (large, f_large) = sorted(files.items())
    a, b = instructions(make_cmd(f_small), tree, env), instructions(make_cmd(f_large), tree, env)
    per = (b - a) / (large - small)
    return per, round(a - per * small)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", help="Also measure this git revision (in a temporary worktree).")
    ap.add_argument("--small", type=int, default=200, help="Contacts of the short run (default 200).")
    ap.add_argument("--large", type=int, default=1200, help="Contacts of the long run (default 1,200).")
    ap.add_argument("--qa", action="store_true", help="Measure `voc tag --qa` too.")
    args = ap.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed; install it (apt install valgrind) to count instructions.")
    if not 0 < args.small < args.large:
        raise SystemExit("--small must be positive and below --large.")
    import make_workload
    from stage_costs import child_env, worktree

    # one BLAS/OpenMP thread: idle pool threads spin, and valgrind counts their spinning, which then
    # grows with the machine's load (two runs side by side read 2% more than one run alone)
    env = {**child_env(), "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory(prefix="voc-instructions-") as tmp:
        work = Path(tmp)
        files = {n: work / f"workload-{n}.jsonl" for n in (args.small, args.large)}
        for n, path in files.items():
            make_workload.write_fast(n, path)
        model = work / "bare-model"
        subprocess.run([sys.executable, str(ROOT / "bench" / "baselines.py"), "train", "-o", str(model)],
                       cwd=ROOT, check=True, capture_output=True)
        out = work / "out.jsonl"

        def voc(*flags: str):
            return lambda f: [sys.executable, "cli.py", "tag", str(f), "-o", str(out), "-q", "-w", "1", *flags]

        bare = (lambda f: [sys.executable, str(ROOT / "bench" / "baselines.py"), "bare", str(f), "-o", str(out),
                           "--model", str(model), "--processes", "1"])
        rows = []
        trees = [("this tree", ROOT)]
        with (worktree(args.ref) if args.ref else _none()) as ref:
            if ref is not None:
                trees.append((f"{args.ref} ({ref[1][:9]})", ref[0]))
            for name, tree in trees:
                for what, cmd in [("voc tag -w 1", voc()), *([("voc tag -w 1 --qa", voc("--qa"))] if args.qa else [])]:
                    for stale in work.glob("out.jsonl*"):
                        stale.unlink()
                    per, start = per_contact(cmd, tree, env, files)
                    rows.append((name, what, per, start))
                    print(f"{name}: {what}: {per / 1e6:.3f} M instructions/contact", flush=True)
            per, start = per_contact(bare, ROOT, env, files)
            rows.append(("bench/baselines.py", "bare script, 1 process", per, start))
    print(f"\nInstructions per contact (valgrind; contacts {args.small:,} and {args.large:,} of the bench "
          "workload, the difference; PYTHONHASHSEED=0)\n")
    print("| tree | command | M instructions / contact | bare / this | start-up (G instructions) |")
    print("|---|---|---:|---:|---:|")
    for name, what, per, start in rows:
        print(f"| {name} | {what} | {per / 1e6:.3f} | {bare_per(rows) / per:.3f} | {start / 1e9:.2f} |")


def bare_per(rows) -> float:
    return next(per for _, what, per, _ in rows if what.startswith("bare"))


class _none:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    main()
