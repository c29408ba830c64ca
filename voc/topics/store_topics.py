"""Topics of the user's own data: topic models fitted on the contacts of a results store,
month by month, with stable topic ids and names.

Layout, next to the store ``voc.db``::

    voc.db.topics/
      names.toml          the analyst's renames, merges and hidden topics (voc topics names)
      2026-09/            a topic model folder (voc.topics.model) fitted on 2026-09's contacts,
      2026-10/            with alignment.json: the stable id and carried name of each topic

* ``fit_month(store, month)`` fits the month's model on its contacts (their redacted customer
  text in the store, cut by the project segmenter, in id order: the same contacts and seed give
  byte-identical folders); a month with fewer than ``MIN_CONTACTS`` contacts is pooled with the
  months just before it (up to ``POOL_MONTHS`` in all) until there are enough. The first model chooses K by coherence; each later month is a
  **refit** from the previous model: the previous topics are the LDA prior (worth
  ``prior_weight`` months of data, ``voc.topics.fit._prior``) plus ``NEW_SLOTS`` free topics for
  new issues, and the topics are matched to the previous ones (``voc.topics.align``: Hungarian
  matching on topic-term cosine similarity): a matched topic keeps its id and name, a new one
  gets a new id. Previous topics that held under ``MIN_SHARE`` of the contacts are not carried.
* ``apply(store)`` writes each contact's topics (stable ids) and topic name into the store
  (``topics``, ``topic_id``, ``topic``), so every report and emerging-issue test reads them; a
  month without a model of its own uses the nearest earlier model (else the first later one).
  A month is redone when its model or the names file changed, or for the contacts re-added
  since (a re-tag writes the tag-time topics back).
* ``refresh(store)`` is what ``voc report monthly`` runs first: when the store's contacts were
  tagged with the shipped (fallback) topic model, it fits every month with at least
  ``MIN_CONTACTS`` contacts (pooled) that has no model yet, then applies.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any, Sequence

from ..errors import ConfigError, InputError
from ..store import Store, check_month, shift_month
from .align import MIN_SHARE, carry_over
from .model import NAME, VERSION, TopicModel
from .names import TopicNames, starter

log = logging.getLogger(__name__)

MIN_CONTACTS = 200  # a month needs this many contacts for a model of its own at report time
NEW_SLOTS = 2  # free topics of a refit, for issues the previous month did not have
POOL_MONTHS = 3  # a small month is fitted with up to this many months (itself and the ones before)
FIRST_K = (6, 16, 2)  # K tried (by coherence c_v) for a store's first model
NAMES_FILE = "names.toml"
_APPLIED = "topics.applied."  # settings key prefix: what was applied to a month


def topics_dir(store_path: str | Path) -> Path:
    """The folder of a store's topic models: ``<store>.topics`` next to it."""
    return Path(f"{store_path}.topics")


def model_months(folder: str | Path) -> list[str]:
    """Months that have a fitted model in ``folder``, oldest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.iterdir()):
        if p.is_dir() and (p / "manifest.json").is_file():
            try:
                out.append(check_month(p.name))
            except InputError:
                continue
    return out


def _open(store: Store | str | Path, readonly: bool = False) -> tuple[Store, bool]:
    if isinstance(store, Store):
        return store, False
    if not Path(store).is_file():
        raise InputError(f"no results store at {store}; create one with `voc tag ... --store {store}`.")
    return Store(store, readonly=readonly), True


def _folder_of(st: Store, folder: str | Path | None) -> Path:
    if folder is not None:
        return Path(folder)
    if st.path == ":memory:":
        raise ConfigError("an in-memory store has no folder for its topic models; give folder=.")
    return topics_dir(st.path)


def month_tokens(st: Store, month: str, only: Any = None) -> tuple[list[str], list[list[str]]]:
    """(ids, customer tokens) of the month's contacts (those in ``only`` if given) in id
    order, cut from the stored (redacted) customer text by the project segmenter."""
    from ..text.segment import default_segmenter

    seg = default_segmenter()
    ids, toks = [], []
    for cid, text in st.iter_query("SELECT id, text FROM contacts WHERE month = ? ORDER BY id", (month,)):
        if only is None or cid in only:
            ids.append(cid)
            toks.append(seg.cut(text or ""))
    return ids, toks


def _previous(folder: Path, month: str) -> tuple[str | None, TopicModel | None]:
    earlier = [m for m in model_months(folder) if m < month]
    if not earlier:
        return None, None
    return earlier[-1], TopicModel.load(folder / earlier[-1])


# -- fitting -------------------------------------------------------------------------------------
def pooled(counts: dict[str, int], month: str, min_contacts: int = MIN_CONTACTS) -> list[str]:
    """The months a model of ``month`` is fitted on: the month, and when it has fewer than
    ``min_contacts`` contacts the stored months just before it (up to ``POOL_MONTHS`` in all)
    until there are enough."""
    used, n, m = [month], counts.get(month, 0), month
    for _ in range(POOL_MONTHS - 1):
        if n >= min_contacts:
            break
        m = shift_month(m, -1)
        if counts.get(m):
            used.insert(0, m)
            n += counts[m]
    return used


def fit_month(store: Store | str | Path, month: str, *, folder: str | Path | None = None,
              num_topics: int | str | None = None, seed: int = 1, keep_names: bool = False,
              prior_weight: float = 0.5, min_contacts: int = MIN_CONTACTS, apply_now: bool = True) -> TopicModel:
    """Fit (or refit) the topic model of ``month`` on the store's contacts of that month (and
    of the months just before it when it has fewer than ``min_contacts``: ``pooled``) and
    save it as ``<store>.topics/<month>/``; returns the model (``alignment_`` says which
    topics kept their id). ``num_topics``: K of a first model (default: chosen by c_v over
    6..16); a refit has the previous model's carried topics plus ``NEW_SLOTS``."""
    from .fit import fit

    month = check_month(month)
    st, opened = _open(store)
    try:
        out = _folder_of(st, folder)
        counts = st.month_counts()
        if not counts.get(month):
            raise InputError(f"the store has no contacts in {month}; choose a stored month ({', '.join(st.months())}).")
        used = pooled(counts, month, min_contacts)
        ids, toks = [], []
        for m in used:
            i, t = month_tokens(st, m)
            ids += i
            toks += t
        prev_month, prev = _previous(out, month)
        params: dict[str, Any] = dict(seed=seed, keep_names=keep_names, prior_weight=prior_weight,
                                      min_terms=2, no_below=3 if len(ids) < 1000 else 5)
        if prev is None:
            k = num_topics if num_topics not in (None, "auto") else "auto"
            model = TopicModel(k, k_range=FIRST_K, **params)
        else:
            keep = [i for i, t in enumerate(prev.topics_) if t["share"] >= MIN_SHARE] or list(range(prev.k_))
            model = TopicModel(len(keep) + NEW_SLOTS, **params)
            model.prior_ = (prev.vocab_, prev.topic_term_[keep])
        fit(model, toks, ids)
        model.alignment_ = carry_over(prev, getattr(prev, "alignment_", None), model, previous=prev_month)
        version = f"store-{month}"
        model.save(out / month, name=NAME, version=version, overwrite=True,
                   description=f"Topics of the store's contacts of {month} (voc topics fit --store)",
                   data_sources=[{"name": Path(st.path).name, "month": month, "months": used, "rows": len(ids),
                                  "note": "redacted customer text of the results store"}],
                   metrics={"alignment": {"previous": prev_month, "matched_share": model.alignment_.matched_share,
                                          "matched_share_all": model.alignment_.matched_share_all}})
        model.folder_ = out / month
        log.info("topics: fitted %s on %d contacts (%d topics, previous %s)", month, len(ids), model.k_, prev_month)
        if apply_now:
            apply(st, folder=out)
    finally:
        if opened:
            st.close()
    return model


# -- applying ------------------------------------------------------------------------------------
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else ""


def _model_for(month: str, fitted: list[str]) -> str | None:
    earlier = [m for m in fitted if m <= month]
    return earlier[-1] if earlier else (fitted[0] if fitted else None)


def apply(store: Store | str | Path, *, folder: str | Path | None = None, months: Sequence[str] | None = None) -> dict[str, int]:
    """Write the store-side topics into the store's contacts (see the module doc); returns
    {month: contacts updated}."""
    st, opened = _open(store)
    try:
        out = _folder_of(st, folder)
        fitted = model_months(out)
        if not fitted:
            return {}
        names = TopicNames.read(out / NAMES_FILE)
        names_key = _digest(out / NAMES_FILE)
        done: dict[str, int] = {}
        models: dict[str, TopicModel] = {}
        for month in (months or st.months()):
            src = _model_for(month, fitted)
            model_key = f"{src}:{_digest(out / src / 'manifest.json')}"
            mark = json.loads(st.setting(_APPLIED + month) or "{}")
            if mark.get("model") == model_key:
                stale = [r[0] for r in st.query("SELECT id FROM contacts WHERE month = ? AND added_at >= ? ORDER BY id",
                                                (month, mark.get("at", 0)))]
                if not stale and mark.get("names") == names_key:
                    continue
                n = _apply_month(st, month, models.setdefault(src, TopicModel.load(out / src)), src == month,
                                 names, stale)
            else:
                n = _apply_month(st, month, models.setdefault(src, TopicModel.load(out / src)), src == month,
                                 names, None)
            with st.conn:
                st.conn.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (
                    _APPLIED + month, json.dumps({"model": model_key, "names": names_key, "at": int(time.time())})))
            done[month] = n
        return done
    finally:
        if opened:
            st.close()


def _apply_month(st: Store, month: str, model: TopicModel, own: bool, names: TopicNames,
                 only: list[str] | None) -> int:
    """Assign the month's contacts (all, or ``only`` these ids) with ``model`` and name all of
    its contacts by the names file."""
    ids_map = model.topic_ids
    if only is None or only:
        assigned: dict[str, tuple] = {}
        if own and only is None:  # the model's own training contacts: assignments.jsonl
            with open(model.folder_ / "assignments.jsonl", encoding="utf-8") as f:
                for line in f:
                    r = json.loads(line)
                    assigned[r["id"]] = tuple((k, w) for k, w in r["topics"])
        all_ids = [r[0] for r in st.query("SELECT id FROM contacts WHERE month = ? ORDER BY id", (month,))]
        todo = set(only) if only is not None else {c for c in all_ids if c not in assigned}
        if todo:
            cids, toks = month_tokens(st, month, todo)
            for c, a in zip(cids, model.assign(toks)):
                assigned[c] = a
        rows = [(json.dumps([[ids_map[k], w] for k, w in assigned[c]]), c) for c in all_ids if c in assigned]
        with st.conn:
            st.conn.executemany("UPDATE contacts SET extra = json_set(extra, '$.topics', json(?)) WHERE id = ?", rows)
    base = {i: n for i, n in zip(ids_map, model.labels)}
    shown: dict[str, str] = {}  # names go through redaction like every string the store keeps
    updates = []
    for cid, pairs in st.query("SELECT id, json_extract(extra, '$.topics') FROM contacts WHERE month = ?", (month,)):
        got = names.resolve(json.loads(pairs or "[]"), base)
        if got is None:
            updates.append((None, None, cid))
            continue
        if got[1] not in shown:
            shown[got[1]] = st.redactor(got[1])
        updates.append((got[0], shown[got[1]], cid))
    with st.conn:
        st.conn.executemany("UPDATE contacts SET topic_id = ?, topic = ? WHERE id = ?", updates)
    return len(updates)


# -- report time ----------------------------------------------------------------------------------
def shipped_topics(store: Store) -> bool:
    """True when the store's contacts were tagged with the shipped topic model (or none):
    then store-side topics may replace theirs."""
    import re

    from ..resources import models_path

    shipped = {p.name for p in models_path(NAME).iterdir() if p.is_dir()} if models_path(NAME).is_dir() else set()
    shipped |= {VERSION}
    for (mv,) in store.query("SELECT DISTINCT model_version FROM contacts"):
        m = re.search(r"topics=([^,)\s]+)", mv or "")
        if m and m.group(1) not in shipped and not m.group(1).startswith("store-"):
            return False
    return True


def refresh(store_path: str | Path, *, min_contacts: int = MIN_CONTACTS, seed: int = 1) -> dict[str, Any]:
    """Fit the months that need a store-side model and apply the store-side topics (what
    ``voc report monthly`` runs before reading the store). Does nothing for a store tagged
    with the user's own topic model, or when no month has ``min_contacts`` contacts and no
    model was fitted."""
    if not Path(store_path).is_file():
        return {"fitted": [], "applied": {}}
    out = topics_dir(store_path)
    fitted: list[str] = []
    with Store(store_path) as st:
        if not model_months(out):
            if not shipped_topics(st):
                return {"fitted": [], "applied": {}, "skipped": "contacts tagged with the user's own topic model"}
        have = set(model_months(out))
        counts = st.month_counts()
        for month in counts:
            n = sum(counts[m] for m in pooled(counts, month, min_contacts))
            if n >= min_contacts and month not in have and (not have or month > max(have)):
                fit_month(st, month, folder=out, seed=seed, min_contacts=min_contacts, apply_now=False)
                fitted.append(month)
                have.add(month)
        applied = apply(st, folder=out) if have else {}
    return {"fitted": fitted, "applied": applied}


def fit_store(store_path: str | Path, *, month: str | None = None, min_contacts: int = MIN_CONTACTS,
              num_topics: int | str | None = None, seed: int = 1, keep_names: bool = False) -> list[TopicModel]:
    """``voc topics fit --store``: fit ``month`` (refitting it if it has a model), or every
    month with at least ``min_contacts`` contacts that has no model yet; then apply."""
    if not Path(store_path).is_file():
        raise InputError(f"no results store at {store_path}; create one with `voc tag ... --store {store_path}`.")
    out = topics_dir(store_path)
    models = []
    with Store(store_path) as st:
        counts = st.month_counts()
        if month is not None:
            todo = [check_month(month)]
        else:
            have = set(model_months(out))
            todo = [m for m in counts if m not in have
                    and sum(counts[p] for p in pooled(counts, m, min_contacts)) >= min_contacts]
            if not todo and not have:
                raise InputError(f"no month of {store_path} has {min_contacts} contacts (months: "
                                 + ", ".join(f"{m} {n}" for m, n in counts.items())
                                 + "); give --month or a lower --min-contacts.")
        for m in todo:
            models.append(fit_month(st, m, folder=out, num_topics=num_topics, seed=seed, keep_names=keep_names,
                                    min_contacts=min_contacts, apply_now=False))
        apply(st, folder=out)
    return models


def topic_list(store_path: str | Path) -> list[dict[str, Any]]:
    """Every stable topic of the store's models (latest name, label and share first seen or
    last fitted), by id."""
    out = topics_dir(store_path)
    topics: dict[int, dict[str, Any]] = {}
    for month in model_months(out):
        model = TopicModel.load(out / month)
        for tid, name, t in zip(model.topic_ids, model.labels, model.topics_):
            topics[tid] = {"id": tid, "name": name, "label": t["label"], "share": t["share"], "month": month}
    return [topics[k] for k in sorted(topics)]


def write_names(store_path: str | Path, output: str | Path | None = None) -> Path:
    """``voc topics names``: write (or update) the names file listing every topic, keeping
    what the file already says."""
    out = topics_dir(store_path)
    topics = topic_list(store_path)
    if not topics:
        raise InputError(f"{store_path} has no topic models yet; run `voc topics fit --store {store_path}` first.")
    path = Path(output) if output else out / NAMES_FILE
    current = TopicNames.read(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(starter(topics, current, source=Path(store_path).name), encoding="utf-8")
    return path
