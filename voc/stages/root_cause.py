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
from typing import Any, Iterable, NamedTuple, Sequence

import numpy as np

from ..errors import ConfigError, InputError, ModelError, OutputError
from ..lexicon import OWNERS, ROOT_CAUSES, CueLexicon
from ..records import Contact, RootCause, Tagged, Turn, evolve

log = logging.getLogger(__name__)

NAME = "root_cause"
VERSION = "1.3.0"
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
    if not tokens:
        return []
    toks = "\x00".join(tokens).lower().split("\x00")
    if bigrams and len(toks) > 1:
        toks.extend(map(" ".join, zip(toks, toks[1:])))
    return toks


_BITS = 21  # bits of one Unicode code point: a character n-gram (n <= 3) packs into one int64


def _char_keys(texts: Sequence[str], lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, key) of every character n-gram (lo <= n <= hi) of the lower-cased texts, computed
    for the whole batch at once: each n-gram is its code points packed into one int64."""
    n = len(texts)
    lows = [t.lower().replace("\x00", " ") for t in texts]
    lens = np.fromiter(map(len, lows), dtype=np.int64, count=n)
    cp = np.frombuffer(("\x00".join(lows) + "\x00").encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    row_of = np.repeat(np.arange(n, dtype=np.int64), lens + 1)
    rows, keys = [], []
    for k in range(lo, hi + 1):
        m = len(cp) - k + 1
        if m <= 0:
            continue
        key = np.zeros(m, dtype=np.int64)
        valid = np.ones(m, dtype=bool)
        for j in range(k):
            seg = cp[j:j + m]
            key = (key << _BITS) | seg
            valid &= seg != 0
        rows.append(row_of[:m][valid])
        keys.append(key[valid])
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(keys)


def _key_text(key: int) -> str:
    chars = []
    while key:
        chars.append(chr(key & ((1 << _BITS) - 1)))
        key >>= _BITS
    return "".join(reversed(chars))


def _lookup(feature_lists: Sequence[Sequence[str]], index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every feature found in ``index`` (unknown features dropped)."""
    from itertools import chain, repeat

    n = len(feature_lists)
    lengths = np.fromiter(map(len, feature_lists), dtype=np.int64, count=n)
    cols = np.fromiter(map(index.get, chain.from_iterable(feature_lists), repeat(-1)),
                       dtype=np.int64, count=int(lengths.sum()))
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    keep = cols >= 0
    return rows[keep], cols[keep]


def _tfidf(rows: np.ndarray, cols: np.ndarray, n: int, width: int, idf: np.ndarray):
    """Sublinear TF-IDF (``1 + log tf``, times idf, L2-normalised rows) from (row, column)
    occurrences, as a CSR matrix."""
    from scipy.sparse import csr_matrix

    w = max(width, 1)
    keys, counts = np.unique(rows * w + cols, return_counts=True)
    r, c = keys // w, keys % w
    data = (1.0 + np.log(counts)) * idf[c] if len(c) else np.zeros(0)
    if len(data):
        data = data / np.sqrt(np.bincount(r, weights=data * data, minlength=n))[r]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
    return csr_matrix((data, c.astype(np.int32), indptr), shape=(n, width))


def _idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    return np.log((1 + n_docs) / (1 + np.asarray(df, dtype=np.float64))) + 1.0


class _CharVocab:
    """Character n-grams (as packed int64 keys, sorted) -> columns, with TF-IDF."""

    def __init__(self, keys: np.ndarray, idf: np.ndarray, lo: int, hi: int):
        from ..text.ngrams import KeyIndex

        self.keys = np.asarray(keys, dtype=np.int64)
        self.index = KeyIndex(self.keys, np.arange(len(self.keys)))
        self.idf = np.asarray(idf, dtype=np.float32).astype(np.float64)
        self.lo, self.hi = lo, hi

    def __len__(self) -> int:
        return len(self.keys)

    def name(self, j: int) -> str:
        return _key_text(int(self.keys[j]))

    @classmethod
    def fit(cls, texts: Sequence[str], lo: int, hi: int, min_df: int) -> "_CharVocab":
        rows, keys = _char_keys(texts, lo, hi)
        pairs = np.unique(np.stack([keys, rows]), axis=1) if len(keys) else np.zeros((2, 0), dtype=np.int64)
        uniq, df = np.unique(pairs[0], return_counts=True)
        keep = df >= min_df
        return cls(uniq[keep], _idf(df[keep], len(texts)), lo, hi)

    def transform(self, texts: Sequence[str]):
        rows, keys = _char_keys(texts, self.lo, self.hi)
        idx = self.index.get(keys)
        ok = idx >= 0
        return _tfidf(rows[ok], idx[ok], len(texts), len(self.keys), self.idf)


class _Vocab:
    """Feature names -> columns, with sublinear TF-IDF and L2 row normalisation."""

    def __init__(self, names: Sequence[str], idf: np.ndarray):
        self.names = list(names)
        self.index = {n: i for i, n in enumerate(self.names)}
        # float32 values (as saved), so a saved and re-loaded model predicts bit for bit the same
        self.idf = np.asarray(idf, dtype=np.float32).astype(np.float64)

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

    @classmethod
    def fit_union(cls, main: Sequence[Sequence[str]], extra: Sequence[Sequence[str]], min_df: int,
                  extra_min_df: int) -> "_Vocab":
        """Features with ``min_df`` documents in ``main`` or ``extra_min_df`` in all; idf over all."""
        df_main: Counter = Counter()
        for feats in main:
            df_main.update(set(feats))
        df: Counter = Counter(df_main)
        for feats in extra:
            df.update(set(feats))
        names = sorted(n for n, c in df.items() if df_main[n] >= min_df or c >= extra_min_df)
        n_docs = len(main) + len(extra)
        idf = np.array([math.log((1 + n_docs) / (1 + df[n])) + 1.0 for n in names], dtype=np.float64)
        return cls(names, idf)

    def transform(self, feature_lists: Sequence[Sequence[str]]):
        """Sublinear TF-IDF rows (``1 + log tf``, times idf, L2-normalised) as a CSR matrix."""
        rows, cols = _lookup(feature_lists, self.index)
        return _tfidf(rows, cols, len(feature_lists), len(self.names), self.idf)


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


def _choose_threshold(probs: np.ndarray, y: np.ndarray, other: int | None,
                      tolerance: float = 0.005) -> tuple[float, float]:
    """The confidence threshold under which a prediction becomes ``other``: the highest one
    whose macro-F1 on development predictions is within ``tolerance`` of the best (when in
    doubt, say ``other`` rather than send a contact to the wrong owner)."""
    k = probs.shape[1]
    base = _macro_f1(y, probs.argmax(axis=1), k)
    if other is None:
        return 0.0, base
    grid = [0.0] + [float(t) for t in np.round(np.arange(0.05, 0.951, 0.025), 3)]
    f1s = [base] + [_macro_f1(y, _apply_threshold(probs, other, t), k) for t in grid[1:]]
    best = max(f1s)
    i = max(i for i, f in enumerate(f1s) if f >= best - tolerance - 1e-12)
    return grid[i], f1s[i]


# -- the estimator -------------------------------------------------------------------------------
class RootCauseClassifier:
    """Root-cause classifier with the scikit-learn contract.

    ``fit(X, y, sample_weight=None, *, X_weak=None, y_weak=None, auxiliary=None)``,
    ``predict_proba(X)``, ``predict(X)``, ``explain(X)`` (label, scores,
    evidence, owner), ``save(folder)``, ``RootCauseClassifier.load(folder)``. ``X`` is a list of
    ``Doc`` (see ``prepare``) or of plain customer texts. The constructor only stores settings;
    learned state ends in ``_``.

    Secondary labels, optional: ``y_secondary`` gives a second root cause per contact (or
    None); such a contact also trains as a row of that label with ``secondary_weight``.

    Weak supervision, optional: ``X_weak``/``y_weak`` are contacts labelled by the cue lexicon
    (``weak_label``); ``auxiliary`` maps a task name to (contacts, labels) of any other signal
    that is not a root cause (e.g. ``{"polarity": (reviews, stars)}``). Each trains an
    auxiliary logistic regression on the customer words whose scores become features of the
    main model, so that the main model, fitted on the hand labels only, learns how far to
    trust them. A binary task gives two non-negative features, one per side; a multi-class
    task one score per class.

    The main model is a linear SVM (liblinear, balanced class weights); ``predict_proba`` is a
    softmax of its scores with a temperature fitted on development predictions
    (``calibrate``), and ``other_threshold="auto"`` picks, on the same predictions, the
    probability under which the best label gives way to ``other``. Development predictions
    are out-of-fold over the labelled rows (``cv`` folds); the final model is refitted on all.
    """

    _estimator_type = "classifier"
    _PARAMS = ("C", "word_bigrams", "char_ngrams", "char_weight", "context_weight", "cue_weight", "aux_scale",
               "aux_C", "min_df", "aux_min_df", "other_threshold", "calibrate", "cv", "random_state", "max_spans", "span_chars",
               "lexicon", "secondary_weight")

    def __init__(self, C: float = 0.5, word_bigrams: bool = True, char_ngrams: tuple[int, int] | None = (2, 2),
                 char_weight: float = 1.0, context_weight: float = 0.5, cue_weight: float = 1.0,
                 aux_scale: float = 0.2, aux_C: float = 4.0, min_df: int = 2, aux_min_df: int = 5,
                 other_threshold: float | str = "auto", calibrate: bool = True, cv: int = 5,
                 random_state: int = 0, max_spans: int = 2, span_chars: int = 20, lexicon: str | None = None,
                 secondary_weight: float = 0.4):
        self.C = C
        self.word_bigrams = word_bigrams
        self.char_ngrams = char_ngrams
        self.char_weight = char_weight
        self.context_weight = context_weight
        self.cue_weight = cue_weight
        self.aux_scale = aux_scale
        self.aux_C = aux_C
        self.min_df = min_df
        self.aux_min_df = aux_min_df
        self.other_threshold = other_threshold
        self.calibrate = calibrate
        self.cv = cv
        self.random_state = random_state
        self.max_spans = max_spans
        self.span_chars = span_chars
        self.lexicon = lexicon
        self.secondary_weight = secondary_weight

    # -- scikit-learn parameter protocol ----------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {p: getattr(self, p) for p in self._PARAMS}

    def set_params(self, **params: Any) -> "RootCauseClassifier":
        for k, v in params.items():
            if k not in self._PARAMS:
                raise ConfigError(f"RootCauseClassifier has no parameter {k!r}; use one of {', '.join(self._PARAMS)}.")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.get_params().items() if v != type(self)().get_params()[k]}
        return f"RootCauseClassifier({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    def _check_params(self) -> None:
        for p in ("C", "aux_C"):
            v = getattr(self, p)
            if not (isinstance(v, (int, float)) and v > 0):
                raise ConfigError(f"{p} must be a positive number, got {v!r}; pass e.g. {p}=0.5.")
        if self.char_ngrams is not None:
            lo, hi = self.char_ngrams
            if not (1 <= lo <= hi <= 3):
                raise ConfigError(f"char_ngrams must be (lo, hi) with 1 <= lo <= hi <= 3, got {self.char_ngrams!r}.")
        if self.other_threshold != "auto" and not (isinstance(self.other_threshold, (int, float))
                                                   and 0 <= self.other_threshold < 1):
            raise ConfigError(f"other_threshold must be 'auto' or a number in [0, 1), got {self.other_threshold!r}.")
        if not (isinstance(self.secondary_weight, (int, float)) and self.secondary_weight >= 0):
            raise ConfigError(f"secondary_weight must be a number >= 0, got {self.secondary_weight!r}; "
                              "pass e.g. secondary_weight=0.4 (0 ignores secondary labels).")
        if not (isinstance(self.cv, int) and self.cv >= 2):
            raise ConfigError(f"cv must be an integer of at least 2, got {self.cv!r}.")

    @staticmethod
    def _check_label(v: Any) -> str:
        lab = str(v).strip().lower() if v is not None else ""
        lab = LABEL_ALIASES.get(lab, lab)
        if lab not in LABELS:
            raise InputError(f"unknown root cause label {v!r}; use one of {', '.join(LABELS)}.")
        return lab

    # -- features ------------------------------------------------------------------------------------
    def _word_lists(self, docs: Sequence[Doc]) -> list[list[str]]:
        return [_word_features(d.tokens, self.word_bigrams) for d in docs]

    def _raw_features(self, docs: Sequence[Doc]) -> dict[str, Any]:
        matches = [self._matcher_.find(d.text) for d in docs]
        cue = np.zeros((len(docs), len(CUE_LABELS)), dtype=np.float64)
        col = {lab: i for i, lab in enumerate(CUE_LABELS)}
        for i, ms in enumerate(matches):
            for lab, w, _, _ in ms:
                if lab in col:
                    cue[i, col[lab]] += w
        return {
            "word": self._word_lists(docs),
            "char": [d.text for d in docs] if self.char_ngrams else None,
            "context": [d.context[:_MAX_CONTEXT] for d in docs],
            "cue": np.log1p(cue),
            "matches": matches,
        }

    def _build_join(self) -> None:
        """One dictionary for the main and the auxiliary word vocabularies (one lookup per word)."""
        names = list(self.vocabs_["word"].names)
        aux = self.vocabs_.get("aux")
        index = {n: i for i, n in enumerate(names)}
        if aux is not None:
            for n in aux.names:
                if n not in index:
                    index[n] = len(names)
                    names.append(n)
        self._join_ = index
        main_col = np.full(len(names), -1, dtype=np.int64)
        main_col[:len(self.vocabs_["word"])] = np.arange(len(self.vocabs_["word"]))
        aux_col = np.full(len(names), -1, dtype=np.int64)
        if aux is not None:
            aux_col[[index[n] for n in aux.names]] = np.arange(len(aux))
        self._join_cols_ = (main_col, aux_col)

    def _word_blocks(self, words: Sequence[Sequence[str]]):
        """TF-IDF of the customer words in the main and in the auxiliary vocabulary."""
        n = len(words)
        rows, merged = _lookup(words, self._join_)
        out = []
        for name, cols in zip(("word", "aux"), self._join_cols_):
            if name not in self.vocabs_:
                out.append(None)
                continue
            c = cols[merged]
            ok = c >= 0
            out.append(_tfidf(rows[ok], c[ok], n, len(self.vocabs_[name]), self.vocabs_[name].idf))
        return out[0], out[1]

    def _aux_features(self, Xa) -> np.ndarray:
        """Scores of the auxiliary (weakly supervised) models as features."""
        if not len(self.aux_):
            return np.zeros((Xa.shape[0] if Xa is not None else 0, 0))
        z = np.asarray(Xa @ self.aux_coef_.T) + self.aux_intercept_
        cols = []
        for m, binary in enumerate(self.aux_binary_):
            if binary:  # evidence for either side as two non-negative features
                cols += [np.clip(-z[:, m], 0, None), np.clip(z[:, m], 0, None)]
            else:
                cols.append(z[:, m])
        return np.column_stack(cols) * self.aux_scale

    def _design(self, raw: dict[str, Any], rows: np.ndarray | None = None, with_aux_input: bool = False):
        from scipy.sparse import csr_matrix, hstack

        def pick(lst):
            return lst if rows is None else [lst[i] for i in rows]

        Xw, Xa = self._word_blocks(pick(raw["word"]))
        blocks = [Xw]
        if "char" in self.vocabs_:
            blocks.append(self.vocabs_["char"].transform(pick(raw["char"])) * self.char_weight)
        blocks.append(self.vocabs_["context"].transform(pick(raw["context"])) * self.context_weight)
        cue = raw["cue"] if rows is None else raw["cue"][rows]
        blocks.append(csr_matrix(cue * self.cue_weight))
        blocks.append(csr_matrix(self._aux_features(Xa) if Xa is not None else np.zeros((Xw.shape[0], 0))))
        X = hstack(blocks, format="csr")
        if with_aux_input:
            return X, Xa
        return X

    def _block_slices(self) -> dict[str, tuple[int, int]]:
        out, start = {}, 0
        for name in ("word", "char", "context"):
            if name in self.vocabs_:
                out[name] = (start, start + len(self.vocabs_[name]))
                start += len(self.vocabs_[name])
        out["cue"] = (start, start + len(CUE_LABELS))
        start += len(CUE_LABELS)
        out["aux"] = (start, start + sum(2 if b else 1 for b in self.aux_binary_))
        return out

    # -- training pieces -------------------------------------------------------------------------------
    def _svm(self, X, y: np.ndarray, w: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.svm import LinearSVC

        svm = LinearSVC(C=self.C, max_iter=5000, random_state=self.random_state)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            svm.fit(X, y, sample_weight=w)
        coef = np.zeros((k, X.shape[1]))
        intercept = np.full(k, -10.0)  # a class absent from this training set is never predicted
        if len(svm.classes_) == 2:  # binary problems come back as one row: make them two
            coef[svm.classes_[1]], intercept[svm.classes_[1]] = svm.coef_[0] / 2, svm.intercept_[0] / 2
            coef[svm.classes_[0]], intercept[svm.classes_[0]] = -svm.coef_[0] / 2, -svm.intercept_[0] / 2
        else:
            coef[svm.classes_], intercept[svm.classes_] = svm.coef_, svm.intercept_
        return _f32(coef), _f32(intercept)

    def _aux_model(self, Xw, y: np.ndarray) -> np.ndarray:
        """(rows of coef, intercepts) of a logistic regression on word features: one row for a
        binary target, one per class otherwise."""
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=self.aux_C, max_iter=500, solver="liblinear" if len(set(y)) == 2 else "lbfgs")
        lr.fit(Xw, y)
        return _f32(lr.coef_), _f32(lr.intercept_)

    def _weights(self, y: np.ndarray, k: int, sample_weight) -> np.ndarray:
        counts = np.bincount(y, minlength=k).astype(np.float64)
        cw = np.where(counts > 0, len(y) / (k * np.maximum(counts, 1)), 1.0)
        w = cw[y]
        if sample_weight is not None:
            w = w * np.asarray(sample_weight, dtype=np.float64)
        return w

    # -- fit ---------------------------------------------------------------------------------------
    def fit(self, X: Sequence[Doc | str], y: Sequence[str], sample_weight: Sequence[float] | None = None, *,
            X_weak: Sequence[Doc | str] | None = None, y_weak: Sequence[str] | None = None,
            auxiliary: dict[str, tuple[Sequence[Doc | str], Sequence[Any]]] | None = None,
            y_secondary: Sequence[str | None] | None = None,
            ) -> "RootCauseClassifier":
        self._check_params()
        docs = _as_docs(X)
        labels = [self._check_label(v) for v in y]
        if len(docs) != len(labels):
            raise ConfigError(f"{len(docs)} contacts but {len(labels)} labels; give one label per contact.")
        present = set(labels)
        if len(present) < 2:
            raise InputError("the training labels hold fewer than two root causes; label contacts of at least two.")
        self.classes_ = tuple(lab for lab in LABELS if lab in present)
        k = len(self.classes_)
        cidx = {lab: i for i, lab in enumerate(self.classes_)}
        yi = np.array([cidx[v] for v in labels], dtype=np.int64)
        weak_docs = _as_docs(X_weak) if X_weak is not None else []
        weak_y = [self._check_label(v) for v in (y_weak if y_weak is not None else [])]
        if len(weak_docs) != len(weak_y):
            raise ConfigError(f"{len(weak_docs)} weak contacts but {len(weak_y)} weak labels; give one per contact.")
        tasks: list[tuple[str, list[Doc], list[str]]] = []
        if len(set(weak_y)) >= 2:
            tasks.append(("cues", weak_docs, weak_y))
        for name, (ax, ay) in sorted((auxiliary or {}).items()):
            ax, ay = _as_docs(ax), [str(v) for v in ay]
            if len(ax) != len(ay):
                raise ConfigError(f"auxiliary task {name!r} has {len(ax)} contacts but {len(ay)} labels; "
                                  f"give one label per contact.")
            if len(set(ay)) >= 2:
                tasks.append((name, ax, ay))

        self.cues_ = read_cues(self.lexicon)
        self._matcher_ = CueMatcher(self.cues_)
        # vocabularies: words over every text seen (labelled, weak, reviews), chars and context
        # over the labelled texts; document frequencies only, no labels
        gold_words = self._word_lists(docs)
        task_words = [self._word_lists(tx) for _, tx, _ in tasks]
        raw = self._raw_features(docs)
        self.vocabs_ = {"word": _Vocab.fit(gold_words, self.min_df),
                        "context": _CharVocab.fit(raw["context"], 2, 2, self.min_df)}
        if raw["char"] is not None:
            self.vocabs_["char"] = _CharVocab.fit(raw["char"], *self.char_ngrams, self.min_df)
        if tasks:  # the auxiliary models' own word vocabulary
            self.vocabs_["aux"] = _Vocab.fit_union(gold_words, [f for tw in task_words for f in tw],
                                                   self.aux_min_df, self.aux_min_df)

        self._build_join()
        # auxiliary models from weak supervision (they never see the hand labels)
        aux, binary, coefs, intercepts = [], [], [], []
        for (name, _, ty), words in zip(tasks, task_words):
            classes = sorted(set(ty), key=lambda v: (LABELS.index(v) if name == "cues" else 0, v))
            c, b = self._aux_model(self.vocabs_["aux"].transform(words), np.array([classes.index(v) for v in ty]))
            is_binary = len(classes) == 2
            aux += [f"{name}:{classes[0]}|{classes[1]}"] if is_binary else [f"{name}:{v}" for v in classes]
            binary += [True] if is_binary else [False] * len(classes)
            coefs.append(c)
            intercepts.append(b)
        self.aux_ = tuple(aux)
        self.aux_binary_ = tuple(binary)
        n_aux = len(self.vocabs_["aux"]) if "aux" in self.vocabs_ else 0
        self.aux_coef_ = np.vstack(coefs) if coefs else np.zeros((0, n_aux))
        self.aux_intercept_ = np.concatenate(intercepts) if intercepts else np.zeros(0)

        Xm = self._design(raw)
        w = self._weights(yi, k, sample_weight)
        other = cidx.get("other")
        extra = self._secondary_rows(y_secondary, yi, w, cidx)
        oof = self._out_of_fold(Xm, yi, w, k, extra) if (self.calibrate or self.other_threshold == "auto") else None
        self.temperature_ = 1.0
        self.dev_ = None
        if oof is not None:
            if self.calibrate:
                self.temperature_ = _fit_temperature(oof, yi)
            probs = _softmax(oof / self.temperature_)
            if self.other_threshold == "auto":
                self.threshold_, dev_f1 = _choose_threshold(probs, yi, other)
            else:
                self.threshold_ = float(self.other_threshold)
                dev_f1 = _macro_f1(yi, _apply_threshold(probs, other, self.threshold_), k)
            self.dev_ = {"folds": self._folds_used, "macro_f1": round(dev_f1, 4),
                         "macro_f1_without_threshold": round(_macro_f1(yi, probs.argmax(1), k), 4)}
        else:
            self.threshold_ = 0.0 if self.other_threshold == "auto" else float(self.other_threshold)
        rows, ys, ws = self._with_secondary(np.arange(len(yi)), yi, w, extra)
        self.coef_, self.intercept_ = self._svm(Xm[rows], ys, ws, k)
        self.n_train_ = {"labelled": len(docs), "weak": len(weak_docs),
                         "labelled_by_class": {lab: int(np.sum(yi == i)) for lab, i in cidx.items()},
                         "secondary": int(len(extra[0])),
                         "weak_by_class": {lab: weak_y.count(lab) for lab in LABELS if weak_y.count(lab)},
                         "auxiliary": {name: dict(sorted(Counter(ty).items())) for name, _, ty in tasks
                                       if name != "cues"}}
        self._prepare_inference()
        return self

    def _secondary_rows(self, y_secondary, yi: np.ndarray, w: np.ndarray,
                        cidx: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Contacts with a secondary root cause become extra rows of that label, weighted by
        ``secondary_weight`` (a contact with two causes is evidence for both): (row indices,
        labels, weights)."""
        idx, ys = [], []
        if y_secondary is not None and self.secondary_weight > 0:
            if len(y_secondary) != len(yi):
                raise ConfigError(f"{len(y_secondary)} secondary labels for {len(yi)} contacts; give one "
                                  "(or an empty one) per contact.")
            for i, v in enumerate(y_secondary):
                lab = self._check_label(v) if v and str(v).strip() else None
                if lab is not None and lab in cidx and cidx[lab] != yi[i]:
                    idx.append(i)
                    ys.append(cidx[lab])
        idx_a = np.array(idx, dtype=np.int64)
        return idx_a, np.array(ys, dtype=np.int64), w[idx_a] * self.secondary_weight

    @staticmethod
    def _with_secondary(rows: np.ndarray, yi: np.ndarray, w: np.ndarray, extra) -> tuple[np.ndarray, ...]:
        """Training rows ``rows`` plus the secondary rows of those contacts."""
        idx, ys, ws = extra
        keep = np.isin(idx, rows)
        return (np.concatenate([rows, idx[keep]]), np.concatenate([yi[rows], ys[keep]]),
                np.concatenate([w[rows], ws[keep]]))

    def _out_of_fold(self, Xm, yi: np.ndarray, w: np.ndarray, k: int, extra=None) -> np.ndarray | None:
        from sklearn.model_selection import StratifiedKFold

        counts = np.bincount(yi, minlength=k)
        folds = min(self.cv, int(counts[counts > 0].min()))
        self._folds_used = folds
        if folds < 2:
            log.warning("too few labelled contacts per class for development folds: no calibration, threshold 0")
            return None
        skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.random_state)
        oof = np.zeros((len(yi), k))
        empty = (np.zeros(0, dtype=np.int64),) * 2 + (np.zeros(0),)
        for tr, dev in skf.split(np.zeros(len(yi)), yi):
            rows, ys, ws = self._with_secondary(tr, yi, w, extra if extra is not None else empty)
            coef, intercept = self._svm(Xm[rows], ys, ws, k)
            oof[dev] = Xm[dev] @ coef.T + intercept
        return oof

    # -- inference ---------------------------------------------------------------------------------
    def _prepare_inference(self) -> None:
        self._matcher_ = CueMatcher(self.cues_)
        self._build_join()
        self._slices_ = self._block_slices()
        # evidence weights: how much each feature favours a class over the average class. The
        # auxiliary scores are linear in the word features, so their share is folded back onto
        # the words; context (agent) features are never evidence, the customer's words are.
        ev = self.coef_.copy()
        a, b = self._slices_["aux"]
        ev_aux = np.zeros((len(self.classes_), self.aux_coef_.shape[1]))
        col = a
        for m, binary in enumerate(self.aux_binary_):
            if binary:
                eff = (self.coef_[:, col + 1] - self.coef_[:, col]) * self.aux_scale
                col += 2
            else:
                eff = self.coef_[:, col] * self.aux_scale
                col += 1
            ev_aux += np.outer(eff, self.aux_coef_[m])
        ev[:, a:b] = 0.0
        ca, cb = self._slices_["context"]
        ev[:, ca:cb] = 0.0
        ev = np.hstack([ev, ev_aux])  # columns: the design matrix, then the auxiliary word features
        self._evidence_w_ = ev - ev.mean(axis=0, keepdims=True)
        self._other_ = self.classes_.index("other") if "other" in self.classes_ else None

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ModelError("this RootCauseClassifier is not trained; call fit() or load a model folder.")

    def _scores(self, docs: Sequence[Doc]):
        from scipy.sparse import hstack

        raw = self._raw_features(docs)
        Xm, Xa = self._design(raw, with_aux_input=True)
        scores = np.asarray(Xm @ self.coef_.T) + self.intercept_
        Xe = Xm if Xa is None else hstack([Xm, Xa], format="csr")  # what evidence is drawn from
        return scores, Xe, raw

    def decision_function(self, X: Sequence[Doc | str]) -> np.ndarray:
        self._check_fitted()
        return self._scores(_as_docs(X))[0]

    def predict_proba(self, X: Sequence[Doc | str]) -> np.ndarray:
        """Calibrated probabilities, columns in ``classes_`` order."""
        return _softmax(self.decision_function(X) / self.temperature_)

    def predict(self, X: Sequence[Doc | str]) -> list[str]:
        """Labels, with ``other`` where the best label's probability is under the threshold."""
        return [r.label for r in self.explain(X)]

    def explain(self, X: Sequence[Doc | str]) -> list[RootCause]:
        """Label, scores over all five labels, evidence spans and owner for each contact."""
        self._check_fitted()
        docs = _as_docs(X)
        if not docs:
            return []
        scores, Xm, raw = self._scores(docs)
        probs = _softmax(scores / self.temperature_)
        pred = _apply_threshold(probs, self._other_, self.threshold_)
        empty = np.array([not d.text.strip() for d in docs])
        evidence = self._evidence(Xm, pred, docs, raw["matches"], empty)
        col = {lab: i for i, lab in enumerate(self.classes_)}
        rounded = np.round(probs, 4)
        out = []
        for i in range(len(docs)):
            label = "other" if empty[i] else self.classes_[pred[i]]
            scores_i = {lab: float(rounded[i, col[lab]]) if lab in col else 0.0 for lab in LABELS}
            out.append(RootCause(label, scores_i, evidence[i] if label != "other" else (), OWNERS[label]))
        return out

    def _evidence(self, Xe, pred: np.ndarray, docs: Sequence[Doc], matches, empty) -> list[tuple[str, ...]]:
        """Per contact, up to ``max_spans`` short customer-text clauses around the features
        that most favour the predicted label."""
        n = Xe.shape[0]
        wanted = ~empty & (pred != (-1 if self._other_ is None else self._other_))
        rows = np.repeat(np.arange(n), np.diff(Xe.indptr))
        contrib = Xe.data * self._evidence_w_[pred[rows], Xe.indices]
        keep = (contrib > 0) & wanted[rows]
        rows, cols, contrib = rows[keep], Xe.indices[keep], contrib[keep]
        order = np.lexsort((-contrib, rows))  # by row, then by contribution, largest first
        rows, cols = rows[order], cols[order]
        starts = np.searchsorted(rows, np.arange(n + 1))
        out: list[tuple[str, ...]] = []
        for i in range(n):
            if not wanted[i]:
                out.append(())
                continue
            text = docs[i].text
            spans: list[tuple[int, int]] = []
            for j in cols[starts[i]:min(starts[i + 1], starts[i] + 10)]:
                for surface in self._surfaces(int(j), text, matches[i]):
                    self._add_span(text, surface, spans)
                if len(spans) >= self.max_spans:
                    break
            out.append(tuple(text[a:b] for a, b in sorted(spans)))
        return out

    def _surfaces(self, j: int, text: str, matches) -> list[str]:
        """Customer-text strings behind column ``j`` of the evidence matrix."""
        sl = self._slices_
        if j < sl["word"][1]:
            return self.vocabs_["word"].names[j].split(" ")
        if "char" in sl and sl["char"][0] <= j < sl["char"][1]:
            return [self.vocabs_["char"].name(j - sl["char"][0])]
        if sl["cue"][0] <= j < sl["cue"][1]:
            lab = CUE_LABELS[j - sl["cue"][0]]
            return [text[a:b] for lb, _, a, b in matches if lb == lab]
        j -= sl["aux"][1]  # past the design matrix: the auxiliary models' word features
        if j >= 0 and "aux" in self.vocabs_:
            return self.vocabs_["aux"].names[j].split(" ")
        return []

    def _add_span(self, text: str, surface: str, spans: list[tuple[int, int]]) -> None:
        """Add the clause around the first occurrence of ``surface`` unless it overlaps one."""
        if len(spans) >= self.max_spans:
            return
        s = surface.strip()
        if not s or all(ch in _DELIMS for ch in s):
            return
        pos = text.find(s)
        if pos < 0:
            low = text.lower()
            pos = low.find(s) if len(low) == len(text) else -1
            if pos < 0:
                return
        a, b = _clause(text, pos, pos + len(s), self.span_chars)
        if not any(a < y and b > x for x, y in spans):
            spans.append((a, b))

    # -- persistence -------------------------------------------------------------------------------
    def save(self, folder: str | Path, *, version: str = VERSION, description: str = "",
             data_sources: list[dict[str, Any]] | None = None, metrics: dict[str, Any] | None = None,
             card: str | None = None, extra: dict[str, Any] | None = None) -> Path:
        """Write the model to ``folder``: ``config.json``, ``vocab_*.json``, ``weights.npz``
        (numpy arrays, no pickle), ``MODEL_CARD.md`` and ``manifest.json`` (SHA-256 of each file).

        The folder must be new or empty; a model version is never overwritten in place.
        """
        from ..models import save_arrays, write_manifest

        self._check_fitted()
        folder = Path(folder)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise OutputError(f"{folder} already exists and is not empty; give a new folder for each model version.")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create {folder} ({e.strerror}); choose a writable folder.") from None
        params = self.get_params()
        params["char_ngrams"] = list(self.char_ngrams) if self.char_ngrams else None
        config = {
            "format": FORMAT, "params": params, "classes": list(self.classes_),
            "temperature": self.temperature_, "other_threshold": self.threshold_, "aux": list(self.aux_),
            "aux_binary": list(self.aux_binary_),
            "blocks": [name for name in ("word", "char", "context", "aux") if name in self.vocabs_],
            "cues": [list(c) for c in self.cues_], "training": self.n_train_, "dev": self.dev_,
            "segmenter": segmenter_fingerprint(),
        }
        (folder / "config.json").write_text(json.dumps(config, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        arrays = {"coef": self.coef_.astype(np.float32), "intercept": self.intercept_.astype(np.float32),
                  "aux_coef": self.aux_coef_.astype(np.float32),
                  "aux_intercept": self.aux_intercept_.astype(np.float32)}
        for name, voc in self.vocabs_.items():
            if isinstance(voc, _CharVocab):  # packed character n-grams: plain int64 arrays
                arrays[f"keys_{name}"] = voc.keys
            else:
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
            model.aux_ = tuple(config["aux"])
            model.aux_binary_ = tuple(bool(b) for b in config["aux_binary"])
            model.cues_ = [(a, b, float(c)) for a, b, c in config["cues"]]
            model.n_train_ = config.get("training")
            model.dev_ = config.get("dev")
            model.vocabs_ = {}
            for name in config["blocks"]:
                if name in ("char", "context"):
                    lo, hi = model.char_ngrams if name == "char" else (2, 2)
                    model.vocabs_[name] = _CharVocab(arrays[f"keys_{name}"], arrays[f"idf_{name}"], lo, hi)
                else:
                    model.vocabs_[name] = _Vocab(read_json(folder / f"vocab_{name}.json"), arrays[f"idf_{name}"])
            model.coef_ = arrays["coef"].astype(np.float64)
            model.intercept_ = arrays["intercept"].astype(np.float64)
            model.aux_coef_ = arrays["aux_coef"].astype(np.float64)
            model.aux_intercept_ = arrays["aux_intercept"].astype(np.float64)
            for name, voc in model.vocabs_.items():
                if len(voc.idf) != len(voc):
                    raise ValueError(f"vocabulary {name} and its idf differ in length")
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
        lines += ["", "| label | labelled | weakly labelled (cues) |", "|---|---|---|"]
        for lab in self.classes_:
            lines.append(f"| {lab} | {self.n_train_['labelled_by_class'].get(lab, 0)} | "
                         f"{self.n_train_['weak_by_class'].get(lab, 0)} |")
        lines += ["", "## Decision", "",
                  f"- softmax temperature {self.temperature_}; `other` below probability {self.threshold_} "
                  f"(chosen on development folds of the labelled data)"]
        if self.dev_:
            lines.append(f"- development macro-F1 ({self.dev_['folds']}-fold, out of fold): {self.dev_['macro_f1']}")
        if metrics:
            lines += ["", "## Metrics", "", "```json", json.dumps(metrics, ensure_ascii=False, indent=1), "```"]
        return "\n".join(lines) + "\n"


def _f32(a: np.ndarray) -> np.ndarray:
    """Round to float32 and back: a saved and re-loaded model then predicts bit for bit the same."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


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
        return [evolve(t, root_cause=r) for t, r in zip(batch, results)]


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
                     RootCauseClassifier._check_label(r["root_cause"])) for c, r in read_labels(path)
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


def secondary_labels(pairs: Sequence[tuple[Contact, str]]) -> list[str | None]:
    """The optional secondary root cause of each labelled contact (``read_labelled``)."""
    return [str(c.metadata.get("secondary") or "").strip() or None for c, _ in pairs]


# -- weak supervision over the shared data -----------------------------------------------------------
WEAK_SOURCES = ("heimao_fin_complaints_celine", "stc3_dch_weibo_helpdesk", "waimai_10k",
                "ChnSentiCorp_htl_all", "online_shopping_10_cats")
WEAK_PER_CLASS = 1200
POLARITY_PER_SOURCE = 10000


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
    model.fit(docs, y, X_weak=X_weak, y_weak=y_weak, y_secondary=secondary_labels(pairs))
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


def default_training_data(seed: int = 0, weak: bool = True, polarity: bool = True,
                          cues: Sequence[tuple[str, str, float]] | None = None) -> dict[str, Any]:
    """``fit`` arguments of the shipped model: corpus/labels/train.csv, plus (``weak``) contacts
    labelled by the cue lexicon and (``polarity``) reviews with their polarity, all from the
    non-reserved rows of ../shared/data that are not in train.csv."""
    pairs = read_labelled(_labels_dir() / "train.csv")
    exclude = {c.id for c, _ in pairs}
    out: dict[str, Any] = {"X": prepare([c for c, _ in pairs]), "y": [lab for _, lab in pairs],
                           "y_secondary": secondary_labels(pairs)}
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


DATA_SOURCES = [
    {"name": "corpus/labels/train.csv", "what": "9,052 contacts hand-labelled by the voc project in four rounds (references "
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


ADJUDICATED = "reserved_adjudicated.csv"


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
    from .baseline import CueRootCause

    base = CueRootCause()
    base_labels = [base.predict_one(d.text).label for d in rdocs]
    from ..evaluation import classification_report

    base_report = classification_report(rlabels, base_labels, labels=LABELS)
    no_weak = RootCauseClassifier(random_state=seed).fit(data["X"], data["y"], y_secondary=data["y_secondary"])
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
    card = model_card(model, report, base_report, pairs, no_weak_report, adjudicated)
    model.save(folder, version=VERSION, description="Root cause (agent/product/policy/process/other) of Chinese "
               "customer contacts: calibrated linear SVM on jieba tokens, char n-grams, agent context and cues",
               data_sources=DATA_SOURCES, metrics=metrics, card=card)
    return folder


def model_card(model: RootCauseClassifier, report: dict[str, Any], base_report: dict[str, Any],
               reserved_pairs: Sequence[tuple[Contact, str]], no_weak_report: dict[str, Any] | None = None,
               adjudicated: dict[str, Any] | None = None) -> str:
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
        f"- linear SVM (scikit-learn LinearSVC, C={model.C}, balanced class weights) over: the customer's jieba "
        "tokens and token bigrams (TF-IDF); character "
        + ((f"{model.char_ngrams[0]}-{model.char_ngrams[1]}-grams" if model.char_ngrams[0] != model.char_ngrams[1]
            else f"{model.char_ngrams[0]}-grams") + " of the customer text; " if model.char_ngrams else "")
        + f"character bigrams of agent turns as context (weight {model.context_weight}); per-label sums of the "
        "cue lexicon (corpus/lexicons/root_cause_cues.tsv, copied into config.json); and the scores of two "
        "weakly supervised models (below)",
        f"- training rows: the hand labels, plus each contact's secondary root cause (if any) as an extra row "
        f"of that label at weight {model.secondary_weight} ({model.n_train_.get('secondary', 0)} rows)",
        f"- calibration: softmax of the SVM scores with temperature {model.temperature_}; `other` when the best "
        f"label's probability is below {model.threshold_}; both chosen on "
        f"{model.dev_['folds'] if model.dev_ else '?'}-fold out-of-fold predictions over corpus/labels/train.csv "
        "(never on reserved rows)",
        "- evidence: up to two short clauses of the customer text around the features that favour the "
        "predicted label most (agent turns are never evidence)",
        "- files: JSON vocabularies and config, `weights.npz` (numpy, loaded with allow_pickle=False), "
        "checked against manifest.json before loading",
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
        "each contact against the taxonomy (see corpus/README.md; four rounds, Cohen's kappa 0.921 "
        "between first and independent second pass on 870 items).",
        "",
        "Weak supervision (never the hand labels, never reserved rows):",
        f"- cue model: a logistic regression on customer words trained on {n['weak']} other non-reserved "
        "contacts whose cue-lexicon scores point clearly to one label (positive reviews without cues -> other);",
        "- polarity model: a logistic regression on customer words trained on non-reserved reviews with "
        f"their own positive/negative rating ({n.get('auxiliary', {}).get('polarity', {})}).",
        "Their scores are features of the main model, which learns from the hand labels how far to trust them.",
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
        f"Macro-F1 {report['macro_f1']:.3f} (keyword-only baseline {base_report['macro_f1']:.3f}"
        + (f"; the same model without weak supervision {no_weak_report['macro_f1']:.3f}" if no_weak_report else "")
        + f"; target 0.75, {'reached' if report['macro_f1'] >= 0.75 else 'not reached'} on these labels). "
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
    ]
    if adjudicated is not None:
        lines += [
            f"## Metrics on the adjudicated reserved labels (corpus/labels/{ADJUDICATED})",
            "",
            ("The same reserved contacts, labelled a second time independently and blind to any model; where "
             "the two passes differed an adjudicator decided, seeing both labels in random order "
             f"(corpus/README.md). Macro-F1 {adjudicated['macro_f1']:.3f} (target 0.75, "
             f"{'reached' if adjudicated['macro_f1'] >= 0.75 else 'not reached'} on these labels)."),
            "",
            "```",
            format_report(adjudicated),
            "```",
            "",
        ]
    lines += [
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
