"""Print the statistics of the everyday-traffic labels (corpus/labels/everyday*.csv) as Markdown.

    python corpus/everyday_stats.py

Counts per kind of traffic and field, for the training file and the reserved evaluation file,
and the agreement (Cohen's kappa, raw agreement) between the first pass and the independent
second pass, per kind and field. Reads only the label files (references and labels), not
../shared/data.
"""
from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from voc.datasets import KINDS, kind  # noqa: E402,F401 (kind: bench/everyday_eval.py imports it from here)
from voc.evaluation import cohen_kappa  # noqa: E402

MORE, MORE_SECOND = "everyday_more.csv", "everyday_more_second_pass.csv"
FIELDS = ("contact_type", "resolved", "root_cause", "sentiment", "churn", "escalate", "agent_conduct")
VALUES = {
    "contact_type": ("complaint", "inquiry", "request", "praise", "suggestion", "other"),
    "resolved": ("yes", "no", "unclear"),
    "root_cause": ("agent", "product", "policy", "process", "other"),
    "sentiment": ("negative", "neutral", "positive"),
    "churn": ("low", "medium", "high"),
    "escalate": ("yes", "no"),
    "agent_conduct": ("ok", "problem", "na"),
}


def read(name: str) -> list[dict[str, str]]:
    with open(HERE / "labels" / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def counts_table(rows: list[dict[str, str]], title: str) -> list[str]:
    out = [f"#### `{title}`: {len(rows):,} items", ""]
    by_kind = Counter(kind(r["dataset"]) for r in rows)
    out.append("| field | value | " + " | ".join(KINDS) + " | total |")
    out.append("|---|---|" + "---:|" * (len(KINDS) + 1))
    for f in FIELDS:
        for v in VALUES[f]:
            c = Counter(kind(r["dataset"]) for r in rows if r[f] == v)
            if sum(c.values()):
                out.append(f"| {f} | {v} | " + " | ".join(f"{c[k]:,}" for k in KINDS) + f" | {sum(c.values()):,} |")
    out.append("| all | | " + " | ".join(f"{by_kind[k]:,}" for k in KINDS) + f" | {len(rows):,} |")
    non_complaint = sum(r["contact_type"] != "complaint" for r in rows)
    out += ["", f"Non-complaint traffic: {non_complaint:,} of {len(rows):,} ({non_complaint / max(1, len(rows)):.0%}). "
            f"Annotators: " + ", ".join(f"{a} {n:,}" for a, n in sorted(Counter(r['annotator'] for r in rows).items())),
            ""]
    return out


def agreement(first: dict[str, dict[str, str]], second: list[dict[str, str]]) -> list[str]:
    pairs = [(first[r["item"]], r) for r in second if r["item"] in first]
    out = ["#### Agreement: first pass vs independent second pass", "",
           "Cohen's kappa (raw agreement); — where both passes used one value only.", "",
           "| kind | items | " + " | ".join(FIELDS) + " |", "|---|---:|" + "---|" * len(FIELDS)]
    for k in (*KINDS, "all"):
        sel = [(a, b) for a, b in pairs if k == "all" or kind(a["dataset"]) == k]
        if not sel:
            continue
        cells = []
        for f in FIELDS:  # a field left empty in either pass (later rounds label some fields only) is skipped
            both = [(a[f], b[f]) for a, b in sel if a.get(f) and b.get(f)]
            if not both:
                cells.append("n/a")
                continue
            x, y = [p for p, _ in both], [q for _, q in both]
            raw = sum(p == q for p, q in both) / len(both)
            cells.append(f"{cohen_kappa(x, y):.2f} ({raw:.0%})" if len(set(x) | set(y)) > 1 else f"— ({raw:.0%})")
        out.append(f"| {k} | {len(sel)} | " + " | ".join(cells) + " |")
    return out + [""]


def main() -> None:
    train, reserved, second = read("everyday.csv"), read("everyday_reserved.csv"), read("everyday_second_pass.csv")
    first = {r["item"]: r for r in train + reserved}
    lines = counts_table(train, "everyday.csv") + counts_table(reserved, "everyday_reserved.csv")
    lines += agreement(first, second)
    if (HERE / "labels" / MORE).exists():  # later rounds: some fields per item (empty cells elsewhere)
        more = read(MORE)
        lines += counts_table(more, MORE)
        lines += ["Strata: " + ", ".join(f"{k} {n:,}" for k, n in sorted(Counter(r.get("stratum", "") for r in more).items())), ""]
        if (HERE / "labels" / MORE_SECOND).exists():
            lines += [f"`{MORE_SECOND}` against `{MORE}`:", ""] + agreement({r["item"]: r for r in more}, read(MORE_SECOND))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
