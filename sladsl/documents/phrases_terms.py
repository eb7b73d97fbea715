"""The sentences of credits (tiers with their money, caps, claims), support (hours,
holidays, priorities, ticket targets) and the agreement's other commitments and reports.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sladsl.documents.phrases_common import (
    DEFAULT,
    HUNDRED,
    Context,
    long_date,
    names_list,
    ordinal_word,
    percent,
    period_lengths,
    period_words,
)
from sladsl.language import ast
from sladsl.language.currencies import rounded
from sladsl.language.units import describe_duration

# ---- credits ------------------------------------------------------------------------------------


def base_words(base: ast.FeeBase) -> str:
    return "the monthly fee" if base is ast.FeeBase.MONTHLY_FEE else "the fees for the period"


def amount_words(amount: ast.CreditAmount) -> str:
    """A tier's credit as the contract states it: `10% of the monthly fee`, `250 USD`."""
    if isinstance(amount, ast.PercentOfFee):
        return f"{percent(amount.percent.value)} of {base_words(amount.base)}"
    if isinstance(amount, ast.TimesDowntimeFees):
        times = "once" if amount.factor == 1 else f"{amount.factor} times"
        return f"{times} the fees for the downtime (the fees for the period \u00d7 downtime \u00f7 the period's length)"
    if isinstance(amount, ast.ServiceTime):
        return service_words(amount)
    return f"a fixed credit of {amount.money.amount} {amount.money.currency}"


def service_words(amount: ast.ServiceTime) -> str:
    """`3 days of service credit`: the source says nothing of where the time is added."""
    return f"{describe_duration(amount.duration)} of service credit"


def service_value(amount: ast.ServiceTime, fee: ast.Money | None, months: int | None, days: int | None) -> str | None:
    """What service time is worth at the fee for that time (the period's fees x the time
    divided by the period's days x 24 hours), as evaluation values it; None where unknown."""
    if fee is None or not months or not days:
        return None
    worth = fee.amount * months * amount.duration.seconds / (days * 86400)
    return f"{rounded(worth, fee.currency)} {fee.currency}"


def fee_base_money(base: ast.FeeBase, fee: ast.Money | None, months: int | None) -> Decimal | None:
    """The monthly fee, or the fees for the period, in money; None where unknown."""
    if fee is None:
        return None
    multiplier = (months or 0) if base is ast.FeeBase.PERIOD_FEES else 1
    return fee.amount * multiplier if multiplier else None


def credit_amount(share: Decimal, base: ast.FeeBase, fee: ast.Money | None, months: int | None) -> str | None:
    """`625.00 USD`: a percent-of-fee credit in money (rounded half-up, as evaluation rounds)."""
    money = fee_base_money(base, fee, months)
    if money is None or fee is None:
        return None
    return f"{rounded(money * share / HUNDRED, fee.currency)} {fee.currency}"


def tier_money(
    amount: ast.CreditAmount,
    fee: ast.Money | None,
    months: int | None,
    cap: Decimal | None,
    minimum: Decimal | None,
    length: tuple[str, Decimal] | None = None,
) -> str:
    """A tier's credit in money, never more than evaluation could grant: the per-period cap
    limits it and a credit below the minimum is not issued. For `N times the fees for the
    downtime`, `length` (a period length and its seconds) gives the rate per hour of downtime."""
    if isinstance(amount, ast.TimesDowntimeFees):
        text = "depends on the downtime"
        period_fees = fee_base_money(ast.FeeBase.PERIOD_FEES, fee, months)
        if fee is not None and period_fees is not None and length is not None:
            hourly = amount.factor * period_fees * 3600 / length[1]
            rate = rounded(hourly, fee.currency)
            text += f": {rate} {fee.currency} for one hour of downtime in {length[0]}"
        if cap is not None and fee is not None:
            limit = rounded(cap, fee.currency)
            text += f"; at most {limit} {fee.currency} (the cap)"
        return text
    if isinstance(amount, ast.ServiceTime):
        return "service time, not money"
    if isinstance(amount, ast.FixedCredit):
        exact: Decimal | None = amount.money.amount
        currency = amount.money.currency
    else:
        money = fee_base_money(amount.base, fee, months)
        if money is None or fee is None:
            return "depends on the fee" if fee is None else "depends on the period"
        exact, currency = money * amount.percent.value / HUNDRED, fee.currency
    assert exact is not None
    note = ""
    if cap is not None and exact > cap:
        exact, note = cap, " (limited by the cap)"
    if minimum is not None and exact < minimum:
        return "not issued (below the minimum)"
    return f"{rounded(exact, currency)} {currency}{note}"


def _tier(s: ast.Tier, c: Context) -> str:
    months = c.period.kind.months if c.period else None
    length = None
    if c.period is not None:
        length = period_lengths(c.period.kind, c.zone, c.first_year, c.years)[0]
    money = tier_money(s.amount, c.fee, months, c.cap, c.minimum, length)
    return f"{tier_condition(s)}: {amount_words(s.amount)}, {money}"


def tier_condition(s: ast.Tier) -> str:
    threshold = percent(s.threshold.value) if isinstance(s.threshold, ast.Percent) else describe_duration(s.threshold)
    return f"{s.comparison.value} {threshold}"


def _cap(s: ast.CreditCap, c: Context) -> str:
    months = c.period.kind.months if c.period else None
    money = credit_amount(s.percent.value, s.base, c.fee, months)
    money_words = f" ({money})" if money else ""
    if s.rolling is not None:
        return (
            f"Credits are at most {percent(s.percent.value)} of {base_words(s.base)}{money_words} "
            f"in any {describe_duration(s.rolling)}, counting the credits of this period and of the periods before it "
            f"in that span."
        )
    return (
        f"Credits for one period are at most {percent(s.percent.value)} of {base_words(s.base)}{money_words} in total."
    )


def _claim_window(s: ast.ClaimWindow, c: Context) -> str:
    calendar = f" (business days of the \u201c{s.calendar}\u201d calendar)" if s.calendar else ""
    within = f"within {describe_duration(s.within)}{calendar}"
    if s.from_outage is ast.OutageEdge.START:
        return (
            f"The Customer must claim the credit {within} of the start of the outage; where several outages count "
            "in a period, from the start of the last of them."
        )
    if s.from_outage is ast.OutageEdge.END:
        return (
            f"The Customer must claim the credit {within} after the outage ends (an outage still going at the end of "
            "the period counts as ending there); where several outages count in a period, from the end of the last of them."
        )
    return f"The Customer must claim the credit {within} after the end of the period."


def outage_condition(s: ast.OutageTier) -> str:
    """`each outage`, `each outage longer than 5 minutes (strictly)`."""
    if s.longer_than is None:
        return "each outage"
    return f"each outage longer than {describe_duration(s.longer_than)} (an outage of exactly {describe_duration(s.longer_than)} earns nothing)"


def outage_amount_words(s: ast.OutageTier) -> str:
    """`5% of the monthly fee per started 10 minutes, at most 100% of the monthly fee per outage`."""
    text = amount_words(s.amount)
    if s.per is not None:
        per = describe_duration(s.per)
        if s.started:
            text += f" per started {per} (every begun {per} counts)"
        else:
            text += f" per whole {per} (a part of {per} earns nothing)"
    if s.cap is not None:
        text += f", at most {amount_words(s.cap)} for one outage"
    return text


def _outage_tier(s: ast.OutageTier, c: Context) -> str:
    return f"For {outage_condition(s)}: {outage_amount_words(s)}."


def _service_cap(s: ast.ServiceTimeCap, c: Context) -> str:
    span = f" in any {describe_duration(s.rolling)}" if s.rolling is not None else " for one period"
    return f"Remedies in service time are at most {describe_duration(s.limit.duration)} of service{span} in total."


def _threshold(s: ast.CreditThreshold, c: Context) -> str:
    money = f"{s.money.amount} {s.money.currency}"
    return (
        f"Only credits above {money} are paid: a credit of {money} or less, once rounded to the currency's "
        "smallest unit, is not issued."
    )


def claim_deadline_words(s: ast.ClaimByMonthEnd, zone: str | None = None) -> str:
    where = f" in the {zone} time zone" if zone else ""
    return f"by the end of the {ordinal_word(s.months_after)} calendar month after the period ends (the end of that month's last day{where})"


# ---- support -------------------------------------------------------------------------------------


def _open_hours(s: ast.OpenHours, c: Context = DEFAULT) -> str:
    names = [d.name.capitalize() for d in s.days]
    days = f"{names[0]} to {names[-1]}" if s.day_range and len(names) > 1 else names_list(names)
    closes = f"{_clock(s.closes)} the next day" if s.overnight and s.closes else _clock(s.closes)
    if s.overnight and s.closes == 0:
        closes = "midnight"
    return f"{days}, {_clock(s.opens)} to {closes}"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def holiday_country(code: str) -> str:
    """`US` -> `the United States`; `US-CA` -> `California (United States)`: names from the holidays registry."""
    import re

    from holidays.registry import COUNTRIES

    country, _, subdivision = code.partition("-")
    for entry in COUNTRIES.values():
        if country in entry[1:3]:
            name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entry[0])
            if subdivision:
                return f"{_subdivision_name(country, subdivision)} ({name})"
            article = "the " if name.startswith(("United", "Netherlands", "Philippines", "Czech")) else ""
            return f"{article}{name}"
    return code


def _subdivision_name(country: str, code: str) -> str:
    import holidays

    try:
        aliases = getattr(holidays.country_holidays(country), "subdivisions_aliases", {}) or {}
    except NotImplementedError:
        return code
    names = [name for name, alias in aliases.items() if alias == code]
    return names[0] if names else code


def _dates(days: tuple[date, ...]) -> str:
    words = [long_date(d) for d in sorted(days)]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _priority(s: ast.Priority, c: Context) -> str:
    described = f" ({s.description})" if s.description else ""
    clock = ", around the clock" if s.around_the_clock else ""
    resolution = f"; resolution within {describe_duration(s.resolution)}" if s.resolution else ""
    return f"Priority {s.name}{described}: first response within {describe_duration(s.response)}{clock}{resolution}."


def ticket_target(s: ast.TicketTarget, resolution: bool) -> str:
    """The plan target; with resolution times a ticket counts only if it met both."""
    met = (
        "meet both their first-response time and, where one is set, their resolution time"
        if resolution
        else "receive their first response in time"
    )
    return (
        f"At least {percent(s.percent.value)} of the tickets of each priority opened in {period_words(s.period)} {met}."
    )


def indefinite(word: str) -> str:
    """`a security report`, `an availability report`: the article by the word's first letter."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _report(s: ast.Report, c: Context) -> str:
    return (
        f"The Provider delivers {indefinite(s.kind)} report for {period_words(s.every)} within "
        f"{describe_duration(s.within)} after its end."
    )


# The credits', support's and reports' rows of `sladsl.documents.phrases.PHRASES`, in the table's order.
TERM_PHRASES: dict[type, Callable[[Any, Context], str]] = {
    ast.Tier: _tier,
    ast.OutageTier: _outage_tier,
    ast.ServiceTimeCap: _service_cap,
    ast.CreditThreshold: _threshold,
    ast.CreditCap: _cap,
    ast.CreditMinimum: lambda s, c: (
        f"Credits smaller than {s.money.amount} {s.money.currency}, once rounded to the currency's smallest unit, "
        "are not issued."
    ),
    ast.ClaimWindow: _claim_window,
    ast.ClaimByMonthEnd: lambda s, c: f"The Customer must claim the credit {claim_deadline_words(s, c.zone)}.",
    ast.OpenHours: _open_hours,
    ast.Holidays: lambda s, c: f"Closed on public holidays in {holiday_country(s.country)}.",
    ast.ClosedOn: lambda s, c: f"Also closed on {_dates(s.dates)}.",
    ast.OpenOn: lambda s, c: f"Open as usual on {_dates(s.dates)}, even where that day is a public holiday.",
    ast.UsesCalendar: lambda s, c: f"Business hours follow the \u201c{s.name}\u201d calendar.",
    ast.Priority: _priority,
    ast.TicketTarget: lambda s, c: ticket_target(s, resolution=False),
    ast.Certification: lambda s, c: (
        f"The Provider maintains the {s.name} certification"
        + (f", renewed every {describe_duration(s.renewed_every)}." if s.renewed_every else ".")
    ),
    ast.Compliance: lambda s, c: f"The Provider complies with {s.name}.",
    ast.BreachNotification: lambda s, c: (
        f"The Provider notifies the Customer of a security breach within {describe_duration(s.within)} of detecting it."
    ),
    ast.Report: _report,
}
