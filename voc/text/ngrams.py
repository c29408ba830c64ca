"""Character n-gram features, vectorised: the exact matrix of a fitted scikit-learn
``CountVectorizer(analyzer="char", ...)`` with a fixed vocabulary, ~10x faster.

scikit-learn builds character n-grams and looks each one up in a Python loop (~1 µs per
n-gram, several hundred n-grams per contact). Here every character is mapped to a small code
(the vocabulary's alphabet; any other character can match no n-gram), n-grams become integer
keys built with numpy shifts over the whole batch at once, and a hash table held in numpy
arrays (``KeyIndex``) finds their columns. The result is the same CSR matrix (same columns,
values, sorted indices), so every product computed from it is bit-for-bit the same.

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
        self.alphabet = sorted_unique(points)
        self.bits = max(1, len(self.alphabet).bit_length())  # codes 1..len(alphabet); 0 = not in it
        if self.bits * self.hi > 62:
            raise ValueError("vocabulary alphabet too large for integer n-gram keys")
        # character -> code, one array read per character (0: not in the alphabet)
        top = int(self.alphabet[-1]) + 2 if len(self.alphabet) else 1
        self.code_of = np.zeros(top, dtype=np.int64)
        self.code_of[self.alphabet] = np.arange(1, len(self.alphabet) + 1)
        # key of a word: its characters' codes, most significant first
        codes = self.code_of[points]
        word_of = np.repeat(np.arange(len(words), dtype=np.int64), lengths)
        starts = np.cumsum(lengths) - lengths
        shift = (lengths[word_of] - 1 - (np.arange(len(points), dtype=np.int64) - starts[word_of])) * self.bits
        keep = (lengths >= self.lo) & (lengths <= self.hi)
        nonempty = lengths > 0
        keys = np.zeros(len(words), dtype=np.int64)
        if len(points):
            keys[nonempty] = np.bitwise_or.reduceat(np.left_shift(codes, shift), starts[nonempty])
        self.keys, self.cols = keys[keep], cols[keep]  # the n-grams that can match, and their columns
        self._index: KeyIndex | None = None

    @property
    def index(self) -> "KeyIndex":
        """The hash table of ``keys`` -> ``cols``, built on first use (a vectorizer read only
        through an ``NgramUnion`` never builds its own)."""
        if self._index is None:
            self._index = KeyIndex(self.keys, self.cols)
        return self._index

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
        rows, cols = self.hits(texts)
        return csr(rows, cols, len(texts), self.n_features, self.binary, self.dtype)

    def hits(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every n-gram occurrence of ``texts`` found in the vocabulary,
        unsorted and with repeats (``csr`` makes the matrix)."""
        n_docs = len(texts)
        docs = [_WHITE_SPACES.sub(" ", t.lower() if self.lowercase else t) for t in texts]
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=n_docs)
        points = _code_points("".join(docs))
        codes = self.code_of[np.minimum(points, len(self.code_of) - 1)]  # the last entry is 0
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
            col = self.index.get(key[m])
            hit = col >= 0
            rows_all.append(doc_of[:len(key)][m][hit])
            cols_all.append(col[hit])
        rows = np.concatenate(rows_all) if rows_all else np.zeros(0, dtype=np.int64)
        cols = np.concatenate(cols_all) if cols_all else np.zeros(0, dtype=np.int64)
        return rows, cols


def sorted_unique(values: np.ndarray, counts: bool = False):
    """``np.unique(values)`` (with ``counts``: ``np.unique(values, return_counts=True)``) of a
    1-D integer array: its distinct values in rising order, by one sort.

    Hand-written because numpy 2.4's ``np.unique`` without return options goes through a hash
    table before sorting (~25x slower on the few 100,000 n-gram cells of a batch) and with
    ``return_counts`` does more passes than needed (~2x slower)."""
    s = np.sort(values)
    first = np.empty(len(s), dtype=bool)
    first[:1] = True
    np.not_equal(s[1:], s[:-1], out=first[1:])
    distinct = s[first]
    if not counts:
        return distinct
    return distinct, np.diff(np.flatnonzero(first), append=len(s))


def csr(rows: np.ndarray, cols: np.ndarray, n_docs: int, n_features: int, binary: bool = True,
        dtype: Any = np.float64):
    """The CSR matrix (sorted indices; 1 or the count per cell) of (row, column) occurrences."""
    width = max(n_features, 1)
    flat, counts = sorted_unique(rows * width + cols, counts=True)
    rows, cols = np.divmod(flat, width)
    return _sorted_csr(rows, cols, counts, n_docs, n_features, binary, dtype)


def _sorted_csr(rows: np.ndarray, cols: np.ndarray, counts: np.ndarray | None, n_docs: int, n_features: int,
                binary: bool, dtype: Any):
    """The CSR matrix of distinct (row, column) cells sorted by row, then column (``counts``:
    the value of each cell, not read when ``binary``)."""
    import scipy.sparse as sp

    indptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
    data = np.ones(len(cols), dtype=dtype) if binary else counts.astype(dtype)
    X = sp.csr_matrix((data, cols.astype(np.int32), indptr.astype(np.int32)), shape=(n_docs, n_features))
    X.has_sorted_indices = True
    return X


class NgramUnion:
    """Several ``CharNgrams`` (same n-gram range and options) read in one pass:
    ``transform(texts)`` gives, for each, the matrix its own ``transform`` gives (same columns,
    values and order), but the texts' n-grams are built and looked up once, in the union of
    the vocabularies, and then mapped to each one's columns.

    The union is built from the vectorizers' integer keys (no strings: ~0.2 s for 500,000
    n-grams), its columns in the strings' order. When each vocabulary's columns rise with
    that order (scikit-learn's sorted vocabularies), the cells are sorted once for all;
    otherwise each matrix is sorted on its own. Raises ``ValueError`` when the options differ,
    a vocabulary repeats an n-gram, or the union's alphabet is too large for integer keys."""

    def __init__(self, vectorizers: Sequence[CharNgrams]):
        first = vectorizers[0]
        lo, hi = first.lo, first.hi
        if any((v.lo, v.hi, v.lowercase, v.binary, v.dtype) != (lo, hi, first.lowercase, first.binary, first.dtype)
               for v in vectorizers):
            raise ValueError("the vectorizers differ in n-gram range or options")
        alphabet = np.unique(np.concatenate([v.alphabet for v in vectorizers]))
        bits = max(1, len(alphabet).bit_length())
        if bits * hi > 62:
            raise ValueError("union alphabet too large for integer n-gram keys")
        ucode = np.zeros(len(alphabet) + 1, dtype=np.int64)
        keys_u, order_u, cols_m = [], [], []
        for v in vectorizers:
            keys, cols = v.keys, v.cols
            # re-code each character (codes are in code-point order in both alphabets)
            ucode[1:len(v.alphabet) + 1] = np.searchsorted(alphabet, v.alphabet) + 1
            mask = (1 << v.bits) - 1
            key = np.zeros(len(keys), dtype=np.int64)
            length = np.zeros(len(keys), dtype=np.int64)
            for j in range(hi):  # group j: the j-th character from the end
                g = (keys >> (j * v.bits)) & mask
                key |= ucode[g] << (j * bits)
                length += g > 0
            keys_u.append(key)
            order_u.append(key << ((hi - length) * bits))  # left-aligned: numeric order = string order
            cols_m.append(cols)
        order, first_at, inverse = np.unique(np.concatenate(order_u), return_index=True, return_inverse=True)
        all_keys = np.concatenate(keys_u)
        self.union = CharNgrams.__new__(CharNgrams)
        u = self.union
        u.lo, u.hi, u.lowercase, u.binary, u.dtype = lo, hi, first.lowercase, first.binary, first.dtype
        u.alphabet, u.bits, u.n_features = alphabet, bits, len(order)
        u.code_of = np.zeros(int(alphabet[-1]) + 2 if len(alphabet) else 1, dtype=np.int64)
        u.code_of[alphabet] = np.arange(1, len(alphabet) + 1)
        u.keys, u.cols = all_keys[first_at], np.arange(len(order), dtype=np.int64)
        u._index = KeyIndex(u.keys, u.cols)
        self.maps, self.sizes, self.sorted = [], [v.n_features for v in vectorizers], True
        at = 0
        for cols in cols_m:
            m = np.full(len(order), -1, dtype=np.int32)  # union column -> its column, or -1
            ucols = inverse[at:at + len(cols)]
            at += len(cols)
            by = np.argsort(ucols)
            if np.any(ucols[by][1:] == ucols[by][:-1]):
                raise ValueError("a vocabulary repeats an n-gram")
            m[ucols] = cols
            self.maps.append(m)
            by_union = cols[by]
            self.sorted &= bool(np.all(by_union[1:] > by_union[:-1]))
        self.binary, self.dtype = first.binary, first.dtype

    def transform(self, texts: Sequence[str]) -> list:
        n = len(texts)
        rows, ucols = self.union.hits(texts)
        if not self.sorted:
            out = []
            for m, size in zip(self.maps, self.sizes):
                cols = m[ucols]
                ok = cols >= 0
                out.append(csr(rows[ok], cols[ok], n, size, self.binary, self.dtype))
            return out
        width = max(self.union.n_features, 1)
        if self.binary:  # each cell is 1: no counts needed
            flat, counts = sorted_unique(rows * width + ucols), None  # sorted by row, then column
        else:
            flat, counts = sorted_unique(rows * width + ucols, counts=True)
        rows, ucols = np.divmod(flat, width)
        out = []
        for m, size in zip(self.maps, self.sizes):
            cols = m[ucols]  # rising within a row, as the union's columns do
            ok = cols >= 0
            out.append(_sorted_csr(rows[ok], cols[ok], None if counts is None else counts[ok], n, size,
                                   self.binary, self.dtype))
        return out


class KeyIndex:
    """Non-negative int64 keys -> non-negative integer values, looked up a whole array at a
    time: an open-addressing hash table (linear probing, at most one third full) in two numpy
    arrays. A lookup reads one or two slots where a binary search over the sorted keys reads
    ~20 scattered ones; on the models' 100,000-300,000 n-grams that is 2-3x faster."""

    _MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of key * 2^64/phi

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        keys = np.asarray(keys, dtype=np.int64)
        values = np.asarray(values, dtype=np.int64)
        if len(keys) and (keys.min() < 0 or values.min() < 0):
            raise ValueError("KeyIndex holds non-negative keys and values only")
        bits = max(4, (3 * len(keys)).bit_length())
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self.slots = np.full(1 << bits, -1, dtype=np.int64)  # -1: empty
        self.values = np.zeros(1 << bits, dtype=np.int32 if len(values) == 0 or values.max() < 2**31 else np.int64)
        pos = self._hash(keys)
        todo = np.arange(len(keys))
        while len(todo):  # every key claims its slot; the first claimant of a free slot gets it
            want = pos[todo]
            free = np.flatnonzero(self.slots[want] == -1)
            slot, first = np.unique(want[free], return_index=True)
            won = todo[free[first]]
            self.slots[slot] = keys[won]
            self.values[slot] = values[won]
            placed = np.zeros(len(todo), dtype=bool)
            placed[free[first]] = True
            todo = todo[~placed]
            pos[todo] = (pos[todo] + 1) & self._mask  # the others probe the next slot

    def _hash(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.astype(np.uint64) * self._MULT) >> self._shift).astype(np.int64)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The value of every key (int64), -1 where the key is absent.

        Speed: the first probe is done for every key with whole-array operations (the hash
        computed in place on a view, the values read for all keys and blanked where the slot
        holds another key); only the few keys whose slot holds another key probe on, as
        index lists. ~40% fewer passes over the keys than probing every round by index lists."""
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        h = keys.view(np.uint64) * self._MULT  # keys are non-negative: the view is their value
        h >>= self._shift
        at = h.view(np.int64)
        slot = self.slots[at]
        out = self.values[at].astype(np.int64)
        miss = slot != keys
        out[miss] = -1
        live = np.flatnonzero(miss & (slot != -1))  # a full slot with another key: probe on
        pos = (at[live] + 1) & self._mask
        while len(live):
            slot = self.slots[pos]
            hit = slot == keys[live]
            out[live[hit]] = self.values[pos[hit]]
            more = ~hit & (slot != -1)
            live = live[more]
            pos = (pos[more] + 1) & self._mask
        return out


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
