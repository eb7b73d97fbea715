"""Plain-English sentences for every clause of the AST, with the facts a reader needs.

One function per statement kind, found through `PHRASES` by the node's type (the way a
generator finds `between_sql` for `Between`). Sentences are plain text; the templates
escape them. `phrase(node)` raises KeyError for a kind without a sentence, which the
every-clause test turns into a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from sladsl import ast
from sladsl.ast import PeriodKind
from sladsl.units import describe_duration, describe_seconds

_HUNDRED = Decimal(100)
_DAY = Decimal(86400)

# The lengths a period can have, in days: what "allowed downtime" is computed for.
PERIOD_LENGTHS: dict[PeriodKind, tuple[tuple[int, str], ...]] = {
    PeriodKind.MONTH: (
        (30, "a 30-day month"),
        (31, "a 31-day month"),
        (28, "a 28-day February"),
        (29, "a 29-day February"),
    ),
    PeriodKind.QUARTER: ((90, "a 90-day quarter"), (91, "a 91-day quarter"), (92, "a 92-day quarter")),
    PeriodKind.YEAR: ((365, "a 365-day year"), (366, "a leap year")),
    PeriodKind.WEEK: ((7, "a week"),),
}


def percent(value: Decimal) -> str:
    return f"{value}%"


def period_words(period: ast.Period) -> str:
    return {
        "calendar month": "each calendar month",
        "calendar quarter": "each calendar quarter",
        "calendar year": "each calendar year",
        "week": "each week (Monday to Sunday)",
    }[period.kind.value]


def whole_seconds(seconds: Decimal) -> str:
    """Allowed downtime in words, rounded down to whole seconds (never promising more)."""
    return describe_seconds(seconds.to_integral_value(rounding=ROUND_FLOOR)) or "no time at all"


def allowed_downtime(target: ast.AvailabilityTarget) -> list[tuple[str, str]]:
    """(period length, allowed downtime) for each length the period can have."""
    share = (_HUNDRED - target.percent.value) / _HUNDRED
    return [(name, whole_seconds(share * days * _DAY)) for days, name in PERIOD_LENGTHS[target.period.kind]]


def _availability(s: ast.AvailabilityTarget) -> str:
    facts = allowed_downtime(s)
    others = "; ".join(f"{d} in {n}" for n, d in facts[1:])
    more = f" ({others})" if others else ""
    return (
        f"The service will be available at least {percent(s.percent.value)} of the time in {period_words(s.period)}. "
        f"This allows at most {facts[0][1]} of downtime in {facts[0][0]}{more}."
    )


def _requests(s: ast.RequestTarget) -> str:
    failed = _HUNDRED - s.percent.value
    return (
        f"At least {percent(s.percent.value)} of the requests made in {period_words(s.period)} will succeed, "
        f"so that at most {percent(failed)} may fail."
    )


def _latency(s: ast.LatencyTarget) -> str:
    which = (
        "The average"
        if s.percentile is None
        else f"The {_ordinal(s.percentile)} percentile (the value that {percent(s.percentile)} of measurements do not exceed)"
    )
    return (
        f"{which} of \u201c{s.metric}\u201d over {period_words(s.period)} will be at most {describe_duration(s.limit)}."
    )


def _ordinal(value: Decimal) -> str:
    if value != value.to_integral_value():
        return f"{value}th"
    n = int(value)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _error_rate(s: ast.DowntimeFromErrorRate) -> str:
    minimum = f" and at least {s.min_requests} requests were made in it" if s.min_requests else ""
    return (
        f"Downtime is measured in windows of {describe_duration(s.window)}: a window is downtime when more than "
        f"{percent(s.above.value)} of its requests failed{minimum}."
    )


def _maintenance(s: ast.ExcludeMaintenance) -> str:
    text = (
        f"Maintenance announced to the Customer at least {describe_duration(s.notice)} before it starts is not "
        "counted as downtime"
    )
    if s.cap is not None:
        days, name = PERIOD_LENGTHS[s.cap.period.kind][0]
        share = (s.cap.limit.seconds / (days * _DAY) * _HUNDRED).quantize(Decimal("0.01"))
        text += (
            f", up to {describe_duration(s.cap.limit)} of maintenance time in {period_words(s.cap.period)} "
            f"({share}% of {name}); maintenance beyond that counts"
        )
    return text + ". Maintenance announced later, or not at all, counts as downtime."


def _causes(s: ast.ExcludeCauses) -> str:
    names = ", ".join(f"\u201c{c}\u201d" for c in s.causes)
    return f"Incidents caused by {names} are not counted as downtime."


def _tier(s: ast.Tier, fee: ast.Money | None = None, months: int | None = None) -> str:
    threshold = percent(s.threshold.value) if isinstance(s.threshold, ast.Percent) else describe_duration(s.threshold)
    amount = s.amount
    assert isinstance(amount, ast.PercentOfFee)  # TODO(draft 2): other amount forms
    base = "the monthly fee" if amount.base is ast.FeeBase.MONTHLY_FEE else "the fees for the period"
    return f"{s.comparison.value} {threshold}: {percent(amount.percent.value)} of {base}{_money_suffix(credit_amount(amount.percent.value, amount.base, fee, months))}"


def credit_amount(share: Decimal, base: ast.FeeBase, fee: ast.Money | None, months: int | None) -> str | None:
    """`625.00 USD`: a tier's credit in money, or None where the fee or the months are unknown."""
    if fee is None:
        return None
    multiplier = (months or 0) if base is ast.FeeBase.PERIOD_FEES else 1
    if not multiplier:
        return None
    from sladsl.currencies import minor_unit

    amount = (fee.amount * multiplier * share / _HUNDRED).quantize(Decimal(1).scaleb(-minor_unit(fee.currency)))
    return f"{amount} {fee.currency}"


def _money_suffix(amount: str | None) -> str:
    return f", {amount}" if amount else ""


def _cap(s: ast.CreditCap) -> str:
    base = "the monthly fee" if s.base is ast.FeeBase.MONTHLY_FEE else "the fees for the period"
    return f"Credits for one period are at most {percent(s.percent.value)} of {base} in total."


def _open_hours(s: ast.OpenHours) -> str:
    names = [d.name.capitalize() for d in s.days]
    days = f"{names[0]} to {names[-1]}" if s.day_range and len(names) > 1 else ", ".join(names)
    return f"{days}, {_clock(s.opens)} to {_clock(s.closes)}"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def holiday_country(code: str) -> str:
    """`US` -> `the United States`: the country's name from the holidays registry."""
    import re

    from holidays.registry import COUNTRIES

    country, _, subdivision = code.partition("-")
    for entry in COUNTRIES.values():
        if country in entry[1:3]:
            name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entry[0])
            article = "the " if name.startswith(("United", "Netherlands", "Philippines", "Czech")) else ""
            return f"{article}{name}" + (f" ({subdivision})" if subdivision else "")
    return code


def _priority(s: ast.Priority) -> str:
    described = f" ({s.description})" if s.description else ""
    clock = ", around the clock" if s.around_the_clock else ""
    return f"Priority {s.name}{described}: first response within {describe_duration(s.response)}{clock}."


def _report(s: ast.Report) -> str:
    return (
        f"The Provider delivers a {s.kind} report for {period_words(s.every)} within "
        f"{describe_duration(s.within)} after its end."
    )


PHRASES: dict[type, Callable[[Any], str]] = {
    ast.Version: lambda s: f"Version {s.value}.",
    ast.Provider: lambda s: f"Provider: {s.name}.",
    ast.Customer: lambda s: f"Customer: {s.name}.",
    ast.Effective: lambda s: f"Effective from {long_date(s.date)}.",
    ast.Term: lambda s: f"Term: {describe_duration(s.duration)}.",
    ast.TimeZone: lambda s: f"Times are in the {s.name} time zone.",
    ast.Fee: lambda s: f"Fee: {s.money.amount} {s.money.currency} per month.",
    ast.Text: lambda s: s.body,
    ast.Definition: lambda s: s.body,
    ast.AvailabilityTarget: _availability,
    ast.RequestTarget: _requests,
    ast.LatencyTarget: _latency,
    ast.DowntimeFromIncidents: lambda s: (
        "Downtime is the time covered by the Provider's incident records; overlapping incidents count once."
    ),
    ast.DowntimeFromSamples: lambda s: (
        f"Downtime is measured by a probe every {describe_duration(s.every)}; each interval whose probe fails is downtime."
    ),
    ast.DowntimeFromErrorRate: _error_rate,
    ast.AverageErrorRate: lambda s: (
        f"Availability is 100% minus the average error rate over windows of {describe_duration(s.window)}; a window without requests counts as no errors."
    ),
    ast.MissingData: lambda s: (
        "Time without measurements counts as " + ("available." if s.counts_as_available else "unavailable.")
    ),
    ast.IgnoreOutages: lambda s: f"Outages shorter than {describe_duration(s.shorter_than)} are not counted.",
    ast.ExcludeMaintenance: _maintenance,
    ast.ExcludeCauses: _causes,
    ast.Monitor: lambda s: f"The objective is monitored in {s.system.capitalize()}.",
    ast.Tier: _tier,
    ast.CreditCap: _cap,
    ast.CreditMinimum: lambda s: f"Credits smaller than {s.money.amount} {s.money.currency} are not issued.",
    ast.ClaimWindow: lambda s: (
        f"The Customer must claim the credit within {describe_duration(s.within)} after the end of the period."
    ),
    ast.OpenHours: _open_hours,
    ast.Holidays: lambda s: f"Closed on public holidays in {holiday_country(s.country)}.",
    ast.UsesCalendar: lambda s: f"Business hours follow the \u201c{s.name}\u201d calendar.",
    ast.Priority: _priority,
    ast.TicketTarget: lambda s: (
        f"At least {percent(s.percent.value)} of the tickets of each priority opened in {period_words(s.period)} receive their first response in time."
    ),
    ast.Certification: lambda s: (
        f"The Provider maintains the {s.name} certification"
        + (f", renewed every {describe_duration(s.renewed_every)}." if s.renewed_every else ".")
    ),
    ast.Compliance: lambda s: f"The Provider complies with {s.name}.",
    ast.BreachNotification: lambda s: (
        f"The Provider notifies the Customer of a security breach within {describe_duration(s.within)} of detecting it."
    ),
    ast.Report: _report,
}


def phrase(node: Any) -> str:
    return PHRASES[type(node)](node)


def long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"
