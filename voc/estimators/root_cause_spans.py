"""Evidence spans: the clause of the customer text around a feature's surface string, at most
``span_chars`` long, cut at clause boundaries, never overlapping another span."""
from __future__ import annotations

# characters that end a clause
DELIMS = frozenset("，。！？；,.!?;…~～、\n\r\t ：:（）()【】[]<>《》\"'“”‘’|/")


def add_span(text: str, surface: str, spans: list[tuple[int, int]], max_spans: int, span_chars: int) -> None:
    """Add the clause around the first occurrence of ``surface`` unless it overlaps one."""
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
