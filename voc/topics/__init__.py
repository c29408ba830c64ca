"""Topic discovery (gensim LDA over customer-side jieba tokens) and month-over-month tracking.

    from voc.topics import TopicModel, fit_files, track_files
    model = TopicModel.load("models/topics/1.0.0")
    theta = model.infer([["退款", "到账", "迟迟"]])

``voc.topics.model`` fits, saves and loads topic models without pickle and infers topic
weights in numpy; ``voc.topics.track`` aligns topics across months, flags new, growing,
shrinking and gone topics, tests which terms and topics are emerging, and builds the root
cause x topic cross-table. gensim is imported only when fitting or scoring coherence.
"""
from __future__ import annotations

from typing import Any

__all__ = [
    "TopicModel",
    "fit_files",
    "fit_contacts",
    "show_topics",
    "track",
    "track_files",
    "track_contacts",
    "align_topics",
    "emerging_terms",
    "cross_table",
]

_WHERE = {
    "TopicModel": "model", "fit_files": "model", "fit_contacts": "model", "show_topics": "model",
    "track": "track", "track_files": "track", "track_contacts": "track", "align_topics": "track",
    "emerging_terms": "track", "cross_table": "track",
}


def __getattr__(name: str) -> Any:  # lazy: keeps ``import voc.topics`` cheap
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
