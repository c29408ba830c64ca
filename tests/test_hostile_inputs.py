"""Hostile and messy exports (issue 16), one class per test. Every outcome is one of: the row is
read (repaired the same way every time), the row goes to the errors file with a reason, or the
file is refused before anything is tagged with one sentence. Never a traceback, never a row
lost with exit 0: every run checks read == tagged + errors."""
from __future__ import annotations

import codecs
import json
import logging
import zipfile

import pytest
from click.testing import CliRunner

from voc import InputError, tag_files
from voc.cli import cli
from voc.io import excel, values, writers
from voc.io.readers import RowError, read_contacts

PHONE = "13812345678"


def run(tmp_path, name, data: bytes, out_name="out.jsonl", **kw):
    inp = tmp_path / name
    inp.write_bytes(data)
    out = tmp_path / out_name
    s = tag_files([inp], out, workers=1, **kw)
    assert s.read == s.tagged + s.errors
    errs = tmp_path / f"{out_name}.errors.jsonl"
    errors = [json.loads(x) for x in errs.read_text(encoding="utf-8").splitlines()] if errs.exists() else []
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] if out_name.endswith(".jsonl") else None
    return s, records, errors


def jsonl(*objs: str) -> bytes:
    return ("\n".join(objs) + "\n").encode()


# -- JSON ------------------------------------------------------------------------------------------
def test_lone_surrogate_in_any_json_field_is_replaced(tmp_path):
    s, recs, errors = run(tmp_path, "s.jsonl", jsonl(
        r'{"id":"a\ud800","text":"退款\udfff没到账","channel":"微\ud801信","tier":"金\ud800","\udc00k":1}',
        r'{"id":"b","text":"表情\ud83d\ude00正常"}'))
    assert errors == [] and len(recs) == 2
    assert recs[0]["id"] == "a\ufffd" and recs[0]["channel"] == "微\ufffd信" and "\ufffd" in recs[0]["text"]
    assert recs[1]["text"].startswith("表情")  # a valid pair is kept as the character


def test_csv_with_encoded_surrogate_bytes_sends_that_row_to_errors(tmp_path):
    data = "工单号,内容\n1,信号差\n".encode() + b"2,\xed\xa0\x80bad\n" + "3,退款慢\n".encode()
    s, recs, errors = run(tmp_path, "s.csv", data)
    assert [r["id"] for r in recs] == ["1", "3"]
    assert errors[0]["source"].endswith("s.csv:3") and "not valid utf-8" in errors[0]["reason"]


@pytest.mark.parametrize("depth,ok", [(10, True), (70, False), (50_000, False)])
def test_json_nesting_is_limited(tmp_path, depth, ok):
    line = '{"id":"d","text":"好","x":' + "[" * depth + "]" * depth + "}"
    s, recs, errors = run(tmp_path, "d.jsonl", jsonl(line, '{"id":"e","text":"好"}'))
    assert [r["id"] for r in recs] == (["d", "e"] if ok else ["e"])
    if not ok:
        assert errors[0]["reason"] == f"JSON nested deeper than {values.MAX_DEPTH} levels"


def test_huge_integer_is_kept_as_its_digits(tmp_path):
    big = "7" * 5000  # past Python's int-from-string limit (ValueError in json.loads)
    s, recs, errors = run(tmp_path, "n.jsonl", jsonl('{"id":' + big + ',"text":"好","n":' + big + '}'))
    assert errors == [] and len(recs) == 1 and len(recs[0]["id"]) == 5000
    assert "[" in json.dumps(recs[0]["metadata"]) or recs[0]["metadata"]  # present, redacted or not


def test_json_array_file_with_huge_integer_and_nesting(tmp_path):
    arr = '[{"id":"a","text":"好","n":' + "9" * 5000 + '},{"id":"b","text":"好","x":' + "[" * 80 + "]" * 80 + '}]'
    s, recs, errors = run(tmp_path, "a.json", arr.encode())
    assert [r["id"] for r in recs] == ["a"] and "nested" in errors[0]["reason"]


@pytest.mark.parametrize("when", ['"99999-01-01"', "1e20", '"100000000000000000000"', "-1e300",
                                  '"9999-12-31T23:59:59-12:00"', "1e400", "NaN"])
def test_dates_that_overflow_stay_raw_text(tmp_path, when):
    s, recs, errors = run(tmp_path, "t.jsonl", jsonl(
        '{"id":"a","customer_id":"c1","text":"退款","created_at":' + when + '}',
        '{"id":"b","customer_id":"c1","text":"退款","created_at":"2026-01-01"}'))
    assert errors == [] and len(recs) == 2


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "99999-01-01"])
def test_times_at_the_ends_of_the_range_are_not_given_as_iso(tmp_path, when):
    p = tmp_path / "t.jsonl"
    p.write_bytes(jsonl('{"id":"a","text":"好","created_at":"' + when + '"}'))
    assert next(iter(read_contacts(p))).created_at == when  # raw text, not a time that overflows in UTC


def test_lists_and_objects_in_scalar_fields_become_json_text(tmp_path):
    s, recs, errors = run(tmp_path, "l.jsonl", jsonl(
        '{"id":["a",1],"channel":["wechat"],"customer_id":{"k":2},"text":{"t":"退款"}}',
        '{"id":"b","turns":[{"speaker":["agent"],"text":["您好"]},{"speaker":"客户","text":{"x":"退款"}}]}',
        '{"id":"c","text":"好","v":NaN,"w":Infinity}'))
    assert errors == []
    assert recs[0]["id"] == '["a", 1]' and recs[0]["channel"] == '["wechat"]'
    assert recs[0]["customer_id"] == '{"k": 2}' and "退款" in recs[0]["text"]
    assert "退款" in recs[1]["text"]
    assert recs[2]["metadata"] == {"v": None, "w": None}


def test_oversized_json_line_goes_to_errors(tmp_path, monkeypatch):
    monkeypatch.setattr(values, "MAX_LINE", 100)
    s, recs, errors = run(tmp_path, "b.jsonl", jsonl('{"id":"a","text":"' + "好" * 200 + '"}', '{"id":"b","text":"好"}'))
    assert [r["id"] for r in recs] == ["b"] and "over the 100 limit" in errors[0]["reason"]


# -- encodings ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding,bom", [("utf-16-le", b""), ("utf-16-be", b""), ("utf-16-le", codecs.BOM_UTF16_LE),
                                          ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-32-le", b""),
                                          ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", codecs.BOM_UTF32_BE)])
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_utf16_and_utf32_files_are_read(tmp_path, encoding, bom, fmt):
    text = ("工单号,内容\r\n1,退款没到账\r\n2,信号很差\r\n" if fmt == "csv"
            else '{"id":"1","text":"退款没到账"}\n{"id":"2","text":"信号很差"}\n')
    p = tmp_path / f"w.{fmt}"
    p.write_bytes(bom + text.encode(encoding))
    got = list(read_contacts(p))
    assert [c.id for c in got] == ["1", "2"] and got[0].turns[0].text == "退款没到账"


def test_utf16_file_end_to_end(tmp_path):
    s, recs, errors = run(tmp_path, "u.csv", "工单号,内容\n1,退款没到账\n".encode("utf-16"))
    assert errors == [] and recs[0]["text"] == "退款没到账"


def test_forced_utf8_on_gb18030_names_the_encoding(tmp_path):
    p = tmp_path / "g.csv"
    p.write_bytes("工单号,内容\n1,网络信号太差了\n2,退款慢\n".encode("gb18030"))
    r = CliRunner().invoke(cli, ["tag", str(p), "-o", str(tmp_path / "o.jsonl"), "--encoding", "utf-8", "-q"])
    assert r.exit_code != 0 and r.exception is None or isinstance(r.exception, SystemExit)
    assert "Traceback" not in r.output and "gb18030" in r.output and "--encoding gb18030" in r.output
    assert not (tmp_path / "o.jsonl").exists()


def test_bad_byte_after_the_detection_window_goes_to_errors_with_its_line(tmp_path):
    rows = "".join(f"{i},正常的文本内容{i}\n" for i in range(1, 80_001))  # > 1 MB before the bad byte
    data = ("工单号,内容\n" + rows).encode() + b"80001,bad \xff byte\n" + "80002,好\n".encode()
    p = tmp_path / "late.csv"
    p.write_bytes(data)
    items = list(read_contacts(p))
    bad = [x for x in items if isinstance(x, RowError)]
    assert len(items) == 80_002 and len(bad) == 1
    assert bad[0].source.endswith(":80002") and "not valid utf-8 in line 80002" in bad[0].reason


def test_many_bad_lines_after_the_window_refuse_the_file_before_tagging(tmp_path):
    head = "".join(f"{i},ok\n" for i in range(1, 120_000))  # ASCII only: looks like UTF-8
    tail = "".join(f"{i},退款太慢了\n" for i in range(120_000, 125_000)).encode("gbk")
    p = tmp_path / "mixed.csv"
    p.write_bytes(("id,text\n" + head).encode() + tail)
    with pytest.raises(InputError, match=r"not valid utf-8 text \(line 120001 and 4,999 more lines\)"):
        read_contacts(p)  # raised when opened, before any contact is produced


def test_utf16_file_with_a_broken_character_is_refused(tmp_path):
    p = tmp_path / "b.csv"
    p.write_bytes(codecs.BOM_UTF16_LE + "id,text\n1,好\n".encode("utf-16-le") + b"\x00\xd8" + "x\n".encode("utf-16-le"))
    with pytest.raises(InputError, match="broken character"):
        read_contacts(p)


# -- CSV headers ---------------------------------------------------------------------------------------
def test_duplicate_and_empty_headers_keep_every_column(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    s, recs, errors = run(tmp_path, "h.csv", "工单号,内容,等级,等级,,备注\n1,退款,金,银,x,y\n".encode())
    assert recs[0]["metadata"] == {"等级": "金", "等级_2": "银", "column_5": "x", "备注": "y"}
    assert sum("repeated" in r.message for r in caplog.records) == 1


def test_header_repeated_mid_file_with_bom_is_skipped(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    part = "工单号,内容\n{}\n"
    data = ("\ufeff" + part.format("1,退款慢") + "\ufeff" + part.format("2,信号差") + part.format("3,好")).encode()
    s, recs, errors = run(tmp_path, "cat.csv", data)
    assert [r["id"] for r in recs] == ["1", "2", "3"] and errors == []
    assert sum("repeats the header" in r.message for r in caplog.records) == 1


# -- Excel ---------------------------------------------------------------------------------------------
def test_excel_number_cells_holding_ids_phones_and_cards(tmp_path, caplog):
    openpyxl = pytest.importorskip("openpyxl")
    caplog.set_level(logging.WARNING)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "内容", "card", "phone"])
    ws.append([123456789012345678, "退款太慢", 6222021234567890, int(PHONE)])  # numbers, stored as numbers
    c = ws.cell(row=3, column=1, value="012345678901234567")
    c.number_format = "@"  # formatted as text
    ws.cell(row=3, column=2, value="好")
    path = tmp_path / "n.xlsx"
    wb.save(path)
    got = [x for x in read_contacts(path)]
    assert got[0].metadata == {"card": "6222021234567890", "phone": PHONE}  # up to 2**53: exact
    assert got[0].id == "1.234567890123457E+17"  # 18 digits: the file holds 16, shown as a spreadsheet does
    assert got[1].id == "012345678901234567"
    assert any("more than 15 digits" in r.message for r in caplog.records)
    # a writer that stores every digit (databases, hand-made XML): recovered exactly
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(tmp_path / "full.xlsx", "w") as z:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>1.234567890123457e+17</v>", b"<v>123456789012345678</v>")
            z.writestr(info, data)
    assert next(iter(read_contacts(tmp_path / "full.xlsx"))).id == "123456789012345678"


def test_an_id_number_stored_as_a_number_is_redacted_in_the_id_columns(tmp_path):
    """An 18-digit ID number in a number cell loses its check digit; padded with zeros it read as
    a number of its own and left the region and birth date in clear in `id` and `customer_id`."""
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "text", "customer_id", "身份证"])
    ws.append([1.1010519491231e+17, "退款没到", 1.1010519491231e+17, 1.1010519491231e+17])
    wb.save(tmp_path / "ids.xlsx")
    out = tmp_path / "o.jsonl"
    assert CliRunner().invoke(cli, ["tag", str(tmp_path / "ids.xlsx"), "-o", str(out), "-q", "-w", "1"]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "110105" not in text and "1.1010519491231" not in text
    rec = json.loads(text)
    assert rec["id"].startswith("〔身份证") and rec["customer_id"].startswith("〔身份证")


def _xlsx(path, rows):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for i, r in enumerate(rows):
        ws.write_row(i, 0, r)
    wb.close()
    return path


def test_xlsx_decompression_bomb_is_refused_before_opening(tmp_path, monkeypatch):
    path = _xlsx(tmp_path / "b.xlsx", [["id", "内容"], ["1", "好" * 5000]])
    monkeypatch.setattr(excel, "MAX_UNZIPPED", 1000)
    monkeypatch.setattr(excel, "MAX_RATIO", 1)
    with pytest.raises(InputError, match="would unpack to .* over voc's limit"):
        read_contacts(path)


def test_xlsx_sheet_reaching_past_the_cell_limit_is_refused(tmp_path):
    path = _xlsx(tmp_path / "s.xlsx", [["id", "内容"], ["1", "好"]])
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    bomb = tmp_path / "far.xlsx"
    with zipfile.ZipFile(bomb, "w") as z:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
            z.writestr(info, data)
    with pytest.raises(InputError, match="over voc's limit of"):
        read_contacts(bomb)


# -- outputs: row limits and formula escaping ----------------------------------------------------------
def _sheets(path):
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}


def test_xlsx_output_past_the_row_limit_goes_on_to_more_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 3)  # header + 2 rows per sheet
    data = ("工单号,内容\n" + "".join(f"{i},退款慢{i}\n" for i in range(1, 6))).encode()
    s, _, errors = run(tmp_path, "r.csv", data, out_name="out.xlsx")
    sheets = _sheets(tmp_path / "out.xlsx")
    assert list(sheets) == ["contacts", "contacts_2", "contacts_3"]
    ids = [row[0] for rows in sheets.values() for row in rows[1:]]
    assert ids == ["1", "2", "3", "4", "5"] and s.tagged == 5


def test_report_contacts_sheet_and_tables_past_the_row_limit(tmp_path, monkeypatch):
    from voc.reports.common import Table
    from voc.reports.xlsx import write_workbook

    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 3)
    table = Table("概览", "t", ["名称", "数量"], ["text", "int"], [["a", 1], ["=b", 2], ["c", 3.5]])
    recs = [{"id": str(i), "text": f"=cmd{i}", "n": i} for i in range(5)]
    write_workbook(tmp_path / "r.xlsx", [table], (["id", "text", "n"], recs))
    sheets = _sheets(tmp_path / "r.xlsx")
    assert list(sheets) == ["概览", "概览_2", "联络明细", "联络明细_2", "联络明细_3"]
    assert sheets["概览"][2] == ["'=b", 2.0] and sheets["概览_2"][1] == ["c", 3.5]  # numbers stay numbers
    rows = [r for n in ("联络明细", "联络明细_2", "联络明细_3") for r in sheets[n][1:]]
    assert [r[0] for r in rows] == ["0", "1", "2", "3", "4"] and rows[0][1] == "'=cmd0" and rows[4][2] == 4.0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formulas_escaped_in_tag_output(tmp_path, fmt):
    data = '工单号,内容,备注\n"=1+1","@SUM(A1)退款慢","-2+3"\n'.encode()
    run(tmp_path, "f.csv", data, out_name=f"o.{fmt}")
    if fmt == "csv":
        import csv

        rows = list(csv.reader((tmp_path / "o.csv").read_text(encoding="utf-8-sig").splitlines()))
        row = dict(zip(rows[0], rows[1]))
    else:
        rows = _sheets(tmp_path / "o.xlsx")["contacts"]
        row = dict(zip(rows[0], rows[1]))
    assert row["id"] == "'=1+1" and row["text"].startswith("'@") and row["metadata"].startswith("{")


@pytest.mark.parametrize("value,out", [("=1", "'=1"), ("+1", "'+1"), ("-x", "'-x"), ("@a", "'@a"), ("\tx", "'\tx"),
                                       ("\rx", "'\rx"), ("a=1", "a=1"), (5, 5), (-2.5, -2.5), (None, None)])
def test_escape_cell(value, out):
    assert writers.escape_cell(value) == out
    if isinstance(value, str):
        assert writers.unescape_cell(writers.escape_cell(value)) == value


def test_label_csv_has_no_live_formulas(tmp_path):
    p = tmp_path / "in.csv"
    p.write_text("工单号,内容\n1,=HYPERLINK(\"http://x\")退款一直没到账\n2,+客服态度很差\n", encoding="utf-8")
    out = tmp_path / "label.csv"
    r = CliRunner().invoke(cli, ["label", str(p), "--sample", "5", "-o", str(out)])
    assert r.exit_code == 0, r.output
    import csv

    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert {row["text"][:2] for row in rows} == {"'=", "'+"}


# -- personal data in error messages and error rows ----------------------------------------------------
def test_error_messages_and_rows_quoting_input_are_redacted(tmp_path):
    p = tmp_path / "nohead.csv"
    p.write_text(f"{PHONE},张三,退款\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_contacts(p)
    assert PHONE not in str(e.value)
    s, recs, errors = run(tmp_path, "sp.jsonl", jsonl(
        '{"id":"' + PHONE + '","turns":[{"speaker":"' + PHONE + '","text":"好"}]}'))
    assert errors and PHONE not in json.dumps(errors, ensure_ascii=False)


# -- the ninth round's sweep (issue 15 hardening): each of these lost rows or raised a traceback -------
def cli_run(args):
    r = CliRunner().invoke(cli, ["tag", *map(str, args), "-q", "-w", "1"])
    assert "Traceback" not in r.output and (r.exception is None or isinstance(r.exception, SystemExit)), r.output
    return r


def test_json_array_file_with_more_after_the_array_is_refused(tmp_path):
    lines = jsonl('["stray"]', '{"id":"a","text":"我要投诉"}', '{"id":"b","text":"退款太慢"}')
    (tmp_path / "a.json").write_bytes(lines)
    r = cli_run([tmp_path / "a.json", "-o", tmp_path / "o.jsonl"])
    assert r.exit_code != 0 and "more after the JSON array" in r.output
    s, recs, errors = run(tmp_path, "a.jsonl", lines)  # a .jsonl file: line by line, the array line an error
    assert [x["id"] for x in recs] == ["a", "b"] and errors[0]["reason"] == "not a JSON object"


def test_jsonl_with_cr_only_line_ends_is_read_line_by_line(tmp_path):
    data = "".join('{"id":"%d","text":"我要投诉"}\r' % i for i in range(5)).encode() + b"\rnot json\r"
    s, recs, errors = run(tmp_path, "cr.jsonl", data)
    assert [x["id"] for x in recs] == ["0", "1", "2", "3", "4"]
    assert len(errors) == 1 and errors[0]["source"].endswith("cr.jsonl:7")


def test_csv_field_past_the_limit_refuses_the_file_instead_of_reading_from_inside_it(tmp_path, monkeypatch):
    import voc.io.readers as readers

    monkeypatch.setattr(readers, "MAX_FIELD", 1000)
    body = ("很" * 300 + ",退款太慢了我要投诉\n") * 10
    p = tmp_path / "big.csv"
    p.write_text(f'id,内容\n1,"{body}"\n2,正常的投诉一\n3,正常的投诉二\n', encoding="utf-8")
    with pytest.raises(InputError, match="field of over 1,000 characters in the row starting on line 2"):
        list(read_contacts(p))


def test_metadata_that_is_not_an_object_is_kept(tmp_path):
    s, recs, errors = run(tmp_path, "m.jsonl", jsonl('{"id":"a","text":"好","metadata":"VIP客户"}',
                                                   '{"id":"b","text":"好","metadata":["x",1]}',
                                                   '{"id":"c","text":"好","metadata":null}'))
    assert [x["metadata"] for x in recs] == [{"metadata": "VIP客户"}, {"metadata": ["x", 1]}, {}]


@pytest.mark.parametrize("name,data", [("h.csv", "id,内容\n".encode()), ("w.jsonl", b"  \n\n")])
def test_a_file_of_a_header_or_blank_lines_only_is_read_with_a_warning(tmp_path, caplog, name, data):
    caplog.set_level(logging.WARNING)
    s, recs, errors = run(tmp_path, name, data)
    assert s.read == 0 and recs == [] and "holds no contacts" in caplog.text


def test_a_file_name_that_is_not_utf8_is_refused_in_one_sentence(tmp_path):
    import os

    bad = os.fsdecode(b"bad\xffname.jsonl")
    (tmp_path / bad).write_bytes(jsonl('{"text":"我要投诉"}'))
    r = cli_run([tmp_path / bad, "-o", tmp_path / "o.jsonl"])
    assert r.exit_code != 0 and "not valid UTF-8" in r.output and "bad\\xffname" in r.output
    (tmp_path / "ok.jsonl").write_bytes(jsonl('{"text":"我要投诉"}'))
    r = cli_run([tmp_path / "ok.jsonl", "-o", tmp_path / os.fsdecode(b"out\xff.jsonl")])
    assert r.exit_code != 0 and "output name" in r.output


@pytest.mark.parametrize("encoding,message", [("hex", "not an encoding of text files"),
                                              ("rot13", "not an encoding of text files"),
                                              ("idna", "not an encoding of text files"),
                                              ("utf-16", "does not start with BOM")])
def test_an_encoding_that_cannot_read_the_file_is_refused_in_one_sentence(tmp_path, encoding, message):
    (tmp_path / "p.csv").write_text("id,内容\n1,我要投诉\n", encoding="utf-8")
    r = cli_run([tmp_path / "p.csv", "-o", tmp_path / "o.jsonl", "--encoding", encoding])
    assert r.exit_code != 0 and message in r.output


def test_output_on_a_device_or_pipe_is_refused(tmp_path):
    import os

    from voc import OutputError
    from voc.run.state import check_paths

    (tmp_path / "p.csv").write_text("id,内容\n1,我要投诉\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe")
    r = cli_run([tmp_path / "p.csv", "-o", tmp_path / "pipe"])
    assert r.exit_code != 0 and "not a regular file" in r.output
    # a device is only checked, never run against: code without the check replaces /dev/null (as root)
    with pytest.raises(OutputError, match="not a regular file"):
        check_paths([tmp_path / "p.csv"], "/dev/null")


def test_xlsx_output_cells_cut_to_excels_limit_are_said(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    s, recs, errors = run(tmp_path, "l.jsonl", jsonl('{"id":"a","text":"好","note":"' + "备注" * 20000 + '"}'),
                          out_name="o.xlsx")
    assert s.tagged == 1 and "1 cell(s) longer than Excel's 32767 characters were cut" in caplog.text


def test_a_huge_repeat_window_is_a_config_error(tmp_path):
    (tmp_path / "p.csv").write_text("id,内容\n1,我要投诉\n", encoding="utf-8")
    for window in ("1000000000d", "99999999999999d"):
        r = cli_run([tmp_path / "p.csv", "-o", tmp_path / "o.jsonl", "--repeat-window", window])
        assert r.exit_code != 0 and "too long" in r.output


def test_a_lexicon_file_that_is_not_utf8_is_refused_in_one_sentence(tmp_path):
    (tmp_path / "p.csv").write_text("id,内容\n1,我要投诉\n", encoding="utf-8")
    (tmp_path / "gbk.tsv").write_bytes("prefix\t系统提示\t注释\n".encode("gb18030"))
    r = cli_run([tmp_path / "p.csv", "-o", tmp_path / "o.jsonl", "--system-lines", tmp_path / "gbk.tsv"])
    assert r.exit_code != 0 and "not UTF-8 text" in r.output
    (tmp_path / "bom.tsv").write_bytes(codecs.BOM_UTF8 + "prefix\t系统提示\t注释\r\n".encode())
    assert cli_run([tmp_path / "p.csv", "-o", tmp_path / "o2.jsonl", "--system-lines", tmp_path / "bom.tsv"]).exit_code == 0


def test_an_empty_first_sheet_points_to_the_sheet_option(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "空"
    ws = wb.create_sheet("数据")
    ws.append(["id", "内容"])
    ws.append(["1", "我要投诉"])
    wb.save(tmp_path / "two.xlsx")
    r = cli_run([tmp_path / "two.xlsx", "-o", tmp_path / "o.jsonl"])
    assert r.exit_code != 0 and "no rows in its first sheet" in r.output and "--sheet" in r.output
    assert cli_run([tmp_path / "two.xlsx", "-o", tmp_path / "o.jsonl", "--sheet", "数据"]).exit_code == 0
