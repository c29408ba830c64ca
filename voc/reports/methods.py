"""The methods box of the reports: the model versions behind a month's contacts and the
accuracy their manifests state."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..store import Store

# -- models -----------------------------------------------------------------------------------
_STAGE_VERSION = re.compile(r"([A-Za-z_][\w]*)=([^,()\s]+)")


def _numeric_metrics(metrics: Any, prefix: str = "", depth: int = 0) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    if isinstance(metrics, dict) and depth < 3:
        for k, v in metrics.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, bool):
                continue
            if isinstance(v, (int, float)):
                out.append((key, float(v)))
            elif isinstance(v, dict):
                out.extend(_numeric_metrics(v, key, depth + 1))
    return out


_QUALITY = ("accuracy", "f1", "precision", "recall", "auc", "kappa", "c_v", "coherence")


def fmt_metric(value: float) -> str:
    """Counts as integers, scores with three decimals."""
    return f"{value:,.0f}" if float(value).is_integer() and abs(value) >= 1 else f"{value:.3f}"


def _ranked(metrics: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Quality measures (accuracy, F1, ...) first, in their order, then the rest (sizes...)."""
    def quality(k: str) -> bool:
        leaf = k.rsplit(".", 1)[-1].lower()
        return any(q in leaf for q in _QUALITY)

    return [m for m in metrics if quality(m[0])] + [m for m in metrics if not quality(m[0])]


def model_facts(store: Store, month: str, max_metrics: int = 8, where: str = "", params: tuple = ()
                ) -> list[dict[str, Any]]:
    """The model versions behind the month's contacts (those meeting the SQL condition
    ``where``, if given) and the accuracy their manifests state."""
    from .. import models

    rows = store.query(f"SELECT model_version, COUNT(*) FROM contacts WHERE month = ? {'AND ' + where if where else ''} "
                       "GROUP BY model_version ORDER BY COUNT(*) DESC, model_version", (month, *params))
    facts = []
    for version, n in rows:
        stages = []
        for stage, ver in _STAGE_VERSION.findall(version or ""):
            entry: dict[str, Any] = {"stage": stage, "version": ver, "metrics": [], "source": None}
            if ver.startswith("cues"):
                entry["source"] = "关键词基线（未训练模型，无实测准确率）"
            elif ver.startswith("rules"):
                entry["source"] = "声明式规则（非训练模型，无实测准确率）"
            else:
                try:
                    folder = models.find(stage, ver)
                except Exception:
                    folder = None
                if folder is not None:
                    try:
                        manifest = models.read_json(Path(folder) / models.MANIFEST)
                    except Exception:
                        manifest = {}
                    entry["metrics"] = _ranked(_numeric_metrics(manifest.get("metrics") or {}))[:max_metrics]
                    entry["source"] = f"models/{stage}/{ver}/manifest.json"
                else:
                    entry["source"] = "未找到该版本的模型清单（manifest.json）"
            stages.append(entry)
        facts.append({"version": version or "（未记录）", "contacts": n, "stages": stages})
    return facts
