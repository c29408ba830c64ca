"""Escalation: does a contact need to go beyond the frontline, how urgently, why, and to whom.

The decision comes from declarative rules in a TOML file (docs/rules.md), never from code in
the file: it is parsed with ``tomllib`` and each rule is a set of conditions on the customer's
text (substrings, regular expressions, co-occurring groups), with exceptions, negation, and
conditions on what earlier stages found (churn level, sentiment, root cause, customer tier,
repeat contacts). The shipped defaults are ``voc/data/escalation_rules.toml``; a user file
(``voc tag --rules FILE``) replaces default rules with the same ``id``, adds new ones, and can
switch defaults off (``enabled = false``) or drop them all (``[settings] defaults = false``).

A contact is escalated when at least one rule fires. ``level`` is the highest level of the
rules that fired (``urgent`` > ``normal``; ``none`` when not escalated); ``reasons`` name each
rule and the words that made it fire; ``owner``, for every contact, escalated or not, is the
owner the first fired rule names, else the owner of the contact's root cause (taxonomy section
6, ``voc.lang.taxonomy.OWNERS``, overridable in ``[owners]``): ``voc.lang.owners.owner_of``.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import ConfigError
from ..lang.cues import CueMatcher
from ..lang.metadata import repeat_count, tier
from ..lang.negation import negated
from ..lang.owners import owner_of
from ..lang.patterns import compile_user
from ..lang.rulefile import check_types, first_line, key_line, load_toml, parse_array, read_source
from ..lang.taxonomy import OWNERS, ROOT_CAUSES
from ..records import Escalation as EscalationRecord
from ..records import Tagged, evolve

log = logging.getLogger(__name__)

LEVELS = ("none", "normal", "urgent")
CHURN_LEVELS = ("low", "medium", "high")
TEXT_SCOPES = ("customer", "all")

_RULE_KEYS = {
    "id": str, "description": str, "reason": str, "level": str, "enabled": bool, "owner": str,
    "text": str, "any": list, "regex": list, "all": list, "window": int, "unless": list, "unless_near": list,
    "context": list,
    "negation": bool, "churn_level": list, "sentiment_below": (int, float), "sentiment_label": list,
    "root_cause": list, "tier": list, "min_repeat": int,
}
_TEXT_CONDITIONS = ("any", "regex", "all")
_OTHER_CONDITIONS = ("churn_level", "sentiment_below", "sentiment_label", "root_cause", "tier", "min_repeat")


@dataclass(frozen=True)
class Rule:
    id: str
    level: str = "normal"
    description: str = ""
    reason: str = ""
    owner: str | None = None
    text: str = "customer"
    any: tuple[str, ...] = ()
    regex: tuple[re.Pattern, ...] = ()
    all: tuple[tuple[str, ...], ...] = ()
    window: int | None = None
    unless: tuple[str, ...] = ()
    unless_near: tuple[str, ...] = ()
    context: tuple[str, ...] = ()  # the text must also hold one of these words, anywhere
    negation: bool = True
    churn_level: tuple[str, ...] = ()
    sentiment_below: float | None = None
    sentiment_label: tuple[str, ...] = ()
    root_cause: tuple[str, ...] = ()
    tier: tuple[str, ...] = ()
    min_repeat: int | None = None
    enabled: bool = True
    line: int = 0  # where the rule starts in its file (for messages)
    _any: CueMatcher | None = field(default=None, repr=False, compare=False)
    _all: tuple[CueMatcher, ...] = field(default=(), repr=False, compare=False)  # one per 'all' group

    @property
    def uses(self) -> set[str]:
        """Tagged fields this rule reads besides the text."""
        out = set()
        if self.churn_level:
            out.add("churn")
        if self.sentiment_below is not None or self.sentiment_label:
            out.add("sentiment")
        if self.root_cause:
            out.add("root_cause")
        return out

    # -- matching ------------------------------------------------------------------------
    def _near_veto(self, text: str, start: int, end: int) -> bool:
        if not self.unless_near:
            return False
        ctx = text[max(0, start - 8):end + 8]
        lo = start - max(0, start - 8)
        hi = lo + (end - start)
        for v in self.unless_near:  # a veto phrase that overlaps the match
            i = ctx.find(v)
            while i != -1:
                if i < hi and i + len(v) > lo:
                    return True
                i = ctx.find(v, i + 1)
        return False

    def _hits(self, text: str) -> list[tuple[int, int]]:
        """Spans that satisfy ``any`` or ``regex`` (negated and vetoed matches removed)."""
        spans = []
        if self._any is not None:
            spans += [(h.start, h.end) for h in self._any.find(text)]
        for pat in self.regex:
            spans += [(m.start(), m.end()) for m in pat.finditer(text) if m.end() > m.start()]
        return self._keep(text, spans)

    def _keep(self, text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """``spans`` without the negated (unless ``negation = false``) and the vetoed ones."""
        return [(s, e) for s, e in spans
                if not (self.negation and negated(text, s)) and not self._near_veto(text, s, e)]

    def match_text(self, text: str) -> list[str] | None:
        """The matched words, or None when the text conditions do not hold."""
        found: list[tuple[int, int]] = []
        if self.any or self.regex:
            found = self._hits(text)
            if not found:
                return None
        if self.all:
            # one regex search per group first: most texts hold no word of some group (cheap reject)
            if any(not m.search(text) for m in self._all):
                return None
            groups = [self._keep(text, m.occurrences(text)) for m in self._all]
            if any(not g for g in groups):
                return None
            if self.window is not None:
                anchor = [s for s in groups[0] if all(_near(s, g, self.window) for g in groups[1:])]
                if not anchor:
                    return None
                groups = [anchor] + [[s for s in g if any(_near(a, [s], self.window) for a in anchor)]
                                     for g in groups[1:]]
            found += [g[0] for g in groups]
        return list(dict.fromkeys(text[s:e] for s, e in sorted(found)))

    def fires(self, t: Tagged, texts: Mapping[str, str]) -> list[str] | None:
        """Matched words (possibly empty) when the rule fires on ``t``, else None."""
        if not self.enabled:
            return None
        if self.unless and any(u in texts[self.text] for u in self.unless):
            return None
        if self.context and not any(c in texts[self.text] for c in self.context):
            return None
        words: list[str] = []
        if self.any or self.regex or self.all:
            got = self.match_text(texts[self.text])
            if got is None:
                return None
            words = got
        if self.churn_level and not (t.churn and t.churn.level in self.churn_level):
            return None
        if self.sentiment_below is not None and not (t.sentiment and t.sentiment.score < self.sentiment_below):
            return None
        if self.sentiment_label and not (t.sentiment and t.sentiment.label in self.sentiment_label):
            return None
        if self.root_cause and not (t.root_cause and t.root_cause.label in self.root_cause):
            return None
        if self.tier:
            value = tier(t.contact.metadata)
            if value is None or not any(x.lower() in value.lower() for x in self.tier):
                return None
            words.append(f"客户等级 {value}")
        if self.min_repeat is not None:
            n = repeat_count(t.contact.metadata)
            if n < self.min_repeat:
                return None
            words.append(f"此前已联络 {n} 次")
        return words


class _Words:
    """Which of ``words`` occur in a text, in one scan: the longest word at every position
    (``CueMatcher(overlapping=True)``) and the words that are its prefixes (also there)."""

    def __init__(self, words: Sequence[str]):
        words = sorted(set(words))
        self._m = CueMatcher((("", w, 1.0) for w in words), overlapping=True) if words else None
        self._prefixes = {w: frozenset(p for p in words if w.startswith(p)) for w in words}

    def found(self, text: str) -> set[str]:
        out: set[str] = set()
        if self._m is not None:
            for h in self._m.find(text):
                out |= self._prefixes[h.term]
        return out


def _near(span: tuple[int, int], others: Sequence[tuple[int, int]], window: int) -> bool:
    s, e = span
    return any(max(s, s2) - min(e, e2) <= window for s2, e2 in others)


# -- the rules file ----------------------------------------------------------------------------
@dataclass
class RuleSet:
    rules: list[Rule]
    owners: dict[str, str | None]  # root cause -> owner (taxonomy defaults + the file's [owners])
    source: str = ""
    owners_set: dict[str, str | None] = field(default_factory=dict)  # only those the file sets
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def uses(self) -> set[str]:
        out: set[str] = set()
        for r in self.rules:
            if r.enabled:
                out |= r.uses
        return out


def default_rules_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "escalation_rules.toml"


def parse_rules(source: str, name: str = "<rules>") -> RuleSet:
    """Parse a rules file's text; ``ConfigError`` naming the file and line when it is bad."""
    data = load_toml(source, name)
    allowed_top = {"rule", "owners", "settings", "version"}
    for k in data:
        if k not in allowed_top:
            n = first_line(source, k)
            raise ConfigError(f"{name}:{n}: unknown section {k!r}; use [[rule]], [owners] or [settings].")
    owners_set: dict[str, str | None] = {}
    for k, v in (data.get("owners") or {}).items():
        n = next((i for i, line in enumerate(source.splitlines(), 1) if re.match(rf"\s*{re.escape(k)}\s*=", line)), 1)
        if k not in ROOT_CAUSES:
            raise ConfigError(f"{name}:{n}: [owners] key {k!r} is not a root cause; use {', '.join(ROOT_CAUSES)}.")
        if not isinstance(v, str):
            raise ConfigError(f"{name}:{n}: owner of {k!r} must be a string; fix that line.")
        owners_set[k] = v or None
    settings = data.get("settings") or {}
    for k, v in settings.items():
        n = next((i for i, line in enumerate(source.splitlines(), 1) if re.match(rf"\s*{re.escape(k)}\s*=", line)), 1)
        if k != "defaults":
            raise ConfigError(f"{name}:{n}: unknown setting {k!r}; [settings] knows only 'defaults'.")
        if not isinstance(v, bool):
            raise ConfigError(f"{name}:{n}: [settings] defaults must be true or false; fix that line.")
    rules = parse_array(data, source, name, _make_rule)
    return RuleSet(rules, {**OWNERS, **owners_set}, name, owners_set, dict(settings))


def _make_rule(raw: dict[str, Any], name: str, line: int, source: str) -> Rule:
    def err(key: str | None, msg: str) -> ConfigError:
        n = key_line(source, line, key) if key else line
        return ConfigError(f"{name}:{n}: {msg}")

    check_types(raw, _RULE_KEYS, err, "rule", "docs/rules.md")
    if not raw.get("id"):
        raise err(None, "this rule has no id; give it one, e.g. id = \"regulator\".")
    rid = raw["id"]

    def strings(key: str) -> tuple[str, ...]:
        vals = raw.get(key) or []
        if not all(isinstance(x, str) and x for x in vals):
            raise err(key, f"{key!r} of rule {rid!r} must be a list of non-empty strings; fix that line.")
        return tuple(vals)

    level = raw.get("level", "normal")
    if level not in ("normal", "urgent"):
        raise err("level", f"level of rule {rid!r} must be \"normal\" or \"urgent\"; fix that line.")
    text = raw.get("text", "customer")
    if text not in TEXT_SCOPES:
        raise err("text", f"text of rule {rid!r} must be \"customer\" or \"all\"; fix that line.")
    patterns = []
    for p in strings("regex"):
        try:
            patterns.append(compile_user(p, scanning=True))
        except re.error as e:
            raise err("regex", f"regex {p!r} of rule {rid!r} is not a valid regular expression ({e}); fix it.") from None
        except ValueError as e:  # catastrophic backtracking (voc.lang.patterns)
            raise err("regex", f"regex {p!r} of rule {rid!r} is refused: {e}.") from None
    groups = []
    for g in raw.get("all") or []:
        if not isinstance(g, list) or not g or not all(isinstance(x, str) and x for x in g):
            raise err("all", f"'all' of rule {rid!r} must be a list of lists of words, e.g. [[\"家人\"], [\"骚扰\"]].")
        groups.append(tuple(g))
    churn = strings("churn_level")
    if any(c not in CHURN_LEVELS for c in churn):
        raise err("churn_level", f"churn_level of rule {rid!r} must use {', '.join(CHURN_LEVELS)}; fix that line.")
    labels = strings("sentiment_label")
    if any(c not in ("negative", "neutral", "positive") for c in labels):
        raise err("sentiment_label", f"sentiment_label of rule {rid!r} must use negative, neutral, positive.")
    causes = strings("root_cause")
    if any(c not in ROOT_CAUSES for c in causes):
        raise err("root_cause", f"root_cause of rule {rid!r} must use {', '.join(ROOT_CAUSES)}; fix that line.")
    below = raw.get("sentiment_below")
    if below is not None and not 0 <= below <= 1:
        raise err("sentiment_below", f"sentiment_below of rule {rid!r} must be between 0 and 1.")
    any_words = strings("any")
    rule = Rule(
        id=rid, level=level, description=raw.get("description", ""), reason=raw.get("reason", ""),
        owner=raw.get("owner") or None, text=text, any=any_words, regex=tuple(patterns), all=tuple(groups),
        window=raw.get("window"), unless=strings("unless"), unless_near=strings("unless_near"),
        context=strings("context"),
        negation=raw.get("negation", True), churn_level=churn, sentiment_below=below, sentiment_label=labels,
        root_cause=causes, tier=strings("tier"), min_repeat=raw.get("min_repeat"),
        enabled=raw.get("enabled", True), line=line,
        _any=CueMatcher.of(dict.fromkeys(any_words, 1.0)) if any_words else None,
        _all=tuple(CueMatcher((("", w, 1.0) for w in g)) for g in groups))
    has_condition = any(getattr(rule, k) for k in ("any", "regex", "all", "churn_level", "sentiment_label",
                                                   "root_cause", "tier")) \
        or rule.sentiment_below is not None or rule.min_repeat is not None
    if rule.enabled and not has_condition:
        raise err(None, f"rule {rid!r} has no condition (any, regex, all, churn_level, tier ...); it would "
                        f"escalate everything: add one or set enabled = false.")
    return rule


def read_rules(path: str | Path) -> RuleSet:
    source = read_source(path, "rules file")
    return parse_rules(source, str(path))


def load_rules(user: str | Path | None = None, defaults: str | Path | None = None) -> RuleSet:
    """The shipped default rules, overridden and extended by a user file.

    A user rule with the id of a default rule replaces it (``enabled = false`` switches it
    off); other user rules are added after the defaults; ``[owners]`` entries override the
    taxonomy owners; ``[settings] defaults = false`` drops every default rule.
    """
    base = read_rules(defaults or default_rules_path())
    if user is None:
        return base
    mine = read_rules(user)
    if mine.settings.get("defaults", True):
        by_id = {r.id: r for r in mine.rules}
        rules = [by_id.pop(r.id, r) for r in base.rules] + [r for r in mine.rules if r.id in by_id]
    else:
        rules = list(mine.rules)
    owners = {**base.owners, **mine.owners_set}
    return RuleSet(rules, owners, f"{base.source} + {user}", {**base.owners_set, **mine.owners_set},
                   mine.settings)


# -- the stage ---------------------------------------------------------------------------------
class Escalation:
    """The escalation stage: declarative rules (``voc/data/escalation_rules.toml`` and an
    optional user file) decide ``escalate``, ``level``, ``reasons`` and ``owner``."""

    name = "escalation"
    assigns = ("escalation",)

    def __init__(self, rules: str | Path | None = None, ruleset: RuleSet | None = None):
        self.rules_file = str(rules) if rules else None
        self.ruleset = ruleset or load_rules(rules)
        self.requires = tuple(["turns", "text", "root_cause", "metadata", *sorted(self.ruleset.uses - {"root_cause"})])
        self.version = "rules-3" if rules is None else "rules-3+user"
        # Speed: most contacts hold the words of few rules. One scan finds every rule word the
        # text holds (``_Words``); a text rule none of whose words (or regexes) occur, or one of
        # whose 'all' groups is absent, cannot fire and is skipped instead of scanned.
        self._words = _Words([w for r in self.ruleset.rules if r.enabled
                              for w in (*r.any, *(w for g in r.all for w in g))])
        self._use_all = any(r.enabled and r.text == "all" for r in self.ruleset.rules)

    def _may_fire(self, rule: Rule, found: frozenset[str] | set[str], text: str) -> bool:
        """False when ``rule``'s text conditions cannot hold on ``text`` holding the rule words ``found``."""
        if (rule.any or rule.regex) and found.isdisjoint(rule.any) and not any(p.search(text) for p in rule.regex):
            return False
        return not rule.all or all(not found.isdisjoint(g) for g in rule.all)

    def decide(self, t: Tagged) -> EscalationRecord:
        texts = {"customer": t.text or ""}
        if self._use_all:
            texts["all"] = "。".join(x.text for x in (t.turns or ()) if x.text and x.speaker != "system") or texts["customer"]
        found = {k: self._words.found(v) for k, v in texts.items()}
        fired: list[tuple[Rule, list[str]]] = []
        for rule in self.ruleset.rules:
            if not rule.enabled or not self._may_fire(rule, found[rule.text], texts[rule.text]):
                continue  # rule.fires would say None
            words = rule.fires(t, texts)
            if words is not None:
                fired.append((rule, words))
        owner = owner_of(t.root_cause.label if t.root_cause is not None else None,
                         next((r.owner for r, _ in fired if r.owner), None), self.ruleset.owners)
        if not fired:
            return EscalationRecord(False, "none", (), owner)
        level = max((r.level for r, _ in fired), key=LEVELS.index)
        reasons = tuple(f"{r.reason or r.id}: {'、'.join(w)}" if w else (r.reason or r.id) for r, w in fired)
        return EscalationRecord(True, level, reasons, owner)

    def __call__(self, batch: list[Tagged]) -> list[Tagged]:
        return [evolve(t, escalation=self.decide(t)) for t in batch]
