"""Rolling-origin backtest of the daily model against the weekly seasonal-naive forecast.

At each origin the model is fitted on the days before it and forecasts the next ``horizon``
days; seasonal-naive repeats the last observed week. MASE divides the mean absolute error by
the in-sample mean absolute error of the one-week-back forecast (Hyndman & Koehler 2006, with
period 7), so the two methods are on one scale: below 1 beats the in-sample weekly naive, and
the model should beat seasonal-naive's own MASE. Coverage: the share of held-out days inside
the model's ``level`` interval.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Sequence

import numpy as np

from .model import MIN_DAYS, DailyModel


@dataclass
class Backtest:
    name: str
    horizon: int
    level: float
    origins: list[date] = field(default_factory=list)
    mase: list[float] = field(default_factory=list)
    naive_mase: list[float] = field(default_factory=list)
    covered: int = 0
    held_out: int = 0

    @property
    def coverage(self) -> float | None:
        return self.covered / self.held_out if self.held_out else None

    def summary(self) -> dict[str, Any]:
        return {"series": self.name, "origins": len(self.origins), "horizon_days": self.horizon,
                "mase": float(np.mean(self.mase)) if self.mase else None,
                "naive_mase": float(np.mean(self.naive_mase)) if self.naive_mase else None,
                "coverage": self.coverage, "level": self.level, "held_out_days": self.held_out,
                "first_origin": str(self.origins[0]) if self.origins else None,
                "last_origin": str(self.origins[-1]) if self.origins else None}


def seasonal_naive(history: np.ndarray, horizon: int, period: int = 7) -> np.ndarray:
    last = history[-period:]
    return np.array([last[h % period] for h in range(horizon)], dtype=float)


def mase_scale(history: np.ndarray, period: int = 7) -> float:
    d = np.abs(history[period:] - history[:-period])
    return float(d.mean()) if len(d) and d.mean() > 0 else 1.0


def backtest(days: Sequence[date], counts: Sequence[float], name: str = "all", horizon: int = 28, origins: int = 8,
             step: int | None = None, level: float = 0.8, min_train: int = 365) -> Backtest:
    """``origins`` forecast origins, ``step`` days apart (default ``horizon``), the last one
    ``horizon`` days before the end; each fit uses at least ``min_train`` days (or what there is,
    down to the model's minimum)."""
    y = np.asarray(counts, dtype=float)
    step = step or horizon
    out = Backtest(name, horizon, level)
    last = len(y) - horizon
    starts = [last - k * step for k in range(origins)][::-1]
    floor = min(min_train, max(MIN_DAYS, len(y) - horizon - step * (origins - 1)))
    from . import single_threaded  # the package imports this module lazily: no cycle

    with single_threaded():
        for i in starts:
            if i >= floor:
                _one(out, days, y, i, horizon, level)
    return out


def _one(out: Backtest, days: Sequence[date], y: np.ndarray, i: int, horizon: int, level: float) -> None:
    """Fit on the days before ``i``, forecast ``horizon`` days, score against the held-out days."""
    f = DailyModel(out.name).fit(days[:i], y[:i]).forecast(horizon, level=level, paths=50)
    actual = y[i:i + horizon]
    scale = mase_scale(y[:i])
    out.origins.append(days[i])
    out.mase.append(float(np.mean(np.abs(f.mean - actual)) / scale))
    out.naive_mase.append(float(np.mean(np.abs(seasonal_naive(y[:i], horizon) - actual)) / scale))
    out.covered += int(((actual >= f.lo) & (actual <= f.hi)).sum())
    out.held_out += len(actual)
