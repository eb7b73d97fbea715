"""Every clause judged at its own period, inside a longer `--period`.

A quarter asked of an agreement with monthly clauses judges each month of the quarter,
so that a summary never reads "met" over a breached October: the month's verdicts,
credits and support figures are listed one per month, and the report's status and total
count every one of them. A clause whose period is longer than the one asked stays
"not judged" (a month cannot judge a yearly clause), with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sladsl.evaluation.credits import History, PastPeriod
from sladsl.evaluation.report import ChronicResult, ClauseResult, ObjectiveResult, Report, SupportResult
from sladsl.language import ast
from sladsl.language.diagnostics import SladslError
from sladsl.language.periods import Window, is_shorter, windows_within

_OTHER_PERIOD = "measured per "
_DUE_PER = "due per "
NOT_STARTED = "the period has not started"


class NotSubscribed(SladslError):
    """The customer was not subscribed during a period (a month of a quarter, say)."""


def credit_currency(
    agreement: ast.Agreement, plan: str | None, fee: ast.Money | None, customer_fee: ast.Money | None
) -> str | None:
    """The currency credits are paid in, for a total of zero: the fee's, else a fixed tier's."""
    for money in (customer_fee, fee):
        if money is not None:
            return money.currency
    for service in agreement.services:
        own = service.fee_for(plan) or (service.fee if plan is None else None)
        found = (own.money if own else None) or agreement.monthly_fee(service, plan)
        if found is not None:
            return found.currency
    for service in agreement.services:
        for block in service.credits:
            for tier in block.tiers:
                if isinstance(tier.amount, ast.FixedCredit):
                    return tier.amount.money.currency
    return None


def judged_here(result: ObjectiveResult) -> bool:
    """Whether the objective is of the judged period's kind (judged, or without evidence)."""
    return bool(result.period) and not result.reason.startswith(_OTHER_PERIOD)


def mark_period(report: Report, label: str, provisional: bool) -> None:
    """Label every verdict and credit with its period. In a period that has not ended no
    credit is final, and no claim deadline runs yet: it is computed when the period is over."""
    for result in report.objectives:
        if judged_here(result):
            result.period_label, result.provisional = label, provisional
    for support in report.support:
        if not support.reason.startswith(_OTHER_PERIOD):
            support.period_label = label
    for clause in report.clauses:
        if not clause.reason.startswith(_DUE_PER):
            clause.period_label = label
    for credit in report.credits:
        credit.period, credit.provisional = label, provisional
        if provisional:
            credit.claim_by, credit.expired = None, False


def judge_shorter_periods(
    report: Report,
    agreement: ast.Agreement,
    period: Window,
    cutoff: int,
    judge: Callable[[Window], Report],
    history: History | None,
) -> None:
    """Replace each "measured per month, not per quarter" line of `report` by the clause's
    verdict in every month of the quarter (weeks: every week that starts inside)."""
    kinds = _shorter_kinds(report, period)
    for kind in kinds:
        objectives: dict[tuple[str, str], list[ObjectiveResult]] = {}
        support: dict[tuple[str, str], list[SupportResult]] = {}
        clauses: dict[tuple[str, str], list[ClauseResult]] = {}
        chronic: list[ChronicResult] = []
        for sub in windows_within(period, kind):
            if sub.start_us >= cutoff:
                _not_started(report, kind, sub, objectives)
                continue
            try:
                found = judge(sub)
            except NotSubscribed:
                continue
            for held in found.support_chronic:  # support chronic failure, judged month by month
                held.period_label = sub.label
                chronic.append(held)
            keys = _take(found, kind, objectives, support)
            _take_clauses(report, found, kind, clauses)
            report.credits.extend(c for c in found.credits if (c.service, c.objective) in keys)
            report.notes.extend(found.notes)
            report.warnings.extend(found.warnings)
            if history is not None:
                _remember(history, found, sub, keys)
        if chronic:
            plans = {c.plan for c in chronic}
            report.support_chronic = [c for c in report.support_chronic if c.plan not in plans] + chronic
        report.objectives = _replaced(report.objectives, kind, objectives)
        report.support = _replaced_support(report.support, kind, support)
        report.clauses = [
            line
            for clause in report.clauses
            for line in (
                clauses.get((clause.section, clause.clause), [clause]) if _clause_kind(clause) is kind else [clause]
            )
        ]
    report.notes = list(dict.fromkeys(report.notes))
    report.warnings = list(dict.fromkeys(report.warnings))


def _kind_of(result: ObjectiveResult) -> ast.PeriodKind | None:
    try:
        return ast.PeriodKind(result.period)
    except ValueError:
        return None


def _kind_named(reason: str, prefix: str) -> ast.PeriodKind | None:
    """The kind of period a "measured per ..." or "due per ..." reason names."""
    if not reason.startswith(prefix):
        return None
    try:
        return ast.PeriodKind(reason.removeprefix(prefix))
    except ValueError:
        return None


def _support_kind(result: SupportResult) -> ast.PeriodKind | None:
    return _kind_named(result.reason, _OTHER_PERIOD)


def _clause_kind(result: ClauseResult) -> ast.PeriodKind | None:
    return _kind_named(result.reason, _DUE_PER)


def _take_clauses(
    report: Report, found: Report, kind: ast.PeriodKind, clauses: dict[tuple[str, str], list[ClauseResult]]
) -> None:
    """A sub-period's verdicts on the clauses due per `kind` (reports due every month)."""
    waiting = {(c.section, c.clause) for c in report.clauses if _clause_kind(c) is kind}
    for line in found.clauses:
        key = (line.section, line.clause)
        if key in waiting and line.period_label is not None:
            clauses.setdefault(key, []).append(line)


def _shorter_kinds(report: Report, period: Window) -> list[ast.PeriodKind]:
    found = {_kind_of(o) for o in report.objectives if not judged_here(o)}
    found |= {_support_kind(s) for s in report.support}
    found |= {_clause_kind(c) for c in report.clauses}
    return sorted(
        (k for k in found if k is not None and is_shorter(k, period.kind)),
        key=lambda k: k.months or 0,
        reverse=True,
    )


def _take(
    found: Report,
    kind: ast.PeriodKind,
    objectives: dict[tuple[str, str], list[ObjectiveResult]],
    support: dict[tuple[str, str], list[SupportResult]],
) -> set[tuple[str, str]]:
    """Collect one sub-period's verdicts of `kind`; the (service, objective) keys taken."""
    keys = set()
    for result in found.objectives:
        if judged_here(result) and _kind_of(result) is kind:
            objectives.setdefault((result.service, result.objective), []).append(result)
            keys.add((result.service, result.objective))
    for line in found.support:
        if line.period_label is not None:
            support.setdefault((line.plan, line.priority), []).append(line)
    return keys


def _not_started(
    report: Report, kind: ast.PeriodKind, sub: Window, objectives: dict[tuple[str, str], list[ObjectiveResult]]
) -> None:
    """A month of the quarter that has not begun: listed, not judged."""
    for result in report.objectives:
        if not judged_here(result) and _kind_of(result) is kind:
            waiting = ObjectiveResult(
                result.service,
                result.objective,
                result.kind,
                result.period,
                result.target,
                result.unit,
                reason=NOT_STARTED,
                strict=result.strict,
                period_label=sub.label,
                provisional=True,
            )
            objectives.setdefault((result.service, result.objective), []).append(waiting)


def _remember(history: History, found: Report, sub: Window, keys: set[tuple[str, str]]) -> None:
    """A judged month joins the history, so the next month's rolling cap and chronic failure
    count it (unless the --history ledger already holds that month)."""
    known = {(p.service, p.objective, p.period.label) for p in history.periods}
    amounts: dict[tuple[str, str], Decimal] = {}
    for credit in found.credits:
        if credit.amount is not None and not credit.expired:
            key = (credit.service, credit.objective)
            amounts[key] = amounts.get(key, Decimal(0)) + credit.amount
    for result in found.objectives:
        key = (result.service, result.objective)
        if key in keys and result.judged and (*key, sub.label) not in known:
            history.periods.append(
                PastPeriod(result.service, result.objective, sub, result.met is False, amounts.get(key, Decimal(0)))
            )


def _replaced(
    results: list[ObjectiveResult],
    kind: ast.PeriodKind,
    found: dict[tuple[str, str], list[ObjectiveResult]],
) -> list[ObjectiveResult]:
    out: list[ObjectiveResult] = []
    for result in results:
        key = (result.service, result.objective)
        if not judged_here(result) and _kind_of(result) is kind and key in found:
            out.extend(found[key])
        else:
            out.append(result)
    return out


def _replaced_support(
    results: list[SupportResult], kind: ast.PeriodKind, found: dict[tuple[str, str], list[SupportResult]]
) -> list[SupportResult]:
    out: list[SupportResult] = []
    for result in results:
        if _support_kind(result) is kind and (result.plan, result.priority) in found:
            out.extend(found[(result.plan, result.priority)])
        else:
            out.append(result)
    return out


def with_shorter_periods(windows: list[Window], agreement: ast.Agreement, cutoff: int) -> list[Window]:
    """A ledger over quarters of an agreement with monthly clauses has rows for every month:
    the periods asked, and inside each the started periods of every shorter kind that a
    clause is measured per, in order of start (longer first), so that the history of
    rolling caps and chronic failure builds up in time order."""
    kinds = {o.target.period.kind for s in agreement.services for o in s.objectives if o.target is not None}
    found: dict[str, Window] = {}
    for window in windows:
        found.setdefault(window.label, window)
        for kind in kinds:
            if is_shorter(kind, window.kind):
                for sub in windows_within(window, kind):
                    if sub.start_us < cutoff:
                        found.setdefault(sub.label, sub)
    return sorted(found.values(), key=lambda w: (w.start_us, -w.end_us))
