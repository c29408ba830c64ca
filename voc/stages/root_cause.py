"""Root cause: which upstream owner must fix the cause of a contact.

Five labels (docs/taxonomy.md): agent, product, policy, process, other. The model is a
multinomial logistic regression over

* the customer's jieba tokens (the ``tokens`` of the segment stage) and their bigrams,
* character n-grams of the customer text,
* character bigrams of the agent/bot turns, as *context* (weighted down; an agent's rude
  turn counts for ``agent``, but the customer's words drive the label),
* the cue lexicon (``corpus/lexicons/root_cause_cues.tsv``): one summed-weight feature per label.

It is trained on hand-labelled contacts plus *weak supervision*: unlabelled contacts whose
cues point clearly to one label. Probabilities are calibrated by temperature scaling, and a
contact whose best label is not confident enough becomes ``other``; temperature and threshold
are chosen on cross-validated development folds of the labelled data and saved in the model.
Evidence spans are the short clauses of the customer text around the features that pushed
the prediction most towards the predicted label.

The model files are JSON and ``.npz`` arrays (no pickle); see ``RootCauseClassifier.save``.
Library entry points: ``train``, ``evaluate``, ``label_sample``, ``build_default``.
"""
from __future__ import annotations

import csv
import hashlib
import heapq
import json
import logging
import math
import re
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple, Sequence

import numpy as np

from ..errors import ConfigError, InputError, ModelError, OutputError
from ..lexicon import OWNERS, ROOT_CAUSES, CueLexicon
from ..records import Contact, RootCause, Tagged, Turn

log = logging.getLogger(__name__)

NAME = "root_cause"
VERSION = "1.0.0"
LABELS = ROOT_CAUSES  # agent, product, policy, process, other
FORMAT = "voc-root-cause/1"
CUE_LABELS = ("agent", "product", "policy", "process")
# Chinese label names an analyst may type into a labelling sheet
LABEL_ALIASES = {"人员": "agent", "产品": "product", "政策": "policy", "流程": "process", "其他": "other",
                 "其它": "other"}
# clause boundaries for evidence spans
_DELIMS = frozenset("，。！？；,.!?;…~～、\n\r\t ：:（）()【】[]<>《》\"'“”‘’|/")
_MAX_CONTEXT = 600  # characters of agent context used per contact


class Doc(NamedTuple):
    """What the model reads of one contact."""

    tokens: tuple[str, ...]  # customer tokens (segment stage: stopwords removed)
    text: str  # normalised customer text (evidence spans are cut from it)
    context: str = ""  # agent/bot turns, joined


def doc_from_tagged(t: Tagged) -> Doc:
    context = "。".join(x.text for x in (t.turns or ()) if x.speaker != "customer" and x.text)
    return Doc(tuple(t.tokens or ()), t.text or "", context)


@lru_cache(maxsize=2)
def _text_pipeline(redact: bool = True):
    """normalise -> redact -> segment, exactly as ``voc.load()`` runs them before this stage."""
    from ..api import DEFAULT_STAGES, load

    keep = ("normalise", "redact", "segment")
    return load(redact=redact, disable=tuple(n for n in DEFAULT_STAGES if n not in keep))


def prepare(contacts: Iterable[Contact | str], batch_size: int = 512) -> list[Doc]:
    """Docs for contacts (or plain customer texts) through the project's text stages, so that
    training and tagging see the same tokens."""
    pipe = _text_pipeline()
    out: list[Doc] = []
    chunk: list[Contact] = []
    for i, c in enumerate(contacts):
        chunk.append(c if isinstance(c, Contact) else Contact.from_text(str(c), id=str(i)))
        if len(chunk) >= batch_size:
            out.extend(doc_from_tagged(t) for t in pipe.tag_batch(chunk))
            chunk = []
    if chunk:
        out.extend(doc_from_tagged(t) for t in pipe.tag_batch(chunk))
    return out


def _as_docs(X: Sequence[Doc | str]) -> list[Doc]:
    if all(isinstance(x, Doc) for x in X):
        return list(X)
    return [x if isinstance(x, Doc) else prepare([x])[0] for x in X]


# -- cues -----------------------------------------------------------------------------------------
class CueMatcher:
    """Fast non-overlapping matching of cue terms (leftmost, longest first)."""

    def __init__(self, cues: Sequence[tuple[str, str, float]]):
        self.cues = [(lab, term.lower(), float(w)) for lab, term, w in cues if term.strip()]
        self.by_term = {term: (lab, w) for lab, term, w in self.cues}
        terms = sorted(self.by_term, key=lambda t: (-len(t), t))
        self._re = re.compile("|".join(re.escape(t) for t in terms)) if terms else None

    @classmethod
    def from_lexicon(cls, lexicon: CueLexicon) -> "CueMatcher":
        return cls([(c.label, c.term, c.weight) for c in lexicon.cues])

    def find(self, text: str) -> list[tuple[str, float, int, int]]:
        """(label, weight, start, end) of each cue occurrence in ``text``."""
        if self._re is None or not text:
            return []
        low = text.lower()
        if len(low) != len(text):
            low = text
        out = []
        for m in self._re.finditer(low):
            lab, w = self.by_term[m.group()]
            out.append((lab, w, m.start(), m.end()))
        return out

    def scores(self, text: str) -> dict[str, float]:
        s = dict.fromkeys(CUE_LABELS, 0.0)
        for lab, w, _, _ in self.find(text):
            if lab in s:
                s[lab] += w
        return s


def read_cues(path: str | Path | None = None) -> list[tuple[str, str, float]]:
    from ..resources import corpus_path

    lex = CueLexicon.from_file(path or corpus_path("lexicons", "root_cause_cues.tsv"))
    bad = sorted({c.label for c in lex.cues} - set(LABELS))
    if bad:
        raise ConfigError(f"cue lexicon has unknown labels {bad}; use {', '.join(LABELS)}.")
    return sorted((c.label, c.term, c.weight) for c in lex.cues)


def weak_label(text: str, matcher: CueMatcher, *, positive_review: bool | None = None,
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


# -- features -------------------------------------------------------------------------------------
def _word_features(tokens: Sequence[str], bigrams: bool) -> list[str]:
    toks = [w.lower() for w in tokens]
    if bigrams and len(toks) > 1:
        return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])]
    return toks


def _char_features(text: str, lo: int, hi: int) -> list[str]:
    s = text.lower()
    out: list[str] = []
    for n in range(lo, hi + 1):
        out.extend(s[i:i + n] for i in range(len(s) - n + 1))
    return out


class _Vocab:
    """Feature names -> columns, with sublinear TF-IDF and L2 row normalisation."""

    def __init__(self, names: Sequence[str], idf: np.ndarray):
        self.names = list(names)
        self.index = {n: i for i, n in enumerate(self.names)}
        self.idf = np.asarray(idf, dtype=np.float64)

    def __len__(self) -> int:
        return len(self.names)

    @classmethod
    def fit(cls, feature_lists: Sequence[Sequence[str]], min_df: int = 2) -> "_Vocab":
        df: Counter = Counter()
        for feats in feature_lists:
            df.update(set(feats))
        names = sorted(n for n, c in df.items() if c >= min_df)
        n_docs = len(feature_lists)
        idf = np.array([math.log((1 + n_docs) / (1 + df[n])) + 1.0 for n in names], dtype=np.float64)
        return cls(names, idf)

    def transform(self, feature_lists: Sequence[Sequence[str]]):
        from scipy.sparse import csr_matrix

        get = self.index.get
        indptr = [0]
        indices: list[int] = []
        counts: list[int] = []
        for feats in feature_lists:
            row: dict[int, int] = {}
            for f in feats:
                j = get(f)
                if j is not None:
                    row[j] = row.get(j, 0) + 1
            cols = sorted(row)
            indices.extend(cols)
            counts.extend(row[j] for j in cols)
            indptr.append(len(indices))
        n = len(feature_lists)
        ind = np.asarray(indices, dtype=np.int32)
        data = (1.0 + np.log(np.asarray(counts, dtype=np.float64))) * self.idf[ind] if len(ind) else np.zeros(0)
        ptr = np.asarray(indptr, dtype=np.int64)
        if len(data):
            rows = np.repeat(np.arange(n), np.diff(ptr))
            norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n))
            data = data / norms[rows]
        return csr_matrix((data, ind, ptr), shape=(n, len(self.names)))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _macro_f1(y: np.ndarray, pred: np.ndarray, k: int) -> float:
    f1s = []
    for c in range(k):
        tp = float(np.sum((pred == c) & (y == c)))
        p = tp / max(1, int(np.sum(pred == c)))
        r = tp / max(1, int(np.sum(y == c)))
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    return float(np.mean(f1s))


def _fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood (grid search: deterministic)."""
    best_t, best_nll = 1.0, float("inf")
    for t in np.exp(np.linspace(math.log(0.1), math.log(10.0), 181)):
        p = _softmax(logits / t)
        nll = -float(np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None))))
        if nll < best_nll - 1e-12:
            best_t, best_nll = float(t), nll
    return round(best_t, 6)


def _apply_threshold(probs: np.ndarray, other: int | None, threshold: float) -> np.ndarray:
    pred = probs.argmax(axis=1)
    if other is not None and threshold > 0:
        low = (probs.max(axis=1) < threshold) & (pred != other)
        pred = np.where(low, other, pred)
    return pred


def _choose_threshold(probs: np.ndarray, y: np.ndarray, other: int | None) -> tuple[float, float]:
    """The confidence threshold under which a prediction becomes ``other``, maximising
    macro-F1 on development predictions (the lowest threshold among ties)."""
    k = probs.shape[1]
    best = (0.0, _macro_f1(y, probs.argmax(axis=1), k))
    if other is None:
        return best
    for tau in np.round(np.arange(0.05, 0.951, 0.025), 3):
        f1 = _macro_f1(y, _apply_threshold(probs, other, float(tau)), k)
        if f1 > best[1] + 1e-9:
            best = (float(tau), f1)
    return best


# -- the estimator -------------------------------------------------------------------------------
class RootCauseClassifier:
    """Root-cause classifier with the scikit-learn contract.

    ``fit(X, y, sample_weight=None, X_weak=None, y_weak=None)``, ``predict_proba(X)``,
    ``predict(X)``, ``explain(X)`` (labels, scores, evidence, owner), ``save(folder)``,
    ``RootCauseClassifier.load(folder)``. ``X`` is a list of ``Doc`` (see ``prepare``) or of
    plain customer texts. The constructor only stores settings; learned state ends in ``_``.

    ``other_threshold="auto"`` chooses the threshold on cross-validated development folds of
    ``X`` (``cv`` folds; the weak data joins every training fold and is never scored); a float
    fixes it. ``calibrate`` fits a softmax temperature on the same development predictions.
    """

    _estimator_type = "classifier"

    def __init__(self, C: float = 4.0, word_bigrams: bool = True, char_ngrams: tuple[int, int] | None = (2, 3),
                 char_weight: float = 1.0, context_weight: float = 0.5, cue_weight: float = 1.0,
                 min_df: int = 2, weak_weight: float = 0.5, other_threshold: float | str = "auto",
                 calibrate: bool = True, cv: int = 5, max_iter: int = 2000, random_state: int = 0,
                 max_spans: int = 2, span_chars: int = 20, lexicon: str | None = None):
        self.C = C
        self.word_bigrams = word_bigrams
        self.char_ngrams = char_ngrams
        self.char_weight = char_weight
        self.context_weight = context_weight
        self.cue_weight = cue_weight
        self.min_df = min_df
        self.weak_weight = weak_weight
        self.other_threshold = other_threshold
        self.calibrate = calibrate
        self.cv = cv
        self.max_iter = max_iter
        self.random_state = random_state
        self.max_spans = max_spans
        self.span_chars = span_chars
        self.lexicon = lexicon

    # -- scikit-learn parameter protocol ----------------------------------------------------------
    _PARAMS = ("C", "word_bigrams", "char_ngrams", "char_weight", "context_weight", "cue_weight", "min_df",
               "weak_weight", "other_threshold", "calibrate", "cv", "max_iter", "random_state", "max_spans",
               "span_chars", "lexicon")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {p: getattr(self, p) for p in self._PARAMS}

    def set_params(self, **params: Any) -> "RootCauseClassifier":
        for k, v in params.items():
            if k not in self._PARAMS:
                raise ConfigError(f"RootCauseClassifier has no parameter {k!r}; use one of {', '.join(self._PARAMS)}.")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        return f"RootCauseClassifier(C={self.C}, char_ngrams={self.char_ngrams}, weak_weight={self.weak_weight})"

    def _check_params(self) -> None:
        if not (isinstance(self.C, (int, float)) and self.C > 0):
            raise ConfigError(f"C must be a positive number, got {self.C!r}; pass e.g. C=4.0.")
        if self.char_ngrams is not None:
            lo, hi = self.char_ngrams
            if not (1 <= lo <= hi <= 5):
                raise ConfigError(f"char_ngrams must be (lo, hi) with 1 <= lo <= hi <= 5, got {self.char_ngrams!r}.")
        if self.other_threshold != "auto" and not (isinstance(self.other_threshold, (int, float))
                                                   and 0 <= self.other_threshold < 1):
            raise ConfigError(f"other_threshold must be 'auto' or a number in [0, 1), got {self.other_threshold!r}.")

    # -- features ------------------------------------------------------------------------------------
    def _raw_features(self, docs: Sequence[Doc]) -> dict[str, Any]:
        matcher = self._matcher_
        words = [_word_features(d.tokens, self.word_bigrams) for d in docs]
        chars = ([_char_features(d.text, *self.char_ngrams) for d in docs] if self.char_ngrams else None)
        ctx = [_char_features(d.context[:_MAX_CONTEXT], 2, 2) for d in docs]
        matches = [matcher.find(d.text) for d in docs]
        cue = np.zeros((len(docs), len(CUE_LABELS)), dtype=np.float64)
        col = {lab: i for i, lab in enumerate(CUE_LABELS)}
        for i, ms in enumerate(matches):
            for lab, w, _, _ in ms:
                if lab in col:
                    cue[i, col[lab]] += w
        cue = np.log1p(cue)
        return {"word": words, "char": chars, "context": ctx, "cue": cue, "matches": matches}

    def _fit_vocabs(self, raw: dict[str, Any], rows: np.ndarray) -> dict[str, _Vocab]:
        vocabs = {"word": _Vocab.fit([raw["word"][i] for i in rows], self.min_df),
                  "context": _Vocab.fit([raw["context"][i] for i in rows], self.min_df)}
        if raw["char"] is not None:
            vocabs["char"] = _Vocab.fit([raw["char"][i] for i in rows], self.min_df)
        return vocabs

    def _design(self, raw: dict[str, Any], vocabs: dict[str, _Vocab], rows: np.ndarray | None = None):
        from scipy.sparse import csr_matrix, hstack

        def pick(lst):
            return lst if rows is None else [lst[i] for i in rows]

        blocks = [vocabs["word"].transform(pick(raw["word"]))]
        if "char" in vocabs:
            blocks.append(vocabs["char"].transform(pick(raw["char"])) * self.char_weight)
        blocks.append(vocabs["context"].transform(pick(raw["context"])) * self.context_weight)
        cue = raw["cue"] if rows is None else raw["cue"][rows]
        blocks.append(csr_matrix(cue * self.cue_weight))
        return hstack(blocks, format="csr")

    def _block_slices(self, vocabs: dict[str, _Vocab]) -> dict[str, tuple[int, int]]:
        out, start = {}, 0
        for name in ("word", "char", "context"):
            if name in vocabs:
                out[name] = (start, start + len(vocabs[name]))
                start += len(vocabs[name])
        out["cue"] = (start, start + len(CUE_LABELS))
        return out

    def _train_lr(self, X, y: np.ndarray, w: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=self.C, max_iter=self.max_iter, solver="lbfgs")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            lr.fit(X, y, sample_weight=w)
        coef = np.zeros((k, X.shape[1]))
        intercept = np.full(k, -30.0)  # classes absent from this training set are never predicted
        if len(lr.classes_) == 2:  # binary problems come back as one row: make them two
            coef[lr.classes_[1]], intercept[lr.classes_[1]] = lr.coef_[0] / 2, lr.intercept_[0] / 2
            coef[lr.classes_[0]], intercept[lr.classes_[0]] = -lr.coef_[0] / 2, -lr.intercept_[0] / 2
        else:
            coef[lr.classes_], intercept[lr.classes_] = lr.coef_, lr.intercept_
        # stored as float32 so that a saved and re-loaded model predicts bit for bit the same
        return coef.astype(np.float32).astype(np.float64), intercept.astype(np.float32).astype(np.float64)

    def _weights(self, y: np.ndarray, n_gold: int, k: int) -> np.ndarray:
        """Balanced class weights from the gold labels; weak rows scaled by ``weak_weight``."""
        counts = np.bincount(y[:n_gold], minlength=k).astype(np.float64)
        cw = np.where(counts > 0, n_gold / (k * np.maximum(counts, 1)), 1.0)
        w = cw[y]
        w[n_gold:] *= self.weak_weight
        return w

    # -- fit ---------------------------------------------------------------------------------------
    def fit(self, X: Sequence[Doc | str], y: Sequence[str], sample_weight: Sequence[float] | None = None,
            X_weak: Sequence[Doc | str] | None = None, y_weak: Sequence[str] | None = None) -> "RootCauseClassifier":
        self._check_params()
        docs = _as_docs(X)
        y = [self._check_label(v) for v in y]
        if len(docs) != len(y):
            raise ConfigError(f"{len(docs)} contacts but {len(y)} labels; give one label per contact.")
        weak_docs = _as_docs(X_weak) if X_weak is not None else []
        y_weak = [self._check_label(v) for v in (y_weak or [])]
        if len(weak_docs) != len(y_weak):
            raise ConfigError(f"{len(weak_docs)} weak contacts but {len(y_weak)} weak labels; give one per contact.")
        present = set(y)
        if len(present) < 2:
            raise InputError("the training labels hold fewer than two root causes; label contacts of at least two.")
        self.classes_ = tuple(lab for lab in LABELS if lab in present)
        k = len(self.classes_)
        cidx = {lab: i for i, lab in enumerate(self.classes_)}
        keep_weak = [i for i, lab in enumerate(y_weak) if lab in cidx]
        weak_docs = [weak_docs[i] for i in keep_weak]
        y_weak = [y_weak[i] for i in keep_weak]

        self.cues_ = read_cues(self.lexicon)
        self._matcher_ = CueMatcher(self.cues_)
        all_docs = docs + weak_docs
        yi = np.array([cidx[v] for v in y + y_weak], dtype=np.int64)
        n_gold = len(docs)
        w = self._weights(yi, n_gold, k)
        if sample_weight is not None:
            w[:n_gold] *= np.asarray(sample_weight, dtype=np.float64)
        raw = self._raw_features(all_docs)
        other = cidx.get("other")

        # development predictions: out-of-fold over the labelled rows, weak rows always in training
        oof = self._out_of_fold(raw, yi, w, n_gold, k) if (self.calibrate or self.other_threshold == "auto") else None
        self.temperature_ = 1.0
        self.dev_ = None
        if oof is not None:
            if self.calibrate:
                self.temperature_ = _fit_temperature(oof, yi[:n_gold])
            probs = _softmax(oof / self.temperature_)
            if self.other_threshold == "auto":
                self.threshold_, dev_f1 = _choose_threshold(probs, yi[:n_gold], other)
            else:
                self.threshold_ = float(self.other_threshold)
                dev_f1 = _macro_f1(yi[:n_gold], _apply_threshold(probs, other, self.threshold_), k)
            self.dev_ = {"folds": self._folds_used, "macro_f1": round(dev_f1, 4),
                         "macro_f1_no_threshold": round(_macro_f1(yi[:n_gold], probs.argmax(1), k), 4)}
        else:
            self.threshold_ = 0.0 if self.other_threshold == "auto" else float(self.other_threshold)

        rows = np.arange(len(all_docs))
        self.vocabs_ = self._fit_vocabs(raw, rows)
        Xm = self._design(raw, self.vocabs_)
        self.coef_, self.intercept_ = self._train_lr(Xm, yi, w, k)
        self.n_train_ = {"labelled": n_gold, "weak": len(weak_docs),
                         "labelled_by_class": {lab: int(np.sum(yi[:n_gold] == i)) for lab, i in cidx.items()},
                         "weak_by_class": {lab: int(np.sum(yi[n_gold:] == i)) for lab, i in cidx.items()}}
        self._prepare_inference()
        return self

    def _out_of_fold(self, raw, yi, w, n_gold, k) -> np.ndarray | None:
        from sklearn.model_selection import StratifiedKFold

        y_gold = yi[:n_gold]
        min_count = int(np.bincount(y_gold, minlength=k)[np.bincount(y_gold, minlength=k) > 0].min())
        folds = min(self.cv, min_count)
        self._folds_used = folds
        if folds < 2:
            log.warning("too few labelled contacts per class for development folds; no calibration, threshold 0")
            return None
        skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.random_state)
        oof = np.zeros((n_gold, k))
        weak_rows = np.arange(n_gold, len(yi))
        for tr, dev in skf.split(np.zeros(n_gold), y_gold):
            rows = np.concatenate([tr, weak_rows])
            vocabs = self._fit_vocabs(raw, rows)
            coef, intercept = self._train_lr(self._design(raw, vocabs, rows), yi[rows], w[rows], k)
            oof[dev] = self._design(raw, vocabs, dev) @ coef.T + intercept
        return oof

    @staticmethod
    def _check_label(v: Any) -> str:
        lab = str(v).strip().lower() if v is not None else ""
        lab = LABEL_ALIASES.get(lab, lab)
        if lab not in LABELS:
            raise InputError(f"unknown root cause label {v!r}; use one of {', '.join(LABELS)}.")
        return lab

    # -- inference ---------------------------------------------------------------------------------
    def _prepare_inference(self) -> None:
        self._matcher_ = CueMatcher(self.cues_)
        self._slices_ = self._block_slices(self.vocabs_)
        # evidence weights: how much each feature favours a class over the average class;
        # context (agent) features are never evidence, the customer's words are
        ev = self.coef_ - self.coef_.mean(axis=0, keepdims=True)
        a, b = self._slices_["context"]
        ev[:, a:b] = 0.0
        self._evidence_w_ = ev
        self._other_ = self.classes_.index("other") if "other" in self.classes_ else None

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ModelError("this RootCauseClassifier is not trained; call fit() or load a model folder.")

    def _logits(self, docs: Sequence[Doc]):
        raw = self._raw_features(docs)
        Xm = self._design(raw, self.vocabs_)
        return Xm @ self.coef_.T + self.intercept_, Xm, raw

    def predict_proba(self, X: Sequence[Doc | str]) -> np.ndarray:
        """Calibrated probabilities, columns in ``classes_`` order."""
        self._check_fitted()
        logits, _, _ = self._logits(_as_docs(X))
        return _softmax(logits / self.temperature_)

    def predict(self, X: Sequence[Doc | str]) -> list[str]:
        """Labels, with ``other`` where the best label's probability is under the threshold."""
        probs = self.predict_proba(X)
        return [self.classes_[i] for i in _apply_threshold(probs, self._other_, self.threshold_)]

    def explain(self, X: Sequence[Doc | str]) -> list[RootCause]:
        """Label, scores over all five labels, evidence spans and owner for each contact."""
        self._check_fitted()
        docs = _as_docs(X)
        if not docs:
            return []
        logits, Xm, raw = self._logits(docs)
        probs = _softmax(logits / self.temperature_)
        pred = _apply_threshold(probs, self._other_, self.threshold_)
        empty = np.array([not d.text.strip() for d in docs])
        evidence = self._evidence(Xm, pred, docs, raw["matches"], empty)
        col = {lab: i for i, lab in enumerate(self.classes_)}
        out = []
        rounded = np.round(probs, 4)
        for i, d in enumerate(docs):
            label = "other" if empty[i] else self.classes_[pred[i]]
            scores = {lab: float(rounded[i, col[lab]]) if lab in col else 0.0 for lab in LABELS}
            out.append(RootCause(label, scores, evidence[i] if label != "other" else (), OWNERS[label]))
        return out

    def _evidence(self, Xm, pred: np.ndarray, docs: Sequence[Doc], matches, empty) -> list[tuple[str, ...]]:
        """Per contact, up to ``max_spans`` short customer-text clauses around the features
        that most favour the predicted label."""
        n = Xm.shape[0]
        ptr = Xm.indptr
        rows = np.repeat(np.arange(n), np.diff(ptr))
        contrib = Xm.data * self._evidence_w_[pred[rows], Xm.indices]
        order = np.lexsort((-contrib, rows))  # by row, then by contribution, largest first
        names_of = self._feature_names
        top = 8
        out: list[tuple[str, ...]] = []
        for i in range(n):
            if empty[i] or (self._other_ is not None and pred[i] == self._other_):
                out.append(())
                continue
            picks = order[ptr[i]:min(ptr[i + 1], ptr[i] + top)]
            surfaces: list[str] = []
            for p in picks:
                if contrib[p] <= 0:
                    break
                surfaces.extend(names_of(int(Xm.indices[p]), self.classes_[pred[i]], docs[i].text, matches[i]))
            out.append(self._spans(docs[i].text, surfaces))
        return out

    def _feature_names(self, j: int, label: str, text: str, matches) -> list[str]:
        """Customer-text strings behind feature column ``j``."""
        for block, (a, b) in self._slices_.items():
            if a <= j < b:
                if block == "word":
                    return self.vocabs_["word"].names[j - a].split(" ")
                if block == "char":
                    return [self.vocabs_["char"].names[j - a]]
                if block == "cue":
                    lab = CUE_LABELS[j - a]
                    return [text[s:e] for lb, _, s, e in matches if lb == lab]
        return []

    def _spans(self, text: str, surfaces: Sequence[str]) -> tuple[str, ...]:
        low = text.lower()
        if len(low) != len(text):
            low = text
        spans: list[tuple[int, int]] = []
        for s in surfaces:
            s = s.strip().lower()
            if not s or not s.strip("".join(_DELIMS)):
                continue
            pos = low.find(s)
            if pos < 0:
                continue
            a, b = _clause(text, pos, pos + len(s), self.span_chars)
            if any(a < y and b > x for x, y in spans):
                continue
            spans.append((a, b))
            if len(spans) >= self.max_spans:
                break
        return tuple(text[a:b] for a, b in spans)

    # -- persistence -------------------------------------------------------------------------------
    def save(self, folder: str | Path, *, version: str = VERSION, description: str = "",
             data_sources: list[dict[str, Any]] | None = None, metrics: dict[str, Any] | None = None,
             card: str | None = None, extra: dict[str, Any] | None = None) -> Path:
        """Write the model to ``folder`` (JSON + ``.npz``, a model card and ``manifest.json``).

        The folder must be new or empty; a model version is never overwritten in place.
        """
        from ..models import save_arrays, write_manifest

        self._check_fitted()
        folder = Path(folder)
        if folder.exists() and any(folder.iterdir()):
            raise OutputError(f"{folder} already holds files; give a new folder for each model version.")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create {folder} ({e.strerror}); choose a writable folder.") from None
        params = self.get_params()
        params["char_ngrams"] = list(self.char_ngrams) if self.char_ngrams else None
        config = {
            "format": FORMAT, "params": params, "classes": list(self.classes_),
            "temperature": self.temperature_, "other_threshold": self.threshold_,
            "blocks": [name for name in ("word", "char", "context") if name in self.vocabs_],
            "cues": [list(c) for c in self.cues_], "training": self.n_train_, "dev": self.dev_,
            "segmenter": segmenter_fingerprint(),
        }
        (folder / "config.json").write_text(json.dumps(config, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        arrays = {"coef": self.coef_.astype(np.float32), "intercept": self.intercept_.astype(np.float32)}
        for name, voc in self.vocabs_.items():
            (folder / f"vocab_{name}.json").write_text(json.dumps(voc.names, ensure_ascii=False) + "\n",
                                                       encoding="utf-8")
            arrays[f"idf_{name}"] = voc.idf.astype(np.float32)
        save_arrays(folder / "weights.npz", **arrays)
        (folder / "MODEL_CARD.md").write_text(card or self._default_card(version, data_sources, metrics),
                                              encoding="utf-8")
        write_manifest(folder, name=NAME, version=version,
                       description=description or "root-cause classifier (voc.stages.root_cause)",
                       data_sources=data_sources or [], metrics=metrics or {}, **(extra or {}))
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "RootCauseClassifier":
        """Load a model folder after checking its manifest checksums (no code runs from files)."""
        from ..models import load_arrays, read_json, verify

        folder = Path(folder)
        if not folder.is_dir():
            raise ModelError(f"{folder} is not a model folder; give a folder written by 'voc train root-cause'.")
        manifest = verify(folder)
        if manifest.get("name") != NAME:
            raise ModelError(f"{folder} holds a {manifest.get('name')!r} model, not a root-cause model; "
                             f"give a root_cause model folder.")
        try:
            config = read_json(folder / "config.json")
            if config.get("format") != FORMAT:
                raise ModelError(f"{folder} is in format {config.get('format')!r}; this voc reads {FORMAT}: "
                                 f"retrain the model.")
            params = dict(config["params"])
            if params.get("char_ngrams"):
                params["char_ngrams"] = tuple(params["char_ngrams"])
            model = cls(**params)
            arrays = load_arrays(folder / "weights.npz")
            model.classes_ = tuple(config["classes"])
            model.temperature_ = float(config["temperature"])
            model.threshold_ = float(config["other_threshold"])
            model.cues_ = [(a, b, float(c)) for a, b, c in config["cues"]]
            model.n_train_ = config.get("training")
            model.dev_ = config.get("dev")
            model.vocabs_ = {name: _Vocab(read_json(folder / f"vocab_{name}.json"), arrays[f"idf_{name}"])
                             for name in config["blocks"]}
            model.coef_ = arrays["coef"].astype(np.float64)
            model.intercept_ = arrays["intercept"].astype(np.float64)
        except ModelError:
            raise
        except (KeyError, ValueError, TypeError, OSError) as e:
            raise ModelError(f"{folder} is not a valid root-cause model ({type(e).__name__}: {e}); rebuild it.") from None
        model.manifest_ = manifest
        seg = config.get("segmenter") or {}
        if seg and seg != segmenter_fingerprint():
            log.warning("model %s was trained with a different user dictionary or stopword list; "
                        "rebuild it (python -m voc.build root_cause) if results look wrong", folder)
        model._prepare_inference()
        return model

    def _default_card(self, version: str, data_sources, metrics) -> str:
        lines = [f"# Root-cause model {version}", "",
                 "Trained with `voc train root-cause` (voc.stages.root_cause.RootCauseClassifier).", "",
                 "## Training data", ""]
        for src in data_sources or []:
            lines.append(f"- {json.dumps(src, ensure_ascii=False)}")
        lines += ["", "| label | labelled | weak |", "|---|---|---|"]
        for lab in self.classes_:
            lines.append(f"| {lab} | {self.n_train_['labelled_by_class'].get(lab, 0)} | "
                         f"{self.n_train_['weak_by_class'].get(lab, 0)} |")
        lines += ["", "## Decision", "",
                  f"- softmax temperature {self.temperature_}, `other` below probability {self.threshold_} "
                  f"(chosen on development folds of the labelled data)"]
        if self.dev_:
            lines.append(f"- development macro-F1 ({self.dev_['folds']}-fold, out of fold): {self.dev_['macro_f1']}")
        if metrics:
            lines += ["", "## Metrics", "", "```json", json.dumps(metrics, ensure_ascii=False, indent=1), "```"]
        return "\n".join(lines) + "\n"


def _clause(text: str, start: int, end: int, max_chars: int) -> tuple[int, int]:
    """Grow [start, end) to the surrounding clause, at most ``max_chars`` long."""
    room = max(0, max_chars - (end - start))
    left_room, right_room = room // 2, room - room // 2
    a = start
    while a > 0 and start - a < left_room and text[a - 1] not in _DELIMS:
        a -= 1
    b = end
    while b < len(text) and b - end < right_room + (left_room - (start - a)) and text[b] not in _DELIMS:
        b += 1
    # give unused room on the right back to the left
    while a > 0 and (b - a) < max_chars and text[a - 1] not in _DELIMS:
        a -= 1
    return a, b


def segmenter_fingerprint() -> dict[str, str | None]:
    """SHA-256 of the user dictionary and stopword list that shape the tokens."""
    from ..resources import corpus_path

    out: dict[str, str | None] = {}
    for name in ("userdict.txt", "stopwords.txt"):
        p = corpus_path("lexicons", name)
        out[name] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None
    return out


# -- the pipeline stage ---------------------------------------------------------------------------
class RootCauseStage:
    """Pipeline stage: fills ``root_cause`` (label, scores, evidence, owner) from a trained model."""

    name = "root_cause"
    requires = ("turns", "text", "tokens")
    assigns = ("root_cause",)

    def __init__(self, model: RootCauseClassifier):
        self.model = model
        manifest = getattr(model, "manifest_", None) or {}
        self.version = manifest.get("version", "unsaved")

    @classmethod
    def from_folder(cls, folder: str | Path) -> "RootCauseStage":
        return cls(RootCauseClassifier.load(folder))

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        if not batch:
            return []
        results = self.model.explain([doc_from_tagged(t) for t in batch])
        return [replace(t, root_cause=r) for t, r in zip(batch, results)]


def default_stage(model: str | Path | None = None):
    """The root-cause stage ``voc.load()`` uses: the model folder ``model`` if given, else the
    shipped model, else the cue-lexicon baseline (a checkout before ``python -m voc.build``)."""
    from ..models import find

    if model:
        return RootCauseStage.from_folder(model)
    folder = find(NAME)
    if folder is None:
        from .baseline import CueRootCause

        log.info("no root-cause model ships; using the cue-lexicon baseline")
        return CueRootCause()
    return RootCauseStage.from_folder(folder)


# -- labelled data ------------------------------------------------------------------------------
def read_labelled(path: str | Path) -> list[tuple[Contact, str]]:
    """(contact, root cause) pairs from a labelled file.

    Either a reference file like ``corpus/labels/train.csv`` (columns dataset, file, row,
    root_cause; resolved in ``../shared/data``), or your own CSV/TSV/XLSX/JSONL with columns
    ``id``, ``text`` (or ``turns``: a JSON list of {speaker, text}) and ``root_cause``.
    Rows with an empty ``root_cause`` are skipped (an analyst may leave rows unlabelled).
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
            return [(c, RootCauseClassifier._check_label(r["root_cause"])) for c, r in read_labels(path)
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
            lab = RootCauseClassifier._check_label(label)
        except InputError as e:
            raise InputError(f"{item.source}: {e}") from None
        out.append((replace(item, turns=turns, metadata=meta), lab))
    if skipped:
        log.info("%s: skipped %d rows without a root_cause label", path, skipped)
    if not out:
        raise InputError(f"{path} has no labelled rows; fill in the root_cause column.")
    return out


# -- weak supervision over the shared data -----------------------------------------------------------
WEAK_SOURCES = ("heimao_fin_complaints_celine", "stc3_dch_weibo_helpdesk", "waimai_10k",
                "ChnSentiCorp_htl_all", "online_shopping_10_cats")
WEAK_PER_CLASS = 1200


def weak_contacts(exclude: set[str], cues: Sequence[tuple[str, str, float]] | None = None,
                  per_class: int = WEAK_PER_CLASS, seed: int = 0) -> tuple[list[Contact], list[str]]:
    """Weakly labelled contacts from the NON-reserved rows of ``../shared/data``.

    Every non-reserved contact not in ``exclude`` (the hand-labelled ones) is labelled with
    ``weak_label`` (cues on the customer text; review polarity only to find praise), then at
    most ``per_class`` of each label are drawn at random with ``seed``.
    """
    from ..datasets import REVIEWS, iter_dataset

    matcher = CueMatcher(cues if cues is not None else read_cues())
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

        matcher = CueMatcher(read_cues(lexicon))
        weak_c, y_weak = [], []
        for c in read_contacts(unlabelled):
            if isinstance(c, Contact):
                lab = weak_label("。".join(t.text for t in c.turns if t.speaker == "customer"), matcher)
                if lab:
                    weak_c.append(c)
                    y_weak.append(lab)
        X_weak = prepare(weak_c)
    model = RootCauseClassifier(random_state=seed, lexicon=str(lexicon) if lexicon else None, **params)
    model.fit(docs, y, X_weak=X_weak, y_weak=y_weak)
    sources = [{"labelled": Path(data).name, "rows": len(pairs)}]
    if unlabelled:
        sources.append({"unlabelled": Path(unlabelled).name, "weakly_labelled": len(y_weak or [])})
    return model.save(output, version=version, data_sources=sources,
                      metrics={"dev": model.dev_} if model.dev_ else {})


def load_model(model: str | Path | None = None) -> RootCauseClassifier:
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


LABEL_SHEET_COLUMNS = ("id", "text", "turns", "predicted", "confidence", "margin", "root_cause", "secondary", "note")


def label_sample(inputs: Sequence[str | Path], n: int, output: str | Path, *,
                 model: str | Path | None = None, batch_size: int = 512) -> Path:
    """Write the ``n`` contacts the model is least sure about (smallest margin between its two
    best labels) to a CSV for an analyst: fill in ``root_cause`` and pass the file to
    ``voc train root-cause --data``. The text is normalised and redacted, as ``voc tag`` outputs it."""
    from ..io.readers import RowError, read_contacts

    if n < 1:
        raise ConfigError(f"--sample must be at least 1, got {n}.")
    clf = load_model(model)
    pipe = _text_pipeline()
    heap: list[tuple[float, int, dict[str, Any]]] = []  # min-heap on -uncertainty
    seq = 0

    def score(chunk: list[Contact]) -> None:
        nonlocal seq
        tagged = pipe.tag_batch(chunk)
        live = [t for t in tagged if (t.text or "").strip()]
        if not live:
            return
        docs = [doc_from_tagged(t) for t in live]
        probs = clf.predict_proba(docs)
        labels = _apply_threshold(probs, clf._other_, clf.threshold_)
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

    for path in inputs:
        chunk: list[Contact] = []
        for item in read_contacts(path):
            if isinstance(item, RowError):
                continue
            chunk.append(item)
            if len(chunk) >= batch_size:
                score(chunk)
                chunk = []
        if chunk:
            score(chunk)
    rows = [r for _, _, r in sorted(heap, key=lambda x: (-x[0][0], -x[0][1]))]
    output = Path(output)
    try:
        with open(output, "w", encoding="utf-8-sig", newline="") as f:  # BOM: opens cleanly in Excel
            w = csv.DictWriter(f, fieldnames=LABEL_SHEET_COLUMNS)
            w.writeheader()
            w.writerows(rows)
    except OSError as e:
        raise OutputError(f"cannot write {output} ({e.strerror}); choose a writable path.") from None
    return output


# -- the shipped default model -----------------------------------------------------------------------
def _labels_dir() -> Path:
    from ..resources import corpus_path

    return corpus_path("labels")


def default_training_data(seed: int = 0, weak: bool = True, cues=None):
    """(labelled docs, labels, weak docs, weak labels) for the shipped model: corpus/labels/train.csv
    plus weak supervision over the other non-reserved rows of ../shared/data."""
    pairs = read_labelled(_labels_dir() / "train.csv")
    docs = prepare([c for c, _ in pairs])
    y = [lab for _, lab in pairs]
    if not weak:
        return docs, y, None, None
    wc, wy = weak_contacts({c.id for c, _ in pairs}, cues=cues, seed=seed)
    return docs, y, prepare(wc), wy


DATA_SOURCES = [
    {"name": "corpus/labels/train.csv", "what": "1,600 contacts hand-labelled by the voc project (references "
     "into ../shared/data, non-reserved rows only)", "licence": "labels: Apache-2.0 (voc project)"},
    {"name": "heimao_fin_complaints_celine", "origin": "github celineyaxin/celine @7cb5174",
     "rows": "process_category/train.csv, dev.csv", "licence": "none stated"},
    {"name": "stc3_dch_weibo_helpdesk", "origin": "NTCIR-14 STC-3, github SB233/stc3-dataset @90da527",
     "rows": "train_data_cn.json, index % 5 != 0", "licence": "dialogue text non-commercial research use"},
    {"name": "waimai_10k", "origin": "github SophonPlus/ChineseNlpCorpus @a0b781d", "rows": "index % 10 != 0",
     "licence": "none stated"},
    {"name": "ChnSentiCorp_htl_all", "origin": "github SophonPlus/ChineseNlpCorpus @a0b781d",
     "rows": "index % 10 != 0", "licence": "none stated"},
    {"name": "online_shopping_10_cats", "origin": "github SophonPlus/ChineseNlpCorpus @a0b781d",
     "rows": "index % 10 != 0", "licence": "none stated"},
]


def reserved_report(model: RootCauseClassifier | Any, docs: Sequence[Doc] | None = None,
                    labels: Sequence[str] | None = None) -> dict[str, Any]:
    """Metrics of a model (or of any object with ``explain``-like ``__call__`` on docs) on
    corpus/labels/reserved_eval.csv."""
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
    docs, y, wdocs, wy = default_training_data(seed=seed)
    model = RootCauseClassifier(random_state=seed).fit(docs, y, X_weak=wdocs, y_weak=wy)
    log.info("trained in %.0f s", time.monotonic() - t0)
    pairs = read_labelled(_labels_dir() / "reserved_eval.csv")
    rdocs, rlabels = prepare([c for c, _ in pairs]), [lab for _, lab in pairs]
    report = reserved_report(model, rdocs, rlabels)
    from .baseline import CueRootCause

    base = CueRootCause()
    base_labels = [base.predict_one(d.text).label for d in rdocs]
    from ..evaluation import classification_report

    base_report = classification_report(rlabels, base_labels, labels=LABELS)
    metrics = {
        "reserved_eval": {"items": len(rlabels), "macro_f1": report["macro_f1"], "accuracy": report["accuracy"],
                          "per_class_f1": {k: v["f1"] for k, v in report["per_class"].items()},
                          "evidence_rate": report["evidence"]["rate"]},
        "keyword_baseline_reserved_eval": {"macro_f1": base_report["macro_f1"]},
        "dev": model.dev_,
    }
    folder = Path(models_root) / NAME / VERSION
    card = model_card(model, report, base_report, pairs)
    model.save(folder, version=VERSION, description="Root cause (agent/product/policy/process/other) of Chinese "
               "customer contacts: logistic regression on jieba tokens, char n-grams, agent context and cues",
               data_sources=DATA_SOURCES, metrics=metrics, card=card)
    return folder


def model_card(model: RootCauseClassifier, report: dict[str, Any], base_report: dict[str, Any],
               reserved_pairs: Sequence[tuple[Contact, str]]) -> str:
    from ..evaluation import format_report

    n = model.n_train_
    src_counts = Counter(c.id.split(":", 1)[0] for c, _ in reserved_pairs)
    lines = [
        f"# Root-cause model {VERSION}",
        "",
        "Assigns each Chinese customer contact the upstream owner who must fix its cause: agent "
        "(客服质检/培训), product (产品/研发), policy (业务政策/合规), process (运营/流程), or other "
        "(no cause can be told). Definitions: docs/taxonomy.md. Method: docs/root_cause.md.",
        "",
        "Rebuild: `python -m voc.build root_cause` (needs ../shared/data; deterministic for a given "
        "corpus/, data and library versions).",
        "",
        "## Model",
        "",
        f"- multinomial logistic regression (scikit-learn, C={model.C}) over customer jieba tokens + bigrams "
        f"(TF-IDF), customer character {model.char_ngrams[0]}-{model.char_ngrams[1]}-grams, agent-turn "
        f"character bigrams as context (weight {model.context_weight}), per-label cue-lexicon scores"
        if model.char_ngrams else "- multinomial logistic regression",
        f"- calibration: softmax temperature {model.temperature_}; `other` when the best label's probability "
        f"is below {model.threshold_}; both chosen on {model.dev_['folds'] if model.dev_ else '?'}-fold "
        f"development predictions over corpus/labels/train.csv (never on reserved rows)",
        "- evidence: up to two short clauses of the customer text around the features that favour the "
        "predicted label most",
        "- files: JSON vocabularies and config, `weights.npz` (numpy, no pickle), checked against "
        "manifest.json before loading",
        "",
        "## Training data",
        "",
        "| label | hand-labelled (train.csv) | weakly labelled (cues) |",
        "|---|---|---|",
    ]
    for lab in LABELS:
        lines.append(f"| {lab} | {n['labelled_by_class'].get(lab, 0)} | {n['weak_by_class'].get(lab, 0)} |")
    lines += [
        f"| total | {n['labelled']} | {n['weak']} |",
        "",
        "Hand labels: corpus/labels/train.csv, non-reserved rows of the sets below, labelled by reading "
        "each contact against the taxonomy (see corpus/README.md; second-pass Cohen's kappa 0.902). "
        "Weak labels: other non-reserved rows whose cue-lexicon scores point clearly to one label "
        "(positive reviews without cues -> other), weight "
        f"{model.weak_weight} relative to a hand label.",
        "",
        "Sources (text is read from ../shared/data at training time; none is shipped, only weights "
        "and vocabulary):",
        "",
    ]
    for s in DATA_SOURCES:
        lines.append(f"- {s['name']}: {s.get('origin', s.get('what', ''))}; rows: {s.get('rows', 'all')}; "
                     f"licence: {s['licence']}")
    lines += [
        "",
        "## Metrics on reserved rows (corpus/labels/reserved_eval.csv)",
        "",
        f"{report['n']} hand-labelled reserved contacts ("
        + ", ".join(f"{k} {v}" for k, v in sorted(src_counts.items())) + "). "
        f"Macro-F1 {report['macro_f1']:.3f} (keyword-only baseline {base_report['macro_f1']:.3f}). "
        f"Evidence non-empty and inside the customer text for "
        f"{report['evidence']['with_evidence_in_text']}/{report['evidence']['non_other']} non-other predictions "
        f"({report['evidence']['rate']:.1%}).",
        "",
        "```",
        format_report(report),
        "```",
        "",
        "Reproduce: `python bench/root_cause_eval.py` (also trains the model without weak supervision "
        "for comparison) or `voc evaluate root-cause --data corpus/labels/reserved_eval.csv`.",
        "",
        "## Known weaknesses",
        "",
        "- Trained on financial complaints, Weibo helpdesk dialogues (telecom, phones, apps, travel) and "
        "food-delivery, hotel and shopping reviews; other industries (utilities, government hotlines, "
        "insurance claims) and ASR call transcripts with recognition errors are unseen: check a sample "
        "and retrain with `voc train root-cause` on your own labels (`voc label --sample N` picks them).",
        "- agent vs process and policy vs process are the most confused pairs (a slow refund handled "
        "rudely, a fee charged by a system error): see the confusion matrix above. Secondary causes "
        "are not predicted.",
        "- Long complaints that list several grievances get one label; the evidence shows the strongest.",
        "- Sarcasm and negation (\"不是态度问题\") are only partly handled by the bag-of-words model.",
        "- The tokens depend on corpus/lexicons/userdict.txt and stopwords.txt; rebuild the model after "
        "changing them (a warning is logged when they differ from training).",
    ]
    return "\n".join(lines) + "\n"
