"""The layering of docs/architecture.md, checked: import-linter's contracts in setup.cfg pass on
the package, and fail when a lower layer imports a higher one; no module grows past 600 lines."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "voc"
MAX_LINES = 600


def lint(root: Path) -> subprocess.CompletedProcess:
    """lint-imports with setup.cfg's contracts on the ``voc`` package found under ``root``."""
    pytest.importorskip("importlinter", reason="the layering check needs import-linter (the test extra)")
    code = ("import sys; from importlinter.cli import lint_imports; "
            f"sys.path.insert(0, {str(root)!r}); sys.exit(lint_imports(config_filename={str(ROOT / 'setup.cfg')!r}, "
            "no_cache=True))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=300)


def test_layers_are_kept():
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_an_upward_import_breaks_the_build(tmp_path):
    """A stage that imports the API (an import circle: api -> pipeline -> stages -> api) fails."""
    copy = tmp_path / "voc"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    text = copy / "stages" / "text.py"
    text.write_text(text.read_text(encoding="utf-8") + "\n\ndef _circle():\n    from ..api import load\n",
                    encoding="utf-8")
    done = lint(tmp_path)
    assert done.returncode != 0 and "voc.stages.text -> voc.api" in done.stdout, done.stdout[-3000:]


def test_no_module_is_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"split these modules: {long}"


def test_every_package_is_installed():
    """``pip install .`` ships only the packages setup.cfg lists: a new subpackage missing there
    works from a checkout and breaks every installed copy."""
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = set(cfg["options"]["packages"].split())
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")
             if "__pycache__" not in p.parts}
    assert found <= listed, f"add to setup.cfg [options] packages: {sorted(found - listed)}"
