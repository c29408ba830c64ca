"""The root-cause cue lexicon (``corpus/lexicons/root_cause_cues.tsv``) on the shared matcher
(``voc.lang.cues.CueMatcher``): the cue features of ``RootCauseClassifier`` and the weak labels
of training. Matching is case-insensitive: cues and text are lower-cased."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..errors import ConfigError
from ..lang.cues import Cue, CueMatcher
from ..lang.taxonomy import ROOT_CAUSES

CUE_LABELS = ("agent", "product", "policy", "process")


class RootCauseCues:
    """Non-overlapping cue occurrences (leftmost, longest first) and summed weights per label."""

    def __init__(self, cues: Sequence[tuple[str, str, float]]):
        self.matcher = CueMatcher([Cue(lab, term.lower(), float(w)) for lab, term, w in cues if term.strip()])

    def find(self, text: str) -> list[tuple[str, float, int, int]]:
        """(label, weight, start, end) of each cue occurrence in ``text``."""
        if not text:
            return []
        low = text.lower()
        if len(low) != len(text):  # lower-casing changed offsets (rare letters): match as given
            low = text
        return [(h.label, h.weight, h.start, h.end) for h in self.matcher.find(low)]

    def scores(self, text: str) -> dict[str, float]:
        """Summed cue weight per label of ``CUE_LABELS``."""
        s = dict.fromkeys(CUE_LABELS, 0.0)
        for lab, w, _, _ in self.find(text):
            if lab in s:
                s[lab] += w
        return s


def read_cues(path: str | Path | None = None) -> list[tuple[str, str, float]]:
    """(label, term, weight) of each cue, sorted; default: the project's root-cause lexicon."""
    from ..resources import corpus_path

    lex = CueMatcher.from_file(path or corpus_path("lexicons", "root_cause_cues.tsv"))
    bad = sorted({c.label for c in lex.given} - set(ROOT_CAUSES))
    if bad:
        raise ConfigError(f"cue lexicon has unknown labels {bad}; use {', '.join(ROOT_CAUSES)}.")
    return sorted((c.label, c.term, c.weight) for c in lex.given)
