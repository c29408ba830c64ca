"""Quality inspection: the rules language (each operator and scope on hand-written dialogues),
errors that name the line, the shipped scorecard, commitments, hand-off, scorecards, and the
QA fields of voc tag --qa (absent without it)."""
from __future__ import annotations

import json

import pytest

from voc.errors import ConfigError
from voc.qa.commitments import commitments
from voc.qa.engine import Engine
from voc.qa.handoff import handoff
from voc.qa.rules import load_rules, parse_rules
from voc.qa.scorecard import aggregate, total
from voc.records import Turn

HEAD = 'version = 1\n'


def engine(src: str) -> Engine:
    return Engine(parse_rules(HEAD + src, "t.toml"))


def T(*pairs) -> tuple[Turn, ...]:
    return tuple(Turn(s, x, at) for s, x, *rest in pairs for at in (rest[0] if rest else None,))


def rules_of(eng: Engine, turns, channel=None) -> list[str]:
    return list(dict.fromkeys(h.rule for h in eng.check(turns, channel)[1]))


def rule(cond: str, when: str = "c", rtype: str = "must_not", **extra) -> str:
    more = "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in extra.items())
    return f"[condition.c]\n{cond}\n\n[[rule]]\nid = \"r\"\ntype = \"{rtype}\"\nwhen = \"{when}\"\n{more}"


CHAT = T(("customer", "我的宽带断了三天了"), ("agent", "您好，请问您的宽带账号是多少？"),
         ("customer", "账号是abc123"), ("agent", "已为您报修，师傅会尽快联系您。还有其他问题吗？"))


# -- operators -------------------------------------------------------------------------------------
@pytest.mark.parametrize("cond, fires", [
    ('any = ["报修", "不存在"]', True),
    ('any = ["不存在"]', False),
    ('all = ["报修", "师傅"]', True),
    ('all = ["报修", "账号"]', False),          # in different turns: not within one turn
    ('n_of = { n = 2, words = ["报修", "师傅", "宽带"] }', True),
    ('n_of = { n = 3, words = ["报修", "师傅", "宽带"] }', False),
    ("regex = '已为您\\S{2}'", True),
    ("regex = '已为您\\S{2}'\nexclude = '尽快'", False),  # the exclusion regex vetoes the turn
    ('any = ["报修"]\nnone = ["尽快"]', False),
    ('any = ["报修"]\ncount = 2', False),
    ('any = ["您"]\ncount = 2', True),
])
def test_each_operator(cond, fires):
    assert (rules_of(engine(rule(cond)), CHAT) == ["r"]) is fires


def test_none_only_condition_holds_when_no_unit_has_the_words():
    assert rules_of(engine(rule('none = ["再见", "拜拜"]')), CHAT) == ["r"]
    assert rules_of(engine(rule('none = ["其他问题"]')), CHAT) == []


def test_role_scopes_the_speaker():
    assert rules_of(engine(rule('role = "customer"\nany = ["宽带"]')), CHAT) == ["r"]
    assert rules_of(engine(rule('role = "agent"\nany = ["断了"]')), CHAT) == []
    bot = T(("customer", "查话费"), ("bot", "您好，我是智能助手"))
    assert rules_of(engine(rule('role = "bot"\nany = ["智能助手"]') + 'needs = ["bot"]\n'), bot) == ["r"]
    assert rules_of(engine(rule('role = "staff"\nany = ["智能助手"]') + 'needs = ["staff"]\n'), bot) == ["r"]


@pytest.mark.parametrize("cond, fires", [
    ('scope = "sentence"\nall = ["报修", "其他问题"]', False),  # two sentences of one turn
    ('scope = "turn"\nall = ["报修", "其他问题"]', True),
    ('scope = "window"\nturns = 2\nall = ["账号是多少", "报修"]', True),
    ('scope = "window"\nturns = 1\nall = ["账号是多少", "报修"]', False),
    ('scope = "first"\nturns = 1\nany = ["报修"]', False),
    ('scope = "first"\nturns = 2\nany = ["报修"]', True),
    ('scope = "last"\nturns = 1\nany = ["账号是多少"]', False),
    ('scope = "contact"\nall = ["账号是多少", "报修"]', True),
])
def test_each_scope(cond, fires):
    assert (rules_of(engine(rule(cond)), CHAT) == ["r"]) is fires


def test_anchors_before_and_after():
    src = ('[condition.change]\nregex = "已为您(修改|报修)"\n\n'
           '[condition.verified]\nany = ["账号", "身份证"]\nbefore = "change"\n\n'
           '[condition.late]\nany = ["账号", "其他问题"]\nafter = "change"\n\n'
           '[[rule]]\nid = "unverified"\nwhen = "change and not verified"\n\n'
           '[[rule]]\nid = "after"\nwhen = "late"\n')
    eng = engine(src)
    assert rules_of(eng, CHAT) == ["after"]  # the account was asked for before the change
    swapped = T(("customer", "改下套餐"), ("agent", "已为您修改。"), ("agent", "请提供身份证"))
    assert rules_of(eng, swapped) == ["unverified"]


def test_timing_first_response_reply_and_gap():
    turns = T(("customer", "在吗", "2026-05-01 10:00:00"), ("agent", "您好", "2026-05-01 10:02:00"),
              ("customer", "查话费", "2026-05-01 10:02:10"), ("agent", "好的", "2026-05-01 10:02:20"),
              ("agent", "查到了", "2026-05-01 10:20:00"))
    assert rules_of(engine(rule("first_response_over = 60")), turns) == ["r"]
    assert rules_of(engine(rule("first_response_over = 300")), turns) == []
    assert rules_of(engine(rule("reply_over = 100")), turns) == ["r"]  # the first reply, 120 s
    assert rules_of(engine(rule('role = "any"\ngap_over = 600')), turns) == ["r"]
    assert rules_of(engine(rule('role = "any"\ngap_over = 3600')), turns) == []
    assert rules_of(engine(rule("first_response_over = 1")), CHAT) == []  # no times: cannot tell


def test_repeat_length_and_overlap():
    twice = T(("customer", "怎么还没到账"), ("agent", "请耐心等待处理结果。"), ("customer", "到底什么时候"),
              ("agent", "请耐心等待处理结果。"))
    assert rules_of(engine(rule("repeat = 2")), twice) == ["r"]
    assert rules_of(engine(rule("repeat = 2")), CHAT) == []
    long = T(("customer", "我的快递到哪了"), ("agent", "尊敬的客户感谢您一直以来的支持我司始终坚持以客户为中心" * 3))
    assert rules_of(engine(rule("min_chars = 40\noverlap_below = 0.1")), long) == ["r"]
    assert rules_of(engine(rule("min_chars = 200\noverlap_below = 0.1")), long) == []


def test_expressions_and_or_not():
    src = ('[condition.a]\nany = ["报修"]\n\n[condition.b]\nany = ["不存在"]\n\n'
           '[[rule]]\nid = "x"\nwhen = "a and not (b or b)"\n\n[[rule]]\nid = "y"\nwhen = "(a && b) || !a"\n')
    assert rules_of(engine(src), CHAT) == ["x"]


def test_must_have_channels_severity_and_score():
    src = ('[condition.hello]\nscope = "first"\nany = ["您好"]\n\n[condition.bye]\nscope = "last"\nany = ["再见"]\n\n'
           '[[rule]]\nid = "hello"\ntype = "must_have"\nwhen = "hello"\ndeduct = 5\n\n'
           '[[rule]]\nid = "bye"\ntype = "must_have"\nwhen = "bye"\nseverity = "major"\nchannels = ["phone"]\n')
    eng = engine(src)
    assert eng.check(CHAT, "weibo") == (100.0, ())
    score, hits = eng.check(CHAT, "Phone")
    assert score == 95.0 and [(h.rule, h.turn, h.type) for h in hits] == [("bye", None, "must_have")]
    crit = engine(rule('any = ["报修"]', severity="critical"))
    assert crit.check(CHAT)[0] == 0.0  # a critical item zeroes the contact


def test_hits_carry_turn_and_span():
    _, hits = engine(rule('any = ["师傅"]', item="承诺")).check(CHAT)
    assert [(h.rule, h.item, h.turn, h.span) for h in hits] == [("r", "承诺", 3, "师傅")]


# -- errors name the file and the line ------------------------------------------------------------
@pytest.mark.parametrize("src, line, words", [
    ('[condition.a]\nany = ["x"]\nscope = "paragraph"\n', 4, "scope of condition 'a'"),
    ('[condition.a]\nany = ["x"]\n\n[[rule]]\nid = "r"\nwhen = "a and (b"\n', 7, "not closed"),
    ('[condition.a]\nanyy = ["x"]\n', 3, "unknown condition key 'anyy'"),
    ('[condition.a]\nregex = "("\n', 3, "not a valid regular expression"),
    ('[condition.a]\nany = ["x"]\n\n[[rule]]\nid = "r"\nwhen = "a"\nseverity = "fatal"\n', 8, "severity"),
    ('[condition.a]\nany = ["x"]\n\n[[rule]]\nid = "r"\nwhen = "a"\n\n[[rule]]\nid = "r"\nwhen = "a"\n', 9, "twice"),
    ('[condition.a]\nany = ["x"\n', 3, "not valid TOML"),
    ('[condition.a]\nany = ["x"]\nreply_over = 3\n', 3, "mixes timing"),
    ('[condition.a]\nrole = "agent"\n', 2, "checks nothing"),
])
def test_a_bad_rule_file_names_the_line(src, line, words):
    with pytest.raises(ConfigError) as e:
        parse_rules(HEAD + src, "my.toml")
    assert f"my.toml:{line}:" in str(e.value) and words in str(e.value)


def test_unknown_names_and_circular_anchors_name_the_line(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text(HEAD + '[[rule]]\nid = "r"\nwhen = "nosuch"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"mine.toml:2: rule 'r' reads condition 'nosuch'"):
        load_rules(f)
    f.write_text(HEAD + '[condition.a]\nany = ["x"]\nafter = "b"\n\n[condition.b]\nany = ["y"]\nafter = "a"\n',
                 encoding="utf-8")
    with pytest.raises(ConfigError, match=r"mine.toml:2: .*circle"):
        load_rules(f)


def test_a_user_file_overrides_extends_and_switches_off(tmp_path):
    f = tmp_path / "centre.toml"
    f.write_text(HEAD + '[condition.greeting]\nscope = "first"\nany = ["欢迎致电星联"]\n\n'
                 '[condition.slang]\nany = ["亲"]\n\n'
                 '[[rule]]\nid = "rude"\nenabled = false\nwhen = "rude"\n\n'
                 '[[rule]]\nid = "slang"\nwhen = "slang"\nitem = "用语规范"\n', encoding="utf-8")
    base, mine = load_rules(), load_rules(f)
    assert [r.id for r in mine.rules] == [r.id for r in base.rules] + ["slang"]
    assert not next(r for r in mine.rules if r.id == "rude").enabled
    eng = Engine(mine)
    got = rules_of(eng, T(("agent", "您好亲"), ("customer", "嗯")), "phone")
    assert "greeting" in got and "slang" in got  # 您好 no longer greets in this centre
    f.write_text(HEAD + '[settings]\ndefaults = false\n[condition.x]\nany = ["亲"]\n[[rule]]\nid = "x"\nwhen = "x"\n',
                 encoding="utf-8")
    assert [r.id for r in load_rules(f).rules] == ["x"]


# -- the shipped scorecard --------------------------------------------------------------------------
def test_shipped_scorecard_on_a_phone_call():
    eng = Engine(load_rules())
    good = T(("agent", "您好，工号1234为您服务，请问有什么可以帮您"), ("customer", "我要改套餐"),
             ("agent", "好的，请提供机主身份证号码核实您的身份"), ("customer", "好的"),
             ("agent", "已为您变更套餐，次月生效。请问还有什么可以帮您？"), ("customer", "没有了"), ("agent", "感谢您的来电，再见"))
    assert eng.check(good, "phone") == (100.0, ())
    bad = T(("agent", "喂"), ("customer", "我的宽带又断了，太差劲了，气死我了"),
            ("agent", "这个不归我们管，你自己去查"), ("customer", "那我改密码"), ("agent", "已为您修改密码"),
            ("customer", "你有病吧"), ("agent", "你有病"))
    score, hits = eng.check(bad, "电话")
    assert score == 0.0  # rude is critical
    assert {h.rule for h in hits} >= {"greeting", "self_intro", "closing", "identity_before_change", "shirking",
                                      "rude", "no_empathy"}
    assert eng.check(bad, "weibo")[1] and not {"greeting", "closing"} & {h.rule for h in eng.check(bad, "weibo")[1]}


def test_a_hit_says_whose_words_its_span_is():
    eng = Engine(load_rules())
    _, hits = eng.check(T(("customer", "这也太坑了吧，气死我了"), ("agent", "提前还款手续费是要一次性收取的")), "weibo")
    empathy = [h for h in hits if h.rule == "no_empathy"]
    assert empathy and all(h.speaker == "customer" for h in empathy)  # the customer's upset words
    _, hits = eng.check(T(("customer", "宽带又断了"), ("agent", "爱修不修")), "weibo")
    assert [h.speaker for h in hits if h.rule == "rude"] == ["agent"]
    assert all(h.speaker is None for h in hits if h.type == "must_have")


def test_take_it_or_leave_it_is_critical_but_a_customer_saying_it_is_not():
    eng = Engine(load_rules())
    for said in ("爱修不修", "爱买不买，反正不会降价", "这种价格爱买不买"):
        assert "rude" in {h.rule for h in eng.check(T(("customer", "宽带又断了"), ("agent", said)), "weibo")[1]}
    calm = T(("customer", "这个手机壳可爱不可爱，你们爱买不买我无所谓"), ("agent", "您好，有什么可以帮您"))
    assert "rude" not in {h.rule for h in eng.check(calm, "weibo")[1]}
    for said in ("非常抱歉之前的同事对您爱理不理，我代表公司向您道歉", "我们绝不会说爱买不买这种话",
                 "您反映的爱修不修这种态度我们一定严肃处理", "请问您爱吃不吃辣？"):
        assert "rude" not in {h.rule for h in eng.check(T(("customer", "态度太差"), ("agent", said)), "weibo")[1]}


def test_promise_without_time_and_commitments():
    turns = T(("customer", "退款呢"), ("agent", "我们会尽快联系您。"), ("agent", "已为您申请退款，3个工作日内到账。"),
              ("agent", "稍后给您回电"))
    eng = Engine(load_rules())
    assert [h.rule for h in eng.check(turns, "weibo")[1]] == ["promise_without_time", "promise_without_time"]
    got = [(c.turn, c.kind, c.due) for c in commitments(turns)]
    assert got == [(1, "callback", None), (2, "deadline", "3个工作日内"), (3, "callback", None)]
    assert commitments(T(("agent", "无法为您申请退款"))) == ()



def test_help_is_not_shirking_and_an_order_is_not_the_account():
    """Showing the way, asking a colleague for the customer, changing an order's address or an
    invoice title, and praise that denies disappointment are no QA faults (an analyst's read)."""
    eng = Engine(load_rules())
    for customer, agent in [("这个订单怎么看物流", "您好，您自己查看一下订单详情，点查看物流就可以看到了"),
                            ("咖啡机少发了一个配件", "这个我帮您找其他部门的同事核实一下，请稍等"),
                            ("地址写错了，能帮我改到3栋110室吗", "好的亲，已经帮您修改好了，收货地址为3栋110室"),
                            ("发票抬头能帮我改一下吗", "好的，已为您更改发票抬头"),
                            ("你们家的东西从来没让我失望过，点个赞", "谢谢亲的支持")]:
        rules = {h.rule for h in eng.check(T(("customer", customer), ("agent", agent)), "weibo")[1]}
        assert not rules & {"shirking", "identity_before_change", "no_empathy"}, (agent, rules)
    for agent in ("这个不归我们管，你自己去查", "这个不归我们管，我这边也没办法，你自己去问银行", "我这边管不了，你找别人去吧",
                  "快递丢了跟我们没关系，你自己点击物流入口去查"):
        assert "shirking" in {h.rule for h in eng.check(T(("customer", "查不到"), ("agent", agent)), "weibo")[1]}, agent
    for customer in ("真是气死我了，你们的垃圾服务不会让我失望，才怪", "太失望了，不要再让我失望了", "你们真让我失望"):
        assert "no_empathy" in {h.rule for h in eng.check(T(("customer", customer), ("agent", "好的")), "weibo")[1]}
    for agent in ("已经为您修改了绑定手机号，以后快递通知会发到新号码", "已经帮您注销了账户，订单记录会保留",
                  "已为您重置密码，预约服务不受影响"):
        got = {h.rule for h in eng.check(T(("customer", "改一下"), ("agent", agent)), "phone")[1]}
        assert "identity_before_change" in got, agent


def test_commitments_with_the_time_in_between():
    got = [(c.kind, c.due) for c in commitments(T(("agent", "我把您的问题升级给班长，班长会在今天下午5点前给您回电。"),
                                                   ("agent", "我已经登记了，会在今天之内处理。")))]
    assert got == [("callback", "今天"), ("deadline", "今天")]
    assert commitments(T(("agent", "我会在系统里帮您看一下"))) == ()

# -- hand-off ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("turns, state, at", [
    ((("customer", "查话费"), ("bot", "请问您要查询哪个月"), ("customer", "转人工")), "requested", 2),
    ((("customer", "人工"), ("bot", "请描述问题"), ("customer", "人工人工")), "requested", 0),
    ((("customer", "我要找真人客服"),), "requested", 0),
    ((("customer", "退款"), ("bot", "正在为您转接人工客服"), ("agent", "您好")), "transferred", 1),
    ((("customer", "退款"), ("bot", "请稍等"), ("agent", "您好，我是客服小王")), "transferred", 2),
    ((("customer", "打10010人工服务一直打不通"), ("agent", "抱歉")), "none", None),
    ((("customer", "人工智能什么时候能用"), ("agent", "您好")), "none", None),
    ((("customer", "蚂蚁借呗客服"),), "requested", 0),        # a bare 客服 command
    ((("customer", "请问有人在吗"),), "requested", 0),
    ((("customer", "人工电话是多少"),), "requested", 0),
    ((("customer", "客服电话多少"),), "none", None),           # a hotline number alone
    ((("customer", "可否人工提额"),), "none", None),           # a manual process
    ((("customer", "在吗"),), "none", None),                   # a greeting
    ((("customer", "@星联客服 我的宽带坏了"),), "none", None),  # a mention is not a request
])
def test_handoff(turns, state, at):
    got = handoff(T(*turns))
    assert got[:2] == (state, at)


def test_handoff_signals_before_it():
    turns = T(("customer", "我的话费怎么扣了这么多"), ("bot", "抱歉，我没有听懂"), ("customer", "我的话费为什么扣了这么多"),
              ("bot", "您可以查询账单"), ("customer", "答非所问，转人工"))
    state, at, signals = handoff(turns)
    assert (state, at) == ("requested", 4) and set(signals) == {"bot_fallback", "rephrased", "答非所问"}


# -- scorecards -------------------------------------------------------------------------------------
def test_scorecard_aggregation():
    h = [{"rule": "closing", "item": "结束语", "severity": "minor"}, {"rule": "rude", "item": "服务态度",
                                                                       "severity": "critical"}]
    cards = aggregate([("A1", 90.0, "ok", json.dumps(h[:1])), ("A1", 0.0, "problem", h), ("A2", None, "na", []),
                       ("A1", 100.0, "ok", "[]")])
    a1 = cards["A1"]
    assert (a1.contacts, a1.mean_score, a1.problem_share) == (3, 63.3, 1 / 3)
    assert a1.worst_items() == [("结束语", 2), ("服务态度", 1)]
    assert cards["A2"].mean_score is None and cards["A2"].problem_share is None
    t = total(cards)
    assert (t.contacts, t.scored, t.items["结束语"], t.severities["服务态度"]) == (4, 3, 2, "critical")


# -- the pipeline -----------------------------------------------------------------------------------
def test_load_qa_adds_the_fields_and_only_then(tmp_path):
    import voc
    from voc.records import Contact

    c = Contact("1", T(("agent", "您好"), ("customer", "转人工"), ("agent", "这个不归我们管")), channel="chat",
                metadata={"坐席工号": "A07", "班组": "一组"})
    plain = voc.load(disable=("topics",)).tag(c).to_record()
    assert "qa_score" not in plain
    rec = voc.load(qa=True, disable=("topics",)).tag(c).to_record()
    assert list(rec)[:len(plain)] == list(plain)
    assert rec["agent_id"] == "A07" and rec["team"] == "一组" and rec["handoff"] == "requested"
    assert {h["rule"] for h in rec["qa_hits"]} >= {"shirking", "closing"} and rec["qa_score"] < 100
    assert rec["agent_conduct"] in ("ok", "problem")
    keyed = voc.load(qa=True, pseudonymise_key="k", disable=("topics",)).tag(c).to_record()
    assert keyed["agent_id"].startswith("〔坐席:") and "A07" not in json.dumps(keyed, ensure_ascii=False)
    named = Contact("2", c.turns, channel="chat", metadata={"坐席姓名": "王小明"})
    assert voc.load(qa=True, disable=("topics",)).tag(named).to_record()["agent_id"] == "〔坐席〕"
    assert voc.load(qa=True, redact=False, disable=("topics",)).tag(named).to_record()["agent_id"] == "王小明"
