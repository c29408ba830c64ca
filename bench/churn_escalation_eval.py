"""Churn risk and escalation on reserved rows only.

    python bench/churn_escalation_eval.py
    python bench/churn_escalation_eval.py --json out.json --errors errors.tsv
    python bench/churn_escalation_eval.py --labels corpus/labels/reserved_adjudicated.csv
    python bench/churn_escalation_eval.py --churn-model cues   # the transparent churn scorer

1. The reserved check set: the heimao_fin_complaints_celine test rows and STC-3 test dialogues
   of corpus/labels/reserved_eval.csv (labelled against the taxonomy; 450 items). Precision,
   recall and F1 of churn level ``high`` and of ``escalate``, per data set and together.
2. STC-3's reserved training dialogues (index % 5 == 0, 740 dialogues; 19 annotators each):
   ROC AUC of ``churn_risk`` against "mean customer satisfaction S < 0".

Contacts go through the default pipeline (normalise, redact, segment, root cause, sentiment,
churn, escalation; topics off) exactly as ``voc tag`` runs it.
"""
from __future__ import annotations

import argparse
import csv
import functools
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHECK_SETS = {("heimao_fin_complaints_celine", "process_category/test.csv"),
              ("stc3_dch_weibo_helpdesk", "test_data_cn.json")}


def prf(y: np.ndarray, pred: np.ndarray) -> dict:
    tp = int(np.sum(pred & y))
    fp = int(np.sum(pred & ~y))
    fn = int(np.sum(~pred & y))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"n": len(y), "positives": int(y.sum()), "predicted": int(pred.sum()), "tp": tp, "fp": fp, "fn": fn,
            "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _pipeline(**options):
    from voc.api import load

    return load(disable=("topics",), **options)


def _tag(pipeline, contacts, batch: int = 128):
    out = []
    for i in range(0, len(contacts), batch):
        out += pipeline.tag_batch(contacts[i:i + batch])
    return out


def evaluate_labels(labels: str | Path | None = None, **options) -> dict:
    """P/R/F1 of churn high and escalate on the reserved check set."""
    from voc.datasets import is_reserved, read_labels

    labels = Path(labels) if labels else ROOT / "corpus" / "labels" / "reserved_eval.csv"
    items = [(c, r) for c, r in read_labels(labels)
             if (r["dataset"], r["file"]) in CHECK_SETS and is_reserved(r["dataset"], r["file"], int(r["row"]))]
    t0 = time.perf_counter()
    tagged = _tag(_pipeline(**options), [c for c, _ in items])
    seconds = time.perf_counter() - t0
    ds = np.array([r["dataset"] for _, r in items])
    y_high = np.array([r["churn"] == "high" for _, r in items])
    y_esc = np.array([r["escalate"] == "yes" for _, r in items])
    p_high = np.array([t.churn is not None and t.churn.level == "high" for t in tagged])
    p_esc = np.array([t.escalation is not None and t.escalation.flag for t in tagged])
    out = {"churn_high": prf(y_high, p_high), "escalate": prf(y_esc, p_esc), "seconds": round(seconds, 1)}
    for name in sorted(set(ds)):
        m = ds == name
        out[name] = {"churn_high": prf(y_high[m], p_high[m]), "escalate": prf(y_esc[m], p_esc[m])}
    out["urgency"] = urgency(tagged, y_esc, ds)
    levels = ("low", "medium", "high")
    conf = {a: {b: 0 for b in levels} for a in levels}
    for t, (_, r) in zip(tagged, items):
        if t.churn is not None and r["churn"] in levels:
            conf[r["churn"]][t.churn.level] += 1
    out["churn_confusion (rows: label, cols: predicted)"] = conf
    out["_errors"] = [
        {"item": r["item"], "dataset": r["dataset"], "row": r["row"], "churn": r["churn"],
         "churn_pred": t.churn.level if t.churn else None, "escalate": r["escalate"],
         "escalate_pred": bool(t.escalation and t.escalation.flag),
         "reasons": list(t.churn.reasons if t.churn else ()) + list(t.escalation.reasons if t.escalation else ())}
        for t, (_, r) in zip(tagged, items)
        if (r["churn"] == "high") != (t.churn is not None and t.churn.level == "high")
        or (r["escalate"] == "yes") != bool(t.escalation and t.escalation.flag)]
    return out


def urgency(tagged, y_esc: np.ndarray, ds: np.ndarray) -> dict:
    """How many contacts are ``urgent`` (per data set), how many of those the annotators said
    need escalation at all, and which reasons made them urgent: urgent is meant only for
    regulator, media and legal threats, personal safety and harassment."""
    import collections

    level = np.array([t.escalation.level if t.escalation is not None and t.escalation.flag else "none"
                      for t in tagged])
    out = {}
    for name in ["all", *sorted(set(ds))]:
        m = np.ones(len(ds), bool) if name == "all" else ds == name
        urgent = m & (level == "urgent")
        reasons = collections.Counter(r.split(":")[0] for t, u in zip(tagged, urgent) if u for r in t.escalation.reasons)
        out[name] = {"n": int(m.sum()), "urgent": int(urgent.sum()), "urgent_share": round(float(urgent.sum() / max(m.sum(), 1)), 4),
                     "normal": int((m & (level == "normal")).sum()),
                     "urgent_labelled_escalate": int((urgent & y_esc).sum()),
                     "urgent_precision_vs_escalate": round(float((urgent & y_esc).sum() / max(urgent.sum(), 1)), 4),
                     "urgent_reasons": dict(reasons.most_common())}
    return out


@functools.lru_cache(maxsize=4)
def evaluate_labels_cached(sentiment_backend: str = "default", rules: str | None = None,
                           churn_model: str | None = None) -> dict:
    """``evaluate_labels`` once per process (the tests of churn and escalation share it)."""
    return evaluate_labels(sentiment_backend=sentiment_backend, rules=rules, churn_model=churn_model)


def stc3_auc(**options) -> dict:
    """ROC AUC of churn_risk vs mean satisfaction S < 0 on STC-3 reserved training dialogues."""
    from sklearn.metrics import roc_auc_score

    from voc import datasets as D

    rows = list(D.iter_dataset(D.STC3, reserved=True, file="train_data_cn.json"))
    contacts, y = [], []
    for c, ann in rows:
        s = [a["quality"]["S"] for a in ann or () if "quality" in a and "S" in a["quality"]]
        if not s:
            continue
        contacts.append(c)
        y.append(float(np.mean(s)) < 0)
    t0 = time.perf_counter()
    tagged = _tag(_pipeline(**options), contacts)
    seconds = time.perf_counter() - t0
    y = np.array(y)
    risk = np.array([t.churn.score if t.churn else 0.0 for t in tagged])
    sent = np.array([1 - t.sentiment.score if t.sentiment else 0.5 for t in tagged])
    return {"n": len(y), "dissatisfied": int(y.sum()), "roc_auc_churn_risk": round(float(roc_auc_score(y, risk)), 4),
            "roc_auc_negative_sentiment (reference)": round(float(roc_auc_score(y, sent)), 4),
            "seconds": round(seconds, 1)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentiment-backend", default="default", choices=["default", "snownlp"])
    ap.add_argument("--rules", default=None, help="a user rules file (default: the shipped rules)")
    ap.add_argument("--churn-model", default=None,
                    help="cues for the transparent scorer, or a churn model folder (default: the shipped model)")
    ap.add_argument("--labels", type=Path, default=None,
                    help="the reserved label file (default corpus/labels/reserved_eval.csv; "
                         "corpus/labels/reserved_adjudicated.csv for the adjudicated labels)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--errors", type=Path, default=None, help="write the disagreements (ids, labels, reasons) here")
    args = ap.parse_args(argv)
    opts = {"sentiment_backend": args.sentiment_backend, "rules": args.rules, "churn_model": args.churn_model}
    res = evaluate_labels(args.labels, **opts)
    errors = res.pop("_errors")
    res["stc3_train_reserved"] = stc3_auc(**opts)
    for key in ("churn_high", "escalate"):
        r = res[key]
        print(f"{key:10s} n={r['n']} positives={r['positives']} P={r['precision']:.3f} R={r['recall']:.3f} "
              f"F1={r['f1']:.3f}")
        for name in ("heimao_fin_complaints_celine", "stc3_dch_weibo_helpdesk"):
            if name in res:
                s = res[name][key]
                print(f"  {name:30s} n={s['n']} positives={s['positives']} P={s['precision']:.3f} "
                      f"R={s['recall']:.3f} F1={s['f1']:.3f}")
    a = res["stc3_train_reserved"]
    print(f"STC-3 reserved training dialogues: n={a['n']} dissatisfied={a['dissatisfied']} "
          f"ROC AUC churn_risk={a['roc_auc_churn_risk']:.3f} "
          f"(negative sentiment alone: {a['roc_auc_negative_sentiment (reference)']:.3f})")
    for name, u in res["urgency"].items():
        print(f"urgent {name:30s} {u['urgent']}/{u['n']} ({u['urgent_share']:.1%}), normal {u['normal']}; "
              f"labelled escalate among urgent {u['urgent_precision_vs_escalate']:.3f}; reasons {u['urgent_reasons']}")
    print("churn confusion:", json.dumps(res["churn_confusion (rows: label, cols: predicted)"]))
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.errors:  # ids and labels only: no text of the data sets
        with open(args.errors, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(errors[0]) if errors else ["item"], delimiter="\t")
            w.writeheader()
            for e in errors:
                w.writerow({**e, "reasons": " | ".join(e["reasons"])})


if __name__ == "__main__":
    main()
