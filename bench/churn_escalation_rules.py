"""Read what the escalation rules and the churn exit cues fire on in everyday traffic (NON-reserved rows).

    python bench/churn_escalation_rules.py                  # hits per rule and per exit cue, with examples
    python bench/churn_escalation_rules.py --rule third_party_harassment --limit 60
    python bench/churn_escalation_rules.py --exit --limit 40
    python bench/churn_escalation_rules.py --labels corpus/labels/train.csv   # per rule: hits labelled escalate yes / no

Everyday traffic that is almost never a complaint: the ATEC and BQ customer questions and the XS
chat utterances of ../shared/data, non-reserved rows only (ATEC rows with index % 10 != 0, BQ
dev.csv, XS sentiment_XS_30k.txt). Of the 1,200 such items labelled in corpus/labels/everyday.csv
none is labelled escalate and 16 churn high, so nearly every hit here is a false positive to read.
Text conditions only (normalised text, as the stages see it; rules on churn level, tier or
repeats are skipped). Reserved rows are never read.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def everyday_texts() -> list[tuple[str, str]]:
    """(reference, normalised text) of the non-reserved questions and chat utterances."""
    from voc import datasets as D
    from voc.text.normalise import normalise

    out = []
    for file in (D.ATEC, "BQ_corpus/dev.csv"):
        for i, pair in enumerate(D._questions(file)):
            if not D.is_reserved(D.QUESTIONS, file, i):
                out += [(f"{file}:{i}:q{k + 1}", q) for k, q in enumerate(pair)]
    xs = "sentiment_XS_30k.txt"
    out += [(f"{xs}:{i}", u) for i, u in enumerate(D._xs(xs)) if not D.is_reserved(D.XS, xs, i)]
    seen, texts = set(), []
    for ref, q in out:
        t = normalise(q or "")
        if t and t not in seen:
            seen.add(t)
            texts.append((ref, t))
    return texts


def labelled_texts(path: Path) -> list[tuple[str, str, bool]]:
    """(item, normalised customer text, labelled escalate) of the non-reserved rows of a label file."""
    from voc.datasets import is_reserved, read_labels
    from voc.records import customer_text
    from voc.text.normalise import normalise

    return [(r["item"], normalise(customer_text(c.turns)), r["escalate"] == "yes") for c, r in read_labels(path)
            if not is_reserved(r["dataset"], r["file"], int(r["row"]))]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rule", default=None, help="show only this rule's hits")
    ap.add_argument("--exit", action="store_true", help="show the churn exit cues that count instead")
    ap.add_argument("--limit", type=int, default=8, help="examples per rule or cue")
    ap.add_argument("--rules", default=None, help="a user rules file")
    ap.add_argument("--labels", type=Path, default=None,
                    help="a label file: count each rule's hits labelled escalate yes and no (non-reserved rows only)")
    ap.add_argument("--show", choices=["no", "yes", "all"], default="no", help="with --labels: which hits to print")
    args = ap.parse_args(argv)
    if args.labels:
        texts = [(item, t) for item, t, _ in labelled_texts(args.labels)]
        gold = {item: y for item, _, y in labelled_texts(args.labels)}
    else:
        texts, gold = everyday_texts(), {}
    print(f"{len(texts)} texts")
    if args.exit:
        from voc.estimators.churn import ChurnInput, Scorer

        scorer = Scorer()
        hits: dict[str, list[str]] = defaultdict(list)
        for ref, t in texts:
            f = scorer.features(ChurnInput(t, None, None, None, None, 0))
            for term in f.terms["exit"]:
                hits[term].append(t)
        for term, xs in sorted(hits.items(), key=lambda x: -len(x[1])):
            print(f"\n== exit {term}: {len(xs)}")
            for x in xs[:args.limit]:
                print("   ", x[:120])
        return
    from voc.stages.escalation import load_rules

    rules = [r for r in load_rules(args.rules).rules if r.enabled and (r.any or r.regex or r.all)]
    count: Counter = Counter()
    for r in rules:
        if args.rule and r.id != args.rule:
            continue
        shown, yes = [], 0
        for ref, t in texts:
            if r.unless and any(u in t for u in r.unless) or r.context and not any(c in t for c in r.context):
                continue
            words = r.match_text(t)
            if words is not None:
                count[r.id] += 1
                y = gold.get(ref)
                yes += bool(y)
                if not gold or args.show == "all" or (args.show == "yes") == y:
                    shown.append((words, f"{ref} {'yes' if y else 'no'}: " * bool(gold) + t))
        labelled = f" ({yes} labelled escalate yes)" if gold else ""
        print(f"\n== {r.id} ({r.reason}): {count[r.id]} hits{labelled}")
        for words, t in shown[:args.limit]:
            print(f"    [{'、'.join(words)}] {t[:160]}")


if __name__ == "__main__":
    main()
