"""How an objective's error ratio is recorded over each window (issue 20, items 3, 5 and 6).

Request ratios (the default): windows shorter than a day read the monitor's queries over the
raw series; longer ones are summed from 5-minute recordings of bad and all events, and the
period window from hourly ones, as Sloth builds its 30-day ratio from 5-minute recordings but
weighted by traffic (`sum_over_time(bad[W:5m]) / sum_over_time(all[W:5m])`): each evaluation
reads one sample per tile, not every raw sample of the window. A missing error series counts
as zero while the total exists (`errors or total * 0`, label sets matching).

Time slices: an availability objective with `downtime when error rate above P in D windows`
is judged by the contract window by window, so it is recorded as the contract counts it:
`sla:window_bad:D` is 1 when the last window's error ratio is above P (and it had at least
N requests with `with at least N requests`), and each window's "error ratio" is the share of
bad windows in it; the budget is the share of windows that may be bad (bad minutes against
the allowed minutes).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sladsl.language import ast
from sladsl.monitoring.common import (
    PERIOD_WINDOW,
    label_selector,
    number,
    prom_duration,
    tile_of,
    tiles_range,
    window_hours,
    windows,
)
from sladsl.monitoring.objectives import Sli

_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds_of(window: str) -> int:
    """A catalog window (`5m`, `1h`, `30d`) in seconds."""
    return int(window[:-1]) * _SECONDS[window[-1]]


def bad_query(found: Sli, window: str) -> str:
    """The bad events over `window`: the errors query, zero where it is missing and the total
    exists, or the total less the good."""
    total = found.total_at(window)
    if found.bad:
        return f"(({found.bad.replace('{{window}}', window)}) or ({total}) * 0)"
    return f"(({total}) - ({(found.good or '').replace('{{window}}', window)}))"


def ratio_at(found: Sli, window: str) -> str:
    """The error ratio over `window` read from the raw series."""
    if found.bad:
        return f"{bad_query(found, window)} / ({found.total_at(window)})"
    return found.ratio.replace("{{window}}", window)


@dataclass(frozen=True, slots=True)
class Slices:
    """How the contract cuts time into windows and judges each: `downtime when error rate above
    P in D windows` (bad above P, with an optional request guard), or `downtime from samples
    every D` (bad when any check of the step failed, as evaluation from Prometheus judges it)."""

    window: ast.Duration
    above: Decimal  # the error ratio a bad window exceeds: P / 100, or 0 for samples
    min_requests: int | None
    samples: bool

    def words(self) -> str:
        if self.samples:
            return "when any of its checks failed"
        guard = f" with at least {self.min_requests} requests" if self.min_requests else ""
        return f"when its error ratio is above {number(self.above * 100)}%{guard}"


def time_slices(objective: ast.Objective) -> Slices | None:
    """The objective's windows, when the contract judges it window by window: error-rate
    windows or samples, on a time-based availability or downtime target."""
    source = objective.downtime_source
    if not isinstance(objective.target, ast.AvailabilityTarget | ast.DowntimeTarget):
        return None
    if isinstance(source, ast.DowntimeFromErrorRate):
        found = Slices(source.window, source.above.value / 100, source.min_requests, samples=False)
    elif isinstance(source, ast.DowntimeFromSamples):
        found = Slices(source.every, Decimal(0), None, samples=True)
    else:
        return None
    window = prom_duration(found.window.seconds) if not found.window.is_calendar else None
    return found if window is not None and not window.endswith("ms") else None


def ratio_rules(
    found: Sli, kind: ast.PeriodKind, labels: dict[str, str], objective: ast.Objective
) -> list[dict[str, Any]]:
    """The recordings of `sla:error_ratio:rate<W>` for every window the alerts and summary read."""
    source = time_slices(objective)
    if source is not None and found.total:
        return _slice_rules(found, kind, labels, source)
    period_window = PERIOD_WINDOW[kind]
    selector = label_selector(labels)
    tiled = "{{window}}" in found.ratio
    rules: list[dict[str, Any]] = []
    if tiled:
        for size in ("5m", "1h"):
            rules.append({"record": f"sla:bad:rate{size}", "expr": bad_query(found, size), "labels": dict(labels)})
            rules.append({"record": f"sla:total:rate{size}", "expr": found.total_at(size), "labels": dict(labels)})
    for window in windows(kind):
        tile = tile_of(window, period_window) if tiled else None
        if tile is None:
            expr = ratio_at(found, window)
        else:
            expr = (
                f"sum_over_time(sla:bad:rate{tile}{{{selector}}}[{tiles_range(seconds_of(window))}:{tile}])\n"
                f"/ sum_over_time(sla:total:rate{tile}{{{selector}}}[{tiles_range(seconds_of(window))}:{tile}])"
            )
        rules.append({"record": f"sla:error_ratio:rate{window}", "expr": expr, "labels": dict(labels)})
    return rules


def _slice_rules(found: Sli, kind: ast.PeriodKind, labels: dict[str, str], source: Slices) -> list[dict[str, Any]]:
    slice_seconds = source.window.seconds
    size = prom_duration(slice_seconds)
    assert size is not None
    selector = label_selector(labels)
    total = found.total_at(size)
    bad = f"({ratio_at(found, size)} > bool {number(source.above)})"
    if source.min_requests:
        bad += f"\n* (({total}) * {number(slice_seconds)} >= bool {source.min_requests})"
    window_bad = f"sla:window_bad:{size}"
    rules: list[dict[str, Any]] = [{"record": window_bad, "expr": bad, "labels": dict(labels)}]
    hourly = slice_seconds < 3600 and 3600 % slice_seconds == 0
    if hourly:
        rules.append(
            {
                "record": "sla:bad_windows:1h",
                "expr": f"sum_over_time({window_bad}{{{selector}}}[{tiles_range(3600)}:{size}])",
                "labels": dict(labels),
            }
        )
    for window in windows(kind):
        count = Decimal(seconds_of(window)) / slice_seconds
        if count <= 1:
            expr = f"{window_bad}{{{selector}}}"
        elif hourly and window_hours(window) >= 24:
            expr = f"sum_over_time(sla:bad_windows:1h{{{selector}}}[{tiles_range(seconds_of(window))}:1h])"
            expr += f" / {_count(count, window, slice_seconds)}"
        else:
            expr = f"sum_over_time({window_bad}{{{selector}}}[{tiles_range(seconds_of(window))}:{size}])"
            expr += f" / {_count(count, window, slice_seconds)}"
        rules.append({"record": f"sla:error_ratio:rate{window}", "expr": expr, "labels": dict(labels)})
    return rules


def _count(count: Decimal, window: str, slice_seconds: Decimal) -> str:
    """The number of windows in `window`: a whole number, or the division Prometheus computes."""
    if count == count.to_integral_value():
        return number(count)
    return f"({seconds_of(window)} / {number(slice_seconds)})"


def slice_words(source: Slices, found: Sli, kind: ast.PeriodKind) -> str:
    """The time-slice budget in the contract's words: bad windows against the allowed ones."""
    size = prom_duration(source.window.seconds) or ""
    count = Decimal(seconds_of(PERIOD_WINDOW[kind])) / source.window.seconds
    allowed = Decimal(float(found.budget)) * count
    return (
        f"a {size} window is bad {source.words()}; "
        f"{PERIOD_WINDOW[kind]} has {number(count)} windows, of which {allowed:.2f} may be bad "
        f"(the budget is {found.budget_text()} of the windows)"
    )
