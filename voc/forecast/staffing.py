"""Agents needed for a service level, by Erlang C (M/M/c: Poisson arrivals, exponential handle
times, callers who wait and do not hang up).

Written here rather than taken from ``pyworkforce`` (whose ``queuing.ErlangC`` computes the same
formula): pyworkforce brings OR-Tools, pandas and joblib along for these twenty lines, and its
published Python versions stop at 3.11. The formula is checked in tests/test_forecast.py
against the worked example that pyworkforce publishes in its README (100 contacts in 30
minutes, 3-minute handle time, 80 % in 20 s -> 14 agents, service level 0.8884, probability of
waiting 0.1741) and against the Erlang C tables' defining identities.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Sequence

from ..errors import ConfigError
from ..store import Store

# metadata keys that hold the handle time (or call duration) of a contact, in seconds
HANDLE_TIME_KEYS = ("handle_time", "handling_time", "aht", "handle_seconds", "duration", "call_duration", "talk_time",
                    "处理时长", "通话时长", "时长")
_SECONDS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|秒|m|min|mins|minutes?|分钟?)?\s*$", re.I)


def parse_seconds(value: str | int | float | timedelta) -> float:
    """``300s``, ``5min``, ``20`` (seconds), ``20秒`` as seconds."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (int, float)):
        return float(value)
    m = _SECONDS.match(str(value))
    if not m:
        raise ConfigError(f"cannot read the time {value!r}; write seconds or minutes, e.g. 300s, 20s or 5min.")
    n, unit = float(m.group(1)), (m.group(2) or "s").lower()
    return n * 60 if unit[0] in "m分" else n


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a contact waits (Erlang C) with ``agents`` agents and ``traffic``
    Erlangs (arrival rate x handle time); 1 when the agents cannot keep up."""
    if agents <= traffic:
        return 1.0
    # Erlang B by its stable recurrence B(k) = A B(k-1) / (k + A B(k-1)), then C from B
    b = 1.0
    for k in range(1, agents + 1):
        b = traffic * b / (k + traffic * b)
    return agents * b / (agents - traffic * (1 - b))


def service_level(agents: int, traffic: float, aht: float, answer_within: float) -> float:
    """Share of contacts answered within ``answer_within`` seconds."""
    if agents <= traffic:
        return 0.0
    return max(0.0, 1 - erlang_c(agents, traffic) * math.exp(-(agents - traffic) * answer_within / aht))


def agents_needed(contacts: float, interval: float, aht: float, target: float = 0.8, answer_within: float = 20.0,
                  max_occupancy: float = 1.0) -> dict[str, Any]:
    """Fewest agents for ``contacts`` arriving in ``interval`` seconds, each taking ``aht``
    seconds, so that ``target`` of them are answered within ``answer_within`` seconds (and
    occupancy stays at or below ``max_occupancy``)."""
    if not 0 < target < 1:
        raise ConfigError(f"the service level target must be between 0 and 1, not {target}; give e.g. 0.8.")
    if aht <= 0 or interval <= 0:
        raise ConfigError("the handle time and the interval must be longer than zero; give e.g. --aht 300s.")
    if aht > 86400:  # the agents needed grow with it: a year-long call would search for ever
        raise ConfigError(f"a handle time of {aht:,.0f} s is over a day; give the average time one contact takes, "
                          f"e.g. --aht 300s.")
    traffic = contacts * aht / interval
    if contacts <= 0:
        return {"traffic": 0.0, "agents": 0, "service_level": None, "occupancy": None, "wait_probability": 0.0}
    n = max(1, math.floor(traffic) + 1)
    while service_level(n, traffic, aht, answer_within) < target or traffic / n > max_occupancy:
        n += 1
    return {"traffic": traffic, "agents": n, "service_level": service_level(n, traffic, aht, answer_within),
            "occupancy": traffic / n, "wait_probability": erlang_c(n, traffic)}


def with_shrinkage(agents: int, shrinkage: float) -> int:
    """Agents to schedule so that ``agents`` are on the phones when ``shrinkage`` of paid time
    goes to breaks, training and absence."""
    if not 0 <= shrinkage < 1:
        raise ConfigError(f"shrinkage must be in [0, 1), not {shrinkage}; give e.g. 0.3.")
    return math.ceil(agents / (1 - shrinkage) - 1e-9)


@dataclass
class HandleTime:
    seconds: float
    source: str          # the metadata key, or "--aht" / "default"
    contacts: int = 0    # contacts the average is taken over


def handle_time(store: Store, aht: str | float | None = None, days: int = 90, default: float = 300.0,
                keys: Sequence[str] = HANDLE_TIME_KEYS) -> HandleTime:
    """The average handle time: ``aht`` when given, else the mean of the first metadata key of
    ``keys`` that the store's contacts of the last ``days`` days carry as a number of seconds,
    else ``default``."""
    if aht not in (None, ""):
        return HandleTime(parse_seconds(aht), "--aht")
    last = store.query("SELECT MAX(ts) FROM contacts")[0][0]
    if last is not None:
        since = last - days * 86400
        for key in keys:
            path = f'$.metadata."{key}"'
            n, mean = store.query(
                "SELECT COUNT(*), AVG(CAST(json_extract(extra, ?) AS REAL)) FROM contacts WHERE ts >= ? "
                "AND json_type(extra, ?) IN ('integer', 'real') AND CAST(json_extract(extra, ?) AS REAL) > 0",
                (path, since, path, path))[0]
            if n:
                return HandleTime(float(mean), f"metadata.{key}", n)
    return HandleTime(default, "default")
