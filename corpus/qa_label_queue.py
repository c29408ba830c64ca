"""Choose and print the items of the issue-17 labelling rounds (agent conduct, hand-off requests).

    python corpus/qa_label_queue.py conduct select          # writes the queue (references only)
    python corpus/qa_label_queue.py conduct show 0 25       # prints queue items 0..24 to read
    python corpus/qa_label_queue.py handoff select
    python corpus/qa_label_queue.py handoff show 0 25
    python corpus/qa_label_queue.py handoff extend         # adds the strong-cue turns (see below)
    python corpus/qa_label_queue.py handoff extend-questions   # then the questions with a weaker cue
    python corpus/qa_label_queue.py stats                  # counts of the two label files

This script only SELECTS items and DISPLAYS their text; it never assigns or suggests a label.
The annotator reads each printed item against docs/taxonomy.md (and the conventions in
corpus/README.md) and types the labels into corpus/labels/agent_conduct.csv or handoff.csv.
The queues are written to $VOC_QUEUE_DIR (default /tmp/voc-label-queue), outside the repository,
and hold references only. Selection is deterministic (fixed seeds).

Agent conduct (STC-3 helpdesk dialogues not yet in corpus/labels/everyday*.csv): 350
non-reserved training dialogues and 150 reserved ones (training index % 5 == 0, or the test
file), each half from stratum ``low_es`` (mean effectiveness E or mean satisfaction S of the
data set's 19 annotators <= -0.5; the test file has no scores, so this stratum holds reserved
training dialogues only) and half ``random`` (the remaining candidates, test file included).
The scores only choose the items; they are never printed.

Hand-off (single customer turns): STC-3 customer turns and ATEC/BQ customer questions; about half
``candidate`` (the text, with @mentions removed, contains 人工, 客服, 真人, 转, 机器人 or 智能),
half ``random`` (the other turns); each split into non-reserved and reserved rows by
voc.datasets.is_reserved. Because real requests turned out rare in those 500 (``转`` mostly
matches 转账/转入), ``handoff extend`` appends every remaining turn whose text (@mentions
removed) contains 人工, 真人 or 机器人 (stratum ``strong_candidate``), so that the evaluation has
enough positives; precision and recall on the natural mix should be computed per stratum.
``handoff extend-questions`` then appends every remaining customer question (ATEC/BQ) with a
weaker cue (客服, 转接, 在吗, 有人吗, 活人, 接线, 坐席, 经理, 领导, 负责人; stratum
``question_cue``); STC-3 turns with those words are mostly reports about earlier calls.
"""
from __future__ import annotations

import csv
import json
import os
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from voc.datasets import ATEC, QUESTIONS, STC3, is_reserved, require_data  # noqa: E402

QUEUE_DIR = Path(os.environ.get("VOC_QUEUE_DIR", "/tmp/voc-label-queue"))
TRAIN, TEST = "train_data_cn.json", "test_data_cn.json"
BQ_FILES = ("BQ_corpus/dev.csv", "BQ_corpus/test.csv")
CANDIDATE = re.compile("人工|客服|真人|转|机器人|智能")
MENTION = re.compile(r"@[^\s@:：,，]+")


def dialogues(file: str) -> list[dict]:
    with open(require_data() / STC3 / file, encoding="utf-8") as f:
        return json.load(f)


def labelled(name: str) -> set[tuple[str, int]]:
    path = HERE / "labels" / name
    if not path.exists():
        return set()
    with open(path, encoding="utf-8", newline="") as f:
        return {(r["file"], int(r["row"])) for r in csv.DictReader(f) if r["dataset"] == STC3}


def low_es(d: dict) -> bool:
    ann = d.get("annotations") or []
    if not ann:
        return False
    e = sum(a["quality"]["E"] for a in ann) / len(ann)
    s = sum(a["quality"]["S"] for a in ann) / len(ann)
    return e <= -0.5 or s <= -0.5


def select_conduct() -> list[dict]:
    rng = random.Random(17)
    done = labelled("everyday.csv") | labelled("everyday_reserved.csv")
    pools: dict[tuple[bool, str], list] = {(r, s): [] for r in (False, True) for s in ("low_es", "random")}
    for file in (TRAIN, TEST):
        for i, d in enumerate(dialogues(file)):
            if (file, i) in done:
                continue
            res = is_reserved(STC3, file, i)
            pools[(res, "low_es" if low_es(d) else "random")].append((file, i, d["id"]))
    queue = []
    for res, n in ((False, 350), (True, 150)):
        low = rng.sample(pools[(res, "low_es")], n // 2)
        rest = rng.sample(pools[(res, "random")], n - n // 2)
        picked = [(x, "low_es") for x in low] + [(x, "random") for x in rest]
        rng.shuffle(picked)  # the annotator does not see the stratum while reading
        queue += [{"dataset": STC3, "file": f, "row": i, "id": did, "stratum": s, "reserved": int(res)}
                  for (f, i, did), s in picked]
    rng.shuffle(queue)  # reserved and non-reserved mixed: a partial round covers both
    return queue


def question_rows() -> list[tuple[str, int, str, str]]:
    out = []
    with open(require_data() / QUESTIONS / ATEC, encoding="utf-8-sig", newline="") as f:
        for i, r in enumerate(x for x in csv.reader(f, delimiter="\t") if len(x) >= 3):
            out += [(ATEC, i, "q1", r[1].lstrip("\ufeff")), (ATEC, i, "q2", r[2])]
    for file in BQ_FILES:
        with open(require_data() / QUESTIONS / file, encoding="utf-8-sig", newline="") as f:
            for i, r in enumerate(csv.DictReader(f)):
                out += [(file, i, "q1", r["sentence1"]), (file, i, "q2", r["sentence2"])]
    return out


def all_turns() -> list[dict]:
    """Every customer turn with text: STC-3 (turn = index in the dialogue's turns) and questions."""
    out, seen = [], set()
    for file in (TRAIN, TEST):
        for i, d in enumerate(dialogues(file)):
            for t, turn in enumerate(d["turns"]):
                text = " ".join(u for u in turn["utterances"] if u and u.strip())
                if turn["sender"] == "customer" and text:
                    out.append({"dataset": STC3, "file": file, "row": i, "id": d["id"], "turn": t, "text": text})
    for file, i, which, text in question_rows():
        if text.strip() and text not in seen:  # the same question recurs across pairs: keep its first
            seen.add(text)
            out.append({"dataset": QUESTIONS, "file": file, "row": i, "id": which, "turn": "", "text": text})
    return out


def select_handoff() -> list[dict]:
    rng = random.Random(1717)
    turns = all_turns()
    for t in turns:
        t["reserved"] = int(is_reserved(t["dataset"], t["file"], t["row"]))
        t["stratum"] = "candidate" if CANDIDATE.search(MENTION.sub("", t["text"])) else "random"
    queue = []
    for res, n_cand, n_rand in ((0, 150, 150), (1, 100, 100)):
        for stratum, n in (("candidate", n_cand), ("random", n_rand)):
            pool = [t for t in turns if t["reserved"] == res and t["stratum"] == stratum]
            # half STC-3, half questions, where the pool allows
            stc = [t for t in pool if t["dataset"] == STC3]
            qs = [t for t in pool if t["dataset"] == QUESTIONS]
            k = min(len(stc), n // 2)
            queue += rng.sample(stc, k) + rng.sample(qs, n - k)
    rng.shuffle(queue)
    return [{k: v for k, v in t.items() if k != "text"} for t in queue]


STRONG = re.compile("人工|真人|机器人")
WEAK = re.compile("客服|转接|在吗|有人吗|活人|接线|坐席|经理|领导|负责人")


def extend_handoff(pattern: re.Pattern = STRONG, stratum: str = "strong_candidate",
                   datasets: tuple[str, ...] = (STC3, QUESTIONS), seed: int = 17017) -> list[dict]:
    """The queue plus every not yet queued turn matching ``pattern``, shuffled with a fixed seed."""
    queue = read_queue("handoff")
    have = {(q["dataset"], q["file"], str(q["row"]), q["id"], str(q["turn"])) for q in queue}
    extra = []
    for t in all_turns():
        key = (t["dataset"], t["file"], str(t["row"]), t["id"], str(t["turn"]))
        if key not in have and t["dataset"] in datasets and pattern.search(MENTION.sub("", t["text"])):
            extra.append({"dataset": t["dataset"], "file": t["file"], "row": t["row"], "id": t["id"],
                          "turn": t["turn"], "reserved": int(is_reserved(t["dataset"], t["file"], t["row"])),
                          "stratum": stratum})
    random.Random(seed).shuffle(extra)
    return queue + extra


def write_queue(kind: str, rows: list[dict]) -> None:
    QUEUE_DIR.mkdir(parents=True, exist_ok=True)
    path = QUEUE_DIR / f"{kind}.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} items -> {path}")


def read_queue(kind: str) -> list[dict]:
    with open(QUEUE_DIR / f"{kind}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def show_conduct(start: int, stop: int) -> None:
    cache: dict[str, list] = {}
    for n, q in enumerate(read_queue("conduct")[start:stop], start):
        d = cache.setdefault(q["file"], dialogues(q["file"]))[int(q["row"])]
        print(f"=== #{n} {q['file']}:{q['row']} res={q['reserved']}")
        for t, turn in enumerate(d["turns"]):
            text = " / ".join(u.strip() for u in turn["utterances"] if u and u.strip()) or "(empty)"
            print(f"  [{t}] {'C' if turn['sender'] == 'customer' else 'H'}: {text}")


def show_handoff(start: int, stop: int) -> None:
    cache: dict[str, list] = {}
    questions = {}
    for n, q in enumerate(read_queue("handoff")[start:stop], start):
        if q["dataset"] == STC3:
            d = cache.setdefault(q["file"], dialogues(q["file"]))[int(q["row"])]
            t = int(q["turn"])
            text = " / ".join(u.strip() for u in d["turns"][t]["utterances"] if u and u.strip())
            prev = ""
            if t > 0:
                prev = " / ".join(u.strip() for u in d["turns"][t - 1]["utterances"] if u and u.strip())
                prev = f"   (previous H: {prev[:80]})"
            print(f"#{n} STC3 t{t}: {text}{prev}")
        else:
            if not questions:
                questions.update({(f, i, w): x for f, i, w, x in question_rows()})
            print(f"#{n} Q {q['file'].split('/')[0]}: {questions[(q['file'], int(q['row']), q['id'])]}")


def stats() -> None:
    """Counts of the two label files per label, stratum and reserved/non-reserved (Markdown)."""
    from collections import Counter
    with open(HERE / "labels" / "agent_conduct.csv", encoding="utf-8", newline="") as f:
        conduct = list(csv.DictReader(f))
    with open(HERE / "labels" / "handoff.csv", encoding="utf-8", newline="") as f:
        handoff = list(csv.DictReader(f))
    print("| agent_conduct.csv | stratum | ok | problem | na | total |\n|---|---|---:|---:|---:|---:|")
    for res in (0, 1):
        for stratum in ("low_es", "random"):
            rows = [r for r in conduct if r["stratum"] == stratum
                    and is_reserved(r["dataset"], r["file"], int(r["row"])) == bool(res)]
            c = Counter(r["agent_conduct"] for r in rows)
            print(f"| {'reserved' if res else 'non-reserved'} | {stratum} | {c['ok']} | {c['problem']} | {c['na']} | {len(rows)} |")
    reasons = Counter(x for r in conduct for x in r["reasons"].split("|") if x)
    print("\nreasons:", ", ".join(f"{k} {v}" for k, v in reasons.most_common()))
    print("\n| handoff.csv | stratum | STC-3 requested | STC-3 not | other sets requested | other sets not | total |"
          "\n|---|---|---:|---:|---:|---:|---:|")
    for res in ("0", "1"):
        for stratum in sorted({r["stratum"] for r in handoff}):
            rows = [r for r in handoff if r["reserved"] == res and r["stratum"] == stratum]
            c = Counter((r["dataset"] == STC3, r["handoff"]) for r in rows)
            print(f"| {'reserved' if res == '1' else 'non-reserved'} | {stratum} | {c[(True, 'requested')]} | "
                  f"{c[(True, 'not_requested')]} | {c[(False, 'requested')]} | {c[(False, 'not_requested')]} | {len(rows)} |")


# -- round 2 (issue 17, third round): more rows for both splits, from every allowed set --------
# STC-3 customer turns and ATEC/BQ questions not yet labelled with a broader cue; complaint posts
# (heimao) and chat-bot utterances (XS) with a cue; and random turns. Stratum names say how a row
# was chosen; the queue holds references only and is shown shuffled (reserved and not mixed).
CUE2 = re.compile("人工|客服|真人|机器人|转接|有人吗|在吗|坐席|接线|在么|有人在|人呢|活人|专员|工作人员|有没有人")
QCUE2 = re.compile(CUE2.pattern + "|联系我|打电话给我|给我打电话|回电|在线|接通|在不在|找谁"
                   "|转(?!账|入|出|到|给|款|移|让|换|化|成|为|存|钱|回|发|走|帐)")
COMPLAINT_CUE = re.compile("人工|真人|机器人|转接|坐席|接线|活人")
XS_CUE = re.compile("客服|活人|人呢|主人|真人|人工|有人在")
HEIMAO_FILES = ("process_category/train.csv", "process_category/dev.csv", "process_category/test.csv")
XS_FILES = ("sentiment_XS_30k.txt", "sentiment_XS_test.txt")


def other_texts() -> list[dict]:
    """Complaint posts and chat-bot utterances: (dataset, file, row, text)."""
    from voc.datasets import HEIMAO, XS, contact_at
    out = []
    for ds, files in ((HEIMAO, HEIMAO_FILES), (XS, XS_FILES)):
        for file in files:
            row = 0
            while True:
                try:
                    text = contact_at(ds, file, row).turns[0].text
                except IndexError:
                    break
                out.append({"dataset": ds, "file": file, "row": row, "id": "", "turn": "", "text": text})
                row += 1
    return out


def select_round2() -> list[dict]:
    from voc.datasets import HEIMAO, XS
    rng = random.Random(171717)
    with open(HERE / "labels" / "handoff.csv", encoding="utf-8", newline="") as f:
        have = {(r["dataset"], r["file"], r["row"], r["id"], r["turn"]) for r in csv.DictReader(f)}
    pools: dict[tuple[int, str], list] = {}
    for t in all_turns() + other_texts():
        if (t["dataset"], t["file"], str(t["row"]), t["id"], str(t["turn"])) in have:
            continue
        res = int(is_reserved(t["dataset"], t["file"], t["row"]))
        text = MENTION.sub("", t["text"]).replace(" ", "") if t["dataset"] == XS else MENTION.sub("", t["text"])
        if t["dataset"] == STC3:
            s = "stc3_cue" if CUE2.search(text) else "random2_stc3"
        elif t["dataset"] == QUESTIONS:
            s = "question_cue2" if QCUE2.search(text) else "random2_question"
        elif t["dataset"] == HEIMAO:
            s = "complaint_cue" if COMPLAINT_CUE.search(text) else "random2_complaint"
        else:
            s = "xs_cue" if XS_CUE.search(text) else "xs_robot" if "机器人" in text else "random2_xs"
        t["reserved"], t["stratum"] = res, s
        pools.setdefault((res, s), []).append(t)
    sizes = {  # None: every row of the pool
        1: {"stc3_cue": None, "question_cue2": None, "complaint_cue": None, "xs_cue": None, "xs_robot": 30,
            "random2_stc3": 20, "random2_question": 20, "random2_complaint": 5, "random2_xs": 10},
        0: {"stc3_cue": 60, "question_cue2": 100, "complaint_cue": 25, "xs_cue": 60, "xs_robot": 15,
            "random2_stc3": 10, "random2_question": 10, "random2_complaint": 3, "random2_xs": 5}}
    queue = []
    for res, want in sizes.items():
        for s, n in want.items():
            pool = pools.get((res, s), [])
            queue += pool if n is None or n >= len(pool) else rng.sample(pool, n)
    rng.shuffle(queue)
    return [{k: v for k, v in t.items() if k != "text"} for t in queue]


def text_of(q: dict, questions: dict, cache: dict) -> str:
    from voc.datasets import contact_at
    if q["dataset"] == STC3:
        d = cache.setdefault(q["file"], dialogues(q["file"]))[int(q["row"])]
        t = int(q["turn"])
        text = " / ".join(u.strip() for u in d["turns"][t]["utterances"] if u and u.strip())
        if t > 0:
            prev = " / ".join(u.strip() for u in d["turns"][t - 1]["utterances"] if u and u.strip())
            text += f"   (previous H: {prev[:80]})"
        return f"STC3 t{t}: {text}"
    if q["dataset"] == QUESTIONS:
        if not questions:
            questions.update({(f, i, w): x for f, i, w, x in question_rows()})
        return "Q: " + questions[(q["file"], int(q["row"]), q["id"])]
    return q["dataset"][:6] + ": " + contact_at(q["dataset"], q["file"], int(q["row"])).turns[0].text[:400]


# round 3: the customer questions (ATEC/BQ) with a call-back or contact cue not yet labelled, where
# round 2 found most of its requests (回电, 可以打电话给我了): all reserved ones, 100 others.
QCUE3 = re.compile("打我电话|电话我|来电|致电|打给我|联系下我|联系一下我|回个电话|回拨|回复我|有人|谁在|值班|服务员"
                   "|经理|领导|负责人|主管|上级|人呢|找人|换人|帮我转|转一下|转过去|打电话|电话联系|接电话|咨询")


def select_round3() -> list[dict]:
    with open(HERE / "labels" / "handoff.csv", encoding="utf-8", newline="") as f:
        have = {(r["dataset"], r["file"], r["row"], r["id"], r["turn"]) for r in csv.DictReader(f)}
    pools: dict[int, list] = {0: [], 1: []}
    for t in all_turns():
        if t["dataset"] != QUESTIONS or (t["dataset"], t["file"], str(t["row"]), t["id"], "") in have:
            continue
        if QCUE3.search(t["text"]):
            res = int(is_reserved(t["dataset"], t["file"], t["row"]))
            pools[res].append(dict(t, reserved=res, stratum="question_cue3"))
    rng = random.Random(171718)
    queue = pools[1] + rng.sample(pools[0], min(100, len(pools[0])))
    rng.shuffle(queue)
    return [{k: v for k, v in t.items() if k != "text"} for t in queue]


def show_round2(start: int, stop: int, kind: str = "handoff2") -> None:
    questions: dict = {}
    cache: dict = {}
    for n, q in enumerate(read_queue(kind)[start:stop], start):
        print(f"#{n} {text_of(q, questions, cache)}")


def record_round2(start: int, labels: str, kind: str = "handoff2") -> None:
    """Append the typed labels (r = requested, n = not_requested; spaces ignored) of queue items
    start, start+1, ... to corpus/labels/handoff.csv with the next item numbers (annotator AC1)."""
    queue = read_queue(kind)
    path = HERE / "labels" / "handoff.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    have = {(r["dataset"], r["file"], r["row"], r["id"], r["turn"]) for r in rows}
    nxt = max(int(r["item"][1:]) for r in rows) + 1
    labels = labels.replace(" ", "")
    with open(path, "a", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        for q, lab in zip(queue[start:start + len(labels)], labels):
            assert lab in "rn", lab
            if (q["dataset"], q["file"], str(q["row"]), q["id"], str(q["turn"])) in have:
                continue
            w.writerow({"item": f"H{nxt:04d}", "dataset": q["dataset"], "file": q["file"], "row": q["row"],
                        "id": q["id"], "turn": q["turn"], "reserved": q["reserved"],
                        "handoff": "requested" if lab == "r" else "not_requested", "annotator": "AC1",
                        "stratum": q["stratum"]})
            nxt += 1
    print(f"recorded {len(labels)} labels from #{start}")


def main(argv: list[str]) -> None:
    kind, action = argv[0], (argv[1] if len(argv) > 1 else "")
    if kind == "stats":
        stats()
        return
    if action == "select":
        write_queue(kind, select_conduct() if kind == "conduct" else select_handoff())
    elif action == "extend":
        write_queue(kind, extend_handoff())
    elif action == "round2":
        write_queue("handoff2", select_round2())
    elif action == "round3":
        write_queue("handoff3", select_round3())
    elif action in ("show3", "record3"):
        (show_round2 if action == "show3" else record_round2)(int(argv[2]), argv[3] if action == "record3"
                                                             else int(argv[3]), "handoff3")
    elif action == "show2":
        show_round2(int(argv[2]), int(argv[3]))
    elif action == "record2":
        record_round2(int(argv[2]), argv[3])
    elif action == "extend-questions":
        write_queue(kind, extend_handoff(WEAK, "question_cue", (QUESTIONS,), 17018))
    else:
        (show_conduct if kind == "conduct" else show_handoff)(int(argv[2]), int(argv[3]))


if __name__ == "__main__":
    main(sys.argv[1:])
