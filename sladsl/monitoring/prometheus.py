"""`sladsl compile`: objectives as Prometheus rules and OpenSLO v1 documents.

For Prometheus, each objective with a `monitor prometheus` block gets recording rules
for its error ratio over the windows that multi-window, multi-burn-rate alerting needs,
and a page and a ticket alert at the SRE workbook's burn rates (14.4x and 6x page, 3x and
1x open a ticket) over windows from a catalog per period (`CATALOG`, after Sloth's), an
alert when the metrics are absent, and Sloth's summary series (budget remaining, burn
rates, an info series). Numbers are Decimals printed exactly. An objective that cannot
be compiled, or a burn rate no error ratio can reach, is a warning that names it, never
silently dropped. `sladsl.monitoring.kubernetes` wraps the rules in a PrometheusRule; `sladsl.monitoring.grafana`
builds a Grafana dashboard on the summary series.

Draft 2: with `plans`, every plan gets its own rules (a `plan` label, a group per plan),
or one plan's with `--plan`. A latency objective judged window by window compiles to a
recording of whether each window met its bound and the share of good windows over the
period, not to request-ratio burn rates (docs/monitoring.md says how they relate).
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sladsl.language import ast
from sladsl.language.units import describe_duration
from sladsl.monitoring.common import (
    CATALOG,
    PERIOD_WINDOW,
    Compiled,
    Warnings,
    copies_to_compile,
    interval_problem,
    label_selector,
    number,
    objective_labels,
    routing_labels,
    tiles_range,
    unique_name,
    windows,
)
from sladsl.monitoring.layout import ratio_rules, seconds_of, slice_words, time_slices
from sladsl.monitoring.objectives import Sli, allowed_words, budget_words, clause_words, exact_ratio, sli
from sladsl.monitoring.summary import summary_rules
from sladsl.monitoring.windows import window_rules

FOR = {"page": "2m", "ticket": "15m"}
ABSENT_FOR = "10m"
ABSENT_WINDOW = "5m"  # every period: the absent alert fires 15 minutes after the metric stops


RUNBOOK_FIELDS = ("alert", "agreement", "service", "objective", "plan")


def runbook_problem(template: str) -> str | None:
    """Why a `--runbook-url` template is unusable, or None: only the fields above may appear in braces."""
    for found in re.finditer(r"\{([^{}]*)\}", template):
        if found.group(1) not in RUNBOOK_FIELDS:
            fields = ", ".join(f"{{{f}}}" for f in RUNBOOK_FIELDS)
            return f"--runbook-url: unknown field {found.group(0)!r} (the fields are {fields})"
    return None


def runbook_url(template: str, alert: str, labels: dict[str, str]) -> str:
    """The template with each field replaced: the alert name as is, names as lower-case slugs."""
    values = {"alert": alert, **{f: _slug(labels.get(f, "")) for f in RUNBOOK_FIELDS[1:]}}
    return re.sub(r"\{(" + "|".join(RUNBOOK_FIELDS) + r")\}", lambda m: values[m.group(1)], template)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def prometheus(
    agreement: ast.Agreement,
    plan: str | None = None,
    runbook: str | None = None,
    interval: str | None = None,
    min_requests: int | None = None,
) -> Compiled:
    """Rules for every plan's terms, each with a `plan` label; `plan`'s only when given.

    Without `plans` declared the output is what draft 1 gave: no `plan` label. With `runbook`
    (a URL template, see `runbook_url`) every alert gets a `runbook_url` annotation. `interval`
    (`1m`, `30s`: `interval_problem` says which are usable) is every group's evaluation
    interval; `min_requests` keeps a burn-rate condition quiet while its long window has fewer
    requests than that (issue 20 item 7: one failure among three requests is no outage).
    """
    if (problem := interval_problem(interval)) is not None:
        raise ValueError(problem)
    copies = copies_to_compile(agreement, plan)
    compiled = Compiled()
    warnings = Warnings([p for p, _ in copies])
    groups: list[dict[str, Any]] = []
    names: set[str] = set()
    for name, copy in copies:
        for service in copy.services:
            for objective in service.objectives:
                where = f"objective \u201c{objective.name}\u201d of service \u201c{service.name}\u201d"
                target = objective.target
                if isinstance(target, ast.LatencyTarget) and target.windows is not None:
                    rules, why = window_rules(copy, service, objective, target, name)
                    if rules is None:
                        warnings.add(f"{where} is not compiled to Prometheus rules", why, name)
                        continue
                    if why:
                        warnings.add(where, why, name)
                    groups.append({"name": unique_name(_group_name(service, objective, name), names), "rules": rules})
                    continue
                found, why = sli(objective)
                if found is None or not found.ratio:
                    why = why if found is None else "a latency threshold query has no error ratio for burn-rate alerts"
                    warnings.add(f"{where} is not compiled to Prometheus rules", why, name)
                    continue
                if "{{window}}" not in found.ratio:
                    warnings.add(where, "its queries have no {{window}}; every window gets the same query", name)
                group, unreachable = _group(copy, service, objective, found, name, min_requests, interval)
                for why in unreachable:
                    warnings.add(where, why, name)
                group["name"] = unique_name(group["name"], names)
                groups.append(group)
    compiled.warnings.extend(warnings.lines())
    for group in groups:
        if interval is not None:
            group["interval"] = interval
        for rule in group["rules"]:
            if "alert" in rule:
                if runbook is not None:
                    rule["annotations"]["runbook_url"] = runbook_url(runbook, rule["alert"], rule["labels"])
                for key in ("labels", "annotations"):
                    rule[key] = {k: _template_text(v) for k, v in rule.get(key, {}).items()}
    compiled.documents.append({"groups": groups})
    return compiled


def _template_text(value: str) -> str:
    """Alert labels and annotations are Go templates: user text must not open an action."""
    return value.replace("{{", '{{ "{{" }}')


def _group_name(service: ast.Service, objective: ast.Objective, plan: str | None) -> str:
    text = f"sla:{service.name}:{objective.name}" + ("" if plan is None else f":{plan}")
    return re.sub(r"[^A-Za-z0-9_:]+", "_", text).strip("_")


def _group(
    agreement: ast.Agreement,
    service: ast.Service,
    objective: ast.Objective,
    found: Sli,
    plan: str | None = None,
    min_requests: int | None = None,
    interval: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The objective's rule group, and warnings about burn-rate conditions no error ratio can meet."""
    target = objective.target
    assert target is not None
    kind = target.period.kind
    labels = objective_labels(agreement, service, objective, plan)
    selector = label_selector(labels)
    recorded = windows(kind)
    rules = ratio_rules(found, kind, labels, objective)
    tiled = "{{window}}" in found.ratio and time_slices(objective) is None
    budget = found.budget
    rules.append({"record": "sla:error_budget:ratio", "expr": f"vector({found.budget_text()})", "labels": dict(labels)})
    rules += summary_rules(labels, target, found.target, recorded[0], PERIOD_WINDOW[kind], found)
    annotations = _annotations(agreement, objective, found)
    warnings: list[str] = []
    for severity, pairs in CATALOG[kind]:
        conditions, kept = [], []
        name = "SLAErrorBudgetBurn" + severity.capitalize()
        for long_window, short_window, factor in pairs:
            if Fraction(factor) * budget >= 1:
                warnings.append(
                    f"with a budget of {_percent(found)} a {number(factor)}x burn over {long_window} needs an "
                    f"error ratio above {found.budget_text(factor)}, which cannot happen; {name} leaves that "
                    "condition out"
                )
                continue
            kept.append((long_window, short_window, factor))
            threshold = found.budget_text(factor)
            if " " in threshold:
                threshold = f"({threshold})"
            guard = ""
            if min_requests and tiled:
                guard = (
                    f"\n  and sum_over_time(sla:total:rate5m{{{selector}}}[{tiles_range(seconds_of(long_window))}:5m]) * 300"
                    f" >= {min_requests}"
                )
            conditions.append(
                f"(sla:error_ratio:rate{long_window}{{{selector}}} > {threshold}"
                f" and sla:error_ratio:rate{short_window}{{{selector}}} > {threshold}{guard})"
            )
        if not conditions:
            warnings.append(f"no burn rate of {name} can be reached with a budget of {_percent(found)}")
            continue
        rules.append(
            {
                "alert": name,
                "expr": "\n or ".join(conditions),
                "for": FOR[severity],
                "labels": {**labels, "severity": severity, **routing_labels(agreement, target)},
                "annotations": {
                    **annotations,
                    "burn_rates": ", ".join(f"{number(f)}x over {lw} and {sw}" for lw, sw, f in kept),
                },
            }
        )
    source = time_slices(objective)
    if source is not None and source.window.seconds < seconds_of(interval or "1m"):
        warnings.append(
            f"its windows ({describe_duration(source.window)}) are shorter than the rule interval "
            f"({interval or '1m'}): one recording stands for several windows, so bad windows are counted "
            "approximately; give an interval no longer than the window"
        )
    if min_requests and "{{window}}" not in found.ratio:
        warnings.append("its queries have no {{window}}, so --min-requests cannot count its requests")
    if found.total:
        query = found.total_at(ABSENT_WINDOW)
        rules.append(
            {
                "alert": "SLAMetricAbsent",
                "expr": f"absent({query})",
                "for": ABSENT_FOR,
                "labels": {**labels, "severity": "page", **routing_labels(agreement, target)},
                "annotations": {
                    "summary": (
                        f"{objective.name}: the query for all requests returns nothing, so no burn-rate alert can fire"
                    ),
                    "query": query,
                    "clause": annotations["clause"],
                },
            }
        )
    return {"name": _group_name(service, objective, plan), "rules": rules}, warnings


def _percent(found: Sli) -> str:
    """The budget in percent for a warning: exact, or the seconds it is made of."""
    if found.allowance is not None:
        share = exact_ratio(found.budget * 100)
        share = f"{share}%" if share is not None else f"{found.budget_text()} of the time"
        return f"{share} ({number(found.allowance)} of {found.window_seconds} seconds)"
    return f"{number(Decimal(1 - found.target) * 100)}%"


def _annotations(agreement: ast.Agreement, objective: ast.Objective, found: Sli) -> dict[str, str]:
    target = objective.target
    notes = {
        "summary": f"{objective.name}: the error budget is burning too fast",
        "clause": clause_words(agreement, objective),
    }
    if isinstance(target, ast.AvailabilityTarget | ast.DowntimeTarget):
        notes["allowed_downtime"] = allowed_words(agreement, target)
    if isinstance(target, ast.DowntimeTarget):
        notes["error_budget"] = budget_words(found, target.period.kind)
    source = time_slices(objective)
    if source is not None and target is not None:
        notes["time_slices"] = slice_words(source, found, target.period.kind)
    counting = _counting(agreement, objective)
    if counting:
        notes["counting"] = counting
    notes["period"] = (
        (
            f"Prometheus measures the rolling {PERIOD_WINDOW[target.period.kind]}, the contract the "
            f"{target.period.kind.value}: see docs/monitoring.md"
        )
        if target
        else ""
    )
    return notes


def _counting(agreement: ast.Agreement, objective: ast.Objective) -> str:
    """How the contract counts downtime where the alert's error ratio cannot (drafts 2 and 3)."""
    notes = []
    ignore = objective.ignore_outages
    if ignore is not None and (ignore.or_less or ignore.after_exclusions):
        length = describe_duration(ignore.shorter_than)
        which = f"of {length} or less" if ignore.or_less else f"shorter than {length}"
        order = (
            "after removing excluded time (maintenance, excluded causes), so an outage split by an exclusion is "
            "judged stretch by stretch"
            if ignore.after_exclusions
            else "judged on their whole length"
        )
        notes.append(
            f"The contract ignores outages {which}, {order}; this alert sees every failed request and cannot "
            "tell how long an outage will last, so it can fire on errors the contract does not count."
        )
    clock = objective.clock_units
    if clock is not None:
        amount, word = clock.unit.amount, clock.unit.unit.value
        units = f"{word}s" if amount == 1 else f"{number(Decimal(amount))} {word} intervals"
        notes.append(
            f"The contract counts only whole clock {units} ({agreement.timezone} time) that are down from start to "
            "end; this alert sees every failed request, so it can fire on errors in partial units the contract "
            "does not count."
        )
    rounding = objective.round_outages
    if rounding is not None:
        notes.append(
            f"The contract counts each outage in whole multiples of {describe_duration(rounding.unit)} (the rest "
            "is not counted); this alert sees every failed request, so it can fire on errors the contract does "
            "not count."
        )
    if objective.adding_shares:
        notes.append(
            "The contract weights downtime by the share of users affected, adding the shares of overlapping "
            "incidents (at most all users); this alert's error ratio is the share of failed requests, which "
            "follows that weighting only when failures spread over users as over requests."
        )
    elif objective.weight_by_affected:
        notes.append(
            "The contract weights downtime by the share of users affected (the largest share where incidents "
            "overlap); this alert's error ratio is the share of failed requests, which follows that weighting "
            "only when failures spread over users as over requests."
        )
    return " ".join(notes)
