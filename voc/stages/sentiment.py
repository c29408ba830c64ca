"""The sentiment stage: a score 0..1 (probability that the customer is positive), a label
negative/neutral/positive, and for dialogues the trajectory over the customer's turns.

Two backends behind one stage (``Sentiment(backend=...)``, ``voc tag --sentiment-backend``),
both in ``voc.estimators.sentiment``: ``default``, the project's in-domain model (character
n-grams, NB-LR and IDF-LR views, negation marking), and ``snownlp``, snownlp's shipped model
(the well-known baseline), imported on first use.

On top of either backend, transparent signals from ``corpus/lexicons/sentiment_cues.tsv``
move the log-odds: emoji and emoji placeholders (``Tagged.emoji``, e.g. ``[怒]``, ``[赞]``)
add or subtract their weight, and intensity (intensifiers such as 非常/特别/太 and runs of
``!!!``/``？？？``) scales the log-odds away from 0 (``非常非常差`` is more negative than
``差``; intensity never flips the polarity).

The label uses a neutral band (``low <= score <= high`` is neutral) chosen on the
non-reserved 3-way development labels (corpus/labels/train.csv) and stored in the model's
manifest. Dialogues: the overall score is over all customer turns together; ``start`` and
``end`` score the first and last customer turn and ``trend`` says whether the conversation
calmed the customer (``improved``), made things worse (``worsened``) or neither (``stable``).

Rebuild the shipped model with ``python -m voc.build sentiment``
(``voc.training.sentiment.build_default``).
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from ..errors import ConfigError, ModelError
from ..estimators.sentiment import Joint, NBLogit, SnowNLPBackend, ThreeWay
from ..lang.closings import Formulas, default_formulas
from ..lang.cues import tsv_rows
from ..lang.patterns import compile_scanning
from ..records import Sentiment as SentimentRecord
from ..records import Tagged, evolve

log = logging.getLogger(__name__)

NAME = "sentiment"
VERSION = "1.2.2"
BACKENDS = ("default", "snownlp")
DEFAULT_BAND = (0.35, 0.65)
TREND_DELTA = 0.2  # end - start beyond this is improved / worsened
_MAX_LOGIT = 12.0
JOINT_MIN = 64  # texts in a batch from which the models' shared n-gram look-up is built and used

# -- signals: emoji, intensity -------------------------------------------------------------
_EXCLAIM = compile_scanning(r"[!！]{2,}|[?？]{3,}")
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



def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -_MAX_LOGIT, _MAX_LOGIT)))


# -- loading ----------------------------------------------------------------------------------
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


def substantive_turns(turns, formulas: Formulas | None = None) -> list[str]:
    """The customer turns of ``turns`` that are not polite formulas only ("好的", "谢谢",
    "没有了", "拜拜": ``voc.lang.closings``), in order."""
    f = formulas or default_formulas()
    return [x.text for x in (turns or ()) if x.speaker == "customer" and x.text and not f.is_formula(x.text)]


def sentiment_text(turns, text: str, formulas: Formulas | None = None) -> str:
    """What the overall score reads: the substantive customer turns joined ("" when the
    customer said nothing but formulas); ``text`` when there are no turns."""
    if not turns:
        return text or ""
    return "。".join(substantive_turns(turns, formulas))


class Sentiment:
    """The sentiment stage (``name = "sentiment"``).

    ``backend``: ``default`` or ``snownlp``; ``model``: a model folder (default: the shipped
    one); ``band``: the neutral band ``(low, high)`` (default: the one in the model's
    manifest); ``signals``: emoji/intensity cues (default: corpus/lexicons/sentiment_cues.tsv).

    With the default backend and a model that has a three-way head (1.2.0 on), the label is
    the head's most probable class and the score is the polarity probability discounted by
    the probability of neutral (``0.5 + (p - 0.5) * (1 - P(neutral))``: the same side of 0.5
    as ``p``). Polite formulas are left out: a customer side of formulas only is neutral
    (0.5), and the trajectory scores the first and last substantive customer turn.
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
        self.three_way = None
        if backend == "default" and band is None:
            folder = Path(model) if model else find_model()
            self.three_way = ThreeWay.load(folder) if folder is not None else None
        self.formulas = default_formulas()
        # The polarity model and the heads share each batch's n-grams (``Joint``: same numbers,
        # less work). Built by ``warm`` or on the first batch of JOINT_MIN texts (~0.2 s), so a
        # run of a few contacts does not pay for it.
        self._joint: Joint | None = None
        self._joint_todo = self.three_way is not None and isinstance(self.backend, NBLogit)

    def warm(self) -> None:
        """Build what large batches use (before worker processes are forked)."""
        self.joint_scorer()

    def joint_scorer(self) -> "Joint | None":
        """The polarity model and three-way heads scored together, or None (no three-way head,
        another backend, or models that cannot share)."""
        if self._joint_todo:
            self._joint_todo = False
            self._joint = Joint.of({"polarity": self.backend, **self.three_way.heads})
        return self._joint

    def scores(self, texts: Sequence[str], emoji: Sequence[Iterable[str]] | None = None) -> np.ndarray:
        """Probability positive for each text (signals applied)."""
        return _sigmoid(self.logits(texts, emoji))

    def logits(self, texts: Sequence[str], emoji: Sequence[Iterable[str]] | None = None) -> np.ndarray:
        """Polarity log-odds of each text with the emoji and intensity signals applied."""
        return self._adjusted(self.backend.logits(list(texts)), texts, emoji)

    def _adjusted(self, z: np.ndarray, texts: Sequence[str], emoji: Sequence[Iterable[str]] | None) -> np.ndarray:
        emoji = emoji if emoji is not None else [()] * len(texts)
        adjust = self.signals.adjust
        return np.array([adjust(float(z[i]), texts[i], emoji[i]) for i in range(len(texts))])

    def label_scores(self, texts: Sequence[str], emoji: Sequence[Iterable[str]] | None = None
                     ) -> tuple[np.ndarray, list[str]]:
        """(score, label) of each text; an empty text (formulas only) is 0.5, neutral."""
        texts = list(texts)
        if not texts:
            return np.zeros(0), []
        joint = self._joint if self._joint is not None or len(texts) < JOINT_MIN else self.joint_scorer()
        if joint is not None:
            raw = joint.logits(texts)
            z = self._adjusted(raw.pop("polarity"), texts, emoji)
        else:
            raw = None
            z = self.logits(texts, emoji)
        p = _sigmoid(z)
        empty = np.array([not t.strip() for t in texts])
        if self.three_way is None:
            p = np.where(empty, 0.5, p)
            return p, [("neutral" if e else label_of(float(x), self.band)) for e, x in zip(empty, p)]
        prob = self.three_way.proba(self.three_way.features_of(texts, z, heads=raw))
        score = np.where(empty, 0.5, 0.5 + (p - 0.5) * (1.0 - prob[:, 1]))
        labels = [("neutral" if e else ThreeWay.LABELS[int(k)]) for e, k in zip(empty, prob.argmax(axis=1))]
        return score, labels

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        texts: list[str] = []
        emojis: list[Iterable[str]] = []
        plan: list[tuple[int, int | None, int | None]] = []  # per contact: overall, first, last index
        for t in batch:
            overall = len(texts)
            cust = [x.text for x in (t.turns or ()) if x.speaker == "customer" and x.text]
            subst = [i for i, x in enumerate(cust) if not self.formulas.is_formula(x)]
            texts.append("。".join(cust[i] for i in subst) if t.turns else (t.text or ""))
            emojis.append(t.emoji or ())
            if len(cust) > 1:
                raw = [x.text for x in t.contact.turns if x.speaker == "customer"]
                aligned = len(raw) == len(cust)
                if subst:
                    a, b = subst[0], subst[-1]
                    first, last = len(texts), len(texts) + 1
                    texts += [cust[a], cust[b]]
                    emojis += [raw_emoji(raw[a]) if aligned else (), raw_emoji(raw[b]) if aligned else ()]
                else:  # formulas only: neutral from start to end
                    first = last = len(texts)
                    texts.append("")
                    emojis.append(())
                plan.append((overall, first, last))
            else:
                plan.append((overall, None, None))
        p, labels = self.label_scores(texts, emojis)
        out = []
        for t, (i, a, b) in zip(batch, plan):
            score = round(float(p[i]), 4)
            start = end = trend = None
            if a is not None:
                start, end = round(float(p[a]), 4), round(float(p[b]), 4)
                trend = trend_of(start, end)
            out.append(evolve(t, sentiment=SentimentRecord(score, labels[i], start, end, trend)))
        return out


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
