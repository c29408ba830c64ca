"""Root-cause training: labelled files, weak supervision over the non-reserved rows of
``../shared/data``, ``train``, ``evaluate``, ``label_sample`` (the CLI's library functions) and
``build_default``, the shipped model. Every text goes through ``voc.training.text``."""
from __future__ import annotations

import csv
import heapq
import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import ConfigError, InputError, ModelError, OutputError
from ..estimators.root_cause import LABELS, NAME, VERSION, RootCauseClassifier, check_label
from ..estimators.root_cause_cues import RootCauseCues, read_cues
from ..records import Contact, Doc, RootCause, Tagged, Turn
from .root_cause_card import ADJUDICATED, DATA_SOURCES, EVERYDAY_WEIGHT, everyday_report, model_card
from .text import prepare, tag_through

log = logging.getLogger(__name__)

WEAK_SOURCES = ("heimao_fin_complaints_celine", "stc3_dch_weibo_helpdesk", "waimai_10k",
                "ChnSentiCorp_htl_all", "online_shopping_10_cats")
WEAK_PER_CLASS = 1200
POLARITY_PER_SOURCE = 10000
EVERYDAY = "everyday.csv"  # corpus/labels/: everyday contact-centre traffic (issue 15), non-reserved
# the root-cause rows of everyday_more.csv: not read by 1.4.1 (on development folds they did not help,
# docs/root_cause.md "Fifth round"); bench/root_cause_dev.py measures them
MORE_LABELS = False
MORE_WEIGHT = EVERYDAY_WEIGHT  # sample weight of the root-cause rows of everyday_more.csv (development folds)
STRATUM_WEIGHT: dict[str, float] = {}  # everyday_more.csv stratum -> weight instead of MORE_WEIGHT (0: left out)
LABEL_SHEET_COLUMNS = ("id", "text", "turns", "predicted", "confidence", "margin", "root_cause", "secondary", "note")


# -- labelled data ------------------------------------------------------------------------------
def read_labelled(path: str | Path) -> list[tuple[Contact, str]]:
    """(contact, root cause) pairs from a labelled file.

    Either a reference file like ``corpus/labels/train.csv`` (columns dataset, file, row,
    root_cause; resolved in ``../shared/data``), or your own CSV/TSV/XLSX/JSONL with columns
    ``id``, ``text`` (or ``turns``: a JSON list of {speaker, text}) and ``root_cause``.
    Rows with an empty ``root_cause`` are skipped (an analyst may leave rows unlabelled). An
    optional ``secondary`` column (a second root cause) stays in the contact's metadata
    (``secondary_labels``).
    """
    from ..datasets import read_labels
    from ..io.readers import RowError, read_contacts

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} does not exist; give a labelled CSV or JSONL file.")
    if path.suffix.lower() == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f), [])
        if {"dataset", "file", "row", "root_cause"} <= set(header):
            return [(replace(c, metadata={**c.metadata, "secondary": r["secondary"]}) if r.get("secondary") else c,
                     check_label(r["root_cause"])) for c, r in read_labels(path)
                    if r["root_cause"].strip()]
    out: list[tuple[Contact, str]] = []
    skipped = 0
    for item in read_contacts(path):
        if isinstance(item, RowError):
            raise InputError(f"{item.source}: {item.reason}; fix that row of the labelled file.")
        meta = dict(item.metadata)
        label = str(meta.pop("root_cause", "") or "").strip()
        if not label:
            skipped += 1
            continue
        turns = item.turns
        raw_turns = meta.pop("turns", None)
        if isinstance(raw_turns, str) and raw_turns.strip():
            try:
                turns = tuple(Turn(t["speaker"], t["text"]) for t in json.loads(raw_turns))
            except (ValueError, KeyError, TypeError):
                raise InputError(f"{item.source}: the 'turns' cell is not a JSON list of "
                                 f"{{speaker, text}}; fix it or leave it empty.") from None
        try:
            lab = check_label(label)
        except InputError as e:
            raise InputError(f"{item.source}: {e}") from None
        out.append((replace(item, turns=turns, metadata=meta), lab))
    if skipped:
        log.info("%s: skipped %d rows without a root_cause label", path, skipped)
    if not out:
        raise InputError(f"{path} has no labelled rows; fill in the root_cause column.")
    return out


def secondary_labels(pairs: Sequence[tuple[Contact, str]]) -> list[str | None]:
    """The optional secondary root cause of each labelled contact (``read_labelled``)."""
    return [str(c.metadata.get("secondary") or "").strip() or None for c, _ in pairs]


# -- weak supervision over the shared data -----------------------------------------------------------
def weak_label(text: str, matcher: RootCauseCues, *, positive_review: bool | None = None,
               min_score: float = 2.0, min_margin: float = 1.0) -> str | None:
    """A weak label from cues alone, or None when the cues do not point clearly to one label.

    A contact whose cues for one label sum to at least ``min_score`` and beat every other label
    by ``min_margin`` gets that label. A review known to be positive gets ``other`` (praise)
    when it has no strong cue at all; a positive review with cues gets nothing (praise that
    mentions 味道 or 房间 is not a product complaint).
    """
    s = matcher.scores(text)
    ranked = sorted(s.items(), key=lambda kv: (-kv[1], kv[0]))
    (top, s1), (_, s2) = ranked[0], ranked[1]
    if positive_review:
        return "other" if s1 < 1.5 else None
    if s1 >= min_score and s1 - s2 >= min_margin:
        return top
    return None



def weak_contacts(exclude: set[str], cues: Sequence[tuple[str, str, float]] | None = None,
                  per_class: int = WEAK_PER_CLASS, seed: int = 0) -> tuple[list[Contact], list[str]]:
    """Weakly labelled contacts from the NON-reserved rows of ``../shared/data``.

    Every non-reserved contact not in ``exclude`` (the hand-labelled ones) is labelled with
    ``weak_label`` (cues on the customer text; review polarity only to find praise), then at
    most ``per_class`` of each label are drawn at random with ``seed``.
    """
    from ..datasets import REVIEWS, iter_dataset

    matcher = RootCauseCues(cues if cues is not None else read_cues())
    pools: dict[str, list[Contact]] = {lab: [] for lab in LABELS}
    for ds in WEAK_SOURCES:
        for contact, src in iter_dataset(ds, reserved=False):
            if contact.id in exclude:
                continue
            text = "。".join(t.text for t in contact.turns if t.speaker == "customer")
            positive = (src == 1) if ds in REVIEWS else None
            lab = weak_label(text, matcher, positive_review=positive)
            if lab is not None:
                pools[lab].append(contact)
    rng = np.random.RandomState(seed)
    contacts, labels = [], []
    for lab in LABELS:
        pool = pools[lab]
        take = sorted(rng.permutation(len(pool))[:per_class]) if len(pool) > per_class else range(len(pool))
        for i in take:
            contacts.append(pool[i])
            labels.append(lab)
    log.info("weak supervision: %s", {lab: labels.count(lab) for lab in LABELS})
    return contacts, labels


# -- the shipped default model -----------------------------------------------------------------------
def _labels_dir() -> Path:
    from ..resources import corpus_path

    return corpus_path("labels")


def polarity_contacts(exclude: set[str], per_source: int = POLARITY_PER_SOURCE,
                      seed: int = 0) -> tuple[list[Contact], list[int]]:
    """Reviews from the NON-reserved rows of the review sets with their own polarity
    (1 positive, 0 negative): at most ``per_source`` per set, drawn at random with ``seed``."""
    from ..datasets import REVIEWS, iter_dataset

    rng = np.random.RandomState(seed)
    contacts, labels = [], []
    for ds in REVIEWS:
        items = [(c, int(lab)) for c, lab in iter_dataset(ds, reserved=False) if c.id not in exclude]
        take = sorted(rng.permutation(len(items))[:per_source]) if len(items) > per_source else range(len(items))
        for i in take:
            contacts.append(items[i][0])
            labels.append(items[i][1])
    return contacts, labels


def labelled_pairs(more: bool | None = None) -> tuple[list[tuple[Contact, str]], list[float]]:
    """The hand-labelled training contacts and their sample weights: corpus/labels/train.csv
    (weight 1), the everyday-traffic labels corpus/labels/everyday.csv (customer questions,
    helpdesk dialogues, chat utterances, complaints, reviews; weight ``EVERYDAY_WEIGHT``) and, when
    ``more`` (default ``MORE_LABELS``), the rows of corpus/labels/everyday_more.csv that fill
    ``root_cause`` (weight ``MORE_WEIGHT``, or ``STRATUM_WEIGHT`` of the row's stratum). A contact
    labelled in both train.csv and an everyday file keeps its everyday label, the newer reading
    against the taxonomy that includes section 7's "no cause without a problem"; it appears once.
    Non-reserved rows only: ``voc.training.contact_type.hand_labelled`` refuses a reserved row."""
    from .contact_type import MORE_FILE, hand_labelled

    everyday = read_labelled(_labels_dir() / EVERYDAY)
    weights = [EVERYDAY_WEIGHT] * len(everyday)
    if MORE_LABELS if more is None else more:
        seen = {c.id for c, _ in everyday}
        for c, r in hand_labelled("root_cause"):
            w = STRATUM_WEIGHT.get(r.get("stratum", ""), MORE_WEIGHT)
            if r["source"] == MORE_FILE and c.id not in seen and w > 0:
                seen.add(c.id)
                everyday.append((replace(c, metadata={**c.metadata, "secondary": r["secondary"]})
                                 if r.get("secondary") else c, check_label(r["root_cause"])))
                weights.append(w)
    again = {c.id for c, _ in everyday}
    pairs = [p for p in read_labelled(_labels_dir() / "train.csv") if p[0].id not in again]
    return pairs + everyday, [1.0] * len(pairs) + weights


def default_training_data(seed: int = 0, weak: bool = True, polarity: bool = True,
                          cues: Sequence[tuple[str, str, float]] | None = None, more: bool | None = None) -> dict[str, Any]:
    """``fit`` arguments of the shipped model: the hand labels of ``labelled_pairs`` (train.csv
    and everyday.csv), plus (``weak``) contacts labelled by the cue lexicon and (``polarity``)
    reviews with their polarity, all from the non-reserved rows of ../shared/data that are not
    hand-labelled."""
    pairs, weights = labelled_pairs(more)
    exclude = {c.id for c, _ in pairs}
    out: dict[str, Any] = {"X": prepare([c for c, _ in pairs]), "y": [lab for _, lab in pairs],
                           "y_secondary": secondary_labels(pairs), "sample_weight": weights}
    if weak:
        wc, wy = weak_contacts(exclude, cues=cues, seed=seed)
        out["X_weak"], out["y_weak"] = prepare(wc), wy
    auxiliary = {}
    if polarity:
        pc, py = polarity_contacts(exclude, seed=seed)
        auxiliary["polarity"] = (prepare(pc), ["negative" if v == 0 else "positive" for v in py])
    if auxiliary:
        out["auxiliary"] = auxiliary
    return out


# -- library functions behind the CLI ------------------------------------------------------------
def train(data: str | Path, output: str | Path, *, unlabelled: str | Path | None = None,
          lexicon: str | Path | None = None, version: str = VERSION, seed: int = 0,
          **params: Any) -> Path:
    """Train a root-cause model on a labelled file and save it as a model folder.

    ``unlabelled`` (a contacts file) adds weak supervision: contacts whose cues in ``lexicon``
    (default: the project's) point clearly to one label.
    """
    pairs = read_labelled(data)
    docs = prepare([c for c, _ in pairs])
    y = [lab for _, lab in pairs]
    X_weak = y_weak = None
    if unlabelled:
        from ..io.readers import read_contacts

        matcher = RootCauseCues(read_cues(lexicon))
        weak_c, y_weak = [], []
        for c in read_contacts(unlabelled):
            if isinstance(c, Contact):
                lab = weak_label("。".join(t.text for t in c.turns if t.speaker == "customer"), matcher)
                if lab:
                    weak_c.append(c)
                    y_weak.append(lab)
        X_weak = prepare(weak_c)
    model = RootCauseClassifier(random_state=seed, lexicon=str(lexicon) if lexicon else None, **params)
    model.fit(docs, y, X_weak=X_weak, y_weak=y_weak, y_secondary=secondary_labels(pairs))
    sources = [{"labelled": Path(data).name, "rows": len(pairs)}]
    if unlabelled:
        sources.append({"unlabelled": Path(unlabelled).name, "weakly_labelled": len(y_weak or [])})
    return model.save(output, version=version, data_sources=sources,
                      metrics={"dev": model.dev_} if model.dev_ else {})


def load_model(model: str | Path | None = None) -> RootCauseClassifier:
    """The model in folder ``model``, else the shipped one."""
    from ..models import find

    folder = Path(model) if model else find(NAME)
    if folder is None:
        raise ModelError("no root-cause model ships here; build one (python -m voc.build root_cause) or "
                         "give --model.")
    return RootCauseClassifier.load(folder)


def evaluate(data: str | Path, model: str | Path | RootCauseClassifier | None = None,
             output: str | Path | None = None) -> dict[str, Any]:
    """Score a model (default: the shipped one) on a labelled file: per-class precision, recall,
    F1, macro-F1, confusion matrix, and the evidence rate; written as JSON to ``output``."""
    from ..evaluation import classification_report, write_report

    clf = model if isinstance(model, RootCauseClassifier) else load_model(model)
    pairs = read_labelled(data)
    docs = prepare([c for c, _ in pairs])
    results = clf.explain(docs)
    report = classification_report([lab for _, lab in pairs], [r.label for r in results], labels=LABELS)
    report["evidence"] = evidence_rate(docs, results)
    report["model"] = {"version": (getattr(clf, "manifest_", None) or {}).get("version", "unsaved")}
    report["data"] = str(data)
    if output:
        write_report(report, output)
    return report


def evidence_rate(docs: Sequence[Doc], results: Sequence[RootCause]) -> dict[str, Any]:
    """Share of non-other predictions whose evidence is non-empty and inside the customer text."""
    n = ok = 0
    for d, r in zip(docs, results):
        if r.label == "other":
            continue
        n += 1
        ok += bool(r.evidence) and all(e and e in d.text for e in r.evidence)
    return {"non_other": n, "with_evidence_in_text": ok, "rate": round(ok / n, 4) if n else None}


def label_sample(inputs: Sequence[str | Path], n: int, output: str | Path, *,
                 model: str | Path | None = None, batch_size: int = 512, read_options: dict | None = None,
                 names: str | Path | None = None) -> Path:
    """Write the ``n`` contacts the model is least sure about (smallest margin between its two
    best labels) to a CSV for an analyst: fill in ``root_cause`` and pass the file to
    ``voc train root-cause --data``. The text is normalised and redacted, as ``voc tag`` outputs it."""
    from ..io.readers import RowError, read_contacts
    from ..io.writers import escape_cell

    if n < 1:
        raise ConfigError(f"--sample must be at least 1, got {n}.")
    clf = load_model(model)
    heap: list[tuple[float, int, dict[str, Any]]] = []  # min-heap on -uncertainty
    seq = 0

    def score(live: list[Tagged]) -> None:
        nonlocal seq
        probs = clf.predict_proba([Doc.of(t) for t in live])
        labels = clf.decide(probs)
        srt = np.sort(probs, axis=1)
        margins = srt[:, -1] - srt[:, -2] if probs.shape[1] > 1 else srt[:, -1]
        for t, p, lab, m in zip(live, probs, labels, margins):
            row = {"id": t.contact.id, "text": t.text,
                   "turns": json.dumps([{"speaker": x.speaker, "text": x.text} for x in t.turns or ()],
                                       ensure_ascii=False) if t.contact.is_dialogue else "",
                   "predicted": clf.classes_[lab], "confidence": f"{p.max():.4f}", "margin": f"{m:.4f}",
                   "root_cause": "", "secondary": "", "note": ""}
            key = (-round(float(m), 6), -seq)  # keep smallest margins; earlier rows win ties
            seq += 1
            if len(heap) < n:
                heapq.heappush(heap, (key, seq, row))
            elif key > heap[0][0]:
                heapq.heapreplace(heap, (key, seq, row))

    def contacts():
        for path in inputs:
            yield from (item for item in read_contacts(path, **(read_options or {})) if not isinstance(item, RowError))

    live: list[Tagged] = []
    for t in tag_through(contacts(), "segment", batch_size=batch_size):
        if (t.text or "").strip():
            live.append(t)
            if len(live) >= batch_size:
                score(live)
                live = []
    if live:
        score(live)
    from ..text.redact import Redactor, read_names  # issue 16: the label sheet leaves voc: every cell scrubbed

    scrub = Redactor(names=read_names(names) if names else ()).scrub
    rows = [scrub(r) for _, _, r in sorted(heap, key=lambda x: (-x[0][0], -x[0][1]))]
    output = Path(output)
    try:
        with open(output, "w", encoding="utf-8-sig", newline="") as f:  # BOM: opens cleanly in Excel
            w = csv.DictWriter(f, fieldnames=LABEL_SHEET_COLUMNS)
            w.writeheader()
            w.writerows({k: escape_cell(v) for k, v in r.items()} for r in rows)  # no live formulas
    except OSError as e:
        raise OutputError(f"cannot write {output} ({e.strerror}); choose a writable path.") from None
    return output


def reserved_report(model: RootCauseClassifier | Any, docs: Sequence[Doc] | None = None,
                    labels: Sequence[str] | None = None) -> dict[str, Any]:
    """Metrics of a model (any object with ``explain`` on docs) on corpus/labels/reserved_eval.csv,
    or on the given docs and labels."""
    from ..evaluation import classification_report

    if docs is None:
        pairs = read_labelled(_labels_dir() / "reserved_eval.csv")
        docs, labels = prepare([c for c, _ in pairs]), [lab for _, lab in pairs]
    results = model.explain(docs)
    report = classification_report(labels, [r.label for r in results], labels=LABELS)
    report["evidence"] = evidence_rate(docs, results)
    return report


def build_default(models_root: str | Path, seed: int = 0) -> Path:
    """Train the shipped model from corpus/ and ../shared/data and write
    ``models_root/root_cause/<VERSION>/`` with manifest and model card."""
    import time

    from ..datasets import require_data

    require_data()
    t0 = time.monotonic()
    data = default_training_data(seed=seed)
    model = RootCauseClassifier(random_state=seed).fit(**data)
    log.info("trained in %.0f s", time.monotonic() - t0)
    pairs = read_labelled(_labels_dir() / "reserved_eval.csv")
    rdocs, rlabels = prepare([c for c, _ in pairs]), [lab for _, lab in pairs]
    report = reserved_report(model, rdocs, rlabels)
    from ..stages.baseline import CueRootCause

    base = CueRootCause()
    base_labels = [base.predict_one(d.text).label for d in rdocs]
    from ..evaluation import classification_report

    base_report = classification_report(rlabels, base_labels, labels=LABELS)
    no_weak = RootCauseClassifier(random_state=seed).fit(data["X"], data["y"], data["sample_weight"],
                                                         y_secondary=data["y_secondary"])
    no_weak_report = reserved_report(no_weak, rdocs, rlabels)
    metrics = {
        "reserved_eval": {"items": len(rlabels), "macro_f1": report["macro_f1"], "accuracy": report["accuracy"],
                          "per_class_f1": {k: v["f1"] for k, v in report["per_class"].items()},
                          "evidence_rate": report["evidence"]["rate"]},
        "keyword_baseline_reserved_eval": {"macro_f1": base_report["macro_f1"]},
        "without_weak_supervision_reserved_eval": {"macro_f1": no_weak_report["macro_f1"]},
        "without_weak_supervision_dev": no_weak.dev_,
        "dev": model.dev_,
    }
    everyday = everyday_report(model)
    if everyday is not None:
        metrics["everyday_reserved"] = everyday
    adjudicated = None
    if (_labels_dir() / ADJUDICATED).exists():  # the same reserved contacts, adjudicated labels
        alabels = [lab for _, lab in read_labelled(_labels_dir() / ADJUDICATED)]
        adjudicated = reserved_report(model, rdocs, alabels)
        metrics["reserved_adjudicated"] = {
            "items": len(alabels), "macro_f1": adjudicated["macro_f1"], "accuracy": adjudicated["accuracy"],
            "per_class_f1": {k: v["f1"] for k, v in adjudicated["per_class"].items()},
            "keyword_baseline_macro_f1": classification_report(alabels, base_labels, labels=LABELS)["macro_f1"],
            "without_weak_supervision_macro_f1": reserved_report(no_weak, rdocs, alabels)["macro_f1"]}
    folder = Path(models_root) / NAME / VERSION
    card = model_card(model, report, base_report, pairs, no_weak_report, adjudicated, everyday)
    model.save(folder, version=VERSION, description="Root cause (agent/product/policy/process/other) of Chinese "
               "customer contacts: calibrated linear SVM on jieba tokens, char n-grams, agent context and cues",
               data_sources=DATA_SOURCES, metrics=metrics, card=card)
    return folder


