"""Contact types in the reports (taxonomy section 7): display names, the complaint rule and
the ``contact_types=`` filter, as SQL over the store's columns.

A contact is a *complaint* when its ``contact_type`` is ``complaint``. A contact stored
without a contact type (tagged by a voc without the contact-type stage) falls back to the
rule of earlier reports: a complaint when its root cause is agent, product, policy or process.
The reports count those contacts and say so in their methods section.
"""
from __future__ import annotations

from typing import Any, Iterable

from ..errors import ConfigError
from ..lang.taxonomy import CONTACT_TYPES

CONTACT_TYPE_NAMES = {"complaint": "投诉", "inquiry": "咨询", "request": "办理/求助", "praise": "表扬",
                      "suggestion": "建议", "other": "其他"}
_ALIASES = {**{v: k for k, v in CONTACT_TYPE_NAMES.items()}, "办理": "request", "求助": "request"}

LEGACY_COMPLAINT = "(root_cause IS NOT NULL AND root_cause != 'other')"
COMPLAINT_SQL = f"(contact_type = 'complaint' OR (contact_type IS NULL AND {LEGACY_COMPLAINT}))"
# the type a report counts a contact under: its contact type, else complaint by the old rule,
# else NULL (shown as 未标注)
TYPE_SQL = f"COALESCE(contact_type, CASE WHEN {LEGACY_COMPLAINT} THEN 'complaint' END)"


def is_complaint(contact_type: Any, root_cause: Any) -> bool:
    """The complaint rule in Python (the same as ``COMPLAINT_SQL``)."""
    if contact_type is not None:
        return contact_type == "complaint"
    return root_cause is not None and root_cause != "other"


def parse_contact_types(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """``"complaint,inquiry"`` (or a list; Chinese names too) as a tuple of contact types in
    the taxonomy's order; None for no filter. Unknown names are a ConfigError."""
    if value is None:
        return None
    items = value.replace("，", ",").split(",") if isinstance(value, str) else list(value)
    found = set()
    for item in items:
        name = str(item).strip()
        if not name:
            continue
        key = _ALIASES.get(name, name.lower())
        if key not in CONTACT_TYPES:
            raise ConfigError(f"unknown contact type {name!r}; use one or more of {', '.join(CONTACT_TYPES)} "
                              f"separated by commas, e.g. complaint,inquiry.")
        found.add(key)
    if not found:
        raise ConfigError(f"no contact type given; use one or more of {', '.join(CONTACT_TYPES)}.")
    return tuple(t for t in CONTACT_TYPES if t in found)


def type_filter(types: tuple[str, ...] | None) -> tuple[str, tuple[str, ...]]:
    """(SQL condition, parameters) that keeps the contacts of ``types`` ("" for no filter).
    A contact without a contact type is kept under ``complaint`` when the old rule says so."""
    if not types:
        return "", ()
    cond = f"contact_type IN ({', '.join('?' * len(types))})"
    if "complaint" in types:
        cond = f"({cond} OR (contact_type IS NULL AND {LEGACY_COMPLAINT}))"
    return cond, tuple(types)


def and_(*conds: str) -> str:
    """The non-empty conditions joined with AND."""
    return " AND ".join(c for c in conds if c)


def describe(types: tuple[str, ...] | None) -> str:
    """``投诉、咨询`` for the page header ("" for no filter)."""
    return "、".join(CONTACT_TYPE_NAMES[t] for t in types) if types else ""
