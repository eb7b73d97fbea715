"""`exclude maintenance`: the maintenance windows that qualify (announced early enough),
merged and capped per cap period, and the proofs of each window for the explanation."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sladsl.evaluation import sql
from sladsl.evaluation.context import US, Context
from sladsl.evaluation.context import seconds as _seconds
from sladsl.evaluation.evidence import Evidence
from sladsl.evaluation.measuring import create, describe_seconds_us, table_tag
from sladsl.evaluation.report import Evidence as Proof
from sladsl.language import ast
from sladsl.language.periods import Window, containing, next_start, parse_range, window_from
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


def qualifying_windows(
    agreement: ast.Agreement, data: str | Path, period: str | None = None
) -> list[tuple[str, str, int, int]]:
    """(service, objective, start µs, end µs) of the maintenance that each objective's
    `exclude maintenance` excludes, as evaluation decides it (`qualified_maintenance`: the
    notice, then each cap period's allowance, earliest window first): for silences and
    recordings (`sladsl compile --data`). `period` (`2026`, `2026-01..2026-12`) bounds the
    windows; without it, every calendar year the maintenance table reaches. A window cut by
    a cap keeps its allowed part; a window crossing a cap period's edge is one piece again."""
    from sladsl.evaluation.engines import open_evidence

    wanted = [(s, o) for s in agreement.services for o in s.objectives if o.maintenance is not None]
    if not wanted:
        return []
    evidence = open_evidence(data, agreement.timezone)
    try:
        context = Context(agreement, evidence, _span(evidence, agreement.timezone, period), None, explain=False)
        found: list[tuple[str, str, int, int]] = []
        for service, objective in wanted:
            params: dict[str, Any] = {"services": [service.name], "p0": context.window.start_us}
            params["p1"] = context.window.end_us
            query = qualified_maintenance(context, objective, params, table_tag())
            rows = context.run(f"SELECT s, e FROM ({query}) WHERE e > $p0 AND s < $p1 ORDER BY s", **params)
            for s, e in rows:
                if found and found[-1][:2] == (service.name, objective.name) and found[-1][3] == s:
                    found[-1] = (service.name, objective.name, found[-1][2], e)  # the same window, over a cap edge
                else:
                    found.append((service.name, objective.name, s, e))
        return found
    finally:
        evidence.close()


def _span(evidence: Evidence, zone: str, period: str | None) -> Window:
    """`--period A..B` as one window; without it, the calendar years the maintenance table spans."""
    if period is not None:
        periods = parse_range(period, zone)
        return Window(periods[0].kind, period, periods[0].start, periods[-1].end)
    view = evidence.require("maintenance", "`exclude maintenance` (sladsl compile --data)")
    first, last = evidence.con.execute(f'SELECT min("start"), max("end") FROM {view}').fetchone() or (None, None)
    if first is None:
        first = last = datetime.now(UTC)
    years = parse_range(f"{first.astimezone(ZoneInfo(zone)).year}..{last.astimezone(ZoneInfo(zone)).year}", zone)
    return Window(years[0].kind, f"{years[0].label}..{years[-1].label}", years[0].start, years[-1].end)
