"""The voc command, in-process with CliRunner and once as a real subprocess."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from voc import __version__
from voc.cli import cli

ROWS = [
    {"id": "1", "text": "客服态度太差了，一直推诿", "channel": "phone", "created_at": "2026-09-01 10:00:00"},
    {"id": "2", "turns": [{"speaker": "客户", "text": "我的宽带又断了"}, {"speaker": "坐席", "text": "马上为您报修"},
                          {"speaker": "客户", "text": "好的谢谢"}]},
    "{broken",
    {"id": "3", "text": "手机号13912345678，退款两周还没到账"},
]


@pytest.fixture()
def jsonl(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n",
                    encoding="utf-8")
    return path


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_version_and_help():
    assert run("--version").output.strip() == f"voc, version {__version__}"
    for cmd in (["--help"], ["tag", "--help"], ["info", "--help"], ["train", "--help"], ["evaluate", "--help"]):
        result = run(*cmd)
        assert result.exit_code == 0 and "Example" in result.output, cmd


def test_tag_writes_output_errors_and_summary(jsonl, tmp_path):
    out = tmp_path / "out" / "tagged.jsonl"
    result = run("tag", jsonl, "-o", out, "-w", "1")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["1", "2", "3"]
    assert "13912345678" not in out.read_text(encoding="utf-8")
    errors = [json.loads(line) for line in (tmp_path / "out" / "tagged.jsonl.errors.jsonl").read_text().splitlines()]
    assert len(errors) == 1 and errors[0]["source"].endswith("in.jsonl:3") and "JSON" in errors[0]["reason"]
    summary = json.loads((tmp_path / "out" / "tagged.jsonl.summary.json").read_text())
    assert (summary["read"], summary["tagged"], summary["errors"]) == (4, 3, 1)
    assert "read 4 / tagged 3 (conversations: 1) / errors 1" in result.output
    assert not list((tmp_path / "out").glob(".*.tmp")), "no temporary file left behind"


def test_tag_is_deterministic_and_worker_independent(jsonl, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert run("tag", jsonl, "-o", a, "-w", "1", "-q").exit_code == 0
    assert run("tag", jsonl, "-o", b, "-w", "2", "-q", "--batch-size", "1").exit_code == 0
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_other_output_formats(jsonl, tmp_path, fmt):
    out = tmp_path / f"t.{fmt}"
    assert run("tag", jsonl, "-o", out, "-q", "-w", "1").exit_code == 0
    if fmt == "csv":
        text = out.read_text(encoding="utf-8-sig")
        assert text.splitlines()[0].startswith("id,channel,created_at")
    else:
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
        assert rows[0][0] == "id" and len(rows) == 4


def test_no_redact_keeps_personal_data(jsonl, tmp_path):
    out = tmp_path / "t.jsonl"
    assert run("tag", jsonl, "-o", out, "-q", "-w", "1", "--no-redact").exit_code == 0
    assert "13912345678" in out.read_text(encoding="utf-8")


def test_clear_errors_and_exit_codes(tmp_path, jsonl):
    result = CliRunner().invoke(cli, ["tag", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "does not exist" in result.output
    bad = tmp_path / "cols.csv"
    bad.write_text("编号,备注\n1,x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["tag", str(bad), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "编号, 备注" in result.output and "--text-col" in result.output
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, ["tag", str(jsonl), "-o", str(blocker / "sub" / "o.jsonl"), "-w", "1"])
    assert result.exit_code == 5 and "writable output path" in result.output


def test_info_lists_versions():
    result = run("info")
    assert result.exit_code == 0
    assert "jieba" in result.output and "lexicons" in result.output and __version__ in result.output


def test_subprocess_end_to_end(jsonl, tmp_path):
    out = tmp_path / "sub.jsonl"
    proc = subprocess.run([sys.executable, "cli.py", "tag", str(jsonl), "-o", str(out), "-w", "2"],
                          capture_output=True, text=True, timeout=120,
                          cwd=__import__("pathlib").Path(__file__).resolve().parent.parent)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""  # progress and summary go to stderr, never stdout
    assert "tagged 3" in proc.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3


def test_every_file_reading_command_has_the_same_reader_options():
    """voc tag, voc label and voc topics read exports the same way (issue 19: label and topics
    lacked --no-header and the other reader options)."""
    from voc.cli.base import READER_OPTIONS

    def options(cmd):
        return {o for p in cmd.params for o in p.opts if o.startswith("--")}

    wanted = {"--input-format", "--encoding", "--sheet", "--id-col", "--text-col", "--speaker-col", "--speakers",
              "--time-col",
              "--channel-col", "--customer-col", "--group-by", "--no-header"}
    assert len(READER_OPTIONS) == len(wanted)
    topics = cli.commands["topics"]
    for cmd in (cli.commands["tag"], cli.commands["label"], topics.commands["fit"], topics.commands["track"]):
        assert wanted <= options(cmd), (cmd.name, wanted - options(cmd))


def test_label_reads_a_headerless_csv(tmp_path):
    src = tmp_path / "raw.csv"
    src.write_text("A1,快递三天没到，客服也不回复\nA2,请问怎么开发票\nA3,套餐被改了没人通知我\n", encoding="utf-8")
    out = tmp_path / "to_label.csv"
    r = CliRunner().invoke(cli, ["label", str(src), "--sample", "2", "-o", str(out), "--no-header",
                                 "--id-col", "1", "--text-col", "2"])
    assert r.exit_code == 0, r.output
    import csv

    rows = list(csv.DictReader(open(out, encoding="utf-8-sig")))
    assert len(rows) == 2 and {r["id"] for r in rows} <= {"A1", "A2", "A3"}


# -- the ninth round's sweep of the other commands --------------------------------------------------
@pytest.fixture()
def store(jsonl, tmp_path):
    db = tmp_path / "voc.db"
    assert run("tag", jsonl, "-o", tmp_path / "t.jsonl", "--store", db, "-q").exit_code == 0
    return db


def test_an_output_over_the_store_or_an_input_is_refused_and_nothing_is_lost(store, jsonl, tmp_path):
    import sqlite3

    size = store.stat().st_size
    for args in (["forecast", "--store", store, "-o", store], ["staffing", "--store", store, "-o", store],
                 ["report", "monthly", "--store", store, "-o", store],
                 ["report", "monthly", "--store", store, "-o", tmp_path / "r.html", "--xlsx", store],
                 ["report", "qa", "--store", store, "-o", store],
                 ["report", "monthly", "--store", store, "-o", tmp_path / "x.html", "--xlsx", tmp_path / "x.html"]):
        r = run(*args)
        assert r.exit_code != 0 and "which voc would overwrite" in r.output, (args, r.output)
    assert store.stat().st_size == size
    assert sqlite3.connect(store).execute("select count(*) from contacts").fetchone()[0] > 0
    before = jsonl.read_bytes()
    r = run("label", jsonl, "--sample", "2", "-o", jsonl)
    assert r.exit_code != 0 and "is the input" in r.output and jsonl.read_bytes() == before


def test_a_damaged_store_or_a_huge_number_is_one_sentence_not_a_traceback(store, tmp_path):
    import sqlite3

    r = CliRunner().invoke(cli, ["journey", "--store", str(store), "--window", "99999999999d"])
    assert r.exit_code != 0 and "too large" in r.output and "Traceback" not in r.output
    with sqlite3.connect(store) as c:
        c.execute("drop table settings")
    r = CliRunner().invoke(cli, ["journey", "--store", str(store)])
    assert r.exit_code != 0 and r.output.startswith("Error: the results store is damaged")
    assert isinstance(r.exception, SystemExit) and "Traceback" not in r.output


def test_placeholder_dates_belong_to_no_month_and_break_no_report(tmp_path):
    rows = [{"id": str(i), "text": "我要投诉 网络太差", "created_at": f"2026-05-{1 + i % 28:02d}T10:00:00+08:00"}
            for i in range(30)]
    rows += [{"id": "z1", "text": "退款慢", "created_at": "0001-01-01T00:00:00"},
             {"id": "z2", "text": "退款慢", "created_at": "9999-12-31T23:30:00+08:00"}]
    inp = tmp_path / "d.jsonl"
    inp.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    assert run("tag", inp, "-o", tmp_path / "t.jsonl", "--store", db, "-q").exit_code == 0
    r = run("report", "monthly", "--store", db, "-o", tmp_path / "r.html")
    assert r.exit_code == 0 and "(2026-05)" in r.output, r.output


def test_tag_reads_a_transcript_cell_as_a_conversation_and_says_so(tmp_path):
    src = tmp_path / "calls.csv"
    src.write_text('通话ID,通话内容\nC1,"客户：帮我查一下话费余额\n坐席：您好，您的余额是35元\n客户：好的，没有了"\n'
                   'C2,快递三天没到\n', encoding="utf-8")
    out = tmp_path / "o.jsonl"
    r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "tagged 2 (conversations: 1)" in r.output
    assert json.loads((tmp_path / "o.jsonl.summary.json").read_text(encoding="utf-8"))["dialogues"] == 1
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert "坐席" not in first["text"] and "35" not in first["text"]


def test_tag_speakers_option_maps_export_values(tmp_path):
    src = tmp_path / "chat.csv"
    src.write_text("session_id,from_staff,content\nS1,0,我的快递到哪了\nS1,1,亲，今天派送\nS1,0,好的\n",
                   encoding="utf-8")
    out = tmp_path / "o.jsonl"
    r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(out), "--group-by", "session_id",
                                 "--speaker-col", "from_staff", "--speakers", "0=customer,1=坐席"])
    assert r.exit_code == 0, r.output
    (rec,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rec["text"] == "我的快递到哪了。好的"
    r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(out), "--speakers", "0=路人"])
    assert r.exit_code == 2 and "VALUE=ROLE" in r.output and "Traceback" not in r.output
    for bad in ("0=customer,０=agent", "1=agent,1.0=customer"):  # one value, two spellings
        r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(out), "--speakers", bad])
        assert r.exit_code == 2 and "two roles" in r.output
    r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(out), "--speakers", "0=customer 1=agent"])
    assert r.exit_code == 2 and "VALUE=ROLE" in r.output  # a space is no separator
    out.unlink()
    r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(out), "--group-by", "session_id",
                                 "--speaker-col", "from_staff", "--speakers", "0=customer,1=agent,"])
    assert r.exit_code == 0, r.output  # a trailing comma is no pair
