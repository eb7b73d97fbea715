"""Plain-English sentences for every clause of the AST, with the facts a reader needs.

One function per statement kind, found through `PHRASES` by the node's type (the way a
generator finds `between_sql` for `Between`). Sentences are plain text; the templates
escape them. `phrase(node, context)` raises KeyError for a kind without a sentence, which
the every-clause test turns into a failure. The `Context` carries what a clause alone does
not know: the agreement's time zone (for the real lengths of its periods), the fee, and
the objective a clause belongs to.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sladsl.language import ast
from sladsl.language.ast import PeriodKind
from sladsl.language.periods import REFERENCE_YEAR, SPAN_YEARS, next_start, window_from
from sladsl.language.units import describe_duration, describe_seconds
from sladsl.language.words import ordinal

_HUNDRED = Decimal(100)
_DAY = Decimal(86400)

# The nominal lengths a period can have, in days, in the order the document lists them.
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


@dataclass(frozen=True, slots=True)
class Context:
    """What a clause's sentence needs beyond the clause itself."""

    zone: str = "UTC"
    first_year: int = REFERENCE_YEAR
    years: int = SPAN_YEARS
    fee: ast.Money | None = None  # the monthly fee credits are computed from
    period: ast.Period | None = None  # the period of the objective a clause belongs to
    objective: str | None = None  # the name of that objective
    cap: Decimal | None = None  # the per-period credit cap in money, where known
    minimum: Decimal | None = None  # the credit minimum, where stated

    @property
    def span(self) -> tuple[str, int, int]:
        """The zone and years over which period lengths are collected (`period_lengths` arguments)."""
        return (self.zone, self.first_year, self.years)


DEFAULT = Context()


def percent(value: Decimal) -> str:
    return f"{value}%"


def period_words(period: ast.Period) -> str:
    return {
        "calendar month": "each calendar month",
        "calendar quarter": "each calendar quarter",
        "calendar year": "each calendar year",
        "week": "each week (Monday to Sunday)",
    }[period.kind.value]


def periods_plural(period: ast.Period | None, count: int) -> str:
    """`3 consecutive calendar months` needs `calendar months`; `1 week` needs `week`."""
    if period is None:
        return "period" if count == 1 else "periods"
    word = {"calendar month": "month", "calendar quarter": "quarter", "calendar year": "year", "week": "week"}[
        period.kind.value
    ]
    return word if count == 1 else f"{word}s"


def whole_seconds(seconds: Decimal) -> str:
    """Allowed downtime in words, rounded down to whole seconds (never promising more)."""
    return describe_seconds(seconds.to_integral_value(rounding=ROUND_FLOOR)) or "no time at all"


# ---- the real lengths of periods ------------------------------------------------------------


@functools.cache
def period_lengths(kind: PeriodKind, zone: str, first_year: int, years: int) -> tuple[tuple[str, Decimal], ...]:
    """(name, seconds) for every distinct length a period of this kind really has in `zone`.

    Periods run between local midnights (as evaluation measures them, `periods.window_from`),
    so a month in which the clocks go forward is an hour short. Lengths are collected over
    `years` years from `first_year` and listed in the nominal order of `PERIOD_LENGTHS`,
    each nominal length before its shorter and longer daylight-saving variants.
    """
    # An agreement effective in the year 1 or 9999 still has months: the span stays a year
    # inside the calendar Python has, whatever the zone's offset (its lengths are the same).
    first_year = max(date.min.year + 1, min(first_year, date.max.year - 1 - years))
    tz = ZoneInfo(zone)
    first = date(first_year, 1, 1) if kind is not PeriodKind.WEEK else date.fromisocalendar(first_year, 1, 1)
    stop = date(first_year + years, 1, 1)
    found: set[tuple[int, Decimal]] = set()
    while first < stop:
        window = window_from(kind, first, tz)
        after = next_start(kind, first)
        found.add(((after - first).days, window.seconds))
        first = after
    order = {days: (index, name) for index, (days, name) in enumerate(PERIOD_LENGTHS[kind])}
    nominal = {days: name for days, name in PERIOD_LENGTHS[kind]}

    def key(item: tuple[int, Decimal]) -> tuple[int, int, Decimal]:
        days, seconds = item
        drift = seconds - days * _DAY
        return (order[days][0], 0 if drift == 0 else 1 if drift < 0 else 2, abs(drift))

    named = []
    for days, seconds in sorted(found, key=key):
        drift = seconds - days * _DAY
        name = nominal[days]
        if drift:
            verb = "loses" if drift < 0 else "gains"
            prep = "to" if drift < 0 else "from"
            hours = seconds / 3600
            size = f"{hours:f} hours" if hours == hours.to_integral_value() else describe_seconds(seconds)
            name = f"{name} that {verb} {describe_seconds(abs(drift))} {prep} daylight saving ({size})"
        named.append((name, seconds))
    return tuple(named)


def real_lengths_differ(kind: PeriodKind, context: Context) -> bool:
    """Whether daylight saving in the zone makes some periods differ from whole days."""
    return any(s % _DAY for _, s in period_lengths(kind, context.zone, context.first_year, context.years))


def allowed_downtime(target: ast.AvailabilityTarget, context: Context = DEFAULT) -> list[tuple[str, str]]:
    """(period length, allowed downtime) for each length the period really has in the zone.

    Evaluation allows the exact share of the period's true length; the document states it
    rounded down to whole seconds, so it never promises more than evaluation grants.
    """
    share = (_HUNDRED - target.percent.value) / _HUNDRED
    lengths = period_lengths(target.period.kind, context.zone, context.first_year, context.years)
    return [(name, whole_seconds(share * seconds)) for name, seconds in lengths]


def _availability(s: ast.AvailabilityTarget, c: Context) -> str:
    facts = allowed_downtime(s, c)
    promise = (
        f"The service will be available at least {percent(s.percent.value)} of the time in {period_words(s.period)}."
    )
    if real_lengths_differ(s.period.kind, c):
        share = (_HUNDRED - s.percent.value) / _HUNDRED
        lengths = period_lengths(s.period.kind, c.zone, c.first_year, c.years)
        shortest = min(lengths, key=lambda item: item[1])
        longest = max(lengths, key=lambda item: item[1])
        return (
            f"{promise} This allows at most {percent(_HUNDRED - s.percent.value)} of each period's actual length "
            f"in the {c.zone} time zone as downtime, where daylight saving makes some periods shorter or longer: "
            f"from {whole_seconds(share * shortest[1])} in {shortest[0]} to {whole_seconds(share * longest[1])} "
            f"in {longest[0]}."
        )
    others = "; ".join(f"{d} in {n}" for n, d in facts[1:])
    more = f" ({others})" if others else ""
    return f"{promise} This allows at most {facts[0][1]} of downtime in {facts[0][0]}{more}."


def target_promise(s: ast.Target, c: Context) -> str:
    """A target's promise without the allowance (the document's per-plan table states that)."""
    if isinstance(s, ast.AvailabilityTarget):
        return f"At least {percent(s.percent.value)} of the time in {period_words(s.period)}."
    return phrase(s, c)


def allowance_rule(c: Context, kind: PeriodKind) -> str:
    """How the allowance follows the real period length, for a table of several plans' targets."""
    where = f"in the {c.zone} time zone"
    if real_lengths_differ(kind, c):
        where += ", where daylight saving makes some periods shorter or longer"
    return (
        f"The downtime each plan allows is 100% minus its target, as a share of each period's actual length {where}; "
        "the table below states it, rounded down to whole seconds, for every length that occurs."
    )


def _requests(s: ast.RequestTarget, c: Context) -> str:
    failed = _HUNDRED - s.percent.value
    return (
        f"At least {percent(s.percent.value)} of the requests made in {period_words(s.period)} will succeed, "
        f"so that at most {percent(failed)} may fail."
    )


def _latency(s: ast.LatencyTarget, c: Context) -> str:
    bound = (
        f"below {describe_duration(s.limit)} (strictly less)" if s.strict else f"at most {describe_duration(s.limit)}"
    )
    if s.windows is not None:
        which = "The average" if s.percentile is None else f"The {_ordinal(s.percentile)} percentile"
        return (
            f"{which} of \u201c{s.metric}\u201d is {bound} in at least {percent(s.windows.share.value)} of the "
            f"{_window_words(s.windows.window)} windows of {period_words(s.period)}; a window without "
            "measurements counts as meeting it."
        )
    which = (
        "The average"
        if s.percentile is None
        else f"The {_ordinal(s.percentile)} percentile (the value that {percent(s.percentile)} of measurements do not exceed)"
    )
    return f"{which} of \u201c{s.metric}\u201d over {period_words(s.period)} will be {bound}."


def window_allowance(target: ast.LatencyTarget, context: Context = DEFAULT) -> list[tuple[str, int, int]]:
    """(period length, windows, windows that may miss the bound) for each real period length.

    Evaluation cuts the period into windows from its start (the last may be shorter) and
    the objective is met while the share of windows meeting the bound is at least the
    target: with n windows, at most floor(n x (100 - share) / 100) may miss.
    """
    assert target.windows is not None
    step = target.windows.window.seconds
    miss = _HUNDRED - target.windows.share.value
    out = []
    for name, seconds in period_lengths(target.period.kind, context.zone, context.first_year, context.years):
        total = math.ceil(seconds / step)
        out.append((name, total, math.floor(total * miss / _HUNDRED)))
    return out


def _window_words(d: ast.Duration) -> str:
    """`1-hour`, `5-minute`: a duration used as an adjective."""
    if d.unit is ast.TimeUnit.MILLISECOND:
        return f"{d.amount}-ms"
    return f"{d.amount}-{d.unit.value}"


def _ordinal(value: Decimal) -> str:
    if value != value.to_integral_value():
        return f"{value}th"
    return ordinal(int(value))


_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def ordinal_word(n: int) -> str:
    """`second` for 2; `13th` beyond ten."""
    return _ORDINAL_WORDS[n - 1] if 1 <= n <= len(_ORDINAL_WORDS) else _ordinal(Decimal(n))


def _error_rate(s: ast.DowntimeFromErrorRate, c: Context) -> str:
    minimum = f" and at least {s.min_requests} requests were made in it" if s.min_requests else ""
    return (
        f"Downtime is measured in windows of {describe_duration(s.window)}: a window is downtime when more than "
        f"{percent(s.above.value)} of its requests failed{minimum}."
    )


def _maintenance(s: ast.ExcludeMaintenance, c: Context) -> str:
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


def _causes(s: ast.ExcludeCauses, c: Context) -> str:
    names = ", ".join(f"\u201c{c}\u201d" for c in s.causes)
    return f"Incidents caused by {names} are not counted as downtime."


def _round_outages(s: ast.RoundOutages, c: Context) -> str:
    unit = s.unit
    if unit.amount == 1:
        whole, partial = f"whole {unit.unit.value}s", f"partial {unit.unit.value}s"
    else:
        whole, partial = f"whole {_window_words(unit)} intervals", "partial intervals"
    return (
        f"Each outage that counts is counted in {whole}, rounded down: {partial} are not counted. "
        "Excluded time is removed first."
    )


def _chronic(s: ast.ChronicFailure, c: Context) -> str:
    conditions = []
    if s.consecutive is not None:
        conditions.append(f"in {s.consecutive} consecutive {periods_plural(c.period, s.consecutive)}")
    if s.of_any is not None:
        m, k = s.of_any
        conditions.append(f"in {m} of any {k} {periods_plural(c.period, k)}")
    if not s.consecutive_first:
        conditions.reverse()
    which = f"the objective \u201c{c.objective}\u201d" if c.objective else "this objective"
    return f"If {which} is breached {' or '.join(conditions)}, the Customer may terminate the Agreement."


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
    return f"a fixed credit of {amount.money.amount} {amount.money.currency}"


def _quantum(currency: str) -> Decimal:
    from sladsl.language.currencies import minor_unit

    return Decimal(1).scaleb(-minor_unit(currency))


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
    return f"{(money * share / _HUNDRED).quantize(_quantum(fee.currency), rounding=ROUND_HALF_UP)} {fee.currency}"


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
            rate = hourly.quantize(_quantum(fee.currency), rounding=ROUND_HALF_UP)
            text += f": {rate} {fee.currency} for one hour of downtime in {length[0]}"
        if cap is not None and fee is not None:
            limit = cap.quantize(_quantum(fee.currency), rounding=ROUND_HALF_UP)
            text += f"; at most {limit} {fee.currency} (the cap)"
        return text
    if isinstance(amount, ast.FixedCredit):
        exact: Decimal | None = amount.money.amount
        currency = amount.money.currency
    else:
        money = fee_base_money(amount.base, fee, months)
        if money is None or fee is None:
            return "depends on the fee" if fee is None else "depends on the period"
        exact, currency = money * amount.percent.value / _HUNDRED, fee.currency
    assert exact is not None
    note = ""
    if cap is not None and exact > cap:
        exact, note = cap, " (limited by the cap)"
    if minimum is not None and exact < minimum:
        return "not issued (below the minimum)"
    return f"{exact.quantize(_quantum(currency), rounding=ROUND_HALF_UP)} {currency}{note}"


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
    return f"The Customer must claim the credit within {describe_duration(s.within)}{calendar} after the end of the period."


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


def _report(s: ast.Report, c: Context) -> str:
    return (
        f"The Provider delivers a {s.kind} report for {period_words(s.every)} within "
        f"{describe_duration(s.within)} after its end."
    )


PHRASES: dict[type, Callable[[Any, Context], str]] = {
    ast.Version: lambda s, c: f"Version {s.value}.",
    ast.Provider: lambda s, c: f"Provider: {s.name}.",
    ast.Customer: lambda s, c: f"Customer: {s.name}.",
    ast.Effective: lambda s, c: f"Effective from {long_date(s.date)}.",
    ast.Term: lambda s, c: f"Term: {describe_duration(s.duration)}.",
    ast.TimeZone: lambda s, c: f"Times are in the {s.name} time zone.",
    ast.Fee: lambda s, c: f"Fee: {s.money.amount} {s.money.currency} per month.",
    ast.Plans: lambda s, c: "The plans of this Agreement are " + _names(s.names) + ".",
    ast.Text: lambda s, c: s.body,
    ast.Definition: lambda s, c: s.body,
    ast.AvailabilityTarget: _availability,
    ast.RequestTarget: _requests,
    ast.LatencyTarget: _latency,
    ast.DowntimeFromIncidents: lambda s, c: (
        "Downtime is the time covered by the Provider's incident records; overlapping incidents count once."
    ),
    ast.DowntimeFromSamples: lambda s, c: (
        f"Downtime is measured by a probe every {describe_duration(s.every)}; each interval whose probe fails is downtime."
    ),
    ast.DowntimeFromErrorRate: _error_rate,
    ast.AverageErrorRate: lambda s, c: (
        f"Availability is 100% minus the average error rate over windows of {describe_duration(s.window)}; a window without requests counts as no errors."
    ),
    ast.MissingData: lambda s, c: (
        "Time without measurements counts as " + ("available." if s.counts_as_available else "unavailable.")
    ),
    ast.IgnoreOutages: lambda s, c: f"Outages shorter than {describe_duration(s.shorter_than)} are not counted.",
    ast.RoundOutages: _round_outages,
    ast.WeightByAffected: lambda s, c: (
        "Downtime is weighted by the share affected: an incident recorded as affecting 40% counts 40% of its "
        "duration, and where incidents overlap, the largest share affected counts."
    ),
    ast.ChronicFailure: _chronic,
    ast.ExcludeMaintenance: _maintenance,
    ast.ExcludeCauses: _causes,
    ast.Monitor: lambda s, c: f"The objective is monitored in {s.system.capitalize()}.",
    ast.Tier: _tier,
    ast.CreditCap: _cap,
    ast.CreditMinimum: lambda s, c: f"Credits smaller than {s.money.amount} {s.money.currency} are not issued.",
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


def _names(names: tuple[str, ...] | list[str]) -> str:
    return names_list(list(names))


def names_list(names: list[str]) -> str:
    """`Standard`, `Standard and Premium`, `Standard, Premium and Enterprise`."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def phrase(node: Any, context: Context = DEFAULT) -> str:
    return PHRASES[type(node)](node, context)


def long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"
