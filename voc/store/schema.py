"""The store's schema: the migrations that build it, and the columns a record fills.

A change to what the store keeps is a new migration appended to ``MIGRATIONS`` (never edit a
released step) plus, for a new column, its name in ``COLUMN_FIELDS``/``INSERT_COLUMNS`` and its
value in ``Store._row``.
"""
from __future__ import annotations

from typing import Sequence

from ..lang.metadata import DIMENSION_KEYS

# Columns of ``contacts`` filled from the flat record; the rest of the record is kept as JSON
# in ``extra`` so that ``get``/``records`` give back the full record.
COLUMN_FIELDS = ("id", "channel", "created_at", "customer_id", "text", "root_cause", "root_cause_evidence",
                  "sentiment", "sentiment_label", "sentiment_trend", "churn_risk", "churn_level", "escalate",
                  "escalation_level", "owner", "topic_label", "status", "model_version", "contact_type", "resolved",
                  "resolved_score", "agent_id", "team", "qa_score", "qa_hits", "commitments", "handoff", "agent_conduct")

# the store column of each metadata dimension of voc.lang.metadata.DIMENSION_KEYS
DIMENSION_COLUMNS = {"product": "product", "region": "region", "team": "team", "agent": "agent_id"}


def _meta(key: str) -> str:
    return f"NULLIF(TRIM(CAST(json_extract(extra, '$.metadata.\"{key}\"') AS TEXT)), '')"


# -- schema -----------------------------------------------------------------------------------
# Each migration takes the schema from version n-1 to n. Never edit a released step: append.
MIGRATIONS: list[tuple[int, str, Sequence[str]]] = [
    (1, "contacts table, settings, indexes", (
        """CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
        """CREATE TABLE contacts (
            id                TEXT PRIMARY KEY,
            month             TEXT,            -- YYYY-MM of created_at in the store's time zone
            ts                INTEGER,         -- created_at as Unix seconds (NULL when unreadable)
            added_at          INTEGER NOT NULL,-- when the row was written (Unix seconds)
            created_at        TEXT,            -- as given in the record
            channel           TEXT,
            customer_id       TEXT,
            text              TEXT,            -- redacted customer-side text
            root_cause        TEXT,
            root_cause_score  REAL,            -- score of the predicted label
            evidence          TEXT,            -- JSON list of redacted evidence spans
            owner             TEXT,
            sentiment         REAL,
            sentiment_label   TEXT,
            sentiment_trend   TEXT,
            churn_risk        REAL,
            churn_level       TEXT,
            escalate          INTEGER,         -- 1/0, NULL when not tagged
            escalation_level  TEXT,
            topic_id          INTEGER,         -- top topic
            topic             TEXT,            -- topic_label
            tier              TEXT,            -- customer value tier from metadata
            status            TEXT,
            model_version     TEXT,
            extra             TEXT NOT NULL    -- JSON: the rest of the record
        )""",
        "CREATE INDEX contacts_month ON contacts(month)",
        "CREATE INDEX contacts_month_root_cause ON contacts(month, root_cause)",
        "CREATE INDEX contacts_month_channel ON contacts(month, channel)",
        # the owner and topic indexes also cover the columns the reports aggregate, so that a
        # report over a year of contacts reads indexes only
        "CREATE INDEX contacts_month_owner ON contacts(month, owner, root_cause, sentiment_label, churn_level, "
        "escalate, escalation_level, sentiment_trend, tier, sentiment)",
        "CREATE INDEX contacts_month_topic ON contacts(month, topic, owner, escalate, churn_level)",
        "CREATE INDEX contacts_ts ON contacts(ts)",
    )),
    (2, "contact type and resolution columns, index by month and contact type", (
        "ALTER TABLE contacts ADD COLUMN contact_type TEXT",   # NULL: no contact-type stage ran (older voc)
        "ALTER TABLE contacts ADD COLUMN resolved TEXT",       # yes | no | unclear, NULL when not tagged
        "ALTER TABLE contacts ADD COLUMN resolved_score REAL",
        # rows whose records already had these fields kept them in extra: move them to the columns
        "UPDATE contacts SET contact_type = json_extract(extra, '$.contact_type'), "
        "resolved = json_extract(extra, '$.resolved'), resolved_score = json_extract(extra, '$.resolved_score'), "
        "extra = json_remove(extra, '$.contact_type', '$.resolved', '$.resolved_score') "
        "WHERE json_type(extra, '$.contact_type') IS NOT NULL OR json_type(extra, '$.resolved') IS NOT NULL "
        "OR json_type(extra, '$.resolved_score') IS NOT NULL",
        # leads with (month, contact_type) and covers what the reports aggregate (index-only scans)
        "CREATE INDEX contacts_month_contact_type ON contacts(month, contact_type, owner, root_cause, "
        "sentiment_label, churn_level, escalate, escalation_level, sentiment_trend, resolved, tier, sentiment)",
    )),
    (3, "the input each contact came from (warn when a row of another input is replaced)", (
        "ALTER TABLE contacts ADD COLUMN source TEXT",  # name@fingerprint of the input file; NULL: unknown
    )),
    (4, "quality inspection columns (voc tag --qa), index by month and agent", (
        "ALTER TABLE contacts ADD COLUMN agent_id TEXT",       # redacted / pseudonymised like personal data
        "ALTER TABLE contacts ADD COLUMN team TEXT",
        "ALTER TABLE contacts ADD COLUMN qa_score REAL",       # 0..100, NULL when no QA ran or no agent spoke
        "ALTER TABLE contacts ADD COLUMN qa_hits TEXT",        # JSON list of {rule, item, severity, type, turn, span}
        "ALTER TABLE contacts ADD COLUMN commitments TEXT",    # JSON list of {turn, kind, text, due}
        "ALTER TABLE contacts ADD COLUMN handoff TEXT",        # none | requested | transferred; NULL: no QA
        "ALTER TABLE contacts ADD COLUMN agent_conduct TEXT",  # ok | problem | na
        "CREATE INDEX contacts_month_agent ON contacts(month, agent_id, team, qa_score, agent_conduct, handoff)",
    )),
    (5, "corrections: an analyst's verdicts on tags, kept across re-tags (voc.store.corrections)", (
        """CREATE TABLE corrections (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            contact_id TEXT NOT NULL,   -- contacts.id (a correction outlives a re-tag of its contact)
            field      TEXT NOT NULL,   -- root_cause | contact_type | sentiment_label | churn_level | escalation_level
            old_value  TEXT,            -- the value before this correction
            new_value  TEXT NOT NULL,
            who        TEXT NOT NULL,   -- redacted
            at         TEXT NOT NULL    -- ISO 8601, UTC
        )""",
        "CREATE INDEX corrections_contact ON corrections(contact_id, field)",
        # product, region, team and agent from the metadata (voc.lang.metadata.DIMENSION_KEYS), as
        # columns (DIMENSION_COLUMNS; team and agent_id are shared with the QA fields of migration 4,
        # which win when --qa filled them): the exploration page filters and counts by them. The
        # backfill reads the keys spelled as listed (new rows: any case, Store._row)
        "ALTER TABLE contacts ADD COLUMN product TEXT",
        "ALTER TABLE contacts ADD COLUMN region TEXT",
        "UPDATE contacts SET " + ", ".join(
            f"{col} = COALESCE({col}, {', '.join(_meta(k) for k in DIMENSION_KEYS[dim])})"
            for dim, col in DIMENSION_COLUMNS.items()),
    )),
    (6, "index by customer and time (customer journeys, voc.journey)", (
        # voc.journey streams the contacts ordered by (customer_id, ts): this index gives that
        # order and covers the columns a journey reads (text is read only for the few pairs that
        # need it), so the scan reads the index only; contacts without a customer id are left out
        "CREATE INDEX contacts_customer_ts ON contacts(customer_id, ts, id, channel, contact_type, root_cause, "
        "topic, resolved, sentiment_label, owner, tier, month) WHERE customer_id IS NOT NULL",
    )),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
INSERT_COLUMNS = ("id", "month", "ts", "added_at", "created_at", "channel", "customer_id", "text", "root_cause",
                   "root_cause_score", "evidence", "owner", "sentiment", "sentiment_label", "sentiment_trend",
                   "churn_risk", "churn_level", "escalate", "escalation_level", "topic_id", "topic", "tier", "status",
                   "model_version", "extra", "contact_type", "resolved", "resolved_score", "source", "agent_id", "team",
                   "qa_score", "qa_hits", "commitments", "handoff", "agent_conduct", "product", "region")
INSERT = (f"INSERT OR REPLACE INTO contacts ({', '.join(INSERT_COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(INSERT_COLUMNS))})")
