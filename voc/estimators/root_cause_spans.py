"""Evidence spans: the clause of the customer text around a feature's surface string, at most
``span_chars`` long (a little more when a word would be cut), cut at clause boundaries, never
overlapping another span. A span starts and ends on a word boundary: where the clause is cut
short inside a run of text, the cut moves out to the nearest boundary of the segmenter's
words (``voc.text.segment``, the tokens of the segment stage), so no span splits a word."""
from __future__ import annotations

# characters that end a clause
DELIMS = frozenset("，。！？；,.!?;…~～、\n\r\t ：:（）()【】[]<>《》\"'“”‘’|/")
WINDOW = 40  # characters of context either side segmented to find word boundaries


def add_span(text: str, surface: str, spans: list[tuple[int, int]], max_spans: int, span_chars: int,
             memo: dict[tuple[int, int], tuple[int, int]] | None = None) -> None:
    """Add the clause around the first occurrence of ``surface`` unless it overlaps one.
    ``memo``: a dict kept by the caller for one ``text`` (clause -> its span on word bounds),
    so that several features in one clause segment it once."""
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
    if memo is None:
        a, b = on_word_bounds(text, a, b)
    else:
        got = memo.get((a, b))
        if got is None:
            got = memo[a, b] = on_word_bounds(text, a, b)
        a, b = got
    if not any(a < y and b > x for x, y in spans):
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


def on_word_bounds(text: str, a: int, b: int) -> tuple[int, int]:
    """[a, b) widened to the nearest word boundaries: a clause delimiter or the text's ends,
    else a boundary between two of the segmenter's words."""
    left_ok = a == 0 or text[a - 1] in DELIMS or text[a] in DELIMS
    right_ok = b == len(text) or text[b] in DELIMS or text[b - 1] in DELIMS
    if left_ok and right_ok:
        return a, b
    lo = a
    while lo > 0 and a - lo < WINDOW and text[lo - 1] not in DELIMS:
        lo -= 1
    hi = b
    while hi < len(text) and hi - b < WINDOW and text[hi] not in DELIMS:
        hi += 1
    bounds = word_bounds(text[lo:hi])
    if not left_ok:
        a = lo + max(x for x in bounds if x <= a - lo)
    if not right_ok:
        b = lo + min(x for x in bounds if x >= b - lo)
    return a, b


def word_bounds(run: str) -> list[int]:
    """Offsets in ``run`` where one of the segmenter's words starts or ends (0 and len(run) too)."""
    from ..text.segment import default_segmenter

    out, pos = [0], 0
    for w in default_segmenter().cut_raw(run):
        pos += len(w)
        out.append(pos)
    return out
