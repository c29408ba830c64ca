"""Sentiment estimators: the in-domain character n-gram model (``NBLogit``) and snownlp's
shipped model (``SnowNLPBackend``). Both give log-odds that the customer is positive
(``logits(texts)``); the ``sentiment`` stage (``voc.stages.sentiment``) adds its signals, band
and trajectory, and ``voc.training.sentiment`` fits and builds the shipped model.

``NBLogit``: binary character 1-4-grams (after negation marking, ``NegationMarker``)
weighted by their naive-Bayes log-count ratios (NB-LR, Wang & Manning 2012) and, since 1.1.0,
by their IDF (IDF-LR), one logistic regression per view, logits averaged. The model is arrays
in one ``.npz`` (read with ``allow_pickle=False``): the n-gram vocabulary, per view one weight
and one squared NB ratio (or IDF) per n-gram and a bias; scoring builds the n-gram matrix once
and takes two sparse products, so it needs no word segmentation.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ..errors import ConfigError, ModelError
from ..lang.cues import tsv_rows

NGRAMS = (1, 4)


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



# -- estimators ------------------------------------------------------------------------------
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
        return self.logits_of(self._vec.transform(texts))

    def logits_of(self, X) -> np.ndarray:
        """The logits of the n-gram matrix ``X`` of negation-marked texts."""
        num = np.asarray(X @ self._wt)  # texts x views
        den = np.sqrt(np.asarray(X @ self._r2t))
        z = self.bias + np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        return z.mean(axis=1)

    @property
    def views(self) -> int:
        return int(self.weight.shape[0])

    # -- files (npz arrays, no pickle) ----------------------------------------------------
    def save(self, folder: Path, stem: str = "model") -> None:
        """``<stem>.npz`` (arrays) and ``negation.json`` (the negation lists) in ``folder``."""
        import json

        from ..models import save_arrays

        vocab = "\n".join(self.vocabulary).encode("utf-8")
        save_arrays(folder / f"{stem}.npz", vocab=np.frombuffer(vocab, dtype=np.uint8),
                    weight=self.weight.astype(np.float32), r2=self.r2.astype(np.float32),
                    bias=self.bias.astype(np.float64), ngrams=np.array(self.ngrams, dtype=np.int64))
        if self.negation is not None:
            (folder / "negation.json").write_text(json.dumps(self.negation.to_dict(), ensure_ascii=False, indent=1)
                                                  + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, stem: str = "model") -> "NBLogit":
        """Load ``<stem>.npz`` from a folder (call ``voc.models.verify`` first)."""
        from ..models import load_arrays, read_json

        path = folder / f"{stem}.npz"
        a = load_arrays(path)
        vocab = a["vocab"].tobytes().decode("utf-8").split("\n")
        if len(vocab) != a["weight"].shape[-1] or a["weight"].shape != a["r2"].shape:
            raise ModelError(f"model file {path} is inconsistent (vocabulary and weights differ); rebuild it.")
        neg = folder / "negation.json"
        negation = NegationMarker.from_dict(read_json(neg)) if neg.is_file() else None
        return cls(vocab, a["weight"], a["r2"], a["bias"], tuple(int(x) for x in a["ngrams"]), negation)


class ThreeWay:
    """The three-way head (since 1.2.0): a multinomial logistic regression over a few logits
    of one text (the polarity model's, after the stage's signals, and the ``neutral`` and
    ``negative`` heads', each an ``NBLogit`` trained on the 3-way labels) that gives
    P(negative), P(neutral), P(positive). Stored as ``three_way.json`` (numbers only)."""

    LABELS = ("negative", "neutral", "positive")

    def __init__(self, features: Sequence[str], coef, intercept, heads: Mapping[str, "NBLogit"] | None = None):
        self.features = list(features)
        self.coef = np.asarray(coef, dtype=np.float64).reshape(len(self.LABELS), len(self.features))
        self.intercept = np.asarray(intercept, dtype=np.float64).reshape(len(self.LABELS))
        self.heads = dict(heads or {})
        missing = [f for f in self.features if f != "polarity" and f not in self.heads]
        if missing:
            raise ModelError(f"three-way sentiment head lacks the {missing[0]!r} model; rebuild it with "
                             "`python -m voc.build sentiment`.")

    def features_of(self, texts: Sequence[str], polarity: np.ndarray,
                    heads: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """texts x features: the polarity logits given, the heads' logits given in ``heads``
        (``Joint.logits``) or computed."""
        heads = heads or {}
        cols = [np.asarray(polarity, dtype=np.float64) if f == "polarity"
                else heads[f] if f in heads else self.heads[f].logits(texts) for f in self.features]
        return np.column_stack(cols) if cols else np.zeros((len(texts), 0))

    def proba(self, X: np.ndarray) -> np.ndarray:
        z = X @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def save(self, folder: Path) -> None:
        import json

        for name, head in self.heads.items():
            head.save(folder, stem=name)
        d = {"labels": list(self.LABELS), "features": self.features,
             "coef": [[float(x) for x in row] for row in self.coef], "intercept": [float(x) for x in self.intercept]}
        (folder / "three_way.json").write_text(json.dumps(d, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "ThreeWay | None":
        """The head stored in ``folder``, or None when the model has none (before 1.2.0)."""
        from ..models import read_json

        path = folder / "three_way.json"
        if not path.is_file():
            return None
        d = read_json(path)
        if list(d.get("labels", ())) != list(cls.LABELS):
            raise ModelError(f"{path} has labels {d.get('labels')}; expected {list(cls.LABELS)}. Rebuild it.")
        heads = {f: NBLogit.load(folder, stem=f) for f in d["features"] if f != "polarity"}
        return cls(d["features"], d["coef"], d["intercept"], heads)


class Joint:
    """The polarity model and the three-way heads scored together, with the same numbers as
    scoring each alone: each distinct text is negation-marked once and its character n-grams
    are built and looked up once, in the union of the models' vocabularies
    (``voc.text.ngrams.NgramUnion``), instead of once per model. ``Joint.of`` gives None when
    the models cannot share (different n-gram ranges or negation lists)."""

    def __init__(self, models: Mapping[str, NBLogit]):
        first = next(iter(models.values()))
        from ..text.ngrams import NgramUnion

        self.names = list(models)
        self.models = list(models.values())
        self.negation = first.negation
        self.union = NgramUnion([m._vec for m in self.models])

    @classmethod
    def of(cls, models: Mapping[str, NBLogit]) -> "Joint | None":
        ms = list(models.values())
        from ..text.ngrams import CharNgrams

        if not ms or not all(isinstance(m, NBLogit) and isinstance(m._vec, CharNgrams) for m in ms):
            return None
        negs = [m.negation.to_dict() if m.negation is not None else None for m in ms]
        if any(m.ngrams != ms[0].ngrams for m in ms) or any(n != negs[0] for n in negs):
            return None
        try:
            return cls(models)
        except ValueError:  # a vocabulary with repeats, an alphabet too large
            return None

    def logits(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Each model's logits of ``texts`` (equal to its own ``logits(texts)``)."""
        if not texts:
            return {name: np.zeros(0) for name in self.names}
        distinct = list(dict.fromkeys(texts))  # a text scored once per call (rows are independent)
        if len(distinct) < len(texts):
            at = {t: i for i, t in enumerate(distinct)}
            back = np.fromiter((at[t] for t in texts), dtype=np.int64, count=len(texts))
        else:
            back = None
        marked = [self.negation(t) for t in distinct] if self.negation is not None else distinct
        out = {}
        for name, model, X in zip(self.names, self.models, self.union.transform(marked)):
            z = model.logits_of(X)
            out[name] = z if back is None else z[back]
        return out


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
