"""Pipeline: construction checks, failure isolation, order across workers, output contract."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

import voc
from voc import ConfigError, Contact, Turn
from voc.pipeline import Pipeline
from voc.records import OUTPUT_FIELDS, normalise_speaker
from voc.stages.text import Normalise


class Upper:
    name = "upper"
    requires = ("text",)
    assigns = ("text",)

    def __call__(self, batch):
        return [replace(t, text=t.text.upper()) for t in batch]


class Boom:
    name = "boom"
    requires = ("text",)
    assigns = ("topic_label",)

    def __call__(self, batch):
        if any("炸" in t.text for t in batch):
            raise ValueError("cannot handle 炸")
        return [replace(t, topic_label="ok") for t in batch]


def test_requires_checked_at_construction():
    with pytest.raises(ConfigError, match="needs \\['text'\\]"):
        Pipeline([Upper(), Normalise()])
    with pytest.raises(ConfigError, match="unique"):
        Pipeline([Normalise(), Normalise()])
    bad = Upper()
    bad.assigns = ("nonsense",)
    with pytest.raises(ConfigError, match="unknown fields"):
        Pipeline([Normalise(), bad])
    assert Pipeline([Normalise(), Upper()]).stage_names == ["normalise", "upper"]


def test_failing_contact_is_isolated():
    p = Pipeline([Normalise(), Boom()])
    out = p.tag_batch([Contact.from_text("好", id="1"), Contact.from_text("炸了", id="2"), Contact.from_text("行", id="3")])
    assert [t.status for t in out] == ["ok", "error: boom: ValueError: cannot handle 炸", "ok"]
    assert [t.topic_label for t in out] == ["ok", None, "ok"]
    err = out[1].error
    assert isinstance(err, voc.StageError) and (err.stage, err.reason, err.contact_id) == (
        "boom", "ValueError: cannot handle 炸", "2")
    assert out[0].error is None and out[2].error is None


class Drop:
    """Breaks the contract: returns one record too few."""

    name = "drop"
    requires = ("text",)
    assigns = ("topic_label",)

    def __call__(self, batch):
        return [replace(t, topic_label="x") for t in batch][:-1]


class Sneaky:
    """Breaks the contract: changes a field it does not assign."""

    name = "sneaky"
    requires = ("text",)
    assigns = ("topic_label",)

    def __call__(self, batch):
        return [replace(t, text=t.text + "!", topic_label="x") for t in batch]


def test_stage_contract_is_enforced():
    contacts = [Contact.from_text("好", id="1"), Contact.from_text("行", id="2")]
    with pytest.raises(voc.StageError, match="drop: returned 1 records for 2 contacts") as e:
        Pipeline([Normalise(), Drop()]).tag_batch(contacts)
    assert e.value.stage == "drop" and e.value.exit_code == 6
    with pytest.raises(voc.StageError, match="sneaky: changed text of contact 1 without assigning it"):
        Pipeline([Normalise(), Sneaky()]).tag_batch(contacts)


def test_input_fields_are_declared():
    """Stages that rewrite the contact or read its metadata say so; the built-in ones do."""
    from voc import registry

    assert "contact" in registry.get("redact").assigns
    assert "metadata" in registry.get("churn").requires
    rewrite = Upper()
    rewrite.name, rewrite.requires, rewrite.assigns = "rewrite", ("contact",), ("contact",)
    assert Pipeline([rewrite]).stage_names == ["rewrite"]  # input fields need no earlier stage


def test_settings_are_validated():
    with pytest.raises(ConfigError, match="unknown setting 'segmentr'.*did you mean 'segmenter'.*valid settings are"):
        voc.load(segmentr="jieba")
    with pytest.raises(ConfigError, match="unknown segmenter"):
        voc.Settings(segmenter="thulac")
    s = voc.Settings(segmenter="jieba", disable=["topics"], pseudonymise_key="k")
    assert s.disable == ("topics",) and s.pseudonymise_key == b"k"
    assert voc.Settings.from_dict(s.to_dict()) == s
    with pytest.raises(ConfigError, match="cannot disable unknown stages"):
        voc.load(disable=("nonsense",))


def test_registry_builds_the_default_pipeline():
    from voc import registry

    assert registry.names()[:len(registry.DEFAULT_STAGES)] == list(registry.DEFAULT_STAGES)
    with pytest.raises(ConfigError, match="unknown stage 'nope'"):
        registry.get("nope")

    @registry.factory("shout", requires=("text",), assigns=("topic_label",))
    def shout(settings):
        s = Boom()
        s.name = "shout"
        return s

    stages = registry.build_stages(voc.Settings(), ["normalise", "shout"])
    assert [s.name for s in stages] == ["normalise", "shout"]

    @registry.factory("liar", requires=("text",), assigns=("topic_label",))
    def liar(settings):
        return Upper()  # named "upper", assigns text

    with pytest.raises(ConfigError, match="make them agree"):
        registry.build_stages(voc.Settings(), ["normalise", "liar"])


def test_speaker_normalisation():
    for raw, want in [("客户", "customer"), ("用户", "customer"), ("顾客", "customer"), ("User", "customer"),
                      ("client", "customer"), ("坐席", "agent"), ("客服", "agent"), ("helpdesk", "agent"),
                      ("staff", "agent"), ("人工", "agent"), ("机器人", "bot"), ("系统", "system"),
                      ("客服小王", "agent"), ("智能客服", "bot")]:
        assert normalise_speaker(raw) == want, raw
    with pytest.raises(ValueError):
        normalise_speaker("路人")


def test_records_are_frozen_and_picklable():
    import pickle  # only to check contacts can travel to worker processes

    c = Contact("1", (Turn("客户", "你好"),), metadata={"tier": "金卡"})
    assert c.turns[0].speaker == "customer"
    with pytest.raises(Exception):
        c.id = "2"
    with pytest.raises(TypeError):
        c.metadata["tier"] = "x"
    assert pickle.loads(pickle.dumps(c)) == c


@pytest.fixture(scope="module")
def nlp():
    return voc.load()


def test_output_contract(nlp):
    contact = Contact("c1", (Turn("客户", "你们客服态度太差了，电话13812345678，我要投诉到12315！"),
                             Turn("坐席", "非常抱歉给您带来不便"), Turn("客户", "我要销户")),
                      channel="phone", created_at="2026-09-01T10:00:00+08:00", customer_id="U1",
                      metadata={"tier": "金卡"})
    rec = nlp.tag(contact).to_record()
    assert tuple(rec) == OUTPUT_FIELDS
    required = ["id", "channel", "created_at", "text", "root_cause", "root_cause_scores", "root_cause_evidence",
                "sentiment", "sentiment_label", "churn_risk", "churn_level", "churn_reasons", "escalate",
                "escalation_reasons", "owner", "topics", "topic_label", "status", "model_version"]
    assert all(k in rec for k in required)
    assert rec["root_cause"] in ("agent", "product", "policy", "process", "other")
    assert set(rec["root_cause_scores"]) == {"agent", "product", "policy", "process", "other"}
    assert abs(sum(rec["root_cause_scores"].values()) - 1) < 0.01
    assert 0 <= rec["sentiment"] <= 1 and rec["sentiment_label"] in ("negative", "neutral", "positive")
    assert 0 <= rec["churn_risk"] <= 1 and rec["churn_level"] in ("low", "medium", "high")
    assert isinstance(rec["escalate"], bool) and rec["escalate"] is True
    assert rec["churn_level"] == "high"
    assert "13812345678" not in json.dumps(rec, ensure_ascii=False)
    assert "非常抱歉" not in rec["text"], "text is the customer side only"
    assert rec["status"] == "ok" and rec["model_version"].startswith("voc-")


def test_empty_text_is_tagged_with_status(nlp):
    rec = nlp.tag(Contact("e", (Turn("customer", " \u200b "),))).to_record()
    assert rec["status"].startswith("empty")
    assert rec["root_cause"] == "other"


def test_traditional_same_tags_as_simplified(nlp):
    a = nlp.tag("這個套餐的月租太貴了，客服態度也很差").to_record()
    b = nlp.tag("这个套餐的月租太贵了，客服态度也很差").to_record()
    for k in ("text", "root_cause", "root_cause_scores", "sentiment", "churn_risk", "escalate"):
        assert a[k] == b[k], k


@pytest.mark.parametrize("workers", [2, 3])
def test_order_and_output_identical_across_workers(nlp, workers):
    texts = ["信号差", "退款迟迟不到账", "客服态度很差", "谢谢你们", "利息太高了", "app闪退", "转来转去没人管"] * 20
    contacts = [Contact.from_text(t, id=str(i)) for i, t in enumerate(texts)]
    one = [t.to_record() for t in nlp.pipe(contacts, batch_size=16, workers=1)]
    many = [t.to_record() for t in nlp.pipe(contacts, batch_size=16, workers=workers)]
    assert [r["id"] for r in many] == [str(i) for i in range(len(texts))]
    assert one == many


def test_public_api_locked():
    assert voc.__all__ == [
        "__version__", "load", "read_contacts", "tag_files", "Pipeline", "Settings", "LocalEngine", "Contact",
        "Turn", "Tagged",
        "RowError", "RunSummary", "VocError", "InputError", "ConfigError", "ModelError", "OutputError", "StageError",
        "to_frame",
    ]
    for name in voc.__all__:
        assert getattr(voc, name) is not None
    assert issubclass(voc.InputError, voc.VocError) and voc.InputError.exit_code != voc.VocError.exit_code


def _import_voc() -> tuple[float, str]:
    import subprocess
    import sys

    code = ("import sys, time; t = time.perf_counter(); import voc; voc.Settings; voc.LocalEngine; "
            "dt = time.perf_counter() - t; "
            "heavy = [m for m in ('jieba', 'sklearn', 'gensim', 'snownlp', 'numpy', 'opencc') if m in sys.modules]; "
            "print(dt, heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split(" ", 1)
    return float(out[0]), out[1].strip()


def test_import_is_light():
    assert _import_voc()[1] == "[]"


@pytest.mark.slow
def test_import_is_fast():
    assert _import_voc()[0] < 0.3


def test_library_is_silent(capsys):
    voc.load().tag("测试一下")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


class CountSeen:
    """A stateful preprocessor: numbers the contacts it has seen."""

    def __init__(self):
        self.seen = 0

    def __call__(self, c):
        self.seen += 1
        return replace(c, metadata={**dict(c.metadata), "seen": self.seen})


def test_preprocessor_state_is_fresh_for_every_run():
    contacts = [Contact.from_text(t, id=str(i)) for i, t in enumerate(["信号差", "退款慢", "信号差"])]
    pre = CountSeen()
    nlp = Pipeline([Normalise()], preprocessors=[pre])
    first = [t.contact.metadata["seen"] for t in nlp.pipe(contacts)]
    second = [t.contact.metadata["seen"] for t in nlp.pipe(contacts)]
    assert first == second == [1, 2, 3]
    assert list(nlp.preprocess(contacts))[-1].metadata["seen"] == 3
    assert pre.seen == 0, "the pipeline's own instance is never called: runs work on copies"


def test_repeat_contacts_do_not_leak_between_runs():
    nlp = voc.load(disable=("topics",))
    contacts = [Contact.from_text("又来投诉了，信号差", id=str(i), customer_id="U1",
                                  created_at=f"2026-05-0{i + 1}T10:00:00+08:00") for i in range(3)]
    runs = [[t.contact.metadata.get("repeat_contacts") for t in nlp.pipe(contacts)] for _ in range(2)]
    assert runs[0] == runs[1] == [0, 1, 2]


def test_workers_start_loaded_by_fork_or_clean_by_forkserver(nlp, monkeypatch):
    """Forked workers (the default on Linux) and clean forkserver workers give the same output."""
    import threading

    from voc.workers import start_method

    texts = ["信号差经常断网", "退款迟迟不到账", "iPhone13Pro屏幕坏了，哈哈哈哈", "利息太高了要投诉"] * 10
    contacts = [Contact.from_text(t, id=str(i), customer_id=f"U{i % 3}") for i, t in enumerate(texts)]
    monkeypatch.delenv("VOC_START_METHOD", raising=False)
    if threading.active_count() == 1:
        assert start_method() == "fork"
    forked = [t.to_record() for t in nlp.pipe(contacts, batch_size=8, workers=2)]
    monkeypatch.setenv("VOC_START_METHOD", "forkserver")
    assert start_method() == "forkserver"
    clean = [t.to_record() for t in nlp.pipe(contacts, batch_size=8, workers=2)]
    one = [t.to_record() for t in nlp.pipe(contacts, batch_size=8, workers=1)]
    assert forked == clean == one


def test_fork_is_not_used_with_threads_running(monkeypatch):
    import threading

    from voc.workers import start_method

    monkeypatch.delenv("VOC_START_METHOD", raising=False)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert start_method() in ("forkserver", "spawn")
    finally:
        stop.set()
        t.join()
    monkeypatch.setenv("VOC_START_METHOD", "nonsense")
    with pytest.raises(ConfigError, match="VOC_START_METHOD"):
        start_method()


def test_pipe_tags_plain_strings_like_tag():
    import voc

    nlp = voc.load()
    texts = ["快递三天了还没到，怎么回事", "请问怎么开发票"]
    got = list(nlp.pipe(texts))
    assert [t.contact.id for t in got] == ["0", "1"]
    assert all(t.root_cause is not None and t.sentiment is not None for t in got)
    assert got[1].to_record()["contact_type"] == nlp.tag(texts[1]).to_record()["contact_type"]


def test_to_frame_gives_one_row_per_contact_with_the_output_fields():
    pd = pytest.importorskip("pandas")
    import voc
    from voc.records import OUTPUT_FIELDS

    nlp = voc.load()
    tagged = list(nlp.pipe(["快递三天了还没到", "谢谢你们的耐心解答"]))
    df = voc.to_frame(tagged)
    assert isinstance(df, pd.DataFrame) and len(df) == 2
    assert list(df.columns)[:len(OUTPUT_FIELDS)] == list(OUTPUT_FIELDS)
    assert df.loc[0, "id"] == "0" and df.loc[1, "text"] == "谢谢你们的耐心解答"
    assert voc.to_frame([t.to_record() for t in tagged]).equals(df)
