"""Independent second pass over agent_conduct.csv and handoff.csv (issue 17): select, show, kappa.

    python corpus/qa_second_pass.py select               # counts of the chosen items (references only)
    python corpus/qa_second_pass.py show conduct 0 20    # prints the dialogues of items 0..19 to read
    python corpus/qa_second_pass.py show handoff 0 20    # prints the customer turns of items 0..19
    python corpus/qa_second_pass.py record conduct < batch.txt   # appends typed labels (see record())
    python corpus/qa_second_pass.py kappa                # agreement with the first pass (after labelling)

Blindness: ``select`` and ``show`` read ONLY the reference columns of the first-pass files
(item, dataset, file, row, id, turn, reserved, stratum); the label columns (agent_conduct,
reasons, problem_turns, handoff, annotator) are dropped as each row is read and never printed.
The second annotator reads each printed item and types the labels into
corpus/labels/agent_conduct_second_pass.csv / handoff_second_pass.csv (annotators AC2 / HO2).
Only ``kappa`` reads the first pass's labels, and only after the second pass is saved.

Selection (fixed seeds, reference columns only):
- agent conduct, 110 dialogues: every reserved ``low_es`` item whose id number is even, then
  reserved ``random`` items (seed 1702) up to 70 reserved, then 20 non-reserved ``low_es`` and
  20 non-reserved ``random`` items (seed 1703): 40 non-reserved, stratified by stratum.
- hand-off, 160 turns: there are more than 120 reserved items, so 120 of them: every reserved
  ``strong_candidate`` and ``question_cue`` item (where the requests are) and the remainder split
  evenly between reserved ``candidate`` and ``random`` (seed 1704); then 20 non-reserved
  ``strong_candidate`` and 20 non-reserved ``question_cue`` items (seed 1705).
Items are shown in a shuffled order (seed 1706) so that neither the stratum nor the reserved flag
can be read off the position.
- hand-off round 2 (``show handoff2``): a 10% random sample (seed 1707) of the rows added to
  handoff.csv in the third round (items H0809 on), re-read in a new shuffled order after the
  pattern work, without the first labels (HO2 again: the same annotator agent, so an upper bound).
"""
from __future__ import annotations

import csv
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from qa_label_queue import dialogues, question_rows  # noqa: E402
from voc.datasets import STC3, is_reserved  # noqa: E402

LABELS = HERE / "labels"
REFS = ("item", "dataset", "file", "row", "id", "turn", "reserved", "stratum")


def references(name: str) -> list[dict]:
    """The first-pass file's rows with the reference columns only (labels are dropped here)."""
    with open(LABELS / name, encoding="utf-8", newline="") as f:
        rows = [{k: r[k] for k in REFS if k in r} for r in csv.DictReader(f)]
    for r in rows:
        r.setdefault("reserved", str(int(is_reserved(r["dataset"], r["file"], int(r["row"])))))
    return rows


def select_conduct() -> list[dict]:
    refs = references("agent_conduct.csv")
    pick = lambda res, s: [r for r in refs if r["reserved"] == res and r["stratum"] == s]  # noqa: E731
    chosen = [r for r in pick("1", "low_es") if int(r["item"][1:]) % 2 == 0]
    rest = pick("1", "random")
    chosen += random.Random(1702).sample(rest, 70 - len(chosen))
    rng = random.Random(1703)
    chosen += rng.sample(pick("0", "low_es"), 20) + rng.sample(pick("0", "random"), 20)
    random.Random(1706).shuffle(chosen)
    return chosen


def select_handoff() -> list[dict]:
    refs = references("handoff.csv")
    pick = lambda res, s: [r for r in refs if r["reserved"] == res and r["stratum"] == s]  # noqa: E731
    reserved = [r for r in refs if r["reserved"] == "1"]
    if len(reserved) <= 120:
        chosen = reserved
    else:
        chosen = pick("1", "strong_candidate") + pick("1", "question_cue")
        rng = random.Random(1704)
        k = 120 - len(chosen)
        chosen += rng.sample(pick("1", "candidate"), k - k // 2) + rng.sample(pick("1", "random"), k // 2)
    rng = random.Random(1705)
    n = 160 - len(chosen)
    chosen += rng.sample(pick("0", "strong_candidate"), n - n // 2) + rng.sample(pick("0", "question_cue"), n // 2)
    random.Random(1706).shuffle(chosen)
    return chosen


ROUND2_FROM = 809


def select_handoff_round2() -> list[dict]:
    new = [r for r in references("handoff.csv") if int(r["item"][1:]) >= ROUND2_FROM]
    chosen = random.Random(1707).sample(new, round(len(new) / 10))
    random.Random(1708).shuffle(chosen)
    return chosen


def turn_text(turn: dict) -> str:
    return " / ".join(u.strip() for u in turn["utterances"] if u and u.strip()) or "(empty)"


def show(kind: str, start: int, stop: int) -> None:
    cache: dict[str, list] = {}
    if kind == "conduct":
        for n, q in enumerate(select_conduct()[start:stop], start):
            d = cache.setdefault(q["file"], dialogues(q["file"]))[int(q["row"])]
            print(f"=== #{n} {q['item']}")
            for t, turn in enumerate(d["turns"]):
                print(f"  [{t}] {'C' if turn['sender'] == 'customer' else 'H'}: {turn_text(turn)}")
        return
    questions: dict = {}
    if kind == "handoff2":
        from qa_label_queue import text_of
        for n, q in enumerate(select_handoff_round2()[start:stop], start):
            print(f"#{n} {q['item']} {text_of(q, questions, cache)}")
        return
    for n, q in enumerate(select_handoff()[start:stop], start):
        if q["dataset"] == STC3:
            d = cache.setdefault(q["file"], dialogues(q["file"]))[int(q["row"])]
            t = int(q["turn"])
            prev = f"   (previous H: {turn_text(d['turns'][t - 1])[:80]})" if t > 0 else ""
            print(f"#{n} {q['item']} STC3 t{t}: {turn_text(d['turns'][t])}{prev}")
        else:
            if not questions:
                questions.update({(f, i, w): x for f, i, w, x in question_rows()})
            print(f"#{n} {q['item']} Q: {questions[(q['file'], int(q['row']), q['id'])]}")


OUT = {"conduct": ("agent_conduct.csv", "agent_conduct_second_pass.csv", "AC2",
                    ["item", "dataset", "file", "row", "id", "stratum", "agent_conduct", "reasons",
                     "problem_turns", "annotator"]),
       "handoff": ("handoff.csv", "handoff_second_pass.csv", "HO2",
                   ["item", "dataset", "file", "row", "id", "turn", "reserved", "handoff", "annotator",
                    "stratum"])}


def record(kind: str, lines: list[str]) -> None:
    """Append the annotator's typed labels: one line per item, ``ITEM LABEL [REASONS [TURNS]]``.

    Only the reference columns are copied from the first-pass file; the label is the typed one.
    """
    src, dst, annotator, fields = OUT[kind]
    refs = {r["item"]: r for r in references(src)}
    path = LABELS / dst
    have = set(read(dst)) if path.exists() else set()
    with open(path, "a", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        if not have:
            w.writeheader()
        for line in lines:
            parts = line.split()
            if not parts or parts[0] in have:
                continue
            row = dict(refs[parts[0]], annotator=annotator)
            if kind == "conduct":
                assert parts[1] in ("ok", "problem", "na"), line
                row.update(agent_conduct=parts[1], reasons=parts[2] if len(parts) > 2 else "",
                           problem_turns=parts[3] if len(parts) > 3 else "")
            else:
                row["handoff"] = {"r": "requested", "n": "not_requested"}.get(parts[1], parts[1])
                assert row["handoff"] in ("requested", "not_requested"), line
            w.writerow(row)
            have.add(parts[0])
    print(f"{len(have)} items in {dst}")


def read(name: str) -> dict[str, dict]:
    with open(LABELS / name, encoding="utf-8", newline="") as f:
        return {r["item"]: r for r in csv.DictReader(f)}


def table(pairs: list[tuple[str, str]], values: list[str], first: str, second: str) -> str:
    c = Counter(pairs)
    out = [f"| {first} \\ {second} | " + " | ".join(values) + " |", "|---|" + "---:|" * len(values)]
    out += [f"| {a} | " + " | ".join(str(c[(a, b)]) for b in values) + " |" for a in values]
    return "\n".join(out)


def agreement(pairs: list[tuple[str, str]]) -> str:
    from sklearn.metrics import cohen_kappa_score  # scikit-learn is already a dependency (setup.cfg)
    if not pairs:
        return "— (0 items)"
    a, b = zip(*pairs)
    raw = sum(x == y for x, y in pairs) / len(pairs)
    if len(set(a) | set(b)) == 1:
        return f"— (one value only; {raw:.1%} raw, {len(pairs)} items)"
    return f"{cohen_kappa_score(a, b):.3f} ({raw:.1%} raw, {len(pairs)} items)"


def kappa() -> None:
    first_c, second_c = read("agent_conduct.csv"), read("agent_conduct_second_pass.csv")
    first_h, second_h = read("handoff.csv"), read("handoff_second_pass.csv")
    for r in list(first_c.values()):
        r["reserved"] = str(int(is_reserved(r["dataset"], r["file"], int(r["row"]))))
    print(f"## agent_conduct: {len(second_c)} items (first pass AC1, second pass AC2)\n")
    for scope, keep in (("all", lambda r: True), ("reserved", lambda r: r["reserved"] == "1"),
                        ("non-reserved", lambda r: r["reserved"] == "0")):
        items = [i for i in second_c if keep(first_c[i])]
        pairs = [(first_c[i]["agent_conduct"], second_c[i]["agent_conduct"]) for i in items]
        no_na = [p for p in pairs if "na" not in p]
        print(f"- {scope}: ok/problem/na as three classes {agreement(pairs)}; "
              f"na excluded (ok/problem) {agreement(no_na)}")
    for scope in ("all", "reserved"):
        pairs = [(first_c[i]["agent_conduct"], second_c[i]["agent_conduct"]) for i in second_c
                 if scope == "all" or first_c[i]["reserved"] == "1"]
        print(f"\n{scope}:\n\n" + table(pairs, ["ok", "problem", "na"], "AC1", "AC2"))
    print()
    for stratum in ("low_es", "random"):
        sp = [(first_c[i]["agent_conduct"], second_c[i]["agent_conduct"]) for i in second_c
              if first_c[i]["stratum"] == stratum]
        print(f"- stratum {stratum}: {agreement(sp)}")
    both = [i for i in second_c if first_c[i]["agent_conduct"] == second_c[i]["agent_conduct"] == "problem"]
    same_turns = sum(set(first_c[i]["problem_turns"].split("|")) & set(second_c[i]["problem_turns"].split("|"))
                     != set() for i in both)
    print(f"- both problem: {len(both)}; of these, at least one problem turn in common: {same_turns}")
    print("\ndisagreements:", " ".join(sorted(i for i in second_c
                                            if first_c[i]["agent_conduct"] != second_c[i]["agent_conduct"])))

    first_m, second_m = read("agent_conduct_more.csv"), read("agent_conduct_more_second_pass.csv")
    pairs = [(first_m[i]["agent_conduct"], second_m[i]["agent_conduct"]) for i in second_m]
    print(f"\n## agent_conduct_more: {len(pairs)} items (first pass AC3, second pass AC4), {agreement(pairs)}\n\n"
          + table(pairs, ["ok", "problem", "na"], "AC3", "AC4"))

    print(f"\n## handoff: {len(second_h)} turns (first pass AC1, second pass HO2)\n")
    for scope, keep in (("all", lambda r: True), ("reserved", lambda r: r["reserved"] == "1"),
                        ("non-reserved", lambda r: r["reserved"] == "0")):
        pairs = [(first_h[i]["handoff"], second_h[i]["handoff"]) for i in second_h if keep(first_h[i])]
        print(f"- {scope}: {agreement(pairs)}")
    for scope in ("all", "reserved"):
        pairs = [(first_h[i]["handoff"], second_h[i]["handoff"]) for i in second_h
                 if scope == "all" or first_h[i]["reserved"] == "1"]
        print(f"\n{scope}:\n\n" + table(pairs, ["requested", "not_requested"], "AC1", "HO2"))
    print()
    round2 = [i for i in second_h if int(i[1:]) >= ROUND2_FROM]
    pairs = [(first_h[i]["handoff"], second_h[i]["handoff"]) for i in round2]
    print(f"- round 2 rows (H{ROUND2_FROM:04d} on): {agreement(pairs)}\n\n" + table(pairs, ["requested", "not_requested"], "AC1", "HO2"))
    for stratum in sorted({first_h[i]["stratum"] for i in second_h}):
        sp = [(first_h[i]["handoff"], second_h[i]["handoff"]) for i in second_h if first_h[i]["stratum"] == stratum]
        print(f"- stratum {stratum}: {agreement(sp)}")
    print("\ndisagreements:", " ".join(sorted(i for i in second_h if first_h[i]["handoff"] != second_h[i]["handoff"])))


def main(argv: list[str]) -> None:
    if argv[:1] == ["select"]:
        for kind, rows in (("conduct", select_conduct()), ("handoff", select_handoff())):
            c = Counter((r["reserved"], r["stratum"]) for r in rows)
            print(kind, len(rows), dict(sorted(c.items())))
    elif argv[:1] == ["show"]:
        show(argv[1], int(argv[2]), int(argv[3]))
    elif argv[:1] == ["record"]:
        record(argv[1], sys.stdin.read().splitlines())
    elif argv[:1] == ["kappa"]:
        kappa()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
