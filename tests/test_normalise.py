"""Normalisation: examples and properties (idempotent, never raises)."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voc.text.normalise import normalise, normalise_with_emoji


def test_fullwidth_traditional_html_emoji_controls():
    assert normalise("ＡＢＣ１２３，這個產品質量太差了！！") == "ABC123,这个产品质量太差了!!"
    assert normalise("客服&nbsp;态度<br/>很差&amp;敷衍") == "客服态度很差&敷衍"
    assert normalise("退款\u200b还没\x00到账\x07") == "退款还没到账"
    text, emoji = normalise_with_emoji("太气人了[怒][怒] 😡 谢谢[微笑]")
    assert text == "太气人了谢谢" and emoji == ("怒", "怒", "微笑", "😡")
    assert normalise("  多个   空格\n\n换行  ") == "多个空格换行"
    assert normalise("hello   world 你 好") == "hello world 你好"
    assert normalise("&amp;lt;b&amp;gt;双重转义") == "双重转义"


def test_keeps_numbers_and_latin_words():
    assert normalise("订单号 2026091512345678 金额 ¥12,345.67") == "订单号 2026091512345678 金额 ¥12,345.67"
    assert normalise("App 闪退 iOS 17") == "App 闪退 iOS 17"


CHARS = st.sampled_from(list("这個產品質量太差了！!，,。 \n\t\u3000<>&;[]微笑怒abcABC123１２３") +
                        ["&nbsp;", "<br>", "[怒]", "😡", "\u200b", "\x00", "&amp;", "</p>", "\ufeff"])


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(), st.lists(CHARS).map("".join)))
def test_idempotent_and_never_raises(text):
    once = normalise(text)
    assert isinstance(once, str)
    assert normalise(once) == once
    assert "\x00" not in once and "\u200b" not in once


def _unguarded(text):
    """normalise_with_emoji as it was before its fast paths (every substitution always run)."""
    import html
    import unicodedata

    from voc.text import normalise as n

    if not text:
        return "", ()
    for _ in range(3):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    text = n._TAG.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    text = n._strip_controls(text)
    text = n._t2s().convert(text)
    emoji = []
    if "[" in text:
        emoji += n._PLACEHOLDER.findall(text)
        text = n._PLACEHOLDER.sub(" ", text)
    found = n._EMOJI.findall(text)
    if found:
        emoji += [e for e in found if e.strip("\ufe0f\u200d")]
        text = n._EMOJI.sub(" ", text)
    text = n._WS.sub(" ", text).strip()
    text = n.without_fillers(text)
    text = n._CJK_SPACE.sub("", text)
    return text, tuple(emoji)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(), st.lists(CHARS | st.sampled_from(["<b>", "<!-- x -->", "你 好", " 好", "\u3000好"]))
                 .map("".join)))
def test_fast_paths_change_nothing(text):
    assert normalise_with_emoji(text) == _unguarded(text)


# characters that NFKC changes or composes: full-width forms, combining marks (after a
# full-width letter they compose with its ASCII form), kana voicing marks, compatibility
# ideographs, circled numbers, Hangul jamo, letters outside the BMP (𝐀)
NFKC_CHARS = st.sampled_from(list("ａＡ，？！\u3000ｶﾞﾟ\u3099\u309aか\u0301\u0323\u0308e\u00c5\u212b\u2126"
                                  "\u1e9b\u0387\u0f73\u2460\u32a4\u3392\uf900\u1100\u1161\u11a8가中文,.")
                             + ["\U0001d400", "\U0001f600", "\U0002f800"])


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.text(), st.lists(NFKC_CHARS, max_size=12).map("".join)))
def test_nfkc_is_unicodedata_nfkc(text):
    import unicodedata

    from voc.text.normalise import nfkc

    assert nfkc(text) == unicodedata.normalize("NFKC", text)


@pytest.mark.parametrize("spoken, written", [
    ("信用卡 就是说 那个 账单日 是哪天", "信用卡账单日是哪天"),
    ("嗯，就是，我想改一下套餐", "我想改一下套餐"),
    ("喂 喂 听得到吗", "听得到吗"),
    ("好的 好的 谢谢", "好的谢谢"),
    ("呃 我那个宽带 然后 一直连不上", "我那个宽带一直连不上"),
])
def test_spoken_fillers_go_from_customer_text(spoken, written):
    assert normalise(spoken) == written
    assert normalise(spoken, spoken=False) != written  # an agent's words stay as said


@pytest.mark.parametrize("text", [
    "嗯", "哦", "嗯嗯",  # an acknowledgement alone is kept
    "那个人态度太差了", "就是这个问题一直没解决", "额度怎么提高", "然后呢",  # fillers only where they stand alone
    "0 0", "第1 1期",
])
def test_words_that_only_look_like_fillers_stay(text):
    assert normalise(text) == normalise(text, spoken=False)


def test_fillers_only_from_customer_turns():
    import voc
    from voc.records import Contact, Turn

    nlp = voc.load(disable=("contact_type", "root_cause", "sentiment", "resolved", "churn", "escalation", "topics"))
    contact = Contact("c", (Turn("agent", "嗯 那个 我帮您查一下"), Turn("customer", "嗯 那个 我想查话费")))
    t = nlp.tag(contact)
    assert [x.text for x in t.turns] == ["嗯那个我帮您查一下", "我想查话费"]
    assert t.text == "我想查话费"
