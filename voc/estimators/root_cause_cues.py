"""The root-cause cue lexicon (``corpus/lexicons/root_cause_cues.tsv``) and a fast matcher of
its terms: the cue features of ``RootCauseClassifier`` and the weak labels of training."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from ..errors import ConfigError
from ..lexicon import ROOT_CAUSES, CueLexicon

CUE_LABELS = ("agent", "product", "policy", "process")


class CueMatcher:
    """Fast non-overlapping matching of cue terms (leftmost, longest first)."""

    def __init__(self, cues: Sequence[tuple[str, str, float]]):
        self.cues = [(lab, term.lower(), float(w)) for lab, term, w in cues if term.strip()]
        self.by_term = {term: (lab, w) for lab, term, w in self.cues}
        terms = sorted(self.by_term, key=lambda t: (-len(t), t))
        self._re = re.compile("|".join(re.escape(t) for t in terms)) if terms else None

    def find(self, text: str) -> list[tuple[str, float, int, int]]:
        """(label, weight, start, end) of each cue occurrence in ``text``."""
        if self._re is None or not text:
            return []
        low = text.lower()
        if len(low) != len(text):
            low = text
        out = []
        for m in self._re.finditer(low):
            lab, w = self.by_term[m.group()]
            out.append((lab, w, m.start(), m.end()))
        return out

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

    lex = CueLexicon.from_file(path or corpus_path("lexicons", "root_cause_cues.tsv"))
    bad = sorted({c.label for c in lex.cues} - set(ROOT_CAUSES))
    if bad:
        raise ConfigError(f"cue lexicon has unknown labels {bad}; use {', '.join(ROOT_CAUSES)}.")
    return sorted((c.label, c.term, c.weight) for c in lex.cues)

