"""The contact-type stage: fills ``contact_type`` (label and scores over complaint, inquiry,
request, praise, suggestion, other) of each contact from a trained
``voc.estimators.contact_type.ContactTypeClassifier`` (taxonomy section 7). Training,
evaluation and the shipped build: ``voc.training.contact_type``."""
from __future__ import annotations

from pathlib import Path

from ..errors import ModelError
from ..estimators.contact_type import LABELS, NAME, ContactTypeClassifier
from ..lang.closings import matcher
from ..records import ContactType, Doc, Tagged, evolve

_OTHER = ContactType("other", {lab: (1.0 if lab == "other" else 0.0) for lab in LABELS})


class ContactTypeStage:
    """Pipeline stage: the contact type of each contact, in one vectorised call per batch. A
    contact with no customer text is ``other``, and so is one where the customer said nothing
    but polite formulas (在吗, 你好, 好的, 谢谢, 拜拜: the model's closings list): taxonomy
    section 7 makes greetings and chit-chat ``other``, and section 2 makes courtesy thanks no
    praise. No labelled item is formulas only, so the model never learnt this; before, a lone
    "好的" came out praise and "在吗" inquiry."""

    name = "contact_type"
    requires = ("turns", "text", "tokens")
    assigns = ("contact_type",)

    def __init__(self, model: ContactTypeClassifier):
        self.model = model
        self.version = (getattr(model, "manifest_", None) or {}).get("version", "unsaved")
        self._formulas = matcher(tuple(getattr(model, "closings", ()) or ()))

    @classmethod
    def from_folder(cls, folder: str | Path) -> "ContactTypeStage":
        return cls(ContactTypeClassifier.load(folder))

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        rows = [i for i, t in enumerate(batch) if (t.text or "").strip() and not self._formulas_only(t)]
        found = dict(zip(rows, self.model.explain([Doc.of(batch[i]) for i in rows]))) if rows else {}
        return [evolve(t, contact_type=found.get(i, _OTHER)) for i, t in enumerate(batch)]

    def _formulas_only(self, t: Tagged) -> bool:
        """Whether every customer text of ``t`` is polite formulas only (short texts only: speed)."""
        f = self._formulas
        if f is None or len(t.text or "") > _FORMULAS_CHARS:
            return False
        said = [x.text for x in t.turns if x.speaker == "customer" and x.text] if t.turns else [t.text]
        return bool(said) and all(f.is_formula(x) for x in said)


_FORMULAS_CHARS = 60  # a longer customer text is never formulas only (not scanned: speed)


def default_stage(model: str | Path | None = None) -> ContactTypeStage:
    """The stage ``voc.load()`` uses: the model folder ``model`` if given, else the shipped model."""
    from ..models import find

    folder = model or find(NAME)
    if folder is None:
        raise ModelError("no contact-type model ships in models/; rebuild it with python -m voc.build contact_type, "
                         "or disable the stage (disable=('contact_type',)).")
    return ContactTypeStage.from_folder(folder)
