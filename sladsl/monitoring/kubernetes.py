"""`sladsl compile --target kubernetes`: the Prometheus rules as one prometheus-operator
`PrometheusRule` resource, named after the agreement (and the plan, with `--plan`).

The name is a slug of the title and a short hash of the title as written (`hashed_name`):
titles that slug alike ("日本語", "Ωμέγα", "🚀🚀", "---") or that are equal in their first
characters get different names, so applying one agreement never replaces another's rules,
and the same title always gets the same name.
"""

from __future__ import annotations

from sladsl.language import ast
from sladsl.monitoring.common import Compiled, hashed_name
from sladsl.monitoring.prometheus import prometheus


def kubernetes(
    agreement: ast.Agreement,
    plan: str | None = None,
    runbook: str | None = None,
    interval: str | None = None,
    min_requests: int | None = None,
) -> Compiled:
    """The Prometheus rules as one prometheus-operator `PrometheusRule` resource."""
    compiled = prometheus(agreement, plan, runbook, interval, min_requests)
    name = hashed_name("sla", agreement.title, *([] if plan is None else [plan]))
    resource = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": name,
            "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "sladsl"},
        },
        "spec": compiled.documents[0],
    }
    return Compiled([resource], compiled.warnings)
