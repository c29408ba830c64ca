"""Read the public data sets in ``../shared/data`` by reference, honouring reserved rows.

The project never copies their text: labels in ``corpus/labels/`` are references
(dataset, file, row) resolved here at training and evaluation time. Rows reserved for
evaluation (see ``../shared/data/README.md``) are only returned when asked for with
``reserved=True``; training code asks for ``reserved=False``.
"""
from __future__ import annotations

import csv
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from .errors import InputError
from .records import Contact, Turn

REVIEWS = {  # dataset -> (file, text column, label column)
    "waimai_10k": ("waimai_10k.csv", "review", "label"),
    "ChnSentiCorp_htl_all": ("ChnSentiCorp_htl_all.csv", "review", "label"),
    "online_shopping_10_cats": ("online_shopping_10_cats.csv", "review", "label"),
}
HEIMAO = "heimao_fin_complaints_celine"
STC3 = "stc3_dch_weibo_helpdesk"
XS = "chinese_conversation_sentiment_xs"
QUESTIONS = "fin_cs_question_matching"  # ATEC (Ant Financial) and BQ (WeBank) customer questions
ATEC = "ATEC/atec_nlp_sim_train.csv"


# The kinds of traffic the evaluation is split by (docs/everyday_eval.md), and which data set holds which.
KINDS = ("complaint posts", "helpdesk dialogues", "customer questions", "chat utterances", "reviews")
_KIND_OF = {HEIMAO: "complaint posts", STC3: "helpdesk dialogues", QUESTIONS: "customer questions",
            XS: "chat utterances"}


def kind(dataset: str) -> str:
    """The kind of traffic a data set holds (the review sets: ``reviews``)."""
    return _KIND_OF.get(dataset, "reviews")


def shared_data_dir() -> Path | None:
    """``$VOC_SHARED_DATA``, else ``../shared/data`` beside the checkout; None when absent."""
    env = os.environ.get("VOC_SHARED_DATA")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve().parent.parent
    candidates += [here.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    for c in candidates:
        if (c / "README.md").is_file():
            return c
    return None


def require_data() -> Path:
    d = shared_data_dir()
    if d is None:
        raise InputError("the shared data sets are not here; put them in ../shared/data or set VOC_SHARED_DATA.")
    return d


def is_reserved(dataset: str, file: str, row: int) -> bool:
    """The evaluation-only rows of ../shared/data/README.md."""
    if dataset == HEIMAO:
        return file.endswith("test.csv")
    if dataset == STC3:
        return file.startswith("test") or int(row) % 5 == 0
    if dataset in REVIEWS:
        return int(row) % 10 == 0
    if dataset == XS:
        return "test" in file
    if dataset == "asap_meituan_aspects_sample":
        return file.startswith("test")
    if dataset == QUESTIONS:
        return file.endswith("test.csv") or (file == ATEC and int(row) % 10 == 0)
    return False


# -- raw readers (cached: the files are small enough, and read many times in training) ------
@lru_cache(maxsize=None)
def _heimao(file: str) -> tuple[tuple[str, int], ...]:
    path = require_data() / HEIMAO / file
    with open(path, encoding="utf-8", newline="") as f:
        return tuple((r[0], int(r[1])) for r in csv.reader(f) if len(r) >= 2)


@lru_cache(maxsize=None)
def _stc3(file: str) -> tuple[dict, ...]:
    with open(require_data() / STC3 / file, encoding="utf-8") as f:
        return tuple(json.load(f))


@lru_cache(maxsize=None)
def _reviews(dataset: str) -> tuple[dict, ...]:
    file = REVIEWS[dataset][0]
    with open(require_data() / dataset / file, encoding="utf-8-sig", newline="") as f:
        return tuple(csv.DictReader(f))


@lru_cache(maxsize=None)
def _questions(file: str) -> tuple[tuple[str, str], ...]:
    """(q1, q2) per row: ATEC is tab-separated without a header (id, q1, q2, label; a BOM on the
    first line), BQ a CSV with the header sentence1,sentence2,label."""
    path = require_data() / QUESTIONS / file
    if file == ATEC:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return tuple((r[1].lstrip("\ufeff"), r[2]) for r in csv.reader(f, delimiter="\t") if len(r) >= 3)
    with open(path, encoding="utf-8-sig", newline="") as f:
        return tuple((r["sentence1"], r["sentence2"]) for r in csv.DictReader(f))


@lru_cache(maxsize=None)
def _xs(file: str) -> tuple[str, ...]:
    """The utterances of an XS file (header ``labels,text``), in order, empty ones included."""
    with open(require_data() / XS / file, encoding="utf-8") as f:
        next(f)
        return tuple(line.rstrip("\n").partition(",")[2] for line in f)


def stc3_contact(dialogue: dict, row: int, file: str) -> Contact:
    turns = []
    for t in dialogue["turns"]:
        text = " ".join(u for u in t["utterances"] if u and u.strip())
        if text:
            turns.append(Turn("customer" if t["sender"] == "customer" else "agent", text))
    return Contact(id=f"{STC3}:{file}:{row}", turns=tuple(turns), channel="weibo",
                   metadata={"dialogue_id": dialogue.get("id")})


def contact_at(dataset: str, file: str, row: int) -> Contact:
    """The contact that a label reference points to."""
    row = int(row)
    if dataset == HEIMAO:
        text, _ = _heimao(file)[row]
        return Contact(id=f"{dataset}:{file}:{row}", turns=(Turn("customer", text),), channel="complaint")
    if dataset == STC3:
        return stc3_contact(_stc3(file)[row], row, file)
    if dataset in REVIEWS:
        r = _reviews(dataset)[row]
        return Contact(id=f"{dataset}:{file}:{row}", turns=(Turn("customer", r["review"] or ""),), channel="review",
                       metadata={"category": r["cat"]} if "cat" in r else {})
    if dataset == XS:
        return Contact(id=f"{dataset}:{file}:{row}", turns=(Turn("customer", _xs(file)[row]),), channel="chat")
    if dataset == QUESTIONS:
        raise InputError(f"{dataset} holds two questions per row; give q1 or q2 (the label file's id column).")
    raise InputError(f"unknown dataset {dataset!r} in a label reference.")


def question_at(file: str, row: int, which: str) -> Contact:
    """One customer question of a question-matching pair (``which``: q1 or q2)."""
    pair = _questions(file)[int(row)]
    if which not in ("q1", "q2"):
        raise InputError(f"question reference {file}:{row} needs q1 or q2, not {which!r}.")
    text = pair[0] if which == "q1" else pair[1]
    return Contact(id=f"{QUESTIONS}:{file}:{row}:{which}", turns=(Turn("customer", text),), channel="chat")


def read_labels(path: str | Path) -> Iterator[tuple[Contact, dict[str, str]]]:
    """(contact, labels) for every row of a label file of references (corpus/labels/*.csv)."""
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["dataset"] == QUESTIONS:
                yield question_at(r["file"], int(r["row"]), r.get("id") or ""), r
            else:
                yield contact_at(r["dataset"], r["file"], int(r["row"])), r


def iter_dataset(dataset: str, *, reserved: bool = False, file: str | None = None) -> Iterator[tuple[Contact, object]]:
    """(contact, source label) for the non-reserved rows of a data set (or only the reserved
    ones with ``reserved=True``). The source label is the data set's own (sentiment 0/1,
    heimao category, STC-3 annotations)."""
    if dataset == HEIMAO:
        files = [file] if file else ["process_category/train.csv", "process_category/dev.csv",
                                     "process_category/test.csv"]
        for fn in files:
            for i, (text, label) in enumerate(_heimao(fn)):
                if is_reserved(dataset, fn, i) == reserved:
                    yield Contact(id=f"{dataset}:{fn}:{i}", turns=(Turn("customer", text),), channel="complaint"), label
    elif dataset == STC3:
        files = [file] if file else ["train_data_cn.json", "test_data_cn.json"]
        for fn in files:
            for i, d in enumerate(_stc3(fn)):
                if is_reserved(dataset, fn, i) == reserved:
                    yield stc3_contact(d, i, fn), d.get("annotations")
    elif dataset in REVIEWS:
        fn = REVIEWS[dataset][0]
        for i, r in enumerate(_reviews(dataset)):
            if is_reserved(dataset, fn, i) == reserved and (r.get("review") or "").strip():
                yield (Contact(id=f"{dataset}:{fn}:{i}", turns=(Turn("customer", r["review"]),), channel="review"),
                       int(r["label"]))
    elif dataset == XS:
        fn = file or ("sentiment_XS_test.txt" if reserved else "sentiment_XS_30k.txt")
        if is_reserved(dataset, fn, 0) != reserved:
            return
        with open(require_data() / XS / fn, encoding="utf-8") as f:
            next(f)  # header: labels,text
            for i, line in enumerate(f):
                label, _, text = line.rstrip("\n").partition(",")
                if text.strip():
                    yield (Contact(id=f"{dataset}:{fn}:{i}", turns=(Turn("customer", text),), channel="chat"),
                           1 if label.strip() == "positive" else 0)
    else:
        raise InputError(f"unknown dataset {dataset!r}.")
