"""Redaction of voc's log records: every record of the ``voc`` logger and its children has its
message (arguments filled in), its traceback text and its stack text scrubbed when it is
created, so no handler - voc's own ``-v`` handler or one the application installed - sees
personal data. A log-record factory is used rather than a ``logging.Filter`` on ``voc``
because a logger's filters do not apply to records of its child loggers."""
from __future__ import annotations

import logging

__all__ = ["install", "scrub_log_record"]


def scrub_log_record(record: logging.LogRecord) -> logging.LogRecord:
    scrub = _redactor().scrub
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: keep the parts
        message = f"{record.msg} {record.args}"
    record.msg, record.args = scrub(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = scrub(record.exc_text)
        record.exc_info = None  # the formatter prints exc_text (scrubbed), not the live traceback
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)
    return record


_REDACTOR = None


def _redactor():
    global _REDACTOR
    if _REDACTOR is None:
        from .redact import Redactor

        _REDACTOR = Redactor()
    return _REDACTOR


def install() -> None:
    """Scrub every ``voc`` log record from now on (idempotent)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "voc_scrub", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        name = record.name
        if name == "voc" or name.startswith("voc."):
            scrub_log_record(record)
        return record

    factory.voc_scrub = True
    logging.setLogRecordFactory(factory)
