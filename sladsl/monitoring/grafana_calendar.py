"""The dashboard's calendar view: the budget of *this* calendar month (quarter, year, week) so
far, beside the rolling one (docs/monitoring.md, "Budget per calendar month").

Why a view of its own: the rules' budget is rolling (the last 30 days), the contract's resets at
local midnight at the start of each calendar period. Prometheus cannot know where a calendar
period starts, but Grafana can: a panel with the relative time `now/M` ("this month so far") in
the dashboard's time zone (set to the agreement's) has `${__from:date:seconds}` = the period's
start and `${__range_s}` = the seconds since. The queries sum the rules' hourly tiles over that
range, so they cost what the rolling view's do, and need no new recording.

Only objectives whose rules record hourly tiles get the panels: hourly request tiles
(`sla:bad:rate1h`, `sla:total:rate1h`) or time slices (`sla:bad_windows:1h`). Latency judged
window by window records neither, and gets none.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sladsl.language import ast
from sladsl.language.ast import PeriodKind
from sladsl.language.periods import REFERENCE_YEAR, SPAN_YEARS, shortest_real_period, window_from
from sladsl.monitoring.common import number
from sladsl.monitoring.grafana_panels import panel, promql_target, steps
from sladsl.monitoring.layout import seconds_of

FROM = "${__from:date:seconds}"  # the period's start, Unix seconds (Grafana >= 7.1.2)
RANGE = "${__range_s}s"  # the seconds from the period's start to now
DAY = 86400
HEIGHT = 6  # the calendar row's panels

WORD = {PeriodKind.MONTH: "month", PeriodKind.QUARTER: "quarter", PeriodKind.YEAR: "year", PeriodKind.WEEK: "week"}
# Grafana's relative time, rounded down to the period's start in the dashboard's zone; `w` is a
# week from the dashboard's `weekStart`. A quarter is the fiscal quarter `fQ` with the dashboard's
# `fiscalYearStartMonth` 0 (January): a panel's relative time must be a quick range or `now-N<unit>`
# (rangeutil.describeTextRange), and `now/fQ` ("This fiscal quarter so far") is one, `now/Q` is not.
TIME_FROM = {
    PeriodKind.MONTH: "now/M",
    PeriodKind.QUARTER: "now/fQ",
    PeriodKind.YEAR: "now/y",
    PeriodKind.WEEK: "now/w",
}
FISCAL_YEAR_START_MONTH = 0  # the dashboard's: fiscal quarters are calendar quarters
_TILES = ("sla:bad:rate1h", "sla:total:rate1h")
_SLICES = "sla:bad_windows:1h"


def grafana_timezone(zone: str) -> str:
    """The dashboard's `timezone`: the agreement's IANA name, which Grafana accepts (`UTC` is `utc`)."""
    return "utc" if zone == "UTC" else zone


def calendar_panels(
    agreement: ast.Agreement, kind: PeriodKind, rules: list[dict[str, Any]], selector: str, y: int
) -> list[dict[str, Any]]:
    """The two stat panels of one objective's calendar view at row `y`, or none when its rules
    record no hourly tiles to sum."""
    records = {r.get("record") for r in rules}
    word = WORD[kind]
    if _SLICES in records:
        slices = next((r["record"] for r in rules if r.get("record", "").startswith("sla:window_bad:")), None)
        if slices is None:
            return []
        downtime = downtime_so_far(selector, seconds_of(slices.rsplit(":", 1)[1]))
        allowed = allowance(selector, agreement, kind)
        remaining = f"1 - ({downtime}) / ({allowed})"
        measure = [
            promql_target(downtime, "downtime so far", "A", instant=True),
            promql_target(allowed, f"allowed in the whole {word}", "B", instant=True),
        ]
        title, unit = f"Downtime so far against the allowance (this calendar {word})", "s"
    elif set(_TILES) <= records:
        share = failed_share_so_far(selector)
        remaining = f"1 - ({share}) / sla:error_budget:ratio{selector}"
        measure = [
            promql_target(share, "requests outside the bound so far", "A", instant=True),
            promql_target(f"sla:error_budget:ratio{selector}", "allowed", "B", instant=True),
        ]
        title, unit = f"Requests outside the bound so far against the allowance (this calendar {word})", "percentunit"
    else:
        return []
    budget = _stat(
        f"Error budget remaining (this calendar {word} so far)",
        [promql_target(remaining, "remaining", "A", instant=True)],
        {"h": HEIGHT, "w": 6, "x": 0, "y": y},
        kind,
        {"unit": "percentunit", "decimals": 2, "thresholds": steps((None, "red"), (0, "orange"), (0.25, "green"))},
    )
    spent = _stat(title, measure, {"h": HEIGHT, "w": 18, "x": 6, "y": y}, kind, {"unit": unit})
    return [budget, spent]


def since_start(series: str) -> str:
    """Tiles of `series` from the period's start, the hour ending at the start left out: Prometheus
    2 counts a subquery step at the range's start (Prometheus 3 does not), and that tile is the
    previous period's last hour. Inside a subquery `time()` is each step's time."""
    return f"sum_over_time(({series} and on() (vector(time()) > {FROM}))[{RANGE}:1h])"


def downtime_so_far(selector: str, window_seconds: int) -> str:
    """Seconds of downtime since the period's start: bad windows x the window's seconds."""
    return f"{since_start(f'{_SLICES}{selector}')} * {window_seconds}"


def failed_share_so_far(selector: str) -> str:
    """The share of requests outside the bound since the period's start, weighted by traffic."""
    bad, total = (since_start(f"{name}{selector}") for name in _TILES)
    return f"{bad} / {total}"


def allowance(selector: str, agreement: ast.Agreement, kind: PeriodKind) -> str:
    """The allowed downtime in seconds for the whole calendar period that starts at `${__from}`."""
    length = period_seconds(kind, agreement.timezone, _first_year(agreement))
    return f"sla:error_budget:ratio{selector} * scalar({length})"


def _first_year(agreement: ast.Agreement) -> int:
    """Where the span of years the DST corrections come from starts (deterministic output)."""
    return agreement.effective.year if agreement.effective else REFERENCE_YEAR


def period_seconds(kind: PeriodKind, zone: str, first_year: int = REFERENCE_YEAR, years: int = SPAN_YEARS) -> str:
    """PromQL for the seconds of the calendar period starting at `${__from:date:seconds}` (a local
    midnight): its days from Prometheus's calendar functions, plus the hour the zone's clocks
    gain or lose in it, computed here per month (quarter, year) number. Where years disagree
    the correction is the smallest, so the allowance is never larger than the contract's; a
    week is the shortest week of the span (167 hours in a zone with DST)."""
    if kind is PeriodKind.WEEK:
        return number(shortest_real_period(kind, zone, first_year, years))
    at = [f"vector({FROM} + {DAY})", f"vector({FROM} + {32 * DAY})", f"vector({FROM} + {63 * DAY})"]
    if kind is PeriodKind.MONTH:
        days = f"days_in_month({at[0]})"
    elif kind is PeriodKind.QUARTER:
        days = "(" + " + ".join(f"days_in_month({v})" for v in at) + ")"
    else:  # 365 or 366: every month's days but February's are 337
        days = f"(337 + days_in_month({at[1]}))"
    expr = f"{days} * {DAY}"
    for first_month, seconds in sorted(dst_corrections(kind, zone, first_year, years).items()):
        sign = "-" if seconds < 0 else "+"
        when = "" if kind is PeriodKind.YEAR else f" * (month({at[0]}) == bool {first_month})"
        expr += f" {sign} {abs(seconds)}{when}"
    return expr


def dst_corrections(kind: PeriodKind, zone: str, first_year: int, years: int) -> dict[int, int]:
    """Seconds that periods starting in each month number (1, 4, 7, 10 for quarters; 1 for a year)
    differ from their days x 86400 in `zone`, the smallest over the span; only the non-zero ones."""
    tz = ZoneInfo(zone)
    step = kind.months or 1
    found: dict[int, int] = {}
    for year in range(first_year, first_year + years):
        for month in range(1, 13, step):
            period = window_from(kind, date(year, month, 1), tz)
            days = (period.end.date() - period.start.date()).days
            gained = int(period.seconds) - days * DAY
            found[month] = min(found.get(month, gained), gained)
    return {month: seconds for month, seconds in found.items() if seconds}


def _stat(
    title: str, targets: list[dict[str, Any]], grid: dict[str, int], kind: PeriodKind, defaults: dict[str, Any]
) -> dict[str, Any]:
    return panel(
        "stat",
        title,
        targets,
        grid,
        timeFrom=TIME_FROM[kind],
        hideTimeOverride=False,
        fieldConfig={"defaults": defaults, "overrides": []},
        options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
    )
