"""Check digits and structure of the numbers redaction looks for: a Chinese resident ID
(province code, birth date, ISO 7064 check character) and a payment card (Luhn, issuer
prefix). Pure functions of a digit string; ``voc.text.redact`` uses them to tell a real ID or
card from an order number of the same length."""
from __future__ import annotations

__all__ = ["PROVINCES", "valid_date", "id_structure_ok", "id_shaped", "id_valid", "luhn", "card_iin_plausible"]

PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def valid_date(y: int, m: int, d: int) -> bool:
    if not (1900 <= y <= 2030 and 1 <= m <= 12 and d >= 1):
        return False
    if m == 2:
        leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
        return d <= (29 if leap else 28)
    return d <= (30 if m in (4, 6, 9, 11) else 31)


def id_structure_ok(d17: str) -> bool:
    """Province code and birth date of an 18-digit resident ID are plausible."""
    return d17[:2] in PROVINCES and valid_date(int(d17[6:10]), int(d17[10:12]), int(d17[12:14]))


def id_shaped(d: str) -> bool:
    """Loosely shaped like a resident ID: province code, 19xx/20xx year, month
    01-12, day 01-31 (the day may not exist in that month)."""
    return (d[:2] in PROVINCES and d[6:8] in ("19", "20") and "01" <= d[10:12] <= "12"
            and "01" <= d[12:14] <= "31")


def id_valid(value: str) -> bool:
    """value: 17 digits + check char (uppercase X)."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    if not id_structure_ok(value[:17]):
        return False
    s = sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS))
    return _ID_CHECK[s % 11] == value[17]


_LUHN_DOUBLE = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn(digits: str) -> bool:
    rev = digits[::-1]
    total = sum(map(int, rev[0::2])) + sum(_LUHN_DOUBLE[int(c)] for c in rev[1::2])
    return total % 10 == 0


def card_iin_plausible(d: str) -> bool:
    """Issuer prefix of a payment card: UnionPay 62/60/9, Visa 4, Mastercard
    51-55 and 2221-2720, JCB/Amex/Diners 3."""
    c = d[0]
    if c in "3456":
        return True
    if c == "9":
        return d[:2] in ("95", "96", "99")
    if c == "2":
        return 2221 <= int(d[:4]) <= 2720
    return False
