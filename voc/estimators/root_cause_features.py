"""Root-cause features: customer words and their bigrams, packed character n-gram keys
computed for a whole batch in numpy, vocabularies and sublinear TF-IDF rows (CSR)."""
from __future__ import annotations

import math
from collections import Counter
from typing import Sequence

import numpy as np

from ..text.ngrams import KeyIndex, sorted_unique


def word_features(tokens: Sequence[str], bigrams: bool) -> list[str]:
    """Lower-cased tokens, then (``bigrams``) each pair of neighbours joined by a space."""
    if not tokens:
        return []
    toks = "\x00".join(tokens).lower().split("\x00")
    if bigrams and len(toks) > 1:
        toks.extend(map(" ".join, zip(toks, toks[1:])))
    return toks


BITS = 21  # bits of one Unicode code point: a character n-gram (n <= 3) packs into one int64


def char_keys(texts: Sequence[str], lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, key) of every character n-gram (lo <= n <= hi) of the lower-cased texts, computed
    for the whole batch at once: each n-gram is its code points packed into one int64."""
    n = len(texts)
    lows = [t.lower().replace("\x00", " ") for t in texts]
    lens = np.fromiter(map(len, lows), dtype=np.int64, count=n)
    cp = np.frombuffer(("\x00".join(lows) + "\x00").encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    row_of = np.repeat(np.arange(n, dtype=np.int64), lens + 1)
    rows, keys = [], []
    for k in range(lo, hi + 1):
        m = len(cp) - k + 1
        if m <= 0:
            continue
        key = np.zeros(m, dtype=np.int64)
        valid = np.ones(m, dtype=bool)
        for j in range(k):
            seg = cp[j:j + m]
            key = (key << BITS) | seg
            valid &= seg != 0
        rows.append(row_of[:m][valid])
        keys.append(key[valid])
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(keys)


def key_text(key: int) -> str:
    chars = []
    while key:
        chars.append(chr(key & ((1 << BITS) - 1)))
        key >>= BITS
    return "".join(reversed(chars))


def lookup(feature_lists: Sequence[Sequence[str]], index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every feature found in ``index`` (unknown features dropped)."""
    from itertools import chain, repeat

    n = len(feature_lists)
    lengths = np.fromiter(map(len, feature_lists), dtype=np.int64, count=n)
    cols = np.fromiter(map(index.get, chain.from_iterable(feature_lists), repeat(-1)),
                       dtype=np.int64, count=int(lengths.sum()))
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    keep = cols >= 0
    return rows[keep], cols[keep]


def tfidf(rows: np.ndarray, cols: np.ndarray, n: int, width: int, idf: np.ndarray):
    """Sublinear TF-IDF (``1 + log tf``, times idf, L2-normalised rows) from (row, column)
    occurrences, as a CSR matrix."""
    from scipy.sparse import csr_matrix

    w = max(width, 1)
    keys, counts = sorted_unique(rows * w + cols, counts=True)
    r, c = keys // w, keys % w
    data = (1.0 + np.log(counts)) * idf[c] if len(c) else np.zeros(0)
    if len(data):
        data = data / np.sqrt(np.bincount(r, weights=data * data, minlength=n))[r]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
    return csr_matrix((data, c.astype(np.int32), indptr), shape=(n, width))


def smooth_idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """``log((1 + n_docs) / (1 + df)) + 1``, scikit-learn's smoothed idf."""
    return np.log((1 + n_docs) / (1 + np.asarray(df, dtype=np.float64))) + 1.0


class CharVocab:
    """Character n-grams (as packed int64 keys, sorted) -> columns, with TF-IDF."""

    def __init__(self, keys: np.ndarray, idf: np.ndarray, lo: int, hi: int):
        self.keys = np.asarray(keys, dtype=np.int64)
        self.index = KeyIndex(self.keys, np.arange(len(self.keys)))
        self.idf = np.asarray(idf, dtype=np.float32).astype(np.float64)
        self.lo, self.hi = lo, hi

    def __len__(self) -> int:
        return len(self.keys)

    def name(self, j: int) -> str:
        return key_text(int(self.keys[j]))

    @classmethod
    def fit(cls, texts: Sequence[str], lo: int, hi: int, min_df: int) -> "CharVocab":
        rows, keys = char_keys(texts, lo, hi)
        pairs = np.unique(np.stack([keys, rows]), axis=1) if len(keys) else np.zeros((2, 0), dtype=np.int64)
        uniq, df = np.unique(pairs[0], return_counts=True)
        keep = df >= min_df
        return cls(uniq[keep], smooth_idf(df[keep], len(texts)), lo, hi)

    def transform(self, texts: Sequence[str], grams: tuple[np.ndarray, np.ndarray] | None = None):
        """``grams``: ``char_keys(texts, lo, hi)`` when the caller has it already."""
        rows, keys = grams if grams is not None else char_keys(texts, self.lo, self.hi)
        idx = self.index.get(keys)
        ok = idx >= 0
        return tfidf(rows[ok], idx[ok], len(texts), len(self.keys), self.idf)


class Vocab:
    """Feature names -> columns, with sublinear TF-IDF and L2 row normalisation."""

    def __init__(self, names: Sequence[str], idf: np.ndarray):
        self.names = list(names)
        self.index = {n: i for i, n in enumerate(self.names)}
        # float32 values (as saved), so a saved and re-loaded model predicts bit for bit the same
        self.idf = np.asarray(idf, dtype=np.float32).astype(np.float64)

    def __len__(self) -> int:
        return len(self.names)

    @classmethod
    def fit(cls, feature_lists: Sequence[Sequence[str]], min_df: int = 2) -> "Vocab":
        df: Counter = Counter()
        for feats in feature_lists:
            df.update(set(feats))
        names = sorted(n for n, c in df.items() if c >= min_df)
        n_docs = len(feature_lists)
        idf = np.array([math.log((1 + n_docs) / (1 + df[n])) + 1.0 for n in names], dtype=np.float64)
        return cls(names, idf)

    @classmethod
    def fit_union(cls, main: Sequence[Sequence[str]], extra: Sequence[Sequence[str]], min_df: int,
                  extra_min_df: int) -> "Vocab":
        """Features with ``min_df`` documents in ``main`` or ``extra_min_df`` in all; idf over all."""
        df_main: Counter = Counter()
        for feats in main:
            df_main.update(set(feats))
        df: Counter = Counter(df_main)
        for feats in extra:
            df.update(set(feats))
        names = sorted(n for n, c in df.items() if df_main[n] >= min_df or c >= extra_min_df)
        n_docs = len(main) + len(extra)
        idf = np.array([math.log((1 + n_docs) / (1 + df[n])) + 1.0 for n in names], dtype=np.float64)
        return cls(names, idf)

    def transform(self, feature_lists: Sequence[Sequence[str]]):
        """Sublinear TF-IDF rows (``1 + log tf``, times idf, L2-normalised) as a CSR matrix."""
        rows, cols = lookup(feature_lists, self.index)
        return tfidf(rows, cols, len(feature_lists), len(self.names), self.idf)



class JointWords:
    """The main and the auxiliary word vocabularies in one dictionary, so that each customer
    word is looked up once; ``transform`` gives the TF-IDF rows in each."""

    def __init__(self, main: Vocab, aux: Vocab | None = None):
        self.main, self.aux = main, aux
        names = list(main.names)
        index = {n: i for i, n in enumerate(names)}
        if aux is not None:
            for n in aux.names:
                if n not in index:
                    index[n] = len(names)
                    names.append(n)
        self.index = index
        main_col = np.full(len(names), -1, dtype=np.int64)
        main_col[:len(main)] = np.arange(len(main))
        aux_col = np.full(len(names), -1, dtype=np.int64)
        if aux is not None:
            aux_col[[index[n] for n in aux.names]] = np.arange(len(aux))
        self.cols = (main_col, aux_col)

    def transform(self, words: Sequence[Sequence[str]]):
        """(main rows, auxiliary rows or None) of the word-feature lists ``words``, as CSR."""
        n = len(words)
        rows, merged = lookup(words, self.index)
        out = []
        for vocab, cols in zip((self.main, self.aux), self.cols):
            if vocab is None:
                out.append(None)
                continue
            c = cols[merged]
            ok = c >= 0
            out.append(tfidf(rows[ok], c[ok], n, len(vocab), vocab.idf))
        return out[0], out[1]
