"""Synthetic data for the journey, FCR and forecast checks (tests/test_journey.py,
tests/test_forecast.py, bench/forecast_backtest.py). Everything here is generated; no real
contact-centre volume series is available to the project.

* ``daily_volume(start, end, ...)``: a daily contact-volume series with the shapes a Chinese
  contact centre shows: growth and a drifting level, spells of busy or quiet days, incidents
  (spikes that fade over two days), a weekly pattern (Monday peak, quiet weekends), yearly
  seasonality (summer high, the 双十一 shopping peak), public holidays and make-up working days
  from the ``holidays`` calendar (the Spring Festival and National Day dips, the surge on the
  first working days after a long break, a busier day before one), and over-dispersed noise
  (Poisson counts of a log-normal rate).
* ``planted_journeys()``: hand-written customer journeys whose repeat pairs and FCR are known.
* ``volume_records(...)``: tagged records (the flat output of voc tag) for a volume series,
  one record per contact, spread over the hours of the day, each customer contacting once.
* ``fill_store(path, ...)``: a store with both.
"""
from __future__ import annotations

import math
import random
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from voc.forecast.calendar import holiday_breaks, is_workday, workdays_since_break  # noqa: E402

TZ = timezone(timedelta(hours=8))
WEEKDAY = (1.18, 1.08, 1.03, 1.0, 0.96, 0.72, 0.66)
# (root cause, share, post-holiday surge strength, owner)
CAUSES = (("process", 0.34, 1.4, "运营/流程"), ("product", 0.26, 1.0, "产品/研发"), ("agent", 0.14, 0.8, "客服质检/培训"),
          ("policy", 0.12, 0.9, "业务政策/合规"), ("other", 0.14, 0.6, None))
CHANNELS = ("phone", "wechat", "app", "web", "ticket")
# hour-of-day profile of a working day (00..23), in shares
HOURS = (0.3, 0.15, 0.1, 0.1, 0.1, 0.2, 0.6, 1.5, 4.5, 8.0, 9.0, 8.5, 6.5, 7.0, 8.5, 8.5, 8.0, 7.0, 5.0, 3.5, 2.8, 2.0,
         1.2, 0.6)


def multipliers(days: list[date], surge: float = 1.0) -> list[float]:
    """Holiday, weekday and yearly multipliers of each day."""
    breaks = holiday_breaks(days)
    out = []
    for d in days:
        work = is_workday(d)
        m = WEEKDAY[d.weekday()] if not (work and d.weekday() >= 5) else 0.95  # a make-up day is a working day
        brk = breaks.get(d)
        if not work and brk:
            m = 0.36 if brk[1] else 0.55
            if brk[1] and d - timedelta(days=1) not in breaks:  # the eve: quietest
                m = 0.30
        elif not work and d.weekday() < 5:
            m = 0.6  # a single holiday inside the week
        if work:
            # working days since the last break of 3+ days
            k, last = workdays_since_break(d, breaks, 6)
            if last is not None:
                if k < 3:
                    m *= 1 + surge * (0.45, 0.25, 0.10)[k]
                if last[1] and k < 5:
                    m *= 1 + surge * (0.25, 0.2, 0.15, 0.1, 0.05)[k]
            nxt = d + timedelta(days=1)
            if nxt in breaks:
                m *= 1.08
        doy = d.timetuple().tm_yday
        m *= 1 + 0.08 * math.sin(2 * math.pi * (doy - 80) / 365.25)
        if d.month == 11 and 11 <= d.day <= 20:
            m *= 1.2
        out.append(m)
    return out


def daily_volume(start: date, end: date, base: float = 2000.0, growth: float = 0.10, noise: float = 0.05,
                 surge: float = 1.0, seed: int = 0) -> list[tuple[date, int]]:
    """Daily counts from ``start`` to ``end`` inclusive (deterministic for a seed)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    mult = multipliers(days, surge)
    out = []
    walk = ar = incident = 0.0
    for i, (d, m) in enumerate(zip(days, mult)):
        walk += rng.normal(0, noise / 12)            # slow drift of the level (customers, products)
        ar = 0.7 * ar + rng.normal(0, noise / 2)     # busy and quiet spells of a few days
        incident *= 0.4                              # an outage or a campaign: a spike that fades
        if rng.random() < 1 / 45:
            incident += rng.uniform(0.2, 0.5)
        level = walk + ar + incident + rng.normal(0, noise)
        rate = base * math.exp(growth * i / 365.25) * m * math.exp(level)
        out.append((d, int(rng.poisson(rate))))
    return out


def record(id: str, when: datetime, customer: str, *, root_cause: str = "process", channel: str = "phone",
           resolved: str | None = "yes", topic: str | None = None, text: str = "", contact_type: str = "complaint",
           owner: str | None = None, tier: str = "普通", handle_time: int | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"tier": tier}
    if handle_time is not None:
        meta["handle_time"] = handle_time
    return {"id": id, "channel": channel, "created_at": when.isoformat(), "customer_id": customer, "text": text,
            "contact_type": contact_type, "root_cause": root_cause, "root_cause_scores": {root_cause: 0.9},
            "root_cause_evidence": [], "sentiment": 0.3, "sentiment_label": "negative", "resolved": resolved,
            "churn_risk": 0.1, "churn_level": "low", "escalate": False, "escalation_level": "none",
            "owner": owner if owner is not None else dict((c[0], c[3]) for c in CAUSES).get(root_cause),
            "topics": [], "topic_label": topic, "metadata": meta, "status": "ok", "model_version": "synthetic"}


# Planted journeys: (customer, [(day offset, hour, channel, root cause, topic, resolved, text)]).
# Expected repeat pairs and FCR outcomes are in PLANTED_PAIRS and PLANTED_FCR (window 7 days).
_T = {
    "refund": "申请退款两周了还没到账，订单号在系统里一直显示处理中",
    "refund2": "退款还是没到账，已经第二次联系你们了",
    "signal": "家里手机信号很差，打电话要跑到阳台上",
    "fee": "信用卡年费没说清楚就扣了，开卡时根本没提",
    "parcel": "快递一直没更新物流，中转站一周没动",
    "parcel_same": "快递一直没更新物流，中转站一周没动了，麻烦查一下",
    "praise": "今天的师傅很专业，问题解决了，给个好评",
    "app": "更新以后App一直闪退，付款页面进不去",
}
PLANTED = [
    # chat -> phone -> complaint ticket about one refund: 2 repeats (same cause), FCR no
    ("P01", [(0, 10, "wechat", "process", None, "no", _T["refund"]), (2, 15, "phone", "process", None, "no", _T["refund2"]),
             (4, 9, "ticket", "process", None, "yes", _T["refund2"])]),
    # resolved at the first contact, nothing after: FCR yes
    ("P02", [(1, 11, "phone", "product", None, "yes", _T["signal"])]),
    # resolved in the contact, but back 3 days later about the same topic (cause other): FCR no
    ("P03", [(3, 9, "app", "other", "物流", "yes", _T["parcel"]), (6, 20, "phone", "other", "物流", "no", _T["parcel"])]),
    # two different issues in one week (different cause, topic and text): no repeat; both FCR yes
    ("P04", [(5, 10, "phone", "policy", None, "yes", _T["fee"]), (7, 14, "app", "product", None, "yes", _T["app"])]),
    # the same issue again after 10 days: outside the window, two issues; FCR yes, then no
    ("P05", [(8, 10, "phone", "product", None, "yes", _T["signal"]), (18, 10, "phone", "product", None, "no", _T["signal"])]),
    # near-identical text, cause other, no topic: repeat by text similarity
    ("P06", [(9, 10, "web", "other", None, "no", _T["parcel"]), (10, 12, "web", "other", None, "yes", _T["parcel_same"])]),
    # resolved unclear at the first contact and no repeat: excluded from FCR (unclear)
    ("P07", [(11, 10, "phone", "product", None, "unclear", _T["signal"])]),
    # unclear first contact but a repeat follows: not FCR whatever the tag
    ("P08", [(12, 10, "phone", "process", None, "unclear", _T["refund"]), (13, 10, "app", "process", None, "yes",
                                                                          _T["refund2"])]),
    # praise then an unrelated complaint: cause other vs product, different text: no repeat
    ("P09", [(14, 10, "app", "other", None, "unclear", _T["praise"]), (15, 10, "phone", "product", None, "no", _T["app"])]),
]
# (customer, index of a, index of b, reason)
PLANTED_PAIRS = [("P01", 0, 1, "cause"), ("P01", 1, 2, "cause"), ("P03", 0, 1, "topic"), ("P06", 0, 1, "text"),
                 ("P08", 0, 1, "cause")]
# first contacts by outcome (the P05 second contact is a new issue)
PLANTED_FCR = {"yes": 4, "no": 6, "unclear": 2, "untagged": 0, "open": 0}


def planted_journeys(start: datetime, prefix: str = "J") -> Iterator[dict[str, Any]]:
    for customer, contacts in PLANTED:
        for i, (day, hour, channel, rc, topic, resolved, text) in enumerate(contacts):
            yield record(f"{prefix}{customer}-{i}", start + timedelta(days=day, hours=hour), f"{prefix}{customer}",
                         root_cause=rc, channel=channel, resolved=resolved, topic=topic, text=text)


def volume_records(series: list[tuple[date, int]], seed: int = 0, prefix: str = "V", handle_time: bool = False
                   ) -> Iterator[dict[str, Any]]:
    """One tagged record per contact of ``series``; causes by their shares and their own
    post-holiday sensitivity, hours by ``HOURS``; every contact has its own customer id."""
    rng = random.Random(seed)
    days = [d for d, _ in series]
    per_cause = {c[0]: multipliers(days, c[2]) for c in CAUSES}
    overall = multipliers(days, 1.0)
    hours = list(range(24))
    n = 0
    for i, (d, count) in enumerate(series):
        weights = [c[1] * per_cause[c[0]][i] / overall[i] for c in CAUSES]
        causes = rng.choices([c[0] for c in CAUSES], weights, k=count)
        hs = rng.choices(hours, HOURS, k=count)
        for rc, h in zip(causes, hs):
            when = datetime(d.year, d.month, d.day, h, rng.randrange(60), rng.randrange(60), tzinfo=TZ)
            n += 1
            yield record(f"{prefix}{n:08d}", when, f"{prefix}C{n:08d}", root_cause=rc, channel=rng.choice(CHANNELS),
                         resolved=rng.choice(("yes", "yes", "no", "unclear")), text=f"联络{n}",
                         contact_type="complaint" if rc != "other" else "inquiry",
                         handle_time=int(rng.gammavariate(4, 75)) if handle_time else None)


def fill_store(path: str | Path, start: date = date(2025, 1, 1), end: date = date(2026, 10, 31), base: float = 60.0,
               seed: int = 0, journeys_at: datetime | None = None, handle_time: bool = False) -> dict[str, Any]:
    """A store with a volume series (``base`` contacts a day at the start) and the planted
    journeys (at ``journeys_at``, default two months before the end). Returns the series."""
    from voc.store import Store

    series = daily_volume(start, end, base=base, seed=seed)
    at = journeys_at or datetime(end.year, end.month, 1, tzinfo=TZ) - timedelta(days=60)
    with Store(path) as st:
        st.add_many(volume_records(series, seed, handle_time=handle_time))
        st.add_many(planted_journeys(at))
    return {"series": series, "journeys_at": at}
