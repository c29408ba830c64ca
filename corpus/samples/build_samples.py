#!/usr/bin/env python3
"""Build voc's bundled sample corpus (synthetic, written by the project).

Run from the repository root:

    python corpus/samples/build_samples.py

Reads the hand-written scenarios in ``corpus/samples/scenarios.txt`` and writes, next to
this script:

    contacts.jsonl    ~400 contacts (flat JSON, ``text`` or ``turns``)
    tickets.csv       ~120 complaint tickets, UTF-8 with BOM (Excel export style)
    tickets_gbk.csv   ~30 further tickets, GB18030
    call_turns.csv    ~50 calls, one turn per row

Standard library only; a fixed seed makes every run byte-identical. Every name, number,
order and company in the output is invented (see README.md).
"""
import csv
import io
import json
import os
import random
import re
import sys
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO_FILE = os.path.join(HERE, "scenarios.txt")
SEED = 20260501
TZ = timezone(timedelta(hours=8))  # Asia/Shanghai, no DST

MONTHS = [(2026, 5), (2026, 6), (2026, 7), (2026, 8), (2026, 9), (2026, 10)]
CONTACTS_PER_MONTH = [65, 65, 65, 65, 65, 75]
TICKETS_PER_MONTH = [20, 20, 20, 20, 20, 20]
GBK_PER_MONTH = [5, 5, 5, 5, 5, 5]
CALLS_PER_MONTH = [8, 8, 8, 8, 9, 9]
# slow-refund contacts drawn from #refund scenarios, per month, all files together
# (the repeat-contact chains add more in Aug-Oct, see CHAIN_MONTH)
REFUND_PER_MONTH = [3, 4, 5, 6, 7, 8]
# the new October issue (#surge scenarios), per file; chain pk1 adds 3 more
SURGE_OCTOBER = {"contacts": 15, "tickets": 5, "gbk": 1, "calls": 3}
CHAIN_MONTH = {  # month index (0 = 2026-05) of each repeat-contact chain
    "inv1": 0, "dup1": 0, "bb1": 1, "app1": 1, "dc1": 2, "ph1": 2,
    "fl1": 3, "sig1": 3, "dep1": 4, "cr1": 4, "refund1": 5, "pk1": 5,
}

# agents of the call sample (work number, team), for the QA report (voc tag --qa)
AGENTS = [("11095", "一组"), ("11102", "一组"), ("11117", "一组"), ("12031", "二组"), ("12044", "二组"),
          ("12058", "二组"), ("13006", "三组"), ("13019", "三组")]
CHANNELS = ["phone", "wechat", "app", "web", "weibo", "email", "ticket", "review"]
CHANNEL_WEIGHTS = [28, 15, 12, 10, 6, 7, 11, 11]
TURN_CHANNELS = {"phone", "wechat", "app", "web"}
TIERS = ["普通", "银卡", "金卡", "钻石"]
TIER_WEIGHTS = [55, 25, 14, 6]
REGIONS = ["上海", "北京", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "重庆",
           "苏州", "天津", "长沙", "郑州", "沈阳", "青岛", "厦门", "合肥", "昆明", "佛山"]
REGION_WEIGHTS = [12, 11, 9, 9, 7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 2, 1, 1, 1]
BRANDS = {"telecom": ["星联通信"], "banking": ["华信银行"],
          "ecommerce": ["优选商城", "速达外卖"], "travel": ["悦途旅行", "云栖酒店"]}
CSV_CHANNEL = {"phone": "电话", "wechat": "在线客服", "app": "APP", "web": "在线客服",
               "weibo": "微博", "email": "邮件", "ticket": "门店", "review": "APP"}
CSV_CHANNELS = ["电话", "在线客服", "邮件", "微博", "APP", "门店"]
CSV_CHANNEL_WEIGHTS = [40, 25, 10, 8, 10, 7]

# ---------------------------------------------------------------- scenario source


class Scenario:
    __slots__ = ("key", "industry", "cause", "products", "tags", "kind", "text",
                 "agent_lines", "turns", "max_uses")

    def __init__(self, key, industry, cause, products, tags, body):
        self.key = key
        self.industry = industry
        self.cause = cause
        self.products = products
        self.tags = tags
        self.max_uses = 99
        for t in tags:
            if t.startswith("max="):
                self.max_uses = int(t[4:])
        lines = [ln.strip() for ln in body if ln.strip()]
        if any(ln.startswith("C:") for ln in lines):
            self.kind = "dlg"
            self.turns = [(ln[0], ln[2:].strip()) for ln in lines]
            for role, _ in self.turns:
                if role not in "CAB":
                    raise ValueError("bad dialogue line in %s" % key)
            self.text, self.agent_lines = None, []
        else:
            self.kind = "text"
            self.turns = None
            self.text = "".join(ln for ln in lines if not ln.startswith("A:"))
            self.agent_lines = [ln[2:].strip() for ln in lines if ln.startswith("A:")]

    def has(self, tag):
        return tag in self.tags


def load_scenarios(path):
    singles, chains = [], {}
    header, body = None, []

    def flush():
        if header is None:
            return
        parts = header[3:].split()
        tags = [p[1:] for p in parts if p.startswith("#")]
        words = [p for p in parts if not p.startswith("#")]
        if words[0] == "chain":
            cid, industry, cause, product = words[1:5]
            pieces, cur = [], []
            for ln in body:
                if ln.strip() == "---":
                    pieces.append(cur)
                    cur = []
                else:
                    cur.append(ln)
            pieces.append(cur)
            chains[cid] = [Scenario("%s.%d" % (cid, i), industry, cause, product.split("/"),
                                    tags, p) for i, p in enumerate(pieces)]
        else:
            industry, cause, product = words[:3]
            singles.append(Scenario("s%03d" % len(singles), industry, cause,
                                    product.split("/"), tags, body))

    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if line.startswith("//"):
                continue
            if line.startswith("## "):
                flush()
                header, body = line, []
            elif header is not None:
                body.append(line)
    flush()
    return singles, chains


# ---------------------------------------------------------------- fake values

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
         "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "晓东", "雨欣", "子涵", "浩然",
         "思远", "佳怡", "志强", "海燕", "春梅", "文博", "欣怡", "国庆", "立新", "婷婷", "俊杰"]
PINYIN = ["zhangwei", "wangfang", "liuyang", "chenjing", "lihua", "zhaolei", "huangmin",
          "zhoujie", "wuting", "xuqiang", "sunli", "maxiaodong", "zhuyan", "hujun", "guotao",
          "linxin", "gaofeng", "luoyu", "songjia", "tanghao", "xiaoyu", "momo", "happy_cat",
          "sunny", "jack_w", "lucky", "amy.chen", "kevin_l"]
MAIL_DOMAINS = ["163.com", "126.com", "sina.com", "outlook.com", "foxmail.com", "yeah.net"]
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
                   "151", "152", "155", "156", "157", "158", "159", "166", "176", "177",
                   "180", "181", "182", "185", "186", "187", "188", "189", "198", "199"]
ID_REGIONS = ["310104", "310115", "110105", "110108", "440305", "440106", "330106",
              "320102", "510107", "420106", "610113", "500103", "120101", "430104"]
CARD_PREFIXES = ["622202", "622848", "621700", "622588", "621483", "625911", "622609"]
PLATE_PROV = "沪京粤浙苏川鄂陕渝津湘豫辽鲁"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
ADDRESSES = [
    ("上海市", ["徐汇区", "浦东新区", "静安区", "闵行区"], ["漕溪北", "张杨", "共和新", "莲花", "杨高中"]),
    ("北京市", ["朝阳区", "海淀区", "丰台区"], ["望京西", "学院", "丰台北", "双清"]),
    ("广州市", ["天河区", "越秀区", "海珠区"], ["天河北", "中山六", "昌岗中"]),
    ("深圳市", ["南山区", "福田区", "宝安区"], ["科苑", "深南中", "新安六"]),
    ("杭州市", ["西湖区", "滨江区"], ["文三", "滨盛", "古墩"]),
    ("成都市", ["武侯区", "高新区"], ["科华北", "人民南", "玉林南"]),
]
CITIES = ["老家", "杭州", "南京", "合肥", "郑州", "长沙", "武汉", "成都", "西安", "济南", "南昌"]
COMMUNITIES = ["阳光花园", "翠湖苑", "金桥新村", "锦绣华庭", "南苑小区", "滨江一号", "和平里小区",
               "梧桐公馆", "春晓苑", "龙湖景园", "东方明珠城", "紫薇花园", "西溪诚园", "海棠湾"]
BRANCHES = ["人民路支行", "高新区支行", "浦东大道支行", "解放路支行", "中山路支行", "科技园支行"]
SHOPS = {"telecom": "营业厅", "banking": "网点", "ecommerce": "门店", "travel": "门店"}


def luhn_digit(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # these positions are doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def id_check(body17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights)) % 11]


def digits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def fake_name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def fake_mobile(rng, spoken=False):
    num = rng.choice(MOBILE_PREFIXES) + digits(rng, 8)
    style = rng.choices(range(6), [35, 25, 12, 12, 8, 8])[0]
    if spoken:
        style = rng.choice([0, 1, 6])
    if style == 0:
        return num
    if style == 1:
        return "%s %s %s" % (num[:3], num[3:7], num[7:])
    if style == 2:
        return "%s-%s-%s" % (num[:3], num[3:7], num[7:])
    if style == 3:
        return "+86-" + num
    if style == 4:
        return "+86 %s %s %s" % (num[:3], num[3:7], num[7:])
    if style == 5:
        return "(+86)" + num
    # spoken, as an ASR engine may write it: 幺三八 幺二三四 ...
    table = dict(zip("0123456789", "零幺二三四五六七八九"))
    return " ".join("".join(table[c] for c in part) for part in (num[:3], num[3:7], num[7:]))


def fake_idno(rng):
    year = rng.randint(1955, 2004)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    body = "%s%04d%02d%02d%s" % (rng.choice(ID_REGIONS), year, month, day, digits(rng, 3))
    return body + id_check(body)


def fake_card(rng):
    length = rng.choice([16, 19])
    body = rng.choice(CARD_PREFIXES) + digits(rng, length - 7)
    num = body + luhn_digit(body)
    style = rng.choice([0, 0, 1, 2])
    if style == 1:
        return " ".join(num[i:i + 4] for i in range(0, len(num), 4))
    if style == 2:
        return "-".join(num[i:i + 4] for i in range(0, len(num), 4))
    return num


def fake_email(rng):
    if rng.random() < 0.3:
        return "%s%s@qq.com" % (rng.choice("123456789"), digits(rng, rng.randint(7, 9)))
    user = rng.choice(PINYIN) + (digits(rng, rng.choice([2, 4])) if rng.random() < 0.7 else "")
    return "%s@%s" % (user, rng.choice(MAIL_DOMAINS))


def fake_plate(rng):
    prov = rng.choice(PLATE_PROV)
    letter = rng.choice(PLATE_LETTERS)
    if rng.random() < 0.3:  # new-energy plate
        tail = rng.choice("DF") + digits(rng, 5)
    else:
        tail = digits(rng, 5) if rng.random() < 0.6 else (
            digits(rng, 2) + rng.choice(PLATE_LETTERS) + digits(rng, 2))
    sep = "·" if rng.random() < 0.2 else ""
    return prov + letter + sep + tail


def fake_address(rng):
    city, districts, roads = rng.choice(ADDRESSES)
    road = rng.choice(roads) + "路"
    style = rng.randint(0, 2)
    if style == 0:
        return "%s%s%s%d弄%d号%d室" % (city, rng.choice(districts), road, rng.randint(10, 999),
                                    rng.randint(1, 40), rng.randint(101, 2203))
    if style == 1:
        return "%s%s%s%d号%d栋%d单元%d室" % (city, rng.choice(districts), road,
                                         rng.randint(1, 888), rng.randint(1, 20),
                                         rng.randint(1, 4), rng.randint(101, 3204))
    return "%s%s%d号%s%d室" % (rng.choice(districts), road, rng.randint(1, 666),
                            rng.choice(COMMUNITIES), rng.randint(101, 1802))


def fmt_date(rng, d):
    style = rng.randint(0, 4)
    if style == 0:
        return "%d月%d日" % (d.month, d.day)
    if style == 1:
        return "%d月%d号" % (d.month, d.day)
    if style == 2:
        return d.strftime("%Y-%m-%d")
    if style == 3:
        return "%d年%d月%d日" % (d.year, d.month, d.day)
    return "%d.%d" % (d.month, d.day)


def fmt_amount(rng):
    value = rng.choice([rng.randint(39, 499), rng.randint(500, 4999), rng.randint(1000, 9999)])
    cents = rng.random() < 0.3
    style = rng.randint(0, 4)
    if style == 0:
        return "%d元" % value
    if style == 1:
        return "¥{:,}".format(value) + (".00" if cents else "")
    if style == 2:
        return "{:,}元".format(value)
    if style == 3:
        return "￥%d" % value + (".%02d" % rng.randint(0, 99) if cents else "")
    return "%d块" % value


class Ctx:
    """Per-contact generated values; one value per slot name within a contact."""

    def __init__(self, rng, created, industry, alts=None):
        self.rng = rng
        self.created = created
        self.industry = industry
        self.values = {}
        self.alts = {} if alts is None else alts  # shared across the parts of a chain

    def gen(self, name):
        if name in self.values:
            return self.values[name]
        rng = self.rng
        if name == "date":
            v = fmt_date(rng, self.created - timedelta(days=rng.randint(1, 12)))
        elif name == "order":
            style = rng.randint(0, 2)
            if style == 0:  # 18 digits, an ID-number look-alike
                v = self.created.strftime("%Y%m%d") + digits(rng, 10)
            elif style == 1:
                v = self.created.strftime("%y%m%d") + digits(rng, 13)
            else:
                v = "E" + self.created.strftime("%Y%m%d") + digits(rng, 9)
        elif name == "tracking":
            v = rng.choice(["SF" + digits(rng, 13), "YT" + digits(rng, 13),
                            "JT" + digits(rng, 13), "7" + digits(rng, 13),
                            "JDV" + digits(rng, 12), "4" + digits(rng, 11)])
        elif name == "ticketno":
            v = rng.choice(["WX", "GZ", "BX"]) + self.created.strftime("%Y%m%d") + digits(rng, 4)
        elif name == "agentid":
            v = rng.choice(["8", "6", "1"]) + digits(rng, 4)
        elif name == "amt":
            v = fmt_amount(rng)
        elif name == "city":
            v = rng.choice(CITIES)
        elif name == "community":
            v = rng.choice(COMMUNITIES)
        elif name == "branch":
            v = rng.choice(BRANCHES)
        elif name == "flight":
            v = rng.choice(["BL", "YT", "QX"]) + str(rng.randint(1001, 9899))
        elif name == "wx":
            v = rng.choice(["jz", "zhuanqian", "wx_", "fl"]) + digits(rng, rng.randint(5, 7))
        elif name == "hotline":
            v = "400-%s-%s" % (digits(rng, 3), digits(rng, 4))
        elif name == "plate":
            v = fake_plate(rng)
        elif name == "room":
            v = str(rng.randint(3, 28)) + "%02d" % rng.randint(1, 40)
        else:
            raise KeyError(name)
        self.values[name] = v
        return v

    def expand(self, text):
        text = re.sub(r"\{=(\w+)\}", lambda m: self.gen(m.group(1)), text)

        def alt(m):
            key = m.group(1)
            if key not in self.alts:
                self.alts[key] = self.rng.choice(key.split("|"))
            return self.alts[key]

        return re.sub(r"\{([^{}]*\|[^{}]*)\}", alt, text)


# ---------------------------------------------------------------- agent and customer stock lines

ID_HINT = {"telecom": "机主手机号码", "banking": "卡号后四位", "ecommerce": "订单号",
           "travel": "订单号"}
ACK = [
    "非常抱歉给您带来不好的体验，麻烦您提供一下{hint}，我帮您核实一下。",
    "您好，您反映的情况我已经了解了，请稍等，我这边帮您查询。",
    "理解您的心情，先跟您说声抱歉，我马上帮您看一下。",
    "好的，您别着急，我先帮您查一下具体情况。",
    "实在不好意思，让您久等了，我这边核实一下。",
]
CLOSE = {
    "agent": [
        "您反映的工作人员服务问题我已经记录，会转交质检部门核实处理，{三个工作日|48小时}内给您回复。",
        "对于工作人员的行为我们深表歉意，核实后一定严肃处理，并给您一个答复。",
        "非常抱歉，这个情况我会如实上报，相关负责人会跟您联系。",
    ],
    "policy": [
        "这个是公司的统一规定，我这边没有权限修改，您的意见我会反馈给相关部门。",
        "非常理解您的感受，但是根据{协议条款|活动规则}，这部分费用是需要收取的。",
        "您的建议我已经记录，会提交给业务部门评估，给您带来困扰很抱歉。",
    ],
    "process": [
        "我这边已经帮您加急催办了，请您再耐心等待一下。",
        "已经为您升级处理，会有专人在{24小时|两个工作日}内回电。",
        "给您添麻烦了，我已经提交了加急工单，处理结果会短信通知您。",
    ],
    "other": [
        "好的，已经帮您处理好了，还有其他问题可以随时咨询我们。",
        "好的，我这边帮您记下了，感谢您的反馈。",
    ],
}
CLOSE_PRODUCT = {
    "telecom": ["我这边已经为您提交了网络故障报修，工程师会在{24|48}小时内联系您。",
                "已经为您登记，会安排师傅上门检测，请您保持电话畅通。",
                "给您带来不便非常抱歉，问题已经反馈给网络优化部门，有进展第一时间通知您。"],
    "banking": ["已经帮您提交给技术部门排查，给您带来不便非常抱歉。",
                "这边已经为您登记，相关部门会尽快核实处理，结果会短信通知您。"],
    "ecommerce": ["已经为您登记，可以给您安排{退货退款|换货}，请您保持电话畅通。",
                  "非常抱歉，已经帮您反馈给商家和质检部门，会尽快给您处理方案。"],
    "travel": ["已经通知门店工程部处理，也会跟门店沟通给您相应的补偿。",
               "非常抱歉，已经反馈给门店，会尽快给您一个处理方案。"],
}
PRAISE_REPLY = ["非常感谢您的认可，我们会把您的表扬转达给相关同事！",
                "谢谢您的肯定，这是我们应该做的，欢迎您再次光临。"]
SPAM_REPLY = ["您好，请勿发送与咨询无关的内容，谢谢。"]
CUSTOMER_END_ANGRY = ["每次都这么说，希望这次真的能解决。", "行吧，你们抓紧。", "我就再等两天。",
                      "你们最好快点，我没那么多时间耗。", "上次也是这么说的。",
                      "好，我等你们电话，别又没下文。", "说了这么多有什么用，赶紧处理吧。"]
CUSTOMER_WAIT = ["嗯。", "你查吧。", "好。", "快点。", "行。", "你看看吧。", "查吧，我等着。",
                 "嗯，麻烦快一点。", "好的。", "赶紧的。", "你们自己系统里都有。"]
CUSTOMER_END_CALM = ["好的，谢谢。", "行，那我等消息。", "明白了，谢谢你。", "好的，麻烦了。"]
AGENT_END = ["请问还有其他可以帮您的吗？", "感谢您的耐心，祝您生活愉快。",
             "感谢您的反馈，再见。"]
PHONE_GREETING = ["您好很高兴为您服务请问有什么可以帮您", "您好 工号{agentid}为您服务 请问有什么可以帮您",
                  "您好 {brand}客服中心 很高兴为您服务", "喂 您好 请问有什么可以帮您",
                  "您好 欢迎致电{brand} 请问有什么可以帮您"]
PHONE_END = ["感谢您的来电 稍后请对我的服务做出评价 再见", "好的 感谢您的来电 祝您生活愉快 再见",
             "请问还有其他可以帮您的吗"]
PHONE_FOLLOW_UP = ["好的 您的诉求我已经记录 会尽快安排专人跟进 请您保持电话畅通",
                   "好的 我这边马上为您升级处理 稍后会有同事给您回电",
                   "明白 非常抱歉 我这边给您加急登记"]
BOT_GREETING = ["您好，我是智能客服小{星|华|优|悦}，请问有什么可以帮您？",
                "您好，欢迎咨询{brand}，请简单描述您的问题。"]
CHAT_GREETING = ["您好，很高兴为您服务，请问有什么可以帮您？", "您好，在的，请问有什么可以帮您？",
                 "您好，我是客服{小李|小周|小陈|小林}，请问有什么可以帮您？"]
DEMAND = {
    "agent": ["要求对相关人员进行处理并道歉", "要求核实工作人员行为, 给出书面答复"],
    "product": ["要求维修或更换", "要求退货退款, 并赔偿损失"],
    "policy": ["要求退还相关费用", "要求解释收费依据, 退还费用"],
    "process": ["要求尽快处理并给出明确时间", "要求退款尽快到账, 给出处理时限"],
    "other": ["无", "登记表扬"],
}
EMO_NEG = ["[怒]", "[抓狂]", "[流泪]", "[捂脸]", "[衰]", "呵呵[微笑]", "[怒][怒]"]
EMO_POS = ["[赞]", "[微笑]", "[爱心]", "[鼓掌]", "[玫瑰]"]
SPEAKER_SETS = [("客户", "坐席"), ("用户", "客服"), ("customer", "agent"), ("客户", "客服")]
SPEAKER_WEIGHTS = [40, 25, 15, 20]
FILLERS = ["嗯", "那个", "就是", "呃", "喂", "嗯 那个", "就是说", "对 就是"]

PII_TEXT = {
    "telecom": ["我的号码是{phone}，{麻烦尽快回电|有问题打这个电话}。",
                "机主{name}，身份证号{idno}，你们可以核实。",
                "装机地址是{addr}。", "联系电话：{phone}"],
    "banking": ["卡号{card}，麻烦核实一下。", "我的身份证号码是{idno}，手机{phone}。",
                "{还款卡|扣款卡}卡号是{card}。", "联系人：{name}，电话{phone}。"],
    "ecommerce": ["收货地址：{addr}，电话{phone}。", "我的邮箱{email}请把处理结果发到这里。",
                  "收件人{name}，{phone}。"],
    "travel": ["入住人{name}，身份证{idno}，手机{phone}。", "乘机人{name}，证件号{idno}。",
               "结果麻烦发我邮箱{email}谢谢。", "联系电话{phone}，邮箱{email}"],
}
PII_ONLY_FOR = {"入住人": ("酒店",), "乘机人": ("机票",), "装机地址": ("家庭宽带", "融合套餐")}
PII_PLATE = "我的车牌是{plate}，当时就停在你们的停车场。"
PII_TURN = {  # (agent asks, customer answers, only for these products or None)
    "telecom": [("为了核实身份，麻烦提供一下机主的身份证号码。", "{idno}", None),
                ("麻烦留一个联系电话，方便后续联系您。", "打这个吧 {phone}", None),
                ("请问装机地址是哪里？", "{addr}", ("家庭宽带", "融合套餐"))],
    "banking": [("麻烦您报一下卡号，我帮您核实。", "{card}", None),
                ("为了核实身份，请提供一下您的身份证号码。", "{idno}", None),
                ("请留一个方便联系的手机号码。", "{phone}", None)],
    "ecommerce": [("麻烦提供一下收货人电话和地址。", "{name}，{phone}，{addr}", None),
                  ("处理结果需要发到您的邮箱吗？", "发到{email}吧", None),
                  ("请问您下单用的手机号是多少？", "{phone}", None)],
    "travel": [("请提供一下入住人的姓名和证件号。", "{name}，身份证{idno}", ("酒店",)),
               ("请提供一下乘机人的姓名和证件号。", "{name}，身份证{idno}", ("机票",)),
               ("请留一个联系电话。", "{phone}", None),
               ("处理结果发到您的邮箱可以吗？", "可以，{email}", None)],
}
LOOKALIKE_TEXT = {
    "telecom": ["工单号{ticketno}。", "{date}打的客服热线{hotline}。", "账单金额{amt}。"],
    "banking": ["交易时间{date}，金额{amt}。", "客服热线{hotline}打了好几次。"],
    "ecommerce": ["订单号：{order}", "快递单号{tracking}，{date}下的单。", "订单号{order}，实付{amt}。"],
    "travel": ["订单号{order}，房间号{room}。", "航班号{flight}，订单号{order}。", "{date}的订单，金额{amt}。"],
}
LOOKALIKE_ONLY_FOR = {"房间号": ("酒店",), "航班号": ("机票",)}


def allowed(template, product, table):
    return all(product in prods for word, prods in table.items() if word in template)


# ---------------------------------------------------------------- rendering helpers

def split_sentences(text):
    parts = re.findall(r"[^。！？!?]+[。！？!?”\"]*", text)
    parts = [p for p in parts if p.strip()]
    return parts or [text]


def chunk(sentences, k):
    if k <= 1 or len(sentences) <= 1:
        return ["".join(sentences)]
    k = min(k, len(sentences))
    size = len(sentences) / k
    out = []
    for i in range(k):
        out.append("".join(sentences[int(round(i * size)):int(round((i + 1) * size))]))
    return [o for o in out if o]


FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in
             "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}


def to_fullwidth(text):
    return "".join(FULLWIDTH.get(c, c) for c in text)


ASR_PUNCT = re.compile(r"[，。！？；：、!?“”\"…（）]+")


def asr(rng, text, customer):
    t = re.sub(r"\[[^\[\]]{1,4}\]", "", text).replace("呵呵", "")
    t = ASR_PUNCT.sub(lambda m: " " if rng.random() < 0.55 else "", t)
    t = re.sub(r"\s+", " ", t).strip()
    if customer:
        if rng.random() < 0.4:
            t = rng.choice(FILLERS) + " " + t
        spaces = [m.start() for m in re.finditer(" ", t)]
        if spaces and rng.random() < 0.3:
            p = rng.choice(spaces)
            t = t[:p] + " " + rng.choice(["就是", "那个", "然后", "嗯"]) + t[p:]
    return t or "嗯"


class Renderer:
    def __init__(self, rng):
        self.rng = rng

    # -- PII and look-alikes
    def pii_values(self, ctx, spoken=False):
        rng = self.rng
        return {"phone": fake_mobile(rng, spoken), "idno": fake_idno(rng), "card": fake_card(rng),
                "email": fake_email(rng), "addr": fake_address(rng), "name": fake_name(rng),
                "plate": fake_plate(rng)}

    def fill(self, ctx, template, values):
        out = template
        for k, v in values.items():
            out = out.replace("{%s}" % k, v)
        out = re.sub(r"\{(\w+)\}", lambda m: ctx.gen(m.group(1)), out)
        return ctx.expand(out)

    def pii_sentence(self, ctx, scn, product):
        pool = [t for t in PII_TEXT[scn.industry] if allowed(t, product, PII_ONLY_FOR)]
        if product in ("酒店", "租车"):
            pool.append(PII_PLATE)
        return self.fill(ctx, self.rng.choice(pool), self.pii_values(ctx))

    def lookalike_sentence(self, ctx, scn, product):
        pool = [t for t in LOOKALIKE_TEXT[scn.industry] if allowed(t, product, LOOKALIKE_ONLY_FOR)
                and not any(("{%s}" % k) in t for k in ctx.values if k in ("order", "tracking",
                                                                           "ticketno", "date"))]
        if not pool:
            return ""
        tpl = self.rng.choice(pool)
        return ctx.expand(re.sub(r"\{(\w+)\}", lambda m: "{=%s}" % m.group(1), tpl))

    # -- stock lines
    def agent_ack(self, ctx, scn):
        line = self.rng.choice(ACK).replace("{hint}", ID_HINT[scn.industry])
        return ctx.expand(line)

    def agent_close(self, ctx, scn):
        if scn.has("praise"):
            return self.rng.choice(PRAISE_REPLY)
        if scn.has("nophone") and scn.cause == "other" and scn.has("max=2"):
            return SPAM_REPLY[0]
        pool = CLOSE_PRODUCT[scn.industry] if scn.cause == "product" else CLOSE[scn.cause]
        return ctx.expand(self.rng.choice(pool))

    def customer_end(self, scn):
        calm = scn.cause == "other" or scn.has("calm")
        return self.rng.choice(CUSTOMER_END_CALM if calm else CUSTOMER_END_ANGRY)

    # -- surface noise on customer text (not for phone)
    def intensify(self, text, scn):
        if not scn.has("praise") and scn.cause != "other" and self.rng.random() < 0.12:
            text = re.sub(r"[。！]?$", "！！！", text, count=1)
        return text

    def decorate(self, text, scn, channel):
        rng = self.rng
        if channel in ("wechat", "app", "web", "weibo", "review") and rng.random() < 0.28:
            emo = rng.choice(EMO_POS if scn.has("praise") else EMO_NEG)
            text = text + emo if rng.random() < 0.8 else emo + text
        if channel != "phone" and rng.random() < 0.05:
            text = to_fullwidth(text)
        return text

    def noise(self, text, scn, channel):
        return self.decorate(self.intensify(text, scn), scn, channel)

    # -- turns
    def build_turns(self, ctx, scn, channel, product, pii):
        """Return a list of (role, text) with role in C/A/B."""
        rng = self.rng
        brand = rng.choice(BRANDS[scn.industry])
        turns = []
        if scn.kind == "dlg":
            turns = [(r, ctx.expand(t)) for r, t in scn.turns]
        else:
            text = ctx.expand(scn.text)
            sentences = split_sentences(text)
            k = 1 if len(sentences) <= 2 else (2 if len(sentences) <= 4 else 3)
            if scn.agent_lines:  # a question or praise with its own answer: ask it in one go
                k = 1
            parts = chunk(sentences, k)
            agent_lines = [ctx.expand(a) for a in scn.agent_lines]
            if channel in ("app", "web") and rng.random() < 0.5:
                turns.append(("B", ctx.expand(rng.choice(BOT_GREETING)).replace("{brand}", brand)))
                if rng.random() < 0.5:
                    turns.append(("C", rng.choice(["转人工", "人工客服", "人工"])))
                    turns.append(("B", "正在为您转接人工客服，请稍候。"))
            if channel in ("wechat", "web", "app") and rng.random() < 0.4:
                turns.append(("A", ctx.expand(rng.choice(CHAT_GREETING))))
            for i, part in enumerate(parts):
                turns.append(("C", part))
                if i < len(parts) - 1:
                    if agent_lines:
                        turns.append(("A", agent_lines.pop(0)))
                    elif scn.cause in ("other",):
                        turns.append(("A", "好的，请您继续说。"))
                    else:
                        turns.append(("A", self.agent_ack(ctx, scn)))
            if agent_lines:
                turns.extend(("A", a) for a in agent_lines)
            else:
                if scn.cause != "other" and len(parts) == 1 and rng.random() < 0.45:
                    turns.append(("A", self.agent_ack(ctx, scn)))
                    turns.append(("C", rng.choice(CUSTOMER_WAIT)))
                turns.append(("A", self.agent_close(ctx, scn)))
            if rng.random() < 0.5:
                turns.append(("C", self.customer_end(scn)))
                if rng.random() < 0.6:
                    turns.append(("A", rng.choice(AGENT_END)))
        if pii:
            asks = [a for a in PII_TURN[scn.industry] if a[2] is None or product in a[2]]
            ask, ans, _ = rng.choice(asks)
            vals = self.pii_values(ctx, spoken=(channel == "phone" and rng.random() < 0.25))
            first_c = next(i for i, (r, _) in enumerate(turns) if r == "C")
            turns[first_c + 1:first_c + 1] = [("A", ask), ("C", self.fill(ctx, ans, vals))]
        # surface noise on the longest customer turn
        c_idx = [i for i, (r, _) in enumerate(turns) if r == "C"]
        if channel != "phone" and c_idx:
            j = max(c_idx, key=lambda i: len(turns[i][1]))
            turns[j] = ("C", self.noise(turns[j][1], scn, channel))
        if channel == "phone":
            if turns[0][0] != "A":
                greet = rng.choice(PHONE_GREETING).replace("{brand}", brand)
                turns.insert(0, ("A", greet.replace("{agentid}", ctx.gen("agentid"))))
            if turns[-1][0] == "C" and scn.kind == "dlg" and scn.cause != "other":
                turns.append(("A", rng.choice(PHONE_FOLLOW_UP)))
            elif turns[-1][0] == "C" or (rng.random() < 0.4 and turns[-1][1] not in AGENT_END):
                turns.append(("A", rng.choice(PHONE_END)))
            turns = [(r, asr(rng, t, r == "C")) for r, t in turns]
        elif channel == "web" and rng.random() < 0.15:
            j = rng.choice(c_idx)
            turns[j] = ("C", turns[j][1].replace("，", "，&nbsp;", 1))
        return turns

    # -- single text
    def build_text(self, ctx, scn, channel, product, pii, lookalike):
        rng = self.rng
        if scn.kind == "dlg":
            raise ValueError("dialogue scenario rendered as text")
        text = self.intensify(ctx.expand(scn.text), scn)
        extra = []
        if lookalike:
            extra.append(self.lookalike_sentence(ctx, scn, product))
        if pii:
            extra.append(self.pii_sentence(ctx, scn, product))
        if extra:
            sep = "" if text.endswith(("。", "！", "？", "!", "?")) else "。"
            text = text + sep + "".join(extra)
        text = self.decorate(text, scn, channel)
        brand = rng.choice(BRANDS[scn.industry])
        if channel == "weibo":
            text = "@%s客服 %s" % (brand, text)
            if rng.random() < 0.4:
                text += " #%s投诉#" % brand if scn.cause != "other" else " #%s#" % brand
        elif channel == "email":
            greet = rng.choice(["您好：", "尊敬的客服：", "客服部：", "你好，"])
            sign = rng.choice(["一个老用户", "%s先生" % rng.choice(SURNAMES),
                               "%s女士" % rng.choice(SURNAMES), fake_name(rng)])
            date = ctx.created.strftime("%Y年%m月%d日")
            if rng.random() < 0.5:
                body = text.replace("。", "。<br>", 1)
                text = "<p>%s</p><p>&nbsp;&nbsp;%s</p><p>%s<br>%s</p>" % (greet, body, sign, date)
            else:
                text = "%s\n\n%s\n\n%s\n%s" % (greet, text, sign, date)
        elif channel == "ticket" and rng.random() < 0.3:
            text = rng.choice(["【客户投诉】", "【来电记录】", "标题：服务问题反馈\n"]) + text
        return text


# ---------------------------------------------------------------- scheduling

def month_days(year, month):
    nxt = datetime(year + (month == 12), month % 12 + 1, 1)
    return (nxt - datetime(year, month, 1)).days


HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 1, 2, 5, 9, 10, 10, 8, 7, 9, 10, 9, 8, 7, 8, 8, 6, 4, 2]


def random_time(rng, year, month, day_min=1):
    day = rng.randint(day_min, month_days(year, month))
    hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    return datetime(year, month, day, hour, rng.randint(0, 59), rng.randint(0, 59), tzinfo=TZ)


class Deck:
    """Draw scenarios evenly: every scenario comes up once before any comes up again."""

    def __init__(self, rng, items):
        self.rng = rng
        self.items = list(items)
        self.pool = []
        self.uses = {}

    def draw(self, ok):
        for _ in range(3):
            for i, s in enumerate(self.pool):
                if ok(s) and self.uses.get(s.key, 0) < s.max_uses:
                    self.uses[s.key] = self.uses.get(s.key, 0) + 1
                    return self.pool.pop(i)
            fresh = [s for s in self.items if self.uses.get(s.key, 0) < s.max_uses]
            self.rng.shuffle(fresh)
            self.pool.extend(fresh)
        raise RuntimeError("no compatible scenario")


def compatible(scn, kind, channel):
    if kind in ("tickets", "gbk"):
        if scn.kind == "dlg":
            return False
        if scn.cause == "other" and not scn.has("praise"):
            return False
        return True
    if channel == "phone" and scn.has("nophone"):
        return False
    if scn.kind == "dlg" and channel not in TURN_CHANNELS:
        return False
    if channel == "review" and not scn.has("review"):
        return False
    if channel in ("ticket",) and scn.cause == "other" and not scn.has("praise"):
        return False
    return True


# ---------------------------------------------------------------- main build

def build(out_dir=HERE):
    rng = random.Random(SEED)
    singles, chains = load_scenarios(SCENARIO_FILE)
    regular = [s for s in singles if not s.has("refund") and not s.has("surge")]
    refund = [s for s in singles if s.has("refund")]
    surge = [s for s in singles if s.has("surge")]
    decks = {"regular": Deck(rng, regular), "refund": Deck(rng, refund),
             "surge": Deck(rng, surge)}
    renderer = Renderer(rng)

    id_pool = list(range(10001, 10001 + 3000))
    rng.shuffle(id_pool)
    customers = {}

    def new_customer():
        cid = "U%d" % id_pool.pop()
        customers[cid] = (rng.choices(TIERS, TIER_WEIGHTS)[0],
                          rng.choices(REGIONS, REGION_WEIGHTS)[0])
        return cid

    seen = set()
    records = {"contacts": [], "tickets": [], "gbk": [], "calls": []}
    stats = {"cause": {}, "pii": 0, "total": 0, "refund": {}, "surge": {}}

    def emit(kind, channel, scn, created, cid, alts=None, product=None):
        product = product or rng.choice(scn.products)
        for attempt in range(40):
            ctx = Ctx(rng, created, scn.industry, alts)
            pii = rng.random() < (0.05 if channel == "review" else 0.16)
            look = (not pii) and rng.random() < 0.12
            if kind == "calls" or (kind == "contacts" and channel in TURN_CHANNELS):
                turns = renderer.build_turns(ctx, scn, channel, product, pii)
                key = "\n".join(t for r, t in turns if r == "C")
                payload = ("turns", turns)
            else:
                text = renderer.build_text(ctx, scn, channel if kind == "contacts" else "csv",
                                           product, pii, look)
                key = text
                payload = ("text", text)
            if key not in seen or attempt == 39:
                break
        if key in seen:
            raise RuntimeError("could not avoid a duplicate for %s" % scn.key)
        seen.add(key)
        tier, region = customers[cid]
        records[kind].append({"created": created, "channel": channel, "scn": scn,
                              "product": product, "cid": cid, "tier": tier,
                              "region": region, "payload": payload, "pii": pii})
        stats["cause"][scn.cause] = stats["cause"].get(scn.cause, 0) + 1
        month = created.strftime("%Y-%m")
        for tag in ("refund", "surge"):
            if scn.has(tag):
                stats[tag][month] = stats[tag].get(month, 0) + 1
        stats["pii"] += pii
        stats["total"] += 1

    def pick_channel(kind):
        if kind == "contacts":
            return rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        if kind == "calls":
            return "phone"
        return "ticket"

    for mi, (year, month) in enumerate(MONTHS):
        # repeat-contact chains placed in this month
        chain_slots = 0
        for cid_name, cm in CHAIN_MONTH.items():
            if cm != mi:
                continue
            parts = chains[cid_name]
            cust = new_customer()
            day_max = month_days(year, month) - 7
            t = random_time(rng, year, month, day_min=8 if parts[0].has("surge") else 1)
            t = t.replace(day=min(t.day, day_max))
            alts, product = {}, rng.choice(parts[0].products)
            for part in parts:
                if part.kind == "dlg":
                    channel = rng.choice(["phone", "wechat", "app"])
                else:
                    channel = rng.choice(["phone", "wechat", "app", "web", "email", "ticket"])
                emit("contacts", channel, part, t, cust, alts=alts, product=product)
                t = t + timedelta(days=rng.randint(1, 2), hours=rng.randint(-5, 5),
                                  minutes=rng.randint(0, 59))
                chain_slots += 1
        slots = []
        for kind, counts in (("contacts", CONTACTS_PER_MONTH), ("tickets", TICKETS_PER_MONTH),
                             ("gbk", GBK_PER_MONTH), ("calls", CALLS_PER_MONTH)):
            n = counts[mi] - (chain_slots if kind == "contacts" else 0)
            for _ in range(n):
                slots.append([kind, pick_channel(kind), "regular"])
        # planted trends: slow refunds rise month by month; the new issue appears in October
        order = list(range(len(slots)))
        rng.shuffle(order)
        need_surge = dict(SURGE_OCTOBER) if (year, month) == (2026, 10) else {}
        for i in order:
            kind = slots[i][0]
            if need_surge.get(kind, 0) > 0 and slots[i][1] != "review":
                slots[i][2] = "surge"
                need_surge[kind] -= 1
        refunds = REFUND_PER_MONTH[mi]
        for i in order:
            if refunds and slots[i][2] == "regular" and slots[i][1] not in ("review",):
                slots[i][2] = "refund"
                refunds -= 1
        for kind, channel, deck_name in slots:
            scn = decks[deck_name].draw(lambda s: compatible(s, kind, channel))
            if deck_name == "surge":
                created = random_time(rng, year, month, day_min=8)
            else:
                created = random_time(rng, year, month)
            emit(kind, channel, scn, created, new_customer())
    return records, stats


def ts_iso(dt):
    return dt.isoformat()


def ts_csv(dt):
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def speaker_labels(rng, channel):
    if channel == "phone":
        return rng.choices(SPEAKER_SETS, [70, 10, 10, 10])[0]
    return rng.choices(SPEAKER_SETS, SPEAKER_WEIGHTS)[0]


def write_outputs(records, out_dir=HERE):
    rng = random.Random(SEED + 1)  # labels and CSV cosmetics, independent of content
    written = {}

    # contacts.jsonl
    rows = sorted(records["contacts"], key=lambda r: (r["created"], r["cid"]))
    seq = {}
    buf = io.StringIO()
    for r in rows:
        ym = r["created"].strftime("%Y%m")
        seq[ym] = seq.get(ym, 0) + 1
        obj = {"id": "C%s%04d" % (ym, seq[ym]), "channel": r["channel"],
               "created_at": ts_iso(r["created"]), "customer_id": r["cid"],
               "tier": r["tier"], "industry": r["scn"].industry, "product": r["product"],
               "region": r["region"]}
        kind, payload = r["payload"]
        if kind == "text":
            obj["text"] = payload
        else:
            cust, agent = speaker_labels(rng, r["channel"])
            names = {"C": cust, "A": agent, "B": "机器人"}
            obj["turns"] = [{"speaker": names[role], "text": t} for role, t in payload]
        buf.write(json.dumps(obj, ensure_ascii=False) + "\n")
    written["contacts.jsonl"] = buf.getvalue().encode("utf-8")

    # tickets.csv and tickets_gbk.csv
    header = ["工单号", "渠道", "创建时间", "客户编号", "客户等级", "产品", "地区", "内容"]
    for kind, name, encoding, start in (("tickets", "tickets.csv", "utf-8-sig", 1),
                                        ("gbk", "tickets_gbk.csv", "gb18030", 501)):
        rows = sorted(records[kind], key=lambda r: (r["created"], r["cid"]))
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(header)
        seq = {}
        for r in rows:
            ym = r["created"].strftime("%Y%m")
            seq[ym] = seq.get(ym, start - 1) + 1
            text = r["payload"][1]
            scn = r["scn"]
            style = rng.choices(range(5), [45, 20, 20, 8, 7])[0]
            if style == 1:
                text = "客户来电反映：" + text
            elif style == 2:
                text = "【问题描述】\n%s\n【客户诉求】%s\n【处理进度】%s" % (
                    text, rng.choice(DEMAND[scn.cause]),
                    rng.choice(["待处理", "已派单", "处理中, 待回访", "已联系客户"]))
            elif style == 3:
                text = text.replace("，", "，<br>", 1).replace("。", "。<br>", 1)
            elif style == 4:
                text = "客户反馈：\n" + text + "\n（客户情绪%s）" % rng.choice(["激动", "较大", "一般"])
            if kind == "gbk":
                text = re.sub(r"\[[^\[\]]{1,4}\]", "", text)
            w.writerow(["GD%s%04d" % (ym, seq[ym]),
                        rng.choices(CSV_CHANNELS, CSV_CHANNEL_WEIGHTS)[0],
                        ts_csv(r["created"]), r["cid"], r["tier"], r["product"], r["region"], text])
        written[name] = out.getvalue().encode(encoding)

    # call_turns.csv
    rows = sorted(records["calls"], key=lambda r: (r["created"], r["cid"]))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["通话ID", "序号", "角色", "时间", "通话内容", "渠道", "客户编号", "客户等级", "坐席工号", "班组"])
    seq = {}
    agent_rng = random.Random(SEED + 17)  # its own generator: the other columns stay as they were
    for r in rows:
        ym = r["created"].strftime("%Y%m")
        seq[ym] = seq.get(ym, 0) + 1
        call_id = "CL%s%04d" % (ym, seq[ym])
        agent, team = agent_rng.choice(AGENTS)
        t = r["created"]
        n = 0
        for role, text in r["payload"][1]:
            if role == "B":
                continue
            n += 1
            w.writerow([call_id, n, "客户" if role == "C" else "坐席", ts_csv(t), text, "电话",
                        r["cid"], r["tier"], agent, team])
            t = t + timedelta(seconds=2 + len(text) // 4 + rng.randint(0, 6))
    written["call_turns.csv"] = out.getvalue().encode("utf-8")

    for name, data in written.items():
        with open(os.path.join(out_dir, name), "wb") as fh:
            fh.write(data)
    return written


def main():
    records, stats = build()
    written = write_outputs(records)
    for name, data in written.items():
        print("%-16s %7d bytes" % (name, len(data)))
    print("contacts: %d, root causes (scenario intent): %s, with personal data: %.1f%%" % (
        stats["total"], ", ".join("%s=%d" % kv for kv in sorted(stats["cause"].items())),
        100.0 * stats["pii"] / stats["total"]))
    for tag in ("refund", "surge"):
        print("%s contacts per month: %s" % (tag, ", ".join(
            "%s=%d" % kv for kv in sorted(stats[tag].items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
