"""Contact type (taxonomy section 7): the stage on hand-written contacts, the model files, the
pipeline fields, and (slow, real data) the targets on the reserved rows."""
from __future__ import annotations

import time

import pytest

from voc.records import Contact, Turn


def _dialogue(*lines: str) -> Contact:
    return Contact("d", tuple(Turn("customer" if i % 2 == 0 else "agent", x) for i, x in enumerate(lines)))


@pytest.fixture(scope="module")
def nlp():
    from voc.models import find

    if find("contact_type") is None:
        pytest.skip("no contact-type model ships in models/")
    import voc

    return voc.load(disable=("root_cause", "sentiment", "resolved", "churn", "escalation", "topics"))


CASES = {
    "inquiry": _dialogue("你好，我的快递到哪了？", "您好，请提供一下订单号。", "订单号是123456，什么时候能到？"),
    "request": _dialogue("帮我把发票抬头改成公司", "好的，请提供公司名称和税号。", "好的，谢谢"),
    "complaint": _dialogue("你们的宽带又断网了，报修三天都没人来处理，太差了！", "很抱歉给您带来不便，已为您催办。",
                           "每次都说催办，到现在还是没人来，我要投诉"),
    "praise": Contact.from_text("感谢你们的客服小王，耐心帮我解决了问题，服务太好了，点赞！"),
    "suggestion": Contact.from_text("建议你们的APP增加一个夜间模式，晚上看屏幕太刺眼了，希望能改进一下。"),
    "other": Contact.from_text("哈哈 你 真 好玩 讲 个 笑话 吧"),
}


# every class on hand-written text; suggestion (the rarest class) was an xfail up to 1.2.0 and
# passes since 1.3.0 (docs/contact_type.md)
@pytest.mark.parametrize("label", list(CASES))
def test_hand_written_contacts(nlp, label):
    t = nlp.tag(CASES[label])
    assert t.contact_type.label == label, t.contact_type.scores
    assert set(t.contact_type.scores) == {"complaint", "inquiry", "request", "praise", "suggestion", "other"}
    assert abs(sum(t.contact_type.scores.values()) - 1.0) < 1e-3


def test_no_customer_text_is_other(nlp):
    t = nlp.tag(Contact("x", (Turn("agent", "您好，请问有什么可以帮您？"),)))
    assert t.contact_type.label == "other" and t.contact_type.scores["other"] == 1.0
    assert nlp.tag(Contact.from_text("")).contact_type.label == "other"


def test_output_record_and_default_pipeline(nlp):
    from voc.registry import DEFAULT_STAGES

    assert DEFAULT_STAGES.index("segment") < DEFAULT_STAGES.index("contact_type") < DEFAULT_STAGES.index("root_cause")
    rec = nlp.tag(CASES["inquiry"]).to_record()
    assert rec["contact_type"] == "inquiry" and rec["contact_type_scores"]["inquiry"] > 0.5


def test_save_load_round_trip_is_identical(tmp_path):
    from voc.estimators.contact_type import ContactTypeClassifier
    from voc.records import Doc

    texts = ["我的快递到哪了", "帮我取消订单", "太差了投诉你们", "谢谢你们服务很好", "建议增加功能", "哈哈哈"] * 6
    labels = ["inquiry", "request", "complaint", "praise", "suggestion", "other"] * 6
    docs = [Doc(tuple(t), t, "") for t in texts]
    model = ContactTypeClassifier(cv=0, min_df=1).fit(docs, labels)
    model.save(tmp_path / "m")
    again = ContactTypeClassifier.load(tmp_path / "m")
    assert (again.predict_proba(docs) == model.predict_proba(docs)).all()
    assert not any(p.suffix == ".pkl" for p in (tmp_path / "m").iterdir())
    model.save(tmp_path / "m2")
    assert (tmp_path / "m" / "weights.npz").read_bytes() == (tmp_path / "m2" / "weights.npz").read_bytes()


def test_batch_cost(nlp):
    from voc.stages.contact_type import ContactTypeStage
    from voc.models import find

    texts = [c for c in CASES.values()]
    tagged = nlp.tag_batch([texts[i % len(texts)] for i in range(3000)])
    stage = ContactTypeStage.from_folder(find("contact_type"))
    stage(tagged[:10])
    t0 = time.perf_counter()
    stage(tagged)
    assert (time.perf_counter() - t0) / len(tagged) < 2e-4  # ~0.05 ms measured; slack for shared CI cores


@pytest.mark.realdata
@pytest.mark.slow
def test_reserved_targets(shared_data):
    from voc.estimators.contact_type import ContactTypeClassifier
    from voc.models import find
    from voc.training.contact_type import evaluate_reserved

    report = evaluate_reserved(ContactTypeClassifier.load(find("contact_type")))
    # just under the measured figures of the shipped model 1.4.0 (docs/contact_type.md: pooled
    # 0.867, dialogues 0.886, questions 0.810, chat 0.967, reviews 0.840, complaint posts 0.900);
    # the targets (0.88 pooled, 0.85 every kind) are met by dialogues, chat and complaint posts
    assert report["pooled"]["accuracy"] >= 0.865
    assert report["helpdesk dialogues"]["accuracy"] >= 0.875
    assert report["customer questions"]["accuracy"] >= 0.80
    assert report["chat utterances"]["accuracy"] >= 0.95
    assert report["reviews"]["accuracy"] >= 0.80
    assert report["complaint posts"]["accuracy"] >= 0.88


def _call(*lines: str) -> Contact:
    """A call transcript: the agent speaks first."""
    return Contact("call", tuple(Turn("agent" if i % 2 == 0 else "customer", x) for i, x in enumerate(lines)))


# call transcripts as ASR writes them: fillers, a question announced with 我想问一下, closings
SPOKEN = [
    ("inquiry", _call("您好很高兴为您服务", "喂 你好 那个 我想问一下 就是说 信用卡 账单日 是哪天",
                      "您的账单日是每月五号 还款日是二十三号", "哦 知道了", "还有其他问题吗", "没了")),
    ("inquiry", _call("您好请问有什么可以帮您", "就是说 我那个 密码忘了 怎么重置",
                      "您可以在app的登录页点忘记密码 验证手机号后重置", "嗯 好的 谢谢", "不客气 再见")),
    ("request", _call("您好请问有什么可以帮您", "嗯 就是 我想把那个 套餐 改成一百二十九的",
                      "好的 已经帮您办理 下个月一号生效", "嗯 行 那就这样吧", "感谢您的来电 再见")),
]


@pytest.mark.parametrize("label, contact", SPOKEN, ids=[f"{lab}{i}" for i, (lab, _) in enumerate(SPOKEN)])
def test_spoken_calls(nlp, label, contact):
    t = nlp.tag(contact)
    assert t.contact_type.label == label, (t.text, t.contact_type.scores)


def test_customer_closings_decide_nothing(nlp):
    """A customer turn made only of formulas (没有了, 拜拜, 好的谢谢) does not move the contact type:
    a closing 没有了 once read as something gone missing."""
    lines = ["您好请问有什么可以帮您", "我想问一下宽带什么时候到期", "您的宽带明年三月十五号到期"]
    plain = nlp.tag(_call(*lines)).contact_type
    for closing in ("没有了", "好的谢谢", "没有了，拜拜", "嗯嗯 好的"):
        closed = nlp.tag(_call(*lines, closing)).contact_type
        assert closed == plain, closing
    assert nlp.tag(_call(*lines, "没有了，那我明天再打来")).contact_type != plain  # not only formulas: read


@pytest.mark.parametrize("said", ["在吗", "你好？？", "好的", "谢谢", "好的谢谢，拜拜"])
def test_formulas_only_is_other(nlp, said):
    """Greetings, acknowledgements and courtesy thanks alone are no reason for a contact
    (taxonomy sections 7 and 2): a lone "好的" once came out praise and "在吗" inquiry."""
    assert nlp.tag(said).contact_type.label == "other"
    call = nlp.tag(_call("您好请问有什么可以帮您", said, "请问还有什么可以帮您", "没有了 拜拜"))
    assert call.contact_type.label == "other"
    assert nlp.tag(said + " 我想改一下收货地址").contact_type.label != "other"  # not formulas only: read
