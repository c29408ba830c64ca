"""Choose and print the items of the third agent-conduct round (AC3, corpus/labels/agent_conduct_more.csv).

    python corpus/qa_label_more.py select      # queue of 1,070 references (600 with seed 1703, 400 with seed 1704, 70 with seed 1705)
    python corpus/qa_label_more.py show 0 25   # prints queue items 0..24 to read

Like corpus/qa_label_queue.py this script only SELECTS items and DISPLAYS their text; it never
assigns or suggests a label and never prints the STC-3 scores. Candidates: non-reserved STC-3
dialogues (voc.datasets.is_reserved is False) not in everyday.csv, everyday_reserved.csv or
agent_conduct.csv; strata ``low_es`` / ``random`` as in qa_label_queue.py; one of each stratum per
pair, the pair shuffled, so that any prefix of the queue is about half and half.
"""
from __future__ import annotations

import csv
import os
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from qa_label_queue import dialogues, labelled, low_es  # noqa: E402
from voc.datasets import STC3, is_reserved  # noqa: E402

QUEUE = Path(os.environ.get("VOC_QUEUE_DIR", "/tmp/voc-label-queue")) / "conduct_more.csv"
ROUNDS = ((1703, 300), (1704, 200), (1705, 35))  # (seed, pairs); the last takes every remaining low_es dialogue


def select() -> list[dict]:
    done = labelled("everyday.csv") | labelled("everyday_reserved.csv") | labelled("agent_conduct.csv")
    queue: list[dict] = []
    for seed, pairs in ROUNDS:
        rng = random.Random(seed)
        have = {(q["file"], q["row"]) for q in queue}
        pools: dict[str, list] = {"low_es": [], "random": []}
        for file in ("train_data_cn.json", "test_data_cn.json"):
            for i, d in enumerate(dialogues(file)):
                if (file, i) in done or (file, i) in have or is_reserved(STC3, file, i):
                    continue
                pools["low_es" if low_es(d) else "random"].append((file, i, d["id"]))
        low, rest = rng.sample(pools["low_es"], pairs), rng.sample(pools["random"], pairs)
        for a, b in zip(low, rest):
            pair = [(a, "low_es"), (b, "random")]
            rng.shuffle(pair)
            queue += [{"file": f, "row": i, "id": did, "stratum": s} for (f, i, did), s in pair]
    return queue


def show(start: int, stop: int) -> None:
    rows = list(csv.DictReader(open(QUEUE, encoding="utf-8")))
    cache: dict[str, list] = {}
    for n in range(start, min(stop, len(rows))):
        q = rows[n]
        if q["file"] not in cache:
            cache[q["file"]] = dialogues(q["file"])
        print(f"=== #{n}")
        for t, turn in enumerate(cache[q["file"]][int(q["row"])]["turns"]):
            text = " / ".join(u.strip() for u in turn["utterances"] if u and u.strip()) or "(empty)"
            print(f"  [{t}] {'C' if turn['sender'] == 'customer' else 'H'}: {text}")


if __name__ == "__main__":
    if sys.argv[1] == "select":
        q = select()
        QUEUE.parent.mkdir(parents=True, exist_ok=True)
        with open(QUEUE, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["file", "row", "id", "stratum"])
            w.writeheader()
            w.writerows(q)
        print(f"{len(q)} items -> {QUEUE}")
    else:
        show(int(sys.argv[2]), int(sys.argv[3]))
