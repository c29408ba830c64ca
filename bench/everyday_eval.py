"""Every tag on the reserved rows, split by kind of traffic, beside the previous model and the
annotators' agreement (issue 15).

    python bench/everyday_eval.py [--previous REV | --no-previous] [--limit N]
                                  [--json bench/results/everyday_eval.json] [--markdown docs/everyday_eval.md]

Reserved rows only (evaluation; nothing here trains or tunes anything):
  everyday      corpus/labels/everyday_reserved.csv (1,020 items: complaint posts, helpdesk dialogues,
                customer questions, chat utterances, reviews; the kind is corpus/everyday_stats.py's kind())
  adjudicated   corpus/labels/reserved_adjudicated.csv (600): root cause on the older reserved sets,
                adjudicated labels and the first pass of reserved_eval.csv
  STC-3         the reserved training dialogues of train_data_cn.json (index % 5 == 0, 19 annotators
                each): ROC AUC of resolved_score against mean "A" (task accomplished) > 0
  reviews       the reserved review rows (index % 10 == 0): binary review accuracy (sentiment score > 0.5)

Each model is the default pipeline of a tree (``voc.load(disable=("topics",))``) run in a subprocess
with that tree first on sys.path, one ``pipe()`` run per input (one kind of one label file, as an
analyst would tag one export at a time): the current tree, and with ``--previous REV`` (default: voc
before issue 15) a temporary ``git worktree`` of REV, removed afterwards. The subprocess writes the
output records as JSONL with the token boundaries of the customer text cut by that tree's own
segmenter (for the word-split check of evidence spans). The JSON and Markdown hold figures and
counts only, never text of ../shared/data.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT, ROOT / "bench", ROOT / "corpus"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import everyday_stats as ES  # noqa: E402  corpus/everyday_stats.py: kind(), label files, agreement
from churn_escalation_eval import prf  # noqa: E402  precision/recall of churn high and escalate
from sentiment_eval import accuracy as review_accuracy  # noqa: E402  binary review accuracy per set

PREVIOUS = "45c496808e35ae458d7eef6bdde03d1dd5c0b143"  # voc before issue 15
KINDS = ES.KINDS
POOLED = "pooled"
DIALOGUES_QUESTIONS = "dialogues and questions"
ROOT_CAUSES, SENTIMENTS, CONTACT_TYPES, RESOLVED = (ES.VALUES[f] for f in ("root_cause", "sentiment", "contact_type",
                                                                          "resolved"))
NONE = "(none)"  # a field the model left empty on an item (an error): always wrong
KEEP = ("id", "text", "contact_type", "root_cause", "root_cause_evidence", "sentiment", "sentiment_label",
        "resolved", "resolved_score", "churn_level", "escalate", "status", "model_version")

# The subprocess: tag each input with the tree's default pipeline, write one JSON line per record.
TAGGER = r'''
import json, sys
from itertools import accumulate
root, src, dst = sys.argv[1:4]
keep = sys.argv[4].split(",")
sys.path.insert(0, root)
import voc
from voc.records import Contact, Turn
from voc.text.segment import default_segmenter
assert voc.__file__.startswith(root), (voc.__file__, root)
nlp = voc.load(disable=("topics",))
seg = default_segmenter()

def bounds(text):
    return [0, *accumulate(map(len, seg.cut_raw(text)))]

def run(group, rows, f):
    contacts = [Contact(r["id"], tuple(Turn(s, t) for s, t in r["turns"]), channel=r.get("channel"),
                        metadata=r.get("metadata") or {}) for r in rows]
    for c, t in zip(contacts, nlp.pipe(contacts)):
        rec = t.to_record()
        out = {k: rec.get(k) for k in keep}
        out["group"] = group
        out["bounds"] = bounds(rec["text"] or "") if rec.get("root_cause_evidence") else []
        f.write(json.dumps(out, ensure_ascii=False) + "\n")

groups = {}
with open(src, encoding="utf-8") as f:
    for line in f:
        r = json.loads(line)
        groups.setdefault(r["group"], []).append(r)
with open(dst, "w", encoding="utf-8") as f:
    for group, rows in groups.items():
        run(group, rows, f)
'''

# -- system lines (taxonomy section 10), recognised here independently of the model under test --
_SYSTEM = re.compile(
    r"^\s*[\[【(（]?(咨询订单号|订单编号|订单号|订单ID|商品ID|商品编号|商品链接|服务单号)[\]】)）]?\s*[:：]"
    r"\s*(?:[A-Za-z0-9_\-#*/.:]|\[[\u4e00-\u9fff]{1,5}x\]|〔[^〔〕]{1,24}〕)*\s*$"  # a header: field and value only
    r"|顾客通过.{0,30}进入|正在为您转接|已为您转接|会话已转接|您已进入人工|当前排队(?:人数|第)"
    r"|您前面还有\s*\d+\s*[位人]"
    r"|^\s*[\[【]?(自动回复|系统消息|系统提示)[\]】]?"
    r"|\[[\u4e00-\u9fff]{1,5}x\]",  # masked placeholders: [订单x], [数字x], [姓名x] ...
    re.IGNORECASE)
TEMPLATE_MIN_CHARS, TEMPLATE_MIN_CONTACTS = 6, 5


def _lines(contact, redact) -> list[str]:
    """The contact's lines (every turn, split at line breaks) as the pipeline's text shows them."""
    from voc.text.normalise import normalise

    return [x for t in contact.turns for x in (redact(normalise(p)) for p in (t.text or "").split("\n")) if x]


def system_lines(contacts) -> list[set[str]]:
    """Per contact, its lines that are system lines: a pattern of taxonomy section 10, or a line
    (>= 6 characters) repeated verbatim in >= 5 dialogues of the same input (a template)."""
    from voc.text.redact import Redactor

    redact = Redactor()
    lines = [_lines(c, redact) for c in contacts]
    seen = Counter(x for c, ls in zip(contacts, lines) if c.is_dialogue
                   for x in set(ls) if len(x) >= TEMPLATE_MIN_CHARS)
    templates = {x for x, n in seen.items() if n >= TEMPLATE_MIN_CONTACTS}
    return [{x for x in ls if x in templates or _SYSTEM.search(x)} for ls in lines]


def check_spans(record: dict, sys_lines: set[str]) -> dict:
    """Evidence spans of one record: how many, from a system line, splitting a word, not in the text."""
    spans = [s for s in record.get("root_cause_evidence") or () if s and s.strip()]
    text, bounds = record.get("text") or "", set(record.get("bounds") or ())
    out = {"spans": len(spans), "system_line": 0, "splits_word": 0, "not_in_text": 0}
    for s in spans:
        core = s.strip()
        if _SYSTEM.search(core) or any(core in line for line in sys_lines):
            out["system_line"] += 1
        pos = text.find(s)
        if pos < 0:
            out["not_in_text"] += 1
        elif pos not in bounds or pos + len(s) not in bounds:
            out["splits_word"] += 1
    return out


# -- the items ---------------------------------------------------------------------------------
def spread(items: list, key, n: int | None) -> list:
    """The first ``n`` items taken round-robin over ``key`` (every value present in a small subset)."""
    if n is None or n >= len(items):
        return items
    by: dict = {}
    for it in items:
        by.setdefault(key(it), []).append(it)
    order = []
    for rank in range(max(len(v) for v in by.values())):
        order += [v[rank] for v in by.values() if rank < len(v)]
    return order[:n]


def collect(limit: int | None = None) -> dict:
    from voc import datasets as D
    from voc.records import Contact
    from voc.training.sentiment import reserved_reviews

    def labelled(name: str) -> list[tuple]:
        out = []
        for c, r in D.read_labels(ROOT / "corpus" / "labels" / name):
            if not D.is_reserved(r["dataset"], r["file"], int(r["row"])):
                raise SystemExit(f"{name}: item {r['item']} is not a reserved row; this bench scores reserved rows only")
            out.append((c, r, ES.kind(r["dataset"])))
        return out

    everyday = spread(labelled("everyday_reserved.csv"), lambda x: x[2], limit)
    adjudicated = spread(labelled("reserved_adjudicated.csv"), lambda x: x[2], limit)
    first = {r["item"]: r for r in ES.read("reserved_eval.csv")}
    stc3 = []
    for c, ann in D.iter_dataset(D.STC3, reserved=True, file="train_data_cn.json"):
        a = [x["quality"]["A"] for x in ann or () if "A" in x.get("quality", {})]
        if a:
            stc3.append((c, float(np.mean(a)) > 0))
    stc3 = spread(stc3, lambda x: x[1], limit)
    reviews = spread(reserved_reviews(), lambda x: x[0], limit)
    review_contacts = [(Contact.from_text(text, id=f"review:{s}:{i}", channel="review"), (s, text, y))
                       for i, (s, text, y) in enumerate(reviews)]
    return {"everyday": everyday, "adjudicated": [(c, r, k, first[r["item"]]) for c, r, k in adjudicated],
            "stc3": stc3, "reviews": review_contacts}


def inputs(sets: dict) -> dict[str, list]:
    """The inputs a model tags, each one run: group name -> contacts."""
    groups: dict[str, list] = {}
    for c, _, k in sets["everyday"]:
        groups.setdefault(f"everyday/{k}", []).append(c)
    for c, _, k, _ in sets["adjudicated"]:
        groups.setdefault(f"adjudicated/{k}", []).append(c)
    groups["stc3_train_reserved"] = [c for c, _ in sets["stc3"]]
    for c, (s, _, _) in sets["reviews"]:
        groups.setdefault(f"reviews/{s}", []).append(c)
    return groups


def tag_with(tree: Path, groups: dict[str, list], tmp: Path, name: str) -> tuple[dict[str, list], float]:
    """Records per group, tagged by the tree's default pipeline in a subprocess."""
    src, dst = tmp / f"{name}.in.jsonl", tmp / f"{name}.out.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for g, contacts in groups.items():
            for c in contacts:
                f.write(json.dumps({"group": g, "id": c.id, "turns": [[t.speaker, t.text] for t in c.turns],
                                    "channel": c.channel, "metadata": dict(c.metadata)}, ensure_ascii=False) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("VOC_HOME", "PYTHONPATH")}
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", TAGGER, str(tree), str(src), str(dst), ",".join(KEEP)],
                       cwd=tree, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if r.returncode:
        raise SystemExit(f"tagging with {tree} failed:\n{r.stderr[-4000:]}")
    out: dict[str, list] = {g: [] for g in groups}
    with open(dst, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            out[rec["group"]].append(rec)
    for g, contacts in groups.items():
        if [c.id for c in contacts] != [r["id"] for r in out[g]]:
            raise SystemExit(f"{name}: the records of {g} do not line up with its contacts")
    return out, seconds


@contextmanager
def worktree(rev: str):
    """A temporary ``git worktree`` of REV (its path), removed afterwards."""
    path = tempfile.mkdtemp(prefix="voc-previous-")
    git = ["git", "-C", str(ROOT), "worktree"]
    r = subprocess.run([*git, "add", "--detach", path, rev], capture_output=True, text=True)
    if r.returncode:
        os.rmdir(path)
        raise SystemExit(f"cannot make a worktree of {rev}: {r.stderr.strip()}")
    try:
        yield Path(path)
    finally:
        subprocess.run([*git, "remove", "--force", path], capture_output=True, text=True)
        subprocess.run([*git, "prune"], capture_output=True, text=True)


# -- metrics -------------------------------------------------------------------------------------
def r4(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def labelled_report(gold: list[str], pred: list, labels) -> dict | None:
    """Accuracy, macro-F1 over ``labels`` and per-class recall; None when the model fills nothing."""
    from voc.evaluation import classification_report

    if not gold or all(p is None for p in pred):
        return None
    pred = [p if p in labels else NONE for p in pred]
    rep = classification_report(gold, pred, labels=list(labels) + ([NONE] if NONE in pred else []))
    per = {k: rep["per_class"][k] for k in labels}
    seen = [v["f1"] for v in per.values() if v["support"] or v["predicted"]]  # labels that occur in the scope
    return {"n": len(gold), "accuracy": rep["accuracy"], "macro_f1": r4(np.mean(seen)),
            "recall": {k: v["recall"] for k, v in per.items() if v["support"]},
            "predicted": dict(Counter(p for p in pred))}


def aligned(items: list, recs: dict[str, list], group_of) -> list[dict]:
    """The record of each item, from the records of the input (group) it was tagged in."""
    its = {g: iter(v) for g, v in recs.items()}
    return [next(its[group_of(it)]) for it in items]


def scope_metrics(rows: list[dict], recs: list[dict], spans: list[dict]) -> dict:
    """Every figure of one model on one scope (a kind, or all kinds pooled)."""
    g = lambda f: [r[f] for r in rows]  # noqa: E731
    ct = [x["contact_type"] for x in recs]
    out: dict = {"items": len(rows)}
    out["contact_type"] = labelled_report(g("contact_type"), ct, CONTACT_TYPES)
    out["root_cause"] = labelled_report(g("root_cause"), [x["root_cause"] for x in recs], ROOT_CAUSES)
    inq = [i for i, r in enumerate(rows) if r["contact_type"] in ("inquiry", "request") and r["root_cause"] == "other"]
    pred_inq = Counter(recs[i]["root_cause"] or NONE for i in inq)
    out["other_recall_inquiry_request"] = {"n": len(inq), "recall": r4(pred_inq["other"] / len(inq)) if inq else None,
                                           "predicted": dict(sorted(pred_inq.items()))}
    out["sentiment"] = labelled_report(g("sentiment"), [x["sentiment_label"] for x in recs], SENTIMENTS)
    out["churn_high"] = prf(np.array([r["churn"] == "high" for r in rows], dtype=bool),
                            np.array([x["churn_level"] == "high" for x in recs], dtype=bool))
    out["escalate"] = prf(np.array([r["escalate"] == "yes" for r in rows], dtype=bool),
                          np.array([bool(x["escalate"]) for x in recs], dtype=bool))
    out["resolved"] = labelled_report(g("resolved"), [x["resolved"] for x in recs], RESOLVED)
    filled = any(c is not None for c in ct)
    tagged = [c == "complaint" for c in ct] if filled else [x["root_cause"] not in (None, "other") for x in recs]
    n = max(1, len(rows))
    out["complaint_share"] = {"tagged": r4(sum(tagged) / n), "labelled": r4(sum(r["contact_type"] == "complaint" for r in rows) / n),
                              "by": "contact_type" if filled else "root_cause != other"}
    out["negative_share"] = {"tagged": r4(sum(x["sentiment_label"] == "negative" for x in recs) / n),
                             "labelled": r4(sum(r["sentiment"] == "negative" for r in rows) / n)}
    out["evidence"] = {k: sum(s[k] for s in spans) for k in ("spans", "system_line", "splits_word", "not_in_text")}
    return out


def evaluate(sets: dict, groups: dict[str, list], sys_by_id: dict, recs: dict[str, list]) -> dict:
    """All figures of one model (``sys_by_id``: group -> contact id -> its system lines)."""
    from sklearn.metrics import roc_auc_score

    ev_recs = aligned(sets["everyday"], recs, lambda it: f"everyday/{it[2]}")
    ev_spans = [check_spans(x, sys_by_id[f"everyday/{k}"][c.id]) for (c, _, k), x in zip(sets["everyday"], ev_recs)]
    scopes = {k: [i for i, (_, _, kk) in enumerate(sets["everyday"]) if kk == k] for k in KINDS}
    scopes[DIALOGUES_QUESTIONS] = scopes["helpdesk dialogues"] + scopes["customer questions"]
    scopes[POOLED] = list(range(len(ev_recs)))
    out: dict = {"model_version": ev_recs[0]["model_version"] if ev_recs else None, "by_kind": {}}
    for name, idx in scopes.items():
        if idx:
            out["by_kind"][name] = scope_metrics([sets["everyday"][i][1] for i in idx], [ev_recs[i] for i in idx],
                                                 [ev_spans[i] for i in idx])
    # root cause on the older reserved sets
    adj = [(r, first, k, x) for (_, r, k, first), x in
           zip(sets["adjudicated"], aligned(sets["adjudicated"], recs, lambda it: f"adjudicated/{it[2]}"))]
    out["older_reserved"] = {}
    for name in (*KINDS, POOLED):
        sel = [a for a in adj if name in (POOLED, a[2])]
        if sel:
            pred = [x["root_cause"] for *_, x in sel]
            out["older_reserved"][name] = {
                "adjudicated": labelled_report([r["root_cause"] for r, *_ in sel], pred, ROOT_CAUSES),
                "first_pass": labelled_report([f["root_cause"] for _, f, *_ in sel], pred, ROOT_CAUSES)}
    # resolved_score against STC-3's mean A > 0
    y = np.array([a for _, a in sets["stc3"]], dtype=bool)
    score = [x["resolved_score"] for x in recs["stc3_train_reserved"]]
    auc: dict = {"n": len(y), "mean_A_positive": int(y.sum()), "filled": sum(s is not None for s in score)}
    auc["roc_auc"] = r4(roc_auc_score(y, [0.5 if s is None else s for s in score])) \
        if auc["filled"] and 0 < y.sum() < len(y) else None
    out["stc3_resolved_auc"] = auc
    # binary review accuracy (sentiment score > 0.5), per set and pooled
    rows = [row for _, row in sets["reviews"]]
    p = np.array([0.5 if x["sentiment"] is None else x["sentiment"]
                  for x in aligned(sets["reviews"], recs, lambda it: f"reviews/{it[1][0]}")], dtype=float)
    out["reviews_binary"] = dict(review_accuracy(p, rows), n=len(rows)) if rows else None
    # evidence spans over every reserved contact tagged
    total = Counter()
    for g, cs in groups.items():
        for c, x in zip(cs, recs[g]):
            total.update(check_spans(x, sys_by_id[g][c.id]))
    out["evidence_all_sets"] = dict(total)
    out["evidence_all_sets"]["system_lines_in_items"] = sum(len(v) for d in sys_by_id.values() for v in d.values())
    return out


def agreement() -> tuple[list[str], dict]:
    """The annotators' agreement per kind and field: corpus/everyday_stats.py's table, and its
    figures read back from it (kappa, raw agreement) for the JSON."""
    train, reserved, second = ES.read("everyday.csv"), ES.read("everyday_reserved.csv"), ES.read("everyday_second_pass.csv")
    lines = ES.agreement({r["item"]: r for r in train + reserved}, second)
    rid = {r["item"] for r in reserved}
    table: dict = {"items": len(second), "reserved_items": sum(r["item"] in rid for r in second), "by_kind": {}}
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 + len(ES.FIELDS) and cells[0] in (*KINDS, "all"):
            row = table["by_kind"][POOLED if cells[0] == "all" else cells[0]] = {"items": int(cells[1])}
            for f, cell in zip(ES.FIELDS, cells[2:]):
                m = re.fullmatch(r"(—|-?[0-9.]+) \((\d+)%\)", cell)
                row[f] = {"kappa": None if m.group(1) == "—" else float(m.group(1)), "raw": int(m.group(2)) / 100}
    return lines, table


# -- targets (issue 15, "Targets") ----------------------------------------------------------------
def _get(res: dict | None, *path):
    for k in path:
        if not isinstance(res, dict) or res.get(k) is None:
            return None
        res = res[k]
    return res


def _worst_kind(res: dict, *path) -> tuple[float | None, str]:
    vals = [(_get(res, "by_kind", k, *path), k) for k in KINDS if k in res.get("by_kind", {})]
    return (None, "") if not vals or any(v is None for v, _ in vals) else min(vals)


TARGETS = (  # (what, threshold, how the value is read from one model's results)
    ("contact type accuracy ≥ 0.88 pooled", 0.88, lambda r: _get(r, "by_kind", POOLED, "contact_type", "accuracy")),
    ("contact type accuracy ≥ 0.85 on every kind (lowest kind)", 0.85, lambda r: _worst_kind(r, "contact_type", "accuracy")),
    ("root cause `other` recall ≥ 0.85 on inquiry and request items", 0.85,
     lambda r: _get(r, "by_kind", POOLED, "other_recall_inquiry_request", "recall")),
    ("root-cause macro-F1 ≥ 0.76 on reserved_adjudicated.csv", 0.76,
     lambda r: _get(r, "older_reserved", POOLED, "adjudicated", "macro_f1")),
    ("three-way sentiment accuracy ≥ 0.85 on helpdesk dialogues", 0.85,
     lambda r: _get(r, "by_kind", "helpdesk dialogues", "sentiment", "accuracy")),
    ("three-way sentiment accuracy ≥ 0.85 on customer questions", 0.85,
     lambda r: _get(r, "by_kind", "customer questions", "sentiment", "accuracy")),
    ("neutral recall ≥ 0.85 on helpdesk dialogues and customer questions", 0.85,
     lambda r: _get(r, "by_kind", DIALOGUES_QUESTIONS, "sentiment", "recall", "neutral")),
    ("binary review accuracy ≥ 0.93 pooled (reserved review rows)", 0.93, lambda r: _get(r, "reviews_binary", "pooled")),
    ("resolved accuracy ≥ 0.80 on labelled helpdesk dialogues", 0.80,
     lambda r: _get(r, "by_kind", "helpdesk dialogues", "resolved", "accuracy")),
    ("resolved_score ROC AUC ≥ 0.80, STC-3 reserved dialogues with mean A > 0 vs the rest", 0.80,
     lambda r: _get(r, "stc3_resolved_auc", "roc_auc")),
)


def targets(models: dict) -> list[dict]:
    cur, prev = models["current"], models.get("previous")
    out = []
    for what, threshold, read in TARGETS:
        v, pv = read(cur), read(prev) if prev else None
        where = ""
        if isinstance(v, tuple):
            v, where = v
        if isinstance(pv, tuple):
            pv = pv[0]
        status = "missed (not filled by this tree)" if v is None else "met" if v >= threshold else "missed"
        out.append({"target": what, "current": v, "previous": pv, "status": status, **({"lowest": where} if where else {})})
    if prev:
        adj = [_get(m, "older_reserved", POOLED, "adjudicated", "macro_f1") for m in (cur, prev)]
        out.append({"target": "root-cause macro-F1 on reserved_adjudicated.csv does not drop below the previous model's",
                    "current": adj[0], "previous": adj[1],
                    "status": "met" if adj[0] is not None and adj[1] is not None and adj[0] >= adj[1] else "missed"})
    for key, what in (("system_line", "no evidence span from a system line (every reserved contact tagged)"),
                      ("splits_word", "no evidence span splits a word (every reserved contact tagged)")):
        v = cur["evidence_all_sets"][key]
        out.append({"target": what, "current": v, "previous": _get(prev, "evidence_all_sets", key),
                    "status": "met" if v == 0 else "missed"})
    out.append({"target": "`voc tag` with the new stages ≥ 0.8× the bare baseline", "current": None, "previous": None,
                "status": "not measured here: bench/run_bench.py (one run, both measured)"})
    return out


# -- Markdown ----------------------------------------------------------------------------------------
def f3(x) -> str:
    return "n/a" if x is None else f"{x:.3f}" if isinstance(x, float) else f"{x:,}" if isinstance(x, int) else str(x)


def pr(d: dict) -> str:  # precision / recall, n/a where nothing is predicted / labelled positive
    return (f"{d['precision']:.2f}" if d["predicted"] else "n/a") + " / " + (f"{d['recall']:.2f}" if d["positives"] else "n/a")


def agree_cell(table: dict, kind: str, field: str) -> str:
    a = _get(table, "by_kind", kind, field)
    return f"{a['raw']:.2f} (κ {'—' if a['kappa'] is None else format(a['kappa'], '.2f')})" if a else "n/a"


def kind_table(models: dict, agree: dict) -> list[str]:
    cols = [k for k in (*KINDS, POOLED) if k in models["current"]["by_kind"]]
    lines = ["| figure | model | " + " | ".join(cols) + " |", "|---|---|" + "---:|" * len(cols)]
    cell = lambda m, fn: " | ".join(fn(models[m]["by_kind"][k]) for k in cols)  # noqa: E731

    def rows(title: str, fn, field: str | None = None) -> None:
        for i, m in enumerate(x for x in ("current", "previous") if x in models):
            lines.append(f"| {title if i == 0 else ''} | {m} | {cell(m, fn)} |")
        if field:
            lines.append("| | annotators: raw (κ) | " + " | ".join(agree_cell(agree, k, field) for k in cols) + " |")

    lines.append("| items | | " + " | ".join(f"{models['current']['by_kind'][k]['items']:,}" for k in cols) + " |")
    rows("contact type accuracy", lambda s: f3(_get(s, "contact_type", "accuracy")), "contact_type")
    rows("root cause accuracy", lambda s: f3(_get(s, "root_cause", "accuracy")), "root_cause")
    rows("root cause macro-F1", lambda s: f3(_get(s, "root_cause", "macro_f1")))
    rows("root cause `other` recall, inquiry/request items (n)",
         lambda s: f"{f3(s['other_recall_inquiry_request']['recall'])} ({s['other_recall_inquiry_request']['n']})")
    rows("sentiment 3-way accuracy", lambda s: f3(_get(s, "sentiment", "accuracy")), "sentiment")
    rows("sentiment neutral recall", lambda s: f3(_get(s, "sentiment", "recall", "neutral")))
    rows("churn high P / R", lambda s: pr(s["churn_high"]), "churn")
    rows("escalate P / R", lambda s: pr(s["escalate"]), "escalate")
    rows("resolved accuracy", lambda s: f3(_get(s, "resolved", "accuracy")), "resolved")
    rows("complaint share: tagged (labelled)",
         lambda s: f"{s['complaint_share']['tagged']:.2f} ({s['complaint_share']['labelled']:.2f})")
    rows("negative share: tagged (labelled)",
         lambda s: f"{s['negative_share']['tagged']:.2f} ({s['negative_share']['labelled']:.2f})")
    rows("evidence spans: system line / split word / all",
         lambda s: f"{s['evidence']['system_line']} / {s['evidence']['splits_word']} / {s['evidence']['spans']}")
    return lines


def markdown(out: dict, ann_lines: list[str]) -> str:
    models, agree = out["models"], out["annotators"]
    names = [m for m in ("current", "previous") if m in models]
    L = ["# Everyday traffic: every tag on the reserved rows, by kind of traffic", "",
         f"Measured {out['date']} with", "", "```", out["command"], "```", ""]
    for m in names:
        L.append(f"- **{m}**: tree {models[m]['tree']}, {models[m]['model_version']}")
    d = out["data"]
    L += ["", f"Reserved rows only: {d['everyday']:,} items of `corpus/labels/everyday_reserved.csv` (by kind: "
          + ", ".join(f"{k} {n:,}" for k, n in d["everyday_by_kind"].items()) + f"); {d['adjudicated']:,} items of "
          f"`corpus/labels/reserved_adjudicated.csv`; {d['stc3']:,} STC-3 reserved training dialogues; "
          f"{d['reviews']:,} reserved review rows. Each model is the default pipeline of its tree (topics off), one "
          "run per input (one kind of one label file).", "", "## Targets (issue 15)", "",
          "| target | current | previous | status |", "|---|---:|---:|---|"]
    for t in out["targets"]:
        lowest = f" ({t['lowest']})" if t.get("lowest") else ""
        L.append(f"| {t['target']} | {f3(t['current'])}{lowest} | {f3(t['previous'])} | **{t['status']}** |")
    L += ["", "## Every tag by kind of traffic (`everyday_reserved.csv`)", "", *kind_table(models, agree), "",
          "Precision / recall are n/a where nothing was predicted / nothing is labelled positive. "
          "Annotators: the first pass against the independent second pass (`everyday_second_pass.csv`, "
          f"{agree['items']} items, {agree['reserved_items']} of them reserved), raw agreement and Cohen's kappa; "
          "for churn high and escalate the agreement is on the whole field (churn: low/medium/high).", ""]
    for m in names:
        oi = models[m]["by_kind"][POOLED]["other_recall_inquiry_request"]
        L.append(f"- {m}: the {oi['n']} inquiry/request items labelled root cause `other` were tagged "
                 + ", ".join(f"{k} {v}" for k, v in oi["predicted"].items()) + ".")
    L += ["", f"## Root cause on the older reserved sets (`reserved_adjudicated.csv`, {d['adjudicated']:,} items)", "",
          "| kind | items | " + " | ".join(f"{m}: macro-F1 (accuracy), adjudicated | {m}: first pass" for m in names) + " |",
          "|---|---:|" + "---:|---:|" * len(names)]
    for k, rep in models["current"]["older_reserved"].items():
        cells = []
        for m in names:
            r = models[m]["older_reserved"][k]
            cells += [f"{f3(_get(r, lab, 'macro_f1'))} ({f3(_get(r, lab, 'accuracy'))})" for lab in ("adjudicated", "first_pass")]
        L.append(f"| {k} | {rep['adjudicated']['n']} | " + " | ".join(cells) + " |")
    rv = {m: models[m]["reviews_binary"] or {} for m in names}
    sets = [s for s in rv["current"] if s not in ("pooled", "n")] + ["pooled"]
    L += ["", f"## Binary review accuracy (reserved review rows, {d['reviews']:,}; sentiment score > 0.5 is positive)", "",
          "| model | " + " | ".join(sets) + " |", "|---|" + "---:|" * len(sets)]
    L += [f"| {m} | " + " | ".join(f3(rv[m].get(s)) for s in sets) + " |" for m in names]
    L += ["", "## resolved_score against STC-3's task-accomplished score", "",
          "| model | dialogues | mean A > 0 | resolved_score filled | ROC AUC |", "|---|---:|---:|---:|---:|"]
    for m in names:
        a = models[m]["stc3_resolved_auc"]
        L.append(f"| {m} | {a['n']:,} | {a['mean_A_positive']:,} | {a['filled']:,} | {f3(a['roc_auc'])} |")
    L += ["", "## Evidence spans over every reserved contact tagged", "",
          "| model | spans | from a system line | split a word | not found in the customer text |", "|---|---:|---:|---:|---:|"]
    for m in names:
        e = models[m]["evidence_all_sets"]
        L.append(f"| {m} | {e.get('spans', 0):,} | {e.get('system_line', 0):,} | {e.get('splits_word', 0):,} "
                 f"| {e.get('not_in_text', 0):,} |")
    L += ["", f"System lines found in these contacts by this bench: {models['current']['evidence_all_sets']['system_lines_in_items']:,} "
          "in the turns of any speaker (the reserved rows hold few export lines: this check has little to catch here).", "",
          "## Annotators' agreement per kind and field", "", "From `python corpus/everyday_stats.py`:", "",
          *ann_lines, "## How the figures are computed", "",
          "- Kind of traffic: `kind(dataset)` of `corpus/everyday_stats.py`. Pooled = all five kinds.",
          "- A field the model leaves empty on an item counts as wrong; a field it fills on no item is n/a. "
          "Macro-F1: the mean F1 over the labels that occur in the scope (labelled or predicted).",
          "- Root cause `other` recall on inquiry/request items: items labelled contact type inquiry or request "
          "and root cause `other`, share tagged `other`.",
          "- Complaint share: items tagged contact type `complaint` when the tree fills contact type; otherwise "
          "the pre-issue-15 monthly report's rule (root cause other than `other`, `voc/reports/common.py`). "
          "Labelled: contact type `complaint`.",
          "- Evidence span from a system line: the span lies in a line of the contact that matches an export "
          "pattern of taxonomy section 10 (order/goods-number headers, 顾客通过…进入, transfer and queue notices, "
          f"auto-replies, masked placeholders such as [订单x]) or that repeats verbatim (≥ {TEMPLATE_MIN_CHARS} "
          f"characters) in ≥ {TEMPLATE_MIN_CONTACTS} dialogues of the same input; or the span itself matches "
          "such a pattern. Recognised by this bench, not by the model under test.",
          "- A span splits a word when its first or last character is inside a token of the customer text "
          "(the record's `text`) as the tree's own segmenter cuts it (`default_segmenter().cut_raw`).",
          "- resolved_score ROC AUC: `sklearn.metrics.roc_auc_score` of STC-3 reserved training dialogues "
          "(train_data_cn.json, index % 5 == 0) with mean annotator A > 0 against the rest.",
          "- Binary review accuracy: `bench/sentiment_eval.py`'s `accuracy` on the pipeline's sentiment score.",
          "", f"Tagging took {', '.join(f'{m} {s:.0f} s' for m, s in out['seconds'].items())}.", ""]
    return "\n".join(L)


# -- main ------------------------------------------------------------------------------------------
def tree_name(rev: str | None = None) -> str:
    if rev:
        r = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", rev], capture_output=True, text=True)
        return r.stdout.strip() or rev
    head = tree_name("HEAD")
    dirty = subprocess.run(["git", "-C", str(ROOT), "diff", "--quiet", "HEAD", "--", "voc", "models", "corpus"]).returncode
    return head + (" with uncommitted changes to voc/, models/ or corpus/" if dirty else "")


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else list(argv)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--previous", default=PREVIOUS, metavar="REV", help="the previous model's commit (default: voc before issue 15)")
    ap.add_argument("--no-previous", action="store_true", help="score the current tree only")
    ap.add_argument("--limit", type=int, default=None, help="at most N items of each set, spread over kinds (a quick check)")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "everyday_eval.json")
    ap.add_argument("--markdown", type=Path, default=ROOT / "docs" / "everyday_eval.md")
    args = ap.parse_args(argv)
    from voc.datasets import require_data
    from voc.evaluation import write_report

    require_data()
    t0 = time.perf_counter()
    sets = collect(args.limit)
    groups = inputs(sets)
    sys_by_id = {g: dict(zip((c.id for c in cs), system_lines(cs))) for g, cs in groups.items()}
    recs, seconds, trees = {}, {}, {"current": tree_name()}
    with tempfile.TemporaryDirectory(prefix="voc-everyday-") as tmp:
        recs["current"], seconds["current"] = tag_with(ROOT, groups, Path(tmp), "current")
        if not args.no_previous:
            with worktree(args.previous) as tree:
                recs["previous"], seconds["previous"] = tag_with(tree, groups, Path(tmp), "previous")
            trees["previous"] = tree_name(args.previous)
    models = {m: {"tree": trees[m], **evaluate(sets, groups, sys_by_id, r)} for m, r in recs.items()}
    ann_lines, agree = agreement()
    seconds["total"] = round(time.perf_counter() - t0, 1)
    out = {"command": " ".join(["python bench/everyday_eval.py", *argv]),
           "date": _dt.datetime.now(_dt.timezone.utc).date().isoformat(),
           "data": {"everyday": len(sets["everyday"]), "everyday_by_kind": {k: n for k in KINDS
                    if (n := sum(x[2] == k for x in sets["everyday"]))},
                    "adjudicated": len(sets["adjudicated"]), "stc3": len(sets["stc3"]), "reviews": len(sets["reviews"])},
           "targets": targets(models), "models": models, "annotators": agree,
           "seconds": {k: round(v, 1) for k, v in seconds.items()}}
    text = markdown(out, ann_lines)
    write_report(out, args.json)
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(text, encoding="utf-8")
    print(text)
    return out


if __name__ == "__main__":
    main()
