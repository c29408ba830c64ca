"""Segmentation with the project's own jieba tokenizer and user dictionary."""
import logging

import pytest

from voc.resources import corpus_path
from voc.text.segment import Segmenter, default_segmenter, read_wordlist

DOMAIN_TERMS = ["携号转网", "人工客服", "停机保号", "暴力催收", "退款到账", "套餐变更"]


def test_userdict_terms_are_single_tokens():
    if not corpus_path("lexicons", "userdict.txt").exists():
        pytest.skip("user dictionary not bundled yet")
    seg = default_segmenter()
    for term in DOMAIN_TERMS:
        assert term in seg.cut(f"我想办理{term}业务"), term


def test_every_userdict_entry_loads():
    path = corpus_path("lexicons", "userdict.txt")
    if not path.exists():
        pytest.skip("user dictionary not bundled yet")
    words = [line.split()[0] for line in read_wordlist(path)]
    assert len(words) >= 300
    assert len(set(words)) == len(words), "duplicate entries"


def test_stopwords_and_punctuation_removed_negation_kept():
    seg = Segmenter()
    tokens = seg.cut("嗯那个，我的宽带不能用了！！！真的很差。")
    assert "，" not in tokens and "！" not in tokens and "。" not in tokens
    assert "不能" in tokens or "不" in tokens
    assert "宽带" in tokens


def test_own_tokenizer_not_global(tmp_path):
    import jieba

    seg = Segmenter(userdict=tmp_path / "none.txt")
    assert seg.tokenizer is not jieba.dt
    user = tmp_path / "u.txt"
    user.write_text("蓝鲸宽带套餐 100000 n\n", encoding="utf-8")
    mine = Segmenter(userdict=user)
    assert "蓝鲸宽带套餐" in mine.cut("我办了蓝鲸宽带套餐")
    assert "蓝鲸宽带套餐" not in jieba.lcut("我办了蓝鲸宽带套餐")  # global jieba untouched


def test_placeholders_stay_whole():
    assert "〔手机号〕" in Segmenter().cut("我的电话是〔手机号〕请回电")
    assert Segmenter().cut("卡号〔银行卡:3fa9c1d2〕")[-1] == "〔银行卡〕"


def test_jieba_debug_logging_silenced(caplog):
    with caplog.at_level(logging.DEBUG):
        Segmenter(stopwords="/nonexistent").cut("测试一下")
    assert not [r for r in caplog.records if r.name == "jieba" and r.levelno < logging.WARNING]


def test_cache_in_user_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VOC_CACHE_DIR", str(tmp_path))
    seg = Segmenter()
    seg.cut("缓存")
    assert seg.tokenizer.tmp_dir == str(tmp_path / "voc")
    assert list((tmp_path / "voc").glob("jieba*.cache"))


def test_fast_dictionary_cache_equals_jiebas_own(tmp_path, monkeypatch):
    """The .npz cache of jieba's prefix dictionary rebuilds exactly jieba's FREQ (entries,
    values and order) and total; a damaged cache is rebuilt, not trusted."""
    import jieba

    from voc.text.segment import _initialize

    monkeypatch.setenv("VOC_CACHE_DIR", str(tmp_path))
    ref = jieba.Tokenizer()
    ref.tmp_dir = str(tmp_path)
    ref.initialize()
    first = jieba.Tokenizer()
    first.tmp_dir = str(tmp_path)
    _initialize(first)  # no cache yet: jieba's initialize, then the cache is written
    cached = list((tmp_path / "voc").glob("jieba-*-dict.npz"))
    assert len(cached) == 1
    second = jieba.Tokenizer()
    _initialize(second)  # from the cache
    for tok in (first, second):
        assert tok.initialized and tok.total == ref.total
        assert list(tok.FREQ.items()) == list(ref.FREQ.items())
    assert second.lcut("我要注销这张信用卡，客服电话打不通") == ref.lcut("我要注销这张信用卡，客服电话打不通")
    cached[0].write_bytes(b"not a zip file")
    third = jieba.Tokenizer()
    _initialize(third)
    assert third.total == ref.total and len(third.FREQ) == len(ref.FREQ)
