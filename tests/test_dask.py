"""The Dask engine: a LocalCluster on 127.0.0.1 (no dashboard), output identical to the local
engine, models built once per worker by the plugin, bounded in time."""
from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the Dask engine needs voc-cx[dist]")

import voc
from voc.engines import dask as vd
from voc.errors import ConfigError
from voc.pipeline import Pipeline, chunked
from voc.records import Contact, Tagged
from voc.settings import Settings
from voc.stages.text import Normalise

_finalize = Tagged.to_record  # a top-level function: the output record, made on the worker

LIMIT = 180  # seconds: a hung cluster fails the test instead of the CI run


@pytest.fixture
def time_limit():
    def expired(*_):
        raise TimeoutError(f"Dask test took longer than {LIMIT} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(LIMIT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module")
def client():
    with vd.local_cluster(2) as c:
        scheme = "tls" if vd.local_security() is not None else "tcp"
        assert all(addr.startswith(f"{scheme}://127.0.0.1:") for addr in c.scheduler_info()["workers"])
        yield c


@pytest.fixture
def pipeline():
    # a fresh pipeline per test: preprocessors (repeat contacts) keep state across a stream
    return voc.load()


@pytest.fixture(scope="module")
def contacts(samples):
    return [c for c in voc.read_contacts(str(samples / "contacts.jsonl")) if isinstance(c, Contact)][:240]


def test_dask_pipe_equals_local_and_keeps_order(client, pipeline, contacts, time_limit):
    local = list(voc.load().pipe(contacts, batch_size=16, finalize=_finalize))
    engine = vd.DaskEngine(client=client)
    dask = list(pipeline.pipe(contacts, batch_size=16, finalize=_finalize, engine=engine))
    assert [r["id"] for r in dask] == [c.id for c in contacts]
    assert json.dumps(dask, ensure_ascii=False) == json.dumps(local, ensure_ascii=False)


def test_models_load_once_per_worker(client, pipeline, contacts, time_limit):
    plugin = vd.make_plugin(pipeline)
    client.register_plugin(plugin, name=plugin.name)
    try:
        ids = {}
        for _ in range(3):
            ids.update(client.run(lambda name=plugin.name: id(vd.held_pipeline(name))))
        assert len(ids) == 2
        futures = [client.submit(vd.tag_task, plugin.name, vd.Payload([chunk]), _finalize, pure=False)
                   for chunk in chunked(contacts[:64], 8)]
        assert [r["id"] for f in futures for chunk in f.result() for r in chunk] == [c.id for c in contacts[:64]]
        after = client.run(lambda name=plugin.name: id(vd.held_pipeline(name)))
        assert after == ids, "the pipeline was rebuilt"
    finally:
        client.unregister_worker_plugin(plugin.name)
    assert not any(plugin.name in held for held in client.run(vd.held_pipelines).values()), "teardown frees it"


def test_custom_pipeline_without_settings_is_shipped(client, contacts, time_limit):
    custom = Pipeline([Normalise()])
    out = list(custom.pipe(contacts[:30], batch_size=7, engine=vd.DaskEngine(client=client)))
    assert [t.text for t in out] == [t.text for t in custom.pipe(contacts[:30])]


def test_read_errors_pass_through_in_place(client, pipeline, tmp_path, time_limit):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "1", "text": "快递三天还没到"}\n{broken\n{"id": "3", "text": "客服态度很好"}\n',
                   encoding="utf-8")
    items = list(voc.read_contacts(str(src)))
    out = [x for chunk in vd.map_chunks(pipeline, chunked(items, 2), client=client, finalize=_finalize) for x in chunk]
    assert out[0]["id"] == "1" and isinstance(out[1], voc.RowError) and out[2]["id"] == "3"


@pytest.mark.slow
def test_tag_files_dask_output_identical_to_local(samples, tmp_path, time_limit):
    """The library entry point, on a local cluster of its own (the CLI test covers the same
    path in the default run)."""
    src = samples / "contacts.jsonl"
    local, dask = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    s1 = voc.tag_files([src], local, workers=1, batch_size=32)
    with vd.DaskEngine(workers=2) as engine:  # its own local cluster
        s2 = voc.tag_files([src], dask, engine=engine, batch_size=32)
    assert local.read_bytes() == dask.read_bytes()
    assert (s1.read, s1.tagged, s1.errors) == (s2.read, s2.tagged, s2.errors)


def test_cli_engine_dask(samples, tmp_path, time_limit):
    from click.testing import CliRunner

    from voc.cli import cli

    out = tmp_path / "cli.jsonl"
    result = CliRunner().invoke(cli, ["tag", str(samples / "tickets.csv"), "-o", str(out), "-w", "2",
                                      "--engine", "dask", "--batch-size", "50", "-q"])
    assert result.exit_code == 0, result.output
    ref = tmp_path / "ref.jsonl"
    assert CliRunner().invoke(cli, ["tag", str(samples / "tickets.csv"), "-o", str(ref), "-w", "1", "-q"]).exit_code == 0
    assert out.read_bytes() == ref.read_bytes()


def test_unreachable_scheduler_is_a_clear_error(pipeline, time_limit):
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        with vd.connect("tcp://127.0.0.1:9", timeout=2):
            pass


def test_session_starts_in_the_background_and_reuses_its_workers_pipeline(contacts, time_limit):
    """voc tag --engine dask: the cluster starts and its workers build the pipeline while this
    process loads its own; map_chunks then uses the workers' pipeline (no second plugin)."""
    settings = Settings()
    with vd.Session(settings, workers=2) as session:
        pipeline = voc.load(**settings.to_dict())
        assert session.plugin_for(pipeline) == session.plugin_name
        client = session.client()
        assert len(client.run(lambda name=session.plugin_name: id(vd.held_pipeline(name)))) == 2
        # voc's own cluster: housekeeping a few times a second, not every 20 ms (docs/scale.md)
        import dask

        for key, value in vd.QUIET.items():
            assert set(client.run(dask.config.get, key).values()) == {value}
        chunks = chunked(pipeline.preprocess(contacts[:60]), 16)
        out = [x for chunk in vd.map_chunks(pipeline, chunks, session=session, finalize=_finalize) for x in chunk]
        assert json.dumps(out, ensure_ascii=False) == json.dumps(
            list(voc.load().pipe(contacts[:60], finalize=_finalize)), ensure_ascii=False)
        names = client.run(vd.held_pipelines)
        assert all(v == [session.plugin_name] for v in names.values()), "no second pipeline was built"
        other = voc.load(segmenter="jieba")  # other settings: a plugin of its own, then removed
        assert session.plugin_for(other) is None
        out2 = [x for chunk in vd.map_chunks(other, chunked(contacts[:20], 10), session=session, finalize=_finalize)
                for x in chunk]
        assert [r["id"] for r in out2] == [c.id for c in contacts[:20]]
        assert all(v == [session.plugin_name] for v in client.run(vd.held_pipelines).values())


def test_session_reports_an_unreachable_scheduler(time_limit):
    session = vd.Session(Settings(), scheduler="tcp://127.0.0.1:9", timeout=2)
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        session.client()
    session.close()


def test_chunks_travel_as_one_opaque_argument():
    """A task's chunks go wrapped in one object that is no list, tuple or dict (so Dask does not
    walk them turn by turn looking for futures), and it pickles back to the same chunks."""
    import pickle

    chunks = [[("1", (("customer", "快递没到", None),), None, None, None, None, None)] * 3] * 2
    payload = vd.Payload(chunks)
    assert not isinstance(payload, (list, tuple, dict))
    assert pickle.loads(pickle.dumps(payload)).chunks == chunks


def test_tasks_group_consecutive_chunks():
    chunks = [list(range(i * 10, i * 10 + n)) for i, n in enumerate([7, 7, 7, 7, 3])]
    groups = list(vd.group_chunks(iter(chunks), 20))
    assert [[len(c) for c in g] for g in groups] == [[7, 7, 7], [7, 3]]
    assert [c for g in groups for c in g] == chunks
    assert list(vd.group_chunks(iter(chunks), 1)) == [[c] for c in chunks]
    assert list(vd.group_chunks(iter([]), 20)) == []


def test_several_chunks_per_task_come_back_chunk_by_chunk(client, pipeline, contacts, time_limit):
    """A task carries several chunks; each comes back as its own result, in input order."""
    chunks = list(chunked(contacts[:100], 7))
    out = list(vd.map_chunks(pipeline, chunks, client=client, finalize=_finalize, task_items=20, window=2))
    assert [len(chunk) for chunk in out] == [len(chunk) for chunk in chunks]
    assert [r["id"] for chunk in out for r in chunk] == [c.id for c in contacts[:100]]


def test_session_pipeline_is_the_workers_without_loading_models(contacts, tmp_path, time_limit):
    """voc tag --engine dask: the client's pipeline is a stand-in (version from the workers,
    settings, preprocessors; no stages, so no model loaded here), and tags through the session
    exactly as a loaded pipeline does."""
    from voc.errors import VocError

    settings = Settings(repeat_window="7d")
    with vd.Session(settings, workers=2) as session:
        stand_in = session.pipeline()
        loaded = voc.load(**settings.to_dict())
        assert stand_in.stages == [] and stand_in.version == loaded.version
        assert stand_in.settings == loaded.settings and session.plugin_for(stand_in) == session.plugin_name
        assert [type(p) for p in stand_in.preprocessors] == [type(p) for p in loaded.preprocessors]
        with pytest.raises(VocError, match="held by the workers"):
            stand_in.tag("快递没到")
        out = tmp_path / "out.jsonl"
        voc.tag_files([], out, pipeline=stand_in, engine=vd.DaskEngine(session=session))  # an empty run works
        chunks = chunked(stand_in.preprocess(contacts[:40]), 16)
        got = [x for chunk in vd.map_chunks(stand_in, chunks, session=session, finalize=_finalize) for x in chunk]
    want = list(voc.load(**settings.to_dict()).pipe(contacts[:40], finalize=_finalize))
    assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False)


FORK_CHECK = """
import json, sys
import voc
from voc.engines import dask as vd
from voc.pipeline import chunked

_finalize = voc.Tagged.to_record

if __name__ == "__main__":
    contacts = [c for c in voc.read_contacts(sys.argv[1]) if isinstance(c, voc.Contact)][:100]
    with vd.Session(voc.Settings(), workers=2) as s:
        stand_in = s.pipeline()
        client = s.client()
        try:
            here = id(vd.held_pipeline(s.plugin_name))
        except voc.VocError:
            here = None
        there = set(client.run(lambda name=s.plugin_name: id(vd.held_pipeline(name))).values())
        frozen = set(client.run(lambda: __import__("gc").get_freeze_count() > 0).values())
        chunks = chunked(stand_in.preprocess(contacts), 16)
        out = [r for chunk in vd.map_chunks(stand_in, chunks, session=s, finalize=_finalize) for r in chunk]
    print(json.dumps({"forked": there == {here}, "frozen": frozen == {True}, "out": out}, ensure_ascii=False))
"""


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_session_forks_its_workers_from_the_loaded_client(samples, tmp_path, method, time_limit):
    """In a process of its own (no other thread), a Session loads the pipeline once and forks
    the local cluster's workers from it: they hold the very same objects (same ids), frozen
    out of the garbage collector's reach. VOC_START_METHOD=spawn makes each worker load its
    own. Either way the output is the local engine's."""
    import os
    import subprocess
    import sys

    script = tmp_path / "fork_check.py"
    script.write_text(FORK_CHECK, encoding="utf-8")
    src = samples / "contacts.jsonl"
    root = str(Path(voc.__file__).resolve().parents[1])  # this checkout, installed or not
    env = {**os.environ, "VOC_START_METHOD": method,
           "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, str(script), str(src)], capture_output=True, text=True, env=env,
                          timeout=LIMIT, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["forked"] is (method == "fork") and got["frozen"]
    contacts = [c for c in voc.read_contacts(str(src)) if isinstance(c, Contact)][:100]
    want = list(voc.load().pipe(contacts, batch_size=16, finalize=_finalize))
    assert json.dumps(got["out"], ensure_ascii=False) == json.dumps(want, ensure_ascii=False)


def test_cli_dask_bad_rules_file_is_one_clear_error(samples, tmp_path, time_limit):
    from click.testing import CliRunner

    from voc.cli import cli

    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nname = "x"\nwords = [\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["tag", str(samples / "tickets.csv"), "-o", str(out), "-w", "2",
                                      "--engine", "dask", "--rules", str(rules), "-q"])
    assert result.exit_code == 3
    assert "rules.toml:3" in result.output and "Traceback" not in result.output
    assert not list(tmp_path.glob("out.jsonl*")), "nothing is written"


def test_sessions_fork_only_where_it_is_safe(monkeypatch):
    """Fork copies only the forking thread: a Session forks its workers only on Linux when the
    process runs no thread besides the caller's and its own, and never when VOC_START_METHOD
    asks for another method."""
    import sys
    import threading

    monkeypatch.delenv("VOC_START_METHOD", raising=False)
    monkeypatch.setattr(threading, "active_count", lambda: 2)  # the caller's thread and the session's
    assert vd.fork_safe() is sys.platform.startswith("linux")
    monkeypatch.setattr(threading, "active_count", lambda: 3)  # another thread of the program
    assert vd.fork_safe() is False
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    monkeypatch.setenv("VOC_START_METHOD", "spawn")
    assert vd.fork_safe() is False


def test_engine_closes_the_cluster_it_opened_and_can_open_another(contacts, time_limit):
    """A DaskEngine without a session opens a local cluster on first use and closes it with
    close(); used again, it opens a new one (no stale client), with the same output."""
    nlp = voc.load(disable=("topics",))
    engine = vd.DaskEngine(workers=2)
    first = list(nlp.pipe(contacts[:24], batch_size=8, finalize=_finalize, engine=engine))
    engine.close()
    assert engine.client is None
    second = list(nlp.pipe(contacts[:24], batch_size=8, finalize=_finalize, engine=engine))
    engine.close()
    assert first == second == list(nlp.pipe(contacts[:24], batch_size=8, finalize=_finalize))


def test_local_cluster_is_bound_to_localhost_and_authenticated(client, time_limit):
    """A local cluster voc starts listens on 127.0.0.1 only and, with cryptography installed,
    speaks TLS with a certificate made for the run: another local process cannot connect
    and run code in the workers."""
    pytest.importorskip("cryptography")
    import distributed

    addr = client.scheduler.address
    assert addr.startswith("tls://127.0.0.1:")
    assert all(a.startswith("tls://127.0.0.1:") for a in client.scheduler_info()["workers"])
    with pytest.raises((OSError, TimeoutError)):  # no certificate: refused
        distributed.Client(addr.replace("tls://", "tcp://"), timeout=3)


def test_without_cryptography_the_local_cluster_stays_in_process(monkeypatch, time_limit):
    monkeypatch.setattr(vd, "local_security", lambda: None)
    with vd.local_cluster(1) as c:
        assert not c.scheduler.address.startswith(("tcp://", "tls://"))  # inproc://: no socket
        assert c.submit(sum, [1, 2]).result() == 3
