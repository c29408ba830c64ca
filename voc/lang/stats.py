"""Dunning's log-likelihood ratio G² of a 2×2 table, and its p-value (chi-square, 1 df)."""
from __future__ import annotations

import math


def g2(a: int, n1: int, b: int, n2: int) -> float:
    """G² of ``a`` of ``n1`` versus ``b`` of ``n2``; 0.0 when the table has no contrast."""
    cells = ((a, n1), (n1 - a, n1), (b, n2), (n2 - b, n2))
    total, hits = n1 + n2, a + b
    if total == 0 or hits in (0, total):
        return 0.0
    g = 0.0
    for i, (o, n) in enumerate(cells):
        e = n * (hits if i % 2 == 0 else total - hits) / total
        if o > 0 and e > 0:
            g += o * math.log(o / e)
    return max(0.0, 2 * g)


def p_chi2_1(g: float) -> float:
    """Upper tail of chi-square with 1 degree of freedom."""
    return math.erfc(math.sqrt(max(g, 0.0) / 2))


def g2_test(a: int, n1: int, b: int, n0: int) -> tuple[float, float, float]:
    """(G², p, ratio of shares) of ``a`` of ``n1`` contacts in the period versus ``b`` of ``n0``
    in the baseline; the ratio smooths the baseline count by 0.5."""
    if n1 <= 0 or n0 <= 0:
        return 0.0, 1.0, float("nan")
    g = g2(a, n1, b, n0)
    return g, p_chi2_1(g), (a / n1) / ((b + 0.5) / (n0 + 0.5))
