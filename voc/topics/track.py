"""Month-over-month topic tracking and emerging issues.

``track(rows, model)`` takes one row per contact — ``(period, tokens, topics)`` — so any
source can feed it: input files (``voc.reports.topics.track_files``, behind ``voc topics
track``), tagged contacts, or the results store (``period`` from ``created_at``, ``tokens`` may be None when
only the stored topic weights are known). It reports, period by period:

* **topics**: the volume (contacts whose top topic it is) and share of every topic of the
  model, with a status against the previous periods (``window`` of them, pooled): ``new``,
  ``growing``, ``shrinking``, ``gone`` or ``stable``, from a log-likelihood ratio test (G²,
  1 degree of freedom; p-values adjusted over the period's topics with Benjamini–Hochberg);
* **alignment**: when tokens are given and ``refit`` is on, a topic model is fitted on each
  period alone and its topics are matched to the reference (the model's topics plus topics
  first seen in earlier periods, or the previous period's topics): ``same``, ``renamed``
  (same topic, different top terms), ``merged`` (one topic now covers several), ``split``,
  ``new`` (matches nothing), and reference topics that no period topic matches are ``gone``;
* **emerging**: terms (words, phrases and 2–3-token sequences) whose share of contacts rose
  significantly versus the previous periods (G², BH-adjusted p, ratio of shares), grouped
  by co-occurrence into issues labelled by their top terms (「本月新出现: 套餐被改/未经同意」),
  and period topics that match no reference topic and rose significantly.

The first period has no previous periods: it is the baseline and nothing in it is flagged.
"""
from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from typing import Any, Iterable, Mapping, Sequence

from ..errors import ConfigError, InputError
from ..lang.stats import g2_test

log = logging.getLogger(__name__)

SHANGHAI = timezone(timedelta(hours=8))
PERIODS = ("month", "week")


# -- periods ----------------------------------------------------------------------------------
def period_of(created_at: Any, by: str = "month") -> str | None:
    """``YYYY-MM`` (or ISO week ``YYYY-Www``) of a timestamp in Asia/Shanghai; None if unknown.

    Timestamps without an offset are taken as Shanghai time (as the readers do)."""
    from ..io.readers import to_datetime

    dt = to_datetime(created_at)
    if dt is None:
        return None
    dt = dt.astimezone(SHANGHAI)
    if by == "month":
        return f"{dt.year:04d}-{dt.month:02d}"
    if by == "week":
        y, w, _ = dt.isocalendar()
        return f"{y:04d}-W{w:02d}"
    raise ConfigError(f"cannot group by {by!r}; use one of {', '.join(PERIODS)}.")


# -- statistics ---------------------------------------------------------------------------------
def bh_adjust(pvalues: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (same order as given)."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: (pvalues[i], i))
    adj = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, pvalues[i] * m / rank)
        adj[i] = min(1.0, running)
    return adj


def _p(v: float) -> float:
    return float(f"{v:.3g}")


def _r(v: float, nd: int = 4) -> float:
    return v if math.isnan(v) or math.isinf(v) else float(round(v, nd))  # keep nan/inf as is


# -- topic alignment ----------------------------------------------------------------------------
def _vec(topic: Mapping[str, Any] | Sequence, n: int = 30) -> dict[str, float]:
    terms = topic["terms"] if isinstance(topic, Mapping) else topic
    return {str(w): float(p) for w, p in list(terms)[:n]}


def topic_similarity(t1, t2, n: int = 30) -> float:
    """Cosine similarity of two topics' top-``n`` term weights (terms compared as strings,
    so topics of models with different vocabularies can be compared)."""
    a, b = _vec(t1, n), _vec(t2, n)
    dot = sum(v * b[w] for w, v in a.items() if w in b)
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def align_topics(reference: Sequence[Mapping[str, Any]], current: Sequence[Mapping[str, Any]], *,
                 threshold: float = 0.3) -> dict[str, Any]:
    """Match the topics of ``current`` to those of ``reference`` (each a dict with ``id``,
    ``label`` and ``terms`` [[term, weight], ...]).

    Every reference topic goes to its most similar current topic when the similarity is at
    least ``threshold``. A current topic that receives one reference topic is ``same`` (or
    ``renamed`` when its label starts with another term or shares fewer than two of its
    terms with the reference label), several is ``merged``, none but is itself most
    similar to a reference topic taken by another is ``split``, none at all is ``new``.
    Reference topics that no current topic matches are ``gone``.
    """
    sim = [[topic_similarity(r, c) for c in current] for r in reference]
    best_cur = {}
    for i, row in enumerate(sim):
        if row:
            j = max(range(len(row)), key=lambda j: (round(row[j], 9), -j))
            if row[j] >= threshold:
                best_cur[i] = j
    matched: list[dict[str, Any]] = []
    for j, c in enumerate(current):
        refs = sorted(i for i, jj in best_cur.items() if jj == j)
        col = [sim[i][j] for i in range(len(reference))]
        best_ref = max(range(len(col)), key=lambda i: (round(col[i], 9), -i)) if col else None
        if len(refs) >= 2:
            status = "merged"
        elif len(refs) == 1:
            status = "same" if _same_label(reference[refs[0]].get("label"), c.get("label")) else "renamed"
        elif best_ref is not None and col[best_ref] >= threshold:
            status, refs = "split", [best_ref]
        else:
            status = "new"
        matched.append({
            "topic": c.get("id", j), "label": c.get("label"), "status": status,
            "reference": [reference[i].get("id", i) for i in refs],
            "reference_labels": [reference[i].get("label") for i in refs],
            "similarity": _r(max((sim[i][j] for i in refs), default=col[best_ref] if col else 0.0)),
        })
    gone = [{"reference": reference[i].get("id", i), "label": reference[i].get("label"),
             "similarity": _r(max(sim[i], default=0.0))}
            for i in range(len(reference)) if i not in best_cur]
    return {"topics": matched, "gone": gone}


def _same_label(a: str | None, b: str | None) -> bool:
    ta, tb = (a or "").split("/"), (b or "").split("/")
    return ta[0] == tb[0] and len(set(ta) & set(tb)) >= min(2, len(ta), len(tb))


# -- emerging terms ------------------------------------------------------------------------------
def candidate_terms(tokens: Sequence[str], model=None) -> set[str]:
    """The terms tested for emergence in one contact: its topic terms (phrases included)
    and the sequences of 2 and 3 consecutive cleaned tokens (so 套餐 被 改 gives 套餐被改
    even when no phrase was learned for it), except those that start with a one-character
    token followed by a longer one (费 没 is not a term)."""
    from .model import TOPIC_STOPWORDS, clean_tokens

    stop = model.stopwords_ if model is not None else TOPIC_STOPWORDS
    cleaned = clean_tokens(tokens, stop)
    merged = model.phrases_(cleaned) if model is not None and getattr(model, "phrases_", None) else cleaned
    out = {w for w in merged if len(w) >= 2}
    n = len(cleaned)
    for size in (2, 3):
        for i in range(n - size + 1):
            parts = cleaned[i:i + size]
            # no sequence that starts with a one-character token, unless all are (被 改 -> 被改)
            if len(parts[0]) == 1 and any(len(x) > 1 for x in parts):
                continue
            g = "".join(parts)
            if len(g) <= 10:
                out.add(g)
    return out


def emerging_terms(periods: Sequence[str], docs: Mapping[str, Sequence[set[str]]], *, window: int = 3,
                   alpha: float = 0.001, min_count: int = 5, min_ratio: float = 3.0, top: int = 30,
                   max_issues: int = 10) -> dict[str, dict[str, Any]]:
    """Terms whose share of contacts rose significantly in a period versus the ``window``
    previous periods, and the issues they form.

    ``docs[period]`` is a list of term sets, one per contact. A term is tested in a period
    when at least ``min_count`` contacts there use it; it is emerging when its
    BH-adjusted p-value is below ``alpha`` and its share rose at least ``min_ratio`` times.
    Emerging terms that mostly occur in the same contacts form one issue, labelled with up
    to three of its terms; an issue is ``new`` when its terms were (nearly) absent before.
    """
    out: dict[str, dict[str, Any]] = {}
    df = {p: Counter(t for d in docs[p] for t in d) for p in periods}
    for idx, p in enumerate(periods):
        base = list(periods[max(0, idx - window):idx])
        n1 = len(docs[p])
        n0 = sum(len(docs[q]) for q in base)
        if not base or n1 == 0 or n0 == 0:
            out[p] = {"baseline": base, "tested": 0, "terms": [], "issues": []}
            continue
        tested = []
        for term, a in df[p].items():
            if a < min_count:
                continue
            b = sum(df[q].get(term, 0) for q in base)
            g2, pv, ratio = g2_test(a, n1, b, n0)
            tested.append((term, a, b, g2, pv, ratio))
        adj = bh_adjust([t[4] for t in tested])
        rows = []
        for (term, a, b, g2, pv, ratio), q in zip(tested, adj):
            if q < alpha and ratio >= min_ratio:
                rows.append({"term": term, "count": a, "share": _r(a / n1), "baseline_count": b,
                             "baseline_share": _r(b / n0, 5), "ratio": _r(ratio, 2), "g2": _r(g2, 1),
                             "p_value": _p(pv), "p_adj": _p(q)})
        rows.sort(key=lambda r: (-r["g2"], r["term"]))
        where = _where(rows, docs[p])
        issues = _issues(_maximal(rows, where), where, docs, base, n1, n0, max_issues)
        out[p] = {"baseline": base, "tested": len(tested), "terms": rows[:top], "issues": issues}
    return out


def _maximal(rows: list[dict[str, Any]], where: Mapping[str, set[int]]) -> list[dict[str, Any]]:
    """Drop a term whose contacts mostly (80%) also have a longer emerging term containing
    it (权益 inside 数字权益): the longer one is the unit the customers write."""
    terms = [r["term"] for r in rows]
    return [r for r in rows if not any(
        t != r["term"] and r["term"] in t and len(where[t] & where[r["term"]]) >= 0.8 * len(where[r["term"]])
        for t in terms)]


def _where(rows: list[dict[str, Any]], period_docs: Sequence[set[str]]) -> dict[str, set[int]]:
    """The contacts (positions) of the period that use each term of ``rows``."""
    wanted = {r["term"] for r in rows}
    where: dict[str, set[int]] = {t: set() for t in wanted}
    for i, d in enumerate(period_docs):
        for t in d & wanted:
            where[t].add(i)
    return where


def _issues(rows, where, docs, base, n1, n0, max_issues: int) -> list[dict[str, Any]]:
    """Group emerging terms that co-occur in the period's contacts; label each group."""
    if not rows:
        return []
    terms = [r["term"] for r in rows]
    by_term = {r["term"]: r for r in rows}
    left = list(terms)
    issues = []
    while left and len(issues) < max_issues:
        seed = left[0]
        group = [t for t in left if t == seed or len(where[t] & where[seed]) >= 0.5 * len(where[t])]
        left = [t for t in left if t not in group]
        label_terms = _label_terms(group, by_term, where)
        members = set().union(*(where[t] for t in label_terms))
        a = len(members)
        b = sum(1 for q in base for d in docs[q] if d & set(label_terms))
        g2, pv, ratio = g2_test(a, n1, b, n0)
        issues.append({
            "label": "/".join(label_terms), "terms": group[:10], "count": a, "share": _r(a / n1),
            "baseline_count": b, "baseline_share": _r(b / n0, 5), "ratio": _r(ratio, 2), "g2": _r(g2, 1),
            "p_value": _p(pv), "status": "new" if b / n0 < 0.1 * a / n1 and b <= max(2, 0.002 * n0) else "rising",
        })
    return issues


def _overlap(a: str, b: str) -> bool:
    """Whether two terms share two consecutive characters (权益费没 and 数字权益费 do)."""
    return any(a[i:i + 2] in b for i in range(len(a) - 1))


def _label_terms(group: list[str], by_term: Mapping[str, Mapping[str, Any]], where, n: int = 3) -> list[str]:
    """Up to ``n`` terms of a group, strongest first. A term inside one already chosen is
    skipped; a longer term that covers most (70%) of the contacts of a chosen term it
    contains replaces it (未经 -> 未经同意); a term that overlaps a chosen one (shares two
    characters) is skipped; a chosen term inside another is dropped at the end."""
    chosen: list[str] = []
    for t in group[:15]:
        if any(t in c for c in chosen):
            continue
        inside = [c for c in chosen if c in t]
        if inside:
            repl = [c for c in inside if len(where[t]) >= 0.7 * len(where[c])]
            if repl:
                chosen[chosen.index(repl[0])] = t
                chosen = [c for c in chosen if c not in repl[1:]]
            continue
        if any(_overlap(t, c) for c in chosen):
            continue
        if len(chosen) < n:
            chosen.append(t)
    return [c for c in chosen if not any(c != o and c in o for o in chosen)]


# -- the report ----------------------------------------------------------------------------------
@dataclass
class TrackReport:
    by: str
    periods: list[str]
    contacts: dict[str, int]
    topics: list[dict[str, Any]]
    emerging: dict[str, dict[str, Any]]
    alignment: dict[str, dict[str, Any]] = field(default_factory=dict)
    new_topics: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"by": self.by, "periods": self.periods, "contacts": self.contacts, "model": self.model,
                "settings": self.settings, "skipped": self.skipped, "topics": self.topics,
                "emerging": self.emerging, "new_topics": self.new_topics, "alignment": self.alignment}

    def headlines(self, period: str) -> list[str]:
        """One line per emerging issue of a period (「本月新出现: 套餐被改/未经同意」)."""
        word = "本月" if self.by == "month" else "本周"
        lines = []
        for issue in self.emerging.get(period, {}).get("issues", []):
            kind = "新出现" if issue["status"] == "new" else "显著上升"
            lines.append(f"{word}{kind}: {issue['label']} ({issue['count']} contacts, {issue['share']:.1%}, "
                         f"before {issue['baseline_share']:.2%}, G2 {issue['g2']}, p {issue['p_value']:.2g})")
        for t in self.new_topics.get(period, []):
            if t.get("emerging"):
                lines.append(f"{word}新话题: {t['label']} ({t['count']} contacts, {t['share']:.1%}, "
                             f"before {t['baseline_share']:.2%}, p {t['p_value']:.2g})")
        for t in self.topics:
            st = t["by_period"].get(period, {})
            if st.get("status") in ("growing", "new"):
                lines.append(f"{word}话题上升: {t['label']} (share {st['share']:.1%}, x{st['ratio']}, "
                             f"p {st['p_adj']:.2g})")
        return lines

    def to_text(self, max_topics: int = 30) -> str:
        out = [f"contacts by {self.by}: " + ", ".join(f"{p} {self.contacts[p]}" for p in self.periods)]
        if self.skipped:
            out.append("skipped: " + ", ".join(f"{k} {v}" for k, v in self.skipped.items()))
        out.append("")
        for p in self.periods[1:]:
            lines = self.headlines(p)
            out.append(f"[{p}] " + ("nothing emerging" if not lines else lines[0]))
            out.extend(f"[{p}] {ln}" for ln in lines[1:])
        out.append("")
        width = max(7, *(len(p) for p in self.periods)) + 2
        out.append(f"{'id':>4}  {'label':<24}" + "".join(f"{p:>{width + 4}}" for p in self.periods))
        for t in self.topics[:max_topics]:
            cells = []
            for p in self.periods:
                st = t["by_period"].get(p, {})
                mark = {"growing": "+", "shrinking": "-", "new": "N", "gone": "x"}.get(st.get("status"), " ")
                cells.append(f"{st.get('volume', 0):>6} {st.get('share', 0):>5.1%}{mark}".rjust(width + 4))
            out.append(f"{str(t['id']):>4}  {_pad(t['label'], 24)}" + "".join(cells))
        out.append("(share of contacts with a topic; + growing, - shrinking, N new, x gone vs previous periods)")
        return "\n".join(out)


def _pad(s: str, width: int) -> str:
    from .model import _pad as pad

    return pad(s, width)


# -- tracking ------------------------------------------------------------------------------------
Row = tuple  # (period, tokens | None, topics | None)


def track(rows: Iterable[Row], model=None, *, by: str = "month", reference: str = "model", refit: bool = True,
          window: int = 3, alpha: float = 0.01, term_alpha: float = 0.001, min_count: int = 5,
          min_ratio: float = 1.5, term_min_ratio: float = 3.0, align_threshold: float = 0.3,
          min_period_contacts: int = 300, seed: int = 1) -> TrackReport:
    """Track topics period by period from ``(period, tokens, topics)`` rows.

    ``tokens`` are the contact's customer tokens (the ``tokens`` field) or None; ``topics``
    its ``[topic, weight]`` pairs or None (then inferred from the tokens with ``model``).
    ``reference`` is what each period's own topics are aligned to: ``"model"`` (the model's
    topics, plus topics first seen in earlier periods) or ``"previous"`` (the previous
    period's topics). See the module docstring for the statuses and tests.
    """
    if reference not in ("model", "previous"):
        raise ConfigError(f"reference must be 'model' or 'previous', not {reference!r}.")
    by_period: dict[str, list[tuple[Sequence[str] | None, Sequence | None]]] = defaultdict(list)
    skipped = Counter()
    for row in rows:
        period, tokens, topics = row[0], row[1], row[2] if len(row) > 2 else None
        if not period:
            skipped["no date"] += 1
            continue
        by_period[str(period)].append((tokens, topics))
    periods = sorted(by_period)
    if not periods:
        raise InputError("no contact has a date; track needs created_at (a time column) to group by "
                         f"{by}.")
    # topics of every contact
    topics_of: dict[str, list[tuple]] = {}
    for p in periods:
        items = by_period[p]
        need = [i for i, (tok, top) in enumerate(items) if top is None]
        inferred: dict[int, tuple] = {}
        if need:
            if model is None:
                raise ConfigError("rows without topics need a topic model; pass model= (voc.topics.TopicModel).")
            got = model.assign([items[i][0] or () for i in need])
            inferred = dict(zip(need, got))
        topics_of[p] = [tuple(tuple(x) for x in (top if top is not None else inferred[i]))
                        for i, (tok, top) in enumerate(items)]
    contacts = {p: len(by_period[p]) for p in periods}
    has_tokens = all(tok is not None for p in periods for tok, _ in by_period[p])

    topic_rows = _topic_table(periods, topics_of, model, window=window, alpha=alpha, min_count=min_count,
                              min_ratio=min_ratio)
    emerging: dict[str, dict[str, Any]] = {}
    alignment: dict[str, dict[str, Any]] = {}
    new_topics: dict[str, list[dict[str, Any]]] = {}
    if has_tokens:
        cand = {p: [candidate_terms(tok or (), model) for tok, _ in by_period[p]] for p in periods}
        emerging = emerging_terms(periods, cand, window=window, alpha=term_alpha, min_count=min_count,
                                  min_ratio=term_min_ratio)
        if refit and model is not None:
            alignment, new_topics = _align_periods(periods, by_period, model, reference=reference, window=window,
                                                   alpha=alpha, threshold=align_threshold,
                                                   min_contacts=min_period_contacts, seed=seed,
                                                   min_ratio=term_min_ratio)
    info = {}
    if model is not None:
        info = {"name": getattr(model, "name_", None), "version": getattr(model, "version_", None),
                "folder": str(getattr(model, "folder_", "")) or None, "num_topics": model.k_}
    settings = {"reference": reference, "refit": bool(refit and has_tokens and model is not None), "window": window,
                "alpha": alpha, "term_alpha": term_alpha, "min_count": min_count, "min_ratio": min_ratio,
                "term_min_ratio": term_min_ratio, "align_threshold": align_threshold, "test": "G2 log-likelihood "
                "ratio, 1 df, Benjamini-Hochberg adjusted"}
    return TrackReport(by=by, periods=periods, contacts=contacts, topics=topic_rows, emerging=emerging,
                       alignment=alignment, new_topics=new_topics, model=info, settings=settings,
                       skipped=dict(skipped))


def _topic_table(periods, topics_of, model, *, window, alpha, min_count, min_ratio) -> list[dict[str, Any]]:
    """Volume, share and status of every topic of the model in every period."""
    ids: set[int] = set()
    vol: dict[str, Counter] = {}
    n_with: dict[str, int] = {}
    for p in periods:
        c = Counter(t[0][0] for t in topics_of[p] if t)
        vol[p] = c
        n_with[p] = sum(1 for t in topics_of[p] if t)
        ids |= set(c)
    if model is not None:
        ids |= set(range(model.k_))
    ids_sorted = sorted(ids)
    labels = {k: (model.label(k) if model is not None and k < model.k_ else str(k)) for k in ids_sorted}
    rows = {k: {"id": k, "label": labels[k], "by_period": {}} for k in ids_sorted}
    for idx, p in enumerate(periods):
        base = periods[max(0, idx - window):idx]
        n1 = n_with[p]
        n0 = sum(n_with[q] for q in base)
        tests = []
        for k in ids_sorted:
            a = vol[p].get(k, 0)
            b = sum(vol[q].get(k, 0) for q in base)
            entry = {"volume": a, "share": _r(a / n1) if n1 else 0.0}
            if base and n1 and n0:
                g2, pv, ratio = g2_test(a, n1, b, n0)
                entry.update(baseline_share=_r(b / n0), ratio=_r(ratio, 2), g2=_r(g2, 1), p_value=_p(pv))
                tests.append((k, a, b, pv, ratio))
            rows[k]["by_period"][p] = entry
        adj = bh_adjust([t[3] for t in tests])
        for (k, a, b, pv, ratio), q in zip(tests, adj):
            entry = rows[k]["by_period"][p]
            entry["p_adj"] = _p(q)
            sig = q < alpha
            if sig and b == 0 and a >= min_count:
                status = "new"
            elif sig and b >= min_count and a / n1 <= 0.1 * b / n0:
                status = "gone"
            elif sig and ratio >= min_ratio and a >= min_count:
                status = "growing"
            elif sig and ratio <= 1 / min_ratio:
                status = "shrinking"
            else:
                status = "stable"
            entry["status"] = status
        if not base:
            for k in ids_sorted:
                rows[k]["by_period"][p]["status"] = "baseline"
    out = list(rows.values())
    last = periods[-1]
    out.sort(key=lambda r: (-r["by_period"][last]["volume"], r["id"]))
    return out


def _topic_entries(m, prefix: str = "") -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{t['id']}" if prefix else t["id"], "label": t["label"], "terms": t["terms"]}
            for t in m.topics_]


def _align_periods(periods, by_period, model, *, reference, window, alpha, threshold, min_contacts, seed,
                   min_ratio):
    """Fit a topic model on each period alone and align it to the reference."""
    from .fit import fit
    from .model import TopicModel

    alignment: dict[str, dict[str, Any]] = {}
    new_topics: dict[str, list[dict[str, Any]]] = {}
    ref = _topic_entries(model)
    known_new: list[dict[str, Any]] = []
    prev_entries = ref
    for idx, p in enumerate(periods):
        toks = [tok or () for tok, _ in by_period[p]]
        if len(toks) < min_contacts:
            alignment[p] = {"skipped": f"fewer than {min_contacts} contacts"}
            continue
        # room for new issues: a few more topics than the reference (at most one per 30 contacts)
        k = int(max(2, min(model.k_ + max(2, model.k_ // 4), len(toks) // 30)))
        pm = TopicModel(num_topics=k, seed=seed, stopwords=model.stopwords_, phrases=model.phrases_, no_below=3,
                        no_above=0.3, alpha="symmetric", min_terms=2, chunksize=model.chunksize)
        try:
            fit(pm, toks, score=False)
        except InputError as e:
            alignment[p] = {"skipped": str(e)}
            continue
        current = [{"id": t["id"], "label": t["label"], "terms": t["terms"]} for t in pm.topics_]
        against = (ref + known_new) if reference == "model" else prev_entries
        res = align_topics(against, current, threshold=threshold)
        res["num_topics"] = k
        alignment[p] = res
        # significance of this period's unmatched topics versus the previous periods
        base = periods[max(0, idx - window):idx]
        base_toks = [tok or () for q in base for tok, _ in by_period[q]]
        theta_p = pm.infer(toks)
        theta_b = pm.infer(base_toks) if base_toks else None
        prim_p = [int(r.argmax()) if r.any() else -1 for r in theta_p]
        prim_b = [int(r.argmax()) if r.any() else -1 for r in theta_b] if theta_b is not None else []
        n1 = sum(1 for x in prim_p if x >= 0)
        n0 = sum(1 for x in prim_b if x >= 0)
        found = []
        tests = []
        for m in res["topics"]:
            if m["status"] != "new":
                continue
            j = m["topic"]
            a = sum(1 for x in prim_p if x == j)
            b = sum(1 for x in prim_b if x == j)
            entry = {"id": f"{p}:{j}", "period_topic": j, "label": m["label"],
                     "terms": [w for w, _ in pm.topics_[j]["terms"][:10]], "count": a,
                     "share": _r(a / n1) if n1 else 0.0}
            if n0 and n1:
                g2, pv, ratio = g2_test(a, n1, b, n0)
                entry.update(baseline_share=_r(b / n0), ratio=_r(ratio, 2), g2=_r(g2, 1), p_value=_p(pv))
                tests.append((len(found), pv, ratio))
            else:
                entry.update(baseline_share=0.0, ratio=None, g2=None, p_value=1.0)
            entry["emerging"] = False
            found.append(entry)
        adj = bh_adjust([t[1] for t in tests])
        for (i, pv, ratio), q in zip(tests, adj):
            found[i]["p_adj"] = _p(q)
            found[i]["emerging"] = bool(q < alpha and ratio >= min_ratio and found[i]["count"] >= 5)
        new_topics[p] = found
        # carry ids: period topics matched to the reference take its ids
        carried = []
        for m in res["topics"]:
            j = m["topic"]
            tid = m["reference"][0] if m["reference"] else f"{p}:{j}"
            carried.append({"id": tid, "label": m["label"], "terms": pm.topics_[j]["terms"]})
            if m["status"] == "new" and reference == "model":
                e = next(x for x in found if x["period_topic"] == j)
                if e["emerging"]:
                    known_new.append({"id": e["id"], "label": m["label"], "terms": pm.topics_[j]["terms"]})
        prev_entries = carried
    return alignment, new_topics
