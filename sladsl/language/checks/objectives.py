"""The checker's rules on services and objectives: one target per plan, one way of knowing
downtime, what applies to which kind of objective, monitoring hooks, error budgets, and
percentages and percentiles in range.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from sladsl.language import ast
from sladsl.language.ast import Span
from sladsl.language.checks.common import Diagnostics, T, _duplicates, _n, _single_statements
from sladsl.language.checks.promql import check_queries
from sladsl.language.diagnostics import error, warning
from sladsl.language.units import describe_seconds, shortest_period_seconds

_TIME_BASED_ONLY = (
    ast.DowntimeFromIncidents,
    ast.DowntimeFromSamples,
    ast.DowntimeFromErrorRate,
    ast.AverageErrorRate,
    ast.MissingData,
    ast.IgnoreOutages,
    ast.RoundOutages,
    ast.WeightByAffected,
    ast.WholeClockUnits,
    ast.ExcludeMaintenance,
    ast.ExcludeCauses,
)


def _check_objectives(a: ast.Agreement) -> Diagnostics:
    plans = tuple(dict.fromkeys(a.plans))  # once, not once per objective: large files were quadratic
    for service in a.services:
        for objective in service.objectives:
            yield from _check_objective(objective, plans)


def _check_targets(o: ast.Objective, plans: tuple[str, ...]) -> Diagnostics:
    """Exactly one target applies to each plan: its own `on plan` one, else the plain one."""
    targets = o.targets
    if not targets:
        yield error(
            "E111",
            f"objective `{o.name}` has no target",
            o.name_span,
            "add a target such as `availability at least 99.9% per calendar month`",
        )
        return
    plain = [t for t in targets if t.on is None]
    for extra in plain[1:]:
        hint = 'end it with `on plan "NAME"` for one plan' if plans else "split it into two objectives"
        yield error("E111", f"objective `{o.name}` has more than one target", extra.span, hint)
    seen: dict[str, Span] = {}
    for target in targets:
        for name in target.on.names if target.on else ():
            if name in seen:
                yield error(
                    "E120",
                    f"two targets of objective `{o.name}` apply to plan `{name}`",
                    target.on.span if target.on else target.span,
                    f"the first is on line {seen[name].line}; each plan has exactly one target",
                )
            seen.setdefault(name, target.span)
    if not plain:
        for plan in plans:
            if plan not in seen:
                yield error(
                    "E120",
                    f"no target of objective `{o.name}` applies to plan `{plan}`",
                    o.name_span,
                    "add a target without `on plan` for the plans that have none of their own",
                )
    kinds = {type(t) for t in targets}
    shapes = {(type(t), isinstance(t, ast.LatencyTarget) and t.windows is not None) for t in targets}
    if len(kinds) > 1 or len(shapes) > 1:
        yield error(
            "E120",
            f"the targets of objective `{o.name}` measure different things on different plans",
            targets[1].span,
            "one objective measures one thing; plans differ in the numbers. Use two objectives",
        )


def _check_objective(o: ast.Objective, plans: tuple[str, ...] = ()) -> Diagnostics:
    yield from _check_targets(o, plans)
    target = o.target
    yield from _single_statements(
        o.statements,
        {
            ast.MissingData: "missing data",
            ast.IgnoreOutages: "ignore outages",
            ast.RoundOutages: "round outages",
            ast.WeightByAffected: "weight downtime",
            ast.WholeClockUnits: "count only whole clock",
            ast.ExcludeMaintenance: "exclude maintenance",
            ast.ChronicFailure: "chronic failure",
            ast.Monitor: "monitor",
        },
    )
    for extra_source in o.downtime_sources[1:]:
        yield error(
            "E113",
            "an objective has one way of knowing its downtime",
            extra_source.span,
            f"the first is on line {o.downtime_sources[0].span.line}",
        )
    if target is not None and not isinstance(target, ast.AvailabilityTarget | ast.DowntimeTarget):
        kind = "latency" if isinstance(target, ast.LatencyTarget) else "request-based"
        for s in o.statements:
            if isinstance(s, _TIME_BASED_ONLY):
                yield error(
                    "E113",
                    f"this statement does not apply to a {kind} objective",
                    s.span,
                    "downtime, outages and exclusions belong to time-based availability",
                )
    if isinstance(o.downtime_source, ast.AverageErrorRate) and o.ignore_outages:
        yield error("E113", "`ignore outages` has no meaning with an average error rate", o.ignore_outages.span)
    time_based = target is None or isinstance(target, ast.AvailabilityTarget | ast.DowntimeTarget)
    rounding = o.round_outages
    if time_based and rounding is not None and isinstance(o.downtime_source, ast.AverageErrorRate):
        yield error("E121", "`round outages` has no meaning with an average error rate", rounding.span)
    weight = _first_of(o, ast.WeightByAffected)
    if time_based and weight is not None and not isinstance(o.downtime_source, ast.DowntimeFromIncidents):
        yield error(
            "E121",
            "`weight downtime by share affected` needs downtime from incidents",
            weight.span,
            "only incidents carry an `affected` share; samples and request counts do not",
        )
    if o.monitor:
        yield from _check_monitor(o.monitor)
    yield from _check_budget(o)


def _first_of(o: ast.Objective, kind: type[T]) -> T | None:
    return next((s for s in o.statements if isinstance(s, kind)), None)


def _check_monitor(m: ast.Monitor) -> Diagnostics:
    yield from _duplicates(((q.kind, q.span) for q in m.queries), "query", code="E101")
    yield from check_queries(m)
    kinds = {q.kind for q in m.queries}
    if not ({"total", "errors"} <= kinds or {"total", "good"} <= kinds or kinds & {"histogram", "latency"}):
        yield error(
            "E117",
            "a monitor block needs `total` with `errors` or `good`, or a `histogram`",
            m.span,
            'for example: errors "sum(rate(x{code=~\\"5..\\"}[{{window}}]))" and total "sum(rate(x[{{window}}]))"',
        )


def _smallest_counted_outage(o: ast.Objective) -> Decimal | None:
    source = o.downtime_source
    ignore = o.ignore_outages
    threshold = (
        ignore.shorter_than.seconds
        if ignore and not ignore.shorter_than.is_calendar and not ignore.shorter_than.business
        else None
    )
    if isinstance(source, ast.DowntimeFromSamples) and not source.every.is_calendar and not source.every.business:
        step = source.every.seconds
    elif isinstance(source, ast.DowntimeFromErrorRate) and not source.window.is_calendar and not source.window.business:
        step = source.window.seconds
    else:
        step = None
    rounding = o.round_outages
    unit = rounding.unit.seconds if rounding and not rounding.unit.is_calendar and not rounding.unit.business else None
    candidates = [v for v in (threshold, step, unit) if v is not None]
    return max(candidates) if candidates else None


def _check_budget(o: ast.Objective) -> Diagnostics:
    for target in o.targets:
        yield from _check_target_budget(o, target)


def _check_target_budget(o: ast.Objective, target: ast.Target) -> Diagnostics:
    if isinstance(target, ast.DowntimeTarget):
        budget = target.limit.seconds if not target.limit.is_calendar and not target.limit.business else None
    elif isinstance(target, ast.AvailabilityTarget) and Decimal(0) <= target.percent.value <= Decimal(100):
        budget = (Decimal(100) - target.percent.value) / Decimal(100) * shortest_period_seconds(target.period.kind)
    else:
        return
    smallest = _smallest_counted_outage(o)
    if smallest is None or budget is None or o.weight_by_affected:
        return
    if budget < smallest:
        yield warning(
            "W204",
            f"the error budget ({describe_seconds(budget)} per {target.period.kind.value}) is smaller than "
            f"the smallest outage that counts ({describe_seconds(smallest)})",
            target.span,
            "the commitment is all or nothing: a single counted outage breaches it",
        )


# ---- percentages ------------------------------------------------------------------------


def _percents(a: ast.Agreement) -> Iterator[ast.Percent]:
    for service in a.services:
        for objective in service.objectives:
            for s in objective.statements:
                if isinstance(s, ast.AvailabilityTarget | ast.RequestTarget):
                    yield s.percent
                elif isinstance(s, ast.DowntimeFromErrorRate):
                    yield s.above
                elif isinstance(s, ast.LatencyTarget) and s.windows is not None:
                    yield s.windows.share
        for credits in service.credits:
            for tier in credits.tiers:
                if tier.percent_of_fee is not None:
                    yield tier.percent_of_fee.percent
                if isinstance(tier.threshold, ast.Percent):
                    yield tier.threshold
            yield from (c.percent for c in credits.statements if isinstance(c, ast.CreditCap))
    for plan in a.support_plans:
        if plan.target:
            yield plan.target.percent


def _check_percents(a: ast.Agreement) -> Diagnostics:
    for percent in _percents(a):
        if not Decimal(0) <= percent.value <= Decimal(100):
            yield error("E107", f"percentage {_n(percent.value)}% is outside 0% to 100%", percent.span)
    for service in a.services:
        for objective in service.objectives:
            for target in objective.targets:
                percentile = target.percentile if isinstance(target, ast.LatencyTarget) else None
                if percentile is not None and not Decimal(0) < percentile <= Decimal(100):
                    yield error(
                        "E107",
                        f"percentile p{_n(percentile)} is outside p0 to p100",
                        target.span,
                        "a percentile is above 0 and at most 100, such as p95 or p99.9",
                    )
