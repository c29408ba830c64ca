"""Reading the tagged JSONL that ``voc store add`` stores: every line checked (file:line and the
field named) before any is added, so a hand-edited or damaged output file never reaches SQLite,
which keeps any value in any column."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from ..errors import InputError
from ..lang.taxonomy import CHURN_LEVELS, CONTACT_TYPES, ESCALATION_LEVELS, ROOT_CAUSES, SENTIMENT_LABELS

# fields only a tagged record has: a line with none of them is a raw export
TAGGED_FIELDS = ("status", "model_version", "root_cause", "contact_type", "sentiment_label", "escalate")


# The tagged fields the store and its reports read, and what each must hold (docs/formats.md):
# a record whose field holds something else is refused with its file:line and field, before
# SQLite (which keeps any value in any column) stores "abc" as a sentiment.
_ENUMS = {"root_cause": ROOT_CAUSES, "contact_type": CONTACT_TYPES, "sentiment_label": SENTIMENT_LABELS,
          "churn_level": CHURN_LEVELS, "escalation_level": ESCALATION_LEVELS,
          "resolved": ("yes", "no", "unclear"), "sentiment_trend": ("improved", "worsened", "stable"),
          "agent_conduct": ("ok", "problem", "na"), "handoff": ("none", "requested", "transferred")}
_NUMBERS = {"sentiment": 1, "churn_risk": 1, "resolved_score": 1, "agent_conduct_score": 1, "qa_score": 100}
_LISTS = {"root_cause_evidence": str, "churn_reasons": str, "escalation_reasons": str, "topics": list,
          "qa_hits": dict, "commitments": dict}
_OBJECTS = ("root_cause_scores", "contact_type_scores")


def tagged_field_problem(record: dict[str, Any]) -> str | None:
    """What is wrong with the tagged fields of a record, or None when each holds what voc tag writes."""
    for name, allowed in _ENUMS.items():
        v = record.get(name)
        if v is not None and v not in allowed:
            return f"field {name!r} is not one of {', '.join(allowed)}"
    for name, top in _NUMBERS.items():
        v = record.get(name)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= top):
            return f"field {name!r} is not a number from 0 to {top}"
    for name, item in _LISTS.items():
        v = record.get(name)
        if v is not None and not (isinstance(v, list) and all(isinstance(x, item) for x in v)):
            what = {str: "strings", list: "lists", dict: "objects"}[item]
            return f"field {name!r} is not a list of {what}"
    for name in _OBJECTS:
        v = record.get(name)
        if v is not None and not (isinstance(v, dict) and all(
                isinstance(x, (int, float)) and not isinstance(x, bool) for x in v.values())):
            return f"field {name!r} is not an object of label: probability"
    topics = record.get("topics") or []
    if not all(isinstance(t, list) and len(t) == 2 and isinstance(t[0], int) and not isinstance(t[0], bool)
               for t in topics):
        return "field 'topics' is not a list of [topic_id, weight]"
    if record.get("escalate") is not None and not isinstance(record["escalate"], bool):
        return "field 'escalate' is not true or false"
    return None


def read_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    """Flat records from a JSONL file written by ``voc tag``."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"no such file {p}; give the JSONL output of `voc tag`.")
    with open(p, "rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{p}:{n} is not UTF-8 text (a file cut short or re-saved in another encoding); "
                                 f"give the JSONL output of `voc tag` unchanged.") from None
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                raise InputError(f"{p}:{n} is not a JSON line; give the JSONL output of `voc tag`.") from None
            if not isinstance(record, dict) or record.get("id") in (None, ""):
                raise InputError(f"{p}:{n} has no contact id; give the JSONL output of `voc tag`.")
            if not any(k in record for k in TAGGED_FIELDS) or "turns" in record:
                raise InputError(f"{p}:{n} is a raw contact, not the output of `voc tag` (no tagged fields); "
                                 f"tag it with `voc tag {p.name} -o tagged.jsonl --store STORE`.")
            problem = tagged_field_problem(record)
            if problem:
                raise InputError(f"{p}:{n}: {problem}; give the JSONL output of `voc tag` unchanged, "
                                 f"or fix that field.")
            yield record
