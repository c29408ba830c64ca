"""Finders for the kinds that name a person or an account: personal names, WeChat ids, QQ
numbers and passports / travel permits. Each ``find_*`` reads the normalised copy and yields
``(start, end, kind)``.

Names are found three ways, all cheap on text without them:

* a surname (+ one or two given-name characters) right before a form of address (王先生,
  何女士, 张伟经理); the title is kept (``〔姓名〕女士``), plural and pet forms (先生们, 小姐姐),
  words that end in a surname character (谢谢老师) and common two-character words that start
  or end with one (司机师傅, 相关律师, 华侨小姐: jieba frequency >= ``COMMON_WORD``) are not names;
* after a name cue when the next character is a surname: after a strong cue (姓名, 联系人,
  收件人, 我叫 ...) the surname and up to three characters to the next punctuation or word;
  after a weak cue (我是, 本人, 叫我) a surname + one or two characters that end the phrase and
  are not a common word of jieba's dictionary (我是华为手机 is no name). jieba's
  part-of-speech tagger (``jieba.posseg``, person names ``nr``) was measured for this: it
  costs 5-7 s of loading per process (two passes over the 350,000-line dictionary), over 10%
  of a 50,000-contact run, so it is used only on topic-model terms (``is_person_name``);
* a user list of names (``Settings.names``, ``voc tag --names FILE``): exact matches.
"""
from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["SURNAMES", "find_name", "find_wechat", "find_qq", "find_passport", "name_list_finder", "is_person_name"]

# the ~190 most common surnames (one character) and the common compound ones; 东 is left out
# (房东先生), as are characters that are almost always another word before a title
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古"
    "吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫"
    "寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
    "張劉陳楊黃趙吳孫馬鄭謝韓馮鄧蕭葉蘇呂盧鍾譚陸範賈韋鄒薛閆雷龍陶賀顧龔萬錢嚴湯聶魯歐蘭")
_COMPOUND = frozenset("欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 长孙 宇文 司徒 夏侯 端木 歐陽 司馬".split())
_TITLES = ("先生", "女士", "小姐", "老师", "經理", "经理", "师傅", "師傅", "阿姨", "律师", "医生", "醫生", "主任",
           "老師", "同学", "大爷", "大姐", "姐姐", "总监", "太太", "夫人")
_TITLE_RE = re.compile("|".join(_TITLES))
# after the title: plural or pet forms, and words the title starts (女士专用 has no surname anyway)
_AFTER_TITLE_BAD = frozenset("们們姐哥")
# two-character words that end in a surname character and often stand before a title
_WORD_ENDINGS = frozenset("谢谢 感谢 多谢 語文 语文 英文 中文 日文 主任 班主 宿管 保安 公安 学生 新生 医师 家长 考生 大学 中学 小学 "
                          "数学 化学 文学 老王 老李 老张 小王 小李 小张 同学 高级 美女 帅哥".split())
_HAN = re.compile("[\u4e00-\u9fff]")
# characters that never belong to a given name (particles, pronouns, verbs of address)
_VERB_END = frozenset("找问系告谢有见叫给喂")  # 找王先生, 请问, 联系, 转告, 谢谢, 还有, 叫
_NOT_GIVEN = frozenset("的了是在和跟给找叫请问说位个们这那您你我他她吗呢啊吧哦嗯就也都还又很把被让对向与及或先女老"
                       "师经阿医律主同大姐太夫总")


def _han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def _before_ok(norm: str, s: int) -> bool:
    """The character before a name candidate ends a word: start, not Chinese, or a particle
    or verb of address (找, 问, 联系, 转告, 谢谢 ...)."""
    return s == 0 or not _han(norm[s - 1]) or norm[s - 1] in _NOT_GIVEN or norm[s - 1] in _VERB_END \
        or norm.endswith(_FOLLOW, 0, s)


def _title_names(norm: str):
    for m in _TITLE_RE.finditer(norm):
        t, e = m.start(), m.end()
        if e < len(norm) and norm[e] in _AFTER_TITLE_BAD:
            continue
        if t < 1 or not _han(norm[t - 1]) or norm[t - 1] in _NOT_GIVEN:
            continue
        if t >= 2 and norm[t - 2:t] in _WORD_ENDINGS and norm[t - 3:t] != "谢谢谢":
            continue
        # the longest surname (+ one or two given-name characters) that starts a word:
        # 王先生, 孙桂女士 (桂 is a surname too), 张小伟先生, 欧阳娜娜女士
        best = -1
        for n in (1, 2, 3, 4):
            s = t - n
            if s < 0 or not _han(norm[s]) or (n > 1 and norm[s] in _NOT_GIVEN):
                break
            compound = norm[s:s + 2] in _COMPOUND
            if (norm[s] in SURNAMES or compound) and (n < 4 or compound) and _before_ok(norm, s) \
                    and (norm[max(0, s - 1):s + 1] not in _WORD_ENDINGS or norm[max(0, s - 2):s + 1] == "谢谢谢") \
                    and norm[s:s + 2] not in _WORD_ENDINGS \
                    and not any(c in _VERB_END for c in norm[s + 1:t]) \
                    and not (n == 2 and _common_word(norm[s:t])):
                best = s
        if best < 0 and norm[t - 1] in SURNAMES and not (t >= 2 and _common_word(norm[t - 2:t])):
            best = t - 1
        if best >= 0:
            yield best, t, "name"


_STRONG_CUE = r"我叫|姓名|名字|联系人|聯繫人|收件人|收货人|收貨人|寄件人|签收人|簽收人|持卡人|户名|戶名|机主|機主|开户人|開戶人"
_WEAK_CUE = r"我是|本人|叫我"
_CUE_RE = re.compile(rf"(?:(?P<strong>{_STRONG_CUE})|(?P<weak>{_WEAK_CUE}))(?:是|叫|为|為|:|：| ){{0,3}}")
_NAME_END = frozenset("，。,.!！?？；;：: \n的电電手号號身地住在先女小")


@lru_cache(maxsize=1)
def _pos_tokenizer():
    """jieba's part-of-speech tagger on the project's tokenizer (its dictionary is loaded
    once for the segment stage anyway; the tagger adds about 0.6 s)."""
    import jieba.posseg

    from ..segment import default_segmenter

    return jieba.posseg.POSTokenizer(default_segmenter().tokenizer)


def warm_pos() -> None:
    """Load what names after a weak cue need (jieba's dictionary, shared with the segment stage)."""
    _dictionary()


@lru_cache(maxsize=4096)
def _pos_name(window: str) -> int:
    """Length of the person name (jieba ``nr``) at the start of ``window``, or 0."""
    for pair in _pos_tokenizer().cut(window):
        w, flag = pair.word, pair.flag
        if flag in ("nr", "nrfg", "nrt") and 2 <= len(w) <= 4 and (w[0] in SURNAMES or w[:2] in _COMPOUND) \
                and not _TITLE_RE.search(w):
            return len(w)
        return 0
    return 0


@lru_cache(maxsize=65536)
def is_person_name(word: str) -> bool:
    """A token jieba tags as a person name and that starts with a surname (for topic terms)."""
    return 2 <= len(word) <= 4 and (word[0] in SURNAMES or word[:2] in _COMPOUND) and _pos_name(word) == len(word)


_FUNCTION = frozenset("和与與及或的是")  # surname characters that are far more often a particle after a cue
_WEAK_AFTER = frozenset("啊呀吧哈呢嘛")  # "我是张伟啊"; "我是华为手机" is not a name


_FOLLOW = ("谢谢", "好的", "麻烦", "还有", "另外", "然后", "就是", "就这", "收到", "电话", "手机", "身份", "地址",
           "卡号", "联系", "邮箱", "微信", "您好", "你好", "嗯", "对", "我", "家", "在", "是", "的", "啊", "加", "拨打", "打", "发")


def _boundary(norm: str, e: int, extra: frozenset = frozenset(), follow: bool = True) -> bool:
    return e >= len(norm) or not _han(norm[e]) or norm[e] in extra or (follow and norm.startswith(_FOLLOW, e))


def _cue_names(norm: str):
    for m in _CUE_RE.finditer(norm):
        s = m.end()
        if s >= len(norm) or norm[s] in _FUNCTION or not (norm[s] in SURNAMES or norm[s:s + 2] in _COMPOUND):
            continue
        if m.group("strong"):
            # after 姓名/联系人/收件人/我叫 ...: the surname and one to three more characters up
            # to punctuation, a digit, the end or a following word
            most = 4 if norm[s:s + 2] in _COMPOUND else 3
            e = s + 1
            while e < len(norm) and e - s < most and _han(norm[e]) and norm[e] not in _NAME_END \
                    and not norm.startswith(_FOLLOW, e):
                e += 1
            if _boundary(norm, e):
                yield s, e, "name"
            else:  # ASR text runs on (名字是张伟停车场...): the name ends where a common word starts
                freq = _dictionary()
                base = 3 if norm[s:s + 2] in _COMPOUND else 2
                n = next((k for k in (base, base + 1) if (freq.get(norm[s + k:s + k + 2]) or 0) >= 100), base)
                yield s, s + n, "name"
        else:
            n = _weak_name(norm, s)
            if n:
                yield s, s + n, "name"


def _weak_name(norm: str, s: int) -> int:
    """After 我是/本人/叫我: a surname + one or two characters that end at punctuation, a digit,
    the end or 啊/呀/吧 ..., and that are not a common word of jieba's dictionary (我是华为手机,
    我是高级会员 are not names). Length of the name, or 0."""
    freq = _dictionary()
    for n in ((4, 3) if norm[s:s + 2] in _COMPOUND else (3, 2)):
        cand = norm[s:s + n]
        if len(cand) == n and all(_han(c) for c in cand) and _boundary(norm, s + n, _WEAK_AFTER, follow=False) \
                and (freq.get(cand) or 0) < 100 and not any(c in _NOT_GIVEN for c in cand[1:]):
            return n
    return 0


COMMON_WORD = 1000  # jieba frequency above which a two-character word before a title is not a name


def _common_word(word: str) -> bool:
    """A word far more common than any name (司机, 华侨, 辛苦, 相关, 安装: 司机师傅 and 相关律师
    are no names); names in jieba's dictionary (张伟, 李娜, 高明) stay under ``COMMON_WORD``."""
    return (_dictionary().get(word) or 0) >= COMMON_WORD


@lru_cache(maxsize=1)
def _dictionary() -> dict:
    """jieba's word frequencies (the project's tokenizer: loaded for the segment stage anyway)."""
    from ..segment import default_segmenter

    tok = default_segmenter().tokenizer
    getattr(tok, "check_initialized", lambda: None)()
    return tok.FREQ


_NAME_HINT = re.compile(rf"{_TITLE_RE.pattern}|{_STRONG_CUE}|{_WEAK_CUE}")


def find_name(norm: str):
    if not _NAME_HINT.search(norm):
        return
    yield from _title_names(norm)
    yield from _cue_names(norm)


def name_list_finder(names):
    """A finder for a user list of names (exact matches, longest first)."""
    names = sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)
    if not names:
        return None
    rx = re.compile("|".join(re.escape(n) for n in names))

    def find(norm: str):
        for m in rx.finditer(norm):
            yield m.start(), m.end(), "name"
    return find


# WeChat: a cue, then an id of 6-20 characters starting with a letter; wxid_... anywhere
_WX_CUE = r"微信号?|微信號|微信|薇信|威信|V信|v信|加V|加v|(?<![A-Za-z])(?:VX|Vx|vx|vX|WX|Wx|wx|weixin|WeChat|wechat)"
_WECHAT_RE = re.compile(
    rf"(?:(?:{_WX_CUE})(?:号|號|是|为|為|id|ID|:|：| |-){{0,4}}(?P<id>[a-zA-Z][-_a-zA-Z0-9]{{5,19}})(?![-_a-zA-Z0-9]))"
    r"|(?<![A-Za-z0-9_])(?P<wxid>wxid_[a-z0-9]{8,20})(?![a-z0-9])"
)
_QQ_RE = re.compile(
    r"(?:QQ|qq|Qq|扣扣|企鹅|企鵝|Q号|q号|Q號)(?:号|號|号码|號碼|是|为|為|:|：| |-){0,4}(?P<id>[1-9][0-9]{4,10})(?![0-9])"
)
# passports: after a cue (护照, 通行证 ...) a letter or two + 7-9 digits; without a cue the
# Chinese passport layouts E/G + 8 digits only
_PASSPORT_CUE_RE = re.compile(
    r"(?:护照|護照|通行证|通行證|回乡证|回鄉證|台胞证|台胞證|passport|Passport|PASSPORT)"
    r"(?:号码|號碼|号|號|是|为|為|:|：| |-){0,4}(?P<id>[A-Za-z]{1,2}[0-9]{7,9})(?![0-9])"
)
_PASSPORT_RE = re.compile(r"(?<![A-Za-z0-9])[EeGg][0-9]{8}(?![0-9])")


def find_wechat(norm: str):
    for m in _WECHAT_RE.finditer(norm):
        g = "id" if m.group("id") else "wxid"
        yield m.start(g), m.end(g), "wechat"


def find_qq(norm: str):
    for m in _QQ_RE.finditer(norm):
        yield m.start("id"), m.end("id"), "qq"


def find_passport(norm: str):
    for m in _PASSPORT_CUE_RE.finditer(norm):
        yield m.start("id"), m.end("id"), "passport"
    for m in _PASSPORT_RE.finditer(norm):
        yield m.start(), m.end(), "passport"
