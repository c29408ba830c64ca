"""System lines (taxonomy section 10): export headers, queue and transfer notices,
auto-replies, masked placeholders and templates never reach the customer's text, tokens,
evidence or labels; evidence spans start and end on word boundaries."""
from __future__ import annotations

import re

import pytest

import voc
from voc.errors import ConfigError
from voc.lang.system_lines import SystemLines, system_lines
from voc.records import Contact, Turn
from voc.stages.templates import Templates

LINES = {
    "export header": "咨询订单号:88812345678",
    "order header": "订单编号:12345 商品ID:998877",
    "entry notice": "顾客通过商品详情页进入",
    "transfer": "正在为您转接人工客服，请稍候",
    "queue": "您前面还有3人，请耐心等待",
    "session end": "会话已结束",
    "auto-reply": "【自动回复】您好，客服暂时不在，请留言",
    "greeting auto-reply": "您好，欢迎光临本店",
    "rating request": "亲，请对本次服务进行评价哦",
    "masked placeholder": "[订单x]",
    "media": "[图片]",
}


@pytest.mark.parametrize("kind", sorted(LINES))
def test_each_kind_of_system_line(kind):
    assert system_lines().is_line(LINES[kind]), kind


@pytest.mark.parametrize("text", ["好的谢谢", "我排队排了一个小时也没人理", "我要转人工", "订单还没到，你们这服务已经结束了吗",
                                  "快递丢了怎么办", "欢迎你个头，东西坏了"])
def test_customer_words_are_not_system_lines(text):
    assert not system_lines().is_line(text)


def test_fragments_are_stripped_from_customer_turns():
    s = system_lines()
    assert s.strip("我的订单[订单x]怎么还没到") == "我的订单 怎么还没到"
    assert "订单号" not in s.strip("咨询订单号:[订单x] 快递什么时候到")
    assert s.split("[数字x][金额x]") == (True, "[数字x][金额x]")


def _dialogue(i: int = 0) -> Contact:
    return Contact(f"d{i}", (
        Turn("customer", "咨询订单号:[订单x]"),
        Turn("agent", "顾客通过商品详情页进入"),
        Turn("customer", "我买的手机屏幕坏了[数字x]天了，你们必须给我换货"),
        Turn("customer", "正在为您转接人工客服，请稍候"),
        Turn("agent", "亲，非常抱歉，马上为您处理"),
    ))


@pytest.fixture(scope="module")
def pipeline():
    return voc.load(disable=("topics",))


def test_system_lines_never_reach_text_tokens_or_evidence(pipeline):
    t = pipeline.tag(_dialogue())
    assert [x.speaker for x in t.turns] == ["system", "system", "customer", "system", "agent"]
    assert t.text == "我买的手机屏幕坏了天了,你们必须给我换货"
    for word in ("订单", "咨询", "转接", "进入", "数字"):
        assert word not in t.text and not any(word in tok for tok in t.tokens), word
    for span in t.root_cause.evidence:
        assert span in t.text and not system_lines().is_line(span)
    assert "x" not in "".join(t.emoji)  # placeholders are not emoji
    rec = t.to_record()
    assert "咨询订单号" not in (rec.get("text") or "")


def test_a_contact_of_system_lines_only_has_no_customer_text(pipeline):
    t = pipeline.tag(Contact("s", (Turn("customer", "顾客通过搜索进入"), Turn("customer", "[订单x]"))))
    assert t.text == "" and t.status.startswith("empty")
    assert t.root_cause.label == "other" and not t.root_cause.evidence


def test_template_repeated_across_contacts_becomes_system():
    line = "亲爱的顾客您好，本店所有商品均为正品，七天无理由退换"
    contacts = [Contact(str(i), (Turn("customer", line), Turn("customer", f"第{i}单的快递还没到，太慢了")))
                for i in range(6)]
    pre = Templates(3)
    out = [pre(c) for c in contacts]
    assert [c.turns[0].speaker for c in out] == ["customer", "customer", "system", "system", "system", "system"]
    assert all(c.turns[1].speaker == "customer" for c in out[:2])
    # short polite lines are never templates
    pre = Templates(2)
    assert all(pre(Contact(str(i), (Turn("customer", "好的谢谢"),))).turns[0].speaker == "customer" for i in range(5))
    # through the pipeline: deterministic, and a fresh count on every run
    p = voc.load(template_repeats=3, disable=("topics", "root_cause", "churn", "escalation"))
    texts = [t.text for t in p.pipe(contacts)]
    assert texts[0].startswith("亲爱的顾客") and not texts[5].startswith("亲爱的顾客")
    assert [t.text for t in p.pipe(contacts)] == texts
    off = voc.load(template_repeats=0, disable=("topics", "root_cause", "churn", "escalation"))
    assert all(t.text.startswith("亲爱的顾客") for t in off.pipe(contacts))


def test_templates_memory_is_capped():
    pre = Templates(2, max_lines=3)
    for i in range(10):
        pre(Contact(str(i), (Turn("customer", f"这是第{chr(0x4e00 + i)}条不同的很长的消息内容"), Turn("agent", "好的"))))
    assert len(pre._counts) == 3


def test_templates_leave_tickets_and_the_agents_script_alone():
    """Thirty identical tickets about one outage stay thirty complaints; an agent's greeting said
    in every call stays the agent's (quality inspection reads it); only customer lines of
    dialogues become templates."""
    pre = Templates(3)
    ticket = "客户反映宽带无法上网，要求尽快上门维修。"
    assert all(pre(Contact(str(i), (Turn("customer", ticket),))).turns[0].speaker == "customer" for i in range(6))
    greeting = "您好，工号1023为您服务，请问有什么可以帮您"
    calls = [pre(Contact(f"c{i}", (Turn("agent", greeting), Turn("customer", f"我的宽带第{i}次断网了，怎么回事"))))
             for i in range(6)]
    assert all(c.turns[0].speaker == "agent" for c in calls)
    p = voc.load(qa=True, template_repeats=3, disable=("topics",))
    scores = [t.qa.score for t in p.pipe([Contact(f"q{i}", (Turn("agent", greeting), Turn("customer", "查一下话费余额"),
                                                           Turn("agent", "好的，感谢您的来电，再见")), channel="phone")
                                          for i in range(6)])]
    assert len(set(scores)) == 1  # the sixth call scores as the first


def test_user_pattern_file(tmp_path, pipeline):
    f = tmp_path / "lines.tsv"
    f.write_text("# my export\nprefix\t【工单系统】\tticket header\nline\t^来电号码\tcall header\n"
                 "fragment\t\\{坐席\\d+\\}\tagent tag\n", encoding="utf-8")
    s = SystemLines.from_files(f)
    assert s.is_line("【工单系统】新工单") and s.is_line("来电号码:〔手机号〕") and s.is_line("咨询订单号:1")
    p = voc.load(system_lines=str(f), disable=("topics",))
    t = p.tag(Contact("u", (Turn("customer", "【工单系统】新工单"), Turn("customer", "{坐席12}网速太慢了，一直掉线"))))
    assert t.text == "网速太慢了,一直掉线"
    assert "工单" not in t.text
    assert pipeline.tag(Contact("u", (Turn("customer", "【工单系统】新工单"),))).text == "【工单系统】新工单"
    bad = tmp_path / "bad.tsv"
    bad.write_text("regex\t^x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.tsv:1"):
        SystemLines.from_file(bad)
    bad.write_text("line\t(unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a valid regular expression"):
        SystemLines.from_file(bad)
    with pytest.raises(ConfigError, match="template_repeats"):
        voc.load(template_repeats=-1)


def test_cli_system_lines_option(tmp_path):
    import json

    from click.testing import CliRunner

    from voc.cli import cli

    f = tmp_path / "lines.tsv"
    f.write_text("prefix\t【工单系统】\tticket header\n", encoding="utf-8")
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"id": "1", "turns": [{"speaker": "customer", "text": "【工单系统】新工单"},
                                                    {"speaker": "customer", "text": "宽带又断了"}]},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(cli, ["tag", str(inp), "-o", str(out), "--system-lines", str(f), "-q"])
    assert r.exit_code == 0, r.output
    rec = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert "工单系统" not in json.dumps(rec, ensure_ascii=False)


# -- evidence spans on word boundaries ---------------------------------------------------------
def _bounds(text: str) -> set[int]:
    from voc.estimators.root_cause_spans import word_bounds

    return set(word_bounds(text))


def test_span_cut_never_splits_a_word():
    from voc.estimators.root_cause_spans import add_span

    text = "我上个月在你们营业厅办理的宽带套餐到现在都没有人上门安装而且客服电话一直打不通真的很气人"
    for surface in ("安装", "打不通", "宽带", "上门"):
        for chars in (6, 9, 12, 20):
            spans: list[tuple[int, int]] = []
            add_span(text, surface, spans, 2, chars)
            (a, b), = spans
            assert surface in text[a:b]
            bounds = _bounds(text)
            assert a in bounds and b in bounds, (surface, chars, text[a:b])


def test_word_bounds_of_one_block_are_those_of_the_whole_text():
    """The span cutter segments only the block a cut falls in; the bounds it finds are those
    of the whole text's segmentation, at every cut."""
    from bisect import bisect_left, bisect_right

    from voc.estimators.root_cause_spans import SpanMemo, on_word_bounds, word_bounds

    for text in ("我昨天打了3.15热线投诉你们的宽带一直断网，客服说www.example.com上查",
                 "套餐从1.5G变成了500M流量也没有人通知我\r\n再不处理我就投诉到12315",
                 "退款 退款 说好的三天到账结果十天了还没到"):
        whole, memo = word_bounds(text), SpanMemo()
        for a in range(len(text) + 1):
            for b in range(a, len(text) + 1):
                want = whole[bisect_right(whole, a) - 1], whole[bisect_left(whole, b)]
                assert on_word_bounds(text, a, b, memo) == want, (a, b)


def test_span_cut_at_a_delimiter_inside_a_word_moves_out():
    """A clause ends at the "." of "3.15" (a clause delimiter, inside a token of the whole
    text): the span moves out to the word boundary instead of starting at "15"."""
    from voc.estimators.root_cause_spans import add_span

    cases = [("我昨天打了3.15热线投诉你们的宽带一直断网", "热线", "3.15热线"),
             ("套餐从1.5G变成了500M流量也没有人通知我", "变成", "1.5G变成"),
             ("你们的网站www.example.com总是打不开", "打不开", "com总是打不开")]
    for text, surface, starts in cases:
        for chars in (6, 8, 12):
            spans: list[tuple[int, int]] = []
            add_span(text, surface, spans, 2, chars)
            (a, b), = spans
            bounds = _bounds(text)
            assert a in bounds and b in bounds, (text[a:b], chars)
            assert surface in text[a:b]
        spans = []
        add_span(text, surface, spans, 2, 8)
        assert text[spans[0][0]:spans[0][1]].startswith(starts), text[spans[0][0]:spans[0][1]]


# -- real data: the reserved rows --------------------------------------------------------------
@pytest.mark.realdata
@pytest.mark.slow
def test_reserved_evidence_has_no_system_line_and_splits_no_word(shared_data):
    """Every evidence span of the reserved everyday and adjudicated items lies in the customer
    text, is not a system line, and starts and ends on a word boundary of the segmenter."""
    from voc.datasets import read_labels
    from voc.resources import corpus_path

    contacts = [c for name in ("everyday_reserved.csv", "reserved_adjudicated.csv")
                for c, _ in read_labels(corpus_path("labels", name))]
    p = voc.load(disable=("topics", "churn", "escalation", "sentiment"))
    s = system_lines()
    n = 0
    for t in p.pipe(contacts):
        bounds = None
        for span in t.root_cause.evidence:
            n += 1
            assert not s.is_line(span) and s.strip(span) == span, span
            a = t.text.find(span)
            assert a >= 0
            b = a + len(span)
            bounds = bounds or _bounds(t.text)
            assert a in bounds and b in bounds, span  # as bench/everyday_eval.py counts a split word
    assert n > 500


def test_line_key_drops_exactly_the_whitespace_of_the_re_module():
    import re

    from voc.stages.templates import line_key
    from voc.text.normalise import nfkc

    ws = re.compile(r"\s+")
    for i in range(0x110000):
        if 0xD800 <= i < 0xE000:
            continue
        text = f"客服{chr(i)}您好 12"
        assert line_key(text) == re.sub(r"\d+", "0", ws.sub("", nfkc(text).lower())), hex(i)


# -- the scanning lookahead (voc.lang.patterns.compile_scanning) ---------------------------------
SCAN_PATTERNS = ["abc", "a|b", "(?:咨询)?订单号", "^x", r"\d+元", "a*b", "(a|)c", r"\bfoo", "x(?=y)", "[a-c]+",
                 r"您前面(?:还有|尚有)\s*\d+\s*(?:人|位)", r"\[(?:订单|数字)\s*[xX×*]?\d*\]", "K|ſ", "[^a]b", ".b",
                 "a?", "(?i:a)b", r"(\w)\1", "Straße|İ"]


@pytest.mark.parametrize("flags", [0, re.IGNORECASE])
def test_scanning_lookahead_finds_the_same_matches(flags):
    """The lookahead in front changes speed only: search, sub and finditer give what the plain
    pattern gives, on random texts over an alphabet that the patterns' characters and their
    case variants (K/k/KELVIN SIGN, s/ſ, İ/i) come from."""
    import random

    from voc.lang.patterns import compile_scanning

    alphabet = "abcxyfoKkKsſSİi元订单号咨询您前面还有人 [*]0123456789ßStraeé\n"
    rng = random.Random(7)
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for pattern in SCAN_PATTERNS:
        plain, fast = re.compile(pattern, flags), compile_scanning(pattern, flags)
        for t in texts:
            assert [m.span() for m in fast.finditer(t)] == [m.span() for m in plain.finditer(t)], (pattern, t)
            assert fast.sub("#", t) == plain.sub("#", t)


def test_first_chars_only_where_they_can_be_told():
    from voc.lang.patterns import first_chars

    assert first_chars("(?:咨询)?订单") == "[\\U000054a8\\U00008ba2]"  # 咨 or 订
    assert first_chars(r"\d+元") == r"[\d]"
    for pattern in ("a?", "[^a]b", ".b", "(?i:a)b", "x|", "$"):  # empty matches, any character, flags
        assert first_chars(pattern) is None, pattern


def test_shipped_system_lines_through_the_lookahead():
    lines = SystemLines.from_files()
    assert lines.strip("咨询订单号:[订单x] 我的快递呢") == "我的快递呢"
    assert lines.strip("您好[数字x]元的[订单X]") == "您好 元的"
    assert lines.is_line("您前面还有 3 人，请耐心等待") and not lines.is_line("订单什么时候到")


@pytest.mark.parametrize("text, said", [
    ("系统提示：支付失败，请更换支付方式。我用的信用卡，怎么回事？", "怎么回事"),
    ("刚才机器人说您前面还有15位，我等了四十分钟才接进来，你们客服也太少了吧", "四十分钟"),
    ("人工客服繁忙，打了五次都打不进来，你们到底有没有人？", "打不进来"),
    ("刚才你们机器人一直说正在为您转接人工客服请稍候，结果等了二十分钟都没人，什么破服务", "破服务"),
])
def test_a_customer_quoting_a_notice_keeps_the_turn(pipeline, text, said):
    """A notice pattern made the whole turn a system line, so the customer's complaint about the
    queue or the payment error was lost; words in the customer's own voice (我, 你们) keep it."""
    assert not system_lines().is_line(text)
    t = pipeline.tag(Contact("q", (Turn("customer", text), Turn("agent", "非常抱歉让您久等了"))))
    assert said in t.text and t.turns[0].speaker == "customer"


@pytest.mark.parametrize("text", ["用户已通过微信公众号接入", "您已进入人工服务队列，当前排队第3位，请耐心等待",
                                  "会话超时，系统已自动结束本次会话", "用户评价：非常满意",
                                  "人工客服繁忙，请留言，我们将尽快回复您", "亲，我是智能客服小蜜，正在为您转接人工客服，请稍候"])
def test_more_notices_without_the_customer_voice(text):
    assert system_lines().is_line(text)


def test_notice_lines_inside_a_customer_cell_go_and_the_customer_words_stay(pipeline):
    """An export that writes the system's lines into the customer's cell: the notice lines go,
    the customer's lines stay, and the turn stays one turn."""
    t = pipeline.tag(Contact("m", (Turn("customer", "转人工\n正在为您转接人工客服，请稍候\n您前面还有2位，请耐心等待"),
                                   Turn("agent", "您好，请问有什么可以帮您"),
                                   Turn("customer", "好的\n会话已结束"))))
    assert [x.speaker for x in t.turns] == ["customer", "agent", "customer"]
    assert t.text == "转人工。好的"
    assert pipeline.tag(Contact("s", (Turn("customer", "正在为您转接人工客服，请稍候\n您前面还有2位"),))).text == ""


@pytest.mark.parametrize("text", ["为什么系统自动结束会话了？问题还没解决", "怎么又会话超时了，烦死了，再这样就投诉",
                                  "排了半天还是当前排队第8位，什么破服务，销户", "我进入队列半小时了还没人",
                                  "已经进入排队队列一个小时了还没人理", "对话超时好几次了，烦死了", "买家已从店铺咨询过，没人回复",
                                  "系统：安卓12"])
def test_customer_complaints_in_notice_words_are_not_notices(text):
    """The notice patterns name the notice's own wording: a customer complaining about a
    timeout or the queue, without a pronoun, is still the customer."""
    assert not system_lines().is_line(text)


@pytest.mark.parametrize("text", ["【自动回复】您好，我现在不在，稍后回复您", "本消息由机器人自动发送，我不会回复",
                                  "请对本次服务进行评价，我需要您的支持", "您前面还有5位，我会尽快为您服务",
                                  "【自动回复】您好，咱们店铺客服在线时间为9:00-22:00"])
def test_markers_and_service_talk_stay_system_lines_whatever_follows(pipeline, text):
    assert system_lines().is_line(text)
    t = pipeline.tag(Contact("b", (Turn("customer", "我的快递三天没到"), Turn("agent", text))))
    assert [x.speaker for x in t.turns] == ["customer", "system"]
