"""Root-cause model folders: ``config.json``, ``vocab_*.json``, ``weights.npz`` (numpy arrays, no
pickle), ``MODEL_CARD.md`` and ``manifest.json`` (SHA-256 of each file, checked before loading)."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError, OutputError
from ..text.segment import fingerprint
from .common import load_folder
from .root_cause import NAME, VERSION
from .root_cause_features import CharVocab, Vocab

log = logging.getLogger("voc.estimators.root_cause")

FORMAT = "voc-root-cause/1"


def save(model, folder: str | Path, *, version: str = VERSION, description: str = "",
         data_sources: list[dict[str, Any]] | None = None, metrics: dict[str, Any] | None = None,
         card: str | None = None, extra: dict[str, Any] | None = None) -> Path:
    """Write the model to ``folder``: ``config.json``, ``vocab_*.json``, ``weights.npz``
    (numpy arrays, no pickle), ``MODEL_CARD.md`` and ``manifest.json`` (SHA-256 of each file).

    The folder must be new or empty; a model version is never overwritten in place.
    """
    from ..models import save_arrays, write_manifest

    model._check_fitted()
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(f"{folder} already exists and is not empty; give a new folder for each model version.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create {folder} ({e.strerror}); choose a writable folder.") from None
    params = model.get_params()
    params["char_ngrams"] = list(model.char_ngrams) if model.char_ngrams else None
    config = {
        "format": FORMAT, "params": params, "classes": list(model.classes_),
        "temperature": model.temperature_, "other_threshold": model.threshold_, "aux": list(model.aux_),
        "aux_binary": list(model.aux_binary_),
        "blocks": [name for name in ("word", "char", "context", "aux") if name in model.vocabs_],
        "cues": [list(c) for c in model.cues_], "training": model.n_train_, "dev": model.dev_,
        "segmenter": fingerprint(),
    }
    (folder / "config.json").write_text(json.dumps(config, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    arrays = {"coef": model.coef_.astype(np.float32), "intercept": model.intercept_.astype(np.float32),
              "aux_coef": model.aux_coef_.astype(np.float32),
              "aux_intercept": model.aux_intercept_.astype(np.float32)}
    for name, voc in model.vocabs_.items():
        if isinstance(voc, CharVocab):  # packed character n-grams: plain int64 arrays
            arrays[f"keys_{name}"] = voc.keys
        else:
            (folder / f"vocab_{name}.json").write_text(json.dumps(voc.names, ensure_ascii=False) + "\n",
                                                       encoding="utf-8")
        arrays[f"idf_{name}"] = voc.idf.astype(np.float32)
    save_arrays(folder / "weights.npz", **arrays)
    (folder / "MODEL_CARD.md").write_text(card or default_card(model, version, data_sources, metrics),
                                          encoding="utf-8")
    write_manifest(folder, name=NAME, version=version,
                   description=description or "root-cause classifier (voc.estimators.root_cause)",
                   data_sources=data_sources or [], metrics=metrics or {}, **(extra or {}))
    return folder


def load(cls, folder: str | Path):
    """A ``cls`` (``RootCauseClassifier``) from a model folder after checking its manifest checksums (no code runs from files)."""
    from ..models import read_json

    folder = Path(folder)
    config, arrays, manifest = load_folder(folder, name=NAME, fmt=FORMAT)
    try:
        params = dict(config["params"])
        if params.get("char_ngrams"):
            params["char_ngrams"] = tuple(params["char_ngrams"])
        model = cls(**params)
        model.classes_ = tuple(config["classes"])
        model.temperature_ = float(config["temperature"])
        model.threshold_ = float(config["other_threshold"])
        model.aux_ = tuple(config["aux"])
        model.aux_binary_ = tuple(bool(b) for b in config["aux_binary"])
        model.cues_ = [(a, b, float(c)) for a, b, c in config["cues"]]
        model.n_train_ = config.get("training")
        model.dev_ = config.get("dev")
        model.vocabs_ = {}
        for name in config["blocks"]:
            if name in ("char", "context"):
                lo, hi = model.char_ngrams if name == "char" else (2, 2)
                model.vocabs_[name] = CharVocab(arrays[f"keys_{name}"], arrays[f"idf_{name}"], lo, hi)
            else:
                model.vocabs_[name] = Vocab(read_json(folder / f"vocab_{name}.json"), arrays[f"idf_{name}"])
        model.coef_ = arrays["coef"].astype(np.float64)
        model.intercept_ = arrays["intercept"].astype(np.float64)
        model.aux_coef_ = arrays["aux_coef"].astype(np.float64)
        model.aux_intercept_ = arrays["aux_intercept"].astype(np.float64)
        for name, voc in model.vocabs_.items():
            if len(voc.idf) != len(voc):
                raise ValueError(f"vocabulary {name} and its idf differ in length")
    except ModelError:
        raise
    except (KeyError, ValueError, TypeError, OSError) as e:
        raise ModelError(f"{folder} is not a valid root-cause model ({type(e).__name__}: {e}); rebuild it.") from None
    model.manifest_ = manifest
    seg = config.get("segmenter") or {}
    if seg and seg != fingerprint():
        log.warning("model %s was trained with a different user dictionary or stopword list; "
                    "rebuild it (python -m voc.build root_cause) if results look wrong", folder)
    model._prepare_inference()
    return model


def default_card(model, version: str, data_sources, metrics) -> str:
    """The model card of a model trained with ``voc train root-cause``."""
    lines = [f"# Root-cause model {version}", "",
             "Trained with `voc train root-cause` (voc.estimators.root_cause.RootCauseClassifier).", "",
             "## Training data", ""]
    for src in data_sources or []:
        lines.append(f"- {json.dumps(src, ensure_ascii=False)}")
    lines += ["", "| label | labelled | weakly labelled (cues) |", "|---|---|---|"]
    for lab in model.classes_:
        lines.append(f"| {lab} | {model.n_train_['labelled_by_class'].get(lab, 0)} | "
                     f"{model.n_train_['weak_by_class'].get(lab, 0)} |")
    lines += ["", "## Decision", "",
              f"- softmax temperature {model.temperature_}; `other` below probability {model.threshold_} "
              f"(chosen on development folds of the labelled data)"]
    if model.dev_:
        lines.append(f"- development macro-F1 ({model.dev_['folds']}-fold, out of fold): {model.dev_['macro_f1']}")
    if metrics:
        lines += ["", "## Metrics", "", "```json", json.dumps(metrics, ensure_ascii=False, indent=1), "```"]
    return "\n".join(lines) + "\n"
