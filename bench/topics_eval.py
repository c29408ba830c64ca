"""Topic model benchmark: fit time on 50,000 real contacts, inference cost, coherence.

    python bench/topics_eval.py                 # everything (a few minutes on 2 cores)
    python bench/topics_eval.py --skip-fit      # inference and coherence only
    python bench/topics_eval.py --track --out /tmp/topics_eval.json
    python bench/topics_eval.py --stability --months 4   # store-side topics, month to month

1. **Fit**: 50,000 real, non-reserved contacts of ../shared/data — every heimao complaint
   (train + dev), every STC-3 dialogue not reserved (customer turns), then non-reserved
   reviews (waimai, hotel, online shopping, in file order) until 50,000 — go through
   the steps of ``voc.training.topics.fit_contacts`` (normalise, redact, segment on ``--workers`` processes, then
   phrases, dictionary, gensim LDA with ``--num-topics`` K, coherence, assignments).
   Reported: wall seconds of tokenising and of fitting, and the CPU seconds of fitting (one
   process; the machine's load average is recorded, other jobs slow the wall times).
2. **Inference**: the ``topics`` stage (numpy E-step) over the tokenised contacts, in
   batches of 256 as the pipeline sends them: milliseconds per contact.
3. **Coherence of the shipped model**: c_v (top 10 terms, gensim CoherenceModel, sliding
   window 110) and u_mass on the non-reserved training texts and on the reserved
   complaint/dialogue rows (heimao test.csv, STC-3 reserved dialogues), never used to train.
5. **Stability of store-side topics** (``--stability``): non-reserved real contacts — heimao
   complaints (train + dev), STC-3 dialogues (customer turns), ATEC customer questions (q1, the
   first 6,000 non-reserved rows) — spread over ``--months`` pseudo-months by row index (row
   i of each set goes to month i % months), written to a results store, then ``voc topics fit
   --store`` month by month: for each refit, the share of the previous month's topics whose id
   (and name) a topic of the new month kept (``alignment.json``), over all previous topics and
   over those holding at least 2% of the contacts. ``--prior-weight 0`` refits without the
   previous topics as prior (plain refits, for comparison).
4. **Tracking** (``--track``): ``voc.topics.track`` over the same contacts spread
   round-robin over six months (so nothing should emerge): seconds, and how many issues and
   new topics were flagged anyway (false alarms).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def real_contacts(n: int = 50_000):
    """``n`` non-reserved complaint, dialogue and review contacts, in a fixed order."""
    from voc import datasets as ds
    from voc.training.topics import training_contacts

    out, _ = training_contacts()
    for name in ("waimai_10k", "ChnSentiCorp_htl_all", "online_shopping_10_cats"):
        for c, _ in ds.iter_dataset(name):
            if len(out) >= n:
                return out
            out.append(c)
    return out[:n]


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime


def bench_fit(n: int, k: int, workers: int) -> dict:
    from voc.topics.model import TopicModel
    from voc.topics.fit import fit
    from voc.training.topics import tokenise_contacts

    contacts = real_contacts(n)
    t0 = time.monotonic()
    ids, toks, _ = tokenise_contacts(contacts, workers=workers)
    t1, c1 = time.monotonic(), cpu()
    model = fit(TopicModel(num_topics=k, seed=1), toks, ids)
    t2, c2 = time.monotonic(), cpu()
    out = {"contacts": len(contacts), "num_topics": k, "workers": workers,
           "tokenise_wall_s": round(t1 - t0, 1),
           "fit_wall_s": round(t2 - t1, 1), "fit_cpu_s": round(c2 - c1, 1),
           "total_wall_s": round(t2 - t0, 1), "passes": model.passes_used_, "vocabulary": len(model.vocab_),
           "coherence": model.coherence_, "labels": model.labels}
    return out, toks, model


def bench_inference(folder, toks) -> dict:
    from voc.records import Contact, Tagged
    from voc.stages.topics import Topics

    stage = Topics(folder)
    batches = [[Tagged(Contact(str(i), ()), tokens=tuple(t)) for i, t in enumerate(toks[s:s + 256], s)]
               for s in range(0, len(toks), 256)]
    stage(batches[0])  # warm
    t0 = time.perf_counter()
    n_with = 0
    for b in batches:
        for t in stage(b):
            n_with += bool(t.topics)
    dt = time.perf_counter() - t0
    n = sum(len(b) for b in batches)
    return {"contacts": n, "with_topics": n_with, "seconds": round(dt, 2), "ms_per_contact": round(1000 * dt / n, 4)}


def bench_coherence(folder) -> dict:
    from voc.topics.model import TopicModel
    from voc.training.topics import heldout_coherence, reserved_contacts, tokenise_contacts, training_contacts

    model = TopicModel.load(folder)
    train, _ = training_contacts()
    _, ttoks, _ = tokenise_contacts(train)
    _, rtoks, _ = tokenise_contacts(reserved_contacts())
    return {"model": str(folder), "num_topics": model.k_, "recorded": model.coherence_,
            "training_texts": heldout_coherence(model, ttoks), "reserved_texts": heldout_coherence(model, rtoks)}, ttoks


def bench_track(folder, toks, months: int = 6) -> dict:
    """``track`` over the tokenised contacts spread round-robin over ``months`` months."""
    from voc.topics.model import TopicModel
    from voc.topics.track import track

    model = TopicModel.load(folder)
    rows = [(f"2026-{1 + i % months:02d}", t, None) for i, t in enumerate(toks)]
    t0, c0 = time.monotonic(), cpu()
    rep = track(rows, model)
    return {"contacts": len(rows), "months": months, "wall_s": round(time.monotonic() - t0, 1),
            "cpu_s": round(cpu() - c0, 1),
            "emerging_issues": {p: len(rep.emerging[p]["issues"]) for p in rep.periods},
            "emerging_new_topics": {p: sum(t["emerging"] for t in rep.new_topics.get(p, [])) for p in rep.periods}}


def pseudo_month_store(path: Path, months: int = 4, questions: int = 6000) -> dict:
    """A results store of non-reserved real contacts spread over ``months`` pseudo-months
    (2026-01 ...) by row index; returns the contacts per month."""
    from itertools import count, islice

    from voc import datasets as ds
    from voc.store import Store

    sources = [[c for fn in ("process_category/train.csv", "process_category/dev.csv")
                for c, _ in ds.iter_dataset(ds.HEIMAO, file=fn)],
               [c for c, _ in ds.iter_dataset(ds.STC3, file="train_data_cn.json")],
               list(islice((ds.question_at(ds.ATEC, i, "q1") for i in count()
                            if not ds.is_reserved(ds.QUESTIONS, ds.ATEC, i)), questions))]
    per_month: dict = {}
    with Store(path) as st:
        for contacts in sources:
            for i, c in enumerate(contacts):
                month = f"2026-{1 + i % months:02d}"
                text = "。".join(t.text for t in c.turns if t.speaker == "customer")
                st.add({"id": c.id, "created_at": f"{month}-15T12:00:00+08:00", "text": text,
                        "model_version": "voc-bench (topics=1.1.0)"})
                per_month[month] = per_month.get(month, 0) + 1
    return dict(sorted(per_month.items()))


def bench_stability(workdir: Path, months: int = 4, prior_weight: float = 0.5) -> dict:
    """Fit store-side topics month by month on pseudo-months of real contacts (see 5.)."""
    import shutil

    from voc.topics.model import TopicModel
    from voc.topics.store_topics import MIN_SHARE, fit_month, topics_dir

    workdir.mkdir(parents=True, exist_ok=True)
    store = workdir / "pseudo.db"
    for p in (store, topics_dir(store)):
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    t0 = time.monotonic()
    counts = pseudo_month_store(store, months)
    out = {"contacts": counts, "prior_weight": prior_weight, "refits": []}
    prev = None
    for month in counts:
        model = fit_month(store, month, prior_weight=prior_weight, apply_now=False)
        a = model.alignment_
        if prev is not None:
            big = {tid for tid, t in zip(prev.topic_ids, prev.topics_) if t["share"] >= MIN_SHARE}
            kept = set(a.ids) & set(prev.topic_ids)
            out["refits"].append({"month": month, "previous": a.previous, "topics": model.k_,
                                  "previous_topics": prev.k_, "matched_share": round(len(kept) / prev.k_, 4),
                                  "matched_share_2pct": round(len(kept & big) / len(big), 4) if big else None,
                                  "similarity": a.similarity})
        prev = TopicModel.load(topics_dir(store) / month)
    for key in ("matched_share", "matched_share_2pct"):
        out[f"min_{key}"] = min(r[key] for r in out["refits"])
        out[f"mean_{key}"] = round(sum(r[key] for r in out["refits"]) / len(out["refits"]), 4)
    out["wall_s"] = round(time.monotonic() - t0, 1)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--contacts", type=int, default=50_000)
    ap.add_argument("-k", "--num-topics", type=int, default=20)
    ap.add_argument("-w", "--workers", type=int, default=2)
    ap.add_argument("--skip-fit", action="store_true")
    ap.add_argument("--track", action="store_true", help="also time voc topics track over the contacts (6 months)")
    ap.add_argument("--stability", action="store_true", help="only the stability of store-side topics (5.)")
    ap.add_argument("--months", type=int, default=4, help="pseudo-months of --stability")
    ap.add_argument("--prior-weight", type=float, default=0.5, help="weight of the previous model in a refit")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/voc-topics-stability"))
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.stability:
        res = bench_stability(args.workdir, args.months, args.prior_weight)
        for r in res["refits"]:
            print(f"{r['previous']} -> {r['month']}: {r['matched_share']:.0%} of {r['previous_topics']} topics kept "
                  f"their id and name ({r['matched_share_2pct']:.0%} of those with >= 2% of contacts); "
                  f"{r['topics']} topics now")
        print(f"contacts per month {res['contacts']}; matched share of the topics with >= 2% of contacts: min "
              f"{res['min_matched_share_2pct']:.0%}, mean {res['mean_matched_share_2pct']:.0%}; of all topics: min "
              f"{res['min_matched_share']:.0%}, mean {res['mean_matched_share']:.0%} "
              f"(prior weight {res['prior_weight']}); {res['wall_s']} s")
        if args.out:
            args.out.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return
    from voc.datasets import shared_data_dir
    from voc.models import find

    if shared_data_dir() is None:
        sys.exit("../shared/data is absent: this benchmark needs the real texts.")
    folder = find("topics")
    res = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                       "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}}
    toks = None
    if not args.skip_fit:
        fit, toks, _ = bench_fit(args.contacts, args.num_topics, args.workers)
        res["fit"] = fit
        print(f"fit {fit['contacts']:,} contacts, K={fit['num_topics']}: tokenise {fit['tokenise_wall_s']} s "
              f"({fit['workers']} workers) + fit {fit['fit_wall_s']} s "
              f"(cpu {fit['fit_cpu_s']} s) = {fit['total_wall_s']} s; c_v {fit['coherence']['c_v']}", flush=True)
    if folder is None:
        print("no shipped topic model: run python -m voc.build topics for the inference and coherence figures")
    else:
        coh, ttoks = bench_coherence(folder)
        res["shipped_coherence"] = coh
        print(f"shipped model {folder.name}: K={coh['num_topics']}; c_v training texts "
              f"{coh['training_texts']['c_v']} (recorded {coh['recorded']['c_v']}), reserved texts "
              f"{coh['reserved_texts']['c_v']}; u_mass {coh['training_texts']['u_mass']} / "
              f"{coh['reserved_texts']['u_mass']}", flush=True)
        inf = bench_inference(folder, toks if toks is not None else ttoks)
        res["inference"] = inf
        print(f"inference (topics stage): {inf['ms_per_contact']} ms/contact over {inf['contacts']:,} contacts",
              flush=True)
        if args.track:
            tr = bench_track(folder, toks if toks is not None else ttoks)
            res["track"] = tr
            print(f"track {tr['contacts']:,} contacts over {tr['months']} months: {tr['wall_s']} s "
                  f"(cpu {tr['cpu_s']} s); emerging issues {tr['emerging_issues']}, "
                  f"new topics {tr['emerging_new_topics']}", flush=True)
    res["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.out:
        args.out.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
