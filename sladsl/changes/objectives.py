"""Changes to objectives: their targets on each plan, how downtime is measured, what is
excluded from it, and chronic failure."""

from __future__ import annotations

from typing import cast

from sladsl.changes.found import Found, by_name, direction, order_only, per_plan, prose
from sladsl.changes.measurement import exclusions, measurement
from sladsl.changes.model import ADVERSE, DEPENDS, FAVOURABLE, NEUTRAL
from sladsl.changes.words import (
    ADJECTIVES,
    LENGTH,
    allowance_delta,
    duration,
    duration_order,
    name,
    pct,
    quoted,
    say,
)
from sladsl.language import ast

_KIND_WORDS = {
    ast.AvailabilityTarget: "availability target",
    ast.RequestTarget: "request success target",
    ast.LatencyTarget: "latency target",
    ast.DowntimeTarget: "downtime allowance",
}


def objective_where(service: str, objective: str) -> str:
    return f"{service} / {objective}"


def compare_objective(found: Found, service: str, old: ast.Objective, new: ast.Objective, several: bool) -> None:
    where = objective_where(service, old.name)
    of = f"{service}" + (f" (objective {name(old.name)})" if several else "")
    _targets(found, of, where, old, new)
    measurement(found, where, old, new)
    exclusions(found, where, old, new)
    chronic(found, where, f"the objective {name(old.name)} of {service}", old.chronic_failure, new.chronic_failure)
    if old.monitor != new.monitor:
        found.add(
            "monitor-changed",
            NEUTRAL,
            f"The monitoring queries of {where} change; they are not a term of the contract.",
            where,
            old.monitor,
            new.monitor,
        )
    prose(found, old.statements, new.statements, where)
    order_only(found, old.statements, new.statements, where, old, new)


# ---- targets -----------------------------------------------------------------------------------


def _targets(found: Found, of: str, where: str, old: ast.Objective, new: ast.Objective) -> None:
    def pick(plan: str | None, new_side: bool) -> ast.Target | None:
        return (new if new_side else old).target_for(plan)

    groups = cast(list[tuple[ast.Target | None, ast.Target | None, list[str | None]]], per_plan(found, pick))
    for before, after, plans in groups:
        on = found.plan_words(plans)
        here = where + on.replace(" on ", " / ", 1)
        if before is None or after is None:
            code, kind = ("target-added", FAVOURABLE) if after is not None else ("target-removed", ADVERSE)
            verb = "now promises" if after is not None else "no longer promises"
            node = after if after is not None else before
            found.add(code, kind, f"{of}{on} {verb}: {say(node, found.context)}", here, before, after)
            continue
        _target(found, of + on, here, before, after)


def _target(found: Found, of: str, where: str, old: ast.Target, new: ast.Target) -> None:
    if type(old) is not type(new):
        found.add(
            "target-kind-changed",
            DEPENDS,
            f"The target of {of} changes from {quoted(old)} to {quoted(new)}; whether that allows more or less "
            "depends on the data.",
            where,
            old,
            new,
        )
        return
    period_same = old.period == new.period
    if not period_same:
        found.add(
            "target-period-changed",
            DEPENDS,
            f"The target of {of} is judged {ADJECTIVES[new.period.kind]} instead of {ADJECTIVES[old.period.kind]}: "
            "a longer period averages good and bad stretches, a shorter one judges them apart, so the effect "
            "depends on the data.",
            where,
            old,
            new,
        )
    label = f"{ADJECTIVES[new.period.kind]} {_KIND_WORDS[type(new)]} of {of}"
    if isinstance(old, ast.AvailabilityTarget | ast.RequestTarget) and isinstance(
        new, ast.AvailabilityTarget | ast.RequestTarget
    ):
        _percent_target(found, label, where, old, new, period_same)
    elif isinstance(old, ast.DowntimeTarget) and isinstance(new, ast.DowntimeTarget):
        found.graded(
            duration_order(new.limit, old.limit),
            False,
            ("downtime-allowance-raised", "downtime-allowance-lowered", "downtime-allowance-changed"),
            lambda verb: f"The {label} is {verb} from {duration(old.limit)} to {duration(new.limit)}.",
            where,
            old,
            new,
        )
    elif isinstance(old, ast.LatencyTarget) and isinstance(new, ast.LatencyTarget):
        _latency(found, label, where, old, new)


def _percent_target(
    found: Found,
    label: str,
    where: str,
    old: ast.AvailabilityTarget | ast.RequestTarget,
    new: ast.AvailabilityTarget | ast.RequestTarget,
    period_same: bool,
) -> None:
    a, b = old.percent.value, new.percent.value
    if a == b:
        return
    if isinstance(new, ast.AvailabilityTarget) and period_same:
        effect = ": " + allowance_delta(a, b, new.period.kind, found.context)
    elif isinstance(new, ast.RequestTarget):
        effect = f": at most {pct(100 - b)} of requests may fail instead of {pct(100 - a)}"
    else:
        effect = ""
    found.graded(
        direction(a, b),
        True,
        ("target-raised", "target-lowered", "target-changed"),
        lambda verb: f"The {label} is {verb} from {pct(a)} to {pct(b)}{effect}.",
        where,
        old,
        new,
    )


def _latency(found: Found, label: str, where: str, old: ast.LatencyTarget, new: ast.LatencyTarget) -> None:
    if old.metric != new.metric:
        found.add(
            "latency-metric-changed",
            DEPENDS,
            f"The {label} measures {name(new.metric)} instead of {name(old.metric)}; the effect depends on the data.",
            where,
            old,
            new,
        )
    if old.percentile != new.percentile:
        if old.percentile is None or new.percentile is None:
            found.add(
                "latency-percentile-changed",
                DEPENDS,
                f"The {label} judges {'the average' if new.percentile is None else f'p{new.percentile}'} instead of "
                f"{'the average' if old.percentile is None else f'p{old.percentile}'}; the effect depends on the data.",
                where,
                old,
                new,
            )
        else:
            found.graded(
                direction(old.percentile, new.percentile),
                True,
                ("latency-percentile-raised", "latency-percentile-lowered", "latency-percentile-changed"),
                lambda verb: f"The percentile of the {label} is {verb} from p{old.percentile} to p{new.percentile}.",
                where,
                old,
                new,
            )
    found.graded(
        duration_order(new.limit, old.limit),
        False,
        ("latency-bound-raised", "latency-bound-lowered", "latency-bound-changed"),
        lambda verb: f"The bound of the {label} is {verb} from {duration(old.limit)} to {duration(new.limit)}.",
        where,
        old,
        new,
    )
    if old.strict != new.strict:
        code, kind = ("latency-bound-strict", FAVOURABLE) if new.strict else ("latency-bound-inclusive", ADVERSE)
        words = "strictly below" if new.strict else "at most (a value equal to the bound now meets it)"
        found.add(code, kind, f"The {label} must now be {words} {duration(new.limit)}.", where, old, new)
    _windows(found, label, where, old, new)


def _windows(found: Found, label: str, where: str, old: ast.LatencyTarget, new: ast.LatencyTarget) -> None:
    a, b = old.windows, new.windows
    if a == b:
        return
    if a is None or b is None or a.window != b.window:
        found.add(
            "latency-windows-changed",
            DEPENDS,
            f"The {label} changes how it is judged window by window, from {quoted(old)} to {quoted(new)}; the effect "
            "depends on the data.",
            where,
            old,
            new,
        )
        return
    found.graded(
        direction(a.share.value, b.share.value),
        True,
        ("target-raised", "target-lowered", "target-changed"),
        lambda verb: (
            f"The share of windows of the {label} that must meet the bound is {verb} from "
            f"{pct(a.share)} to {pct(b.share)}."
        ),
        where,
        old,
        new,
    )


# ---- chronic failure ---------------------------------------------------------------------------


def chronic(found: Found, where: str, of: str, a: ast.ChronicFailure | None, b: ast.ChronicFailure | None) -> None:
    """`chronic failure when ...`: the customer's right to terminate; easier to reach is favourable."""
    if a == b:
        return
    if a is None or b is None:
        added = b is not None
        found.toggled(
            "chronic-failure",
            added,
            FAVOURABLE,
            f"The Customer {'may now' if added else 'may no longer'} terminate for chronic failure of {of}"
            + (f": {quoted(b)}." if b is not None else "."),
            where,
            a,
            b,
        )
        return
    easier = _easier(a, b)
    if easier is not None and easier != 0:
        found.add(
            "chronic-failure-eased" if easier > 0 else "chronic-failure-tightened",
            FAVOURABLE if easier > 0 else ADVERSE,
            f"Chronic failure of {of} is {'easier' if easier > 0 else 'harder'} to reach: {quoted(b)} instead of {quoted(a)}.",
            where,
            a,
            b,
        )
    elif easier is None:
        found.add(
            "chronic-failure-changed",
            DEPENDS,
            f"Chronic failure of {of} changes from {quoted(a)} to {quoted(b)}; the effect depends on the data.",
            where,
            a,
            b,
        )
    ta, tb = a.terminate_within, b.terminate_within
    if ta != tb:
        if ta is None or tb is None:
            limited = tb is not None
            found.toggled(
                "termination-window",
                limited,
                ADVERSE,
                f"After chronic failure of {of}, the Customer "
                + (f"must now terminate within {duration(tb)}." if limited else "may terminate without a time limit."),
                where,
                a,
                b,
            )
        else:
            found.graded(
                duration_order(tb, ta),
                True,
                ("termination-window-lengthened", "termination-window-shortened", "termination-window-changed"),
                lambda verb: (
                    f"After chronic failure of {of}, the time the Customer has to terminate is {LENGTH[verb]} from "
                    f"{duration(ta)} to {duration(tb)}."
                ),
                where,
                a,
                b,
            )


def _easier(a: ast.ChronicFailure, b: ast.ChronicFailure) -> int | None:
    """1 when `b` is reached in every case `a` is (and more), -1 the other way, 0 the same,
    None when neither contains the other."""
    votes: set[int] = set()
    if a.consecutive != b.consecutive:
        if a.consecutive is None:
            votes.add(1)
        elif b.consecutive is None:
            votes.add(-1)
        else:
            votes.add(1 if b.consecutive < a.consecutive else -1)
    if a.of_any != b.of_any:
        if a.of_any is None:
            votes.add(1)
        elif b.of_any is None:
            votes.add(-1)
        else:
            (ma, ka), (mb, kb) = a.of_any, b.of_any
            sign = {(1 if mb < ma else -1 if mb > ma else 0), (1 if kb > ka else -1 if kb < ka else 0)} - {0}
            votes |= sign
    if a.support != b.support:
        return None
    if len(votes) > 1:
        return None
    return votes.pop() if votes else 0


__all__ = ["by_name", "chronic", "compare_objective", "objective_where"]
