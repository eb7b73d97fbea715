"""Judge an agreement against evidence for one period: verdicts, budgets and credits.

The stages: read the period and the evidence, measure every objective
(`sladsl.availability`), support and the other clauses (`sladsl.support`), then the
credits (`sladsl.credits`). Clauses of another kind of period are listed as not judged.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sladsl import ast
from sladsl.availability import average_error_rate, blank_result, latency, request_ratio, shape, time_based
from sladsl.context import Context
from sladsl.credits import credits_owed
from sladsl.diagnostics import SladslError
from sladsl.evidence import Evidence
from sladsl.periods import parse_label
from sladsl.plans import for_plan
from sladsl.report import ObjectiveResult, Report
from sladsl.support import evaluate_clauses, evaluate_support


def evaluate(
    agreement: ast.Agreement,
    data: str | Path,
    label: str,
    fee: ast.Money | None = None,
    as_of: date | None = None,
    plan: str | None = None,
    history: str | Path | None = None,
) -> Report:
    """The report for one period; raises `SladslError` (exit 2) on bad evidence.

    With plans, the agreement is first projected onto the customer's `plan`
    (`sladsl.plans.for_plan`), so every stage below reads one plan's terms.
    """
    agreement = for_plan(agreement, plan)
    window = parse_label(label, agreement.timezone)
    evidence = Evidence(data, agreement.timezone)
    try:
        context = Context(agreement, evidence, window, as_of)
        report = Report(agreement.title, window, as_of=as_of)
        _check_service_names(context)
        report.objectives = _objectives(context)
        report.support = evaluate_support(context)
        report.clauses = evaluate_clauses(context)
        report.credits = credits_owed(agreement, report.objectives, window, fee, as_of)
        report.warnings = list(dict.fromkeys(evidence.warnings))
        return report
    finally:
        evidence.close()


def _check_service_names(context: Context) -> None:
    names = [s.name for s in context.agreement.services]
    tables = {
        t
        for s in context.agreement.services
        for o in s.objectives
        for t in _tables_for(o)
        if o.period and o.period.kind is context.window.kind
    }
    for table in sorted(tables - {"samples"}):  # samples: found in the summary's own pass
        if context.evidence.has(table):
            context.evidence.warn_unknown(table, "service", names, "service")


def _tables_for(objective: ast.Objective) -> list[str]:
    target = objective.target
    if isinstance(target, ast.LatencyTarget):
        return ["latency"]
    if isinstance(target, ast.RequestTarget):
        return ["requests"]
    source = objective.downtime_source
    tables = {
        ast.DowntimeFromIncidents: ["incidents"],
        ast.DowntimeFromSamples: ["samples"],
        ast.DowntimeFromErrorRate: ["requests"],
        ast.AverageErrorRate: ["requests"],
    }[type(source)]
    if objective.maintenance and not isinstance(source, ast.AverageErrorRate):
        tables = [*tables, "maintenance"]
    return tables


# ---- objectives -----------------------------------------------------------------------


def _objectives(context: Context) -> list[ObjectiveResult]:
    results: list[ObjectiveResult] = []
    groups: dict[tuple[Any, ...], list[tuple[ast.Service, ast.Objective, ObjectiveResult]]] = defaultdict(list)
    for service in context.agreement.services:
        for objective in service.objectives:
            result = blank_result(service, objective)
            results.append(result)
            target = objective.target
            if target is None:
                continue
            if target.period.kind is not context.window.kind:
                result.reason = f"measured per {target.period.kind.value}, not per {context.window.kind.value}"
                continue
            if isinstance(target, ast.LatencyTarget):
                latency(context, service, target, result)
            elif isinstance(target, ast.RequestTarget):
                request_ratio(context, service, objective, result)
            elif isinstance(objective.downtime_source, ast.AverageErrorRate):
                average_error_rate(context, service, objective, result)
            else:
                groups[shape(objective)].append((service, objective, result))
    for members in groups.values():
        time_based(context, members)
    return results


def parse_fee(text: str, agreement: ast.Agreement) -> ast.Money:
    """`--fee 2500` or `--fee "2500 USD"`; the currency defaults to the agreement's fees'."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Z]{3})?\s*", text)
    if not match:
        raise SladslError(f"--fee {text!r} is not an amount: write, for example, --fee 2500 or --fee '2500 USD'")
    currency = match.group(2)
    if currency is None:
        fees = [s.fee.money.currency for s in agreement.services if s.fee] + (
            [agreement.fee.money.currency] if agreement.fee else []
        )
        if not fees:
            raise SladslError(
                "--fee needs a currency here (the agreement names none): write, for example, --fee '2500 USD'"
            )
        currency = fees[0]
    from sladsl.currencies import is_currency

    if not is_currency(currency):
        raise SladslError(f"--fee: unknown currency {currency!r}")
    return ast.Money(Decimal(match.group(1)), currency)
