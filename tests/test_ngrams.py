"""voc.text.ngrams.CharNgrams gives exactly scikit-learn's CountVectorizer(analyzer="char") matrix."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from voc.text.ngrams import CharNgrams

TEXTS = [
    "客服态度太差了，我要投诉到12315！！",
    "快递三天还没到  问了客服说再等等\n\n\t真的无语",
    "Hello  World, APP闪退了 app",
    "ＡＢＣ全角 和 abc",
    "",
    " ",
    "\t\t好",
    "好",
    "不好不好不好，哈哈哈哈",
    "\ud800 lone surrogate",
    "emoji 😀 and 〔手机号〕 placeholder",
    "退款退款退款到账了吗？",
]


def _same(a, b) -> None:
    assert a.shape == b.shape
    assert np.array_equal(a.indptr, b.indptr)
    assert np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data) and a.data.dtype == b.data.dtype


@pytest.mark.parametrize("ngram_range,binary,lowercase", [
    ((1, 1), True, True), ((1, 3), True, True), ((2, 4), False, True), ((1, 4), True, False), ((3, 3), False, False),
])
def test_equals_countvectorizer(ngram_range, binary, lowercase):
    train = TEXTS + ["".join(p) for p in itertools.permutations("差评退款客服", 3)]
    fitted = CountVectorizer(analyzer="char", ngram_range=ngram_range, binary=binary, lowercase=lowercase).fit(train)
    fast = CharNgrams.for_vectorizer(fitted)
    assert fast is not None
    _same(fitted.transform(TEXTS), fast.transform(TEXTS))
    # a fixed vocabulary given as a list: columns are positions
    words = sorted(fitted.vocabulary_, key=fitted.vocabulary_.get)
    listed = CharNgrams(words, ngram_range, lowercase=lowercase, binary=binary, dtype=fitted.dtype)
    _same(fitted.transform(TEXTS), listed.transform(TEXTS))


def test_products_are_bit_identical():
    fitted = CountVectorizer(analyzer="char", ngram_range=(1, 4), binary=True).fit(TEXTS)
    w = np.random.default_rng(0).normal(size=len(fitted.vocabulary_))
    fast = CharNgrams.for_vectorizer(fitted)
    assert np.array_equal(fitted.transform(TEXTS) @ w, fast.transform(TEXTS) @ w)


def test_unsupported_options_fall_back():
    assert CharNgrams.for_vectorizer(CountVectorizer(analyzer="word").fit(["ab cd"])) is None
    assert CharNgrams.for_vectorizer(CountVectorizer(analyzer="char_wb").fit(["ab"])) is None
    assert CharNgrams.for_vectorizer(CountVectorizer(analyzer="char", strip_accents="unicode").fit(["ab"])) is None
    huge = {chr(0x4E00 + i) * 4: i for i in range(20000)}  # 20,000-character alphabet: 15 bits x 5 > 62
    with pytest.raises(ValueError):
        CharNgrams(huge, (1, 5))


def test_empty_batch():
    fast = CharNgrams(["好", "差"], (1, 2))
    assert fast.transform([]).shape == (0, 2)


def test_shipped_sentiment_vocabulary_on_real_text(shared_data):
    """The shipped sentiment model's vocabulary, on one review in 50 of the shared sets."""
    from voc.datasets import REVIEWS, iter_dataset
    from voc.models import find
    from voc.estimators.sentiment import NBLogit

    folder = find("sentiment")
    if folder is None:
        pytest.skip("no sentiment model ships yet")
    model = NBLogit.load(folder)
    assert isinstance(model._vec, CharNgrams)
    vec = CountVectorizer(analyzer="char", ngram_range=model.ngrams, binary=True, lowercase=True,
                          vocabulary={w: i for i, w in enumerate(model.vocabulary)}, dtype=np.float64)
    texts = [c.turns[0].text for name in REVIEWS
             for c, _ in itertools.islice(iter_dataset(name, reserved=True), 0, None, 50)]
    assert len(texts) > 100
    for i in range(0, len(texts), 256):
        chunk = [model.negation(t) if model.negation else t for t in texts[i:i + 256]]
        _same(vec.transform(chunk), model._vec.transform(chunk))


def test_key_index_equals_a_dict():
    """KeyIndex (the hash table behind CharNgrams and the root-cause n-grams) answers like a
    dict, for present and absent keys, with crowded probe chains and large keys."""
    from voc.text.ngrams import KeyIndex

    rng = np.random.default_rng(7)
    keys = np.unique(np.concatenate([rng.integers(0, 2**62, 5000), np.arange(1, 3000) << 24, [0, 2**62]]))
    values = rng.permutation(len(keys))
    index = KeyIndex(keys, values)
    ref = dict(zip(keys.tolist(), values.tolist()))
    queries = np.concatenate([keys, rng.integers(0, 2**62, 20000), (np.arange(1, 6000) << 24) + 1, keys[::-1]])
    assert index.get(queries).tolist() == [ref.get(k, -1) for k in queries.tolist()]
    assert len(index.slots) >= 3 * len(keys)  # at most a third full: probe chains stay short
    empty = KeyIndex(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert empty.get(np.array([0, 5, 2**40])).tolist() == [-1, -1, -1]
    assert empty.get(np.zeros(0, dtype=np.int64)).tolist() == []
    with pytest.raises(ValueError):
        KeyIndex(np.array([-1]), np.array([0]))


def test_sorted_unique_equals_numpy_unique():
    """sorted_unique (the sort behind every n-gram matrix) gives np.unique's values and counts."""
    from voc.text.ngrams import sorted_unique

    rng = np.random.default_rng(3)
    for n, high in itertools.product([0, 1, 2, 9, 5000], [1, 3, 1000, 2**62]):
        x = rng.integers(0, high, n)
        want, counts = np.unique(x, return_counts=True)
        got, got_counts = sorted_unique(x, counts=True)
        assert got.tolist() == want.tolist() and got_counts.tolist() == counts.tolist()
        assert got.dtype == want.dtype and got_counts.dtype == counts.dtype
        assert sorted_unique(x).tolist() == want.tolist()


@pytest.mark.parametrize("shuffle", [False, True])
def test_union_gives_each_vocabulary_its_own_matrix(shuffle):
    """NgramUnion: one pass over the union, the same matrix per vocabulary as its own CharNgrams
    (vocabularies in string order share one sort; others take the general path)."""
    from voc.text.ngrams import NgramUnion

    train = TEXTS + ["".join(p) for p in itertools.permutations("差评退款客服", 3)]
    words = sorted(CountVectorizer(analyzer="char", ngram_range=(1, 4)).fit(train).vocabulary_)
    rng = np.random.default_rng(1)
    vocabs = []
    for seed in range(3):  # overlapping vocabularies with different alphabets
        keep = sorted(set(words[seed::2] + words[:40] + ["好", "差评", "ＡＢＣ", "超长的词语不算"]))
        vocabs.append(list(rng.permutation(keep)) if shuffle else keep)
    vecs = [CharNgrams(v, (1, 4)) for v in vocabs]
    union = NgramUnion(vecs)
    assert union.sorted is (not shuffle)
    texts = TEXTS + TEXTS[:3]
    for vec, X in zip(vecs, union.transform(texts)):
        _same(vec.transform(texts), X)
    assert [X.shape for X in union.transform([])] == [(0, len(v)) for v in vocabs]
    with pytest.raises(ValueError):
        NgramUnion([CharNgrams(["好", "好"], (1, 2))])
    with pytest.raises(ValueError):
        NgramUnion([CharNgrams(["好"], (1, 2)), CharNgrams(["好"], (1, 3))])


def test_sentiment_joint_scores_equal_each_model_alone():
    """The shipped polarity model and three-way heads scored together (Joint) give the same
    bits as each model's own logits, repeated texts included."""
    from voc.estimators.sentiment import Joint, ThreeWay, NBLogit
    from voc.models import find

    folder = find("sentiment")
    if folder is None or ThreeWay.load(folder) is None:
        pytest.skip("no three-way sentiment model ships")
    models = {"polarity": NBLogit.load(folder), **ThreeWay.load(folder).heads}
    joint = Joint.of(models)
    assert joint is not None
    texts = TEXTS + ["不满意，太差了", "不差，挺好的", "好的谢谢", TEXTS[0], ""]
    got = joint.logits(texts)
    for name, model in models.items():
        assert got[name].tobytes() == model.logits(texts).tobytes()
