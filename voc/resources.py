"""Where the shipped models and corpus (lexicons, samples) are.

In a checkout or an editable install they are ``models/`` and ``corpus/`` beside the ``voc``
package; in a wheel they are installed inside it as ``voc/_data/{models,corpus}``. The
environment variable ``VOC_HOME`` (a folder holding ``models/`` and ``corpus/``) overrides both.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from .errors import ModelError

_PKG = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def home() -> Path:
    env = os.environ.get("VOC_HOME")
    candidates = [Path(env)] if env else []
    candidates += [_PKG / "_data", _PKG.parent]
    for c in candidates:
        if (c / "corpus" / "lexicons").is_dir():
            return c
    raise ModelError(
        "voc cannot find its shipped corpus and models; reinstall voc or set VOC_HOME to the "
        "folder that holds models/ and corpus/."
    )


def corpus_path(*parts: str) -> Path:
    return home().joinpath("corpus", *parts)


def models_path(*parts: str) -> Path:
    return home().joinpath("models", *parts)


def cache_dir() -> Path:
    """Per-user cache folder (jieba's dictionary cache lives here, never in /tmp)."""
    base = os.environ.get("VOC_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    path = Path(base) / "voc" if base else Path.home() / ".cache" / "voc"
    path.mkdir(parents=True, exist_ok=True)
    return path
