"""Training on the corrections kept in a results store (``voc train ... --from-store``) and
evaluating on the corrections held out of training (``voc evaluate ... --from-store``).

A model trained here learns from

* the **base labels**: the project's hand labels (``corpus/labels/train.csv`` and
  ``everyday.csv`` for root cause, ``everyday.csv`` plus its weak rows for contact type), when
  ``../shared/data`` is here (``base="labels"``); else the store's own tags of the contacts
  nobody corrected, weighted down (``base="store"``: the model keeps what it tagged and moves
  where the analyst said otherwise);
* the **corrections**: the latest corrected value of each corrected contact, on its stored
  (redacted, customer-side) text, with weight ``CORRECTION_WEIGHT``. A corrected contact never
  trains with its base label.

A deterministic share ``holdout`` of the corrected contacts (by a hash of the contact id) is
kept out of training, and so is every correction made after the model was trained: these are
the **held-out corrections** that ``evaluate`` scores the new model and the shipped one on.
Every model gets its own version ``user-YYYYMMDD-<hash>`` and its provenance in the manifest
(base model, base labels, corrections used and held out, store fingerprint).
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from ..errors import ConfigError, InputError
from ..records import Contact, Turn
from ..store import Store
from .text import prepare

log = logging.getLogger(__name__)

TASKS = {"root_cause": "root_cause", "contact_type": "contact_type"}  # task -> corrected store field
CORRECTION_WEIGHT = 3.0  # a correction is the user's own traffic, set a priori (not tuned on held-out data)
STORE_WEIGHT = 0.3  # base="store": the uncorrected contacts' own tags
STORE_BASE_MAX = 20000
HOLDOUT = 0.2
SALT = "voc-holdout-1"


def held_out(contact_id: str, holdout: float, salt: str = SALT) -> bool:
    """Whether a corrected contact stays out of training (the same answer every time)."""
    h = int.from_bytes(hashlib.sha256(f"{salt}:{contact_id}".encode("utf-8")).digest()[:8], "big")
    return h / 2 ** 64 < holdout


def _task(task: str) -> str:
    t = task.replace("-", "_")
    if t not in TASKS:
        raise ConfigError(f"cannot train {task!r} from a store; use one of {', '.join(TASKS)}.")
    return t


def corrected(store: Store, field: str) -> list[dict[str, Any]]:
    """The latest correction of ``field`` per corrected contact still in the store, with its
    text, the model's stored value and the correction's id (oldest correction first)."""
    latest: dict[str, dict[str, Any]] = {}
    for c in store.corrections(field=field):
        latest[c["contact_id"]] = c
    out = []
    for cid, c in sorted(latest.items(), key=lambda kv: kv[1]["id"]):
        rec = store.get(cid)
        if rec is None or not (rec.get("text") or "").strip():
            continue
        stored = (rec.get("predicted") or {}).get(field)
        out.append({"id": cid, "label": c["new_value"], "text": rec["text"], "stored": stored,
                    "correction_id": c["id"]})
    return out


def as_contact(item: dict[str, Any]) -> Contact:
    # the stored text is the customer's side already: one turn, never split again as a transcript
    return Contact(id=str(item["id"]), turns=(Turn("customer", item["text"]),))


def fingerprint(items: Sequence[dict[str, Any]]) -> str:
    h = hashlib.sha256()
    for it in items:
        h.update(json.dumps([it["id"], it["label"], hashlib.sha256(it["text"].encode("utf-8")).hexdigest()],
                            ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


def base_data(task: str, base: str, store: Store | None, exclude: set[str], seed: int = 0) -> tuple[list, list, list, str]:
    """(contacts, labels, weights, description) of the base data of ``task``, without the
    contacts ``exclude``."""
    from ..datasets import shared_data_dir

    if base == "auto":
        base = "labels" if shared_data_dir() is not None else "store"
    if base == "labels":
        if task == "root_cause":
            from .root_cause import labelled_pairs

            pairs, weights = labelled_pairs()
            keep = [i for i, (c, _) in enumerate(pairs) if c.id not in exclude]
            return ([pairs[i][0] for i in keep], [pairs[i][1] for i in keep], [weights[i] for i in keep],
                    "corpus/labels/train.csv + everyday.csv (hand labels)")
        from .contact_type import hand_labelled, weak_rows, weak_weights

        pairs = [(c, r["contact_type"]) for c, r in hand_labelled("contact_type") if c.id not in exclude]
        wc, wy, wcounts = weak_rows(exclude | {c.id for c, _ in pairs}, seed)
        return ([c for c, _ in pairs] + wc, [y for _, y in pairs] + wy,
                [1.0] * len(pairs) + weak_weights(wcounts), "corpus/labels/everyday.csv + everyday_more.csv (+ weak rows)")
    if base != "store" or store is None:
        raise ConfigError(f"unknown --base {base!r}; use labels, store or auto.")
    field = TASKS[task]
    contacts, labels = [], []
    for rec in store.records(where=f"{field} IS NOT NULL", order="id", limit=STORE_BASE_MAX + len(exclude)):
        if rec["id"] in exclude or not (rec.get("text") or "").strip():
            continue
        contacts.append(as_contact(rec))
        labels.append(rec[field])
        if len(contacts) >= STORE_BASE_MAX:
            break
    return contacts, labels, [STORE_WEIGHT] * len(contacts), f"the store's own {field} tags (weight {STORE_WEIGHT})"


def estimator(task: str):
    if task == "root_cause":
        from ..estimators.root_cause import NAME, VERSION, RootCauseClassifier

        return NAME, VERSION, RootCauseClassifier
    from ..estimators.contact_type import NAME, VERSION, ContactTypeClassifier

    return NAME, VERSION, ContactTypeClassifier


def train(task: str, store: str | Path, output: str | Path | None = None, *, holdout: float = HOLDOUT,
          base: str = "auto", seed: int = 0, min_corrections: int = 1, exclude: Sequence[str] = (),
          **params: Any) -> dict[str, Any]:
    """Train a model of ``task`` (root_cause, contact_type) on the base labels plus the store's
    corrections; returns {folder, version, corrections, held_out, base}. ``exclude``: contact ids
    kept out of the base labels too (a bench that corrects held-out contacts after training)."""
    task = _task(task)
    if not 0 <= holdout < 1:
        raise ConfigError(f"--holdout must be at least 0 and below 1, got {holdout}.")
    with Store(store, readonly=True) as st:
        items = corrected(st, TASKS[task])
        train_items = [it for it in items if not held_out(it["id"], holdout)]
        if len(train_items) < min_corrections:
            raise InputError(f"the store {store} has {len(items)} corrected {TASKS[task]} values "
                             f"({len(train_items)} for training); correct some with `voc explore --store {store}`.")
        contacts, labels, weights, base_desc = base_data(task, base, st, {it["id"] for it in items} | set(exclude),
                                                         seed)
    name, shipped_version, cls = estimator(task)
    contacts += [as_contact(it) for it in train_items]
    labels += [it["label"] for it in train_items]
    weights += [CORRECTION_WEIGHT] * len(train_items)
    fp = fingerprint(train_items)
    now = datetime.now(timezone.utc)
    version = f"user-{now:%Y%m%d}-{hashlib.sha256(f'{task}:{base_desc}:{fp}:{seed}'.encode()).hexdigest()[:8]}"
    X = prepare(contacts)
    model = cls(random_state=seed, **params)
    if task == "root_cause":
        model.fit(X, labels, weights)
    else:
        model.fit(X, labels, sample_weight=weights)
    folder = Path(output) if output else Path(store).resolve().parent / "models" / name / version
    provenance = {"base_model": f"{name} {shipped_version}",
                  "base_labels": base_desc, "base_items": len(contacts) - len(train_items),
                  "corrections": len(train_items), "correction_weight": CORRECTION_WEIGHT,
                  "held_out": len(items) - len(train_items), "holdout": holdout, "holdout_salt": SALT,
                  "last_correction_id": max((it["correction_id"] for it in items), default=0),
                  "store": Path(store).name, "store_fingerprint": fp, "seed": seed,
                  "trained_at": now.isoformat(timespec="seconds")}
    sources = [{"labels": base_desc, "items": provenance["base_items"]},
               {"corrections": Path(store).name, "items": len(train_items), "weight": CORRECTION_WEIGHT}]
    card = (f"# {name} {version}\n\nTrained by `voc train {task.replace('_', '-')} --from-store` on {base_desc} "
            f"plus {len(train_items)} corrections of {Path(store).name} (weight {CORRECTION_WEIGHT}); "
            f"{provenance['held_out']} corrected contacts held out for `voc evaluate --from-store`.\n")
    if task == "root_cause":
        model.save(folder, version=version, data_sources=sources, card=card,
                   metrics={"dev": model.dev_} if model.dev_ else {}, extra={"provenance": provenance},
                   description=f"root cause, retrained on the corrections of {Path(store).name}")
    else:
        model.save(folder, version=version, data_sources=sources, card=card, extra={"provenance": provenance},
                   description=f"contact type, retrained on the corrections of {Path(store).name}")
    return {"folder": folder, "version": version, "corrections": len(train_items),
            "held_out": provenance["held_out"], "base": base_desc}


def held_out_items(store: Store, task: str, manifest: dict[str, Any] | None, holdout: float = HOLDOUT
                   ) -> list[dict[str, Any]]:
    """The corrections a model did not train on: its held-out share and every later one
    (``manifest``: the user model's; None: every correction, for the shipped model alone)."""
    items = corrected(store, TASKS[task])
    if manifest is None:
        return items
    prov = manifest.get("provenance") or {}
    share, salt = prov.get("holdout", holdout), prov.get("holdout_salt", SALT)
    last = prov.get("last_correction_id", 0)
    return [it for it in items if held_out(it["id"], share, salt) or it["correction_id"] > last]


def evaluate(task: str, store: str | Path, model: str | Path | None = None, output: str | Path | None = None,
             baseline: str | Path | None = None) -> dict[str, Any]:
    """The shipped model (or the model folder ``baseline``) and ``model`` (a folder from
    ``train``) on the held-out corrections of ``store``, side by side: accuracy, macro-F1,
    per-class figures; also the store's own tags of those contacts (the pipeline that tagged
    them, with the full contact)."""
    from ..evaluation import classification_report, write_report
    from ..models import find, verify

    task = _task(task)
    name, _, cls = estimator(task)
    manifest = verify(model) if model else None
    with Store(store, readonly=True) as st:
        items = held_out_items(st, task, manifest)
    if not items:
        raise InputError(f"the store {store} has no held-out corrections of {TASKS[task]} for this model; "
                         f"correct more contacts with `voc explore --store {store}`.")
    from ..estimators.root_cause import LABELS as RC_LABELS
    from ..estimators.contact_type import LABELS as CT_LABELS

    labels = RC_LABELS if task == "root_cause" else CT_LABELS
    gold = [it["label"] for it in items]
    docs = prepare([as_contact(it) for it in items])
    before = Path(baseline) if baseline else find(name)
    if before is None:
        raise InputError(f"no shipped {name} model to compare with; reinstall voc.")
    out: dict[str, Any] = {"task": task, "store": str(store), "held_out": len(items), "models": {}}
    runs = [("baseline" if baseline else "shipped", before)] + ([("retrained", Path(model))] if model else [])
    for key, folder in runs:
        clf = cls.load(folder)
        pred = list(clf.predict(docs))
        rep = classification_report(gold, pred, labels=labels)
        out["models"][key] = {"version": (getattr(clf, "manifest_", None) or verify(folder)).get("version"),
                              "folder": str(folder), "accuracy": rep["accuracy"], "macro_f1": rep["macro_f1"],
                              "report": rep}
    stored = [it["stored"] for it in items]
    out["stored_tags_accuracy"] = round(sum(s == g for s, g in zip(stored, gold)) / len(gold), 4)
    if output:
        write_report(out, output)
    return out
