"""The root cause x topic cross-table of tagged contacts, for reports."""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Mapping, Sequence

from ..errors import ConfigError
from ..lang.taxonomy import ROOT_CAUSES


def cross_table(records: Iterable[Any], *, labels: Mapping[int, str] | Sequence[str] | None = None,
                weighting: str = "primary") -> dict[str, Any]:
    """Root cause x topic counts for reports.

    ``records``: output records (dicts with ``root_cause``, ``topics``, ``topic_label``) or
    ``voc.Tagged``. ``weighting="primary"`` counts each contact once under its top topic;
    ``"weight"`` spreads it over its topics in proportion to their weights. Rows (topics)
    are sorted by total, heaviest first; ``shares`` are row shares by root cause.
    """
    if weighting not in ("primary", "weight"):
        raise ConfigError(f"weighting must be 'primary' or 'weight', not {weighting!r}.")
    counts: dict[Any, dict[str, float]] = defaultdict(lambda: dict.fromkeys(ROOT_CAUSES, 0.0))
    seen_labels: dict[Any, str] = {}
    totals = dict.fromkeys(ROOT_CAUSES, 0.0)
    for r in records:
        if not isinstance(r, Mapping):
            rc = r.root_cause.label if getattr(r, "root_cause", None) else None
            topics, label = list(r.topics or ()), r.topic_label
        else:
            rc, topics, label = r.get("root_cause"), list(r.get("topics") or ()), r.get("topic_label")
        rc = rc if rc in totals else "other"
        if not topics:
            key, parts = None, [(None, 1.0)]
        elif weighting == "primary":
            key, parts = topics[0][0], [(topics[0][0], 1.0)]
        else:
            s = sum(float(w) for _, w in topics) or 1.0
            parts = [(k, float(w) / s) for k, w in topics]
            key = topics[0][0]
        if key is not None and label:
            seen_labels.setdefault(key, label)
        for k, w in parts:
            counts[k][rc] += w
            totals[rc] += w

    def label_of(k):
        if k is None:
            return "(no topic)"
        if labels is not None:
            try:
                return labels[k]
            except (KeyError, IndexError, TypeError):
                pass
        return seen_labels.get(k, str(k))

    rows = []
    for k, c in counts.items():
        total = sum(c.values())
        rows.append({"topic": k, "label": label_of(k), "counts": {rc: round(v, 3) for rc, v in c.items()},
                     "total": round(total, 3),
                     "shares": {rc: round(v / total, 4) if total else 0.0 for rc, v in c.items()}})
    rows.sort(key=lambda r: (-r["total"], r["topic"] is None, r["topic"] if r["topic"] is not None else -1))
    return {"root_causes": list(ROOT_CAUSES), "weighting": weighting, "rows": rows,
            "totals": {rc: round(v, 3) for rc, v in totals.items()}}
