"""Crash-safe runs: kill -9 a real `voc tag`, resume, and get the uninterrupted output."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from voc.run import RunLock, tag_files
from voc import InputError, OutputError

ROOT = Path(__file__).resolve().parent.parent
PHRASES = ["信号差经常断网", "退款迟迟不到账", "客服态度很差", "谢谢你们帮忙", "利息太高了要投诉", "app闪退登录不了",
           "转来转去没人管", "快递太慢了", "我要销户", "电话13812345678", "房间很脏", "不会销户的放心"]


def make_input(path: Path, n: int, bad_every: int = 997) -> Path:
    rng = random.Random(n)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            if bad_every and i % bad_every == 5:
                f.write("{not json\n")
                continue
            text = "，".join(rng.sample(PHRASES, 2))
            f.write(json.dumps({"id": f"c{i}", "text": text, "customer_id": f"u{i % 500}"}, ensure_ascii=False) + "\n")
    return path


def voc_tag(inp, out, *extra):
    return [sys.executable, str(ROOT / "cli.py"), "tag", str(inp), "-o", str(out), "-q", "--batch-size", "64", *extra]


def kill_and_resume(inp: Path, out: Path, kills: int, rng: random.Random, workers: str, extra: tuple = ()) -> int:
    """Start, kill -9 at a random moment after some progress, resume; repeat; then finish.
    Returns how many times the run was really killed. ``extra``: more ``voc tag`` options."""
    ckpt = Path(f"{out}.checkpoint.json")
    first, killed = True, 0
    for _ in range(kills):
        cmd = voc_tag(inp, out, "-w", workers, *extra, *([] if first else ["--resume"]))
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
        before = json.loads(ckpt.read_text())["items"] if ckpt.exists() else 0
        deadline = time.monotonic() + 120
        wait = rng.uniform(0.0, 1.5)
        while time.monotonic() < deadline and proc.poll() is None:  # wait for new progress, then a bit more
            try:
                if json.loads(ckpt.read_text())["items"] > before:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.02)
        time.sleep(wait)
        if proc.poll() is not None or not ckpt.exists():  # finished, or finishing: its checkpoint is gone
            proc.wait()
            assert proc.returncode == 0, proc.stderr.read().decode()
            return killed
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        killed += 1
        first = False
    proc = subprocess.run(voc_tag(inp, out, "-w", workers, *extra, "--resume"), cwd=ROOT, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    return killed


def check_identical(inp, out, ref):
    assert out.read_bytes() == ref.read_bytes()
    assert Path(f"{out}.errors.jsonl").read_bytes() == Path(f"{ref}.errors.jsonl").read_bytes()
    a, b = (json.loads(Path(f"{p}.summary.json").read_text()) for p in (out, ref))
    assert (a["read"], a["tagged"], a["errors"]) == (b["read"], b["tagged"], b["errors"])
    assert a["read"] == a["tagged"] + a["errors"]
    assert not Path(f"{out}.checkpoint.json").exists() and not Path(f"{out}.lock").exists()
    assert not list(out.parent.glob(".*.partial"))


def test_kill_and_resume_gives_uninterrupted_output(tmp_path):
    inp = make_input(tmp_path / "in.jsonl", 6000)
    ref = tmp_path / "ref.jsonl"
    subprocess.run(voc_tag(inp, ref, "-w", "1"), cwd=ROOT, check=True, timeout=300)
    out = tmp_path / "out.jsonl"
    assert kill_and_resume(inp, out, kills=2, rng=random.Random(1), workers="2") >= 1
    check_identical(inp, out, ref)


def test_kill_and_resume_on_the_dask_engine(tmp_path):
    """The same on a local Dask cluster: kill -9 takes the client and its workers down together
    (one process group); the resumed run's output is the uninterrupted local one."""
    pytest.importorskip("distributed")
    inp = make_input(tmp_path / "in.jsonl", 12000)
    ref = tmp_path / "ref.jsonl"
    subprocess.run(voc_tag(inp, ref, "-w", "1"), cwd=ROOT, check=True, timeout=300)
    out = tmp_path / "out.jsonl"
    assert kill_and_resume(inp, out, kills=2, rng=random.Random(3), workers="2", extra=("--engine", "dask")) >= 1
    check_identical(inp, out, ref)


@pytest.mark.slow
def test_kill_ten_times_over_200k_contacts(tmp_path):
    inp = make_input(tmp_path / "in.jsonl", 200_000)
    ref = tmp_path / "ref.jsonl"
    subprocess.run(voc_tag(inp, ref, "-w", "2"), cwd=ROOT, check=True, timeout=1800)
    out = tmp_path / "out.jsonl"
    assert kill_and_resume(inp, out, kills=10, rng=random.Random(7), workers="2") == 10
    check_identical(inp, out, ref)


def test_resume_refuses_changed_input(tmp_path):
    inp = make_input(tmp_path / "in.jsonl", 3000)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(voc_tag(inp, out, "-w", "1"), cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ckpt = Path(f"{out}.checkpoint.json")
    deadline = time.monotonic() + 120
    while not ckpt.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if proc.poll() is not None:
        pytest.skip("the run finished before it could be interrupted")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with open(inp, "a", encoding="utf-8") as f:
        f.write(json.dumps({"id": "new", "text": "新加的一行"}, ensure_ascii=False) + "\n")
    with pytest.raises(InputError, match="changed"):
        tag_files([inp], out, workers=1, resume=True)


def test_resume_with_nothing_to_resume_starts_and_on_a_finished_output_says_complete(tmp_path):
    """Like wget -c: --resume with no checkpoint and no output runs; again, it is complete
    (exit 0, nothing rewritten); a finished output of other inputs is refused."""
    inp = make_input(tmp_path / "in.jsonl", 10)
    out = tmp_path / "o.jsonl"
    first = tag_files([inp], out, workers=1, resume=True)
    assert first.read == 10 and not first.already_complete and out.is_file()
    stamp = [(p.name, p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(tmp_path.glob("o.jsonl*"))]
    again = tag_files([inp], out, workers=1, resume=True)
    assert again.already_complete and (again.read, again.tagged, again.errors) == (first.read, first.tagged, first.errors)
    assert [(p.name, p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(tmp_path.glob("o.jsonl*"))] == stamp
    other = make_input(tmp_path / "other.jsonl", 12)
    with pytest.raises(InputError, match="changed since the finished run"):
        tag_files([other], out, workers=1, resume=True)
    with pytest.raises(OutputError, match="cannot be resumed"):
        tag_files([inp], tmp_path / "o.xlsx", workers=1, resume=True)


def test_lock_refuses_concurrent_run(tmp_path):
    inp = make_input(tmp_path / "in.jsonl", 10)
    out = tmp_path / "o.jsonl"
    with RunLock(out):
        with pytest.raises(OutputError, match="another voc run"):
            tag_files([inp], out, workers=1)
    Path(f"{out}.lock").write_text("999999999")  # stale lock of a killed run: taken over
    assert tag_files([inp], out, workers=1).read == 10


def test_duplicate_ids_counted_and_kept(tmp_path):
    inp = tmp_path / "d.jsonl"
    inp.write_text("".join(json.dumps({"id": i, "text": "信号差"}) + "\n" for i in ["a", "b", "a", "a"]), encoding="utf-8")
    s = tag_files([inp], tmp_path / "o.jsonl", workers=1)
    assert (s.read, s.tagged, s.duplicate_ids, s.duplicate_examples) == (4, 4, 2, ["a", "a"])


def test_duplicate_ids_compact_table_counts_like_a_set(monkeypatch):
    """The compact table (sorted hash arrays, merged as they grow) counts what a set of the ids
    counts, across many flushes and merges."""
    from voc.run import DuplicateIds

    monkeypatch.setattr(DuplicateIds, "RECENT", 8)
    rng = random.Random(3)
    ids = [f"id{rng.randrange(400)}" for _ in range(1500)]
    d, seen, expected, examples = DuplicateIds(), set(), 0, []
    for i in range(0, len(ids), 37):
        d.add_many(ids[i:i + 37])
    for cid in ids:
        if cid in seen:
            expected += 1
            if len(examples) < 20:
                examples.append(cid)
        seen.add(cid)
    assert (d.count, d.examples) == (expected, examples)
    assert len(d.levels) >= 1 and sum(len(x) for x in d.levels) + len(d.recent) == len(seen)
