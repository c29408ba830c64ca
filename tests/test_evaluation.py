"""voc.evaluation on top of sklearn.metrics gives the figures the reports always had: F1 as the
harmonic mean of precision and recall and kappa as (p_o - p_e) / (1 - p_e), whose last bit
(and so, now and then, the rounded figure) differs from sklearn's own f-score and kappa."""
import json
import random
import subprocess
import sys
from collections import Counter

import pytest

from voc.errors import ConfigError
from voc.evaluation import agreement_report, classification_report, cohen_kappa, format_report


def _reference(y_true, y_pred, labels, digits=4):
    """The reports' arithmetic from first principles (counts with Counter)."""
    support, predicted = Counter(y_true), Counter(y_pred)
    hits = Counter(t for t, p in zip(y_true, y_pred) if t == p)
    out = {}
    for lab in labels:
        p = hits[lab] / predicted[lab] if predicted[lab] else 0.0
        r = hits[lab] / support[lab] if support[lab] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[lab] = {"precision": round(p, digits), "recall": round(r, digits), "f1": round(f, digits),
                    "support": support[lab], "predicted": predicted[lab]}
    return out


def _kappa_reference(a, b):
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    return 1.0 if expected == 1.0 else (observed - expected) / (1.0 - expected)


@pytest.mark.parametrize("seed", range(3))
def test_random_reports_match_the_reference_arithmetic_with_absent_classes(seed):
    rng = random.Random(seed)
    labels = ["agent", "product", "policy", "process", "other"]
    for _ in range(200):
        n = rng.choice([1, 2, 5, 17, 126, 600])
        used = labels[: rng.randint(1, 4)]  # "other" (and more) never occur
        y_true = [rng.choice(used) for _ in range(n)]
        y_pred = [t if rng.random() < 0.6 else rng.choice(used) for t in y_true]
        r = classification_report(y_true, y_pred, labels=labels)
        assert r["per_class"] == _reference(y_true, y_pred, labels)
        k = len(labels)
        assert r["macro_f1"] == round(sum(c["f1"] for c in r["per_class"].values()) / k, 4)
        assert r["accuracy"] == round(sum(t == p for t, p in zip(y_true, y_pred)) / n, 4)
        assert cohen_kappa(y_true, y_pred) == _kappa_reference(y_true, y_pred)
        rep = agreement_report(y_true, y_pred, labels=labels)
        for lab in labels:
            ya, yb = [x == lab for x in y_true], [x == lab for x in y_pred]
            assert rep["per_class"][lab]["kappa"] == round(_kappa_reference(ya, yb), 3)


def test_f1_at_a_rounding_boundary_keeps_the_reports_figure():
    # 2 hits of 5 true "a", 123 predicted "a": 2pr/(p+r) = 0.03125000000000001 -> 0.0313
    # (sklearn's 2tp/(true+predicted) is exactly 0.03125 -> 0.0312)
    y_true = ["a"] * 5 + ["b"] * 121
    y_pred = ["a"] * 2 + ["b"] * 3 + ["a"] * 121
    r = classification_report(y_true, y_pred, labels=("a", "b"))
    assert r["per_class"]["a"]["f1"] == 0.0313
    assert r["confusion"]["matrix"] == [[2, 3], [121, 0]]


def test_kappa_at_a_rounding_boundary_keeps_the_reports_figure():
    a, b = list("xxxxy"), list("xxyzz")
    assert cohen_kappa(a, b) == (2 / 5 - 9 / 25) / (1 - 9 / 25)  # 0.0625 plus one bit
    assert agreement_report(a, b)["kappa"] == 0.063  # sklearn's cohen_kappa_score rounds to 0.062


def test_single_label_agreement_is_one_and_empty_input():
    assert cohen_kappa(["x"] * 4, ["x"] * 4) == 1.0
    assert agreement_report(["x"] * 4, ["x"] * 4, labels=("x", "y"))["per_class"]["y"]["kappa"] == 1.0
    r = classification_report([], [], labels=("a", "b"))
    assert r["n"] == 0 and r["macro_f1"] == 0.0 and r["confusion"]["matrix"] == [[0, 0], [0, 0]]
    assert "confusion matrix" in format_report(r)
    json.dumps(r)
    with pytest.raises(ConfigError):
        cohen_kappa([], [])
    with pytest.raises(ConfigError, match="not among"):
        classification_report(["a"], ["z"], labels=("a",))


def test_importing_evaluation_does_not_import_sklearn():
    code = "import sys, voc.evaluation; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
