"""The plain scripts that ``bench/run_bench.py`` measures voc against.

    python bench/baselines.py train -o /tmp/bench/model.skops
    python bench/baselines.py naive WORKLOAD.jsonl -o OUT.jsonl --model /tmp/bench/model.skops
    python bench/baselines.py bare  WORKLOAD.jsonl -o OUT.jsonl --model /tmp/bench/model.skops --processes 2

* ``train``: a TF-IDF + logistic-regression root-cause model on the project's non-reserved
  labelled contacts (corpus/labels/train.csv), tokens from ``jieba.lcut``; saved with skops.
* ``naive``: what a first script looks like: one contact at a time, ``jieba.lcut``, snownlp
  sentiment and the TF-IDF/LR model, one JSON line out per contact.
* ``bare``: the least an efficient script can do: ``jieba.lcut`` and the TF-IDF/LR model on
  chunks of 256 contacts, on N processes (multiprocessing), in input order.

Both read the same workload JSONL as ``voc tag`` (``text``, or ``turns`` of which the customer
turns are joined, as voc does) and write one JSON line per contact.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def customer_text(rec: dict) -> str:
    if "text" in rec:
        return rec["text"] or ""
    return "。".join(t["text"] for t in rec.get("turns", ()) if t.get("speaker") == "customer" and t.get("text"))


def _quiet_jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def train(out: Path) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from voc.datasets import read_labels
    from voc.models import save_skops

    jieba = _quiet_jieba()
    texts, labels = [], []
    for contact, row in read_labels(ROOT / "corpus" / "labels" / "train.csv"):
        text = "。".join(t.text for t in contact.turns if t.speaker == "customer")
        texts.append(" ".join(jieba.lcut(text)))
        labels.append(row["root_cause"])
    model = make_pipeline(TfidfVectorizer(token_pattern=r"(?u)\S+", lowercase=False, sublinear_tf=True, min_df=2),
                          LogisticRegression(max_iter=1000))
    model.fit(texts, labels)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_skops(model, out)
    print(f"trained on {len(texts)} labelled contacts -> {out}")


def _load_model(path: Path):
    from voc.models import load_skops

    return load_skops(path)


def naive(inp: Path, out: Path, model_path: Path, limit: int | None) -> None:
    from snownlp import SnowNLP

    jieba = _quiet_jieba()
    jieba.initialize()
    model = _load_model(model_path)
    classes = list(model.classes_)
    _ = SnowNLP("好").sentiments  # snownlp loads its model on first use: count it as start-up
    _mark("ready")
    n = 0
    with open(inp, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as w:
        for line in f:
            if limit is not None and n >= limit:
                break
            rec = json.loads(line)
            text = customer_text(rec)
            words = jieba.lcut(text)
            sentiment = SnowNLP(text).sentiments if text.strip() else 0.5
            proba = model.predict_proba([" ".join(words)])[0]
            best = int(proba.argmax())
            w.write(json.dumps({"id": rec.get("id"), "root_cause": classes[best], "score": round(float(proba[best]), 4),
                                "sentiment": round(float(sentiment), 4)}, ensure_ascii=False) + "\n")
            n += 1
    _mark("done", n)


_MODEL = None
_MARKS: dict = {}
_T0 = time.perf_counter()


def _mark(what: str, n: int | None = None) -> None:
    _MARKS[what] = round(time.perf_counter() - _T0, 3)
    if n is not None:
        _MARKS["n"] = n


def _init(model_path: str) -> None:
    global _MODEL
    _quiet_jieba().initialize()
    _MODEL = _load_model(Path(model_path))


def _tag_chunk(lines: list[str]) -> list[str]:
    import jieba

    recs = [json.loads(line) for line in lines]
    docs = [" ".join(jieba.lcut(customer_text(r))) for r in recs]
    proba = _MODEL.predict_proba(docs)
    classes = _MODEL.classes_
    best = proba.argmax(axis=1)
    return [json.dumps({"id": r.get("id"), "root_cause": classes[b], "score": round(float(p[b]), 4)},
                       ensure_ascii=False) + "\n" for r, p, b in zip(recs, proba, best)]


def _chunks(f, size: int):
    chunk = []
    for line in f:
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bare(inp: Path, out: Path, model_path: Path, processes: int, limit: int | None) -> None:
    import itertools
    import multiprocessing as mp

    with open(inp, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as w:
        lines = itertools.islice(f, limit) if limit is not None else f
        n = 0
        if processes <= 1:
            _init(str(model_path))
            for chunk in _chunks(lines, 256):
                w.writelines(_tag_chunk(chunk))
                n += len(chunk)
        else:
            ctx = mp.get_context("forkserver")
            with ctx.Pool(processes, initializer=_init, initargs=(str(model_path),)) as pool:
                for done in pool.imap(_tag_chunk, _chunks(lines, 256), chunksize=1):
                    w.writelines(done)
                    n += len(done)
    _mark("done", n)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("-o", "--output", type=Path, required=True)
    for name in ("naive", "bare"):
        p = sub.add_parser(name)
        p.add_argument("input", type=Path)
        p.add_argument("-o", "--output", type=Path, required=True)
        p.add_argument("--model", type=Path, required=True)
        p.add_argument("--limit", type=int, default=None, help="Only the first N contacts.")
        if name == "bare":
            p.add_argument("--processes", type=int, default=2)
    args = ap.parse_args(argv)
    if args.cmd == "train":
        train(args.output)
        return
    if args.cmd == "naive":
        naive(args.input, args.output, args.model, args.limit)
    else:
        bare(args.input, args.output, args.model, args.processes, args.limit)
    # seconds since the script started: "ready" (models loaded), "done"; run_bench.py reads this
    print("BENCH " + json.dumps(_MARKS), file=sys.stderr)


if __name__ == "__main__":
    main()
