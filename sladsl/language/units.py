"""Durations and periods in words and numbers, shared by the checker and the documents."""

from __future__ import annotations

from decimal import Decimal

from sladsl.language.ast import Duration, PeriodKind, TimeUnit
from sladsl.language.periods import shortest_real_period

_DAY = Decimal(86400)

# The shortest instance of each period, in days (February; Q1 of a common year).
_SHORTEST_DAYS = {PeriodKind.MONTH: 28, PeriodKind.QUARTER: 90, PeriodKind.YEAR: 365, PeriodKind.WEEK: 7}


def shortest_period_seconds(kind: PeriodKind, zone: str | None = None) -> Decimal:
    """The shortest length a period of this kind can have; with `zone`, counting the hours
    daylight saving takes away (a week in which the clocks go forward has 167 hours)."""
    if zone is None:
        return _DAY * _SHORTEST_DAYS[kind]
    return shortest_real_period(kind, zone)


def _digits(amount: Decimal | int) -> str:
    """A number as written, never with an exponent (`0.0000001`, not `1E-7`)."""
    return format(amount, "f") if isinstance(amount, Decimal) else str(amount)


def _plural(amount: Decimal | int, word: str) -> str:
    return f"{_digits(amount)} {word}" if amount == 1 else f"{_digits(amount)} {word}s"


def describe_duration(d: Duration) -> str:
    """`4 business hours`, `500 ms`, `1 minute`: as a reader would say it."""
    if d.unit is TimeUnit.MILLISECOND:
        return f"{_digits(d.amount)} ms"
    word = f"business {d.unit.value}" if d.business else d.unit.value
    return _plural(d.amount, word)


def describe_seconds(seconds: Decimal) -> str:
    """An exact number of seconds as days, hours, minutes and seconds: `43 minutes 12 seconds`."""
    if seconds < 1:
        return f"{(seconds * 1000).normalize():f} ms"
    whole = int(seconds)
    fraction = seconds - whole
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [_plural(n, w) for n, w in ((days, "day"), (hours, "hour"), (minutes, "minute")) if n]
    sec_value = (secs + fraction).normalize() if fraction else Decimal(secs)
    if sec_value:
        parts.append(_plural(Decimal(f"{sec_value:f}"), "second"))
    return " ".join(parts)
