"""Rebuild the shipped models in ``models/`` from ``corpus/`` and ``../shared/data``.

    python -m voc.build              # every model
    python -m voc.build root_cause   # one model
    python -m voc.build --check      # build into a temporary folder and compare with models/

Each model module provides ``build_default(models_root) -> Path`` that trains on the
non-reserved rows only, evaluates on the reserved rows, and writes a versioned folder with
its manifest and model card. ``--check`` is how the shipped folders are shown to be
reproducible: the same tree, data and library versions give the same bytes.
"""
from __future__ import annotations

import argparse
import filecmp
import importlib
import logging
import sys
import tempfile
import time
from pathlib import Path

from .resources import models_path

BUILDERS = {
    "root_cause": "voc.training.root_cause",
    "sentiment": "voc.training.sentiment",
    "topics": "voc.training.topics",
    "churn": "voc.training.churn",
    "contact_type": "voc.training.contact_type",
    "resolved": "voc.training.resolved",
    "agent_conduct": "voc.training.agent_conduct",
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m voc.build", description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", choices=[*BUILDERS, []], help="models to build (default: all)")
    parser.add_argument("--root", type=Path, default=None, help="models folder (default: the shipped one)")
    parser.add_argument("--check", action="store_true",
                        help="build into a temporary folder and compare each file with the shipped one")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if args.check:
        sys.exit(check(args.models or list(BUILDERS)))
    root = args.root or models_path()
    for name in args.models or list(BUILDERS):
        t0 = time.monotonic()
        module = importlib.import_module(BUILDERS[name])
        folder = module.build_default(root)
        print(f"{name}: wrote {folder} in {time.monotonic() - t0:.0f} s")


def check(names: list[str]) -> int:
    """Build ``names`` into a temporary folder; print, per model, whether every file equals the
    shipped one byte for byte. 0 when all do, 1 otherwise."""
    shipped, bad = models_path(), 0
    with tempfile.TemporaryDirectory(prefix="voc-build-check-") as tmp:
        for name in names:
            folder = importlib.import_module(BUILDERS[name]).build_default(Path(tmp))
            ref = shipped / folder.relative_to(tmp)
            files = sorted({p.name for p in folder.iterdir()} | ({p.name for p in ref.iterdir()} if ref.is_dir() else set()))
            differ = [f for f in files if not ((ref / f).is_file() and (folder / f).is_file()
                                               and filecmp.cmp(ref / f, folder / f, shallow=False))]
            bad += bool(differ)
            print(f"{name}: {ref.relative_to(shipped)} " + (f"DIFFERS: {', '.join(differ)}" if differ else "reproduced"))
    return 1 if bad else 0


if __name__ == "__main__":
    main()
