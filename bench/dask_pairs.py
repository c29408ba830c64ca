"""The Dask engine against the local engine in alternating pairs (issue 7's >= 0.8x target).

    python bench/dask_pairs.py              # 5 pairs on 50,000 contacts, about 4 minutes
    python bench/dask_pairs.py --pairs 9 --n 20000

run_bench.py times every command twice and keeps each one's best; on a shared machine whose
speed drifts from one minute to the next, that ratio rests on two lucky runs. Here each Dask
run (``voc tag -w 2 --engine dask``, a 2-worker local cluster) is followed at once by a local
run (``voc tag -w 2``) on the same workload, and the ratio of each pair is printed with the
median and range, and with best against best (what run_bench.py reports). The two outputs are
compared byte for byte. Nothing is written to docs/.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_workload  # noqa: E402
import run_bench as rb  # noqa: E402


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=5, help="Dask/local pairs to run (default 5).")
    ap.add_argument("--n", type=int, default=50_000, help="Contacts in the workload (default 50,000).")
    args = ap.parse_args(argv)
    if not rb.have("distributed"):
        raise SystemExit("dask_pairs needs the Dask engine: pip install '.[dist]'.")
    from voc.datasets import shared_data_dir

    if shared_data_dir() is None:
        raise SystemExit("dask_pairs needs the real texts in ../shared/data (or VOC_SHARED_DATA).")
    with tempfile.TemporaryDirectory(prefix="voc-dask-pairs-") as tmp:
        work = Path(tmp)
        workload = work / f"workload-{args.n}.jsonl"
        make_workload.write_fast(args.n, workload)
        walls: dict[str, list[float]] = {"dask": [], "local": []}
        for i in range(1, args.pairs + 1):
            for engine in ("dask", "local"):
                r = rb.run(rb.voc_tag(workload, work / f"{engine}.jsonl", "-w", "2", "--engine", engine), engine)
                walls[engine].append(r["wall"])
            ratio = walls["local"][-1] / walls["dask"][-1]
            print(f"pair {i}: dask {walls['dask'][-1]:.1f} s, local {walls['local'][-1]:.1f} s, "
                  f"dask/local throughput {ratio:.2f}x", flush=True)
        same = rb.same_bytes(work / "dask.jsonl", work / "local.jsonl")
    ratios = [loc / d for d, loc in zip(walls["dask"], walls["local"])]
    result = {"pairs": args.pairs, "n": args.n, "ratios": [round(x, 3) for x in ratios],
              "median": round(statistics.median(ratios), 3), "min": round(min(ratios), 3),
              "max": round(max(ratios), 3), "best_vs_best": round(min(walls["local"]) / min(walls["dask"]), 3),
              "same_output": same}
    print(f"dask/local throughput over {args.pairs} pairs of {args.n:,} contacts: median {result['median']:.2f}x "
          f"(range {result['min']:.2f}-{result['max']:.2f}), best against best {result['best_vs_best']:.2f}x; "
          f"outputs {'identical' if same else 'DIFFERENT'}")
    return result


if __name__ == "__main__":
    main()
