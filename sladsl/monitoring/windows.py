"""Latency judged window by window (draft 2) as Prometheus rules: whether each window met
its bound, and the share of good windows over the period (docs/monitoring.md).

A window is a fixed-length Prometheus range; the contract's windows are aligned to the
period in the agreement's time zone, so a window length that does not divide the day from
the epoch in that zone is a warning.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sladsl.language import ast
from sladsl.language.units import describe_duration
from sladsl.monitoring.common import (
    PERIOD_HOURS,
    PERIOD_WINDOW,
    label_selector,
    number,
    objective_labels,
    prom_duration,
    routing_labels,
    tiles_range,
)
from sladsl.monitoring.objectives import clause_words, hidden_in_queries, histogram_of, le_matcher
from sladsl.monitoring.summary import summary_rules


def _epoch_aligned(zone: str, seconds: Decimal, year: int) -> bool:
    """Whether windows counted from the Unix epoch (as Prometheus subquery steps are) start where
    the contract's windows do: on local boundaries, which needs a length dividing a day and
    UTC offsets (standard and summer time) that are whole windows."""
    if Decimal(86400) % seconds != 0:
        return False
    try:
        zone_info = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    for month in (1, 4, 7, 10):
        offset = datetime(year, month, 1, tzinfo=zone_info).utcoffset()
        if offset is None or Decimal(int(offset.total_seconds())) % seconds != 0:
            return False
    return True


def _window_meets(target: ast.LatencyTarget, monitor: ast.Monitor, window: str) -> str | None:
    """PromQL that is 1 when the window ending now meets the latency bound, 0 when it does not.

    With a histogram, p99 below D holds when at least 99% of the window's requests fall in the
    `le="D"` bucket (the nearest-rank percentile the evaluator uses); a window without requests
    meets the bound, as the contract says.
    """
    limit = target.limit.seconds
    latency = monitor.query("latency")
    histogram, _ = histogram_of(monitor)
    if histogram:
        count = f"sum(increase({histogram.series('count')}[{window}]))"
        if target.percentile is not None:
            within = f"sum(increase({histogram.series('bucket', le_matcher(limit))}[{window}]))"
            meets = f"({within} / {count} >= bool {number(target.percentile / 100)})"
        else:
            total = f"sum(increase({histogram.series('sum')}[{window}]))"
            meets = f"({total} / {count} {'<' if target.strict else '<='} bool {number(limit)})"
        return f"{meets} + ({count} == bool 0)"
    if latency:
        query = latency.replace("{{window}}", window)
        return f"(({query}) {'<' if target.strict else '<='} bool {number(limit)})"
    return None


def window_rules(
    agreement: ast.Agreement,
    service: ast.Service,
    objective: ast.Objective,
    target: ast.LatencyTarget,
    plan: str | None,
) -> tuple[list[dict[str, Any]] | None, str]:
    """Recording and alert rules for `pNN below D in at least S% of W windows`, or None and why.

    The second value is a warning to give even when the rules are made ('' when none).
    """
    assert target.windows is not None
    monitor = objective.monitor
    if monitor is None:
        return None, "it has no `monitor prometheus` block"
    if unwritable := hidden_in_queries(monitor):
        return None, unwritable
    size = target.windows.window.seconds
    window = prom_duration(size)
    if window is None:
        return None, "its windows are shorter than a millisecond"
    histogram, unusable = histogram_of(monitor)
    if unusable:
        return None, unusable
    meets = _window_meets(target, monitor, window)
    if meets is None:
        return None, "a latency objective needs a `histogram` (or a `latency` query giving the window's value)"
    kind = target.period.kind
    labels = objective_labels(agreement, service, objective, plan)
    routing = routing_labels(agreement, target)
    selector = label_selector(labels)
    period_window = PERIOD_WINDOW[kind]
    share = target.windows.share.value / 100
    budget = 1 - share
    rules: list[dict[str, Any]] = []
    if histogram and target.percentile is not None:
        quantile = number(target.percentile / 100)
        rules.append(
            {
                "record": f"sla:latency_quantile:rate{window}",
                "expr": f"histogram_quantile({quantile}, sum by (le) (rate({histogram.series('bucket')}[{window}])))",
                "labels": {**labels, "quantile": quantile},
            }
        )
    elif histogram:
        rules.append(
            {
                "record": f"sla:latency_mean:rate{window}",
                "expr": (
                    f"sum(increase({histogram.series('sum')}[{window}])) / "
                    f"sum(increase({histogram.series('count')}[{window}]))"
                ),
                "labels": dict(labels),
            }
        )
    good_window = f"sla:latency_window_good:{window}"
    good_share = f"sla:latency_windows_good:ratio_{period_window}"
    rules += [
        {"record": good_window, "expr": meets, "labels": dict(labels)},
        {
            # Windows without a recording (before the series existed, or before the rules were
            # loaded) meet the bound, as windows without requests do: the missed windows are
            # counted against every window of the period, so one bad hour of a fresh series is
            # 1 of 720, not all of them (issue 20 item 6).
            "record": good_share,
            "expr": (
                f"1 - sum_over_time((1 - {good_window}{{{selector}}})[{tiles_range(PERIOD_HOURS[kind] * 3600)}:{window}])"
                f" / {number(Decimal(PERIOD_HOURS[kind] * 3600) / size)}"
            ),
            "labels": dict(labels),
        },
        {"record": "sla:error_budget:ratio", "expr": f"vector({number(budget)})", "labels": dict(labels)},
    ]
    rules += summary_rules(labels, target, share, None, period_window)
    per_period = Decimal(PERIOD_HOURS[kind] * 3600) / size
    allowed = budget * per_period
    count_words = number(per_period) if per_period == per_period.to_integral_value() else f"{per_period:.2f}"
    notes = {
        "clause": clause_words(agreement, objective),
        "bound": _bound_words(target, monitor),
        "windows": (
            f"{period_window} has {count_words} windows of {describe_duration(target.windows.window)}; "
            f"{target.windows.share.value}% must meet the bound, so {number(allowed)} may miss it"
        ),
        "period": (
            f"Prometheus measures the rolling {period_window} in windows counted from 00:00 UTC, the contract "
            f"the {kind.value}: see docs/monitoring.md"
        ),
    }
    window_words = describe_duration(target.windows.window)
    rules.append(
        {
            "alert": "SLALatencyWindowMissed",
            "expr": f"{good_window}{{{selector}}} == 0",
            "labels": {**labels, "severity": "page" if allowed < 1 else "ticket", **routing},
            "annotations": {"summary": f"{objective.name}: the last {window_words} missed the latency bound", **notes},
        }
    )
    rules.append(
        {
            "alert": "SLALatencyWindowsBelowTarget",
            "expr": f"{good_share}{{{selector}}} < {number(share)}",
            "labels": {**labels, "severity": "ticket", **routing},
            "annotations": {
                "summary": (
                    f"{objective.name}: fewer than {target.windows.share.value}% of the {window_words} windows "
                    f"in the last {period_window} met the latency bound"
                ),
                **notes,
            },
        }
    )
    if histogram and target.percentile is not None:
        rules.append(
            {
                "alert": "SLALatencyBucketMissing",
                "expr": f"absent({histogram.series('bucket', le_matcher(target.limit.seconds))})",
                "for": "15m",
                "labels": {**labels, "severity": "ticket", **routing},
                "annotations": {
                    "summary": (
                        f"{objective.name}: {histogram.name} has no bucket at {number(target.limit.seconds)} s, the "
                        "latency bound, so no window can be judged"
                    ),
                    "clause": notes["clause"],
                },
            }
        )
    warnings = []
    if not histogram and "{{window}}" not in (monitor.query("latency") or ""):
        warnings.append("its latency query has no {{window}}; every window gets the same query")
    if not _epoch_aligned(agreement.timezone, size, (agreement.effective or date(2026, 1, 1)).year):
        warnings.append(
            f"its {window_words} windows are counted from 00:00 UTC (as Prometheus subqueries step), not from "
            f"the start of each {kind.value} in {agreement.timezone}: the share of good windows is approximate"
        )
    return rules, "; ".join(warnings)


def _bound_words(target: ast.LatencyTarget, monitor: ast.Monitor) -> str:
    limit = number(target.limit.seconds)
    histogram, _ = histogram_of(monitor)
    if histogram and target.percentile is not None:
        text = (
            f"a window meets the bound when at least {target.percentile}% of its requests are in the "
            f'{histogram.name} bucket le="{limit}" (at most {limit} s); a window without requests meets it'
        )
        if target.strict:
            text += (
                f". The contract's bound is strict (below {describe_duration(target.limit)}): a request of exactly "
                f"{limit} s counts against it in the contract but within the bucket here"
            )
        return text
    which = "mean" if histogram else "value of the latency query"
    return f"a window meets the bound when the {which} is {'below' if target.strict else 'at most'} {limit} s"
