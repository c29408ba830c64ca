"""The QA report (voc report qa) from a store of QA-tagged samples: scorecards by agent and team,
coaching examples, commitments, the bot section; the XLSX; and the page in headless Chromium
at 360 and 1280 px (no horizontal overflow, no request leaves the page)."""
from __future__ import annotations

import json
import re
import zipfile
from html import escape

import pytest
from click.testing import CliRunner

import test_reports
from test_reports import MEASURE, Trap, run_chromium
from voc.cli import cli
from voc.store import Store


browser = test_reports.browser  # the fixture: a Chromium binary, or skip


@pytest.fixture(scope="module")
def qa_store(tmp_path_factory, samples):
    tmp = tmp_path_factory.mktemp("qa")
    db = tmp / "voc.db"
    runner = CliRunner()
    for args in ([str(samples / "contacts.jsonl")], [str(samples / "call_turns.csv"), "--group-by", "通话ID"]):
        out = tmp / f"out{len(list(tmp.glob('out*')))}.jsonl"
        r = runner.invoke(cli, ["tag", *args, "-o", str(out), "--workers", "1", "-q", "--qa", "--store", str(db)])
        assert r.exit_code == 0, r.output
    return db


def test_the_store_keeps_the_qa_fields(qa_store):
    with Store(qa_store, readonly=True) as st:
        agents = dict(st.query("SELECT agent_id, COUNT(*) FROM contacts WHERE agent_id IS NOT NULL GROUP BY 1"))
        assert set(agents) <= {"11095", "11102", "11117", "12031", "12044", "12058", "13006", "13019"} and len(agents) >= 6
        rec = next(st.records(where="agent_id IS NOT NULL"))
        assert rec["handoff"] in ("none", "requested", "transferred") and isinstance(rec["qa_hits"], list)
        assert rec["team"] in ("一组", "二组", "三组") and 0 <= rec["qa_score"] <= 100
        plain = st.query("SELECT COUNT(*) FROM contacts WHERE handoff IS NULL")[0][0]
        assert plain == 0


def test_report_qa_writes_html_and_xlsx(qa_store, tmp_path):
    html, xlsx = tmp_path / "qa.html", tmp_path / "qa.xlsx"
    r = CliRunner().invoke(cli, ["report", "qa", "--store", str(qa_store), "--month", "2026-10", "-o", str(html),
                                 "--xlsx", str(xlsx)])
    assert r.exit_code == 0, r.output
    page = html.read_text(encoding="utf-8")
    for words in ("坐席评分卡", "班组评分卡", "辅导案例", "承诺跟进", "机器人与自助服务", "拦截率", "转人工率"):
        assert words in page
    assert re.search(r"<td>1[123]\d{3}</td>", page)  # an agent row
    assert "本月没有机器人接待的联络" not in page  # the samples hold bot chats
    with zipfile.ZipFile(xlsx) as z:
        book = z.read("xl/workbook.xml").decode("utf-8")
    assert "坐席" in book and "班组" in book
    r = CliRunner().invoke(cli, ["report", "qa", "--store", str(qa_store), "--month", "2031-01", "-o", str(html)])
    assert r.exit_code != 0 and "2026-05 to 2026-10" in r.output


def test_report_qa_without_month_reports_the_latest_qa_month(qa_store, tmp_path, samples):
    from voc.reports.qa import qa_report

    assert qa_report(qa_store).month == "2026-10"
    plain = tmp_path / "plain.db"
    r = CliRunner().invoke(cli, ["tag", str(samples / "tickets.csv"), "-o", str(tmp_path / "t.jsonl"), "--workers", "1",
                                 "-q", "--store", str(plain)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["report", "qa", "--store", str(plain), "-o", str(tmp_path / "qa.html")])
    assert r.exit_code != 0 and "no contacts tagged with --qa" in r.output and "Traceback" not in r.output


def test_qa_report_renders_in_chromium_at_360_and_1280(browser, qa_store, tmp_path):
    from voc.reports.qa import qa_report

    page = qa_report(qa_store, "2026-10").to_html()
    assert 'http-equiv="Content-Security-Policy"' in page
    probe = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page).replace("</body>", MEASURE + "</body>")
    views = (("w360", 360), ("w1280", 1280))
    frames = "".join(f'<iframe id="{key}" style="width:{w}px;height:700px;border:0;display:block" '
                     f'srcdoc="{escape(probe, quote=True)}"></iframe>' for key, w in views)
    both = tmp_path / "both.html"
    both.write_text(f'<html><body style="margin:0">{frames}<script>for (const f of document.querySelectorAll'
                    f'("iframe")) f.addEventListener("load", e => document.body.setAttribute("data-" + f.id, '
                    f'e.target.contentDocument.body.getAttribute("data-measure")));</script></body></html>',
                    encoding="utf-8")
    trap = Trap()
    try:
        out = run_chromium(browser, both.as_uri(), tmp_path, "--dump-dom",
                           f"--proxy-server=http://127.0.0.1:{trap.port}", "--proxy-bypass-list=<-loopback>",
                           width=1300, height=900)
    finally:
        trap.close()
    for key, width in views:
        m = re.search(rf'<body[^>]*data-{key}="([^"]*)"', out.stdout)
        assert m, f"the page did not render: {out.stderr[-2000:]}"
        measure = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
        assert measure["width"] == width
        assert measure["overflow"] <= 0, f"{key}: the page is wider than the screen by {measure['overflow']} px"
        assert measure["resources"] == [] and measure["images"] == 0


def test_a_null_agent_is_no_agent_and_the_customers_words_are_labelled_theirs(tmp_path):
    src = tmp_path / "calls.jsonl"
    rows = [{"id": f"N{i}", "channel": "phone", "created_at": "2026-10-0%dT10:00:00+08:00" % (i + 1),
             "agent_id": None, "team": None,
             "text": "客户：这也太坑了吧，气死我了\n坐席：提前还款手续费是要一次性收取的"} for i in range(3)]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    db, out = tmp_path / "voc.db", tmp_path / "o.jsonl"
    r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(out), "--qa", "--store", str(db)])
    assert r.exit_code == 0, r.output
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(x["agent_id"] is None and x["team"] is None for x in recs)  # not the text "None"
    html = tmp_path / "qa.html"
    r = CliRunner().invoke(cli, ["report", "qa", "--store", str(db), "-o", str(html)])
    assert r.exit_code == 0, r.output
    page = html.read_text(encoding="utf-8")
    assert ">None<" not in page and "客户：<mark>" in page and "坐席：<mark>太坑" not in page
