"""Classification metrics shared by the tag models: per-class precision, recall and F1,
macro-F1, accuracy, a confusion matrix (rows = true label, columns = predicted label), as
text for people and as JSON for machines; and Cohen's kappa for annotator agreement.

Counts, precision and recall come from ``sklearn.metrics`` (imported on first use)::

    from voc.evaluation import classification_report, format_report
    report = classification_report(y_true, y_pred, labels=("agent", "product", "other"))
    print(format_report(report))

F1 is the harmonic mean of precision and recall and kappa is ``(p_o - p_e) / (1 - p_e)`` over
the counts, as the reports have always been computed: scikit-learn's ``2·tp / (true + predicted)``
and ``cohen_kappa_score`` differ in the last bit, which flips the rounded figures in the reports
now and then (F1 of 2 hits in 5 true and 123 predicted: 0.0313 against 0.0312).
"""
from __future__ import annotations

import json
import warnings
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
    if not len(y_true) or not len(labels):
        return [[0] * len(labels) for _ in labels]
    from sklearn.metrics import confusion_matrix as sk_confusion_matrix

    with warnings.catch_warnings():  # "a single label was found": the labels are given
        warnings.filterwarnings("ignore", message="A single label was found", category=UserWarning)
        return sk_confusion_matrix(list(y_true), list(y_pred), labels=list(labels)).tolist()


def _f1(p: float, r: float) -> float:
    return _safe_div(2 * p * r, p + r)


def classification_report(y_true: Sequence[str], y_pred: Sequence[str],
                          labels: Iterable[str] | None = None, digits: int = 4) -> dict[str, Any]:
    """Per-class precision/recall/F1/support, macro averages, accuracy and the confusion matrix.

    ``labels`` fixes the label order (and includes labels that never occur, which count in the
    macro average with F1 0). A class with no prediction has precision 0; no support, recall 0.
    Macro averages are means of the rounded per-class figures.
    """
    y_true, y_pred = list(y_true), list(y_pred)
    if len(y_true) != len(y_pred):
        raise ConfigError(f"{len(y_true)} true labels but {len(y_pred)} predictions; give one prediction per item.")
    labels = _labels_of(y_true, y_pred, labels)
    m = confusion_matrix(y_true, y_pred, labels)
    n = len(y_true)
    if n and labels:
        from sklearn.metrics import precision_recall_fscore_support

        precision, recall, _, support = precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average=None, zero_division=0.0)
    else:
        precision = recall = support = [0] * len(labels)
    per_class: dict[str, dict[str, float]] = {}
    for i, lab in enumerate(labels):
        p, r = float(precision[i]), float(recall[i])
        per_class[lab] = {"precision": round(p, digits), "recall": round(r, digits), "f1": round(_f1(p, r), digits),
                          "support": int(support[i]), "predicted": sum(row[i] for row in m)}
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


def _kappa(m: list[list[int]]) -> float:
    """Cohen's kappa of a confusion matrix between two annotators (rows: first, columns: second)."""
    n = sum(map(sum, m))
    observed = sum(m[i][i] for i in range(len(m))) / n
    expected = sum(sum(row) * sum(col) for row, col in zip(m, zip(*m))) / (n * n)
    return 1.0 if expected == 1.0 else (observed - expected) / (1.0 - expected)


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's kappa between two annotators' labels of the same items."""
    a, b = list(a), list(b)
    if len(a) != len(b) or not a:
        raise ConfigError("kappa needs two equally long, non-empty label lists; pair the annotations by item.")
    return _kappa(confusion_matrix(a, b, list(dict.fromkeys(a + b))))


def agreement_report(a: Sequence[str], b: Sequence[str], labels: Iterable[str] | None = None,
                     digits: int = 3) -> dict[str, Any]:
    """Overall kappa and raw agreement, and per class: one-vs-rest kappa and specific
    (positive) agreement ``2·both / (n_a + n_b)``, with each annotator's count."""
    a, b = list(a), list(b)
    labels = _labels_of(a, b, labels)
    kappa = cohen_kappa(a, b)
    m = confusion_matrix(a, b, labels)
    n = len(a)
    out: dict[str, Any] = {"n": n, "kappa": round(kappa, digits),
                           "agreement": round(sum(m[i][i] for i in range(len(labels))) / n, digits), "per_class": {}}
    for i, lab in enumerate(labels):
        both, na, nb = m[i][i], sum(m[i]), sum(row[i] for row in m)
        one_vs_rest = [[both, na - both], [nb - both, n - na - nb + both]]
        out["per_class"][lab] = {"first": na, "second": nb, "both": both,
                                 "specific_agreement": round(_safe_div(2 * both, na + nb), digits),
                                 "kappa": round(_kappa(one_vs_rest), digits)}
    return out
