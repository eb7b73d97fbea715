"""The ledger's own-rows pass for plain incident objectives, in one set-based query.

Most ledgers judge `availability ... from incidents` with at most `ignore outages shorter
than D`: no maintenance, cause exclusions, rounding or weights. For those objectives the
general machinery of `sladsl.evaluation.availability` (two window passes, explanation
tables, one query per shape) is more than the verdict needs, and thousands of customers
make it the ledger's main cost. Here every (customer, service) pair of a group is judged
in one query over the typed incidents (see `_QUERY`: its work grows with the incidents,
not with customers x shared incidents). The arithmetic after it is the general path's,
to the digit: the same microseconds, the same `Decimal` steps.

Objectives of any other shape go through the general path (`sladsl.evaluation.ledger`).
"""

from __future__ import annotations

from decimal import Decimal

from sladsl.evaluation.availability import blank_result
from sladsl.evaluation.context import US, seconds
from sladsl.evaluation.evidence import Evidence
from sladsl.evaluation.report import ObjectiveResult
from sladsl.evaluation.sql import NANO
from sladsl.language import ast
from sladsl.language.periods import Window

_HUNDRED = Decimal(100)

# Joining the shared incidents to every customer would grow with customers x shared
# incidents. Instead the shared incidents are merged into outages once per service; a
# customer's outages differ from those only where its own incidents are: each of its
# islands is its own incidents with the shared outages they overlap or touch (shared
# outages neither overlap nor touch each other, so nothing else can join an island). So
# per (customer, service): the shared outages' time, less that of the shared outages its
# own incidents touch, plus that of its islands (touching incidents merge, as in
# `sql.incident_islands`). Each outage counts when its whole length is at least the
# objective's `ignore`, clipped to the period: `counted`; `raw` counts every outage.
# The rows with a NULL customer are the shared outages' totals.
_QUERY = """
WITH pairs AS (SELECT unnest($customers) AS customer, unnest($services) AS service),
rules AS (SELECT DISTINCT unnest($rule_services) AS service, unnest($rule_ignores) AS ignore),
shared_inc AS (
    SELECT service, epoch_us("start") AS s, epoch_us("end") AS e FROM {typed}
    WHERE customer IS NULL AND service IN (SELECT service FROM rules)
      AND epoch_us("end") > $p0 AND epoch_us("start") < $p1 AND "end" > "start"),
shared_marked AS (
    SELECT *, max(e) OVER (PARTITION BY service ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
    FROM shared_inc),
shared_islands AS (
    SELECT *, sum(CASE WHEN prev IS NULL OR s > prev THEN 1 ELSE 0 END) OVER (PARTITION BY service ORDER BY s, e) AS k
    FROM shared_marked),
shared AS (SELECT service, min(s) AS s, max(e) AS e FROM shared_islands GROUP BY service, k),
own AS (
    SELECT p.customer, t.service, epoch_us(t."start") AS s, epoch_us(t."end") AS e
    FROM {typed} t JOIN pairs p ON t.service = p.service AND t.customer = p.customer
    WHERE epoch_us(t."end") > $p0 AND epoch_us(t."start") < $p1 AND t."end" > t."start"),
touched AS (
    SELECT DISTINCT o.customer, x.service, x.s, x.e
    FROM own o JOIN shared x ON o.service = x.service AND x.s <= o.e AND o.s <= x.e),
joined AS (SELECT customer, service, s, e FROM own UNION ALL SELECT customer, service, s, e FROM touched),
marked AS (
    SELECT *, max(e) OVER (PARTITION BY customer, service ORDER BY s, e
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
    FROM joined),
islands AS (
    SELECT *, sum(CASE WHEN prev IS NULL OR s > prev THEN 1 ELSE 0 END)
                  OVER (PARTITION BY customer, service ORDER BY s, e) AS k
    FROM marked),
outages AS (SELECT customer, service, min(s) AS s, max(e) AS e FROM islands GROUP BY customer, service, k),
signed AS (
    SELECT CAST(NULL AS VARCHAR) AS customer, service, s, e, 1 AS sign FROM shared
    UNION ALL SELECT customer, service, s, e, -1 AS sign FROM touched
    UNION ALL SELECT customer, service, s, e, 1 AS sign FROM outages)
SELECT d.customer, d.service, r.ignore,
       sum(d.sign * (least(d.e, $p1) - greatest(d.s, $p0))) AS raw,
       sum(CASE WHEN d.e - d.s >= r.ignore THEN d.sign * (least(d.e, $p1) - greatest(d.s, $p0)) ELSE 0 END) AS counted
FROM signed d JOIN rules r ON d.service = r.service
GROUP BY ALL
"""


def is_plain(objective: ast.Objective, window: Window) -> bool:
    """Whether the one-query path judges this objective exactly as the general path does:
    time-based availability from incidents measured per the judged kind of period, with
    no maintenance, excluded causes, rounding or weights."""
    target = objective.target
    return (
        isinstance(target, ast.AvailabilityTarget)
        and target.period.kind is window.kind
        and isinstance(objective.downtime_source, ast.DowntimeFromIncidents)
        and objective.maintenance is None
        and not objective.excluded_causes
        and objective.round_outages is None
        and not objective.weight_by_affected
        and objective.clock_units is None
        and (
            objective.ignore_outages is None
            or not (objective.ignore_outages.or_less or objective.ignore_outages.after_exclusions)
        )
    )


def _ignore_us(objective: ast.Objective) -> int:
    ignore = objective.ignore_outages
    return int(ignore.shorter_than.seconds * US) if ignore else 0


def judge_plain(
    evidence: Evidence,
    part: Window,
    whole: Window,
    members: list[tuple[str, ast.Service, ast.Objective]],
) -> dict[tuple[str, str, str], ObjectiveResult]:
    """Verdicts for (customer, service, objective) triples of plain objectives (`is_plain`),
    keyed like the own-rows pass: downtime clipped to `part` (the elapsed part of the
    subscribed period), weighed against `whole`."""
    if not members:
        return {}
    pairs = sorted({(customer, service.name) for customer, service, _ in members})
    rules = sorted({(service.name, _ignore_us(objective)) for _, service, objective in members})
    typed = evidence._typed_rows("incidents")
    found = evidence.run(
        _QUERY.format(typed=typed),
        {
            "customers": [c for c, _ in pairs],
            "services": [s for _, s in pairs],
            "rule_services": [s for s, _ in rules],
            "rule_ignores": [i for _, i in rules],
            "p0": part.start_us,
            "p1": part.end_us,
        },
    )
    totals = {(c, s, int(i)): (int(raw), int(counted)) for c, s, i, raw, counted in found}
    objectives = {(s.name, o.name): _Objective(s, o, whole) for _, s, o in members}
    results: dict[tuple[str, str, str], ObjectiveResult] = {}
    for customer, service, objective in members:
        judged = objectives[(service.name, objective.name)]
        shared_raw, shared_counted = totals.get((None, service.name, judged.ignore), (0, 0))
        own_raw, own_counted = totals.get((customer, service.name, judged.ignore), (0, 0))
        results[(customer, service.name, objective.name)] = judged.verdict(
            shared_raw + own_raw, shared_counted + own_counted
        )
    return results


class _Objective:
    """What every customer's verdict on one objective shares, worked out once per group."""

    def __init__(self, service: ast.Service, objective: ast.Objective, whole: Window) -> None:
        target = objective.target
        assert isinstance(target, ast.AvailabilityTarget)
        self.service, self.objective, self.percent = service, objective, target.percent.value
        self.ignore = _ignore_us(objective)
        self.period_us = Decimal(whole.end_us - whole.start_us)
        self.allowed = whole.seconds * (_HUNDRED - self.percent) / _HUNDRED

    def verdict(self, raw: int, counted_us: int) -> ObjectiveResult:
        """The result fields `sladsl.evaluation.availability.time_based` sets, by its steps."""
        result = blank_result(self.service, self.objective)
        counted = Decimal(counted_us * NANO) / NANO  # as the general path: 10^-9 µs back to µs
        result.judged, result.reason = True, ""
        result.measured = (self.period_us - counted) / self.period_us * _HUNDRED
        result.met = result.measured >= self.percent
        result.downtime_seconds = seconds(counted)
        result.excluded_seconds = seconds(Decimal(raw) - counted)
        result.allowed_downtime_seconds = self.allowed
        result.explanation = []
        result.daily = []
        return result
