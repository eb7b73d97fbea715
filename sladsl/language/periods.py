"""Measurement periods as exact instants in the agreement's time zone.

A `--period` label names one period (`2026-10`, `2026-Q4`, `2026`, `2026-W14`). Its
start and end are local midnights in the agreement's zone, so a period's true length
follows daylight-saving changes (a March in Europe/Berlin is one hour short of 31 days).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from sladsl.language.ast import Duration, PeriodKind, TimeUnit
from sladsl.language.diagnostics import SladslError

_LABELS = [
    (re.compile(r"^(\d{4})-(\d{2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})-Q([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
    (re.compile(r"^(\d{4})-W(\d{2})$"), PeriodKind.WEEK),
]


@dataclass(frozen=True, slots=True)
class Window:
    """One period: [start, end) as aware datetimes in the agreement's zone."""

    kind: PeriodKind
    label: str
    start: datetime
    end: datetime

    @property
    def seconds(self) -> Decimal:
        """True length in seconds, measured between the UTC instants."""
        return Decimal((self.end.astimezone(UTC) - self.start.astimezone(UTC)) // timedelta(microseconds=1)) / 10**6

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    @property
    def start_us(self) -> int:
        return epoch_us(self.start)

    @property
    def end_us(self) -> int:
        return epoch_us(self.end)

    def part(self, start_us: int, end_us: int) -> Window:
        """The same period cut to [start, end): a customer subscribed for part of it."""
        tz = self.start.tzinfo
        return replace(self, start=from_epoch_us(start_us, tz), end=from_epoch_us(end_us, tz))


def epoch_us(moment: datetime) -> int:
    return (moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def from_epoch_us(us: int, tz: tzinfo | None) -> datetime:
    """The inverse of `epoch_us`, exactly (no float seconds), in the given zone."""
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)).astimezone(tz)


def parse_label(label: str, zone: str) -> Window:
    """The period a label names, or a `SladslError` that shows the accepted forms."""
    for pattern, kind in _LABELS:
        match = pattern.match(label)
        if match:
            year = int(match.group(1))
            if not 1970 <= year <= 9998:  # evidence is in epoch microseconds; a period needs its end
                raise SladslError(f"--period {label!r}: the year must be between 1970 and 9998")
            return _window(kind, label, year, int(match.group(2)) if match.lastindex == 2 else 0, zone)
    raise SladslError(
        f"--period {label!r} is not a period: use 2026-10 (a month), 2026-Q4 (a quarter), 2026 (a year) or 2026-W14 (a week)"
    )


MAX_RANGE = 400  # periods in one `--period A..B`: 33 years of months


def parse_range(text: str, zone: str) -> list[Window]:
    """`2026-01..2026-12`: every period from the first to the last, of one kind, in order;
    a single label is a range of one."""
    first_label, sep, last_label = text.partition("..")
    first = parse_label(first_label.strip(), zone)
    if not sep:
        return [first]
    last = parse_label(last_label.strip(), zone)
    if last.kind is not first.kind:
        raise SladslError(f"--period {text!r}: both ends must be the same kind of period ({first.kind.value})")
    if last.start < first.start:
        raise SladslError(f"--period {text!r}: the range ends before it starts")
    periods = [first]
    while periods[-1].label != last.label:
        if len(periods) >= MAX_RANGE:
            raise SladslError(f"--period {text!r}: more than {MAX_RANGE} periods")
        following = next_start(first.kind, periods[-1].first_day)
        periods.append(window_from(first.kind, following, ZoneInfo(zone)))
    return periods


def _window(kind: PeriodKind, label: str, year: int, part: int, zone: str) -> Window:
    tz = ZoneInfo(zone)
    try:
        if kind is PeriodKind.MONTH:
            first = date(year, part, 1)
        elif kind is PeriodKind.QUARTER:
            first = date(year, 3 * part - 2, 1)
        elif kind is PeriodKind.YEAR:
            first = date(year, 1, 1)
        else:
            first = date.fromisocalendar(year, part, 1)
    except ValueError:
        raise SladslError(f"--period {label!r} does not exist") from None
    return window_from(kind, first, tz, label)


def window_from(kind: PeriodKind, first: date, tz: ZoneInfo, label: str | None = None) -> Window:
    last = next_start(kind, first)
    start = datetime(first.year, first.month, first.day, tzinfo=tz)
    end = datetime(last.year, last.month, last.day, tzinfo=tz)
    return Window(kind, label or label_of(kind, first), start, end)


def next_start(kind: PeriodKind, first: date) -> date:
    if kind is PeriodKind.WEEK:
        return first + timedelta(days=7)
    return add_months(first, kind.months or 0)


def label_of(kind: PeriodKind, first: date) -> str:
    if kind is PeriodKind.MONTH:
        return f"{first.year}-{first.month:02d}"
    if kind is PeriodKind.QUARTER:
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    if kind is PeriodKind.YEAR:
        return str(first.year)
    year, week, _ = first.isocalendar()
    return f"{year}-W{week:02d}"


def containing(kind: PeriodKind, moment: datetime, zone: str) -> Window:
    """The period of this kind that contains a moment (for caps that span several periods)."""
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz).date()
    if kind is PeriodKind.MONTH:
        first = local.replace(day=1)
    elif kind is PeriodKind.QUARTER:
        first = date(local.year, (local.month - 1) // 3 * 3 + 1, 1)
    elif kind is PeriodKind.YEAR:
        first = date(local.year, 1, 1)
    else:
        first = local - timedelta(days=local.weekday())
    return window_from(kind, first, tz)


def add_months(day: date, months: int) -> date:
    """The same day `months` on; the month's last day when that day does not exist."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def add_calendar(day: date, duration: Duration) -> date:
    """A date plus a duration in whole days, weeks, months or years."""
    if duration.unit is TimeUnit.MONTH:
        return add_months(day, int(duration.amount))
    if duration.unit is TimeUnit.YEAR:
        return add_months(day, 12 * int(duration.amount))
    return day + timedelta(seconds=float(duration.seconds) // 86400 * 86400)


# ---- the moment a report is made ---------------------------------------------------------


def cutoff_us(as_of: date | None, zone: str) -> int:
    """The instant a report is made at: the end of `--as-of`'s day in the agreement's zone
    (as evidence is judged, `Context.cutoff_us`), or now without it."""
    if as_of is None:
        return epoch_us(datetime.now(UTC))
    following = as_of + timedelta(days=1)
    return epoch_us(datetime(following.year, following.month, following.day, tzinfo=ZoneInfo(zone)))


def refuse_unstarted(window: Window, cutoff: int, as_of: date | None) -> None:
    """A period that has not started has no evidence and no verdict: judging it would only
    invent one (a typo in `--period` must not pay the maximum credit)."""
    if window.start_us >= cutoff:
        when = f"as of {as_of.isoformat()}" if as_of else "yet"
        raise SladslError(f"--period {window.label}: the period has not started {when}; nothing can be judged")


def windows_within(window: Window, kind: PeriodKind) -> list[Window]:
    """The periods of a shorter `kind` that start inside `window`, in order (a week that
    starts on the last day of a month belongs to that month)."""
    tz = window.start.tzinfo
    assert isinstance(tz, ZoneInfo)
    found: list[Window] = []
    current = containing(kind, window.start, str(tz))
    while current.start < window.end:
        if current.start >= window.start:
            found.append(current)
        current = window_from(kind, next_start(kind, current.first_day), tz)
    return found


def is_shorter(kind: PeriodKind, than: PeriodKind) -> bool:
    """Whether periods of `kind` fit inside one of `than` (a week fits in every other kind)."""
    if kind is than:
        return False
    if kind is PeriodKind.WEEK:
        return True
    return than is not PeriodKind.WEEK and (kind.months or 0) < (than.months or 0)


# Real period lengths are collected over this many years from the effective year: 28 years
# repeat the Gregorian calendar's pattern of leap years and weekdays, so every length the
# zone's (current) daylight-saving rules produce occurs in them.
SPAN_YEARS = 28
REFERENCE_YEAR = 2026  # where the agreement has no effective date, so that output is deterministic


@functools.cache
def shortest_real_period(
    kind: PeriodKind, zone: str, first_year: int = REFERENCE_YEAR, years: int = SPAN_YEARS
) -> Decimal:
    """The seconds of the shortest period of this kind in `zone` over `years` years: a week
    in which the clocks go forward has 167 hours."""
    first_year = max(date.min.year + 1, min(first_year, date.max.year - 1 - years))
    tz = ZoneInfo(zone)
    first = date(first_year, 1, 1) if kind is not PeriodKind.WEEK else date.fromisocalendar(first_year, 1, 1)
    stop = date(first_year + years, 1, 1)
    shortest: Decimal | None = None
    while first < stop:
        seconds = window_from(kind, first, tz).seconds
        shortest = seconds if shortest is None else min(shortest, seconds)
        first = next_start(kind, first)
    assert shortest is not None
    return shortest
