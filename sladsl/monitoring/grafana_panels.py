"""The pieces every Grafana panel of `--target grafana` is made of: the data source variable,
a Prometheus query, a panel, threshold steps. Shared by the rolling view (`grafana`) and the
calendar view (`grafana_calendar`)."""

from __future__ import annotations

from typing import Any

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


def promql_target(expr: str, legend: str, ref: str, instant: bool = False) -> dict[str, Any]:
    """A query: over the panel's range, or `instant` (a stat's one number, at the range's end)."""
    found: dict[str, Any] = {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend, "refId": ref}
    found.update({"instant": True, "range": False} if instant else {"range": True})
    return found


def panel(kind: str, title: str, targets: list[dict[str, Any]], grid: dict[str, int], **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "type": kind,
        "title": title,
        "datasource": DATASOURCE,
        "gridPos": grid,
        "targets": targets,
    }
    found.update(extra)
    return found


def steps(*pairs: tuple[float | None, str]) -> dict[str, Any]:
    """Absolute threshold steps: (from value, colour), the first from None."""
    return {"mode": "absolute", "steps": [{"value": value, "color": colour} for value, colour in pairs]}
