"""Build a realistic tagging workload from the real texts in ../shared/data.

    python bench/make_workload.py -n 10000 -o /tmp/voc-workload.jsonl
    python bench/make_workload.py -n 1000000 -o /tmp/voc-1m.jsonl --fast
    python bench/make_workload.py -n 3000 -o /tmp/voc-dialogues.jsonl --dialogues   # STC-3 only

A round-robin mix of STC-3 dialogues (turns), financial complaints and delivery / hotel /
shopping reviews, written as JSONL with ids, channels and months. The text stays outside the
repository (licences); only this script is committed. Rows are repeated with new ids when
``-n`` exceeds what the sets hold. ``--fast`` writes the same records faster (each distinct
text is serialised once; used for the memory check's million contacts).
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voc.datasets import HEIMAO, REVIEWS, STC3, iter_dataset  # noqa: E402


def sources(dialogues: bool = False):
    yield [c for c, _ in iter_dataset(STC3, reserved=False)]
    yield [c for c, _ in iter_dataset(STC3, reserved=True)]
    if dialogues:  # STC-3 dialogues only (agent turns: what the QA stages read)
        return
    yield [c for c, _ in iter_dataset(HEIMAO, reserved=False)] + [c for c, _ in iter_dataset(HEIMAO, reserved=True)]
    for name in REVIEWS:
        yield [c for c, _ in iter_dataset(name, reserved=False)][:6000]


def workload(n: int, dialogues: bool = False):
    pools = [p for p in sources(dialogues) if p]
    mixed = itertools.chain.from_iterable(itertools.zip_longest(*pools))
    rows = [c for c in mixed if c is not None]
    for i in range(n):
        c = rows[i % len(rows)]
        month = 5 + i % 6
        rec = {"id": f"w{i:08d}", "channel": c.channel, "created_at": f"2026-{month:02d}-{1 + i % 28:02d}T10:00:00+08:00",
               "customer_id": f"U{i % (n // 3 + 1):07d}"}
        if len(c.turns) == 1 and c.turns[0].speaker == "customer":
            rec["text"] = c.turns[0].text
        else:
            rec["turns"] = [{"speaker": t.speaker, "text": t.text} for t in c.turns]
        yield rec


def write_fast(n: int, path, dialogues: bool = False) -> None:
    """``workload(n, dialogues)`` written to ``path``, byte-identical to the plain writer, with each
    distinct row's body serialised once."""
    pools = [p for p in sources(dialogues) if p]
    mixed = itertools.chain.from_iterable(itertools.zip_longest(*pools))
    rows = [c for c in mixed if c is not None]
    bodies = []
    for c in rows:
        if len(c.turns) == 1 and c.turns[0].speaker == "customer":
            body = {"text": c.turns[0].text}
        else:
            body = {"turns": [{"speaker": t.speaker, "text": t.text} for t in c.turns]}
        bodies.append((json.dumps(c.channel, ensure_ascii=False), json.dumps(body, ensure_ascii=False)[1:]))
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            channel, body = bodies[i % len(bodies)]
            f.write(f'{{"id": "w{i:08d}", "channel": {channel}, "created_at": "2026-{5 + i % 6:02d}-{1 + i % 28:02d}'
                    f'T10:00:00+08:00", "customer_id": "U{i % (n // 3 + 1):07d}", {body}\n')


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--fast", action="store_true", help="Serialise each distinct row once (same bytes).")
    ap.add_argument("--dialogues", action="store_true", help="STC-3 dialogues only (no complaints or reviews).")
    args = ap.parse_args(argv)
    if args.fast:
        write_fast(args.n, args.output, args.dialogues)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            for rec in workload(args.n, args.dialogues):
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {args.n} contacts to {args.output}")


if __name__ == "__main__":
    main()
