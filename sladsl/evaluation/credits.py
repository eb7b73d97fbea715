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
from datetime import date, datetime
from decimal import Decimal

from sladsl.evaluation.credits_outages import (
    Owed,
    amount_of,
    amount_words,
    outage_claimed_from,
    outage_owed,
    outage_tier_words,
    service_value,
)
from sladsl.evaluation.deadlines import claim_deadline, deadline_from
from sladsl.evaluation.report import CreditResult, ObjectiveResult, ServiceTimeRemedy, decimal_text
from sladsl.language import ast
from sladsl.language.currencies import rounded
from sladsl.language.diagnostics import SladslError
from sladsl.language.periods import Window, add_months, epoch_us
from sladsl.language.units import describe_duration, describe_seconds

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
        owed: list[tuple[CreditResult, Owed, ast.Credits]] = []
        for block in service.credits:
            result = by_key.get((service.name, block.objective))
            objective = service.objective(block.objective)
            if result is None or objective is None or not result.judged or result.measured is None:
                continue
            found = _owed(block, result, monthly, window)
            if found is None:
                continue
            owed.append((_credit(agreement, service, block, result, found, period, as_of), found, block))
        _apply_caps_and_minimum(service, owed, monthly, window, history, notes, full, period)
        credits.extend(c for c, _, _ in owed)
    return credits


def _owed(block: ast.Credits, result: ObjectiveResult, monthly: ast.Money | None, window: Window) -> Owed | None:
    """What a block owes before caps: the worst `below`/`above` tier that holds, plus its
    `for each outage` tiers (draft 3; the checker refuses a block with both); None: nothing."""
    tier = _worst_tier(block, result)
    found = Owed()
    if tier is not None:
        money, seconds, currency, why = amount_of(tier.amount, monthly, window, result.downtime_seconds)
        found = Owed(money, seconds, currency, why, tiers=[tier_words(tier)])
    if block.outage_tiers:
        each = outage_owed(block, result, monthly, window)
        found.add(each.money, each.service)
        found.currency, found.why = found.currency or each.currency, found.why or each.why
        found.outages, found.tiers = each.outages, found.tiers + each.tiers
        if not found.tiers and result.outages is not None:
            return None  # no outage got a tier, and no other tier holds
    return found if found.tiers or found.why else None


def _credit(
    agreement: ast.Agreement,
    service: ast.Service,
    block: ast.Credits,
    result: ObjectiveResult,
    found: Owed,
    period: Window,
    as_of: date | None,
) -> CreditResult:
    tier = _worst_tier(block, result) if not block.outage_tiers else None
    amount = tier.amount if tier is not None else None
    claim = block.claim_window
    claim_from = outage_claimed_from(claim, result)
    if isinstance(claim, ast.ClaimWindow) and claim.from_outage is not None:
        edge = claim.from_outage
        moment = None if claim_from is None else (claim_from.start if edge is ast.OutageEdge.START else claim_from.end)
        claim_by = None if moment is None else deadline_from(agreement, claim, moment)
    else:
        claim_by = claim_deadline(agreement, claim, period)
    credit = CreditResult(
        service.name,
        block.objective,
        amount.percent.value if isinstance(amount, ast.PercentOfFee) else None,
        None,
        found.currency,
        "; ".join(found.tiers),
        claim_by,
        bool(claim_by and as_of and as_of > claim_by),
        found.why,
        basis="per outage" if found.outages is not None else _basis(amount),
        factor=amount.factor if isinstance(amount, ast.TimesDowntimeFees) else None,
        outages=found.outages,
        claim_from=claim_from,
    )
    if isinstance(claim, ast.ClaimWindow) and claim.from_outage is not None:
        credit.claim_from_edge = claim.from_outage.value
    if credit.expired:
        credit.reason = f"not claimed by {claim_by}: expired"
    return credit


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


def foreign_fixed_credit(service: ast.Service, currency: str) -> ast.Tier | ast.OutageTier | None:
    """The first fixed tier (`100 USD`) of a service in another currency than its fee's.

    The checker's E122 refuses it for the agreement's own fees; a fee from outside the
    agreement (`--fee`, the `customers` table) is held to the same rule: a credit is paid
    in the fee's currency, and no exchange rate is known to convert it."""
    for block in service.credits:
        tiers: list[ast.Tier | ast.OutageTier] = [*block.tiers, *block.outage_tiers]
        for tier in tiers:
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


def _basis(amount: ast.CreditAmount | None) -> str:
    if isinstance(amount, ast.PercentOfFee):
        return amount.base.value
    if isinstance(amount, ast.TimesDowntimeFees):
        return "fees for the downtime"
    if isinstance(amount, ast.ServiceTime):
        return "service time"
    return "fixed"


def _worst_tier(block: ast.Credits, result: ObjectiveResult) -> ast.Tier | None:
    assert result.measured is not None
    holding = [t for t in block.tiers if _holds(t, result.measured, result.unit)]
    return holding[-1] if holding else None


def _holds(tier: ast.Tier, measured: Decimal, unit: str) -> bool:
    """A duration threshold is in the measured value's unit: ms for latency, s for draft 3's
    downtime (`above 43.8 minutes`); a percent against a percent."""
    if isinstance(tier.threshold, ast.Percent):
        threshold = tier.threshold.value
    elif tier.threshold.is_calendar or tier.threshold.business:
        return False
    else:
        threshold = tier.threshold.seconds * (1 if unit == "s" else 1000)
    return {
        ast.Comparison.BELOW: measured < threshold,
        ast.Comparison.AT_OR_BELOW: measured <= threshold,
        ast.Comparison.ABOVE: measured > threshold,
        ast.Comparison.AT_OR_ABOVE: measured >= threshold,
    }[tier.comparison]


def tier_words(tier: ast.Tier | ast.OutageTier) -> str:
    if isinstance(tier, ast.OutageTier):
        return outage_tier_words(tier)
    threshold = (
        f"{tier.threshold.value}%" if isinstance(tier.threshold, ast.Percent) else describe_duration(tier.threshold)
    )
    return f"{tier.comparison.value} {threshold}: {amount_words(tier.amount)}"


# ---- caps and minimums -------------------------------------------------------------------------


def _apply_caps_and_minimum(
    service: ast.Service,
    owed: list[tuple[CreditResult, Owed, ast.Credits]],
    monthly: ast.Money | None,
    window: Window,
    history: History,
    notes: list[str],
    full: ast.Money | None = None,
    period: Window | None = None,
) -> None:
    """The caps limit the sum of the service's credits (earlier objectives are paid first):
    the per-period cap over this period, a rolling cap over its span of periods ending with
    this one (less what the ledger's earlier periods credited). Then each credit is rounded
    once, and a rounded credit below its block's `minimum`, or not above its `pay credits
    only above`, is not issued (draft 3: both compare the rounded credit). Remedies in
    service time have caps of their own (`_apply_service_caps`)."""
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
                first = min(
                    (p.period for p in history.before(period, service.name)), key=lambda w: w.start_us, default=None
                )
                unknown = "earlier periods" if first is None else f"the periods before {first.label}"
                notes.append(
                    f'{service.name} / {block.objective}: the rolling cap "at most {cap.percent.value}% of '
                    f'{cap.base.value} per {span}" counts {unknown} as no credits: they are not known '
                    "(no --history ledger was given)"
                )
            if remaining is None or left < remaining:
                remaining = left
                why = (
                    f"reduced by the rolling cap of {decimal_text(limit)} {monthly.currency} per {span}: "
                    f"{decimal_text(used)} {monthly.currency} credited in the earlier periods of that span"
                )
    for credit, found, block in owed:
        if found.money is None or credit.currency is None:
            continue
        amount = found.money
        if remaining is not None and monthly is not None and credit.currency == monthly.currency:
            if amount > remaining:
                credit.reason = why if remaining else f"{why}: nothing is left"
                credit.capped = True
                amount = remaining
            remaining -= amount
        amount = rounded(amount, credit.currency)
        minimum, threshold = block.minimum, block.threshold
        if minimum is not None and amount < minimum.money.amount:
            credit.reason = f"below the minimum of {minimum.money.amount} {minimum.money.currency}: not issued"
            amount = rounded(Decimal(0), credit.currency)
        elif threshold is not None and 0 < amount <= threshold.money.amount:
            credit.reason = f"not above {threshold.money.amount} {threshold.money.currency}: not paid"
            amount = rounded(Decimal(0), credit.currency)
        credit.amount = amount
    _apply_service_caps(service, owed, judged, full, period, notes)


def _apply_service_caps(
    service: ast.Service,
    owed: list[tuple[CreditResult, Owed, ast.Credits]],
    judged: list[ast.Credits],
    full: ast.Money | None,
    period: Window,
    notes: list[str],
) -> None:
    """Draft 3 `at most N days of service`: the least such cap of the service's blocks limits
    the sum of its remedies in service time (earlier objectives first), as money caps limit
    money. A rolling one (`per 12 months`) limits this period alone: the ledger keeps no
    service time, so earlier periods count as none (said in a note). Each remedy is then
    valued at the fee for that time (`credits_outages.service_value`)."""
    left: Decimal | None = None
    for block in judged:
        for statement in block.statements:
            if not isinstance(statement, ast.ServiceTimeCap):
                continue
            duration = statement.limit.duration
            if duration.is_calendar or duration.business:
                continue
            if statement.rolling is not None:
                notes.append(
                    f"{service.name} / {block.objective}: the cap of {describe_duration(duration)} of service per "
                    f"{describe_duration(statement.rolling)} counts earlier periods as no service time: "
                    "the ledger does not record it"
                )
            left = duration.seconds if left is None else min(left, duration.seconds)
    for credit, found, _ in owed:
        if found.service is None:
            continue
        seconds, capped = found.service, False
        if left is not None:
            if seconds > left:
                seconds, capped = left, True
                credit.capped = True
                credit.reason = (
                    credit.reason or f"service time reduced by the cap of {describe_seconds(left) or 'none'}"
                )
            left -= seconds
        currency = full.currency if full is not None else credit.currency
        credit.currency = credit.currency or currency
        credit.service_time = ServiceTimeRemedy(seconds, service_value(seconds, full, period), currency, capped)


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
