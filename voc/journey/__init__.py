"""Customer journeys and first-contact resolution over the results store (docs/journey.md).

    from voc.journey import timeline, analyse
    timeline("voc.db", "U10380")            # one customer's contacts as records, with repeat links
    stats = analyse(Store("voc.db", readonly=True), window="7d")
    stats.fcr_rate, stats.repeat_rate, stats.table("channel")

A contact repeats an earlier contact of the same customer when it comes within the window
(default 7 days) and is about the same issue: the same root cause (not ``other``), the same
topic, similar text (character-bigram Jaccard >= 0.3 on the redacted text), or it is the
customer's next contact and refers back (上次, 还是没, 再次 ...). A first contact is resolved at
first contact (FCR) when its ``resolved`` tag is ``yes`` and no repeat follows within the window.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputError
from ..store import Store
from .core import (DEFAULT_SIMILARITY, DEFAULT_WINDOW, Contact, Issue, Journey, Stats, analyse, bigrams, jaccard,
                   journeys, link_customer, window_seconds)

__all__ = ["DEFAULT_SIMILARITY", "DEFAULT_WINDOW", "Contact", "Issue", "Journey", "Stats", "analyse", "bigrams",
           "jaccard", "journeys", "link_customer", "summary", "timeline", "window_seconds"]


def _open(store: Store | str | Path) -> tuple[Store, bool]:
    if isinstance(store, Store):
        return store, False
    return Store(store, readonly=True), True


def timeline(store: Store | str | Path, customer: str, window: str = DEFAULT_WINDOW,
             similarity: float = DEFAULT_SIMILARITY) -> list[dict[str, Any]]:
    """One customer's contacts in time order, as records (redacted text, repeat links, episode,
    first-contact resolution). ``customer`` is the id as stored (pseudonymised ids as they are)."""
    st, opened = _open(store)
    try:
        found = next(journeys(st, window, similarity, customer=str(customer)), None)
        if found is None:
            # the store redacts ids on the way in: try the id as the store would keep it
            kept = st.redactor(str(customer))
            if kept != str(customer):
                found = next(journeys(st, window, similarity, customer=kept), None)
        if found is None:
            raise InputError(f"no contacts of customer {customer!r} with a readable time in {st.path}; "
                             f"give a customer_id as it is stored (voc journey --store ... lists the top ones).")
        return found.records()
    finally:
        if opened:
            st.close()


def summary(store: Store | str | Path, window: str = DEFAULT_WINDOW, similarity: float = DEFAULT_SIMILARITY,
            top: int = 5) -> dict[str, Any]:
    """Journey and FCR figures of the whole store as one JSON-ready dict (``voc journey``)."""
    st, opened = _open(store)
    try:
        stats = analyse(st, window, similarity, top=top)
        out = stats.summary()
        out["by"] = {dim: stats.table(dim) for dim in ("month", "channel", "root_cause", "owner", "tier")}
        out["longest"] = [{"customer_id": c, "contacts": n, "days": round(span / 86400, 1), "ids": ids}
                          for n, span, c, ids in stats.longest]
        out["store"] = st.path
        return out
    finally:
        if opened:
            st.close()
