"""`sladsl compile`: objectives as Prometheus rules and OpenSLO v1 documents.

For Prometheus, each objective with a `monitor prometheus` block gets recording rules
for its error ratio over the windows that multi-window, multi-burn-rate alerting needs,
and a page and a ticket alert whose burn-rate factors come from the period and the
error budget (the SRE workbook: 2% of the budget in 1 h or 5% in 6 h pages; 10% in 1 d
or 3 d opens a ticket). Numbers are Decimals printed exactly. An objective that cannot
be compiled is a warning that names it, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sladsl import ast
from sladsl.ast import PeriodKind
from sladsl.phrases import allowed_downtime, phrase
from sladsl.plans import for_plan

WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
PERIOD_WINDOW = {PeriodKind.MONTH: "30d", PeriodKind.QUARTER: "90d", PeriodKind.YEAR: "365d", PeriodKind.WEEK: "7d"}
PERIOD_HOURS = {PeriodKind.MONTH: 720, PeriodKind.QUARTER: 2160, PeriodKind.YEAR: 8760, PeriodKind.WEEK: 168}
WINDOW_HOURS = {
    "5m": Decimal(5) / 60,
    "30m": Decimal("0.5"),
    "1h": Decimal(1),
    "2h": Decimal(2),
    "6h": Decimal(6),
    "1d": Decimal(24),
    "3d": Decimal(72),
}

# (severity, [(long window, short window, share of the budget spent in the long window)])
ALERTS = (
    ("page", (("1h", "5m", Decimal("0.02")), ("6h", "30m", Decimal("0.05")))),
    ("ticket", (("1d", "2h", Decimal("0.10")), ("3d", "6h", Decimal("0.10")))),
)
FOR = {"page": "2m", "ticket": "15m"}


@dataclass
class Compiled:
    documents: list[Any] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def number(value: Decimal) -> str:
    """A Decimal as Prometheus reads it, exactly: 0.0144, never 0.014400000000000001."""
    text = format(value.normalize(), "f")
    return text


def burn_factor(kind: PeriodKind, long_window: str, share: Decimal) -> Decimal:
    """How many times faster than sustainable the budget burns when `share` of it goes in the window."""
    return share * PERIOD_HOURS[kind] / WINDOW_HOURS[long_window]


@dataclass(frozen=True)
class _Sli:
    """An objective as a ratio of bad events: the query text with `{{window}}` left in."""

    ratio: str
    target: Decimal  # as a fraction: 0.999
    good: str | None = None
    bad: str | None = None
    total: str | None = None
    threshold: str | None = None  # a query whose value is compared (OpenSLO threshold metric)
    threshold_limit: Decimal | None = None


def _labels(agreement: ast.Agreement, service: ast.Service, objective: ast.Objective) -> dict[str, str]:
    return {"agreement": agreement.title, "service": service.name, "objective": objective.name}


def _le(seconds: Decimal) -> str:
    text = number(seconds)
    return f'le=~"{re.escape(text)}(\\\\.0)?"' if "." not in text else f'le="{text}"'


def sli(objective: ast.Objective) -> tuple[_Sli | None, str]:
    """The objective as a ratio, or None and the reason it cannot be compiled."""
    monitor = objective.monitor
    target = objective.target
    if target is None:
        return None, "it has no target"
    if monitor is None:
        return None, "it has no `monitor prometheus` block"
    errors, good, total = monitor.query("errors"), monitor.query("good"), monitor.query("total")
    histogram, latency = monitor.query("histogram"), monitor.query("latency")
    if isinstance(target, ast.LatencyTarget):
        limit = target.limit.seconds
        if target.percentile is not None and histogram:
            bucket = f"sum(rate({histogram}_bucket{{{_le(limit)}}}[{{{{window}}}}]))"
            count = f"sum(rate({histogram}_count[{{{{window}}}}]))"
            return _Sli(f"1 - ({bucket} / {count})", target.percentile / 100, good=bucket, total=count), ""
        if latency:
            return _Sli("", Decimal(1), threshold=latency, threshold_limit=limit), "threshold"
        return None, "a latency objective needs a `histogram` (for a percentile) or a `latency` query"
    fraction = target.percent.value / 100
    if errors and total:
        return _Sli(f"({errors}) / ({total})", fraction, bad=errors, total=total), ""
    if good and total:
        return _Sli(f"1 - (({good}) / ({total}))", fraction, good=good, total=total), ""
    return None, "an availability objective needs `total` with `errors` or `good`"


def _clause_words(objective: ast.Objective) -> str:
    target = objective.target
    return phrase(target) if target is not None else objective.name


def prometheus(agreement: ast.Agreement, plan: str | None = None) -> Compiled:
    """Rules for one plan's terms (TODO draft 2: every plan with a `plan` label when None)."""
    agreement = for_plan(agreement, plan or (agreement.plans[0] if agreement.plans else None))
    compiled = Compiled()
    groups = []
    for service in agreement.services:
        for objective in service.objectives:
            found, why = sli(objective)
            where = f"objective \u201c{objective.name}\u201d of service \u201c{service.name}\u201d"
            if found is None or not found.ratio:
                why = why if found is None else "a latency threshold query has no error ratio for burn-rate alerts"
                compiled.warnings.append(f"{where} is not compiled to Prometheus rules: {why}")
                continue
            if "{{window}}" not in found.ratio:
                compiled.warnings.append(
                    f"{where}: its queries have no {{{{window}}}}; every window gets the same query"
                )
            groups.append(_group(agreement, service, objective, found))
    compiled.documents.append({"groups": groups})
    return compiled


def _group(agreement: ast.Agreement, service: ast.Service, objective: ast.Objective, found: _Sli) -> dict[str, Any]:
    target = objective.target
    assert target is not None
    kind = target.period.kind
    labels = _labels(agreement, service, objective)
    selector = ", ".join(f'{k}="{_promql_string(v)}"' for k, v in labels.items())
    windows = [*WINDOWS, PERIOD_WINDOW[kind]]
    rules: list[dict[str, Any]] = [
        {"record": f"sla:error_ratio:rate{w}", "expr": found.ratio.replace("{{window}}", w), "labels": dict(labels)}
        for w in windows
    ]
    budget = 1 - found.target
    rules.append({"record": "sla:error_budget:ratio", "expr": f"vector({number(budget)})", "labels": dict(labels)})
    annotations = _annotations(objective, found)
    for severity, pairs in ALERTS:
        conditions = []
        for long_window, short_window, share in pairs:
            factor = burn_factor(kind, long_window, share)
            threshold = number(factor * budget)
            conditions.append(
                f"(sla:error_ratio:rate{long_window}{{{selector}}} > {threshold}"
                f" and sla:error_ratio:rate{short_window}{{{selector}}} > {threshold})"
            )
        rules.append(
            {
                "alert": "SLAErrorBudgetBurn" + severity.capitalize(),
                "expr": "\n or ".join(conditions),
                "for": FOR[severity],
                "labels": {**labels, "severity": severity},
                "annotations": {
                    **annotations,
                    "burn_rates": ", ".join(
                        f"{number(burn_factor(kind, lw, share))}x over {lw} and {sw}" for lw, sw, share in pairs
                    ),
                },
            }
        )
    name = re.sub(r"[^A-Za-z0-9_:]+", "_", f"sla:{service.name}:{objective.name}").strip("_")
    return {"name": name, "rules": rules}


def _annotations(objective: ast.Objective, found: _Sli) -> dict[str, str]:
    target = objective.target
    notes = {"summary": f"{objective.name}: the error budget is burning too fast", "clause": _clause_words(objective)}
    if isinstance(target, ast.AvailabilityTarget):
        facts = allowed_downtime(target)
        notes["allowed_downtime"] = "; ".join(f"{d} in {n}" for n, d in facts)
    notes["period"] = (
        (
            f"Prometheus measures the rolling {PERIOD_WINDOW[target.period.kind]}, the contract the "
            f"{target.period.kind.value}: see docs/monitoring.md"
        )
        if target
        else ""
    )
    return notes


def _promql_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


# ---- OpenSLO ---------------------------------------------------------------------------------------

THRESHOLD_TARGET = Decimal("0.99")
_OPENSLO_DURATION = {PeriodKind.MONTH: "1M", PeriodKind.QUARTER: "1Q", PeriodKind.YEAR: "1Y", PeriodKind.WEEK: "1w"}


def _dns_name(*parts: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
    return slug[:63].rstrip("-") or "slo"


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
    agreement = for_plan(agreement, plan or (agreement.plans[0] if agreement.plans else None))
    compiled = Compiled()
    for service in agreement.services:
        for objective in service.objectives:
            found, why = sli(objective)
            if found is None:
                compiled.warnings.append(
                    f"objective \u201c{objective.name}\u201d of service \u201c{service.name}\u201d is not compiled to "
                    f"OpenSLO: {why}"
                )
                continue
            compiled.documents.append(_slo(agreement, service, objective, found))
    return compiled


def _slo(agreement: ast.Agreement, service: ast.Service, objective: ast.Objective, found: _Sli) -> dict[str, Any]:
    target = objective.target
    assert target is not None
    kind = target.period.kind
    source = objective.downtime_source
    timeslices = isinstance(target, ast.AvailabilityTarget) and not isinstance(source, ast.AverageErrorRate)
    slice_window = "1m"
    slice_target = Decimal("0.5")
    if isinstance(source, ast.DowntimeFromErrorRate):
        slice_window, slice_target = _duration(source.window), 1 - source.above.value / 100
    elif isinstance(source, ast.DowntimeFromSamples):
        slice_window = _duration(source.every)
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
        goal.update(op="lte", value=found.threshold_limit or Decimal(0), target=THRESHOLD_TARGET)
    else:
        goal["target"] = found.target
    if timeslices:
        goal.update(timeSliceTarget=slice_target, timeSliceWindow=slice_window)
    name = _dns_name(service.name, objective.name)
    start = _period_start(kind, agreement.effective)
    return {
        "apiVersion": "openslo/v1",
        "kind": "SLO",
        "metadata": {
            "name": name,
            "displayName": f"{service.name}: {objective.name}",
            "labels": {"agreement": [_dns_name(agreement.title)]},
        },
        "spec": {
            "description": _clause_words(objective)[:1050],
            "service": _dns_name(service.name),
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


# ---- YAML ----------------------------------------------------------------------------------------


def to_yaml(documents: list[Any]) -> str:
    """YAML with Decimals printed exactly and multi-line expressions as literal blocks."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
        return dumper.represent_scalar("tag:yaml.org,2002:float", number(value))

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(Decimal, decimal)
    Dumper.add_representer(str, text)
    return yaml.dump_all(
        documents, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=120, explicit_start=len(documents) > 1
    )
