"""The cue matcher's trie regex finds exactly what the alternation of the cues, longest
first, finds."""
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from voc.lang.cues import Cue, CueMatcher

WORDS = st.lists(st.text(alphabet="退网换号不了a.*", min_size=1, max_size=5), min_size=1, max_size=12, unique=True)
TEXTS = st.text(alphabet="退网换号不了a.*，我", max_size=40)


def _flat(words, overlapping):
    alt = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(f"(?=({alt}))" if overlapping else f"({alt})")


@settings(max_examples=500, deadline=None)
@given(WORDS, TEXTS, st.booleans())
def test_trie_matches_the_flat_alternation(words, text, overlapping):
    m = CueMatcher([Cue("x", w, 1.0) for w in words], overlapping)
    want = [(h.start(), h.group(1)) for h in _flat(words, overlapping).finditer(text)]
    assert [(h.start, h.term) for h in m.find(text)] == want
    assert m.search(text) == bool(want)


def test_long_and_nested_cues():
    long = "退" * 300
    m = CueMatcher([Cue("x", w, 1.0) for w in ("退网", "退网了", "退", long, "换号")])
    assert [h.term for h in m.find("我要退网了，换号" + long + "退")] == ["退网了", "换号", long, "退"]
