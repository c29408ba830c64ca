"""The churn models on prepared inputs (``ChurnInput``: the customer text, the sentiment it ends
with, the root cause, tier and repeat count), with no stage code:

* ``ChurnCues`` and ``Scorer``: the transparent scorer, a weighted sum of readable features
  (exit, unresolved, threat and anger cues, negative sentiment, tier, repeats, root cause)
  through the logistic function, and the reasons that name them;
* ``LabelChurn``: the shipped default, two logistic heads (high; medium-or-high) over those
  features, the context of the exit cues and character 2-3-grams;
* ``TrainedChurn``: a logistic model trained on the user's outcomes (``voc train churn``).

Training is in ``voc.training.churn``; the stage is ``voc.stages.churn.Churn``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np

from ..errors import ConfigError, ModelError
from ..lang.cues import CueMatcher, Hit, cue_rows
from ..lang.negation import CLAUSE_END, rhetorical
from ..lang.taxonomy import ROOT_CAUSES
from ..lang.reasons import reason

NAME = "churn"
FORMAT = "voc-churn-logistic/1"
CUE_LABELS = ("exit", "unresolved", "threat", "anger")
FEATURES = ("exit", "unresolved", "threat", "anger", "negative", "tier", "repeat")
DEFAULT_WEIGHTS = {"bias": -2.5, "exit": 5.0, "unresolved": 0.6, "threat": 0.3, "anger": 0.3, "negative": 2.0,
                   "tier": 0.5, "repeat": 0.4}
DEFAULT_THRESHOLDS = {"high": 0.8, "medium": 0.4}

# -- the context of an exit cue (features of the trained model) --------------------------------
# Who wants the exit and how: the customer asks for it (我要求注销), has done it (已经销户了),
# the company did it to the customer (被停卡, 无故取消订单), or the customer only asks how (怎么注销?).
_INTENT = ("要求", "申请", "我要", "想", "要", "准备", "打算", "必须", "坚决", "立即", "马上", "立刻", "决定",
           "考虑", "帮我", "给我办", "请")
_PASSIVE = ("被", "给我", "把我", "擅自", "私自", "无故", "单方面", "强制", "强行", "自动", "系统")
_DONE_BEFORE = ("已经", "已", "早就", "刚")
_QUESTION = ("吗", "么", "?", "？", "怎么", "如何", "能否", "能不能", "可不可以", "可以吗", "哪里")
CONTEXT_FEATURES = ("exit_intent", "exit_done", "exit_passive", "exit_question", "exit_count", "exit_negated")


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    """The words before ``start`` and after ``end`` within the same clause (at most 10 chars)."""
    before = text[max(0, start - 10):start]
    cut = list(CLAUSE_END.finditer(before))
    if cut:
        before = before[cut[-1].end():]
    after = text[end:end + 10]
    m = CLAUSE_END.search(after)
    if m:
        after = after[:m.start() + 1]
    return before, after


CANCEL_GAP = 4  # an exit_cancel word at most this many characters before or after an exit cue cancels it
ELLIPSIS_CHARS = 2  # an exit cue's clause with at most this many other letters reads its object from the clause before
# the exit cues that drop something named elsewhere (不想要了, 想退了: which thing?), unlike 销户, 退网 or
# 转网, which name the company's service themselves: only these read the clause before
DROP_CUES = frozenset({"不要了", "不想要了", "退了", "我要退", "退掉", "取消掉", "取消这个", "不买了", "退货", "退款",
                       "要求退款", "退费", "换别的", "换掉", "想换", "停掉", "不点了", "不订了", "不住了", "不吃了"})
_LETTERS = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]")


def _clause_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the clause holding ``text[start:end]`` begins and ends."""
    lo = 0
    for m in CLAUSE_END.finditer(text, 0, start):
        lo = m.end()
    m = CLAUSE_END.search(text, end)
    return lo, (m.start() if m else len(text))


def _closing_only(s: str, closing: Sequence[str]) -> bool:
    """True when ``s`` is made only of closing-formula words (longest first), spaces and marks."""
    s = re.sub(r"[\s~～…\-—\W_]+", "", s)
    for w in closing:  # longest first
        s = s.replace(w, "")
    return not s


def exit_hits(text: str, matches: Sequence[Hit], cancel: Sequence[str] = (), closing: Sequence[str] = ()) -> list[Hit]:
    """The exit cues of ``text`` as they count (``matches``: ``CueMatcher.find(text, negation=True)``).

    A cue in a rhetorical question that denies it (怎么可能退网) is marked negated like one after a
    negation (不会换运营商); a cue is dropped when a ``cancel`` word (订单, 这单, 流量包, 退货 ...)
    overlaps it or stands at most ``CANCEL_GAP`` characters before or after it in its clause (one
    order or one add-on, not the company), or stands in the clause before a clause that is the cue
    alone (这个订单吧，不想要了), and when the cue is itself a closing formula (拜拜,
    再见了) in a clause that says nothing but a closing (好的，拜拜)."""
    if not matches:  # most texts: no exit cue, and no need to sort the closing words
        return []
    closing = sorted(closing, key=lambda w: (-len(w), w))
    out = []
    for h in matches:
        lo, hi = _clause_span(text, h.start, h.end)
        if closing and _closing_only(h.term, closing) and _closing_only(text[lo:hi], closing):
            continue
        near = text[max(lo, h.start - CANCEL_GAP - 8):min(hi, h.end + CANCEL_GAP + 8)]
        off = max(lo, h.start - CANCEL_GAP - 8)
        if any(_cancels(near, off, w, h.start, h.end) for w in cancel):
            continue
        if cancel and h.term in DROP_CUES and _elliptical(text, lo, hi, h) \
                and any(w in text[_clause_span(text, lo - 1, lo - 1)[0]:lo] for w in cancel):
            continue  # 这个订单吧，不想要了: the clause before names what is dropped
        if not h.negated and rhetorical(text, h.start):
            h = h._replace(negated=True)
        out.append(h)
    return out


def _elliptical(text: str, lo: int, hi: int, h: Hit) -> bool:
    """Whether the clause ``text[lo:hi]`` of exit cue ``h`` is the cue and at most
    ``ELLIPSIS_CHARS`` other letters (不想要了, 想退了): it names nothing, so what is dropped is
    named in the clause before (帮我取消一下这个订单吧，不想要了). Only for ``DROP_CUES``."""
    if lo == 0:
        return False
    rest = text[lo:h.start] + text[h.end:hi]
    return len(_LETTERS.findall(rest)) <= ELLIPSIS_CHARS


def _cancels(near: str, off: int, word: str, start: int, end: int) -> bool:
    """An occurrence of ``word`` in ``near`` (which begins at ``off`` of the text) overlapping
    ``[start, end)`` or at most ``CANCEL_GAP`` characters away from it."""
    i = near.find(word)
    while i != -1:
        s, e = off + i, off + i + len(word)
        if s < end + CANCEL_GAP + 1 and e > start - CANCEL_GAP - 1:
            return True
        i = near.find(word, i + 1)
    return False


def exit_context(text: str, matches: Sequence[Hit]) -> dict[str, float]:
    """Context features of the exit cues found in ``text`` (``exit_hits``): the
    strongest cue asked for, done, done to the customer, or asked about; how many cues; how
    many were negated."""
    out = dict.fromkeys(CONTEXT_FEATURES, 0.0)
    kept = 0
    for h in matches:
        cue, w, start = h.term, h.weight, h.start
        if h.negated:
            out["exit_negated"] += 1.0
            continue
        kept += 1
        before, after = _clause(text, start, start + len(cue))
        if any(x in before for x in _INTENT):
            out["exit_intent"] = max(out["exit_intent"], w)
        if after.startswith("了") or after[1:2] == "了" or any(before.endswith(x) or x in before[-4:] for x in _DONE_BEFORE):
            out["exit_done"] = max(out["exit_done"], w)
        if any(x in before for x in _PASSIVE):
            out["exit_passive"] = max(out["exit_passive"], w)
        if any(x in before or x in after for x in _QUESTION):
            out["exit_question"] = max(out["exit_question"], w)
    out["exit_count"] = float(min(kept, 3))
    out["exit_negated"] = min(out["exit_negated"], 2.0)
    return out



# -- the cue file -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ChurnCues:
    """Cues (exit, unresolved, threat, anger), tier weights, root-cause weights, feature
    weights and thresholds, and the words that keep an exit cue from counting (``cancel``:
    one order or add-on; ``closing``: closing formulas), read from
    ``corpus/lexicons/churn_cues.tsv``."""

    cues: dict[str, dict[str, float]]
    tiers: dict[str, float]
    root_cause: dict[str, float]
    weights: dict[str, float]
    thresholds: dict[str, float]
    cancel: tuple[str, ...] = field(default=())
    closing: tuple[str, ...] = field(default=())

    @classmethod
    def from_file(cls, path: str | Path | None = None) -> "ChurnCues":
        from ..resources import corpus_path

        path = Path(path) if path else corpus_path("lexicons", "churn_cues.tsv")
        cues: dict[str, dict[str, float]] = {k: {} for k in CUE_LABELS}
        tiers: dict[str, float] = {}
        rc: dict[str, float] = {}
        weights = dict(DEFAULT_WEIGHTS)
        thresholds = dict(DEFAULT_THRESHOLDS)
        words: dict[str, list[str]] = {"exit_cancel": [], "closing": []}
        if not Path(path).is_file():
            raise ConfigError(f"churn cue file {path} does not exist; give a label<TAB>cue<TAB>weight file.")
        for n, label, cue, w in cue_rows(path):
            if label in cues:
                cues[label][cue.lower()] = w
            elif label in words:
                words[label].append(cue.lower())
            elif label == "tier":
                tiers[cue.lower()] = w
            elif label == "root_cause":
                if cue not in ROOT_CAUSES:
                    raise ConfigError(f"{path}:{n}: root cause {cue!r} is not one of {', '.join(ROOT_CAUSES)}.")
                rc[cue] = w
            elif label == "weight":
                if cue not in DEFAULT_WEIGHTS:
                    raise ConfigError(f"{path}:{n}: unknown weight {cue!r}; use one of {', '.join(DEFAULT_WEIGHTS)}.")
                weights[cue] = w
            elif label == "threshold":
                if cue not in DEFAULT_THRESHOLDS:
                    raise ConfigError(f"{path}:{n}: unknown threshold {cue!r}; use high or medium.")
                thresholds[cue] = w
            else:
                raise ConfigError(f"{path}:{n}: unknown label {label!r}; use exit, exit_cancel, closing, unresolved, "
                                  f"threat, anger, tier, root_cause, weight or threshold.")
        if not 0 <= thresholds["medium"] <= thresholds["high"] <= 1:
            raise ConfigError(f"{path}: thresholds must satisfy 0 <= medium <= high <= 1.")
        return cls(cues, tiers, rc, weights, thresholds, tuple(dict.fromkeys(words["exit_cancel"])),
                   tuple(dict.fromkeys(words["closing"])))

    def with_exit_words(self, other: "ChurnCues") -> "ChurnCues":
        """These cues, with ``other``'s ``cancel`` and ``closing`` words where these have none (a
        model folder's cue file written before those words existed)."""
        return replace(self, cancel=self.cancel or other.cancel, closing=self.closing or other.closing)


class ChurnInput(NamedTuple):
    """What the churn models read of one contact."""

    text: str  # normalised customer text
    sentiment: float | None  # the sentiment the contact ends with (``voc.stages.churn.effective_sentiment``)
    trend: str | None  # sentiment trend of a dialogue
    root_cause: str | None  # root-cause label
    tier: str | None  # customer tier (``voc.lang.metadata.tier``)
    repeats: int  # earlier contacts in the window (``voc.lang.metadata.repeat_count``)


@dataclass(frozen=True)
class Features:
    exit: float
    unresolved: float
    threat: float
    anger: float
    negative: float
    tier: float
    repeat: float
    root_cause: str | None
    terms: dict[str, tuple[str, ...]]
    tier_name: str | None
    repeats: int
    sentiment: float | None
    trend: str | None = None
    context: dict[str, float] | None = None

    def vector(self) -> list[float]:
        return [getattr(self, k) for k in FEATURES]


class Scorer:
    """Features and the transparent score of one contact."""

    def __init__(self, cues: ChurnCues | None = None):
        self.cues = cues or ChurnCues.from_file()
        self._m = {k: CueMatcher.of(v, k, overlapping=k == "exit") for k, v in self.cues.cues.items()}
        # Speed: one search for a cue of any label; ~3 in 4 texts have none, and then the four
        # labels' scans (each as costly as that search) would all find nothing
        self._any = CueMatcher([c for m in self._m.values() for c in m.given])

    def tier_weight(self, tier: str | None) -> float:
        """Weight of the longest tier name found in the value (钻石卡 -> 钻石)."""
        if not tier:
            return 0.0
        t = tier.lower()
        found = [(len(name), w) for name, w in self.cues.tiers.items() if name in t]
        return max(found)[1] if found else 0.0

    def features(self, x: ChurnInput) -> Features:
        text = x.text.lower()
        find = (lambda k: self._m[k].find(text, negation=True)) if self._any.search(text) else (lambda k: [])
        found = {k: [(h.term, h.weight) for h in find(k) if not h.negated] for k in CUE_LABELS if k != "exit"}
        exits = exit_hits(text, find("exit"), self.cues.cancel, self.cues.closing)
        found["exit"] = [(h.term, h.weight) for h in exits if not h.negated]
        exit_w = max((w for _, w in found["exit"]), default=0.0)
        s = x.sentiment
        negative = 1.0 - s if s is not None else 0.0
        tier, reps = x.tier, x.repeats
        return Features(
            exit=exit_w,
            unresolved=min(sum(w for _, w in found["unresolved"]), 2.0),
            threat=min(sum(w for _, w in found["threat"]), 2.0),
            anger=min(sum(w for _, w in found["anger"]), 2.0),
            negative=round(negative, 4),
            tier=self.tier_weight(tier),
            repeat=float(min(reps, 3)),
            root_cause=x.root_cause,
            terms={k: tuple(dict.fromkeys(w for w, _ in v)) for k, v in found.items()},
            tier_name=tier, repeats=reps, sentiment=s, trend=x.trend,
            context=exit_context(text, exits))

    def logit(self, f: Features) -> float:
        w = self.cues.weights
        z = w["bias"] + sum(w[k] * getattr(f, k) for k in FEATURES)
        return z + self.cues.root_cause.get(f.root_cause or "", 0.0)

    def level(self, score: float, f: Features | None = None) -> str:
        """``high`` needs the high threshold *and* an exit cue (taxonomy: explicit intent to
        leave); without one the contact is at most ``medium``."""
        th = self.cues.thresholds
        if score >= th["high"] and (f is None or f.exit > 0):
            return "high"
        return "medium" if score >= th["medium"] else "low"

    def reasons(self, f: Features, language: str = "zh") -> tuple[str, ...]:
        """The reasons behind the score, worded in ``language`` (``voc.lang.reasons``)."""
        out = []
        if f.terms["exit"] and f.exit > 0:
            out.append(reason(language, "exit", "、".join(f.terms["exit"])))
        if f.terms["unresolved"]:
            out.append(reason(language, "unresolved", "、".join(f.terms["unresolved"])))
        if f.terms["threat"]:
            out.append(reason(language, "threat", "、".join(f.terms["threat"])))
        if f.terms["anger"]:
            out.append(reason(language, "anger", "、".join(f.terms["anger"])))
        if f.sentiment is not None and f.sentiment < 0.2:
            out.append(reason(language, "negative", f.sentiment))
        if f.trend == "worsened":
            out.append(reason(language, "worsened"))
        rc_w = self.cues.root_cause.get(f.root_cause or "", 0.0)
        if f.root_cause and rc_w > 0:
            out.append(reason(language, "root_cause", f.root_cause))
        if f.tier >= 0.5:
            out.append(reason(language, "high_value", f.tier_name))
        elif f.tier > 0:
            out.append(reason(language, "tier", f.tier_name))
        if f.repeats:
            out.append(reason(language, "repeat", f.repeats))
        return tuple(out)



def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))



def design(feats: Sequence[Features]) -> np.ndarray:
    rows = []
    for f in feats:
        rc = [1.0 if f.root_cause == k else 0.0 for k in ROOT_CAUSES]
        rows.append(f.vector() + rc)
    return np.array(rows, dtype=np.float64)


FEATURE_NAMES = [*FEATURES, *(f"root_cause={k}" for k in ROOT_CAUSES)]


class TrainedChurn:
    """Logistic regression over character 1-3-grams of the customer text (TF-IDF, up to
    ``max_features``) and the scorer's features. Saved as ``model.npz`` (arrays only) with
    a manifest; loaded after ``voc.models.verify``."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, coef_text: np.ndarray,
                 coef_feat: np.ndarray, bias: float, thresholds: Mapping[str, float], version: str = "trained"):
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.coef_text = np.asarray(coef_text, dtype=np.float64)
        self.coef_feat = np.asarray(coef_feat, dtype=np.float64)
        self.bias = float(bias)
        self.thresholds = dict(thresholds)
        self.version = version
        self._vec = None

    def _text_matrix(self, texts: Sequence[str]):
        from sklearn.feature_extraction.text import TfidfVectorizer

        if self._vec is None:
            vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True,
                                  vocabulary={w: i for i, w in enumerate(self.vocabulary)}, dtype=np.float64)
            vec.idf_ = self.idf
            self._vec = vec
        return self._vec.transform(texts)

    def predict(self, texts: Sequence[str], feats: Sequence[Features]) -> list[float]:
        z = self._text_matrix(texts) @ self.coef_text + design(feats) @ self.coef_feat + self.bias
        return [sigmoid(float(v)) for v in z]

    def level(self, score: float) -> str:
        return "high" if score >= self.thresholds["high"] else "medium" if score >= self.thresholds["medium"] else "low"

    def save(self, folder: Path) -> None:
        from ..models import save_arrays

        vocab = "\n".join(self.vocabulary).encode("utf-8")
        save_arrays(folder / "model.npz", vocab=np.frombuffer(vocab, dtype=np.uint8), idf=self.idf,
                    coef_text=self.coef_text, coef_feat=self.coef_feat, bias=np.array([self.bias]))

    @classmethod
    def load(cls, folder: str | Path) -> "TrainedChurn":
        from ..models import load_arrays, verify

        folder = Path(folder)
        manifest = verify(folder)
        if manifest.get("format") != FORMAT:
            raise ModelError(f"{folder} is not a churn model written by `voc train churn`; give such a folder.")
        a = load_arrays(folder / "model.npz")
        raw = a["vocab"].tobytes().decode("utf-8")
        vocab = raw.split("\n") if raw else []
        if len(vocab) != len(a["idf"]) or len(a["coef_feat"]) != len(FEATURE_NAMES):
            raise ModelError(f"{folder}/model.npz is inconsistent with this version of voc; retrain the model.")
        return cls(vocab, a["idf"], a["coef_text"], a["coef_feat"], float(a["bias"][0]),
                   manifest.get("thresholds", DEFAULT_THRESHOLDS), f"trained-{manifest.get('version', '?')}")



# ============================================================================================
# The shipped default: a model learned from the project's own taxonomy labels
# ============================================================================================
DEFAULT_FORMAT = "voc-churn-labels/1"
DEFAULT_VERSION = "1.1.4"
DENSE_NAMES = [*FEATURE_NAMES, *CONTEXT_FEATURES]
NGRAM_SIZES = (2, 3)
NGRAM_SCALE = 0.2  # 0: no n-grams. Else the n-grams' share of the score: they refine the readable features, not replace them


def char_ngrams(text: str) -> set[str]:
    """The distinct character 2- and 3-grams of ``text`` (lower-cased)."""
    t = (text or "").lower()
    return {t[i:i + n] for n in NGRAM_SIZES for i in range(len(t) - n + 1)}


def dense_inputs(feats: Sequence[Features]) -> np.ndarray:
    """The dense inputs of ``LabelChurn``: ``design`` and the exit-cue context (``DENSE_NAMES``)."""
    ctx = [[(f.context or {}).get(k, 0.0) for k in CONTEXT_FEATURES] for f in feats]
    return np.hstack([design(feats), np.array(ctx, dtype=np.float64).reshape(len(feats), len(CONTEXT_FEATURES))])


class LabelChurn:
    """The shipped churn model (``models/churn/<version>/``), learned from the taxonomy labels of
    corpus/labels/train.csv. Two logistic heads over the same inputs: the transparent scorer's
    features, the context of the exit cues (asked for, done, done to the customer, asked
    about, negated) and binary character 2-3-grams of the customer text (scaled by 0.2):

    * ``high``: explicit exit intent (taxonomy level high) vs not;
    * ``risk``: medium or high vs low (strong dissatisfaction or exit intent).

    ``churn_risk = (p_risk + p_high) / 2``; level ``high`` when ``p_high`` reaches the
    ``high`` threshold, ``medium`` when ``p_risk`` reaches the ``medium`` threshold. The cue
    file it was trained with ships in the folder (``cues.tsv``), so its features do not move
    when the project's lexicon is edited; a folder whose cue file has no ``exit_cancel`` and
    ``closing`` words (built before they existed) takes them from the project's lexicon."""

    def __init__(self, vocabulary: Sequence[str], w_ngram: np.ndarray, w_dense: np.ndarray, bias: np.ndarray,
                 thresholds: Mapping[str, float], cues: ChurnCues, version: str = DEFAULT_VERSION):
        self.vocabulary = list(vocabulary)
        self.w_ngram = np.asarray(w_ngram, dtype=np.float64)  # (2, V): high, risk
        self.w_dense = np.asarray(w_dense, dtype=np.float64)  # (2, D)
        self.bias = np.asarray(bias, dtype=np.float64)  # (2,)
        self.thresholds = dict(thresholds)
        self.cues = cues
        self.version = version
        self._scaled = self.w_ngram * NGRAM_SCALE  # (2, V)
        # the binary n-gram matrix of a batch in numpy (voc.text.ngrams): the same n-grams as
        # ``char_ngrams`` on normalised text, summed in column order (deterministic)
        from ..text.ngrams import CharNgrams

        self._ngrams = CharNgrams(self.vocabulary, (min(NGRAM_SIZES), max(NGRAM_SIZES))) if self.vocabulary else None

    def scores(self, texts: Sequence[str], dense: np.ndarray,
               wanted: Sequence[bool] | None = None) -> list[tuple[float, float, list[tuple[float, str]]]]:
        """Per text: (p_high, p_risk, the n-grams found that push toward high, with their push).
        With ``wanted``, the n-grams are listed only for the texts it marks and those of level
        ``high`` (the others get ``[]``: listing them is a third of the scoring time)."""
        z = dense @ self.w_dense.T + self.bias
        found: list[list[tuple[float, str]]] = [[] for _ in texts]
        if self._ngrams is not None and len(texts):
            X = self._ngrams.transform([t or "" for t in texts])
            z = z + np.asarray(X @ self._scaled.T)
            high = self._scaled[0]
            for i, zh in enumerate(z[:, 0].tolist()):
                if wanted is not None and not wanted[i] and sigmoid(zh) < self.thresholds["high"]:
                    continue
                cols = X.indices[X.indptr[i]:X.indptr[i + 1]]
                found[i] = [(float(high[c]), self.vocabulary[c]) for c in cols[high[cols] > 0]]
        return [(sigmoid(zh), sigmoid(zr), f) for (zh, zr), f in zip(z.tolist(), found)]

    def level(self, p_high: float, p_risk: float) -> str:
        if p_high >= self.thresholds["high"]:
            return "high"
        return "medium" if p_risk >= self.thresholds["medium"] else "low"

    def save(self, folder: Path) -> None:
        from ..models import save_arrays

        vocab = "\n".join(self.vocabulary).encode("utf-8")
        save_arrays(folder / "model.npz", vocab=np.frombuffer(vocab, dtype=np.uint8), w_ngram=self.w_ngram,
                    w_dense=self.w_dense, bias=self.bias)

    @classmethod
    def load(cls, folder: str | Path, manifest: Mapping[str, Any] | None = None) -> "LabelChurn":
        from ..models import load_arrays, verify

        folder = Path(folder)
        manifest = manifest or verify(folder)
        if manifest.get("format") != DEFAULT_FORMAT:
            raise ModelError(f"{folder} is not a churn model built by `python -m voc.build churn`; give such a folder.")
        a = load_arrays(folder / "model.npz")
        raw = a["vocab"].tobytes().decode("utf-8")
        vocab = raw.split("\n") if raw else []
        if a["w_ngram"].shape != (2, len(vocab)) or a["w_dense"].shape != (2, len(DENSE_NAMES)) \
                or list(manifest.get("dense_features", [])) != DENSE_NAMES:
            raise ModelError(f"{folder}/model.npz is inconsistent with this version of voc; rebuild it with "
                             f"`python -m voc.build churn`.")
        cues = ChurnCues.from_file(folder / "cues.tsv")
        if not (cues.cancel and cues.closing):  # built before exit_cancel / closing: the project's words
            cues = cues.with_exit_words(ChurnCues.from_file())
        return cls(vocab, a["w_ngram"], a["w_dense"], a["bias"], manifest["thresholds"], cues,
                   manifest.get("version", DEFAULT_VERSION))


