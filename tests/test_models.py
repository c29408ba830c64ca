"""Safe model files: checksums verified before reading, no pickle ever, clear errors."""
from __future__ import annotations

import json
import logging
import pickle
import re
from pathlib import Path

import numpy as np
import pytest

from voc import ModelError
from voc import models

ROOT = Path(__file__).resolve().parent.parent
MARKER = Path("/tmp/voc-pwned-marker")


class Evil:
    def __reduce__(self):  # runs on unpickling: must never happen
        return (MARKER.write_text, ("pwned",))


@pytest.fixture(autouse=True)
def no_marker():
    MARKER.unlink(missing_ok=True)
    yield
    assert not MARKER.exists(), "code from a model file ran"


def make_model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    models.save_arrays(folder / "weights.npz", coef=np.arange(6, dtype=np.float32).reshape(2, 3))
    (folder / "vocab.json").write_text(json.dumps(["信号", "退款"], ensure_ascii=False), encoding="utf-8")
    models.write_manifest(folder, name="demo", version="1.0.0", description="test model")
    return folder


def test_round_trip_and_find(tmp_path):
    folder = make_model(tmp_path / "demo" / "1.0.0")
    manifest = models.verify(folder)
    assert set(manifest["files"]) == {"weights.npz", "vocab.json"}
    assert manifest["created_with"]["voc"]
    assert models.load_arrays(folder / "weights.npz")["coef"].shape == (2, 3)
    make_model(tmp_path / "demo" / "1.10.0")
    assert models.find("demo", root=tmp_path).name == "1.10.0"
    assert models.find("nothing", root=tmp_path) is None


def test_tampered_file_refused(tmp_path):
    folder = make_model(tmp_path / "m")
    (folder / "vocab.json").write_text('["改过了"]', encoding="utf-8")
    with pytest.raises(ModelError, match="checksum"):
        models.verify(folder)


def test_unlisted_file_refused(tmp_path):
    folder = make_model(tmp_path / "m")
    (folder / "extra.bin").write_bytes(b"x")
    with pytest.raises(ModelError, match="not listed"):
        models.verify(folder)


@pytest.mark.parametrize("name", ["model.skops", "weights.npz", "matrix.npy"])
def test_pickle_renamed_to_model_file_refused_even_with_valid_checksum(tmp_path, name):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / name).write_bytes(pickle.dumps(Evil()))
    models.write_manifest(folder, name="evil", version="1")  # an attacker can recompute checksums
    with pytest.raises(ModelError, match="pickle"):
        models.verify(folder)


@pytest.mark.parametrize("protocol", [0, 1])
def test_old_protocol_pickles_never_unpickled(tmp_path, protocol):
    path = tmp_path / "model.skops"
    path.write_bytes(pickle.dumps(Evil(), protocol=protocol))
    with pytest.raises(ModelError):
        models.load_skops(path)
    npz = tmp_path / "w.npz"
    npz.write_bytes(pickle.dumps(Evil(), protocol=protocol))
    with pytest.raises(ModelError):
        models.load_arrays(npz)


def test_object_array_refused(tmp_path):
    path = tmp_path / "w.npz"
    np.savez(path, a=np.array([Evil()], dtype=object))
    with pytest.raises(ModelError, match="plain array"):
        models.load_arrays(path)


def test_skops_with_untrusted_type_refused(tmp_path):
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    path = tmp_path / "m.skops"
    sio.dump(FunctionTransformer(func=print), path)
    with pytest.raises(ModelError, match="untrusted"):
        models.load_skops(path)


def test_version_mismatch_warns(tmp_path, caplog):
    folder = make_model(tmp_path / "m")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["created_with"]["numpy"] = "0.1.0"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with caplog.at_level(logging.WARNING, logger="voc"):
        models.verify(folder)
    assert "numpy 0.1.0" in caplog.text


def test_missing_manifest(tmp_path):
    (tmp_path / "m").mkdir()
    with pytest.raises(ModelError, match="manifest"):
        models.verify(tmp_path / "m")


def test_library_code_never_uses_pickle_loaders():
    pattern = re.compile(r"pickle\.loads?\(|joblib\.load\(|marshal\.loads?\(|allow_pickle=True|"
                         r"(LdaModel|Dictionary|Phrases|KeyedVectors)\.load\(|cloudpickle")
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "voc").rglob("*.py")
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []


def test_shipped_models_verify():
    root = ROOT / "models"
    folders = sorted(p.parent for p in root.glob("*/*/manifest.json"))
    for folder in folders:
        manifest = models.verify(folder)
        assert manifest["data_sources"] and manifest["metrics"], folder
        assert (folder / "MODEL_CARD.md").is_file(), folder
