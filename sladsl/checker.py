"""The checker: every error and warning about a parsed agreement, collected in one run.

Each rule is a small function that yields diagnostics; `check` runs them all and sorts
the result by position, so a user sees every problem of a file at once. Codes are
stable and listed in docs/language.md: E1xx are errors, W2xx are warnings.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sladsl import ast
from sladsl.ast import UNIT_SECONDS, Duration, FeeBase, PeriodKind, Span, TimeUnit
from sladsl.currencies import is_currency
from sladsl.diagnostics import Diagnostic, error, warning
from sladsl.units import describe_duration, describe_seconds, shortest_period_seconds

Diagnostics = Iterator[Diagnostic]
T = TypeVar("T")


def check(agreement: ast.Agreement) -> list[Diagnostic]:
    """All diagnostics of one agreement, errors and warnings, in source order."""
    found: list[Diagnostic] = []
    for rule in _RULES:
        found.extend(rule(agreement))
    return sorted(found, key=lambda d: (d.span.line, d.span.column, d.code))


# ---- names and duplicates --------------------------------------------------------------


def _duplicates(items: Iterable[tuple[str, Span]], what: str, code: str = "E102") -> Diagnostics:
    seen: dict[str, Span] = {}
    for name, span in items:
        if name in seen:
            first = seen[name]
            yield error(code, f"{what} `{name}` is defined twice", span, f"the first is on line {first.line}")
        else:
            seen[name] = span


def _single_statements(statements: Sequence[object], kinds: dict[type, str]) -> Diagnostics:
    """Statements that may appear at most once in their block."""
    for kind, words in kinds.items():
        spans = [s.span for s in statements if type(s) is kind]  # type: ignore[attr-defined]
        for span in spans[1:]:
            yield error(
                "E101", f"`{words}` is given more than once", span, f"keep one; the first is on line {spans[0].line}"
            )


_HEADERS: dict[type, str] = {
    ast.Version: "version",
    ast.Provider: "provider",
    ast.Customer: "customer",
    ast.Effective: "effective",
    ast.Term: "term",
    ast.TimeZone: "timezone",
    ast.Plans: "plans",
}


def _check_headers(a: ast.Agreement) -> Diagnostics:
    yield from _single_statements(a.statements, _HEADERS)
    yield from _single_statements(a.statements, {ast.Security: "security", ast.Reporting: "reporting"})
    yield from _one_per_plan([s for s in a.statements if isinstance(s, ast.Fee)], "fee", "fee")
    for service in a.services:
        yield from _one_per_plan([s for s in service.statements if isinstance(s, ast.Fee)], "fee", "fee")
    for calendar in a.calendars:
        yield from _single_statements(calendar.statements, {ast.TimeZone: "timezone", ast.Holidays: "holidays"})
    for plan in a.support_plans:
        yield from _single_statements(plan.statements, {ast.UsesCalendar: "calendar", ast.TicketTarget: "target"})
    if a.reporting:
        yield from _single_statements(a.reporting.statements, {ast.UsesCalendar: "calendar"})
    if a.security:
        yield from _single_statements(a.security.statements, {ast.BreachNotification: "breach notification"})


def _one_per_plan(statements: Sequence[ast.Fee | ast.Credits], words: str, what: str) -> Diagnostics:
    """At most one statement without `on plan`, and at most one naming each plan."""
    plain = [s for s in statements if s.on is None]
    for extra in plain[1:]:
        yield error(
            "E101",
            f"`{words}` is given more than once",
            extra.span,
            f"keep one; the first is on line {plain[0].span.line}"
            + ("" if extra.on else '; with plans, end the others with `on plan "NAME"`'),
        )
    seen: dict[str, Span] = {}
    for statement in statements:
        if statement.on is None:
            continue
        for name in statement.on.names:
            if name in seen:
                yield error(
                    "E120",
                    f"two {what} statements apply to plan `{name}`",
                    statement.on.span,
                    f"the first is on line {seen[name].line}; each plan has at most one",
                )
            else:
                seen[name] = statement.on.span


def _check_names(a: ast.Agreement) -> Diagnostics:
    yield from _duplicates(((s.name, s.name_span) for s in a.services), "service")
    for plans in (s for s in a.statements if isinstance(s, ast.Plans)):
        yield from _duplicates(zip(plans.names, plans.name_spans, strict=True), "plan")
    yield from _duplicates(((c.name, c.name_span) for c in a.calendars), "calendar")
    yield from _duplicates(((p.name, p.name_span) for p in a.support_plans), "support plan")
    yield from _duplicates(((d.term, d.span) for d in a.definitions), "definition")
    for service in a.services:
        yield from _duplicates(((o.name, o.name_span) for o in service.objectives), "objective")
        yield from _duplicates(
            ((c.objective, c.objective_span) for c in service.credits if c.on is None), "credits for"
        )
        for objective in service.objectives:
            blocks = [c for c in service.credits if c.objective == objective.name]
            yield from _one_per_plan([c for c in blocks if c.on is not None], "credits for", "credits")
    for plan in a.support_plans:
        yield from _duplicates(((p.name, p.span) for p in plan.priorities), "priority")


def _check_references(a: ast.Agreement) -> Diagnostics:
    for service in a.services:
        names = [o.name for o in service.objectives]
        for credits in service.credits:
            if credits.objective not in names:
                hint = _did_you_mean(credits.objective, names, f"objectives of `{service.name}`")
                yield error(
                    "E103", f"credits for unknown objective `{credits.objective}`", credits.objective_span, hint
                )
    calendars = [c.name for c in a.calendars]
    uses = [p.calendar for p in a.support_plans] + [a.reporting.calendar if a.reporting else None]
    for use in uses:
        if use is not None and use.name not in calendars:
            yield error(
                "E104", f"unknown calendar `{use.name}`", use.span, _did_you_mean(use.name, calendars, "calendars")
            )
    for claim in _claim_windows(a):
        if claim.calendar is not None and claim.calendar not in calendars:
            yield error(
                "E104",
                f"unknown calendar `{claim.calendar}`",
                claim.calendar_span,
                _did_you_mean(claim.calendar, calendars, "calendars"),
            )


def _claim_windows(a: ast.Agreement) -> Iterator[ast.ClaimWindow]:
    for service in a.services:
        for credits in service.credits:
            yield from (s for s in credits.statements if isinstance(s, ast.ClaimWindow))


def _plan_markers(a: ast.Agreement) -> Iterator[ast.OnPlans]:
    """Every `on plan(s)` of the agreement: on fees, targets, credits and support plans."""
    for statement in a.statements:
        if isinstance(statement, ast.Fee | ast.SupportPlan) and statement.on is not None:
            yield statement.on
    for service in a.services:
        for s in service.statements:
            if isinstance(s, ast.Fee | ast.Credits) and s.on is not None:
                yield s.on
        for objective in service.objectives:
            yield from (t.on for t in objective.targets if t.on is not None)


def _check_plans(a: ast.Agreement) -> Diagnostics:
    declared = list(a.plans)
    for on in _plan_markers(a):
        if not declared:
            yield error(
                "E119",
                "`on plan` in an agreement that declares no plans",
                on.span,
                'declare them in the header: `plans "Standard", "Premium"`',
            )
            continue
        yield from _duplicates(((n, on.span) for n in on.names), "plan", code="E101")
        for name in on.names:
            if name not in declared:
                yield error("E118", f"unknown plan `{name}`", on.span, _did_you_mean(name, declared, "plans"))


def _did_you_mean(name: str, names: Sequence[str], what: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, names, n=1)
    if close:
        return f"did you mean `{close[0]}`?"
    return f"the {what} are: " + ", ".join(f"`{n}`" for n in names) if names else f"there are no {what}"


# ---- values -----------------------------------------------------------------------------


def _check_time_zones(a: ast.Agreement) -> Diagnostics:
    zones = [s for s in a.statements if isinstance(s, ast.TimeZone)]
    zones += [s for c in a.calendars for s in c.statements if isinstance(s, ast.TimeZone)]
    for zone in zones:
        if not _is_time_zone(zone.name):
            yield error(
                "E105",
                f"unknown time zone `{zone.name}`",
                zone.span,
                'use an IANA name such as "Europe/Berlin" or "UTC"',
            )


def _is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _monies(a: ast.Agreement) -> Iterator[ast.Money]:
    for fee in _fees(a):
        yield fee.money
    for service in a.services:
        for credits in service.credits:
            if credits.minimum:
                yield credits.minimum.money


def _fees(a: ast.Agreement) -> Iterator[ast.Fee]:
    yield from (s for s in a.statements if isinstance(s, ast.Fee))
    for service in a.services:
        yield from (s for s in service.statements if isinstance(s, ast.Fee))


def _plan_choices(a: ast.Agreement) -> list[str | None]:
    """The plans a customer can be on; `[None]` when the agreement has no plans."""
    return list(a.plans) or [None]


def _check_currencies(a: ast.Agreement) -> Diagnostics:
    for money in _monies(a):
        if not is_currency(money.currency):
            yield error(
                "E106",
                f"unknown currency `{money.currency}`",
                money.span,
                "use an ISO 4217 code such as USD, EUR or GBP",
            )
    fees = list(_fees(a))
    if fees:
        first = fees[0].money.currency
        for fee in fees[1:]:
            if fee.money.currency != first:
                yield warning(
                    "W205",
                    f"this fee is in {fee.money.currency} but the first fee is in {first}",
                    fee.money.span,
                    "credits of different services cannot be added up into one total",
                )
    choices = _plan_choices(a)  # once: `a.plans` scans every statement of the agreement
    for service in a.services:
        for plan in choices:
            monthly = a.monthly_fee(service, plan)
            for credits in service.credits:
                if not ast.applies_to(credits.on, plan) or monthly is None:
                    continue
                minimum = credits.minimum
                if minimum and minimum.money.currency != monthly.currency:
                    yield warning(
                        "W205",
                        f"the minimum is in {minimum.money.currency} but the fee is in {monthly.currency}",
                        minimum.money.span,
                    )
                for tier in credits.tiers:
                    if isinstance(tier.amount, ast.FixedCredit) and tier.amount.money.currency != monthly.currency:
                        yield error(
                            "E122",
                            f"this credit is in {tier.amount.money.currency} but the fee"
                            + (f" on plan `{plan}`" if plan else "")
                            + f" is in {monthly.currency}",
                            tier.amount.money.span,
                            f"write the sum in {monthly.currency}; credits are paid in the fee's currency",
                        )


def _percents(a: ast.Agreement) -> Iterator[ast.Percent]:
    for service in a.services:
        for objective in service.objectives:
            for s in objective.statements:
                if isinstance(s, ast.AvailabilityTarget | ast.RequestTarget):
                    yield s.percent
                elif isinstance(s, ast.DowntimeFromErrorRate):
                    yield s.above
                elif isinstance(s, ast.LatencyTarget) and s.windows is not None:
                    yield s.windows.share
        for credits in service.credits:
            for tier in credits.tiers:
                if tier.percent_of_fee is not None:
                    yield tier.percent_of_fee.percent
                if isinstance(tier.threshold, ast.Percent):
                    yield tier.threshold
            yield from (c.percent for c in credits.statements if isinstance(c, ast.CreditCap))
    for plan in a.support_plans:
        if plan.target:
            yield plan.target.percent


def _check_percents(a: ast.Agreement) -> Diagnostics:
    for percent in _percents(a):
        if not Decimal(0) <= percent.value <= Decimal(100):
            yield error("E107", f"percentage {_n(percent.value)}% is outside 0% to 100%", percent.span)
    for service in a.services:
        for objective in service.objectives:
            for target in objective.targets:
                percentile = target.percentile if isinstance(target, ast.LatencyTarget) else None
                if percentile is not None and not Decimal(0) < percentile <= Decimal(100):
                    yield error(
                        "E107",
                        f"percentile p{_n(percentile)} is outside p0 to p100",
                        target.span,
                        "a percentile is above 0 and at most 100, such as p95 or p99.9",
                    )


# ---- durations --------------------------------------------------------------------------

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


def _n(value: Decimal | int) -> str:
    """A number in a message as the author wrote it: `0.0000001`, never `1E-7`."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


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


# ---- objectives ---------------------------------------------------------------------------

_TIME_BASED_ONLY = (
    ast.DowntimeFromIncidents,
    ast.DowntimeFromSamples,
    ast.DowntimeFromErrorRate,
    ast.AverageErrorRate,
    ast.MissingData,
    ast.IgnoreOutages,
    ast.RoundOutages,
    ast.WeightByAffected,
    ast.ExcludeMaintenance,
    ast.ExcludeCauses,
)


def _check_objectives(a: ast.Agreement) -> Diagnostics:
    plans = tuple(dict.fromkeys(a.plans))  # once, not once per objective: large files were quadratic
    for service in a.services:
        for objective in service.objectives:
            yield from _check_objective(objective, plans)


def _check_targets(o: ast.Objective, plans: tuple[str, ...]) -> Diagnostics:
    """Exactly one target applies to each plan: its own `on plan` one, else the plain one."""
    targets = o.targets
    if not targets:
        yield error(
            "E111",
            f"objective `{o.name}` has no target",
            o.name_span,
            "add a target such as `availability at least 99.9% per calendar month`",
        )
        return
    plain = [t for t in targets if t.on is None]
    for extra in plain[1:]:
        hint = 'end it with `on plan "NAME"` for one plan' if plans else "split it into two objectives"
        yield error("E111", f"objective `{o.name}` has more than one target", extra.span, hint)
    seen: dict[str, Span] = {}
    for target in targets:
        for name in target.on.names if target.on else ():
            if name in seen:
                yield error(
                    "E120",
                    f"two targets of objective `{o.name}` apply to plan `{name}`",
                    target.on.span if target.on else target.span,
                    f"the first is on line {seen[name].line}; each plan has exactly one target",
                )
            seen.setdefault(name, target.span)
    if not plain:
        for plan in plans:
            if plan not in seen:
                yield error(
                    "E120",
                    f"no target of objective `{o.name}` applies to plan `{plan}`",
                    o.name_span,
                    "add a target without `on plan` for the plans that have none of their own",
                )
    kinds = {type(t) for t in targets}
    shapes = {(type(t), isinstance(t, ast.LatencyTarget) and t.windows is not None) for t in targets}
    if len(kinds) > 1 or len(shapes) > 1:
        yield error(
            "E120",
            f"the targets of objective `{o.name}` measure different things on different plans",
            targets[1].span,
            "one objective measures one thing; plans differ in the numbers. Use two objectives",
        )


def _check_objective(o: ast.Objective, plans: tuple[str, ...] = ()) -> Diagnostics:
    yield from _check_targets(o, plans)
    target = o.target
    yield from _single_statements(
        o.statements,
        {
            ast.MissingData: "missing data",
            ast.IgnoreOutages: "ignore outages",
            ast.RoundOutages: "round outages",
            ast.WeightByAffected: "weight downtime",
            ast.ExcludeMaintenance: "exclude maintenance",
            ast.ChronicFailure: "chronic failure",
            ast.Monitor: "monitor",
        },
    )
    for extra_source in o.downtime_sources[1:]:
        yield error(
            "E113",
            "an objective has one way of knowing its downtime",
            extra_source.span,
            f"the first is on line {o.downtime_sources[0].span.line}",
        )
    if target is not None and not isinstance(target, ast.AvailabilityTarget):
        kind = "latency" if isinstance(target, ast.LatencyTarget) else "request-based"
        for s in o.statements:
            if isinstance(s, _TIME_BASED_ONLY):
                yield error(
                    "E113",
                    f"this statement does not apply to a {kind} objective",
                    s.span,
                    "downtime, outages and exclusions belong to time-based availability",
                )
    if isinstance(o.downtime_source, ast.AverageErrorRate) and o.ignore_outages:
        yield error("E113", "`ignore outages` has no meaning with an average error rate", o.ignore_outages.span)
    time_based = target is None or isinstance(target, ast.AvailabilityTarget)
    rounding = o.round_outages
    if time_based and rounding is not None and isinstance(o.downtime_source, ast.AverageErrorRate):
        yield error("E121", "`round outages` has no meaning with an average error rate", rounding.span)
    weight = _first_of(o, ast.WeightByAffected)
    if time_based and weight is not None and not isinstance(o.downtime_source, ast.DowntimeFromIncidents):
        yield error(
            "E121",
            "`weight downtime by share affected` needs downtime from incidents",
            weight.span,
            "only incidents carry an `affected` share; samples and request counts do not",
        )
    if o.monitor:
        yield from _check_monitor(o.monitor)
    yield from _check_budget(o)


def _first_of(o: ast.Objective, kind: type[T]) -> T | None:
    return next((s for s in o.statements if isinstance(s, kind)), None)


def _check_monitor(m: ast.Monitor) -> Diagnostics:
    yield from _duplicates(((q.kind, q.span) for q in m.queries), "query", code="E101")
    kinds = {q.kind for q in m.queries}
    if not ({"total", "errors"} <= kinds or {"total", "good"} <= kinds or kinds & {"histogram", "latency"}):
        yield error(
            "E117",
            "a monitor block needs `total` with `errors` or `good`, or a `histogram`",
            m.span,
            'for example: errors "sum(rate(x{code=~\\"5..\\"}[{{window}}]))" and total "sum(rate(x[{{window}}]))"',
        )


def _smallest_counted_outage(o: ast.Objective) -> Decimal | None:
    source = o.downtime_source
    ignore = o.ignore_outages
    threshold = (
        ignore.shorter_than.seconds
        if ignore and not ignore.shorter_than.is_calendar and not ignore.shorter_than.business
        else None
    )
    if isinstance(source, ast.DowntimeFromSamples) and not source.every.is_calendar and not source.every.business:
        step = source.every.seconds
    elif isinstance(source, ast.DowntimeFromErrorRate) and not source.window.is_calendar and not source.window.business:
        step = source.window.seconds
    else:
        step = None
    rounding = o.round_outages
    unit = rounding.unit.seconds if rounding and not rounding.unit.is_calendar and not rounding.unit.business else None
    candidates = [v for v in (threshold, step, unit) if v is not None]
    return max(candidates) if candidates else None


def _check_budget(o: ast.Objective) -> Diagnostics:
    for target in o.targets:
        yield from _check_target_budget(o, target)


def _check_target_budget(o: ast.Objective, target: ast.Target) -> Diagnostics:
    if not isinstance(target, ast.AvailabilityTarget) or not Decimal(0) <= target.percent.value <= Decimal(100):
        return
    smallest = _smallest_counted_outage(o)
    if smallest is None or o.weight_by_affected:
        return
    budget = (Decimal(100) - target.percent.value) / Decimal(100) * shortest_period_seconds(target.period.kind)
    if budget < smallest:
        yield warning(
            "W204",
            f"the error budget ({describe_seconds(budget)} per {target.period.kind.value}) is smaller than "
            f"the smallest outage that counts ({describe_seconds(smallest)})",
            target.span,
            "the commitment is all or nothing: a single counted outage breaches it",
        )


# ---- credits ------------------------------------------------------------------------------


def _check_credits(a: ast.Agreement) -> Diagnostics:
    declared = a.plans
    for service in a.services:
        for credits in service.credits:
            objective = service.objective(credits.objective)
            if objective is None:
                continue
            found: dict[tuple[str, int, int, str], Diagnostic] = {}
            for target, plans in _targets_paid_by(credits, objective, service, declared):
                for d in _check_tiers(credits, target):
                    if d.code in _TARGET_WARNINGS and plans:
                        d = replace(d, message=f"{d.message}, on {_plans_words(plans)}")
                    found.setdefault((d.code, d.span.line, d.span.column, d.message), d)
            yield from found.values()
            caps = [c for c in credits.statements if isinstance(c, ast.CreditCap)]
            yield from _single_statements([c for c in caps if c.rolling is None], {ast.CreditCap: "at most"})
            yield from _single_statements(credits.statements, {ast.CreditMinimum: "minimum"})


_TARGET_WARNINGS = frozenset({"W201", "W202"})


def _plans_words(plans: list[str]) -> str:
    names = ", ".join(f"`{p}`" for p in plans)
    return f"plan {names}" if len(plans) == 1 else f"plans {names}"


def _targets_paid_by(
    credits: ast.Credits, objective: ast.Objective, service: ast.Service, plans: tuple[str, ...]
) -> list[tuple[ast.Target, list[str]]]:
    """The targets whose breaches this credits block pays for, each with the plans it applies to."""
    found: list[tuple[ast.Target, list[str]]] = []
    for plan in plans or (None,):
        if service.credits_for(objective.name, plan) is not credits:
            continue
        target = objective.target_for(plan)
        if target is None:
            continue
        entry = next((e for e in found if e[0] is target), None)
        if entry is None:
            entry = (target, [])
            found.append(entry)
        if plan is not None:
            entry[1].append(plan)
    return found


def _threshold_value(threshold: ast.Percent | Duration) -> Decimal:
    if isinstance(threshold, ast.Percent):
        return threshold.value
    return threshold.seconds if not threshold.is_calendar and not threshold.business else Decimal(0)


def _check_tiers(credits: ast.Credits, target: ast.Target) -> Diagnostics:
    upward = isinstance(target, ast.LatencyTarget) and target.upward
    yield from _check_amount_forms(credits, target)
    usable: list[ast.Tier] = []
    for tier in credits.tiers:
        problem = _tier_shape_problem(tier, upward)
        if problem:
            yield problem
        else:
            usable.append(tier)
    yield from _check_tier_order(usable, upward)
    if usable:
        yield from _check_first_tier(usable[0], target, upward)
    yield from _check_fee_bases(credits, target)
    yield from _check_cap(credits, target)


def _check_amount_forms(credits: ast.Credits, target: ast.Target) -> Diagnostics:
    for tier in credits.tiers:
        if isinstance(tier.amount, ast.TimesDowntimeFees):
            if not isinstance(target, ast.AvailabilityTarget):
                yield error(
                    "E121",
                    "`the fees for the downtime` needs time-based availability",
                    tier.amount.span,
                    "only a time-based objective has downtime; use `10% of monthly fee`",
                )
            elif target.period.kind is PeriodKind.WEEK:
                yield error(
                    "E112",
                    "`the fees for the downtime` has no meaning for a weekly objective",
                    tier.amount.span,
                    "a week is not a whole number of months; use `of monthly fee`",
                )
            if tier.amount.factor == 0:
                yield warning("W211", "this tier pays 0 times the fees: it never pays anything", tier.amount.span)
        elif isinstance(tier.amount, ast.PercentOfFee) and tier.amount.percent.value == 0:
            yield warning("W211", "this tier pays 0% of the fee: it never pays anything", tier.amount.span)
        elif isinstance(tier.amount, ast.FixedCredit) and tier.amount.money.amount == 0:
            yield warning("W211", "this tier pays a sum of 0: it never pays anything", tier.amount.span)


def _tier_shape_problem(tier: ast.Tier, upward: bool) -> Diagnostic | None:
    if upward and not tier.comparison.upward:
        return error(
            "E110",
            f"`{tier.comparison.value}` on a latency objective, which is breached by values above its limit",
            tier.span,
            "write `above 200 ms` or `at or above 200 ms`",
        )
    if not upward and tier.comparison.upward:
        return error(
            "E110",
            f"`{tier.comparison.value}` on an objective measured in percent, which is breached by values below its target",
            tier.span,
            "write `below 99.9%` or `at or below 99.9%`",
        )
    if upward and isinstance(tier.threshold, ast.Percent):
        return error(
            "E110",
            "a latency tier's threshold is a duration, not a percentage",
            tier.threshold.span,
            "write, for example, `above 500 ms`",
        )
    if not upward and isinstance(tier.threshold, Duration):
        return error(
            "E110",
            "an availability tier's threshold is a percentage, not a duration",
            tier.threshold.span,
            "write, for example, `below 99.9%`",
        )
    return None


def _is_worse(prev: ast.Tier, tier: ast.Tier, upward: bool) -> bool:
    """Whether `tier` only holds where `prev` holds too, i.e. it is strictly worse."""
    a, b = _threshold_value(prev.threshold), _threshold_value(tier.threshold)
    if a == b:
        return prev.comparison.inclusive and not tier.comparison.inclusive
    return b > a if upward else b < a


def _check_tier_order(tiers: list[ast.Tier], upward: bool) -> Diagnostics:
    for prev, tier in itertools.pairwise(tiers):
        if not _is_worse(prev, tier, upward):
            direction = "higher" if upward else "lower"
            yield error(
                "E109",
                "credit tiers are out of order: each tier must be worse than the one before",
                tier.span,
                f"write tiers from the mildest to the worst, each threshold {direction} than on line {prev.span.line}",
            )
        elif _pays_less(tier.amount, prev.amount):
            yield warning(
                "W207",
                f"this tier is worse than the one before but pays less ({_show_amount(tier.amount)} < {_show_amount(prev.amount)})",
                tier.amount.percent.span if isinstance(tier.amount, ast.PercentOfFee) else tier.amount.span,
            )


def _pays_less(amount: ast.CreditAmount, prev: ast.CreditAmount) -> bool:
    """Comparable only when both amounts have the same form and base."""
    if isinstance(amount, ast.PercentOfFee) and isinstance(prev, ast.PercentOfFee) and amount.base is prev.base:
        return amount.percent.value < prev.percent.value
    if isinstance(amount, ast.TimesDowntimeFees) and isinstance(prev, ast.TimesDowntimeFees):
        return amount.factor < prev.factor
    if isinstance(amount, ast.FixedCredit) and isinstance(prev, ast.FixedCredit):
        return amount.money.amount < prev.money.amount
    return False


def _show_amount(amount: ast.CreditAmount) -> str:
    if isinstance(amount, ast.PercentOfFee):
        return f"{_n(amount.percent.value)}%"
    if isinstance(amount, ast.TimesDowntimeFees):
        return f"{_n(amount.factor)} times"
    return f"{_n(amount.money.amount)} {amount.money.currency}"


def _target_percent(target: ast.Target) -> Decimal | None:
    """The percent a downward objective must reach: availability, or a share of latency windows."""
    if isinstance(target, ast.LatencyTarget):
        return target.windows.share.value if target.windows else None
    return target.percent.value


def _check_first_tier(tier: ast.Tier, target: ast.Target, upward: bool) -> Diagnostics:
    limit = (
        target.limit.seconds
        if isinstance(target, ast.LatencyTarget) and not target.limit.is_calendar and not target.limit.business
        else None
    )
    goal = limit if upward else _target_percent(target)
    if goal is None or (not upward and not Decimal(0) <= goal <= Decimal(100)):
        return  # an invalid target is already an error; comparing tiers with it says nothing more
    threshold = _threshold_value(tier.threshold)
    gap = threshold > goal if upward else threshold < goal
    pays_when_met = (threshold < goal if upward else threshold > goal) or (
        threshold == goal and tier.comparison.inclusive
    )
    shown = _show_threshold(tier.threshold)
    target_shown = describe_duration(target.limit) if upward and isinstance(target, ast.LatencyTarget) else f"{goal}%"
    if gap:
        yield warning(
            "W201",
            f"a breach between the target ({target_shown}) and the first tier ({shown}) earns no credit",
            tier.span,
            f"start the first tier at `{'above' if upward else 'below'} {target_shown}` if every breach should pay",
        )
    elif pays_when_met:
        yield warning(
            "W202",
            f"this tier pays while the objective is met (target {target_shown})",
            tier.span,
            "exactly on the target is met; a credit tier usually starts where the breach starts",
        )


def _show_threshold(threshold: ast.Percent | Duration) -> str:
    return f"{_n(threshold.value)}%" if isinstance(threshold, ast.Percent) else describe_duration(threshold)


def _check_fee_bases(credits: ast.Credits, target: ast.Target) -> Diagnostics:
    if target.period.kind is not PeriodKind.WEEK:
        return
    bases: list[ast.Tier | ast.CreditCap] = [
        t for t in credits.tiers if isinstance(t.amount, ast.PercentOfFee) and t.amount.base is FeeBase.PERIOD_FEES
    ]
    bases += [c for c in credits.statements if isinstance(c, ast.CreditCap) and c.base is FeeBase.PERIOD_FEES]
    for statement in bases:
        yield error(
            "E112",
            "`fees for the period` has no meaning for a weekly objective",
            statement.span,
            "a week is not a whole number of months; use `of monthly fee`",
        )


def _in_monthly_fees(percent: Decimal, base: FeeBase, months: int | None) -> Decimal | None:
    if base is FeeBase.MONTHLY_FEE:
        return percent
    return None if months is None else percent * months


def _check_cap(credits: ast.Credits, target: ast.Target) -> Diagnostics:
    cap = credits.cap
    if cap is None:
        return
    months = target.period.kind.months
    cap_value = _in_monthly_fees(cap.percent.value, cap.base, months)
    for tier in credits.tiers:
        amount = tier.percent_of_fee
        if amount is None:
            continue
        value = _in_monthly_fees(amount.percent.value, amount.base, months)
        if cap_value is not None and value is not None and value > cap_value:
            yield warning(
                "W203",
                f"the cap ({_n(cap.percent.value)}% of {cap.base.value}) is below this tier's credit",
                amount.percent.span,
                "this tier can never pay in full",
            )


_RULES: list[Callable[[ast.Agreement], Diagnostics]] = [
    _check_headers,
    _check_names,
    _check_references,
    _check_plans,
    _check_time_zones,
    _check_currencies,
    _check_percents,
    _check_durations,
    _check_duration_sizes,
    _check_business_calendars,
    _check_calendars,
    _check_objectives,
    _check_credits,
]
