"""The checker's rules on durations: the kind and size of every duration for its place
(the term, objectives' windows and limits, latency tiers), to the millisecond and at
most a century. Durations of credits and support are checked by those groups.
"""

from __future__ import annotations

from decimal import Decimal

from sladsl.language import ast
from sladsl.language.ast import UNIT_SECONDS, Duration, TimeUnit
from sladsl.language.checks.common import Diagnostics, _fixed, _n, _no_business
from sladsl.language.checks.credits import _chronic_counts
from sladsl.language.diagnostics import error
from sladsl.language.units import describe_duration, shortest_period_seconds

_SUB_DAY = frozenset({TimeUnit.MILLISECOND, TimeUnit.SECOND, TimeUnit.MINUTE, TimeUnit.HOUR})


_LONGEST_SECONDS = Decimal(100 * 366 * 86400)  # a century: longer is a typo, and overflows later stages
_SHORTEST_STEP = Decimal(1)  # sample intervals and windows: finer steps make evaluation explode


def _whole_hint(d: Duration) -> str:
    """How to write a fractional number of months or years in whole units."""
    if d.unit is TimeUnit.YEAR and (d.amount * 12) == (d.amount * 12).to_integral_value():
        return f"write `{_n((d.amount * 12).to_integral_value())} months`"
    return f"write a whole number of {d.unit.value}s, or the length in days"


def duration_size(d: Duration) -> Diagnostics:
    """A duration a contract can mean: to the millisecond, whole months, at most a century.

    Called on each duration by the checker's one walk over the tree (`common.nodes`).
    """
    if d.is_calendar:
        if d.amount != d.amount.to_integral_value():
            yield error("E114", f"{d.unit.value}s are counted whole, not {_n(d.amount)}", d.span, _whole_hint(d))
        too_long = d.amount * (12 if d.unit is TimeUnit.YEAR else 1) > 1200
    else:
        seconds = d.amount * UNIT_SECONDS[d.unit]
        if (seconds * 1000) != (seconds * 1000).to_integral_value():
            yield error(
                "E114",
                f"{describe_duration(d)} is finer than a millisecond",
                d.span,
                "durations are counted to the millisecond",
            )
        too_long = seconds > _LONGEST_SECONDS
    if too_long:
        yield error("E114", f"{describe_duration(d)} is longer than a century", d.span, "check the number and unit")


def _at_least_a_second(duration: Duration, where: str) -> Diagnostics:
    if not duration.is_calendar and not duration.business and 0 < duration.seconds < _SHORTEST_STEP:
        yield error(
            "E114",
            f"{where} of {describe_duration(duration)} is shorter than a second",
            duration.span,
            "sample intervals and windows are at least 1 second",
        )


def _check_objective_durations(o: ast.Objective) -> Diagnostics:
    for s in o.statements:
        if isinstance(s, ast.LatencyTarget):
            yield from _fixed(s.limit, "a latency limit")
            if s.windows is not None:
                yield from _latency_window(s.windows, s.period)
                yield from _at_least_a_second(s.windows.window, "a latency window")
        elif isinstance(s, ast.RoundOutages):
            yield from _fixed(s.unit, "the unit outages are rounded to")
        elif isinstance(s, ast.ChronicFailure):
            yield from _chronic_counts(s)
        elif isinstance(s, ast.DowntimeFromSamples):
            yield from _fixed(s.every, "a sample interval")
            yield from _at_least_a_second(s.every, "a sample interval")
        elif isinstance(s, ast.DowntimeFromErrorRate | ast.AverageErrorRate):
            yield from _fixed(s.window, "a window")
            yield from _at_least_a_second(s.window, "a window")
        elif isinstance(s, ast.IgnoreOutages):
            yield from _fixed(s.shorter_than, "an outage threshold")
        elif isinstance(s, ast.DowntimeTarget):
            yield from _fixed(s.limit, "allowed downtime")
        elif isinstance(s, ast.ExcludeMaintenance):
            yield from _no_business(s.notice, "maintenance notice")
            if s.notice.is_calendar:
                yield from _fixed(s.notice, "maintenance notice")
            if s.cap:
                yield from _fixed(s.cap.limit, "a maintenance cap")


def _check_durations(a: ast.Agreement) -> Diagnostics:
    """The term, and every objective's and latency tier's durations."""
    if a.term:
        term = a.term
        if term.business or term.unit in _SUB_DAY or term.amount == 0:
            yield error(
                "E114",
                "the term is a number of days, weeks, months or years",
                term.span,
                "write, for example, `term 12 months`",
            )
    for service in a.services:
        for objective in service.objectives:
            yield from _check_objective_durations(objective)
        for credits in service.credits:
            for tier in credits.tiers:
                if isinstance(tier.threshold, Duration):
                    yield from _fixed(tier.threshold, "a latency threshold")
            for outage_tier in credits.outage_tiers:
                if outage_tier.longer_than is not None:
                    yield from _fixed(outage_tier.longer_than, "an outage threshold")


def _latency_window(w: ast.LatencyWindows, period: ast.Period) -> Diagnostics:
    yield from _fixed(w.window, "a latency window")
    if not w.window.business and not w.window.is_calendar and w.window.seconds > shortest_period_seconds(period.kind):
        yield error(
            "E126",
            f"a latency window of {describe_duration(w.window)} is longer than a {period.kind.value}",
            w.window.span,
            "windows divide the period: use, for example, `1 hour windows`",
        )
