"""Measuring objectives against evidence: time-based availability (incidents, samples,
error-rate windows, maintenance; draft 2's rounded and weighted outages), the average
error rate, request ratios and latency (over the period, or window by window).

Objectives measured the same way are judged for all their services in one query (see
`shape`); every query comes from `sladsl.evaluation.sql`.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sladsl.evaluation import sql
from sladsl.evaluation.context import EXPLAIN_LIMIT, US, Context
from sladsl.evaluation.context import seconds as _seconds
from sladsl.evaluation.evidence import SEPARATOR
from sladsl.evaluation.report import NO_EVIDENCE, ObjectiveResult, WindowCounts
from sladsl.evaluation.report import Evidence as Proof
from sladsl.language import ast
from sladsl.language.periods import Window, containing, epoch_us, next_start, window_from
from sladsl.language.units import describe_duration

_HUNDRED = Decimal(100)
_counter = itertools.count()


def blank_result(service: ast.Service, objective: ast.Objective) -> ObjectiveResult:
    target = objective.target
    if isinstance(target, ast.LatencyTarget):
        period = target.period.kind.value
        if target.windows is not None:  # draft 2: the share of windows meeting the bound
            share = target.windows.share.value
            return ObjectiveResult(service.name, objective.name, "latency", period, share, "%", strict=target.strict)
        limit = target.limit.seconds * 1000
        return ObjectiveResult(service.name, objective.name, "latency", period, limit, "ms", strict=target.strict)
    percent = target.percent.value if target else Decimal(0)
    period = target.period.kind.value if target else ""
    return ObjectiveResult(
        service.name, objective.name, "availability", period, percent, "%", reason="the objective has no target"
    )


def no_evidence(result: ObjectiveResult, what: str) -> None:
    """Not judged: nothing at all was recorded for the service in the period. An empty
    table is not a month of downtime, even where missing data counts as unavailable (that
    rule fills gaps between samples), and not a month of perfect service either."""
    result.judged, result.reason, result.measured, result.met = False, NO_EVIDENCE, None, None
    result.explanation = [Proof(what, counted=False, reason=NO_EVIDENCE)]


def shape(objective: ast.Objective) -> tuple[Any, ...]:
    """What makes two objectives measurable by one query: everything but the service.
    Nodes compare without their spans, so equal clauses in different places are one shape."""
    ignore = objective.ignore_outages
    rounding = objective.round_outages
    return (
        objective.downtime_source,
        objective.missing_counts_as_available,
        ignore.shorter_than if ignore else None,
        objective.maintenance,
        tuple(sorted(objective.excluded_causes)),
        rounding.unit if rounding else None,
        objective.weight_by_affected,
    )


def _measured_from_downtime(window: Window, downtime_us: int | Decimal) -> Decimal:
    period_us = Decimal(window.end_us - window.start_us)
    return (period_us - Decimal(downtime_us)) / period_us * _HUNDRED


def time_based(context: Context, members: list[tuple[ast.Service, ast.Objective, ObjectiveResult]]) -> None:
    """Time-based availability for every service of one shape: outages, then the rules."""
    _, objective, _ = members[0]
    services = [s.name for s, _, _ in members]
    source = objective.downtime_source
    params = _period_params(context, services)
    params["ignore"] = int(objective.ignore_outages.shorter_than.seconds * US) if objective.ignore_outages else 0
    rounding = objective.round_outages
    params["round"] = int(rounding.unit.seconds * US) if rounding else 0
    weights = objective.weight_by_affected and isinstance(source, ast.DowntimeFromIncidents)
    params["weights"] = weights
    tag = next(_counter)
    outage_table, all_table, proofs, silent = _outages(context, objective, source, params, tag)
    outages, everything = f"SELECT * FROM {outage_table}", f"SELECT * FROM {all_table}"
    qualified = _qualified_maintenance(context, objective, params, tag)
    pieces = sql.weighted_pieces(f"incidents_{tag}", qualified) if weights else _NO_PIECES
    counted_table = f"counted_{tag}"
    _create(context, counted_table, sql.counted_outages(outages, qualified, pieces), params)
    rows = {r[0]: r[1:] for r in context.run(sql.outage_totals(counted_table))}
    daily = _daily(context, counted_table, qualified, params)
    if all_table == outage_table:  # no cause exclusions: all outages are the counted ones
        raw_all = {service: raw for service, (raw, *_) in rows.items()}
    else:
        raw_all = {r[0]: r[1] for r in context.run(sql.downtime(everything, _NOTHING), **{**params, "ignore": 0})}
    maintenance_proofs = _maintenance_proofs(context, objective, params, tag)
    rounding_proofs = _rounding_proofs(context, objective, counted_table)
    for service, objective_, result in members:
        if service.name in silent:
            no_evidence(result, f"no {_EVIDENCE_WORDS[type(source)]} for {service.name!r} in the period")
            continue
        *_, counted_nano = rows.get(service.name, (0, 0, 0, 0, 0))
        counted = Decimal(int(counted_nano)) / sql.NANO  # microseconds, exact
        excluded = Decimal(int(raw_all.get(service.name, 0))) - counted
        target = objective_.target
        assert isinstance(target, ast.AvailabilityTarget)
        result.judged, result.reason = True, ""
        result.measured = _measured_from_downtime(context.whole_period, counted)
        result.met = result.measured >= target.percent.value
        result.downtime_seconds = _seconds(counted)
        result.excluded_seconds = _seconds(excluded)
        result.allowed_downtime_seconds = context.whole_period.seconds * (_HUNDRED - target.percent.value) / _HUNDRED
        result.explanation = (
            proofs.get(service.name, [])
            + maintenance_proofs.get(service.name, [])
            + rounding_proofs.get(service.name, [])
        )
        result.daily = daily.get(service.name, [])


_EVIDENCE_WORDS: dict[type, str] = {
    ast.DowntimeFromIncidents: "incidents",
    ast.DowntimeFromSamples: "samples",
    ast.DowntimeFromErrorRate: "request counts",
}

_NOTHING = "SELECT CAST(NULL AS VARCHAR) AS service, CAST(0 AS BIGINT) AS s, CAST(0 AS BIGINT) AS e WHERE false"
_NO_PIECES = (
    "SELECT CAST(NULL AS VARCHAR) AS service, CAST(0 AS BIGINT) AS o, CAST(0 AS BIGINT) AS s, CAST(0 AS BIGINT) AS e, "
    "CAST(0 AS BIGINT) AS a WHERE false"
)


def _rounding_proofs(context: Context, objective: ast.Objective, counted: str) -> dict[str, list[Proof]]:
    """Outages whose count `round outages down to D` reduced, for the explanation."""
    proofs: dict[str, list[Proof]] = defaultdict(list)
    rounding = objective.round_outages
    if rounding is None:
        return proofs
    unit = describe_duration(rounding.unit)
    query = sql.first_rows(
        f"SELECT service, cs, ce, remaining, rounded FROM {counted} WHERE kept AND rounded < remaining", "cs"
    )
    for service, s, e, remaining, rounded, n, of in context.listing(query, limit=EXPLAIN_LIMIT):
        proofs[service].append(
            Proof(
                "outage",
                context.moment(s),
                context.moment(e),
                _seconds(remaining),
                True,
                f"counts {describe_seconds_us(rounded)} (round outages down to {unit})",
            )
        )
        if n == EXPLAIN_LIMIT and of > n:
            proofs[service].append(Proof(f"{of - n} more rounded outages, not listed"))
    return proofs


def _period_params(context: Context, services: list[str]) -> dict[str, Any]:
    return {"services": services, "p0": context.window.start_us, "p1": context.window.end_us}


def _outages(
    context: Context, objective: ast.Objective, source: ast.DowntimeSource, params: dict[str, Any], tag: int
) -> tuple[str, str, dict[str, list[Proof]], set[str]]:
    """Temp tables of counted outages and of all outages (before cause exclusions), and the
    services with no evidence at all in the period. An incident log records exceptions: a
    period without incidents is a period without downtime, so its services always have
    evidence (the table itself); samples and request counts record the service's state,
    and a service with none of them in the period has no evidence."""
    if isinstance(source, ast.DowntimeFromIncidents):
        counted, everything, proofs = _incident_outages(context, objective, params, tag)
        return counted, everything, proofs, set()
    if isinstance(source, ast.DowntimeFromSamples):
        return _sample_outages(context, objective, source, params, tag)
    assert isinstance(source, ast.DowntimeFromErrorRate)
    return _window_outages(context, objective, source, params, tag)


def _incident_outages(
    context: Context, objective: ast.Objective, params: dict[str, Any], tag: int
) -> tuple[str, str, dict[str, list[Proof]]]:
    view = context.evidence.require("incidents", "`downtime from incidents`")
    params["causes"] = list(objective.excluded_causes)
    incidents, counted, everything = f"incidents_{tag}", f"outages_{tag}", f"all_outages_{tag}"
    _create(context, incidents, sql.incident_islands(sql.incidents(view)), params)
    _create(context, counted, sql.islands(incidents, "island_counted", "NOT excluded"), params)
    _create(context, everything, sql.islands(incidents, "island_all"), params)
    proofs: dict[str, list[Proof]] = defaultdict(list)
    ignore = params["ignore"]
    listed = f"SELECT service, s, e, cause, excluded, a FROM {incidents} WHERE n <= $limit ORDER BY service, n"
    weights = objective.weight_by_affected
    for service, s, e, cause, excluded, a in context.listing(listed, limit=EXPLAIN_LIMIT):
        reason = f'caused by "{cause}", which is excluded' if excluded else ""
        what = f"incident (affected {decimal_normal(Decimal(a) / sql.NANO * _HUNDRED)}%)" if weights else "incident"
        proofs[service].append(Proof(what, context.moment(s), context.moment(e), _seconds(e - s), not excluded, reason))
    more = f"SELECT service, count(*) - $limit FROM {incidents} GROUP BY service HAVING count(*) > $limit"
    for service, unlisted in context.listing(more, limit=EXPLAIN_LIMIT):
        proofs[service].append(Proof(f"{unlisted} more incidents, not listed"))
    short = sql.first_rows(f"SELECT * FROM {counted} WHERE e - s < {int(ignore)}", "s")
    for service, s, e, _, _ in context.listing(short, limit=EXPLAIN_LIMIT):
        proofs[service].append(
            Proof(
                "outage",
                context.moment(s),
                context.moment(e),
                _seconds(e - s),
                False,
                f"shorter than {describe_duration(objective.ignore_outages.shorter_than)}"
                if objective.ignore_outages
                else "",
            )
        )
    return counted, everything, proofs


def _sample_outages(
    context: Context, objective: ast.Objective, source: ast.DowntimeFromSamples, params: dict[str, Any], tag: int
) -> tuple[str, str, dict[str, list[Proof]], set[str]]:
    step = int(source.every.seconds * US)
    buckets = math.ceil((params["p1"] - params["p0"]) / step)
    params.update(step=step, buckets=buckets)
    bad, summary = f"bad_{tag}", f"summary_{tag}"
    context.evidence.sample_summary(summary, params)
    _create(
        context,
        bad,
        f"SELECT service, unnest(down) AS bucket FROM {summary} WHERE service IN (SELECT unnest($services))",
        params,
    )
    proofs: dict[str, list[Proof]] = defaultdict(list)
    seen: set[str] = set()
    known = set(params["services"])
    defined = {s.name for s in context.agreement.services}
    for service, n, distinct in context.run(f"SELECT service, n, distinct_buckets FROM {summary} ORDER BY service"):
        if service not in defined:
            context.evidence.warnings.append(
                f"{context.evidence.origin('samples')}: {n} row{'s' if n != 1 else ''} in the period name service "
                f"{service!r}, which the agreement does not define; left out"
            )
        if service not in known:
            continue
        seen.add(service)
        if distinct < n:
            _report_duplicate_sample(context, service, source, params)
        _missing_samples(objective, service, buckets - distinct, params, proofs)
    for service in params["services"]:
        if service not in seen:
            _missing_samples(objective, service, buckets, params, proofs)
    if not objective.missing_counts_as_available:
        context.evidence.insert_missing_buckets(bad, params, summary)
    outages = f"outages_{tag}"
    _create(context, outages, sql.bucket_runs(f"SELECT DISTINCT service, bucket FROM {bad}"), params)
    for service, s, e, _, _ in context.listing(sql.first_rows(f"SELECT * FROM {outages}", "s"), limit=EXPLAIN_LIMIT):
        proofs[service].append(
            Proof("outage (down or missing samples)", context.moment(s), context.moment(e), _seconds(e - s))
        )
    return outages, outages, proofs, known - seen


def _report_duplicate_sample(
    context: Context, service: str, source: ast.DowntimeFromSamples, params: dict[str, Any]
) -> None:
    every = describe_duration(source.every)
    customer, _, name = service.rpartition(SEPARATOR)  # the ledger's own-rows pass: customer U+001F service
    context.evidence.locate(
        "samples",
        sql.duplicate_sample(),
        "timestamp",
        f"another sample for {name!r} falls in the same {every} interval (duplicate samples)",
        {"p0": params["p0"], "p1": params["p1"], "step": params["step"], "service": name, "customer": customer or None},
    )


def _missing_samples(
    objective: ast.Objective,
    service: str,
    missing: int,
    params: dict[str, Any],
    proofs: dict[str, list[Proof]],
) -> None:
    """Intervals without a sample: downtime only when missing data counts as unavailable."""
    if not missing:
        return
    counted = not objective.missing_counts_as_available
    policy = "missing data counts as unavailable" if counted else "missing data counts as available"
    proofs[service].append(
        Proof(
            f"{missing} interval{'s' if missing != 1 else ''} without a sample",
            seconds=Decimal(missing * params["step"]) / US,
            counted=counted,
            reason=policy,
        )
    )


def _window_outages(
    context: Context, objective: ast.Objective, source: ast.DowntimeFromErrorRate, params: dict[str, Any], tag: int
) -> tuple[str, str, dict[str, list[Proof]], set[str]]:
    view = context.evidence.require("requests", "`downtime when error rate above ...`")
    step = int(source.window.seconds * US)
    buckets = math.ceil((params["p1"] - params["p0"]) / step)
    params.update(step=step, buckets=buckets, threshold=source.above.value, min_requests=source.min_requests or 0)
    counts, bad = f"counts_{tag}", f"bad_{tag}"
    _create(context, counts, sql.window_counts(view), params)
    _create(context, bad, sql.bad_windows(f"SELECT * FROM {counts}"), params)
    proofs: dict[str, list[Proof]] = defaultdict(list)
    silent: set[str] = set()
    for service, missing in context.run(
        f"SELECT s.service, $buckets - count(c.bucket) FROM (SELECT unnest($services) AS service) s "
        f"LEFT JOIN {counts} c ON c.service = s.service GROUP BY s.service",
        **params,
    ):
        if missing == buckets:
            silent.add(service)
        if missing:
            counted = not objective.missing_counts_as_available
            proofs[service].append(
                Proof(
                    f"{missing} window{'s' if missing != 1 else ''} without request counts",
                    seconds=Decimal(missing * step) / US,
                    counted=counted,
                    reason="missing data counts as unavailable" if counted else "missing data counts as available",
                )
            )
    if not objective.missing_counts_as_available:
        context.run(f"INSERT INTO {bad} {sql.missing_buckets(f'SELECT service, bucket FROM {counts}')}", **params)
    if source.min_requests:
        for service, quiet in context.run(
            f"SELECT service, count(*) FROM {counts} WHERE total < $min_requests AND (total - good) * 100 > $threshold * total "
            "GROUP BY service",
            **params,
        ):
            proofs[service].append(
                Proof(
                    f"{quiet} window{'s' if quiet != 1 else ''} above the error rate with fewer than "
                    f"{source.min_requests} requests",
                    counted=False,
                    reason="too few requests",
                )
            )
    outages = f"outages_{tag}"
    _create(context, outages, sql.bucket_runs(f"SELECT DISTINCT service, bucket FROM {bad}"), params)
    for service, s, e, _, _ in context.listing(sql.first_rows(f"SELECT * FROM {outages}", "s"), limit=EXPLAIN_LIMIT):
        proofs[service].append(
            Proof(f"windows above {source.above.value}% errors", context.moment(s), context.moment(e), _seconds(e - s))
        )
    return outages, outages, proofs, silent


def _create(context: Context, name: str, query: str, params: dict[str, Any]) -> None:
    context.run(f"CREATE TEMP TABLE {name} AS {query}", **params)


def _qualified_maintenance(context: Context, objective: ast.Objective, params: dict[str, Any], tag: int) -> str:
    """A temp table of the maintenance time that may be excluded: announced early enough,
    merged, and capped per cap period in chronological order."""
    rule = objective.maintenance
    if rule is None:
        return _NOTHING
    view = context.evidence.require("maintenance", "`exclude maintenance`")
    zone = context.agreement.timezone
    cap_periods = _cap_periods(rule, context.window, zone)
    params.update(notice=int(rule.notice.seconds * US), c0=cap_periods[0][1] if cap_periods else params["p0"])
    windows, qualified = f"maintenance_{tag}", f"qualified_{tag}"
    _create(context, windows, sql.maintenance(view), params)
    merged = sql.merge(f"SELECT service, s, e FROM {windows} WHERE qualifies")
    if rule.cap is None:
        _create(context, qualified, merged, params)
        return f"SELECT * FROM {qualified}"
    context.run("CREATE OR REPLACE TEMP TABLE cap_periods (k INTEGER, c0 BIGINT, c1 BIGINT)")
    context.evidence.con.executemany("INSERT INTO cap_periods VALUES (?, ?, ?)", cap_periods)
    params["cap"] = int(rule.cap.limit.seconds * US)
    _create(context, qualified, sql.capped(merged), params)
    return f"SELECT * FROM {qualified}"


def _cap_periods(rule: ast.ExcludeMaintenance, window: Window, zone: str) -> list[tuple[int, int, int]]:
    """The cap's periods that overlap the evaluated one (a yearly cap: the whole year)."""
    if rule.cap is None:
        return []
    kind = rule.cap.period.kind
    current = containing(kind, window.start, zone)
    periods: list[tuple[int, int, int]] = []
    while current.start_us < window.end_us:
        periods.append((len(periods), current.start_us, current.end_us))
        current = window_from(kind, next_start(kind, current.first_day), current.start.tzinfo)  # type: ignore[arg-type]
    return periods


def _maintenance_proofs(
    context: Context, objective: ast.Objective, params: dict[str, Any], tag: int
) -> dict[str, list[Proof]]:
    """Each maintenance window of the period, per service: excluded, partly over the cap,
    or counted because it was announced late. Two queries for the whole shape."""
    proofs: dict[str, list[Proof]] = defaultdict(list)
    if objective.maintenance is None or not context.explain:
        return proofs
    rows = context.run(
        f"SELECT service, s, e, announced, qualifies FROM maintenance_{tag} WHERE e > $p0 AND s < $p1 ORDER BY service, s",
        p0=params["p0"],
        p1=params["p1"],
    )
    qualified: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for service, qs, qe in context.run(f"SELECT service, s, e FROM qualified_{tag} ORDER BY service, s"):
        qualified[service].append((qs, qe))
    notice = describe_duration(objective.maintenance.notice)
    for service, s, e, announced, qualifies in rows:
        if not qualifies:
            why = "not announced" if announced is None else f"announced less than {notice} ahead"
            proofs[service].append(
                Proof(
                    "maintenance",
                    context.moment(s),
                    context.moment(e),
                    _seconds(e - s),
                    True,
                    f"{why}: its downtime counts",
                )
            )
            continue
        inside = sum(max(0, min(e, qe) - max(s, qs)) for qs, qe in qualified[service])
        reason = "excluded" if inside == e - s else f"{describe_seconds_us(inside)} within the cap; the rest counts"
        proofs[service].append(
            Proof("maintenance", context.moment(s), context.moment(e), _seconds(e - s), False, reason)
        )
    return proofs


def describe_seconds_us(us: int) -> str:
    from sladsl.language.units import describe_seconds

    return describe_seconds(_seconds(us)) if us else "nothing"


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


def average_error_rate(
    context: Context, service: ast.Service, objective: ast.Objective, result: ObjectiveResult
) -> None:
    source = objective.downtime_source
    assert isinstance(source, ast.AverageErrorRate)
    view = context.evidence.require("requests", "`availability from average error rate`")
    step = int(source.window.seconds * US)
    params = _period_params(context, [service.name])
    buckets = math.ceil((params["p1"] - params["p0"]) / step)
    rows = context.run(sql.window_counts(view), **params, step=step)
    if not rows:
        no_evidence(result, f"no request counts for {service.name!r} in the period")
        return
    errors = sum((Fraction(int(t) - int(g), int(t)) for _, _, g, t in rows if t), Fraction(0))
    missing = buckets - len(rows)
    if not objective.missing_counts_as_available:
        errors += missing
    mean = errors / buckets
    target = objective.target
    assert isinstance(target, ast.AvailabilityTarget)
    result.judged, result.reason = True, ""
    result.measured = _HUNDRED - Decimal(mean.numerator) / Decimal(mean.denominator) * _HUNDRED
    result.met = result.measured >= target.percent.value
    result.explanation = [
        Proof(
            f"{len(rows)} windows with requests, {missing} without",
            reason=f"mean error rate over {buckets} windows of {describe_duration(source.window)}",
        )
    ]


def request_ratio(context: Context, service: ast.Service, objective: ast.Objective, result: ObjectiveResult) -> None:
    view = context.evidence.require("requests", "`availability ... of requests`")
    rows = context.run(sql.request_totals(view), **_period_params(context, [service.name]))
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
    result.measured = Decimal(int(good)) / Decimal(int(total)) * _HUNDRED
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
    params = _period_params(context, [s.name for s, _, _ in members])
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
    params = _period_params(context, [s.name for s, _, _ in members])
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
        result.measured = Decimal(meeting) / Decimal(total) * _HUNDRED
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


def decimal_normal(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
