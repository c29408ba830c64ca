"""Process time per pipeline stage, in one process, over a fixed real workload.

    python bench/stage_costs.py                      # this tree, 3 runs, 5,000 contacts
    python bench/stage_costs.py --ref main           # this tree and main, alternating A/B runs
    python bench/stage_costs.py --ref main --tag 20000   # also `cli.py tag -w 1` on 20,000 contacts
    python bench/stage_costs.py --ref main --interleave  # both trees loaded, alternating batch by batch
    python bench/stage_costs.py --qa --ref main      # the pipeline of `voc tag --qa` (QA stages too)

The workload is the first ``-n`` contacts of bench/make_workload.py (real texts from
../shared/data: STC-3 dialogues, financial complaints, reviews), written once to a temporary
file that every run reads, or ``--input FILE`` (e.g. corpus/samples/contacts.jsonl, chats
with the repeated greetings and closings of contact-centre traffic). Each run is a fresh process
that imports the tree's own voc (working folder = the tree), loads the default pipeline, warms it
(as before forking workers) and tags 20 contacts to load what loads on first use, then runs every
stage over the workload in the tree's own batches (``voc.pipeline.BATCH_SIZE``, 256 before it
existed) as the workers do, adding the process time of each stage call (``time.process_time``);
"output record" is ``Tagged.to_record``. Printed: ms/contact per stage and in total, the median
of ``--runs`` runs.

With ``--ref REV`` the revision is checked out in a temporary ``git worktree`` (removed
afterwards) and the runs alternate A (this tree), B (REV), A, B, ... so both see the same
machine load; the table shows both medians and their ratio. ``--tag N`` times
``python cli.py tag <N contacts> -o ... --workers 1 -q`` (wall and CPU of the child) in the
same alternation. The machine may be shared: process time is less sensitive to other jobs
than wall time, but not immune (caches, frequency); compare figures of one run only. On a busy
machine ``--interleave`` is steadier: both trees stay loaded in processes of their own and tag
the same contacts (whole batches of both trees) one after the other (which goes first
alternates), so a change in load hits both within a second; each run is one pass over the workload, and what was loaded is
frozen out of the garbage collector's reach first, as in a worker process.
"""
from __future__ import annotations

import argparse
import filecmp
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 256  # contacts per batch in a tree without voc.pipeline.BATCH_SIZE (its chunk size then)
QA_STAGES = ("qa", "agent_conduct")  # the stages `voc.load(qa=True)` adds (summed in a row of their own)


# -- the child: one measurement in the tree given ------------------------------------------
def load_tree(tree: str, workload: str, qa: bool = False) -> tuple:
    """The default pipeline (with the QA stages when ``qa``) of the voc in ``tree``, warmed, and
    the workload's contacts."""
    sys.path.insert(0, tree)
    import voc
    from voc.io.readers import read_contacts

    if not Path(voc.__file__).resolve().is_relative_to(Path(tree).resolve()):
        raise SystemExit(f"{tree}: imported voc from {voc.__file__}")
    nlp = voc.load(qa=True) if qa else voc.load()
    contacts = [c for c in read_contacts(workload) if isinstance(c, voc.Contact)]
    nlp.warm().tag_batch(contacts[:20])  # models, dictionaries and what warm() builds, before timing
    return nlp, contacts


def time_batch(nlp, contacts: list) -> dict[str, float]:
    """Seconds of process time of each stage, and of ``Tagged.to_record``, on one batch."""
    from voc.records import Tagged

    clock = time.process_time
    per: dict[str, float] = {}
    batch = [Tagged(contact=c, model_version=nlp.version) for c in contacts]
    for stage in nlp.stages:
        t = clock()
        batch = stage(batch)
        per[stage.name] = clock() - t
    t = clock()
    [x.to_record() for x in batch]
    per["output record"] = clock() - t
    return per


def tree_batch() -> int:
    """The tree's own chunk size (``voc.pipeline.BATCH_SIZE``; 256 in trees before it existed)."""
    try:
        from voc.pipeline import BATCH_SIZE
    except ImportError:
        return BATCH
    return BATCH_SIZE


def time_range(nlp, contacts: list, batch_size: int) -> dict[str, float]:
    """``time_batch`` over ``contacts`` in batches of ``batch_size``, summed per stage."""
    per: dict[str, float] = {}
    for i in range(0, len(contacts), batch_size):
        for stage, sec in time_batch(nlp, contacts[i:i + batch_size]).items():
            per[stage] = per.get(stage, 0.0) + sec
    return per


def child(tree: str, workload: str, qa: bool = False) -> None:
    nlp, contacts = load_tree(tree, workload, qa)
    batch_size = tree_batch()
    per: dict[str, float] = {s.name: 0.0 for s in nlp.stages}
    per["output record"] = 0.0
    t_all = time.process_time()
    for stage, sec in time_range(nlp, contacts, batch_size).items():
        per[stage] += sec
    per["total"] = time.process_time() - t_all
    ms = {k: 1000 * v / len(contacts) for k, v in per.items()}
    if qa:
        ms["QA stages"] = sum(v for k, v in ms.items() if k in QA_STAGES)
    print(json.dumps({"n": len(contacts), "batch": batch_size, "ms": ms}))


def child_interleaved(tree: str, workload: str) -> None:
    """``--interleave``: load once, then tag the contacts from-to each stdin line gives (in the
    tree's own batches) and answer with the seconds of process time of each stage (one JSON
    line); stop at EOF."""
    nlp, contacts = load_tree(tree, workload)
    import gc

    gc.collect()
    gc.freeze()  # as a worker process does (voc.workers.freeze): collections scan only what batches make
    print(json.dumps({"n": len(contacts), "batch": tree_batch()}), flush=True)
    for line in sys.stdin:
        start, stop = map(int, line.split())
        per = time_range(nlp, contacts[start:stop], tree_batch())
        per["total"] = sum(per.values())
        print(json.dumps(per), flush=True)


def interleaved(trees: list[tuple[str, Path]], workload: Path, env: dict[str, str], runs: int) -> dict:
    """Both trees loaded in processes of their own, tagging the same batch one after the other
    (which goes first alternates), so they share the machine's load batch by batch; per run
    (one pass over the workload), ms/contact per stage."""
    procs = {name: subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--child-interleave",
                                     str(tree), str(workload)], cwd=tree, env=env, text=True,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
             for name, tree in trees}
    try:
        first = [json.loads(p.stdout.readline()) for p in procs.values()]
        n = min(x["n"] for x in first)
        unit = math.lcm(*(x["batch"] for x in first))  # whole batches of each tree
        out: dict[str, list[dict[str, float]]] = {name: [] for name, _ in trees}
        k = 0
        for r in range(runs):
            print(f"run {r + 1}/{runs} (both trees, {unit} contacts at a time), load {load()}", file=sys.stderr,
                  flush=True)
            sums: dict[str, dict[str, float]] = {name: {} for name, _ in trees}
            for i in range(0, n, unit):
                k += 1
                for name, _ in (trees if k % 2 else trees[::-1]):
                    procs[name].stdin.write(f"{i} {min(i + unit, n)}\n")
                    procs[name].stdin.flush()
                    for stage, sec in json.loads(procs[name].stdout.readline()).items():
                        sums[name][stage] = sums[name].get(stage, 0.0) + sec
            for name, _ in trees:
                out[name].append({**{st: 1000 * v / n for st, v in sums[name].items()}, "n": n})
        return out
    finally:
        for p in procs.values():
            p.stdin.close()
            p.wait()


# -- the parent ----------------------------------------------------------------------------
def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout.strip()


@contextmanager
def worktree(rev: str):
    commit = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    parent = Path(tempfile.mkdtemp(prefix="voc-stage-costs-"))
    path = parent / commit[:12]
    git("worktree", "add", "--detach", "--quiet", str(path), commit)
    try:
        yield path, commit
    finally:
        git("worktree", "remove", "--force", str(path))
        subprocess.run(["rm", "-rf", str(parent)], check=False)


def child_env() -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    from voc.datasets import shared_data_dir

    env = {k: v for k, v in os.environ.items() if k not in ("VOC_HOME", "PYTHONPATH")}
    data = shared_data_dir()
    if data is not None:  # a temporary worktree has no ../shared/data beside it
        env["VOC_SHARED_DATA"] = str(data.resolve())
    return env


def measure(tree: Path, workload: Path, env: dict[str, str], qa: bool = False) -> dict[str, float]:
    r = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(tree), str(workload)]
                       + (["--qa"] if qa else []),
                       cwd=tree, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"measuring {tree} failed: {r.stderr.strip()[-2000:]}")
    got = json.loads(r.stdout.strip().splitlines()[-1])
    return {**got["ms"], "n": got["n"]}


def tag_time(tree: Path, workload: Path, env: dict[str, str], out: Path, qa: bool = False) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run([sys.executable, "cli.py", "tag", str(workload), "-o", str(out), "--workers", "1", "-q"]
                   + (["--qa"] if qa else []),
                   cwd=tree, env=env, check=True, capture_output=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu}


def load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def main(argv=None) -> int:
    if argv is None and len(sys.argv) in (4, 5) and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4:] == ["--qa"])
        return 0
    if argv is None and len(sys.argv) == 4 and sys.argv[1] == "--child-interleave":
        child_interleaved(sys.argv[2], sys.argv[3])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=5000, help="Contacts per stage run (default %(default)s).")
    ap.add_argument("--ref", help="A git revision to compare with, run alternately in a temporary worktree.")
    ap.add_argument("--input", type=Path, help="Measure the stages over this file instead (any format voc reads).")
    ap.add_argument("--runs", type=int, default=3, help="Runs per tree; the median is shown (default 3).")
    ap.add_argument("--tag", type=int, default=0, metavar="N",
                    help="Also time `cli.py tag` of N contacts with 1 worker in each run (default: off).")
    ap.add_argument("--interleave", action="store_true",
                    help="With --ref: keep both trees loaded and alternate them batch by batch (steadier on a "
                         "busy machine than whole runs in turn); --tag is not run then.")
    ap.add_argument("--qa", action="store_true",
                    help="Time the pipeline of `voc tag --qa` (voc.load(qa=True)): the QA stages and their sum too.")
    args = ap.parse_args(argv)
    if args.interleave and not args.ref:
        ap.error("--interleave needs --ref")
    sys.path[:0] = [str(ROOT / "bench")]
    import make_workload

    env = child_env()
    with tempfile.TemporaryDirectory(prefix="voc-stage-costs-") as tmp:
        work = Path(tmp)
        if args.input:
            workload = args.input.resolve()
        else:
            workload = work / f"workload-{args.n}.jsonl"
            make_workload.write_fast(args.n, workload)
        big = None
        if args.tag:
            big = work / f"workload-{args.tag}.jsonl"
            make_workload.write_fast(args.tag, big)
        with (worktree(args.ref) if args.ref else _none()) as ref:
            trees = [("this tree", ROOT)] + ([(f"{args.ref} ({ref[1][:10]})", ref[0])] if ref else [])
            stages: dict[str, list[dict[str, float]]] = {name: [] for name, _ in trees}
            tags: dict[str, list[dict[str, float]]] = {name: [] for name, _ in trees}
            if args.interleave:
                stages = interleaved(trees, workload, env, args.runs)
                big = None
            for r in range(0 if args.interleave else args.runs):
                order = trees if r % 2 == 0 else trees[::-1]  # A B, B A, A B: neither always goes first
                for name, tree in order:
                    print(f"run {r + 1}/{args.runs}: {name}, load {load()}", file=sys.stderr, flush=True)
                    stages[name].append(measure(tree, workload, env, args.qa))
                    if big is not None:
                        tags[name].append(tag_time(tree, big, env, work / f"out-{trees.index((name, tree))}.jsonl",
                                                   args.qa))
        same = (filecmp.cmp(work / "out-0.jsonl", work / "out-1.jsonl", shallow=False)
                if big is not None and ref else None)
    names = [name for name, _ in trees]
    keys = [k for k in stages[names[0]][0] if k != "n"]
    med = {name: {k: statistics.median(run[k] for run in stages[name]) for k in keys} for name in names}
    over = f"the {stages[names[0]][0]['n']:,} contacts of {args.input}" if args.input else f"{args.n:,} contacts"
    print(f"\nms/contact of process time per stage, median of {args.runs} runs over {over} "
          f"(load average now {load()})\n")
    head = "| stage | " + " | ".join(names) + (" | this / ref |" if len(names) == 2 else " |")
    print(head)
    print("|---|" + "---:|" * (len(names) + (len(names) == 2)))
    for k in keys:
        cells = [f"{med[n][k]:.3f}" for n in names]
        if len(names) == 2:
            cells.append(f"{med[names[0]][k] / med[names[1]][k]:.2f}" if med[names[1]][k] else "-")
        label = f"**{k}**" if k in ("total", "QA stages") else k
        print(f"| {label} | " + " | ".join(cells) + " |")
    if big is not None:
        print(f"\n`cli.py tag{' --qa' if args.qa else ''}` of {args.tag:,} contacts, 1 worker (median of {args.runs}; every run in brackets):\n")
        for n in names:
            wall = [t["wall"] for t in tags[n]]
            cpu = [t["cpu"] for t in tags[n]]
            print(f"- {n}: wall {statistics.median(wall):.1f} s ({', '.join(f'{x:.1f}' for x in wall)}), "
                  f"CPU {statistics.median(cpu):.1f} s ({', '.join(f'{x:.1f}' for x in cpu)}), "
                  f"{args.tag / statistics.median(wall):,.0f} contacts/s")
        if same is not None:
            print(f"- outputs of the two trees (last run) byte-identical: {'yes' if same else 'NO'}")
    return 0


@contextmanager
def _none():
    yield None


if __name__ == "__main__":
    sys.exit(main())
