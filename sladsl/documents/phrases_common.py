"""What every clause's sentence builds on: the `Context` (zone, fee, objective), the real
lengths of periods in a time zone, percentages, period words, names and dates.

Why its own module: the sentences of objectives (`phrases_objectives`) and of credits,
support and reports (`phrases_terms`) both use these, and `sladsl.documents.phrases`
gathers the sentences into the `PHRASES` table.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

from sladsl.language import ast
from sladsl.language.ast import PeriodKind
from sladsl.language.periods import REFERENCE_YEAR, SPAN_YEARS, next_start, window_from
from sladsl.language.units import describe_seconds
from sladsl.language.words import ordinal

HUNDRED = Decimal(100)


DAY = Decimal(86400)


# The nominal lengths a period can have, in days, in the order the document lists them.
PERIOD_LENGTHS: dict[PeriodKind, tuple[tuple[int, str], ...]] = {
    PeriodKind.MONTH: (
        (30, "a 30-day month"),
        (31, "a 31-day month"),
        (28, "a 28-day February"),
        (29, "a 29-day February"),
    ),
    PeriodKind.QUARTER: ((90, "a 90-day quarter"), (91, "a 91-day quarter"), (92, "a 92-day quarter")),
    PeriodKind.YEAR: ((365, "a 365-day year"), (366, "a leap year")),
    PeriodKind.WEEK: ((7, "a week"),),
}


@dataclass(frozen=True, slots=True)
class Context:
    """What a clause's sentence needs beyond the clause itself."""

    zone: str = "UTC"
    first_year: int = REFERENCE_YEAR
    years: int = SPAN_YEARS
    fee: ast.Money | None = None  # the monthly fee credits are computed from
    period: ast.Period | None = None  # the period of the objective a clause belongs to
    objective: str | None = None  # the name of that objective
    cap: Decimal | None = None  # the per-period credit cap in money, where known
    minimum: Decimal | None = None  # the credit minimum, where stated
    maintenance: bool = False  # the objective excludes announced maintenance
    excludes: bool = False  # the objective excludes maintenance or causes
    averaged: bool = False  # the objective's availability is an average error rate (no downtime as such)

    @property
    def span(self) -> tuple[str, int, int]:
        """The zone and years over which period lengths are collected (`period_lengths` arguments)."""
        return (self.zone, self.first_year, self.years)


DEFAULT = Context()


def percent(value: Decimal) -> str:
    return f"{value}%"


def period_words(period: ast.Period) -> str:
    return {
        "calendar month": "each calendar month",
        "calendar quarter": "each calendar quarter",
        "calendar year": "each calendar year",
        "week": "each week (Monday to Sunday)",
    }[period.kind.value]


def periods_plural(period: ast.Period | None, count: int) -> str:
    """`3 consecutive calendar months` needs `calendar months`; `1 week` needs `week`."""
    if period is None:
        return "period" if count == 1 else "periods"
    word = {"calendar month": "month", "calendar quarter": "quarter", "calendar year": "year", "week": "week"}[
        period.kind.value
    ]
    return word if count == 1 else f"{word}s"


def whole_seconds(seconds: Decimal) -> str:
    """Allowed downtime in words, rounded down to whole seconds (never promising more)."""
    return describe_seconds(seconds.to_integral_value(rounding=ROUND_FLOOR)) or "no time at all"


# ---- the real lengths of periods ------------------------------------------------------------


@functools.cache
def period_lengths(kind: PeriodKind, zone: str, first_year: int, years: int) -> tuple[tuple[str, Decimal], ...]:
    """(name, seconds) for every distinct length a period of this kind really has in `zone`.

    Periods run between local midnights (as evaluation measures them, `periods.window_from`),
    so a month in which the clocks go forward is an hour short. Lengths are collected over
    `years` years from `first_year` and listed in the nominal order of `PERIOD_LENGTHS`,
    each nominal length before its shorter and longer daylight-saving variants.
    """
    # An agreement effective in the year 1 or 9999 still has months: the span stays a year
    # inside the calendar Python has, whatever the zone's offset (its lengths are the same).
    first_year = max(date.min.year + 1, min(first_year, date.max.year - 1 - years))
    tz = ZoneInfo(zone)
    first = date(first_year, 1, 1) if kind is not PeriodKind.WEEK else date.fromisocalendar(first_year, 1, 1)
    stop = date(first_year + years, 1, 1)
    found: set[tuple[int, Decimal]] = set()
    while first < stop:
        window = window_from(kind, first, tz)
        after = next_start(kind, first)
        found.add(((after - first).days, window.seconds))
        first = after
    order = {days: (index, name) for index, (days, name) in enumerate(PERIOD_LENGTHS[kind])}
    nominal = {days: name for days, name in PERIOD_LENGTHS[kind]}

    def key(item: tuple[int, Decimal]) -> tuple[int, int, Decimal]:
        days, seconds = item
        drift = seconds - days * DAY
        return (order[days][0], 0 if drift == 0 else 1 if drift < 0 else 2, abs(drift))

    named = []
    for days, seconds in sorted(found, key=key):
        drift = seconds - days * DAY
        name = nominal[days]
        if drift:
            verb = "loses" if drift < 0 else "gains"
            prep = "to" if drift < 0 else "from"
            hours = seconds / 3600
            size = f"{hours:f} hours" if hours == hours.to_integral_value() else describe_seconds(seconds)
            name = f"{name} that {verb} {describe_seconds(abs(drift))} {prep} daylight saving ({size})"
        named.append((name, seconds))
    return tuple(named)


def real_lengths_differ(kind: PeriodKind, context: Context) -> bool:
    """Whether daylight saving in the zone makes some periods differ from whole days."""
    return any(s % DAY for _, s in period_lengths(kind, context.zone, context.first_year, context.years))


def decimal_ordinal(value: Decimal) -> str:
    if value != value.to_integral_value():
        return f"{value}th"
    return ordinal(int(value))


_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def ordinal_word(n: int) -> str:
    """`second` for 2; `13th` beyond ten."""
    return _ORDINAL_WORDS[n - 1] if 1 <= n <= len(_ORDINAL_WORDS) else decimal_ordinal(Decimal(n))


def names_list(names: list[str]) -> str:
    """`Standard`, `Standard and Premium`, `Standard, Premium and Enterprise`."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"
