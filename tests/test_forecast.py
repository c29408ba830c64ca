"""Volume forecasts, the holiday calendar, Erlang C staffing, the CLI and the monthly report's
new sections (also in a real browser at 360 and 1280 px); the backtest in the slow tier."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("statsmodels", reason="forecasts need the 'forecast' extra")
pytest.importorskip("holidays", reason="forecasts need the 'forecast' extra")

from voc.cli import cli  # noqa: E402
from voc.errors import ConfigError, InputError  # noqa: E402
from voc.forecast import forecast, staffing  # noqa: E402
from voc.forecast.calendar import features, is_workday  # noqa: E402
from voc.forecast.staffing import agents_needed, erlang_c, parse_seconds, service_level, with_shrinkage  # noqa: E402
from voc.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import synth_store as synth  # noqa: E402


# -- Erlang C ---------------------------------------------------------------------------------
def test_erlang_c_matches_the_published_example():
    """pyworkforce's README (github.com/rodrigo-arenas/pyworkforce, "Queue systems" example,
    v0.5.1): 100 transactions in 30 minutes, AHT 3 min, ASA 20 s, 80 % target, shrinkage 0.3
    -> raw_positions 14, positions 20, service_level 0.8883500191794669, occupancy
    0.7142857142857143, waiting_probability 0.1741319335950498."""
    r = agents_needed(100, 30 * 60, 3 * 60, target=0.8, answer_within=20)
    assert r["agents"] == 14 and r["traffic"] == pytest.approx(10.0)
    assert r["service_level"] == pytest.approx(0.8883500191794669, abs=1e-12)
    assert r["wait_probability"] == pytest.approx(0.1741319335950498, abs=1e-12)
    assert r["occupancy"] == pytest.approx(0.7142857142857143)
    assert with_shrinkage(r["agents"], 0.3) == 20
    # one agent fewer misses the target
    assert service_level(13, 10.0, 180, 20) < 0.8


def test_erlang_c_identities():
    # M/M/1: the probability of waiting is the utilisation
    assert erlang_c(1, 0.6) == pytest.approx(0.6)
    # M/M/2 closed form: C = 2 A^2 / (2 + A) / 2 ... P(wait) = A^2 / (A^2 + (2 - A)(1 + A)) for A < 2
    a = 1.2
    assert erlang_c(2, a) == pytest.approx(a * a / (a * a + (2 - a) * (1 + a)))
    assert erlang_c(5, 5.0) == 1.0 and service_level(5, 5.0, 180, 20) == 0.0
    assert agents_needed(0, 3600, 300)["agents"] == 0
    assert agents_needed(100, 1800, 180, max_occupancy=0.6)["agents"] == 17  # ceil(10 / 0.6)
    assert parse_seconds("5min") == 300 and parse_seconds("20秒") == 20 and parse_seconds(300) == 300
    with pytest.raises(ConfigError):
        parse_seconds("soon")
    with pytest.raises(ConfigError):
        agents_needed(10, 3600, 300, target=1.5)


# -- calendar ---------------------------------------------------------------------------------
def test_calendar_marks_make_up_days_and_the_spring_festival():
    assert is_workday(date(2026, 2, 14)) and date(2026, 2, 14).weekday() == 5  # 调休: a working Saturday
    assert not is_workday(date(2026, 2, 16)) and not is_workday(date(2026, 10, 1))
    days = [date(2026, 2, 10) + timedelta(days=i) for i in range(20)]
    x, names = features(days)
    col = {n: x[:, i] for i, n in enumerate(names)}
    spring = [d for d, v in zip(days, col["spring"]) if v]
    assert spring[0] == date(2026, 2, 15) and spring[-1] == date(2026, 2, 23)
    assert col["makeup"][days.index(date(2026, 2, 14))] == 1 and col["pre"][days.index(date(2026, 2, 14))] == 1
    assert col["post1"][days.index(date(2026, 2, 24))] == 1 and col["spring_post"][days.index(date(2026, 2, 24))] == 1
    # years past the official arrangement still know the Spring Festival (lunar calendar)
    assert not is_workday(date(2027, 2, 8))


# -- forecasts on a generated store -------------------------------------------------------------
@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = tmp_path_factory.mktemp("fc") / "fc.db"
    synth.fill_store(db, start=date(2025, 6, 1), end=date(2026, 10, 31), base=25, handle_time=True)
    return db


def test_forecast_by_root_cause_rows_and_files(store, tmp_path):
    out = forecast(store, by="root_cause", horizon="30d")
    assert set(out.forecasts) == {"process", "product", "agent", "policy", "other"}
    f = out.forecasts["process"]
    assert f.days[0] == date(2026, 11, 1) and len(f.days) == 30
    assert (f.lo <= f.mean).all() and (f.mean <= f.hi).all()
    months = out.rows("month")
    assert [r["period"] for r in months if r["series"] == "process"] == ["2026-11"]
    m = next(r for r in months if r["series"] == "process")
    assert m["lo"] < m["expected"] < m["hi"]
    # same input, same forecast
    again = forecast(store, by="root_cause", horizon="30d")
    assert again.rows("week") == out.rows("week")
    runner = CliRunner()
    r = runner.invoke(cli, ["forecast", "--store", str(store), "--by", "root_cause", "--horizon", "14d",
                            "--period", "week", "-o", str(tmp_path / "f.json")])
    assert r.exit_code == 0, r.output
    rows = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert {row["series"] for row in rows} == set(out.forecasts) and all(row["lo"] <= row["hi"] for row in rows)
    r = runner.invoke(cli, ["forecast", "--store", str(store), "--horizon", "7d", "-o", str(tmp_path / "f.csv")])
    assert r.exit_code == 0, r.output
    lines = (tmp_path / "f.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "series,by,period,days,expected,lo,hi,level" and len(lines) == 8


def test_forecast_csv_escapes_formulas_and_refuses_other_formats(store, tmp_path):
    """A series named by the user's own values (a channel '=HYPERLINK(...)') is text in the CSV,
    never a formula; -o f.xlsx is refused instead of writing CSV text Excel calls damaged."""
    from voc.forecast import csv_text

    text = csv_text([{"series": '=HYPERLINK("http://x","y")', "by": "channel", "expected": 1.0},
                     {"series": "-2+3", "by": "channel", "expected": 2.0}])
    assert text.splitlines()[1].startswith('"\'=HYPERLINK(') and text.splitlines()[2].startswith("'-2+3")
    for cmd in (["forecast", "--store", str(store), "-o", str(tmp_path / "f.xlsx")],
                ["staffing", "--store", str(store), "-o", str(tmp_path / "s.xlsx")]):
        r = CliRunner().invoke(cli, cmd)
        assert r.exit_code != 0 and ".csv or .json" in r.output and not (tmp_path / cmd[-1]).exists()


def test_staffing_uses_the_handle_time_metadata(store):
    s = staffing(store, horizon="2d", shrinkage=0.3)
    assert s["aht_source"] == "metadata.handle_time" and 250 < s["aht_seconds"] < 350
    assert len(s["hours"]) == 48 and len(s["days"]) == 2
    busy = max(s["hours"], key=lambda r: r["contacts"])
    assert 8 <= busy["hour"] <= 17 and busy["scheduled"] >= busy["agents"] >= 1
    assert all(r["service_level"] is None or r["service_level"] >= 0.8 for r in s["hours"])
    s2 = staffing(store, horizon="1d", aht="600s")
    assert s2["aht_source"] == "--aht" and s2["aht_seconds"] == 600
    r = CliRunner().invoke(cli, ["staffing", "--store", str(store), "--horizon", "1d", "--aht", "5min"])
    assert r.exit_code == 0 and "handle time 300 s (--aht)" in r.output and "peak agents" in r.output


def test_too_little_history_and_missing_extra(tmp_path, monkeypatch):
    db = tmp_path / "short.db"
    series = synth.daily_volume(date(2026, 10, 1), date(2026, 10, 31), base=30)
    with Store(db) as st:
        st.add_many(synth.volume_records(series))
    with pytest.raises(InputError, match="56"):
        forecast(db)
    with Store(tmp_path / "empty.db") as st:
        pass
    for fn in (forecast, staffing):  # an empty store says why, not "(None)"
        with pytest.raises(InputError, match=r"\(the store has no dated contacts\)"):
            fn(tmp_path / "empty.db")
    monkeypatch.setitem(sys.modules, "statsmodels", None)
    with pytest.raises(ConfigError, match=r"pip install 'voc-cx\[forecast\]'"):
        forecast(db)


# -- the monthly report's sections ------------------------------------------------------------
@pytest.fixture(scope="module")
def report(store):
    pytest.importorskip("jinja2")
    from voc.reports import monthly

    return monthly(store, "2026-10")


def test_report_sections(report, tmp_path):
    from voc.reports import monthly

    rep = report
    nxt = rep.table("下月预测")
    assert {row[0] for row in nxt.rows} == {"流程", "产品", "人员", "政策", "其他"}
    assert all(row[3] <= row[2] <= row[4] for row in nxt.rows)
    trend = rep.table("首次解决-趋势")
    assert trend.rows[-1][0] == "2026-10" and trend.rows[-1][1] > 0
    html = rep.to_html()
    assert 'id="fcr"' in html and 'id="next-month"' in html and "联络次数最多的问题" in html
    # a store with one month of history: the report renders and says why there is no forecast
    db = tmp_path / "one.db"
    with Store(db) as st:
        st.add_many(synth.volume_records(synth.daily_volume(date(2026, 10, 1), date(2026, 10, 31), base=5)))
        st.add_many(synth.planted_journeys(datetime(2026, 10, 2, tzinfo=synth.TZ)))
    rep = monthly(db, "2026-10")
    assert "少于预测所需的 56 天" in rep.context["outlook"]["message"]
    assert rep.context["journey"]["examples"][0]["customer"] == "JP01"
    html = rep.to_html()
    assert "少于预测所需" in html and "JP01" in html


MEASURE = """<script>
const q = s => document.querySelector(s);
const tbl = s => [...document.querySelectorAll(s + ' table')];
document.body.setAttribute('data-measure', JSON.stringify({
  width: window.innerWidth, overflow: document.documentElement.scrollWidth - window.innerWidth,
  fcr: !!q('#fcr') && q('#fcr').getBoundingClientRect().height > 100, fcr_tables: tbl('#fcr').length,
  next: !!q('#next-month') && q('#next-month').getBoundingClientRect().height > 50, next_tables: tbl('#next-month').length,
  sections_overflow: [...document.querySelectorAll('#fcr, #next-month')].map(s => s.scrollWidth - s.clientWidth),
}));
</script>"""


def test_report_sections_render_in_chromium(report, tmp_path):
    exe = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if exe is None:
        pytest.skip("no chromium binary (Debian: apt-get install chromium); .ci/run installs it")
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", report.to_html())
    page = page.replace("</body>", MEASURE + "</body>")
    frames = "".join(f'<iframe id="w{w}" style="width:{w}px;height:700px;border:0;display:block" '
                     f'srcdoc="{escape(page, quote=True)}"></iframe>' for w in (360, 1280))
    both = tmp_path / "both.html"
    both.write_text(f'<html><body style="margin:0">{frames}<script>for (const f of document.querySelectorAll'
                    f'("iframe")) f.addEventListener("load", e => document.body.setAttribute("data-" + f.id, '
                    f'e.target.contentDocument.body.getAttribute("data-measure")));</script></body></html>',
                    encoding="utf-8")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
           "--disable-background-networking", "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}",
           "--window-size=1300,900", "--dump-dom", both.as_uri()]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    for w in (360, 1280):
        m = re.search(rf'<body[^>]*data-w{w}="([^"]*)"', out.stdout)
        assert m, f"the page did not render: {out.stderr[-2000:]}"
        measure = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
        assert measure["width"] == w and measure["fcr"] and measure["next"], measure
        assert measure["fcr_tables"] == 2 and measure["next_tables"] == 1, measure
        assert measure["overflow"] <= 0 and max(measure["sections_overflow"]) <= 0, measure


# -- backtest (slow) --------------------------------------------------------------------------
@pytest.mark.slow
def test_backtest_beats_seasonal_naive_with_calibrated_intervals():
    from voc.forecast.backtest import backtest

    held, covered, mase, naive = 0, 0.0, [], []
    for seed in (1, 2, 3):
        s = synth.daily_volume(date(2023, 11, 1), date(2026, 10, 31), base=2000 if seed % 2 else 300, seed=seed)
        b = backtest([d for d, _ in s], [c for _, c in s], horizon=28, origins=12)
        held += b.held_out
        covered += b.covered
        mase.append(sum(b.mase) / len(b.mase))
        naive.append(sum(b.naive_mase) / len(b.naive_mase))
        assert mase[-1] < 1 and mase[-1] < naive[-1]
    assert 0.75 <= covered / held <= 0.85, covered / held
