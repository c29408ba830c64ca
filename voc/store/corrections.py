"""Corrections: an analyst's verdict on one tag of one contact, kept in the store.

A correction is a row of ``corrections`` (contact id, field, old value, new value, who, when);
the contact's column then holds the corrected value, so that every report and the exploration
page count corrected values, and the model's own value is kept in the record's ``predicted``
object (``extra``). Re-adding a contact (a re-tag) writes the model's new values and then
applies the contact's corrections again: a correction is never overwritten by a re-tag.
The latest correction of a field wins; the history stays in the table.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any, Iterable

from ..errors import InputError
from ..lang.taxonomy import CHURN_LEVELS, CONTACT_TYPES, ESCALATION_LEVELS, OWNERS, ROOT_CAUSES, SENTIMENT_LABELS

# field of a correction -> the values it takes (the store column of the same name holds it)
FIELDS: dict[str, tuple[str, ...]] = {
    "root_cause": ROOT_CAUSES,
    "contact_type": CONTACT_TYPES,
    "sentiment_label": SENTIMENT_LABELS,
    "churn_level": CHURN_LEVELS,
    "escalation_level": ESCALATION_LEVELS,
}
# the columns a correction of a field also changes, and how
_ALSO = {"root_cause": ("owner",), "escalation_level": ("escalate",)}


def check(field: str, value: Any) -> str:
    """``field`` and ``value`` as a valid correction, else an InputError that lists the choices."""
    if field not in FIELDS:
        raise InputError(f"{field!r} cannot be corrected; correct one of {', '.join(FIELDS)}.")
    v = str(value or "").strip().lower()
    if v not in FIELDS[field]:
        raise InputError(f"{value!r} is not a {field}; use one of {', '.join(FIELDS[field])}.")
    return v


def _derived(field: str, new: str, row: dict[str, Any]) -> dict[str, Any]:
    """The other columns that follow a corrected value: the owner of a root cause (unless an
    escalation rule named another owner), the escalate flag of an escalation level."""
    if field == "root_cause":
        old_owner = OWNERS.get(row["root_cause"]) if row["root_cause"] is not None else None
        if row["owner"] is None or row["owner"] == old_owner:  # the owner came from the root cause
            return {"owner": OWNERS.get(new)}
        return {}
    if field == "escalation_level":
        return {"escalate": 0 if new == "none" else 1}
    return {}


def _apply(conn: sqlite3.Connection, contact_id: str, latest: dict[str, str]) -> bool:
    """Set the contact's columns to its latest corrections, keeping the model's values in
    ``extra.predicted`` (only the first time: a second correction keeps the model's value)."""
    cols = sorted({*latest, *(c for f in latest for c in _ALSO.get(f, ()))})
    row = conn.execute(f"SELECT {', '.join(cols)}, extra FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    if row is None:
        return False
    current = dict(zip(cols, row[:-1]))
    extra = json.loads(row[-1])
    predicted = extra.get("predicted") if isinstance(extra.get("predicted"), dict) else {}
    changes: dict[str, Any] = {}
    for field, new in latest.items():
        if field not in predicted:
            predicted[field] = current[field]
            for c in _ALSO.get(field, ()):
                v = current[c]
                predicted.setdefault(c, bool(v) if c == "escalate" and v is not None else v)
        changes.update(_derived(field, new, current))
        changes[field] = new
    extra["predicted"] = predicted
    sets = ", ".join(f"{c} = ?" for c in changes)
    conn.execute(f"UPDATE contacts SET {sets}, extra = ? WHERE id = ?",
                 (*changes.values(), json.dumps(extra, ensure_ascii=False, separators=(",", ":")), contact_id))
    return True


def latest(conn: sqlite3.Connection, ids: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
    """{contact id: {field: latest corrected value}} (of ``ids`` only, if given)."""
    sql = "SELECT contact_id, field, new_value FROM corrections"
    params: tuple = ()
    if ids is not None:
        sql += " WHERE contact_id IN (SELECT value FROM json_each(?))"
        params = (json.dumps(list(ids), ensure_ascii=False),)
    out: dict[str, dict[str, str]] = {}
    for cid, field, new in conn.execute(sql + " ORDER BY id", params):
        out.setdefault(cid, {})[field] = new
    return out


def reapply(conn: sqlite3.Connection, ids: Iterable[str]) -> int:
    """Apply the corrections of the contacts ``ids`` again (after they were re-added)."""
    found = latest(conn, ids)
    for cid, fields in found.items():
        _apply(conn, cid, fields)
    return len(found)


def add(conn: sqlite3.Connection, contact_id: str, field: str, value: Any, who: str,
        at: datetime | None = None) -> dict[str, Any]:
    """Record one correction and apply it; returns the correction as a dict."""
    new = check(field, value)
    row = conn.execute(f"SELECT {field} FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    if row is None:
        raise InputError(f"the store has no contact {contact_id!r}; give the id of a stored contact.")
    when = (at or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    cur = conn.execute("INSERT INTO corrections (contact_id, field, old_value, new_value, who, at) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (contact_id, field, row[0], new, who, when))
    _apply(conn, contact_id, {field: new})
    return {"id": cur.lastrowid, "contact_id": contact_id, "field": field, "old_value": row[0], "new_value": new,
            "who": who, "at": when}


COLUMNS = ("id", "contact_id", "field", "old_value", "new_value", "who", "at")


def rows(conn: sqlite3.Connection, contact_id: str | None = None, field: str | None = None
         ) -> list[dict[str, Any]]:
    """Corrections in the order they were made (of one contact and/or field, if given)."""
    conds, params = [], []
    for col, v in (("contact_id", contact_id), ("field", field)):
        if v is not None:
            conds.append(f"{col} = ?")
            params.append(v)
    sql = f"SELECT {', '.join(COLUMNS)} FROM corrections" + (" WHERE " + " AND ".join(conds) if conds else "")
    return [dict(zip(COLUMNS, r)) for r in conn.execute(sql + " ORDER BY id", params)]
