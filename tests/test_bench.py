"""The benchmark runs end to end on a small workload (slow tier: a few minutes)."""
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
    work = tmp_path / "bench"
    doc = tmp_path / "performance.md"
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "run_bench.py"), "--n", "1500", "--naive-n", "100",
                        "--memory", "1000", "3000", "--rounds", "1", "--workdir", str(work), "--doc", str(doc)],
                       cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "contacts/s" in r.stdout and "targets" in r.stdout
    report = json.loads((work / "report.json").read_text(encoding="utf-8"))
    res = report["results"]
    for key in ("voc_jieba_1", "voc_jieba_2", "bare_2", "naive_1", "memory_1000", "memory_3000"):
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
