"""Escalation rules: each default rule fires and does not fire, user rules override and
extend the defaults, bad files fail with the line, and the reserved-row check (real data)."""
from __future__ import annotations

import textwrap

import pytest

from voc.errors import ConfigError
from voc.lang.taxonomy import OWNERS
from voc.records import Churn, Contact, RootCause, Sentiment, Tagged, Turn, evolve
from voc.stages.escalation import Escalation, default_rules_path, load_rules, parse_rules


def tagged(text: str, *, root_cause: str = "process", churn: str = "low", sentiment: float = 0.3,
           metadata: dict | None = None, agent: str | None = None) -> Tagged:
    turns = (Turn("customer", text),) + ((Turn("agent", agent),) if agent else ())
    c = Contact(id="t", turns=turns, metadata=metadata or {})
    return Tagged(contact=c, turns=turns, text=text,
                  root_cause=RootCause(root_cause, {}, (), OWNERS[root_cause]),
                  sentiment=Sentiment(sentiment, "negative" if sentiment < 0.4 else "neutral"),
                  churn=Churn(0.9 if churn == "high" else 0.2, churn, ()))


@pytest.fixture(scope="module")
def stage() -> Escalation:
    return Escalation()


def rule_ids(stage: Escalation, t: Tagged) -> set[str]:
    d = stage.decide(t)
    return {r.split(":")[0] for r in d.reasons}


# one positive and one negative hand-written example per default rule
CASES = [
    ("regulator", "再不退钱我就打12315投诉你们", "我昨天打了客服电话，还没回复"),
    ("regulator", "已经向银保监会反映了这个问题", "你们的利息太高了，要求降低"),
    ("media", "我要找记者曝光你们这种行为", "请尽快给我回个电话"),
    ("legal", "如果不处理我就请律师起诉你们", "你们的服务越来越差了"),
    ("third_party_harassment", "催收天天打电话骚扰我的家人", "我的家人也在用你们的宽带"),
    ("contact_list", "你们爆我通讯录是违法的", "请问怎么备份手机里的照片"),
    ("intimidation", "催收员在电话里恐吓我", "客服态度还可以"),
    ("safety_health", "吃了你们的外卖以后上吐下泻住进了急诊", "外卖送得太慢了"),
    ("supervisor", "已经打了多次电话都没人处理，我要找你们领导", "谢谢你们领导的关心"),
]


@pytest.mark.parametrize("rule,yes,no", CASES)
def test_each_default_rule_fires_and_does_not_fire(stage, rule, yes, no):
    assert rule in {r.id for r in stage.ruleset.rules}
    d = stage.decide(tagged(yes))
    assert d.flag, yes
    assert any(rule_reason(stage, rule) in r for r in d.reasons), (rule, d.reasons)
    assert not stage.decide(tagged(no)).flag, no


def rule_reason(stage: Escalation, rule_id: str) -> str:
    r = next(r for r in stage.ruleset.rules if r.id == rule_id)
    return r.reason or r.id


def test_negated_threat_does_not_fire(stage):
    assert not stage.decide(tagged("这次就算了，我不会去投诉到12315的")).flag
    assert not stage.decide(tagged("我没有报警，只是想问问进度")).flag
    # a conditional threat is a threat
    assert stage.decide(tagged("再不解决我就打12315")).flag
    assert stage.decide(tagged("没人管我就去找记者")).flag


def test_315_inside_a_number_is_not_a_regulator(stage):
    assert not stage.decide(tagged("我的订单号是2315678，请帮我查一下")).flag
    assert stage.decide(tagged("我要去315投诉")).flag


def test_dev_fixes_contacts_lists_health_and_bare_threats(stage):
    # 联系人 is a phone feature, not a third party being contacted
    assert not stage.decide(tagged("请问云端怎样同步联系人?")).flag
    assert not stage.decide(tagged("怎么把旧手机的通讯录导到新手机")).flag
    third = rule_reason(stage, "third_party_harassment")
    assert any(third in r for r in stage.decide(tagged("催收群发我通话记录里的人")).reasons)
    assert any(third in r for r in stage.decide(tagged("还说要去我单位上门走访")).reasons)
    # health: with words in between, and not food complaints or hyperbole alone
    health = rule_reason(stage, "safety_health")
    assert any(health in r for r in stage.decide(tagged("吃了三次早餐拉了两次肚子")).reasons)
    assert not stage.decide(tagged("凉拌菜里吃出一根头发")).flag
    assert not stage.decide(tagged("让我一次还清，这是要逼死人啊")).flag
    # a bare 威胁 aimed at the customer is not escalated by itself; with family it is
    assert not stage.decide(tagged("短信威胁我尽快还款")).flag
    assert stage.decide(tagged("短信威胁我的家人")).flag


def test_request_to_stop_harassing_family_still_fires(stage):
    assert stage.decide(tagged("请不要再骚扰我的家人了")).flag


def test_high_value_churn_needs_both_tier_and_high_churn(stage):
    hv = tagged("我要销户", churn="high", metadata={"客户等级": "钻石"})
    d = stage.decide(hv)
    assert d.flag and d.level == "normal"  # urgent is for crises, not retention
    assert any("高价值客户" in r and "钻石" in r for r in d.reasons)
    assert not stage.decide(tagged("我要销户", churn="high", metadata={"客户等级": "普通"})).flag
    assert not stage.decide(tagged("我要销户", churn="medium", metadata={"tier": "VIP"})).flag


def test_repeat_unresolved_needs_repeats_and_negative(stage):
    t = tagged("网速还是很慢", metadata={"repeat_contacts": 3}, sentiment=0.1)
    d = stage.decide(t)
    assert d.flag and d.level == "normal" and any("此前已联络 3 次" in r for r in d.reasons)
    assert not stage.decide(tagged("网速还是很慢", metadata={"repeat_contacts": 1}, sentiment=0.1)).flag
    assert not stage.decide(tagged("网速还是很慢", metadata={"repeat_contacts": 5}, sentiment=0.6)).flag


def test_level_owner_and_not_escalated(stage):
    d = stage.decide(tagged("再不解决我就报警", root_cause="agent"))
    assert d.flag and d.level == "urgent" and d.owner == OWNERS["agent"]
    d = stage.decide(tagged("已经打了多次电话都没人处理，我要找你们领导", root_cause="policy"))
    assert d.level == "normal" and d.owner == OWNERS["policy"]
    d = stage.decide(tagged("谢谢，问题解决了"))  # not escalated: still the root cause's owner
    assert (d.flag, d.level, d.reasons, d.owner) == (False, "none", (), OWNERS["process"])
    assert stage.decide(tagged("我要找记者曝光", root_cause="other")).owner is None  # other -> none


def test_stage_contract(stage):
    batch = [tagged("我要打12315"), tagged("谢谢")]
    out = stage(batch)
    assert [t.escalation.flag for t in out] == [True, False]
    assert batch[0].escalation is None  # input not mutated
    assert set(stage.requires) <= {"turns", "text", "root_cause", "churn", "sentiment", "metadata"}
    assert stage.assigns == ("escalation",)


# -- user rules ----------------------------------------------------------------------------
def write(tmp_path, text: str):
    p = tmp_path / "rules.toml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_user_rules_override_and_extend_defaults(tmp_path):
    p = write(tmp_path, """
        [owners]
        process = "呼叫中心运营部"

        [[rule]]
        id = "media"            # replaces the default media rule
        reason = "舆情"
        level = "normal"
        any = ["抖音"]

        [[rule]]
        id = "regulator"
        enabled = false         # switches a default off

        [[rule]]
        id = "vip_complaint"    # a new rule
        reason = "VIP 投诉"
        level = "urgent"
        any = ["投诉"]
        tier = ["VIP"]
        owner = "大客户部"
        """)
    st = Escalation(rules=p)
    d = st.decide(tagged("我要发抖音让大家看看"))
    assert d.flag and d.level == "normal" and d.reasons[0].startswith("舆情")
    assert d.owner == "呼叫中心运营部"
    assert not st.decide(tagged("我要找记者")).flag  # default media words are gone
    assert not st.decide(tagged("我要打12315")).flag  # regulator switched off
    assert st.decide(tagged("律师函已经准备好了")).flag  # other defaults remain
    d = st.decide(tagged("我要投诉", metadata={"tier": "VIP"}))
    assert d.flag and d.owner == "大客户部" and any("VIP 投诉" in r for r in d.reasons)
    ids = [r.id for r in st.ruleset.rules]
    assert ids.index("vip_complaint") > ids.index("legal")  # new rules come after the defaults


def test_user_owners_reach_contacts_that_are_not_escalated(tmp_path):
    p = write(tmp_path, """
        [owners]
        process = "呼叫中心运营部"
        """)
    t = tagged("谢谢，问题解决了", root_cause="process")
    d = Escalation(rules=p).decide(t)
    assert not d.flag and d.owner == "呼叫中心运营部"
    rec = evolve(t, escalation=d).to_record()
    assert rec["escalate"] is False and rec["owner"] == "呼叫中心运营部"
    default = evolve(t, escalation=Escalation().decide(t)).to_record()
    assert default["owner"] == OWNERS["process"]  # shipped rules: the taxonomy owner, as before


def test_user_file_can_drop_all_defaults(tmp_path):
    p = write(tmp_path, """
        [settings]
        defaults = false

        [[rule]]
        id = "only"
        any = ["退钱"]
        """)
    st = Escalation(rules=p)
    assert [r.id for r in st.ruleset.rules] == ["only"]
    assert not st.decide(tagged("我要打12315")).flag
    assert st.decide(tagged("快退钱")).flag


@pytest.mark.parametrize("body,line,words", [
    ('[[rule]]\nid = "a"\nany = ["x"\n', 3, "not valid TOML"),
    ('[[rule]]\nid = "a"\nany = ["x"]\n\n[[rule]]\nid = "b"\nanyy = ["y"]\n', 7, "unknown rule key 'anyy'"),
    ('[[rule]]\nid = "a"\nany = ["x"]\nlevel = "high"\n', 4, "level"),
    ('[[rule]]\nid = "a"\nregex = ["(unclosed"]\n', 3, "regular expression"),
    ('[[rule]]\nid = "a"\n', 1, "no condition"),
    ('[[rule]]\nany = ["x"]\n', 1, "no id"),
    ('[[rule]]\nid = "a"\nany = "x"\n', 3, "must be a list"),
    ('[[rule]]\nid = "a"\nany = ["x"]\nchurn_level = ["very"]\n', 4, "churn_level"),
    ('[owners]\nboss = "x"\n', 2, "not a root cause"),
    ('[[rule]]\nid = "a"\nany = ["x"]\n[[rule]]\nid = "a"\nany = ["y"]\n', 4, "used twice"),
    ('[rulez]\nid = "a"\n', 1, "unknown section"),
])
def test_bad_rules_file_names_the_line(tmp_path, body, line, words):
    p = tmp_path / "bad.toml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        Escalation(rules=p)
    msg = str(e.value)
    assert f"{p}:{line}:" in msg, msg
    assert words in msg, msg


def test_missing_rules_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        Escalation(rules=tmp_path / "nope.toml")


def test_rules_are_never_evaluated(tmp_path, monkeypatch):
    payload = "__import__('pathlib').Path('PWNED').touch()"  # run, it writes PWNED in the cwd
    p = write(tmp_path, f"""
        [[rule]]
        id = "x"
        any = ["{payload}"]
        """)
    monkeypatch.chdir(tmp_path)
    st = Escalation(rules=p)
    assert not st.decide(tagged("hello")).flag
    assert st.decide(tagged(f"顾客写了 {payload} 这句")).flag  # the rule is a phrase to find, no more
    assert not (tmp_path / "PWNED").exists()
    eval(payload)  # the check above can fail: the payload, run, does write the file it looks for
    assert (tmp_path / "PWNED").exists()


def test_shipped_defaults_parse():
    rs = load_rules()
    assert default_rules_path().name == "escalation_rules.toml"
    assert {"regulator", "media", "legal", "third_party_harassment", "safety_health", "supervisor",
            "high_value_churn"} <= {r.id for r in rs.rules}
    assert parse_rules(default_rules_path().read_text(encoding="utf-8")).rules


# -- real data: reserved check set ------------------------------------------------------------
def test_escalation_on_reserved_check_set(shared_data):
    """F1 of escalate on the reserved heimao/STC-3 rows of corpus/labels/reserved_eval.csv."""
    from bench.churn_escalation_eval import evaluate_labels_cached

    res = evaluate_labels_cached()
    assert res["escalate"]["n"] == 450
    assert res["escalate"]["f1"] >= 0.8 and res["escalate"]["recall"] >= 0.85, res["escalate"]


def test_escalation_on_dev_labels(shared_data):
    """F1 of escalate on the non-reserved development labels (bench/churn_escalation_dev.py)."""
    from bench.churn_escalation_dev import dev_figures_cached

    res = dev_figures_cached()
    # measured 0.837 / 0.841 on 9,052 labels (0.85+ on the first 3,600: rounds 3-4 read "mentions a
    # regulator" more literally, e.g. a quoted regulation or an appeal to 有关部门 counts)
    assert res["analysis"]["escalate"]["f1"] >= 0.82, res["analysis"]["escalate"]
    assert res["held-out"]["escalate"]["f1"] >= 0.82, res["held-out"]["escalate"]


# -- everyday requests (issue 15): a family member mentioned is not harassment ------------------
def test_wife_phone_request_is_not_escalated_but_a_collector_harassing_family_is(stage):
    for text in ("预留电话是我老婆的，能不能改成我的让他们联系我",
                 "借款预留电话是我老婆的，能不能改成我的让他们联系我",
                 "快递员打电话给我老婆让她下楼拿了", "能不能派人上门安装，我家人在家", "我要改一下紧急联系人"):
        assert not stage.decide(tagged(text)).flag, text
    third = rule_reason(stage, "third_party_harassment")
    for text in ("我逾期了两天，催收天天打电话给我老婆和同事", "你们催收打电话到我单位骚扰我领导",
                 "欠款还没还清，你们就给我父母打电话"):
        d = stage.decide(tagged(text))
        assert d.flag and d.level == "urgent" and any(third in r for r in d.reasons), (text, d)


def test_everyday_requests_and_questions_are_not_escalated(stage):
    for text in ("收货地址改成我公司的地址，我同事帮我收", "发票抬头开我们单位的，领导说还是要专票",
                 "营业厅经理说还是要带身份证原件", "会不会泄露个人信息？", "人脸识别说公安照片不清晰",
                 "新闻说要关掉借呗", "我要取消协议", "花呗会上人行征信吗", "支付宝提示账户存在安全隐患",
                 "请问哪里投诉", "@中国联通客服说:我的号码被停机了,没有任何预警"):
        assert not stage.decide(tagged(text)).flag, (text, stage.decide(tagged(text)).reasons)


def test_context_key_needs_a_word_anywhere(tmp_path):
    from voc.stages.escalation import load_rules

    p = write(tmp_path, '[settings]\ndefaults = false\n[[rule]]\nid = "x"\nany = ["打电话"]\ncontext = ["催收"]\n')
    st = Escalation(ruleset=load_rules(p))
    assert not st.decide(tagged("快递员打电话给我")).flag
    assert st.decide(tagged("催收一直打电话给我")).flag


def test_a_hotline_is_a_whole_number_and_may_be_spoken(stage):
    """12345 inside an order or phone number is not the city hotline; a call's ASR writes it in words."""
    for text in ("耳机左边没声音了，订单号1234567", "我的手机号是13812315678，帮我查下话费", "订单尾号612300"):
        assert not stage.decide(tagged(text)).flag, text
    regulator = rule_reason(stage, "regulator")
    for text in ("再不处理我就打12345", "我已经打了一二三一五了", "我要打幺二三幺五投诉你们", "已经投诉到12315。"):
        d = stage.decide(tagged(text))
        assert d.flag and any(regulator in r for r in d.reasons), (text, d)


@pytest.mark.parametrize("text", [
    "我看新闻说央行降息了，我的房贷利率什么时候下调？", "请问发票能开专票吗？我们财务说税务局那边要求必须是专票",
    "我最后一次确认一下哈，收货地址是公安局家属院那个，没错吧", "买的手机拍照老是曝光过度，白天拍出来一片白，能换吗",
    "我住的315房间空调一直不制冷，前台说派人来修",
    "我积分兑换的话费一直没到账，能不能麻烦您转给相关部门查一下", "你们经理上次说还是可以给我退差价的，你帮我查查",
    "快递一直只放驿站不送上门，我住高层又没电梯，能不能送上楼"])
def test_routine_words_that_sound_like_a_threat(stage, text):
    """Everyday contacts read by an analyst: a rate cut, a tax office's rule, an address, a
    camera's exposure, a room number, the company's own department, a manager's earlier word
    and a high-rise flat are no escalation (taxonomy 4)."""
    assert not stage.decide(tagged(text)).flag, stage.decide(tagged(text)).reasons


@pytest.mark.parametrize("text", ["吃了你们的菜以后过敏了，全身起红疹", "我要向相关部门投诉你们", "我要打315投诉",
                                  "再不处理我就找媒体曝光你们", "我严重过敏，嘴唇肿了", "皮肤过敏红肿，怎么赔",
                                  "我要打12315号码投诉", "再不解决我就反馈给相关部门", "我已经提交给相关部门了，等着吧",
                                  "我要向央行数字人民币部门投诉你们"])
def test_the_threats_next_to_them_still_fire(stage, text):
    assert stage.decide(tagged(text)).flag
