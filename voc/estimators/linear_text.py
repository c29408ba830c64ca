"""A small calibrated multinomial linear model over named text blocks, shared by the
contact-type and resolved estimators.

Each block is a list of strings per contact (the customer text, the last agent turn, ...)
turned into sublinear TF-IDF rows of character n-grams (``voc.estimators.root_cause_features``:
packed integer keys, computed for the whole batch in numpy) and weighted; dense features (cue
indicators, counts) are appended as they are. A multinomial logistic regression is fitted with
scikit-learn (lbfgs: deterministic), and its probabilities are calibrated by a temperature
chosen on out-of-fold development predictions. Learned state is plain numpy arrays and JSON:
``save`` writes ``config.json``, ``weights.npz`` (no pickle) and the manifest
(``voc.models.write_manifest``); ``load`` checks the manifest before reading anything.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import OutputError
from .common import fit_temperature, softmax, transposed
from .root_cause_features import CharVocab, Vocab, char_keys


def _words(token_lists: Sequence[Sequence[str]]) -> list[list[str]]:
    """Each token list lower-cased: one ``lower`` per list (tokens joined by NUL, which no
    casing rule looks across), else token by token when a token holds a NUL itself."""
    out = []
    for toks in token_lists:
        low = "\x00".join(toks).lower().split("\x00") if toks else []
        out.append(low if len(low) == len(toks) else [w.lower() for w in toks])
    return out


def _grams(grams: dict | None, block: str, texts: Sequence[str], lo: int, hi: int):
    if grams is None:
        return None
    got = grams.get((block, lo, hi))
    if got is None:
        got = grams[(block, lo, hi)] = char_keys(list(texts), lo, hi)
    return got


def folds(n: int, k: int, seed: int, groups: Sequence[Any] | None = None) -> np.ndarray:
    """Fold number of each of ``n`` rows (rows of one group share a fold), shuffled with ``seed``."""
    keys = list(groups) if groups is not None else list(range(n))
    uniq = sorted(set(keys), key=str)
    order = np.random.default_rng(seed).permutation(len(uniq))
    fold_of = {uniq[j]: i % k for i, j in enumerate(order)}
    return np.array([fold_of[g] for g in keys], dtype=np.int64)


def take(inputs: dict[str, list], rows: np.ndarray) -> dict[str, list]:
    return {k: [v[i] for i in rows] for k, v in inputs.items()}


def fit_with_dev(make, inputs: dict[str, list], dense: np.ndarray, y: np.ndarray, n_classes: int,
                 weights: np.ndarray, cv: int, seed: int, groups: Sequence[Any] | None = None):
    """(model, development report or None): ``make()`` gives an unfitted ``LinearText``; rows with
    weight 1 (the hand-labelled ones) are split in ``cv`` folds, out-of-fold logits fit the
    temperature, and the final model is fitted on every row."""
    hand = np.flatnonzero(weights >= 1.0)
    temperature, dev = 1.0, None
    if cv and cv > 1 and len(hand) >= 5 * cv:
        fold = np.full(len(y), -1)
        fold[hand] = folds(len(hand), cv, seed, None if groups is None else [groups[i] for i in hand])
        logits = np.zeros((len(y), n_classes))
        for k in range(cv):
            tr, te = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
            m = make().fit(take(inputs, tr), dense[tr], y[tr], n_classes, weights[tr])
            logits[te] = m.logits(take(inputs, te), dense[te])
        temperature = fit_temperature(logits[hand], y[hand])
        pred = logits[hand].argmax(axis=1)
        dev = {"folds": cv, "items": int(len(hand)), "accuracy": round(float(np.mean(pred == y[hand])), 4),
               "pred": pred.tolist()}
    model = make().fit(inputs, dense, y, n_classes, weights)
    model.temperature_ = temperature
    return model, dev


class LinearText:
    """Blocks of character n-gram TF-IDF plus dense features -> calibrated softmax.

    ``blocks``: ``{name: (lo, hi, weight)}`` (character n-gram range and weight of each text
    block, in this order; ``lo == 0``: a block of tokens, its input a token sequence per
    contact, its features the lower-cased tokens); ``dense_weight`` scales the dense features. ``fit(texts, dense, y,
    sample_weight)`` takes ``texts = {name: [str, ...]}`` and a dense matrix; ``logits`` and
    ``proba`` the same inputs.
    """

    def __init__(self, blocks: dict[str, tuple[int, int, float]], *, C: float = 4.0, min_df: int = 2,
                 dense_weight: float = 1.0, class_weight: str | None = None, max_iter: int = 2000,
                 solver: str = "liblinear"):
        self.blocks = {k: (int(a), int(b), float(w)) for k, (a, b, w) in blocks.items()}
        self.C, self.min_df, self.dense_weight = C, min_df, dense_weight
        self.class_weight, self.max_iter, self.solver = class_weight, max_iter, solver
        self.temperature_ = 1.0

    def params(self) -> dict[str, Any]:
        return {"blocks": {k: list(v) for k, v in self.blocks.items()}, "C": self.C, "min_df": self.min_df,
                "dense_weight": self.dense_weight, "class_weight": self.class_weight, "max_iter": self.max_iter,
                "solver": self.solver}

    def design(self, texts: dict[str, Sequence[str]], dense: np.ndarray, grams: dict | None = None):
        """``grams``: a dict shared by models that read the same ``texts`` (filled here with each
        block's character n-gram keys, read back by the next model with the same n-gram range)."""
        from scipy.sparse import csr_matrix, hstack

        parts = [(self.vocabs_[k].transform(_words(texts[k])) if lo == 0 else
                  self.vocabs_[k].transform(list(texts[k]), _grams(grams, k, texts[k], lo, hi))) * w
                 for k, (lo, hi, w) in self.blocks.items()]
        parts.append(csr_matrix(np.asarray(dense, dtype=np.float64) * self.dense_weight))
        return hstack(parts, format="csr")

    def fit(self, texts: dict[str, Sequence[str]], dense: np.ndarray, y: Sequence[int], n_classes: int,
            sample_weight: np.ndarray | None = None) -> "LinearText":
        from sklearn.linear_model import LogisticRegression

        self.vocabs_ = {k: Vocab.fit(_words(texts[k]), self.min_df) if lo == 0
                        else CharVocab.fit(list(texts[k]), lo, hi, self.min_df)
                        for k, (lo, hi, _) in self.blocks.items()}
        X = self.design(texts, dense)
        y = np.asarray(y)
        coef = np.zeros((n_classes, X.shape[1]))
        intercept = np.full(n_classes, -30.0)  # a class never seen in training is never predicted
        present = np.unique(y)
        if self.solver == "liblinear":  # one-vs-rest logistic regressions: fast on wide sparse blocks
            for c in present if len(present) > 2 else present[1:]:
                lr = LogisticRegression(C=self.C, solver="liblinear", max_iter=self.max_iter,
                                        class_weight=self.class_weight, random_state=0)
                lr.fit(X, (y == c).astype(int), sample_weight=sample_weight)
                coef[c], intercept[c] = lr.coef_[0], lr.intercept_[0]
            if len(present) == 2:
                intercept[present[0]] = 0.0
        else:  # multinomial
            lr = LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight=self.class_weight)
            lr.fit(X, y, sample_weight=sample_weight)
            if len(lr.classes_) == 2:  # scikit-learn's binary case: one row of coefficients
                coef[lr.classes_[1]], intercept[lr.classes_[1]] = lr.coef_[0], lr.intercept_[0]
                intercept[lr.classes_[0]] = 0.0
            else:
                coef[lr.classes_], intercept[lr.classes_] = lr.coef_, lr.intercept_
        self.coef_ = coef.astype(np.float32).astype(np.float64)  # as saved: bit-identical reloads
        self.intercept_ = intercept.astype(np.float32).astype(np.float64)
        return self

    def logits(self, texts: dict[str, Sequence[str]], dense: np.ndarray, grams: dict | None = None) -> np.ndarray:
        X = self.design(texts, dense, grams)
        return np.asarray(X @ transposed(self, "coef_")) + self.intercept_

    def proba(self, texts: dict[str, Sequence[str]], dense: np.ndarray, grams: dict | None = None) -> np.ndarray:
        return softmax(self.logits(texts, dense, grams) / self.temperature_)

    # -- files -----------------------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        """Coefficients, and per block its n-gram keys (int64) or words (fixed-width unicode) and idf."""
        out = {"coef": self.coef_.astype(np.float32), "intercept": self.intercept_.astype(np.float32)}
        for k, v in self.vocabs_.items():
            out[f"keys_{k}"] = v.keys if isinstance(v, CharVocab) else np.array(v.names, dtype=str)
            out[f"idf_{k}"] = v.idf.astype(np.float32)
        return out

    @classmethod
    def from_parts(cls, params: dict[str, Any], temperature: float, arrays: dict[str, np.ndarray]) -> "LinearText":
        p = dict(params)
        model = cls({k: tuple(v) for k, v in p.pop("blocks").items()}, **p)
        model.temperature_ = float(temperature)
        model.vocabs_ = {k: Vocab([str(w) for w in arrays[f"keys_{k}"]], arrays[f"idf_{k}"]) if lo == 0
                         else CharVocab(arrays[f"keys_{k}"], arrays[f"idf_{k}"], lo, hi)
                         for k, (lo, hi, _) in model.blocks.items()}
        model.coef_ = arrays["coef"].astype(np.float64)
        model.intercept_ = arrays["intercept"].astype(np.float64)
        width = sum(len(v) for v in model.vocabs_.values())
        if model.coef_.shape[1] < width:
            raise ValueError("coefficients and vocabularies differ in size")
        return model


def save_folder(folder: str | Path, *, name: str, version: str, config: dict[str, Any],
                arrays: dict[str, np.ndarray], card: str, description: str,
                data_sources: list[dict[str, Any]] | None = None, metrics: dict[str, Any] | None = None,
                **extra: Any) -> Path:
    """Write ``config.json``, ``weights.npz``, ``MODEL_CARD.md`` and ``manifest.json`` into a new
    (or empty) ``folder``; a model version is never overwritten in place."""
    from ..models import save_arrays, write_manifest

    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(f"{folder} already exists and is not empty; give a new folder for each model version.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create {folder} ({e.strerror}); choose a writable folder.") from None
    (folder / "config.json").write_text(json.dumps(config, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    save_arrays(folder / "weights.npz", **arrays)
    (folder / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    write_manifest(folder, name=name, version=version, description=description,
                   data_sources=data_sources or [], metrics=metrics or {}, **extra)
    return folder
