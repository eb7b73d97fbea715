"""`sladsl compile --target kubernetes`: the Prometheus rules as one prometheus-operator
`PrometheusRule` resource, named after the agreement (and the plan, with `--plan`).
"""

from __future__ import annotations

from sladsl.language import ast
from sladsl.monitoring.common import Compiled, dns_name
from sladsl.monitoring.prometheus import prometheus


def kubernetes(agreement: ast.Agreement, plan: str | None = None, runbook: str | None = None) -> Compiled:
    """The Prometheus rules as one prometheus-operator `PrometheusRule` resource."""
    compiled = prometheus(agreement, plan, runbook)
    name = dns_name("sla", agreement.title, *([] if plan is None else [plan]))
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
