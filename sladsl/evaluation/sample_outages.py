"""Outages from per-interval samples (`downtime from samples every D`).

One aggregate pass (`Evidence.sample_summary`) gives each service's sample count, distinct
intervals and down intervals. A service whose distinct intervals are all the period's
intervals has no gap, so the search for intervals without a sample (a scan of the grid
of intervals against the samples) runs only for the services that have gaps: per-minute
samples of a healthy fleet cost one pass, as a bare query of the downtime would.
"""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sladsl.evaluation import sql
from sladsl.evaluation.context import US, Context
from sladsl.evaluation.evidence_tables import SEPARATOR
from sladsl.evaluation.measuring import create
from sladsl.evaluation.report import Evidence as Proof
from sladsl.language import ast
from sladsl.language.units import describe_duration


def sample_outages(
    context: Context, objective: ast.Objective, source: ast.DowntimeFromSamples, params: dict[str, Any], tag: int
) -> tuple[str, str, dict[str, list[Proof]], set[str]]:
    step = int(source.every.seconds * US)
    buckets = math.ceil((params["p1"] - params["p0"]) / step)
    params.update(step=step, buckets=buckets)
    bad, summary = f"bad_{tag}", f"summary_{tag}"
    context.evidence.sample_summary(summary, params)
    create(
        context,
        bad,
        f"SELECT service, unnest(down) AS bucket FROM {summary} WHERE service IN (SELECT unnest($services))",
        params,
    )
    proofs: dict[str, list[Proof]] = defaultdict(list)
    seen: set[str] = set()
    gapped: list[str] = []
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
        if has_gap(distinct, buckets):
            gapped.append(service)
    for service in params["services"]:
        if service not in seen:
            _missing_samples(objective, service, buckets, params, proofs)
    if gapped and not objective.missing_counts_as_available:
        context.evidence.insert_missing_buckets(bad, {**params, "services": gapped}, summary)
    outages = f"outages_{tag}"
    create(context, outages, sql.bucket_runs(f"SELECT DISTINCT service, bucket FROM {bad}"), params)
    return outages, outages, proofs, known - seen


def has_gap(distinct: int, buckets: int) -> bool:
    """Whether a service's samples leave an interval of the period empty. Only those
    services' missing intervals are searched for (and counted as down where missing data
    counts as unavailable); a service without samples at all is not judged, so it needs
    no search either."""
    return distinct < buckets


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
