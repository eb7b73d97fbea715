"""The checker's rules on support, calendars, reporting and security: time zones, open
hours, holidays and dates, business time against its calendar, response and resolution
times, report deadlines and notification times.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Container
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sladsl.language import ast
from sladsl.language.checks.common import Diagnostics, _business_units, _claim_windows, _no_business
from sladsl.language.diagnostics import error, warning
from sladsl.language.units import describe_duration


def _check_time_zones(a: ast.Agreement) -> Diagnostics:
    zones = [s for s in a.statements if isinstance(s, ast.TimeZone)]
    zones += [s for c in a.calendars for s in c.statements if isinstance(s, ast.TimeZone)]
    for zone in zones:
        if not _is_time_zone(zone.name):
            yield error(
                "E105",
                f"unknown time zone `{zone.name}`",
                zone.span,
                _zone_hint(zone.name),
            )


def _zone_hint(name: str) -> str:
    """The nearest IANA name, compared by city and region apart (`America/New_Yrok`)."""
    import difflib
    from zoneinfo import available_timezones

    zones = sorted(available_timezones())
    by_lower = {z.lower(): z for z in zones}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    if close:
        return f'did you mean "{by_lower[close[0]]}"?'
    return 'use an IANA name such as "Europe/Berlin" or "UTC"'


def _is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _check_support_durations(a: ast.Agreement) -> Diagnostics:
    """Security's notice and renewal times, support times and report deadlines."""
    if a.security:
        for cert in a.security.certifications:
            if cert.renewed_every:
                yield from _no_business(cert.renewed_every, "a renewal interval")
        if a.security.breach_notification:
            yield from _no_business(a.security.breach_notification.within, "breach notification")
    for plan in a.support_plans:
        for priority in plan.priorities:
            for duration in (priority.response, priority.resolution):
                if duration is None:
                    continue
                yield from _business_units(duration)
                if duration.business and priority.around_the_clock:
                    yield error(
                        "E114",
                        "a time in business hours cannot also be around the clock",
                        duration.span,
                        "write `within 1 hour, around the clock` or `within 4 business hours`",
                    )
            yield from _resolution_after_response(priority)
    if a.reporting:
        for report in a.reporting.reports:
            yield from _business_units(report.within)


def _resolution_after_response(p: ast.Priority) -> Diagnostics:
    r, f = p.resolution, p.response
    if r is None or r.business != f.business or r.is_calendar or f.is_calendar:
        return
    # business days and hours do not compare exactly: only the same unit is compared
    shorter = (r.unit == f.unit and r.amount < f.amount) if r.business else r.seconds < f.seconds
    if shorter:
        yield warning(
            "W209",
            f"priority {p.name} must be resolved ({describe_duration(r)}) before its first response is due ({describe_duration(f)})",
            r.span,
            "a resolution time is usually longer than the first-response time",
        )


def _check_business_calendars(a: ast.Agreement) -> Diagnostics:
    for plan in a.support_plans:
        if plan.calendar is None:
            for priority in plan.priorities:
                for duration in (priority.response, priority.resolution):
                    if duration is not None and duration.business:
                        yield error(
                            "E108",
                            f"business time in support plan `{plan.name}`, which has no calendar",
                            duration.span,
                            'add `calendar "NAME"` to the plan, naming a calendar of open hours',
                        )
    if a.reporting and a.reporting.calendar is None and len(a.calendars) != 1:
        for report in a.reporting.reports:
            if report.within.business:
                why = "there is no calendar" if not a.calendars else "there are several calendars"
                yield error(
                    "E108",
                    f"business time in a report deadline, but {why}",
                    report.within.span,
                    'add `calendar "NAME"` to the reporting block',
                )


def _check_calendars(a: ast.Agreement) -> Diagnostics:
    used = {p.calendar.name for p in a.support_plans if p.calendar}
    used |= {c.calendar for c in _claim_windows(a) if c.calendar is not None}
    if a.reporting:
        used |= (
            {a.reporting.calendar.name}
            if a.reporting.calendar
            else ({c.name for c in a.calendars} if len(a.calendars) == 1 else set())
        )
    for calendar in a.calendars:
        if not calendar.open_hours:
            yield error(
                "E116",
                f"calendar `{calendar.name}` has no open hours",
                calendar.name_span,
                "add `open monday to friday 09:00 to 18:00` or similar",
            )
        if calendar.holidays and not _is_holiday_country(calendar.holidays.country):
            yield error(
                "E115",
                f"no public holidays are known for `{calendar.holidays.country}`",
                calendar.holidays.span,
                _holiday_hint(calendar.holidays),
            )
        yield from _check_calendar_dates(calendar)
        if calendar.name not in used:
            yield warning(
                "W206", f"calendar `{calendar.name}` is not used by any support plan or report", calendar.name_span
            )


def _holiday_hint(h: ast.Holidays) -> str:
    if h.subdivision is not None and _is_holiday_country(h.country_code):
        import holidays

        known = sorted(getattr(holidays.country_holidays(h.country_code), "subdivisions", ()))
        shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
        return f"`{h.country_code}` subdivisions are: {shown}" if known else f"`{h.country_code}` has no subdivisions"
    return 'use an ISO 3166 country code such as "US", "DE" or "GB", or a subdivision such as "US-CA"'


def _check_calendar_dates(calendar: ast.Calendar) -> Diagnostics:
    closed = {d: s for s in calendar.statements if isinstance(s, ast.ClosedOn) for d in s.dates}
    for s in calendar.statements:
        if not isinstance(s, ast.OpenOn):
            continue
        for day in s.dates:
            if day in closed:
                yield error(
                    "E127",
                    f"{day.isoformat()} is both closed and open",
                    s.span,
                    f"`closed on` on line {closed[day].span.line} lists it too; keep one",
                )
    opened = [(d, s) for s in calendar.statements if isinstance(s, ast.OpenOn) for d in s.dates]
    h = calendar.holidays
    if not opened or (h is not None and not _is_holiday_country(h.country)):
        return
    listed: Container[date] = ()
    if h is not None:
        import holidays

        listed = holidays.country_holidays(h.country_code, subdiv=h.subdivision, years={d.year for d, _ in opened})
    for day, s in opened:
        if day not in listed and day not in closed:
            yield warning(
                "W208",
                f"{day.isoformat()} is not a public holiday"
                + (f" of `{h.country}`" if h else " (the calendar lists no holidays)")
                + ", so `open on` changes nothing",
                s.span,
                "`open on` reopens a listed holiday; an ordinary open day is open already",
            )


def _is_holiday_country(code: str) -> bool:
    """A country ("US") or a country and subdivision ("DE-BY") that `holidays` knows.

    The registry of codes is read without importing every country's module: importing
    them all would cost more than the whole rest of `sladsl check`.
    """
    country, _, subdivision = code.partition("-")
    if country not in _holiday_countries():
        return False
    if not subdivision:
        return True
    import holidays

    try:
        holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:
        return False
    return True


_REGISTRY_ENTRY = re.compile(r'\(\s*"[^"]*",\s*"([A-Z]{2})",\s*"([A-Z]{3})"')


@functools.cache
def _holiday_countries() -> frozenset[str]:
    """The ISO 3166 codes (alpha-2 and alpha-3) `holidays` has calendars for, read from the
    text of its registry: importing the package (or its registry, which imports the package)
    costs about 35 ms, a sixth of `sladsl check`. If the file ever reads otherwise, the
    registry is imported after all."""
    spec = importlib.util.find_spec("holidays")
    if spec is not None and spec.origin is not None:
        try:
            text = Path(spec.origin).with_name("registry.py").read_text(encoding="utf-8")
        except OSError:
            text = ""
        countries = text[text.find("COUNTRIES") : text.find("FINANCIAL")]
        codes = frozenset(code for pair in _REGISTRY_ENTRY.findall(countries) for code in pair)
        if len(codes) > 200:
            return codes
    from holidays.registry import COUNTRIES

    return frozenset(code for entry in COUNTRIES.values() for code in entry[1:3])
