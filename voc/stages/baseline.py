"""Transparent cue-lexicon versions of the tag stages.

They complete the output contract from day one and serve as the keyword baselines that the
trained models are measured against; ``voc.load()`` uses a trained model instead wherever
one ships in ``models/``.
"""
from __future__ import annotations

import math

from ..lang.cues import CueMatcher
from ..lang.negation import negated
from ..lang.taxonomy import OWNERS, ROOT_CAUSES
from ..records import RootCause, Sentiment, Tagged, evolve
from ..resources import corpus_path


class CueRootCause:
    """Root cause from weighted cues (corpus/lexicons/root_cause_cues.tsv); ``other`` when
    no cue matches. Evidence is the matched cues of the winning label."""

    name = "root_cause"
    requires = ("text",)
    assigns = ("root_cause",)
    version = "cues-1"

    def __init__(self, lexicon: CueMatcher | None = None):
        self.lexicon = lexicon or CueMatcher.from_file(corpus_path("lexicons", "root_cause_cues.tsv"))

    def predict_one(self, text: str) -> RootCause:
        totals = dict.fromkeys(ROOT_CAUSES, 0.0)
        spans: dict[str, list[str]] = {k: [] for k in ROOT_CAUSES}
        for cue, _ in self.lexicon.claim(text.lower()):
            totals[cue.label] += cue.weight
            spans[cue.label].append(text[_:_ + len(cue.term)])
        totals["other"] = 1.0  # the score a label must beat
        top = max(totals.values())
        z = sum(math.exp(v - top) for v in totals.values())
        scores = {k: round(math.exp(v - top) / z, 4) for k, v in totals.items()}
        label = max(ROOT_CAUSES, key=lambda k: (totals[k], k == "other"))
        evidence = tuple(dict.fromkeys(spans[label])) if label != "other" else ()
        return RootCause(label, scores, evidence, OWNERS[label])

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        return [evolve(t, root_cause=self.predict_one(t.text or "")) for t in batch]


_POS = ("好", "满意", "不错", "感谢", "谢谢", "喜欢", "方便", "快", "赞", "棒", "推荐", "好吃", "干净", "专业", "耐心", "解决了")
_NEG = ("差", "慢", "烂", "坑", "骗", "投诉", "失望", "垃圾", "难吃", "生气", "恶心", "无语", "不满", "退款", "问题", "故障",
        "态度", "欺骗", "敷衍", "催收", "骚扰", "坏", "贵", "愤怒", "气死")


def cue_sentiment(text: str) -> float:
    """Probability-like positive score from a small polarity list with negation."""
    score = 0.0
    for words, sign in ((_POS, 1.0), (_NEG, -1.0)):
        for w in words:
            start = text.find(w)
            while start != -1:
                score += -sign if negated(text, start, 2) else sign
                start = text.find(w, start + len(w))
    score -= 0.5 * text.count("!!")
    return round(1 / (1 + math.exp(-max(-30.0, min(30.0, score)))), 4)


def sentiment_label(p: float, low: float = 0.4, high: float = 0.6) -> str:
    return "negative" if p < low else "positive" if p > high else "neutral"


class CueSentiment:
    name = "sentiment"
    requires = ("turns", "text")
    assigns = ("sentiment",)
    version = "cues-1"

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        out = []
        for t in batch:
            p = cue_sentiment(t.text or "")
            cust = [x.text for x in t.turns or () if x.speaker == "customer"]
            start = end = trend = None
            if len(cust) > 1:
                start, end = cue_sentiment(cust[0]), cue_sentiment(cust[-1])
                trend = "improved" if end - start > 0.15 else "worsened" if start - end > 0.15 else "stable"
            out.append(evolve(t, sentiment=Sentiment(p, sentiment_label(p), start, end, trend)))
        return out
