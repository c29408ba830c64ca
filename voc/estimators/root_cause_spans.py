"""Evidence spans: the clause of the customer text around a feature's surface string, at most
``span_chars`` long (a little more when a word would be cut), cut at clause boundaries, never
overlapping another span. A span starts and ends on a word boundary of the segmentation of the
whole customer text (``voc.text.segment``, the segmenter of the segment stage, ``cut_raw``):
where the clause ends inside a word (a cut short inside a run of text, or a delimiter inside a
token such as the "." of "3.15"), the cut moves out to the nearest word boundary, so no span
splits a word as the whole text is segmented. Cheaply: jieba cuts each block (a maximal run of
Chinese, Latin and digit characters, ``voc.text.segment.BLOCK_CHARS``) on its own and every other
character is a token by itself, so a cut outside a block is already on a boundary and a cut
inside one segments that block alone, once per text (``SpanMemo``)."""
from __future__ import annotations

import re
from bisect import bisect_left
from typing import Callable

from ..text.segment import BLOCK_CHARS

_BLOCK_CHAR = re.compile(f"[{BLOCK_CHARS}]")
_BLOCK_RUN = re.compile(f"[{BLOCK_CHARS}]*")

# characters that end a clause
DELIMS = frozenset("，。！？；,.!?;…~～、\n\r\t ：:（）()【】[]<>《》\"'“”‘’|/")


class SpanMemo:
    """What the spans of one text share: the word bounds of each block segmented so far and
    each clause's span on word bounds (several features in one clause)."""

    __slots__ = ("blocks", "clauses")

    def __init__(self) -> None:
        self.blocks: dict[int, list[int]] = {}  # block start -> its word bounds (text offsets)
        self.clauses: dict[tuple[int, int], tuple[int, int]] = {}


def add_span(text: str, surface: str, spans: list[tuple[int, int]], max_spans: int, span_chars: int,
             memo: SpanMemo | None = None, reject: Callable[[str], bool] | None = None) -> None:
    """Add the clause around the first occurrence of ``surface`` unless it overlaps one or
    ``reject`` refuses its text (a polite formula such as "好的" is no evidence).
    ``memo``: a ``SpanMemo`` kept by the caller for one ``text``."""
    if len(spans) >= max_spans:
        return
    s = surface.strip()
    if not s or all(ch in DELIMS for ch in s):
        return
    pos = text.find(s)
    if pos < 0:
        low = text.lower()
        pos = low.find(s) if len(low) == len(text) else -1
        if pos < 0:
            return
    a, b = clause(text, pos, pos + len(s), span_chars)
    if any(a < y and b > x for x, y in spans):  # word bounds only widen it: it would overlap too
        return
    memo = memo or SpanMemo()
    got = memo.clauses.get((a, b))
    if got is None:
        got = memo.clauses[a, b] = on_word_bounds(text, a, b, memo)
    a, b = got
    if not any(a < y and b > x for x, y in spans) and not (reject is not None and reject(text[a:b])):
        spans.append((a, b))


def clause(text: str, start: int, end: int, max_chars: int) -> tuple[int, int]:
    """Grow [start, end) to the surrounding clause, at most ``max_chars`` long."""
    room = max(0, max_chars - (end - start))
    left_room, right_room = room // 2, room - room // 2
    a = start
    while a > 0 and start - a < left_room and text[a - 1] not in DELIMS:
        a -= 1
    b = end
    while b < len(text) and b - end < right_room + (left_room - (start - a)) and text[b] not in DELIMS:
        b += 1
    # give unused room on the right back to the left
    while a > 0 and (b - a) < max_chars and text[a - 1] not in DELIMS:
        a -= 1
    return a, b


def on_word_bounds(text: str, a: int, b: int, memo: SpanMemo | None = None) -> tuple[int, int]:
    """[a, b) widened to the nearest word boundaries of the whole ``text``'s segmentation."""
    memo = memo or SpanMemo()
    return _bound(text, a, memo, True), _bound(text, b, memo, False)


def _bound(text: str, p: int, memo: SpanMemo, left: bool) -> int:
    """``p`` when a word of ``text`` starts or ends there, else the nearest such offset before
    (``left``) or after it."""
    if p <= 0 or p >= len(text):
        return p
    if text[p - 1] == "\r" and text[p] == "\n":  # one token
        return p - 1 if left else p + 1
    if not (_BLOCK_CHAR.match(text, p - 1) and _BLOCK_CHAR.match(text, p)):
        return p  # a block ends or starts here, or a token of its own does
    start = p - 1
    while start > 0 and _BLOCK_CHAR.match(text, start - 1):
        start -= 1
    bounds = memo.blocks.get(start)
    if bounds is None:
        end = _BLOCK_RUN.match(text, p).end()
        bounds = memo.blocks[start] = [start + x for x in word_bounds(text[start:end])]
    i = bisect_left(bounds, p)
    return p if bounds[i] == p else bounds[i - 1] if left else bounds[i]


def word_bounds(run: str) -> list[int]:
    """Offsets in ``run`` where one of the segmenter's words starts or ends (0 and len(run) too)."""
    from ..text.segment import default_segmenter

    out, pos = [0], 0
    for w in default_segmenter().cut_raw(run):
        pos += len(w)
        out.append(pos)
    if out[-1] < len(run):  # (the tokens cover the text; never past its end)
        out.append(len(run))
    return out
