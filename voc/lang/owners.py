"""Who owns a contact: one decision for every contact (taxonomy section 6)."""
from __future__ import annotations

from typing import Mapping


def owner_of(root_cause: str | None, escalation_owner: str | None,
             owners: Mapping[str, str | None]) -> str | None:
    """The owner an escalation rule names, else the owner of the root cause in ``owners``
    (the taxonomy owners with a rules file's ``[owners]`` over them); None when neither."""
    if escalation_owner:
        return escalation_owner
    return owners.get(root_cause) if root_cause is not None else None
