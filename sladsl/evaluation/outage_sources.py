"""Outages from incidents (their union, with cause exclusions) and from request counts
(windows above an error rate): temp tables of (service, s, e) for `availability.time_based`,
with the proofs that explain them. The samples' outages are in `sample_outages`."""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sladsl.evaluation import sql
from sladsl.evaluation.context import EXPLAIN_LIMIT, US, Context
from sladsl.evaluation.context import seconds as _seconds
from sladsl.evaluation.measuring import HUNDRED, create, decimal_normal
from sladsl.evaluation.report import Evidence as Proof
from sladsl.language import ast


def incident_outages(
    context: Context, objective: ast.Objective, params: dict[str, Any], tag: int
) -> tuple[str, str, dict[str, list[Proof]]]:
    view = context.evidence.require("incidents", "`downtime from incidents`")
    params["causes"] = list(objective.excluded_causes)
    incidents, counted, everything = f"incidents_{tag}", f"outages_{tag}", f"all_outages_{tag}"
    create(context, incidents, sql.incident_islands(sql.incidents(view)), params)
    create(context, counted, sql.islands(incidents, "island_counted", "NOT excluded"), params)
    create(context, everything, sql.islands(incidents, "island_all"), params)
    proofs: dict[str, list[Proof]] = defaultdict(list)
    listed = f"SELECT service, s, e, cause, excluded, a FROM {incidents} WHERE n <= $limit ORDER BY service, n"
    weights = objective.weight_by_affected
    for service, s, e, cause, excluded, a in context.listing(listed, limit=EXPLAIN_LIMIT):
        reason = f'caused by "{cause}", which is excluded' if excluded else ""
        what = f"incident (affected {decimal_normal(Decimal(a) / sql.NANO * HUNDRED)}%)" if weights else "incident"
        proofs[service].append(Proof(what, context.moment(s), context.moment(e), _seconds(e - s), not excluded, reason))
    more = f"SELECT service, count(*) - $limit FROM {incidents} GROUP BY service HAVING count(*) > $limit"
    for service, unlisted in context.listing(more, limit=EXPLAIN_LIMIT):
        proofs[service].append(Proof(f"{unlisted} more incidents, not listed"))
    return counted, everything, proofs


def window_outages(
    context: Context, objective: ast.Objective, source: ast.DowntimeFromErrorRate, params: dict[str, Any], tag: int
) -> tuple[str, str, dict[str, list[Proof]], set[str]]:
    """Windows above the error rate as outages. An outage that crosses an edge of the period
    is judged by the short-outage rule on its whole length, as an incident is: the windows
    are read as far before and after the period as that rule can look (`edge` windows);
    only the windows inside the period count, and only they can be missing."""
    view = context.evidence.require("requests", "`downtime when error rate above ...`")
    step = int(source.window.seconds * US)
    buckets = math.ceil((params["p1"] - params["p0"]) / step)
    edge = -(-int(params.get("ignore", 0)) // step)  # whole windows the short-outage rule can see past an edge
    params.update(step=step, buckets=buckets, threshold=source.above.value, min_requests=source.min_requests or 0)
    wide = {**params, "p0": params["p0"] - edge * step, "p1": params["p1"] + edge * step, "first": edge}
    counts, bad = f"counts_{tag}", f"bad_{tag}"
    create(context, counts, sql.window_counts(view), wide)
    create(context, bad, sql.bad_windows(f"SELECT * FROM {counts}"), wide)
    inside = f"SELECT * FROM {counts} WHERE bucket >= $first AND bucket < $first + $buckets"
    proofs: dict[str, list[Proof]] = defaultdict(list)
    silent: set[str] = set()
    for service, missing in context.run(
        f"SELECT s.service, $buckets - count(c.bucket) FROM (SELECT unnest($services) AS service) s "
        f"LEFT JOIN ({inside}) c ON c.service = s.service GROUP BY s.service",
        **wide,
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
        context.run(f"INSERT INTO {bad} {sql.missing_buckets(f'SELECT service, bucket FROM {counts}')}", **wide)
    if source.min_requests:
        for service, quiet in context.run(
            f"SELECT service, count(*) FROM ({inside}) WHERE total < $min_requests "
            "AND (total - good) * 100 > $threshold * total GROUP BY service",
            **wide,
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
    create(context, outages, sql.bucket_runs(f"SELECT DISTINCT service, bucket FROM {bad}"), wide)
    return outages, outages, proofs, silent
