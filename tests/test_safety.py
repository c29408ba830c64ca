"""Safe defaults of a run (issue 16): output is never an input, locks of other programs are
stale, rules and models are part of the resume check, the key stays out of ps, user regexes
cannot hang a run, the repeat-contact counter is linear, default ids do not collide."""
from __future__ import annotations

import json
import logging
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from voc import ConfigError, InputError, ModelError, OutputError
from voc.cli import cli
from voc.io.readers import read_contacts
from voc.records import Contact, Turn
from voc.run import RunLock, process_start, tag_files

ROOT = Path(__file__).resolve().parent.parent


def jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def small_input(path: Path, n: int = 5, prefix: str = "c") -> Path:
    return jsonl(path, [{"id": f"{prefix}{i}", "text": "退款迟迟不到账，我要投诉"} for i in range(n)])


# -- output is never an input ----------------------------------------------------------------------
def test_output_or_a_sidecar_on_an_input_is_refused(tmp_path):
    inp = small_input(tmp_path / "x.jsonl")
    before = inp.read_bytes()
    with pytest.raises(OutputError, match="would overwrite"):
        tag_files([inp], inp, workers=1)
    link = tmp_path / "same.jsonl"
    os.link(inp, link)  # another name of the same file
    with pytest.raises(OutputError, match="would overwrite"):
        tag_files([inp], link, workers=1)
    sidecar = small_input(tmp_path / "o.jsonl.errors.jsonl")  # an input named like the errors file
    with pytest.raises(OutputError, match="errors file"):
        tag_files([sidecar], tmp_path / "o.jsonl", workers=1)
    with pytest.raises(OutputError, match="results store"):
        tag_files([inp], tmp_path / "o2.jsonl", workers=1, store=inp)
    assert inp.read_bytes() == before
    r = CliRunner().invoke(cli, ["tag", str(inp), "-o", str(inp), "-q"])
    assert r.exit_code != 0 and "would overwrite" in r.output and inp.read_bytes() == before


# -- locks ------------------------------------------------------------------------------------------
def test_a_lock_of_an_unrelated_live_process_is_stale(tmp_path, caplog):
    inp = small_input(tmp_path / "in.jsonl")
    out = tmp_path / "o.jsonl"
    lock = Path(f"{out}.lock")
    other = subprocess.Popen(["sleep", "60"])
    try:
        lock.write_text(str(other.pid))  # an old-style lock whose pid is now another program
        with caplog.at_level(logging.WARNING, logger="voc.run"):
            assert tag_files([inp], out, workers=1).read == 5
        assert "stale lock" in caplog.text
        # a voc-style lock with that pid but another start time: the pid was reused
        lock.write_text(json.dumps({"program": "voc", "pid": other.pid, "start": "1"}))
        assert tag_files([inp], out, workers=1).read == 5
    finally:
        other.kill()
        other.wait()
    assert not lock.exists()
    # a live voc run of the recorded start time holds it
    with RunLock(out):
        info = json.loads(lock.read_text())
        assert info == {"program": "voc", "pid": os.getpid(), "start": process_start(os.getpid())}
        with pytest.raises(OutputError, match="another voc run"):
            tag_files([inp], out, workers=1)


# -- resume fingerprint: rules, system lines, topics, models ---------------------------------------
def test_resume_refuses_a_rules_file_edited_in_place(tmp_path):
    from voc.run import Checkpoint

    inp = small_input(tmp_path / "in.jsonl", 40)
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nid = "r1"\nlevel = "urgent"\nany = ["投诉"]\n', encoding="utf-8")
    out = tmp_path / "o.jsonl"
    tag_files([inp], out, workers=1, settings={"rules": str(rules)}, batch_size=8)
    # make it an interrupted run: a checkpoint at the start, the output back to a partial file
    ckpt = Checkpoint(out)
    summary = json.loads(Path(f"{out}.summary.json").read_text())
    Path(f"{out}.summary.json").unlink()
    out.rename(out.with_name(f".{out.name}.partial"))
    Path(f"{out}.errors.jsonl").rename(tmp_path / f".{out.name}.errors.jsonl.partial")
    from voc.run.state import settings_files
    from voc.settings import Settings

    files = settings_files(Settings(rules=str(rules)))
    state = {"fingerprint": summary["fingerprint"], "files": files, "items": 0, "output_bytes": 0,
             "errors_bytes": 0, "counts": {"read": 0, "tagged": 0, "errors": 0, "by_status": {}}}
    ckpt.save(state)
    rules.write_text('[[rule]]\nid = "r1"\nlevel = "normal"\nany = ["投诉"]\n', encoding="utf-8")
    with pytest.raises(InputError, match="the rules file changed.*restore it, or run again without --resume"):
        tag_files([inp], out, workers=1, settings={"rules": str(rules)}, batch_size=8, resume=True)
    r = CliRunner().invoke(cli, ["tag", str(inp), "-o", str(out), "--rules", str(rules), "--batch-size", "8",
                                 "--resume", "-q"])
    assert r.exit_code != 0 and "rules file changed" in r.output and "Traceback" not in r.output
    rules.write_text('[[rule]]\nid = "r1"\nlevel = "urgent"\nany = ["投诉"]\n', encoding="utf-8")  # restored
    done = tag_files([inp], out, workers=1, settings={"rules": str(rules)}, batch_size=8, resume=True)
    assert done.read == 40 and len(out.read_text().splitlines()) == 40


def test_settings_files_cover_user_files_and_shipped_models(tmp_path):
    from voc.run import settings_files
    from voc.settings import Settings

    lines = tmp_path / "lines.tsv"
    lines.write_text("line\t^系统提示.*$\n", encoding="utf-8")
    topics = tmp_path / "topics"
    topics.mkdir()
    (topics / "a.json").write_text("{}")
    a = settings_files(Settings(system_lines=str(lines), topics=str(topics)))
    assert {"system_lines", "topics", "shipped"} <= set(a)
    (topics / "a.json").write_text('{"k": 1}')
    b = settings_files(Settings(system_lines=str(lines), topics=str(topics)))
    assert a["topics"] != b["topics"] and a["system_lines"] == b["system_lines"] and a["shipped"] == b["shipped"]


# -- the pseudonymisation key outside ps ------------------------------------------------------------
def test_pseudonymise_key_from_environment_or_file(tmp_path):
    inp = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "我的电话13812345678，退款没到账"}])
    runner = CliRunner()
    outs = {}
    for name, args, env in (("arg", ["--pseudonymise", "s3cret"], {}),
                            ("env", [], {"VOC_PSEUDONYMISE_KEY": "s3cret"}),
                            ("file", ["--pseudonymise-key-file", str(tmp_path / "key")], {})):
        (tmp_path / "key").write_text("s3cret\n")
        out = tmp_path / f"{name}.jsonl"
        r = runner.invoke(cli, ["tag", str(inp), "-o", str(out), "-q", "-w", "1", *args], env=env)
        assert r.exit_code == 0, r.output
        outs[name] = json.loads(out.read_text())["text"]
    assert outs["arg"] == outs["env"] == outs["file"] and "13812345678" not in outs["arg"]
    plain = tmp_path / "plain.jsonl"
    assert runner.invoke(cli, ["tag", str(inp), "-o", str(plain), "-q", "-w", "1"]).exit_code == 0
    assert json.loads(plain.read_text())["text"] != outs["arg"]  # placeholders, not pseudonyms
    r = runner.invoke(cli, ["tag", str(inp), "-o", str(plain), "-q", "--pseudonymise", "x",
                            "--pseudonymise-key-file", str(tmp_path / "key")])
    assert r.exit_code != 0 and "not both" in r.output


# -- user regexes cannot hang a run -----------------------------------------------------------------
def test_catastrophic_regex_in_a_rules_file_is_refused_with_rule_and_line(tmp_path):
    import re

    from voc.lang.patterns import unsafe_reason

    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nid = "slow"\nlevel = "urgent"\nregex = ["(a+)+$"]\n', encoding="utf-8")
    inp = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!"}])
    t0 = time.monotonic()
    with pytest.raises(ConfigError, match=r"rules.toml:4: regex '\(a\+\)\+\$' of rule 'slow' is refused"):
        tag_files([inp], tmp_path / "o.jsonl", workers=1, settings={"rules": str(rules)})
    assert time.monotonic() - t0 < 60
    assert not (tmp_path / "o.jsonl").exists()
    for bad in ("(a+)+$", "(.*)*", r"(\w+\s?)*$", "(a?b?)*", "(x|y+)*"):
        assert unsafe_reason(bad), bad
    for good in ("a+b+", "(ab)+", "退款.{0,10}不到账", "(?:投诉|举报)+", "(a++)+", "(a?)*", r"\d{11}"):
        assert unsafe_reason(good) is None, good
        re.compile(good)
    lines = tmp_path / "lines.tsv"
    lines.write_text("line\t(.*)*结束\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="lines.tsv:1: .* is refused"):
        tag_files([inp], tmp_path / "o.jsonl", workers=1, settings={"system_lines": str(lines)})


# -- repeat-contact counter: linear and bounded -------------------------------------------------------
def naive_repeats(contacts, window):
    """The counting rule, written plainly: earlier contacts of the customer, seen before this
    one, dated within the window before it (kept while inside the window of a later one)."""
    from voc.lang.metadata import to_datetime

    seen, untimed, out = {}, {}, []
    for c in contacts:
        t = to_datetime(c.created_at)
        q = seen.setdefault(c.customer_id, [])
        u = untimed.get(c.customer_id, 0)
        if t is None:
            out.append(u + len(q))
            untimed[c.customer_id] = u + 1
            continue
        if q and q[0] < t - window:
            q[:] = [x for x in q if x >= t - window]
        out.append(sum(1 for x in q if x <= t) + u)
        q.append(t)
        q.sort()
    return out


def test_repeat_counter_matches_the_plain_rule_on_shuffled_times():
    from voc.stages.repeat import RepeatContacts

    rng = random.Random(5)
    base = datetime(2026, 5, 1, tzinfo=timezone.utc)
    contacts, t = [], 0
    for i in range(4000):
        t += rng.randint(0, 6 * 3600)
        when = t - (rng.randint(0, 10 * 86400) if rng.random() < 0.1 else 0)
        created = None if rng.random() < 0.05 else (base + timedelta(seconds=when)).isoformat()
        contacts.append(Contact(f"c{i}", (Turn("customer", "x"),), None, created, f"u{rng.randint(0, 20)}", {}, None))
    counter = RepeatContacts("2d")
    got = [counter(c).metadata["repeat_contacts"] for c in contacts]
    assert got == naive_repeats(contacts, timedelta(days=2))


def test_repeat_counter_on_the_samples_is_unchanged(samples):
    from voc.stages.repeat import RepeatContacts

    repeats = 0
    for f in ("contacts.jsonl", "tickets.csv", "tickets_gbk.csv"):
        contacts = [c for c in read_contacts(samples / f) if isinstance(c, Contact)]
        counter = RepeatContacts("7d")
        got = [counter(c).metadata.get("repeat_contacts") for c in contacts]
        want = naive_repeats([c for c in contacts if c.customer_id], timedelta(days=7))
        assert [g for g, c in zip(got, contacts) if c.customer_id] == want
        repeats += sum(want)
    assert repeats > 0


def test_repeat_counter_is_linear_in_one_customers_contacts():
    """100,000 contacts of one customer (2 minutes apart, 7-day window: up to 5,040 in the
    window): seconds, where the tuple version took minutes (quadratic)."""
    from voc.stages.repeat import RepeatContacts

    base = datetime(2026, 5, 1, tzinfo=timezone.utc)
    contacts = [Contact(f"c{i}", (Turn("customer", "x"),), None, (base + timedelta(minutes=2 * i)).isoformat(),
                        "u1", {}, None) for i in range(100_000)]
    counter = RepeatContacts("7d")
    t0 = time.monotonic()
    got = [counter(c).metadata["repeat_contacts"] for c in contacts]
    assert time.monotonic() - t0 < 20
    assert got == [min(i, 5040) for i in range(100_000)]
    capped = RepeatContacts("7d", cap=100)  # bounded state: counts stop at the cap
    assert [capped(c).metadata["repeat_contacts"] for c in contacts[:300]][-1] == 100
    assert max(len(q) for q in capped._seen.values()) <= 200


def test_repeat_counter_forgets_customers_outside_the_window():
    from voc.stages.repeat import RepeatContacts

    base = datetime(2026, 5, 1, tzinfo=timezone.utc)
    counter = RepeatContacts("1d")
    counter.SWEEP = 1000
    for i in range(5000):  # a new customer every contact, one minute apart
        counter(Contact(f"c{i}", (Turn("customer", "x"),), None, (base + timedelta(minutes=i)).isoformat(),
                        f"u{i}", {}, None))
    assert len(counter._seen) <= 1440 + 1000


# -- default ids ---------------------------------------------------------------------------------------
def test_default_ids_differ_across_exports_of_the_same_name_and_are_stable(tmp_path):
    from voc.store import Store

    may, june = tmp_path / "may", tmp_path / "june"
    may.mkdir(), june.mkdir()
    rows_may = [{"text": f"五月的投诉{i}号，退款没到账"} for i in range(3)]
    rows_june = [{"text": f"六月的咨询{i}号，怎么改套餐"} for i in range(3)]
    a, b = jsonl(may / "export.jsonl", rows_may), jsonl(june / "export.jsonl", rows_june)
    ids_a = [c.id for c in read_contacts(a)]
    ids_b = [c.id for c in read_contacts(b)]
    assert not set(ids_a) & set(ids_b) and all(i.startswith("export@") for i in ids_a)
    assert [c.id for c in read_contacts(a)] == ids_a  # deterministic for the same file
    csv_a = may / "t.csv"
    csv_a.write_text("text\n五月\n", encoding="utf-8")
    assert next(iter(read_contacts(csv_a))).id.startswith("t@")
    db = tmp_path / "voc.db"
    tag_files([a], tmp_path / "a.jsonl", workers=1, store=db)
    tag_files([b], tmp_path / "b.jsonl", workers=1, store=db)
    with Store(db, readonly=True) as st:
        assert st.count() == 6


def test_ids_repeating_in_a_run_or_replacing_stored_contacts_are_reported(tmp_path, caplog):
    from voc.store import Store

    a = jsonl(tmp_path / "a.jsonl", [{"id": "T1", "text": "退款没到账"}, {"id": "T1", "text": "又来问退款"}])
    b = jsonl(tmp_path / "b.jsonl", [{"id": "T1", "text": "完全不同的一个人，问套餐"}])
    db = tmp_path / "voc.db"
    with caplog.at_level(logging.WARNING):
        s1 = tag_files([a], tmp_path / "oa.jsonl", workers=1, store=db)
        assert s1.duplicate_ids == 1 and "id seen before" in caplog.text
        s2 = tag_files([b], tmp_path / "ob.jsonl", workers=1, store=db)
    assert s2.store_replaced == 1 and "T1 (was from a.jsonl@" in s2.store_replaced_examples[0]
    assert "replaced by other contacts with the same id" in caplog.text
    summary = json.loads((tmp_path / "ob.jsonl.summary.json").read_text())
    assert summary["store_replaced"] == 1
    s3 = tag_files([b], tmp_path / "ob.jsonl", workers=1, store=db)  # the same contact again: no news
    assert s3.store_replaced == 0
    r = CliRunner().invoke(cli, ["tag", str(a), "-o", str(tmp_path / "oc.jsonl"), "-q", "-w", "1", "--store", str(db)])
    assert r.exit_code == 0
    warnings = [line for line in r.output.splitlines()
                if line.startswith("voc: warning:") and "no readable created_at" not in line]  # undated: told too
    assert len(warnings) == 2 and any("id seen before" in w for w in warnings)
    assert any("replaced by other contacts" in w for w in warnings)
    with Store(db, readonly=True) as st:
        assert st.count() == 1


# -- model manifests ----------------------------------------------------------------------------------
def test_a_manifest_naming_files_outside_its_folder_is_refused(tmp_path):
    from voc.models import sha256, verify, write_manifest

    folder = tmp_path / "m" / "1.0"
    folder.mkdir(parents=True)
    (folder / "w.json").write_text("{}")
    write_manifest(folder, name="m", version="1.0")
    verify(folder)
    secret = tmp_path / "secret.txt"
    secret.write_text("not a model file")
    manifest = json.loads((folder / "manifest.json").read_text())
    for rel in ("../../secret.txt", str(secret)):
        manifest["files"] = {"w.json": sha256(folder / "w.json"), rel: sha256(secret)}
        (folder / "manifest.json").write_text(json.dumps(manifest))
        with pytest.raises(ModelError, match="outside the model folder"):
            verify(folder)
    (folder / "link.json").symlink_to(secret)
    manifest["files"] = {"w.json": sha256(folder / "w.json"), "link.json": sha256(secret)}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="outside the model folder"):
        verify(folder)


# -- store vs checkpoint: one real kill -9 ------------------------------------------------------------
def make_contacts(path: Path, n: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    phrases = ["信号差经常断网", "退款迟迟不到账", "客服态度很差", "谢谢你们帮忙", "利息太高了要投诉", "我要销户"]
    return jsonl(path, [{"id": f"k{i}", "text": "，".join(rng.sample(phrases, 2)), "customer_id": f"u{i % 300}"}
                        for i in range(n)])


def voc_tag(inp, out, store, *extra):
    return [sys.executable, "-m", "voc", "tag", str(inp), "-o", str(out), "-q", "--batch-size", "64",
            "-w", "1", "--store", str(store), *extra]


def check_store_and_output(inp: Path, out: Path, store: Path) -> None:
    from voc.store import Store

    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    n_in = len(inp.read_text(encoding="utf-8").splitlines())
    assert len(ids) == n_in and len(set(ids)) == len(ids)
    with Store(store, readonly=True) as st:
        assert st.count() == len(ids)
        assert {r[0] for r in st.query("SELECT id FROM contacts")} == set(ids)


def kill_cycles(inp: Path, out: Path, store: Path, kills: int, rng: random.Random) -> int:
    """Start, SIGKILL at a random time after some progress, resume; ``kills`` times; then finish."""
    ckpt = Path(f"{out}.checkpoint.json")
    killed = 0
    for k in range(kills):
        proc = subprocess.Popen(voc_tag(inp, out, store, *(["--resume"] if k else [])), cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        before = json.loads(ckpt.read_text())["items"] if ckpt.exists() else 0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if json.loads(ckpt.read_text())["items"] > before:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.8))
        if proc.poll() is not None:
            assert proc.wait() == 0, proc.stderr.read().decode()
            return killed
        os.killpg(proc.pid, 9)
        proc.wait()
        killed += 1
    r = subprocess.run(voc_tag(inp, out, store, "--resume"), cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    return killed


def test_one_kill_then_resume_keeps_store_and_output_equal(tmp_path):
    inp = make_contacts(tmp_path / "in.jsonl", 3000)
    out, store = tmp_path / "out.jsonl", tmp_path / "voc.db"
    assert kill_cycles(inp, out, store, 1, random.Random(2)) == 1
    check_store_and_output(inp, out, store)
    r = subprocess.run(voc_tag(inp, out, store, "--resume"), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "already complete" in r.stderr  # and nothing rewritten
    check_store_and_output(inp, out, store)


def test_store_added_on_resume_gets_what_the_first_run_wrote(tmp_path):
    """A run without --store, interrupted, resumed with --store: the store is filled from the
    output the first run wrote (and so on a finished output)."""
    from voc.store import Store

    inp = make_contacts(tmp_path / "in.jsonl", 300)
    out, store = tmp_path / "out.jsonl", tmp_path / "voc.db"
    tag_files([inp], out, workers=1)
    s = tag_files([inp], out, workers=1, store=store, resume=True)
    assert s.already_complete
    with Store(store, readonly=True) as st:
        assert st.count() == 300


@pytest.mark.slow
def test_ten_random_kills_with_a_store(tmp_path):
    inp = make_contacts(tmp_path / "in.jsonl", 20_000, seed=1)
    out, store = tmp_path / "out.jsonl", tmp_path / "voc.db"
    assert kill_cycles(inp, out, store, 10, random.Random(11)) == 10
    check_store_and_output(inp, out, store)
