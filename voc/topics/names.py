"""What a topic is called: brand, place and person names kept out of labels, and the topic
names file (TOML) where an analyst renames, merges or hides topics.

``NameFilter`` says whether a term is a name: it contains a brand, organisation, place or
person of ``corpus/lexicons/topic_names.tsv``, or jieba's part-of-speech tagger marks it (or
one of its words) as a place (``ns``), person (``nr``, ``nrt``, ``nrfg``) or organisation
(``nt``), unless the lexicon lists it as a ``common`` word that jieba mis-tags (银行卡 is not
a person). Topic labels skip names unless the model was fitted with ``keep_names``.

The names file (``voc.db.topics/names.toml``, written by ``voc topics names``) is keyed by the
stable topic id that ``voc.topics.align`` carries from month to month, so what it says
survives every refit::

    [topics.3]
    name = "套餐被改"        # rename
    [topics.7]
    merge = 3               # count topic 7 as topic 3 (and under its name)
    [topics.9]
    hide = true             # not a topic: its contacts take their next topic, or none

It is read with the standard library's ``tomllib``.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import ConfigError

log = logging.getLogger(__name__)

NAME_KINDS = ("brand", "org", "place", "person")
NAME_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nt"})


# -- names in labels -----------------------------------------------------------------------------
@lru_cache(maxsize=None)
def read_names(path: str | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """(names, common words) of a names lexicon (default ``corpus/lexicons/topic_names.tsv``)."""
    from ..resources import corpus_path

    p = Path(path) if path else corpus_path("lexicons", "topic_names.tsv")
    names, common = set(), set()
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, term = line.partition("\t")
        term = term.strip().lower()
        if kind == "common" and term:
            common.add(term)
        elif kind in NAME_KINDS and term:
            names.add(term)
        else:
            raise ConfigError(f"{p}:{n} is not 'kind<TAB>term' with kind one of {', '.join(NAME_KINDS)}, common.")
    return frozenset(names), frozenset(common)


class NameFilter:
    """``is_name(term)``: a brand, organisation, place or person name (lexicon + jieba POS)."""

    def __init__(self, lexicon: str | Path | None = None, *, pos: bool = True):
        self.names, self.common = read_names(str(lexicon) if lexicon else None)
        self.pos = pos
        self._tagger = None
        self._memo: dict[str, bool] = {}

    def _tags(self, term: str) -> list[tuple[str, str]]:
        if self._tagger is None:
            import jieba
            import jieba.posseg

            jieba.setLogLevel(60)
            # a tokenizer of its own: jieba's module-level default is never touched
            self._tagger = jieba.posseg.POSTokenizer(jieba.Tokenizer())
        return [(p.word, p.flag) for p in self._tagger.lcut(term)]

    def is_name(self, term: str) -> bool:
        t = term.lower()
        hit = self._memo.get(t)
        if hit is None:
            hit = self._memo[t] = self._check(t)
        return hit

    def _check(self, t: str) -> bool:
        if t in self.common:
            return False
        if any(n in t for n in self.names):
            return True
        if not self.pos or t.isascii():
            return False
        return any(flag in NAME_TAGS and w.lower() not in self.common for w, flag in self._tags(t))

    def names_in(self, terms: Iterable[str]) -> list[str]:
        return [t for t in terms if self.is_name(t)]


# -- the names file ------------------------------------------------------------------------------
@dataclass
class TopicNames:
    """Renames, merges and hidden topics by stable topic id (from ``names.toml``)."""

    rename: dict[int, str] = field(default_factory=dict)
    merge: dict[int, int] = field(default_factory=dict)
    hide: set[int] = field(default_factory=set)
    _warned: set[int] = field(default_factory=set, repr=False, compare=False)

    @classmethod
    def read(cls, path: str | Path | None) -> "TopicNames":
        """The names file at ``path`` (an absent file: no changes)."""
        import tomllib

        if path is None or not Path(path).is_file():
            return cls()
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"{path} is not a valid TOML names file ({e}); fix it or write a new one with "
                              f"`voc topics names`.") from None
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "the names file") -> "TopicNames":
        out = cls()
        topics = data.get("topics", {})
        if not isinstance(topics, Mapping):
            raise ConfigError(f"{where}: [topics] must be a table of [topics.ID] sections.")
        for key, entry in topics.items():
            try:
                tid = int(key)
            except ValueError:
                raise ConfigError(f"{where}: [topics.{key}] is not a topic id; use the ids of "
                                  f"`voc topics show`.") from None
            if not isinstance(entry, Mapping):
                raise ConfigError(f"{where}: [topics.{key}] must be a table (name, merge or hide).")
            unknown = set(entry) - {"name", "merge", "hide", "label", "share"}
            if unknown:
                raise ConfigError(f"{where}: [topics.{key}] has unknown keys {', '.join(sorted(unknown))}; "
                                  f"use name, merge or hide.")
            if isinstance(entry.get("name"), str) and entry["name"].strip():
                out.rename[tid] = entry["name"].strip()
            if entry.get("merge") is not None:
                if not isinstance(entry["merge"], int) or isinstance(entry["merge"], bool):
                    raise ConfigError(f"{where}: [topics.{key}] merge must be a topic id (an integer).")
                if entry["merge"] != tid:
                    out.merge[tid] = int(entry["merge"])
            if entry.get("hide") is True:
                out.hide.add(tid)
        for tid in out.merge:  # a cycle would have no final topic
            seen, t = {tid}, out.merge[tid]
            while t in out.merge:
                if t in seen:
                    raise ConfigError(f"{where}: the merges of topic {tid} form a cycle; merge into one topic.")
                seen.add(t)
                t = out.merge[t]
        return out

    def target(self, tid: int) -> int:
        """The topic ``tid`` is counted as (after merges)."""
        while tid in self.merge:
            tid = self.merge[tid]
        return tid

    def known_target(self, tid: int, names: Mapping[int, str]) -> int:
        """``target``, but a merge into a topic the model does not have (``names`` holds its
        topics; a typo, or a topic gone in a refit, even if the file still names it) is not
        followed: counting contacts under a phantom "topic 999" would mislead. The chain stops
        at its last topic the model has."""
        t = tid
        while t in self.merge:
            nxt = self.merge[t]
            if nxt not in names:
                if nxt not in self._warned:
                    self._warned.add(nxt)
                    log.warning("the names file merges topic %s into topic %s, which the topic model does not "
                                "have; that merge is ignored (see `voc topics show` for the ids)", t, nxt)
                break
            t = nxt
        return t

    def resolve(self, pairs: Iterable[tuple[int, float]], names: Mapping[int, str]) -> tuple[int, str] | None:
        """(topic id, name) of a contact from its (stable id, weight) pairs, heaviest first:
        the first that is not hidden (after merges), named by the file or else by ``names``."""
        for tid, _ in pairs:
            t = self.known_target(int(tid), names)
            if t in self.hide or int(tid) in self.hide:
                continue
            return t, self.rename.get(t) or names.get(t) or f"topic {t}"
        return None


def starter(topics: Iterable[Mapping[str, Any]], current: TopicNames | None = None, *, source: str = "") -> str:
    """A names file listing every topic (``id``, ``name``, ``label``, ``share``), with what
    ``current`` already says kept; a fresh one has every line commented out."""
    cur = current or TopicNames()
    lines = ["# voc topic names: rename, merge or hide topics by their stable id (kept across monthly refits).",
             "# name = \"...\" renames; merge = ID counts the topic as topic ID; hide = true drops it from reports",
             "# (its contacts take their next topic). Lines starting with # are ignored.",
             f"# topics of {source}" if source else "", ""]
    for t in topics:
        tid = int(t["id"])
        lines.append(f"[topics.{tid}]")
        lines.append(f"# label = {json.dumps(t.get('label', ''), ensure_ascii=False)}   "
                     f"share = {float(t.get('share', 0.0)):.1%}")
        name = cur.rename.get(tid)
        lines.append(f"name = {json.dumps(name, ensure_ascii=False)}" if name else
                     f"# name = {json.dumps(t.get('name') or t.get('label', ''), ensure_ascii=False)}")
        lines.append(f"merge = {cur.merge[tid]}" if tid in cur.merge else "# merge = ")
        lines.append("hide = true" if tid in cur.hide else "# hide = true")
        lines.append("")
    return "\n".join(lines)
