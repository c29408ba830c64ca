"""Churn risk: will this customer leave? A score 0..1, a level low/medium/high, and reasons.

Three scorers behind one stage (``Churn(model=...)``), all in ``voc.estimators.churn``:

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

Customer tier comes from the contact's metadata (``voc.lang.metadata.tier``: ``tier``,
``客户等级``, ``会员等级`` ...: 普通/银卡/金卡/白金/钻石/VIP); repeat contacts from
``metadata["repeat_contacts"]``, which the parent-side preprocessor
``voc.stages.repeat.RepeatContacts(window)`` fills in (``voc tag --repeat-window``).

Training: ``voc.training.churn`` (``train_churn`` from outcomes, ``build_default``).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from ..estimators.churn import (DEFAULT_FORMAT, NAME, ChurnCues, ChurnInput, Features, LabelChurn, Scorer,
                                TrainedChurn, dense_inputs, sigmoid)
from ..lang.reasons import reason
from ..lang.metadata import repeat_count, tier
from ..records import Churn as ChurnRecord
from ..records import Tagged, evolve


def effective_sentiment(t: Tagged) -> float | None:
    """The sentiment churn reads: for a dialogue, the mean of the whole customer side and the
    last customer turn (how the customer feels when the contact ends weighs more); else the
    contact's score."""
    s = t.sentiment
    if s is None:
        return None
    return round((s.score + s.end) / 2, 4) if s.end is not None else s.score


def churn_input(t: Tagged) -> ChurnInput:
    """What the churn models read of a tagged contact."""
    meta = t.contact.metadata
    return ChurnInput(t.text or "", effective_sentiment(t), t.sentiment.trend if t.sentiment else None,
                      t.root_cause.label if t.root_cause is not None else None, tier(meta), repeat_count(meta))


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
    requires = ("text", "sentiment", "root_cause", "metadata")
    assigns = ("churn",)

    def __init__(self, cues: str | Path | None = None, model: str | Path | None = None, language: str = "zh"):
        self.language = language  # of the reasons: zh | en (voc.lang.reasons)
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
            self.version = self.labels.version  # the model folder name, like every stage (the manifest finds it)
        else:
            self.scorer = Scorer(ChurnCues.from_file(cues) if cues else None)
            self.version = self.model.version if self.model else "cues-2"

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        feats = [self.scorer.features(churn_input(t)) for t in batch]
        if self.labels is not None:
            return self._labels(batch, feats)
        if self.model is not None:
            scores = self.model.predict([t.text or "" for t in batch], feats)
        else:
            scores = [sigmoid(self.scorer.logit(f)) for f in feats]
        out = []
        for t, f, s in zip(batch, feats, scores):
            s = round(float(s), 4)
            level = self.model.level(s) if self.model is not None else self.scorer.level(s, f)
            out.append(evolve(t, churn=ChurnRecord(s, level, self.scorer.reasons(f, self.language))))
        return out

    def _labels(self, batch: list[Tagged], feats: list[Features]) -> list[Tagged]:
        m = self.labels
        scored = m.scores([t.text or "" for t in batch], dense_inputs(feats), wanted=[f.exit > 0 for f in feats])
        out = []
        for t, f, (p_high, p_risk, grams) in zip(batch, feats, scored):
            level = m.level(p_high, p_risk)
            reasons = self.scorer.reasons(f, self.language)
            if level == "high" or f.exit > 0:
                words = _evidence_words(grams, f.terms.get("exit", ()))
                if words:
                    reasons += (reason(self.language, "words", "、".join(words)),)
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
