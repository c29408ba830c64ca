"""bench/everyday_eval.py end to end on a small subset of the reserved rows: the report's
structure (every kind, every figure, every target line), not the targets themselves."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("complaint posts", "helpdesk dialogues", "customer questions", "chat utterances", "reviews")
FIGURES = ("contact_type", "root_cause", "other_recall_inquiry_request", "sentiment", "churn_high", "escalate",
           "resolved", "complaint_share", "negative_share", "evidence")


@pytest.mark.slow
@pytest.mark.realdata
def test_everyday_eval_small_run(shared_data, tmp_path):
    out_json, out_md = tmp_path / "everyday_eval.json", tmp_path / "everyday_eval.md"
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "everyday_eval.py"), "--limit", "60", "--no-previous",
                        "--json", str(out_json), "--markdown", str(out_md)],
                       cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    report = json.loads(out_json.read_text(encoding="utf-8"))
    assert report["command"].startswith("python bench/everyday_eval.py --limit 60")
    assert report["data"]["everyday"] == 60 and set(report["data"]["everyday_by_kind"]) == set(KINDS)
    assert set(report["models"]) == {"current"}
    cur = report["models"]["current"]
    assert set(cur["by_kind"]) == {*KINDS, "pooled", "dialogues and questions"}
    for kind in (*KINDS, "pooled"):
        scope = cur["by_kind"][kind]
        assert set(FIGURES) <= set(scope), kind
        assert 0 <= scope["root_cause"]["accuracy"] <= 1 and 0 <= scope["sentiment"]["accuracy"] <= 1
        assert scope["contact_type"] is None or 0 <= scope["contact_type"]["accuracy"] <= 1  # n/a until filled
        assert {"spans", "system_line", "splits_word"} <= set(scope["evidence"])
    assert sum(cur["by_kind"][k]["items"] for k in KINDS) == cur["by_kind"]["pooled"]["items"] == 60
    assert cur["older_reserved"]["pooled"]["adjudicated"]["n"] == 60
    assert 0 <= cur["reviews_binary"]["pooled"] <= 1
    assert cur["stc3_resolved_auc"]["n"] == 60 and 0 < cur["stc3_resolved_auc"]["mean_A_positive"] < 60
    assert set(report["annotators"]["by_kind"]) == {*KINDS, "pooled"}
    assert report["annotators"]["by_kind"]["pooled"]["contact_type"]["kappa"] > 0
    statuses = [t["status"] for t in report["targets"]]
    assert len(statuses) >= 12 and all(s.startswith(("met", "missed", "not measured")) for s in statuses)
    text = out_md.read_text(encoding="utf-8")
    for heading in ("## Targets (issue 15)", "## Every tag by kind of traffic", "## Root cause on the older reserved sets",
                    "## Binary review accuracy", "## resolved_score", "## Evidence spans", "## Annotators' agreement"):
        assert heading in text, heading
    assert "python bench/everyday_eval.py --limit 60 --no-previous" in text and report["date"] in text
    assert text.count("| **met") + text.count("| **missed") + text.count("| **not measured") == len(statuses)
