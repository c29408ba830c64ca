"""Root cause: which upstream owner must fix the cause of a contact.

Five labels (docs/taxonomy.md): agent, product, policy, process, other. ``RootCauseClassifier``
is a linear SVM over

* the customer's jieba tokens (the ``tokens`` of the segment stage) and their bigrams,
* character n-grams of the customer text,
* character bigrams of the agent/bot turns, as *context* (weighted down; an agent's rude
  turn counts for ``agent``, but the customer's words drive the label),
* the cue lexicon (``corpus/lexicons/root_cause_cues.tsv``): one summed-weight feature per label,
* optionally the scores of auxiliary models trained by weak supervision.

Probabilities are calibrated by temperature scaling, and a contact whose best label is not
confident enough becomes ``other``; temperature and threshold are chosen on cross-validated
development folds of the labelled data and saved in the model. Evidence spans are the short
clauses of the customer text around the features that pushed the prediction most towards the
predicted label. Files: ``voc.estimators.root_cause_io`` (JSON and ``.npz``, no pickle).
"""
from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import ConfigError, InputError, ModelError
from ..lang.closings import is_formula
from ..lang.taxonomy import OWNERS, ROOT_CAUSES
from ..records import Doc, RootCause
from .common import checked_label, fit_temperature, prepared, softmax, transposed
from .root_cause_cues import CUE_LABELS, RootCauseCues, read_cues
from .root_cause_features import CharVocab, JointWords, Vocab, word_features
from .root_cause_spans import SpanMemo, add_span

log = logging.getLogger(__name__)

NAME = "root_cause"
VERSION = "1.4.2"  # of the shipped model (voc.training.root_cause.build_default)
LABELS = ROOT_CAUSES  # agent, product, policy, process, other
# Chinese label names an analyst may type into a labelling sheet
LABEL_ALIASES = {"人员": "agent", "产品": "product", "政策": "policy", "流程": "process", "其他": "other",
                 "其它": "other"}
_MAX_CONTEXT = 600  # characters of agent context used per contact


def check_label(v: Any) -> str:
    """A root-cause label (English, or 人员/产品/政策/流程/其他), or ``InputError``."""
    return checked_label(v, LABELS, LABEL_ALIASES, "root cause label")


def _macro_f1(y: np.ndarray, pred: np.ndarray, k: int) -> float:
    """Macro-F1 over classes ``0..k-1`` (absent ones count 0), as ``2pr / (p + r)`` of
    scikit-learn's per-class precision and recall: its own F1 (``2tp / (2tp + fp + fn)``)
    differs in the last bit, and the saved threshold and development scores must not."""
    from sklearn.metrics import precision_recall_fscore_support

    p, r, _, _ = precision_recall_fscore_support(y, pred, labels=np.arange(k), average=None, zero_division=0)
    pr = p + r
    return float(np.mean(np.where(pr > 0, 2 * p * r / np.where(pr > 0, pr, 1.0), 0.0)))


def apply_threshold(probs: np.ndarray, other: int | None, threshold: float) -> np.ndarray:
    """Column of each row's label: the most probable, or ``other`` when that is below ``threshold``."""
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
    f1s = [base] + [_macro_f1(y, apply_threshold(probs, other, t), k) for t in grid[1:]]
    best = max(f1s)
    i = max(i for i, f in enumerate(f1s) if f >= best - tolerance - 1e-12)
    return grid[i], f1s[i]


# -- the estimator -------------------------------------------------------------------------------
class RootCauseClassifier:
    """Root-cause classifier with the scikit-learn contract.

    ``fit(X, y, sample_weight=None, *, X_weak=None, y_weak=None, auxiliary=None)``,
    ``predict_proba(X)``, ``predict(X)``, ``explain(X)`` (label, scores,
    evidence, owner), ``save(folder)``, ``RootCauseClassifier.load(folder)``. ``X`` is a list of
    prepared documents (``voc.records.Doc``; ``voc.training.text.prepare`` makes them from
    contacts or texts). The constructor only stores settings; learned state ends in ``_``.

    Secondary labels, optional: ``y_secondary`` gives a second root cause per contact (or
    None); such a contact also trains as a row of that label with ``secondary_weight``.

    Weak supervision, optional: ``X_weak``/``y_weak`` are contacts labelled by the cue lexicon
    (``voc.training.root_cause.weak_label``); ``auxiliary`` maps a task name to (contacts, labels) of any other signal
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

    # -- features ------------------------------------------------------------------------------------
    def _word_lists(self, docs: Sequence[Doc]) -> list[list[str]]:
        return [word_features(d.tokens, self.word_bigrams) for d in docs]

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

    def _aux_features(self, Xa) -> np.ndarray:
        """Scores of the auxiliary (weakly supervised) models as features."""
        if not len(self.aux_):
            return np.zeros((Xa.shape[0] if Xa is not None else 0, 0))
        z = np.asarray(Xa @ transposed(self, "aux_coef_")) + self.aux_intercept_
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

        Xw, Xa = self._words_.transform(pick(raw["word"]))
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
    def fit(self, X: Sequence[Doc], y: Sequence[str], sample_weight: Sequence[float] | None = None, *,
            X_weak: Sequence[Doc] | None = None, y_weak: Sequence[str] | None = None,
            auxiliary: dict[str, tuple[Sequence[Doc], Sequence[Any]]] | None = None,
            y_secondary: Sequence[str | None] | None = None,
            ) -> "RootCauseClassifier":
        self._check_params()
        docs = prepared(X, "RootCauseClassifier")
        labels = [check_label(v) for v in y]
        if len(docs) != len(labels):
            raise ConfigError(f"{len(docs)} contacts but {len(labels)} labels; give one label per contact.")
        present = set(labels)
        if len(present) < 2:
            raise InputError("the training labels hold fewer than two root causes; label contacts of at least two.")
        self.classes_ = tuple(lab for lab in LABELS if lab in present)
        k = len(self.classes_)
        cidx = {lab: i for i, lab in enumerate(self.classes_)}
        yi = np.array([cidx[v] for v in labels], dtype=np.int64)
        weak_docs = prepared(X_weak, "RootCauseClassifier") if X_weak is not None else []
        weak_y = [check_label(v) for v in (y_weak if y_weak is not None else [])]
        if len(weak_docs) != len(weak_y):
            raise ConfigError(f"{len(weak_docs)} weak contacts but {len(weak_y)} weak labels; give one per contact.")
        tasks: list[tuple[str, list[Doc], list[str]]] = []
        if len(set(weak_y)) >= 2:
            tasks.append(("cues", weak_docs, weak_y))
        for name, (ax, ay) in sorted((auxiliary or {}).items()):
            ax, ay = prepared(ax, "RootCauseClassifier"), [str(v) for v in ay]
            if len(ax) != len(ay):
                raise ConfigError(f"auxiliary task {name!r} has {len(ax)} contacts but {len(ay)} labels; "
                                  f"give one label per contact.")
            if len(set(ay)) >= 2:
                tasks.append((name, ax, ay))

        self.cues_ = read_cues(self.lexicon)
        self._matcher_ = RootCauseCues(self.cues_)
        # vocabularies: words over every text seen (labelled, weak, reviews), chars and context
        # over the labelled texts; document frequencies only, no labels
        gold_words = self._word_lists(docs)
        task_words = [self._word_lists(tx) for _, tx, _ in tasks]
        raw = self._raw_features(docs)
        self.vocabs_ = {"word": Vocab.fit(gold_words, self.min_df),
                        "context": CharVocab.fit(raw["context"], 2, 2, self.min_df)}
        if raw["char"] is not None:
            self.vocabs_["char"] = CharVocab.fit(raw["char"], *self.char_ngrams, self.min_df)
        if tasks:  # the auxiliary models' own word vocabulary
            self.vocabs_["aux"] = Vocab.fit_union(gold_words, [f for tw in task_words for f in tw],
                                                   self.aux_min_df, self.aux_min_df)

        self._words_ = JointWords(self.vocabs_["word"], self.vocabs_.get("aux"))
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
                self.temperature_ = fit_temperature(oof, yi, lo=0.1, hi=10.0, steps=181)
            probs = softmax(oof / self.temperature_)
            if self.other_threshold == "auto":
                self.threshold_, dev_f1 = _choose_threshold(probs, yi, other)
            else:
                self.threshold_ = float(self.other_threshold)
                dev_f1 = _macro_f1(yi, apply_threshold(probs, other, self.threshold_), k)
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
                lab = check_label(v) if v and str(v).strip() else None
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
        self._matcher_ = RootCauseCues(self.cues_)
        self._words_ = JointWords(self.vocabs_["word"], self.vocabs_.get("aux"))
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
        scores = np.asarray(Xm @ transposed(self, "coef_")) + self.intercept_
        Xe = Xm if Xa is None else hstack([Xm, Xa], format="csr")  # what evidence is drawn from
        return scores, Xe, raw

    def decision_function(self, X: Sequence[Doc]) -> np.ndarray:
        self._check_fitted()
        return self._scores(prepared(X, "RootCauseClassifier"))[0]

    def predict_proba(self, X: Sequence[Doc]) -> np.ndarray:
        """Calibrated probabilities, columns in ``classes_`` order."""
        return softmax(self.decision_function(X) / self.temperature_)

    def decide(self, probs: np.ndarray) -> np.ndarray:
        """Column (in ``classes_``) of each row's label from ``predict_proba`` output: the most
        probable, or ``other`` where that is under the threshold."""
        self._check_fitted()
        return apply_threshold(probs, self._other_, self.threshold_)

    def predict(self, X: Sequence[Doc]) -> list[str]:
        """Labels, with ``other`` where the best label's probability is under the threshold."""
        return [r.label for r in self.explain(X)]

    def explain(self, X: Sequence[Doc]) -> list[RootCause]:
        """Label, scores over all five labels, evidence spans and owner for each contact."""
        self._check_fitted()
        docs = prepared(X, "RootCauseClassifier")
        if not docs:
            return []
        scores, Xm, raw = self._scores(docs)
        probs = softmax(scores / self.temperature_)
        pred = self.decide(probs)
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
        live = wanted[rows]  # only the rows that get evidence
        rows, cols = rows[live], Xe.indices[live]
        contrib = Xe.data[live] * self._evidence_w_[pred[rows], cols]
        keep = contrib > 0
        rows, cols, contrib = rows[keep], cols[keep], contrib[keep]
        # by row, then by contribution, largest first, ties in column order: np.lexsort((-contrib,
        # rows)) as two stable sorts, the second on the rows as int16 where they fit (numpy radix-
        # sorts 16-bit keys; ~40% faster than lexsort's merge sorts on a batch)
        order = np.argsort(-contrib, kind="stable")
        by_row = rows[order]
        order = order[np.argsort(by_row.astype(np.int16) if n <= 2**15 else by_row, kind="stable")]
        rows, cols = rows[order], cols[order].tolist()
        starts = np.searchsorted(rows, np.arange(n + 1)).tolist()
        out: list[tuple[str, ...]] = []
        for i in range(n):
            if not wanted[i]:
                out.append(())
                continue
            text = docs[i].text
            spans: list[tuple[int, int]] = []
            memo = SpanMemo()  # this text's word bounds and clauses on them
            for j in cols[starts[i]:min(starts[i + 1], starts[i] + 10)]:
                for surface in self._surfaces(j, text, matches[i]):
                    add_span(text, surface, spans, self.max_spans, self.span_chars, memo, is_formula)
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

    # -- persistence -------------------------------------------------------------------------------
    def save(self, folder: str | Path, *, version: str = VERSION, description: str = "",
             data_sources: list[dict[str, Any]] | None = None, metrics: dict[str, Any] | None = None,
             card: str | None = None, extra: dict[str, Any] | None = None) -> Path:
        """Write the model to a new or empty ``folder`` (``voc.estimators.root_cause_io.save``)."""
        from .root_cause_io import save

        return save(self, folder, version=version, description=description, data_sources=data_sources,
                    metrics=metrics, card=card, extra=extra)

    @classmethod
    def load(cls, folder: str | Path) -> "RootCauseClassifier":
        """Load a model folder after checking its manifest checksums (no code runs from files)."""
        from .root_cause_io import load

        return load(cls, folder)


def _f32(a: np.ndarray) -> np.ndarray:
    """Round to float32 and back: a saved and re-loaded model then predicts bit for bit the same."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)
