"""What the pages show, read from the store with the reports' own functions
(``voc.reports.common.counts_by``, ``fetch_contacts``, ``excerpt``/``highlight``): the page's
figures are the monthly report's, and each links to the contacts it counts."""
from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import quote, urlencode

from ..store.schema import DIMENSION_COLUMNS
from ..reports.common import counts_by, excerpt, fetch_contacts, highlight, name_of, share
from ..store import Store
from ..store.corrections import FIELDS
from .filters import NONE, where

PAGE = 50
# the report's tables, in its order: parameter (a store column) -> title
DIMS = {"contact_type": "联络类型", "root_cause": "根因", "owner": "负责方", "channel": "渠道", "tier": "客户等级",
        "topic": "话题", "sentiment_label": "情绪", "churn_level": "流失风险", "escalation_level": "升级紧急程度"}
META_TITLES = {"product": "产品", "region": "地区", "team": "班组", "agent": "坐席"}
FIELD_TITLES = {"root_cause": "根因", "contact_type": "联络类型", "sentiment_label": "情绪",
                "churn_level": "流失风险", "escalation_level": "升级紧急程度"}


def link(path: str, filters: Mapping[str, str], **changes: Any) -> str:
    """``path?filters`` with ``changes`` applied (None removes a parameter)."""
    q = {**filters, **{k: v for k, v in changes.items() if v is not None}}
    for k, v in changes.items():
        if v is None:
            q.pop(k, None)
    return path + ("?" + urlencode(q) if q else "")


def months_of(store: Store, filters: Mapping[str, str]) -> list[str]:
    """The months the figures cover: the chosen one, or every stored month (``all``)."""
    stored = store.months()
    m = filters.get("month")
    if m in (None, "", "all"):
        return stored
    return [m] if m in stored else []


def overview(store: Store, filters: dict[str, str]) -> dict[str, Any]:
    """The headline figures and the tables by dimension of the chosen month (or all months)
    under the other filters; every count carries the link to its contacts."""
    months = months_of(store, filters)
    cond, params = where(filters, month=False)
    tables, sums = [], {}
    for dim, title in DIMS.items():
        counts: dict[Any, int] = {}
        if months:
            for by_value in counts_by(store, dim, months, cond, params).values():
                for v, n in by_value.items():
                    counts[v] = counts.get(v, 0) + n
        sums[dim] = counts
        total = sum(counts.values())
        rows = [{"name": name_of(dim, v), "count": n, "share": share(n, total),
                 "href": link("/contacts", filters, **{dim: NONE if v in (None, "") else v})}
                for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))]
        tables.append({"dim": dim, "title": title, "rows": rows, "total": total})
    total = sum(sums["root_cause"].values())
    levels = sums["escalation_level"]
    head = [("联络量", total, {}), ("投诉", sums["contact_type"].get("complaint", 0), {"complaint": "1"}),
            ("负面情绪", sums["sentiment_label"].get("negative", 0), {"sentiment_label": "negative"}),
            ("高流失风险", sums["churn_level"].get("high", 0), {"churn_level": "high"}),
            ("需升级", levels.get("urgent", 0) + levels.get("normal", 0), {"escalate": "1"}),
            ("紧急", levels.get("urgent", 0), {"escalation_level": "urgent"})]
    headline = [{"label": label, "count": n, "share": share(n, total) if label != "联络量" else None,
                 "href": link("/contacts", filters, **extra)} for label, n, extra in head]
    undated = store.query("SELECT COUNT(*) FROM contacts WHERE month IS NULL"
                          + (f" AND {cond}" if cond else ""), params)[0][0]
    return {"headline": headline, "tables": tables, "undated": undated, "months": months,
            "undated_href": link("/contacts", filters, month="undated")}


_OPTIONS: dict[tuple, dict[str, list[tuple[str, str]]]] = {}


def options(store: Store) -> dict[str, list[tuple[str, str]]]:
    """(value, display name) choices of each filter, most frequent first (at most 200 each);
    kept until the store changes (a contact added or replaced, a correction)."""
    key = (store.path, *store.query("SELECT (SELECT MAX(rowid) FROM contacts), (SELECT COUNT(*) FROM contacts), "
                                    "(SELECT MAX(id) FROM corrections)")[0])
    if key in _OPTIONS:
        return _OPTIONS[key]
    out: dict[str, list[tuple[str, str]]] = {}
    stored = store.months()
    out["month"] = [("all", "全部月份"), *[(m, m) for m in reversed(stored)], ("undated", "无日期")]
    for dim in DIMS:
        counts: dict[Any, int] = {}
        if stored:
            for by_value in counts_by(store, dim, stored).values():
                for v, n in by_value.items():
                    counts[v] = counts.get(v, 0) + n
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:200]
        out[dim] = [(NONE if v in (None, "") else str(v), name_of(dim, v)) for v, _ in ranked]
    for dim, col in DIMENSION_COLUMNS.items():  # store columns the reports do not count by
        rows = store.query(f"SELECT {col}, COUNT(*) FROM contacts WHERE {col} IS NOT NULL GROUP BY 1 "
                           "ORDER BY 2 DESC, 1 LIMIT 200")
        out[dim] = [(str(v), str(v)) for v, _ in rows]
    _OPTIONS.clear()
    _OPTIONS[key] = out
    return out


def contacts(store: Store, filters: dict[str, str], page: int = 1) -> dict[str, Any]:
    """One page of the contacts the filters select, newest first, with highlighted excerpts."""
    cond, params = where(filters)
    total = store.query(f"SELECT COUNT(*) FROM contacts WHERE {cond or '1'}", params)[0][0]
    pages = max(1, -(-total // PAGE))
    page = min(max(1, page), pages)
    rows = fetch_contacts(store, cond, params, "ts IS NULL, ts DESC, id", PAGE, (page - 1) * PAGE)
    q = filters.get("q")
    for r in rows:
        spans = [*r["evidence"], *([q] if q else [])]
        r["html"] = highlight(excerpt(r["text"], spans, 200), spans)
        r["href"] = "/contact/" + quote(str(r["id"]), safe="")
    return {"rows": rows, "total": total, "page": page, "pages": pages,
            "prev": link("/contacts", filters, page=page - 1) if page > 1 else None,
            "next": link("/contacts", filters, page=page + 1) if page < pages else None}


def contact(store: Store, contact_id: str) -> dict[str, Any] | None:
    """A stored contact for the contact view: its record, evidence highlighted in its text,
    its corrections and the choices of each correctable field."""
    record = store.get(contact_id)
    if record is None:
        return None
    evidence = record.get("root_cause_evidence") or []
    fields = [{"field": f, "title": FIELD_TITLES[f], "value": record.get(f),
               "predicted": (record.get("predicted") or {}).get(f, record.get(f)),
               "corrected": f in (record.get("predicted") or {}),
               "choices": [(v, name_of(f, v)) for v in FIELDS[f]]} for f in FIELDS]
    return {"record": record, "html": highlight(record.get("text") or "", evidence), "fields": fields,
            "corrections": store.corrections(contact_id),
            "metadata": sorted((str(k), str(v)) for k, v in (record.get("metadata") or {}).items())}
