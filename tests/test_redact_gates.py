"""The ASCII gates of Redactor.scrub (voc.text.redact.core): substring tests that answer as the
case-insensitive regexes they replace, and scrub's answers through them."""
import random
import re
import string

from voc.text.redact import Redactor
from voc.text.redact.core import _KEY_CUE, _NO_ASCII_DIGITS, _key_cue, _qq_passport_ascii, _wx_ascii

WX = re.compile(r"[VvWw][Xx]|weixin|wechat|WeChat", re.I)
QQ_PASSPORT = re.compile(r"qq|passport|[EeGg][0-9]{8}", re.I)


def ascii_values(n, seed=0):
    rng = random.Random(seed)
    parts = ["wx", "WX", "Vx", "vX", "weixin", "WeiXin", "WECHAT", "wechat", "qq", "QQ", "Qq", "passport", "PassPort",
             "E12345678", "g12345678", "G1234567", "U00", "@", "138", "0012345", "id", "-", " ", "_"]
    out = []
    for _ in range(n):
        k = rng.randint(0, 4)
        s = "".join(rng.choice(parts) if rng.random() < 0.5 else rng.choice(string.printable) for _ in range(k))
        out.append(s)
    return out + ["".join(chr(i) for i in range(128))]


def test_gates_equal_the_regexes_on_ascii():
    for s in ascii_values(50_000):
        assert _wx_ascii(s) == (WX.search(s) is not None), s
        assert _qq_passport_ascii(s) == (QQ_PASSPORT.search(s) is not None), s


def test_digit_count():
    five = re.compile(r"[0-9](?:[^0-9]*[0-9]){4}")  # the gate's test before: 5 ASCII digits anywhere
    for s in ascii_values(20_000, seed=1) + ["１２３４５６", "٣٣٣٣٣1", "1\n2\n3\n4\n5"]:
        digits = len(s) - len(s.translate(_NO_ASCII_DIGITS))
        assert digits == sum(map(s.count, "0123456789"))
        assert (digits >= 5) == (five.search(s) is not None)


def test_key_cue_memo():
    for key in ("联系人", "Name", "客户ID", "repeat_contacts", "card_no", "QQ号", "联系人"):
        assert (_key_cue(key) is None) == (_KEY_CUE.search(key) is None)
        if _key_cue(key):
            assert _key_cue(key).group() == _KEY_CUE.search(key).group()


def test_scrub_through_the_gates():
    r = Redactor()
    assert r.scrub("w00000000") == "w00000000"
    assert r.scrub("wx13812345678") != "wx13812345678"
    assert r.scrub({"联系人": "张伟", "repeat_contacts": 0})["repeat_contacts"] == 0
    assert r.scrub({"联系人": "张伟"})["联系人"] != "张伟"
    assert r.scrub("qq 12345678") != "qq 12345678"
    assert r.scrub("passport E12345678") != "passport E12345678"
