"""Rolling-origin backtest of voc's daily volume model against weekly seasonal-naive.

No real contact-centre volume series is available to the project: by default the backtest
runs on synthetic series (bench/synth_store.py: growth, weekly pattern, yearly seasonality,
Chinese holidays with make-up working days, post-holiday surges, incidents, noise). Give
``--store`` to run it on your own store (overall, or ``--by root_cause`` ...).

    python bench/forecast_backtest.py                          # synthetic, 3 series
    python bench/forecast_backtest.py --store voc.db --by root_cause
    python bench/forecast_backtest.py --plot docs/forecast-spring-festival.png

Targets: MASE < 1 and below seasonal-naive's; 80 % intervals covering 75-85 % of held-out days.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synth_store import daily_volume  # noqa: E402

from voc.forecast.backtest import backtest  # noqa: E402


def synthetic(seeds: list[int]) -> dict[str, tuple[list[date], np.ndarray]]:
    out = {}
    for seed in seeds:
        s = daily_volume(date(2023, 11, 1), date(2026, 10, 31), base=2000 if seed % 2 else 300, seed=seed)
        out[f"synthetic-{seed}"] = ([d for d, _ in s], np.array([c for _, c in s], dtype=float))
    return out


def from_store(path: str, by: str | None) -> dict[str, tuple[list[date], np.ndarray]]:
    from voc.forecast.series import daily
    from voc.store import Store

    with Store(path, readonly=True) as st:
        days, series = daily(st, by)
    return {str(k): (days, np.asarray(v, dtype=float)) for k, v in series.items()}


def plot(path: Path, seed: int = 1) -> None:
    """Forecast from two weeks before the 2026 Spring Festival break, against what happened."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from voc.forecast import single_threaded
    from voc.forecast.backtest import seasonal_naive
    from voc.forecast.model import DailyModel

    s = daily_volume(date(2023, 11, 1), date(2026, 10, 31), base=2000, seed=seed)
    days, y = [d for d, _ in s], np.array([c for _, c in s], dtype=float)
    i = days.index(date(2026, 2, 1))
    h = 42
    with single_threaded():
        f = DailyModel().fit(days[:i], y[:i]).forecast(h)
    naive = seasonal_naive(y[:i], h)
    fig, ax = plt.subplots(figsize=(9, 4), dpi=110)
    ax.plot(days[i - 21:i + h], y[i - 21:i + h], color="#333", lw=1.4, label="actual (synthetic)")
    ax.fill_between(f.days, f.lo, f.hi, color="#4e79a7", alpha=0.25, label="80% interval")
    ax.plot(f.days, f.mean, color="#4e79a7", lw=1.6, label="voc forecast")
    ax.plot(f.days, naive, color="#e15759", lw=1, ls="--", label="seasonal naive")
    ax.axvspan(date(2026, 2, 15), date(2026, 2, 23) + timedelta(days=1), color="#f28e2b", alpha=0.12,
               label="Spring Festival break 2026-02-15..23")
    ax.axvline(days[i], color="#999", lw=0.8)
    ax.set_title("Daily contacts around the 2026 Spring Festival: forecast made on 2026-02-01")
    ax.legend(loc="upper left", fontsize=8, ncol=2)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default=None, help="backtest the series of this store instead of synthetic ones")
    ap.add_argument("--by", default=None, help="with --store: one series per value of this column")
    ap.add_argument("--seeds", default="1,2,3", help="synthetic series (odd seeds ~2000 a day, even ~300)")
    ap.add_argument("--horizon", type=int, default=28)
    ap.add_argument("--origins", type=int, default=12)
    ap.add_argument("--plot", default=None, help="also draw the Spring Festival forecast to this PNG")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    series = from_store(args.store, args.by) if args.store else synthetic([int(s) for s in args.seeds.split(",")])
    results = []
    for name, (days, y) in series.items():
        if len(days) < args.horizon + 56 + 7:
            results.append({"series": name, "skipped": f"{len(days)} days of history"})
            continue
        results.append(backtest(days, y, name, horizon=args.horizon, origins=args.origins).summary())
    done = [r for r in results if "mase" in r and r["mase"] is not None]
    held = sum(r["held_out_days"] for r in done)
    pooled = {"mase": float(np.mean([r["mase"] for r in done])) if done else None,
              "naive_mase": float(np.mean([r["naive_mase"] for r in done])) if done else None,
              "coverage": sum(r["coverage"] * r["held_out_days"] for r in done) / held if held else None,
              "held_out_days": held, "seconds": round(time.perf_counter() - t0, 1),
              "data": args.store or "synthetic (bench/synth_store.py)"}
    if args.plot:
        plot(Path(args.plot))
    print(json.dumps({"series": results, "pooled": pooled}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
