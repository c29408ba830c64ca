"""The contact-type stage: fills ``contact_type`` (label and scores over complaint, inquiry,
request, praise, suggestion, other) of each contact from a trained
``voc.estimators.contact_type.ContactTypeClassifier`` (taxonomy section 7). Training,
evaluation and the shipped build: ``voc.training.contact_type``."""
from __future__ import annotations

from pathlib import Path

from ..errors import ModelError
from ..estimators.contact_type import LABELS, NAME, ContactTypeClassifier
from ..records import ContactType, Doc, Tagged, evolve

_OTHER = ContactType("other", {lab: (1.0 if lab == "other" else 0.0) for lab in LABELS})


class ContactTypeStage:
    """Pipeline stage: the contact type of each contact, in one vectorised call per batch; a
    contact with no customer text is ``other``."""

    name = "contact_type"
    requires = ("turns", "text", "tokens")
    assigns = ("contact_type",)

    def __init__(self, model: ContactTypeClassifier):
        self.model = model
        self.version = (getattr(model, "manifest_", None) or {}).get("version", "unsaved")

    @classmethod
    def from_folder(cls, folder: str | Path) -> "ContactTypeStage":
        return cls(ContactTypeClassifier.load(folder))

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        rows = [i for i, t in enumerate(batch) if (t.text or "").strip()]
        found = dict(zip(rows, self.model.explain([Doc.of(batch[i]) for i in rows]))) if rows else {}
        return [evolve(t, contact_type=found.get(i, _OTHER)) for i, t in enumerate(batch)]


def default_stage(model: str | Path | None = None) -> ContactTypeStage:
    """The stage ``voc.load()`` uses: the model folder ``model`` if given, else the shipped model."""
    from ..models import find

    folder = model or find(NAME)
    if folder is None:
        raise ModelError("no contact-type model ships in models/; rebuild it with python -m voc.build contact_type, "
                         "or disable the stage (disable=('contact_type',)).")
    return ContactTypeStage.from_folder(folder)
