"""voc.records: the fast copy of a Tagged (evolve) behaves like dataclasses.replace."""
from __future__ import annotations

import dataclasses

import pytest

from voc.records import Contact, Sentiment, Tagged, Turn, evolve


def test_evolve_equals_dataclasses_replace():
    t = Tagged(Contact("1", (Turn("customer", "快递还没到"),)), text="快递还没到", status="ok")
    fields = [f.name for f in dataclasses.fields(Tagged)]
    assert len(fields) == 19  # qa and agent_conduct (voc tag --qa) included
    changes = dict(tokens=("快递", "没到"), sentiment=Sentiment(0.2, "negative"), status="error: x: y",
                   topics=((1, 0.5),), model_version="v")
    for name, value in changes.items():
        a, b = evolve(t, **{name: value}), dataclasses.replace(t, **{name: value})
        assert a == b and type(a) is Tagged
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
    assert evolve(t, **changes) == dataclasses.replace(t, **changes)
    assert evolve(t) == t and evolve(t) is not t
    assert type(evolve(t, status="x")) is Tagged  # the draft became a Tagged
    assert t.tokens is None  # the original is unchanged


def test_evolve_rejects_unknown_fields_and_keeps_frozen():
    t = Tagged(Contact("1", ()))
    with pytest.raises(TypeError):
        evolve(t, colour="red")
    with pytest.raises(dataclasses.FrozenInstanceError):
        evolve(t, text="x").text = "y"
