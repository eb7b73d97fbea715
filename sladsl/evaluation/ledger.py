"""The credit ledger: one agreement, many customers, one or more periods (DATA.md, draft 2).

Billing needs one row per customer × service × objective × period. Judging every
customer with its own evaluation would be one round of queries per customer, so the
customers of a period are grouped by what their evaluation depends on (plan and the part
of the period they were subscribed), and each group is judged in at most two passes:

- the **shared pass** reads only the rows that name no customer; its verdicts hold for
  every customer of the group that has no rows of its own for an objective's tables;
- the **own-rows pass** judges, in one evaluation, every (customer, service) pair that
  has rows of its own: the evidence is joined to those pairs, and each pair becomes a
  service named `customer` + U+001F + `service`, so the set-based queries of
  `sladsl.evaluation.availability` group by customer as they group by service.

Credits, caps, proration and chronic failure are then worked out per customer in
Python from those verdicts, without further queries. Periods of a range are judged in
order, so that rolling caps and chronic failure see the periods before.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sladsl.evaluation.context import Context
from sladsl.evaluation.credits import History, PastPeriod, credits_owed
from sladsl.evaluation.customers import Subscriber as Subscriber
from sladsl.evaluation.customers import customer_subscriber as customer_subscriber
from sladsl.evaluation.customers import has_customers as has_customers
from sladsl.evaluation.customers import read_customers
from sladsl.evaluation.engines import open_evidence
from sladsl.evaluation.evaluate import judge_chronic_failures, judge_objectives, tables_for
from sladsl.evaluation.evidence import CUSTOMER_SCOPED, SEPARATOR, Evidence, Scope
from sladsl.evaluation.history import Holder, read_histories
from sladsl.evaluation.ledger_files import csv_text, write_records
from sladsl.evaluation.ledger_sql import is_plain, judge_plain
from sladsl.evaluation.report import CreditResult, ObjectiveResult, Report, decimal_text
from sladsl.evaluation.subperiods import with_shorter_periods
from sladsl.language import ast
from sladsl.language.diagnostics import SladslError
from sladsl.language.periods import Window, cutoff_us, refuse_unstarted
from sladsl.language.plans import for_plan, resolve_plan

COLUMNS = (
    "customer",
    "plan",
    "service",
    "objective",
    "period",
    "measured",
    "met",
    "downtime_seconds",
    "allowed_downtime_seconds",
    "tier",
    "amount",
    "currency",
    "claim_by",
    "capped",
    "service_time_seconds",
    "service_time_value",
    "claim_from_start",
    "claim_from_end",
    "terminate_by",
    "chronic_failure",
    "provisional",
    "reason",
)
_BOOLEAN_COLUMNS = frozenset({"met", "capped", "chronic_failure", "provisional"})
_MONEY_COLUMNS = frozenset({"amount", "service_time_value"})  # as rounded: `12.50`, not `12.5`


@dataclass(slots=True)
class LedgerRow:
    customer: str
    plan: str | None
    service: str
    objective: str
    period: str
    measured: Decimal | None
    met: bool | None
    downtime_seconds: Decimal | None
    allowed_downtime_seconds: Decimal | None
    tier: str | None
    amount: Decimal | None
    currency: str | None
    claim_by: date | None
    capped: bool
    chronic_failure: bool
    # the period had not ended at --as-of: the amount is not final
    provisional: bool = False
    reason: str = ""  # why `met` is empty: "no evidence in the period"
    # draft 3: a remedy in service time (seconds) and its value at the fee for that time, in
    # `currency`; the outage a claim window counted from the outage runs from; the last day
    # the customer may terminate (`chronic failure ..., terminate within D`)
    service_time_seconds: Decimal | None = None
    service_time_value: Decimal | None = None
    claim_from_start: datetime | None = None
    claim_from_end: datetime | None = None
    terminate_by: date | None = None

    @property
    def status(self) -> str:
        """`met`, `breached`, or `incomplete` (not judged: no evidence)."""
        return "incomplete" if self.met is None else "met" if self.met else "breached"

    def record(self) -> dict[str, Any]:
        """JSON-ready values: decimals as strings, exactly (as in the report)."""
        out: dict[str, Any] = {}
        for name in COLUMNS:
            value = getattr(self, name)
            if isinstance(value, Decimal):
                out[name] = format(value, "f") if name in _MONEY_COLUMNS else decimal_text(value)
            elif isinstance(value, date):
                out[name] = value.isoformat()
            else:
                out[name] = value
        return out


@dataclass(slots=True)
class Ledger:
    rows: list[LedgerRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # the moment the ledger is made at (the end of --as-of's day, or now): periods that end
    # after it are provisional, judged on their elapsed part
    cutoff_us: int = 0

    @property
    def status(self) -> str:
        """As a report's: `breached` if any row is, else `incomplete` if any row could not
        be judged (or there is none), else `met`."""
        statuses = {row.status for row in self.rows}
        if "breached" in statuses:
            return "breached"
        return "incomplete" if not self.rows or "incomplete" in statuses else "met"


# ---- history --------------------------------------------------------------------------------


def _histories(
    evidence: Evidence,
    history: str | Path | None,
    agreement: ast.Agreement,
    subscribers: list[Subscriber],
    fee: ast.Money | None,
    judged: set[str],
    listed: bool,
) -> dict[str, History]:
    """Each customer's earlier periods (`sladsl.evaluation.history`), without the periods
    the range judges now: a judged period replaces the ledger's row for it."""
    if history is None:
        return {s.customer: History(False) for s in subscribers}
    holders = [Holder(s.customer or None, s.plan, s.fee) for s in subscribers]
    found = read_histories(evidence, str(history), agreement, holders, fee, listed)
    return {
        s.customer: replace(h, periods=[p for p in h.periods if p.period.label not in judged])
        for s, h in zip(subscribers, found, strict=True)
    }


# ---- judging ---------------------------------------------------------------------------------


def evaluate_ledger(
    agreement: ast.Agreement,
    data: str | Path,
    windows: list[Window],
    fee: ast.Money | None = None,
    as_of: date | None = None,
    history: str | Path | None = None,
    plan: str | None = None,
    engine: str = "duckdb",
) -> Ledger:
    """Every customer × service × objective × period. Without a `customers` table the
    agreement's own customer (or "") is the one customer, on `plan`."""
    ledger = Ledger(cutoff_us=cutoff_us(as_of, agreement.timezone))
    for window in windows:
        refuse_unstarted(window, ledger.cutoff_us, as_of)
    windows = with_shorter_periods(windows, agreement, ledger.cutoff_us)
    evidence = open_evidence(data, agreement.timezone, engine)
    try:
        if evidence.has("customers"):
            if plan is not None:
                raise SladslError("--plan: the customers table gives each customer's plan")
            subscribers = read_customers(evidence, agreement)
        else:
            subscribers = [Subscriber(agreement.customer or "", resolve_plan(agreement, plan), None, None, None)]
        judged = {w.label for w in windows}
        listed = evidence.has("customers")
        past = _histories(evidence, history, agreement, subscribers, fee, judged, listed)
        own = _customers_with_own_rows(evidence, agreement, [s.customer for s in subscribers])
        for window in windows:
            rows = _judge_period(agreement, evidence, window, subscribers, own, past, fee, as_of, ledger)
            ledger.rows.extend(sorted(rows, key=lambda r: r.customer))  # stable: services in agreement order
        ledger.warnings = [w.replace(SEPARATOR, " / ") for w in dict.fromkeys(evidence.warnings)]
        ledger.notes = list(dict.fromkeys(ledger.notes))
        return ledger
    finally:
        evidence.close()


def _needed_tables(agreement: ast.Agreement) -> set[str]:
    return {t for s in agreement.services for o in s.objectives for t in tables_for(o)}


def _customers_with_own_rows(evidence: Evidence, agreement: ast.Agreement, known: list[str]) -> dict[str, set[str]]:
    """For each table the objectives read: the customers that have rows of their own.
    Rows of customers the `customers` table does not list are a warning, and left out."""
    own: dict[str, set[str]] = {}
    for table in sorted(_needed_tables(agreement) & set(CUSTOMER_SCOPED)):
        if not evidence.has(table):
            continue
        own[table] = evidence.distinct_customers(table) & set(known)
        evidence.warn_unknown_customers(table, known)
    return own


def _judge_period(
    agreement: ast.Agreement,
    evidence: Evidence,
    window: Window,
    subscribers: list[Subscriber],
    own: dict[str, set[str]],
    past: dict[str, History],
    fee: ast.Money | None,
    as_of: date | None,
    ledger: Ledger,
) -> list[LedgerRow]:
    groups: dict[tuple[str | None, int, int], list[Subscriber]] = defaultdict(list)
    for who in subscribers:
        subscribed = who.subscribed(window)
        if subscribed is not None:
            groups[(who.plan, *subscribed)].append(who)
    rows: list[LedgerRow] = []
    for (plan, start, end), members in sorted(groups.items(), key=lambda g: (g[0][0] or "", g[0][1], g[0][2])):
        projected = for_plan(agreement, plan)
        part = window.part(start, end)
        if start >= ledger.cutoff_us:
            continue  # subscribed from after the cut-off: nothing to judge yet
        elapsed = part.part(start, min(end, ledger.cutoff_us))
        shared = _shared_pass(projected, evidence, elapsed, as_of, part)
        theirs = _own_rows_pass(projected, evidence, elapsed, as_of, members, own, part)
        for who in members:
            rows.extend(
                _customer_rows(projected, evidence, window, part, who, shared, theirs, past, fee, as_of, ledger)
            )
    return rows


def _shared_pass(
    agreement: ast.Agreement, evidence: Evidence, part: Window, as_of: date | None, whole: Window
) -> dict[tuple[str, str], ObjectiveResult]:
    """Verdicts on the rows that name no customer: they hold for every customer without rows of its own."""
    tables = _needed_tables(agreement) & set(CUSTOMER_SCOPED)
    evidence.scope_to(tables, Scope(), "ledger_shared")
    try:
        results = judge_objectives(Context(agreement, evidence, part, as_of, explain=False, whole=whole))
    finally:
        evidence.clear_scope()
    return {(r.service, r.objective): r for r in results}


def _own_rows_pass(
    agreement: ast.Agreement,
    evidence: Evidence,
    part: Window,
    as_of: date | None,
    members: list[Subscriber],
    own: dict[str, set[str]],
    whole: Window,
) -> dict[tuple[str, str, str], ObjectiveResult]:
    """One evaluation for every (customer, service) that has rows of its own."""
    names = {m.customer for m in members}
    services: list[ast.Service] = []
    pairs: list[tuple[str, str]] = []
    tables: set[str] = set()
    plain: list[tuple[str, ast.Service, ast.Objective]] = []
    needs = [
        (s, o, set(tables_for(o)), is_plain(o, part) and not _reads_outages(s, o))
        for s in agreement.services
        for o in s.objectives
    ]
    for customer in sorted(names):
        objectives: dict[str, list[ast.Objective]] = {}
        for service, objective, needed, one_query in needs:
            if any(customer in own.get(t, ()) for t in needed):
                if one_query:  # judged by `sladsl.evaluation.ledger_sql`, for all pairs at once
                    plain.append((customer, service, objective))
                else:
                    objectives.setdefault(service.name, []).append(objective)
                    tables |= needed & set(CUSTOMER_SCOPED)
        for service in agreement.services:
            if service.name in objectives:
                composite = f"{customer}{SEPARATOR}{service.name}"
                services.append(ast.Service(composite, tuple(objectives[service.name]), service.span))
                pairs.append((customer, service.name))
    found = judge_plain(evidence, part, whole, plain)
    if not services:
        return found
    evidence.scope_to(tables, Scope(pairs=tuple(pairs)), "ledger_own")
    synthetic = replace(agreement, statements=tuple(services))
    try:
        results = judge_objectives(Context(synthetic, evidence, part, as_of, explain=False, whole=whole))
    finally:
        evidence.clear_scope()
    for result in results:
        customer, _, service_name = result.service.partition(SEPARATOR)
        result.service = service_name
        found[(customer, service_name, result.objective)] = result
    return found


def _reads_outages(service: ast.Service, objective: ast.Objective) -> bool:
    """Draft 3: credits of the objective paid per outage, or claimed from the outage, read the
    counted outages one by one, which only the full evaluation lists (`ObjectiveResult.outages`)."""
    for block in service.credits:
        claim = block.claim_window
        if block.objective == objective.name and (
            block.outage_tiers or (isinstance(claim, ast.ClaimWindow) and claim.from_outage is not None)
        ):
            return True
    return False


def _customer_rows(
    agreement: ast.Agreement,
    evidence: Evidence,
    window: Window,
    part: Window,
    who: Subscriber,
    shared: dict[tuple[str, str], ObjectiveResult],
    theirs: dict[tuple[str, str, str], ObjectiveResult],
    past: dict[str, History],
    fee: ast.Money | None,
    as_of: date | None,
    ledger: Ledger,
) -> list[LedgerRow]:
    results: list[ObjectiveResult] = []
    for service in agreement.services:
        for objective in service.objectives:
            key = (service.name, objective.name)
            own_result = theirs.get((who.customer, *key))
            # a shared verdict is every such customer's: copied before this one's marks
            results.append(own_result or copy.copy(shared[key]))
    provisional = window.end_us > ledger.cutoff_us
    if provisional:
        for result in results:
            result.provisional = True
    history = past[who.customer]
    report = Report(agreement.title, window, plan=who.plan)
    report.objectives = results
    judge_chronic_failures(Context(agreement, evidence, window, as_of), report, history)
    share = part.seconds / window.seconds
    credits = credits_owed(
        agreement, results, part, fee, as_of, who.plan, history, report.notes, who.fee, share, window
    )
    ledger.notes.extend(report.notes)
    if provisional:  # no claim deadline (nor termination window) runs before the period is over
        for owed in credits:
            owed.claim_by, owed.expired = None, False
        for result in results:
            if result.chronic_failure is not None:
                result.chronic_failure.terminate_by = None
    by_key: dict[tuple[str, str], CreditResult] = {(c.service, c.objective): c for c in credits}
    rows: list[LedgerRow] = []
    for result in results:
        if not result.judged and result.reason.startswith("measured per"):
            continue  # another kind of period
        credit = by_key.get((result.service, result.objective))
        chronic = result.chronic_failure
        row = LedgerRow(
            who.customer,
            who.plan,
            result.service,
            result.objective,
            window.label,
            result.measured,
            result.met,
            result.downtime_seconds,
            result.allowed_downtime_seconds,
            credit.tier if credit else None,
            _unless_expired(credit, credit.amount if credit else None),
            credit.currency if credit else None,
            credit.claim_by if credit else None,
            bool(credit and credit.capped),
            bool(chronic and chronic.holds),
            result.provisional,
            "" if result.judged else result.reason,
        )
        remedy = credit.service_time if credit else None
        if remedy is not None:
            row.service_time_seconds = _unless_expired(credit, remedy.seconds)
            row.service_time_value = _unless_expired(credit, remedy.value)
        if credit is not None and credit.claim_from is not None:
            row.claim_from_start, row.claim_from_end = credit.claim_from.start, credit.claim_from.end
        row.terminate_by = chronic.terminate_by if chronic else None
        rows.append(row)
        history.periods.append(
            PastPeriod(result.service, result.objective, window, result.met is False, row.amount or Decimal(0))
        )
    return rows


def _unless_expired(credit: CreditResult | None, value: Decimal | None) -> Decimal | None:
    """What a ledger row owes: nothing (0) once the claim window has passed."""
    if credit is None or value is None:
        return value
    return Decimal(0) if credit.expired else value


# ---- writing ---------------------------------------------------------------------------------


def write_ledger(ledger: Ledger, path: Path) -> None:
    """`.csv`, `.jsonl` or `.parquet` (`sladsl.evaluation.ledger_files`): decimals as exact
    text in every format; the CSV's text cells are safe to open in a spreadsheet."""
    write_records(path, [r.record() for r in ledger.rows], COLUMNS, _BOOLEAN_COLUMNS)


def ledger_csv(records: list[dict[str, Any]]) -> str:
    """The ledger as CSV, as `--ledger OUT.csv` writes it (and standard output shows it)."""
    return csv_text(records, COLUMNS, _BOOLEAN_COLUMNS)
