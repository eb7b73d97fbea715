"""Issue 20, item 10: the dashboard's calendar view of the budget, beside the rolling one.

The panels' queries are checked with the real promtool: the compiled rules run on one-minute
series with known bad minutes, and each panel's expression is evaluated as Grafana sends it
(`${__range_s}` and `${__from:date:seconds}` substituted). promtool's clock starts at 0, which is
1970-01-01 00:00 UTC: the start of a calendar month (January, 31 days) in UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from sladsl.language.ast import PeriodKind
from sladsl.language.periods import parse_label
from sladsl.monitoring.grafana_calendar import FROM, period_seconds

from .test_monitoring_issue20 import MONITOR, SLICES, agreement, compiled, promtool, traffic

RANGE = "${__range_s}"
LABELS = '{agreement="Shop", objective="Availability", service="API"}'
DAYS = 3
MINUTES = DAYS * 1440


def dashboard(tmp_path: Path, text: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(compiled(tmp_path, text, target="grafana"))
    return document


def calendar(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in document["panels"] if "timeFrom" in p]


def as_grafana_sends(expr: str, start: int, now: int) -> str:
    """The query Grafana sends for a panel whose range is [start, now]."""
    return expr.replace(RANGE, str(now - start)).replace(FROM, str(start))


def counter(per_minute: dict[int, int], base: int = 0) -> str:
    """A counter's one-minute samples 0..MINUTES: it grows by per_minute[i] (else `base`) up to minute i."""
    total, values = 0, ["0"]
    for minute in range(1, MINUTES + 1):
        total += per_minute.get(minute, base)
        values.append(str(total))
    return " ".join(values)


def expr_test(tmp_path: Path, inputs: list[dict[str, str]], checks: list[dict[str, Any]], rules: str) -> str:
    """`promtool test rules` with promql_expr_test checks; '' when every check holds."""
    test = {
        "rule_files": [rules],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": inputs, "promql_expr_test": checks}],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test, width=100000))
    done = promtool("test", "rules", "test.yml", cwd=tmp_path)
    return "" if done.returncode == 0 else done.stdout + done.stderr


def check(expr: str, start: int, now: int, number: float, labels: str = LABELS) -> dict[str, Any]:
    return {
        "expr": as_grafana_sends(expr, start, now),
        "eval_time": f"{now}s",
        "exp_samples": [{"labels": labels, "value": number}],
    }


def targets(panels: list[dict[str, Any]]) -> dict[str, str]:
    return {f"{p['title']}/{t['legendFormat']}": t["expr"] for p in panels for t in p["targets"]}


# ---- time slices: downtime so far, against the whole month's allowance ----------------------------

# bad minutes (10% errors, above the 5% threshold): 10 in day 1, 5 in day 1's last hour, 7 in day 3
BAD_MINUTES = [*range(1000, 1010), *range(1430, 1435), *range(3000, 3007)]


def test_time_slices_downtime_so_far_and_remaining_with_promtool(tmp_path: Path) -> None:
    text = agreement(extra=SLICES)
    panels = calendar(dashboard(tmp_path, text))
    compiled(tmp_path, text)  # rules.yml, checked by promtool
    exprs = targets(panels)
    downtime = exprs["Downtime so far against the allowance (this calendar month)/downtime so far"]
    allowed = exprs["Downtime so far against the allowance (this calendar month)/allowed in the whole month"]
    remaining = exprs["Error budget remaining (this calendar month so far)/remaining"]
    inputs = traffic(counter({}, base=1000), counter(dict.fromkeys(BAD_MINUTES, 100)))
    now = MINUTES * 60
    january = 0.001 * 31 * 86400  # 99.9% of January 1970 (UTC): 2678.4 s
    seconds = len(BAD_MINUTES) * 60  # 22 bad minutes
    assert seconds == 1320
    later = 7 * 60  # a period starting at day 2: only day 3's 7 minutes, not the hour before the start
    checks = [
        check(downtime, 0, now, seconds),
        check(allowed, 0, now, january),
        check(remaining, 0, now, 1 - seconds / january),
        check(downtime, 86400, now, later),
        check(remaining, 86400, now, 1 - later / january),
    ]
    assert expr_test(tmp_path, inputs, checks, "rules.yml") == ""
    # and the checks can fail: a wrong count is reported
    wrong = [check(downtime, 0, now, seconds + 60)]
    failed = expr_test(tmp_path, inputs, wrong, "rules.yml")
    assert "FAILED" in failed and "got:" in failed and "1.32E+03" in failed


# ---- request tiles: the failed share so far against the budget ------------------------------------


def test_request_tiles_failed_share_so_far_and_remaining_with_promtool(tmp_path: Path) -> None:
    text = agreement()
    panels = calendar(dashboard(tmp_path, text))
    compiled(tmp_path, text)
    exprs = targets(panels)
    title = "Requests outside the bound so far against the allowance (this calendar month)"
    share = exprs[f"{title}/requests outside the bound so far"]
    remaining = exprs["Error budget remaining (this calendar month so far)/remaining"]
    assert (
        exprs[f"{title}/allowed"] == 'sla:error_budget:ratio{agreement="Shop", service="API", objective="Availability"}'
    )
    # 600 requests a minute (10/s); 900 failed in hour 24 (day 1's last), 450 in hour 50
    errors = dict.fromkeys(range(1400, 1410), 90) | dict.fromkeys(range(2950, 2955), 90)
    inputs = traffic(counter({}, base=600), counter(errors))
    now = MINUTES * 60
    whole = (0.25 + 0.125) / (72 * 10.0)  # hourly rates: 900/3600 and 450/3600 against 10/s for 72 hours
    later = 0.125 / (48 * 10.0)  # from day 2: hour 24 is the previous period's
    checks = [
        check(share, 0, now, whole),
        check(remaining, 0, now, 1 - whole / 0.001),
        check(share, 86400, now, later),
        check(remaining, 86400, now, 1 - later / 0.001),
    ]
    assert expr_test(tmp_path, inputs, checks, "rules.yml") == ""


# ---- the allowance: the calendar period's true length, DST included ------------------------------


@pytest.mark.parametrize(
    ("zone", "kind", "label", "hours"),
    [
        ("Europe/Berlin", PeriodKind.MONTH, "2026-03", 743),  # clocks go forward
        ("Europe/Berlin", PeriodKind.MONTH, "2026-10", 745),  # clocks go back
        ("Europe/Berlin", PeriodKind.MONTH, "2026-04", 720),  # 30 days
        ("Europe/Berlin", PeriodKind.MONTH, "2028-02", 696),  # leap February
        ("Europe/Berlin", PeriodKind.QUARTER, "2026-Q1", 2159),
        ("Europe/Berlin", PeriodKind.QUARTER, "2026-Q4", 2209),
        ("Europe/Berlin", PeriodKind.YEAR, "2028", 8784),
        ("Asia/Tokyo", PeriodKind.MONTH, "2026-03", 744),  # no DST
        ("Australia/Sydney", PeriodKind.MONTH, "2026-04", 721),  # the southern autumn: clocks go back
        ("Australia/Sydney", PeriodKind.MONTH, "2026-10", 743),  # the southern spring
        ("Australia/Sydney", PeriodKind.QUARTER, "2026-Q2", 2185),
        ("America/Los_Angeles", PeriodKind.MONTH, "2026-11", 721),
        ("UTC", PeriodKind.YEAR, "2026", 8760),
    ],
)
def test_period_length_in_promql_is_the_true_length(
    tmp_path: Path, zone: str, kind: PeriodKind, label: str, hours: int
) -> None:
    window = parse_label(label, zone)
    assert window.seconds == hours * 3600  # the true length, from zoneinfo
    start = int(window.start.astimezone(UTC).timestamp())
    expr = period_seconds(kind, zone).replace(FROM, str(start))
    (tmp_path / "empty.yml").write_text("groups: []\n")
    dummy = [{"series": "up", "values": "1"}]
    assert (
        expr_test(
            tmp_path,
            dummy,
            [{"expr": expr, "eval_time": "0m", "exp_samples": [{"labels": "{}", "value": hours * 3600}]}],
            "empty.yml",
        )
        == ""
    )


def test_a_week_is_the_shortest_week_so_the_allowance_is_never_larger() -> None:
    """Which week the clocks change in differs from year to year; the panel takes 167 hours."""
    assert period_seconds(PeriodKind.WEEK, "Europe/Berlin") == str(167 * 3600)
    assert period_seconds(PeriodKind.WEEK, "Asia/Tokyo") == str(168 * 3600)
    assert parse_label("2026-W13", "Europe/Berlin").seconds == 167 * 3600


# ---- the dashboard ---------------------------------------------------------------------------------


def objective(name: str, clause: str, extra: str = "", monitor: str = MONITOR) -> str:
    return f'objective "{name}" {{\n {clause}\n {extra}\n {monitor}\n }}'


MIXED = f"""sla "Shop" {{
    timezone "Europe/Berlin"
    service "API" {{
        {objective("Monthly", "availability at least 99.9% per calendar month", SLICES)}
        {objective("Quarterly", "availability at least 99.9% per calendar quarter")}
        {objective("Yearly", "availability at least 99.5% per calendar year", SLICES)}
        {objective("Weekly", "availability at least 99% per week")}
        {
    objective(
        "Reads",
        'latency "reads" p99 below 10 ms in at least 99.99% of 1 hour windows per calendar month',
        monitor='monitor prometheus { histogram "reads_seconds" }',
    )
}
    }}
}}
"""


def overlaps(a: dict[str, int], b: dict[str, int]) -> bool:
    return (
        a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]
    )


def test_dashboard_has_the_calendar_view_for_every_period_and_none_for_windowed_latency(tmp_path: Path) -> None:
    document = dashboard(tmp_path, MIXED)
    assert document["timezone"] == "Europe/Berlin" and document["weekStart"] == "monday"
    assert document["fiscalYearStartMonth"] == 0  # so that the quarters' `now/fQ` is a calendar quarter
    rows: dict[str, list[dict[str, Any]]] = {}
    current = ""
    for panel in document["panels"]:
        if panel["type"] == "row":
            current = panel["title"].split(": ", 1)[1]
        rows.setdefault(current, []).append(panel)
    expected = {"Monthly": ("month", "now/M"), "Quarterly": ("quarter", "now/fQ"), "Yearly": ("year", "now/y")}
    expected["Weekly"] = ("week", "now/w")
    for name, (word, time_from) in expected.items():
        panels = calendar({"panels": rows[name]})
        assert next(p["title"] for p in panels) == f"Error budget remaining (this calendar {word} so far)"
        assert len(panels) == 2 and all(p["type"] == "stat" for p in panels)
        assert all(p["timeFrom"] == time_from and p["hideTimeOverride"] is False for p in panels)
        assert all(t["instant"] is True and t["range"] is False for p in panels for t in p["targets"])
        selector = f'{{agreement="Shop", service="API", objective="{name}"}}'
        assert all(selector in t["expr"] for p in panels for t in p["targets"])
    assert calendar({"panels": rows["Reads"]}) == []
    yearly = targets(calendar({"panels": rows["Yearly"]}))
    assert yearly["Downtime so far against the allowance (this calendar year)/downtime so far"].endswith(") * 60")
    grids = [p["gridPos"] for p in document["panels"]]
    assert not [(a, b) for i, a in enumerate(grids) for b in grids[i + 1 :] if overlaps(a, b)]
    assert all(g["x"] + g["w"] <= 24 for g in grids)
    # every query is valid PromQL once Grafana has substituted its variables
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    exprs = [as_grafana_sends(t["expr"], start, start + 86400) for p in calendar(document) for t in p["targets"]]
    records = [{"record": f"panel:{i}", "expr": e} for i, e in enumerate(exprs)]
    (tmp_path / "panels.yml").write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": records}]}))
    checked = promtool("check", "rules", str(tmp_path / "panels.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_utc_agreement_and_plans_use_the_existing_selector(tmp_path: Path) -> None:
    text = agreement().replace('provider "Acme"', 'provider "Acme"\n    timezone "UTC"\n    plans "Basic", "Pro"')
    document = dashboard(tmp_path, text)
    assert document["timezone"] == "utc"
    rolling = next(p for p in document["panels"] if p["title"] == "Error budget remaining (30d)")
    selector = rolling["targets"][0]["expr"].removeprefix("sla:period_error_budget_remaining:ratio")
    assert 'plan="${plan}"' in selector
    panels = calendar(document)
    assert panels and all(selector in t["expr"] for p in panels for t in p["targets"])
