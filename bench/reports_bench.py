"""Benchmark: results store and reports at scale (12 months x 100,000 contacts by default).

Generates tagged records synthetically (deterministic, seed 0; no tagging: the reports read
only the store), adds them to a fresh store, then times the monthly report (HTML and XLSX)
and the escalation reports for the last month. Target: the reports build in under 30 s.

    python bench/reports_bench.py                       # 12 x 100,000
    python bench/reports_bench.py --per-month 10000     # quicker
    python bench/reports_bench.py --db /tmp/big.db      # keep the store; reused when it exists
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voc.lang.taxonomy import OWNERS  # noqa: E402
from voc.store import Store, shift_month  # noqa: E402

# (topic, root cause, evidence terms, text template)
TOPICS = [
    ("信号差/没信号", "product", ["信号差", "没信号"], "家里{place}手机{ev}，打电话要跑到阳台上，交着{amt}元的套餐"),
    ("宽带掉线", "product", ["掉线", "断网"], "宽带三天两头{ev}，{place}开视频会议都断了好几次"),
    ("App闪退", "product", ["闪退", "打不开"], "更新以后App一直{ev}，{place}付款页面根本进不去"),
    ("餐品质量", "product", ["不新鲜", "有异物"], "外卖送来的菜{ev}，{place}吃了两口就不敢再吃"),
    ("客服态度", "agent", ["态度差", "挂电话"], "打客服电话问{amt}元的账单，客服{ev}，还说让我自己去查"),
    ("承诺不回电", "agent", ["没回电", "说话不算数"], "说好{place}有人联系我，到现在{ev}"),
    ("暴力催收", "agent", ["暴力催收", "骚扰家人"], "催收员{ev}，连{place}的同事都接到电话"),
    ("销售误导", "agent", ["误导", "不认账"], "办业务时销售说送{amt}元，结果{ev}"),
    ("年费/手续费", "policy", ["年费", "手续费"], "信用卡{ev}{amt}元，开卡时根本没说"),
    ("违约金", "policy", ["违约金", "提前还款"], "{ev}要收{amt}元，条款写得谁也看不懂"),
    ("退订规则", "policy", ["不能退", "退订"], "会员{ev}，规则里写着{place}办理的不退"),
    ("利息过高", "policy", ["利息", "利率"], "借了一万块，{ev}一个月就是{amt}元"),
    ("退款慢", "process", ["退款", "没到账"], "申请退款两周了还{ev}，{place}问了好几次"),
    ("物流延误", "process", ["物流", "没更新"], "快递{ev}一周，{place}中转站一直没动"),
    ("重复扣费", "process", ["扣了两次", "多扣"], "这个月话费{ev}{amt}元，系统的问题凭什么让我承担"),
    ("转来转去", "process", ["转来转去", "踢皮球"], "为了{amt}元的事被{ev}，{place}三个部门没人管"),
    ("套餐被改/未经同意", "process", ["未经同意", "套餐被改"], "我的{ev}了，从{amt}元变成更贵的，{place}没收到任何短信"),
    ("咨询", "other", [], "想问一下{place}营业厅几点关门，谢谢"),
    ("表扬", "other", [], "今天{place}的师傅很专业，问题解决了，给个好评"),
]
CHANNELS = ["phone", "wechat", "app", "web", "ticket", "review", "weibo", "email"]
TIERS = ["钻石", "金卡", "银卡", "普通"]
PLACES = ["上海", "北京", "成都", "地下车库", "电梯里", "公司", "老家", "营业厅"]
GROWING = "套餐被改/未经同意"
# a new issue planted in the last month only: the report should flag it as emerging
PLANTED = ("会员自动续费", "policy", ["自动续费", "扣了会员费"], "没开过会员却{ev}，{amt}元，{place}都没提醒过")


def generate(month: str, n: int, rng: random.Random, k: int, planted: bool = False):
    """``n`` tagged records of ``month`` (the ``k``-th month, 0-based: a topic grows over time;
    ``planted`` adds a new issue at about 1% of the month's contacts)."""
    topics = TOPICS + [PLANTED] if planted else TOPICS
    weights = [6.0] * len(TOPICS) + ([1.2] if planted else [])
    weights[[t[0] for t in TOPICS].index(GROWING)] = 0.5 + 1.2 * k
    y, m = map(int, month.split("-"))
    days = 28
    for i in range(n):
        topic, rc, evs, tpl = rng.choices(topics, weights)[0]
        ev = rng.choice(evs) if evs else ""
        text = tpl.format(ev=ev or "", place=rng.choice(PLACES), amt=rng.choice((29, 59, 128, 200, 3000)))
        if rng.random() < 0.02:
            text += f"，我电话139{rng.randrange(10 ** 8):08d}"
        neg = rc != "other" and rng.random() < 0.7
        s = round(rng.uniform(0.02, 0.35) if neg else rng.uniform(0.4, 0.98), 4)
        high = neg and rng.random() < 0.12
        esc = neg and rng.random() < 0.06
        urgent = esc and rng.random() < 0.5
        owner = OWNERS[rc]
        yield {
            "id": f"B{month.replace('-', '')}{i:07d}", "channel": rng.choice(CHANNELS),
            "created_at": f"{y:04d}-{m:02d}-{rng.randrange(1, days + 1):02d}T{rng.randrange(24):02d}:"
                          f"{rng.randrange(60):02d}:00+08:00",
            "customer_id": f"U{rng.randrange(10 ** 6):06d}", "text": text, "root_cause": rc,
            "root_cause_scores": {rc: round(rng.uniform(0.4, 0.99), 4)},
            "root_cause_evidence": [ev] if ev else [], "sentiment": s,
            "sentiment_label": "negative" if s < 0.4 else "positive" if s > 0.6 else "neutral",
            "sentiment_start": None, "sentiment_end": None, "sentiment_trend": None,
            "churn_risk": 0.85 if high else 0.1, "churn_level": "high" if high else "low",
            "churn_reasons": ["exit intent: 销户"] if high else [], "escalate": esc,
            "escalation_level": "urgent" if urgent else "normal" if esc else "none",
            "escalation_reasons": ["regulator/media/legal: 12315"] if esc else [], "owner": owner,
            "topics": [[topics.index((topic, rc, evs, tpl)), 0.8]], "topic_label": topic,
            "metadata": {"tier": rng.choice(TIERS)}, "status": "ok",
            "model_version": "voc-bench (root_cause=cues-1, sentiment=cues-1)",
        }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--per-month", type=int, default=100_000)
    ap.add_argument("--first", default="2025-11", help="first month (default 2025-11, so the last is 2026-10)")
    ap.add_argument("--db", default=None, help="store path (kept; reused when it already holds the data)")
    ap.add_argument("--out", default=None, help="folder for the reports (default: a temporary folder)")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="voc-bench-"))
    db = Path(args.db) if args.db else tmp / "bench.db"
    out = Path(args.out) if args.out else tmp / "reports"
    months = [shift_month(args.first, k) for k in range(args.months)]
    last = months[-1]
    result = {"months": args.months, "per_month": args.per_month, "contacts": args.months * args.per_month}
    with Store(db) as st:
        if st.count() != result["contacts"]:
            rng = random.Random(0)
            t0, c0 = time.perf_counter(), time.process_time()
            for k, m in enumerate(months):
                st.add_many(generate(m, args.per_month, rng, k, planted=m == last))
                print(f"  {m}: {st.count():,} contacts stored, {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            result["store_fill_s"] = round(time.perf_counter() - t0, 1)
            result["store_fill_cpu_s"] = round(time.process_time() - c0, 1)
        result["store_mb"] = round(sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6, 1)
    import voc.reports as reports

    with Store(db, readonly=True) as st:
        clock = []

        def mark():
            clock.append((time.perf_counter(), time.process_time()))

        mark()
        rep = reports.monthly(st, last)
        mark()
        html = rep.to_html()
        rep.write_html(out / f"monthly-{last}.html")
        mark()
        rep.to_xlsx(out / f"monthly-{last}.xlsx")
        mark()
        esc = reports.escalation(st, last, out)
        mark()
    names = ("monthly_build", "monthly_html", "monthly_xlsx", "escalation")
    for i, name in enumerate(names):
        result[f"{name}_s"] = round(clock[i + 1][0] - clock[i][0], 2)
        result[f"{name}_cpu_s"] = round(clock[i + 1][1] - clock[i][1], 2)
    result.update({
        "html_kb": round(len(html.encode()) / 1e3), "flagged": sum(len(r.flagged) for r in esc.reports),
        "all_reports_s": round(clock[-1][0] - clock[0][0], 2), "all_reports_cpu_s": round(clock[-1][1] - clock[0][1], 2),
        "emerging": [r[0] for r in rep.table("新出现问题").rows], "out": str(out),
    })
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
