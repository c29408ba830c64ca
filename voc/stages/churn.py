"""Churn risk: will this customer leave? A score 0..1, a level low/medium/high, and reasons.

Three scorers behind one stage (``Churn(model=...)``):

* the shipped default (``models/churn/<version>/``, ``python -m voc.build churn``): two
  logistic heads learned from the project's taxonomy labels (corpus/labels/train.csv) over the
  transparent scorer's features, the context of the exit cues and character 2-3-grams
  (``LabelChurn``); its reasons name the cues found and the n-grams that pushed toward high;
* the transparent scorer (``model="cues"``, or when no model ships, or with a user cue file);
* a model trained on the user's own outcomes (``voc train churn``, ``TrainedChurn``).

The transparent scorer is a weighted sum of features that a manager can read in
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
from ..records import Contact, Tagged, evolve

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
    cut = list(_CLAUSE_END.finditer(before))
    if cut:
        before = before[cut[-1].end():]
    after = text[end:end + 10]
    m = _CLAUSE_END.search(after)
    if m:
        after = after[:m.start() + 1]
    return before, after


def exit_context(text: str, matches: Sequence[tuple[str, float, int, bool]]) -> dict[str, float]:
    """Context features of the exit cues found in ``text`` (``_Matcher.find_all``): the
    strongest cue asked for, done, done to the customer, or asked about; how many cues; how
    many were negated."""
    out = dict.fromkeys(CONTEXT_FEATURES, 0.0)
    kept = 0
    for cue, w, start, neg in matches:
        if neg:
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
        # Contact(...) rather than dataclasses.replace: this runs in the parent for every contact
        return Contact(c.id, c.turns, c.channel, c.created_at, c.customer_id, {**c.metadata, REPEAT_KEY: n}, c.source)

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
        # The leading class of first characters lets the regex engine skip positions where no
        # cue can start (7x faster than a bare lookahead alternation).
        first = "".join(sorted({re.escape(w[0]) for w in words}))
        self._re = (re.compile(f"(?=[{first}])(?=({alt}))" if overlapping else f"(?=[{first}])({alt})")
                    if words else None)

    def find(self, text: str, negation: bool = True) -> list[tuple[str, float]]:
        return [(w, v) for w, v, _, neg in self.find_all(text, negation) if not neg]

    def find_all(self, text: str, negation: bool = True) -> list[tuple[str, float, int, bool]]:
        """Every match as (cue, weight, start, negated)."""
        if self._re is None:
            return []
        return [(m.group(1), self.cues[m.group(1)], m.start(), negation and is_negated(text, m.start()))
                for m in self._re.finditer(text)]


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
        found = {k: self._m[k].find(text) for k in CUE_LABELS if k != "exit"}
        exits = self._m["exit"].find_all(text)
        found["exit"] = [(w, v) for w, v, _, neg in exits if not neg]
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
            tier_name=tier, repeats=reps, sentiment=s, trend=t.sentiment.trend if t.sentiment else None,
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


TRANSPARENT = ("cues", "transparent")


class Churn:
    """The churn stage.

    ``model``: None for the shipped default (``models/churn/<version>/``, learned from the
    project's taxonomy labels; the transparent scorer when no model ships); ``"cues"`` for
    the transparent scorer; or a folder written by ``voc train churn`` (outcomes) or by
    ``python -m voc.build churn``. ``cues``: a churn cue file; giving one without a model
    selects the transparent scorer with those cues (the shipped model keeps the cues it was
    trained with)."""

    name = "churn"
    requires = ("text", "sentiment", "root_cause")
    assigns = ("churn",)

    def __init__(self, cues: str | Path | None = None, model: str | Path | None = None):
        self.model: TrainedChurn | None = None
        self.labels: LabelChurn | None = None
        if model is None and cues is None:
            from ..models import find

            model = find(NAME)
        if model is not None and str(model) not in TRANSPARENT:
            from ..models import verify

            manifest = verify(model)
            if manifest.get("format") == DEFAULT_FORMAT:
                self.labels = LabelChurn.load(model, manifest)
            else:
                self.model = TrainedChurn.load(model)
        if self.labels is not None:
            self.scorer = Scorer(self.labels.cues)
            self.version = f"labels-{self.labels.version}"
        else:
            self.scorer = Scorer(ChurnCues.from_file(cues) if cues else None)
            self.version = self.model.version if self.model else "cues-2"

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        feats = [self.scorer.features(t) for t in batch]
        if self.labels is not None:
            return self._labels(batch, feats)
        if self.model is not None:
            scores = self.model.predict(batch, feats)
        else:
            scores = [_sigmoid(self.scorer.logit(f)) for f in feats]
        out = []
        for t, f, s in zip(batch, feats, scores):
            s = round(float(s), 4)
            level = self.model.level(s) if self.model is not None else self.scorer.level(s, f)
            out.append(evolve(t, churn=ChurnRecord(s, level, self.scorer.reasons(f))))
        return out

    def _labels(self, batch: list[Tagged], feats: list[Features]) -> list[Tagged]:
        m = self.labels
        scored = m.scores([t.text or "" for t in batch], _dense(feats))
        out = []
        for t, f, (p_high, p_risk, grams) in zip(batch, feats, scored):
            level = m.level(p_high, p_risk)
            reasons = self.scorer.reasons(f)
            if level == "high" or f.exit > 0:
                words = _evidence_words(grams, f.terms.get("exit", ()))
                if words:
                    reasons += ("words the model weighs toward leaving: " + "、".join(words),)
            out.append(evolve(t, churn=ChurnRecord(round((p_high + p_risk) / 2, 4), level, reasons)))
        return out


_WORDLIKE = re.compile(r"^[\u4e00-\u9fff]+$")


def _evidence_words(grams: list[tuple[float, str]], cues: Sequence[str], k: int = 3, floor: float = 0.1) -> list[str]:
    """The ``k`` n-grams of the text (Chinese characters only) that push hardest toward high,
    at least ``floor`` each, skipping those inside an exit cue already named and those that
    overlap a stronger one."""
    picked: list[str] = []
    for w, g in sorted(grams, key=lambda x: (-x[0], x[1])):
        if w < floor or len(picked) == k:
            break
        if not _WORDLIKE.match(g) or any(g in c for c in cues) or any(g in p or p in g for p in picked):
            continue
        picked.append(g)
    return picked


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


# ============================================================================================
# The shipped default: a model learned from the project's own taxonomy labels
# ============================================================================================
DEFAULT_FORMAT = "voc-churn-labels/1"
DEFAULT_VERSION = "1.0.0"
DENSE_NAMES = [*FEATURE_NAMES, *CONTEXT_FEATURES]
NGRAM_SIZES = (2, 3)
NGRAM_SCALE = 0.2  # 0: no n-grams. Else the n-grams' share of the score: they refine the readable features, not replace them
NGRAM_MIN_DF = 5
NGRAM_KEEP = 3000  # n-grams kept after a first fit (the strongest in either head)
HIGH_BETA = 1.0  # the high threshold maximises F-beta of high (1: F1; 1.5 traded 0.15 precision for 0.01 recall on the held-out split)


def char_ngrams(text: str) -> set[str]:
    """The distinct character 2- and 3-grams of ``text`` (lower-cased)."""
    t = (text or "").lower()
    return {t[i:i + n] for n in NGRAM_SIZES for i in range(len(t) - n + 1)}


def _dense(feats: Sequence[Features]) -> np.ndarray:
    ctx = [[(f.context or {}).get(k, 0.0) for k in CONTEXT_FEATURES] for f in feats]
    return np.hstack([_design(feats), np.array(ctx, dtype=np.float64).reshape(len(feats), len(CONTEXT_FEATURES))])


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
    when the project's lexicon is edited."""

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

    def scores(self, texts: Sequence[str], dense: np.ndarray) -> list[tuple[float, float, list[tuple[float, str]]]]:
        """Per text: (p_high, p_risk, the n-grams found that push toward high, with their push)."""
        z = dense @ self.w_dense.T + self.bias
        found: list[list[tuple[float, str]]] = [[] for _ in texts]
        if self._ngrams is not None and len(texts):
            X = self._ngrams.transform([t or "" for t in texts])
            z = z + np.asarray(X @ self._scaled.T)
            high = self._scaled[0]
            for i in range(len(texts)):
                cols = X.indices[X.indptr[i]:X.indptr[i + 1]]
                found[i] = [(float(high[c]), self.vocabulary[c]) for c in cols[high[cols] > 0]]
        return [(_sigmoid(zh), _sigmoid(zr), f) for (zh, zr), f in zip(z.tolist(), found)]

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
        return cls(vocab, a["w_ngram"], a["w_dense"], a["bias"], manifest["thresholds"],
                   ChurnCues.from_file(folder / "cues.tsv"), manifest.get("version", DEFAULT_VERSION))


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
    from ..api import load
    from ..datasets import is_reserved, read_labels
    from ..resources import corpus_path

    path = Path(labels) if labels else corpus_path("labels", "train.csv")
    items = [(c, r) for c, r in read_labels(path) if not is_reserved(r["dataset"], r["file"], int(r["row"]))]
    pipe = load(disable=("churn", "escalation", "topics"))
    tagged = []
    contacts = [c for c, _ in items]
    for i in range(0, len(contacts), 256):
        tagged += pipe.tag_batch(contacts[i:i + 256])
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
    feats = [scorer.features(t) for t in tagged]
    dense = _dense(feats)
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
    th_med = _threshold_fbeta(y_risk, p_risk, 1.0)
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


def _threshold_fbeta(y: np.ndarray, p: np.ndarray, beta: float) -> float:
    """The threshold (0.05..0.95 in 0.01 steps) that maximises F-beta; the higher one on ties."""
    best = (-1.0, 0.5)
    for th in np.round(np.arange(0.05, 0.96, 0.01), 2):
        pred = p >= th
        tp = float(np.sum(pred & (y == 1)))
        prec, rec = tp / max(1.0, float(pred.sum())), tp / max(1.0, float(y.sum()))
        f = (1 + beta ** 2) * prec * rec / (beta ** 2 * prec + rec) if prec + rec else 0.0
        if f >= best[0]:
            best = (f, float(th))
    return best[1]


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
                             "medium_threshold": "max F1 of medium-or-high, 5-fold CV"})
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
cross-validation); `medium` when p_risk >= {model.thresholds['medium']} (maximises F1 of
medium-or-high). Reasons name the cues found and the 2-3-grams of the text that pushed
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
