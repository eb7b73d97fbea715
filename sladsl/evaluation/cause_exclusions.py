"""`exclude incidents caused by "customer"` on downtime measured from samples or request
counts: the samples say when the service was down, the incident log says why. Downtime
inside an incident whose cause is excluded is not downtime, as it is not with `downtime from
incidents`, so a probe that fails while the customer's own change breaks the database is not
held against the provider. (Before, the clause was accepted and ignored for these sources.)

The incidents' intervals join the qualifying maintenance as time excluded from outages; an
average error rate counts their part of each window as 0% errors, as it does maintenance.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sladsl.evaluation import sql
from sladsl.evaluation.context import EXPLAIN_LIMIT, Context
from sladsl.evaluation.context import seconds as _seconds
from sladsl.evaluation.measuring import create
from sladsl.evaluation.report import Evidence as Proof
from sladsl.language import ast


def applies(objective: ast.Objective) -> bool:
    """Whether the objective's causes exclude time from another source than incidents."""
    return bool(objective.excluded_causes) and not isinstance(objective.downtime_source, ast.DowntimeFromIncidents)


def with_excluded_incidents(
    context: Context, objective: ast.Objective, params: dict[str, Any], tag: int, qualified: str
) -> tuple[str, dict[str, list[Proof]]]:
    """The time to leave out of outages: the qualifying maintenance (`qualified`, SQL) and the
    incidents with an excluded cause, merged; and those incidents, per service, for the
    explanation. Unchanged when the objective's causes do not apply to its source."""
    if not applies(objective):
        return qualified, {}
    view = context.evidence.require("incidents", "`exclude incidents caused by`")
    caused, excluded = f"caused_{tag}", f"excluded_{tag}"
    causes = {**params, "causes": list(objective.excluded_causes)}
    create(context, caused, f"SELECT service, s, e, cause FROM ({sql.incidents(view)}) WHERE excluded", causes)
    union = f"SELECT service, s, e FROM ({qualified}) UNION ALL SELECT service, s, e FROM {caused}"
    create(context, excluded, sql.merge(union), params)
    return f"SELECT * FROM {excluded}", _proofs(context, caused)


def _proofs(context: Context, caused: str) -> dict[str, list[Proof]]:
    proofs: dict[str, list[Proof]] = defaultdict(list)
    if not context.explain:
        return proofs
    listed = f"SELECT service, s, e, cause FROM {caused} ORDER BY service, s LIMIT $limit"
    for service, s, e, cause in context.listing(listed, limit=EXPLAIN_LIMIT):
        proofs[service].append(
            Proof(
                "incident",
                context.moment(s),
                context.moment(e),
                _seconds(e - s),
                False,
                f'caused by "{cause}", which is excluded: downtime inside it does not count',
            )
        )
    return proofs


def caused_overlap(objective: ast.Objective, tag: int) -> str:
    """SQL for the time of an outage `o` (clipped: `cs`, `ce`) inside incidents with an
    excluded cause; 0 where the objective has none (no `caused_{tag}` table)."""
    if not applies(objective):
        return "CAST(0 AS BIGINT) AS caused"
    return (
        f"coalesce((SELECT sum(least(o.ce, c.e) - greatest(o.cs, c.s)) FROM caused_{tag} c "
        "WHERE c.service = o.service AND c.s < o.ce AND c.e > o.cs), 0) AS caused"
    )


def excluded_words(objective: ast.Objective, caused: int | None = None, excluded: int | None = None) -> str:
    """What the time left out of an outage (or a window) was, for its explanation: `caused`
    of the `excluded` µs lay inside incidents with an excluded cause (None: not known)."""
    if not applies(objective):
        return "announced maintenance"
    if objective.maintenance is None or (caused is not None and excluded is not None and caused >= excluded):
        return "incidents with an excluded cause"
    if caused == 0:
        return "announced maintenance"
    if caused is not None:
        return "announced maintenance and incidents with an excluded cause"
    return "announced maintenance or incidents with an excluded cause"
