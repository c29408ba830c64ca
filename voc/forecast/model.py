"""The daily volume model: a regression with ARIMA errors on the log of the daily count
(statsmodels ``SARIMAX``), with the calendar of ``voc.forecast.calendar`` as regressors.

    log(1 + y_t) = x_t' b + u_t,   (1 - phi B) (1 - B) u_t = (1 + theta B) e_t

x_t: weekday dummies, holiday off days, make-up working days, the Spring Festival break, the
day before and the working days after a long break, and Fourier terms of the year when the
history covers two years. The differenced ARMA(1,1) errors follow a drifting level (a local
level with short-term memory), so growth is tracked without a fixed trend line; a constant in
the differenced model is the drift. Intervals are those of the fitted model (Gaussian on the
log scale, so they are skewed upwards on counts); sums over weeks and months take quantiles of
simulated paths, which keeps the day-to-day correlation.
"""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence

import numpy as np

from ..errors import InputError
from .calendar import features, need

log = logging.getLogger(__name__)

MIN_DAYS = 56          # eight weeks: below this a forecast is not attempted
YEARLY_DAYS = 730      # two years of history before yearly Fourier terms are fitted
YEARLY_TERMS = 3
ORDER = (1, 1, 1)


@dataclass
class Forecast:
    """Daily forecasts of one series: ``mean`` (the median on counts), ``lo``/``hi`` (the
    ``level`` interval), and ``paths`` (simulated daily counts, paths x days)."""

    name: str
    days: list[date]
    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    level: float
    paths: np.ndarray

    def total(self, start: date | None = None, end: date | None = None) -> tuple[float, float, float]:
        """(median, lo, hi) of the sum over ``start <= day < end`` (default: the whole horizon)."""
        idx = [i for i, d in enumerate(self.days) if (start is None or d >= start) and (end is None or d < end)]
        if not idx:
            return 0.0, 0.0, 0.0
        s = self.paths[:, idx].sum(axis=1)
        a = (1 - self.level) / 2
        return float(np.median(s)), float(np.quantile(s, a)), float(np.quantile(s, 1 - a))


class DailyModel:
    """Fit on a daily series (``days`` consecutive, ``counts``), then ``forecast(h)``."""

    def __init__(self, name: str = "all", yearly: int | None = None, order: tuple[int, int, int] = ORDER):
        self.name, self.yearly, self.order = name, yearly, order

    def fit(self, days: Sequence[date], counts: Sequence[float]) -> "DailyModel":
        need("statsmodels")
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        if len(days) < MIN_DAYS:
            raise InputError(f"{self.name}: {len(days)} days of history; a forecast needs at least {MIN_DAYS} "
                             f"(eight weeks).")
        self.days_ = list(days)
        y = np.log1p(np.asarray(counts, dtype=float))
        k = self.yearly if self.yearly is not None else (YEARLY_TERMS if len(days) >= YEARLY_DAYS else 0)
        self.k_ = k
        x, self.columns_ = features(self.days_, k)
        keep = x.std(axis=0) > 0  # regressors that never vary in the history cannot be fitted
        self.keep_ = keep
        x = x[:, keep]
        # step 1: the calendar effects by least squares on the log counts, with a level and a
        # linear trend beside them (they absorb the slow movement; the errors model it below)
        t = np.arange(len(y), dtype=float) / 365.25
        design = np.column_stack([np.ones_like(t), t, x])
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)
        self.beta_ = coef[2:]
        # step 2: ARIMA errors on what the calendar does not explain (level, drift, memory)
        u = y - x @ self.beta_
        model = SARIMAX(u, order=self.order, trend="c" if self.order[1] else "ct", concentrate_scale=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.result_ = model.fit(disp=False, maxiter=200)
        return self

    def forecast(self, horizon: int, level: float = 0.8, paths: int = 500, seed: int = 0) -> Forecast:
        last = self.days_[-1]
        fdays = [last + timedelta(days=i + 1) for i in range(horizon)]
        x, _ = features(self.days_ + fdays, self.k_)
        xf = x[len(self.days_):, self.keep_]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = self.result_.get_forecast(horizon)
            effect = xf @ self.beta_
            mu = np.asarray(pred.predicted_mean) + effect
            ci = np.asarray(pred.conf_int(alpha=1 - level)) + effect[:, None]
            sims = self.result_.simulate(horizon, repetitions=paths, anchor="end", rng=np.random.default_rng(seed))
        sims = np.asarray(sims).reshape(horizon, -1).T + effect  # paths x days
        back = lambda v: np.clip(np.expm1(v), 0, None)  # noqa: E731
        return Forecast(self.name, fdays, back(mu), back(ci[:, 0]), back(ci[:, 1]), level, back(sims))

    def effects(self) -> dict[str, float]:
        """Fitted regressor coefficients as multipliers (exp of the log-scale effect)."""
        names = [n for n, k in zip(self.columns_, self.keep_) if k]
        return {n: float(np.exp(b)) for n, b in zip(names, self.beta_)}
