"""The QA rules file (TOML): named conditions and the scorecard rules that combine them.

Parsed with ``tomllib`` through ``voc.lang.rulefile`` (the same safety as the escalation rules:
no ``eval``, every error names the file and the line). The shipped scorecard is
``voc/data/qa_rules.toml``; a centre's own file (``voc tag --qa --qa-rules FILE``) replaces
conditions with the same name and rules with the same ``id``, adds new ones, switches rules off
(``enabled = false``) or drops every shipped rule (``[settings] defaults = false``). The language
is documented in docs/qa.md; the matching is in ``voc.qa.engine``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..lang.patterns import compile_user
from ..lang.rulefile import (check_types, choice, first_line, key_line, load_toml, parse_array, read_source,
                             table_line)
from .expr import Expr, ExprError

ROLES = ("customer", "agent", "bot", "staff", "any")  # staff: agent or bot
SCOPES = ("sentence", "turn", "window", "first", "last", "contact")
SEVERITIES = ("info", "minor", "major", "critical")
TYPES = ("must_have", "must_not")
DEFAULT_DEDUCT = {"info": 0.0, "minor": 2.0, "major": 5.0, "critical": 10.0}
TIMING = ("first_response_over", "reply_over", "gap_over")
DOC = "docs/qa.md"

_NUM = (int, float)
_COND_KEYS: dict[str, Any] = {
    "role": str, "scope": str, "turns": int, "any": list, "all": list, "n_of": dict, "none": list,
    "regex": str, "exclude": str, "count": int, "before": str, "after": str, "repeat": int,
    "min_chars": int, "overlap_below": _NUM, "description": str,
    "first_response_over": _NUM, "reply_over": _NUM, "gap_over": _NUM,
}
_RULE_KEYS: dict[str, Any] = {
    "id": str, "item": str, "type": str, "severity": str, "deduct": _NUM, "when": str, "channels": list,
    "needs": list, "description": str, "enabled": bool,
}


@dataclass(frozen=True)
class Condition:
    name: str
    role: str = "agent"
    scope: str = "turn"
    turns: int = 1  # window size, or how many first / last turns
    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    n_of: tuple[int, tuple[str, ...]] | None = None
    none: tuple[str, ...] = ()
    regex: re.Pattern | None = None
    exclude: re.Pattern | None = None
    count: int = 1
    before: str | None = None
    after: str | None = None
    repeat: int | None = None
    min_chars: int | None = None
    overlap_below: float | None = None
    timing: tuple[str, float] | None = None  # (kind, seconds)
    description: str = ""
    line: int = 0
    file: str = ""
    # compiled once: one alternation per word list (longest words first)
    any_rx: re.Pattern | None = field(default=None, repr=False, compare=False)
    all_rx: tuple[re.Pattern, ...] = field(default=(), repr=False, compare=False)
    n_of_rx: re.Pattern | None = field(default=None, repr=False, compare=False)
    none_rx: re.Pattern | None = field(default=None, repr=False, compare=False)
    gate: re.Pattern | None = field(default=None, repr=False, compare=False)  # a pattern every hit needs
    only_none: bool = field(default=False, repr=False, compare=False)  # holds when no unit has a none word

    @property
    def positive(self) -> bool:
        """Whether a unit must contain something (else the condition only checks absence,
        length, repetition or timing)."""
        return bool(self.any or self.all or self.n_of or self.regex is not None)


@dataclass(frozen=True)
class Rule:
    id: str
    when: Expr
    item: str = ""
    type: str = "must_not"
    severity: str = "minor"
    deduct: float = 2.0
    channels: tuple[str, ...] = ()  # lower-case substrings of the contact's channel; () = every channel
    needs: tuple[str, ...] = ("agent",)  # roles that must speak for the rule to apply
    description: str = ""
    enabled: bool = True
    line: int = 0
    file: str = ""


@dataclass
class RuleSet:
    conditions: dict[str, Condition]
    rules: list[Rule]
    source: str = ""
    settings: dict[str, Any] = field(default_factory=dict)


def words_rx(words: tuple[str, ...] | list[str]) -> re.Pattern | None:
    """One alternation of literal words, longest first (so 不归我们管 wins over 不归)."""
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w))))


def default_rules_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "qa_rules.toml"


def parse_rules(source: str, name: str = "<qa rules>") -> RuleSet:
    """Parse a QA rules file's text; a ``ConfigError`` naming the file and line when it is bad."""
    data = load_toml(source, name)
    for k in data:
        if k not in ("condition", "rule", "settings", "version"):
            raise ConfigError(f"{name}:{first_line(source, k)}: unknown section {k!r}; "
                              f"use [condition.NAME], [[rule]] or [settings].")
    settings = data.get("settings") or {}
    for k, v in settings.items():
        n = first_line(source, k)
        if k != "defaults":
            raise ConfigError(f"{name}:{n}: unknown setting {k!r}; [settings] knows only 'defaults'.")
        if not isinstance(v, bool):
            raise ConfigError(f"{name}:{n}: [settings] defaults must be true or false; fix that line.")
    conds_raw = data.get("condition") or {}
    if not isinstance(conds_raw, dict):
        raise ConfigError(f"{name}:{first_line(source, 'condition')}: conditions are tables: [condition.NAME].")
    conditions = {}
    for cname, raw in conds_raw.items():
        line = table_line(source, f"condition.{cname}")
        if not isinstance(raw, dict):
            raise ConfigError(f"{name}:{line}: condition {cname!r} must be a table [condition.{cname}].")
        conditions[cname] = _make_condition(cname, raw, name, line, source)
    rules = parse_array(data, source, name, _make_rule)
    return RuleSet(conditions, rules, name, dict(settings))


def _errors(name: str, line: int, source: str):
    def err(key: str | None, msg: str) -> ConfigError:
        return ConfigError(f"{name}:{key_line(source, line, key) if key else line}: {msg}")
    return err


def _strings(raw: dict, key: str, err, what: str) -> tuple[str, ...]:
    vals = raw.get(key) or []
    if not all(isinstance(x, str) and x for x in vals):
        raise err(key, f"{key!r} of {what} must be a list of non-empty strings; fix that line.")
    return tuple(vals)


def _regex(raw: dict, key: str, err, what: str) -> re.Pattern | None:
    p = raw.get(key)
    if p is None:
        return None
    try:
        rx = compile_user(p, scanning=True)
    except re.error as e:
        raise err(key, f"{key} {p!r} of {what} is not a valid regular expression ({e}); fix it.") from None
    except ValueError as e:  # catastrophic backtracking (voc.lang.patterns)
        raise err(key, f"{key} {p!r} of {what} is refused: {e}.") from None
    if rx.search(""):
        raise err(key, f"{key} {p!r} of {what} matches empty text; it would match everything.")
    return rx


def _make_condition(cname: str, raw: dict[str, Any], name: str, line: int, source: str) -> Condition:
    err = _errors(name, line, source)
    what = f"condition {cname!r}"
    check_types(raw, _COND_KEYS, err, "condition", DOC)
    role = choice(raw, "role", "agent", ROLES, err, what)
    scope = choice(raw, "scope", "turn", SCOPES, err, what)
    turns = raw.get("turns", 2 if scope == "window" else 1)
    if turns < 1:
        raise err("turns", f"turns of {what} must be at least 1.")
    n_of = None
    if "n_of" in raw:
        spec = raw["n_of"]
        n, words = spec.get("n"), spec.get("words")
        if set(spec) - {"n", "words"} or not isinstance(n, int) or isinstance(n, bool) or n < 1 \
                or not isinstance(words, list) or not words or not all(isinstance(w, str) and w for w in words):
            raise err("n_of", f"n_of of {what} must be {{ n = 2, words = [\"...\", ...] }}; fix that line.")
        if n > len(words):
            raise err("n_of", f"n_of of {what} asks for {n} of only {len(words)} words.")
        n_of = (n, tuple(words))
    timing = [(k, float(raw[k])) for k in TIMING if k in raw]
    if len(timing) > 1:
        raise err(timing[1][0], f"{what} has two timing keys; write one condition per timing check.")
    text_keys = [k for k in ("any", "all", "n_of", "none", "regex", "exclude", "repeat", "min_chars",
                             "overlap_below") if k in raw]
    if timing and text_keys:
        raise err(text_keys[0], f"{what} mixes timing ({timing[0][0]}) with text operators; write two "
                                f"conditions and combine them in the rule's when.")
    for k in ("count", "repeat", "min_chars"):
        if k in raw and raw[k] < 1:
            raise err(k, f"{k} of {what} must be at least 1.")
    for k, _ in timing:
        if raw[k] < 0:
            raise err(k, f"{k} of {what} must be a number of seconds >= 0.")
    ob = raw.get("overlap_below")
    if ob is not None and not 0 < ob <= 1:
        raise err("overlap_below", f"overlap_below of {what} must be a share between 0 and 1.")
    for k in ("before", "after"):
        if raw.get(k) == cname:
            raise err(k, f"{what} cannot be anchored to itself.")
    cond = Condition(
        name=cname, role=role, scope=scope, turns=turns, any=_strings(raw, "any", err, what),
        all=_strings(raw, "all", err, what), n_of=n_of, none=_strings(raw, "none", err, what),
        regex=_regex(raw, "regex", err, what), exclude=_regex(raw, "exclude", err, what),
        count=raw.get("count", 1), before=raw.get("before"), after=raw.get("after"), repeat=raw.get("repeat"),
        min_chars=raw.get("min_chars"), overlap_below=ob, timing=timing[0] if timing else None,
        description=raw.get("description", ""), line=line, file=name)
    has_check = cond.positive or cond.none or cond.repeat or cond.min_chars or cond.timing \
        or cond.overlap_below is not None
    if not has_check:
        raise err(None, f"{what} checks nothing; give it any, all, n_of, none, regex, repeat, min_chars "
                        f"or a timing key.")
    object.__setattr__(cond, "any_rx", words_rx(cond.any))
    object.__setattr__(cond, "all_rx", tuple(re.compile(re.escape(w)) for w in cond.all))
    object.__setattr__(cond, "n_of_rx", words_rx(n_of[1]) if n_of else None)
    object.__setattr__(cond, "none_rx", words_rx(cond.none))
    object.__setattr__(cond, "gate", cond.any_rx or cond.regex or cond.n_of_rx or (cond.all_rx[0] if cond.all_rx else None))
    object.__setattr__(cond, "only_none", bool(not cond.positive and cond.none and not (
        cond.repeat or cond.min_chars or cond.overlap_below is not None)))
    return cond


def _make_rule(raw: dict[str, Any], name: str, line: int, source: str) -> Rule:
    err = _errors(name, line, source)
    check_types(raw, _RULE_KEYS, err, "rule", DOC)
    if not raw.get("id"):
        raise err(None, "this rule has no id; give it one, e.g. id = \"greeting\".")
    rid = raw["id"]
    what = f"rule {rid!r}"
    rtype = choice(raw, "type", "must_not", TYPES, err, what)
    severity = choice(raw, "severity", "minor", SEVERITIES, err, what)
    deduct = float(raw.get("deduct", DEFAULT_DEDUCT[severity]))
    if not 0 <= deduct <= 100:
        raise err("deduct", f"deduct of {what} must be between 0 and 100 points.")
    if "when" not in raw:
        raise err(None, f"{what} has no when; name the conditions it checks, e.g. when = \"greeting\".")
    try:
        expr = Expr(raw["when"])
    except ExprError as e:
        raise err("when", f"when of {what}: {e}; fix that line.") from None
    needs = _strings(raw, "needs", err, what) if "needs" in raw else ("agent",)
    if any(r not in ROLES for r in needs):
        raise err("needs", f"needs of {what} must use {', '.join(ROLES)}; fix that line.")
    return Rule(id=rid, when=expr, item=raw.get("item") or rid, type=rtype, severity=severity, deduct=deduct,
                channels=tuple(c.lower() for c in _strings(raw, "channels", err, what)), needs=needs,
                description=raw.get("description", ""), enabled=raw.get("enabled", True), line=line, file=name)


def _check_names(rs: RuleSet) -> None:
    """Every name a rule or an anchor reads is a condition, and anchors make no circle."""
    for r in rs.rules:
        if not r.enabled:
            continue
        for n in r.when.names:
            if n not in rs.conditions:
                raise ConfigError(f"{r.file}:{r.line}: rule {r.id!r} reads condition {n!r}, which no "
                                  f"[condition.{n}] defines; define it or fix the name.")
    for c in rs.conditions.values():
        for a in (c.before, c.after):
            if a is not None and a not in rs.conditions:
                raise ConfigError(f"{c.file}:{c.line}: condition {c.name!r} is anchored to {a!r}, which no "
                                  f"[condition.{a}] defines; define it or fix the name.")
    for c in rs.conditions.values():
        seen, cur = {c.name}, c
        while True:
            nxt = cur.before or cur.after
            if nxt is None:
                break
            if nxt in seen:
                raise ConfigError(f"{c.file}:{c.line}: the anchors of condition {c.name!r} go round in a "
                                  f"circle; anchor each condition to one that is not anchored back.")
            seen.add(nxt)
            cur = rs.conditions[nxt]


def read_rules(path: str | Path) -> RuleSet:
    return parse_rules(read_source(path, "QA rules file"), str(path))


def load_rules(user: str | Path | None = None, defaults: str | Path | None = None) -> RuleSet:
    """The shipped scorecard, overridden and extended by a centre's file (see the module doc)."""
    base = read_rules(defaults or default_rules_path())
    if user is None:
        _check_names(base)
        return base
    mine = read_rules(user)
    if mine.settings.get("defaults", True):
        by_id = {r.id: r for r in mine.rules}
        rules = [by_id.pop(r.id, r) for r in base.rules] + [r for r in mine.rules if r.id in by_id]
        conditions = {**base.conditions, **mine.conditions}
    else:
        rules, conditions = list(mine.rules), dict(mine.conditions)
    rs = RuleSet(conditions, rules, f"{base.source} + {user}", mine.settings)
    _check_names(rs)
    return rs
