"""No valid personal-data entity reaches any output file (records, errors, summary)."""
from __future__ import annotations

import json

from voc import Contact, Turn, load, tag_files
from voc.text.redact import find_entities

STRICT = ("id_card", "mobile", "bank_card", "email")


def test_sample_outputs_hold_no_personal_data(tmp_path, samples):
    out = tmp_path / "tagged.jsonl"
    inputs = [samples / "contacts.jsonl", samples / "tickets.csv", samples / "tickets_gbk.csv"]
    raw = "".join(p.read_bytes().decode("utf-8-sig", errors="ignore") for p in inputs[:2])
    assert any(e.kind in STRICT for e in find_entities(raw)), "the samples should contain personal data to hide"
    tag_files(inputs, out, workers=1)
    for path in (out, tmp_path / "tagged.jsonl.errors.jsonl", tmp_path / "tagged.jsonl.summary.json"):
        text = path.read_text(encoding="utf-8")
        leaks = [e for e in find_entities(text) if e.kind in STRICT]
        assert leaks == [], (path.name, leaks[:3])


def test_customer_id_and_metadata_redacted_and_pseudonyms_stable():
    nlp = load(pseudonymise_key="secret")
    a = nlp.tag(Contact("1", (Turn("customer", "我的号码138 1234 5678停机了"),), customer_id="13812345678",
                        metadata={"来电号码": "+86-138-1234-5678"})).to_record()
    b = nlp.tag(Contact("2", (Turn("customer", "还是13812345678"),), customer_id="138-1234-5678")).to_record()
    assert a["customer_id"] == b["customer_id"] and a["customer_id"].startswith("〔手机号:")
    assert a["metadata"]["来电号码"] == a["customer_id"]
    assert a["customer_id"] in a["text"] and "13812345678" not in json.dumps(a, ensure_ascii=False)
    plain = load().tag(Contact("3", (Turn("customer", "x"),), customer_id="13812345678")).to_record()
    other = load().tag(Contact("4", (Turn("customer", "x"),), customer_id="13912345678")).to_record()
    # without a key an id still gets a tag (Redactor.for_ids): two customers never become one
    assert plain["customer_id"].startswith("〔手机号:") and plain["customer_id"] != other["customer_id"]
    assert "13812345678" not in plain["customer_id"]


def test_the_errors_file_uses_the_name_list_and_the_output_ids(tmp_path):
    """--names was applied to the output but not to the errors file, and an error row's phone
    id was the bare placeholder while the output's was keyed, so the two could not be matched."""
    import json as _json

    from click.testing import CliRunner

    from voc.cli import cli

    src = tmp_path / "v.jsonl"
    src.write_text(_json.dumps({"id": "13912345678", "turns": [{"speaker": "客户", "text": "退款没到"},
                                                              {"speaker": "张伟", "text": "x"}]}, ensure_ascii=False)
                   + "\n", encoding="utf-8")
    (tmp_path / "names.txt").write_text("张伟\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(out), "-q", "-w", "1", "--names", str(tmp_path / "names.txt")])
    assert r.exit_code == 0, r.output
    err = (tmp_path / "o.jsonl.errors.jsonl").read_text(encoding="utf-8")
    assert "张伟" not in err and "13912345678" not in err
    assert _json.loads(err)["id"].startswith("〔手机号:")
