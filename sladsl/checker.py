"""The checker: every error and warning about a parsed agreement, collected in one run.

Each rule is a small function that yields diagnostics; `check` runs them all and sorts
the result by position, so a user sees every problem of a file at once. Codes are
stable and listed in docs/language.md: E1xx are errors, W2xx are warnings.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sladsl import ast
from sladsl.ast import Duration, FeeBase, PeriodKind, Span, TimeUnit
from sladsl.currencies import is_currency
from sladsl.diagnostics import Diagnostic, error, warning
from sladsl.units import describe_duration, describe_seconds, shortest_period_seconds

Diagnostics = Iterator[Diagnostic]


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
    ast.Fee: "fee",
}


def _check_headers(a: ast.Agreement) -> Diagnostics:
    yield from _single_statements(a.statements, _HEADERS)
    yield from _single_statements(a.statements, {ast.Security: "security", ast.Reporting: "reporting"})
    for service in a.services:
        yield from _single_statements(service.statements, {ast.Fee: "fee"})
    for calendar in a.calendars:
        yield from _single_statements(calendar.statements, {ast.TimeZone: "timezone", ast.Holidays: "holidays"})
    for plan in a.support_plans:
        yield from _single_statements(plan.statements, {ast.UsesCalendar: "calendar", ast.TicketTarget: "target"})
    if a.reporting:
        yield from _single_statements(a.reporting.statements, {ast.UsesCalendar: "calendar"})
    if a.security:
        yield from _single_statements(a.security.statements, {ast.BreachNotification: "breach notification"})


def _check_names(a: ast.Agreement) -> Diagnostics:
    yield from _duplicates(((s.name, s.name_span) for s in a.services), "service")
    yield from _duplicates(((c.name, c.name_span) for c in a.calendars), "calendar")
    yield from _duplicates(((p.name, p.name_span) for p in a.support_plans), "support plan")
    yield from _duplicates(((d.term, d.span) for d in a.definitions), "definition")
    for service in a.services:
        yield from _duplicates(((o.name, o.name_span) for o in service.objectives), "objective")
        yield from _duplicates(((c.objective, c.objective_span) for c in service.credits), "credits for")
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
    if a.fee:
        yield a.fee
    for service in a.services:
        if service.fee:
            yield service.fee


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
    for service in a.services:
        monthly = a.monthly_fee(service)
        for credits in service.credits:
            minimum = credits.minimum
            if monthly and minimum and minimum.money.currency != monthly.currency:
                yield warning(
                    "W205",
                    f"the minimum is in {minimum.money.currency} but the fee is in {monthly.currency}",
                    minimum.money.span,
                )


def _percents(a: ast.Agreement) -> Iterator[ast.Percent]:
    for service in a.services:
        for objective in service.objectives:
            for s in objective.statements:
                if isinstance(s, ast.AvailabilityTarget | ast.RequestTarget):
                    yield s.percent
                elif isinstance(s, ast.DowntimeFromErrorRate):
                    yield s.above
        for credits in service.credits:
            for tier in credits.tiers:
                if tier.percent_of_fee is not None:
                    yield tier.percent_of_fee.percent
                if isinstance(tier.threshold, ast.Percent):
                    yield tier.threshold
            if credits.cap:
                yield credits.cap.percent
    for plan in a.support_plans:
        if plan.target:
            yield plan.target.percent


def _check_percents(a: ast.Agreement) -> Diagnostics:
    for percent in _percents(a):
        if not Decimal(0) <= percent.value <= Decimal(100):
            yield error("E107", f"percentage {percent.value}% is outside 0% to 100%", percent.span)
    for service in a.services:
        for objective in service.objectives:
            for target in objective.targets:
                percentile = target.percentile if isinstance(target, ast.LatencyTarget) else None
                if percentile is not None and not Decimal(0) < percentile <= Decimal(100):
                    yield error(
                        "E107",
                        f"percentile p{percentile} is outside p0 to p100",
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


def _check_objective_durations(o: ast.Objective) -> Diagnostics:
    for s in o.statements:
        if isinstance(s, ast.LatencyTarget):
            yield from _fixed(s.limit, "a latency limit")
        elif isinstance(s, ast.DowntimeFromSamples):
            yield from _fixed(s.every, "a sample interval")
        elif isinstance(s, ast.DowntimeFromErrorRate | ast.AverageErrorRate):
            yield from _fixed(s.window, "a window")
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
            claim = credits.claim_window
            if isinstance(claim, ast.ClaimWindow) and claim.calendar is None:
                yield from _no_business(claim.within, "a claim window")
    if a.security:
        for cert in a.security.certifications:
            if cert.renewed_every:
                yield from _no_business(cert.renewed_every, "a renewal interval")
        if a.security.breach_notification:
            yield from _no_business(a.security.breach_notification.within, "breach notification")
    for plan in a.support_plans:
        for priority in plan.priorities:
            yield from _business_units(priority.response)
            if priority.response.business and priority.around_the_clock:
                yield error(
                    "E114",
                    "a response time in business time cannot also be around the clock",
                    priority.span,
                    "write `within 1 hour, around the clock` or `within 4 business hours`",
                )
    if a.reporting:
        for report in a.reporting.reports:
            yield from _business_units(report.within)


def _check_business_calendars(a: ast.Agreement) -> Diagnostics:
    for plan in a.support_plans:
        if plan.calendar is None:
            for priority in plan.priorities:
                if priority.response.business:
                    yield error(
                        "E108",
                        f"business time in support plan `{plan.name}`, which has no calendar",
                        priority.response.span,
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
        for hours in calendar.open_hours:
            if hours.closes <= hours.opens:
                yield error(
                    "E116",
                    "open hours must close after they open",
                    hours.span,
                    "a day's open time runs from the first time to the second, at most until 24:00",
                )
        if calendar.holidays and not _is_holiday_country(calendar.holidays.country):
            yield error(
                "E115",
                f"no public holidays are known for `{calendar.holidays.country}`",
                calendar.holidays.span,
                'use an ISO 3166 country code such as "US", "DE" or "GB"',
            )
        if calendar.name not in used:
            yield warning(
                "W206", f"calendar `{calendar.name}` is not used by any support plan or report", calendar.name_span
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
    ast.ExcludeMaintenance,
    ast.ExcludeCauses,
)


def _check_objectives(a: ast.Agreement) -> Diagnostics:
    for service in a.services:
        for objective in service.objectives:
            yield from _check_objective(objective)


def _check_objective(o: ast.Objective) -> Diagnostics:
    targets = o.targets
    if not targets:
        yield error(
            "E111",
            f"objective `{o.name}` has no target",
            o.name_span,
            "add a target such as `availability at least 99.9% per calendar month`",
        )
    for extra in targets[1:]:
        yield error(
            "E111", f"objective `{o.name}` has more than one target", extra.span, "split it into two objectives"
        )
    target = o.target
    yield from _single_statements(
        o.statements,
        {
            ast.MissingData: "missing data",
            ast.IgnoreOutages: "ignore outages",
            ast.ExcludeMaintenance: "exclude maintenance",
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
    if o.monitor:
        yield from _check_monitor(o.monitor)
    yield from _check_budget(o)


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
    candidates = [v for v in (threshold, step) if v is not None]
    return max(candidates) if candidates else None


def _check_budget(o: ast.Objective) -> Diagnostics:
    target = o.target
    if not isinstance(target, ast.AvailabilityTarget) or not Decimal(0) <= target.percent.value <= Decimal(100):
        return
    smallest = _smallest_counted_outage(o)
    if smallest is None:
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
    for service in a.services:
        for credits in service.credits:
            objective = service.objective(credits.objective)
            target = objective.target if objective else None
            if target is not None:
                yield from _check_tiers(credits, target)
            yield from _single_statements(
                credits.statements,
                {
                    ast.CreditCap: "at most",
                    ast.CreditMinimum: "minimum",
                    ast.ClaimWindow: "claim within",
                },
            )


def _threshold_value(threshold: ast.Percent | Duration) -> Decimal:
    if isinstance(threshold, ast.Percent):
        return threshold.value
    return threshold.seconds if not threshold.is_calendar and not threshold.business else Decimal(0)


def _check_tiers(credits: ast.Credits, target: ast.Target) -> Diagnostics:
    upward = isinstance(target, ast.LatencyTarget)
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
            f"`{tier.comparison.value}` on an availability objective, which is breached by values below its target",
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
        return f"{amount.percent.value}%"
    if isinstance(amount, ast.TimesDowntimeFees):
        return f"{amount.factor} times"
    return f"{amount.money.amount} {amount.money.currency}"


def _check_first_tier(tier: ast.Tier, target: ast.Target, upward: bool) -> Diagnostics:
    limit = (
        target.limit.seconds
        if isinstance(target, ast.LatencyTarget) and not target.limit.is_calendar and not target.limit.business
        else None
    )
    goal = limit if upward else (None if isinstance(target, ast.LatencyTarget) else target.percent.value)
    if goal is None or (not upward and not Decimal(0) <= goal <= Decimal(100)):
        return  # an invalid target is already an error; comparing tiers with it says nothing more
    threshold = _threshold_value(tier.threshold)
    gap = threshold > goal if upward else threshold < goal
    pays_when_met = (threshold < goal if upward else threshold > goal) or (
        threshold == goal and tier.comparison.inclusive
    )
    shown = _show_threshold(tier.threshold)
    target_shown = (
        describe_duration(target.limit) if isinstance(target, ast.LatencyTarget) else f"{target.percent.value}%"
    )
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
    return f"{threshold.value}%" if isinstance(threshold, ast.Percent) else describe_duration(threshold)


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
                f"the cap ({cap.percent.value}% of {cap.base.value}) is below this tier's credit",
                amount.percent.span,
                "this tier can never pay in full",
            )


_RULES: list[Callable[[ast.Agreement], Diagnostics]] = [
    _check_headers,
    _check_names,
    _check_references,
    _check_time_zones,
    _check_currencies,
    _check_percents,
    _check_durations,
    _check_business_calendars,
    _check_calendars,
    _check_objectives,
    _check_credits,
]
