"""Sloth's summary series for one objective: the objective, the burn rates now and over the
period, the budget left and an info series with the terms (the Grafana dashboard graphs these).

Why its own module: both the request-ratio rules (`sladsl.monitoring.prometheus`) and the
window-by-window latency rules (`sladsl.monitoring.windows`) end with these series.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sladsl.language import ast
from sladsl.monitoring.common import label_selector, number


def summary_rules(
    labels: dict[str, str], target: ast.Target, goal: Decimal, short: str | None, period_window: str
) -> list[dict[str, Any]]:
    """Sloth's summary series: the objective, the burn rates now and over the period, the budget left
    and an info series with the terms (the dashboards graph these)."""
    selector = label_selector(labels)
    matching = f"on({', '.join(labels)}) group_left"
    budget = f"sla:error_budget:ratio{{{selector}}}"
    rules: list[dict[str, Any]] = [
        {"record": "sla:objective:ratio", "expr": f"vector({number(goal)})", "labels": dict(labels)}
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
    rules += [
        {
            "record": "sla:period_error_budget_remaining:ratio",
            "expr": f"1 - sla:period_burn_rate:ratio{{{selector}}}",
            "labels": dict(labels),
        },
        {
            "record": "sla:objective:info",
            "expr": "vector(1)",
            "labels": {
                **labels,
                "target": number(goal),
                "period": target.period.kind.value,
                "period_window": period_window,
            },
        },
    ]
    return rules
