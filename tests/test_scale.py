"""Scale: output order and bytes do not depend on the number of workers or the chunk size, and
memory does not grow with the input (checked on the whole process tree of a ``voc tag`` run)."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import voc

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def test_order_and_output_identical_across_workers(samples, tmp_path):
    inputs = [samples / "contacts.jsonl", samples / "tickets.csv"]
    outputs = {}
    for workers, batch_size in ((1, 256), (2, 7), (3, 16)):
        out = tmp_path / f"w{workers}.jsonl"
        summary = voc.tag_files(inputs, out, workers=workers, batch_size=batch_size)
        assert summary.read == summary.tagged + summary.errors
        outputs[workers] = out.read_bytes()
    assert outputs[1] == outputs[2] == outputs[3]
    ids = [json.loads(line)["id"] for line in outputs[1].decode("utf-8").splitlines()]
    expected = []
    for path in inputs:
        expected += [c.id for c in voc.read_contacts(str(path)) if isinstance(c, voc.Contact)]
    assert ids == expected


def test_tagging_after_warm_looks_up_no_module_on_disk(samples, monkeypatch):
    """Once warm and past the first batch, tagging searches the file system for no module:
    each ``importlib`` search stats every folder on ``sys.path`` (~0.2 ms), and one asked per
    evidence clause once cost ~5% of the tagging (default_backend's rjieba lookup)."""
    import importlib.machinery

    nlp = voc.load(qa=True).warm()
    contacts = [c for c in voc.read_contacts(str(samples / "contacts.jsonl")) if isinstance(c, voc.Contact)]
    nlp.tag_batch(contacts)  # what loads on first use
    searched = []
    real = importlib.machinery.PathFinder.find_spec

    def find_spec(cls, name, *args, **kwargs):
        searched.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.machinery.PathFinder, "find_spec", classmethod(find_spec))
    tagged = nlp.tag_batch(contacts)
    assert searched == []
    assert any(t.root_cause.evidence for t in tagged if t.root_cause)  # evidence spans were cut


def test_last_chunks_are_cut_smaller_for_parallel_workers():
    """The local engine's workers finish together: the last two chunks come in quarters, the
    items and their order unchanged; the first chunks pass at once (no lookahead at the start)."""
    from voc.pipeline import chunked
    from voc.workers import split_tail

    items = list(range(10_000))
    pulled = []
    source = chunked((pulled.append(i) or i for i in items), 1024)
    out = split_tail(source, eager=2)
    first = next(out)
    assert first == items[:1024] and len(pulled) == 1024  # yielded before reading on
    chunks = [first, *out]
    assert [x for c in chunks for x in c] == items
    sizes = [len(c) for c in chunks]
    assert sizes[:8] == [1024] * 8  # 10,000 = 9 x 1,024 + 784: the last two (1,808 items) are cut
    assert sizes[8:] == [256] * 7 + [16]
    assert [len(c) for c in split_tail([[1, 2], [3]], eager=2)] == [2, 1]  # too short to cut


# -- memory ----------------------------------------------------------------------------------------
def _tree_rss(pid: int) -> int:
    """RSS of a process and all its descendants, in bytes (psutil, else /proc)."""
    if importlib.util.find_spec("psutil"):
        import psutil

        try:
            root = psutil.Process(pid)
            procs = [root] + root.children(recursive=True)
        except psutil.Error:
            return 0
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                parent[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    tree, grew = {pid}, True
    while grew:
        new = {p for p, pp in parent.items() if pp in tree} - tree
        grew = bool(new)
        tree |= new
    total = 0
    for p in tree:
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            pass
    return total


def _generated_input(path: Path, n: int, samples: Path) -> Path:
    """``n`` contacts: the bundled sample contacts repeated with new ids and customers."""
    base = [json.loads(line) for line in (samples / "contacts.jsonl").read_text(encoding="utf-8").splitlines()]
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            rec = dict(base[i % len(base)])
            rec["id"] = f"G{i:09d}"
            rec["customer_id"] = f"U{i % (n // 4 + 1):08d}"
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def _peak_rss_of_tag(inp: Path, out: Path, workers: int = 2, timeout: float = 600) -> int:
    segmenter = "rjieba" if importlib.util.find_spec("rjieba") else "jieba"
    cmd = [sys.executable, str(ROOT / "cli.py"), "tag", str(inp), "-o", str(out), "-w", str(workers), "-q",
           "--segmenter", segmenter]
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, t0 = 0, time.monotonic()
    while p.poll() is None:
        peak = max(peak, _tree_rss(p.pid))
        if time.monotonic() - t0 > timeout:
            p.kill()
            pytest.fail(f"voc tag of {inp.name} took longer than {timeout} s")
        time.sleep(0.05)
    assert p.returncode == 0, p.stderr.read().decode("utf-8", "replace")[-2000:]
    return peak


def _check_bounded(samples: Path, tmp_path: Path, small: int, large: int, max_growth_mib: float) -> None:
    peaks = {}
    for n in (small, large):
        inp = _generated_input(tmp_path / f"in-{n}.jsonl", n, samples)
        out = tmp_path / f"out-{n}.jsonl"
        peaks[n] = _peak_rss_of_tag(inp, out)
        assert out.read_text(encoding="utf-8").count("\n") == n
        inp.unlink()
        out.unlink()
    growth = (peaks[large] - peaks[small]) / MIB
    msg = (f"peak RSS {peaks[small] / MIB:.0f} MiB for {small:,} contacts, {peaks[large] / MIB:.0f} MiB "
           f"for {large:,}")
    assert peaks[large] <= 1.2 * peaks[small], msg
    assert growth < max_growth_mib, msg


def test_memory_does_not_grow_with_input(samples, tmp_path):
    """2,000 vs 8,000 contacts, all default stages, 2 workers: the whole process tree may grow
    by less than 40 MiB (under 7 KiB per extra contact: less than keeping the records). The
    small run is past the workers' warm-up (the segmenter loads on the first chunk)."""
    _check_bounded(samples, tmp_path, 2_000, 8_000, max_growth_mib=40)


@pytest.mark.slow
def test_memory_does_not_grow_with_input_large(samples, tmp_path):
    """20,000 vs 200,000 contacts (a few minutes)."""
    _check_bounded(samples, tmp_path, 20_000, 200_000, max_growth_mib=80)


def test_worker_serialised_lines_equal_the_writers(tmp_path):
    """The output lines made in the workers (ChunkOutput) are the bytes the writers write one
    record at a time, for JSONL and CSV (formula cells escaped, lists flattened)."""
    from voc.io.jsonline import jsonl_text
    from voc.io.writers import CsvWriter, JsonlWriter, csv_text
    from voc.records import OUTPUT_FIELDS
    from voc.run import ChunkOutput

    nlp = voc.load()
    contacts = [voc.Contact.from_text(t, id=f"c{i}", customer_id="=cmd|' /C calc'!A0" if i == 1 else None)
                for i, t in enumerate(["信号差，\"引号\"，逗号", "=1+1 退款慢", "换行\n第二行", ""])]
    tagged = nlp.tag_batch(contacts)
    records = [t.to_record() for t in tagged]
    for fmt, writer, text in (("jsonl", JsonlWriter, jsonl_text(records)),
                              ("csv", lambda p: CsvWriter(p, OUTPUT_FIELDS), csv_text(records, OUTPUT_FIELDS))):
        one, many = tmp_path / f"one.{fmt}", tmp_path / f"many.{fmt}"
        with writer(one) as w:
            for r in records:
                w.write(r)
        with writer(many) as w:
            w.write_text(text)
        assert one.read_bytes() == many.read_bytes(), fmt
        res = ChunkOutput(fmt)(tagged)
        assert res.text == text and res.n == 4 and res.ids == ["c0", "c1", "c2", "c3"]
        assert res.tagged + len(res.errors) == 4 and res.records is None
    assert ChunkOutput("xlsx")(tagged).records == records
