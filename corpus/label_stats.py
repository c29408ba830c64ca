"""Print the statistics of the label files in corpus/labels/ as Markdown (for corpus/README.md).

    python corpus/label_stats.py

Counts per source and root cause, per labelling round and annotator, the other columns, and
the agreement (Cohen's kappa) between the first pass and the independent second pass, per
round. Reads only the label files (references and labels), not ../shared/data.
"""
from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from voc.evaluation import agreement_report  # noqa: E402

LABELS = ("agent", "product", "policy", "process", "other")
COLUMNS = ("root_cause", "sentiment", "churn", "escalate")
ROUNDS = {"L": "1", "M": "2", "N": "3", "P": "4"}


def read(name: str) -> list[dict[str, str]]:
    with open(HERE / "labels" / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def source_table(rows: list[dict[str, str]]) -> str:
    by = defaultdict(Counter)
    for r in rows:
        by[r["dataset"]][r["root_cause"]] += 1
    out = ["| source | " + " | ".join(LABELS) + " | total |", "|---|" + "---:|" * (len(LABELS) + 1)]
    for ds in sorted(by, key=lambda d: -sum(by[d].values())):
        out.append(f"| {ds} | " + " | ".join(f"{by[ds][lab]:,}" for lab in LABELS) + f" | {sum(by[ds].values()):,} |")
    tot = Counter(r["root_cause"] for r in rows)
    out.append("| total | " + " | ".join(f"{tot[lab]:,}" for lab in LABELS) + f" | {len(rows):,} |")
    return "\n".join(out)


def main() -> None:
    train, reserved, second = read("train.csv"), read("reserved_eval.csv"), read("second_pass.csv")
    first = {r["item"]: r for r in train + reserved}
    for name, rows in (("train.csv", train), ("reserved_eval.csv", reserved)):
        print(f"### `{name}`: {len(rows):,} contacts\n")
        print(source_table(rows) + "\n")
        rounds = defaultdict(Counter)
        for r in rows:
            rounds[ROUNDS.get(r["item"][0], "?")][r["annotator"]] += 1
        print("Rounds and annotators: " + "; ".join(
            f"round {k}: " + ", ".join(f"{a} {n:,}" for a, n in sorted(c.items())) for k, c in sorted(rounds.items())))
        print(f"\nSecondary root cause given: {sum(1 for r in rows if r['secondary']):,}. " + "; ".join(
            f"{col} " + "/".join(f"{v} {n:,}" for v, n in sorted(Counter(r[col] for r in rows).items()))
            for col in COLUMNS[1:]) + "\n")
    print("### Agreement: first pass vs independent second pass\n")
    print("| round | items | second pass | root_cause kappa (raw) | sentiment | churn | escalate |")
    print("|---|---:|---|---|---:|---:|---:|")
    groups = defaultdict(list)
    for r in second:
        groups[ROUNDS.get(r["item"][0], "?")].append(r)
    groups["all"] = list(second)
    for rnd, rows in groups.items():
        reps = {col: agreement_report([first[r["item"]][col] for r in rows], [r[col] for r in rows]) for col in COLUMNS}
        rc = reps["root_cause"]
        print(f"| {rnd} | {len(rows):,} | {', '.join(sorted(set(r['annotator'] for r in rows)))} | "
              f"{rc['kappa']:.3f} ({rc['agreement']:.1%}) | "
              + " | ".join(f"{reps[c]['kappa']:.3f}" for c in COLUMNS[1:]) + " |")
    rsecond, radj = read("reserved_second_pass.csv"), read("reserved_adjudicated.csv")
    print("\n### The reserved rows: full second pass and adjudication\n")
    print("| compared | items | root_cause kappa (raw) | sentiment | churn | escalate |")
    print("|---|---:|---|---:|---:|---:|")
    rfirst = {r["item"]: r for r in reserved}
    radj_by = {r["item"]: r for r in radj}
    for name, other in (("first pass vs second pass", rsecond), ("first pass vs adjudicated", radj),
                        ("second pass vs adjudicated", rsecond)):
        base = rfirst if name.startswith("first") else radj_by
        reps = {col: agreement_report([base[r["item"]][col] for r in other], [r[col] for r in other])
                for col in COLUMNS}
        rc = reps["root_cause"]
        print(f"| {name} | {len(other):,} | {rc['kappa']:.3f} ({rc['agreement']:.1%}) | "
              + " | ".join(f"{reps[c]['kappa']:.3f}" for c in COLUMNS[1:]) + " |")
    disputed = sum(any(rfirst[r["item"]][c] != r[c] for c in COLUMNS) for r in rsecond)
    print(f"\nItems with at least one disputed field: {disputed}; adjudicated root causes: " + ", ".join(
        f"{lab} {n}" for lab, n in sorted(Counter(r["root_cause"] for r in radj).items())))


if __name__ == "__main__":
    main()
