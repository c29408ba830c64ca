"""Root-cause benchmark on the reserved rows (corpus/labels/reserved_eval.csv) only.

Rows of the table (scored against the first-pass labels of reserved_eval.csv and, when present,
the adjudicated labels of the same contacts in reserved_adjudicated.csv):
  keyword baseline       the CueRootCause stage (voc/stages/baseline.py): cue lexicon only
  model, no weak sup.    the classifier trained on corpus/labels/train.csv alone
  model, cue weak only   + the cue-labelled contacts (no review polarity)
  model (full)           + cue-labelled contacts + review polarity: the recipe of the shipped model
  shipped model          models/root_cause/<version> as loaded by voc.load() (if present)
  previous model         --previous FOLDER (e.g. 1.3.0 from git: for f in $(git ls-tree --name-only
                         39a50ca models/root_cause/1.3.0/); do git show 39a50ca:$f > /tmp/rc130/$(basename $f); done)

Then every model above on the reserved everyday traffic (corpus/labels/everyday_reserved.csv): accuracy
and macro-F1 per kind of traffic, and root cause `other` recall on inquiry and request items (issue 15).

Also measures the training time of the full model and the cost of the root-cause stage alone
(tokens already made by the segment stage) on a batch of 10,000 non-reserved contacts.

    python bench/root_cause_eval.py [--previous /tmp/rc130] [--out bench/results/root_cause_eval.json]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "root_cause_eval.json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--previous", type=Path, default=None, help="a previous model folder to score beside")
    args = parser.parse_args(argv)

    from voc.datasets import require_data
    from voc.estimators.root_cause import RootCauseClassifier
    from voc.evaluation import classification_report, format_report, write_report
    from voc.lang.taxonomy import ROOT_CAUSES
    from voc.models import find
    from voc.records import Contact, Tagged, Turn
    from voc.resources import corpus_path
    from voc.stages.baseline import CueRootCause
    from voc.stages.root_cause import RootCauseStage
    from voc.training.root_cause import ADJUDICATED, default_training_data, evidence_rate, read_labelled
    from voc.datasets import KINDS
    from voc.training.root_cause_card import everyday_report
    from voc.training.text import prepare

    require_data()
    t0 = time.monotonic()
    data = default_training_data(seed=args.seed)
    prep_s = time.monotonic() - t0
    pairs = read_labelled(corpus_path("labels", "reserved_eval.csv"))
    docs = prepare([c for c, _ in pairs])
    gold = [lab for _, lab in pairs]
    adj_path = corpus_path("labels", ADJUDICATED)
    adj_gold = [lab for _, lab in read_labelled(adj_path)] if adj_path.exists() else None

    rows: dict[str, dict] = {}
    adj_rows: dict[str, dict] = {}

    def score(name: str, results) -> None:
        pred = [r.label for r in results]
        rep = classification_report(gold, pred, labels=ROOT_CAUSES)
        rep["evidence"] = evidence_rate(docs, results)
        rows[name] = rep
        if adj_gold is not None:
            adj_rows[name] = classification_report(adj_gold, pred, labels=ROOT_CAUSES)

    base = CueRootCause()
    score("keyword baseline", [base.predict_one(d.text) for d in docs])

    fits = {
        "model, no weak supervision": dict(X=data["X"], y=data["y"], y_secondary=data["y_secondary"]),
        "model, cue weak only": dict(X=data["X"], y=data["y"], y_secondary=data["y_secondary"], X_weak=data["X_weak"],
                                     y_weak=data["y_weak"]),
        "model (full)": data,
    }
    train_s = {}
    models = {}
    for name, kwargs in fits.items():
        t = time.monotonic()
        models[name] = RootCauseClassifier(random_state=args.seed).fit(**kwargs)
        train_s[name] = round(time.monotonic() - t, 1)
        score(name, models[name].explain(docs))
    shipped = find("root_cause")
    if shipped is not None:
        models[f"shipped model {shipped.name}"] = RootCauseClassifier.load(shipped)
        score(f"shipped model {shipped.name}", models[f"shipped model {shipped.name}"].explain(docs))
    if args.previous is not None:
        models[f"previous model {args.previous}"] = RootCauseClassifier.load(args.previous)
        score(f"previous model {args.previous}", models[f"previous model {args.previous}"].explain(docs))
    everyday = {name: everyday_report(m) for name, m in models.items()}

    # stage cost on 10,000 non-reserved contacts (weakly labelled and review pools), tokens given
    pool = list(data["X_weak"]) + list(data["auxiliary"]["polarity"][0])
    batch = []
    for i in range(10_000):
        d = pool[(i * 7919) % len(pool)]
        turns = (Turn("customer", d.text),) + ((Turn("agent", d.context),) if d.context else ())
        batch.append(Tagged(Contact(str(i), turns), turns=turns, text=d.text, tokens=d.tokens))
    stage = RootCauseStage(models["model (full)"])
    stage(batch[:100])
    timings = []
    for _ in range(3):
        t = time.perf_counter()
        stage(batch)
        timings.append(time.perf_counter() - t)
    per_contact_ms = min(timings) / len(batch) * 1000

    print(f"root cause on corpus/labels/reserved_eval.csv ({len(gold)} reserved contacts)\n")
    print(f"{'':<30} {'macro-F1':>8} {'accuracy':>8}  " + "  ".join(f"{lab:>7}" for lab in ROOT_CAUSES)
          + f"  {'evidence':>8}")
    for name, rep in rows.items():
        ev = rep["evidence"]["rate"]
        print(f"{name:<30} {rep['macro_f1']:>8.3f} {rep['accuracy']:>8.3f}  "
              + "  ".join(f"{rep['per_class'][lab]['f1']:>7.3f}" for lab in ROOT_CAUSES)
              + f"  {ev if ev is None else format(ev, '.1%'):>8}")
    print()
    print(format_report(rows["model (full)"], title="model (full): per class"))
    if adj_rows:
        print(f"\nthe same contacts, adjudicated labels (corpus/labels/{ADJUDICATED})\n")
        print(f"{'':<30} {'macro-F1':>8} {'accuracy':>8}  " + "  ".join(f"{lab:>7}" for lab in ROOT_CAUSES))
        for name, rep in adj_rows.items():
            print(f"{name:<30} {rep['macro_f1']:>8.3f} {rep['accuracy']:>8.3f}  "
                  + "  ".join(f"{rep['per_class'][lab]['f1']:>7.3f}" for lab in ROOT_CAUSES))
        print()
        print(format_report(adj_rows["model (full)"], title="model (full), adjudicated labels: per class"))
    everyday = {k: v for k, v in everyday.items() if v is not None}
    if everyday:
        print("\nreserved everyday traffic (corpus/labels/everyday_reserved.csv): accuracy / macro-F1 per kind; "
              "`other` recall on inquiry and request items\n")
        print(f"{'':<30} " + " ".join(f"{k:>19}" for k in (*KINDS, "all")) + f" {'other recall':>12}")
        for name, rep in everyday.items():
            print(f"{name[:30]:<30} " + " ".join(
                f"{rep['by_kind'][k]['accuracy']:>9.3f} / {rep['by_kind'][k]['macro_f1']:.3f}" for k in (*KINDS, "all"))
                  + f" {rep['inquiry_request']['other_recall']:>12.3f}")
    print(f"\ntraining data preparation (segmenting train.csv, weak and review pools): {prep_s:.0f} s")
    print("training time: " + ", ".join(f"{k} {v} s" for k, v in train_s.items()))
    print(f"stage cost: {per_contact_ms:.3f} ms per contact (best of 3 on a batch of {len(batch):,}, tokens given)")
    result = {
        "data": "corpus/labels/reserved_eval.csv", "items": len(gold),
        "rows": rows, "adjudicated_rows": adj_rows, "everyday_reserved": everyday, "training_seconds": train_s, "data_preparation_seconds": round(prep_s, 1),
        "stage_ms_per_contact": round(per_contact_ms, 4), "stage_batch": len(batch),
    }
    write_report(result, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
