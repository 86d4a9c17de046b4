"""Every number the site shows goes through here: one place for 万元, %,
thousands separators and empty values."""
from __future__ import annotations

from yusuan.schema import DIRECTIONS, STATUSES

DASH = "—"


def is_missing(x) -> bool:
    """None or NaN (the one value not equal to itself)."""
    return x is None or x != x


def money(x, digits: int = 2) -> str:
    """An amount in 万元: `1,704.86`; missing → —."""
    if x is None or x != x:
        return DASH
    return f"{x:,.2f}" if digits == 2 else f"{x:,.{digits}f}"   # the constant spec is 3x faster


def money_unit(x) -> str:
    return DASH if is_missing(x) else f"{money(x)} 万元"


def signed(x) -> str:
    """A change: `+12.50` / `-87.63`."""
    if is_missing(x):
        return DASH
    return f"{x:+,.2f}"


def pct(x, digits: int = 1) -> str:
    return DASH if is_missing(x) else f"{x:,.{digits}f}%"


def share(part, whole, digits: int = 1) -> str:
    """part / whole as a percentage; — when either is missing or whole is 0."""
    if is_missing(part) or is_missing(whole) or not whole:
        return DASH
    return pct(part / whole * 100, digits)


def integer(x) -> str:
    return DASH if is_missing(x) else f"{int(x):,}"


def number(x) -> str:
    """A quantity (floor area, vehicles): no trailing zeros."""
    if is_missing(x):
        return DASH
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def filesize(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


def text(x) -> str:
    return "" if is_missing(x) else str(x)


def date(x) -> str:
    return DASH if is_missing(x) or x == "" else str(x)[:10]


STATUS = dict(zip(STATUSES, ("通过", "舍入差", "不符")))
DIRECTION = dict(zip(DIRECTIONS, ("增加", "减少", "持平")))


def status(x) -> str:
    return STATUS.get(x, text(x))


FILTERS = {
    "money": money, "money_unit": money_unit, "signed": signed, "pct": pct, "integer": integer,
    "number": number, "filesize": filesize, "text": text, "date": date, "status": status,
}
