"""Readers: each format, each encoding, Chinese headers, grouped turns, file-level errors."""
from __future__ import annotations

import json

import pytest

from voc import InputError
from voc.io.encoding import detect_encoding
from voc.io.readers import Columns, RowError, parse_time, read_contacts

TICKETS = [
    ("T001", "电话", "2026-09-03 10:12:00", "U1", "金卡", "客服态度太差，一直推诿"),
    ("T002", "微信", "2026/09/04 08:00", "U2", "普通", "退款迟迟不到账，已经等了两周"),
    ("T003", "网页", "2026年10月01日", "U3", "钻石", "信号差，经常没有网络"),
]


def write_csv(path, rows, header=("工单号", "渠道", "创建时间", "客户编号", "客户等级", "内容"),
              encoding="utf-8", delimiter=","):
    import csv

    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def contacts(items):
    return [c for c in items if not isinstance(c, RowError)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_chinese_headers_each_encoding(tmp_path, encoding):
    path = write_csv(tmp_path / "t.csv", TICKETS, encoding=encoding)
    got = contacts(read_contacts(path))
    assert [c.id for c in got] == ["T001", "T002", "T003"]
    assert got[1].turns[0].text == "退款迟迟不到账，已经等了两周"
    assert got[0].channel == "电话" and got[0].customer_id == "U1"
    assert got[0].created_at == "2026-09-03T10:12:00+08:00"
    assert got[2].created_at == "2026-10-01T00:00:00+08:00"
    assert got[0].metadata == {"客户等级": "金卡"}
    assert got[0].source.endswith("t.csv:2")


def test_big5_detected_and_read(tmp_path):
    path = write_csv(tmp_path / "t.csv", [("1", "電話", "", "", "", "這個產品質量太差了，我要投訴")],
                     header=("工單號", "渠道", "時間", "客戶編號", "客戶等級", "內容"), encoding="big5")
    assert detect_encoding(path.read_bytes()) == "big5"
    assert contacts(read_contacts(path))[0].turns[0].text.startswith("這個產品")


def test_tsv_and_english_headers(tmp_path):
    path = write_csv(tmp_path / "t.tsv", [("a1", "app", "2026-09-01", "信号不好")],
                     header=("id", "channel", "created_at", "text"), delimiter="\t")
    (c,) = contacts(read_contacts(path))
    assert (c.id, c.channel, c.turns[0].text) == ("a1", "app", "信号不好")


def test_undecodable_file_is_refused_not_replaced(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"id,text\n1," + bytes([0x81, 0x20, 0xFF, 0xFE, 0x80]) * 20 + b"\n")
    with pytest.raises(InputError, match="UTF-8|GB18030|encoding"):
        list(read_contacts(path))


def test_forced_encoding(tmp_path):
    path = write_csv(tmp_path / "t.csv", TICKETS, encoding="gb18030")
    assert contacts(read_contacts(path, encoding="gb18030"))[0].turns[0].text == "客服态度太差，一直推诿"
    with pytest.raises(InputError, match="unknown encoding"):
        read_contacts(path, encoding="no-such-codec")


def test_grouped_turns_with_speakers(tmp_path):
    rows = [("C1", "1", "客户", "喂你好我的宽带又断了"), ("C1", "2", "坐席", "您好很高兴为您服务"),
            ("C1", "3", "用户", "都第三次了"), ("C2", "1", "机器人", "请问有什么可以帮您"),
            ("C2", "2", "顾客", "转人工")]
    path = write_csv(tmp_path / "calls.csv", rows, header=("通话ID", "序号", "角色", "通话内容"))
    got = contacts(read_contacts(path, group_by="通话ID"))
    assert [c.id for c in got] == ["C1", "C2"]
    assert [t.speaker for t in got[0].turns] == ["customer", "agent", "customer"]
    assert [t.speaker for t in got[1].turns] == ["bot", "customer"]
    assert got[0].turns[2].text == "都第三次了"


def test_grouped_unknown_speaker_goes_to_errors(tmp_path):
    rows = [("C1", "客户", "你好"), ("C1", "路人甲", "插话")]
    path = write_csv(tmp_path / "calls.csv", rows, header=("通话ID", "角色", "通话内容"))
    items = list(read_contacts(path, group_by="通话ID"))
    errors = [i for i in items if isinstance(i, RowError)]
    assert len(errors) == 1 and "unknown speaker" in errors[0].reason and errors[0].source.endswith(":3")


def test_configured_columns(tmp_path):
    path = write_csv(tmp_path / "t.csv", [("x9", "手机没信号", "2026-09-01")], header=("单据", "描述文字", "when"))
    (c,) = contacts(read_contacts(path, id="单据", text="描述文字", time="when"))
    assert (c.id, c.turns[0].text, c.created_at) == ("x9", "手机没信号", "2026-09-01T00:00:00+08:00")


def test_missing_text_column_fails_before_processing_and_lists_columns(tmp_path):
    path = write_csv(tmp_path / "t.csv", [("1", "x")], header=("编号", "备注"))
    with pytest.raises(InputError, match="编号, 备注"):
        read_contacts(path)
    with pytest.raises(InputError, match="no column 'body'"):
        read_contacts(path, text="body")


def test_row_with_wrong_field_count_goes_to_errors(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,text\n1,好\n2,多,一个字段\n3\n4,正常\n", encoding="utf-8")
    items = list(read_contacts(path))
    assert [c.id for c in contacts(items)] == ["1", "4"]
    reasons = [i.reason for i in items if isinstance(i, RowError)]
    assert reasons == ["row has 3 fields, the header has 2", "row has 1 fields, the header has 2"]


def test_quoted_multiline_field(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('id,text\n1,"第一行\n第二行,有逗号"\n2,好\n', encoding="utf-8")
    got = contacts(read_contacts(path))
    assert got[0].turns[0].text == "第一行\n第二行,有逗号" and got[1].id == "2"


def test_jsonl_text_turns_metadata_and_bad_lines(tmp_path):
    lines = [
        json.dumps({"id": "a", "text": "信号差", "channel": "app", "tier": "金卡", "created_at": "2026-09-01T10:00:00+08:00"},
                   ensure_ascii=False),
        json.dumps({"id": "b", "turns": [{"speaker": "客户", "text": "退款呢"}, {"role": "客服", "content": "马上处理"}]},
                   ensure_ascii=False),
        "{not json",
        json.dumps({"id": "c", "turns": [{"speaker": "外星人", "text": "?"}]}, ensure_ascii=False),
        "",
        json.dumps({"id": "d", "metadata": {"region": "上海"}, "text": "好"}, ensure_ascii=False),
    ]
    path = tmp_path / "c.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8") + b'{"id": "e", "text": "\xff\xfe"}\n')
    items = list(read_contacts(path))
    got = contacts(items)
    assert [c.id for c in got] == ["a", "b", "d"]
    assert got[0].metadata == {"tier": "金卡"} and got[0].channel == "app"
    assert [t.speaker for t in got[1].turns] == ["customer", "agent"]
    assert got[2].metadata == {"region": "上海"}
    errors = {e.source.rsplit(":", 1)[1]: e.reason for e in items if isinstance(e, RowError)}
    assert set(errors) == {"3", "4", "7"}
    assert "JSON" in errors["3"] and "speaker" in errors["4"] and "utf-8" in errors["7"]


def test_jsonl_with_bom(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "1", "text": "你好"}).encode() + b"\n")
    assert contacts(read_contacts(path))[0].turns[0].text == "你好"


def test_xlsx_and_several_sheets(tmp_path):
    import xlsxwriter

    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("汇总")
    ws.write_row(0, 0, ["说明"])
    ws2 = wb.add_worksheet("工单")
    ws2.write_row(0, 0, ["工单号", "内容", "时间", "金额"])
    ws2.write_row(1, 0, [1001, "扣费有问题", "2026-09-01 09:00:00", 12.5])
    ws2.write_formula(2, 3, "=1+1", None, 2)
    ws2.write_row(2, 0, [1002, "=HYPERLINK(\"x\")", "2026-09-02"])
    wb.close()
    got = contacts(read_contacts(path, sheet="工单"))
    assert [c.id for c in got] == ["1001", "1002"]
    assert got[0].turns[0].text == "扣费有问题" and got[0].metadata == {"金额": "12.5"}
    with pytest.raises(InputError, match="no sheet"):
        read_contacts(path, sheet="nope")
    with pytest.raises(InputError, match="text column"):
        read_contacts(path)  # first sheet has no text column


def test_xls_read():
    """tests/data/tickets.xls: a legacy Excel 97 file written by the project (xlwt)."""
    from pathlib import Path

    xls = Path(__file__).parent / "data" / "tickets.xls"
    got = contacts(read_contacts(xls))
    assert [c.id for c in got] == ["X001", "X002", "X003", "1004"]
    assert got[0].turns[0].text == "宽带又断了，师傅说明天上门也没来"
    assert got[0].channel == "电话" and got[0].created_at == "2026-09-03T10:12:00+08:00"
    assert got[3].turns[0].text == "=1+1 不是公式"


def test_corrupt_xlsx(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a real workbook")
    with pytest.raises(InputError, match="Excel"):
        read_contacts(path)


@pytest.mark.parametrize("make", ["missing", "dir", "empty"])
def test_file_level_errors(tmp_path, make):
    path = tmp_path / "x.csv"
    if make == "dir":
        path.mkdir()
    elif make == "empty":
        path.write_bytes(b"")
    with pytest.raises(InputError):
        read_contacts(path)


def test_parse_time_variants():
    assert parse_time("2026-09-03T10:12:00Z") == "2026-09-03T10:12:00+00:00"
    assert parse_time("20260903") == "2026-09-03T00:00:00+08:00"
    assert parse_time("昨天") == "昨天"
    assert parse_time("") is None


def test_columns_object(tmp_path):
    path = write_csv(tmp_path / "t.csv", TICKETS)
    assert len(contacts(read_contacts(path, columns=Columns(text="内容")))) == 3


def test_turn_per_row_file_without_group_by_is_warned_about(tmp_path):
    """Without --group-by every turn would be a contact and agent greetings customer text."""
    from click.testing import CliRunner

    from voc.cli import cli

    src = tmp_path / "calls.csv"
    src.write_text("通话ID,角色,内容\nC1,坐席,您好，请问有什么可以帮您\nC1,客户,我的宽带又断了\nC2,坐席,您好\n",
                   encoding="utf-8")
    r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(tmp_path / "o.jsonl"), "-q", "-w", "1"])
    assert r.exit_code == 0 and "looks like one turn per row" in r.output and "--group-by 通话ID" in r.output
    r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(tmp_path / "g.jsonl"), "-q", "-w", "1",
                                 "--group-by", "通话ID"])
    assert r.exit_code == 0 and "looks like one turn per row" not in r.output
    plain = tmp_path / "tickets.csv"
    plain.write_text("工单号,创建时间,内容\nT1,2026-10-01 10:00,宽带断了\nT2,2026-10-02 11:00,发票怎么开\n",
                     encoding="utf-8")  # dated: an undated contact is warned about too
    r = CliRunner().invoke(cli, ["tag", str(plain), "-o", str(tmp_path / "t.jsonl"), "-q", "-w", "1"])
    assert r.exit_code == 0 and "warning" not in r.output


# -- a transcript exported as one text cell ("客户：……\n坐席：……") -----------------------------

TRANSCRIPTS = [
    ("客户：你好\n坐席：您好，请问有什么可以帮您\n客户：帮我查一下话费",
     [("customer", "你好"), ("agent", "您好，请问有什么可以帮您"), ("customer", "帮我查一下话费")]),
    ("客户：喂 坐席：您好 客户：我要查话费",  # one-line ASR export
     [("customer", "喂"), ("agent", "您好"), ("customer", "我要查话费")]),
    ("[00:00:01] 客户：喂\n[00:00:03] 客服小王：您好\n[00:00:09] 机器人：请对本次服务评价",
     [("customer", "喂"), ("agent", "您好"), ("bot", "请对本次服务评价")]),
    ("坐席(工号1023)：您好\n客户 10:01:05：好的", [("agent", "您好"), ("customer", "好的")]),
    ("【客戶】：你好\n【系統】：轉接中", [("customer", "你好"), ("system", "轉接中")]),  # traditional
    ("Customer: hi\nAgent: hello", [("customer", "hi"), ("agent", "hello")]),
    ("2023-05-01 10:00:01 访客：在吗\n2023-05-01 10:00:03 客服-小王：您好", [("customer", "在吗"), ("agent", "您好")]),
    ("[00:00:01-00:00:03] 客户：喂\n[00:00:03-00:00:05] 人工客服：您好", [("customer", "喂"), ("agent", "您好")]),
    ("客户 00:00:01\n喂你好\n坐席 00:00:03\n您好请讲", [("customer", "喂你好"), ("agent", "您好请讲")]),  # label lines
    ("\ufeff客户： 温馨提示：我的宽带断了\n坐席：好的", [("customer", "温馨提示：我的宽带断了"), ("agent", "好的")]),
    ("坐席：请报一下手机号\n客户：13800138000\n坐席：10086为您服务",  # turns that start with a number
     [("agent", "请报一下手机号"), ("customer", "13800138000"), ("agent", "10086为您服务")]),
]

NOT_TRANSCRIPTS = [
    "客服态度太差：我打了三次电话。客户反映：没人管",  # the customer's own writing
    "客户反映：宽带坏了\n处理结果：已派单",  # one label only
    "我是老客户：你好\n坐席：您好",  # does not start with a label
    "坐席：您好\n坐席：请问还有什么问题",  # no customer
    "客户：张先生 客服：小王 问题：手机没信号三天了，我要投诉！",  # a form: other fields
    "用户：13800138000 坐席：2001 内容：话费多扣了50元",
    "Customer: Acme Corp\nAgent: Bob\nIssue: The router keeps dropping",
    "用户：我要投诉你们客服！客服：态度极差，挂我电话！",  # a label after a sentence end is the text
    "客户12:30来电反映宽带断网。 坐席14:00回访，客户表示已恢复。",  # clock times, not ids
    "cuſtomer: bill wrong\nagent: sorry",  # "ſ" folds to "s" only outside ASCII: not a label
    "客服张三：您好\n客户：喂",  # a label voc cannot tell from "客服态度：": left whole
    "客户：张先生 电话：13800138000 客服：小王 手机没信号三天了，我要投诉！",  # a field that holds a number
    "用户：我要投诉你们客服！ 客服：态度极差，挂我电话！",  # a sentence end, then a space
    "用户：我昨天打了客服电话\n客服小妹说：你自己去营业厅办\n我觉得这服务太差了",
    "客户：我投诉\n客服（态度很差）：说不归他管\n我要求道歉",
    "客户：张先生\n客服：小王\n张先生来电反映宽带断网，要求赔偿",  # a header block, then the body
]


@pytest.mark.parametrize("text, turns", TRANSCRIPTS)
def test_transcript_in_one_text_is_read_as_turns(tmp_path, text, turns):
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "1", "text": text}, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    write_csv(tmp_path / "c.csv", [("1", "电话", "", "", "", text)])
    for path in (tmp_path / "c.jsonl", tmp_path / "c.csv"):
        (got,) = contacts(read_contacts(path))
        assert [(t.speaker, t.text) for t in got.turns] == turns


@pytest.mark.parametrize("text", NOT_TRANSCRIPTS)
def test_text_that_is_not_a_transcript_stays_one_customer_turn(tmp_path, text):
    write_csv(tmp_path / "c.csv", [("1", "电话", "", "", "", text)])
    (got,) = contacts(read_contacts(tmp_path / "c.csv"))
    assert [(t.speaker, t.text) for t in got.turns] == [("customer", text)]


def test_transcript_text_is_tagged_on_the_customer_side_only():
    import voc

    nlp = voc.load()
    rec = nlp.tag("客户：帮我查一下话费余额\n坐席：您好，您的余额是35元\n客户：好的，没有了，拜拜").to_record()
    assert "坐席" not in rec["text"] and "35" not in rec["text"] and "客户" not in rec["text"]
    assert all("客户" not in span and "坐席" not in span for span in rec["root_cause_evidence"])


def test_export_speaker_values_mapped_with_speakers(tmp_path):
    rows = [("S1", "0", "我的快递到哪了"), ("S1", "1", "亲，今天派送"), ("S1", "0", "好的")]
    path = write_csv(tmp_path / "chat.csv", rows, header=("session_id", "from_staff", "content"))
    unmapped = list(read_contacts(path, group_by="session_id", speaker="from_staff"))
    errors = [i for i in unmapped if isinstance(i, RowError)]
    assert len(errors) == 3 and all("unknown speaker" in e.reason for e in errors)
    (c,) = contacts(read_contacts(path, group_by="session_id", speaker="from_staff",
                                  columns=None, speakers={"0": "customer", "1": "agent"}))
    assert [t.speaker for t in c.turns] == ["customer", "agent", "customer"]
    (tmp_path / "chat.jsonl").write_text(json.dumps(
        {"id": "S1", "turns": [{"speaker": "买家", "text": "在吗"}, {"speaker": 1, "text": "在的"}]},
        ensure_ascii=False) + "\n", encoding="utf-8")
    (c,) = contacts(read_contacts(tmp_path / "chat.jsonl", speakers={"1": "agent"}))
    assert [t.speaker for t in c.turns] == ["customer", "agent"]


def test_speakers_values_are_read_as_exports_write_them(tmp_path):
    rows = [("S1", "０", "我的快递到哪了"), ("S1", "1.0", "亲，今天派送")]  # full width; a float column
    path = write_csv(tmp_path / "chat.csv", rows, header=("session_id", "from_staff", "content"))
    (c,) = contacts(read_contacts(path, group_by="session_id", speaker="from_staff",
                                  speakers={"0": "customer", "1": "agent"}))
    assert [t.speaker for t in c.turns] == ["customer", "agent"]
    # numbers are column values only: "1" never reads "10:00" in a text as a label
    write_csv(tmp_path / "t.csv", [("1", "电话", "", "", "", "09:30打了客服电话没人接。\n10:00又打了一次")])
    (t,) = contacts(read_contacts(tmp_path / "t.csv", speakers={"0": "customer", "1": "agent"}))
    assert [x.speaker for x in t.turns] == ["customer"] and t.turns[0].text.startswith("09:30")
    from voc.errors import ConfigError

    for role in ("路人", "客户经理"):  # a role is a name itself, not a word that holds one
        with pytest.raises(ConfigError, match="customer, agent, bot or system"):
            read_contacts(path, group_by="session_id", speaker="from_staff", speakers={"0": role})


def test_diarised_transcript_labels_named_with_speakers(tmp_path):
    text = "说话人1 00:01：喂你好\n说话人2 00:03：您好，请讲\n说话人1：我要查话费"
    write_csv(tmp_path / "c.csv", [("1", "电话", "", "", "", text)])
    (plain,) = contacts(read_contacts(tmp_path / "c.csv"))
    assert [(t.speaker, t.text) for t in plain.turns] == [("customer", text)]  # unknown labels: one text
    (got,) = contacts(read_contacts(tmp_path / "c.csv", speakers={"说话人1": "客户", "说话人2": "Agent"}))
    assert [(t.speaker, t.text) for t in got.turns] == [("customer", "喂你好"), ("agent", "您好，请讲"),
                                                        ("customer", "我要查话费")]
    # the export's own meaning of a built-in name wins, as it does for a speaker column
    write_csv(tmp_path / "m.csv", [("1", "chat", "", "", "", "商家：在吗\n客服：您好")])
    (shop,) = contacts(read_contacts(tmp_path / "m.csv", speakers={"商家": "customer"}))
    assert [t.speaker for t in shop.turns] == ["customer", "agent"]


@pytest.mark.parametrize("raw, iso", [
    ("1714540800", "2024-05-01T13:20:00+08:00"), ("1714540800000", "2024-05-01T13:20:00+08:00"),
    (1714540800, "2024-05-01T13:20:00+08:00"), ("202605011030", "2026-05-01T10:30:00+08:00"),
    ("20260501103000", "2026-05-01T10:30:00+08:00"), ("2026年05月01日 10时30分", "2026-05-01T10:30:00+08:00"),
    ("2026-05-01 下午3:30", "2026-05-01T15:30:00+08:00"), ("2026-05-01 晚上8点15分", "2026-05-01T20:15:00+08:00"),
    ("12345", "12345"), ("99999999999", "99999999999"), ("2026-13-01", "2026-13-01"),
    (20260501, "2026-05-01T00:00:00+08:00"), (20260501103000, "2026-05-01T10:30:00+08:00")])
def test_times_are_read_right_or_kept_as_text(tmp_path, raw, iso):
    """A Unix time once became the year 1714 and 202605011030 10:03 (strptime takes one-digit
    fields): a time is read right or kept as the raw text, never turned into another date."""
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "退款没到", "created_at": raw}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    assert next(iter(read_contacts(path))).created_at == iso
