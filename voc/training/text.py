"""The one text pipeline of training: contacts through the same stages ``voc tag`` runs before
a model's own stage, so training and tagging see the same tokens."""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Iterator

from ..pipeline import Pipeline
from ..records import Contact, Doc, Tagged

@lru_cache(maxsize=8)
def pipeline_through(last: str = "segment", redact: bool = True) -> Pipeline:
    """The default pipeline up to and including stage ``last`` (``segment``: the text stages;
    ``sentiment``: what churn is trained on), with the shipped models; built once."""
    return Pipeline.upto(last, redact=redact)


def as_contacts(items: Iterable[Contact | str]) -> Iterator[Contact]:
    """Contacts as given; a plain string becomes a contact as ``Contact.from_text`` reads it (one
    customer turn, or a transcript's turns), with its position as id."""
    for i, c in enumerate(items):
        yield c if isinstance(c, Contact) else Contact.from_text(str(c), id=str(i))


def tag_through(items: Iterable[Contact | str], last: str = "segment", *, batch_size: int = 512,
                redact: bool = True) -> Iterator[Tagged]:
    """Contacts (or texts) tagged up to stage ``last``, in input order, one batch at a time."""
    pipe = pipeline_through(last, redact)
    chunk: list[Contact] = []
    for c in as_contacts(items):
        chunk.append(c)
        if len(chunk) >= batch_size:
            yield from pipe.tag_batch(chunk)
            chunk = []
    if chunk:
        yield from pipe.tag_batch(chunk)


def prepare(items: Iterable[Contact | str], batch_size: int = 512) -> list[Doc]:
    """Prepared documents (``voc.records.Doc``) for contacts or plain customer texts."""
    return [Doc.of(t) for t in tag_through(items, "segment", batch_size=batch_size)]
