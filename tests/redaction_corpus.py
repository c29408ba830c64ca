"""A deterministic corpus of synthetic contacts with personal data planted in every field and
format, for the end-to-end leak check (``bench/leak_check.py``, ``tests/test_privacy.py``).

Each contact carries 2-4 planted items: resident IDs, mobiles, bank cards, e-mail addresses,
personal names, WeChat ids, QQ numbers and passports, each written in one of the formats
redaction must see through (groupings, 138.1234.5678, (138)1234-5678, +86 (138) 1234 5678,
tel/VX prefixes, 。-split, full-width digits, zero-width characters, HTML-split digits,
traditional cue words, numbers split over consecutive turns, Chinese e-mail addresses ...) and
placed in one slot: the text, the turns, the id, the channel, the raw ``created_at``, the
customer id, a metadata key, or a metadata value as a string, an integer, a float (an Excel
number), a list or a nested object. Kinds that are only personal data next to a cue (names,
WeChat ids, QQ numbers) are written with their cue outside the text, or as the value of a
metadata key that is the cue (``{"微信": "abc_123x"}``); half of the names are also written
bare and listed in a user name list (``voc tag --names``).

``Planted.needles`` are the strings that must not appear in any artefact: the value as written
and its canonical form (digits, lower-case address, the name ...)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from redaction_synth import (card_valid, email_value, id_valid, luhn_ok, mobile_digits, passport_number,
                             person_name, qq_number, to_fullwidth, wechat_id)

SEED = 20261206
KINDS = ("id_card", "mobile", "bank_card", "email", "name", "wechat", "qq", "passport")
SLOTS = ("text", "turns", "split_turns", "id", "channel", "created_at", "customer_id", "meta_key", "meta_str",
         "meta_int", "meta_float", "meta_list", "meta_nested")
CUE = {"name": "联系人", "wechat": "微信", "qq": "QQ", "passport": "护照", "id_card": "身份证", "mobile": "手机",
       "bank_card": "卡号", "email": "邮箱"}
TEXTS = ["我要投诉，快递三天了还没到，客服一直不回复。", "退款什么时候到账？已经等了一周了。", "套餐被乱改了，我要求恢复原来的套餐。",
         "网速太慢了，晚上根本用不了。", "信用卡被多扣了年费，请尽快处理。", "骑手态度很差，餐也洒了。",
         "APP一直闪退，重装也没用。", "感谢客服小姐姐耐心解答，问题解决了。"]
CHANNELS = ["phone", "wechat", "web", "app", "email"]


@dataclass
class Planted:
    kind: str
    canonical: str
    written: str
    slot: str

    @property
    def needles(self) -> set[str]:
        out = {self.canonical}
        if self.written.isascii() or self.kind in ("name", "email"):
            out.add(self.written)
        if self.kind == "id_card" and self.canonical.endswith("X"):
            out.add(self.canonical[:-1] + "x")
        if self.slot == "xlsx_float":  # an Excel number keeps 15 digits
            out.add(self.canonical[:15])
        return {n for n in out if n}


@dataclass
class Generated:
    contact: dict
    planted: list[Planted] = field(default_factory=list)


def _mobile_form(rng: random.Random, d: str) -> str:
    return rng.choice([
        d, f"{d[:3]} {d[3:7]} {d[7:]}", f"{d[:3]}.{d[3:7]}.{d[7:]}", f"({d[:3]}){d[3:7]}-{d[7:]}",
        f"+86 ({d[:3]}) {d[3:7]} {d[7:]}", f"{d[:4]}-{d[4:7]}-{d[7:]}", "tel" + d, "VX" + d,
        f"{d[:3]}。{d[3:7]}。{d[7:]}", to_fullwidth(d, rng), f"{d[:3]}\u200b{d[3:7]}\u200b{d[7:]}",
        f"{d[:3]}<b>{d[3:7]}</b>{d[7:]}", "手機" + d])


def _id_form(rng: random.Random, v: str) -> str:
    return rng.choice([v, f"{v[:6]} {v[6:14]} {v[14:]}", f"{v[:6]}-{v[6:14]}-{v[14:]}",
                       f"{v[:6]} {v[6:10]} {v[10:14]} {v[14:]}", to_fullwidth(v, rng), "身份證" + v,
                       f"{v[:6]}\u200b{v[6:]}"])


def _card_form(rng: random.Random, v: str) -> str:
    grouped = " ".join(v[i:i + 4] for i in range(0, len(v), 4))
    return rng.choice([v, grouped, "会员" + v, "订单关联的卡" + v, "卡號" + v])


CN_EMAILS = ["张三@公司.中国", "客服@例子.cn", "李四@企业.公司"]


def _letters(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[r] + out
        if not n:
            return out


def _value(rng: random.Random, kind: str, names: list[str]) -> tuple[str, str]:
    """(canonical, written) of a new item of ``kind``."""
    if kind == "mobile":
        d = mobile_digits(rng)
        return d, _mobile_form(rng, d)
    if kind == "id_card":
        v = id_valid(rng)
        return v, _id_form(rng, v)
    if kind == "bank_card":
        while True:
            v = card_valid(rng)
            if len(v) in (16, 19) and (v.startswith(("62", "4")) or "51" <= v[:2] <= "55") and luhn_ok(v):
                return v, _card_form(rng, v)
    if kind == "email":
        v = rng.choice(CN_EMAILS) if rng.random() < 0.1 else email_value(rng)
        return v.lower(), v
    if kind == "name":
        n = person_name(rng)
        listed = rng.random() < 0.5
        if listed:
            names.append(n)
        return n, n if listed else rng.choice([f"联系人：{n}", f"姓名{n}", f"收件人{n}", f"我叫{n}"])
    if kind == "wechat":
        w = wechat_id(rng)
        return w, rng.choice([f"微信号{w}", f"VX：{w}", f"加我微信 {w}"])
    if kind == "qq":
        q = qq_number(rng)
        while len(q) < 7:  # 5-6 digits are detected too (tests) but collide with counts in the leak check
            q = qq_number(rng)
        return q, rng.choice([f"QQ号{q}", f"扣扣{q}", f"QQ:{q}"])
    p = passport_number(rng, permit=rng.random() < 0.2)
    return p, (p if p[0] in "EG" and rng.random() < 0.5 else rng.choice([f"护照{p}", f"护照号码：{p}", f"通行证{p}"]))


def _place(rng: random.Random, c: dict, kind: str, canonical: str, written: str, slot: str, n: int) -> str:
    meta = c.setdefault("metadata", {})
    if slot == "text":
        c["text"] = c.get("text", rng.choice(TEXTS)) + written + "。"
    elif slot in ("turns", "split_turns"):
        turns = c.setdefault("turns", [{"speaker": "customer", "text": rng.choice(TEXTS)}])
        if slot == "split_turns" and kind in ("mobile", "id_card", "bank_card"):
            d = canonical
            cuts = {"mobile": (3, 7), "id_card": (6, 14), "bank_card": (4, 8, 12)}[kind]
            parts = [d[a:b] for a, b in zip((0,) + cuts, cuts + (len(d),))]
            turns.append({"speaker": "agent", "text": "请提供一下号码"})
            turns.extend({"speaker": "customer", "text": p} for p in parts)
            return "split_turns"
        turns.append({"speaker": "customer", "text": "好的，" + written})
        return "turns"
    elif slot == "id":
        c["id"] = f"{written}#{_letters(n)}"  # no digits: they would look like a planted QQ number
    elif slot == "channel":
        c["channel"] = written
    elif slot == "created_at":
        c["created_at"] = written
    elif slot == "customer_id":
        c["customer_id"] = written
    elif slot == "meta_key":
        meta[f"备注{written}"] = "x"
    elif slot == "meta_str":
        if kind in ("name", "wechat", "qq") and written == canonical:
            meta[CUE[kind]] = canonical  # a bare value under the cue key
        else:
            meta[f"备注{len(meta)}"] = written
    elif slot == "meta_int" and canonical.isdigit():
        meta[CUE[kind] if kind == "qq" else f"号码{len(meta)}"] = int(canonical)
    elif slot == "meta_float" and canonical.isdigit() and kind == "mobile":
        meta[f"电话{len(meta)}"] = float(canonical)
    elif slot == "meta_list":
        meta[f"列表{len(meta)}"] = ["a", written, 3]
    elif slot == "meta_nested":
        meta[f"嵌套{len(meta)}"] = {"内层": {written: [written]}}
    else:
        c["text"] = c.get("text", rng.choice(TEXTS)) + written + "。"
        return "text"
    return slot


def generate(n: int, seed: int = SEED) -> tuple[list[Generated], list[str]]:
    """``n`` contacts and the user name list (the names written bare)."""
    rng = random.Random(seed)
    names: list[str] = []
    out = []
    for i in range(n):
        c: dict = {"id": f"C{i:06d}", "channel": rng.choice(CHANNELS),
                   "created_at": f"2026-10-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00",
                   "customer_id": f"U{rng.randint(1, 5000):05d}", "metadata": {"客户等级": rng.choice(["金卡", "普通", "VIP3"])}}
        g = Generated(c)
        for _ in range(rng.randint(2, 4)):
            kind = rng.choice(KINDS)
            canonical, written = _value(rng, kind, names)
            slot = _place(rng, c, kind, canonical, written, rng.choice(SLOTS), i)
            g.planted.append(Planted(kind, canonical, written, slot))
        if "text" not in c and "turns" not in c:
            c["text"] = rng.choice(TEXTS)
        if "text" in c and "turns" in c:
            c["turns"].insert(0, {"speaker": "customer", "text": c.pop("text")})
        out.append(g)
    return out, names


CSV_META = ("客户等级", "联系人", "微信", "QQ", "备注")


def csv_row(c: dict) -> dict:
    """A contact as one CSV/XLSX row (turns joined; metadata into fixed columns)."""
    meta = c.get("metadata", {})
    text = c.get("text") or "".join(t["text"] + "。" for t in c.get("turns", []))
    row = {"id": c["id"], "text": text, "channel": c.get("channel"), "created_at": c.get("created_at"),
           "customer_id": c.get("customer_id")}
    rest = [f"{k}={v}" for k, v in meta.items() if k not in CSV_META]
    for k in CSV_META:
        row[k] = meta.get(k, "")
    row["备注"] = (str(row["备注"]) + " " + " ".join(rest)).strip()
    return row
