"""Resolved within the contact (taxonomy section 8): the stage on hand-written dialogues and
single texts, the model files, and (slow, real data) the targets on the reserved rows."""
from __future__ import annotations

import time

import pytest

from voc.records import Contact, Turn


def _dialogue(*lines: str) -> Contact:
    return Contact("d", tuple(Turn("customer" if i % 2 == 0 else "agent", x) for i, x in enumerate(lines)))


@pytest.fixture(scope="module")
def nlp():
    from voc.models import find

    if find("resolved") is None:
        pytest.skip("no resolved model ships in models/")
    import voc

    return voc.load(disable=("contact_type", "root_cause", "sentiment", "churn", "escalation", "topics"))


CALL_BACK = _dialogue("我的宽带断网两天了，一直没人来修，怎么回事？",
                      "您好，很抱歉给您带来不便，麻烦您私信提供宽带账号和联系电话，我们核实后稍后会有工作人员与您联系。")
ANSWERED = _dialogue("请问怎么把套餐改成流量包？",
                     "您好，您可以在手机营业厅-办理-套餐变更里选择，已为您查询，您的号码可以直接办理，次月生效。",
                     "好的，谢谢")
TICKET = Contact.from_text("信用卡被重复扣了两次年费，要求退还多扣的费用。")


def test_call_back_promise_is_not_resolved(nlp):
    r = nlp.tag(CALL_BACK).resolved
    assert r.label == "no" and r.score is not None and r.score < 0.5


def test_answered_and_accepted_is_resolved(nlp):
    r = nlp.tag(ANSWERED).resolved
    assert r.label == "yes" and r.score > 0.5
    assert r.score > nlp.tag(CALL_BACK).resolved.score


PROMISED = ("我的快递显示签收了但我根本没收到，怎么回事？", "非常抱歉，已经为您登记，会有专人在24小时内回电给您。",
            "好吧，那我等电话")


def test_agent_closing_formulas_do_not_decide(nlp):
    """A contact-centre call ends on the agent's closing formula; the final exchange is read from
    the last substantive agent turn (taxonomy section 2 and 8): a call-back promise stays `no`."""
    promised = nlp.tag(_dialogue(*PROMISED)).resolved
    closed = nlp.tag(_dialogue(*PROMISED, "感谢您的来电，祝您生活愉快，再见")).resolved
    assert promised.label == closed.label == "no" and promised.score == closed.score
    told_to_wait = _dialogue("退款申请五天了还没到账", "非常抱歉，我这边已经帮您催办了，请您再耐心等待一下。", "行吧，你们抓紧",
                             "感谢您的耐心，祝您生活愉快")
    assert nlp.tag(told_to_wait).resolved.label == "no"
    answered = _dialogue("请问发票抬头怎么修改？", "您好，您可以在订单详情-发票里点修改，提交后立即生效。", "好的，明白了，谢谢",
                         "不客气，请问还有其他可以帮您的吗？")
    assert nlp.tag(answered).resolved.label == "yes"


def test_an_answer_is_read_after_the_agents_lead_in(nlp):
    """On a call the agent runs a lead-in and the answer together ("好的 您稍等 我帮您查一下 您的宽带
    是…到期"): the turn is read from the answer (yes); the lead-in alone ends on a wait (not yes)."""
    lines = ("我想问一下我这个宽带什么时候到期", "好的 您稍等 我帮您查一下 您的宽带是明年三月十五号到期", "哦 好的 谢谢啊")
    led_in = nlp.tag(_dialogue(*lines)).resolved
    plain = nlp.tag(_dialogue(lines[0], "您的宽带是明年三月十五号到期", lines[2])).resolved
    assert led_in.label == plain.label == "yes" and led_in.score == plain.score
    waiting = nlp.tag(_dialogue(lines[0], "好的 您稍等 我帮您查一下")).resolved
    assert waiting.label != "yes"


FIXED_LATER = _dialogue("宽带今晚一直断网，怎么回事？", "您好，麻烦您私信提供宽带账号，我们为您核实。",
                        "谢谢，刚才已经恢复正常了")
STILL_BROKEN = _dialogue("宽带今晚一直断网，怎么回事？", "您好，麻烦您私信提供宽带账号，我们为您核实。",
                         "发了，还是不行，你们到底管不管")
OPEN_QUESTION = _dialogue("手机升级后相机打不开了", "您好，请问您目前的系统版本是多少呢？")
NOTED = _dialogue("建议音乐播放器可以修改歌曲名称", "感谢您的建议，我们已经记录并反馈给产品团队。")


def test_the_final_exchange_decides(nlp):
    fixed, broken = nlp.tag(FIXED_LATER).resolved, nlp.tag(STILL_BROKEN).resolved
    assert fixed.label == "yes" and broken.label == "no" and fixed.score > broken.score
    assert nlp.tag(OPEN_QUESTION).resolved.label == "unclear"  # ends on an unanswered agent question
    assert nlp.tag(NOTED).resolved.label == "yes"  # a suggestion taken down


def test_exchange_features_read_the_last_turns():
    import re

    from voc.estimators.resolved import EXCHANGE, N_EXCHANGE, exchange_features

    rx = {k: re.compile(p) for k, p in EXCHANGE.items()}
    f = exchange_features(OPEN_QUESTION.turns, rx)
    assert len(f) == N_EXCHANGE and f[0] == 1.0 and f[1] == 1.0  # ends on an agent question asking for details
    g = exchange_features(FIXED_LATER.turns, rx)
    assert g[0] == 0.0 and g[13] == 1.0 and g[14] == 1.0  # a later customer turn reports the problem gone
    h = exchange_features(STILL_BROKEN.turns, rx)
    assert h[7] == 1.0 and h[13] == 0.0  # complains again, nothing fixed


def test_single_text_is_unclear_unless_it_says_so(nlp):
    r = nlp.tag(TICKET).resolved
    assert r.label == "unclear" and r.score is None
    assert nlp.tag(Contact.from_text("之前反映的扣费问题已经解决了，谢谢")).resolved.label == "yes"
    assert nlp.tag(Contact.from_text("问题到现在还没解决")).resolved.label == "unclear"
    rec = nlp.tag(TICKET).to_record()
    assert rec["resolved"] == "unclear" and rec["resolved_score"] is None


def test_a_system_line_alone_does_not_make_a_dialogue(nlp):
    c = Contact("s", (Turn("system", "顾客通过APP进入"), Turn("customer", "我要退货")))
    assert nlp.tag(c).resolved.label == "unclear"


def test_save_load_round_trip_is_identical(tmp_path):
    from voc.estimators.resolved import ResolvedClassifier

    X = [tuple(_dialogue("问题", a, c).turns) for a, c in
         [("已为您处理好了", "好的谢谢"), ("请私信我们稍后联系您", "还是不行"), ("您好", "")] * 8]
    y = ["yes", "no", "unclear"] * 8
    model = ResolvedClassifier(cv=0, min_df=1).fit(X, y, X_aux=X, accomplished=[v == "yes" for v in y],
                                                    aux_targets={"S": [v != "no" for v in y]})
    assert sorted(model.aux_) == ["A", "S"]
    model.save(tmp_path / "m")
    again = ResolvedClassifier.load(tmp_path / "m")
    assert sorted(again.aux_) == ["A", "S"]
    assert (again.predict_proba(X) == model.predict_proba(X)).all()
    assert [r.label for r in again.explain(X)] == [r.label for r in model.explain(X)]


def test_batch_cost(nlp):
    from voc.models import find
    from voc.stages.resolved import ResolvedStage

    items = [CALL_BACK, ANSWERED, TICKET]
    tagged = nlp.tag_batch([items[i % 3] for i in range(3000)])
    stage = ResolvedStage.from_folder(find("resolved"))
    stage(tagged[:10])
    t0 = time.perf_counter()
    stage(tagged)
    assert (time.perf_counter() - t0) / len(tagged) < 2e-4  # ~0.04 ms measured; slack for shared CI cores


@pytest.mark.realdata
@pytest.mark.slow
def test_reserved_targets(shared_data):
    from voc.estimators.resolved import ResolvedClassifier
    from voc.models import find
    from voc.training.resolved import evaluate_reserved

    report = evaluate_reserved(ResolvedClassifier.load(find("resolved")))
    assert report["stc3_reserved_auc"]["roc_auc"] >= 0.80  # the target (1.3.1: 0.877; 1.3.0: 0.880)
    # measured accuracy of the shipped model on the labelled dialogues: 0.7649 (1.3.0: 0.7676; 1.2.0:
    # 0.7595; 1.1.0: 0.746; target 0.80: missed, docs/contact_type.md)
    assert report["helpdesk dialogues"]["accuracy"] >= 0.75
    for k in ("complaint posts", "customer questions", "chat utterances", "reviews"):
        assert report[k]["accuracy"] == 1.0  # single texts: unclear, as labelled
