"""Do the labels of ``corpus/labels/everyday_more.csv`` help? Development folds only.

    python bench/more_labels_dev.py [--seeds 0 1 2] [--task contact_type resolved]

For each task and fold seed the model is trained twice on the non-reserved hand labels, without
and with the rows of everyday_more.csv, and the out-of-fold predictions are scored on the rows of
``everyday.csv`` (the same rows in both runs, so the two figures compare) by kind of traffic, and on
the new rows (with-run only). Never reads a reserved row: the models' own evaluation of the
reserved rows is ``python -m voc.training.contact_type`` / ``python -m voc.training.resolved``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def oof(task: str, seed: int, more: bool) -> tuple[list[str], list[str], list[str], list[str]]:
    """(kind, source, gold, out-of-fold prediction) of every hand-labelled row."""
    if task == "contact_type":
        from voc.training.contact_type import train

        model, data = train(seed, more=more)
        n = len(data["kinds"])
        return data["kinds"], data["sources"], list(data["y"][:n]), model.dev_["pred"]
    from voc.training.resolved import train

    model, data = train(seed, more=more)
    n = len(data["y"])
    return ["helpdesk dialogues"] * n, data["sources"], list(data["y"]), model.dev_["pred"]


def accuracy(sel: list[bool]) -> str:
    return f"{np.mean(sel):.3f} ({len(sel)})" if sel else "n/a"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--task", nargs="+", default=["contact_type", "resolved"])
    args = ap.parse_args(argv)
    for task in args.task:
        print(f"\n## {task}: out-of-fold accuracy (items)\n")
        print("| seed | training | rows of | kind | accuracy |\n|---|---|---|---|---:|")
        for seed in args.seeds:
            for more in (False, True):
                kinds, sources, gold, pred = oof(task, seed, more)
                for src in ("everyday.csv", "everyday_more.csv"):
                    if src == "everyday_more.csv" and not more:
                        continue
                    for k in sorted(set(kinds)) + ["pooled"]:
                        sel = [g == p for kk, s, g, p in zip(kinds, sources, gold, pred)
                               if s == src and (k == "pooled" or kk == k)]
                        if sel:
                            print(f"| {seed} | {'+ more' if more else 'everyday.csv'} | {src} | {k} | {accuracy(sel)} |")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
