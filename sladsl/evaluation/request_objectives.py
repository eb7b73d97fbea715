"""Objectives measured from request counts and latency samples rather than outages: the
average error rate, the ratio of good requests, and latency over the period or window by
window (draft 2). Each judges all the services of one shape in one query where it can."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sladsl.evaluation import sql
from sladsl.evaluation.cause_exclusions import applies as cause_applies
from sladsl.evaluation.cause_exclusions import excluded_words, with_excluded_incidents
from sladsl.evaluation.context import EXPLAIN_LIMIT, US, Context
from sladsl.evaluation.maintenance_rules import maintenance_proofs, qualified_maintenance
from sladsl.evaluation.measuring import (
    HUNDRED,
    decimal_normal,
    describe_seconds_us,
    no_evidence,
    period_params,
    table_tag,
)
from sladsl.evaluation.report import Evidence as Proof
from sladsl.evaluation.report import ObjectiveResult, WindowCounts
from sladsl.language import ast
from sladsl.language.periods import epoch_us
from sladsl.language.units import describe_duration


def average_error_rate(
    context: Context, service: ast.Service, objective: ast.Objective, result: ObjectiveResult
) -> None:
    source = objective.downtime_source
    assert isinstance(source, ast.AverageErrorRate)
    view = context.evidence.require("requests", "`availability from average error rate`")
    step = int(source.window.seconds * US)
    params = period_params(context, [service.name])
    buckets = math.ceil((params["p1"] - params["p0"]) / step)
    query_params = {**params, "step": step, "buckets": buckets}
    tag = table_tag()
    maintenance = qualified_maintenance(context, objective, query_params, tag)
    qualified, caused = with_excluded_incidents(context, objective, query_params, tag, maintenance)
    windows = context.run(sql.windows_with_exclusions(sql.window_counts(view), qualified), **query_params)
    with_requests = sum(1 for _, _, total, _, _ in windows if total is not None)
    if not with_requests:
        no_evidence(result, f"no request counts for {service.name!r} in the period")
        return
    missing = buckets - with_requests
    errors, excluded = _errors_outside_exclusions(objective, windows)
    mean = errors / buckets
    target = objective.target
    assert isinstance(target, ast.AvailabilityTarget)
    result.judged, result.reason = True, ""
    result.measured = HUNDRED - Decimal(mean.numerator) / Decimal(mean.denominator) * HUNDRED
    result.met = result.measured >= target.percent.value
    result.explanation = [
        Proof(
            f"{with_requests} windows with requests, {missing} without",
            reason=f"mean error rate over {buckets} windows of {describe_duration(source.window)}"
            + (
                f"; {describe_seconds_us(excluded)} of {excluded_words(objective)} counted as 0% errors"
                if excluded
                else ""
            ),
        )
    ]
    if objective.maintenance is not None or cause_applies(objective):
        result.excluded_seconds = Decimal(excluded) / US
        result.explanation += maintenance_proofs(context, objective, params, tag).get(service.name, [])
        result.explanation += caused.get(service.name, [])


def _errors_outside_exclusions(objective: ast.Objective, windows: list[tuple[Any, ...]]) -> tuple[Fraction, int]:
    """The sum of the windows' error rates, with what qualifying maintenance and incidents with an
    excluded cause cover counted as 0% errors (a window half covered counts half its rate), and
    the covered time in µs. A window without requests counts as 0% errors, or 100% when missing
    data counts as unavailable."""
    errors, covered_us = Fraction(0), 0
    for _, good, total, covered, length in windows:
        covered_us += int(covered)
        outside = Fraction(int(length) - int(covered), int(length))
        if total:
            errors += Fraction(int(total) - int(good), int(total)) * outside
        elif total is None and not objective.missing_counts_as_available:
            errors += outside
    return errors, covered_us


def request_ratio(context: Context, service: ast.Service, objective: ast.Objective, result: ObjectiveResult) -> None:
    view = context.evidence.require("requests", "`availability ... of requests`")
    rows = context.run(sql.request_totals(view), **period_params(context, [service.name]))
    if not rows:
        no_evidence(result, f"no request counts for {service.name!r} in the period")
        return
    _, good, total, count = rows[0]
    if not total:
        result.reason = "no requests in the period"
        return
    target = objective.target
    assert isinstance(target, ast.RequestTarget)
    result.judged, result.reason = True, ""
    result.measured = Decimal(int(good)) / Decimal(int(total)) * HUNDRED
    result.met = result.measured >= target.percent.value
    result.explanation = [Proof(f"{good} good of {total} requests in {count} rows")]


def _percentile_params(target: ast.LatencyTarget) -> dict[str, Any]:
    num, den = (target.percentile or Decimal(0)).as_integer_ratio()
    return {"metric": target.metric, "average": target.percentile is None, "pct_num": num, "pct_den": den}


def latency(context: Context, members: list[tuple[ast.Service, ast.LatencyTarget, ObjectiveResult]]) -> None:
    """Latency over the whole period for every service of one shape (metric, statistic) in
    one query: the nearest-rank percentile (the value at rank ⌈NN/100 × n⌉ of the n sorted
    samples) or the exact average; no samples: not judged."""
    _, target, _ = members[0]
    view = context.evidence.require("latency", f'`latency "{target.metric}"`')
    params = period_params(context, [s.name for s, _, _ in members])
    params.update(step=max(1, params["p1"] - params["p0"]), days=0, first=None, **_percentile_params(target))
    rows = {r[0]: r[2:] for r in context.run(sql.latency_windows(view), **params)}
    for service, target_, result in members:
        if service.name not in rows:
            no_evidence(result, f'no samples of "{target_.metric}" for {service.name!r} in the period')
            continue
        count, value = rows[service.name]
        if target_.percentile is None:
            measured = Decimal(value) / int(count)
            how = f"the average of {count} samples"
        else:
            measured = Decimal(value)
            num, den = target_.percentile.as_integer_ratio()
            rank = max(1, -(-num * int(count) // (den * 100)))
            how = f"the value at rank {rank} of {count} sorted samples (nearest rank, p{target_.percentile})"
        result.measured = Decimal(decimal_normal(measured))
        result.judged, result.reason = True, ""
        result.met = result.measured < result.target if target_.strict else result.measured <= result.target
        result.explanation = [Proof(how)]


def _whole_days(length: ast.Duration) -> int:
    """Windows of whole days or weeks are runs of local days (0 for any other length)."""
    if length.unit is ast.TimeUnit.DAY and length.amount == int(length.amount):
        return int(length.amount)
    if length.unit is ast.TimeUnit.WEEK and length.amount == int(length.amount):
        return 7 * int(length.amount)
    return 0


def _window_bounds(context: Context, bucket: int, step: int, days: int) -> tuple[int, int]:
    """The instants [start, end) of a window, within the period."""
    if not days:
        start = context.window.start_us + bucket * step
        return start, min(start + step, context.window.end_us)
    tz = context.window.start.tzinfo
    first = context.window.first_day + timedelta(days=bucket * days)
    after = first + timedelta(days=days)
    start = epoch_us(datetime(first.year, first.month, first.day, tzinfo=tz))
    return start, min(epoch_us(datetime(after.year, after.month, after.day, tzinfo=tz)), context.window.end_us)


def latency_windows(context: Context, members: list[tuple[ast.Service, ast.LatencyTarget, ObjectiveResult]]) -> None:
    """Per-window latency (draft 2) for every service of one shape (metric, statistic,
    bound, window) in one query: the period is cut into windows of the given length from
    its start (the last may be shorter); a window meets the bound when its percentile
    (nearest rank) or average is below it (`below`, strict) or at most it (`at most`); a
    window without samples meets it. Measured is the share of windows that meet it."""
    _, target, _ = members[0]
    assert target.windows is not None
    view = context.evidence.require("latency", f'`latency "{target.metric}"`')
    step = int(target.windows.window.seconds * US)
    params = period_params(context, [s.name for s, _, _ in members])
    days = _whole_days(target.windows.window)
    first = context.window.first_day
    if days:
        total = math.ceil(((context.window.last_day - first).days + 1) / days)
    else:
        total = math.ceil((params["p1"] - params["p0"]) / step)
    bound = target.limit.seconds * 1000
    params.update(
        days=days,
        first=first,
        step=step,
        **_percentile_params(target),
        bound=bound,
        strict=target.strict,
        limit=EXPLAIN_LIMIT,
    )
    rows = {r[0]: r[1:] for r in context.run(sql.latency_window_verdicts(sql.latency_windows(view)), **params)}
    statistic = "average" if target.percentile is None else f"p{target.percentile}"
    relation = "below" if target.strict else "at most"
    length = describe_duration(target.windows.window)
    for service, _, result in members:
        with_samples, met, failing, values, counts = rows.get(service.name, (0, 0, [], [], []))
        if not int(with_samples):
            no_evidence(result, f'no samples of "{target.metric}" for {service.name!r} in the period')
            continue
        empty = total - int(with_samples)
        meeting = int(met) + empty
        result.judged, result.reason = True, ""
        result.measured = Decimal(meeting) / Decimal(total) * HUNDRED
        result.met = result.measured >= result.target
        result.windows = WindowCounts(total, meeting, empty, Decimal(step) / US, bound)
        result.explanation = [
            Proof(
                f"{meeting} of {total} windows of {length} with {statistic} {relation} {decimal_normal(bound)} ms",
                reason=f"{empty} without samples, counted as meeting it",
            )
        ]
        for bucket, value, n in zip(failing or [], values or [], counts or [], strict=True):
            start, end = _window_bounds(context, int(bucket), step, days)
            shown = Decimal(value) / int(n) if target.percentile is None else Decimal(value)
            result.explanation.append(
                Proof(
                    "window",
                    context.moment(start),
                    context.moment(end),
                    counted=True,
                    reason=f"{statistic} {decimal_normal(shown)} ms of {n} sample{'s' if n != 1 else ''}: "
                    f"not {relation} {decimal_normal(bound)} ms",
                )
            )
        if len(failing or []) == EXPLAIN_LIMIT and int(with_samples) - int(met) > EXPLAIN_LIMIT:
            result.explanation.append(
                Proof(f"{int(with_samples) - int(met) - EXPLAIN_LIMIT} more failing windows, not listed")
            )
