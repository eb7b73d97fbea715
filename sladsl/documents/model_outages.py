"""The cells of draft-3 credit rows: a `for each outage` tier with a worked example in money
(or service time), and a tier paid in service time with what that time is worth.

Why its own module: `model_services` lays the credit tables out; these rows need arithmetic
of their own (started and whole units, the tier's own cap, the block's limits) that the
other rows do not.
"""

from __future__ import annotations

import math
from decimal import Decimal

from sladsl.documents.phrases_common import HUNDRED, PERIOD_LENGTHS
from sladsl.documents.phrases_terms import (
    amount_words,
    fee_base_money,
    outage_amount_words,
    outage_condition,
    service_value,
    tier_money,
)
from sladsl.language import ast
from sladsl.language.currencies import rounded
from sladsl.language.units import describe_duration, describe_seconds


def _paid(money: Decimal, currency: str, minimum: Decimal | None, threshold: Decimal | None) -> str:
    paid = rounded(money, currency)
    if minimum is not None and paid < minimum:
        return "not issued (below the minimum)"
    if threshold is not None and paid <= threshold:
        return f"not issued (not above {threshold} {currency})"
    return f"{paid} {currency}"


def _example_seconds(tier: ast.OutageTier) -> Decimal:
    """An outage length that shows how units count: two and a half units, past `longer than`."""
    unit = tier.per.seconds if tier.per is not None else Decimal(1500)
    seconds = unit * Decimal("2.5")
    if tier.longer_than is not None and seconds <= tier.longer_than.seconds:
        seconds = tier.longer_than.seconds + unit * Decimal("1.5")
    return seconds


def outage_row(
    tier: ast.OutageTier,
    fee: ast.Money | None,
    months: int | None,
    cap: Decimal | None,
    minimum: Decimal | None,
    threshold: Decimal | None,
    length: tuple[str, Decimal] | None,
) -> list[str]:
    """[which outages, the credit in the contract's words, an example outage and what it earns]."""
    words = [outage_condition(tier), outage_amount_words(tier)]
    amount = tier.amount
    if isinstance(amount, ast.TimesDowntimeFees):
        return [*words, tier_money(amount, fee, months, cap, minimum, length)]
    seconds = _example_seconds(tier)
    units = Decimal(1)
    how = ""
    if tier.per is not None:
        ratio = seconds / tier.per.seconds
        units = Decimal(math.ceil(ratio) if tier.started else math.floor(ratio))
        kind = "started" if tier.started else "whole"
        how = f" counts {units} {kind} units of {describe_duration(tier.per)} and"
    outage = f"an outage of {describe_seconds(seconds)}{how}"
    if isinstance(amount, ast.ServiceTime):
        total = amount.duration.seconds * units
        note = ""
        if isinstance(tier.cap, ast.ServiceTime) and total > tier.cap.duration.seconds:
            total, note = tier.cap.duration.seconds, " (limited by the outage's cap)"
        if isinstance(tier.cap, ast.PercentOfFee):
            note = f" before the outage's cap (at most the service time worth {amount_words(tier.cap)})"
        return [*words, f"{outage} earns {describe_seconds(total)} of service credit{note}"]
    if isinstance(amount, ast.FixedCredit):
        money, currency = amount.money.amount * units, amount.money.currency
        share = None
    else:
        share = amount.percent.value * units
        base = fee_base_money(amount.base, fee, months)
        if base is None or fee is None:
            return [*words, f"{outage} earns {share}% of the fee"]
        money, currency = base * share / HUNDRED, fee.currency
    note = ""
    if isinstance(tier.cap, ast.PercentOfFee) and fee is not None:
        base = fee_base_money(tier.cap.base, fee, months)
        if base is not None and money > base * tier.cap.percent.value / HUNDRED:
            money, share, note = base * tier.cap.percent.value / HUNDRED, tier.cap.percent.value, " (the outage's cap)"
    if isinstance(tier.cap, ast.ServiceTime):
        note = f" before the outage's cap (at most what {describe_duration(tier.cap.duration)} of service is worth)"
    if cap is not None and money > cap:
        money, note = cap, " (limited by the cap)"
    said = f"{share}% of {amount_words(amount).split(' of ', 1)[1]}, " if share is not None and not note else ""
    return [*words, f"{outage} earns {said}{_paid(money, currency, minimum, threshold)}{note}"]


def service_cell(
    amount: ast.ServiceTime,
    cap: ast.ServiceTimeCap | None,
    fee: ast.Money | None,
    months: int | None,
    period: ast.Period | None,
) -> str:
    """A tier paid in service time: the time (within the block's service-time cap) and its worth."""
    granted = amount
    note = ""
    if cap is not None and amount.duration.seconds > cap.limit.duration.seconds:
        granted, note = cap.limit, " (limited by the cap)"
    text = f"{describe_duration(granted.duration)} of service{note}, not money"
    if period is not None:
        text += _worth(granted, fee, months, period.kind)
    return text


def _worth(granted: ast.ServiceTime, fee: ast.Money | None, months: int | None, kind: ast.PeriodKind) -> str:
    """What the time is worth from the period's longest length (the least) to its shortest
    (the most): evaluation values it by the actual period's days, so one figure for a 30-day
    month would promise more than a 31-day month pays."""
    lengths = sorted(PERIOD_LENGTHS[kind], key=lambda length: -length[0])
    least = service_value(granted, fee, months, lengths[0][0])
    most = service_value(granted, fee, months, lengths[-1][0])
    if least is None or most is None:
        return ""
    if least == most:
        return f"; worth {least} in {lengths[0][1]}"
    return f"; worth {least} in {lengths[0][1]} to {most} in {lengths[-1][1]}"
