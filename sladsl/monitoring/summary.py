"""Sloth's summary series for one objective: the objective, the burn rates now and over the
period, the budget left and an info series with the terms (the Grafana dashboard graphs these).

Why its own module: both the request-ratio rules (`sladsl.monitoring.prometheus`) and the
window-by-window latency rules (`sladsl.monitoring.windows`) end with these series.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sladsl.language import ast
from sladsl.monitoring.common import label_selector, number

if TYPE_CHECKING:
    from sladsl.monitoring.objectives import Sli


def summary_rules(
    labels: dict[str, str],
    target: ast.Target,
    goal: Decimal,
    short: str | None,
    period_window: str,
    found: Sli | None = None,
) -> list[dict[str, Any]]:
    """Sloth's summary series: the objective, the burn rates now and over the period, the budget left
    and an info series with the terms (the dashboards graph these). With `found`, the objective is
    written as `found` states it exactly (draft 3: `1 - 2628 / 2592000` for 43.8 minutes a month)."""
    selector = label_selector(labels)
    matching = f"on({', '.join(labels)}) group_left"
    budget = f"sla:error_budget:ratio{{{selector}}}"
    goal_text = number(goal) if found is None else found.goal_text()
    rules: list[dict[str, Any]] = [
        {"record": "sla:objective:ratio", "expr": f"vector({goal_text})", "labels": dict(labels)}
    ]
    if short is not None:
        rules += [
            {
                "record": "sla:current_burn_rate:ratio",
                "expr": f"sla:error_ratio:rate{short}{{{selector}}}\n/ {matching}\n{budget}",
                "labels": dict(labels),
            },
            {
                "record": "sla:period_burn_rate:ratio",
                "expr": f"sla:error_ratio:rate{period_window}{{{selector}}}\n/ {matching}\n{budget}",
                "labels": dict(labels),
            },
        ]
    else:
        good_share = f"sla:latency_windows_good:ratio_{period_window}{{{selector}}}"
        rules.append(
            {
                "record": "sla:period_burn_rate:ratio",
                "expr": f"(1 - {good_share})\n/ {matching}\n{budget}",
                "labels": dict(labels),
            }
        )
    info = {**labels, "target": number(goal), "period": target.period.kind.value, "period_window": period_window}
    if isinstance(target, ast.DowntimeTarget):  # draft 3: the target is the allowance, in seconds
        info["target"] = goal_text
        info["allowed_downtime_seconds"] = number(target.limit.seconds)
    rules += [
        {
            "record": "sla:period_error_budget_remaining:ratio",
            "expr": f"1 - sla:period_burn_rate:ratio{{{selector}}}",
            "labels": dict(labels),
        },
        {
            "record": "sla:objective:info",
            "expr": "vector(1)",
            "labels": info,
        },
    ]
    return rules
