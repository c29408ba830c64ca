"""Churn risk: will this customer leave? A score 0..1, a level low/medium/high, and reasons.

The default scorer is transparent: a weighted sum of features that a manager can read in
``churn_reasons``, turned into a score by the logistic function::

    z = bias + exit x [explicit exit intent] + unresolved x min(#unresolved cues, 2)
          + threat x min(#complaint threats, 2) + anger x min(#anger cues, 2)
          + negative x (1 - sentiment) + root_cause[label]
          + tier x (customer tier weight) + repeat x min(#earlier contacts, 3)
    churn_risk = 1 / (1 + exp(-z))

``sentiment`` is, for a dialogue, the mean of the whole customer side and the last customer
turn (``effective_sentiment``): how the customer feels when the contact ends weighs more.
The cues and every weight are in ``corpus/lexicons/churn_cues.tsv`` (label<TAB>cue<TAB>weight;
users add lines without code). Exit cues after a negation (不会销户, 没打算退订) do not count.
``high`` needs ``churn_risk >= high`` *and* an exit cue (the taxonomy's definition: explicit
intent to leave), ``medium`` needs ``churn_risk >= medium``; both thresholds are ``setting`` lines of the same file, tuned on the
non-reserved development labels (corpus/labels/train.csv).

Customer tier comes from the contact's metadata (``tier``, ``客户等级``, ``会员等级`` ...:
普通/银卡/金卡/白金/钻石/VIP); repeat contacts from ``metadata["repeat_contacts"]``, which
the parent-side preprocessor ``RepeatContacts(window)`` fills in (``voc tag --repeat-window``).

With outcomes (a ``churned`` 0/1 column), ``train_churn(data_file, out_dir)`` learns a logistic
model over the customer text (character n-grams) and these same features; ``Churn(model=DIR)``
then scores with it, and the reasons still list the cues that were found.
"""
from __future__ import annotations

import logging
import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np

from ..errors import ConfigError, InputError, ModelError
from ..lexicon import ROOT_CAUSES, tsv_rows
from ..records import Churn as ChurnRecord
from ..records import Contact, Tagged

log = logging.getLogger(__name__)

NAME = "churn"
FORMAT = "voc-churn-logistic/1"
CUE_LABELS = ("exit", "unresolved", "threat", "anger")
FEATURES = ("exit", "unresolved", "threat", "anger", "negative", "tier", "repeat")
DEFAULT_WEIGHTS = {"bias": -2.5, "exit": 5.0, "unresolved": 0.6, "threat": 0.3, "anger": 0.3, "negative": 2.0,
                   "tier": 0.5, "repeat": 0.4}
DEFAULT_THRESHOLDS = {"high": 0.8, "medium": 0.4}

# -- negation -------------------------------------------------------------------------------
NEGATORS = ("不会", "不想", "不打算", "没打算", "不要", "不用", "不需要", "并不", "没有", "不是", "不必", "无需",
            "无意", "别", "不", "没", "未")
NOT_NEGATION = ("不得不", "不然", "要不", "不行就", "不行我", "不解决", "不处理", "不给", "不退", "不还", "不停",
                "不能", "不了", "不让", "不予", "不同意", "不允许", "无法", "没法", "不可以", "不可", "没办法",
                "一直不", "还不", "都不", "没人", "没有人", "不然", "否则",
                "找不到", "不知道", "不懂", "不会操作")


INTENT_NEGATORS = ("不会", "不想", "不打算", "没打算", "不准备", "没想", "不要", "无意", "并不", "不必", "不用", "不需要")
_CLAUSE_END = re.compile(r"[，。！？；,.!?;：:\n]")
_CONSEQUENCE = ("就", "便", "则", "立刻", "马上", "只能", "只好")


def is_negated(text: str, start: int, window: int = 4) -> bool:
    """True when the words before ``start`` negate it: a negation word right before it (不会销户,
    没有投诉), or an intent negation earlier in the same clause (我不会去投诉到12315). Not for
    phrases that only look negated (不得不注销, 无法注销, 不给退订) nor for conditionals whose
    consequence it is (不解决就打12315, 没人管我就销户)."""
    lo = max(0, start - 12)
    clause = text[lo:start]
    cut = list(_CLAUSE_END.finditer(clause))
    if cut:
        clause = clause[cut[-1].end():]
    if not clause:
        return False
    if any(c in clause for c in _CONSEQUENCE):
        return False
    before = clause[-window:]
    if any(p in text[max(0, start - window - 2):start] for p in NOT_NEGATION):
        return False
    if any(before.endswith(n) or n in before[-3:] for n in NEGATORS):
        return True
    return any(n in clause for n in INTENT_NEGATORS)


# -- metadata: tier and repeat contacts ------------------------------------------------------
TIER_KEYS = ("tier", "customer_tier", "customer_level", "vip_level", "member_level", "level", "客户等级",
             "会员等级", "客户级别", "会员级别", "客户星级", "星级", "等级", "客户类型")
REPEAT_KEY = "repeat_contacts"


def customer_tier(metadata: Mapping[str, Any]) -> str | None:
    """The customer value tier from a contact's metadata (tier, 客户等级 ...), or None."""
    if not metadata:
        return None
    lowered = {str(k).strip().lower(): v for k, v in metadata.items()}
    for k in TIER_KEYS:
        v = lowered.get(k)
        if v is not None and str(v).strip():
            return str(v).strip()
    return None


def repeat_count(metadata: Mapping[str, Any]) -> int:
    try:
        return max(0, int(metadata.get(REPEAT_KEY) or 0))
    except (TypeError, ValueError):
        return 0


_WINDOW = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(d|h|m|w|day|days|hour|hours|天|日|小时|周|分钟)?\s*$", re.I)


def parse_window(window: str | int | float | timedelta | None) -> timedelta | None:
    """``7d``, ``48h``, ``30m``, ``2w``, ``7天`` or a number of days; None/'' / 0 for off."""
    if window is None or window == "" or window == 0:
        return None
    if isinstance(window, timedelta):
        return window
    if isinstance(window, (int, float)):
        return timedelta(days=float(window))
    m = _WINDOW.match(str(window))
    if not m:
        raise ConfigError(f"repeat window {window!r} is not a duration; use e.g. 7d, 48h or 30m.")
    n, unit = float(m.group(1)), (m.group(2) or "d").lower()
    if n == 0:
        return None
    if unit in ("h", "hour", "hours", "小时"):
        return timedelta(hours=n)
    if unit in ("m", "分钟"):
        return timedelta(minutes=n)
    if unit in ("w", "周"):
        return timedelta(weeks=n)
    return timedelta(days=n)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def _when(created_at: str | None) -> datetime | None:
    from ..io.readers import to_datetime

    return to_datetime(created_at)


class RepeatContacts:
    """Parent-side preprocessor (``Pipeline(preprocessors=[RepeatContacts("7d")])``): called
    once per contact in input order, it sets ``metadata["repeat_contacts"]`` to how many
    earlier contacts of the same ``customer_id`` fall within ``window`` before this one.

    "Earlier" is by ``created_at``, among the contacts seen before this one (inputs are
    normally in time order; a contact seen later but dated earlier is not counted). Contacts
    without a ``customer_id`` pass unchanged; contacts without a parsable time count every
    earlier contact of the customer. Memory holds, per customer, only the times inside the
    window. One instance per run: it remembers the contacts it has seen.
    """

    name = "repeat_contacts"

    def __init__(self, window: str | int | float | timedelta | None = "7d"):
        self.window = parse_window(window)
        # Per customer: the sorted times inside the window, as a tuple of integer microseconds
        # (exact, like the datetimes), and the count of untimed contacts. One entry per customer
        # adds up over a million contacts: a tuple of one int takes 80 bytes, a deque 760.
        self._seen: dict[str, tuple[int, ...]] = {}
        self._untimed: dict[str, int] = {}
        self._window_us = self.window // _MICROSECOND if self.window is not None else 0

    def __call__(self, c: Contact) -> Contact:
        if not isinstance(c, Contact) or not c.customer_id or self.window is None:
            return c
        key = str(c.customer_id)
        when = _when(c.created_at)
        q = self._seen.get(key, ())
        untimed = self._untimed.get(key, 0)
        if when is None:
            n = untimed + len(q)
            self._untimed[key] = untimed + 1
        else:
            t = (when - _EPOCH) // _MICROSECOND
            lo = t - self._window_us
            if q and q[0] < lo:
                q = q[bisect_left(q, lo):]
            n = sum(1 for x in q if x <= t) + untimed
            if not q or q[-1] <= t:
                q += (t,)
            else:  # out of time order: keep the times sorted
                i = bisect_right(q, t)
                q = q[:i] + (t,) + q[i:]
            self._seen[key] = q
        return replace(c, metadata={**dict(c.metadata), REPEAT_KEY: n})

    def annotate(self, contacts: Iterable[Any]) -> Iterator[Any]:
        """Apply to a stream (items that are not contacts pass unchanged)."""
        for c in contacts:
            yield self(c) if isinstance(c, Contact) else c


# -- the cue file -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ChurnCues:
    """Cues (exit, unresolved, threat, anger), tier weights, root-cause weights, feature
    weights and thresholds, read from ``corpus/lexicons/churn_cues.tsv``."""

    cues: dict[str, dict[str, float]]
    tiers: dict[str, float]
    root_cause: dict[str, float]
    weights: dict[str, float]
    thresholds: dict[str, float]

    @classmethod
    def from_file(cls, path: str | Path | None = None) -> "ChurnCues":
        from ..resources import corpus_path

        path = Path(path) if path else corpus_path("lexicons", "churn_cues.tsv")
        cues: dict[str, dict[str, float]] = {k: {} for k in CUE_LABELS}
        tiers: dict[str, float] = {}
        rc: dict[str, float] = {}
        weights = dict(DEFAULT_WEIGHTS)
        thresholds = dict(DEFAULT_THRESHOLDS)
        if not Path(path).is_file():
            raise ConfigError(f"churn cue file {path} does not exist; give a label<TAB>cue<TAB>weight file.")
        for n, parts in tsv_rows(path):
            if len(parts) not in (2, 3) or not parts[1].strip():
                raise ConfigError(f"{path}:{n}: expected label<TAB>cue<TAB>weight; fix that line.")
            label, cue = parts[0].strip(), parts[1].strip()
            try:
                w = float(parts[2]) if len(parts) == 3 else 1.0
            except ValueError:
                raise ConfigError(f"{path}:{n}: weight {parts[2]!r} is not a number; fix that line.") from None
            if label in cues:
                cues[label][cue.lower()] = w
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
                raise ConfigError(f"{path}:{n}: unknown label {label!r}; use exit, unresolved, threat, anger, "
                                  f"tier, root_cause, weight or threshold.")
        if not 0 <= thresholds["medium"] <= thresholds["high"] <= 1:
            raise ConfigError(f"{path}: thresholds must satisfy 0 <= medium <= high <= 1.")
        return cls(cues, tiers, rc, weights, thresholds)


class _Matcher:
    """One regex alternation per cue label: linear-time matching, longest cue first.

    ``overlapping``: also find cues that start inside an earlier match (the longest cue at
    every position), so a weak cue cannot hide a stronger one (要求取消掉: 要求取消 and 取消掉).
    Used for exit cues, whose weight is the maximum found; summed labels keep one match per
    span so that a phrase is not counted twice."""

    def __init__(self, cues: Mapping[str, float], overlapping: bool = False):
        self.cues = dict(cues)
        words = sorted(self.cues, key=lambda w: (-len(w), w))
        alt = "|".join(re.escape(w) for w in words)
        self._re = (re.compile(f"(?=({alt}))" if overlapping else f"({alt})")) if words else None

    def find(self, text: str, negation: bool = True) -> list[tuple[str, float]]:
        if self._re is None:
            return []
        out = []
        for m in self._re.finditer(text):
            if negation and is_negated(text, m.start()):
                continue
            out.append((m.group(1), self.cues[m.group(1)]))
        return out


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

    def vector(self) -> list[float]:
        return [getattr(self, k) for k in FEATURES]


class Scorer:
    """Features and the transparent score of one contact."""

    def __init__(self, cues: ChurnCues | None = None):
        self.cues = cues or ChurnCues.from_file()
        self._m = {k: _Matcher(v, overlapping=k == "exit") for k, v in self.cues.cues.items()}

    def tier_weight(self, tier: str | None) -> float:
        """Weight of the longest tier name found in the value (钻石卡 -> 钻石)."""
        if not tier:
            return 0.0
        t = tier.lower()
        found = [(len(name), w) for name, w in self.cues.tiers.items() if name in t]
        return max(found)[1] if found else 0.0

    def features(self, t: Tagged) -> Features:
        text = (t.text or "").lower()
        found = {k: self._m[k].find(text) for k in CUE_LABELS}
        exit_w = max((w for _, w in found["exit"]), default=0.0)
        s = effective_sentiment(t)
        negative = 1.0 - s if s is not None else 0.0
        tier = customer_tier(t.contact.metadata)
        reps = repeat_count(t.contact.metadata)
        return Features(
            exit=exit_w,
            unresolved=min(sum(w for _, w in found["unresolved"]), 2.0),
            threat=min(sum(w for _, w in found["threat"]), 2.0),
            anger=min(sum(w for _, w in found["anger"]), 2.0),
            negative=round(negative, 4),
            tier=self.tier_weight(tier),
            repeat=float(min(reps, 3)),
            root_cause=t.root_cause.label if t.root_cause is not None else None,
            terms={k: tuple(dict.fromkeys(w for w, _ in v)) for k, v in found.items()},
            tier_name=tier, repeats=reps, sentiment=s, trend=t.sentiment.trend if t.sentiment else None)

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

    def reasons(self, f: Features) -> tuple[str, ...]:
        out = []
        if f.terms["exit"] and f.exit > 0:
            out.append("exit intent: " + "、".join(f.terms["exit"]))
        if f.terms["unresolved"]:
            out.append("repeated unresolved problem: " + "、".join(f.terms["unresolved"]))
        if f.terms["threat"]:
            out.append("complaint threat: " + "、".join(f.terms["threat"]))
        if f.terms["anger"]:
            out.append("strong dissatisfaction: " + "、".join(f.terms["anger"]))
        if f.sentiment is not None and f.sentiment < 0.2:
            out.append(f"strongly negative sentiment ({f.sentiment:.2f})")
        if f.trend == "worsened":
            out.append("the conversation left the customer worse off than it began")
        rc_w = self.cues.root_cause.get(f.root_cause or "", 0.0)
        if f.root_cause and rc_w > 0:
            out.append(f"root cause: {f.root_cause}")
        if f.tier >= 0.5:
            out.append(f"high-value customer: {f.tier_name}")
        elif f.tier > 0:
            out.append(f"customer tier: {f.tier_name}")
        if f.repeats:
            out.append(f"repeat contact: {f.repeats} earlier contact{'s' if f.repeats > 1 else ''} in the window")
        return tuple(out)


def effective_sentiment(t: Tagged) -> float | None:
    """The sentiment churn reads: for a dialogue, the mean of the whole customer side and the
    last customer turn (how the customer feels when the contact ends weighs more); else the
    contact's score."""
    s = t.sentiment
    if s is None:
        return None
    return round((s.score + s.end) / 2, 4) if s.end is not None else s.score


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


class Churn:
    """The churn stage. ``cues``: a churn cue file (default corpus/lexicons/churn_cues.tsv);
    ``model``: a folder written by ``train_churn`` (default: the transparent scorer)."""

    name = "churn"
    requires = ("text", "sentiment", "root_cause")
    assigns = ("churn",)

    def __init__(self, cues: str | Path | None = None, model: str | Path | None = None):
        self.scorer = Scorer(ChurnCues.from_file(cues) if cues else None)
        self.model = TrainedChurn.load(model) if model else None
        self.version = self.model.version if self.model else "cues-2"

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        feats = [self.scorer.features(t) for t in batch]
        if self.model is not None:
            scores = self.model.predict(batch, feats)
        else:
            scores = [_sigmoid(self.scorer.logit(f)) for f in feats]
        out = []
        for t, f, s in zip(batch, feats, scores):
            s = round(float(s), 4)
            level = self.model.level(s) if self.model is not None else self.scorer.level(s, f)
            out.append(replace(t, churn=ChurnRecord(s, level, self.scorer.reasons(f))))
        return out


# ============================================================================================
# A trained model: voc train churn --data FILE -o DIR
# ============================================================================================
LABEL_COLUMNS = ("churned", "churn", "label", "流失", "是否流失", "已流失")
_TRUE = {"1", "1.0", "true", "yes", "y", "是", "流失", "已流失", "t"}
_FALSE = {"0", "0.0", "false", "no", "n", "否", "未流失", "f"}


def _design(feats: Sequence[Features]) -> np.ndarray:
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

    def predict(self, batch: Sequence[Tagged], feats: Sequence[Features]) -> list[float]:
        z = self._text_matrix([t.text or "" for t in batch]) @ self.coef_text + _design(feats) @ self.coef_feat + self.bias
        return [_sigmoid(float(v)) for v in z]

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
                pipeline_options: Mapping[str, Any] | None = None, **read_options: Any) -> dict[str, Any]:
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

    from ..api import load
    from ..models import write_manifest

    data = read_outcomes(data_file, label_column, **read_options)
    y = np.array([v for _, v in data])
    if len(data) < 10 or y.min() == y.max():
        raise InputError(f"{data_file}: need at least 10 contacts with both churned (1) and stayed (0) examples.")
    opts = dict(pipeline_options or {})
    pipe = load(disable=("escalation", "topics", "churn"), **opts)
    tagged = pipe.tag_batch([c for c, _ in data])
    ok = [i for i, t in enumerate(tagged) if not t.status.startswith("error")]
    tagged = [tagged[i] for i in ok]
    y = y[ok]
    scorer = Scorer()
    feats = [scorer.features(t) for t in tagged]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2 if len(tagged) >= 50 else 1,
                          max_features=max_features, dtype=np.float64)
    Xt = vec.fit_transform([t.text or "" for t in tagged])
    X = sp.hstack([Xt, sp.csr_matrix(_design(feats))]).tocsr()
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
