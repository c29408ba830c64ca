"""Churn-high and escalate on everyday contact-centre traffic, by kind of traffic.

    python bench/churn_escalation_everyday.py                      # reserved rows (evaluation)
    python bench/churn_escalation_everyday.py --voc /tmp/base       # the same, with another tree's voc
    python bench/churn_escalation_everyday.py --labels corpus/labels/everyday.csv --errors churn
                                                                    # non-reserved rows: read the errors

Labels: corpus/labels/everyday_reserved.csv (1,020 reserved items, evaluation only) by default;
``--labels corpus/labels/everyday.csv`` (non-reserved) for error reading. ``--errors`` prints the
text of disagreements and refuses reserved rows (no lexicon entry may come from them).
``--voc DIR`` imports voc (and its models and corpus) from DIR, e.g. a temporary worktree of an
earlier commit (``git worktree add /tmp/base 39a50ca``), so the same command measures both.

Contacts go through the default pipeline (topics off) exactly as ``voc tag`` runs it. Precision
and recall of churn level ``high`` and of ``escalate``, per kind of traffic (complaint posts,
helpdesk dialogues, customer questions, chat utterances, reviews) and pooled.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("complaint posts", "helpdesk dialogues", "customer questions", "chat utterances", "reviews")


def kind(dataset: str) -> str:
    """As ``corpus/everyday_stats.py``'s ``kind``."""
    return {"heimao_fin_complaints_celine": "complaint posts", "stc3_dch_weibo_helpdesk": "helpdesk dialogues",
            "fin_cs_question_matching": "customer questions",
            "chinese_conversation_sentiment_xs": "chat utterances"}.get(dataset, "reviews")


def prf(pairs: list[tuple[bool, bool]]) -> dict:
    tp = sum(y and p for y, p in pairs)
    fp = sum(p and not y for y, p in pairs)
    fn = sum(y and not p for y, p in pairs)
    return {"n": len(pairs), "positives": tp + fn, "predicted": tp + fp, "tp": tp, "fp": fp, "fn": fn,
            "precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None}


def evaluate(labels: Path, errors: str | None = None, limit: int = 80, chars: int = 400) -> dict:
    from voc.api import load
    from voc.datasets import is_reserved, read_labels

    items = list(read_labels(labels))
    reserved = [is_reserved(r["dataset"], r["file"], int(r["row"])) for _, r in items]
    if errors and any(reserved):
        raise SystemExit("--errors prints text: give non-reserved labels (corpus/labels/everyday.csv).")
    pipe = load(disable=("topics",))
    tagged = []
    contacts = [c for c, _ in items]
    for i in range(0, len(contacts), 128):
        tagged += pipe.tag_batch(contacts[i:i + 128])
    rows = []
    for t, (_, r) in zip(tagged, items):
        rows.append({"kind": kind(r["dataset"]), "y_high": r["churn"] == "high",
                     "p_high": t.churn is not None and t.churn.level == "high",
                     "y_esc": r["escalate"] == "yes", "p_esc": bool(t.escalation and t.escalation.flag)})
    out: dict = {"labels": str(labels), "voc": str(Path(sys.modules["voc"].__file__).parent.parent),
                 "reserved_items": sum(reserved), "items": len(items)}
    for k in (*KINDS, "all"):
        sel = [x for x in rows if k in ("all", x["kind"])]
        out[k] = {"churn_high": prf([(x["y_high"], x["p_high"]) for x in sel]),
                  "escalate": prf([(x["y_esc"], x["p_esc"]) for x in sel])}
    if errors:
        shown = 0
        for t, (_, r), x in zip(tagged, items, rows):
            y, p = (x["y_high"], x["p_high"]) if errors == "churn" else (x["y_esc"], x["p_esc"])
            if y == p:
                continue
            why = (f"churn={r['churn']} pred={t.churn.level} {list(t.churn.reasons)}" if errors == "churn"
                   else f"escalate={r['escalate']} {list(t.escalation.reasons)}")
            print(f"\n[{'FP' if p else 'FN'}] {r['item']} {x['kind']} {why}\n  {(t.text or '')[:chars]}")
            shown += 1
            if shown >= limit:
                break
    return out


def fmt(v) -> str:
    return "  -  " if v is None else f"{v:.3f}"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", type=Path, default=ROOT / "corpus" / "labels" / "everyday_reserved.csv")
    ap.add_argument("--voc", type=Path, default=None, help="import voc from this tree (default: this one)")
    ap.add_argument("--errors", choices=["churn", "escalate"], default=None)
    ap.add_argument("--limit", type=int, default=80)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    sys.path.insert(0, str((args.voc or ROOT).resolve()))
    res = evaluate(args.labels.resolve(), args.errors, args.limit)
    print(f"voc from {res['voc']}; {res['items']} items of {res['labels']} ({res['reserved_items']} reserved)")
    print(f"{'kind':20s} {'n':>5s} | churn-high pos pred   P      R   | escalate pos pred   P      R")
    for k in (*KINDS, "all"):
        c, e = res[k]["churn_high"], res[k]["escalate"]
        print(f"{k:20s} {c['n']:5d} | {c['positives']:8d} {c['predicted']:4d} {fmt(c['precision'])} {fmt(c['recall'])}"
              f" | {e['positives']:6d} {e['predicted']:4d} {fmt(e['precision'])} {fmt(e['recall'])}")
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
