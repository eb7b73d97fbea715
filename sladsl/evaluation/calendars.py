"""Business calendars as open intervals: the time a support deadline runs on.

A calendar becomes a list of open intervals (UTC microseconds) for the days that matter:
one entry per open shift, not per ticket, so that tickets can be judged in SQL against
the list. Support plans and `business` credit thresholds both count time this way.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sladsl.language import ast
from sladsl.language.ast import Duration, TimeUnit
from sladsl.language.periods import epoch_us

US = 1_000_000


def _holidays(calendar: ast.Calendar, years: range) -> set[date]:
    if calendar.holidays is None:
        return set()
    import holidays

    listed = holidays.country_holidays(
        calendar.holidays.country_code, subdiv=calendar.holidays.subdivision, years=years
    )
    return set(listed.keys())


def closed_days(calendar: ast.Calendar, first: date, last: date) -> set[date]:
    """The local dates between `first` and `last` on which no shift opens.

    The public holidays of the calendar's country or subdivision, minus the dates of
    `open on` (worked as usual), plus the dates of `closed on`.
    """
    listed = _holidays(calendar, range(first.year, last.year + 1)) - calendar.open_on
    return {d for d in listed | calendar.closed_on if first <= d <= last}


def open_intervals(calendar: ast.Calendar, zone: str, first: date, last: date) -> list[tuple[int, int]]:
    """The calendar's open time within the local days `first` to `last`, as merged UTC intervals.

    A shift belongs to the day it opens: an overnight shift (`22:00 to 06:00`) opens on a
    listed day and closes the next morning, so the shift that opened the evening before
    `first` contributes its hours after midnight, and the last day's shift is cut at the
    end of `last`. A closed day (holiday, `closed on`) removes the shifts that open on it,
    exactly as a weekday that is not listed; a shift that opened the day before runs to
    its usual close. Wall-clock times are turned into instants in the calendar's zone, so
    a shift across a daylight-saving change is an hour shorter or longer in real time.
    """
    tz = ZoneInfo(calendar.timezone.name if calendar.timezone else zone)
    day = first - timedelta(days=1)
    closed = closed_days(calendar, day, last)
    lower, upper = _at(first, 0, tz), _at(last + timedelta(days=1), 0, tz)
    intervals: list[tuple[int, int]] = []
    while day <= last:
        if day not in closed:
            for hours in calendar.open_hours:
                if ast.Weekday(day.weekday()) in hours.days:
                    end_day = day + timedelta(days=1) if hours.overnight else day
                    s = max(_at(day, hours.opens, tz), lower)
                    e = min(_at(end_day, hours.closes, tz), upper)
                    if e > s:
                        intervals.append((s, e))
        day += timedelta(days=1)
    return _merge(sorted(intervals))


def _at(day: date, minutes: int, tz: ZoneInfo) -> int:
    """A local wall-clock time on a day (24:00 is the next midnight) as UTC microseconds.

    A time that does not exist (skipped by a spring-forward change) is read with the
    offset before the change; a time that occurs twice is its first occurrence.
    """
    wall = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
    return epoch_us(wall.replace(tzinfo=tz))


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in intervals:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        elif e > s:
            merged.append((s, e))
    return merged


def open_day_seconds(calendar: ast.Calendar) -> Decimal:
    """The open time of one open day: what `1 business day` means.

    Each weekday's shifts (an overnight shift counts for the day it opens, in full) are
    merged in wall-clock minutes; the longest weekday wins. Daylight-saving changes do not
    make a business day longer or shorter.
    """
    per_day: dict[ast.Weekday, list[tuple[int, int]]] = {}
    for hours in calendar.open_hours:
        for day in hours.days:
            per_day.setdefault(day, []).append((hours.opens, hours.opens + hours.minutes_open))
    longest = max((sum(e - s for s, e in _merge(sorted(shifts))) for shifts in per_day.values()), default=0)
    return Decimal(longest * 60)


def allowed_seconds(duration: Duration, calendar: ast.Calendar | None) -> Decimal:
    if not duration.business:
        return duration.seconds
    if duration.unit is TimeUnit.DAY:
        assert calendar is not None
        return duration.amount * open_day_seconds(calendar)
    return duration.amount * 3600


def add_business_time(intervals: list[tuple[int, int]], start_us: int, amount_us: int) -> int | None:
    """The moment `amount_us` of open time has passed after `start_us`; None past the list."""
    left = amount_us
    for s, e in intervals:
        if e <= start_us:
            continue
        s = max(s, start_us)
        if e - s >= left:
            return s + left
        left -= e - s
    return None


def business_deadline(calendar: ast.Calendar, zone: str, start_us: int, duration: Duration) -> int | None:
    """The instant a business duration of the calendar's open time has passed after `start_us`.

    `zone` is the agreement's time zone, used when the calendar names none. The open time
    is generated from the calendar-local day of `start_us` (so an overnight shift already
    running then counts), a season at a time; None only if no open time is found within
    ten years (a calendar closed for good).
    """
    tz = ZoneInfo(calendar.timezone.name if calendar.timezone else zone)
    amount = int(allowed_seconds(duration, calendar) * US)
    seconds, micro = divmod(start_us, US)
    first = datetime.fromtimestamp(seconds, tz).replace(microsecond=micro).date()
    days = 120
    while days <= 3660:
        found = add_business_time(open_intervals(calendar, zone, first, first + timedelta(days=days)), start_us, amount)
        if found is not None:
            return found
        days *= 3
    return None
