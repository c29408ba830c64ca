"""Rebuild the shipped models in ``models/`` from ``corpus/`` and ``../shared/data``.

    python -m voc.build              # every model
    python -m voc.build root_cause   # one model

Each model module provides ``build_default(models_root) -> Path`` that trains on the
non-reserved rows only, evaluates on the reserved rows, and writes a versioned folder with
its manifest and model card.
"""
from __future__ import annotations

import argparse
import importlib
import logging
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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    root = args.root or models_path()
    for name in args.models or list(BUILDERS):
        t0 = time.monotonic()
        module = importlib.import_module(BUILDERS[name])
        folder = module.build_default(root)
        print(f"{name}: wrote {folder} in {time.monotonic() - t0:.0f} s")


if __name__ == "__main__":
    main()
