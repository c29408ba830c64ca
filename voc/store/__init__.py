"""The results store: tagged contacts kept across months in one SQLite file.

    with Store("voc.db") as st:          # created on first use
        st.add_many(records)             # flat output records (Tagged.to_record())
        st.months()                      # ['2026-05', ..., '2026-10']
        st.purge("365d")                 # contacts older than a year are deleted

* One row per contact id: re-adding an id replaces the row (no duplicates).
* Text is stored redacted only: ``voc.text.redact.Redactor`` runs again on every text,
  evidence span, reason and metadata string on the way in (it is idempotent, so text that
  ``voc tag`` already redacted is unchanged). Deleted rows are overwritten on disk
  (``PRAGMA secure_delete``), so a purge does not leave old text in free pages.
* ``month`` is the calendar month of ``created_at`` in the store's time zone (Asia/Shanghai
  by default; fixed when the store is created). A ``created_at`` without an offset is read as
  local time of that zone; one with an offset (``+08:00``, ``Z``) is converted. Contacts
  without a readable date are kept with no month and appear in no monthly report.
* Corrections (``st.correct(id, "root_cause", "agent", who)``, ``voc explore``) are kept in
  ``corrections``; the contact's column holds the corrected value (the reports count it), the
  model's value stays in the record's ``predicted``, and a re-add applies them again.
* Schema: ``schema_version`` (one row per applied migration), ``settings`` (time zone),
  ``contacts`` (docs/reports.md lists the columns) and ``corrections``. Opening an older store applies the
  pending migrations in one transaction; a store written by a newer voc is refused.

Reports read only the store, never re-tag.
"""
from __future__ import annotations

from .core import Store, add_files, purge, read_jsonl
from .schema import MIGRATIONS, SCHEMA_VERSION
from .times import DEFAULT_TZ, check_month, get_tz, month_range, parse_duration, parse_time, shift_month

__all__ = ["DEFAULT_TZ", "MIGRATIONS", "SCHEMA_VERSION", "Store", "add_files", "check_month", "get_tz",
           "month_range", "parse_duration", "parse_time", "purge", "read_jsonl", "shift_month"]
