"""End-to-end leak check (issue 16): personal data planted in every field and format of a
generated corpus must not reach any artefact voc writes.

    python bench/leak_check.py              # 20,000 contacts (JSONL + CSV + a small XLSX)
    python bench/leak_check.py --quick      # 2,000 contacts, under a minute of tagging
    python bench/leak_check.py --keep DIR   # keep the artefacts in DIR

Runs, from this worktree (``python cli.py``): ``voc -v tag`` with ``--store`` and ``--names``,
``voc report monthly`` (HTML + XLSX), ``voc label`` and ``voc topics fit``; then looks for
every planted item (``tests/redaction_corpus.py``: its written and canonical forms) in the
output, errors file, summary, stderr, a dump of the store, the report HTML and XLSX, the label
CSV and the topic model folder. Numbers are matched as digit runs (spaces and dashes between
digits ignored; 11+ digits also inside longer runs), ASCII ids as tokens, e-mail addresses
around each @, names in every window of Chinese text. Prints leaks per artefact, kind and
slot, and exits 1 when any is found.
"""
from __future__ import annotations

import argparse
import html
import json
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from redaction_corpus import CSV_META, SEED, Planted, csv_row, generate  # noqa: E402
from redaction_synth import id_valid, mobile_digits  # noqa: E402

_ZW = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_TAG = re.compile(r"<[^<>]{0,300}>")
_RUN = re.compile(r"[0-9](?:(?:[ \-]|[。，,\n] ?)?[0-9])*")
_TOKEN = re.compile(r"[A-Za-z0-9_\-]+")
_EMAIL = re.compile(r"[^\s@\"',<>;:()\[\]{}=]{1,64}@[^\s@\"',<>;:()\[\]{}=]{1,100}")
_CJK_RUN = re.compile("[\u4e00-\u9fff]{2,}")


def write_inputs(folder: Path, n: int, seed: int = SEED) -> tuple[list[Path], list[Planted], Path]:
    gens, names = generate(n, seed)
    rng = random.Random(seed + 1)
    n_xlsx = min(200, max(20, n // 100))
    n_csv = int(n * 0.28)
    jsonl, csv_, xlsx = gens[:n - n_csv - n_xlsx], gens[n - n_csv - n_xlsx:n - n_xlsx], gens[n - n_xlsx:]
    planted = [p for g in gens for p in g.planted]
    paths = [folder / "corpus.jsonl", folder / "corpus.csv", folder / "corpus.xlsx"]
    with open(paths[0], "w", encoding="utf-8") as f:
        for g in jsonl:
            f.write(json.dumps(g.contact, ensure_ascii=False) + "\n")
    import csv

    header = ["id", "text", "channel", "created_at", "customer_id", *CSV_META]
    spare = mobile_digits(rng)  # a phone number in a header
    planted.append(Planted("mobile", spare, spare, "csv_header"))
    with open(paths[1], "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header + [f"备用电话{spare}"])
        for g in csv_:
            row = csv_row(g.contact)
            w.writerow([row[h] for h in header] + ["x"])
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(paths[2]))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, header + ["电话", "证件"])
    for r, g in enumerate(xlsx, 1):
        row = csv_row(g.contact)
        phone, ident = mobile_digits(rng), id_valid(rng)
        while not ident[-1].isdigit():
            ident = id_valid(rng)
        planted += [Planted("mobile", phone, phone, "xlsx_number"), Planted("id_card", ident, ident, "xlsx_float")]
        ws.write_row(r, 0, [row[h] if row[h] is not None else "" for h in header] + [int(phone), float(ident)])
    wb.close()  # number cells: Excel keeps 15 digits of the ID
    names_file = folder / "names.txt"
    names_file.write_text("\n".join(names) + "\n", encoding="utf-8")
    return paths, planted, names_file


def run(cmd: list[str], stderr_to: Path | None = None, timeout: int = 3600) -> None:
    t0 = time.monotonic()
    with open(stderr_to, "a", encoding="utf-8") if stderr_to else open("/dev/null", "w") as err:
        done = subprocess.run([sys.executable, str(ROOT / "cli.py"), *cmd], cwd=ROOT, stderr=err,
                              stdout=subprocess.DEVNULL, timeout=timeout)
    print(f"  {' '.join(cmd[:2])}: exit {done.returncode}, {time.monotonic() - t0:.1f}s", flush=True)
    if done.returncode != 0:
        raise SystemExit(f"command failed: {' '.join(cmd)} (see {stderr_to})")


def artefact_texts(out: Path) -> dict[str, str]:
    """name -> text of every artefact under ``out`` (XLSX: its XML parts; SQLite: a dump)."""
    texts = {}
    for p in sorted(out.rglob("*")):
        if not p.is_file():
            continue
        name = str(p.relative_to(out))
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                texts[name] = "\n".join(z.read(i).decode("utf-8", "replace") for i in z.namelist()
                                        if i.endswith(".xml"))
        elif p.suffix == ".db":
            con = sqlite3.connect(p)
            texts[name] = "\n".join(con.iterdump())
            con.close()
        elif p.suffix in (".npy",):
            continue  # numbers only
        else:
            texts[name] = p.read_bytes().decode("utf-8", "replace")
    return texts


def _normal(text: str) -> str:
    text = html.unescape(html.unescape(text))
    text = unicodedata.normalize("NFKC", _ZW.sub("", text))
    return _TAG.sub(" ", text)


def find_leaks(texts: dict[str, str], planted: list[Planted]) -> list[tuple[str, Planted, str]]:
    names = {p.canonical for p in planted if p.kind == "name"}
    digit_needles = defaultdict(list)
    other = []
    for p in planted:
        for needle in p.needles:
            nd = unicodedata.normalize("NFKC", needle)
            if nd.replace(" ", "").replace("-", "").isdigit() or (p.kind == "id_card" and nd[:17].isdigit()):
                digit_needles[nd.replace(" ", "").replace("-", "").upper()].append(p)
            elif p.kind != "name":
                other.append((nd, p))
    lengths = {len(d) for d in digit_needles if len(d) >= 11}
    leaks = []
    for art, raw in texts.items():
        text = _normal(raw)
        runs = set()
        for m in _RUN.finditer(text):
            d = re.sub(r"[^0-9]", "", m.group())
            nxt = text[m.end():m.end() + 1]
            if nxt in "Xx" and nxt:
                runs.add(d + "X")
            runs.add(d)
            for L in lengths:
                if len(d) > L:
                    runs.update(d[i:i + L] for i in range(len(d) - L + 1))
        for d, ps in digit_needles.items():
            if d in runs:
                leaks += [(art, p, d) for p in ps]
        tokens = set(_TOKEN.findall(text))
        emails = {e.lower() for e in _EMAIL.findall(text)}
        email_blob = "\n".join(emails)
        for nd, p in other:
            if p.kind == "email":
                hit = nd.lower() in email_blob
            else:
                hit = nd in tokens
            if hit:
                leaks.append((art, p, nd))
        if names:
            for m in _CJK_RUN.finditer(text):
                run_ = m.group()
                for n in (2, 3, 4):
                    for i in range(len(run_) - n + 1):
                        if run_[i:i + n] in names:
                            leaks += [(art, p, run_[i:i + n]) for p in planted
                                      if p.kind == "name" and p.canonical == run_[i:i + n]][:1]
    return leaks


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=20000, help="contacts (default 20,000)")
    ap.add_argument("--quick", action="store_true", help="2,000 contacts")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", type=Path, default=None, help="keep inputs and artefacts in this folder")
    ap.add_argument("--json", type=Path, default=None, help="write the result as JSON")
    args = ap.parse_args(argv)
    n = 2000 if args.quick else args.n
    work = args.keep or Path(tempfile.mkdtemp(prefix="voc-leak-"))
    inp, out = work / "in", work / "out"
    inp.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    paths, planted, names = write_inputs(inp, n, args.seed)
    print(f"{n:,} contacts, {len(planted):,} planted items in {work}", flush=True)
    stderr = out / "stderr.txt"
    run(["-v", "tag", *map(str, paths), "-o", str(out / "tagged.jsonl"), "--store", str(out / "store.db"),
         "--names", str(names), "--workers", str(args.workers), "-q"], stderr)
    run(["report", "monthly", "--store", str(out / "store.db"), "--month", "2026-10", "-o", str(out / "report.html"),
         "--xlsx", str(out / "report.xlsx")], stderr)
    run(["label", str(paths[0]), "--sample", "200", "-o", str(out / "label.csv"), "--names", str(names)], stderr)
    run(["topics", "fit", str(paths[0]), "-o", str(out / "topics"), "--num-topics", "5", "--names", str(names)], stderr)
    texts = artefact_texts(out)
    leaks = find_leaks(texts, planted)
    by = Counter((a, p.kind, p.slot) for a, p, _ in leaks)
    print(f"\nartefacts: {', '.join(f'{k} ({len(v) / 1e6:.1f} MB)' for k, v in texts.items())}")
    print(f"planted: {Counter(p.kind for p in planted)}")
    print(f"leaks: {len(leaks)}")
    for (a, k, s), c in sorted(by.items()):
        ex = next(x for aa, p, x in leaks if (aa, p.kind, p.slot) == (a, k, s))
        print(f"  {a:<28} {k:<10} {s:<12} {c:>5}   e.g. {ex!r}")
    if args.json:
        args.json.write_text(json.dumps({"contacts": n, "planted": len(planted), "leaks": len(leaks),
                                         "by": [[*k, v] for k, v in sorted(by.items())]}, ensure_ascii=False,
                                        indent=2), encoding="utf-8")
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
