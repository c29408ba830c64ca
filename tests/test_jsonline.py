"""voc.io.jsonline: the output lines are the bytes of json.dumps(ensure_ascii=False, compact),
with orjson or without it."""
import json
import math
import random
import struct
from datetime import datetime
from uuid import UUID

import pytest

from voc.io import jsonline


def ref(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def random_floats(n, seed=0):
    rng = random.Random(seed)
    out = [0.0, -0.0, 1.0, 100.0, 1e15, 1e16, 9999999999999998.0, 1e-4, 9.9e-5, 1e-5, 0.1, 1 / 3,
           float("nan"), float("inf"), -float("inf"), 5e-324, 1.7976931348623157e308]
    for _ in range(n):
        e = rng.uniform(-6, 18)
        out.append(round(rng.random() * 10 ** e, rng.randint(0, 8)) * rng.choice((1, -1)))
        out.append(struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0])
    return out


def test_floats_ints_and_strings_as_json_writes_them():
    floats = random_floats(20_000)
    for x in floats:
        if math.isfinite(x):
            assert jsonline.dumps({"x": x}) == ref({"x": x}), x
        else:
            assert jsonline.dumps({"x": x}) == ref({"x": x}) == '{"x":' + repr(x).replace("inf", "Infinity").replace(
                "nan", "NaN") + "}"
    rng = random.Random(1)
    for _ in range(2_000):
        i = rng.getrandbits(70) - 2 ** 69
        assert jsonline.dumps([i, 2 ** 63 - 1, -2 ** 63, 2 ** 64 - 1, 2 ** 64]) == ref([i, 2 ** 63 - 1, -2 ** 63,
                                                                                       2 ** 64 - 1, 2 ** 64])
    text = "".join(chr(c) for c in range(0x3000)) + "中文😀\U0010ffff\u2028\u2029"
    assert jsonline.dumps({text: [text, (text,)]}) == ref({text: [text, (text,)]})


def test_whatever_json_does_with_other_values():
    assert jsonline.dumps({"a": "\ud800"}) == ref({"a": "\ud800"})  # a lone surrogate (orjson refuses)
    assert jsonline.dumps({1: 2, None: True}) == ref({1: 2, None: True})  # keys json turns into strings
    for big in (2 ** 64, -2 ** 63 - 1, 10 ** 30):  # beyond orjson's integers, in a dict and in a list
        assert jsonline.dumps({"n": big, "l": [big]}) == ref({"n": big, "l": [big]})
        assert jsonline.dumps({"n": {"m": big}}) == ref({"n": {"m": big}})

    class Name(str):
        pass

    class Score(float):
        pass

    assert jsonline.dumps({"n": Name("x"), "s": Score(1e-7)}) == ref({"n": Name("x"), "s": Score(1e-7)})
    for bad in (datetime(2026, 1, 1), UUID(int=1), b"x"):  # json refuses them; orjson would write them
        with pytest.raises(TypeError):
            jsonline.dumps({"v": bad})
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError):
        jsonline.dumps({"v": loop})


def test_records_and_fallback(monkeypatch):
    records = [{"id": str(i), "scores": {"a": round(x, 4), "b": x}, "topics": [[i, x]], "metadata": {"k": [x, None]}}
               for i, x in enumerate(random_floats(500, seed=2))]
    expected = "".join(ref(r) + "\n" for r in records)
    assert jsonline.jsonl_text(records) == expected
    monkeypatch.setattr(jsonline, "orjson", None)  # orjson not installed: the json module alone
    assert jsonline.jsonl_text(records) == expected
