"""The agent-conduct model (taxonomy section 9): its question-answer relation features on
hand-written dialogues, the batch bigram overlap against a plain set reference, the training
labels (no reserved row among them) and the reserved-row figure of the shipped model."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from voc.estimators.conduct_features import N_RELATION, overlaps, relation_features
from voc.records import Turn

LABELS = Path(__file__).resolve().parents[1] / "corpus" / "labels"


def T(*pairs) -> tuple[Turn, ...]:
    return tuple(Turn(s, x) for s, x in pairs)


def features(turns) -> dict[str, float]:
    names = ["opening", "asked", "unanswered", "any_unanswered", "ratio_mean", "ratio_min", "shortest",
             "referral_only", "referral_share", "later", "later_vs_agent", "repeat", "asks_again",
             "negative_any", "negative_last"]
    row = relation_features([turns])[0]
    assert len(row) == N_RELATION == len(names)
    return dict(zip(names, row.tolist()))


def test_a_referral_only_reply_to_a_when_question_the_customer_asks_again():
    f = features(T(("customer", "宽带什么时候能修好?已经断了三天了"), ("agent", "您好,请私信我们。"),
                   ("customer", "宽带到底什么时候能修好??")))
    assert f["asked"] > 0 and f["any_unanswered"] == 1.0  # a time question, no time in the reply
    assert f["referral_only"] == 1.0 and f["referral_share"] == 1.0
    assert f["repeat"] > 0.5 and f["asks_again"] == 1.0 and f["negative_last"] == 1.0


def test_an_answer_with_the_element_asked_for():
    f = features(T(("customer", "宽带什么时候能修好?"), ("agent", "您好,维修师傅今天下午3点上门,预计2小时内修好宽带。"),
                   ("customer", "好的谢谢")))
    assert f["asked"] > 0 and f["any_unanswered"] == 0.0
    assert f["referral_only"] == 0.0 and f["asks_again"] == 0.0 and f["negative_any"] == 0.0
    assert f["opening"] == 0.25  # the reply takes up 2 of the question's 8 bigrams (宽带, 修好)


def test_no_agent_turn_gives_zeros():
    assert set(features(T(("customer", "你好?"))).values()) == {0.0}


def test_overlaps_match_python_sets():
    import re

    noise = re.compile(r"[\d\s,.!?，。！？~～、:：;；@#\-_()（）\[\]【】]+")

    def share(a, b):
        a, b = noise.sub("", a), noise.sub("", b)
        ga, gb = {a[i:i + 2] for i in range(len(a) - 1)}, {b[i:i + 2] for i in range(len(b) - 1)}
        return len(ga & gb) / len(ga) if ga else 0.0

    a = ["宽带什么时候修好", "请问,怎么 办理?", "", "😀😀好的", "abc", "同一句话同一句话"]
    b = ["宽带今天修好", "您可以在APP办理", "空", "😀😀好", "xbc", "同一句话"]
    assert overlaps(a, b).tolist() == pytest.approx([share(x, y) for x, y in zip(a, b)])


def test_training_labels_hold_no_reserved_row():
    from voc.datasets import is_reserved

    with open(LABELS / "agent_conduct_more.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 1000
    assert not [r["item"] for r in rows if is_reserved(r["dataset"], r["file"], int(r["row"]))]
    keys = {(r["file"], r["row"]) for r in rows}
    assert len(keys) == len(rows)
    for name in ("everyday.csv", "everyday_reserved.csv", "agent_conduct.csv"):
        with open(LABELS / name, encoding="utf-8", newline="") as f:
            assert not keys & {(r["file"], r["row"]) for r in csv.DictReader(f) if r["dataset"] == rows[0]["dataset"]}


@pytest.mark.realdata
@pytest.mark.slow
def test_reserved_problem_f1(shared_data):
    from voc.estimators.agent_conduct import AgentConductModel
    from voc.models import find
    from voc.training.agent_conduct import evaluate_reserved

    report = evaluate_reserved(AgentConductModel.load(find("agent_conduct")))
    assert report["items"] == 520 and report["problem"] == 73
    # the target is problem F1 >= 0.70 (annotators agree at kappa 0.73-0.74); it is NOT met:
    # the shipped model 1.2.2 measures F1 0.422 (P 0.33, R 0.58; 1.2.1: 0.426, 1.2.0: 0.429; docs/qa.md), so this is a floor just under it
    assert report["f1"] >= 0.42


def test_the_agent_turns_behind_a_problem_are_never_a_greeting():
    import voc

    nlp = voc.load(qa=True)
    call = voc.Contact(id="1", turns=T(("agent", "您好，很高兴为您服务"), ("customer", "我的宽带又断了，都第三次了"),
                                       ("agent", "你自己重启一下不就行了"), ("customer", "你什么态度"),
                                       ("agent", "爱修不修")))
    rec = nlp.tag(call).to_record()
    assert rec["agent_conduct"] == "problem" and rec["qa_score"] == 0.0
    spans = [text for _, text in rec["agent_conduct_spans"]]
    assert spans and spans[0] == "爱修不修" and not any("很高兴为您服务" in s for s in spans)


def test_service_formulas_with_names_in_them_are_not_offending_turns():
    from voc.estimators.agent_conduct import ConductInput, service_formulas
    from voc.stages.qa import default_conduct_stage

    formulas = service_formulas()
    assert formulas.is_formula("您好优选商城客服中心很高兴为您服务", first=True)
    assert formulas.is_formula("请问还有其他可以帮您的吗", last=True)
    assert formulas.is_formula("您好,工号1024为您服务。", first=True)
    assert formulas.is_formula("好的，谢谢您")  # formulas only: anywhere
    assert not formulas.is_formula("这个不归我们管，你自己去营业厅查", first=True, last=True)
    # a phrase in a turn in the middle, or a greeting that goes on to something else later on
    assert not formulas.is_formula("好的已经帮您处理好了还有其他问题可以随时咨询我们")
    assert not formulas.is_formula("您好很高兴为您服务，你到底要问什么，快点说")
    model = default_conduct_stage(None).model
    only_formulas = ConductInput(T(("agent", "您好工号12468为您服务请问有什么可以帮您"), ("customer", "行程有点赶"),
                                   ("agent", "请问还有其他可以帮您的吗")))
    assert model.spans([only_formulas]) == [()]
