"""Topic discovery (gensim LDA over customer-side jieba tokens) and month-over-month tracking.

    from voc.topics import TopicModel, track
    model = TopicModel.load("models/topics/1.1.0")
    theta = model.infer([["退款", "到账", "迟迟"]])

``voc.topics.model`` saves and loads topic models without pickle and infers topic weights in
numpy; ``voc.topics.fit`` fits them (gensim); ``voc.topics.track`` aligns topics across
months, flags new, growing, shrinking and gone topics and tests which terms and topics are
emerging; ``voc.topics.cross`` builds the root cause x topic cross-table;
``voc.topics.store_topics`` fits topics on a results store's contacts month by month (``voc
topics fit --store``) with ids and names carried over by ``voc.topics.align``, named through
``voc.topics.names`` (brand/place/person names out of labels, the TOML names file). Contacts in files
reach them through ``voc.training.topics`` (``voc topics fit``) and ``voc.reports.topics``
(``voc topics track``). gensim is imported only when fitting or scoring coherence.
"""
from __future__ import annotations

from typing import Any

__all__ = ["TopicModel", "fit", "show_topics", "track", "align_topics", "emerging_terms", "cross_table"]

_WHERE = {
    "TopicModel": "voc.topics.model", "show_topics": "voc.topics.model", "fit": "voc.topics.fit",
    "track": "voc.topics.track", "align_topics": "voc.topics.track", "emerging_terms": "voc.topics.track",
    "cross_table": "voc.topics.cross",
}


def __getattr__(name: str) -> Any:  # lazy: keeps ``import voc.topics`` cheap
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
