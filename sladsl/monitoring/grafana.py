"""`sladsl compile --target grafana`: one Grafana dashboard per agreement, built on the series that
`--target prometheus` records (budget remaining, burn rates, downtime against the allowance).

Beside the rolling budget, objectives with hourly tiles get a calendar view (this month so far,
in the agreement's time zone: `grafana_calendar`). The dashboard only reads recordings; load
the Prometheus rules first. It has a `datasource` variable (any Prometheus data source) and,
for an agreement with plans, a `plan` variable whose values come from `sla:objective:info`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sladsl.language import ast
from sladsl.language.plans import plan_copies
from sladsl.monitoring.common import PERIOD_HOURS, Compiled, promql_string, tiles_range, windows
from sladsl.monitoring.grafana_calendar import FISCAL_YEAR_START_MONTH, calendar_panels, grafana_timezone
from sladsl.monitoring.grafana_panels import DATASOURCE, panel, promql_target, steps
from sladsl.monitoring.layout import seconds_of
from sladsl.monitoring.prometheus import prometheus


def _quoted(value: str) -> str:
    """A label value in a PromQL string: escaped as the rules escape it (`promql_string`)."""
    return promql_string(value)


def dashboard(agreement: ast.Agreement, plan: str | None = None) -> Compiled:
    """The dashboard as a JSON-ready dict (documents[0]), with the Prometheus compile's warnings."""
    rules = prometheus(agreement, plan)
    groups = rules.documents[0]["groups"]
    by_name = {
        (name, s.name, o.name): o for name, copy in plan_copies(agreement) for s in copy.services for o in s.objectives
    }
    variable_plan = bool(agreement.plans) and plan is None
    panels: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    y = 0
    for group in groups:
        info = next(r for r in group["rules"] if r.get("record") == "sla:objective:info")
        labels = {k: info["labels"][k] for k in ("agreement", "service", "objective", "plan") if k in info["labels"]}
        key = (labels["service"], labels["objective"])
        if key in seen:
            continue
        seen.add(key)
        objective = by_name.get((labels.get("plan"), *key))
        target = objective.target if objective is not None else None
        if target is None:
            continue
        matchers = [f'{k}="{_quoted(v)}"' for k, v in labels.items() if k != "plan"]
        if "plan" in labels:
            matchers.append('plan="${plan}"' if variable_plan else f'plan="{_quoted(labels["plan"])}"')
        selector = "{" + ", ".join(matchers) + "}"
        period_window = info["labels"]["period_window"]
        records = {r.get("record") for r in group["rules"]}
        panels.append(
            {
                "type": "row",
                "title": f"{labels['service']}: {labels['objective']}",
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": y},
                "panels": [],
            }
        )
        y += 1
        panels.append(
            panel(
                "stat",
                f"Error budget remaining ({period_window})",
                [promql_target(f"sla:period_error_budget_remaining:ratio{selector}", "remaining", "A")],
                {"h": 8, "w": 6, "x": 0, "y": y},
                fieldConfig={
                    "defaults": {
                        "unit": "percentunit",
                        "decimals": 2,
                        "thresholds": steps((None, "red"), (0, "orange"), (0.25, "green")),
                    },
                    "overrides": [],
                },
                options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
            )
        )
        burn = []
        if "sla:current_burn_rate:ratio" in records:
            short = windows(target.period.kind)[0]
            burn.append(promql_target(f"sla:current_burn_rate:ratio{selector}", f"now ({short})", "A"))
        burn.append(promql_target(f"sla:period_burn_rate:ratio{selector}", f"over {period_window}", "B"))
        panels.append(
            panel(
                "timeseries",
                "Burn rate (1 = the budget lasts exactly the period)",
                burn,
                {"h": 8, "w": 9, "x": 6, "y": y},
                fieldConfig={
                    "defaults": {
                        "unit": "short",
                        "custom": {"thresholdsStyle": {"mode": "line"}},
                        "thresholds": steps((None, "green"), (1, "orange"), (14.4, "red")),
                    },
                    "overrides": [],
                },
            )
        )
        seconds = PERIOD_HOURS[target.period.kind] * 3600
        slices = next((r["record"] for r in group["rules"] if r.get("record", "").startswith("sla:window_bad:")), None)
        if slices is not None:  # the contract's downtime: bad windows x the window's length
            size = slices.rsplit(":", 1)[1]
            step = seconds_of(size)
            spent = [
                promql_target(
                    f"sum_over_time({slices}{selector}[{tiles_range(seconds)}:{size}]) * {step}",
                    f"downtime (bad {size} windows x {size})",
                    "A",
                ),
                promql_target(f"sla:error_budget:ratio{selector} * {seconds}", "allowed", "B"),
            ]
            title, unit = f"Downtime against the allowance ({period_window})", "s"
        elif isinstance(target, ast.AvailabilityTarget | ast.DowntimeTarget):
            spent = [
                promql_target(
                    f"sla:error_ratio:rate{period_window}{selector} * {seconds}", "downtime (failed share x time)", "A"
                ),
                promql_target(f"sla:error_budget:ratio{selector} * {seconds}", "allowed", "B"),
            ]
            title, unit = f"Downtime against the allowance ({period_window})", "s"
        elif "sla:current_burn_rate:ratio" in records:
            spent = [
                promql_target(f"sla:error_ratio:rate{period_window}{selector}", "requests outside the bound", "A"),
                promql_target(f"sla:error_budget:ratio{selector}", "allowed", "B"),
            ]
            title, unit = f"Requests outside the bound against the allowance ({period_window})", "percentunit"
        else:
            spent = [
                promql_target(f"1 - sla:latency_windows_good:ratio_{period_window}{selector}", "windows missed", "A"),
                promql_target(f"sla:error_budget:ratio{selector}", "allowed", "B"),
            ]
            title, unit = f"Windows missing the bound against the allowance ({period_window})", "percentunit"
        panels.append(
            panel(
                "timeseries",
                title,
                spent,
                {"h": 8, "w": 9, "x": 15, "y": y},
                fieldConfig={"defaults": {"unit": unit}, "overrides": []},
            )
        )
        y += 8
        calendar = calendar_panels(agreement, target.period.kind, group["rules"], selector, y)
        panels.extend(calendar)
        y += max((p["gridPos"]["h"] for p in calendar), default=0)
    for number, shown in enumerate(panels, start=1):
        shown["id"] = number
    variables: list[dict[str, Any]] = [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus", "hide": 0}
    ]
    if variable_plan:
        query = f'label_values(sla:objective:info{{agreement="{_quoted(agreement.title)}"}}, plan)'
        variables.append(
            {
                "name": "plan",
                "label": "Plan",
                "type": "query",
                "datasource": DATASOURCE,
                "query": {"query": query, "refId": "plan"},
                "definition": query,
                "refresh": 1,
                "hide": 0,
            }
        )
    title = agreement.title + ("" if plan is None else f" ({plan})")
    document = {
        "uid": "sladsl-" + hashlib.sha256(title.encode("utf-8")).hexdigest()[:16],
        "title": title,
        "tags": ["sladsl", "sla"],
        "timezone": grafana_timezone(agreement.timezone),  # `now/M` starts the month in the contract's zone
        "weekStart": "monday",  # contract weeks are ISO weeks
        "fiscalYearStartMonth": FISCAL_YEAR_START_MONTH,  # `now/fQ` is a calendar quarter
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "time": {"from": "now-30d", "to": "now"},
        "refresh": "5m",
        "templating": {"list": variables},
        "annotations": {"list": []},
        "panels": panels,
    }
    return Compiled([document], rules.warnings)
