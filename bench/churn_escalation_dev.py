"""Churn-high and escalate error analysis on the NON-reserved development labels.

    python bench/churn_escalation_dev.py                  # figures on the analysis and held-out splits
    python bench/churn_escalation_dev.py --errors churn   # print analysis-split false positives/negatives
    python bench/churn_escalation_dev.py --errors escalate --limit 40
    python bench/churn_escalation_dev.py --churn-model cues --errors churn   # the transparent scorer

The shipped churn model (models/churn/) is trained on all of train.csv, so its figures here are
in-sample; its cross-validated figures are in its manifest and MODEL_CARD.md. Read the
transparent scorer's errors (``--churn-model cues``) to improve the cue lexicon.

Labels: corpus/labels/train.csv (non-reserved rows only; any reserved row is skipped).
Split: the ``item`` ids are split deterministically by position: every fifth row
(index % 5 == 0) is the held-out split, only reported; the rest is the analysis split whose
errors are printed for reading. Reserved rows (corpus/labels/reserved_eval.csv) are never read
here; bench/churn_escalation_eval.py reports them.

Contacts go through the default pipeline (topics off) exactly as ``voc tag`` runs it.
"""
from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.churn_escalation_eval import prf


def load_items(labels: Path):
    from voc.datasets import is_reserved, read_labels

    return [(c, r) for c, r in read_labels(labels) if not is_reserved(r["dataset"], r["file"], int(r["row"]))]


def tag(contacts, **options):
    from voc.api import load

    pipe = load(disable=("topics",), **options)
    out = []
    for i in range(0, len(contacts), 128):
        out += pipe.tag_batch(contacts[i:i + 128])
    return out


def figures(items, tagged, mask) -> dict:
    y_high = np.array([r["churn"] == "high" for _, r in items])[mask]
    y_esc = np.array([r["escalate"] == "yes" for _, r in items])[mask]
    p_high = np.array([t.churn is not None and t.churn.level == "high" for t in tagged])[mask]
    p_esc = np.array([bool(t.escalation and t.escalation.flag) for t in tagged])[mask]
    return {"churn_high": prf(y_high, p_high), "escalate": prf(y_esc, p_esc)}


@functools.lru_cache(maxsize=2)
def dev_figures_cached(churn_model: str | None = None) -> dict:
    """Figures on the analysis and held-out splits, once per process (tests share them).
    The shipped churn model is trained on all of train.csv, so its figures here are in-sample;
    ``churn_model="cues"`` gives the transparent scorer's."""
    items = load_items(ROOT / "corpus" / "labels" / "train.csv")
    tagged = tag([c for c, _ in items], churn_model=churn_model)
    held = np.arange(len(items)) % 5 == 0
    return {"analysis": figures(items, tagged, ~held), "held-out": figures(items, tagged, held)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", type=Path, default=ROOT / "corpus" / "labels" / "train.csv")
    ap.add_argument("--errors", choices=["churn", "escalate"], default=None,
                    help="print the analysis split's disagreements for this label")
    ap.add_argument("--kind", choices=["fp", "fn", "both"], default="both")
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--chars", type=int, default=300)
    ap.add_argument("--rules", default=None)
    ap.add_argument("--churn-model", default=None,
                    help="cues for the transparent scorer (default: the shipped model, trained on these labels: "
                         "in-sample)")
    args = ap.parse_args(argv)
    items = load_items(args.labels)
    tagged = tag([c for c, _ in items], rules=args.rules, churn_model=args.churn_model)
    idx = np.arange(len(items))
    held = idx % 5 == 0
    for name, m in (("analysis", ~held), ("held-out", held), ("all", np.ones(len(items), bool))):
        res = figures(items, tagged, m)
        for key, r in res.items():
            print(f"{name:9s} {key:10s} n={r['n']} pos={r['positives']} pred={r['predicted']} "
                  f"P={r['precision']:.3f} R={r['recall']:.3f} F1={r['f1']:.3f}")
    if not args.errors:
        return
    shown = 0
    for i, (t, (_, r)) in enumerate(zip(tagged, items)):
        if held[i]:
            continue
        if args.errors == "churn":
            y, p = r["churn"] == "high", t.churn is not None and t.churn.level == "high"
            why = f"label={r['churn']} pred={t.churn.level if t.churn else None} score={t.churn.score if t.churn else 0}" \
                  f" {list(t.churn.reasons) if t.churn else []}"
        else:
            y, p = r["escalate"] == "yes", bool(t.escalation and t.escalation.flag)
            why = f"label={r['escalate']} {list(t.escalation.reasons) if t.escalation else []}"
        if y == p or (args.kind == "fp" and not p) or (args.kind == "fn" and p):
            continue
        kind = "FP" if p else "FN"
        print(f"\n[{kind}] {r['item']} {r['dataset']} {why}\n  {(t.text or '')[:args.chars]}")
        shown += 1
        if shown >= args.limit:
            break


if __name__ == "__main__":
    main()
