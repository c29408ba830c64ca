"""Polite service formulas (taxonomy section 2): greetings, courtesy thanks, acknowledgements
and closings ("好的", "谢谢", "没有了", "拜拜") from corpus/lexicons/closings.tsv.

``is_formula(text)`` says whether a turn is made only of such formulas (punctuation, emoji
placeholders and sentence particles aside). The sentiment stage reads a formula-only turn as
neutral and scores the first and last *substantive* customer turn for the trajectory, so a
closing "没有了" never marks a benign call as worsened.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import ConfigError
from .cues import tsv_rows

KINDS = ("greeting", "thanks", "ack", "closing")
# what is ignored around formulas: punctuation, spaces, emoji placeholders, sentence particles
_PUNCT = re.compile(r"\[[^\[\]]{1,8}\]|[\s\W_]+", re.UNICODE)
_PARTICLES = "啊呀哈啦呢吧呐嘛哟么的了哈~"


class Formulas:
    """A matcher of formula-only turns: ``Formulas(["好的", "谢谢"]).is_formula("好的，谢谢！")``."""

    def __init__(self, formulas: Iterable[str]):
        words = sorted({w.strip().lower() for w in formulas if w.strip()}, key=lambda w: (-len(w), w))
        self.formulas = tuple(words)
        alt = "|".join(re.escape(w) for w in words)
        self._re = re.compile(f"(?:(?:{alt})[{_PARTICLES}]*)+") if words else None

    def is_formula(self, text: str) -> bool:
        """True when ``text`` holds nothing but formulas (an empty text is not a formula)."""
        if self._re is None:
            return False
        core = _PUNCT.sub("", text.lower())
        return bool(core) and self._re.fullmatch(core) is not None

    def substantive(self, texts: Sequence[str]) -> list[int]:
        """Indexes of the texts that are not formula-only, in order."""
        return [i for i, t in enumerate(texts) if t and not self.is_formula(t)]

    @classmethod
    def from_file(cls, path: str | Path | None = None) -> "Formulas":
        from ..resources import corpus_path

        path = Path(path) if path else corpus_path("lexicons", "closings.tsv")
        words = []
        for n, parts in tsv_rows(path):
            if len(parts) != 2 or parts[0].strip() not in KINDS or not parts[1].strip():
                raise ConfigError(f"{path}:{n}: expected kind<TAB>formula with kind one of "
                                  f"{', '.join(KINDS)}; fix that line.")
            words.append(parts[1])
        return cls(words)


@lru_cache(maxsize=1)
def default_formulas() -> Formulas:
    """The shipped list (corpus/lexicons/closings.tsv), loaded once."""
    return Formulas.from_file()


@lru_cache(maxsize=8)
def matcher(formulas: tuple[str, ...]) -> Formulas | None:
    """The matcher of turns made only of ``formulas`` (a model's saved list), built once per
    list; None when the list is empty (a model saved before it read formulas)."""
    return Formulas(formulas) if formulas else None


def is_formula(text: str) -> bool:
    """Whether ``text`` is polite service talk only (``default_formulas().is_formula``)."""
    return default_formulas().is_formula(text)
