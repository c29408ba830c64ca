"""Jinja2 templates (inside the package) with autoescaping: every piece of customer text that
reaches a page is HTML-escaped; charts and highlighted verbatims are built escaped in Python."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ConfigError, OutputError
from . import charts
from .common import fmt, name_of
from .methods import fmt_metric

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def environment():
    try:
        import jinja2
    except ImportError:
        raise ConfigError("the reports need jinja2; install it with: pip install 'voc-cx[report]'") from None
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["fmt"] = fmt
    env.filters["metric"] = fmt_metric
    env.filters["name"] = lambda v, dim: name_of(dim, v)
    env.globals["css"] = lambda: jinja2.utils.markupsafe.Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))
    env.globals["font"] = charts.FONT
    return env


def render(template: str, **context: Any) -> str:
    from markupsafe import Markup

    # charts are SVG strings built (and escaped) by voc.reports.charts
    for key, value in list(context.items()):
        if key.endswith("_chart") and isinstance(value, str):
            context[key] = Markup(value)
    return environment().get_template(template).render(**context)


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` atomically (temporary file, then rename)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise OutputError(f"cannot write {path} ({e.strerror}); choose a writable output path.") from None
    return path
