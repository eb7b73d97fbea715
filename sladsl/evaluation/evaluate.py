"""Judge an agreement against evidence for one period: verdicts, budgets and credits.

The stages: read the period and the evidence, measure every objective
(`sladsl.evaluation.availability`), support and the other clauses (`sladsl.evaluation.support`), then the
credits (`sladsl.evaluation.credits`). Clauses of another kind of period are listed as not judged.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sladsl.evaluation.availability import (
    average_error_rate,
    blank_result,
    latency,
    latency_windows,
    request_ratio,
    shape,
    time_based,
)
from sladsl.evaluation.context import Context
from sladsl.evaluation.credits import History, credits_owed
from sladsl.evaluation.deadlines import set_termination
from sladsl.evaluation.engines import open_evidence
from sladsl.evaluation.evidence import CUSTOMER_SCOPED, Evidence, Scope
from sladsl.evaluation.history import holds_at as _holds_at
from sladsl.evaluation.history import read_history
from sladsl.evaluation.report import ChronicResult, ObjectiveResult, Report
from sladsl.evaluation.subperiods import NotSubscribed, credit_currency, judge_shorter_periods, mark_period
from sladsl.evaluation.support import evaluate_clauses, evaluate_support, judge_support_chronic
from sladsl.language import ast
from sladsl.language.diagnostics import SladslError
from sladsl.language.periods import (
    Window,
    cutoff_us,
    label_of,
    next_start,
    parse_label,
    refuse_unstarted,
    window_from,
)
from sladsl.language.plans import for_plan

if TYPE_CHECKING:
    from sladsl.evaluation.customers import Subscriber


def evaluate(
    agreement: ast.Agreement,
    data: str | Path,
    label: str,
    fee: ast.Money | None = None,
    as_of: date | None = None,
    plan: str | None = None,
    history: str | Path | None = None,
    customer: Subscriber | None = None,
    engine: str = "duckdb",
    explain: bool = True,
) -> Report:
    """The report for one period; raises `SladslError` (exit 2) on bad evidence.

    With plans, the agreement is first projected onto the customer's `plan`
    (`sladsl.language.plans.for_plan`), so every stage below reads one plan's terms. A period that
    has not ended at `as_of` (default: now) is judged on its elapsed part and is
    provisional; one that has not started is refused. Clauses of shorter periods are
    judged at each of their own periods inside (`sladsl.evaluation.subperiods`).
    """
    period = parse_label(label, agreement.timezone)
    cutoff = cutoff_us(as_of, agreement.timezone)
    refuse_unstarted(period, cutoff, as_of)
    evidence = open_evidence(data, agreement.timezone, engine)
    try:  # one reading of the evidence serves the period and every shorter period inside it
        if customer is not None:
            _scope_to_customer(evidence, customer.customer)
        chosen = customer.plan if customer is not None else plan
        past = (
            read_history(evidence, str(history), agreement, chosen, fee, customer)
            if history is not None
            else History(known=False)
        )

        def judge(window: Window) -> Report:
            return _evaluate_one(agreement, evidence, window, cutoff, fee, as_of, chosen, past, customer, explain)

        report = judge(period)
        judge_shorter_periods(report, agreement, period, cutoff, judge, past)
        return report
    finally:
        evidence.close()


def _evaluate_one(
    agreement: ast.Agreement,
    evidence: Evidence,
    period: Window,
    cutoff: int,
    fee: ast.Money | None,
    as_of: date | None,
    plan: str | None,
    past: History,
    customer: Subscriber | None,
    explain: bool,
) -> Report:
    """One period, judging the clauses of its own kind."""
    declared = tuple(p.name for p in agreement.support_plans)
    agreement = for_plan(agreement, plan)
    subscribed = _subscribed_part(period, customer)
    provisional = period.end_us > cutoff
    window = subscribed.part(subscribed.start_us, min(subscribed.end_us, cutoff)) if provisional else subscribed
    if window.start_us >= window.end_us:  # subscribed from a moment after the cut-off
        raise NotSubscribed(f"--customer {customer.customer if customer else ''!r} was not subscribed by then")
    context = Context(
        agreement, evidence, window, as_of, declared, explain=explain, provisional=provisional, whole=subscribed
    )
    report = Report(agreement.title, subscribed, as_of=as_of, plan=plan, explained=explain)
    report.provisional = provisional
    _check_service_names(context)
    report.objectives = judge_objectives(context)
    report.support = evaluate_support(context)
    report.support_chronic = judge_support_chronic(context, report.support, report.notes)
    report.clauses = evaluate_clauses(context)
    judge_chronic_failures(context, report, past)
    share = subscribed.seconds / period.seconds
    customer_fee = customer.fee if customer else None
    report.currency = credit_currency(agreement, plan, fee, customer_fee)
    report.credits = credits_owed(
        agreement, report.objectives, subscribed, fee, as_of, plan, past, report.notes, customer_fee, share, period
    )
    mark_period(report, period.label, provisional)
    if customer is not None:
        report.customer = customer.customer
    report.notes = list(dict.fromkeys(report.notes))
    report.warnings = list(dict.fromkeys(evidence.warnings))
    return report


def _subscribed_part(period: Window, customer: Subscriber | None) -> Window:
    """The part of the period a customer was subscribed (all of it without a customer)."""
    if customer is None:
        return period
    part = customer.subscribed(period)
    if part is None:
        raise NotSubscribed(f"--customer {customer.customer!r} was not subscribed during {period.label}")
    return period.part(*part)


def _scope_to_customer(evidence: Evidence, name: str) -> None:
    """A customer's evidence: its own rows and the rows that name no customer."""
    evidence.scope_to(CUSTOMER_SCOPED, Scope(customer=name), "customer")


def _check_service_names(context: Context) -> None:
    names = [s.name for s in context.agreement.services]
    tables = {
        t
        for s in context.agreement.services
        for o in s.objectives
        for t in tables_for(o)
        if o.period and o.period.kind is context.window.kind
    }
    for table in sorted(tables - {"samples"}):  # samples: found in the summary's own pass
        if context.evidence.has(table):
            context.evidence.warn_unknown(table, "service", names, "service")


def tables_for(objective: ast.Objective) -> list[str]:
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
    if objective.maintenance:
        tables = [*tables, "maintenance"]
    if objective.excluded_causes and "incidents" not in tables:  # the log says why the service was down
        tables = [*tables, "incidents"]
    return tables


# ---- objectives -----------------------------------------------------------------------


def judge_objectives(context: Context) -> list[ObjectiveResult]:
    results: list[ObjectiveResult] = []
    groups: dict[tuple[Any, ...], list[tuple[ast.Service, ast.Objective, ObjectiveResult]]] = defaultdict(list)
    windowed: dict[tuple[Any, ...], list[tuple[ast.Service, ast.LatencyTarget, ObjectiveResult]]] = defaultdict(list)
    whole: dict[tuple[Any, ...], list[tuple[ast.Service, ast.LatencyTarget, ObjectiveResult]]] = defaultdict(list)
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
            if isinstance(target, ast.LatencyTarget) and target.windows is not None:
                key = (target.metric, target.percentile, target.limit, target.strict, target.windows.window)
                windowed[key].append((service, target, result))
            elif isinstance(target, ast.LatencyTarget):
                whole[(target.metric, target.percentile)].append((service, target, result))
            elif isinstance(target, ast.RequestTarget):
                request_ratio(context, service, objective, result)
            elif isinstance(objective.downtime_source, ast.AverageErrorRate):
                average_error_rate(context, service, objective, result)
            else:
                groups[shape(objective)].append((service, objective, result))
    for members in groups.values():
        time_based(context, members)
    for latency_members in whole.values():
        latency(context, latency_members)
    for latency_members in windowed.values():
        latency_windows(context, latency_members)
    return results


# ---- chronic failure -------------------------------------------------------------------


def judge_chronic_failures(context: Context, report: Report, history: History) -> None:
    """`chronic failure when breached in N consecutive periods or in M of any K periods`.

    The condition is tested at every period of the objective's kind, from the earliest the
    ledger knows to the judged one, over the breaches known (the ledger's `met` false, and
    the judged period when it is breached); periods the ledger lacks count as not breached.
    """
    for service in context.agreement.services:
        for objective in service.objectives:
            rule = objective.chronic_failure
            if rule is None:
                continue  # before the search below: a ledger asks this for every customer
            result = next(
                (r for r in report.objectives if r.service == service.name and r.objective == objective.name), None
            )
            if result is None or objective.period is None:
                continue
            if objective.period.kind is not context.window.kind:
                continue
            past = history.before(context.window, service.name, objective.name)
            past = [p for p in past if p.period.kind is context.window.kind]
            breached = {p.period.label for p in past if p.breached}
            if result.judged and result.met is False:
                breached.add(context.window.label)
            periods = _periods_until(
                min((p.period for p in past), key=lambda w: w.start_us, default=None), context.window
            )
            flags = [w.label in breached for w in periods]
            held = [_holds_at(flags, i, rule) for i in range(len(flags))]
            holds = bool(held and held[-1])
            since = None
            if holds:
                first = len(held) - 1
                while first > 0 and held[first - 1]:
                    first -= 1
                since = periods[first].label
            first_held = next((periods[i].label for i, h in enumerate(held) if h), None)
            result.chronic_failure = ChronicResult(
                holds, since, first_held, [w.label for w, f in zip(periods, flags, strict=True) if f], history.known
            )
            set_termination(context.agreement, rule, result.chronic_failure, context.window, context.provisional)
            if not history.known:
                report.notes.append(f"{service.name} / {objective.name}: {_unknown_before(periods)}")


def _unknown_before(periods: list[Window]) -> str:
    """The note for chronic failure without `--history`: in a range (a ledger), the range's
    earlier periods are known and only those before it are not."""
    if len(periods) == 1:
        return (
            f"chronic failure judged on {periods[0].label} alone: earlier periods are not known "
            "(no --history ledger was given)"
        )
    return (
        f"chronic failure judged on {periods[0].label} to {periods[-1].label}: periods before "
        f"{periods[0].label} are not known (no --history ledger was given)"
    )


def _periods_until(first: Window | None, last: Window) -> list[Window]:
    """The periods of the judged kind from `first` (the judged one when None) to `last`."""
    if first is None:
        return [last]
    periods: list[Window] = []
    current = first
    tz = last.start.tzinfo
    while current.start_us < last.start_us:
        periods.append(current)
        start = next_start(current.kind, current.first_day)
        current = window_from(current.kind, start, tz, label_of(current.kind, start))  # type: ignore[arg-type]
    return [*periods, last]


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
    from sladsl.language.currencies import is_currency

    if not is_currency(currency):
        raise SladslError(f"--fee: unknown currency {currency!r}")
    return ast.Money(Decimal(match.group(1)), currency)
