"""Undated contacts are never invisible, --month is optional, --since/--until reports a range,
and voc tag warns about undated contacts and shows progress (issue 19), through the CLI."""
from __future__ import annotations

import io
import json
import re

import pytest
from click.testing import CliRunner

pytest.importorskip("jinja2", reason="the reports need the 'report' extra (jinja2)")

from test_reports import october, rec, september_like  # noqa: E402
from voc.cli import cli  # noqa: E402
from voc.errors import InputError  # noqa: E402
from voc.run.progress import Progress, count_rows  # noqa: E402
from voc.store import Store  # noqa: E402


def undated_records(n: int) -> list[dict]:
    out = []
    for i in range(n):
        r = rec(f"U{i}", "2026-10", 1, "product", topic="信号差")
        r["created_at"] = "上周" if i % 2 else None
        out.append(r)
    return out


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "voc.db"
    with Store(path) as st:
        for m in ("2026-08", "2026-09"):
            st.add_many(september_like(m))
        st.add_many(october())
        st.add_many(undated_records(3))
    return str(path)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def text_of(path) -> str:
    return re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))


def test_monthly_without_month_reports_the_latest_month_and_names_undated(db, tmp_path):
    r = run("report", "monthly", "--store", db, "-o", tmp_path / "r.html")
    assert r.exit_code == 0, r.output
    assert "(2026-10)" in r.output
    html = text_of(tmp_path / "r.html")
    assert "月度投诉分析报告 · 2026年10月" in html
    lead = html.split("本月概览", 1)[1].split("联络量", 1)[0]
    assert "2026-10 共 20 件联络" in lead and "另有 3 件联络没有可读的创建时间" in lead and "--time-col" in lead


def test_escalation_without_month_and_undated_in_each_page(db, tmp_path):
    r = run("report", "escalation", "--store", db, "-o", tmp_path / "e")
    assert r.exit_code == 0, r.output
    pages = sorted((tmp_path / "e").glob("escalation-2026-10-*.html"))
    assert len(pages) == 4 and (tmp_path / "e" / "flagged-2026-10.csv").is_file()
    assert all("另有 3 件联络没有可读的创建时间" in text_of(p) for p in pages)


def test_store_without_any_dated_contact_says_how_to_fix_it(tmp_path):
    path = tmp_path / "undated.db"
    with Store(path) as st:
        st.add_many(undated_records(4))
    for cmd in (["monthly", "-o", tmp_path / "r.html"], ["escalation", "-o", tmp_path / "e"],
                ["monthly", "--since", "2026-01", "-o", tmp_path / "r.html"]):
        r = run("report", *cmd, "--store", path)
        assert r.exit_code == InputError.exit_code, r.output
        assert "none of the 4 contacts" in r.output and "--time-col" in r.output
        assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1


def test_range_report_totals_months_and_no_comparison(db, tmp_path):
    r = run("report", "monthly", "--store", db, "--since", "2026-09", "--until", "2026-10",
            "-o", tmp_path / "q.html", "--xlsx", tmp_path / "q.xlsx")
    assert r.exit_code == 0, r.output
    assert "(2026-09–2026-10)" in r.output
    html = text_of(tmp_path / "q.html")
    assert "2026-09 至 2026-10（2 个月）共 30 件联络" in html and "不与更早的时期比较" in html
    assert "另有 3 件联络没有可读的创建时间" in html and "较上月" not in html
    from voc.reports.period import range_report

    rep = range_report(db, "2026-09", "2026-10")
    trend = {row[0]: row for row in rep.table("月度趋势").rows}
    assert [trend[m][1] for m in ("2026-09", "2026-10", "区间合计")] == [10, 20, 30]
    causes = {row[0]: row[1:] for row in rep.table("根因").rows}
    # agent: 7 in September, 4 in October
    assert causes["人员"][0] == 11 and causes["人员"][2:] == [7, 4]
    assert abs(causes["人员"][1] - 11 / 30) < 1e-9
    channels = {row[0]: row[1] for row in rep.table("渠道").rows}
    assert channels["电话"] == 20  # phone and 电话 counted as one: 10 + 8 + 2
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "q.xlsx", read_only=True)
    assert wb["联络明细"].max_row == 31  # header + the range's 30 contacts (the undated are in no month)
    # defaults: --since alone runs to the latest month; a range before the data is one sentence
    assert range_report(db, "2026-09").months == ["2026-09", "2026-10"]
    r = run("report", "monthly", "--store", db, "--since", "2025-01", "--until", "2025-03", "-o", tmp_path / "x.html")
    assert r.exit_code == InputError.exit_code and "2026-08 to 2026-10" in r.output
    r = run("report", "monthly", "--store", db, "--since", "2026-10", "--until", "2026-09", "-o", tmp_path / "x.html")
    assert r.exit_code == InputError.exit_code and "after" in r.output
    r = run("report", "monthly", "--store", db, "--month", "2026-10", "--since", "2026-09", "-o", tmp_path / "x.html")
    assert r.exit_code == InputError.exit_code and "either --month or --since" in r.output


# -- voc tag: undated warning and progress ------------------------------------------------------
def write_contacts(path, n: int, dated: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            row = {"id": f"c{i}", "text": "你们的套餐怎么又被改了，我没有同意过，太过分了"}
            if i < dated:
                row["created_at"] = "2026-10-05 10:00:00"
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def test_tag_warns_about_undated_contacts(tmp_path):
    src = tmp_path / "in.jsonl"
    write_contacts(src, 6, dated=2)
    out = tmp_path / "out.jsonl"
    r = run("tag", src, "-o", out, "--workers", "1", "-q")
    assert r.exit_code == 0, r.output
    assert "4 of 6 contacts have no readable created_at" in r.output and "--time-col" in r.output
    assert json.loads((tmp_path / "out.jsonl.summary.json").read_text())["undated"] == 4
    write_contacts(src, 3, dated=3)
    r = run("tag", src, "-o", out, "--workers", "1", "-q")
    assert r.exit_code == 0 and "created_at" not in r.output


def test_tag_progress_on_a_non_terminal_gives_total_and_percentage(tmp_path, monkeypatch):
    import voc.run.progress as progress

    monkeypatch.setattr(progress, "INTERVAL", 0.0)  # a line after every chunk
    src = tmp_path / "in.jsonl"
    write_contacts(src, 12, dated=12)
    r = run("tag", src, "-o", tmp_path / "out.jsonl", "--workers", "1", "--batch-size", "4")
    assert r.exit_code == 0, r.output
    lines = [line for line in r.output.splitlines() if "/ 12 contacts" in line]
    assert [line.split(" contacts")[0] for line in lines] == ["voc: 4 / 12", "voc: 8 / 12", "voc: 12 / 12"]
    assert re.search(r"\(33%\), [\d,]+/s, about \d+ (s|min) left", lines[0])
    r = run("tag", src, "-o", tmp_path / "out2.jsonl", "--workers", "1", "--batch-size", "4", "-q")
    assert r.exit_code == 0 and r.output == ""


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_progress_lines_every_interval_or_tenth_with_time_left():
    clock, out = Clock(), io.StringIO()
    bar = Progress(True, total=500_000, stream=out, interval=30, clock=clock)
    clock.t = 10
    bar.update(21_000)  # 4%, 10 s: nothing yet
    assert out.getvalue() == ""
    clock.t = 30
    bar.update(63_000)  # 30 s: a line
    clock.t = 57.1
    bar.update(120_000)  # 24%: a line (10% more than the last)
    first, second = out.getvalue().splitlines()
    assert first == "voc: 63,000 / 500,000 contacts (13%), 2,100/s, about 3 min left"
    assert second == "voc: 120,000 / 500,000 contacts (24%), 2,102/s, about 3 min left"
    unknown = io.StringIO()
    bar = Progress(True, total=None, stream=unknown, interval=30, clock=clock)
    clock.t += 40
    bar.update(80_000, errors=3)
    assert unknown.getvalue() == "voc: 80,000 contacts, 2,000/s, 3 errors\n"
    silent = io.StringIO()
    Progress(False, total=10, stream=silent, interval=0, clock=clock).update(5)
    assert silent.getvalue() == ""


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_on_a_terminal_is_a_bar_with_total_and_percentage():
    out = Tty()
    bar = Progress(True, total=200, stream=out)
    bar.update(50)
    bar.close(200)
    text = out.getvalue()
    assert "200/200" in text and "100%" in text and "contacts" in text
    out = Tty()
    bar = Progress(True, total=None, stream=out)  # XLSX: count and rate only while it runs
    bar.update(50)
    bar.bar.refresh()
    assert "50 contacts" in out.getvalue() and "%" not in out.getvalue()
    bar.close(50)


def test_count_rows_is_exact_for_jsonl_and_quoted_csv_and_unknown_otherwise(tmp_path):
    j = tmp_path / "a.jsonl"
    j.write_text('{"id": 1}\n{"id": 2}\n{"id": 3}', encoding="utf-8")
    c = tmp_path / "b.csv"
    c.write_bytes('id,text\n1,"多行\n文本，""引号"""\n2,好\n'.encode("gb18030"))
    assert count_rows([j, c], ["jsonl", "csv"]) == 5
    assert count_rows([c], ["csv"], group_by=True) is None
    assert count_rows([tmp_path / "x.xlsx"], ["xlsx"]) is None
