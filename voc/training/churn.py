"""Training the churn models: the shipped default from the project's taxonomy labels
(``build_default``, ``python -m voc.build churn``) and a model from the user's outcomes
(``train_churn``, ``voc train churn``). Text comes through ``voc.training.text.tag_through``."""
from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import InputError
from ..estimators.churn import (DEFAULT_FORMAT, DEFAULT_VERSION, DENSE_NAMES, FEATURE_NAMES, FORMAT, NAME, NGRAM_SCALE,
                                NGRAM_SIZES, ChurnCues, LabelChurn, Scorer, TrainedChurn, char_ngrams, dense_inputs,
                                design)
from ..records import Contact, Tagged
from ..stages.churn import churn_input
from .text import tag_through

log = logging.getLogger(__name__)

# -- a model from outcomes: voc train churn --data FILE -o DIR ---------------------------------
LABEL_COLUMNS = ("churned", "churn", "label", "流失", "是否流失", "已流失")
_TRUE = {"1", "1.0", "true", "yes", "y", "是", "流失", "已流失", "t"}
_FALSE = {"0", "0.0", "false", "no", "n", "否", "未流失", "f"}


def _label_of(value: Any, where: str) -> int:
    v = str(value).strip().lower()
    if v in _TRUE:
        return 1
    if v in _FALSE:
        return 0
    raise InputError(f"{where}: churned value {value!r} is not 0/1; give 1 for churned and 0 for stayed.")


def read_outcomes(data_file: str | Path, label_column: str | None = None, **read_options: Any) -> list[tuple[Contact, int]]:
    """(contact, churned 0/1) from a JSONL/CSV/TSV/XLSX file with a churned column."""
    from ..io.readers import RowError, read_contacts

    out = []
    bad = 0
    wanted = [label_column] if label_column else list(LABEL_COLUMNS)
    for c in read_contacts(data_file, **read_options):
        if isinstance(c, RowError):
            bad += 1
            continue
        meta = {str(k).strip().lower(): (k, v) for k, v in c.metadata.items()}
        hit = next((meta[k.lower()] for k in wanted if k.lower() in meta), None)
        if hit is None:
            raise InputError(f"{c.source or data_file}: no churned column ({', '.join(wanted)}); add one with 1 for "
                             f"churned and 0 for stayed, or name it with --label-col.")
        key, value = hit
        rest = {k: v for k, v in c.metadata.items() if k != key}
        out.append((replace(c, metadata=rest), _label_of(value, c.source or str(data_file))))
    if bad:
        log.warning("%d rows of %s could not be read and were skipped", bad, data_file)
    return out


def train_churn(data_file: str | Path, out_dir: str | Path, *, label_column: str | None = None,
                C: float = 1.0, max_features: int = 20000, version: str = "1.0.0",
                **read_options: Any) -> dict[str, Any]:
    """Learn a logistic churn model from ``data_file`` (a ``churned`` 0/1 column) and write it
    to ``out_dir`` (model.npz + manifest.json + MODEL_CARD.md). Returns the manifest.

    The contacts go through the default pipeline up to root cause and sentiment, so the model
    sees the same features as the transparent scorer plus the customer's character n-grams.
    Thresholds: ``high`` at the score that maximises F1 of churned on the training data
    (5-fold cross-validated scores), ``medium`` at half of it.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    import scipy.sparse as sp

    from ..models import write_manifest

    data = read_outcomes(data_file, label_column, **read_options)
    y = np.array([v for _, v in data])
    if len(data) < 10 or y.min() == y.max():
        raise InputError(f"{data_file}: need at least 10 contacts with both churned (1) and stayed (0) examples.")
    tagged = list(tag_through((c for c, _ in data), "sentiment"))
    ok = [i for i, t in enumerate(tagged) if not t.status.startswith("error")]
    tagged = [tagged[i] for i in ok]
    y = y[ok]
    scorer = Scorer()
    feats = [scorer.features(churn_input(t)) for t in tagged]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2 if len(tagged) >= 50 else 1,
                          max_features=max_features, dtype=np.float64)
    Xt = vec.fit_transform([t.text or "" for t in tagged])
    X = sp.hstack([Xt, sp.csr_matrix(design(feats))]).tocsr()
    clf = LogisticRegression(C=C, max_iter=2000, solver="liblinear", class_weight="balanced", random_state=0)
    folds = min(5, int(min(np.bincount(y))))
    if folds >= 2:
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
        p = cross_val_predict(clf, X, y, cv=cv, method="predict_proba")[:, 1]
    else:
        p = clf.fit(X, y).predict_proba(X)[:, 1]
    best = max(((_f1(y, p >= th), th) for th in np.round(np.arange(0.05, 0.96, 0.01), 2)), key=lambda x: (x[0], -x[1]))
    clf.fit(X, y)
    n_text = Xt.shape[1]
    names = vec.get_feature_names_out()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.is_file():
            old.unlink()
    thresholds = {"high": float(best[1]), "medium": round(float(best[1]) / 2, 2)}
    model = TrainedChurn([str(n) for n in names], vec.idf_, clf.coef_[0][:n_text], clf.coef_[0][n_text:],
                         float(clf.intercept_[0]), thresholds)
    model.save(out)
    auc = _auc(y, p)
    weights = {n: round(float(w), 4) for n, w in zip(FEATURE_NAMES, clf.coef_[0][n_text:])}
    (out / "MODEL_CARD.md").write_text(
        f"# Churn model {version}\n\nTrained with `voc train churn` on {Path(data_file).name}: {len(y)} contacts, "
        f"{int(y.sum())} churned.\n\nLogistic regression (class-balanced, C={C}) over TF-IDF character 1-3-grams of "
        f"the customer text ({n_text} n-grams) and the transparent scorer's features.\n\n"
        f"Cross-validated ({folds}-fold) on the training file: ROC AUC {auc:.3f}, F1 of churned {best[0]:.3f} at "
        f"threshold {best[1]} (used as `high`; `medium` is half of it).\n\nFeature weights: {weights}\n",
        encoding="utf-8")
    return write_manifest(out, name=NAME, version=version, description="Churn model trained on outcomes",
                          data_sources=[{"file": str(data_file), "rows": int(len(y)), "churned": int(y.sum())}],
                          metrics={"cv_roc_auc": round(auc, 4), "cv_f1": round(best[0], 4), "folds": folds},
                          format=FORMAT, thresholds=thresholds, feature_weights=weights)


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float(np.sum(pred & (y == 1)))
    fp = float(np.sum(pred & (y == 0)))
    fn = float(np.sum(~pred & (y == 1)))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan")


# -- the shipped default: a model learned from the project's own taxonomy labels -----------------
NGRAM_MIN_DF = 5
NGRAM_KEEP = 3000  # n-grams kept after a first fit (the strongest in either head)
# The F1 of medium-or-high is flat around its best (5-fold CV of 1.1.2's training labels: 0.8636 to
# 0.8642 for every threshold from 0.36 to 0.43), so which point of the plateau wins is chance: a rebuild
# on slightly different text moved it from 0.41 to 0.37 and flagged more routine contacts `medium`.
# Everyday traffic is mostly routine, where a false flag costs more than the last 0.001 of F1, so
# medium takes the highest threshold within MEDIUM_SLACK of the best (the plateau's upper end).
MEDIUM_SLACK = 0.001
HIGH_BETA = 1.0  # the high threshold maximises F-beta of high (1: F1; 1.5 traded 0.15 precision for 0.01 recall on the held-out split)


def _label_matrix(texts: Sequence[str], dense: np.ndarray, vocabulary: Mapping[str, int] | None = None):
    """Training design: binary n-grams (scaled) next to the dense features."""
    import scipy.sparse as sp

    grams = [char_ngrams(t) if NGRAM_SCALE else set() for t in texts]
    if vocabulary is None:
        df: dict[str, int] = {}
        for g in grams:
            for x in g:
                df[x] = df.get(x, 0) + 1
        vocabulary = {g: i for i, g in enumerate(sorted(g for g, n in df.items() if n >= NGRAM_MIN_DF))}
    rows, cols = [], []
    for r, g in enumerate(grams):
        for x in g:
            j = vocabulary.get(x)
            if j is not None:
                rows.append(r)
                cols.append(j)
    Xn = sp.csr_matrix((np.full(len(rows), NGRAM_SCALE), (rows, cols)), shape=(len(texts), len(vocabulary)))
    return sp.hstack([Xn, sp.csr_matrix(dense)]).tocsr(), vocabulary


def _fit_heads(X, y_high: np.ndarray, y_risk: np.ndarray, C: float = 1.0):
    from sklearn.linear_model import LogisticRegression

    heads = []
    for yy in (y_high, y_risk):
        clf = LogisticRegression(C=C, max_iter=5000, solver="liblinear", class_weight="balanced", random_state=0)
        heads.append(clf.fit(X, yy))
    return heads


def _fit_pruned(texts: Sequence[str], dense: np.ndarray, y_high: np.ndarray, y_risk: np.ndarray, C: float = 1.0):
    """Fit on every n-gram, keep the ``NGRAM_KEEP`` with the largest weight in either head, refit
    on those (fewer look-ups per contact). Returns (heads, vocabulary)."""
    X, vocab = _label_matrix(texts, dense)
    heads = _fit_heads(X, y_high, y_risk, C)
    V = len(vocab)
    if V > NGRAM_KEEP:
        names = sorted(vocab, key=vocab.get)
        strength = np.maximum(np.abs(heads[0].coef_[0][:V]), np.abs(heads[1].coef_[0][:V]))
        keep = sorted(names[i] for i in np.argsort(-strength, kind="stable")[:NGRAM_KEEP])
        vocab = {g: i for i, g in enumerate(keep)}
        X, _ = _label_matrix(texts, dense, vocab)
        heads = _fit_heads(X, y_high, y_risk, C)
    return heads, vocab


def label_training_data(labels: str | Path | None = None):
    """(tagged contacts up to root cause and sentiment, label rows) of the non-reserved labels."""
    from ..datasets import is_reserved, read_labels
    from ..resources import corpus_path

    path = Path(labels) if labels else corpus_path("labels", "train.csv")
    items = [(c, r) for c, r in read_labels(path) if not is_reserved(r["dataset"], r["file"], int(r["row"]))]
    tagged = list(tag_through((c for c, _ in items), "sentiment"))
    keep = [i for i, t in enumerate(tagged) if not t.status.startswith("error")]
    return [tagged[i] for i in keep], [items[i][1] for i in keep]


def fit_label_model(tagged: Sequence[Tagged], rows: Sequence[Mapping[str, str]], cues_file: str | Path | None = None,
                    folds: int = 5, C: float = 1.0) -> tuple[LabelChurn, dict[str, Any]]:
    """Fit the two heads on ``tagged`` with taxonomy labels ``rows`` and choose thresholds on
    ``folds``-fold cross-validated scores: ``high`` maximises F-beta (beta ``HIGH_BETA``) of high
    on the complaints and helpdesk dialogues, ``medium`` maximises F1 of medium-or-high.
    Returns the model and the cross-validated figures."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    from ..datasets import HEIMAO, STC3

    cues = ChurnCues.from_file(cues_file) if cues_file else ChurnCues.from_file()
    scorer = Scorer(cues)
    feats = [scorer.features(churn_input(t)) for t in tagged]
    dense = dense_inputs(feats)
    texts = [t.text or "" for t in tagged]
    y_high = np.array([r["churn"] == "high" for r in rows], dtype=int)
    y_risk = np.array([r["churn"] in ("medium", "high") for r in rows], dtype=int)
    focus = np.array([r["dataset"] in (HEIMAO, STC3) for r in rows])
    p_high, p_risk = np.zeros(len(rows)), np.zeros(len(rows))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, y_high * 2 + y_risk):
        (hh, hr), vocab = _fit_pruned([texts[i] for i in tr], dense[tr], y_high[tr], y_risk[tr], C)
        Xb, _ = _label_matrix([texts[i] for i in te], dense[te], vocab)
        p_high[te] = hh.predict_proba(Xb)[:, 1]
        p_risk[te] = hr.predict_proba(Xb)[:, 1]
    th_high = _threshold_fbeta(y_high[focus], p_high[focus], HIGH_BETA)
    th_med = _threshold_fbeta(y_risk, p_risk, 1.0, MEDIUM_SLACK)
    (hh, hr), vocab = _fit_pruned(texts, dense, y_high, y_risk, C)
    V = len(vocab)
    names = sorted(vocab, key=vocab.get)
    w_dense = np.vstack([hh.coef_[0][V:], hr.coef_[0][V:]])
    for k in ("tier", "repeat"):  # no labelled contact carries a tier or repeats: keep the transparent weight
        j = DENSE_NAMES.index(k)
        if np.all(dense[:, j] == dense[0, j]):
            w_dense[:, j] = cues.weights[k]
    model = LabelChurn(names, np.vstack([hh.coef_[0][:V], hr.coef_[0][:V]]), w_dense,
                       np.array([hh.intercept_[0], hr.intercept_[0]]), {"high": th_high, "medium": th_med}, cues)

    def prf(y, pred):
        tp = int(np.sum(pred & (y == 1)))
        p = tp / max(1, int(pred.sum()))
        r = tp / max(1, int(y.sum()))
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4)}

    levels = np.where(p_high >= th_high, 2, np.where(p_risk >= th_med, 1, 0))
    risk = (p_high + p_risk) / 2
    cv = {"folds": folds, "items": len(rows), "high": int(y_high.sum()),
          "high_all": prf(y_high, levels == 2),
          "high_complaints_dialogues": prf(y_high[focus], levels[focus] == 2),
          "medium_or_high": prf(y_risk, levels >= 1),
          "roc_auc_high": round(float(roc_auc_score(y_high, p_high)), 4),
          "roc_auc_risk_vs_medium_or_high": round(float(roc_auc_score(y_risk, risk)), 4)}
    return model, cv


def _threshold_fbeta(y: np.ndarray, p: np.ndarray, beta: float, slack: float = 0.0) -> float:
    """The threshold (0.05..0.95 in 0.01 steps) that maximises F-beta; the higher one on ties,
    and with ``slack`` the highest whose F-beta is within ``slack`` of the best."""
    curve = []
    for th in np.round(np.arange(0.05, 0.96, 0.01), 2):
        pred = p >= th
        tp = float(np.sum(pred & (y == 1)))
        prec, rec = tp / max(1.0, float(pred.sum())), tp / max(1.0, float(y.sum()))
        curve.append(((1 + beta ** 2) * prec * rec / (beta ** 2 * prec + rec) if prec + rec else 0.0, float(th)))
    best = max(f for f, _ in curve)
    return max(th for f, th in curve if f >= best - slack)


def build_default(models_root: str | Path) -> Path:
    """Train the shipped churn model on the non-reserved taxonomy labels (corpus/labels/train.csv),
    choose its thresholds by cross-validation, and write models/churn/<version>/. Reserved rows
    are never read; bench/churn_escalation_eval.py measures them."""
    from .. import datasets as ds
    from ..resources import corpus_path

    ds.require_data()
    tagged, rows = label_training_data()
    cues_file = corpus_path("lexicons", "churn_cues.tsv")
    model, cv = fit_label_model(tagged, rows, cues_file)
    folder = Path(models_root) / NAME / DEFAULT_VERSION
    return write_label_model(folder, model, cv, rows, cues_file)


def write_label_model(folder: str | Path, model: LabelChurn, cv: Mapping[str, Any], rows: Sequence[Mapping[str, str]],
                      cues_file: str | Path) -> Path:
    """Write ``model`` (from ``fit_label_model``) to ``folder``: model.npz, cues.tsv, MODEL_CARD.md,
    manifest.json."""
    import shutil

    from ..models import write_manifest

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file():
            old.unlink()
    model.save(folder)
    shutil.copyfile(cues_file, folder / "cues.tsv")
    dense = {n: {"high": round(float(a), 4), "risk": round(float(b), 4)}
             for n, a, b in zip(DENSE_NAMES, model.w_dense[0], model.w_dense[1])}
    top = np.argsort(-model.w_ngram[0])[:25]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["dataset"]] = counts.get(r["dataset"], 0) + 1
    _write_label_card(folder, model, cv, dense, [model.vocabulary[i] for i in top], counts)
    write_manifest(folder, name=NAME, version=DEFAULT_VERSION,
                   description="Churn level and risk learned from the taxonomy labels: readable cue features, "
                               "exit-cue context and character 2-3-grams, two logistic heads",
                   data_sources=[{"file": "corpus/labels/train.csv", "rows": "non-reserved only", "items": len(rows),
                                  "per_dataset": counts, "high": cv["high"]}],
                   metrics={"cross_validated": cv}, format=DEFAULT_FORMAT, thresholds=model.thresholds,
                   dense_features=DENSE_NAMES, dense_weights=dense,
                   training={"heads": ["high vs not", "medium or high vs low"], "C": 1.0, "class_weight": "balanced",
                             "ngrams": list(NGRAM_SIZES), "ngram_scale": NGRAM_SCALE, "ngram_min_df": NGRAM_MIN_DF,
                             "kept_ngrams": len(model.vocabulary),
                             "ngram_selection": f"strongest {NGRAM_KEEP} of a first fit, refitted",
                             "high_threshold": f"max F-beta {HIGH_BETA}, 5-fold CV",
                             "medium_threshold": f"the highest within {MEDIUM_SLACK} of the max F1 of medium-or-high, 5-fold CV"})
    return folder


def _write_label_card(folder: Path, model: LabelChurn, cv: dict, dense: dict, top: list[str], counts: dict) -> None:
    rows = "\n".join(f"| `{n}` | {w['high']:+.3f} | {w['risk']:+.3f} |" for n, w in dense.items())
    sets = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    hc = cv["high_complaints_dialogues"]
    ha = cv["high_all"]
    mh = cv["medium_or_high"]
    text = f"""# Churn model {DEFAULT_VERSION} (shipped default)

Built by `python -m voc.build churn` from the project's own taxonomy labels,
`corpus/labels/train.csv` (non-reserved rows only: {cv['items']} contacts, {cv['high']} labelled
churn `high`; {sets}). No reserved row is read. The contacts go through the default pipeline
(normalise, redact, segment, root cause, sentiment) first, so the model sees what it sees in use.

## What it is
Two logistic regressions (class-balanced, C=1) over the same inputs:
* the transparent scorer's features (exit cue weight, unresolved, threat, anger, negative
  sentiment, tier, repeat contacts, root cause) read with `cues.tsv` (the project's churn cue
  file at build time, copied here so that editing the lexicon does not shift the model);
* the context of the exit cues: asked for (要求注销), done (已经销户了), done to the customer
  (被停卡, 无故取消订单), asked about (怎么注销?), how many, how many negated;
* binary character 2-3-grams of the customer text that occur in at least {NGRAM_MIN_DF} contacts,
  the {len(model.vocabulary)} strongest of a first fit kept and refitted, scaled by {NGRAM_SCALE} so
  that they refine the readable features.

Head `high`: churn level high vs not. Head `risk`: medium or high vs low. No labelled contact
carries a customer tier or repeat contacts, so those two weights are the transparent scorer's
(`weight tier` and `weight repeat` of the cue file), in both heads.
`churn_risk = (p_high + p_risk) / 2`. Level `high` when p_high >= {model.thresholds['high']}
(maximises F-beta, beta {HIGH_BETA}, of high on the complaints and helpdesk dialogues in 5-fold
cross-validation); `medium` when p_risk >= {model.thresholds['medium']} (the highest threshold
within {MEDIUM_SLACK} of the best F1 of medium-or-high: the curve is flat there). Reasons name the cues found and the 2-3-grams of the text that pushed
hardest toward high (`words of leaving: ...`).

## Cross-validated on the training labels (5 folds, thresholds chosen on the same folds)
| | precision | recall | F1 |
|---|---|---|---|
| high, complaints + dialogues | {hc['precision']:.3f} | {hc['recall']:.3f} | {hc['f1']:.3f} |
| high, all five sets | {ha['precision']:.3f} | {ha['recall']:.3f} | {ha['f1']:.3f} |
| medium or high | {mh['precision']:.3f} | {mh['recall']:.3f} | {mh['f1']:.3f} |

ROC AUC of p_high for high: {cv['roc_auc_high']}; of churn_risk for medium-or-high:
{cv['roc_auc_risk_vs_medium_or_high']}. Reserved-row figures: `python bench/churn_escalation_eval.py`
(docs/sentiment_churn_escalation.md).

## Weights of the readable features
| feature | high | risk |
|---|---|---|
{rows}

2-3-grams weighing most toward high: {'、'.join(top)}

## Data and licences
The labels are the project's own; the text they point to stays in `../shared/data`
(heimao_fin_complaints_celine, stc3_dch_weibo_helpdesk, waimai_10k, ChnSentiCorp_htl_all,
online_shopping_10_cats: research / non-commercial text). The file keeps n-gram weights, not text.

## Limits
Labels of churn `high` are partly inconsistent (refund, early repayment and cancellation
requests are sometimes exit intent, sometimes not); the model learns the majority reading.
It knows only what the labelled sets contain (financial complaints, Weibo helpdesk dialogues,
reviews); for your own outcomes train your own with `voc train churn`.
"""
    (folder / "MODEL_CARD.md").write_text(text, encoding="utf-8")
