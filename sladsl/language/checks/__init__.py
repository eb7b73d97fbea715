"""The checker: every error and warning about a parsed agreement, collected in one run.

Each rule is a small function that yields diagnostics; `check` runs them all and sorts
the result by position, so a user sees every problem of a file at once. Codes are
stable and listed in docs/language.md: E1xx are errors, W2xx are warnings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sladsl.language import ast
from sladsl.language.ast import Span
from sladsl.language.checks.common import Diagnostics, _claim_windows, _duplicates, _n, _single_statements
from sladsl.language.checks.durations import (
    _check_business_calendars,
    _check_calendars,
    _check_duration_sizes,
    _check_durations,
)
from sladsl.language.checks.hidden import check_hidden
from sladsl.language.checks.terms import _check_credits, _check_objectives
from sladsl.language.currencies import is_currency
from sladsl.language.diagnostics import Diagnostic, error, warning


def check(agreement: ast.Agreement) -> list[Diagnostic]:
    """All diagnostics of one agreement, errors and warnings, in source order."""
    found: list[Diagnostic] = []
    for rule in _RULES:
        found.extend(rule(agreement))
    return sorted(found, key=lambda d: (d.span.line, d.span.column, d.code))


# ---- names and duplicates --------------------------------------------------------------


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
    known = set(declared)  # a list's `in` made a statement naming every plan quadratic (r13)
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
            if name not in known:
                yield error("E118", f"unknown plan `{name}`", on.span, _did_you_mean(name, declared, "plans"))


_SUGGEST_AMONG = 200  # more names than this: no fuzzy match, no list (each is linear in the names)


def _did_you_mean(name: str, names: Sequence[str], what: str) -> str:
    """The closest name, or the names there are: both cost a pass over `names`, so for
    thousands of unknown names among thousands of names (r13) neither is given."""
    import difflib

    if len(names) > _SUGGEST_AMONG:
        return f"there are {len(names)} {what}; check the spelling"
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
    check_hidden,
]
