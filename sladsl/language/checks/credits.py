"""The checker's rules on credits: tiers and their order, amounts and their currencies, fee
bases, caps, claim deadlines, and remedies across periods (rolling caps, chronic failure).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

from sladsl.language import ast
from sladsl.language.ast import Duration, FeeBase, PeriodKind, TimeUnit
from sladsl.language.checks.common import Diagnostics, _business_units, _n, _single_statements
from sladsl.language.checks.plans import _plan_choices
from sladsl.language.currencies import is_currency
from sladsl.language.diagnostics import Diagnostic, error, warning
from sladsl.language.units import describe_duration


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
            yield from _single_statements(
                credits.statements, {ast.CreditMinimum: "minimum", ast.CreditThreshold: "pay credits only above"}
            )
            service_caps = [c for c in credits.statements if isinstance(c, ast.ServiceTimeCap) and c.rolling is None]
            yield from _single_statements(service_caps, {ast.ServiceTimeCap: "at most ... of service"})


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


def _is_upward(target: ast.Target) -> bool:
    """Breached by values above a bound: a latency limit, or draft 3's allowed downtime."""
    return (isinstance(target, ast.LatencyTarget) and target.upward) or isinstance(target, ast.DowntimeTarget)


def _check_tiers(credits: ast.Credits, target: ast.Target) -> Diagnostics:
    upward = _is_upward(target)
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
    for tier in credits.all_tiers:
        if isinstance(tier.amount, ast.TimesDowntimeFees):
            if not isinstance(target, ast.AvailabilityTarget | ast.DowntimeTarget):
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
        elif isinstance(tier.amount, ast.ServiceTime) and tier.amount.duration.amount == 0:
            yield warning("W211", "this tier gives no service time: it never pays anything", tier.amount.span)


def _tier_shape_problem(tier: ast.Tier, upward: bool) -> Diagnostic | None:
    if upward and not tier.comparison.upward:
        return error(
            "E110",
            f"`{tier.comparison.value}` on an objective breached by values above its limit (latency or downtime)",
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
            "a latency or downtime tier's threshold is a duration, not a percentage",
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
    if isinstance(amount, ast.ServiceTime) and isinstance(prev, ast.ServiceTime):
        return _threshold_value(amount.duration) < _threshold_value(prev.duration)
    return False


def _show_amount(amount: ast.CreditAmount) -> str:
    if isinstance(amount, ast.PercentOfFee):
        return f"{_n(amount.percent.value)}%"
    if isinstance(amount, ast.TimesDowntimeFees):
        return f"{_n(amount.factor)} times"
    if isinstance(amount, ast.ServiceTime):
        return describe_duration(amount.duration) + " of service"
    return f"{_n(amount.money.amount)} {amount.money.currency}"


def _target_percent(target: ast.Target) -> Decimal | None:
    """The percent a downward objective must reach: availability, or a share of latency windows."""
    if isinstance(target, ast.LatencyTarget):
        return target.windows.share.value if target.windows else None
    if isinstance(target, ast.DowntimeTarget):
        return None
    return target.percent.value


def _check_first_tier(tier: ast.Tier, target: ast.Target, upward: bool) -> Diagnostics:
    limit = (
        target.limit.seconds
        if isinstance(target, ast.LatencyTarget | ast.DowntimeTarget)
        and not target.limit.is_calendar
        and not target.limit.business
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
    target_shown = (
        describe_duration(target.limit)
        if upward and isinstance(target, ast.LatencyTarget | ast.DowntimeTarget)
        else f"{goal}%"
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


# ---- amounts and currencies ---------------------------------------------------------------


def _monies(a: ast.Agreement) -> Iterator[ast.Money]:
    for fee in _fees(a):
        yield fee.money
    for service in a.services:
        for credits in service.credits:
            if credits.minimum:
                yield credits.minimum.money
            if credits.threshold:
                yield credits.threshold.money


def _fees(a: ast.Agreement) -> Iterator[ast.Fee]:
    yield from (s for s in a.statements if isinstance(s, ast.Fee))
    for service in a.services:
        yield from (s for s in service.statements if isinstance(s, ast.Fee))


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
                for floor in (credits.minimum, credits.threshold):
                    if floor and floor.money.currency != monthly.currency:
                        what = "minimum" if isinstance(floor, ast.CreditMinimum) else "threshold"
                        yield warning(
                            "W205",
                            f"the {what} is in {floor.money.currency} but the fee is in {monthly.currency}",
                            floor.money.span,
                        )
                for tier in credits.all_tiers:
                    if isinstance(tier.amount, ast.FixedCredit) and tier.amount.money.currency != monthly.currency:
                        yield error(
                            "E122",
                            f"this credit is in {tier.amount.money.currency} but the fee"
                            + (f" on plan `{plan}`" if plan else "")
                            + f" is in {monthly.currency}",
                            tier.amount.money.span,
                            f"write the sum in {monthly.currency}; credits are paid in the fee's currency",
                        )


# ---- claim deadlines and remedies across periods -------------------------------------------


def _check_claims(a: ast.Agreement) -> Diagnostics:
    """Each credits block's claim deadline and rolling caps."""
    for service in a.services:
        for credits in service.credits:
            yield from _check_claim(credits)
            named = service.objective(credits.objective)
            periods = {t.period.kind: t.period for t in named.targets} if named else {}
            for cap in credits.rolling_caps:
                for period in periods.values():
                    yield from _rolling_span(cap, period)


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
