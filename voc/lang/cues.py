"""Cue lexicons and the one cue matcher.

A lexicon is a tab-separated ``label<TAB>cue[<TAB>weight]`` file (``corpus/lexicons/``), which
users extend without code. ``CueMatcher`` holds weighted cues and finds them in a text with one
regular expression (linear time, longest cue first at each position); ``claim`` is the older
longest-cue-first-over-the-whole-text policy of the cue baselines.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator, Mapping, NamedTuple

from ..errors import ConfigError
from .negation import negated


def tsv_rows(path: str | Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, tab-separated fields) of a lexicon file, skipping blank and ``#`` lines.
    Opens with ``open`` (a missing file raises FileNotFoundError for the caller to explain)."""
    with open(path, encoding="utf-8-sig") as f:  # (a BOM from Windows Notepad is not part of line 1)
        n = 0
        try:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\r\n")
                if line.strip() and not line.lstrip().startswith("#"):
                    yield n, line.split("\t")
        except UnicodeDecodeError:
            raise ConfigError(f"{path} is not UTF-8 text (near line {n + 1}); save it as UTF-8 and run again.") from None


def cue_rows(path: str | Path) -> Iterator[tuple[int, str, str, float]]:
    """(line number, label, cue, weight) of a ``label<TAB>cue[<TAB>weight]`` file, label and cue
    stripped (not lower-cased), weight 1.0 when absent; ``ConfigError`` naming a bad line."""
    for n, parts in tsv_rows(path):
        if len(parts) not in (2, 3) or not parts[1].strip():
            raise ConfigError(f"{path}:{n}: expected label<TAB>cue[<TAB>weight]; fix that line.")
        try:
            weight = float(parts[2]) if len(parts) == 3 else 1.0
        except ValueError:
            raise ConfigError(f"{path}:{n}: weight {parts[2]!r} is not a number; fix that line.") from None
        yield n, parts[0].strip(), parts[1].strip(), weight


class Cue(NamedTuple):
    label: str
    term: str
    weight: float


class Hit(NamedTuple):
    """One cue found in a text: the cue, where, and whether a negation governs it."""

    term: str
    label: str
    weight: float
    start: int
    end: int
    negated: bool = False


def trie_pattern(words: Iterable[str]) -> str:
    """A regular expression that matches the longest of ``words`` at a position, as the
    alternation of the words longest first does, written as a trie (投(?:诉(?:了)?|...)).

    Speed: the regex engine tries a flat alternation's words one by one at every position
    (hundreds for the churn cues); the trie reads each character once (~3x faster on the
    exit cues). Same matches: the text fixes the one path down the trie, the engine tries a
    node's longer continuations before stopping at it, so the deepest word on the path wins."""
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def emit(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + emit(node[ch]) for ch in sorted(node) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and "" not in node else f"(?:{'|'.join(alts)})"
        return body + ("?" if "" in node else "")  # greedy: the longer word is tried first

    return emit(trie)


class CueMatcher:
    """Weighted cues, matched case-sensitively on the text as given (lower-case both sides for
    case-insensitive matching; ``from_file`` lower-cases the cues).

    ``find``: scan left to right; at each position the longest cue wins, and the scan goes on
    after it (``overlapping=False``) or at the next position (``overlapping=True``: the longest
    cue at *every* position, so that a weak cue cannot hide a stronger one inside it).
    ``claim``: every cue from the longest down takes its occurrences that no longer cue took.
    A term given under two labels keeps the last one given."""

    def __init__(self, cues: Iterable[Cue | tuple[str, str, float]], overlapping: bool = False):
        self.given = tuple(Cue(*c) for c in cues if c[1])
        self.cues = sorted(self.given, key=lambda c: (-len(c.term), c.term, c.label))  # longest first
        self.labels = tuple(dict.fromkeys(c.label for c in self.given))
        self.overlapping = overlapping
        self._by_term = {c.term: c for c in self.given}
        words = sorted(self._by_term, key=lambda w: (-len(w), w))
        alt = trie_pattern(words)
        # The leading class of first characters lets the regex engine skip positions where no
        # cue can start (7x faster than a bare lookahead alternation).
        first = "".join(sorted({re.escape(w[0]) for w in words}))
        self._re = (re.compile(f"(?=[{first}])(?=({alt}))" if overlapping else f"(?=[{first}])({alt})")
                    if words else None)

    @classmethod
    def of(cls, weights: Mapping[str, float], label: str = "", overlapping: bool = False) -> "CueMatcher":
        """A matcher of one label from ``{term: weight}``."""
        return cls([Cue(label, t, w) for t, w in weights.items()], overlapping)

    @classmethod
    def from_file(cls, path: str | Path) -> "CueMatcher":
        """All the cues of a lexicon file, lower-cased."""
        return cls([Cue(label, term.lower(), w) for _, label, term, w in cue_rows(path)])

    def search(self, text: str) -> bool:
        """True when any cue occurs in ``text``."""
        return self._re is not None and self._re.search(text) is not None

    def find(self, text: str, negation: bool = False) -> list[Hit]:
        """The cues in ``text`` in order of position; with ``negation``, each hit says whether
        ``voc.lang.negation.negated`` holds at its start."""
        if self._re is None:
            return []
        out = []
        for m in self._re.finditer(text):
            term = m.group(1)
            c = self._by_term[term]
            start = m.start()
            out.append(Hit(term, c.label, c.weight, start, start + len(term), negation and negated(text, start)))
        return out

    def claim(self, text: str) -> list[tuple[Cue, int]]:
        """Non-overlapping occurrences as (cue, start) in order of position; longer cues claim
        their spans first, over the whole text."""
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

    def occurrences(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every occurrence of every cue, overlaps included, cue by cue in the
        order given, each cue's from left to right."""
        out = []
        for c in self.given:
            w = c.term
            i = text.find(w)
            while i != -1:
                out.append((i, i + len(w)))
                i = text.find(w, i + 1)
        return out
