"""Service credits: the worst tier that holds, the fee base, caps, minimums, claim deadlines.

Amounts stay exact `Decimal` until each credit is rounded once, half-up, to the
currency's minor unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sladsl import ast
from sladsl.currencies import minor_unit
from sladsl.periods import Window, add_calendar
from sladsl.report import CreditResult, ObjectiveResult
from sladsl.units import describe_duration

_HUNDRED = Decimal(100)


def credits_owed(
    agreement: ast.Agreement,
    results: Sequence[ObjectiveResult],
    window: Window,
    fee: ast.Money | None,
    as_of: date | None,
) -> list[CreditResult]:
    by_key = {(r.service, r.objective): r for r in results}
    credits: list[CreditResult] = []
    for service in agreement.services:
        monthly = agreement.monthly_fee(service) or fee
        owed: list[tuple[CreditResult, Decimal | None, ast.Credits]] = []
        for block in service.credits:
            result = by_key.get((service.name, block.objective))
            objective = service.objective(block.objective)
            if result is None or objective is None or not result.judged or result.measured is None:
                continue
            tier = _worst_tier(block, result)
            if tier is None:
                continue
            months = Decimal(window.kind.months or 0)
            share = tier.amount
            assert isinstance(share, ast.PercentOfFee)  # TODO(draft 2): other amount forms
            base = (
                None if monthly is None else monthly.amount * (months if share.base is ast.FeeBase.PERIOD_FEES else 1)
            )
            exact = None if base is None else base * share.percent.value / _HUNDRED
            claim = block.claim_window
            claim_by = add_calendar(window.last_day, claim.within) if isinstance(claim, ast.ClaimWindow) else None
            credit = CreditResult(
                service.name,
                block.objective,
                share.percent.value,
                None,
                monthly.currency if monthly else None,
                _tier_words(tier),
                claim_by,
                bool(claim_by and as_of and as_of > claim_by),
                "" if monthly else "no fee is known: give --fee",
            )
            if credit.expired:
                credit.reason = f"not claimed by {claim_by}: expired"
            owed.append((credit, exact, block))
        _apply_cap_and_minimum(service, owed, monthly, window)
        credits.extend(c for c, _, _ in owed)
    return credits


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


def _tier_words(tier: ast.Tier) -> str:
    threshold = (
        f"{tier.threshold.value}%" if isinstance(tier.threshold, ast.Percent) else describe_duration(tier.threshold)
    )
    share = tier.amount
    assert isinstance(share, ast.PercentOfFee)  # TODO(draft 2): other amount forms
    return f"{tier.comparison.value} {threshold}: {share.percent.value}% of {share.base.value}"


def _apply_cap_and_minimum(
    service: ast.Service,
    owed: list[tuple[CreditResult, Decimal | None, ast.Credits]],
    monthly: ast.Money | None,
    window: Window,
) -> None:
    """The cap limits the sum of the service's credits (earlier objectives are paid first);
    then each credit below its block's minimum is not issued; then each is rounded once."""
    caps = [b.cap for b in service.credits if b.cap is not None and _judged_now(service, b, window)]
    remaining: Decimal | None = None
    if caps and monthly is not None:
        months = Decimal(window.kind.months or 0)
        remaining = min(
            monthly.amount * c.percent.value / _HUNDRED * (months if c.base is ast.FeeBase.PERIOD_FEES else 1)
            for c in caps
        )
    for credit, exact, block in owed:
        if exact is None or monthly is None:
            continue
        amount = exact
        if remaining is not None:
            if amount > remaining:
                credit.reason = f"reduced by the cap of {remaining} {monthly.currency}"
                amount = remaining
            remaining -= amount
        minimum = block.minimum
        if minimum is not None and amount < minimum.money.amount:
            credit.reason = f"below the minimum of {minimum.money.amount} {minimum.money.currency}: not issued"
            amount = Decimal(0)
        quantum = Decimal(1).scaleb(-minor_unit(monthly.currency))
        credit.amount = amount.quantize(quantum, rounding=ROUND_HALF_UP)


def _judged_now(service: ast.Service, block: ast.Credits, window: Window) -> bool:
    """A cap limits credits of one period: only caps of objectives measured like this one apply."""
    objective = service.objective(block.objective)
    return bool(objective and objective.period and objective.period.kind is window.kind)
