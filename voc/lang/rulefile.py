"""What every declarative rules file of voc shares: TOML parsed with ``tomllib`` (never
``eval``), errors that name the file and the line, and the line of a table or a key.

Used by the escalation rules (``voc/data/escalation_rules.toml``) and the QA scorecard
(``voc/data/qa_rules.toml``).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import ConfigError


def load_toml(source: str, name: str) -> dict[str, Any]:
    """``tomllib.loads(source)``; a ``ConfigError`` naming ``name:line`` when it is not TOML."""
    import tomllib

    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        if m:
            where = f"{name}:{m.group(1)}"
        else:  # "at end of document": an array or table left open; name the last line
            lines = source.splitlines()
            last = max((i for i, line in enumerate(lines, 1) if line.strip()), default=1)
            where = f"{name}:{last}"
        raise ConfigError(f"{where}: not valid TOML ({e}); fix that line.") from None


def read_source(path: str | Path, what: str = "rules file") -> str:
    """The text of a UTF-8 rules file (a BOM is dropped); ``ConfigError`` when missing or not UTF-8."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{what} {path} does not exist; give the path of a TOML {what}.") from None
    except IsADirectoryError:
        raise ConfigError(f"{what} {path} is a folder; give the path of a TOML {what}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{what} {path} is not UTF-8 text; save it as UTF-8.") from None


def array_lines(source: str, table: str) -> list[int]:
    """1-based line numbers of each ``[[table]]`` header, in order."""
    pat = re.compile(rf"\s*\[\[\s*{re.escape(table)}\s*\]\]")
    return [n for n, line in enumerate(source.splitlines(), 1) if pat.match(line)]


def table_line(source: str, table: str) -> int:
    """The line of the ``[table]`` header (``[condition.name]`` ...), 1 when absent."""
    pat = re.compile(rf"\s*\[\s*{re.escape(table)}\s*\]")
    return next((n for n, line in enumerate(source.splitlines(), 1) if pat.match(line)), 1)


def key_line(source: str, start: int, key: str) -> int:
    """The line of ``key = ...`` inside the table whose header is on line ``start``."""
    lines = source.splitlines()
    pat = re.compile(rf"\s*{re.escape(key)}\s*=")
    for n in range(start, len(lines)):  # lines[start] is the line after the header
        if re.match(r"\s*\[", lines[n]):
            break
        if pat.match(lines[n]):
            return n + 1
    return start


def first_line(source: str, key: str) -> int:
    """The first line that sets ``key`` or opens a table named ``key`` (1 when none)."""
    pat = re.compile(rf"\s*(\[+\s*)?{re.escape(key)}\b")
    return next((i for i, line in enumerate(source.splitlines(), 1) if pat.match(line)), 1)


def check_types(raw: dict[str, Any], keys: dict[str, Any], err, what: str, doc: str) -> None:
    """Every key of ``raw`` known in ``keys`` (key -> type or tuple of types) and of its type;
    else ``err(key, message)`` is raised."""
    for k, v in raw.items():
        if k not in keys:
            raise err(k, f"unknown {what} key {k!r}; see {doc} for the keys a {what} may have.")
        want = keys[k]
        if want is int and isinstance(v, bool) or not isinstance(v, want):
            kind = {str: "a string", list: "a list", bool: "true or false", int: "a whole number",
                    dict: "a table"}.get(want if isinstance(want, type) else float, "a number")
            raise err(k, f"{k!r} must be {kind}; fix that line.")


def choice(raw: dict[str, Any], key: str, default: str, allowed: tuple[str, ...], err, what: str) -> str:
    """``raw[key]`` (or ``default``) when it is one of ``allowed``, else ``err(key, message)``."""
    value = raw.get(key, default)
    if value not in allowed:
        raise err(key, f"{key} of {what} must be one of {', '.join(allowed)}; fix that line.")
    return value


def parse_array(data: dict[str, Any], source: str, name: str, make) -> list:
    """The ``[[rule]]`` tables of a parsed file, each made by ``make(raw, name, line, source)``
    (an object with an ``id``); two rules with one id are a ``ConfigError`` naming the line."""
    rules_raw = data.get("rule") or []
    if not isinstance(rules_raw, list):
        raise ConfigError(f"{name}: 'rule' must be an array of tables ([[rule]]); fix the file.")
    starts = array_lines(source, "rule")
    rules: list = []
    seen: set[str] = set()
    for i, raw in enumerate(rules_raw):
        line = starts[i] if i < len(starts) else 1
        rule = make(raw, name, line, source)
        if rule.id in seen:
            raise ConfigError(f"{name}:{line}: rule id {rule.id!r} is used twice in this file; give each rule its own id.")
        seen.add(rule.id)
        rules.append(rule)
    return rules
