"""Monthly and escalation reports on a hand-made store with known counts; XLSX/CSV cell
escaping; HTML escaping; and a real headless-Chromium render (charts present, no requests)."""
from __future__ import annotations

import csv
import http.server
import json
import re
import shutil
import subprocess
import threading
from html import escape

import pytest

pytest.importorskip("jinja2", reason="the reports need the 'report' extra (jinja2)")

from voc.cli import cli  # noqa: E402
from voc.errors import ConfigError, InputError  # noqa: E402
from voc.lang.taxonomy import OWNERS  # noqa: E402
from voc.records import OUTPUT_FIELDS  # noqa: E402
from voc.reports import escalation, monthly  # noqa: E402
from voc.reports.common import g2, highlight, p_chi2_1  # noqa: E402
from voc.store import Store  # noqa: E402

EVIL = '=HYPERLINK("http://evil.example/x","点我")<script>alert(1)</script><img src=http://evil.example/i.png>'
PHONE = "13912345678"
TOPIC_IDS = {"信号差": 1, "态度差": 2, "年费": 3, "套餐被改": 4, "=1+2": 5}


def rec(id, month, day, root_cause, *, sentiment="neutral", churn="low", escalate=None, topic=None, channel="chat",
        tier="普通", text=None, evidence=None, score=0.6, model_version="voc-test (root_cause=cues-1)"):
    """One flat record as voc tag writes it, with only the fields a report reads filled in."""
    r = dict.fromkeys(OUTPUT_FIELDS)
    r.update({
        "id": id, "channel": channel, "created_at": f"{month}-{day:02d}T10:00:00+08:00", "customer_id": "U" + id,
        "text": text or f"{topic or '一般问题'}，联络{id}，说明一下情况",
        "root_cause": root_cause, "root_cause_scores": {root_cause: score},
        "root_cause_evidence": evidence if evidence is not None else ([topic] if topic else []),
        "sentiment": {"negative": 0.1, "neutral": 0.5, "positive": 0.9}[sentiment], "sentiment_label": sentiment,
        "churn_risk": {"low": 0.0, "medium": 0.4, "high": 0.9}[churn], "churn_level": churn,
        "churn_reasons": ["exit intent: 销户"] if churn == "high" else [],
        "escalate": escalate is not None, "escalation_level": escalate or "none",
        "escalation_reasons": [f"regulator/media/legal: 12315 ({escalate})"] if escalate else [],
        "owner": OWNERS[root_cause], "topics": [[TOPIC_IDS[topic], 0.8]] if topic else [], "topic_label": topic,
        "metadata": {"tier": tier}, "status": "ok", "model_version": model_version,
    })
    return r


def september_like(month: str) -> list[dict]:
    """10 contacts: agent 7, product 1, policy 1, process 1; negative 5; 1 high churn; 2 escalations."""
    out = []
    for i in range(10):
        rc = "agent" if i < 7 else ("product", "policy", "process")[i - 7]
        topic = "信号差" if i < 3 else "态度差"
        out.append(rec(f"{month}-{i}", month, 1 + i, rc, sentiment="negative" if i < 5 else "neutral",
                       churn="high" if i == 0 else "low", escalate="normal" if i in (1, 2) else None,
                       topic=topic, channel="phone"))
    return out


def october() -> list[dict]:
    """20 contacts with known counts (see the assertions)."""
    month = "2026-10"
    causes = ["agent"] * 4 + ["product"] * 6 + ["policy"] * 3 + ["process"] * 5 + ["other", "process"]
    sentiments = ["negative"] * 10 + ["neutral"] * 6 + ["positive"] * 4
    channels = ["phone"] * 8 + ["电话"] * 2 + ["chat"] * 6 + ["review"] * 4
    topics = ["态度差"] * 4 + ["信号差"] * 6 + ["年费"] * 3 + ["套餐被改"] * 5 + ["=1+2", "套餐被改"]
    out = []
    for i in range(20):
        out.append(rec(f"O{i:02d}", month, 1 + i, causes[i], sentiment=sentiments[(i * 7) % 20],
                       churn="high" if i in (12, 13, 14) else "low",
                       escalate={13: "urgent", 14: "urgent", 4: "normal", 10: "normal"}.get(i),
                       topic=topics[i], channel=channels[(i * 3) % 20], tier="金卡" if i % 5 in (0, 1) else "普通"))
    # one contact of the planted new issue carries hostile text and personal data
    out[14]["text"] = f"{EVIL} 套餐被改了，打{PHONE}也没人管"
    out[14]["root_cause_scores"] = {"process": 0.99}
    return out


def expected_october():
    recs = october()
    n = len(recs)
    return {
        "contacts": n,
        "complaints": sum(r["root_cause"] != "other" for r in recs),
        "negative": sum(r["sentiment_label"] == "negative" for r in recs),
        "high": sum(r["churn_level"] == "high" for r in recs),
        "escalations": sum(bool(r["escalate"]) for r in recs),
        "urgent": sum(r["escalation_level"] == "urgent" for r in recs),
    }


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "voc.db") as st:
        for m in ("2026-07", "2026-08", "2026-09"):
            st.add_many(september_like(m))
        st.add_many(october())
    with Store(tmp_path / "voc.db") as st:
        yield st


def rows(table):
    return {r[0]: r[1:] for r in table.rows}


# -- the monthly report -------------------------------------------------------------------------
def test_headline_figures_and_changes(store):
    e = expected_october()
    assert (e["contacts"], e["complaints"], e["negative"], e["high"], e["escalations"], e["urgent"]) == (20, 19, 10, 3, 4, 2)
    rep = monthly(store, "2026-10")
    head = {h["label"]: h for h in rep.context["headline"]}
    assert head["联络量"]["raw"] == 20 and head["联络量"]["prev"] == 10 and head["联络量"]["change"] == pytest.approx(1.0)
    assert head["投诉占比"]["raw"] == pytest.approx(19 / 20) and head["投诉占比"]["change"] == pytest.approx(19 / 20 - 1.0)
    assert head["负面情绪占比"]["raw"] == pytest.approx(0.5) and head["负面情绪占比"]["change"] == pytest.approx(0.0)
    assert head["高流失风险"]["raw"] == 3 and head["高流失风险"]["change"] == pytest.approx(2.0)
    assert head["需升级"]["raw"] == 4 and head["需升级"]["change"] == pytest.approx(1.0) and "紧急 2" in head["需升级"]["note"]
    assert rep.months == ["2026-07", "2026-08", "2026-09", "2026-10"]


def test_volume_tables_by_root_cause_owner_channel_topic(store):
    rep = monthly(store, "2026-10")
    rc = rows(rep.table("根因"))
    # columns: this month, of which complaints, share, last month, change, relative change
    # 7 -> 4 is not more than chance: the relative change is left out, the absolute one stays
    assert rc["人员"] == [4, 4, 0.2, 7, -3, None]
    assert rc["产品"][:5] == [6, 6, 0.3, 1, 5] and rc["政策"][0] == 3 and rc["流程"][0] == 6
    assert rc["其他"][:4] == [1, 0, 0.05, 0]
    own = rows(rep.table("负责方"))
    assert own["运营/流程"][0] == 6 and own["客服质检/培训"][0] == 4 and own["（无负责方）"][0] == 1
    ch = rows(rep.table("渠道"))
    assert ch["电话"][0] == sum(c in ("phone", "电话") for c in (r["channel"] for r in october()))
    assert "phone" not in ch  # phone and 电话 are one channel
    assert sum(v[0] for v in ch.values()) == 20
    tp = rows(rep.table("话题"))
    assert tp["信号差"][:3] == [6, 0.3, 3] and tp["套餐被改"][:3] == [6, 0.3, 0] and tp["=1+2"][0] == 1
    trend = rep.table("根因-趋势")
    assert trend.columns[:3] == ["月份", "人员", "产品"] and trend.rows[-1][:3] == ["2026-10", 4, 6]
    assert [r[0] for r in trend.rows] == rep.months


def test_emerging_issue_is_flagged_and_steady_ones_are_not(store):
    rep = monthly(store, "2026-10")
    em = rep.table("新出现问题")
    assert [r[0] for r in em.rows] == ["套餐被改"]
    issue, status, count, cur_share, base_share = em.rows[0][:5]
    assert status == "新出现" and count == 6 and cur_share == pytest.approx(0.3) and base_share == 0
    assert em.rows[0][-1] == OWNERS["process"]
    assert "voc.topics.track" in rep.context["emerging_method"]
    # and in September nothing was new
    assert monthly(store, "2026-09").table("新出现问题").rows == []


def test_emerging_issues_without_topic_tracking_come_from_store_counts(store, monkeypatch):
    from voc.reports.common import Facts

    def broken(self, limit):
        raise RuntimeError("no tracking today")  # as if voc.topics.track were missing or failed

    monkeypatch.setattr(Facts, "_track", broken)
    rep = monthly(store, "2026-10")
    em = rep.table("新出现问题")
    assert [r[:3] for r in em.rows] == [["套餐被改", "新出现", 6]]
    assert em.rows[0][3] == pytest.approx(0.3) and "voc.topics.track" not in rep.context["emerging_method"]


def test_sentiment_churn_tiers_owners_and_methods(store):
    rep = monthly(store, "2026-10")
    sent = rep.table("情绪趋势")
    assert sent.rows[-1][:5] == ["2026-10", 20, 0.5, 0.3, 0.2]
    churn = rows(rep.table("流失热点-话题"))
    assert churn["套餐被改"][:2] == [6, 2] and churn["年费"][:2] == [3, 1]
    tiers = rep.table("客户等级")
    assert [r[0] for r in tiers.rows] == ["金卡", "普通"]  # value tiers from the highest
    assert tiers.rows[0][1] == 8 and tiers.rows[1][1] == 12
    by_owner = {o["owner"]: o for o in rep.context["per_owner"]}
    proc = by_owner[OWNERS["process"]]
    assert proc["contacts"] == 6 and proc["issues"][0]["issue"] == "套餐被改" and proc["issues"][0]["count"] == 6
    assert proc["issues"][0]["verbatims"][0]["id"] == "O14"  # highest root-cause score
    assert rep.context["models"][0]["stages"][0]["source"].startswith("关键词基线")


def test_tier_from_any_tier_key_churn_reads(tmp_path):
    """A contact whose tier is under 客户星级 (a key churn always read) is tiered in the report too."""
    recs = september_like("2026-10")
    for r in recs[:4]:
        r["metadata"] = {"客户星级": " 五星 "}
    with Store(tmp_path / "star.db") as st:
        st.add_many(recs)
        assert st.get(recs[0]["id"])["tier"] == "五星"
        tiers = rows(monthly(st, "2026-10").table("客户等级"))
    assert tiers["五星"][0] == 4 and tiers["普通"][0] == 6


def test_model_accuracy_comes_from_the_manifest(store, tmp_path, monkeypatch):
    from voc import models

    folder = tmp_path / "models" / "root_cause" / "2.0.0"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"name": "root_cause", "version": "2.0.0", "metrics": {
        "reserved": {"macro_f1": 0.812, "n": 600}, "note": "text"}}), encoding="utf-8")
    monkeypatch.setattr(models, "find", lambda name, version=None, root=None:
                        folder if (name, version) == ("root_cause", "2.0.0") else None)
    store.add(rec("M1", "2026-10", 28, "agent", model_version="voc-x (root_cause=2.0.0, sentiment=9.9)"))
    html = monthly(store, "2026-10").to_html()
    assert "reserved.macro_f1 0.812" in html and "未找到该版本" in html


def test_html_is_self_contained_escaped_and_redacted(store):
    html = monthly(store, "2026-10").to_html()
    assert html.count('<svg class="chart"') >= 8
    assert "<script" not in html and "<img" not in html and "<link" not in html
    tags = parse_tags(html)
    assert {t for t, _ in tags} >= {"svg", "style", "mark", "table"} and not {t for t, _ in tags} & {
        "script", "img", "link", "iframe", "object", "embed", "video", "audio", "source", "image", "use"}
    refs = [(t, k, v) for t, attrs in tags for k, v in attrs if v and ("//" in v or "url(" in v)]
    assert all(k == "xmlns" and v == "http://www.w3.org/2000/svg" for _, k, v in refs), refs
    assert "url(" not in html.split("<style>")[1].split("</style>")[0] and "@import" not in html
    assert "Content-Security-Policy" in html
    # the hostile verbatim is shown as text: the store's redaction cleans HTML out of a text in which it
    # finds personal data (voc.text.redact: digits split by tags), so only its words remain
    assert "=HYPERLINK(" in html and "alert(1)" in html
    assert PHONE not in html and "〔手机号〕" in html
    assert "<mark>套餐被改</mark>" in html


def parse_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    from html.parser import HTMLParser

    tags = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, attrs))

    P().feed(html)
    return tags


def test_report_from_a_path_and_month_errors(store, tmp_path):
    rep = monthly(store.path, "2026-10")
    assert rep.table("根因").rows[0][1] == 4
    with pytest.raises(InputError, match="no contacts in 2026-11"):
        monthly(store, "2026-11")
    with pytest.raises(ConfigError, match="YYYY-MM"):
        monthly(store, "2026/10")


def test_trend_window_is_up_to_twelve_months(tmp_path):
    with Store(tmp_path / "long.db") as st:
        for k in range(14):
            y, m = divmod(9 + k, 12)
            st.add_many(september_like(f"{2025 + y}-{m + 1:02d}"))
        months = st.months()
        rep = monthly(st, months[-1])
        assert len(rep.months) == 12 and rep.months[-1] == months[-1] and len(rep.table("根因-趋势").rows) == 12
        assert len(monthly(st, months[7]).months) == 8


def test_without_topics_issues_fall_back_to_evidence(tmp_path):
    with Store(tmp_path / "ev.db") as st:
        for m in ("2026-09", "2026-10"):
            st.add_many({**r, "topic_label": None, "topics": []} for r in september_like(m))
        rep = monthly(st, "2026-10")
        assert rep.context["issue_dim"] == "evidence"
        assert rows(rep.table("问题（根因证据）"))["态度差"][0] == 7
        assert "未带话题标签" in rep.to_html()


# -- contact types ------------------------------------------------------------------------------
def typed(id, month, day, contact_type, root_cause, resolved=None, **kw):
    r = rec(id, month, day, root_cause, **kw)
    r.update(contact_type=contact_type, contact_type_scores={contact_type: 0.9}, resolved=resolved,
             resolved_score=None if resolved is None else {"yes": 0.9, "no": 0.1, "unclear": 0.5}[resolved])
    return r


def everyday(month: str) -> list[dict]:
    """20 contacts of everyday traffic: 10 inquiries whose root cause came out process (the
    old rule would call them complaints), 4 complaints (agent 2, product 2), 3 requests, 2
    praise, 1 suggestion; tiers 金卡 (ids 0-4) and 普通."""
    out = [typed(f"{month}-i{i}", month, 1 + i, "inquiry", "process", resolved="yes" if i < 6 else "no",
                 tier="金卡" if i < 3 else "普通", sentiment="neutral", topic="套餐被改") for i in range(10)]
    out += [typed(f"{month}-c{i}", month, 11 + i, "complaint", ("agent", "agent", "product", "product")[i],
                  resolved="no", sentiment="negative", escalate="normal" if i == 0 else None, topic="态度差",
                  tier="金卡" if i < 2 else "普通") for i in range(4)]
    out += [typed(f"{month}-r{i}", month, 15 + i, "request", "other", resolved="yes") for i in range(3)]
    out += [typed(f"{month}-p{i}", month, 18 + i, "praise", "other", sentiment="positive") for i in range(2)]
    out.append(typed(f"{month}-s0", month, 20, "suggestion", "product", resolved="unclear"))
    return out


@pytest.fixture
def typed_store(tmp_path):
    """September: the older voc (no contact type; 10 contacts, 9 complaints by the old rule);
    October: everyday traffic with contact types."""
    september = september_like("2026-09")
    september[-1].update(root_cause="other", root_cause_scores={"other": 0.6}, owner=None)
    with Store(tmp_path / "typed.db") as st:
        st.add_many(september)
        st.add_many(everyday("2026-10"))
    with Store(tmp_path / "typed.db") as st:
        yield st


def test_complaints_come_from_contact_type_not_root_cause(typed_store):
    rep = monthly(typed_store, "2026-10")
    head = {h["label"]: h for h in rep.context["headline"]}
    assert head["投诉占比"]["raw"] == pytest.approx(4 / 20) and head["投诉占比"]["note"] == "4 件"
    assert head["投诉占比"]["prev"] == pytest.approx(9 / 10)  # September by the old rule
    trend = {r[0]: r[1:] for r in rep.table("月度趋势").rows}
    assert trend["2026-10"][:3] == [20, 4, pytest.approx(0.2)] and trend["2026-09"][:2] == [10, 9]
    rc = rows(rep.table("根因"))
    assert rc["流程"][:2] == [10, 0]  # 10 inquiries with root cause process: no complaint
    assert rc["人员"][:2] == [2, 2] and rc["产品"][:2] == [3, 2]  # the suggestion is no complaint
    own = rows(rep.table("负责方"))
    assert own["运营/流程"][:2] == [10, 0] and own["客服质检/培训"][:2] == [2, 2]
    by_owner = {o["owner"]: o for o in rep.context["per_owner"]}
    assert by_owner[OWNERS["process"]]["complaints"] == 0 and by_owner[OWNERS["product"]]["complaints"] == 2
    tiers = rows(rep.table("客户等级"))
    assert tiers["金卡"][0] == 5 and tiers["金卡"][2] == pytest.approx(2 / 5)  # complaint share of the tier
    assert tiers["普通"][2] == pytest.approx(2 / 15)
    assert tiers["金卡"][-1] == "人员（2）"  # main root cause among the complaints, not the inquiries' process
    html = rep.to_html()
    assert "投诉：联络类型为“投诉”的联络" in html and "本月 0 件" in html  # methods: the fallback for September


def test_contact_type_breakdown_month_over_month(typed_store):
    rep = monthly(typed_store, "2026-10")
    t = rep.table("联络类型")
    assert t.columns == ["联络类型", "本月联络", "占比", "上月联络", "上月占比", "占比变化", "当场解决率"]
    by = rows(t)
    assert by["投诉"][:5] == [4, pytest.approx(0.2), 9, pytest.approx(0.9), pytest.approx(0.2 - 0.9)]
    assert by["咨询"][:4] == [10, pytest.approx(0.5), 0, 0.0] and by["咨询"][-1] == pytest.approx(6 / 10)
    assert by["办理/求助"][0] == 3 and by["办理/求助"][-1] == pytest.approx(1.0)
    assert by["表扬"][0] == 2 and by["表扬"][-1] is None  # nothing to tell: no resolution tagged
    assert by["建议"][0] == 1 and by["其他"][0] == 0
    assert by["（未标注）"][:4] == [0, 0.0, 1, pytest.approx(0.1)]  # September's one root cause "other"
    assert [r[0] for r in t.rows] == ["投诉", "咨询", "办理/求助", "表扬", "建议", "其他", "（未标注）"]
    shares = rep.table("联络类型-占比")
    assert shares.columns == ["月份", "投诉", "咨询", "办理/求助", "表扬", "建议", "（未标注）"]
    assert shares.rows == [["2026-09", pytest.approx(0.9), 0.0, 0.0, 0.0, 0.0, pytest.approx(0.1)],
                           ["2026-10", 0.2, 0.5, 0.15, 0.1, 0.05, 0.0]]
    assert rows(rep.table("联络类型-趋势"))["2026-10"] == [20, 4, 10, 3, 2, 1, 0]
    html = rep.to_html()
    assert 'id="contact-type"' in html and "各月联络类型构成" in html
    assert "趋势期内有 10 件联络没有联络类型" in html  # the methods say which contacts fell back


def test_report_filtered_to_contact_types(typed_store, tmp_path):
    rep = monthly(typed_store, "2026-10", contact_types="inquiry,request")
    head = {h["label"]: h for h in rep.context["headline"]}
    assert head["联络量"]["raw"] == 13 and head["投诉占比"]["raw"] == 0
    assert head["联络量"]["prev"] is None  # September has no inquiry or request (no contact type there)
    assert [r[0] for r in rep.table("联络类型").rows] == ["咨询", "办理/求助"]
    assert rows(rep.table("根因"))["流程"][0] == 10
    assert "仅含联络类型：咨询、办理/求助" in rep.to_html()
    book = read_xlsx(rep.to_xlsx(tmp_path / "f.xlsx"))
    assert book["联络类型"][1][:3] == ["咨询", 10, pytest.approx(10 / 13)]  # numbers stay numbers
    assert book["联络类型-占比"][0] == ["月份", "咨询", "办理/求助"]
    contacts = book["联络明细"]
    header = contacts[0]
    assert len(contacts) == 1 + 13 and {r[header.index("contact_type")] for r in contacts[1:]} == {"inquiry", "request"}
    assert {r[header.index("resolved")] for r in contacts[1:]} == {"yes", "no"}
    # complaint: the typed complaints and, in September, the old rule's
    comp = monthly(typed_store, "2026-10", contact_types=["投诉"])
    assert comp.context["headline"][0]["raw"] == 4 and comp.context["headline"][0]["prev"] == 9
    with pytest.raises(ConfigError, match="unknown contact type 'complain'"):
        monthly(typed_store, "2026-10", contact_types="complain")
    with pytest.raises(InputError, match="no contacts of the types"):
        monthly(typed_store, "2026-09", contact_types="praise")


def test_escalation_uses_contact_type_and_filters(typed_store, tmp_path):
    files = escalation(typed_store, "2026-10", tmp_path / "all")
    by_key = {r.key: r for r in files.reports}
    kpis = {k["label"]: k for k in by_key["process"].context["kpis"]}
    assert kpis["联络量"]["value"] == "10" and kpis["投诉"]["value"] == "0"
    assert rows(by_key["product"].tables[1])["产品"][:2] == [3, 2]  # 3 contacts, 2 complaints
    with open(files.csv, encoding="utf-8-sig", newline="") as f:
        flagged = list(csv.DictReader(f))
    assert [(r["id"], r["contact_type"], r["resolved"]) for r in flagged] == [("2026-10-c0", "complaint", "no")]
    sept = escalation(typed_store, "2026-09", tmp_path / "sept")
    assert "沿用旧口径" in sept.reports[0].path.read_text(encoding="utf-8")
    only = escalation(typed_store, "2026-10", tmp_path / "inq", contact_types="inquiry")
    assert {k["label"]: k for k in only.reports[0].context["kpis"]}["联络量"]["value"] == "0"
    assert "仅含联络类型：咨询" in only.reports[0].path.read_text(encoding="utf-8")
    with open(only.csv, encoding="utf-8-sig", newline="") as f:
        assert list(csv.DictReader(f)) == []


def test_cli_contact_type_option(typed_store, tmp_path):
    from click.testing import CliRunner

    typed_store.close()
    runner = CliRunner()
    base = ["report", "monthly", "--store", typed_store.path, "--month", "2026-10"]
    r = runner.invoke(cli, [*base, "--contact-type", "complaint,inquiry", "-o", str(tmp_path / "r.html"),
                            "--xlsx", str(tmp_path / "r.xlsx")])
    assert r.exit_code == 0, r.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "仅含联络类型：投诉、咨询" in html
    assert rows_of(read_xlsx(tmp_path / "r.xlsx")["概览"])["联络量"][0] == 14
    r = runner.invoke(cli, [*base, "--contact-type", "questions", "-o", str(tmp_path / "x.html")])
    assert r.exit_code == ConfigError.exit_code and "complaint, inquiry, request" in r.output
    r = runner.invoke(cli, ["report", "escalation", "--store", typed_store.path, "--month", "2026-10",
                            "--contact-type", "complaint", "-o", str(tmp_path / "e")])
    assert r.exit_code == 0, r.output
    with open(tmp_path / "e" / "flagged-2026-10.csv", encoding="utf-8-sig", newline="") as f:
        assert [row["id"] for row in csv.DictReader(f)] == ["2026-10-c0"]
    assert "--contact-type" in runner.invoke(cli, ["report", "escalation", "--help"]).output


def rows_of(sheet):
    return {r[0]: r[1:] for r in sheet[1:]}


# -- XLSX ---------------------------------------------------------------------------------------
def read_xlsx(path):
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def test_xlsx_report_is_the_same_bytes_every_time(store, tmp_path):
    """No clock in the file: docProps/core.xml holds a fixed creation time, not now (the
    times of the two writes are a second apart, xlsxwriter's resolution)."""
    import time

    first = monthly(store, "2026-10").to_xlsx(tmp_path / "a.xlsx").read_bytes()
    time.sleep(1.1)
    assert monthly(store, "2026-10").to_xlsx(tmp_path / "b.xlsx").read_bytes() == first


def test_xlsx_has_the_tables_and_contacts_with_formulas_escaped(store, tmp_path):
    path = monthly(store, "2026-10").to_xlsx(tmp_path / "r.xlsx")
    sheets = read_xlsx(path)
    assert {"概览", "根因", "渠道", "话题", "新出现问题", "情绪趋势", "客户等级", "模型", "联络明细"} <= set(sheets)
    root = {r[0]: r[1:] for r in sheets["根因"][1:]}
    assert root["人员"][0] == 4 and root["人员"][2] == pytest.approx(0.2)
    contacts = sheets["联络明细"]
    assert len(contacts) == 1 + 20
    header = contacts[0]
    texts = {r[header.index("id")]: r for r in contacts[1:]}
    assert texts["O14"][header.index("text")].startswith("'=HYPERLINK(")
    assert PHONE not in json.dumps(contacts, ensure_ascii=False)
    assert texts["O19"][header.index("topic_label")] == "套餐被改"
    topics = [r[0] for r in sheets["话题"][1:]]
    assert "'=1+2" in topics and "=1+2" not in topics
    for sheet in sheets.values():  # no cell of any sheet starts a formula
        for row in sheet:
            for v in row:
                assert not (isinstance(v, str) and v[:1] and v[0] in "=+-@"), v


def test_streamed_contacts_sheet_is_well_formed_and_escaped(tmp_path):
    import xml.etree.ElementTree as ET
    import zipfile

    from voc.reports.common import Table
    from voc.reports.xlsx import write_workbook

    rows = [("a", "<r><t>injected</t></r>", 1.5, True, None),
            ("b", "x & y < z\x01 _x0041_ ", -2, False, "=cmd|' /C calc'!A0"),
            ("c", " leading space", 3, None, "@SUM(1)")]
    path = write_workbook(tmp_path / "t.xlsx", [Table("t", "t", ["a"], ["text"], [["<r><t>x</t></r>"]])],
                          (("id", "text", "n", "b", "f"), rows))
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                ET.fromstring(z.read(name))  # well-formed
        assert b"<r><t>" not in z.read("xl/sharedStrings.xml")
    sheets = read_xlsx(path)
    assert sheets["t"] == [["a"], ["'<r><t>x</t></r>"]]
    assert sheets["联络明细"] == [["id", "text", "n", "b", "f"],
                              ["a", "'<r><t>injected</t></r>", 1.5, True, ""],  # escape_cell: one rule everywhere
                              ["b", "x & y < z\x01 _x0041_ ", -2.0, False, "'=cmd|' /C calc'!A0"],
                              ["c", " leading space", 3.0, "", "'@SUM(1)"]]


def test_cell_escaping_rules():
    from voc.reports.xlsx import cell

    assert [cell(v) for v in ("=1+1", "+86 10", "-2", "@SUM(A1)", "正常", -2, 3.5, None, "<r>x</r>")] == \
        ["'=1+1", "'+86 10", "'-2", "'@SUM(A1)", "正常", -2, 3.5, None, "'<r>x</r>"]
    assert cell(["a", "=b"]) == '["a", "=b"]'


# -- escalation reports -------------------------------------------------------------------------
def test_escalation_reports_per_owner_with_flagged_contacts(store, tmp_path):
    out = tmp_path / "esc"
    files = escalation(store, "2026-10", out)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["escalation-2026-10-agent.html", "escalation-2026-10-policy.html",
                     "escalation-2026-10-process.html", "escalation-2026-10-product.html",
                     "flagged-2026-10.csv", "flagged-2026-10.xlsx"]
    by_key = {r.key: r for r in files.reports}
    assert [r["id"] for r in by_key["process"].flagged] == ["O13", "O14"]
    assert [r["id"] for r in by_key["product"].flagged] == ["O04"]
    assert [r["id"] for r in by_key["policy"].flagged] == ["O10"]
    assert by_key["agent"].flagged == []
    with open(files.csv, encoding="utf-8-sig", newline="") as f:
        table = list(csv.DictReader(f))
    assert [r["id"] for r in table] == ["O04", "O10", "O13", "O14"]  # by owner, urgent first
    evil = next(r for r in table if r["id"] == "O14")
    assert evil["text"].startswith("'=HYPERLINK(") and evil["urgency"] == "urgent" and PHONE not in evil["text"]
    assert evil["owner"] == OWNERS["process"] and evil["owner_key"] == "process"
    xl = read_xlsx(files.xlsx)
    assert len(xl["全部"]) == 1 + 4 and len(xl["运营-流程"]) == 1 + 2
    html = (out / "escalation-2026-10-process.html").read_text(encoding="utf-8")
    assert "<script" not in html and "alert(1)" in html and PHONE not in html
    assert "<mark>套餐被改</mark>" in html and "需升级联络（2 件）" in html
    actions = by_key["process"].context["actions"]
    assert actions[0]["title"] == "优先处理「套餐被改」" and "+6" in actions[0]["why"] and "G²" in actions[0]["why"]
    assert any("2 件需升级" in a["title"] for a in actions)


def test_highlight_escapes_text_and_marks_evidence():
    out = str(highlight("<b>退款</b>一直没到账，退款慢", ["退款", "<b>"]))
    assert out == "<mark>&lt;b&gt;</mark><mark>退款</mark>&lt;/b&gt;一直没到账，<mark>退款</mark>慢"


def test_g2_statistic():
    assert g2(10, 100, 10, 100) == pytest.approx(0.0)
    assert p_chi2_1(3.841459) == pytest.approx(0.05, abs=1e-5)
    # 2x2 table [[30, 70], [10, 90]]: G² = 2 Σ O ln(O/E), E from the margins
    import math

    obs = [30, 70, 10, 90]
    exp = [20, 80, 20, 80]
    assert g2(30, 100, 10, 100) == pytest.approx(2 * sum(o * math.log(o / e) for o, e in zip(obs, exp)))


def test_cli_reports(store, tmp_path):
    from click.testing import CliRunner

    store.close()
    runner = CliRunner()
    r = runner.invoke(cli, ["report", "monthly", "--store", store.path, "--month", "2026-10",
                            "-o", str(tmp_path / "r.html"), "--xlsx", str(tmp_path / "r.xlsx")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "r.html").stat().st_size > 10_000 and (tmp_path / "r.xlsx").is_file()
    r = runner.invoke(cli, ["report", "escalation", "--store", store.path, "--month", "2026-10", "-o", str(tmp_path / "e")])
    assert r.exit_code == 0 and r.output.count("wrote") == 6
    r = runner.invoke(cli, ["report", "monthly", "--store", store.path, "--month", "2027-01", "-o", str(tmp_path / "x.html")])
    assert r.exit_code == InputError.exit_code and "2026-07 to 2026-10" in r.output


# -- a real browser -----------------------------------------------------------------------------
def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


# Chromium's own background traffic (component updater, network time, sign-in), which no page
# causes; requests to these exact hosts are not counted against the report.
BROWSER_HOSTS = {"update.googleapis.com", "accounts.google.com", "clients2.google.com"}


def host_of(request: str) -> str:
    method, target = request.split(" ", 1)
    if method == "CONNECT":
        return target.rsplit(":", 1)[0]
    return re.sub(r"^[a-z]+://", "", target).split("/", 1)[0].split(":", 1)[0]


class Trap:
    """An HTTP proxy that answers 404 and records every request the browser makes."""

    def __init__(self):
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self):
                seen.append(f"{self.command} {self.path}")
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_HEAD = do_CONNECT = do_OPTIONS = _any

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


MEASURE = """<script>
const svgs = [...document.querySelectorAll('svg.chart')];
const box = s => s.getBoundingClientRect();
document.body.setAttribute('data-measure', JSON.stringify({
  charts: svgs.length,
  drawn: svgs.filter(s => box(s).width > 150 && box(s).height > 40).length,
  labels: svgs.reduce((n, s) => n + [...s.querySelectorAll('text')].filter(t => t.getComputedTextLength() > 0).length, 0),
  cjk: svgs.some(s => /[\\u4e00-\\u9fff]/.test(s.textContent)),
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  clipped: [...document.querySelectorAll('.scroll')].filter(d => d.scrollWidth > d.clientWidth + 1)
    .map(d => (d.querySelector('caption,th') || d).textContent.slice(0, 20)),
  width: window.innerWidth,
  images: document.images.length,
  resources: performance.getEntriesByType('resource').map(e => e.name),
}));
</script>"""


def run_chromium(exe, url, tmp_path, *flags, width=390, height=844, timeout=90):
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
           "--disable-extensions", "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}",
           f"--window-size={width},{height}", *flags, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def browser():
    exe = chromium()
    if exe is None:
        pytest.skip("no chromium binary (Debian: apt-get install chromium); .ci/run installs it")
    return exe


def test_report_renders_in_chromium_with_charts_and_no_requests(browser, store, tmp_path):
    def probed(page_html: str) -> str:
        # the check must not lean on the page's own Content-Security-Policy: drop it and add a probe
        assert 'http-equiv="Content-Security-Policy"' in page_html
        return re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page_html).replace(
            "</body>", MEASURE + "</body>")

    probe = probed(monthly(store, "2026-10").to_html())
    esc = escalation(store, "2026-10", tmp_path / "esc")
    esc_probe = probed(next(r for r in esc.reports if r.key == "process").path.read_text(encoding="utf-8"))
    page = tmp_path / "report.html"
    page.write_text(probe, encoding="utf-8")
    control = tmp_path / "control.html"
    control.write_text('<html><body><img src="http://voc-probe.invalid/x.png"><p>x</p></body></html>', encoding="utf-8")
    trap = Trap()
    proxy = [f"--proxy-server=http://127.0.0.1:{trap.port}", "--proxy-bypass-list=<-loopback>"]
    try:
        blank = tmp_path / "blank.html"
        blank.write_text("<html><body><p>blank</p></body></html>", encoding="utf-8")
        run_chromium(browser, blank.as_uri(), tmp_path, "--dump-dom", *proxy)
        noise = BROWSER_HOSTS | {host_of(r) for r in trap.seen}  # what the browser asks for on its own
        trap.seen.clear()
        run_chromium(browser, control.as_uri(), tmp_path, "--dump-dom", *proxy)
        assert "voc-probe.invalid" in {host_of(r) for r in trap.seen}, f"the request trap saw nothing: {trap.seen}"
        trap.seen.clear()
        # a phone and a desktop, each an iframe (headless windows are at least 500 px wide), and an
        # escalation page on the phone
        views = (("w360", 360, probe), ("w1280", 1280, probe), ("w1920", 1920, probe), ("e360", 360, esc_probe),
                 ("e1280", 1280, esc_probe))
        for key, width, doc in views:  # one page per view: a busy machine cannot starve one of five frames
            frame = (f'<iframe id="{key}" style="width:{width}px;height:700px;border:0;display:block" '
                     f'srcdoc="{escape(doc, quote=True)}"></iframe>')
            one = tmp_path / f"{key}.html"
            one.write_text(f'<html><body style="margin:0">{frame}<script>document.querySelector("iframe")'
                           f'.addEventListener("load", e => document.body.setAttribute("data-{key}", '
                           f'e.target.contentDocument.body.getAttribute("data-measure")));</script></body></html>',
                           encoding="utf-8")
            out = run_chromium(browser, one.as_uri(), tmp_path, "--dump-dom", "--virtual-time-budget=20000", *proxy,
                               width=max(width + 20, 500), height=900)
            m = re.search(rf'<body[^>]*data-{key}="([^"]*)"', out.stdout)
            assert m, f"the page did not render at {key}: {out.stderr[-2000:]}"
            measure = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
            assert measure["width"] == width
            charts, labels = (8, 50) if key.startswith("w") else (1, 5)  # the escalation page has one chart
            assert measure["charts"] >= charts and measure["drawn"] == measure["charts"], measure
            assert measure["labels"] > labels and measure["cjk"] and measure["images"] == 0, measure
            assert measure["resources"] == [], measure
            assert measure["overflow"] <= 0, f"the page scrolls sideways at {width}px: {measure}"
            if width >= 1280:  # on a desktop every table and sparkline is seen whole, without scrolling
                assert measure["clipped"] == [], f"tables cut off at {width}px: {measure['clipped']}"
        page_requests = [r for r in trap.seen if host_of(r) not in noise]
        assert page_requests == [], f"the report made requests: {page_requests}"
    finally:
        trap.close()
    # printable: Chromium prints it to a multi-page PDF; and a screenshot is drawn
    pdf, png = tmp_path / "report.pdf", tmp_path / "report.png"
    run_chromium(browser, (tmp_path / "report.html").as_uri(), tmp_path, f"--print-to-pdf={pdf}",
                 "--no-pdf-header-footer")
    assert pdf.read_bytes()[:5] == b"%PDF-" and len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())) >= 3
    run_chromium(browser, (tmp_path / "report.html").as_uri(), tmp_path, f"--screenshot={png}", width=1100, height=1400)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") == 1100 and len(data) > 50_000


def test_every_shipped_stage_version_finds_its_manifest(store):
    """The version a tagged record carries names each stage's model folder (churn said
    labels-1.1.0 while its folder is 1.1.0, so the methods box said the manifest was missing)."""
    import voc

    version = voc.load().version
    store.add(rec("V1", "2026-10", 28, "agent", model_version=version))
    html = monthly(store, "2026-10").to_html()
    assert "未找到该版本" not in html
    for stage in ("contact_type", "root_cause", "sentiment", "resolved", "churn"):
        assert f"models/{stage}/" in html, stage


def test_changes_on_small_counts_are_not_called_significant(store):
    """+100% on 2 -> 4 must not look as loud as a real surge (issue 19)."""
    from voc.reports.common import significant

    assert not significant(4, 2) and not significant(8, 1)          # too few contacts
    assert significant(200, 100) and not significant(105, 100)      # a surge vs noise
    assert significant(60, 20, 100, 100) and not significant(6, 2, 100, 100)   # shares
    rep = monthly(store, "2026-10")
    head = {k["label"]: k for k in rep.context["headline"]}
    assert head["高流失风险"]["change"] == pytest.approx(2.0) and head["高流失风险"]["significant"] is False
    html = rep.to_html()
    assert "数量少，变化不显著" in html and "变化率只列出显著的变化" in html
    overview = rep.table("概览")
    assert overview.columns == ["指标", "本月", "上月", "变化", "变化显著"]
    assert all(isinstance(r[1], (int, float)) for r in overview.rows)   # numbers, not text


def test_overview_numbers_are_numbers_in_the_xlsx(store, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    rep = monthly(store, "2026-10")
    path = rep.to_xlsx(tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path)["概览"]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert values and all(isinstance(v[1], (int, float)) for v in values)
    assert all(v[3] is None or isinstance(v[3], (int, float)) for v in values)
