"""The page's filters as SQL over the store's columns (all values bound as parameters).

A filter is a query parameter: ``month`` (``YYYY-MM``, ``all`` or ``undated``), a store column
(``channel``, ``contact_type`` ..., and ``product``, ``region``, ``team``, ``agent``: the store
keeps the first of their metadata keys present, ``voc.lang.metadata.DIMENSION_KEYS``),
``escalate``/``complaint`` (``1``/``0``) and ``q`` (text search in the redacted customer text).
The value ``NONE`` selects contacts without a value.
"""
from __future__ import annotations

from typing import Any, Mapping

from ..store.schema import DIMENSION_COLUMNS
from ..reports.types import COMPLAINT_SQL, TYPE_SQL

NONE = "__none__"
# column filters: parameter -> SQL expression (contact_type: the type the reports count a contact under)
COLUMNS = {"channel": "channel", "contact_type": TYPE_SQL, "root_cause": "root_cause", "owner": "owner",
           "tier": "tier", "topic": "topic", "sentiment_label": "sentiment_label", "churn_level": "churn_level",
           "escalation_level": "escalation_level", **DIMENSION_COLUMNS}
FLAGS = {"escalate": "escalate = 1", "complaint": COMPLAINT_SQL}
SEARCH_LIMIT = 100  # characters of a search


PARAMS = ("month", *COLUMNS, *FLAGS, "q")


def clean(query: Mapping[str, Any]) -> dict[str, str]:
    """The filter parameters of a request, non-empty ones only, in a fixed order."""
    out = {}
    for k in PARAMS:
        v = str(query.get(k) or "").strip()
        if v:
            out[k] = v[:SEARCH_LIMIT] if k == "q" else v[:200]
    return out


def where(filters: Mapping[str, str], *, month: bool = True) -> tuple[str, list[Any]]:
    """(SQL condition, parameters) of ``filters`` (without the month when ``month`` is False)."""
    conds: list[str] = []
    params: list[Any] = []

    def eq(expr: str, value: str) -> None:
        if value == NONE:
            conds.append(f"{expr} IS NULL")
        else:
            conds.append(f"{expr} = ?")
            params.append(value)

    m = filters.get("month")
    if month and m and m != "all":
        if m == "undated":
            conds.append("month IS NULL")
        else:
            eq("month", m)
    for k, expr in COLUMNS.items():
        if k in filters:
            eq(expr, filters[k])
    for k, cond in FLAGS.items():
        if k in filters:
            conds.append(cond if filters[k] == "1" else f"NOT COALESCE({cond}, 0)")
    if filters.get("q"):
        # instr over the redacted text: FTS5's tokenizers do not segment Chinese, and its trigram
        # tokenizer misses the one- and two-character words most Chinese searches are
        conds.append("instr(text, ?) > 0")
        params.append(filters["q"])
    return " AND ".join(conds), params
