"""What the estimators share: softmax, temperature calibration on development predictions,
the prepared-document check, label checking and reading a model folder."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import ConfigError, InputError, ModelError
from ..records import Doc


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def transposed(owner: Any, name: str) -> np.ndarray:
    """``getattr(owner, name).T`` as a C-contiguous array, kept on ``owner`` until that attribute
    is replaced. ``sparse @ dense.T`` with a non-contiguous ``dense.T`` makes scipy copy the
    whole matrix on every call; this copy is made once (same values, so the same products)."""
    a = getattr(owner, name)
    key = f"_{name}_t"
    kept = owner.__dict__.get(key)
    if kept is None or kept[0] is not a:
        kept = (a, np.ascontiguousarray(np.asarray(a).T))
        owner.__dict__[key] = kept
    return kept[1]


def fit_temperature(logits: np.ndarray, y: np.ndarray, lo: float = 0.2, hi: float = 5.0, steps: int = 97) -> float:
    """Temperature minimising the negative log-likelihood of ``y``: a grid of ``steps``
    log-spaced values from ``lo`` to ``hi`` (deterministic)."""
    best_t, best_nll = 1.0, float("inf")
    for t in np.exp(np.linspace(math.log(lo), math.log(hi), steps)):
        p = softmax(logits / t)
        nll = -float(np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None))))
        if nll < best_nll - 1e-12:
            best_t, best_nll = float(t), nll
    return round(best_t, 6)


def prepared(X: Sequence[Doc], estimator: str) -> list[Doc]:
    """``X`` as a list, refused unless every item is a prepared document."""
    docs = list(X)
    if not all(isinstance(d, Doc) for d in docs):
        raise ConfigError(f"{estimator} takes prepared documents (voc.records.Doc); make them with "
                          "voc.training.text.prepare(contacts) or voc.records.Doc.of(tagged).")
    return docs


def checked_label(v: Any, labels: Sequence[str], aliases: Mapping[str, str], what: str) -> str:
    """A label of ``labels`` (or one of its ``aliases``), lower-cased; else ``InputError``."""
    lab = str(v).strip().lower() if v is not None else ""
    lab = aliases.get(lab, lab)
    if lab not in labels:
        raise InputError(f"unknown {what} {v!r}; use one of {', '.join(labels)}.")
    return lab


def load_folder(folder: str | Path, *, name: str, fmt: str) -> tuple[dict[str, Any], dict[str, np.ndarray], dict]:
    """(config, arrays, manifest) of a model folder, after checking its manifest checksums."""
    from ..models import load_arrays, read_json, verify

    folder = Path(folder)
    if not folder.is_dir():
        raise ModelError(f"{folder} is not a model folder; give a {name} model folder written by voc.")
    manifest = verify(folder)
    if manifest.get("name") != name:
        raise ModelError(f"{folder} holds a {manifest.get('name')!r} model, not a {name} model; "
                         f"give a {name} model folder.")
    try:
        config = read_json(folder / "config.json")
    except (OSError, ValueError) as e:
        raise ModelError(f"{folder}/config.json is not readable ({type(e).__name__}); rebuild the model.") from None
    if config.get("format") != fmt:
        raise ModelError(f"{folder} is in format {config.get('format')!r}; this voc reads {fmt}: retrain the model.")
    return config, load_arrays(folder / "weights.npz"), manifest
