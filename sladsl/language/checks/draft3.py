"""The checker's rules on draft 3's terms: per-outage credits and their units, claim windows
counted from the outage, remedies in service time, whole clock units, allowances as
durations, credit floors finer than a currency can pay, and termination rights.

Why a module of their own: each rule is about how a draft-3 term combines with the
objective it is written for; the draft-1 and draft-2 rules in `credits` and `objectives`
stay as they were.
"""

from __future__ import annotations

from decimal import Decimal

from sladsl.language import ast
from sladsl.language.checks.common import Diagnostics, _n, _single_statements
from sladsl.language.checks.credits import _chronic_counts
from sladsl.language.currencies import is_currency, minor_unit
from sladsl.language.diagnostics import error, warning
from sladsl.language.units import describe_duration, shortest_period_seconds

_HOUR = Decimal(3600)


def check_draft3(a: ast.Agreement) -> Diagnostics:
    for service in a.services:
        for objective in service.objectives:
            yield from _check_clock_units(objective)
            yield from _check_allowances(objective)
            yield from _check_chronic_subject(objective.chronic_failure, in_support=False)
        for credits in service.credits:
            yield from _check_outage_terms(credits, service.objective(credits.objective))
            yield from _check_service_time(credits)
            yield from _check_floors(credits)
    for plan in a.support_plans:
        chronic = plan.chronic_failure
        yield from _single_statements(plan.statements, {ast.ChronicFailure: "chronic failure"})
        yield from _check_chronic_subject(chronic, in_support=True)
        if chronic is not None:
            yield from _chronic_counts(chronic)
        if chronic is not None and chronic.support and plan.target is None:
            yield error(
                "E133",
                f"support plan `{plan.name}` has no ticket target that could be missed",
                chronic.span,
                "add `target 95% of tickets per calendar month`",
            )


def _has_outages(objective: ast.Objective | None) -> bool:
    """Whether the objective's downtime comes in outages (time-based, not an average rate)."""
    if objective is None:
        return True  # an unknown objective is already an error (E103)
    target = objective.target
    if target is not None and not isinstance(target, ast.AvailabilityTarget | ast.DowntimeTarget):
        return False
    return not isinstance(objective.downtime_source, ast.AverageErrorRate)


def _check_outage_terms(credits: ast.Credits, objective: ast.Objective | None) -> Diagnostics:
    outage_tiers = credits.outage_tiers
    claim = credits.claim_window
    from_outage = isinstance(claim, ast.ClaimWindow) and claim.from_outage is not None
    if not _has_outages(objective):
        for tier in outage_tiers:
            yield error(
                "E128",
                "`for each outage` needs an objective whose downtime comes in outages",
                tier.span,
                "only time-based availability (incidents, samples, error-rate windows) has outages",
            )
        if from_outage and claim is not None:
            yield error(
                "E128",
                "a claim window counted from the outage needs an objective whose downtime comes in outages",
                claim.span,
                "count it from the period instead: `claim within 30 days`",
            )
    if outage_tiers and credits.tiers:
        yield error(
            "E129",
            "this block mixes `for each outage` tiers with threshold tiers, and says nothing of how they combine",
            credits.tiers[0].span,
            "keep one kind of tier per credits block (see docs/language.md, draft 3)",
        )
    for tier in outage_tiers:
        yield from _check_per_unit(tier)
    yield from _check_shadowed(outage_tiers)


def _check_shadowed(tiers: tuple[ast.OutageTier, ...]) -> Diagnostics:
    """Each outage is paid by the last per-outage tier that applies to it, so a tier followed
    by one that applies to every outage it applies to never pays."""
    for i, tier in enumerate(tiers):
        later = next((t for t in tiers[i + 1 :] if _covers(t, tier)), None)
        if later is not None:
            yield warning(
                "W214",
                f"this tier never pays: the tier on line {later.span.line} applies to every outage it applies to",
                tier.span,
                "each outage is paid by the last tier that applies to it; write the tiers from the mildest to the worst",
            )


def _covers(later: ast.OutageTier, earlier: ast.OutageTier) -> bool:
    if later.longer_than is None:
        return True
    if earlier.longer_than is None or later.longer_than.business or earlier.longer_than.business:
        return False
    if later.longer_than.is_calendar or earlier.longer_than.is_calendar:
        return False
    return later.longer_than.seconds <= earlier.longer_than.seconds


def _check_per_unit(tier: ast.OutageTier) -> Diagnostics:
    per = tier.per
    if per is None:
        return
    if isinstance(tier.amount, ast.TimesDowntimeFees):
        yield error(
            "E130",
            "`per` has no meaning with `the fees for the downtime`, which already grows with the outage",
            per.span,
            "drop `per ...`, or pay a percentage of the fee per unit",
        )
    if per.business or per.is_calendar or per.amount <= 0:
        yield error(
            "E130",
            f"an outage is counted in units of fixed length, not {describe_duration(per)}",
            per.span,
            "write, for example, `per started 10 minutes` or `per hour`",
        )


def _check_service_time(credits: ast.Credits) -> Diagnostics:
    amounts: list[ast.ServiceTime] = []
    for tier in credits.all_tiers:
        if isinstance(tier.amount, ast.ServiceTime):
            amounts.append(tier.amount)
        if isinstance(tier, ast.OutageTier) and isinstance(tier.cap, ast.ServiceTime):
            amounts.append(tier.cap)
    amounts += [c.limit for c in credits.statements if isinstance(c, ast.ServiceTimeCap)]
    for amount in amounts:
        if amount.duration.business or amount.duration.is_calendar:
            yield error(
                "E135",
                f"service time is counted in hours, days or weeks, not {describe_duration(amount.duration)}",
                amount.duration.span,
                "write, for example, `3 days of service`",
            )


def _check_floors(credits: ast.Credits) -> Diagnostics:
    """A minimum or threshold finer than the currency's minor unit can never be met exactly:
    credits are compared with it after rounding to that unit."""
    for floor in (credits.minimum, credits.threshold):
        if floor is None or not is_currency(floor.money.currency):
            continue
        digits = minor_unit(floor.money.currency)
        amount = floor.money.amount
        if amount != amount.quantize(Decimal(1).scaleb(-digits)):
            yield warning(
                "W213",
                f"{_n(amount)} {floor.money.currency} is finer than the currency's smallest unit "
                f"({digits} decimal place{'s' if digits != 1 else ''})",
                floor.money.span,
                "credits are compared after rounding to the currency's minor unit",
            )


def _check_clock_units(o: ast.Objective) -> Diagnostics:
    ignore = o.ignore_outages
    if ignore is not None and ignore.after_exclusions and o.weight_by_affected:
        yield error(
            "E132",
            "`after exclusions` cannot be combined with `weight downtime by share affected`",
            ignore.span,
            "the stretches left after exclusions carry no share of their own",
        )
    units = o.clock_units
    if units is None:
        return
    unit = units.unit
    seconds = unit.seconds if not unit.business and not unit.is_calendar else None
    if seconds is None or seconds <= 0 or seconds > _HOUR or _HOUR % seconds != 0:
        yield error(
            "E131",
            f"whole clock units divide an hour evenly, and {describe_duration(unit)} does not",
            unit.span,
            "write `count only whole clock minutes`, `... 5 minute intervals` or `... hours`",
        )
    if o.round_outages is not None:
        yield error(
            "E132",
            "`count only whole clock` and `round outages down to` are two ways of counting units; choose one",
            units.span,
        )
    if o.weight_by_affected:
        yield error(
            "E132",
            "`count only whole clock` cannot be combined with `weight downtime by share affected`",
            units.span,
            "a clock unit is down or not; a share of it is not defined",
        )


def _check_allowances(o: ast.Objective) -> Diagnostics:
    for target in o.targets:
        if not isinstance(target, ast.DowntimeTarget):
            continue
        limit = target.limit
        if limit.business or limit.is_calendar:
            continue  # E114 (`_fixed`) says what is wrong with it
        if isinstance(o.downtime_source, ast.AverageErrorRate):
            yield error(
                "E134",
                "an average error rate has no downtime to allow",
                target.span,
                "use `downtime from incidents`, samples or error-rate windows, or a percentage target",
            )
        elif limit.seconds >= shortest_period_seconds(target.period.kind):
            yield error(
                "E134",
                f"{describe_duration(limit)} of downtime per {target.period.kind.value} allows the whole period",
                limit.span,
            )


def _check_chronic_subject(chronic: ast.ChronicFailure | None, in_support: bool) -> Diagnostics:
    if chronic is None:
        return
    if chronic.support and not in_support:
        yield error(
            "E133",
            "`support target missed` belongs in a support block",
            chronic.span,
            "in an objective, write `chronic failure when breached in 3 consecutive periods`",
        )
    elif not chronic.support and in_support:
        yield error(
            "E133",
            "in a support block, chronic failure is `when support target missed in ...`",
            chronic.span,
            "write `chronic failure when support target missed in 2 consecutive periods`",
        )
    window = chronic.terminate_within
    if window is not None and (window.business or window.amount <= 0):
        yield error(
            "E134",
            f"a termination window is calendar time longer than zero, not {describe_duration(window)}",
            window.span,
            "write, for example, `terminate within 30 days`",
        )
