"""Does a user-corrected set of 200 contacts measurably change the retrained model?

    python bench/corrections_eval.py [--n 200] [--heldout 200] [--task root_cause|contact_type|both]

The shipped models were trained on every non-reserved hand label, corpus/labels/everyday.csv
included, and tag those rows exactly as labelled (2,050 of 2,050 root causes): there is no
labelled contact they have not seen and get wrong. So the bench plays a user whose traffic
the model has never seen:

1. A pool of non-reserved everyday.csv rows (asserted non-reserved row by row; root cause: all
   2,050; contact type: 1,500, as its base labels are everyday.csv itself) is the user's
   traffic. The BEFORE model is the shipped recipe's hand labels without the pool
   (``voc.training.from_store.base_data``; no weak supervision), saved as a model folder.
2. The pool is tagged by the pipeline with the BEFORE model and put in a results store.
3. Pool contacts whose stored tag differs from their label are the correction candidates; in a
   fixed random order (seed 0) the first ``--n`` are corrected (``Store.correct``, as the
   exploration page does) and the model is retrained with ``voc.training.from_store.train``
   (``voc train ... --from-store``, base: the same hand labels without the pool): AFTER.
4. The next ``--heldout`` candidates are corrected afterwards: corrections AFTER never saw,
   scored by ``voc.training.from_store.evaluate`` (``voc evaluate ... --from-store``) for
   BEFORE and AFTER. BEFORE, AFTER and the shipped model are also scored on the reserved rows
   (everyday_reserved.csv; reserved_eval.csv for root cause): evaluation only.

Every corrected contact is one BEFORE got wrong, so BEFORE scores (close to) 0 on held-out
corrections by construction: the figure to read is how much of that AFTER recovers, and what
it costs or gains on the reserved rows. Writes bench/results/corrections_eval.json (needs
../shared/data; ~6 minutes on 2 cores).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voc.datasets import is_reserved, read_labels, require_data  # noqa: E402
from voc.evaluation import classification_report  # noqa: E402
from voc.resources import corpus_path  # noqa: E402
from voc.store import Store  # noqa: E402
from voc.training import from_store  # noqa: E402
from voc.training.text import prepare  # noqa: E402


def everyday_rows():
    seen, out = set(), []
    for c, r in read_labels(corpus_path("labels") / "everyday.csv"):
        assert not is_reserved(r["dataset"], r["file"], int(r["row"])), f"reserved row in everyday.csv: {r}"
        if c.id not in seen:
            seen.add(c.id)
            out.append((c, r))
    return out


def scores(model, docs, gold, labels):
    rep = classification_report(gold, list(model.predict(docs)), labels=labels)
    return {"accuracy": rep["accuracy"], "macro_f1": rep["macro_f1"]}


def reserved_sets(task):
    sets = {"everyday_reserved": [(c, r[task]) for c, r in read_labels(corpus_path("labels") / "everyday_reserved.csv")
                                  if r.get(task)]}
    if task == "root_cause":
        sets["reserved_eval"] = [(c, r["root_cause"]) for c, r in read_labels(corpus_path("labels") / "reserved_eval.csv")
                                 if r.get("root_cause")]
    return {k: (prepare([c for c, _ in v]), [y for _, y in v]) for k, v in sets.items()}


def run(task: str, rows, tmp: Path, n: int, heldout: int, pool_size: int) -> dict:
    import voc
    from voc.models import find

    name, _, cls = from_store.estimator(task)
    labels = __import__(f"voc.estimators.{task}", fromlist=["LABELS"]).LABELS
    order = [c.id for c, _ in rows]
    random.Random(0).shuffle(order)
    pool = set(order[:pool_size])
    gold = {c.id: r[task] for c, r in rows if c.id in pool and r.get(task)}
    # BEFORE: the hand labels without the pool
    X, y, w, desc = from_store.base_data(task, "labels", None, pool)
    t0 = time.monotonic()
    before = cls(random_state=0)
    before.fit(prepare(X), y, w) if task == "root_cause" else before.fit(prepare(X), y, sample_weight=w)
    before.save(tmp / f"{task}-before", version="bench-before")
    fit_s = time.monotonic() - t0
    store_path = tmp / f"{task}.db"
    pipe = voc.load(**{f"{task}_model": str(tmp / f"{task}-before")})
    contacts = [c for c, _ in rows if c.id in pool]
    with Store(store_path) as st:
        for i in range(0, len(contacts), 256):
            st.add_many(t.to_record() for t in pipe.tag_batch(contacts[i:i + 256]))
        stored = {rec["id"]: rec[task] for rec in st.records()}
    candidates = sorted(cid for cid, lab in gold.items() if stored.get(cid) != lab)
    random.Random(0).shuffle(candidates)
    train_ids, held_ids = candidates[:n], candidates[n:n + heldout]
    print(f"{task}: pool of {len(pool)} contacts, BEFORE ({len(y)} base labels, {fit_s:.0f} s) tags "
          f"{len(candidates)} wrongly; correcting {len(train_ids)}, holding out {len(held_ids)}", flush=True)
    with Store(store_path) as st:
        for cid in train_ids:
            st.correct(cid, task, gold[cid], "bench")
    t0 = time.monotonic()
    r = from_store.train(task, store_path, tmp / f"{task}-after", holdout=0.0, base="labels", exclude=sorted(pool))
    train_s = time.monotonic() - t0
    with Store(store_path) as st:
        for cid in held_ids:
            st.correct(cid, task, gold[cid], "bench")
    ev = from_store.evaluate(task, store_path, r["folder"], baseline=tmp / f"{task}-before")
    models = {"shipped": cls.load(find(name)), "before": cls.load(tmp / f"{task}-before"),
              "after": cls.load(r["folder"])}
    out = {"pool": len(pool), "base_labels": len(y), "wrong_in_pool": len(candidates), "version": r["version"],
           "corrections": r["corrections"], "held_out": ev["held_out"], "train_seconds": round(train_s, 1),
           "held_out_corrections": {"before": {k: ev["models"]["baseline"][k] for k in ("accuracy", "macro_f1")},
                                    "after": {k: ev["models"]["retrained"][k] for k in ("accuracy", "macro_f1")},
                                    "store_tags_accuracy": ev["stored_tags_accuracy"]}}
    for key, (docs, g) in reserved_sets(task).items():
        out[key] = {k: scores(m, docs, g, labels) for k, m in models.items()}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--heldout", type=int, default=200)
    ap.add_argument("--task", choices=["root_cause", "contact_type", "both"], default="both")
    ap.add_argument("-o", "--output", default=str(ROOT / "bench" / "results" / "corrections_eval.json"))
    args = ap.parse_args()
    require_data()
    rows = everyday_rows()
    results = {"n": args.n, "heldout": args.heldout, "correction_weight": from_store.CORRECTION_WEIGHT}
    pools = {"root_cause": len(rows), "contact_type": 1500}
    with tempfile.TemporaryDirectory() as tmp:
        for task in (("root_cause", "contact_type") if args.task == "both" else (args.task,)):
            results[task] = run(task, rows, Path(tmp), args.n, args.heldout, pools[task])
            print(json.dumps(results[task], indent=1), flush=True)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
