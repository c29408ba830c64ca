"""The benchmark and the byte-identity check run end to end on small workloads (slow tier:
a few minutes); the check's comparison and the bench extra (skops) in the default tier."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_benchmark_quick_run(shared_data, tmp_path):
    pytest.importorskip("psutil")
    pytest.importorskip("skops")  # the baselines' model file
    work = tmp_path / "bench"
    doc = tmp_path / "performance.md"
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "run_bench.py"), "--n", "1500", "--naive-n", "100",
                        "--memory", "1000", "3000", "--rounds", "1", "--workdir", str(work), "--doc", str(doc)],
                       cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "contacts/s" in r.stdout and "targets" in r.stdout
    report = json.loads((work / "report.json").read_text(encoding="utf-8"))
    res = report["results"]
    for key in ("voc_jieba_1", "voc_jieba_2", "voc_qa_2", "bare_2", "naive_1", "memory_1000", "memory_3000"):
        assert res[key]["rate"] > 0 and res[key]["peak_rss"] > 0, key
    assert all(report["checks"].values()), report["checks"]  # same bytes across segmenters and engines
    assert report["startup"]["median"] > 0 and report["import"]["median"] > 0
    text = doc.read_text(encoding="utf-8")
    assert "## Throughput" in text and "## Targets" in text and "## Memory" in text
    assert not list(work.glob("*.jsonl")), "workloads and outputs are removed"


@pytest.mark.slow
def test_dask_pairs_quick_run(shared_data):
    pytest.importorskip("psutil")
    pytest.importorskip("distributed")
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "dask_pairs.py"), "--pairs", "1", "--n", "1500"],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "pair 1: dask" in r.stdout and "outputs identical" in r.stdout


def _identical():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_identical", ROOT / "bench" / "identical.py")
    mod = sys.modules["bench_identical"] = importlib.util.module_from_spec(spec)  # dataclasses look it up
    spec.loader.exec_module(mod)
    return mod


def test_identical_names_the_first_differing_line(tmp_path):
    ident = _identical()
    ref, cur = tmp_path / "ref", tmp_path / "cur"
    for d, lines in ((ref, b"a\nb\nc\n"), (cur, b"a\nb\nc\n")):
        d.mkdir()
        (d / "out.jsonl").write_bytes(lines)
    assert ident.compare(ref, cur) == "same"  # neither has an errors file
    (cur / "out.jsonl").write_bytes(b"a\nB\nc\n")
    assert ident.compare(ref, cur) == "DIFFERENT: first differing line 2 of the output file"
    (cur / "out.jsonl").write_bytes(b"a\nb\n")
    assert ident.first_difference(ref / "out.jsonl", cur / "out.jsonl") == 3
    (cur / "out.jsonl").write_bytes(b"a\nb\nc\n")
    (cur / "out.jsonl.errors.jsonl").write_bytes(b"")
    assert ident.compare(ref, cur) == "DIFFERENT: first differing line 1 of the errors file"
    assert "--workers" in ident.tag_command([tmp_path / "in.jsonl"], tmp_path / "o.jsonl", 2, "local", [])


@pytest.mark.slow
def test_identical_quick_run_against_head(tmp_path):
    """This tree tags the samples exactly as its last commit does (the reference is tagged in a
    temporary git worktree, then cached)."""
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "identical.py"), "--quick", "--ref", "HEAD",
                        "--cache", str(tmp_path / "cache")], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    verdicts = [line for line in r.stdout.splitlines() if "--workers" in line]
    assert len(verdicts) >= 4 and all(": same" in line for line in verdicts), r.stdout


def test_skops_files_need_the_bench_extra(tmp_path, monkeypatch):
    """No shipped model is a skops file: skops is an extra (bench), and without it a skops file
    gives a ModelError that says how to install it."""
    from voc import models
    from voc.errors import ModelError

    assert not list(models.models_path().rglob("*.skops"))
    monkeypatch.setitem(sys.modules, "skops", None)
    monkeypatch.setitem(sys.modules, "skops.io", None)
    with pytest.raises(ModelError, match=r"voc-cx\[bench\]"):
        models.load_skops(tmp_path / "m.skops")
    with pytest.raises(ModelError, match=r"voc-cx\[bench\]"):
        models.save_skops(object(), tmp_path / "m.skops")
