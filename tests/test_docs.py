"""Docs stay true: the CLI reference is generated from the commands; taxonomy copy exists."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_cli_reference_up_to_date():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_cli", ROOT / "docs" / "gen_cli.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == gen.render(), \
        "docs/cli.md is stale: run python docs/gen_cli.py > docs/cli.md"


def test_readme_has_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'pip install ".[report]" && voc tag corpus/samples/' in text
    assert 'pip install ".[all,test]" && python -m pytest' in text
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest" in ci


def test_install_hints_name_the_distribution_not_the_taken_pypi_name():
    """`voc` on PyPI is an unrelated project: every hint must say voc-cx[extra]."""
    import configparser
    import re

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    assert cfg["metadata"]["name"] == "voc-cx"
    wrong = re.compile(r"(?<![-\w.])voc\[")
    bad = [f"{p.relative_to(ROOT)}:{n}" for p in [*ROOT.glob("voc/**/*.py"), *ROOT.glob("docs/*.md"), ROOT / "README.md"]
           for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if wrong.search(line)]
    assert not bad, f"install hints naming voc[...] instead of voc-cx[...]: {bad}"
