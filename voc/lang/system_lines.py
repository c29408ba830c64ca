"""System lines (taxonomy section 10): what an export system, a queue or a bot writes into a
conversation (咨询订单号:..., "顾客通过...进入", transfer and queue notices, auto-replies,
masked placeholders such as [订单x]). They are not the customer's words and justify no label.

The patterns live in corpus/lexicons/system_lines.tsv (``kind<TAB>pattern<TAB>comment``; kinds
``prefix``, ``line``, ``fragment``, described in the file) and in any user file in the same
format (setting ``system_lines``, ``voc tag --system-lines FILE``)::

    lines = SystemLines.from_files("my_lines.tsv")    # shipped patterns + the user's
    lines.is_line("顾客通过商品详情页进入")             # True: the whole turn is a system line
    lines.strip("咨询订单号:[订单x] 我的快递呢")        # "我的快递呢"

The normalise stage (``voc.stages.text.Normalise``) uses it; templates (lines that repeat
verbatim across many contacts of one input) are found by ``voc.stages.templates``.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import ConfigError
from .cues import tsv_rows
from .patterns import compile_scanning, compile_user

KINDS = ("prefix", "line", "fragment", "marker")
SYSTEM = "system"
_SUBSTANTIVE = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]")
_SPACES = re.compile(r"[ \t\u3000]{2,}")


# The customer speaking in the first person, or to the company as 你们: words an export system,
# queue or bot never writes around its notices (they say 您; a bot's 我是/我们/我司/我行 are
# excluded, and so is a turn that serves the reader: 为您, 给您, 帮您 are the service's words).
_VOICE = re.compile(r"我(?![们司行是])|你们|俺|咱(?!们)")
_SERVICE = re.compile(r"[为给帮]您")


def _own_voice(rest: str) -> bool:
    """Whether ``rest`` (a turn outside its system-line match) holds the customer's own words."""
    return _VOICE.search(rest) is not None and _SERVICE.search(rest) is None


def substantive(text: str) -> bool:
    """Whether ``text`` holds a letter, a digit or a Chinese character."""
    return _SUBSTANTIVE.search(text) is not None


class SystemLines:
    """A matcher of system lines built from ``prefix`` literals, ``line`` and ``fragment``
    regular expressions (see the module docstring)."""

    def __init__(self, prefixes: Iterable[str] = (), lines: Iterable[str] = (), fragments: Iterable[str] = (),
                 markers: Iterable[str] = ()):
        self.prefixes = tuple(dict.fromkeys(p.strip() for p in prefixes if p.strip()))
        self.lines = tuple(dict.fromkeys(lines))
        self.fragments = tuple(dict.fromkeys(fragments))
        self.markers = tuple(dict.fromkeys(markers))
        self._marker = _compile(self.markers)
        # Speed: the anchored patterns (^...) and the others as two regexes, not one: mixed in
        # one alternation they are all tried at every position (~2x slower); a search of the
        # union matches when a search of either part does.
        # Speed: the markers are searched with the line patterns (a turn no pattern matches, the
        # usual case, costs the same two searches as before markers existed); the markers alone are
        # searched again only for a customer turn whose own voice would otherwise keep it
        both = (*self.lines, *self.markers)
        self._line = tuple(x for x in (_compile([p for p in both if p.startswith("^")]),
                                       _compile([p for p in both if not p.startswith("^")])) if x is not None)
        self._fragment = _compile(self.fragments)

    # -- matching ------------------------------------------------------------------------
    def is_line(self, text: str, voice: bool = True) -> bool:
        """True when the (normalised) turn ``text`` is a system line as a whole: it starts
        with a prefix or a ``line`` pattern matches it, and the rest of the turn is not in the
        customer's own voice (``_own_voice``: 我, 你们, 俺), or nothing substantive is left once
        its fragments are removed. A customer who quotes a notice keeps the turn:
        "刚才机器人说您前面还有15位，我等了四十分钟" and "系统提示：支付失败。我用的信用卡，怎么回事？"
        are the customer's words, not a queue or system notice."""
        s = text.strip()
        if not s:
            return False
        if self.is_notice(s, voice):
            return True
        if self._fragment is not None and self._fragment.search(s):
            return not substantive(self._fragment.sub("", s))
        return False

    def is_notice(self, text: str, voice: bool = True) -> bool:
        """True when a ``marker`` matches ``text``, or it starts with a prefix or a ``line``
        pattern matches it and (with ``voice``: a customer's turn) the rest of it is not in the
        customer's own voice (``is_line`` without the fragments test)."""
        s = text.strip()
        rest = None  # the turn outside what matched
        if self.prefixes and s.startswith(self.prefixes):
            rest = s[max(len(p) for p in self.prefixes if s.startswith(p)):]
        else:
            m = next((m for m in (p.search(s) for p in self._line) if m is not None), None)
            if m is not None:
                rest = s[:m.start()] + "\n" + s[m.end():]
        if rest is None:
            return False
        return not (voice and _own_voice(rest)) or (self._marker is not None and self._marker.search(s) is not None)

    def strip(self, text: str) -> str:
        """``text`` with every system fragment removed (spaces left behind are collapsed)."""
        if self._fragment is None or not text:
            return text
        out = self._fragment.sub(" ", text)
        return _SPACES.sub(" ", out).strip() if out != text else text

    def split(self, text: str) -> tuple[bool, str]:
        """(is the turn a system line, the turn with its fragments removed)."""
        if self.is_line(text, voice=False):
            return True, text
        return False, self.strip(text)

    def __bool__(self) -> bool:
        return bool(self.prefixes or self.lines or self.fragments or self.markers)

    def __add__(self, other: "SystemLines") -> "SystemLines":
        return SystemLines(self.prefixes + other.prefixes, self.lines + other.lines, self.fragments + other.fragments,
                           self.markers + other.markers)

    # -- files ---------------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: str | Path) -> "SystemLines":
        """Patterns of one ``kind<TAB>pattern[<TAB>comment]`` file; ``ConfigError`` naming a
        bad line (unknown kind, empty or invalid regular expression)."""
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"system-lines file {path} does not exist; give a kind<TAB>pattern<TAB>comment file.")
        found: dict[str, list[str]] = {k: [] for k in KINDS}
        for n, parts in tsv_rows(path):
            kind = parts[0].strip()
            pattern = parts[1] if len(parts) > 1 else ""
            if kind not in KINDS or not pattern.strip():
                raise ConfigError(f"{path}:{n}: expected kind<TAB>pattern<TAB>comment with kind one of "
                                  f"{', '.join(KINDS)}; fix that line.")
            if kind != "prefix":
                try:
                    compile_user(pattern, re.IGNORECASE)
                except re.error as e:
                    raise ConfigError(f"{path}:{n}: {pattern!r} is not a valid regular expression ({e}); "
                                      "fix that line.") from None
                except ValueError as e:  # catastrophic backtracking (voc.lang.patterns)
                    raise ConfigError(f"{path}:{n}: {pattern!r} is refused: {e}.") from None
            found[kind].append(pattern)
        return cls(found["prefix"], found["line"], found["fragment"], found["marker"])

    @classmethod
    def from_files(cls, *extra: str | Path | None) -> "SystemLines":
        """The shipped patterns plus those of each user file in ``extra`` (None skipped)."""
        out = shipped()
        for path in extra:
            if path:
                out = out + cls.from_file(path)
        return out


def _compile(patterns: Sequence[str]) -> re.Pattern | None:
    if not patterns:
        return None
    return compile_scanning("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@lru_cache(maxsize=1)
def shipped() -> SystemLines:
    """The shipped patterns (corpus/lexicons/system_lines.tsv), loaded once."""
    from ..resources import corpus_path

    return SystemLines.from_file(corpus_path("lexicons", "system_lines.tsv"))


@lru_cache(maxsize=8)
def system_lines(extra: str | None = None) -> SystemLines:
    """The shipped patterns plus a user file (cached per path)."""
    return SystemLines.from_files(extra)
