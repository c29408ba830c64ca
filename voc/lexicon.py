"""Cue lexicons: tab-separated ``label<TAB>cue<TAB>weight`` files, written by the project in
``corpus/lexicons/`` and extendable by users without code (add lines, or pass your own file)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

ROOT_CAUSES = ("agent", "product", "policy", "process", "other")
OWNERS = {"agent": "客服质检/培训", "product": "产品/研发", "policy": "业务政策/合规",
          "process": "运营/流程", "other": None}
NEGATIONS = ("不会", "不想", "不打算", "没打算", "不要", "不用", "并不", "没有", "不是", "别", "不", "没", "未", "无意")


def tsv_rows(path: str | Path):
    """(line number, tab-separated fields) of a lexicon file, skipping blank and ``#`` lines.
    Opens with ``open`` (a missing file raises FileNotFoundError for the caller to explain)."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.strip() and not line.lstrip().startswith("#"):
                yield n, line.split("\t")


@dataclass(frozen=True, slots=True)
class Cue:
    label: str
    term: str
    weight: float


class CueLexicon:
    """A list of weighted cues with substring matching."""

    def __init__(self, cues: list[Cue]):
        # longest first, so that a long cue claims its span before a shorter one inside it
        self.cues = sorted(cues, key=lambda c: (-len(c.term), c.term, c.label))
        self.labels = tuple(dict.fromkeys(c.label for c in cues))

    @classmethod
    def from_file(cls, path: str | Path) -> "CueLexicon":
        cues = []
        for n, parts in tsv_rows(path):
            if len(parts) not in (2, 3) or not parts[1].strip():
                raise ConfigError(f"{path}:{n}: expected label<TAB>cue[<TAB>weight]; fix that line.")
            try:
                weight = float(parts[2]) if len(parts) == 3 else 1.0
            except ValueError:
                raise ConfigError(f"{path}:{n}: weight {parts[2]!r} is not a number; fix that line.") from None
            cues.append(Cue(parts[0].strip(), parts[1].strip().lower(), weight))
        return cls(cues)

    def find(self, text: str) -> list[tuple[Cue, int]]:
        """Non-overlapping cue occurrences in ``text`` as (cue, start), longest cue first."""
        text = text.lower()
        taken = bytearray(len(text))  # 1 where a longer cue already matched
        found = []
        for cue in self.cues:
            start = text.find(cue.term)
            while start != -1:
                end = start + len(cue.term)
                if not any(taken[start:end]):
                    taken[start:end] = b"\x01" * (end - start)
                    found.append((cue, start))
                start = text.find(cue.term, end)
        found.sort(key=lambda x: x[1])
        return found


def negated(text: str, start: int, window: int = 4) -> bool:
    """True when a negation word stands just before position ``start``."""
    before = text[max(0, start - window):start]
    return any(before.endswith(n) or n in before[-3:] for n in NEGATIONS)
