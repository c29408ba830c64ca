"""voc explore on a store built from the samples: every figure links to the contacts it counts,
filters, search, the contact view, corrections (CSRF, Host and Origin checks; kept across a
re-tag; seen by the reports), training and evaluating on the corrections, and a real headless
Chromium that clicks through the page with no request leaving 127.0.0.1."""
from __future__ import annotations

import contextlib
import html
import json
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="voc explore needs the 'explore' extra")
pytest.importorskip("uvicorn", reason="voc explore needs the 'explore' extra")
pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx (the 'test' extra)")

from click.testing import CliRunner  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from voc.cli import cli  # noqa: E402
from voc.explore import create_app  # noqa: E402
from voc.reports import monthly  # noqa: E402
from voc.store import Store, read_jsonl  # noqa: E402

TOKEN = "test-token"
FIGURE = re.compile(r'href="(/contacts[^"]*)"[^>]*data-figure="(\w+)" data-count="(\d+)"')


@pytest.fixture(scope="module")
def tagged(tmp_path_factory, samples):
    out = tmp_path_factory.mktemp("explore") / "samples.jsonl"
    r = CliRunner().invoke(cli, ["tag", str(samples / "contacts.jsonl"), str(samples / "tickets.csv"),
                                 str(samples / "tickets_gbk.csv"), "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    return list(read_jsonl(out))


@pytest.fixture
def db(tagged, tmp_path):
    path = tmp_path / "voc.db"
    with Store(path) as st:
        st.add_many(tagged)
    return path


@pytest.fixture
def client(db):
    return TestClient(create_app(db, token=TOKEN, who="分析员"), base_url="http://127.0.0.1:8765")


def total(page: str) -> int:
    return int(re.search(r'data-total="(\d+)"', page).group(1))


def test_every_figure_links_to_the_contacts_it_counts(client, db):
    for month in ("", "?month=all", "?month=2026-09&channel=__none__", "?month=2026-10&product=4G套餐"):
        page = client.get("/" + month)
        assert page.status_code == 200
        figures = FIGURE.findall(page.text)
        dims = {d for _, d, _ in figures}
        assert {"headline", "contact_type", "root_cause", "owner", "channel", "tier", "sentiment_label",
                "churn_level", "escalation_level"} <= dims or month.endswith("__none__")
        for href, dim, n in figures:
            assert total(client.get(html.unescape(href)).text) == int(n), (month, href)
    # the figures are the monthly report's (voc.reports): contacts, complaints, root causes, owners
    page = client.get("/?month=2026-10").text
    counts = [int(n) for _, d, n in FIGURE.findall(page) if d == "headline"]
    report = monthly(db, "2026-10")
    trend = report.table("月度趋势").rows[-1]
    assert counts[:2] == [trend[1], trend[2]] == [100, 96]
    for sheet, dim in (("根因", "root_cause"), ("负责方", "owner")):
        shown = dict(re.findall(rf'<tr><td>([^<]+)</td><td class="num"><a [^>]*data-figure="{dim}" '
                                r'data-count="(\d+)"', page))
        assert shown and {k: int(v) for k, v in shown.items()} == {r[0]: r[1] for r in report.table(sheet).rows if r[1]}


def test_filters_search_and_pages(client, tagged):
    everything = total(client.get("/contacts?month=all").text)
    assert everything == len(tagged)
    assert total(client.get("/contacts").text) == everything  # no month: every contact
    product = total(client.get("/contacts?month=all&product=4G套餐").text)  # metadata key product / 产品
    assert 0 < product < everything
    region = client.get("/contacts?month=all&region=北京").text
    assert 0 < total(region) < everything
    found = client.get("/contacts?month=all&q=退款").text
    n = total(found)
    assert 0 < n == sum("退款" in (r["text"] or "") for r in tagged)
    assert "<mark>退款</mark>" in found
    page1, page2 = client.get("/contacts?month=all").text, client.get("/contacts?month=all&page=2").text
    ids1, ids2 = re.findall(r'class="contact" href="/contact/([^"?]+)', page1), \
        re.findall(r'class="contact" href="/contact/([^"?]+)', page2)
    assert len(ids1) == 50 and ids2 and not set(ids1) & set(ids2)
    assert 'rel="next"' in page1
    # filters combine: a month, a channel and a sentiment
    both = total(client.get("/contacts?month=2026-10&sentiment_label=negative&escalate=1").text)
    assert 0 < both <= total(client.get("/contacts?month=2026-10&escalate=1").text)


def test_contact_view_and_a_correction_reach_the_store_and_the_report(client, db, tagged):
    rec = next(r for r in tagged if r["root_cause"] == "product" and r["created_at"].startswith("2026-10")
               and r["root_cause_evidence"])
    page = client.get(f"/contact/{rec['id']}")
    assert page.status_code == 200
    assert f'<mark>{html.escape(rec["root_cause_evidence"][0])}</mark>' in page.text
    assert TOKEN in page.text and 'name="root_cause"' in page.text
    before = monthly(db, "2026-10").table("根因").rows
    # no token, a wrong one, a foreign Origin, a foreign Host: refused, nothing stored
    assert client.post(f"/correct/{rec['id']}", data={"root_cause": "agent"}).status_code == 403
    assert client.post(f"/correct/{rec['id']}", data={"csrf": "x", "root_cause": "agent"}).status_code == 403
    assert client.post(f"/correct/{rec['id']}", data={"csrf": TOKEN, "root_cause": "agent"},
                       headers={"Origin": "http://evil.example"}).status_code == 403
    evil = TestClient(client.app, base_url="http://evil.example:8765")
    assert evil.post(f"/correct/{rec['id']}", data={"csrf": TOKEN, "root_cause": "agent"}).status_code == 400
    assert evil.get("/").status_code == 400  # DNS rebinding: another Host name
    with Store(db) as st:
        assert st.corrections() == []
    r = client.post(f"/correct/{rec['id']}", data={"csrf": TOKEN, "root_cause": "agent", "who": "王芳 13912345678",
                                                    "contact_type": rec["contact_type"]}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/contact/{rec['id']}?saved=1")
    with Store(db) as st:
        (c,) = st.corrections()
        got = st.get(rec["id"])
    assert (c["field"], c["old_value"], c["new_value"]) == ("root_cause", "product", "agent")
    assert "13912345678" not in c["who"]  # who is redacted like every stored string
    assert got["root_cause"] == "agent" and got["owner"] == "客服质检/培训"
    assert got["predicted"]["root_cause"] == "product"
    after = monthly(db, "2026-10").table("根因").rows
    count = {row[0]: row[1] for row in before}, {row[0]: row[1] for row in after}
    assert count[1]["人员"] == count[0]["人员"] + 1 and count[1]["产品"] == count[0]["产品"] - 1
    view = client.get(f"/contact/{rec['id']}").text
    assert "已更正" in view and "更正记录" in view
    # a re-tag (the same record added again) keeps the correction
    with Store(db) as st:
        st.add_many([rec])
        assert st.get(rec["id"])["root_cause"] == "agent"
        assert st.get(rec["id"])["predicted"]["root_cause"] == "product"


def test_error_answers_quote_no_personal_data(client, tagged):
    """A 404 or 400 answer quotes the id or value asked for: scrubbed like every string voc writes."""
    phone = "13812345678"
    for r in (client.get(f"/contact/{phone}x"),
              client.post(f"/correct/{phone}-nope", data={"csrf": TOKEN, "root_cause": "agent"}),
              client.post(f"/correct/{tagged[0]['id']}", data={"csrf": TOKEN, "root_cause": f"火星{phone}"})):
        assert r.status_code in (400, 404) and phone not in r.text, r.text


def test_store_corrections_api(db, tagged):
    from voc.errors import InputError

    cid = tagged[0]["id"]
    with Store(db) as st:
        with pytest.raises(InputError, match="use one of"):
            st.correct(cid, "root_cause", "weather", "a")
        with pytest.raises(InputError, match="cannot be corrected"):
            st.correct(cid, "topic", "x", "a")
        with pytest.raises(InputError, match="no contact"):
            st.correct("nope", "root_cause", "agent", "a")
        st.correct(cid, "escalation_level", "urgent", "a")
        st.correct(cid, "escalation_level", "none", "b")
        got = st.get(cid)
        assert got["escalation_level"] == "none" and got["escalate"] is False
        assert got["predicted"]["escalation_level"] == tagged[0]["escalation_level"]  # the model's, not the 1st fix
        assert [c["who"] for c in st.corrections(cid)] == ["a", "b"]
    with Store(db, readonly=True) as st, pytest.raises(Exception, match="read-only"):
        st.correct(cid, "root_cause", "agent", "a")


def test_pages_escape_store_text_and_request_nothing_outside(db, tagged, client):
    evil = dict(tagged[0], id="EVIL<1>", text='<script>alert(1)</script><img src="http://evil.example/x.png">')
    with Store(db) as st:
        st.add_many([evil])
    pages = [client.get(u).text for u in ("/", "/?month=all", "/contacts?month=all&q=alert",
                                          "/contact/EVIL%3C1%3E")]
    assert "&lt;script&gt;<mark>alert</mark>(1)" in pages[2]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[3] and "EVIL&lt;1&gt;" in pages[3]
    for page in pages:
        assert "<script" not in page.lower()
        assert not re.findall(r"(?:src|href|action)\s*=\s*[\"']?(?:https?:)?//", page), "an external reference"
        assert not re.findall(r"https?://(?!127\.0\.0\.1)", page.replace("http://evil.example/x.png", ""))
    r = client.get("/")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    r = client.post("/correct/EVIL%3C1%3E", data={"csrf": TOKEN, "sentiment_label": "positive"})
    assert r.status_code == 200 and "已保存 1 项更正" in r.text and "EVIL&lt;1&gt;" in r.text


def test_cli_explore_errors_and_help(tmp_path, db):
    r = CliRunner().invoke(cli, ["explore", "--store", str(tmp_path / "missing.db"), "--no-browser"])
    assert r.exit_code != 0 and "no results store" in r.output and "Traceback" not in r.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = CliRunner().invoke(cli, ["explore", "--store", str(db), "--no-browser", "--port", str(port)])
    assert r.exit_code != 0 and "another --port" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["explore", "--help"])
    assert "127.0.0.1" in r.output and "--no-browser" in r.output


def test_train_and_evaluate_from_store_corrections(db, tagged, tmp_path):
    """Corrections (product -> process) train a user model with its own version and provenance,
    and voc evaluate --from-store scores it beside the shipped model on held-out corrections."""
    with Store(db) as st:
        n = 0
        for r in tagged:
            if r["root_cause"] == "product" and n < 40:
                st.correct(r["id"], "root_cause", "process", "t")
                n += 1
    runner = CliRunner()
    out = tmp_path / "m"
    r = runner.invoke(cli, ["train", "root-cause", "--from-store", str(db), "--base", "store", "-o", str(out)])
    assert r.exit_code == 0, r.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"user-\d{8}-[0-9a-f]{8}", manifest["version"])
    prov = manifest["provenance"]
    assert prov["base_model"].startswith("root_cause 1.") and prov["corrections"] + prov["held_out"] == 40
    assert prov["held_out"] > 0 and len(prov["store_fingerprint"]) == 64
    r = runner.invoke(cli, ["evaluate", "root-cause", "--from-store", str(db), "--model", str(out),
                            "-o", str(tmp_path / "e.json")])
    assert r.exit_code == 0, r.output
    ev = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert ev["held_out"] == prov["held_out"]
    assert ev["models"]["retrained"]["version"] == manifest["version"]
    assert ev["models"]["retrained"]["accuracy"] > ev["models"]["shipped"]["accuracy"]
    # the user model tags, and its version shows in the records
    r = runner.invoke(cli, ["tag", str(Path(__file__).parents[1] / "corpus/samples/tickets.csv"), "-q",
                            "--root-cause-model", str(out), "-o", str(tmp_path / "t.jsonl")])
    assert r.exit_code == 0, r.output
    assert manifest["version"] in next(read_jsonl(tmp_path / "t.jsonl"))["model_version"]
    r = runner.invoke(cli, ["train", "root-cause", "--from-store", str(db), "--data", str(tmp_path / "t.jsonl")])
    assert r.exit_code != 0 and "not both" in r.output


# -- a real browser -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Devtools:
    """Chrome DevTools Protocol over a websocket (``websockets``): commands and their events."""

    def __init__(self, ws):
        self.ws = ws
        self.n = 0
        self.events: list[dict] = []

    def send(self, method: str, **params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == self.n:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait(self, method: str, timeout: float = 60) -> dict:
        end = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    return self.events.pop(i)
            self.events.append(json.loads(self.ws.recv(timeout=max(0.1, end - time.monotonic()))))

    def js(self, expression: str):
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return r.get("result", {}).get("value")

    def navigate_by(self, expression: str):
        """Run ``expression`` (a click, a submit) and wait for the page it loads."""
        self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        self.js(expression)
        self.wait("Page.loadEventFired")


@pytest.fixture
def chromium_exe():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip("no chromium binary (Debian: apt-get install chromium); .ci/run installs it")


def test_real_browser_click_filter_open_correct(db, chromium_exe, tmp_path):
    pytest.importorskip("websockets", reason="the browser test drives Chromium with websockets (the 'test' extra)")
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db, who="浏览器测试"), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    profile = tmp_path / "profile"
    browser = None
    stack = contextlib.ExitStack()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        assert server.started
        browser = subprocess.Popen(
            [chromium_exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
             "--disable-extensions", "--disable-sync", f"--user-data-dir={profile}", "--remote-debugging-port=0",
             "--window-size=1280,900", "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        active = profile / "DevToolsActivePort"
        for _ in range(300):
            if active.is_file() and len(active.read_text().split()) >= 2:
                break
            time.sleep(0.1)
        devtools_port = int(active.read_text().split()[0])
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{devtools_port}/json/list", timeout=30) as f:
            page = next(t for t in json.load(f) if t["type"] == "page")
        from websockets.sync.client import connect

        ws = stack.enter_context(connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=30))
        dt = Devtools(ws)
        dt.send("Page.enable")
        dt.send("Network.enable")
        base = f"http://127.0.0.1:{port}"
        dt.send("Page.navigate", url=base + "/")
        dt.wait("Page.loadEventFired")
        assert "voc 探索" in dt.js("document.title")
        # click a report figure: the process root cause of the month
        link = dt.js("(() => { const a = [...document.querySelectorAll('a[data-figure=\"root_cause\"]')]"
                     ".find(a => a.href.includes('root_cause=process')); return a && [a.href, a.dataset.count]; })()")
        assert link, "no figure for root cause process"
        dt.navigate_by("document.querySelector('a[data-figure=\"root_cause\"][href*=\"root_cause=process\"]').click()")
        assert dt.js("location.href") == link[0]
        listed = int(dt.js("document.getElementById('total').dataset.total"))
        assert listed == int(link[1]) > 0
        # filter: the negative ones among them
        dt.navigate_by("document.querySelector('select[name=sentiment_label]').value = 'negative';"
                       "document.getElementById('apply').click()")
        assert "sentiment_label=negative" in dt.js("location.search")
        filtered = int(dt.js("document.getElementById('total').dataset.total"))
        assert 0 < filtered <= listed
        # open a contact and correct its root cause
        cid = dt.js("document.querySelector('a.contact').textContent")
        dt.navigate_by("document.querySelector('a.contact').click()")
        assert dt.js("document.querySelector('h1').textContent").endswith(cid)
        dt.navigate_by("document.querySelector('select[name=root_cause]').value = 'policy';"
                       "document.getElementById('save').click()")
        assert dt.js("document.getElementById('saved') !== null"), dt.js("location.href + ' ' + document.body.innerText.slice(0, 300)")
        assert "政策" in dt.js("document.getElementById('value-root_cause').textContent")
        # the list still works from the contact (back link) and the figure moved
        dt.navigate_by("document.querySelector('main p a').click()")
        assert int(dt.js("document.getElementById('total').dataset.total")) == filtered - 1
        urls = [e["params"]["request"]["url"] for e in dt.events if e.get("method") == "Network.requestWillBeSent"]
    finally:
        stack.close()
        if browser is not None:
            browser.terminate()
            browser.wait(timeout=30)
        server.should_exit = True
        thread.join(timeout=30)
    with Store(db, readonly=True) as st:
        (c,) = st.corrections()
        assert (c["contact_id"], c["field"], c["old_value"], c["new_value"]) == (cid, "root_cause", "process", "policy")
        month = st.get(cid)["month"]
        assert c["who"] == "浏览器测试"
    rows = {row[0]: row[1] for row in monthly(db, month).table("根因").rows}
    assert rows.get("政策", 0) >= 1
    assert len([u for u in urls if u.startswith(f"http://127.0.0.1:{port}/")]) >= 5  # the capture sees the pages
    outside = [u for u in urls if not u.startswith(f"http://127.0.0.1:{port}/")]
    assert outside == [], f"requests left 127.0.0.1: {outside}"
