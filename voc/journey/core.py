"""Customer journeys over the results store: repeat contacts about the same issue, episodes,
channel switching and first-contact resolution (docs/journey.md has the definitions).

The store is read once, ordered by ``(customer_id, ts)`` through the index
``contacts_customer_ts`` (store migration 3); only one customer's contacts are in memory at a
time, plus the aggregates.
"""
from __future__ import annotations

import heapq
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import Any, Callable, Iterator, NamedTuple, Sequence

from ..errors import ConfigError
from ..store import Store, parse_duration

log = logging.getLogger(__name__)

DEFAULT_WINDOW = "7d"
DEFAULT_SIMILARITY = 0.3
# the longest look-back inside one customer's window: a customer id shared by thousands of
# contacts (a placeholder such as "unknown") would otherwise cost a quadratic scan
MAX_LOOKBACK = 200
DIMS = ("month", "channel", "root_cause", "owner", "tier", "contact_type")
# Explicit references back to an earlier contact, on top of the ``unresolved`` cues of
# corpus/lexicons/churn_cues.tsv (多次, 还是没, 再次, 第二次 ...): a contact that says one of them is
# taken to be about the same issue as the customer's previous contact inside the window.
BACK_REFERENCES = ("上次", "上回", "之前反映", "之前投诉", "之前说", "前几天", "已经联系", "已经打过", "又来了")
_PLACEHOLDER = re.compile(r"〔[^〕]*〕")
_NOT_WORD = re.compile(r"[\W_0-9A-Za-z]+")

COLUMNS = ("id", "ts", "customer_id", "created_at", "channel", "contact_type", "root_cause", "topic", "resolved",
           "sentiment_label", "owner", "tier", "month", "text")


class Row(NamedTuple):
    id: str
    ts: int
    customer_id: str
    created_at: str | None
    channel: str | None
    contact_type: str | None
    root_cause: str | None
    topic: str | None
    resolved: str | None
    sentiment_label: str | None
    owner: str | None
    tier: str | None
    month: str | None
    text: str | None


@lru_cache(maxsize=1)
def follow_up_cues() -> tuple[str, ...]:
    """The ``unresolved`` cues of the churn lexicon plus ``BACK_REFERENCES``."""
    from ..lang.cues import cue_rows
    from ..resources import corpus_path

    try:
        cues = [cue for _, label, cue, _ in cue_rows(corpus_path("lexicons", "churn_cues.tsv")) if label == "unresolved"]
    except FileNotFoundError:  # pragma: no cover - the lexicon ships with voc
        cues = []
    return tuple(sorted(set(cues) | set(BACK_REFERENCES), key=lambda c: (-len(c), c)))


def bigrams(text: str | None) -> frozenset[str]:
    """Character bigrams of a redacted text, without placeholders, punctuation, digits and Latin
    letters (order numbers and placeholders would make unrelated texts look alike)."""
    t = _NOT_WORD.sub("", _PLACEHOLDER.sub("", text or ""))
    return frozenset(t[i:i + 2] for i in range(len(t) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def window_seconds(window: str | int | float | timedelta) -> int:
    w = parse_duration(window)
    if w.total_seconds() <= 0:
        raise ConfigError(f"the repeat window {window!r} must be longer than zero; give e.g. 7d or 48h.")
    return int(w.total_seconds())


class Issue:
    """How two contacts of one customer are judged to be about the same issue."""

    def __init__(self, similarity: float = DEFAULT_SIMILARITY):
        if not 0 < similarity <= 1:
            raise ConfigError(f"the text similarity threshold must be in (0, 1], not {similarity}; give e.g. 0.3.")
        self.similarity = similarity
        self.cues = follow_up_cues()

    def same(self, a: Row, b: Row, a_bigrams, b_bigrams, b_follows_a: bool, b_text=None) -> str | None:
        """Why ``b`` (later) is about the same issue as ``a``, or None: ``cause`` (same root cause,
        not other), ``topic`` (same topic), ``text`` (char-bigram Jaccard >= similarity),
        ``follow-up`` (``b`` is the customer's next contact after ``a`` and refers back)."""
        if a.root_cause and a.root_cause == b.root_cause and a.root_cause != "other":
            return "cause"
        if a.topic and a.topic == b.topic:
            return "topic"
        if jaccard(a_bigrams(), b_bigrams()) >= self.similarity:
            return "text"
        if b_follows_a:
            text = b_text() if b_text is not None else b.text
            if text and any(c in text for c in self.cues):
                return "follow-up"
        return None


@dataclass
class Link:
    """``b`` is a repeat of ``a``: the latest earlier contact of the customer within the window
    about the same issue."""

    customer_id: str
    a: str
    b: str
    reason: str
    gap_s: int
    channel_a: str | None
    channel_b: str | None


@dataclass
class Contact:
    """One contact in a customer's journey (``Journey.contacts``), with its links."""

    row: Row
    repeat_of: str | None = None  # id of the contact it repeats
    reason: str | None = None
    repeated: bool = False        # a later contact within the window is about the same issue
    episode: str = ""             # id of the first contact of its issue
    step: int = 1                 # position inside the episode
    fcr: str | None = None        # first contacts only: yes | no | unclear | untagged | open

    def record(self, tz=None) -> dict[str, Any]:
        r = self.row
        return {"id": r.id, "created_at": r.created_at, "channel": r.channel, "contact_type": r.contact_type,
                "root_cause": r.root_cause, "topic": r.topic, "sentiment_label": r.sentiment_label,
                "resolved": r.resolved, "owner": r.owner, "tier": r.tier, "month": r.month,
                "repeat_of": self.repeat_of, "same_issue": self.reason, "episode": self.episode, "step": self.step,
                "first_contact_resolution": self.fcr, "text": r.text}


def link_customer(rows: Sequence[Row], window_s: int, issue: Issue, horizon: int | None,
                  text_of: Callable[[str], str | None] | None = None) -> list[Contact]:
    """Link one customer's contacts (ordered by time): repeats, episodes, FCR of first contacts.

    ``horizon``: the latest time the data covers; a first contact whose window reaches past it
    and that has no repeat yet is ``open`` (its outcome is not known yet). ``text_of(id)``:
    reads a contact's text when the rows were streamed without it (only pairs that the cause
    and topic rules leave undecided need it)."""
    out = [Contact(r) for r in rows]
    cache: dict[int, frozenset[str]] = {}
    texts: dict[int, str | None] = {}

    def text(i: int) -> str | None:
        if i not in texts:
            r = rows[i]
            texts[i] = r.text if r.text is not None or text_of is None else text_of(r.id)
        return texts[i]

    def grams(i: int):
        def get():
            g = cache.get(i)
            if g is None:
                g = cache[i] = bigrams(text(i))
            return g
        return get

    start = 0
    for j, b in enumerate(rows):
        while rows[start].ts < b.ts - window_s:
            start += 1
        lo = max(start, j - MAX_LOOKBACK)
        for i in range(j - 1, lo - 1, -1):
            reason = issue.same(rows[i], b, grams(i), grams(j), i == j - 1, lambda: text(j))
            if reason is None:
                continue
            out[i].repeated = True
            if out[j].repeat_of is None:  # the latest earlier contact about the same issue
                out[j].repeat_of, out[j].reason = rows[i].id, reason
                out[j].episode, out[j].step = out[i].episode, out[i].step + 1
        if out[j].repeat_of is None:
            out[j].episode = b.id
    for c in out:
        if c.repeat_of is None:
            c.fcr = fcr_outcome(c.row, c.repeated, window_s, horizon)
    return out


def fcr_outcome(row: Row, repeated: bool, window_s: int, horizon: int | None) -> str:
    """yes | no | unclear | untagged | open for a first contact (docs/journey.md)."""
    r = row.resolved
    if repeated:
        return "no"
    if r not in ("yes", "no"):
        return "untagged" if r is None else "unclear"
    if horizon is not None and row.ts + window_s > horizon:
        return "open"
    return r


def _where(since: int | None, until: int | None, where: str) -> str:
    conds = ["customer_id IS NOT NULL", "ts IS NOT NULL"]
    if since is not None:
        conds.append("ts >= ?")
    if until is not None:
        conds.append("ts < ?")
    if where:
        conds.append(f"({where})")
    return " AND ".join(conds)


def customers(store: Store, *, since: int | None = None, until: int | None = None, where: str = "",
              params: Sequence[Any] = (), customer: str | None = None, with_text: bool = False
              ) -> Iterator[list[Row]]:
    """Each customer's contacts in time order (``since``/``until``: Unix seconds), streamed
    in customer order from the store; without ``with_text``, ``created_at`` and ``text`` are
    None (the scan then reads the covering index only)."""
    cond = _where(since, until, where)
    args: list[Any] = [v for v in (since, until) if v is not None] + list(params)
    if customer is not None:
        cond += " AND customer_id = ?"
        args.append(customer)
    cols = COLUMNS if with_text else tuple("NULL" if c in ("created_at", "text") else c for c in COLUMNS)
    sql = (f"SELECT {', '.join(cols)} FROM contacts INDEXED BY contacts_customer_ts WHERE {cond} "
           "ORDER BY customer_id, ts, id")
    group: list[Row] = []
    for t in store.iter_query(sql, args):
        row = Row(*t)
        if group and row.customer_id != group[0].customer_id:
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def horizon_of(store: Store) -> int | None:
    return store.query("SELECT MAX(ts) FROM contacts")[0][0]


@dataclass
class Journey:
    """One customer's timeline."""

    customer_id: str
    contacts: list[Contact]

    @property
    def repeats(self) -> int:
        return sum(c.repeat_of is not None for c in self.contacts)

    def records(self) -> list[dict[str, Any]]:
        return [c.record() for c in self.contacts]


def journeys(store: Store, window: str | int | timedelta = DEFAULT_WINDOW, similarity: float = DEFAULT_SIMILARITY, *,
             customer: str | None = None, since: int | None = None, until: int | None = None, where: str = "",
             params: Sequence[Any] = ()) -> Iterator[Journey]:
    """Every customer's journey (or one ``customer``'s), streamed."""
    w, issue, horizon = window_seconds(window), Issue(similarity), horizon_of(store)
    for rows in customers(store, since=since, until=until, where=where, params=params, customer=customer,
                          with_text=True):
        yield Journey(rows[0].customer_id, link_customer(rows, w, issue, horizon))


# -- aggregates -------------------------------------------------------------------------------
def _blank() -> dict[str, int]:
    return {"contacts": 0, "repeats": 0, "first": 0, "fcr": 0, "not_fcr": 0, "unclear": 0, "untagged": 0, "open": 0}


@dataclass
class Stats:
    """Journey and FCR figures over a store (``analyse``)."""

    window_s: int
    similarity: float
    contacts: int = 0
    customers: int = 0
    returning: int = 0          # customers with two or more contacts
    repeats: int = 0            # contacts that repeat an earlier contact about the same issue
    episodes: int = 0           # issues (first contacts)
    fcr: int = 0
    not_fcr: int = 0
    unclear: int = 0
    untagged: int = 0
    open: int = 0
    switches: int = 0           # repeat links whose channel differs
    reasons: dict[str, int] = field(default_factory=dict)
    paths: dict[tuple, int] = field(default_factory=dict)      # (channel a, channel b) -> links
    lengths: dict[int, int] = field(default_factory=dict)      # contacts per episode -> episodes
    resolved_lengths: dict[int, int] = field(default_factory=dict)  # episodes that end resolved
    by: dict[str, dict[Any, dict[str, int]]] = field(default_factory=dict)
    longest: list[tuple] = field(default_factory=list)         # (contacts, customer, [ids])
    unlinked: int = 0           # contacts without a customer id or a readable time

    @property
    def eligible(self) -> int:
        return self.fcr + self.not_fcr

    @property
    def fcr_rate(self) -> float | None:
        return self.fcr / self.eligible if self.eligible else None

    @property
    def repeat_rate(self) -> float | None:
        return self.repeats / self.contacts if self.contacts else None

    @property
    def contacts_per_resolution(self) -> float | None:
        n = sum(self.resolved_lengths.values())
        return sum(k * v for k, v in self.resolved_lengths.items()) / n if n else None

    def summary(self) -> dict[str, Any]:
        return {"window_days": self.window_s / 86400, "similarity": self.similarity, "contacts": self.contacts,
                "customers": self.customers, "returning_customers": self.returning, "repeats": self.repeats,
                "repeat_rate": self.repeat_rate, "issues": self.episodes, "fcr": self.fcr, "not_fcr": self.not_fcr,
                "fcr_rate": self.fcr_rate, "unclear": self.unclear, "untagged": self.untagged, "open": self.open,
                "channel_switches": self.switches, "same_issue_by": dict(sorted(self.reasons.items())),
                "contacts_per_resolution": self.contacts_per_resolution,
                "unlinked_contacts": self.unlinked,
                "channel_paths": [{"from": a, "to": b, "links": n} for (a, b), n in
                                  sorted(self.paths.items(), key=lambda kv: (-kv[1], str(kv[0])))[:20]]}

    def table(self, dim: str, month: str | None = None) -> list[dict[str, Any]]:
        """Per value of ``dim`` (month, channel, root_cause, owner, tier, contact_type): contacts,
        repeats and repeat rate (by the contact's own value), first contacts and FCR (by the
        first contact's value); of the contacts of ``month`` only, if given."""
        out = []
        if month is not None:
            values = {v: d for (m, v), d in self.by.get(f"month+{dim}", {}).items() if m == month}
        else:
            values = self.by.get(dim, {})
        for v, d in values.items():
            elig = d["fcr"] + d["not_fcr"]
            out.append({dim: v, **d, "repeat_rate": d["repeats"] / d["contacts"] if d["contacts"] else None,
                        "fcr_rate": d["fcr"] / elig if elig else None})
        if dim == "month":
            return sorted(out, key=lambda r: str(r[dim]))
        return sorted(out, key=lambda r: (-r["contacts"], str(r[dim])))


_KEY = {"yes": "fcr", "no": "not_fcr", "unclear": "unclear", "untagged": "untagged", "open": "open"}


def _add(stats: Stats, r: Row, repeat: bool, fcr: str | None) -> None:
    key = "repeats" if repeat else _KEY[fcr]
    by = stats.by
    for dim in DIMS:
        value = getattr(r, dim)
        _count(by.setdefault(dim, {}), value, key, repeat)
        if dim != "month":
            _count(by.setdefault(f"month+{dim}", {}), (r.month, value), key, repeat)


def _count(table: dict[Any, dict[str, int]], value: Any, key: str, repeat: bool) -> None:
    d = table.get(value)
    if d is None:
        d = table[value] = _blank()
    d["contacts"] += 1
    d[key] += 1
    if not repeat:
        d["first"] += 1


def _first(stats: Stats, fcr: str) -> None:
    name = _KEY[fcr]
    setattr(stats, name, getattr(stats, name) + 1)


def analyse(store: Store, window: str | int | timedelta = DEFAULT_WINDOW, similarity: float = DEFAULT_SIMILARITY,
            *, since: int | None = None, until: int | None = None, where: str = "", params: Sequence[Any] = (),
            top: int = 5, longest_month: str | None = None) -> Stats:
    """Journey and FCR figures over the store (contacts with ``since <= ts < until`` if given);
    ``longest``: the ``top`` issues that took the most contacts (that began in ``longest_month``)."""
    w, issue, horizon = window_seconds(window), Issue(similarity), horizon_of(store)
    stats = Stats(w, similarity)
    heap: list[tuple] = []
    def text_of(id: str) -> str | None:
        found = store.query("SELECT text FROM contacts WHERE id = ?", (id,))
        return found[0][0] if found else None

    for rows in customers(store, since=since, until=until, where=where, params=params):
        if len(rows) == 1:  # most customers: no links to look for
            r = rows[0]
            fcr = fcr_outcome(r, False, w, horizon)
            stats.customers += 1
            stats.contacts += 1
            stats.episodes += 1
            _first(stats, fcr)
            _add(stats, r, False, fcr)
            stats.lengths[1] = stats.lengths.get(1, 0) + 1
            if r.resolved == "yes":
                stats.resolved_lengths[1] = stats.resolved_lengths.get(1, 0) + 1
            continue
        linked = link_customer(rows, w, issue, horizon, text_of)
        stats.customers += 1
        stats.contacts += len(linked)
        if len(linked) > 1:
            stats.returning += 1
        by_id = {c.row.id: c for c in linked} if len(linked) > 1 else {}
        episodes: dict[str, list[Contact]] = {}
        for c in linked:
            _add(stats, c.row, c.repeat_of is not None, c.fcr)
            episodes.setdefault(c.episode, []).append(c)
            if c.repeat_of is None:
                stats.episodes += 1
                _first(stats, c.fcr)
                continue
            stats.repeats += 1
            stats.reasons[c.reason] = stats.reasons.get(c.reason, 0) + 1
            a = by_id[c.repeat_of].row
            if (a.channel or "") != (c.row.channel or ""):
                stats.switches += 1
                key = (a.channel, c.row.channel)
                stats.paths[key] = stats.paths.get(key, 0) + 1
        for ep in episodes.values():
            n = len(ep)
            stats.lengths[n] = stats.lengths.get(n, 0) + 1
            if ep[-1].row.resolved == "yes":
                stats.resolved_lengths[n] = stats.resolved_lengths.get(n, 0) + 1
            if n > 1 and (longest_month is None or ep[0].row.month == longest_month):
                item = (n, ep[-1].row.ts - ep[0].row.ts, rows[0].customer_id, [c.row.id for c in ep])
                if len(heap) < top:
                    heapq.heappush(heap, item)
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)
    stats.longest = sorted(heap, key=lambda t: (-t[0], -t[1], t[2]))
    cond = "customer_id IS NULL OR ts IS NULL"
    args: list[Any] = []
    if since is not None:
        cond, args = f"({cond}) AND (ts IS NULL OR ts >= ?)", [since]
    if until is not None:
        cond, args = f"({cond}) AND (ts IS NULL OR ts < ?)", [*args, until]
    if where:
        cond, args = f"({cond}) AND ({where})", [*args, *params]
    stats.unlinked = store.query(f"SELECT COUNT(*) FROM contacts WHERE {cond}", args)[0][0]
    return stats

