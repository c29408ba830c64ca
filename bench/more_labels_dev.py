"""Do the labels of ``corpus/labels/everyday_more.csv`` help? Development folds only.

    python bench/more_labels_dev.py [--seeds 0 1 2] [--task contact_type resolved] [--runs without with]
    python bench/more_labels_dev.py --task contact_type --runs with --param C=16    # a design variant
    python bench/more_labels_dev.py --task contact_type --runs with --cue mixed='(但|就是).{0,12}(不|差)'
    python bench/more_labels_dev.py --task contact_type --runs with --weak-review-weight 0.5
    python bench/more_labels_dev.py --task resolved --runs with --resolved-param 'agent_formulas=[]'

For each task and fold seed the model is trained twice on the non-reserved hand labels, without
and with the rows of everyday_more.csv, and the out-of-fold predictions are scored on the rows of
``everyday.csv`` (the same rows in both runs, so the two figures compare) by kind of traffic, and on
the new rows (with-run only) and over all of them. ``--param KEY=VALUE`` (a JSON value) sets a parameter of
the contact-type estimator (``--resolved-param``: of the resolved estimator), ``--cue NAME=REGEX`` adds or replaces one of its cue expressions,
``--weak-review-weight`` sets the weight of its weak review labels: design variants compared on the
same folds. Never reads a reserved row: the models' own evaluation of the
reserved rows is ``python -m voc.training.contact_type`` / ``python -m voc.training.resolved``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def oof(task: str, seed: int, more: bool, params: dict | None = None) -> tuple[list[str], list[str], list[str], list[str]]:
    """(kind, source, gold, out-of-fold prediction) of every hand-labelled row."""
    if task == "contact_type":
        from voc.training.contact_type import train

        model, data = train(seed, more=more, **(params or {}))
        n = len(data["kinds"])
        return data["kinds"], data["sources"], list(data["y"][:n]), model.dev_["pred"]
    from voc.training.resolved import train

    model, data = train(seed, more=more, **(params or {}))
    n = len(data["y"])
    return ["helpdesk dialogues"] * n, data["sources"], list(data["y"]), model.dev_["pred"]


def accuracy(sel: list[bool]) -> str:
    return f"{np.mean(sel):.3f} ({len(sel)})" if sel else "n/a"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--task", nargs="+", default=["contact_type", "resolved"])
    ap.add_argument("--runs", nargs="+", default=["without", "with"], choices=["without", "with"],
                    help="train without and/or with everyday_more.csv")
    ap.add_argument("--param", nargs="*", default=[], metavar="KEY=VALUE", help="contact-type estimator parameter")
    ap.add_argument("--cue", nargs="*", default=[], metavar="NAME=REGEX", help="contact-type cue added or replaced")
    ap.add_argument("--resolved-param", nargs="*", default=[], metavar="KEY=VALUE",
                    help="resolved estimator parameter (a JSON value), e.g. agent_formulas=[] for every agent turn")
    ap.add_argument("--weak-review-weight", type=float, default=None, help="contact type: weight of weak review rows")
    ap.add_argument("--weak-chat-weight", type=float, default=None,
                    help="contact type: weight of the weak chat rows (XS utterances drawn as `other`)")
    args = ap.parse_args(argv)
    import json

    import voc.training.contact_type as ct
    from voc.estimators.contact_type import CUES

    params = {k: json.loads(v) for k, _, v in (p.partition("=") for p in args.param)}
    rparams = {k: json.loads(v) for k, _, v in (p.partition("=") for p in args.resolved_param)}
    if rparams:
        print(f"\nresolved variant: {args.resolved_param}")
    if args.cue:
        params["cues"] = {**CUES, **{k: v for k, _, v in (c.partition("=") for c in args.cue)}}
    if args.weak_review_weight is not None:
        ct.WEAK_REVIEW_WEIGHT = args.weak_review_weight
    if args.weak_chat_weight is not None:
        ct.WEAK_CHAT_WEIGHT = args.weak_chat_weight
    if params or args.weak_review_weight is not None or args.weak_chat_weight is not None:
        print(f"\ncontact-type variant: {args.param} {args.cue} weak review weight {ct.WEAK_REVIEW_WEIGHT}"
              f" weak chat weight {ct.WEAK_CHAT_WEIGHT}")
    for task in args.task:
        print(f"\n## {task}: out-of-fold accuracy (items)\n")
        print("| seed | training | rows of | kind | accuracy |\n|---|---|---|---|---:|")
        for seed in args.seeds:
            for more in [r == "with" for r in args.runs]:
                kinds, sources, gold, pred = oof(task, seed, more, params if task == "contact_type" else rparams)
                for src in ("everyday.csv", "everyday_more.csv", "all"):
                    if src != "everyday.csv" and not more:
                        continue
                    for k in sorted(set(kinds)) + ["pooled"]:
                        sel = [g == p for kk, s, g, p in zip(kinds, sources, gold, pred)
                               if src in ("all", s) and (k == "pooled" or kk == k)]
                        if sel:
                            print(f"| {seed} | {'+ more' if more else 'everyday.csv'} | {src} | {k} | {accuracy(sel)} |")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
