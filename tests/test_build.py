"""``python -m voc.build --check``: a build into a temporary folder compared, file by file, with
the shipped one (the real builders need ../shared/data and minutes; a stand-in builder here)."""
from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

import voc.build as build


@pytest.fixture()
def fake_builder(tmp_path, monkeypatch):
    """A builder module writing models/<name>/1.0.0/{a,b}.txt, and a shipped models folder."""
    content = {"a.txt": "alpha\n", "b.txt": "beta\n"}

    def build_default(root: Path) -> Path:
        folder = Path(root) / "fake" / "1.0.0"
        folder.mkdir(parents=True)
        for name, text in content.items():
            (folder / name).write_text(text, encoding="utf-8")
        return folder

    module = types.ModuleType("fake_builder_module")
    module.build_default = build_default
    monkeypatch.setitem(sys.modules, "fake_builder_module", module)
    monkeypatch.setitem(build.BUILDERS, "fake", "fake_builder_module")
    shipped = tmp_path / "models"
    build_default(shipped)
    monkeypatch.setattr(build, "models_path", lambda: shipped)
    return shipped, content


def test_check_says_reproduced_when_every_file_is_equal(fake_builder, capsys):
    assert build.check(["fake"]) == 0
    assert "fake: fake/1.0.0 reproduced" in capsys.readouterr().out


def test_check_names_the_files_that_differ(fake_builder, capsys):
    shipped, _ = fake_builder
    (shipped / "fake" / "1.0.0" / "b.txt").write_text("beta, edited\n", encoding="utf-8")
    (shipped / "fake" / "1.0.0" / "zz_only_shipped.md").write_text("only shipped\n", encoding="utf-8")
    assert build.check(["fake"]) == 1
    out = capsys.readouterr().out
    assert "DIFFERS: b.txt, zz_only_shipped.md" in out and " a.txt" not in out


def test_check_exits_non_zero_from_the_command_line(fake_builder):
    shipped, _ = fake_builder
    (shipped / "fake" / "1.0.0" / "a.txt").unlink()
    with pytest.raises(SystemExit) as e:
        build.main(["--check", "fake"])
    assert e.value.code == 1


def test_weights_equal_up_to_float_rounding_count_as_reproduced(tmp_path):
    """Weights trained on another CPU differ in their last bits; anything more is a difference."""
    import numpy as np

    coef = np.linspace(-1, 1, 50, dtype=np.float32).reshape(5, 10)
    keys = np.arange(10, dtype=np.int64)

    def save(name: str, **arrays) -> Path:
        np.savez(tmp_path / name, **arrays)
        return tmp_path / name

    ref = save("ref.npz", coef=coef, keys=keys)
    assert build.weights_close(ref, save("same.npz", coef=coef, keys=keys)) == 0.0
    last_bits = np.nextafter(coef, np.float32(2))  # every weight one float32 step up
    assert 0 < build.weights_close(ref, save("rounded.npz", coef=last_bits, keys=keys)) < build.FLOAT_ATOL
    assert build.weights_close(ref, save("moved.npz", coef=coef + np.float32(1e-3), keys=keys)) is None
    assert build.weights_close(ref, save("vocab.npz", coef=coef, keys=keys + 1)) is None
    assert build.weights_close(ref, save("fewer.npz", coef=coef)) is None
    assert build.weights_close(ref, save("shape.npz", coef=coef.T, keys=keys)) is None
