"""One compile target's compiler, imported alone (one module per target), and the options
only some targets take (`--interval`, `--min-requests`).

Why a module of its own: `sladsl.api.compile` chooses the target, and the monitoring
package knows which target takes what; keeping the choice here keeps the API thin.
"""

from __future__ import annotations

from typing import Any

from sladsl.language import ast
from sladsl.monitoring.common import interval_problem

_RULE_TARGETS = ("prometheus", "kubernetes")


def rule_options_problem(target: str, interval: str | None, min_requests: int | None) -> str | None:
    """Why `--interval` or `--min-requests` cannot be used with `target`, or None."""
    for option, value in (("--interval", interval), ("--min-requests", min_requests)):
        if value is not None and target not in _RULE_TARGETS:
            return f"{option} applies to the prometheus and kubernetes targets, not {target}"
    if min_requests is not None and min_requests < 1:
        return f"--min-requests {min_requests}: give a number of requests of at least 1"
    return interval_problem(interval)


def compiled(
    agreement: ast.Agreement,
    target: str,
    plan: str | None,
    runbook: str | None,
    interval: str | None = None,
    min_requests: int | None = None,
) -> Any:
    """The target's compiled documents and warnings."""
    if target == "grafana":
        from sladsl.monitoring.grafana import dashboard

        return dashboard(agreement, plan)
    if target == "kubernetes":
        from sladsl.monitoring.kubernetes import kubernetes

        return kubernetes(agreement, plan, runbook, interval, min_requests)
    if target == "prometheus":
        from sladsl.monitoring.prometheus import prometheus

        return prometheus(agreement, plan, runbook, interval, min_requests)
    from sladsl.monitoring.openslo import openslo

    return openslo(agreement, plan)
