"""voc: the voice of the Chinese customer, tagged.

Tag Chinese call transcripts, chats, complaint tickets and reviews with root cause, sentiment,
churn risk, escalation and topics::

    import voc
    nlp = voc.load()
    tagged = nlp.tag("客服态度太差了，我要投诉到12315")
    tagged.root_cause.label, tagged.to_record()

    for t in nlp.pipe(voc.read_contacts("calls.csv", group_by="通话ID"), workers=2):
        ...

    voc.tag_files(["tickets.csv"], "tagged.jsonl", engine=voc.LocalEngine(workers=2))
    df = voc.to_frame(nlp.pipe(["快递三天没到", "怎么开发票"]))   # a pandas DataFrame

Heavy libraries (jieba, scikit-learn, gensim) load lazily, so ``import voc`` is fast.
"""
import logging as _logging

from ._version import __version__
from .errors import ConfigError, InputError, ModelError, OutputError, StageError, VocError

_logging.getLogger(__name__).addHandler(_logging.NullHandler())


def _scrub_logs() -> None:  # issue 16: voc's log records are redacted (voc/text/scrub_logs.py)
    from .text.scrub_logs import install

    install()


_scrub_logs()

__all__ = [
    "__version__",
    "load",
    "read_contacts",
    "tag_files",
    "Pipeline",
    "Settings",
    "LocalEngine",
    "Contact",
    "Turn",
    "Tagged",
    "RowError",
    "RunSummary",
    "VocError",
    "InputError",
    "ConfigError",
    "ModelError",
    "OutputError",
    "StageError",
    "to_frame",
]

_LAZY = {
    "load": ("api", "load"),
    "read_contacts": ("io.readers", "read_contacts"),
    "RowError": ("io.readers", "RowError"),
    "tag_files": ("run", "tag_files"),
    "RunSummary": ("run", "RunSummary"),
    "Pipeline": ("pipeline", "Pipeline"),
    "Settings": ("settings", "Settings"),
    "LocalEngine": ("engines", "LocalEngine"),
    "Contact": ("records", "Contact"),
    "Turn": ("records", "Turn"),
    "Tagged": ("records", "Tagged"),
    "to_frame": ("records", "to_frame"),
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'voc' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
