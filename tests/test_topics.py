"""Topic models (voc.topics, voc.training.topics): fit, save/load without pickle, inference, the stage, tracking.

Synthetic data here is written for these tests (token lists drawn from small hand-written
vocabularies, and a few hundred hand-written complaint texts about a new fee); real texts are
read from ../shared/data by reference (``shared_data`` fixture) and never copied.
"""
from __future__ import annotations

import hashlib
import json
import math
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voc.records import Contact, Tagged
from voc.topics.cross import cross_table
from voc.topics.model import TopicModel, read_dictionary_text
from voc.topics.track import align_topics, bh_adjust, candidate_terms, emerging_terms, g2_test, period_of, track
from voc.topics.fit import fit

ROOT = Path(__file__).resolve().parent.parent

# -- synthetic token documents -------------------------------------------------------------------
VOCAB = {  # issue -> (term, weight); written for these tests
    "refund": [("退款", 6), ("到账", 5), ("迟迟", 3), ("银行卡", 2), ("申请", 2), ("处理中", 3), ("原路", 2)],
    "refund_b": [("到账", 7), ("退回", 5), ("退款", 4), ("银行卡", 3), ("迟迟", 2), ("原路", 2)],
    "signal": [("信号", 6), ("基站", 4), ("通话", 3), ("断线", 3), ("网络", 3), ("小区", 2)],
    "broadband": [("宽带", 6), ("掉线", 4), ("光猫", 3), ("网速", 3), ("师傅", 2), ("路由器", 2)],
    "collection": [("催收", 7), ("骚扰", 5), ("家人", 4), ("通讯录", 3), ("威胁", 2), ("逾期", 2)],
    "fee": [("数字权益费", 6), ("莫名其妙", 3), ("扣费", 4), ("账单", 3), ("新增", 3), ("取消", 2)],
}
GENERIC = [("客服", 3), ("电话", 2), ("处理", 2), ("解决", 2), ("一下", 1)]


def _draw(rng: random.Random, issue: str, n: int) -> list[str]:
    words, weights = zip(*(VOCAB[issue] + GENERIC))
    return rng.choices(words, weights=weights, k=n)


def synth_docs(counts: dict[str, int], seed: int = 0, mix: tuple[str, str] | None = None) -> list[list[str]]:
    """``counts[issue]`` documents of 8-14 tokens each; ``mix=(a, b)`` documents talk about both."""
    rng = random.Random(seed)
    docs = []
    for issue, n in counts.items():
        for _ in range(n):
            k = rng.randint(8, 14)
            if mix and issue == "+".join(mix):
                docs.append(_draw(rng, mix[0], k // 2) + _draw(rng, mix[1], k - k // 2))
            else:
                docs.append(_draw(rng, issue, k))
    rng.shuffle(docs)
    return docs


FAST = dict(phrase_rounds=0, no_below=2, no_above=0.9, passes=10, min_terms=1)


@pytest.fixture(scope="module")
def synth_model(tmp_path_factory):
    docs = synth_docs({"refund": 120, "signal": 120, "broadband": 120, "collection": 120}, seed=1)
    model = fit(TopicModel(num_topics=4, seed=3, **FAST), docs, [f"d{i}" for i in range(len(docs))])
    folder = tmp_path_factory.mktemp("topics") / "m"
    model.save(folder)
    return model, folder, docs


def _files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# -- fitting, determinism, coherence ----------------------------------------------------------------
def test_fit_finds_the_planted_issues(synth_model):
    model, _, _ = synth_model
    heads = {t["terms"][0][0] for t in model.topics_}
    assert heads == {"退款", "信号", "宽带", "催收"}
    for t in model.topics_:
        assert len(t["terms"]) == 20 and t["terms"] == sorted(t["terms"], key=lambda x: -x[1])
        assert 2 <= len(t["label"].split("/")) <= 3
        assert len(t["representative"]) == 3 and 0.15 < t["share"] < 0.35


def test_two_fits_are_byte_identical(synth_model, tmp_path):
    model, folder, docs = synth_model
    again = fit(TopicModel(num_topics=4, seed=3, **FAST), docs, [f"d{i}" for i in range(len(docs))])
    again.save(tmp_path / "m2")
    assert _files(folder) == _files(tmp_path / "m2")  # topics.json, assignments.jsonl, arrays, manifest
    other = fit(TopicModel(num_topics=4, seed=4, **FAST), docs, [f"d{i}" for i in range(len(docs))])
    other.save(tmp_path / "m3")
    assert (tmp_path / "m3" / "topic_term.npy").read_bytes() != (folder / "topic_term.npy").read_bytes()


def test_coherence_is_computed_and_auto_k_records_the_curve():
    docs = synth_docs({"refund": 80, "signal": 80, "broadband": 80, "collection": 80}, seed=2)
    model = fit(TopicModel(num_topics="auto", k_range=(2, 6, 2), seed=1, **FAST), docs)
    c = model.coherence_
    assert 0.3 < c["c_v"] <= 1.0 and 0.0 < c["c_v_top20"] <= 1.0 and c["u_mass"] < 0 and c["topn"] == 10
    pts = model.curve_["points"]
    assert [k for k, _ in pts] == [2, 4, 6]
    assert model.k_ == max(pts, key=lambda p: (p[1], -p[0]))[0]
    assert all(0 < t["c_v"] <= 1 for t in model.topics_)
    assert math.isclose(c["c_v"], np.mean([t["c_v"] for t in model.topics_]), abs_tol=1e-3)


def test_bad_settings_fail_with_a_clear_message():
    from voc.errors import ConfigError, InputError

    with pytest.raises(ConfigError, match="num_topics"):
        fit(TopicModel(num_topics=1), [["退款"]] * 20)
    with pytest.raises(InputError, match="contacts"):
        fit(TopicModel(num_topics=2, **FAST), [["退款", "到账"]] * 3)


# -- saving and loading without pickle ----------------------------------------------------------------
def test_saved_files_are_plain_and_load_without_gensim(synth_model):
    _, folder, docs = synth_model
    from voc.models import verify

    manifest = verify(folder)
    assert set(manifest["files"]) == {"topics.json", "dictionary.txt", "topic_term.npy", "alpha.npy", "phrases.json",
                                      "preprocess.json", "assignments.jsonl", "MODEL_CARD.md"}
    for name in manifest["files"]:
        assert not (folder / name).read_bytes().startswith(b"\x80")
    np.load(folder / "topic_term.npy", allow_pickle=False)
    # gensim reads the dictionary text format, ids match ours
    from gensim.corpora import Dictionary

    d = Dictionary.load_from_text(str(folder / "dictionary.txt"))
    vocab, _, _ = read_dictionary_text(folder / "dictionary.txt")
    assert [d[i] for i in range(len(d))] == vocab
    # a fresh interpreter loads and infers without importing gensim
    code = ("import sys; from voc.topics.model import TopicModel; m = TopicModel.load(sys.argv[1]); "
            "print(m.assign([['退款', '到账', '迟迟']])); assert 'gensim' not in sys.modules")
    out = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("[((")


def test_loaded_model_infers_like_the_fitted_one(synth_model):
    model, folder, docs = synth_model
    loaded = TopicModel.load(folder)
    assert np.array_equal(model.infer(docs[:50]), loaded.infer(docs[:50]))
    assigned = [json.loads(line) for line in (folder / "assignments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [[list(x) for x in a] for a in loaded.assign(docs[:50])] == [r["topics"] for r in assigned[:50]]


def test_tampered_or_pickled_model_files_are_refused(synth_model, tmp_path):
    import shutil

    from voc.errors import ModelError

    _, folder, _ = synth_model
    bad = tmp_path / "bad"
    shutil.copytree(folder, bad)
    arr = np.load(bad / "alpha.npy")
    np.save(bad / "alpha.npy", arr * 2)
    with pytest.raises(ModelError, match="checksum"):
        TopicModel.load(bad)


def test_a_changed_segmenter_lexicon_is_reported_on_load(synth_model, tmp_path, caplog):
    import shutil

    _, folder, _ = synth_model
    moved = tmp_path / "m"
    shutil.copytree(folder, moved)
    manifest = json.loads((moved / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["segmenter"]) == {"userdict.txt", "stopwords.txt"}
    with caplog.at_level("WARNING", logger="voc.topics.model"):
        TopicModel.load(moved)
    assert not caplog.records
    manifest["segmenter"]["userdict.txt"] = "0" * 64
    (moved / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with caplog.at_level("WARNING", logger="voc.topics.model"):
        TopicModel.load(moved)
    assert "user dictionary or stopwords changed" in caplog.text


def test_estep_matches_gensim_inference(synth_model):
    """Our numpy E-step gives gensim's LdaModel.inference result from the same start."""
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    model, folder, docs = synth_model
    d = Dictionary.load_from_text(str(folder / "dictionary.txt"))
    lda = LdaModel(num_topics=model.k_, id2word=d, alpha=model.alpha_, dtype=np.float64)
    lda.state.sstats[...] = model.lambda_ - lda.eta
    lda.sync_state()

    class Ones:
        def gamma(self, shape, scale, size):
            return np.ones(size)

    lda.random_state, lda.iterations = Ones(), 100
    terms = [model.preprocess(t) for t in docs[:200]]
    gamma, _ = lda.inference([d.doc2bow(t) for t in terms])
    theirs = gamma / gamma.sum(axis=1, keepdims=True)
    assert np.abs(theirs - model.infer_terms(terms)).max() < 1e-9


def test_inference_does_not_depend_on_the_batch(synth_model):
    model, _, docs = synth_model
    batch = model.infer(docs[:100])
    one_by_one = np.vstack([model.infer([d]) for d in docs[:100]])
    assert np.array_equal(batch, one_by_one)
    assert not model.infer([["没见过的词"]]).any() and model.assign([[]]) == [()]


# -- the stage and the pipeline --------------------------------------------------------------------
def test_topics_stage_assigns_several_weighted_topics(synth_model):
    from voc.stages.topics import Topics

    model, folder, _ = synth_model
    stage = Topics(folder)
    batch = [Tagged(Contact.from_text("x", id=str(i)), tokens=tuple(t)) for i, t in enumerate(
        [["退款", "到账", "迟迟", "退款"], ["退款", "到账", "信号", "基站", "断线", "信号"], ["没见过"], []])]
    out = stage(batch)
    assert [t.contact.id for t in out] == ["0", "1", "2", "3"] and batch[0].topics is None
    assert len(out[0].topics) >= 1 and out[0].topic_label == model.label(out[0].topics[0][0])
    assert len(out[1].topics) == 2 and {model.topics_[k]["terms"][0][0] for k, _ in out[1].topics} == {"退款", "信号"}
    assert out[1].topics[0][1] >= out[1].topics[1][1] >= model.min_weight
    assert out[2].topics == () and out[2].topic_label is None and out[3].topics == ()
    assert out[0].to_record()["topics"] == [list(p) for p in out[0].topics]


def test_load_uses_the_given_folder_else_the_shipped_model(synth_model):
    import voc
    from voc.models import find
    from voc.stages.topics import NoTopics, Topics

    _, folder, _ = synth_model
    p = voc.load(topics=str(folder), disable=("root_cause", "sentiment", "churn", "escalation"))
    assert p.get_stage("topics").model_dir == folder
    default = voc.load(disable=("root_cause", "sentiment", "churn", "escalation")).get_stage("topics")
    assert isinstance(default, Topics if find("topics") else NoTopics)


def test_tagging_is_identical_with_any_number_of_workers(synth_model):
    import voc

    _, folder, _ = synth_model
    texts = ["退款申请了半个月还没到账，迟迟不退回银行卡", "小区基站信号差，通话经常断线", "宽带掉线，光猫红灯，网速很慢",
             "催收天天打电话骚扰我家人，还威胁爆通讯录", "你好"] * 12
    contacts = [Contact.from_text(t, id=str(i)) for i, t in enumerate(texts)]
    p = voc.load(topics=str(folder), disable=("root_cause", "sentiment", "churn", "escalation"))
    one = [t.to_record() for t in p.pipe(contacts, workers=1, batch_size=7)]
    two = [t.to_record() for t in p.pipe(contacts, workers=2, batch_size=5)]
    assert one == two
    assert sum(1 for r in one if r["topics"]) >= 48


# -- statistics and alignment ----------------------------------------------------------------------
def test_g2_and_bh_match_reference_values():
    from scipy.stats import chi2_contingency

    g2, p, ratio = g2_test(30, 1000, 10, 3000)
    ref = chi2_contingency([[30, 970], [10, 2990]], correction=False, lambda_="log-likelihood")
    assert math.isclose(g2, ref[0], rel_tol=1e-9) and math.isclose(p, ref[1], rel_tol=1e-6)
    assert math.isclose(ratio, 0.03 / (10.5 / 3000.5))
    assert bh_adjust([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])


def test_period_is_the_shanghai_month():
    assert period_of("2026-09-30T20:00:00+00:00") == "2026-10"  # 04:00 on 1 October in Shanghai
    assert period_of("2026-10-01 07:59:00") == "2026-10"  # no offset: already Shanghai time
    assert period_of("2026-10-05T10:00:00+08:00", "week") == "2026-W41"
    assert period_of(None) is None and period_of("sometime") is None


def _topic(tid, terms):
    total = sum(w for _, w in terms)
    return {"id": tid, "label": "/".join(w for w, _ in terms[:3]), "terms": [[w, w_ / total] for w, w_ in terms]}


def test_alignment_finds_same_renamed_merged_new_and_gone():
    ref = [_topic(0, VOCAB["refund"]), _topic(1, VOCAB["signal"]), _topic(2, VOCAB["broadband"]),
           _topic(3, VOCAB["collection"])]
    cur = [_topic("a", VOCAB["refund_b"]), _topic("b", VOCAB["signal"] + VOCAB["broadband"]),
           _topic("c", VOCAB["fee"])]
    res = align_topics(ref, cur)
    by = {t["topic"]: t for t in res["topics"]}
    assert by["a"]["status"] == "renamed" and by["a"]["reference"] == [0]
    assert by["a"]["reference_labels"] == ["退款/到账/迟迟"] and by["a"]["label"] == "到账/退回/退款"
    assert by["b"]["status"] == "merged" and by["b"]["reference"] == [1, 2]
    assert by["c"]["status"] == "new" and by["c"]["reference"] == []
    assert [g["reference"] for g in res["gone"]] == [3]
    same = align_topics(ref, ref)
    assert all(t["status"] == "same" for t in same["topics"]) and not same["gone"]


def test_alignment_of_two_fitted_months_with_a_renamed_and_a_merged_topic():
    m1 = synth_docs({"refund": 150, "signal": 150, "broadband": 150, "collection": 150}, seed=5)
    m2 = synth_docs({"refund_b": 150, "signal+broadband": 300, "collection": 150}, seed=6,
                    mix=("signal", "broadband"))
    a = fit(TopicModel(num_topics=4, seed=1, alpha="symmetric", **FAST), m1, score=False)
    b = fit(TopicModel(num_topics=3, seed=1, alpha="symmetric", **FAST), m2, score=False)
    res = align_topics(a.topics_, b.topics_)
    head = {t["id"]: t["terms"][0][0] for t in a.topics_}
    by_status = {t["status"]: t for t in res["topics"]}
    assert set(by_status) == {"renamed", "merged", "same"}
    assert {head[r] for r in by_status["merged"]["reference"]} == {"信号", "宽带"}
    assert [head[r] for r in by_status["renamed"]["reference"]] == ["退款"]
    assert [head[r] for r in by_status["same"]["reference"]] == ["催收"]
    assert res["gone"] == []


# -- emerging issues ----------------------------------------------------------------------------------
def _rows(months: dict[str, list[list[str]]]):
    return [(m, d, None) for m, docs in months.items() for d in docs]


def test_planted_issue_is_emerging_in_its_month_only_synthetic(synth_model):
    model, _, _ = synth_model
    base = {"refund": 150, "signal": 150, "broadband": 150, "collection": 150}
    months = {"2026-07": synth_docs(base, seed=11), "2026-08": synth_docs({**base, "fee": 120}, seed=12),
              "2026-09": synth_docs(base, seed=13)}
    rep = track(_rows(months), model, min_period_contacts=300)
    issues = {p: rep.emerging[p]["issues"] for p in rep.periods}
    assert issues["2026-07"] == [] and issues["2026-09"] == []
    (fee,) = issues["2026-08"]
    assert fee["status"] == "new" and "数字权益费" in fee["label"] and fee["p_value"] < 1e-10
    assert any("本月新出现: " in h and "数字权益费" in h for h in rep.headlines("2026-08"))
    new = [t for t in rep.new_topics["2026-08"] if t["emerging"]]
    assert len(new) == 1 and new[0]["terms"][0] == "数字权益费"
    assert not any(t["emerging"] for p in ("2026-07", "2026-09") for t in rep.new_topics.get(p, []))
    # the fixed model's topic table: contacts and statuses by month
    assert rep.contacts == {"2026-07": 600, "2026-08": 720, "2026-09": 600}
    assert all(t["by_period"]["2026-07"]["status"] == "baseline" for t in rep.topics)
    assert json.loads(json.dumps(rep.to_json(), ensure_ascii=False))["periods"] == list(months)


def test_track_from_stored_topic_weights_only():
    """The results store can feed (month, None, topics) rows: topic table only, no model."""
    rows = ([("2026-08", None, ((1, 0.9),))] * 90 + [("2026-08", None, ((2, 0.7), (1, 0.3)))] * 10
            + [("2026-09", None, ((1, 1.0),))] * 60 + [("2026-09", None, ((2, 1.0),))] * 40
            + [(None, None, ((1, 1.0),))] * 3)
    rep = track(rows, None)
    assert rep.periods == ["2026-08", "2026-09"] and rep.skipped == {"no date": 3}
    by = {t["id"]: t["by_period"] for t in rep.topics}
    assert by[2]["2026-09"]["status"] == "growing" and by[2]["2026-09"]["volume"] == 40
    assert by[1]["2026-09"]["status"] == "shrinking" and by[1]["2026-08"]["status"] == "baseline"
    assert rep.emerging == {} and rep.alignment == {}


def test_emerging_terms_need_a_significant_rise():
    docs = {"a": [{"退款"}] * 50 + [{"信号"}] * 50, "b": [{"退款"}] * 55 + [{"信号"}] * 45,
            "c": [{"退款"}] * 40 + [{"信号"}] * 40 + [{"新费用", "扣费"}] * 20}
    out = emerging_terms(["a", "b", "c"], docs)
    assert out["a"]["terms"] == [] and out["b"]["terms"] == []
    terms = {t["term"] for t in out["c"]["terms"]}
    assert terms == {"新费用", "扣费"} and out["c"]["issues"][0]["count"] == 20


def test_candidate_terms_join_consecutive_tokens(synth_model):
    model, _, _ = synth_model
    got = candidate_terms(["我的", "套餐", "被", "改", "了"], model)
    assert {"套餐被改", "被改", "套餐"} <= got and "了" not in got


def test_cross_table_counts_root_cause_by_topic():
    recs = [{"root_cause": "process", "topics": [[1, 0.7], [2, 0.3]], "topic_label": "退款/到账"},
            {"root_cause": "policy", "topics": [[1, 0.9]], "topic_label": "退款/到账"},
            {"root_cause": "agent", "topics": [[2, 1.0]], "topic_label": "催收/骚扰"},
            {"root_cause": "process", "topics": [], "topic_label": None}]
    t = cross_table(recs)
    rows = {r["topic"]: r for r in t["rows"]}
    assert rows[1]["counts"]["process"] == 1 and rows[1]["counts"]["policy"] == 1 and rows[1]["total"] == 2
    assert rows[1]["label"] == "退款/到账" and rows[None]["label"] == "(no topic)"
    assert t["rows"][0]["topic"] == 1 and sum(t["totals"].values()) == 4
    w = cross_table(recs, weighting="weight", labels={1: "refund", 2: "collection"})
    rows = {r["topic"]: r for r in w["rows"]}
    assert rows[2]["counts"]["process"] == pytest.approx(0.3) and rows[2]["label"] == "collection"


# -- the CLI ----------------------------------------------------------------------------------------
FEE_OPEN = [  # hand-written for these tests: a new fee that appears in one month
    "这个月账单里突然多了一笔数字权益费{n}元", "莫名其妙被扣了{n}块的数字权益费", "查话费发现有一项数字权益费",
    "手机上收到短信说扣了数字权益费{n}元", "数字权益费是什么？我这个月被收了{n}元", "上个月还没有，这个月开始每月扣数字权益费",
]
FEE_MIDDLE = ["，我从来没有办理过", "，没经过我同意就开通了", "，客服说是新推出的服务", "，营业厅说是系统自动加的",
              "，之前根本没人告诉我", ""]
FEE_END = ["，要求马上取消并退钱。", "，请给我一个解释。", "，谁给开通的谁负责！", "，太离谱了。", "，不退我就投诉到工信部。", "。"]
NEW_FEE = [o + m + e for o in FEE_OPEN for m in FEE_MIDDLE for e in FEE_END]
BACKGROUND = [
    "退款申请了{n}天还没到账，一直显示处理中，什么时候能退回银行卡",
    "小区里手机信号特别差，打电话经常断线，基站什么时候能修好",
    "家里宽带每天晚上掉线{n}次，光猫一直闪红灯，师傅也不上门",
    "催收人员天天打电话骚扰我家人，还威胁要爆通讯录，太过分了",
    "信用卡年费{n}元说好免的，结果还是扣了，请给个解释",
    "快递{n}天了还没送到，物流信息一直不更新",
]


def _jsonl(path: Path, months: dict[str, int], fee_month: str | None, fee: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    lines = []
    for m, n in months.items():
        texts = [rng.choice(BACKGROUND) for _ in range(n)] + ([rng.choice(NEW_FEE) for _ in range(fee)]
                                                             if m == fee_month else [])
        for i, t in enumerate(texts):
            lines.append({"id": f"{m}-{i}", "created_at": f"{m}-{1 + i % 27:02d}T10:00:00+08:00",
                          "text": t.format(n=rng.randint(2, 60))})
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    return path


def test_cli_fit_show_track(tmp_path):
    from click.testing import CliRunner

    from voc.cli import cli

    data = _jsonl(tmp_path / "c.jsonl", {"2026-08": 150, "2026-09": 150, "2026-10": 150}, "2026-10", 40)
    runner = CliRunner()
    r = runner.invoke(cli, ["topics", "fit", str(data), "-o", str(tmp_path / "m"), "--num-topics", "6", "--seed", "2"])
    assert r.exit_code == 0, r.output
    info = json.loads((tmp_path / "m" / "topics.json").read_text(encoding="utf-8"))
    assert info["num_topics"] == 6 and info["seed"] == 2 and info["coherence"]["c_v"] > 0
    r2 = runner.invoke(cli, ["topics", "fit", str(data), "-o", str(tmp_path / "m"), "--num-topics", "6"])
    assert r2.exit_code != 0 and "overwrite" in r2.output
    r = runner.invoke(cli, ["topics", "show", str(tmp_path / "m")])
    assert r.exit_code == 0 and info["topics"][0]["label"] in r.output
    r = runner.invoke(cli, ["topics", "track", "--model", str(tmp_path / "m"), "--by", "month", str(data),
                            "-o", str(tmp_path / "t.json")])
    assert r.exit_code == 0, r.output
    rep = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert rep["periods"] == ["2026-08", "2026-09", "2026-10"]
    assert rep["emerging"]["2026-09"]["issues"] == []
    assert any("数字权益费" in i["label"] and i["status"] == "new" for i in rep["emerging"]["2026-10"]["issues"])
    assert "[2026-10] 本月新出现: " in r.output
    for cmd in ("fit", "show", "track"):
        h = runner.invoke(cli, ["topics", cmd, "--help"])
        assert h.exit_code == 0 and "Example" in h.output


def test_cli_rejects_a_bad_number_of_topics(tmp_path):
    from click.testing import CliRunner

    from voc.cli import cli

    data = _jsonl(tmp_path / "c.jsonl", {"2026-08": 20}, None, 0)
    r = CliRunner().invoke(cli, ["topics", "fit", str(data), "-o", str(tmp_path / "m"), "--num-topics", "many"])
    assert r.exit_code == 2 and "auto" in r.output


# -- bundled samples: the planted 2026-10 surge ------------------------------------------------------
def test_track_flags_the_planted_october_surge_in_the_samples(samples):
    from voc.reports.topics import track_contacts
    from voc.io.readers import read_contacts
    from voc.models import find

    if not (samples / "contacts.jsonl").exists() or find("topics") is None:
        pytest.skip("bundled samples or the shipped topic model are not here")
    contacts = [c for f in ("contacts.jsonl", "tickets.csv", "tickets_gbk.csv") for c in read_contacts(samples / f)]
    contacts += list(read_contacts(samples / "call_turns.csv", group_by="通话ID"))
    rep = track_contacts([c for c in contacts if isinstance(c, Contact)], None)
    assert rep.periods == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    surge = ("套餐被改", "未经同意", "增值业务", "视频彩铃", "权益包")
    for p in rep.periods[:-1]:
        assert not any(w in i["label"] for i in rep.emerging[p]["issues"] for w in surge), p
    oct_issues = [i for i in rep.emerging["2026-10"]["issues"] if any(w in i["label"] for w in surge)]
    assert oct_issues and oct_issues[0]["status"] == "new" and oct_issues[0]["p_value"] < 1e-6


# -- real data: shipped model and a planted issue in real text ---------------------------------------
@pytest.fixture(scope="module")
def shipped():
    from voc.models import find

    folder = find("topics")
    if folder is None:
        pytest.skip("no shipped topic model (python -m voc.build topics)")
    return TopicModel.load(folder)


def test_shipped_model_is_coherent_on_the_reserved_texts(shipped, shared_data):
    """CI check of the shipped model: c_v of its topics on the reserved complaint and dialogue
    texts (never used in training), and the figures recorded at build time."""
    from voc.training.topics import heldout_coherence, reserved_contacts, tokenise_contacts

    assert shipped.coherence_["c_v"] >= 0.50
    _, toks, _ = tokenise_contacts(reserved_contacts())
    held = heldout_coherence(shipped, toks)
    assert held["contacts"] > 800
    assert held["c_v"] >= 0.45, held
    recorded = json.loads((shipped.folder_ / "manifest.json").read_text(encoding="utf-8"))["metrics"]
    assert recorded["heldout_reserved"]["c_v"] == pytest.approx(held["c_v"], abs=0.02)


def test_planted_new_fee_in_real_text_is_emerging_in_its_month_only(shipped, shared_data):
    """Real non-reserved complaint and dialogue texts spread over three months; 200
    hand-written contacts about a new fee are added to the middle month only."""
    from voc.training.topics import tokenise_contacts, training_contacts

    real, _ = training_contacts()
    rng = random.Random(7)
    picked = rng.sample(real, 1500)
    months = ["2026-07", "2026-08", "2026-09"]
    contacts = [Contact(id=c.id, turns=c.turns, created_at=f"{months[i % 3]}-15T10:00:00+08:00")
                for i, c in enumerate(picked)]
    contacts += [Contact.from_text(rng.choice(NEW_FEE).format(n=rng.randint(5, 30)), id=f"fee{i}",
                                   created_at="2026-08-20T10:00:00+08:00") for i in range(200)]
    ids, toks, tagged = tokenise_contacts(contacts)
    rows = [(period_of(t.contact.created_at), tk, None) for t, tk in zip(tagged, toks)]
    rep = track(rows, shipped, min_period_contacts=300)
    for p in ("2026-07", "2026-09"):
        assert not any("数字权益费" in i["label"] for i in rep.emerging[p]["issues"]), rep.emerging[p]["issues"]
        assert not any("权益" in w for t in rep.new_topics.get(p, []) if t["emerging"] for w in t["terms"][:3])
    top = rep.emerging["2026-08"]["issues"][0]
    assert "数字权益费" in top["label"] and top["status"] == "new" and top["p_value"] < 1e-20
    assert any(t["emerging"] and any("权益" in w for w in t["terms"][:3]) for t in rep.new_topics["2026-08"])
