"""`exclude maintenance`: the maintenance windows that qualify (announced early enough),
merged and capped per cap period, and the proofs of each window for the explanation."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sladsl.evaluation import sql
from sladsl.evaluation.context import US, Context
from sladsl.evaluation.context import seconds as _seconds
from sladsl.evaluation.measuring import create, describe_seconds_us
from sladsl.evaluation.report import Evidence as Proof
from sladsl.language import ast
from sladsl.language.periods import Window, containing, next_start, window_from
from sladsl.language.units import describe_duration

NOTHING = "SELECT CAST(NULL AS VARCHAR) AS service, CAST(0 AS BIGINT) AS s, CAST(0 AS BIGINT) AS e WHERE false"


def qualified_maintenance(context: Context, objective: ast.Objective, params: dict[str, Any], tag: int) -> str:
    """A temp table of the maintenance time that may be excluded: announced early enough,
    merged, and capped per cap period in chronological order."""
    rule = objective.maintenance
    if rule is None:
        return NOTHING
    view = context.evidence.require("maintenance", "`exclude maintenance`")
    zone = context.agreement.timezone
    cap_periods = _cap_periods(rule, context.window, zone)
    params.update(notice=int(rule.notice.seconds * US), c0=cap_periods[0][1] if cap_periods else params["p0"])
    windows, qualified = f"maintenance_{tag}", f"qualified_{tag}"
    create(context, windows, sql.maintenance(view), params)
    merged = sql.merge(f"SELECT service, s, e FROM {windows} WHERE qualifies")
    if rule.cap is None:
        create(context, qualified, merged, params)
        return f"SELECT * FROM {qualified}"
    context.run("CREATE OR REPLACE TEMP TABLE cap_periods (k INTEGER, c0 BIGINT, c1 BIGINT)")
    context.evidence.con.executemany("INSERT INTO cap_periods VALUES (?, ?, ?)", cap_periods)
    params["cap"] = int(rule.cap.limit.seconds * US)
    create(context, qualified, sql.capped(merged), params)
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


def maintenance_proofs(
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
