"""The checker's rules on durations and calendars: the kind and size of every duration
for its place, business time against its calendar, open hours, holidays and dates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Container, Iterator
from datetime import date
from decimal import Decimal

from sladsl.language import ast
from sladsl.language.ast import UNIT_SECONDS, Duration, TimeUnit
from sladsl.language.checks.common import Diagnostics, _claim_windows, _n
from sladsl.language.diagnostics import error, warning
from sladsl.language.units import describe_duration, shortest_period_seconds

_SUB_DAY = frozenset({TimeUnit.MILLISECOND, TimeUnit.SECOND, TimeUnit.MINUTE, TimeUnit.HOUR})


def _fixed(duration: Duration, where: str) -> Diagnostics:
    """Durations that must be a fixed, positive length (windows, limits, notice)."""
    if duration.business:
        yield error(
            "E114",
            f"{where} cannot be in business time",
            duration.span,
            "business hours and days count only in support plans and reports",
        )
    elif duration.is_calendar:
        yield error(
            "E114",
            f"{where} must be a fixed length, not {duration.unit.value}s",
            duration.span,
            "use days or weeks; months and years have different lengths",
        )
    elif duration.amount == 0:
        yield error("E114", f"{where} must be longer than zero", duration.span)


def _no_business(duration: Duration, where: str) -> Diagnostics:
    if duration.business:
        yield error(
            "E114",
            f"{where} cannot be in business time",
            duration.span,
            "business hours and days count only in support plans and reports",
        )


def _business_units(duration: Duration) -> Diagnostics:
    if duration.business and duration.unit not in (TimeUnit.HOUR, TimeUnit.DAY):
        yield error(
            "E114",
            f"business time is counted in hours or days, not {duration.unit.value}s",
            duration.span,
            "write `4 business hours` or `2 business days`",
        )


_LONGEST_SECONDS = Decimal(100 * 366 * 86400)  # a century: longer is a typo, and overflows later stages
_SHORTEST_STEP = Decimal(1)  # sample intervals and windows: finer steps make evaluation explode


def _walk_durations(node: object) -> Iterator[Duration]:
    """Every duration written anywhere in the agreement."""
    if isinstance(node, Duration):
        yield node
    elif isinstance(node, tuple | list):
        for item in node:
            yield from _walk_durations(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            if f.name not in ("span", "name_span", "title_span", "objective_span", "calendar_span"):
                yield from _walk_durations(getattr(node, f.name))


def _whole_hint(d: Duration) -> str:
    """How to write a fractional number of months or years in whole units."""
    if d.unit is TimeUnit.YEAR and (d.amount * 12) == (d.amount * 12).to_integral_value():
        return f"write `{_n((d.amount * 12).to_integral_value())} months`"
    return f"write a whole number of {d.unit.value}s, or the length in days"


def _check_duration_sizes(a: ast.Agreement) -> Diagnostics:
    """Durations a contract can mean: to the millisecond, whole months, at most a century."""
    for d in _walk_durations(a.statements):
        if d.is_calendar:
            if d.amount != d.amount.to_integral_value():
                yield error("E114", f"{d.unit.value}s are counted whole, not {_n(d.amount)}", d.span, _whole_hint(d))
            too_long = d.amount * (12 if d.unit is TimeUnit.YEAR else 1) > 1200
        else:
            seconds = d.amount * UNIT_SECONDS[d.unit]
            if (seconds * 1000) != (seconds * 1000).to_integral_value():
                yield error(
                    "E114",
                    f"{describe_duration(d)} is finer than a millisecond",
                    d.span,
                    "durations are counted to the millisecond",
                )
            too_long = seconds > _LONGEST_SECONDS
        if too_long:
            yield error("E114", f"{describe_duration(d)} is longer than a century", d.span, "check the number and unit")


def _at_least_a_second(duration: Duration, where: str) -> Diagnostics:
    if not duration.is_calendar and not duration.business and 0 < duration.seconds < _SHORTEST_STEP:
        yield error(
            "E114",
            f"{where} of {describe_duration(duration)} is shorter than a second",
            duration.span,
            "sample intervals and windows are at least 1 second",
        )


def _check_objective_durations(o: ast.Objective) -> Diagnostics:
    for s in o.statements:
        if isinstance(s, ast.LatencyTarget):
            yield from _fixed(s.limit, "a latency limit")
            if s.windows is not None:
                yield from _latency_window(s.windows, s.period)
                yield from _at_least_a_second(s.windows.window, "a latency window")
        elif isinstance(s, ast.RoundOutages):
            yield from _fixed(s.unit, "the unit outages are rounded to")
        elif isinstance(s, ast.ChronicFailure):
            yield from _chronic_counts(s)
        elif isinstance(s, ast.DowntimeFromSamples):
            yield from _fixed(s.every, "a sample interval")
            yield from _at_least_a_second(s.every, "a sample interval")
        elif isinstance(s, ast.DowntimeFromErrorRate | ast.AverageErrorRate):
            yield from _fixed(s.window, "a window")
            yield from _at_least_a_second(s.window, "a window")
        elif isinstance(s, ast.IgnoreOutages):
            yield from _fixed(s.shorter_than, "an outage threshold")
        elif isinstance(s, ast.ExcludeMaintenance):
            yield from _no_business(s.notice, "maintenance notice")
            if s.notice.is_calendar:
                yield from _fixed(s.notice, "maintenance notice")
            if s.cap:
                yield from _fixed(s.cap.limit, "a maintenance cap")


def _check_durations(a: ast.Agreement) -> Diagnostics:
    if a.term:
        term = a.term
        if term.business or term.unit in _SUB_DAY or term.amount == 0:
            yield error(
                "E114",
                "the term is a number of days, weeks, months or years",
                term.span,
                "write, for example, `term 12 months`",
            )
    for service in a.services:
        for objective in service.objectives:
            yield from _check_objective_durations(objective)
        for credits in service.credits:
            for tier in credits.tiers:
                if isinstance(tier.threshold, Duration):
                    yield from _fixed(tier.threshold, "a latency threshold")
            yield from _check_claim(credits)
            named = service.objective(credits.objective)
            periods = {t.period.kind: t.period for t in named.targets} if named else {}
            for cap in credits.rolling_caps:
                for period in periods.values():
                    yield from _rolling_span(cap, period)
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


_MAX_MONTHS_AFTER = 1200  # a claim deadline a century after the period is a typo, not a term


def _check_claim(credits: ast.Credits) -> Diagnostics:
    claims = [s for s in credits.statements if isinstance(s, ast.ClaimWindow | ast.ClaimByMonthEnd)]
    for extra in claims[1:]:
        yield error(
            "E101",
            "a claim deadline is given more than once",
            extra.span,
            f"keep one; the first is on line {claims[0].span.line}",
        )
    for claim in claims:
        if isinstance(claim, ast.ClaimByMonthEnd):
            if not 1 <= claim.months_after <= _MAX_MONTHS_AFTER:
                yield error(
                    "E123",
                    f"a claim deadline {claim.months_after} months after the period is not a deadline a contract sets",
                    claim.span,
                    "write, for example, `claim by the end of the 2nd calendar month after the period`",
                )
            continue
        if claim.within.business and claim.calendar is None:
            yield error(
                "E108",
                "business time in a claim window, with no calendar named",
                claim.within.span,
                f'name the calendar: `claim within {describe_duration(claim.within)} on "Business hours"`',
            )
        elif claim.calendar is not None and not claim.within.business:
            yield warning(
                "W210",
                f"the claim window is not in business time, so calendar `{claim.calendar}` changes nothing",
                claim.calendar_span,
                f"write `{_n(claim.within.amount)} business days` to count open days only, or drop `on`",
            )
        yield from _business_units(claim.within)
        if claim.within.amount == 0:
            yield error("E114", "a claim window must be longer than zero", claim.within.span)


def _rolling_span(cap: ast.CreditCap, period: ast.Period) -> Diagnostics:
    """A rolling cap spans a whole number of the objective's periods, at least one."""
    span = cap.rolling
    assert span is not None
    months = period.kind.months
    whole = span.amount == span.amount.to_integral_value() and span.amount > 0 and not span.business
    if months is not None:
        total = span.amount * (12 if span.unit is TimeUnit.YEAR else 1)
        ok = whole and span.is_calendar and total % months == 0
        hint = f"write `per 12 months` or another multiple of {months} month{'s' if months > 1 else ''}"
    else:
        ok = whole and span.unit is TimeUnit.WEEK
        hint = "write `per 52 weeks` or another number of weeks"
    if not ok:
        yield error(
            "E124",
            f"a rolling cap spans whole periods of the objective ({period.kind.value}s), not {describe_duration(span)}",
            span.span,
            hint,
        )


def _chronic_counts(c: ast.ChronicFailure) -> Diagnostics:
    if c.consecutive is not None and c.consecutive < 1:
        yield error("E125", "chronic failure needs at least 1 consecutive period", c.span)
    if c.of_any is not None:
        m, k = c.of_any
        if m < 1 or k < m:
            yield error(
                "E125",
                f"breached in {m} of any {k} periods can never hold",
                c.span,
                "the first number is at least 1 and at most the second, such as `4 of any 12 periods`",
            )
    for count in (c.consecutive, *(c.of_any or ())):
        if count is not None and count > _MAX_MONTHS_AFTER:
            yield error("E125", f"{count} periods is not a span a contract judges", c.span)


def _latency_window(w: ast.LatencyWindows, period: ast.Period) -> Diagnostics:
    yield from _fixed(w.window, "a latency window")
    if not w.window.business and not w.window.is_calendar and w.window.seconds > shortest_period_seconds(period.kind):
        yield error(
            "E126",
            f"a latency window of {describe_duration(w.window)} is longer than a {period.kind.value}",
            w.window.span,
            "windows divide the period: use, for example, `1 hour windows`",
        )


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
    from holidays.registry import COUNTRIES

    country, _, subdivision = code.partition("-")
    if not any(country in entry[1:3] for entry in COUNTRIES.values()):
        return False
    if not subdivision:
        return True
    import holidays

    try:
        holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:
        return False
    return True
