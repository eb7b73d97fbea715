"""`sladsl compile --target openslo`: OpenSLO v1 `SLO` documents, one per objective and plan.

Ratio objectives become `ratioMetric` indicators over the monitor's queries, latency
thresholds `thresholdMetric` ones; time-based availability is budgeted by time slices
(`Timeslices`), an average error rate by occurrences. The calendar window starts at the
period the agreement takes effect in, in its time zone (docs/monitoring.md).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sladsl.language import ast
from sladsl.language.ast import PeriodKind
from sladsl.monitoring.common import (
    Compiled,
    Warnings,
    copies_to_compile,
    dns_name,
    number,
    prom_duration,
    unique_name,
)
from sladsl.monitoring.objectives import Sli, clause_words, histogram_of, le_matcher, sli, strictest_target

# ---- OpenSLO ---------------------------------------------------------------------------------------

THRESHOLD_TARGET = Decimal("0.99")
_OPENSLO_DURATION = {PeriodKind.MONTH: "1M", PeriodKind.QUARTER: "1Q", PeriodKind.YEAR: "1Y", PeriodKind.WEEK: "1w"}


def _duration(d: ast.Duration) -> str:
    seconds = d.seconds
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds % size == 0:
            return f"{int(seconds / size)}{unit}"
    return f"{number(seconds)}s"


def _period_start(kind: PeriodKind, effective: date | None) -> date:
    day = effective or date(2026, 1, 1)
    if kind is PeriodKind.MONTH:
        return day.replace(day=1)
    if kind is PeriodKind.QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if kind is PeriodKind.YEAR:
        return date(day.year, 1, 1)
    return day - timedelta(days=day.weekday())


def _source(query: str, window: str) -> dict[str, Any]:
    return {"metricSource": {"type": "Prometheus", "spec": {"query": query.replace("{{window}}", window)}}}


def openslo(agreement: ast.Agreement, plan: str | None = None) -> Compiled:
    """One SLO document per objective and plan (the plan in the name and a `plan` label)."""
    copies = copies_to_compile(agreement, plan)
    compiled = Compiled()
    warnings = Warnings([p for p, _ in copies])
    names: set[str] = set()
    for name, copy in copies:
        for service in copy.services:
            for objective in service.objectives:
                target = objective.target
                document: dict[str, Any] | None = None
                if isinstance(target, ast.LatencyTarget) and target.windows is not None:
                    document, why = _window_slo(copy, service, objective, target, name)
                else:
                    found, why = sli(objective)
                    if found is not None:
                        document = _slo(copy, service, objective, found, name)
                if document is None:
                    warnings.add(
                        f"objective \u201c{objective.name}\u201d of service \u201c{service.name}\u201d is not "
                        "compiled to OpenSLO",
                        why,
                        name,
                    )
                    continue
                unique = unique_name(document["metadata"]["name"], names, 63)
                if unique != document["metadata"]["name"]:
                    document["metadata"]["name"] = unique
                    document["spec"]["indicator"]["metadata"]["name"] = f"{unique}-sli"[:63]
                compiled.documents.append(document)
    compiled.warnings.extend(warnings.lines())
    return compiled


def _window_slo(
    agreement: ast.Agreement,
    service: ast.Service,
    objective: ast.Objective,
    target: ast.LatencyTarget,
    plan: str | None,
) -> tuple[dict[str, Any] | None, str]:
    """OpenSLO Timeslices for a per-window percentile: a slice is a window, good when its share
    of requests within the bound reaches the percentile."""
    assert target.windows is not None
    monitor = objective.monitor
    if monitor is None:
        return None, "it has no `monitor prometheus` block"
    histogram, unusable = histogram_of(monitor)
    if unusable:
        return None, unusable
    window = prom_duration(target.windows.window.seconds)
    if not histogram or target.percentile is None or window is None or window.endswith("ms"):
        return None, "OpenSLO time slices need a percentile over a `histogram` and windows of whole seconds"
    limit = target.limit.seconds
    found = Sli(
        "",
        target.windows.share.value / 100,
        good=f"sum(rate({histogram.series('bucket', le_matcher(limit))}[{{{{window}}}}]))",
        total=f"sum(rate({histogram.series('count')}[{{{{window}}}}]))",
    )
    document = _slo(agreement, service, objective, found, plan, slices=(window, target.percentile / 100))
    return document, ""


def _slo(
    agreement: ast.Agreement,
    service: ast.Service,
    objective: ast.Objective,
    found: Sli,
    plan: str | None = None,
    slices: tuple[str, Decimal] | None = None,
) -> dict[str, Any]:
    target = objective.target
    assert target is not None
    kind = target.period.kind
    source = objective.downtime_source
    timeslices = slices is not None or (
        isinstance(target, ast.AvailabilityTarget | ast.DowntimeTarget) and not isinstance(source, ast.AverageErrorRate)
    )
    slice_window = "1m"
    slice_target = Decimal("0.5")
    if slices is not None:
        slice_window, slice_target = slices
    elif isinstance(source, ast.DowntimeFromErrorRate):
        slice_window, slice_target = _duration(source.window), 1 - source.above.value / 100
    elif isinstance(source, ast.DowntimeFromSamples):  # a step is down when any of its checks failed
        slice_window, slice_target = _duration(source.every), Decimal(1)
    window = slice_window if timeslices else "5m"
    if found.threshold:
        indicator_spec: dict[str, Any] = {"thresholdMetric": _source(found.threshold, window)}
    elif found.bad:
        indicator_spec = {
            "ratioMetric": {
                "counter": False,
                "bad": _source(found.bad, window),
                "total": _source(found.total or "", window),
            }
        }
    else:
        indicator_spec = {
            "ratioMetric": {
                "counter": False,
                "good": _source(found.good or "", window),
                "total": _source(found.total or "", window),
            }
        }
    goal: dict[str, Any] = {"displayName": objective.name}
    if found.threshold:
        # OpenSLO targets are below 1: the query's value must stay within the limit 99% of the time.
        strict = isinstance(target, ast.LatencyTarget) and target.strict
        goal.update(op="lt" if strict else "lte", value=found.threshold_limit or Decimal(0), target=THRESHOLD_TARGET)
    elif isinstance(target, ast.DowntimeTarget):  # draft 3: no calendar period's budget exceeds D
        goal["target"] = strictest_target(agreement, target)
    else:
        goal["target"] = found.target
    if timeslices:
        goal.update(timeSliceTarget=slice_target, timeSliceWindow=slice_window)
    name = dns_name(service.name, objective.name, *([] if plan is None else [plan]))
    start = _period_start(kind, agreement.effective)
    labels = {"agreement": [dns_name(agreement.title)]}
    if plan is not None:
        labels["plan"] = [plan]  # as written, the value of the Prometheus rules' `plan` label
    return {
        "apiVersion": "openslo/v1",
        "kind": "SLO",
        "metadata": {
            "name": name,
            "displayName": f"{service.name}: {objective.name}" + ("" if plan is None else f" ({plan})"),
            "labels": labels,
        },
        "spec": {
            "description": clause_words(agreement, objective)[:1050],
            "service": dns_name(service.name),
            "indicator": {"metadata": {"name": f"{name}-sli"[:63]}, "spec": indicator_spec},
            "timeWindow": [
                {
                    "duration": _OPENSLO_DURATION[kind],
                    "isRolling": False,
                    "calendar": {"startTime": f"{start.isoformat()} 00:00:00", "timeZone": agreement.timezone},
                }
            ],
            "budgetingMethod": "Timeslices" if timeslices else "Occurrences",
            "objectives": [goal],
        },
    }
