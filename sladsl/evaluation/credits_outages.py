"""Draft 3 credits: amounts in money or in service time, tiers judged outage by outage, the
value of service time, claim windows counted from the outage, and termination dates.

`for each outage [longer than D]: AMOUNT [per [started] U] [, at most CAP]` is judged over
the outages that count (`ObjectiveResult.outages`, filled by time-based evaluation): each
outage gets the last tier, in source order, that applies to it (`longer than D`: its
counted seconds are more than D), the amount is multiplied by its units of U (whole ones,
or every begun one with `started`), the tier's own cap bounds it, and the outages' credits
are summed for the period. The block's caps, minimum and threshold then apply to the sum as
to any tier's credit (`sladsl.evaluation.credits`).

Service time (`3 days of service`) is a remedy of its own: it is summed and capped in
seconds, never added to a money credit, and its value in money is the fee for that time:
the period's fees x the time / the period's length in days (`service_value`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from sladsl.evaluation.report import CountedOutage, ObjectiveResult, OutageCredit, decimal_text
from sladsl.language import ast
from sladsl.language.currencies import rounded
from sladsl.language.periods import Window
from sladsl.language.units import describe_duration

_HUNDRED = Decimal(100)
_DAY = Decimal(86400)


@dataclass
class Owed:
    """What one credits block owes for the period before its caps: money (exact) and
    service time (seconds), either None when the block owes none of it."""

    money: Decimal | None = None
    service: Decimal | None = None
    currency: str | None = None
    why: str = ""  # why a money amount could not be worked out
    outages: list[OutageCredit] | None = None
    tiers: list[str] = field(default_factory=list)  # the tiers applied, in words

    def add(self, money: Decimal | None, service: Decimal | None) -> None:
        if money is not None:
            self.money = (self.money or Decimal(0)) + money
        if service is not None:
            self.service = (self.service or Decimal(0)) + service


# ---- one amount ------------------------------------------------------------------------------


def period_fees(monthly: ast.Money, window: Window) -> Decimal | None:
    """The fees for the period: the monthly fee x its months (None for a week)."""
    months = window.kind.months
    return None if months is None else monthly.amount * months


def amount_of(
    amount: ast.CreditAmount, monthly: ast.Money | None, window: Window, downtime: Decimal | None
) -> tuple[Decimal | None, Decimal | None, str | None, str]:
    """One amount, exact: (money, service seconds, currency, why there is no money amount)."""
    if isinstance(amount, ast.ServiceTime):
        if amount.duration.is_calendar or amount.duration.business:
            why = f"{describe_duration(amount.duration)} of service has no fixed length: not worked out"
            return None, None, monthly.currency if monthly else None, why
        return None, amount.duration.seconds, monthly.currency if monthly else None, ""
    if isinstance(amount, ast.FixedCredit):
        return amount.money.amount, None, amount.money.currency, ""
    if monthly is None:
        return None, None, None, "no fee is known: give --fee"
    if isinstance(amount, ast.PercentOfFee):
        months = Decimal(window.kind.months or 0)
        base = monthly.amount * (months if amount.base is ast.FeeBase.PERIOD_FEES else 1)
        return base * amount.percent.value / _HUNDRED, None, monthly.currency, ""
    fees = period_fees(monthly, window)
    if fees is None:
        return None, None, monthly.currency, "the fees for a week are not defined (fees are monthly)"
    if downtime is None:
        return None, None, monthly.currency, "the fees for the downtime need time-based availability"
    return amount.factor * fees * downtime / window.seconds, None, monthly.currency, ""


def amount_words(amount: ast.CreditAmount) -> str:
    if isinstance(amount, ast.PercentOfFee):
        return f"{amount.percent.value}% of {amount.base.value}"
    if isinstance(amount, ast.TimesDowntimeFees):
        return f"{decimal_text(amount.factor)} times the fees for the downtime"
    if isinstance(amount, ast.ServiceTime):
        return f"{describe_duration(amount.duration)} of service"
    return f"{amount.money.amount} {amount.money.currency}"


def outage_tier_words(tier: ast.OutageTier) -> str:
    longer = f" longer than {describe_duration(tier.longer_than)}" if tier.longer_than else ""
    per = ""
    if tier.per is not None:  # `per started hour` as written, `per 10 minutes`
        unit = tier.per.unit.value if tier.per.amount == 1 and not tier.per.business else describe_duration(tier.per)
        per = f" per {'started ' if tier.started else ''}{unit}"
    cap = f", at most {amount_words(tier.cap)}" if tier.cap is not None else ""
    return f"for each outage{longer}: {amount_words(tier.amount)}{per}{cap}"


# ---- the value of service time ----------------------------------------------------------------


def period_days(window: Window) -> int:
    return (window.last_day - window.first_day).days + 1


def service_value(seconds: Decimal, fee: ast.Money | None, period: Window) -> Decimal | None:
    """The fee for `seconds` of service, rounded half-up to the minor unit: the period's
    fees x the time / the period's days (a DST day counts as a day, as a contract reads)."""
    if fee is None:
        return None
    fees = period_fees(fee, period)
    if fees is None:
        return None
    exact = fees * seconds / (period_days(period) * _DAY)
    return rounded(exact, fee.currency)


def _seconds_worth(money: Decimal, fee: ast.Money | None, period: Window) -> Decimal | None:
    """The service time whose value is `money` (a money cap on a remedy in service time)."""
    fees = period_fees(fee, period) if fee is not None else None
    if not fees:
        return None
    return money * period_days(period) * _DAY / fees


# ---- per-outage tiers -----------------------------------------------------------------------


def outage_owed(block: ast.Credits, result: ObjectiveResult, monthly: ast.Money | None, window: Window) -> Owed:
    """The `for each outage` tiers of a block over the outages that count (see the module)."""
    owed = Owed(outages=[], currency=monthly.currency if monthly else None)
    if result.outages is None:
        owed.why = "credits per outage need time-based availability"
        return owed
    assert owed.outages is not None
    for outage in result.outages:
        tier = _tier_for(block.outage_tiers, outage)
        if tier is None:
            owed.outages.append(OutageCredit(outage, None))
            continue
        units = _units(outage.seconds, tier)
        money, service, currency, why = amount_of(tier.amount, monthly, window, outage.seconds)
        owed.currency = owed.currency or currency
        owed.why = owed.why or why
        factor = Decimal(1 if units is None else units)
        money = None if money is None else money * factor
        service = None if service is None else service * factor
        money, service, capped = _cap_one(tier, money, service, monthly, window)
        owed.outages.append(OutageCredit(outage, outage_tier_words(tier), units, money, service, capped))
        owed.add(money, service)
        words = outage_tier_words(tier)
        if words not in owed.tiers:
            owed.tiers.append(words)
    if owed.money is None and owed.service is None and owed.tiers and not owed.why:
        owed.money = Decimal(0)
    return owed


def _tier_for(tiers: tuple[ast.OutageTier, ...], outage: CountedOutage) -> ast.OutageTier | None:
    """The last tier (in source order) that applies to the outage: the worst, as for `below`."""
    applying = [t for t in tiers if t.longer_than is None or outage.seconds > _fixed_seconds(t.longer_than)]
    return applying[-1] if applying else None


def _fixed_seconds(duration: ast.Duration) -> Decimal:
    return duration.seconds if not duration.is_calendar and not duration.business else Decimal(0)


def _units(seconds: Decimal, tier: ast.OutageTier) -> int | None:
    """`per U`: the whole units of the outage; `per started U`: every begun one."""
    if tier.per is None:
        return None
    unit = _fixed_seconds(tier.per)
    if unit <= 0:
        return None
    return int((seconds / unit).to_integral_value(rounding=ROUND_CEILING if tier.started else ROUND_FLOOR))


def _cap_one(
    tier: ast.OutageTier,
    money: Decimal | None,
    service: Decimal | None,
    monthly: ast.Money | None,
    window: Window,
) -> tuple[Decimal | None, Decimal | None, bool]:
    """A tier's own `at most`: bounds one outage's credit (a cap in the other kind of remedy
    bounds it by value: service time worth the money cap, money worth the service time)."""
    cap = tier.cap
    if cap is None:
        return money, service, False
    limit_money: Decimal | None
    limit_service: Decimal | None
    if isinstance(cap, ast.PercentOfFee):
        limit_money, _, _, _ = amount_of(cap, monthly, window, None)
        limit_service = None if limit_money is None else _seconds_worth(limit_money, monthly, window)
    else:
        limit_service = cap.duration.seconds if not (cap.duration.is_calendar or cap.duration.business) else None
        limit_money = None if limit_service is None or monthly is None else _money_worth(limit_service, monthly, window)
    capped = False
    if money is not None and limit_money is not None and money > limit_money:
        money, capped = limit_money, True
    if service is not None and limit_service is not None and service > limit_service:
        service, capped = limit_service, True
    return money, service, capped


def _money_worth(seconds: Decimal, monthly: ast.Money, window: Window) -> Decimal | None:
    fees = period_fees(monthly, window)
    return None if fees is None else fees * seconds / (period_days(window) * _DAY)


# ---- claim windows counted from the outage ------------------------------------------------------


def outage_claimed_from(claim: ast.Claim | None, result: ObjectiveResult | None) -> CountedOutage | None:
    """The counted outage a claim window runs from: the last of the period (the most
    generous reading); None when the window runs from the period, or no outage counts."""
    if not isinstance(claim, ast.ClaimWindow) or claim.from_outage is None or result is None:
        return None
    return result.outages[-1] if result.outages else None
