"""Classification metrics shared by the tag models: per-class precision, recall and F1,
macro-F1, accuracy, a confusion matrix (rows = true label, columns = predicted label), as
text for people and as JSON for machines; and Cohen's kappa for annotator agreement.

Pure Python (no scikit-learn import), so evaluation output is cheap and exactly reproducible::

    from voc.evaluation import classification_report, format_report
    report = classification_report(y_true, y_pred, labels=("agent", "product", "other"))
    print(format_report(report))
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Sequence

from .errors import ConfigError, OutputError


def _safe_div(a: float, b: float) -> float:
    return a / b if b else 0.0


def _labels_of(y_true: Sequence[str], y_pred: Sequence[str], labels: Iterable[str] | None) -> list[str]:
    if labels is not None:
        labels = list(labels)
        unknown = (set(y_true) | set(y_pred)) - set(labels)
        if unknown:
            raise ConfigError(f"labels {sorted(unknown)} are not among {labels}; pass every label that occurs.")
        return labels
    return sorted(set(y_true) | set(y_pred))


def confusion_matrix(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """``m[i][j]`` = number of items whose true label is ``labels[i]`` predicted as ``labels[j]``."""
    index = {lab: i for i, lab in enumerate(labels)}
    m = [[0] * len(labels) for _ in labels]
    for t, p in zip(y_true, y_pred):
        m[index[t]][index[p]] += 1
    return m


def classification_report(y_true: Sequence[str], y_pred: Sequence[str],
                          labels: Iterable[str] | None = None, digits: int = 4) -> dict[str, Any]:
    """Per-class precision/recall/F1/support, macro averages, accuracy and the confusion matrix.

    ``labels`` fixes the label order (and includes labels that never occur, which count in the
    macro average with F1 0). A class with no prediction has precision 0; no support, recall 0.
    """
    y_true, y_pred = list(y_true), list(y_pred)
    if len(y_true) != len(y_pred):
        raise ConfigError(f"{len(y_true)} true labels but {len(y_pred)} predictions; give one prediction per item.")
    labels = _labels_of(y_true, y_pred, labels)
    m = confusion_matrix(y_true, y_pred, labels)
    per_class: dict[str, dict[str, float]] = {}
    for i, lab in enumerate(labels):
        tp = m[i][i]
        support = sum(m[i])
        predicted = sum(row[i] for row in m)
        p = _safe_div(tp, predicted)
        r = _safe_div(tp, support)
        f = _safe_div(2 * p * r, p + r)
        per_class[lab] = {"precision": round(p, digits), "recall": round(r, digits), "f1": round(f, digits),
                          "support": support, "predicted": predicted}
    n = len(y_true)
    k = len(labels) or 1
    return {
        "labels": labels,
        "n": n,
        "accuracy": round(_safe_div(sum(m[i][i] for i in range(len(labels))), n), digits),
        "macro_precision": round(sum(c["precision"] for c in per_class.values()) / k, digits),
        "macro_recall": round(sum(c["recall"] for c in per_class.values()) / k, digits),
        "macro_f1": round(sum(c["f1"] for c in per_class.values()) / k, digits),
        "per_class": per_class,
        "confusion": {"rows": "true", "columns": "predicted", "labels": labels, "matrix": m},
    }


def format_report(report: dict[str, Any], title: str | None = None) -> str:
    """The report as a fixed-width text table followed by the confusion matrix."""
    labels = report["labels"]
    w = max([len(x) for x in labels] + [9])
    lines = [title] if title else []
    lines.append(f"{'label':<{w}}  {'precision':>9}  {'recall':>7}  {'f1':>7}  {'support':>7}")
    for lab in labels:
        c = report["per_class"][lab]
        lines.append(f"{lab:<{w}}  {c['precision']:>9.3f}  {c['recall']:>7.3f}  {c['f1']:>7.3f}  {c['support']:>7d}")
    lines.append(f"{'macro avg':<{w}}  {report['macro_precision']:>9.3f}  {report['macro_recall']:>7.3f}  "
                 f"{report['macro_f1']:>7.3f}  {report['n']:>7d}")
    lines.append(f"{'accuracy':<{w}}  {'':>9}  {'':>7}  {report['accuracy']:>7.3f}  {report['n']:>7d}")
    lines.append("")
    lines.append("confusion matrix (rows: true, columns: predicted)")
    cw = max([len(x) for x in labels] + [5])
    lines.append(" " * (w + 2) + "  ".join(f"{lab:>{cw}}" for lab in labels))
    for lab, row in zip(labels, report["confusion"]["matrix"]):
        lines.append(f"{lab:<{w}}  " + "  ".join(f"{v:>{cw}d}" for v in row))
    return "\n".join(lines)


def write_report(report: dict[str, Any], path: str | Path) -> Path:
    """Write the report as UTF-8 JSON (keys in a fixed order, so reruns are byte-identical)."""
    path = Path(path)
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as e:
        raise OutputError(f"cannot write {path} ({e.strerror}); choose a writable path.") from None
    return path


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's kappa between two annotators' labels of the same items."""
    a, b = list(a), list(b)
    if len(a) != len(b) or not a:
        raise ConfigError("kappa needs two equally long, non-empty label lists; pair the annotations by item.")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    return 1.0 if expected == 1.0 else (observed - expected) / (1.0 - expected)


def agreement_report(a: Sequence[str], b: Sequence[str], labels: Iterable[str] | None = None,
                     digits: int = 3) -> dict[str, Any]:
    """Overall kappa and raw agreement, and per class: one-vs-rest kappa and specific
    (positive) agreement ``2·both / (n_a + n_b)``, with each annotator's count."""
    a, b = list(a), list(b)
    labels = _labels_of(a, b, labels)
    out: dict[str, Any] = {"n": len(a), "kappa": round(cohen_kappa(a, b), digits),
                           "agreement": round(sum(x == y for x, y in zip(a, b)) / len(a), digits), "per_class": {}}
    for lab in labels:
        ya = ["1" if x == lab else "0" for x in a]
        yb = ["1" if x == lab else "0" for x in b]
        both = sum(x == y == "1" for x, y in zip(ya, yb))
        na, nb = ya.count("1"), yb.count("1")
        out["per_class"][lab] = {"first": na, "second": nb, "both": both,
                                 "specific_agreement": round(_safe_div(2 * both, na + nb), digits),
                                 "kappa": round(cohen_kappa(ya, yb), digits)}
    return out
