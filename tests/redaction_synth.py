"""Deterministic generator of synthetic Chinese customer-service sentences with
gold personal-data spans, for measuring ``voc.text.redact``.

Every value is synthetic.  Positives are built to be *valid* (resident IDs with a
real province code, a real calendar birth date and a correct ISO 7064 check
digit; bank cards with real issuer prefixes and a correct Luhn digit; mobile
numbers from allocated 1[3-9]x blocks ...).  Look-alike negatives are built to be
*deliberately wrong or out of scope* (ID-shaped numbers with a wrong check digit
or an impossible date, card-shaped numbers failing Luhn, order and tracking
numbers, amounts, dates, hotlines ...).

Formats follow what real exports contain: typed chat (punctuation, grouped or
ungrouped digits, +86 prefixes, full-width digits from Chinese IMEs) and ASR
transcripts (no punctuation, fillers, digits split by spaces, lowercase letters,
spoken digits such as 幺三八).

Gold span policy (mirrors docs/privacy.md):
* mobile spans include any +86/0086/86 prefix; landline spans include area code,
  parentheses and extension;
* address spans start at the street-level component (road / street / lane /
  residential compound / village / building) and run through the last number
  detail; province, city, district, county, town and 街道 are not part of the
  span.

Usage::

    from redaction_synth import generate
    for s in generate(1000, seed=7):
        s.text, s.gold, s.decoys
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

DEFAULT_SEED = 20260903

# --------------------------------------------------------------------------- #
# data model


@dataclass(frozen=True)
class Span:
    kind: str  # entity kind (gold) or look-alike label (decoy)
    start: int
    end: int
    text: str


@dataclass
class Sample:
    text: str
    gold: list[Span] = field(default_factory=list)  # personal data to redact
    decoys: list[Span] = field(default_factory=list)  # look-alikes to keep
    style: str = "typed"

    @property
    def is_negative(self) -> bool:
        return not self.gold


# --------------------------------------------------------------------------- #
# check-digit helpers (public: the tests use them to build cases)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    s = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS))
    return ID_CHECK[s % 11]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_check_digit(body: str) -> str:
    for d in "0123456789":
        if luhn_ok(body + d):
            return d
    raise AssertionError


def _days_in_month(y: int, m: int) -> int:
    if m == 2:
        return 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28
    return 30 if m in (4, 6, 9, 11) else 31


PROVINCES = (
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65"
).split()

FW = {ord(c): chr(ord(c) + 0xFEE0) for c in "0123456789@.-+()X"}


def to_fullwidth(s: str, rng: random.Random, partial: bool = False) -> str:
    if partial:  # IMEs sometimes switch mid-number
        cut = rng.randrange(1, max(2, len(s)))
        return s[:cut] + s[cut:].translate(FW)
    return s.translate(FW)


SPOKEN = {"0": "零", "1": "幺", "2": "二", "3": "三", "4": "四", "5": "五",
          "6": "六", "7": "七", "8": "八", "9": "九"}


def to_spoken(digits: str, rng: random.Random) -> str:
    out = []
    for d in digits:
        if d == "1":
            out.append("幺" if rng.random() < 0.8 else "一")
        elif d == "0":
            out.append("零" if rng.random() < 0.8 else "〇")
        else:
            out.append(SPOKEN[d])
    return "".join(out)


def group(s: str, sizes, sep: str) -> str:
    out, i = [], 0
    for n in sizes:
        if i >= len(s):
            break
        out.append(s[i:i + n])
        i += n
    if i < len(s):
        out.append(s[i:])
    return sep.join(out)


# --------------------------------------------------------------------------- #
# value makers: positives


MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 145 147 149 150 151 152 153 155 "
    "156 157 158 159 162 165 166 167 170 171 172 173 175 176 177 178 180 181 "
    "182 183 184 185 186 187 188 189 190 191 192 193 195 196 197 198 199"
).split()


def mobile_digits(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def fmt_mobile(rng: random.Random, d: str, asr: bool) -> str:
    r = rng.random()
    if asr:
        if r < 0.45:
            return d
        if r < 0.75:
            return group(d, (3, 4, 4), " ")
        if r < 0.85:
            return group(d, (3, 4), " ")  # 1381234 5678 style pauses
        return to_spoken(d, rng) if rng.random() < 0.6 else group(to_spoken(d, rng), (3, 4, 4), " ")
    if r < 0.40:
        return d
    if r < 0.52:
        return group(d, (3, 4, 4), " ")
    if r < 0.62:
        return group(d, (3, 4, 4), "-")
    if r < 0.70:
        return "+86 " + d
    if r < 0.75:
        return "+86" + d
    if r < 0.78:
        return "+86-" + group(d, (3, 4, 4), "-")
    if r < 0.80:
        return "0086 " + d
    if r < 0.82:
        return "86-" + d
    if r < 0.84:
        return "(+86)" + d
    if r < 0.90:
        return to_fullwidth(d, rng)
    if r < 0.92:
        return to_fullwidth(group(d, (3, 4, 4), " "), rng) if rng.random() < 0.5 else to_fullwidth(d, rng, partial=True)
    # issue 16 formats: 138.1234.5678, (138)1234-5678, +86 (138) 1234 5678, 4-3-4, 138。1234。5678
    return rng.choice([group(d, (3, 4, 4), "."), f"({d[:3]}){d[3:7]}-{d[7:]}", f"+86 ({d[:3]}) {d[3:7]} {d[7:]}",
                       group(d, (4, 3, 4), "-"), group(d, (4, 3, 4), " "), group(d, (3, 4, 4), "。"),
                       group(d, (3, 4, 4), "，"), group(d, (3, 3, 5), " ")])


def region_code(rng: random.Random) -> str:
    return rng.choice(PROVINCES) + f"{rng.randint(1, 20):02d}{rng.randint(1, 30):02d}"


def birth_date(rng: random.Random) -> str:
    y = rng.randint(1935, 2012)
    m = rng.randint(1, 12)
    d = rng.randint(1, _days_in_month(y, m))
    return f"{y}{m:02d}{d:02d}"


def id_valid(rng: random.Random) -> str:
    body = region_code(rng) + birth_date(rng) + f"{rng.randint(0, 999):03d}"
    return body + id_check_char(body)


def id_wrong_check(rng: random.Random) -> str:
    body = region_code(rng) + birth_date(rng) + f"{rng.randint(0, 999):03d}"
    good = id_check_char(body)
    bad = rng.choice([c for c in "0123456789X" if c != good])
    return body + bad


def id_bad_date(rng: random.Random) -> str:
    y = rng.randint(1950, 2005)
    m, d = rng.choice([(2, 30), (2, 31), (4, 31), (6, 31), (13, 1), (0, 12), (9, 31), (11, 31), (2, 0)])
    body = region_code(rng) + f"{y}{m:02d}{d:02d}" + f"{rng.randint(0, 999):03d}"
    return body + id_check_char(body)  # correct check digit, impossible date


def fmt_id(rng: random.Random, v: str, asr: bool) -> str:
    if v.endswith("X") and rng.random() < (0.5 if asr else 0.2):
        v = v[:-1] + "x"
    r = rng.random()
    if r < 0.72:
        return v
    if r < 0.80:
        return group(v, (6, 8, 4), " ")
    if r < 0.88:  # issue 16: other groupings
        return rng.choice([group(v, (6, 8, 4), "-"), group(v, (6, 4, 4, 4), " "), group(v, (6, 4, 4, 4), "-"),
                           group(v, (4, 4, 4, 4, 2), " "), group(v, (3, 3, 4, 4, 4), " ")])
    return to_fullwidth(v, rng)


CARD_BINS = [  # (issuer prefix, length)
    ("622202", 19), ("622208", 19), ("621226", 19), ("622848", 19), ("621700", 19),
    ("622700", 19), ("621799", 19), ("621661", 19), ("623668", 19), ("622262", 19),
    ("621483", 16), ("622588", 16), ("622575", 16), ("625802", 16), ("622609", 16),
    ("621485", 16), ("622155", 16), ("622622", 16), ("628888", 16), ("625966", 16),
    ("436742", 16), ("427020", 16), ("404118", 16), ("489592", 16), ("518710", 16),
    ("524047", 16), ("552599", 16), ("356833", 16), ("377677", 15), ("601382", 19),
    ("955880", 19), ("955990", 19), ("623058", 19), ("621098", 19), ("622188", 19),
]


def card_valid(rng: random.Random) -> str:
    while True:
        bin_, n = rng.choice(CARD_BINS)
        if n >= 16:
            break
    body = bin_ + "".join(rng.choice("0123456789") for _ in range(n - len(bin_) - 1))
    return body + luhn_check_digit(body)


def card_bad_luhn(rng: random.Random) -> str:
    v = card_valid(rng)
    last = int(v[-1])
    return v[:-1] + str((last + rng.randint(1, 9)) % 10)


def fmt_card(rng: random.Random, v: str, asr: bool) -> str:
    r = rng.random()
    if asr:
        return v if r < 0.6 else group(v, (4, 4, 4, 4, 3), " ")
    if r < 0.50:
        return v
    if r < 0.78:
        return group(v, (4, 4, 4, 4, 3), " ")
    if r < 0.86:
        return group(v, (4, 4, 4, 4, 3), "-")
    return to_fullwidth(v, rng) if r < 0.95 else to_fullwidth(group(v, (4, 4, 4, 4, 3), " "), rng)


PINYIN = ("zhang wang li liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin "
          "luo gao zheng liang xie song tang han feng deng cao peng zeng xiao tian dong").split()
GIVEN = ("wei fang na min jing li qiang lei jun yang yong yan jie juan tao ming chao "
         "xiuying xia hui jian ping gang gui hong xin yu hao tingting").split()
DOMAINS = ("qq.com 163.com 126.com sina.com sina.cn sohu.com gmail.com outlook.com "
           "hotmail.com foxmail.com yeah.net 139.com aliyun.com icloud.com "
           "vip.163.com company.com.cn huawei.com tsinghua.edu.cn").split()


def email_value(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3:
        local = str(rng.randint(10000, 3999999999))
        dom = "qq.com" if rng.random() < 0.8 else "vip.qq.com"
    else:
        a, b = rng.choice(PINYIN), rng.choice(GIVEN)
        pat = rng.randrange(6)
        local = [a + b, a + "." + b, a + "_" + b, b + a + str(rng.randint(1, 99)),
                 a[0] + b + str(rng.randint(1970, 2010)), a + b + "-cs"][pat]
        if rng.random() < 0.1:
            local = local.capitalize()
        dom = rng.choice(DOMAINS)
    return f"{local}@{dom}"


CN_LOCAL = "张三 李四 王五 赵六 客服 小明 张伟 李娜".split()
CN_DOMAINS = "公司.中国 例子.cn 企业.公司 测试.中國 网络.网络 示例.com".split()


def fmt_email(rng: random.Random, v: str, asr: bool) -> str:
    r = rng.random()
    if r < 0.05:  # issue 16: Chinese local parts or domains
        local = rng.choice(CN_LOCAL) if rng.random() < 0.6 else v.split("@")[0]
        return local + "@" + (rng.choice(CN_DOMAINS) if rng.random() < 0.7 else v.split("@")[1])
    if r < 0.08:
        return v.replace("@", "＠")
    if r < 0.12:
        return v.upper()
    return v


AREA_8 = "010 020 021 022 023 024 025 027 028 029".split()
AREA_7_8 = ("0311 0351 0371 0411 0431 0451 0510 0512 0531 0532 0551 0571 0574 0591 "
            "0592 0731 0755 0756 0757 0769 0771 0791 0851 0871 0898 0931 0991 0471").split()


def landline_parts(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.45:
        area = rng.choice(AREA_8)
        local = str(rng.randint(2, 8)) + "".join(rng.choice("0123456789") for _ in range(7))
    else:
        area = rng.choice(AREA_7_8)
        n = 8 if rng.random() < 0.7 else 7
        local = str(rng.randint(2, 8)) + "".join(rng.choice("0123456789") for _ in range(n - 1))
    return area, local


def fmt_landline(rng: random.Random, area: str, local: str, asr: bool) -> str:
    r = rng.random()
    loc = local
    if rng.random() < 0.15 and len(local) == 8:
        loc = local[:4] + rng.choice(" -") + local[4:]
    if asr:
        s = area + local if r < 0.5 else area + " " + (local[:4] + " " + local[4:] if len(local) == 8 else local)
    elif r < 0.40:
        s = f"{area}-{loc}"
    elif r < 0.55:
        s = f"({area}){loc}"
    elif r < 0.62:
        s = f"（{area}）{loc}"
    elif r < 0.75:
        s = f"{area} {loc}"
    elif r < 0.85:
        s = area + local
    elif r < 0.90:
        s = f"+86-{area[1:]}-{local}"
    else:
        s = to_fullwidth(f"{area}-{local}", rng)
    if rng.random() < 0.12:
        ext = str(rng.randint(1, 9999))
        s += rng.choice(["转", "-", "转", " 转 ", "分机"]) + ext
    return s


PLATE_PROV = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def plate_value(rng: random.Random) -> str:
    p = rng.choice(PLATE_PROV)
    city = rng.choice("ABCDEFGHJKLM" if rng.random() < 0.8 else PLATE_LETTERS)
    r = rng.random()
    if r < 0.55:
        tail = "".join(rng.choice("0123456789") for _ in range(5))
    elif r < 0.75:  # one or two letters mixed in
        chars = [rng.choice("0123456789") for _ in range(5)]
        for _ in range(rng.randint(1, 2)):
            chars[rng.randrange(5)] = rng.choice(PLATE_LETTERS)
        tail = "".join(chars)
    elif r < 0.90:  # new energy, small car
        tail = rng.choice("DF") + rng.choice(PLATE_LETTERS + "0123456789") + "".join(
            rng.choice("0123456789") for _ in range(4))
    else:  # new energy, large vehicle
        tail = "".join(rng.choice("0123456789") for _ in range(5)) + rng.choice("DF")
    return p + city + tail


def fmt_plate(rng: random.Random, v: str, asr: bool) -> str:
    r = rng.random()
    if asr and r < 0.25:
        v = v.lower()
        return v[0] + v[1:]
    if r < 0.65:
        return v
    if r < 0.85:
        return v[:2] + "·" + v[2:]
    return v[:2] + " " + v[2:]


# addresses ---------------------------------------------------------------- #

ADMIN = [
    ("广东省", "深圳市", "南山区"), ("广东省", "广州市", "天河区"), ("", "上海市", "浦东新区"),
    ("", "上海市", "徐汇区"), ("", "北京市", "朝阳区"), ("", "北京市", "海淀区"),
    ("浙江省", "杭州市", "西湖区"), ("浙江省", "宁波市", "鄞州区"), ("江苏省", "南京市", "鼓楼区"),
    ("江苏省", "苏州市", "工业园区"), ("四川省", "成都市", "武侯区"), ("湖北省", "武汉市", "洪山区"),
    ("", "重庆市", "渝北区"), ("", "天津市", "南开区"), ("山东省", "青岛市", "崂山区"),
    ("河南省", "郑州市", "金水区"), ("湖南省", "长沙市", "岳麓区"), ("陕西省", "西安市", "雁塔区"),
    ("福建省", "厦门市", "思明区"), ("辽宁省", "沈阳市", "和平区"), ("云南省", "昆明市", "五华区"),
    ("安徽省", "合肥市", "蜀山区"), ("河北省", "石家庄市", "长安区"), ("江西省", "南昌市", "红谷滩区"),
    ("广西壮族自治区", "南宁市", "青秀区"), ("黑龙江省", "哈尔滨市", "南岗区"),
    ("山东省", "潍坊市", "寿光市"), ("江苏省", "徐州市", "沛县"), ("河南省", "周口市", "项城市"),
]
ROAD_NAMES = ("人民 中山 解放 建设 和平 新华 长江 黄河 延安东 南京西 淮海中 文三 学院 东风 "
              "胜利 朝阳 光明 复兴 滨江 世纪 科技 高新 张江 花园 友谊 幸福 文化 体育 "
              "五一 八一 迎宾 青年 工业 金融 创业 星湖 天府 二环 西二旗 望京 龙华 "
              "科苑 深南 天河北 体育西 汉口 珞喻 雁塔北 建国 东三环中").split()
ROAD_SUFFIX = ["路"] * 8 + ["街"] * 2 + ["大道", "大街", "巷", "胡同"]
COMMUNITY = ("阳光 幸福 锦绣 翠苑 金地 万科 龙湖 保利 绿地 紫荆 丽景 碧水 春江 "
             "滨湖 金色 东方 明珠 怡景 兰亭 枫林 香樟 御景 天鹅湖 世纪 和谐 玉兰").split()
COMMUNITY_SUFFIX = ["小区", "小区", "小区", "花园", "苑", "新村", "家园", "公寓", "华府", "名邸"]
BUILDING_NAMES = ("国贸 环球 金茂 招商 创新 科技 数码 华润 嘉里 万达").split()
BUILDING_SUFFIX = ["大厦", "广场", "中心", "大楼"]
TOWNS = "城关镇 新塘镇 龙泉镇 石桥镇 花桥镇 柳林乡 黄田乡".split()
VILLAGE = "张家 李庄 王家 刘集 河口 石门 杨柳 新河 马坊 前进".split()
STREET_OFFICE = "新港街道 粤海街道 张江街道 东湖街道 城南街道 望京街道".split()


def _cn_num(n: int) -> str:
    ds = "零一二三四五六七八九"
    if n < 10:
        return ds[n]
    if n < 20:
        return "十" + (ds[n % 10] if n % 10 else "")
    return ds[n // 10] + "十" + (ds[n % 10] if n % 10 else "")


def _room(rng: random.Random) -> str:
    floor = rng.randint(1, 32)
    return f"{floor}{rng.randint(1, 8):02d}"


def address_parts(rng: random.Random) -> tuple[str, str]:
    """(kept admin prefix, redacted street-level span)."""
    prov, city, dist = rng.choice(ADMIN)
    r = rng.random()
    if r < 0.45:
        admin = prov + city + dist
    elif r < 0.65:
        admin = city + dist
    elif r < 0.75:
        admin = dist
    elif r < 0.85:
        admin = city
    elif r < 0.93:
        admin = city.rstrip("市") + dist  # 杭州西湖区 style
    else:
        admin = city.rstrip("市") + dist.rstrip("区新")  # casual: 北京朝阳, 上海浦东
    kind = rng.random()
    if kind < 0.40:  # road + number [+ building/unit/room]
        road = rng.choice(ROAD_NAMES) + rng.choice(ROAD_SUFFIX)
        s = road + f"{rng.randint(1, 999)}号"
        x = rng.random()
        if x < 0.3:
            s += f"{rng.randint(1, 30)}{rng.choice(['栋', '幢', '号楼'])}{_room(rng)}室"
        elif x < 0.45:
            s += f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{_room(rng)}"
        elif x < 0.55:
            s += f"{_room(rng)}室"
        elif x < 0.6:
            s += f"{rng.choice('ABCD')}座{_room(rng)}"
        elif x < 0.65:
            s = road + f"{rng.randint(1, 999)}弄{rng.randint(1, 99)}号{_room(rng)}室"
    elif kind < 0.70:  # residential compound
        if rng.random() < 0.25:
            admin += rng.choice(STREET_OFFICE)
        comp = rng.choice(COMMUNITY) + rng.choice(COMMUNITY_SUFFIX)
        if rng.random() < 0.15:
            comp += rng.choice(["一期", "二期", "三期", "东区", "北区", "A区"])
        x = rng.random()
        if x < 0.35:
            s = comp + f"{rng.randint(1, 40)}号楼{rng.randint(1, 6)}单元{_room(rng)}"
        elif x < 0.6:
            s = comp + f"{rng.randint(1, 40)}栋{_room(rng)}室"
        elif x < 0.72:
            s = comp + f"{rng.randint(1, 40)}-{rng.randint(1, 6)}-{_room(rng)}"
        elif x < 0.82:
            s = comp + f"{_cn_num(rng.randint(1, 20))}号楼{_cn_num(rng.randint(1, 6))}单元{_room(rng)}"
        else:
            s = comp + f"{rng.randint(1, 40)}幢{rng.randint(1, 4)}单元{_room(rng)}室"
        if rng.random() < 0.3:  # road before the compound
            s = rng.choice(ROAD_NAMES) + rng.choice(ROAD_SUFFIX) + f"{rng.randint(1, 999)}号" + s
    elif kind < 0.82:  # office building
        b = rng.choice(BUILDING_NAMES) + rng.choice(BUILDING_SUFFIX)
        x = rng.random()
        if x < 0.5:
            s = b + f"{rng.choice('ABCD')}座{rng.randint(1, 40)}{rng.choice(['层', '楼'])}"
        else:
            s = b + f"{rng.randint(1, 40)}楼{rng.randint(1, 40):02d}{rng.randint(1, 20):02d}室"
        if rng.random() < 0.5:
            s = rng.choice(ROAD_NAMES) + rng.choice(ROAD_SUFFIX) + f"{rng.randint(1, 999)}号" + s
    else:  # village
        admin = admin + rng.choice(TOWNS)
        s = rng.choice(VILLAGE) + "村" + f"{rng.randint(1, 12)}组{rng.randint(1, 120)}号"
    return admin, s


# --------------------------------------------------------------------------- #
# look-alike makers: (label, surface)


def _digits(rng: random.Random, n: int, first: str = "0123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def _date_digits(rng: random.Random) -> str:
    return f"{rng.randint(2023, 2026)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"


def lookalike(rng: random.Random) -> tuple[str, str, str]:
    """Return (label, context_prefix, surface).  Context prefix is part of the
    sentence but not of the decoy span."""
    k = rng.random()
    if k < 0.16:  # order numbers: date-prefixed or marketplace-style 16-19 digits
        r = rng.random()
        if r < 0.4:
            v = _date_digits(rng) + _digits(rng, rng.choice([8, 9, 10, 11]))
        elif r < 0.75:
            v = _digits(rng, rng.choice([16, 18, 19]), "1234")
        else:
            v = _digits(rng, rng.choice([12, 14, 15]), "123456789")
        ctx = rng.choice(["订单号", "订单号：", "订单号是", "我的订单", "订单编号 ", "单号", "这个订单就是",
                          "工单号", "流水号", "交易流水号：", "订单号码", "退款单号"])
        return "order_no", ctx, v
    if k < 0.27:  # tracking numbers
        r = rng.random()
        if r < 0.3:
            v = "SF" + _digits(rng, rng.choice([12, 13]), "123456789")
        elif r < 0.5:
            v = rng.choice(["YT", "JT", "JDVA", "JDX", "DPK"]) + _digits(rng, rng.choice([11, 12, 13]))
        elif r < 0.8:
            v = _digits(rng, rng.choice([12, 13, 14, 15]), "34567")
        else:
            v = _digits(rng, rng.choice([16, 18]), "7")  # some couriers use 16-18 digits
        ctx = rng.choice(["快递单号", "快递单号是", "运单号", "运单号：", "快递", "顺丰单号", "物流单号",
                          "中通快递", "快递单号 "])
        return "tracking_no", ctx, v
    if k < 0.37:  # amounts
        v = rng.choice([
            f"¥{rng.randint(1, 99)},{rng.randint(0, 999):03d}.{rng.randint(0, 99):02d}",
            f"{rng.randint(1, 99999)}元", f"￥{rng.randint(1, 9999)}.{rng.randint(0, 99):02d}",
            f"{rng.randint(1, 9)},{rng.randint(0, 999):03d}元", f"{rng.randint(100, 99999)} 元",
            f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d}元",
        ])
        ctx = rng.choice(["金额", "退款", "一共", "实付", "扣了我", "多收了", "余额还有", "", "应退"])
        return "amount", ctx, v
    if k < 0.46:  # dates and times
        y, m, d = rng.randint(2023, 2026), rng.randint(1, 12), rng.randint(1, 28)
        v = rng.choice([f"{y}-{m:02d}-{d:02d}", f"{y}{m:02d}{d:02d}", f"{y}/{m}/{d}", f"{m}月{d}号",
                        f"{y}年{m}月{d}日", f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
                        f"{y}-{m:02d}-{d:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
                        f"下午{rng.randint(1, 6)}点", f"{m}月{d}号下午{rng.randint(1, 6)}点"])
        ctx = rng.choice(["", "下单时间", "预约", "截止", "是", "我是", "在"])
        return "date_time", ctx, v
    if k < 0.53:  # ID-shaped numbers that are not valid IDs
        v = id_wrong_check(rng) if rng.random() < 0.7 else id_bad_date(rng)
        ctx = rng.choice(["身份证号", "身份证号码", "证件号", "身份证", "证件号码是", "我输的身份证"])
        return "id_invalid", ctx, v
    if k < 0.59:  # card-shaped numbers failing Luhn
        v = card_bad_luhn(rng)
        if rng.random() < 0.3:
            v = group(v, (4, 4, 4, 4, 3), " ")
        ctx = rng.choice(["卡号", "银行卡号", "我填的卡号", "信用卡", "储蓄卡"])
        return "card_invalid", ctx, v
    if k < 0.66:  # 11-digit numbers that are not mobiles
        v = rng.choice([_digits(rng, 11, "2345678"), "1" + rng.choice("012") + _digits(rng, 9),
                        "10" + _digits(rng, 9)])
        ctx = rng.choice(["会员号", "会员卡号", "编号", "账号", "工号", "用户ID", "学号", "设备号"])
        return "other_11", ctx, v
    if k < 0.74:  # service hotlines
        v = rng.choice(["400-820-8820", "4008208820", "400 610 1688", "400-688-1688", "800-820-8820",
                        "95588", "95533", "95555", "95599", "10086", "10010", "12315", "12345",
                        "400-111-1111", "95338", "4006-789-888", "12306", "95017"])
        ctx = rng.choice(["客服电话", "拨打", "打了", "热线", "官方客服", "联系", "投诉电话"])
        return "hotline", ctx, v
    if k < 0.79:  # verification codes, IMEI, invoice numbers, tickets
        r = rng.random()
        if r < 0.3:
            return "code", rng.choice(["验证码", "验证码是", "取件码"]), _digits(rng, rng.choice([4, 6]))
        if r < 0.5:
            return "imei", rng.choice(["IMEI", "IMEI号", "串号"]), "86" + _digits(rng, 13)
        if r < 0.7:
            return "invoice", rng.choice(["发票代码", "发票代码：", "发票号码"]), rng.choice(
                ["0" + _digits(rng, 11, "3456789"), _digits(rng, 8), "1" + _digits(rng, 11)])
        if r < 0.85:
            return "ticket", rng.choice(["工单号", "票号", "车次", "航班"]), rng.choice(
                ["WO" + _date_digits(rng) + _digits(rng, 5), "G" + str(rng.randint(1, 9999)),
                 "MU" + str(rng.randint(1000, 9999)), "E" + _digits(rng, 12)])
        return "version", rng.choice(["版本", "型号", "固件"]), rng.choice(
            ["v" + f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}", "iPhone 15 Pro",
             "Mate60", "X5", "新款A12", "粤语版"])
    if k < 0.89:  # place names without number detail, and number words that are not addresses
        v = rng.choice(["北京", "上海市浦东新区", "杭州", "广州天河那边", "深圳南山", "人民路那边",
                        "中山路附近", "地铁2号线", "3号门", "B2层停车场", "3楼服务台", "南京西路",
                        "成都市武侯区", "二号航站楼", "第3期", "12号", "万达广场", "朝阳区",
                        "阳光小区", "北京市海淀区中关村"])
        ctx = rng.choice(["在", "到了", "我在", "就在", "从", "人在", "到"])
        return "place", ctx, v
    if k < 0.93:  # issue 16: words near titles and cues that are not names, product codes
        return "not_name", rng.choice(["", "这个", "我看", "是"]), rng.choice(NAME_LOOKALIKES)
    if k < 0.95:  # @mentions, urls, plate-like words
        v = rng.choice(["@客服小美", "www.taobao.com", "https://m.jd.com/item/100012043978.html",
                        "京东", "苏宁", "新A套餐", "沪深300", "粤B", "云A1", "鲁A1234"])
        ctx = rng.choice(["", "看", "在", "是"])
        return "misc", ctx, v
    # mobile-shaped numbers embedded in longer digit runs (timestamps, 13-digit ids)
    v = rng.choice(["1" + rng.choice("3456789") + _digits(rng, 11), "86" + _digits(rng, 13),
                    "1" + rng.choice("3456789") + _digits(rng, 8)])
    ctx = rng.choice(["时间戳", "用户ID", "设备ID", "编号"])
    return "long_run", ctx, v


# --------------------------------------------------------------------------- #
# sentence frames

OPENERS_TYPED = ["", "", "", "您好，", "你好，", "在吗？", "客服你好，", "亲，", "麻烦问一下，", "我想问下，"]
OPENERS_ASR = ["", "嗯", "喂你好", "那个", "就是", "嗯那个", "喂", "对对对", "是这样的"]
CLOSERS_TYPED = ["", "。", "，谢谢。", "，麻烦尽快处理。", "，谢谢！", "。", "，收到请回复", "~", "，急！"]
CLOSERS_ASR = ["", "", "谢谢", "好的", "对", "麻烦你了", "嗯", "就这个"]

FRAMES = {
    "mobile": [("我的手机号是", ""), ("手机：", ""), ("联系电话", ""), ("电话", ""), ("手机号", "，打不通就发短信"),
               ("你打我电话", ""), ("回拨", "就行"), ("收货人电话改成", ""), ("我换号了新号是", ""),
               ("联系方式：", ""), ("手机号码", "微信同号"), ("有问题打", ""), ("号码是", "找<王>女士"),
               ("麻烦联系我", ""), ("备用号码", ""), ("", "是我手机"), ("电话号码", "")],
    "id_card": [("身份证号", ""), ("我的身份证号码是", ""), ("证件号：", ""), ("身份证", "，核对一下"),
                ("实名认证用的身份证号是", ""), ("身份证号是", "，名字是<张伟>"), ("证件号码", ""), ("我身份证", "")],
    "bank_card": [("卡号", ""), ("银行卡号是", ""), ("我的工商银行卡", ""), ("信用卡卡号：", ""),
                  ("退到我的储蓄卡", "里"), ("借记卡号", ""), ("退款到这张卡", ""), ("钱打到", "就行"),
                  ("建行卡", "，户名<李娜>"), ("卡号是", "，尾号对一下"), ("收款账号", ""), ("原路退回", "这个账户")],
    "email": [("邮箱", ""), ("我的邮箱是", "谢谢"), ("发到", ""), ("电子邮件：", ""), ("email:", ""),
              ("发票发我邮箱", ""), ("邮箱地址", "，请查收"), ("发我邮箱", "吧"), ("邮件", "")],
    "landline": [("座机", ""), ("办公室电话", ""), ("公司电话：", ""), ("固话", ""), ("家里电话", ""),
                 ("电话", "，上班时间打"), ("联系电话：", ""), ("前台", "")],
    "plate": [("车牌号", ""), ("我的车是", ""), ("车牌", "的车"), ("停车场车牌", "出不去"),
              ("ETC绑定的车牌是", ""), ("车牌号码", ""), ("", "这辆车")],
    "address": [("收货地址：", ""), ("地址是", ""), ("寄到", ""), ("送到", "，谢谢"), ("我住在", ""),
                ("家在", ""), ("地址改成", ""), ("新地址", ""), ("收件地址", ""), ("上门地址：", "")],
}

KIND_WEIGHTS = [("mobile", 25), ("id_card", 14), ("bank_card", 15), ("email", 13), ("landline", 10),
                ("plate", 10), ("address", 13), ("name", 12), ("wechat", 6), ("qq", 6), ("passport", 6)]


def _pick_kind(rng: random.Random) -> str:
    total = sum(w for _, w in KIND_WEIGHTS)
    x = rng.uniform(0, total)
    for k, w in KIND_WEIGHTS:
        x -= w
        if x <= 0:
            return k
    return KIND_WEIGHTS[-1][0]


def _entity_surface(rng: random.Random, kind: str, asr: bool) -> tuple[str, str]:
    """(kept prefix, entity surface)"""
    if kind == "mobile":
        return "", fmt_mobile(rng, mobile_digits(rng), asr)
    if kind == "id_card":
        return "", fmt_id(rng, id_valid(rng), asr)
    if kind == "bank_card":
        return "", fmt_card(rng, card_valid(rng), asr)
    if kind == "email":
        return "", fmt_email(rng, email_value(rng), asr)
    if kind == "landline":
        a, l = landline_parts(rng)
        return "", fmt_landline(rng, a, l, asr)
    if kind == "plate":
        return "", fmt_plate(rng, plate_value(rng), asr)
    if kind == "address":
        admin, s = address_parts(rng)  # noqa
        if asr and rng.random() < 0.3:
            return admin + " ", s
        return admin, s
    raise ValueError(kind)


# --------------------------------------------------------------------------- #
# issue 16: names, WeChat ids, QQ numbers, passports

SURNAMES_G = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡杜叶程苏魏吕丁任沈姚卢"
GIVEN_G = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂华建国红玉兰志春梅海燕雪婷晨宇浩然子轩欣怡"
TITLES_G = ["先生", "女士", "小姐", "老师", "经理", "师傅"]


def person_name(rng: random.Random) -> str:
    if rng.random() < 0.05:
        return rng.choice(["欧阳", "司马", "上官", "诸葛"]) + rng.choice(GIVEN_G) + rng.choice(["", rng.choice(GIVEN_G)])
    return rng.choice(SURNAMES_G) + "".join(rng.choice(GIVEN_G) for _ in range(rng.choice([1, 2, 2])))


def wechat_id(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return "wxid_" + "".join(rng.choice("abcdefghijkmnpqrstuvwxyz0123456789") for _ in range(12))
    head = rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ")
    return head + "".join(rng.choice("abcdefghijkmnpqrstuvwxyz0123456789_-") for _ in range(rng.randint(5, 14)))


def qq_number(rng: random.Random) -> str:
    return str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 9)))


def passport_number(rng: random.Random, permit: bool = False) -> str:
    return rng.choice("CH" if permit else "EEEGG") + "".join(rng.choice("0123456789") for _ in range(8))


def _add_name(b, rng: random.Random, asr: bool) -> None:
    name = person_name(rng)
    if rng.random() < 0.55:  # a form of address: the name goes, the title stays
        pre = rng.choice(["", "找", "请问", "我是", "麻烦转告", "谢谢", "联系", "负责的是"])
        if rng.random() < 0.6:
            name = name[:2] if name[:2] in ("欧阳", "司马", "上官", "诸葛") else name[0]
        b.add(pre)
        b.add(name, "name")
        b.add(rng.choice(TITLES_G))
    else:
        pre = rng.choice(["联系人：", "收件人", "姓名：", "我叫", "持卡人", "收货人", "户名", "名字是", "机主"])
        b.add(_strip_punct(pre) if asr else pre)
        b.add(name, "name")
        b.add(rng.choice(["", "，", "。", " "]) if not asr else "")


def _add_account(b, rng: random.Random, kind: str, asr: bool) -> None:
    if kind == "wechat":
        pre, v = rng.choice(["微信号", "微信号：", "加我微信", "VX：", "vx ", "微信是", "wx:", "薇信"]), wechat_id(rng)
    elif kind == "qq":
        pre, v = rng.choice(["QQ号", "QQ：", "我的QQ是", "扣扣", "企鹅号", "qq "]), qq_number(rng)
    else:
        permit = rng.random() < 0.25
        pre = rng.choice(["港澳通行证", "通行证号码"] if permit else ["护照号", "护照号码是", "护照：", "", "证件"])
        v = passport_number(rng, permit)
    b.add(_strip_punct(pre) if asr else pre)
    b.add(v, kind)


PEOPLE_KINDS = ("name", "wechat", "qq", "passport")
NAME_LOOKALIKES = ["女士专用", "小姐姐", "各位先生", "谢谢老师", "女士们先生们", "我是高级会员", "班主任老师",
                   "我是华为手机", "先生您好", "这位女士", "王者荣耀", "老师傅", "金牌会员", "QQ音乐会员",
                   "微信支付", "货号A1234567", "型号SM-G9910", "SKU 10023456", "车次G1234", "护照办理进度"]


_PUNCT = "，。：；！？、,.:;!?~"


def _strip_punct(s: str) -> str:
    return "".join(c for c in s if c not in _PUNCT)


def _ascii_alnum(c: str) -> bool:
    return c.isascii() and c.isalnum() or "０" <= c <= "９"


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.n = 0
        self.gold: list[Span] = []
        self.decoys: list[Span] = []

    def add(self, s: str, kind: str | None = None, decoy: bool = False) -> None:
        if s and self.parts and _ascii_alnum(s[0]) and _ascii_alnum(self._last()):
            # two codes glued together are unreadable even for a human; real
            # typed text and ASR output put a space (or a word) between them
            self.parts.append(" ")
            self.n += 1
        if kind:
            sp = Span(kind, self.n, self.n + len(s), s)
            (self.decoys if decoy else self.gold).append(sp)
        self.parts.append(s)
        self.n += len(s)

    def _last(self) -> str:
        for p in reversed(self.parts):
            if p:
                return p[-1]
        return ""

    def text(self) -> str:
        return "".join(self.parts)


def _add_entity(b: _Builder, rng: random.Random, kind: str, asr: bool) -> None:
    if kind == "name":
        return _add_name(b, rng, asr)
    if kind in PEOPLE_KINDS:
        return _add_account(b, rng, kind, asr)
    pre, post = rng.choice(FRAMES[kind])
    if asr:
        pre, post = _strip_punct(pre), _strip_punct(post)
        if pre and rng.random() < 0.3:
            pre += " "
    elif pre and pre[-1] not in "：:" and rng.random() < 0.15:
        pre += " "
    kept, surface = _entity_surface(rng, kind, asr)
    b.add(pre + kept)
    b.add(surface, kind)
    if asr and post and rng.random() < 0.3:
        post = " " + post
    if "<" in post:  # a name in the frame ("找<王>女士"): personal data too
        head, rest = post.split("<", 1)
        name, tail = rest.split(">", 1)
        b.add(head)
        b.add(name, "name")
        b.add(tail)
    else:
        b.add(post)


def _add_lookalike(b: _Builder, rng: random.Random, asr: bool) -> None:
    label, ctx, v = lookalike(rng)
    if asr:
        ctx = _strip_punct(ctx)
    sep = " " if (asr and rng.random() < 0.3) or (not asr and rng.random() < 0.1) else ""
    b.add(ctx + sep)
    b.add(v, label, decoy=True)


def _joiner(rng: random.Random, asr: bool) -> str:
    if asr:
        return rng.choice(["", " ", "然后", "还有", " 嗯 ", "另外"])
    return rng.choice(["，", "，", "；", "。", "，另外", "，还有", " "])


def make_sample(rng: random.Random) -> Sample:
    asr = rng.random() < 0.35
    b = _Builder()
    opener = rng.choice(OPENERS_ASR if asr else OPENERS_TYPED)
    b.add(opener)
    r = rng.random()
    if r < 0.36:  # look-alike negatives only
        for i in range(rng.choice([1, 1, 1, 2, 2, 3])):
            if i:
                b.add(_joiner(rng, asr))
            _add_lookalike(b, rng, asr)
    else:
        n_ent = 1 if r < 0.75 else (2 if r < 0.93 else 3)
        items = [("e", _pick_kind(rng)) for _ in range(n_ent)]
        if rng.random() < 0.35:
            items.insert(rng.randrange(len(items) + 1), ("l", ""))
        for i, (t, k) in enumerate(items):
            if i:
                b.add(_joiner(rng, asr))
            if t == "e":
                _add_entity(b, rng, k, asr)
            else:
                _add_lookalike(b, rng, asr)
    b.add(rng.choice(CLOSERS_ASR if asr else CLOSERS_TYPED))
    return Sample(b.text(), b.gold, b.decoys, "asr" if asr else "typed")


def generate(n: int, seed: int = DEFAULT_SEED) -> list[Sample]:
    rng = random.Random(seed)
    return [make_sample(rng) for _ in range(n)]


if __name__ == "__main__":  # pragma: no cover - manual inspection
    import sys

    for s in generate(int(sys.argv[1]) if len(sys.argv) > 1 else 20):
        print(s.style, "|", s.text)
        for g in s.gold:
            print("   +", g.kind, repr(g.text))
        for d in s.decoys:
            print("   -", d.kind, repr(d.text))
