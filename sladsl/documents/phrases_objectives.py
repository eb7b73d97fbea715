"""The sentences of objectives: targets (availability with the downtime it allows in each
real period length, requests, latency overall or window by window), how downtime is
measured, and what is excluded or counted differently.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sladsl.documents.phrases_common import (
    DAY,
    DEFAULT,
    HUNDRED,
    PERIOD_LENGTHS,
    Context,
    decimal_ordinal,
    percent,
    period_lengths,
    period_words,
    periods_plural,
    real_lengths_differ,
    whole_seconds,
)
from sladsl.language import ast
from sladsl.language.ast import PeriodKind
from sladsl.language.units import describe_duration


def allowed_downtime(target: ast.AvailabilityTarget, context: Context = DEFAULT) -> list[tuple[str, str]]:
    """(period length, allowed downtime) for each length the period really has in the zone.

    Evaluation allows the exact share of the period's true length; the document states it
    rounded down to whole seconds, so it never promises more than evaluation grants.
    """
    share = (HUNDRED - target.percent.value) / HUNDRED
    lengths = period_lengths(target.period.kind, context.zone, context.first_year, context.years)
    return [(name, _allowance_words(share * seconds)) for name, seconds in lengths]


NO_DOWNTIME = "none"
UNDER_A_SECOND = "less than 1 second"


def _allowance_words(seconds: Decimal) -> str:
    """An allowance in words: `none` at 100%, `less than 1 second` where it rounds down to 0."""
    if seconds == 0:
        return NO_DOWNTIME
    return UNDER_A_SECOND if seconds < 1 else whole_seconds(seconds)


def states_allowance(target: ast.AvailabilityTarget, context: Context = DEFAULT) -> bool:
    """Whether the allowance is worth a table: some period length allows a second or more."""
    return any(words not in (NO_DOWNTIME, UNDER_A_SECOND) for _, words in allowed_downtime(target, context))


def _availability(s: ast.AvailabilityTarget, c: Context) -> str:
    if s.percent.value == HUNDRED:
        return f"The service will be available 100% of the time in {period_words(s.period)}: no downtime is allowed."
    facts = allowed_downtime(s, c)
    promise = (
        f"The service will be available at least {percent(s.percent.value)} of the time in {period_words(s.period)}."
    )
    if not states_allowance(s, c):
        return f"{promise} This allows less than 1 second of downtime in any period."
    if real_lengths_differ(s.period.kind, c):
        share = (HUNDRED - s.percent.value) / HUNDRED
        lengths = period_lengths(s.period.kind, c.zone, c.first_year, c.years)
        shortest = min(lengths, key=lambda item: item[1])
        longest = max(lengths, key=lambda item: item[1])
        return (
            f"{promise} This allows at most {percent(HUNDRED - s.percent.value)} of each period's actual length "
            f"in the {c.zone} time zone as downtime, where daylight saving makes some periods shorter or longer: "
            f"from {whole_seconds(share * shortest[1])} in {shortest[0]} to {whole_seconds(share * longest[1])} "
            f"in {longest[0]}."
        )
    others = "; ".join(f"{d} in {n}" for n, d in facts[1:])
    more = f" ({others})" if others else ""
    return f"{promise} This allows at most {facts[0][1]} of downtime in {facts[0][0]}{more}."


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
    failed = HUNDRED - s.percent.value
    if not failed:
        return f"All of the requests made in {period_words(s.period)} will succeed: none may fail."
    return (
        f"At least {percent(s.percent.value)} of the requests made in {period_words(s.period)} will succeed, "
        f"so that at most {percent(failed)} may fail."
    )


def _latency(s: ast.LatencyTarget, c: Context) -> str:
    bound = (
        f"below {describe_duration(s.limit)} (strictly less)" if s.strict else f"at most {describe_duration(s.limit)}"
    )
    if s.windows is not None:
        which = "The average" if s.percentile is None else f"The {decimal_ordinal(s.percentile)} percentile"
        if s.windows.share.value == HUNDRED:
            return (
                f"{which} of \u201c{s.metric}\u201d is {bound} in every {_window_words(s.windows.window)} window of "
                f"{period_words(s.period)}: no window may miss it; a window without measurements counts as meeting it."
            )
        return (
            f"{which} of \u201c{s.metric}\u201d is {bound} in at least {percent(s.windows.share.value)} of the "
            f"{_window_words(s.windows.window)} windows of {period_words(s.period)}; a window without "
            "measurements counts as meeting it."
        )
    which = (
        "The average"
        if s.percentile is None
        else f"The {decimal_ordinal(s.percentile)} percentile (the value that {percent(s.percentile)} of measurements do not exceed)"
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
    miss = HUNDRED - target.windows.share.value
    out = []
    for name, seconds in period_lengths(target.period.kind, context.zone, context.first_year, context.years):
        total = math.ceil(seconds / step)
        out.append((name, total, math.floor(total * miss / HUNDRED)))
    return out


def _window_words(d: ast.Duration) -> str:
    """`1-hour`, `5-minute`: a duration used as an adjective."""
    if d.unit is ast.TimeUnit.MILLISECOND:
        return f"{d.amount}-ms"
    return f"{d.amount}-{d.unit.value}"


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
        share = (s.cap.limit.seconds / (days * DAY) * HUNDRED).quantize(Decimal("0.01"))
        text += (
            f", up to {describe_duration(s.cap.limit)} of maintenance time in {period_words(s.cap.period)} "
            f"({share}% of {name}); maintenance beyond that counts"
        )
    if c.averaged:  # no downtime as such: the covered part of each window has no errors
        text = text.replace(
            "is not counted as downtime", "is not counted: the part of a window it covers counts as no errors"
        )
        return text + ". Errors during maintenance announced later, or not at all, count."
    return text + ". Maintenance announced later, or not at all, counts as downtime."


def _causes(s: ast.ExcludeCauses, c: Context) -> str:
    names = [f"\u201c{c}\u201d" for c in s.causes]
    words = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    if c.averaged:
        return (
            f"Errors during incidents caused by {words} are not counted: the part of a window such an incident "
            "covers counts as no errors."
        )
    return f"Incidents caused by {words} are not counted as downtime."


def _downtime_target(s: ast.DowntimeTarget, c: Context) -> str:
    """`downtime at most D`: the allowance is the duration itself (rounded down to whole seconds)."""
    return f"The service may be unavailable for at most {whole_seconds(s.limit.seconds)} in {period_words(s.period)}."


def _ignore(s: ast.IgnoreOutages, c: Context) -> str:
    length = describe_duration(s.shorter_than)
    which = f"of {length} or less" if s.or_less else f"shorter than {length}"
    if s.after_exclusions:
        return (
            f"Outages {which}, after excluded time is removed, are not counted: excluded time is removed from "
            "each outage first, and each remaining part is tested on its own."
        )
    if c.maintenance:
        return (
            f"Outages {which} are not counted. Each outage is tested at its full length, excluded maintenance "
            "included; excluded time is then removed from the outages that count."
        )
    if c.excludes:
        return f"Outages {which} are not counted. Incidents with excluded causes are not part of any outage."
    return f"Outages {which} are not counted."


def _clock_units(s: ast.WholeClockUnits, c: Context) -> str:
    unit = s.unit
    if unit.amount == 1:
        name = unit.unit.value
        start = f"{name}s start on the {name}"
    else:
        name = f"{_window_words(unit)} interval"
        start = f"intervals start every {describe_duration(unit)} from the hour"
    return (
        f"Only whole clock {name}s in which the service was unavailable for the whole {name} count as downtime "
        f"({start}, in {c.zone} time)."
    ) + (f" Excluded time is removed first: a {name} that is partly excluded does not count." if c.excludes else "")


def _weight(s: ast.WeightByAffected, c: Context) -> str:
    overlap = "their shares are added up, to at most 100%" if s.adding else "the largest share affected counts"
    return (
        "Downtime is weighted by the share affected: an incident recorded as affecting 40% counts 40% of its "
        f"duration, and where incidents overlap, {overlap}."
    )


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
    if s.consecutive == 1:
        conditions.append(f"in any {periods_plural(c.period, 1)}")
    elif s.consecutive is not None:
        conditions.append(f"in {s.consecutive} consecutive {periods_plural(c.period, s.consecutive)}")
    if s.of_any is not None:
        m, k = s.of_any
        conditions.append(f"in {m} of any {k} {periods_plural(c.period, k)}")
    if not s.consecutive_first:
        conditions.reverse()
    if s.support:
        which = (
            f"the ticket target of the support plan \u201c{c.objective}\u201d" if c.objective else "the ticket target"
        )
        verb = "missed"
    else:
        which = f"the objective \u201c{c.objective}\u201d" if c.objective else "this objective"
        verb = "breached"
    text = f"If {which} is {verb} {' or '.join(conditions)}, the Customer may terminate the Agreement"
    if s.terminate_within is not None:
        last = periods_plural(c.period, 1)
        text += (
            f", within {describe_duration(s.terminate_within)} after the end of the {last} in which this happens "
            f"(each later {last} in which it still holds gives a new {describe_duration(s.terminate_within)})"
        )
    return text + "."


# The objectives' rows of `sladsl.documents.phrases.PHRASES`, in the table's order.
OBJECTIVE_PHRASES: dict[type, Callable[[Any, Context], str]] = {
    ast.AvailabilityTarget: _availability,
    ast.RequestTarget: _requests,
    ast.LatencyTarget: _latency,
    ast.DowntimeFromIncidents: lambda s, c: "Downtime is measured from incident records.",
    ast.DowntimeTarget: _downtime_target,
    ast.DowntimeFromSamples: lambda s, c: (
        f"Downtime is measured from samples taken every {describe_duration(s.every)}; each sample stands for "
        f"{describe_duration(s.every)}, and a sample that finds the service unavailable is downtime."
    ),
    ast.DowntimeFromErrorRate: _error_rate,
    ast.AverageErrorRate: lambda s, c: (
        f"Availability is 100% minus the average error rate over windows of {describe_duration(s.window)}; a window without requests counts as no errors."
    ),
    ast.MissingData: lambda s, c: (
        "Time without measurements counts as " + ("available." if s.counts_as_available else "unavailable.")
    ),
    ast.IgnoreOutages: _ignore,
    ast.WholeClockUnits: _clock_units,
    ast.RoundOutages: _round_outages,
    ast.WeightByAffected: _weight,
    ast.ChronicFailure: _chronic,
    ast.ExcludeMaintenance: _maintenance,
    ast.ExcludeCauses: _causes,
}

# Statements that are not terms of the contract: `monitor` tells `compile` how to watch an
# objective, so the customer's document leaves it out (and it has no sentence).
OPERATIONAL: tuple[type, ...] = (ast.Monitor,)
