"""Rebuild the shipped models in ``models/`` from ``corpus/`` and ``../shared/data``.

    python -m voc.build              # every model
    python -m voc.build root_cause   # one model
    python -m voc.build --check      # build into a temporary folder and compare with models/

Each model module provides ``build_default(models_root) -> Path`` that trains on the
non-reserved rows only, evaluates on the reserved rows, and writes a versioned folder with
its manifest and model card. ``--check`` is how the shipped folders are shown to be
reproducible: the same tree, data and library versions give the same bytes (on another CPU,
weights equal up to float rounding: ``weights_close``).
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


# Weights trained on another CPU differ in their last bits (BLAS and SIMD code paths round in
# another order: a root-cause build on an AMD EPYC host against the shipped one from an Intel Xeon
# host differed by at most 1.9e-06 in float32 weights, with the same vocabulary, config and metrics).
FLOAT_ATOL = 1e-5


def weights_close(a: Path, b: Path, atol: float = FLOAT_ATOL) -> float | None:
    """The largest difference between the float arrays of two ``.npz`` weight files when they
    hold the same arrays (names, shapes, dtypes, every non-float value equal) and no float
    differs by more than ``atol``; None otherwise."""
    import numpy as np

    try:
        with np.load(a, allow_pickle=False) as x, np.load(b, allow_pickle=False) as y:
            if sorted(x.files) != sorted(y.files):
                return None
            worst = 0.0
            for k in x.files:
                u, v = x[k], y[k]
                if u.shape != v.shape or u.dtype != v.dtype:
                    return None
                if u.dtype.kind != "f":
                    if not np.array_equal(u, v):
                        return None
                    continue
                if u.size:
                    d = float(np.max(np.abs(u.astype(np.float64) - v.astype(np.float64))))
                    if not d <= atol:  # (NaN: not close)
                        return None
                    worst = max(worst, d)
            return worst
    except (OSError, ValueError):
        return None


def _manifests_agree(a: Path, b: Path, files: set[str]) -> bool:
    """Two manifests equal but for the checksums of ``files``."""
    import json

    try:
        x, y = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
    except (OSError, ValueError):  # one side has none, or an unreadable one: they differ
        return False
    for m in (x, y):
        m["files"] = {k: v for k, v in m.get("files", {}).items() if k not in files}
    return x == y


def check(names: list[str]) -> int:
    """Build ``names`` into a temporary folder; print, per model, whether every file equals the
    shipped one byte for byte. Weight files that differ only in float rounding (``weights_close``:
    another CPU) count as reproduced and are named with their largest difference. 0 when all are
    reproduced, 1 otherwise."""
    shipped, bad = models_path(), 0
    with tempfile.TemporaryDirectory(prefix="voc-build-check-") as tmp:
        for name in names:
            folder = importlib.import_module(BUILDERS[name]).build_default(Path(tmp))
            ref = shipped / folder.relative_to(tmp)
            files = sorted({p.name for p in folder.iterdir()} | ({p.name for p in ref.iterdir()} if ref.is_dir() else set()))
            differ = [f for f in files if not ((ref / f).is_file() and (folder / f).is_file()
                                               and filecmp.cmp(ref / f, folder / f, shallow=False))]
            close = {f: weights_close(ref / f, folder / f) for f in differ if f.endswith(".npz")}
            close = {f: d for f, d in close.items() if d is not None}
            if close and "manifest.json" in differ and _manifests_agree(ref / "manifest.json",
                                                                       folder / "manifest.json", set(close)):
                differ.remove("manifest.json")
            differ = [f for f in differ if f not in close]
            bad += bool(differ)
            rounding = "".join(f" ({f} to float rounding: largest difference {d:.1e})" for f, d in close.items())
            print(f"{name}: {ref.relative_to(shipped)} "
                  + (f"DIFFERS: {', '.join(differ)}" if differ else "reproduced" + rounding))
    return 1 if bad else 0


if __name__ == "__main__":
    main()
