"""Word segmentation with the project's own jieba tokenizer.

Never jieba's module-level default tokenizer: each ``Segmenter`` owns a ``jieba.Tokenizer``,
loads the customer-service user dictionary from ``corpus/lexicons/userdict.txt``, keeps its
dictionary cache in the per-user cache folder and keeps jieba's DEBUG logging quiet.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..resources import cache_dir, corpus_path

# Tokens made only of punctuation, symbols or spaces carry no meaning for the models.
_JUNK = re.compile(r"^[\s\W_]+$")
# Redaction placeholders (〔手机号〕, or keyed pseudonyms 〔手机号:3fa9c1d2〕) are one token each,
# the pseudonym dropped: the models learn "a phone number was given", not which one.
_PLACEHOLDER = re.compile(r"〔([^〔〕:]{1,8})(?::[0-9a-f]{4,16})?〕")


def read_wordlist(path: Path) -> list[str]:
    """Lines of a word list, without comments (``#``) and blank lines."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(line)
    return out


class Segmenter:
    """Segment Chinese text into tokens.

    ``userdict`` and ``stopwords`` default to the project's lexicons; pass paths to use your
    own. ``keep_stopwords=True`` returns every non-punctuation token.
    """

    def __init__(self, userdict: str | Path | None = None, stopwords: str | Path | None = None,
                 keep_stopwords: bool = False):
        self.userdict = userdict
        self.stopwords = stopwords
        self.keep_stopwords = keep_stopwords
        self._tok = None
        self._stop: frozenset[str] = frozenset()

    def _load(self):
        import jieba  # lazy: keeps ``import voc`` fast

        jieba.setLogLevel(logging.WARNING)
        logging.getLogger("jieba").setLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        tok.tmp_dir = str(cache_dir())
        tok.initialize()
        userdict = Path(self.userdict) if self.userdict else corpus_path("lexicons", "userdict.txt")
        if userdict.exists():
            tok.load_userdict(str(userdict))
        stop = Path(self.stopwords) if self.stopwords else corpus_path("lexicons", "stopwords.txt")
        self._stop = frozenset(read_wordlist(stop)) if stop.exists() else frozenset()
        self._tok = tok
        return tok

    @property
    def tokenizer(self):
        return self._tok or self._load()

    def cut(self, text: str) -> list[str]:
        """All tokens of ``text`` except whitespace/punctuation and (by default) stopwords."""
        tok = self.tokenizer
        stop = () if self.keep_stopwords else self._stop
        if "〔" not in text:
            return [w for w in tok.lcut(text) if w not in stop and not _JUNK.match(w)]
        out: list[str] = []
        pos = 0
        for m in _PLACEHOLDER.finditer(text):
            out += [w for w in tok.lcut(text[pos:m.start()]) if w not in stop and not _JUNK.match(w)]
            out.append(f"〔{m.group(1)}〕")
            pos = m.end()
        out += [w for w in tok.lcut(text[pos:]) if w not in stop and not _JUNK.match(w)]
        return out

    def cut_raw(self, text: str) -> list[str]:
        """jieba's tokens unfiltered (spans line up with ``text``)."""
        return self.tokenizer.lcut(text)

    def cut_many(self, texts: Iterable[str]) -> list[list[str]]:
        return [self.cut(t) for t in texts]


@lru_cache(maxsize=4)
def default_segmenter() -> Segmenter:
    """One shared segmenter per process (workers load it once)."""
    return Segmenter()
