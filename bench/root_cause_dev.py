"""Do the root-cause labels of ``corpus/labels/everyday_more.csv`` help? Development folds only.

    python bench/root_cause_dev.py [--seeds 0 1 2] [--variants without with]

For each fold seed the shipped root-cause design (``voc.training.root_cause.default_training_data``
and ``RootCauseClassifier``) is trained without and with the everyday_more.csv rows that fill
``root_cause``; the out-of-fold predictions of the model's own development folds (5 stratified
folds over the hand labels, temperature and `other` threshold as the model chose them) are scored
on the rows of train.csv and everyday.csv (the same rows in both runs, so the figures compare) and
on the new rows (with-run only): macro-F1 (train.csv rows also by kind: complaint posts, helpdesk
dialogues and reviews are the kinds of the reserved root-cause rows), and on everyday
inquiry/request items the recall of ``other`` (taxonomy section 7). The 7 train.csv contacts that
everyday_more.csv labels again train with the newer label and leave the train.csv rows of that run. Never reads a reserved row (the trainers refuse them); the reserved
figures are the build's (``python -m voc.build root_cause``).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def run(seed: int, more: bool) -> dict[str, list]:
    from voc.datasets import kind
    from voc.estimators.common import softmax
    from voc.estimators.root_cause import LABELS, RootCauseClassifier, apply_threshold
    from voc.training.contact_type import hand_labelled
    from voc.training.root_cause import default_training_data, labelled_pairs

    captured = {}
    original = RootCauseClassifier._out_of_fold

    def capture(self, *a, **k):
        captured["oof"] = original(self, *a, **k)
        return captured["oof"]

    RootCauseClassifier._out_of_fold = capture
    try:
        data = default_training_data(seed=seed, more=more)
        model = RootCauseClassifier(random_state=seed).fit(**data)
    finally:
        RootCauseClassifier._out_of_fold = original
    pairs, _ = labelled_pairs(more)
    other = model.classes_.index("other")
    pred = apply_threshold(softmax(captured["oof"] / model.temperature_), other, model.threshold_)
    meta = {c.id: (r["source"], r["contact_type"]) for c, r in hand_labelled("root_cause", more)}
    rows = {"source": [], "kind": [], "ctype": [], "gold": [], "pred": []}
    for (c, lab), p in zip(pairs, pred):
        src, ct = meta.get(c.id, ("train.csv", ""))
        rows["source"].append(src)
        rows["kind"].append(kind(c.id.split(":")[0]))
        rows["ctype"].append(ct)
        rows["gold"].append(lab)
        rows["pred"].append(model.classes_[p])
    assert set(rows["gold"]) <= set(LABELS)
    return rows


def summary(rows: dict[str, list], source: str | None, kind: str | None = None) -> str:
    from voc.evaluation import classification_report
    from voc.estimators.root_cause import LABELS

    idx = [i for i, (s, k) in enumerate(zip(rows["source"], rows["kind"])) if source in (None, s) and kind in (None, k)]
    if not idx:
        return "n/a"
    g, p = [rows["gold"][i] for i in idx], [rows["pred"][i] for i in idx]
    f1 = classification_report(g, p, labels=LABELS)["macro_f1"]
    ir = [i for i in idx if rows["ctype"][i] in ("inquiry", "request") and rows["gold"][i] == "other"]
    rec = np.mean([rows["pred"][i] == "other" for i in ir]) if ir else float("nan")
    return f"{f1:.4f} | {rec:.3f} ({len(ir)}) | {len(idx)}"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--variants", nargs="+", default=["without", "with"], choices=["without", "with"])
    ap.add_argument("--more-weight", type=float, default=None,
                    help="sample weight of the everyday_more.csv rows (default: the trainer's MORE_WEIGHT)")
    ap.add_argument("--stratum-weight", nargs="*", default=[], metavar="STRATUM=W",
                    help="weight of the everyday_more.csv rows of a stratum (0: left out)")
    args = ap.parse_args(argv)
    import voc.training.root_cause as rc

    if args.more_weight is not None:
        rc.MORE_WEIGHT = args.more_weight
    for sw in args.stratum_weight:
        name, _, value = sw.partition("=")
        rc.STRATUM_WEIGHT[name] = float(value)
    print("| seed | training | rows of | macro-F1 | `other` recall, inquiry+request (items) | rows |")
    print("|---|---|---|---:|---:|---:|")
    for seed in args.seeds:
        for variant in args.variants:
            t0 = time.monotonic()
            rows = run(seed, variant == "with")
            name = "train + everyday"
            if variant == "with":
                strata = "".join(f", {k} {v:g}" for k, v in rc.STRATUM_WEIGHT.items())
                name = f"+ everyday_more (weight {rc.MORE_WEIGHT:g}{strata})"
            for src in ("train.csv", "everyday.csv", "train.csv+everyday.csv", "everyday_more.csv"):
                if src == "everyday_more.csv" and variant == "without":
                    continue
                if src == "train.csv+everyday.csv":
                    sub = {k: [v for v, s in zip(vals, rows["source"]) if s != "everyday_more.csv"]
                           for k, vals in rows.items()}
                    print(f"| {seed} | {name} | {src} | {summary(sub, None)} |")
                else:
                    print(f"| {seed} | {name} | {src} | {summary(rows, src)} |")
                if src == "train.csv":  # the kinds of the reserved root-cause rows (reserved_eval.csv)
                    for k in ("complaint posts", "helpdesk dialogues", "reviews"):
                        print(f"| {seed} | {name} | {src}, {k} | {summary(rows, src, k)} |")
            print(f"<!-- {time.monotonic() - t0:.0f} s -->", flush=True)


if __name__ == "__main__":
    main()
