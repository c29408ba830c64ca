"""The results store: round trip, idempotent re-add, redaction, schema versions and
migrations, months in time zones, purge, CLI."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from voc.store import schema as store_schema
from voc.store import get_tz
from voc.cli import cli
from voc.errors import ConfigError, InputError
from voc.records import (OUTPUT_FIELDS, Churn, Contact, ContactType, Escalation, Resolved, RootCause, Sentiment, Tagged,
                         Turn)
from voc.store import SCHEMA_VERSION, Store, parse_duration, parse_time, shift_month

PHONE = "13912345678"


def tagged_record(id="T1", created_at="2026-10-15T10:00:00+08:00", text="客服态度太差，我要投诉到12315",
                  root_cause="agent", channel="phone", metadata=None, **over):
    """A flat record built the way the pipeline builds it (Tagged.to_record())."""
    contact = Contact(id=id, turns=(Turn("customer", text),), channel=channel, created_at=created_at,
                      customer_id="U1", metadata=metadata if metadata is not None else {"tier": "金卡"})
    t = Tagged(contact, text=text, root_cause=RootCause(root_cause, {"agent": 0.7, "other": 0.3}, ("态度太差",), "客服质检/培训"),
               sentiment=Sentiment(0.1, "negative", 0.3, 0.1, "worsened"), churn=Churn(0.8, "high", ("exit intent: 销户",)),
               escalation=Escalation(True, "urgent", ("regulator/media/legal: 12315",), "客服质检/培训"),
               topics=((3, 0.7), (5, 0.2)), topic_label="态度/投诉", model_version="voc-test (root_cause=cues-1)")
    rec = t.to_record()
    rec.update(over)
    return rec


def test_round_trip_gives_back_every_output_field(tmp_path):
    rec = tagged_record()
    with Store(tmp_path / "voc.db") as st:
        st.add(rec)
    with Store(tmp_path / "voc.db", readonly=True) as st:
        got = st.get("T1")
        assert st.count() == 1 and st.months() == ["2026-10"]
    assert {k: got[k] for k in OUTPUT_FIELDS} == rec
    assert got["month"] == "2026-10" and got["tier"] == "金卡"
    assert list(got)[:len(OUTPUT_FIELDS)] == list(OUTPUT_FIELDS)


def test_re_adding_an_id_replaces_it(tmp_path):
    path = tmp_path / "voc.db"
    with Store(path) as st:
        st.add_many([tagged_record("A"), tagged_record("B"), tagged_record("A", root_cause="product")])
        assert st.count() == 2
        assert st.get("A")["root_cause"] == "product"
    with Store(path) as st:  # the same batch again, in a new session
        st.add_many([tagged_record("A", root_cause="policy"), tagged_record("B")])
        assert st.count() == 2
        assert st.get("A")["root_cause"] == "policy"
        assert [r["id"] for r in st.records("2026-10", order="id")] == ["A", "B"]


def test_text_is_stored_redacted_and_redaction_is_idempotent(tmp_path):
    rec = tagged_record(text=f"我的手机{PHONE}，快给我回电", metadata={"tier": "银卡", "联系电话": PHONE},
                        root_cause_evidence=[f"手机{PHONE}"], customer_id=PHONE,
                        escalation_reasons=[f"回电 {PHONE}"])
    with Store(tmp_path / "voc.db") as st:
        st.add(rec)
        got = st.get("T1")
        assert PHONE not in json.dumps(got, ensure_ascii=False)
        assert "〔手机号〕" in got["text"] and got["metadata"]["联系电话"] == "〔手机号〕"
        st.add(got)  # already redacted: unchanged
        assert st.get("T1")["text"] == got["text"]
    raw = (tmp_path / "voc.db").read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("voc.db-*"))
    assert PHONE.encode() not in raw


def test_schema_version_is_recorded_and_newer_stores_are_refused(tmp_path):
    path = tmp_path / "voc.db"
    with Store(path) as st:
        assert st.schema_version() == SCHEMA_VERSION
        names = {r[0] for r in st.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"contacts_month", "contacts_month_root_cause", "contacts_month_owner", "contacts_month_channel",
            "contacts_month_topic", "contacts_ts", "contacts_month_contact_type"} <= names
    con = sqlite3.connect(path)
    con.execute("INSERT INTO schema_version VALUES (?, 'x', 'from the future')", (SCHEMA_VERSION + 1,))
    con.commit()
    con.close()
    with pytest.raises(ConfigError, match="upgrade voc"):
        Store(path)


def test_pending_migrations_are_applied_and_keep_data(tmp_path, monkeypatch):
    path = tmp_path / "voc.db"
    with Store(path) as st:
        st.add(tagged_record("A"))
    step = (SCHEMA_VERSION + 1, "test: add a column", ("ALTER TABLE contacts ADD COLUMN reviewed INTEGER DEFAULT 0",))
    monkeypatch.setattr(store_schema, "MIGRATIONS", [*store_schema.MIGRATIONS, step])
    monkeypatch.setattr(store_schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(ConfigError, match="needs migrating"):
        Store(path, readonly=True)
    with Store(path) as st:
        assert st.schema_version() == SCHEMA_VERSION + 1
        assert st.query("SELECT id, reviewed FROM contacts") == [("A", 0)]
        assert st.get("A")["root_cause"] == "agent"


def test_a_failing_migration_leaves_the_store_unchanged(tmp_path, monkeypatch):
    path = tmp_path / "voc.db"
    with Store(path) as st:
        st.add(tagged_record("A"))
    step = (SCHEMA_VERSION + 1, "test: broken", ("ALTER TABLE contacts ADD COLUMN reviewed INTEGER",
                                                 "CREATE INDEX broken ON no_such_table(x)"))
    monkeypatch.setattr(store_schema, "MIGRATIONS", [*store_schema.MIGRATIONS, step])
    monkeypatch.setattr(store_schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(ConfigError, match="store is unchanged"):
        Store(path)
    con = sqlite3.connect(path)
    columns = [r[1] for r in con.execute("PRAGMA table_info(contacts)")]
    assert "reviewed" not in columns  # the first statement was rolled back too
    assert con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("SELECT id FROM contacts").fetchall() == [("A",)]
    con.close()


def test_contact_type_and_resolution_are_stored_in_columns(tmp_path):
    contact = Contact(id="Q1", turns=(Turn("customer", "发票抬头怎么改"), Turn("agent", "在订单页修改即可")),
                      channel="chat", created_at="2026-10-15T10:00:00+08:00")
    t = Tagged(contact, text="发票抬头怎么改", root_cause=RootCause("other", {"other": 0.9}),
               contact_type=ContactType("inquiry", {"inquiry": 0.8, "complaint": 0.1, "request": 0.1}),
               resolved=Resolved("yes", 0.85), status="ok")
    rec = t.to_record()
    with Store(tmp_path / "voc.db") as st:
        st.add_many([rec, tagged_record("old")])
        cols = dict((r[0], r[1:]) for r in st.query("SELECT id, contact_type, resolved, resolved_score FROM contacts"))
        assert cols == {"Q1": ("inquiry", "yes", 0.85), "old": (None, None, None)}
        got = st.get("Q1")
        assert {k: got[k] for k in OUTPUT_FIELDS} == rec
        assert list(got)[:len(OUTPUT_FIELDS)] == list(OUTPUT_FIELDS)
        extra = json.loads(st.query("SELECT extra FROM contacts WHERE id = 'Q1'")[0][0])
        assert "contact_type" not in extra and "resolved" not in extra  # columns, not copies
        assert extra["contact_type_scores"]["inquiry"] == 0.8
        plan = " ".join(r[-1] for r in st.query(
            "EXPLAIN QUERY PLAN SELECT contact_type, COUNT(*) FROM contacts WHERE month = ? GROUP BY contact_type",
            ("2026-10",)))
        assert "contacts_month_contact_type" in plan


def test_records_of_an_older_voc_have_no_contact_type(tmp_path):
    """JSONL written before the contact-type stage existed: the fields are missing altogether."""
    rec = {k: v for k, v in tagged_record().items()
           if k not in ("contact_type", "contact_type_scores", "resolved", "resolved_score")}
    with Store(tmp_path / "voc.db") as st:
        st.add(rec)
        got = st.get("T1")
        assert st.query("SELECT contact_type, resolved, resolved_score FROM contacts") == [(None, None, None)]
    assert got["contact_type"] is None and got["resolved"] is None and got["root_cause"] == "agent"


def v1_store(path, records):
    """A store as voc wrote it with schema version 1 (the released first migration, and rows
    without the contact-type columns: the fields a record had beyond those columns in extra)."""
    version, description, statements = store_schema.MIGRATIONS[0]
    assert version == 1
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL, "
                "description TEXT NOT NULL)")
    for sql in statements:
        con.execute(sql)
    con.execute("INSERT INTO schema_version VALUES (1, '2026-06-01T00:00:00+00:00', ?)", (description,))
    con.execute("INSERT INTO settings VALUES ('timezone', 'Asia/Shanghai')")
    later = ("contact_type", "resolved", "resolved_score", "source", "agent_id", "team", "qa_score", "qa_hits",
             "commitments", "handoff", "agent_conduct", "product", "region")  # columns added by later migrations
    v1_columns = [c for c in store_schema.INSERT_COLUMNS if c not in later]
    with Store(":memory:") as mem:
        for rec in records:
            row = dict(zip(store_schema.INSERT_COLUMNS, mem._row(rec, 1_780_000_000)))
            extra = json.loads(row["extra"])
            extra.update({k: rec[k] for k in ("contact_type", "resolved", "resolved_score") if k in rec})
            row["extra"] = json.dumps(extra, ensure_ascii=False, separators=(",", ":"))
            con.execute(f"INSERT INTO contacts ({', '.join(v1_columns)}) VALUES ({', '.join('?' * len(v1_columns))})",
                        [row[c] for c in v1_columns])
    con.commit()
    con.close()


def test_a_store_of_schema_1_migrates_and_keeps_its_records(tmp_path):
    path = tmp_path / "v1.db"
    older = {k: v for k, v in tagged_record("older", metadata={"tier": "金卡", "产品": "宽带", "坐席": "A01"}).items()
             if k not in ("contact_type", "contact_type_scores", "resolved", "resolved_score")}
    typed = tagged_record("typed", contact_type="request", contact_type_scores={"request": 0.7, "inquiry": 0.3},
                          resolved="no", resolved_score=0.2)
    nulls = tagged_record("nulls")  # the fields present, null: no contact-type stage ran
    v1_store(path, [older, typed, nulls])
    with pytest.raises(ConfigError, match="needs migrating"):
        Store(path, readonly=True)
    with Store(path) as st:
        assert st.schema_version() == SCHEMA_VERSION >= 4
        versions = st.query("SELECT version, description FROM schema_version ORDER BY version")
        assert [v for v, _ in versions] == list(range(1, SCHEMA_VERSION + 1)) and "contact type" in versions[1][1]
        assert "corrections" in versions[4][1] and st.corrections() == []
        # schema 5 filled product, region, team, agent from the metadata of the stored rows
        assert st.query("SELECT product, region, team, agent_id FROM contacts WHERE id = 'older'") == [
            ("宽带", None, None, "A01")]
        cols = {r[0]: r[1:] for r in st.query("SELECT id, contact_type, resolved, resolved_score FROM contacts")}
        assert cols == {"older": (None, None, None), "typed": ("request", "no", 0.2), "nulls": (None, None, None)}
        extras = [json.loads(r[0]) for r in st.query("SELECT extra FROM contacts")]
        assert not any({"contact_type", "resolved", "resolved_score"} & set(x) for x in extras)
        got = st.get("typed")
        assert {k: got[k] for k in OUTPUT_FIELDS} == typed
        assert st.get("older")["contact_type"] is None and st.get("older")["root_cause"] == "agent"
        names = {r[0] for r in st.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "contacts_month_contact_type" in names and "contacts_month_owner" in names
        st.add(tagged_record("new", contact_type="complaint"))  # and it takes new records
    with Store(path, readonly=True) as st:
        assert st.get("new")["contact_type"] == "complaint" and st.count() == 4


def test_the_schema_2_migration_is_all_or_nothing(tmp_path, monkeypatch):
    path = tmp_path / "v1.db"
    v1_store(path, [tagged_record("A", contact_type="inquiry")])
    version, description, statements = store_schema.MIGRATIONS[1]
    broken = (version, description, (*statements, "CREATE INDEX broken ON no_such_table(x)"))
    monkeypatch.setattr(store_schema, "MIGRATIONS", [store_schema.MIGRATIONS[0], broken])
    with pytest.raises(ConfigError, match="store is unchanged"):
        Store(path)
    con = sqlite3.connect(path)
    assert "contact_type" not in [r[1] for r in con.execute("PRAGMA table_info(contacts)")]
    assert json.loads(con.execute("SELECT extra FROM contacts").fetchone()[0])["contact_type"] == "inquiry"
    assert con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 1
    con.close()


def test_other_files_are_not_taken_for_stores(tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(InputError, match="not a voc results store"):
        Store(other)
    junk = tmp_path / "junk.db"
    junk.write_text("not a database at all, just text " * 100)
    with pytest.raises(InputError, match="not a voc results store"):
        Store(junk)
    with pytest.raises(InputError, match="no results store"):
        Store(tmp_path / "missing.db", readonly=True)
    # the refused file is left as it was: no switch to WAL, no -wal/-shm files beside it
    assert sqlite3.connect(other).execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.db", "other.db"]
    with pytest.raises(ConfigError, match="unknown time zone"):
        Store(tmp_path / "new.db", tz="Mars/Phobos")
    assert not (tmp_path / "new.db").exists()


@pytest.mark.parametrize("created_at, month", [
    ("2026-10-31T23:59:59+08:00", "2026-10"),
    ("2026-11-01T00:00:00+08:00", "2026-11"),
    ("2026-10-31T15:59:59Z", "2026-10"),      # 23:59:59 in Shanghai
    ("2026-10-31T16:00:00Z", "2026-11"),      # 00:00 on 1 November in Shanghai
    ("2026-09-30T16:30:00+00:00", "2026-10"),
    ("2026-10-31 23:59:59", "2026-10"),       # no offset: local Shanghai time
    ("2026-11-01 00:00:00", "2026-11"),
    ("2026/11/01 00:00", "2026-11"),
    ("2026年10月31日", "2026-10"),
    ("2026-10-01", "2026-10"),
    ("2026-11-01T00:30:00-05:00", "2026-11"),  # 13:30 on 1 November in Shanghai
    ("2026-10-31T11:30:00-05:00", "2026-11"),  # 00:30 on 1 November in Shanghai
    (1793462400, "2026-11"),                   # 2026-10-31T16:00:00Z in seconds
    (1793462399000, "2026-10"),                # one second earlier, in milliseconds
])
def test_months_are_calendar_months_in_asia_shanghai(tmp_path, created_at, month):
    with Store(tmp_path / "voc.db") as st:
        assert st.timezone == "Asia/Shanghai"
        st.add(tagged_record(created_at=created_at))
        assert st.get("T1")["month"] == month


def test_store_time_zone_is_fixed_when_created(tmp_path):
    path = tmp_path / "utc.db"
    with Store(path, tz="UTC") as st:
        st.add(tagged_record(created_at="2026-10-31T16:30:00Z"))
        st.add(tagged_record("naive", created_at="2026-10-31 23:30:00"))
        assert st.get("T1")["month"] == "2026-10" and st.get("naive")["month"] == "2026-10"
    with Store(path) as st:  # reopened without tz: keeps UTC
        assert st.timezone == "UTC"
    with pytest.raises(ConfigError, match="defines months in UTC"):
        Store(path, tz="Asia/Shanghai")
    with pytest.raises(ConfigError, match="unknown time zone"):
        Store(tmp_path / "x.db", tz="Mars/Olympus")


def test_undated_contacts_are_kept_without_a_month(tmp_path):
    with Store(tmp_path / "voc.db") as st:
        st.add(tagged_record("a", created_at=None))
        st.add(tagged_record("b", created_at="yesterday-ish"))
        st.add(tagged_record("c"))
        assert st.undated == 2 and st.count() == 3 and st.months() == ["2026-10"]
        assert st.get("b")["created_at"] == "yesterday-ish" and st.get("b")["month"] is None


def test_purge_deletes_contacts_older_than_the_retention(tmp_path):
    now = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
    with Store(tmp_path / "voc.db") as st:
        st.add_many([tagged_record("old", created_at="2025-10-01T00:00:00+08:00", text="早已过期的投诉内容QZX"),
                     tagged_record("edge", created_at=(now - timedelta(days=365, seconds=-60)).isoformat()),
                     tagged_record("new", created_at="2026-10-30T00:00:00+08:00")])
        assert st.purge("365d", now=now) == 1
        assert sorted(r["id"] for r in st.records()) == ["edge", "new"]
        assert st.purge("3d", now=now) == 1
        assert [r["id"] for r in st.records()] == ["new"]
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("voc.db*"))
    assert "早已过期的投诉内容QZX".encode() not in raw  # overwritten, not just unlinked


def test_durations():
    assert parse_duration("365d") == timedelta(days=365)
    assert parse_duration("48h") == timedelta(hours=48)
    assert parse_duration("2w") == timedelta(weeks=2)
    assert parse_duration(30) == timedelta(days=30)
    for bad in ("365", "1y", "", "-3d"):
        with pytest.raises(ConfigError, match="duration"):
            parse_duration(bad)


def test_month_helpers():
    assert shift_month("2026-01", -1) == "2025-12" and shift_month("2026-12", 1) == "2027-01"
    with pytest.raises(ConfigError, match="YYYY-MM"):
        shift_month("2026-13", 1)
    tz = get_tz("Asia/Shanghai")
    assert parse_time("not a date", tz) is None
    assert parse_time("2026-10-31T16:00:00Z", tz).isoformat() == "2026-11-01T00:00:00+08:00"


def test_an_error_inside_the_with_block_drops_records_not_yet_written(tmp_path):
    path = tmp_path / "voc.db"
    with pytest.raises(RuntimeError):
        with Store(path) as st:
            st.add(tagged_record("A"))
            raise RuntimeError("tagging failed")
    with Store(path) as st:
        assert st.count() == 0


def test_cli_store_add_and_purge(tmp_path):
    src = tmp_path / "tagged.jsonl"
    recs = [tagged_record(f"C{i}", created_at=f"2020-{m:02d}-10T09:00:00+08:00") for i, m in enumerate((8, 9, 10, 10))]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    db = tmp_path / "voc.db"
    runner = CliRunner()
    r = runner.invoke(cli, ["store", "add", str(src), "--store", str(db)])
    assert r.exit_code == 0, r.output
    assert "added 4 contacts (4 new, 0 replaced)" in r.output and "2020-08 to 2020-10" in r.output
    r = runner.invoke(cli, ["store", "add", str(src), "--store", str(db)])
    assert "(0 new, 4 replaced)" in r.output and "holds 4 contacts" in r.output
    r = runner.invoke(cli, ["store", "purge", "--older-than", "1d", "--store", str(db)])
    assert r.exit_code == 0 and "deleted 4 contacts" in r.output and "0 left" in r.output
    r = runner.invoke(cli, ["store", "purge", "--older-than", "one year", "--store", str(db)])
    assert r.exit_code == ConfigError.exit_code and "365d" in r.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "status": "ok"}\nnot json\n', encoding="utf-8")
    r = runner.invoke(cli, ["store", "add", str(bad), "--store", str(db)])
    assert r.exit_code == InputError.exit_code and "bad.jsonl:2" in r.output


def test_voc_tag_store_adds_tagged_contacts(tmp_path):
    from voc.run import tag_files

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"X{i}", "created_at": f"2026-10-0{i + 1} 10:00:00", "channel": "chat",
                                       "text": f"退款一直没到账，打电话{PHONE}也没人管"}, ensure_ascii=False) + "\n"
                           for i in range(3)), encoding="utf-8")
    tag_files([src], tmp_path / "out.jsonl", workers=1, store=tmp_path / "voc.db")
    with Store(tmp_path / "voc.db") as st:
        assert st.count("2026-10") == 3
        assert all(PHONE not in (r["text"] or "") for r in st.records())


def test_store_paths_with_hash_question_mark_and_percent(tmp_path):
    """sqlite URIs treat '#', '?' and '%' specially: the read-only open quotes the path."""
    for name in ("a#b.db", "a?b.db", "100%.db", "x #?%20y.db"):
        path = tmp_path / name
        with Store(path) as st:
            st.add(tagged_record("P1"))
        with Store(path, readonly=True) as st:
            assert st.count() == 1 and st.get("P1")["root_cause"] == "agent"
        assert sorted(p.name for p in tmp_path.glob("*.db")).count(name) == 1
    r = CliRunner().invoke(cli, ["report", "monthly", "--store", str(tmp_path / "a#b.db"), "--month", "2026-10",
                                 "-o", str(tmp_path / "r.html")])
    assert r.exit_code == 0, r.output


def test_store_add_refuses_a_raw_export_and_scrubs_every_field(tmp_path):
    raw = tmp_path / "export.jsonl"
    raw.write_text(json.dumps({"id": "R1", "text": "电话13812345678", "turns": [{"speaker": "客户", "text": "x"}]},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    db = tmp_path / "voc.db"
    r = CliRunner().invoke(cli, ["store", "add", str(raw), "--store", str(db)])
    assert r.exit_code != 0 and "not the output of `voc tag`" in r.output and "Traceback" not in r.output
    rec = tagged_record("S1", channel="微信13812345678", note="客户手机13812345678",
                        nested={"a": ["身份证110101199003074514"]})
    tagged = tmp_path / "tagged.jsonl"
    tagged.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["store", "add", str(tagged), "--store", str(db)])
    assert r.exit_code == 0, r.output
    with Store(db, readonly=True) as st:
        row = st.query("SELECT * FROM contacts")[0]
    dump = json.dumps(row, ensure_ascii=False)
    assert "13812345678" not in dump and "110101199003074514" not in dump


def test_migration_6_indexes_customers_by_time(tmp_path):
    """Journeys read contacts ordered by (customer_id, ts) through the index of migration 6."""
    with Store(tmp_path / "j.db") as st:
        plan = st.query("EXPLAIN QUERY PLAN SELECT id FROM contacts WHERE customer_id IS NOT NULL "
                        "ORDER BY customer_id, ts")
    assert any("contacts_customer_ts" in str(row) for row in plan) and not any("TEMP B-TREE" in str(r) for r in plan)


@pytest.mark.parametrize("field, value", [("sentiment", "abc"), ("churn_risk", 7), ("contact_type", 5),
                                          ("resolved", "maybe"), ("root_cause_scores", "oops"),
                                          ("root_cause_evidence", {"a": 1}), ("topics", [["x", 1]]),
                                          ("escalate", "yes"), ("commitments", [1]), ("agent_conduct", "bad"),
                                          ("churn_reasons", [{"a": 1}])])
def test_store_add_refuses_a_wrongly_typed_tagged_field_naming_line_and_field(tmp_path, field, value):
    src = tmp_path / "tagged.jsonl"
    recs = [tagged_record("C1"), {**tagged_record("C2"), field: value}]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    r = CliRunner().invoke(cli, ["store", "add", str(src), "--store", str(tmp_path / "voc.db")])
    assert r.exit_code == InputError.exit_code and "Traceback" not in r.output
    assert "tagged.jsonl:2" in r.output and repr(field) in r.output
    assert not (tmp_path / "voc.db").exists() or Store(tmp_path / "voc.db", readonly=True).count() == 0


def test_store_add_names_the_line_of_a_damaged_file(tmp_path):
    """A file cut inside a character, or a line whose id is null, is refused with its file:line
    (before: "a file is not UTF-8 text (UnicodeDecodeError ...)" naming no file)."""
    from voc.store import add_files

    good = json.dumps({"id": "a", "status": "ok", "root_cause": "other", "text": "好"}, ensure_ascii=False)
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes((good + "\n" + good.replace('"a"', '"b"')).encode("utf-8")[:-4])
    with pytest.raises(InputError, match=r"cut\.jsonl:2 is not UTF-8 text"):
        add_files([cut], tmp_path / "s.db")
    null = tmp_path / "null.jsonl"
    null.write_text(good + "\n" + good.replace('"a"', "null") + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"null\.jsonl:2 has no contact id"):
        add_files([null], tmp_path / "s.db")
