"""The accelerated segmenter backend gives exactly jieba's tokens (or is not offered)."""
from __future__ import annotations

import importlib.util
import itertools

import pytest

from voc.errors import ConfigError
from voc.text.segment import BACKENDS, Segmenter

needs_rjieba = pytest.mark.skipif(importlib.util.find_spec("rjieba") is None,
                                  reason="rjieba is not installed (pip install 'voc-cx[fast]')")

# Hand-written text that walks every path of the rjieba backend: plain Chinese, Latin/digit
# runs (qq.com, 2018.6.26, 3.2G), words mixing both (T恤, A股, 4S店), Latin dictionary words
# (12315, C++), periodic text (ties: 最最最, 不好不好不好, 哈哈哈哈), spaces and line breaks,
# characters outside jieba's Chinese range (㐀, 鿕), placeholders, full-width text.
EDGE_TEXTS = [
    "我想办理携号转网，人工客服一直不接电话！",
    "发邮件到abc123@qq.com了，还是没人回复，2018.6.26就反映过",
    "买的T恤有破洞，A股账户被冻结，4S店说要等三天",
    "已经打了12315和10086，C++程序员表示很无语",
    "首先最最最重要的是质量，不好不好不好，哈哈哈哈哈",
    "套餐还剩3.2G流量 通话还剩126分钟\r\n明天再说\t好吗",
    "这个字㐀和鿕不常见，还有〔手机号〕和〔银行卡:3fa9c1d2〕",
    "ＡＢＣ全角字母和１２３全角数字，iPhone13Pro的屏幕坏了",
    "ok好的谢谢谢谢谢谢!!!",
    "a-b-c 1+1=2 50%的人 #话题# &amp; x_y",
    "",
    "   ",
    "。。。",
]


def _pair(tmp_path=None, userdict=None):
    kw = {"userdict": userdict} if userdict else {}
    return Segmenter(**kw), Segmenter(backend="rjieba", **kw)


def test_backend_names():
    assert BACKENDS == ("jieba", "rjieba")
    with pytest.raises(ConfigError, match="not offered"):
        Segmenter(backend="jieba-fast")
    with pytest.raises(ConfigError, match="choose from"):
        Segmenter(backend="pkuseg")


def test_missing_package_says_how_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "rjieba" else real(name, *a))
    with pytest.raises(ConfigError, match=r"voc-cx\[fast\]"):
        Segmenter(backend="rjieba").cut("测试")


@needs_rjieba
def test_rjieba_equals_jieba_on_edge_cases():
    jieba_seg, fast = _pair()
    for text in EDGE_TEXTS:
        assert fast.cut_raw(text) == jieba_seg.cut_raw(text), text
        assert fast.cut(text) == jieba_seg.cut(text), text


@needs_rjieba
def test_rjieba_replays_a_user_dictionary_exactly(tmp_path):
    # new words with and without a frequency, an override of a main-dictionary word, a word
    # taken out (frequency 0), a mixed Chinese/Latin word, a Latin word, a repeated entry
    user = tmp_path / "user.txt"
    user.write_text("蓝鲸宽带套餐 100000 n\n携号转网\n中国 5\n很多 0\n5G套餐 2000 n\nVIP会员 3000\n"
                    "ETC 500\n蓝鲸宽带套餐 20\n催收\n", encoding="utf-8")
    jieba_seg, fast = _pair(userdict=user)
    texts = EDGE_TEXTS + ["我办了蓝鲸宽带套餐和5G套餐，很多人说中国移动的VIP会员不值", "ETC卡被暴力催收了很多很多次",
                          "中国人民银行的催收电话", "5G套餐5G套餐5G套餐"]
    for text in texts:
        assert fast.cut_raw(text) == jieba_seg.cut_raw(text), text
    assert "蓝鲸宽带套餐" in fast.cut("我办了蓝鲸宽带套餐")


def _real_texts(every: int):
    """Every ``every``-th turn of the shared data sets, raw and normalised as voc's pipeline
    normalises it before segmenting."""
    from voc.datasets import HEIMAO, REVIEWS, STC3, iter_dataset
    from voc.text.normalise import normalise

    turns = (t.text for ds in (STC3, HEIMAO, *REVIEWS) for reserved in (False, True)
             for c, _ in iter_dataset(ds, reserved=reserved) for t in c.turns)
    for text in itertools.islice(turns, 0, None, every):
        yield text
        yield normalise(text)


def _check_real(every: int) -> int:
    jieba_seg, fast = _pair()
    n = 0
    for text in _real_texts(every):
        assert fast.cut_raw(text) == jieba_seg.cut_raw(text), text[:80]
        n += 1
    return n


@needs_rjieba
def test_rjieba_equals_jieba_on_real_text_sample(shared_data):
    """One turn in 40 of every shared data set (~5,000 texts, raw and normalised), with the
    project's user dictionary."""
    assert _check_real(40) > 4000


@needs_rjieba
@pytest.mark.slow
def test_rjieba_equals_jieba_on_all_real_text(shared_data):
    """Every turn of every shared data set, raw and normalised (~200,000 texts, ~2 minutes)."""
    assert _check_real(1) > 150_000


def test_default_backend_is_rjieba_when_installed():
    import voc
    from voc.text.segment import default_backend, default_segmenter

    expected = "rjieba" if importlib.util.find_spec("rjieba") else "jieba"
    assert default_backend() == expected
    assert default_segmenter().backend == expected and default_segmenter() is default_segmenter(expected)
    assert voc.load(disable=("topics",)).get_stage("segment").segmenter.backend == expected
    assert voc.load(segmenter="jieba", disable=("topics",)).get_stage("segment").segmenter.backend == "jieba"
