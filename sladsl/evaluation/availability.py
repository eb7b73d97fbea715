"""Measuring objectives against evidence: time-based availability (incidents, samples,
error-rate windows, maintenance; draft 2's rounded and weighted outages), the average
error rate, request ratios and latency (over the period, or window by window).

Objectives measured the same way are judged for all their services in one query (see
`shape`); every query comes from `sladsl.evaluation.sql`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sladsl.evaluation import sql
from sladsl.evaluation.cause_exclusions import caused_overlap, excluded_words, with_excluded_incidents
from sladsl.evaluation.context import EXPLAIN_LIMIT, US, Context
from sladsl.evaluation.context import seconds as _seconds
from sladsl.evaluation.maintenance_rules import NOTHING, maintenance_proofs, qualified_maintenance
from sladsl.evaluation.measuring import (
    HUNDRED,
    create,
    decimal_normal,
    describe_seconds_us,
    no_evidence,
    period_params,
    table_tag,
)
from sladsl.evaluation.outage_sources import incident_outages, window_outages
from sladsl.evaluation.report import CountedOutage, ObjectiveResult
from sladsl.evaluation.report import Evidence as Proof
from sladsl.evaluation.request_objectives import average_error_rate, latency, latency_windows, request_ratio
from sladsl.evaluation.sample_outages import sample_outages
from sladsl.language import ast
from sladsl.language.periods import Window, epoch_us
from sladsl.language.units import describe_duration

__all__ = [  # what `evaluate` and the ledger import from here, wherever it is defined
    "average_error_rate",
    "blank_result",
    "decimal_normal",
    "describe_seconds_us",
    "latency",
    "latency_windows",
    "no_evidence",
    "request_ratio",
    "shape",
    "time_based",
]


def blank_result(service: ast.Service, objective: ast.Objective) -> ObjectiveResult:
    target = objective.target
    if isinstance(target, ast.LatencyTarget):
        period = target.period.kind.value
        if target.windows is not None:  # draft 2: the share of windows meeting the bound
            share = target.windows.share.value
            return ObjectiveResult(service.name, objective.name, "latency", period, share, "%", strict=target.strict)
        limit = target.limit.seconds * 1000
        return ObjectiveResult(service.name, objective.name, "latency", period, limit, "ms", strict=target.strict)
    if isinstance(target, ast.DowntimeTarget):  # draft 3: the allowance in seconds
        period = target.period.kind.value
        limit = target.limit.seconds
        return ObjectiveResult(service.name, objective.name, "availability", period, limit, "s")
    percent = target.percent.value if target else Decimal(0)
    period = target.period.kind.value if target else ""
    return ObjectiveResult(
        service.name, objective.name, "availability", period, percent, "%", reason="the objective has no target"
    )


def shape(objective: ast.Objective) -> tuple[Any, ...]:
    """What makes two objectives measurable by one query: everything but the service.
    Nodes compare without their spans, so equal clauses in different places are one shape."""
    rounding = objective.round_outages
    clock = objective.clock_units
    return (
        objective.downtime_source,
        objective.missing_counts_as_available,
        objective.ignore_outages,
        objective.maintenance,
        tuple(sorted(objective.excluded_causes)),
        rounding.unit if rounding else None,
        objective.weight_by_affected,
        objective.adding_shares,
        clock.unit if clock else None,
    )


def _measured_from_downtime(window: Window, downtime_us: int | Decimal) -> Decimal:
    period_us = Decimal(window.end_us - window.start_us)
    return (period_us - Decimal(downtime_us)) / period_us * HUNDRED


def time_based(context: Context, members: list[tuple[ast.Service, ast.Objective, ObjectiveResult]]) -> None:
    """Time-based availability for every service of one shape: outages, then the rules."""
    _, objective, _ = members[0]
    services = [s.name for s, _, _ in members]
    source = objective.downtime_source
    params = period_params(context, services)
    ignore = objective.ignore_outages
    params["ignore"] = int(ignore.shorter_than.seconds * US) if ignore else 0
    params["or_less"] = bool(ignore and ignore.or_less)
    rounding = objective.round_outages
    params["round"] = int(rounding.unit.seconds * US) if rounding else 0
    clock = objective.clock_units
    params["clock"] = int(clock.unit.seconds * US) if clock else 0
    params["clock_off"] = params["p0"] % params["clock"] if clock else 0  # the period starts on a clock unit
    weights = objective.weight_by_affected and isinstance(source, ast.DowntimeFromIncidents)
    params["weights"] = weights
    tag = table_tag()
    outage_table, all_table, proofs, silent = _outages(context, objective, source, params, tag)
    outages, everything = f"SELECT * FROM {outage_table}", f"SELECT * FROM {all_table}"
    qualified, caused = with_excluded_incidents(
        context, objective, params, tag, qualified_maintenance(context, objective, params, tag)
    )
    if clock or (ignore and ignore.after_exclusions):  # draft 3: exclusions first, then the stretches left
        outages = sql.stretches(outages, qualified)
    pieces = sql.weighted_pieces(f"incidents_{tag}", qualified, objective.adding_shares) if weights else _NO_PIECES
    counted_table = f"counted_{tag}"
    create(context, counted_table, sql.counted_outages(outages, qualified, pieces), params)
    rows = {r[0]: r[1:] for r in context.run(sql.outage_totals(counted_table))}
    daily = _daily(context, counted_table, qualified, params)
    if all_table == outage_table:  # no cause exclusions: all outages are the counted ones
        raw_all = {service: raw for service, (raw, *_) in rows.items()}
    else:
        raw_all = {r[0]: r[1] for r in context.run(sql.downtime(everything, NOTHING), **{**params, "ignore": 0})}
    maintenance_listed = maintenance_proofs(context, objective, params, tag)
    outage_proofs = _outage_proofs(context, objective, source, counted_table, tag)
    outages_of = _counted_outages(context, counted_table, [s for s, _, _ in members if _pays_per_outage(s)])
    for service, objective_, result in members:
        if service.name in silent:
            no_evidence(result, f"no {_EVIDENCE_WORDS[type(source)]} for {service.name!r} in the period")
            continue
        *_, counted_nano = rows.get(service.name, (0, 0, 0, 0, 0))
        counted = Decimal(int(counted_nano)) / sql.NANO  # microseconds, exact
        excluded = Decimal(int(raw_all.get(service.name, 0))) - counted
        target = objective_.target
        assert isinstance(target, ast.AvailabilityTarget | ast.DowntimeTarget)
        result.judged, result.reason = True, ""
        result.downtime_seconds = _seconds(counted)
        result.excluded_seconds = _seconds(excluded)
        if isinstance(target, ast.DowntimeTarget):  # draft 3: the allowance is a duration
            result.measured = result.downtime_seconds
            result.allowed_downtime_seconds = target.limit.seconds
            result.met = result.measured <= target.limit.seconds
        else:
            result.measured = _measured_from_downtime(context.whole_period, counted)
            result.met = result.measured >= target.percent.value
            result.allowed_downtime_seconds = context.whole_period.seconds * (HUNDRED - target.percent.value) / HUNDRED
        if service.name in outages_of:
            result.outages = outages_of[service.name]
        result.explanation = (
            proofs.get(service.name, [])
            + maintenance_listed.get(service.name, [])
            + caused.get(service.name, [])
            + outage_proofs.get(service.name, [])
        )
        result.daily = daily.get(service.name, [])


_EVIDENCE_WORDS: dict[type, str] = {
    ast.DowntimeFromIncidents: "incidents",
    ast.DowntimeFromSamples: "samples",
    ast.DowntimeFromErrorRate: "request counts",
}

_NO_PIECES = (
    "SELECT CAST(NULL AS VARCHAR) AS service, CAST(0 AS BIGINT) AS o, CAST(0 AS BIGINT) AS s, CAST(0 AS BIGINT) AS e, "
    "CAST(0 AS BIGINT) AS a WHERE false"
)


def _pays_per_outage(service: ast.Service) -> bool:
    """Whether a credits block of the service reads the outages one by one (draft 3)."""
    for block in service.credits:
        claim = block.claim_window
        if block.outage_tiers or (isinstance(claim, ast.ClaimWindow) and claim.from_outage is not None):
            return True
    return False


def _counted_outages(context: Context, counted: str, services: list[ast.Service]) -> dict[str, list[CountedOutage]]:
    """The outages that count, per service, in time order: for per-outage credits and claim
    windows counted from the outage. One query for every service of the shape that needs them."""
    if not services:
        return {}
    found: dict[str, list[CountedOutage]] = {s.name: [] for s in services}
    query = f"SELECT service, cs, ce, counted FROM {counted} WHERE counted > 0 AND list_contains($names, service) ORDER BY service, cs"
    for service, s, e, amount in context.run(query, names=list(found)):
        found[service].append(
            CountedOutage(context.moment(s), context.moment(e), _seconds(Decimal(int(amount)) / sql.NANO))
        )
    return found


def _outage_proofs(
    context: Context, objective: ast.Objective, source: ast.DowntimeSource, counted: str, tag: int
) -> dict[str, list[Proof]]:
    """Every outage of the period as the verdict counts it, for the explanation: the
    counted ones' seconds add up to the downtime exactly (the rest of a long list in one
    line with the seconds it counts), and an outage that does not count says why."""
    proofs: dict[str, list[Proof]] = defaultdict(list)
    label = _OUTAGE_WORDS.get(type(source), "outage")
    if isinstance(source, ast.DowntimeFromErrorRate):
        label = f"windows above {decimal_normal(source.above.value)}% errors"
    query = sql.first_rows(
        f"SELECT service, s, e, cs, ce, kept, maintenance, remaining, rounded, counted, {caused_overlap(objective, tag)} "
        f"FROM {counted} o",
        "cs",
    )
    rest = (
        f"SELECT service, count(*), sum(counted) FROM (SELECT service, counted, "
        f"row_number() OVER (PARTITION BY service ORDER BY cs) AS n FROM {counted}) WHERE n > $limit GROUP BY service"
    )
    for service, s, e, cs, ce, kept, maintenance, remaining, rounded, amount, caused, _, _ in context.listing(
        query, limit=EXPLAIN_LIMIT
    ):
        seconds = _seconds(Decimal(int(amount)) / sql.NANO)
        excluded = (maintenance, excluded_words(objective, int(caused), maintenance))
        reason = _outage_reason(objective, s, e, cs, ce, kept, excluded, remaining, rounded)
        counts = bool(kept) and seconds > 0
        shown = seconds if counts else _seconds(ce - cs)  # what does not count shows its length
        proofs[service].append(Proof(label, context.moment(cs), context.moment(ce), shown, counts, reason))
    for service, n, amount in context.listing(rest, limit=EXPLAIN_LIMIT):
        seconds = _seconds(Decimal(int(amount)) / sql.NANO)
        proofs[service].append(Proof(f"{n} more outages, not listed", seconds=seconds, counted=seconds > 0))
    return proofs


_OUTAGE_WORDS: dict[type, str] = {
    ast.DowntimeFromIncidents: "outage",
    ast.DowntimeFromSamples: "outage (down or missing samples)",
}


def _outage_reason(
    objective: ast.Objective,
    s: int,
    e: int,
    cs: int,
    ce: int,
    kept: bool,
    excluded: tuple[int, str],  # the time left out, and what it was
    remaining: int,
    rounded: int,
) -> str:
    whole = f"; judged on its whole length of {describe_seconds_us(e - s)}" if (cs, ce) != (s, e) else ""
    ignore = objective.ignore_outages
    if not kept:
        limit = describe_duration(ignore.shorter_than) if ignore else "0"
        rule = f"{limit} or less" if ignore and ignore.or_less else f"shorter than {limit}"
        return f"{rule}: not downtime{whole}"
    parts = []
    if excluded[0]:
        parts.append(f"{describe_seconds_us(excluded[0])} of {excluded[1]} excluded")
    if rounded < remaining:
        if objective.clock_units is not None:
            unit = describe_duration(objective.clock_units.unit)
            parts.append(f"counts {describe_seconds_us(rounded)} (count only whole clock units of {unit})")
        elif objective.round_outages is not None:
            unit = describe_duration(objective.round_outages.unit)
            parts.append(f"counts {describe_seconds_us(rounded)} (round outages down to {unit})")
    if objective.weight_by_affected:
        parts.append("then weighted by the share affected" if parts else "weighted by the share affected")
    return "; ".join(parts) + whole if parts else whole.removeprefix("; ")


def _outages(
    context: Context, objective: ast.Objective, source: ast.DowntimeSource, params: dict[str, Any], tag: int
) -> tuple[str, str, dict[str, list[Proof]], set[str]]:
    """Temp tables of counted outages and of all outages (before cause exclusions), and the
    services with no evidence at all in the period. An incident log records exceptions: a
    period without incidents is a period without downtime, so its services always have
    evidence (the table itself); samples and request counts record the service's state,
    and a service with none of them in the period has no evidence."""
    if isinstance(source, ast.DowntimeFromIncidents):
        counted, everything, proofs = incident_outages(context, objective, params, tag)
        return counted, everything, proofs, set()
    if isinstance(source, ast.DowntimeFromSamples):
        return sample_outages(context, objective, source, params, tag)
    assert isinstance(source, ast.DowntimeFromErrorRate)
    return window_outages(context, objective, source, params, tag)


def _daily(
    context: Context, counted: str, qualified: str, params: dict[str, Any]
) -> dict[str, list[tuple[date, Decimal]]]:
    """Counted downtime per local day for every service of a shape, in one query."""
    if not context.explain:
        return {}
    days = []
    day = context.window.first_day
    tz = context.window.start.tzinfo
    while day <= context.window.last_day:
        nxt = day + timedelta(days=1)
        start = epoch_us(datetime(day.year, day.month, day.day, tzinfo=tz))
        end = epoch_us(datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz))
        days.append(f"SELECT DATE '{day.isoformat()}' AS day, CAST({start} AS BIGINT) AS s, CAST({end} AS BIGINT) AS e")
        day = nxt
    per_day: dict[str, dict[date, Decimal]] = defaultdict(dict)
    scaled = bool(params["round"] or params["weights"])
    query = sql.daily_downtime(counted, qualified, " UNION ALL ".join(days), scaled)
    for service, d, amount in context.run(query, **params):
        per_day[service][d] = _seconds(Decimal(int(amount)) / sql.NANO if scaled else int(amount))
    every_day = [context.window.first_day + timedelta(days=i) for i in range(len(days))]
    return {
        service: [(d, per_day.get(service, {}).get(d, Decimal(0))) for d in every_day] for service in params["services"]
    }
