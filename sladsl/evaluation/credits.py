"""Service credits: the worst tier that holds, the amount, caps, minimums, claim deadlines.

A tier's amount is a percent of a fee (draft 1), `N times the fees for the downtime` or a
fixed sum (draft 2). Amounts stay exact `Decimal` until each credit is rounded once,
half-up, to the currency's minor unit. Rolling caps (`at most ... per 12 months`) read the
credits of earlier periods from the `--history` ledger (`History`, read by
`sladsl.evaluation.history`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sladsl.evaluation.report import CreditResult, ObjectiveResult, decimal_text
from sladsl.language import ast
from sladsl.language.currencies import minor_unit
from sladsl.language.diagnostics import SladslError
from sladsl.language.periods import Window, add_calendar, add_months, epoch_us, from_epoch_us
from sladsl.language.units import describe_duration

_HUNDRED = Decimal(100)


# ---- earlier periods: the --history ledger ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class PastPeriod:
    """One service × objective × period of the ledger: whether it was breached, what it credited."""

    service: str
    objective: str
    period: Window
    breached: bool
    amount: Decimal


@dataclass
class History:
    """Earlier periods from `--history LEDGER`; `known` is False when no ledger was given."""

    known: bool
    periods: list[PastPeriod] = field(default_factory=list)
    source: str = ""

    def before(self, window: Window, service: str, objective: str | None = None) -> list[PastPeriod]:
        """The ledger's periods of a service (and objective) that end by the judged period's start."""
        return [
            p
            for p in self.periods
            if p.service == service
            and (objective is None or p.objective == objective)
            and p.period.end_us <= window.start_us
        ]


# ---- credits --------------------------------------------------------------------------------


def credits_owed(
    agreement: ast.Agreement,
    results: Sequence[ObjectiveResult],
    window: Window,
    fee: ast.Money | None,
    as_of: date | None,
    plan: str | None = None,
    history: History | None = None,
    notes: list[str] | None = None,
    customer_fee: ast.Money | None = None,
    share: Decimal = Decimal(1),
    period: Window | None = None,
) -> list[CreditResult]:
    """The credits owed for one period.

    For one customer of a ledger: `customer_fee` (the `customers` table's) replaces the
    agreement's fee, a service's own fee still winning; `window` is the part of `period`
    the customer was subscribed, and `share` that part's fraction of it: every credit
    base is prorated by it, while claim deadlines and rolling spans follow `period`.
    """
    history = history or History(known=False)
    notes = notes if notes is not None else []
    period = period or window
    by_key = {(r.service, r.objective): r for r in results}
    credits: list[CreditResult] = []
    for service in agreement.services:
        full = fee_in_effect(agreement, service, plan, customer_fee, fee)
        if full is not None and full is fee:
            refuse_foreign_fixed_credits(service, full, f"--fee {decimal_text(full.amount)} {full.currency}")
        monthly = None if full is None else ast.Money(full.amount * share, full.currency)
        owed: list[tuple[CreditResult, Decimal | None, ast.Credits]] = []
        for block in service.credits:
            result = by_key.get((service.name, block.objective))
            objective = service.objective(block.objective)
            if result is None or objective is None or not result.judged or result.measured is None:
                continue
            tier = _worst_tier(block, result)
            if tier is None:
                continue
            exact, currency, why = _amount(tier.amount, monthly, window, result)
            claim_by = claim_deadline(agreement, block.claim_window, period)
            amount = tier.amount
            credit = CreditResult(
                service.name,
                block.objective,
                amount.percent.value if isinstance(amount, ast.PercentOfFee) else None,
                None,
                currency,
                tier_words(tier),
                claim_by,
                bool(claim_by and as_of and as_of > claim_by),
                why,
                basis=_basis(amount),
                factor=amount.factor if isinstance(amount, ast.TimesDowntimeFees) else None,
            )
            if credit.expired:
                credit.reason = f"not claimed by {claim_by}: expired"
            owed.append((credit, exact, block))
        _apply_caps_and_minimum(service, owed, monthly, window, history, notes, full, period)
        credits.extend(c for c, _, _ in owed)
    return credits


def fee_in_effect(
    agreement: ast.Agreement,
    service: ast.Service,
    plan: str | None,
    customer_fee: ast.Money | None,
    fee: ast.Money | None,
) -> ast.Money | None:
    """The monthly fee a service's credits are worked out on: the service's own, else the
    customer's (the `customers` table's), else the agreement's, else `--fee`. One rule for
    the credits and for the checks of the currencies they are paid in."""
    own = service.fee_for(plan) or (service.fee if plan is None else None)
    return (own.money if own else None) or customer_fee or agreement.monthly_fee(service, plan) or fee


def foreign_fixed_credit(service: ast.Service, currency: str) -> ast.Tier | None:
    """The first fixed tier (`100 USD`) of a service in another currency than its fee's.

    The checker's E122 refuses it for the agreement's own fees; a fee from outside the
    agreement (`--fee`, the `customers` table) is held to the same rule: a credit is paid
    in the fee's currency, and no exchange rate is known to convert it."""
    for block in service.credits:
        for tier in block.tiers:
            if isinstance(tier.amount, ast.FixedCredit) and tier.amount.money.currency != currency:
                return tier
    return None


def refuse_foreign_fixed_credits(service: ast.Service, fee: ast.Money, source: str) -> None:
    tier = foreign_fixed_credit(service, fee.currency)
    if tier is not None:
        assert isinstance(tier.amount, ast.FixedCredit)
        raise SladslError(
            f"{source}: the fee is in {fee.currency} but the credit `{tier_words(tier)}` of service "
            f"{service.name!r} is in {tier.amount.money.currency}; credits are paid in the fee's currency "
            f"(give the fee in {tier.amount.money.currency})"
        )


def _basis(amount: ast.CreditAmount) -> str:
    if isinstance(amount, ast.PercentOfFee):
        return amount.base.value
    if isinstance(amount, ast.TimesDowntimeFees):
        return "fees for the downtime"
    return "fixed"


def _period_fees(monthly: ast.Money, window: Window) -> Decimal | None:
    months = window.kind.months
    return None if months is None else monthly.amount * months


def _amount(
    amount: ast.CreditAmount, monthly: ast.Money | None, window: Window, result: ObjectiveResult
) -> tuple[Decimal | None, str | None, str]:
    """The exact credit before caps, its currency, and why there is none."""
    if isinstance(amount, ast.FixedCredit):
        return amount.money.amount, amount.money.currency, ""
    if monthly is None:
        return None, None, "no fee is known: give --fee"
    if isinstance(amount, ast.PercentOfFee):
        months = Decimal(window.kind.months or 0)
        base = monthly.amount * (months if amount.base is ast.FeeBase.PERIOD_FEES else 1)
        return base * amount.percent.value / _HUNDRED, monthly.currency, ""
    period_fees = _period_fees(monthly, window)
    if period_fees is None:
        return None, monthly.currency, "the fees for a week are not defined (fees are monthly)"
    if result.downtime_seconds is None:
        return None, monthly.currency, "the fees for the downtime need time-based availability"
    return amount.factor * period_fees * result.downtime_seconds / window.seconds, monthly.currency, ""


def _worst_tier(block: ast.Credits, result: ObjectiveResult) -> ast.Tier | None:
    assert result.measured is not None
    holding = [t for t in block.tiers if _holds(t, result.measured)]
    return holding[-1] if holding else None


def _holds(tier: ast.Tier, measured: Decimal) -> bool:
    threshold = tier.threshold.value if isinstance(tier.threshold, ast.Percent) else tier.threshold.seconds * 1000
    return {
        ast.Comparison.BELOW: measured < threshold,
        ast.Comparison.AT_OR_BELOW: measured <= threshold,
        ast.Comparison.ABOVE: measured > threshold,
        ast.Comparison.AT_OR_ABOVE: measured >= threshold,
    }[tier.comparison]


def amount_words(amount: ast.CreditAmount) -> str:
    if isinstance(amount, ast.PercentOfFee):
        return f"{amount.percent.value}% of {amount.base.value}"
    if isinstance(amount, ast.TimesDowntimeFees):
        return f"{decimal_text(amount.factor)} times the fees for the downtime"
    return f"{amount.money.amount} {amount.money.currency}"


def tier_words(tier: ast.Tier) -> str:
    threshold = (
        f"{tier.threshold.value}%" if isinstance(tier.threshold, ast.Percent) else describe_duration(tier.threshold)
    )
    return f"{tier.comparison.value} {threshold}: {amount_words(tier.amount)}"


# ---- claim deadlines ---------------------------------------------------------------------------


def claim_deadline(agreement: ast.Agreement, claim: ast.Claim | None, window: Window) -> date | None:
    """The last day on which a credit for this period may be claimed (the whole day counts)."""
    if claim is None:
        return None
    if isinstance(claim, ast.ClaimByMonthEnd):
        # the end of the Nth calendar month after the month in which the period ends
        month = add_months(window.last_day.replace(day=1), claim.months_after)
        return add_months(month, 1) - timedelta(days=1)
    if not claim.within.business:
        return add_calendar(window.last_day, claim.within)
    calendar = agreement.calendar(claim.calendar) if claim.calendar else None
    if calendar is None and len(agreement.calendars) == 1:
        calendar = agreement.calendars[0]
    if calendar is None:
        return None
    return _business_deadline(agreement, calendar, claim.within, window)


def _business_deadline(
    agreement: ast.Agreement, calendar: ast.Calendar, within: ast.Duration, window: Window
) -> date | None:
    """`claim within N business days on "C"`: the Nth open day of the calendar after the
    period (the first day after the period counts when it is open); `N business hours`:
    the day on which N hours of its open time after the period's end have passed."""
    from sladsl.evaluation.calendars import add_business_time, closed_days, open_intervals

    zone = agreement.timezone
    first = window.end.date()  # the local day after the period
    if within.unit is ast.TimeUnit.DAY:
        wanted = int(-(-within.amount // 1))  # a part day counts as a whole one
        last = first + timedelta(days=400 + 2 * wanted)
        closed = closed_days(calendar, first, last)
        weekdays = {d for hours in calendar.open_hours for d in hours.days}
        day, found = first, 0
        while day <= last:  # an open day: one on which a shift opens
            if ast.Weekday(day.weekday()) in weekdays and day not in closed:
                found += 1
                if found >= wanted:
                    return day
            day += timedelta(days=1)
        return None
    amount_us = int(within.amount * 3600 * 10**6)
    intervals = open_intervals(calendar, zone, first - timedelta(days=1), first + timedelta(days=400))
    moment = add_business_time(intervals, epoch_us(window.end), amount_us)
    if moment is None:
        return None
    return from_epoch_us(moment - 1, window.start.tzinfo).date()


# ---- caps and minimums -------------------------------------------------------------------------


def _apply_caps_and_minimum(
    service: ast.Service,
    owed: list[tuple[CreditResult, Decimal | None, ast.Credits]],
    monthly: ast.Money | None,
    window: Window,
    history: History,
    notes: list[str],
    full: ast.Money | None = None,
    period: Window | None = None,
) -> None:
    """The caps limit the sum of the service's credits (earlier objectives are paid first):
    the per-period cap over this period, a rolling cap over its span of periods ending with
    this one (less what the ledger's earlier periods credited). Then each credit below its
    block's minimum is not issued; then each is rounded once."""
    full = full or monthly
    period = period or window
    judged = [b for b in service.credits if _judged_now(service, b, window)]
    remaining: Decimal | None = None
    why = ""
    caps = [b.period_cap for b in judged if b.period_cap is not None]
    if caps and monthly is not None:
        remaining = min(_cap_amount(c, monthly, window) for c in caps)
        why = f"reduced by the cap of {decimal_text(remaining)} {monthly.currency}"
    for block in judged:
        for cap in block.rolling_caps:
            if monthly is None or full is None or cap.rolling is None:
                continue
            span = describe_duration(cap.rolling)
            start_us = _span_start(cap.rolling, period)
            earlier = [p for p in history.before(period, service.name) if p.period.start_us >= start_us]
            used = sum((p.amount for p in earlier), Decimal(0))
            limit = _cap_amount(cap, full, period)  # over months: the whole fee, not one month's share
            left = max(Decimal(0), limit - used)
            if not history.known:
                notes.append(
                    f'{service.name} / {block.objective}: the rolling cap "at most {cap.percent.value}% of '
                    f'{cap.base.value} per {span}" counts earlier periods as no credits: they are not known '
                    "(no --history ledger was given)"
                )
            if remaining is None or left < remaining:
                remaining = left
                why = (
                    f"reduced by the rolling cap of {decimal_text(limit)} {monthly.currency} per {span}: "
                    f"{decimal_text(used)} {monthly.currency} credited in the earlier periods of that span"
                )
    for credit, exact, block in owed:
        if exact is None or credit.currency is None:
            continue
        amount = exact
        if remaining is not None and monthly is not None and credit.currency == monthly.currency:
            if amount > remaining:
                credit.reason = why if remaining else f"{why}: nothing is left"
                credit.capped = True
                amount = remaining
            remaining -= amount
        minimum = block.minimum
        if minimum is not None and amount < minimum.money.amount:
            credit.reason = f"below the minimum of {minimum.money.amount} {minimum.money.currency}: not issued"
            amount = Decimal(0)
        quantum = Decimal(1).scaleb(-minor_unit(credit.currency))
        credit.amount = amount.quantize(quantum, rounding=ROUND_HALF_UP)


def _cap_amount(cap: ast.CreditCap, monthly: ast.Money, window: Window) -> Decimal:
    months = Decimal(window.kind.months or 0)
    return monthly.amount * cap.percent.value / _HUNDRED * (months if cap.base is ast.FeeBase.PERIOD_FEES else 1)


def _span_start(span: ast.Duration, window: Window) -> int:
    """The start of a rolling cap's span that ends with the judged period (`12 months`:
    the judged period and the periods that start in the 12 months before its end)."""
    if span.is_calendar:
        months = int(span.amount) * (12 if span.unit is ast.TimeUnit.YEAR else 1)
        first = add_months(window.end.date(), -months)
        return epoch_us(datetime(first.year, first.month, first.day, tzinfo=window.start.tzinfo))
    return window.end_us - int(span.seconds * 10**6)


def _judged_now(service: ast.Service, block: ast.Credits, window: Window) -> bool:
    """A cap limits credits of one period: only caps of objectives measured like this one apply."""
    objective = service.objective(block.objective)
    return bool(objective and objective.period and objective.period.kind is window.kind)
