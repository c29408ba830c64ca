"""Contact-type training: the everyday-traffic labels, weak labels, evaluation by kind of traffic
and ``build_default`` (models/contact_type/<version>/ with manifest and model card).

    python -m voc.build contact_type          # rebuild the shipped model
    python -m voc.training.contact_type       # the shipped model on the reserved rows, by kind

Training data: ``corpus/labels/everyday.csv`` and the contact-type labels of
``corpus/labels/everyday_more.csv`` (hand labels, non-reserved rows), plus weak labels
that the taxonomy makes certain (section 7): reviews of ``corpus/labels/train.csv`` by their
hand-labelled sentiment (negative -> complaint, positive -> praise, neutral -> other) and
non-reserved XS chat utterances (chit-chat with a bot -> other). Weak rows train with a lower
weight and stay out of the development folds. The reserved rows (``everyday_reserved.csv``)
are only evaluated.
"""
from __future__ import annotations

import logging
import random
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..estimators.contact_type import NAME, VERSION, ContactTypeClassifier, check_label
from ..records import Contact
from ..resources import corpus_path
from .text import prepare
from ..datasets import KINDS, kind

log = logging.getLogger(__name__)

WEAK_REVIEW_WEIGHT = 0.2  # of the weak review rows (0.1 and 0.5 were lower on development folds)
WEAK_CHAT = 1000  # non-reserved XS utterances drawn as `other`
# of those weak chat rows: at 0.2 (the reviews' weight) chat utterances lost 0.035 on development
# folds once the sixth round's reviews and questions came in (bench/more_labels_dev.py
# --weak-chat-weight; docs/contact_type.md, contact type 1.3.0)
WEAK_CHAT_WEIGHT = 0.5
REVIEW_TYPE = {"negative": "complaint", "positive": "praise", "neutral": "other"}  # taxonomy section 7


def labels_dir() -> Path:
    return corpus_path() / "labels"


def read_everyday(name: str = "everyday.csv") -> list[tuple[Contact, dict[str, str]]]:
    """(contact, label row) of an everyday-traffic label file; the row gains ``kind``."""
    from ..datasets import read_labels

    return [(c, {**r, "kind": kind(r["dataset"])}) for c, r in read_labels(labels_dir() / name)]


MORE_FILE = "everyday_more.csv"  # later labelling rounds: only some fields filled per item


def hand_labelled(field: str, more: bool = True) -> list[tuple[Contact, dict[str, str]]]:
    """The non-reserved hand labels of ``field``: every row of ``everyday.csv``, then the rows of
    ``everyday_more.csv`` that fill it (each row gains ``source``, the file). A reserved row in
    either file is refused: these files train models."""
    from ..datasets import is_reserved
    from ..errors import InputError

    pairs = [(c, {**r, "source": "everyday.csv"}) for c, r in read_everyday()]
    if more and (labels_dir() / MORE_FILE).exists():
        pairs += [(c, {**r, "source": MORE_FILE}) for c, r in read_everyday(MORE_FILE) if r.get(field)]
    for _, r in pairs:
        if is_reserved(r["dataset"], r["file"], int(r["row"])):
            raise InputError(f"{r['source']} row {r['item']} is reserved; training labels must not be.")
    return pairs


def group_of(row: dict[str, str]) -> str:
    """Rows that share a source row (the two questions of one ATEC/BQ pair) share a fold."""
    return f"{row['dataset']}:{row['file']}:{row['row']}"


def weak_rows(exclude: set[str], seed: int = 0) -> tuple[list[Contact], list[str], dict[str, int]]:
    """Weakly labelled contacts from non-reserved rows: reviews of train.csv by their labelled
    sentiment, then XS chat utterances as ``other``."""
    from ..datasets import XS, iter_dataset, read_labels

    contacts, labels, counts = [], [], Counter()
    for c, r in read_labels(labels_dir() / "train.csv"):
        if kind(r["dataset"]) == "reviews" and c.id not in exclude and r["sentiment"] in REVIEW_TYPE:
            contacts.append(c)
            labels.append(REVIEW_TYPE[r["sentiment"]])
            counts["train.csv reviews"] += 1
    chat = [c for c, _ in iter_dataset(XS) if c.id not in exclude]
    for c in random.Random(seed).sample(chat, min(WEAK_CHAT, len(chat))):
        contacts.append(c)
        labels.append("other")
        counts[f"{XS} (non-reserved)"] += 1
    return contacts, labels, dict(counts)


def training_data(seed: int = 0, weak: bool = True, more: bool = True) -> dict[str, Any]:
    pairs = hand_labelled("contact_type", more)
    contacts = [c for c, _ in pairs]
    y = [check_label(r["contact_type"]) for _, r in pairs]
    groups = [group_of(r) for _, r in pairs]
    weights = [1.0] * len(contacts)
    counts: dict[str, int] = dict(Counter(f"corpus/labels/{r['source']}" for _, r in pairs))
    if weak:
        wc, wy, wcounts = weak_rows({c.id for c in contacts}, seed)
        contacts += wc
        y += wy
        groups += [f"weak:{i}" for i in range(len(wc))]
        weights += weak_weights(wcounts)
        counts.update(wcounts)
    return {"X": prepare(contacts), "y": y, "sample_weight": weights, "groups": groups, "counts": counts,
            "kinds": [r["kind"] for _, r in pairs], "sources": [r["source"] for _, r in pairs]}


def by_kind(kinds: Sequence[str], gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    """Accuracy (and items) per kind of traffic and pooled."""
    out: dict[str, Any] = {}
    for k in (*KINDS, "pooled"):
        sel = [g == p for kk, g, p in zip(kinds, gold, pred) if k == "pooled" or kk == k]
        if sel:
            out[k] = {"items": len(sel), "accuracy": round(float(np.mean(sel)), 4)}
    return out


def evaluate_reserved(model: ContactTypeClassifier) -> dict[str, Any]:
    """Accuracy by kind on ``everyday_reserved.csv``, the confusion counts, and the items."""
    pairs = read_everyday("everyday_reserved.csv")
    pred = model.predict(prepare([c for c, _ in pairs]))
    gold = [r["contact_type"] for _, r in pairs]
    report = by_kind([r["kind"] for _, r in pairs], gold, pred)
    report["confusion"] = {f"{g}->{p}": n for (g, p), n in sorted(Counter(zip(gold, pred)).items()) if g != p}
    return report


def train(seed: int = 0, more: bool = True, **params: Any) -> tuple[ContactTypeClassifier, dict[str, Any]]:
    data = training_data(seed, more=more)
    model = ContactTypeClassifier(random_state=seed, **params).fit(
        data["X"], data["y"], sample_weight=data["sample_weight"], groups=data["groups"])
    return model, data


def build_default(models_root: str | Path, seed: int = 0) -> Path:
    """Train the shipped model on the non-reserved rows, evaluate it on the reserved rows by
    kind, and write ``models_root/contact_type/<VERSION>/`` with manifest and model card."""
    import shutil

    from ..datasets import require_data

    require_data()
    model, data = train(seed)
    n_hand = len(data["kinds"])
    dev = by_kind(data["kinds"], data["y"][:n_hand], model.dev_["pred"])
    reserved = evaluate_reserved(model)
    metrics = {"reserved_everyday": reserved, "dev_everyday": dev,
               "dev_folds": model.dev_["folds"], "temperature": model.model_.temperature_}
    sources = [{"file": k, "items": v, "labels": "hand" if _hand(k) else "weak",
                **({} if _hand(k) else {"weight": _weak_weight(k)})} for k, v in data["counts"].items()]
    sources.append({"file": "corpus/labels/everyday_reserved.csv", "used_for": "evaluation only"})
    folder = Path(models_root) / NAME / VERSION
    if folder.exists():
        shutil.rmtree(folder)
    model.save(folder, version=VERSION, card=model_card(model, data["counts"], dev, reserved),
               description="Contact type (complaint/inquiry/request/praise/suggestion/other) of Chinese customer "
                           "contacts: calibrated linear model on char n-grams, tokens, agent context and cues",
               data_sources=sources, metrics=metrics)
    return folder


def _hand(source: str) -> bool:
    return source.endswith(("everyday.csv", MORE_FILE))


def _weak_weight(source: str) -> float:
    return WEAK_REVIEW_WEIGHT if source == "train.csv reviews" else WEAK_CHAT_WEIGHT


def weak_weights(counts: dict[str, int]) -> list[float]:
    """The sample weight of each row of ``weak_rows``, from its counts (rows come source by
    source, in the counts' order)."""
    return [w for k, n in counts.items() for w in [_weak_weight(k)] * n]


def _table(report: dict[str, Any]) -> list[str]:
    lines = ["| kind | items | accuracy |", "|---|---:|---:|"]
    for k in (*KINDS, "pooled"):
        if k in report:
            lines.append(f"| {k} | {report[k]['items']} | {report[k]['accuracy']:.3f} |")
    return lines


def model_card(model: ContactTypeClassifier, counts: dict[str, int], dev: dict[str, Any],
               reserved: dict[str, Any]) -> str:
    lines = [f"# Contact-type model {VERSION}", "",
             "Why the customer got in touch (taxonomy section 7): complaint, inquiry, request, praise, "
             "suggestion, other. `voc.estimators.contact_type.ContactTypeClassifier`: one-vs-rest logistic "
             "regressions over character 1-2-grams and tokens of the customer text, character bigrams of the "
             "agent turns (weighted down) and cue indicators (among them something-went-wrong vs how-to for "
             "questions), softmax with a temperature fitted on development folds; request, suggestion and "
             "praise rows weigh more in training "
             f"({', '.join(f'{k} x{v:g}' for k, v in model.class_boost.items())}). Rebuild: `python -m voc.build contact_type`; evaluate: "
             "`python -m voc.training.contact_type`.", "", "## Training data", ""]
    lines += [f"- {k}: {v:,} items" + ("" if _hand(k) else f" (weak labels, weight {_weak_weight(k)})")
              for k, v in counts.items()]
    lines += ["", "Weak labels: reviews by their hand-labelled sentiment (negative -> complaint, positive -> "
              "praise, neutral -> other: the taxonomy's review rule) and XS chat utterances (chit-chat -> other).",
              "", "## Reserved rows (`corpus/labels/everyday_reserved.csv`), accuracy by kind", ""]
    lines += _table(reserved)
    lines += ["", "Most frequent confusions (gold->predicted): " + ", ".join(
        f"{k} {v}" for k, v in sorted(reserved["confusion"].items(), key=lambda kv: -kv[1])[:8]),
        "", "## Development folds (out of fold, hand-labelled rows of everyday.csv)", ""]
    lines += _table(dev)
    lines += ["", "## Where it is reliable and where it is not", "",
              "- Reliable: chat chit-chat (other), complaint posts, helpdesk dialogues (complaint vs inquiry).",
              "- Less reliable: short customer questions, where a question about a failure (\"为什么我的花呗用不了\") "
              "is a complaint and a neutral one an inquiry; the annotators themselves agree on 87% of them.",
              "- Less reliable: reviews (praise vs complaint vs other by the customer's polarity: mostly-positive reviews with a "
              "complaint) and the rare classes, suggestion above all (21 hand-labelled training items).",
              "- Trained on Chinese Weibo helpdesk threads, Alipay/WeBank questions, chat, reviews and financial "
              "complaints: other domains (telecom calls, e-commerce chats) are untested.", ""]
    return "\n".join(lines)


def main() -> None:
    from ..models import find

    folder = find(NAME)
    if folder is None:
        raise SystemExit("no contact-type model ships; run python -m voc.build contact_type")
    report = evaluate_reserved(ContactTypeClassifier.load(folder))
    print(f"contact type, {folder}, corpus/labels/everyday_reserved.csv")
    print("\n".join(_table(report)))


if __name__ == "__main__":
    main()
