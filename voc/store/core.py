"""The ``Store`` class (one SQLite file) and the file-level helpers of ``voc store``."""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..errors import ConfigError, InputError, OutputError
from ..lang.metadata import DIMENSION_KEYS, TIER_KEYS, dimension
from ..lang.metadata import tier as customer_tier
from ..records import OUTPUT_FIELDS, QA_FIELDS, as_text
from . import schema
from .corrections import add as add_correction
from .corrections import reapply
from .corrections import rows as correction_rows
from .schema import COLUMN_FIELDS, INSERT
from .tagged import read_jsonl
from .times import DEFAULT_TZ, check_month, get_tz, parse_duration, parse_time

log = logging.getLogger(__name__)


def _default_redactor() -> Callable[[str], str]:
    try:
        from ..text.redact import Redactor
    except ImportError as e:  # pragma: no cover - the module ships with voc
        raise ConfigError("voc.text.redact is missing, so the store cannot redact text; reinstall voc.") from e
    return Redactor()


class Store:
    """A results store in one SQLite file (``":memory:"`` for a throw-away one).

    ``tz``: time zone that defines months (default Asia/Shanghai for a new store; an existing
    store keeps the zone it was created with, and asking for another one is an error).
    ``redactor``: callable applied to every text on add (default ``Redactor()``).
    ``readonly``: open an existing store for reports only.
    Use as a context manager, or call ``commit()``/``close()``.
    """

    BATCH = 2000

    def __init__(self, path: str | Path, *, tz: str | None = None, redactor: Callable[[str], str] | None = None,
                 readonly: bool = False, tier_keys: Sequence[str] = TIER_KEYS):
        self.path = str(path)
        self.readonly = readonly
        self.tier_keys = tuple(str(k).strip().lower() for k in tier_keys)
        self._redactor = redactor
        self._pending: list[tuple] = []
        self.replaced_other = 0  # stored rows replaced by another contact with the same id
        self.replaced_examples: list[str] = []
        self._memo: dict[str, str] = {}
        self._ids: Callable[[str], str] | None = None
        self.added = 0
        self.undated = 0
        memory = self.path == ":memory:"
        if tz is not None:
            get_tz(tz)  # a bad --tz is refused before any file is made
        if not memory:
            p = Path(self.path)
            if readonly and not p.is_file():
                raise InputError(f"no results store at {p}; create one with `voc tag ... --store {p}` "
                                 f"or `voc store add OUTPUT.jsonl --store {p}`.")
            if not readonly:
                try:
                    p.parent.mkdir(parents=True, exist_ok=True)
                except OSError as e:
                    raise OutputError(f"cannot create the folder of {p} ({e.strerror}); "
                                      f"choose a writable path.") from None
        try:
            if readonly and not memory:
                # a URI, quoted: a path holding '#', '?' or '%' still names the file
                self.conn = sqlite3.connect(f"{Path(self.path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
            else:
                self.conn = sqlite3.connect(self.path, timeout=30)
            self.conn.execute("PRAGMA secure_delete = ON")
            self._refuse_foreign()  # before WAL: a file that is not a store is left as it was
            if not readonly and not memory:
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as e:
            if getattr(self, "conn", None) is not None:
                self.conn.close()
            raise InputError(f"{self.path} is not a voc results store ({e}); give another --store path.") from None
        except Exception:
            self.conn.close()
            raise
        stored_tz = self.setting("timezone")
        if stored_tz is None:
            stored_tz = tz or DEFAULT_TZ
            get_tz(stored_tz)
            if not readonly:
                with self.conn:
                    self.conn.execute("INSERT OR REPLACE INTO settings VALUES ('timezone', ?)", (stored_tz,))
        elif tz is not None and tz != stored_tz:
            raise ConfigError(f"the store {self.path} defines months in {stored_tz}, not {tz}; use a new store "
                              f"for another time zone.")
        self.timezone = stored_tz
        self.tz = get_tz(stored_tz)

    # -- schema ------------------------------------------------------------------------------
    def _tables(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def schema_version(self) -> int:
        if "schema_version" not in self._tables():
            return 0
        return self.conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]

    def _refuse_foreign(self) -> None:
        tables = self._tables()
        if tables and "schema_version" not in tables:
            raise InputError(f"{self.path} is an SQLite file but not a voc results store; give another --store path.")

    def _migrate(self) -> None:
        self._refuse_foreign()
        current = self.schema_version()
        if current > schema.SCHEMA_VERSION:
            raise ConfigError(f"the store {self.path} has schema version {current}, newer than this voc "
                              f"understands ({schema.SCHEMA_VERSION}); upgrade voc.")
        pending = [m for m in schema.MIGRATIONS if m[0] > current]
        if not pending:
            return
        if self.readonly:
            raise ConfigError(f"the store {self.path} has schema version {current} and needs migrating to "
                              f"{schema.SCHEMA_VERSION}; open it once for writing (e.g. `voc store add`).")
        # one explicit transaction (DDL included): all pending steps or none
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                              "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL, description TEXT NOT NULL)")
            for version, description, statements in pending:
                for sql in statements:
                    self.conn.execute(sql)
                self.conn.execute("INSERT INTO schema_version VALUES (?, ?, ?)",
                                  (version, datetime.now(timezone.utc).isoformat(timespec="seconds"), description))
            self.conn.commit()
        except sqlite3.Error as e:
            self.conn.rollback()
            raise ConfigError(f"migrating the store {self.path} from schema version {current} failed ({e}); the store "
                              f"is unchanged: report this with your voc version.") from None
        log.info("store %s migrated from schema version %d to %d", self.path, current, schema.SCHEMA_VERSION)

    def setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- writing -----------------------------------------------------------------------------
    @property
    def redactor(self) -> Callable[[str], str]:
        if self._redactor is None:
            self._redactor = _default_redactor()
        return self._redactor

    def _id_redact(self, value: str) -> str:
        """Contact and customer ids: keyed pseudonyms where they hold personal data, so that
        two ids never become one (``Redactor.for_ids``)."""
        if self._ids is None:
            for_ids = getattr(self.redactor, "for_ids", None)
            self._ids = for_ids().scrub if for_ids else self._redact
        return self._ids(value)

    def _redact(self, value: Any) -> Any:
        # issue 16: every value goes through Redactor.scrub (strings, keys, numbers holding an
        # ID or phone, nested values); a plain callable redactor is applied to the strings
        scrub = getattr(self.redactor, "scrub", None)
        if isinstance(value, str):
            if not value:
                return value
            if len(value) > 64:
                return scrub(value) if scrub else self.redactor(value)
            # short strings (evidence, reasons, metadata values) repeat: redact each once
            out = self._memo.get(value)
            if out is None:
                if len(self._memo) > 50_000:
                    self._memo.clear()
                out = self._memo[value] = scrub(value) if scrub else self.redactor(value)
            return out
        if isinstance(value, (list, tuple)):
            return [self._redact(v) for v in value]
        if isinstance(value, dict):
            return {self._redact(str(k)): self._redact(v) for k, v in value.items()}
        if scrub is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            return scrub(value)
        return value

    def _row(self, record: dict[str, Any], now: int, source: str | None = None) -> tuple:
        if not isinstance(record, dict) or record.get("id") in (None, ""):
            raise InputError("a record without an id cannot be stored; give the flat records that voc tag writes.")
        r = self._redact
        dt = parse_time(record.get("created_at"), self.tz)
        if dt is None:
            self.undated += 1
        label = record.get("root_cause")
        scores = record.get("root_cause_scores") or {}
        topics = record.get("topics") or []
        metadata = r(record.get("metadata") or {})
        # every other field, redacted field by field (keys too): what the store keeps as JSON
        extra = r({k: v for k, v in record.items() if k not in COLUMN_FIELDS and k != "metadata"})
        extra["metadata"] = metadata
        turns = extra.get("turns")
        join = getattr(self.redactor, "redact_turns", None)
        if join is not None and isinstance(turns, list) and all(isinstance(t, dict) for t in turns):
            # issue 16: a number typed over several turns of a raw export (voc store add)
            texts = join([t.get("text") if isinstance(t.get("text"), str) else "" for t in turns])
            extra["turns"] = [{**t, "text": x} if isinstance(t.get("text"), str) else t for t, x in zip(turns, texts)]
        for k in extra:  # issue 16: extra fields of a raw export (turns ...) are redacted too
            if k not in ("metadata", "contact_type_scores", "root_cause_scores"):
                extra[k] = r(extra[k])
        esc = record.get("escalate")
        customer = record.get("customer_id")
        created = record.get("created_at")
        channel = record.get("channel")
        qa = "handoff" in record or "qa_score" in record  # the QA fields (voc tag --qa)
        agent = record.get("agent_id")
        # product, region, team, agent from the (redacted) metadata; QA's own agent and team win
        dims = {dim: dimension(metadata, keys) for dim, keys in DIMENSION_KEYS.items()}
        return (
            # an id with personal data in it gets a keyed pseudonym, not a bare placeholder: two
            # contacts never merge into one row (voc.text.redact.Redactor.for_ids)
            self._id_redact(str(record["id"])),
            f"{dt.year:04d}-{dt.month:02d}" if dt else None,
            int(dt.timestamp()) if dt else None,
            now,
            None if created is None else r(as_text(created) or ""),  # a list or object as JSON, not repr
            None if channel is None else r(as_text(channel) or ""),
            self._id_redact(as_text(customer)) if customer not in (None, "") else None,
            r(record.get("text")),
            label,
            scores.get(label) if isinstance(scores, dict) and label else None,
            json.dumps(r(list(record.get("root_cause_evidence") or [])), ensure_ascii=False),
            record.get("owner"),
            record.get("sentiment"),
            record.get("sentiment_label"),
            record.get("sentiment_trend"),
            record.get("churn_risk"),
            record.get("churn_level"),
            None if esc is None else int(bool(esc)),
            record.get("escalation_level"),
            int(topics[0][0]) if topics and isinstance(topics[0], (list, tuple)) else None,
            r(record.get("topic_label")),
            customer_tier(metadata, self.tier_keys),
            r(record.get("status")),
            record.get("model_version"),
            json.dumps(extra, ensure_ascii=False, separators=(",", ":")),
            None if record.get("contact_type") is None else str(record["contact_type"]),
            None if record.get("resolved") is None else str(record["resolved"]),
            record.get("resolved_score"),
            None if source is None else r(str(source)),
            r(str(agent)) if agent not in (None, "") else dims["agent"],
            dims["team"] if record.get("team") in (None, "") else r(str(record["team"])),
            record.get("qa_score"),
            json.dumps(r(list(record.get("qa_hits") or [])), ensure_ascii=False) if qa else None,
            json.dumps(r(list(record.get("commitments") or [])), ensure_ascii=False) if qa else None,
            record.get("handoff"),
            record.get("agent_conduct"),
            dims["product"],
            dims["region"],
        )

    def add(self, record: dict[str, Any], source: str | None = None) -> None:
        """Add one flat record; an existing contact with the same id is replaced. ``source``
        names the input it came from (``voc.io.ids.source_label``). Replacing a stored row whose
        text differs (another contact under the same id, e.g. two exports with the same default
        ids) is counted in ``replaced_other`` and logged as a warning when written."""
        if self.readonly:
            raise ConfigError(f"the store {self.path} was opened read-only; open it without readonly to add.")
        self._pending.append(self._row(record, int(time.time()), source))
        if len(self._pending) >= self.BATCH:
            self.flush()

    def add_many(self, records: Iterable[dict[str, Any]], source: str | None = None) -> int:
        """Add records (replacing ids already stored); returns how many were added."""
        n = 0
        for record in records:
            self.add(record, source)
            n += 1
        self.flush()
        return n

    def _check_replaced(self, rows: list[tuple]) -> None:
        """Count the rows about to replace a stored row that holds another contact: same id,
        other text (re-adding the same contact, e.g. re-tagged, is no news)."""
        new = {row[0]: (row[7], row[-1]) for row in rows}
        ids = list(new)
        n = 0
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            sql = f"SELECT id, text, source FROM contacts WHERE id IN ({', '.join('?' * len(part))})"
            for id_, text, old in self.conn.execute(sql, part):
                if text != new[id_][0]:
                    n += 1
                    if len(self.replaced_examples) < 5:
                        self.replaced_examples.append(f"{id_} (was from {old or 'an unknown input'})")
        if n:
            if not self.replaced_other:
                log.warning("%s: stored contacts were replaced by other contacts with the same id (e.g. %s); give "
                            "the exports an id column, or use another store", self.path, self.replaced_examples[0])
            self.replaced_other += n

    def missing(self, ids: Sequence[str]) -> list[str]:
        """The ids of ``ids`` the store does not hold (pending records written first)."""
        self.flush()
        have: set[str] = set()
        ids = list(ids)
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            have.update(r[0] for r in self.conn.execute(
                f"SELECT id FROM contacts WHERE id IN ({', '.join('?' * len(part))})", part))
        return [i for i in ids if i not in have]

    def flush(self) -> None:
        """Write pending records in one transaction."""
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        try:
            self._check_replaced(rows)
            with self.conn:
                self.conn.executemany(INSERT, rows)
                if self._corrected():  # a re-tag never overwrites a correction
                    reapply(self.conn, [r[0] for r in rows])
        except sqlite3.OperationalError as e:
            raise OutputError(f"cannot write to the store {self.path} ({e}); close other programs using it "
                              f"or free disk space, then run again.") from None
        self.added += len(rows)

    commit = flush

    # -- corrections (voc.store.corrections) ---------------------------------------------------
    def _corrected(self) -> bool:
        # asked at every write: another process (voc explore) may have corrected meanwhile
        return self.conn.execute("SELECT EXISTS (SELECT 1 FROM corrections)").fetchone()[0] == 1

    def correct(self, contact_id: str, field: str, value: str, who: str) -> dict[str, Any]:
        """Correct one tag of a stored contact (``field``: root_cause, contact_type,
        sentiment_label, churn_level or escalation_level); ``who`` is stored redacted. Reports
        and ``get`` then give the corrected value, the record's ``predicted`` the model's."""
        if self.readonly:
            raise ConfigError(f"the store {self.path} was opened read-only; open it without readonly to correct.")
        self.flush()
        try:
            with self.conn:
                out = add_correction(self.conn, str(contact_id), field, value, self._redact(str(who or "?")))
        except sqlite3.OperationalError as e:
            raise OutputError(f"cannot write to the store {self.path} ({e}); close other programs using it, "
                              f"then try again.") from None
        return out

    def corrections(self, contact_id: str | None = None, field: str | None = None) -> list[dict[str, Any]]:
        """The corrections made (of one contact and/or field), oldest first."""
        self.flush()
        return correction_rows(self.conn, contact_id, field)

    def purge(self, older_than: str | int | float | timedelta, now: datetime | None = None) -> int:
        """Delete contacts created more than ``older_than`` before ``now`` (contacts without a
        date: added before then). Returns how many were deleted."""
        self.flush()
        age = parse_duration(older_than)
        now = now or datetime.now(timezone.utc)
        if now.tzinfo is None:
            now = now.replace(tzinfo=self.tz)
        cutoff = int((now - age).timestamp())
        with self.conn:
            cur = self.conn.execute("DELETE FROM contacts WHERE ts < ? OR (ts IS NULL AND added_at < ?)",
                                    (cutoff, cutoff))
        n = cur.rowcount
        if n and self.path != ":memory:":
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        log.info("purged %d contacts older than %s from %s", n, age, self.path)
        return n

    # -- reading -----------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run a read query (pending records are written first)."""
        self.flush()
        return self.conn.execute(sql, params).fetchall()

    def iter_query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple]:
        """Run a read query and stream its rows."""
        self.flush()
        yield from self.conn.execute(sql, params)

    def count(self, month: str | None = None) -> int:
        if month is None:
            return self.query("SELECT COUNT(*) FROM contacts")[0][0]
        return self.query("SELECT COUNT(*) FROM contacts WHERE month = ?", (check_month(month),))[0][0]

    def months(self) -> list[str]:
        """Months that hold contacts, oldest first."""
        return [r[0] for r in self.query("SELECT DISTINCT month FROM contacts WHERE month IS NOT NULL ORDER BY month")]

    def month_counts(self) -> dict[str, int]:
        return dict(self.query("SELECT month, COUNT(*) FROM contacts WHERE month IS NOT NULL "
                               "GROUP BY month ORDER BY month"))

    _SELECT = ("SELECT id, channel, created_at, customer_id, text, root_cause, evidence, sentiment, sentiment_label, "
               "sentiment_trend, churn_risk, churn_level, escalate, escalation_level, owner, topic, status, "
               "model_version, extra, month, tier, contact_type, resolved, resolved_score, agent_id, team, qa_score, qa_hits, "
               "commitments, handoff, agent_conduct FROM contacts")

    @staticmethod
    def _record(row: tuple) -> dict[str, Any]:
        (id_, channel, created_at, customer_id, text, root_cause, evidence, sentiment, sentiment_label,
         sentiment_trend, churn_risk, churn_level, escalate, escalation_level, owner, topic, status,
         model_version, extra, month, tier, contact_type, resolved, resolved_score, agent_id, team, qa_score, qa_hits,
         commitments, handoff, agent_conduct) = row
        x = json.loads(extra)
        rec = {
            "id": id_, "channel": channel, "created_at": created_at, "customer_id": customer_id, "text": text,
            "contact_type": contact_type, "contact_type_scores": x.pop("contact_type_scores", None),
            "root_cause": root_cause, "root_cause_scores": x.pop("root_cause_scores", None),
            "root_cause_evidence": json.loads(evidence) if evidence else None,
            "sentiment": sentiment, "sentiment_label": sentiment_label,
            "sentiment_start": x.pop("sentiment_start", None), "sentiment_end": x.pop("sentiment_end", None),
            "sentiment_trend": sentiment_trend, "resolved": resolved, "resolved_score": resolved_score,
            "churn_risk": churn_risk, "churn_level": churn_level,
            "churn_reasons": x.pop("churn_reasons", None),
            "escalate": None if escalate is None else bool(escalate), "escalation_level": escalation_level,
            "escalation_reasons": x.pop("escalation_reasons", None), "owner": owner,
            "topics": x.pop("topics", []), "topic_label": topic, "metadata": x.pop("metadata", {}),
            "status": status, "model_version": model_version,
        }
        rec.update(x)  # fields added to the record format later
        if handoff is not None:  # the QA fields, where they were tagged
            rec.update(agent_id=agent_id, team=team, qa_score=qa_score, qa_hits=json.loads(qa_hits or "[]"),
                       commitments=json.loads(commitments or "[]"), handoff=handoff, agent_conduct=agent_conduct)
        order = {k: i for i, k in enumerate(OUTPUT_FIELDS + QA_FIELDS)}
        rec = dict(sorted(rec.items(), key=lambda kv: order.get(kv[0], len(order))))  # the output's order
        rec["month"] = month
        rec["tier"] = tier
        return rec

    def get(self, id: str) -> dict[str, Any] | None:
        """The stored record of contact ``id`` (with ``month`` and ``tier`` added), or None."""
        rows = self.query(self._SELECT + " WHERE id = ?", (str(id),))
        return self._record(rows[0]) if rows else None

    def records(self, month: str | None = None, where: str = "", params: Sequence[Any] = (),
                order: str = "ts, id", limit: int | None = None) -> Iterator[dict[str, Any]]:
        """Stored records (of ``month`` if given), streamed. ``where`` is an extra SQL condition
        on the columns with ``?`` parameters, e.g. ``where="escalate = 1"``."""
        self.flush()
        conds, args = [], []
        if month is not None:
            conds.append("month = ?")
            args.append(check_month(month))
        if where:
            conds.append(f"({where})")
            args.extend(params)
        sql = self._SELECT + (" WHERE " + " AND ".join(conds) if conds else "") + f" ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        for row in self.conn.execute(sql, args):
            yield self._record(row)

    # -- life cycle --------------------------------------------------------------------------
    def close(self) -> None:
        if self.conn is None:
            return
        try:
            if not self.readonly:
                self.flush()
        finally:
            self.conn.close()
            self.conn = None  # type: ignore[assignment]

    @property
    def closed(self) -> bool:
        return self.conn is None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._pending.clear()  # batches already written stay; re-adding replaces them
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.path!r}, tz={self.timezone!r})"


def add_files(paths: Sequence[str | Path], store: str | Path, tz: str | None = None) -> dict[str, Any]:
    """Add the records of JSONL files to a store; returns counts for the CLI to print."""
    for p in paths:
        if not Path(p).is_file():
            raise InputError(f"no such file {p}; give the JSONL output of `voc tag`.")
        if Path(p).suffix.lower() in (".csv", ".xlsx", ".xls", ".tsv"):
            raise InputError(f"{p} is not JSONL; write the tagged output as JSONL (voc tag ... -o out.jsonl) "
                             f"or tag with --store directly.")
    for p in paths:  # every line checked before any is added: a bad line leaves the store as it was
        for _ in read_jsonl(p):
            pass
    with Store(store, tz=tz) as st:
        before = st.count()
        added = 0
        for p in paths:
            added += st.add_many(read_jsonl(p), source=_file_label(p))
        total = st.count()
        undated = st.undated
        months = st.months()
    return {"added": added, "new": total - before, "replaced": added - (total - before), "total": total,
            "undated": undated, "months": months, "store": str(store),
            "replaced_other": st.replaced_other, "replaced_examples": st.replaced_examples}


def _file_label(path: str | Path) -> str:
    """``name@sha1(size, first 64 KiB)[:8]``, as ``voc.io.ids.source_label`` names an input."""
    p = Path(path)
    h = hashlib.sha1(usedforsecurity=False)
    h.update(str(p.stat().st_size).encode() + b"\0")
    with open(p, "rb") as f:
        h.update(f.read(64 * 1024))
    return f"{p.name}@{h.hexdigest()[:8]}"


def purge(store: str | Path, older_than: str | timedelta, now: datetime | None = None) -> dict[str, Any]:
    """Delete contacts older than ``older_than`` from the store at ``store``."""
    if not Path(store).is_file():
        raise InputError(f"no results store at {store}; check the --store path.")
    with Store(store) as st:
        n = st.purge(older_than, now=now)
        left = st.count()
    return {"deleted": n, "left": left, "store": str(store)}
