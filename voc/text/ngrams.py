"""Character n-gram features, vectorised: the exact matrix of a fitted scikit-learn
``CountVectorizer(analyzer="char", ...)`` with a fixed vocabulary, ~10x faster.

scikit-learn builds character n-grams and looks each one up in a Python loop (~1 µs per
n-gram, several hundred n-grams per contact). Here every character is mapped to a small code
(the vocabulary's alphabet; any other character can match no n-gram), n-grams become integer
keys built with numpy shifts over the whole batch at once, and one ``searchsorted`` finds their
columns. The result is the same CSR matrix (same columns, values, sorted indices), so every
product computed from it is bit-for-bit the same.

    fast = CharNgrams.for_vectorizer(vec)   # None if vec uses options this does not cover
    X = fast.transform(texts) if fast else vec.transform(texts)
"""
from __future__ import annotations

import re
from typing import Any, Sequence

import numpy as np

# scikit-learn's _VectorizerMixin._white_spaces: runs of two or more whitespace -> one space
_WHITE_SPACES = re.compile(r"\s\s+")


class CharNgrams:
    """``transform(texts)`` equal to ``vectorizer.transform(texts)`` for a ``CountVectorizer``
    with ``analyzer="char"`` and a fixed vocabulary (``binary`` or counts, ``lowercase`` on or off)."""

    def __init__(self, vocabulary: dict[str, int] | Sequence[str], ngram_range: tuple[int, int], *,
                 lowercase: bool = True, binary: bool = True, dtype: Any = np.float64):
        """``vocabulary``: n-gram -> column, or a sequence of n-grams (column = position)."""
        self.lo, self.hi = int(ngram_range[0]), int(ngram_range[1])
        if not 1 <= self.lo <= self.hi:
            raise ValueError(f"bad ngram_range {ngram_range}")
        self.lowercase = lowercase
        self.binary = binary
        self.dtype = dtype
        if isinstance(vocabulary, dict):
            words, cols = list(vocabulary), np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))
        else:
            words, cols = list(vocabulary), np.arange(len(vocabulary), dtype=np.int64)
        self.n_features = int(cols.max()) + 1 if len(cols) else 0
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        points = _code_points("".join(words))
        self.alphabet = np.unique(points)
        self.bits = max(1, len(self.alphabet).bit_length())  # codes 1..len(alphabet); 0 = not in it
        if self.bits * self.hi > 62:
            raise ValueError("vocabulary alphabet too large for integer n-gram keys")
        # key of a word: its characters' codes, most significant first
        codes = np.searchsorted(self.alphabet, points) + 1
        word_of = np.repeat(np.arange(len(words), dtype=np.int64), lengths)
        starts = np.cumsum(lengths) - lengths
        shift = (lengths[word_of] - 1 - (np.arange(len(points), dtype=np.int64) - starts[word_of])) * self.bits
        keep = (lengths >= self.lo) & (lengths <= self.hi)
        nonempty = lengths > 0
        keys = np.zeros(len(words), dtype=np.int64)
        if len(points):
            keys[nonempty] = np.bitwise_or.reduceat(np.left_shift(codes, shift), starts[nonempty])
        keys, cols = keys[keep], cols[keep]
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.cols = cols[order]

    @classmethod
    def for_vectorizer(cls, vec) -> "CharNgrams | None":
        """The fast equivalent of a fitted or fixed-vocabulary ``CountVectorizer``, or None when
        it uses an option not covered here (then call ``vec.transform``)."""
        try:
            from sklearn.feature_extraction.text import CountVectorizer
        except ImportError:  # pragma: no cover
            return None
        if type(vec) is not CountVectorizer or vec.analyzer != "char" or vec.input != "content":
            return None
        if vec.preprocessor is not None or vec.strip_accents is not None or vec.tokenizer is not None:
            return None
        vocab = getattr(vec, "vocabulary_", None) or vec.vocabulary
        if not isinstance(vocab, dict) or not vocab:
            return None
        try:
            return cls(vocab, vec.ngram_range, lowercase=vec.lowercase, binary=vec.binary, dtype=vec.dtype)
        except ValueError:
            return None

    def transform(self, texts: Sequence[str]):
        import scipy.sparse as sp

        n_docs = len(texts)
        docs = [_WHITE_SPACES.sub(" ", t.lower() if self.lowercase else t) for t in texts]
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=n_docs)
        points = _code_points("".join(docs))
        idx = np.searchsorted(self.alphabet, points)
        idx[idx >= len(self.alphabet)] = 0
        codes = np.where(self.alphabet[idx] == points, idx + 1, 0) if len(self.alphabet) else np.zeros_like(points)
        total = len(codes)
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        room = np.cumsum(lengths)[doc_of] - np.arange(total, dtype=np.int64)  # characters left in the doc
        rows_all, cols_all = [], []
        key = codes.copy()
        known = codes > 0
        for n in range(1, self.hi + 1):
            if n > 1:
                if total < n:
                    break
                key = (key[:-1] << self.bits) | codes[n - 1:]
                known = known[:-1] & (codes[n - 1:] > 0)
            if n < self.lo:
                continue
            m = known & (room[:len(key)] >= n)
            k = key[m]
            at = np.searchsorted(self.keys, k)
            at[at >= len(self.keys)] = 0
            hit = self.keys[at] == k if len(self.keys) else np.zeros(len(k), dtype=bool)
            rows_all.append(doc_of[:len(key)][m][hit])
            cols_all.append(self.cols[at[hit]])
        rows = np.concatenate(rows_all) if rows_all else np.zeros(0, dtype=np.int64)
        cols = np.concatenate(cols_all) if cols_all else np.zeros(0, dtype=np.int64)
        flat, counts = np.unique(rows * max(self.n_features, 1) + cols, return_counts=True)
        rows, cols = np.divmod(flat, max(self.n_features, 1))
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
        data = np.ones(len(cols), dtype=self.dtype) if self.binary else counts.astype(self.dtype)
        X = sp.csr_matrix((data, cols.astype(np.int32), indptr.astype(np.int32)), shape=(n_docs, self.n_features))
        X.has_sorted_indices = True
        return X


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
