"""``voc topics track`` over contact files: the text stages and a topic model tag the contacts,
then ``voc.topics.track.track`` compares the periods."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import ConfigError
from ..records import Contact, Tagged
from ..io.readers import read_inputs
from ..topics.track import PERIODS, TrackReport, period_of, track

log = logging.getLogger(__name__)


def tag_topics(contacts: Iterable[Contact], model_dir: str | Path, *, workers: int = 1,
               batch_size: int = 256) -> Iterable[Tagged]:
    """Contacts through the text stages (on ``workers`` processes) and the ``topics`` stage of
    ``model_dir``, in input order; a contact a text stage failed on keeps its error status."""
    from ..stages.topics import Topics
    from ..pipeline import Pipeline

    stage = Topics(model_dir)
    batch: list[Tagged] = []
    for t in Pipeline.upto("segment").pipe(contacts, workers=workers, batch_size=batch_size):
        if t.status.startswith("error"):
            yield from stage(batch)
            batch = []
            yield t
            continue
        batch.append(t)
        if len(batch) >= batch_size:
            yield from stage(batch)
            batch = []
    yield from stage(batch)


def track_contacts(contacts: Iterable, model_dir: str | Path | None = None, *, by: str = "month",
                   workers: int = 1, **options: Any) -> TrackReport:
    """Tag contacts with the text stages and the topic model, then ``track`` them."""
    from ..models import find
    from ..topics.model import TopicModel

    folder = model_dir or find("topics")
    if folder is None:
        raise ConfigError("no topic model: give --model MODEL_DIR (from voc topics fit) or install the shipped one.")
    if by not in PERIODS:
        raise ConfigError(f"cannot group by {by!r}; use one of {', '.join(PERIODS)}.")
    model = TopicModel.load(folder)
    rows = []
    errors = 0
    for t in tag_topics(contacts, folder, workers=workers):
        if t.status.startswith("error"):
            errors += 1
            continue
        rows.append((period_of(t.contact.created_at, by), t.tokens or (), t.topics or ()))
    report = track(rows, model, by=by, **options)
    if errors:
        report.skipped["errors"] = errors
    return report


def track_files(inputs: Sequence[str | Path], model_dir: str | Path | None = None, *, by: str = "month",
                output: str | Path | None = None, workers: int = 1, read_options: dict | None = None,
                **options: Any) -> TrackReport:
    """``voc topics track``: read contacts from files (voc.read_contacts), track their topics by
    month (``created_at`` in Asia/Shanghai) and write the report as JSON to ``output``."""
    report = track_contacts(read_inputs(inputs, **(read_options or {})), model_dir, by=by, workers=workers,
                            **options)
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return report


def use_store_topics(store: Any) -> dict[str, Any]:
    """Before a report reads a store (a path): fit the months that need a store-side topic
    model and write the store-side topics into the contacts (``voc.topics.store_topics.refresh``),
    so the report's topic tables and emerging issues use topics of the user's own data. A
    ``Store`` object, or a store that cannot be written, is left as it is."""
    from ..errors import VocError
    from ..store import Store
    from ..topics.store_topics import refresh

    if isinstance(store, Store) or not Path(store).is_file():
        return {}
    try:
        done = refresh(store)
    except VocError as e:  # the report still runs, with the tag-time topics
        log.warning("store-side topics not updated (%s); the report uses the topics tagged with the contacts", e)
        return {}
    if done.get("fitted"):
        log.info("fitted store-side topics for %s", ", ".join(done["fitted"]))
    return done
