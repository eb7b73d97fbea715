"""The checker's rules on objectives and credits: targets per plan, downtime sources and
exclusions, error budgets, monitors, credit tiers and their order, amounts, bases and caps.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

from sladsl.language import ast
from sladsl.language.ast import Duration, FeeBase, PeriodKind, Span
from sladsl.language.checks.common import Diagnostics, T, _duplicates, _n, _single_statements
from sladsl.language.diagnostics import Diagnostic, error, warning
from sladsl.language.units import describe_duration, describe_seconds, shortest_period_seconds

_TIME_BASED_ONLY = (
    ast.DowntimeFromIncidents,
    ast.DowntimeFromSamples,
    ast.DowntimeFromErrorRate,
    ast.AverageErrorRate,
    ast.MissingData,
    ast.IgnoreOutages,
    ast.RoundOutages,
    ast.WeightByAffected,
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
    if target is not None and not isinstance(target, ast.AvailabilityTarget):
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
    time_based = target is None or isinstance(target, ast.AvailabilityTarget)
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
    if not isinstance(target, ast.AvailabilityTarget) or not Decimal(0) <= target.percent.value <= Decimal(100):
        return
    smallest = _smallest_counted_outage(o)
    if smallest is None or o.weight_by_affected:
        return
    budget = (Decimal(100) - target.percent.value) / Decimal(100) * shortest_period_seconds(target.period.kind)
    if budget < smallest:
        yield warning(
            "W204",
            f"the error budget ({describe_seconds(budget)} per {target.period.kind.value}) is smaller than "
            f"the smallest outage that counts ({describe_seconds(smallest)})",
            target.span,
            "the commitment is all or nothing: a single counted outage breaches it",
        )


# ---- credits ------------------------------------------------------------------------------


def _check_credits(a: ast.Agreement) -> Diagnostics:
    declared = a.plans
    for service in a.services:
        for credits in service.credits:
            objective = service.objective(credits.objective)
            if objective is None:
                continue
            found: dict[tuple[str, int, int, str], Diagnostic] = {}
            for target, plans in _targets_paid_by(credits, objective, service, declared):
                for d in _check_tiers(credits, target):
                    if d.code in _TARGET_WARNINGS and plans:
                        d = replace(d, message=f"{d.message}, on {_plans_words(plans)}")
                    found.setdefault((d.code, d.span.line, d.span.column, d.message), d)
            yield from found.values()
            caps = [c for c in credits.statements if isinstance(c, ast.CreditCap)]
            yield from _single_statements([c for c in caps if c.rolling is None], {ast.CreditCap: "at most"})
            yield from _single_statements(credits.statements, {ast.CreditMinimum: "minimum"})


_TARGET_WARNINGS = frozenset({"W201", "W202"})


def _plans_words(plans: list[str]) -> str:
    names = ", ".join(f"`{p}`" for p in plans)
    return f"plan {names}" if len(plans) == 1 else f"plans {names}"


def _targets_paid_by(
    credits: ast.Credits, objective: ast.Objective, service: ast.Service, plans: tuple[str, ...]
) -> list[tuple[ast.Target, list[str]]]:
    """The targets whose breaches this credits block pays for, each with the plans it applies to."""
    found: list[tuple[ast.Target, list[str]]] = []
    for plan in plans or (None,):
        if service.credits_for(objective.name, plan) is not credits:
            continue
        target = objective.target_for(plan)
        if target is None:
            continue
        entry = next((e for e in found if e[0] is target), None)
        if entry is None:
            entry = (target, [])
            found.append(entry)
        if plan is not None:
            entry[1].append(plan)
    return found


def _threshold_value(threshold: ast.Percent | Duration) -> Decimal:
    if isinstance(threshold, ast.Percent):
        return threshold.value
    return threshold.seconds if not threshold.is_calendar and not threshold.business else Decimal(0)


def _check_tiers(credits: ast.Credits, target: ast.Target) -> Diagnostics:
    upward = isinstance(target, ast.LatencyTarget) and target.upward
    yield from _check_amount_forms(credits, target)
    usable: list[ast.Tier] = []
    for tier in credits.tiers:
        problem = _tier_shape_problem(tier, upward)
        if problem:
            yield problem
        else:
            usable.append(tier)
    yield from _check_tier_order(usable, upward)
    if usable:
        yield from _check_first_tier(usable[0], target, upward)
    yield from _check_fee_bases(credits, target)
    yield from _check_cap(credits, target)


def _check_amount_forms(credits: ast.Credits, target: ast.Target) -> Diagnostics:
    for tier in credits.tiers:
        if isinstance(tier.amount, ast.TimesDowntimeFees):
            if not isinstance(target, ast.AvailabilityTarget):
                yield error(
                    "E121",
                    "`the fees for the downtime` needs time-based availability",
                    tier.amount.span,
                    "only a time-based objective has downtime; use `10% of monthly fee`",
                )
            elif target.period.kind is PeriodKind.WEEK:
                yield error(
                    "E112",
                    "`the fees for the downtime` has no meaning for a weekly objective",
                    tier.amount.span,
                    "a week is not a whole number of months; use `of monthly fee`",
                )
            if tier.amount.factor == 0:
                yield warning("W211", "this tier pays 0 times the fees: it never pays anything", tier.amount.span)
        elif isinstance(tier.amount, ast.PercentOfFee) and tier.amount.percent.value == 0:
            yield warning("W211", "this tier pays 0% of the fee: it never pays anything", tier.amount.span)
        elif isinstance(tier.amount, ast.FixedCredit) and tier.amount.money.amount == 0:
            yield warning("W211", "this tier pays a sum of 0: it never pays anything", tier.amount.span)


def _tier_shape_problem(tier: ast.Tier, upward: bool) -> Diagnostic | None:
    if upward and not tier.comparison.upward:
        return error(
            "E110",
            f"`{tier.comparison.value}` on a latency objective, which is breached by values above its limit",
            tier.span,
            "write `above 200 ms` or `at or above 200 ms`",
        )
    if not upward and tier.comparison.upward:
        return error(
            "E110",
            f"`{tier.comparison.value}` on an objective measured in percent, which is breached by values below its target",
            tier.span,
            "write `below 99.9%` or `at or below 99.9%`",
        )
    if upward and isinstance(tier.threshold, ast.Percent):
        return error(
            "E110",
            "a latency tier's threshold is a duration, not a percentage",
            tier.threshold.span,
            "write, for example, `above 500 ms`",
        )
    if not upward and isinstance(tier.threshold, Duration):
        return error(
            "E110",
            "an availability tier's threshold is a percentage, not a duration",
            tier.threshold.span,
            "write, for example, `below 99.9%`",
        )
    return None


def _is_worse(prev: ast.Tier, tier: ast.Tier, upward: bool) -> bool:
    """Whether `tier` only holds where `prev` holds too, i.e. it is strictly worse."""
    a, b = _threshold_value(prev.threshold), _threshold_value(tier.threshold)
    if a == b:
        return prev.comparison.inclusive and not tier.comparison.inclusive
    return b > a if upward else b < a


def _check_tier_order(tiers: list[ast.Tier], upward: bool) -> Diagnostics:
    for prev, tier in itertools.pairwise(tiers):
        if not _is_worse(prev, tier, upward):
            direction = "higher" if upward else "lower"
            yield error(
                "E109",
                "credit tiers are out of order: each tier must be worse than the one before",
                tier.span,
                f"write tiers from the mildest to the worst, each threshold {direction} than on line {prev.span.line}",
            )
        elif _pays_less(tier.amount, prev.amount):
            yield warning(
                "W207",
                f"this tier is worse than the one before but pays less ({_show_amount(tier.amount)} < {_show_amount(prev.amount)})",
                tier.amount.percent.span if isinstance(tier.amount, ast.PercentOfFee) else tier.amount.span,
            )


def _pays_less(amount: ast.CreditAmount, prev: ast.CreditAmount) -> bool:
    """Comparable only when both amounts have the same form and base."""
    if isinstance(amount, ast.PercentOfFee) and isinstance(prev, ast.PercentOfFee) and amount.base is prev.base:
        return amount.percent.value < prev.percent.value
    if isinstance(amount, ast.TimesDowntimeFees) and isinstance(prev, ast.TimesDowntimeFees):
        return amount.factor < prev.factor
    if isinstance(amount, ast.FixedCredit) and isinstance(prev, ast.FixedCredit):
        return amount.money.amount < prev.money.amount
    return False


def _show_amount(amount: ast.CreditAmount) -> str:
    if isinstance(amount, ast.PercentOfFee):
        return f"{_n(amount.percent.value)}%"
    if isinstance(amount, ast.TimesDowntimeFees):
        return f"{_n(amount.factor)} times"
    return f"{_n(amount.money.amount)} {amount.money.currency}"


def _target_percent(target: ast.Target) -> Decimal | None:
    """The percent a downward objective must reach: availability, or a share of latency windows."""
    if isinstance(target, ast.LatencyTarget):
        return target.windows.share.value if target.windows else None
    return target.percent.value


def _check_first_tier(tier: ast.Tier, target: ast.Target, upward: bool) -> Diagnostics:
    limit = (
        target.limit.seconds
        if isinstance(target, ast.LatencyTarget) and not target.limit.is_calendar and not target.limit.business
        else None
    )
    goal = limit if upward else _target_percent(target)
    if goal is None or (not upward and not Decimal(0) <= goal <= Decimal(100)):
        return  # an invalid target is already an error; comparing tiers with it says nothing more
    threshold = _threshold_value(tier.threshold)
    gap = threshold > goal if upward else threshold < goal
    pays_when_met = (threshold < goal if upward else threshold > goal) or (
        threshold == goal and tier.comparison.inclusive
    )
    shown = _show_threshold(tier.threshold)
    target_shown = describe_duration(target.limit) if upward and isinstance(target, ast.LatencyTarget) else f"{goal}%"
    if gap:
        yield warning(
            "W201",
            f"a breach between the target ({target_shown}) and the first tier ({shown}) earns no credit",
            tier.span,
            f"start the first tier at `{'above' if upward else 'below'} {target_shown}` if every breach should pay",
        )
    elif pays_when_met:
        yield warning(
            "W202",
            f"this tier pays while the objective is met (target {target_shown})",
            tier.span,
            "exactly on the target is met; a credit tier usually starts where the breach starts",
        )


def _show_threshold(threshold: ast.Percent | Duration) -> str:
    return f"{_n(threshold.value)}%" if isinstance(threshold, ast.Percent) else describe_duration(threshold)


def _check_fee_bases(credits: ast.Credits, target: ast.Target) -> Diagnostics:
    if target.period.kind is not PeriodKind.WEEK:
        return
    bases: list[ast.Tier | ast.CreditCap] = [
        t for t in credits.tiers if isinstance(t.amount, ast.PercentOfFee) and t.amount.base is FeeBase.PERIOD_FEES
    ]
    bases += [c for c in credits.statements if isinstance(c, ast.CreditCap) and c.base is FeeBase.PERIOD_FEES]
    for statement in bases:
        yield error(
            "E112",
            "`fees for the period` has no meaning for a weekly objective",
            statement.span,
            "a week is not a whole number of months; use `of monthly fee`",
        )


def _in_monthly_fees(percent: Decimal, base: FeeBase, months: int | None) -> Decimal | None:
    if base is FeeBase.MONTHLY_FEE:
        return percent
    return None if months is None else percent * months


def _check_cap(credits: ast.Credits, target: ast.Target) -> Diagnostics:
    cap = credits.cap
    if cap is None:
        return
    months = target.period.kind.months
    cap_value = _in_monthly_fees(cap.percent.value, cap.base, months)
    for tier in credits.tiers:
        amount = tier.percent_of_fee
        if amount is None:
            continue
        value = _in_monthly_fees(amount.percent.value, amount.base, months)
        if cap_value is not None and value is not None and value > cap_value:
            yield warning(
                "W203",
                f"the cap ({_n(cap.percent.value)}% of {cap.base.value}) is below this tier's credit",
                amount.percent.span,
                "this tier can never pay in full",
            )
