"""What ``voc info`` reports: versions of voc, its resources and dependencies."""
from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata

from ._version import __version__
from .resources import corpus_path, home, models_path

DEPENDENCIES = ("jieba", "scikit-learn", "gensim", "snownlp", "click", "opencc", "charset-normalizer",
                "python-calamine", "xlsxwriter", "numpy", "rjieba")
OPTIONAL = {"jinja2": "report", "dask": "dist", "distributed": "dist", "skops": "bench"}  # package: extra


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def collect() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {"voc": {"version": __version__, "home": str(home()),
                                             "python": platform.python_version()}}
    lex = {}
    for p in sorted(corpus_path("lexicons").glob("*.t*")):
        n = sum(1 for line in p.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#"))
        lex[p.name] = f"{n} entries, sha256 {_sha(p)}"
    out["lexicons"] = lex
    models = {}
    root = models_path()
    if root.is_dir():
        for manifest in sorted(root.glob("*/*/manifest.json")):
            m = json.loads(manifest.read_text(encoding="utf-8"))
            models[f"{manifest.parent.parent.name}/{manifest.parent.name}"] = m.get("description", "")
    out["models"] = models or {"(none)": "cue-lexicon baselines only"}
    deps = {d: _version(d) or "not installed" for d in DEPENDENCIES}
    out["dependencies"] = deps
    out["optional dependencies"] = {d: f"{_version(d) or 'not installed'} (voc-cx[{extra}])"
                                    for d, extra in OPTIONAL.items()}
    return out
