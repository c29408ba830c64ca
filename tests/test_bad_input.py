"""Bad input, one class per test: a clear error, or an errors-file entry with a reason, or a
tagged record with a status; never a silently lost row. Every run: read == tagged + errors."""
from __future__ import annotations

import errno
import json

import pytest

from voc import InputError, OutputError, tag_files
from voc.io import writers


def run(tmp_path, name, data: bytes, **kw):
    inp = tmp_path / name
    inp.write_bytes(data)
    out = tmp_path / f"{name}.out.jsonl"
    s = tag_files([inp], out, workers=1, **kw)
    assert s.read == s.tagged + s.errors
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    errors = [json.loads(x) for x in (tmp_path / f"{name}.out.jsonl.errors.jsonl").read_text().splitlines()]
    return s, records, errors


CSV_HEAD = "工单号,内容\n"


def test_undeclared_gbk_file(tmp_path):
    s, recs, _ = run(tmp_path, "g.csv", (CSV_HEAD + "1,网络信号太差了\n").encode("gbk"))
    assert recs[0]["text"] == "网络信号太差了"


def test_utf8_bom(tmp_path):
    s, recs, _ = run(tmp_path, "b.csv", b"\xef\xbb\xbf" + (CSV_HEAD + "1,好\n").encode())
    assert recs[0]["id"] == "1"


def test_one_undecodable_line_in_utf8_jsonl(tmp_path):
    data = b'{"id":"1","text":"\xe5\xa5\xbd"}\n{"id":"2","text":"\xff\xfe"}\n{"id":"3","text":"ok"}\n'
    s, recs, errs = run(tmp_path, "u.jsonl", data)
    assert [r["id"] for r in recs] == ["1", "3"] and errs[0]["source"].endswith(":2")
    assert "not valid utf-8" in errs[0]["reason"]


def test_too_many_and_too_few_fields_including_first_row(tmp_path):
    s, recs, errs = run(tmp_path, "f.csv", (CSV_HEAD + "1,a,extra\n2,好\n3\n").encode())
    assert [r["id"] for r in recs] == ["2"]
    assert [e["source"].rsplit(":", 1)[1] for e in errs] == ["2", "4"]
    assert "3 fields" in errs[0]["reason"] and "1 fields" in errs[1]["reason"]


def test_unclosed_quote(tmp_path):
    s, recs, errs = run(tmp_path, "q.csv", (CSV_HEAD + '1,好\n2,"没有结束的引号\n3,行\n4,行\n').encode())
    # the stray quote's row is an error; the lines after it are rows of their own, not swallowed
    assert [r["id"] for r in recs] == ["1", "3", "4"]
    assert len(errs) == 1 and "unclosed quote" in errs[0]["reason"] and "line 3" in errs[0]["reason"]
    assert errs[0]["source"].endswith(":3") and s.read == 4


def test_two_stray_quotes_cost_their_own_rows_only(tmp_path):
    """Two stray quotes paired up and swallowed every row between them into one error."""
    rows = [f"R{i},快递{i}号没到" for i in range(1, 11)]
    rows[2], rows[6] = 'R3,"我的快递没到，急', 'R7,"又一个'
    s, recs, errs = run(tmp_path, "q2.csv", (CSV_HEAD + "\n".join(rows) + "\n").encode())
    assert [r["id"] for r in recs] == ["R1", "R2", "R4", "R5", "R6", "R8", "R9", "R10"]
    assert [e["source"].rsplit(":", 1)[1] for e in errs] == ["4", "8"] and s.read == 10


def test_quoted_multiline_transcript(tmp_path):
    s, recs, _ = run(tmp_path, "m.csv", (CSV_HEAD + '1,"客户：喂\n坐席：您好\n客户：宽带断了"\n2,好\n').encode())
    assert len(recs) == 2 and "宽带断了" in recs[0]["text"]


def test_field_larger_than_1mb(tmp_path):
    big = "信号很差" * 300_000  # 1.2 million characters
    s, recs, _ = run(tmp_path, "big.csv", (CSV_HEAD + f'1,"{big}"\n2,好\n').encode())
    assert len(recs) == 2 and recs[0]["status"].startswith("truncated") and recs[1]["status"] == "ok"
    assert 19_000 < len(recs[0]["text"]) <= 20_000


def test_nul_and_control_characters(tmp_path):
    s, recs, _ = run(tmp_path, "n.csv", (CSV_HEAD + "1,退\x00款\x07没\x1b到账\n").encode())
    assert recs[0]["text"] == "退款没到账"


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200c\ufeff"])
def test_empty_whitespace_zero_width_text(tmp_path, text):
    s, recs, _ = run(tmp_path, "e.jsonl", json.dumps({"id": "1", "text": text}).encode() + b"\n")
    assert recs[0]["status"] == "empty: no customer text" and recs[0]["root_cause"] == "other"


@pytest.mark.parametrize("text", ["The app keeps crashing, terrible service!", "😡😡😡", "[怒][怒]"])
def test_english_and_emoji_only_low_confidence(tmp_path, text):
    s, recs, _ = run(tmp_path, "x.jsonl", json.dumps({"id": "1", "text": text}, ensure_ascii=False).encode() + b"\n")
    rec = recs[0]
    assert rec["status"].startswith(("low_confidence", "empty"))
    assert rec["root_cause"] in ("agent", "product", "policy", "process", "other")
    assert max(rec["root_cause_scores"].values()) < 0.9


def test_html_and_entities(tmp_path):
    s, recs, _ = run(tmp_path, "h.jsonl", json.dumps({"id": "1", "text": "<p>退款&nbsp;没到账&lt;急&gt;</p>"},
                                                       ensure_ascii=False).encode() + b"\n")
    assert recs[0]["text"] == "退款没到账<急>"


def test_missing_text_column_fails_before_processing(tmp_path):
    inp = tmp_path / "c.csv"
    inp.write_text("编号,备注\n1,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="编号, 备注"):
        tag_files([inp], tmp_path / "o.jsonl", workers=1)
    assert not (tmp_path / "o.jsonl").exists()


def test_disk_full_while_writing(tmp_path, monkeypatch):
    inp = tmp_path / "d.jsonl"
    inp.write_text("".join(json.dumps({"id": i, "text": "信号差"}) + "\n" for i in range(50)), encoding="utf-8")

    class Full:
        def __init__(self, f):
            self.f, self.n = f, 0

        def write(self, s):
            self.n += 1
            if self.n > 3:  # the 4th write (one write per chunk of 5 contacts) hits a full disk
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.f.write(s)

        def __getattr__(self, name):
            return getattr(self.f, name)

    real_open = writers.JsonlWriter._open

    def full_open(self):
        real_open(self)
        if not self.path.name.endswith("errors.jsonl"):
            self.f = Full(self.f)

    monkeypatch.setattr(writers.JsonlWriter, "_open", full_open)
    with pytest.raises(OutputError, match="No space left on device.*--resume"):
        tag_files([inp], tmp_path / "o.jsonl", workers=1, batch_size=5)
    assert not (tmp_path / "o.jsonl").exists(), "no half-written output under the real name"
    assert (tmp_path / "o.jsonl.checkpoint.json").exists(), "the run can be resumed once space is freed"
    monkeypatch.setattr(writers.JsonlWriter, "_open", real_open)
    s = tag_files([inp], tmp_path / "o.jsonl", workers=1, batch_size=5, resume=True)
    assert (s.read, s.tagged) == (50, 50)
    assert [json.loads(x)["id"] for x in (tmp_path / "o.jsonl").read_text().splitlines()] == [str(i) for i in range(50)]
