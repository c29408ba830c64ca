"""Transfer-to-human requests: ``voc.qa.handoff.is_request`` against corpus/labels/handoff.csv.

    python bench/handoff_eval.py                  # development rows only (reserved = 0), per stratum
    python bench/handoff_eval.py --errors         # ... and the misses and false alarms, to read
    python bench/handoff_eval.py --reserved       # the table of docs/qa.md: development and reserved

Each labelled row is one customer turn: an STC-3 turn (its utterances joined by a space, as the
labelling tool showed them), an ATEC/BQ question, a heimao complaint post or an XS chat-bot
utterance, read by reference from ../shared/data (voc.datasets). A row counts as found when
``is_request`` says the turn asks for a person and the label is ``requested``.
Reserved rows are evaluation only: score them once, after every choice was made on the
development rows (docs/qa.md, "Transfer to a person and bot failures").
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voc.datasets import QUESTIONS, STC3, contact_at, question_at, require_data  # noqa: E402
from voc.qa.handoff import is_request  # noqa: E402

LABELS = ROOT / "corpus" / "labels" / "handoff.csv"


@lru_cache(maxsize=None)
def dialogues(file: str) -> list[dict]:
    with open(require_data() / STC3 / file, encoding="utf-8") as f:
        return json.load(f)


def turn_text(r: dict) -> str:
    if r["dataset"] == STC3:  # the turn index counts empty turns, so read the file (not stc3_contact)
        turn = dialogues(r["file"])[int(r["row"])]["turns"][int(r["turn"])]
        return " ".join(u for u in turn["utterances"] if u and u.strip())
    if r["dataset"] == QUESTIONS:
        return question_at(r["file"], int(r["row"]), r["id"]).turns[0].text
    return contact_at(r["dataset"], r["file"], int(r["row"])).turns[0].text


def score(rows: list[dict]) -> dict:
    pos = [r for r in rows if r["handoff"] == "requested"]
    hit = [r for r in rows if r["_pred"]]
    found = sum(r["handoff"] == "requested" for r in hit)
    return {"turns": len(rows), "requests": len(pos), "found": found, "false": len(hit) - found,
            "recall": found / len(pos) if pos else float("nan"),
            "precision": found / len(hit) if hit else float("nan")}


def line(name: str, s: dict) -> str:
    return (f"| {name} | {s['turns']} | {s['requests']} | {s['found']} | {s['false']} | "
            f"{s['recall']:.2f} | {s['precision']:.2f} |")


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reserved", action="store_true", help="also score the reserved rows (once, at the end)")
    ap.add_argument("--errors", action="store_true", help="print the development misses and false alarms")
    args = ap.parse_args(argv)
    with open(LABELS, encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if args.reserved or r["reserved"] == "0"]
    for r in rows:
        r["_text"] = turn_text(r)
        r["_pred"] = is_request(r["_text"])
    head = "| rows | turns | requests | found | false alarms | recall | precision |\n|---|---:|---:|---:|---:|---:|---:|"
    out = {}
    print(head)
    for res, name in (("0", "non-reserved (development)"), ("1", "reserved (evaluation)")):
        part = [r for r in rows if r["reserved"] == res]
        if part:
            out[res] = score(part)
            print(line(name, out[res]))
    print("\nper stratum:\n" + head)
    strata: dict = defaultdict(list)
    for r in rows:
        strata[(r["reserved"], r["stratum"])].append(r)
    for (res, stratum), part in sorted(strata.items()):
        print(line(f"{'reserved' if res == '1' else 'dev'} {stratum}", score(part)))
    if args.errors:
        for r in rows:
            if r["reserved"] == "0" and r["_pred"] != (r["handoff"] == "requested"):
                kind = "MISS" if r["_pred"] is False else "FALSE"
                print(f"{kind} {r['item']} {r['stratum']}: {r['_text'][:150]}")
    return out


if __name__ == "__main__":
    main()
