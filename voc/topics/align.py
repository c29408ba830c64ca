"""Carry topic ids and names over from one fitted model to the next (month by month).

``carry_over(previous, model)`` matches the topics of a newly fitted ``TopicModel`` to those
of the previous one and gives each new topic a **stable id**: a matched topic keeps the id
and the name of the topic it matches, an unmatched one gets the next unused id. The match is
a one-to-one assignment that maximises the total similarity (the Hungarian method,
``scipy.optimize.linear_sum_assignment``, the standard solver for this problem) over the
cosine similarity of the two models' topic-term distributions (compared by term string, so
models with different vocabularies can be compared); a pair below ``threshold`` is no match.

The result (``Alignment``) is saved in the model folder as ``alignment.json``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

THRESHOLD = 0.3  # cosine similarity under which two topics are not the same topic
MIN_SHARE = 0.02  # a topic with less of the contacts is not carried into a refit (near-empty)


@dataclass
class Alignment:
    """Stable ids and carried names of a model's topics (one entry per topic index).

    ``ids[k]``: the stable id of topic ``k``; ``names[k]``: its carried name (the name it had
    when first seen, kept while it matches); ``labels[k]``: the label computed from this
    model's terms; ``status[k]``: ``matched`` or ``new``; ``similarity[k]``: cosine similarity
    to the matched previous topic (None when new); ``gone``: stable ids of previous topics
    that nothing matched; ``next_id``: the next id to give (ids are never reused)."""

    ids: list[int]
    names: list[str]
    labels: list[str]
    status: list[str]
    similarity: list[float | None]
    previous: str | None = None
    gone: list[int] = field(default_factory=list)
    next_id: int = 0
    threshold: float = THRESHOLD
    live: list[int] | None = None  # previous ids that held at least MIN_SHARE of its contacts

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Alignment":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    @property
    def matched_share(self) -> float | None:
        """Share of the previous model's topics with at least ``MIN_SHARE`` of its contacts
        (``live``; the near-empty ones are no topic to keep) that a topic of this model kept."""
        if self.live is None:
            return self.matched_share_all
        kept = {i for i, s in zip(self.ids, self.status) if s == "matched"}
        return len(kept & set(self.live)) / len(self.live) if self.live else None

    @property
    def matched_share_all(self) -> float | None:
        """Share of all the previous model's topics that a topic of this model kept."""
        n_prev = sum(s == "matched" for s in self.status) + len(self.gone)
        return sum(s == "matched" for s in self.status) / n_prev if n_prev else None

    @classmethod
    def fresh(cls, labels: Sequence[str]) -> "Alignment":
        """The first model: ids 0..K-1, names = labels."""
        k = len(labels)
        return cls(list(range(k)), list(labels), list(labels), ["new"] * k, [None] * k, next_id=k)


def term_distributions(model) -> tuple[list[str], Any]:
    """(vocabulary, K x V topic-term probabilities) of a fitted or loaded ``TopicModel``."""
    return list(model.vocab_), model.topic_term_


def similarity(prev_model, model):
    """Cosine similarity (K_prev x K) of two models' topic-term distributions, by term."""
    import numpy as np

    v1, p1 = term_distributions(prev_model)
    v2, p2 = term_distributions(model)
    index = {w: i for i, w in enumerate(v1)}
    for w in v2:
        index.setdefault(w, len(index))
    a = np.zeros((p1.shape[0], len(index)))
    b = np.zeros((p2.shape[0], len(index)))
    a[:, [index[w] for w in v1]] = p1
    b[:, [index[w] for w in v2]] = p2
    a /= np.linalg.norm(a, axis=1, keepdims=True) + 1e-300
    b /= np.linalg.norm(b, axis=1, keepdims=True) + 1e-300
    return a @ b.T


def match(sim, threshold: float = THRESHOLD) -> list[tuple[int, int, float]]:
    """(previous index, new index, similarity) pairs of the one-to-one assignment with the
    largest total similarity, keeping pairs at or above ``threshold``."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    if sim.size == 0:
        return []
    # rounded so that float noise cannot change the assignment between runs
    rows, cols = linear_sum_assignment(-np.round(sim, 9))
    return [(int(i), int(j), float(sim[i, j])) for i, j in zip(rows, cols) if sim[i, j] >= threshold]


def carry_over(prev_model, prev: Alignment | None, model, *, previous: str | None = None,
               threshold: float = THRESHOLD) -> Alignment:
    """The ``Alignment`` of ``model`` given the previous model and its alignment (None: the
    previous model's topic indexes are its ids and its labels its names)."""
    labels = [t["label"] for t in model.topics_]
    if prev_model is None:
        return Alignment.fresh(labels)
    if prev is None:
        prev = Alignment.fresh([t["label"] for t in prev_model.topics_])
    sim = similarity(prev_model, model)
    pairs = {j: (i, s) for i, j, s in match(sim, threshold)}
    next_id = prev.next_id
    ids, names, status, sims = [], [], [], []
    for j, label in enumerate(labels):
        if j in pairs:
            i, s = pairs[j]
            ids.append(prev.ids[i])
            names.append(prev.names[i])
            status.append("matched")
            sims.append(round(s, 4))
        else:
            ids.append(next_id)
            names.append(label if label not in prev.names else f"{label} #{next_id}")
            status.append("new")
            sims.append(None)
            next_id += 1
    kept = {pairs[j][0] for j in pairs}
    gone = [prev.ids[i] for i in range(len(prev.ids)) if i not in kept]
    live = [prev.ids[i] for i, t in enumerate(prev_model.topics_) if t.get("share", 1.0) >= MIN_SHARE]
    return Alignment(ids, names, labels, status, sims, previous=previous, gone=gone, next_id=next_id,
                     threshold=threshold, live=live)
