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
import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sladsl import ast
from sladsl.currencies import is_currency
from sladsl.diagnostics import SladslError
from sladsl.evaluation.context import Context
from sladsl.evaluation.credits import History, PastPeriod, credits_owed
from sladsl.evaluation.engines import open_evidence
from sladsl.evaluation.evaluate import judge_chronic_failures, judge_objectives, tables_for
from sladsl.evaluation.evidence import CUSTOMER_SCOPED, SEPARATOR, Evidence, EvidenceError, Scope
from sladsl.evaluation.report import CreditResult, ObjectiveResult, Report, decimal_text
from sladsl.periods import Window, parse_label
from sladsl.plans import for_plan, resolve_plan
from sladsl.sources import write_atomically

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
    "chronic_failure",
)
_BOOLEAN_COLUMNS = frozenset({"met", "capped", "chronic_failure"})


@dataclass(frozen=True, slots=True)
class Subscriber:
    """One row of the `customers` table, validated."""

    customer: str
    plan: str | None
    fee: ast.Money | None
    start_us: int | None
    end_us: int | None

    def subscribed(self, window: Window) -> tuple[int, int] | None:
        """The part of the period this customer was subscribed, in epoch microseconds."""
        start = max(window.start_us, self.start_us if self.start_us is not None else window.start_us)
        end = min(window.end_us, self.end_us if self.end_us is not None else window.end_us)
        return (start, end) if start < end else None


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

    def record(self) -> dict[str, Any]:
        """JSON-ready values: decimals as strings, exactly (as in the report)."""
        out: dict[str, Any] = {}
        for name in COLUMNS:
            value = getattr(self, name)
            if isinstance(value, Decimal):
                out[name] = format(value, "f") if name == "amount" else decimal_text(value)
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


# ---- customers ------------------------------------------------------------------------------


def read_customers(evidence: Evidence, agreement: ast.Agreement) -> list[Subscriber]:
    """The `customers` table; a bad plan, fee, currency or date names its row and column."""
    view = evidence.require("customers", "the credit ledger")
    evidence.require_values("customers", "customer")
    plans = list(agreement.plans)
    if plans:
        evidence.require_values("customers", "plan", "the agreement has plans: every customer needs one")
        bad = evidence.con.execute(f"SELECT count(*) FROM {view} WHERE plan NOT IN (SELECT unnest($p))", {"p": plans})
        if bad.fetchone() != (0,):
            choices = ", ".join(f'"{p}"' for p in plans)
            evidence.locate(
                "customers",
                "plan NOT IN (SELECT unnest($p))",
                "plan",
                f"{{value}} is not a plan: {choices}",
                {"p": plans},
            )
    elif evidence.con.execute(f"SELECT count(*) FROM {view} WHERE plan IS NOT NULL").fetchone() != (0,):
        evidence.locate("customers", "plan IS NOT NULL", "plan", "{value}: the agreement declares no plans")
    rows = evidence.con.execute(
        f"""SELECT customer, plan, fee, currency, epoch_us("start"), epoch_us("end"), count(*) OVER (PARTITION BY customer)
            FROM {view} ORDER BY customer"""
    ).fetchall()
    subscribers: list[Subscriber] = []
    default_currency = agreement.fee.money.currency if agreement.fee else None
    for name, plan, fee, currency, start, end, copies in rows:
        if copies > 1:
            evidence.locate("customers", "customer = $c", "customer", "{value} is listed twice", {"c": name})
        if currency is not None and not is_currency(currency):
            evidence.locate(
                "customers", "customer = $c", "currency", "{value} is not an ISO 4217 currency code", {"c": name}
            )
        if fee is not None and currency is None and default_currency is None:
            evidence.locate(
                "customers",
                "customer = $c",
                "currency",
                "a fee needs a currency: the agreement has no fee",
                {"c": name},
            )
        money = None if fee is None else ast.Money(Decimal(fee), currency or default_currency or "")
        subscribers.append(Subscriber(name, plan, money, start, end))
    return subscribers


# ---- history --------------------------------------------------------------------------------


def read_histories(evidence: Evidence, path: str, zone: str) -> dict[str | None, list[tuple[str | None, PastPeriod]]]:
    """Earlier periods from `--history LEDGER`, by customer (None: rows for every customer)."""
    view = evidence.open_file("ledger", path, "--history")
    rows = evidence.con.execute(
        f"""SELECT customer, plan, service, objective, period, bool_or(NOT coalesce(met, true)), coalesce(sum(amount), 0)
            FROM {view} GROUP BY ALL ORDER BY period"""
    ).fetchall()
    found: dict[str | None, list[tuple[str | None, PastPeriod]]] = defaultdict(list)
    windows: dict[str, Window] = {}
    for customer, plan, service, objective, label, breached, amount in rows:
        if label not in windows:
            try:
                windows[label] = parse_label(label, zone)
            except SladslError:
                evidence.locate("ledger", "period = $label", "period", "{value} is not a period", {"label": label})
        found[customer].append((plan, PastPeriod(service, objective, windows[label], bool(breached), Decimal(amount))))
    return found


def _history_for(
    histories: dict[str | None, list[tuple[str | None, PastPeriod]]], known: bool, who: Subscriber
) -> History:
    periods = [p for plan, p in histories.get(who.customer, []) + histories.get(None, []) if plan in (None, who.plan)]
    return History(known, periods)


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
    evidence = open_evidence(data, agreement.timezone, engine)
    ledger = Ledger()
    try:
        if evidence.has("customers"):
            if plan is not None:
                raise SladslError("--plan: the customers table gives each customer's plan")
            subscribers = read_customers(evidence, agreement)
        else:
            subscribers = [Subscriber(agreement.customer or "", resolve_plan(agreement, plan), None, None, None)]
        histories = read_histories(evidence, str(history), agreement.timezone) if history is not None else {}
        judged = {w.label for w in windows}  # a period the range judges replaces the ledger's row for it
        histories = {c: [(p, x) for p, x in rows if x.period.label not in judged] for c, rows in histories.items()}
        past = {s.customer: _history_for(histories, history is not None, s) for s in subscribers}
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
        shared = _shared_pass(projected, evidence, part, as_of)
        theirs = _own_rows_pass(projected, evidence, part, as_of, members, own)
        for who in members:
            rows.extend(
                _customer_rows(projected, evidence, window, part, who, shared, theirs, past, fee, as_of, ledger)
            )
    return rows


def _shared_pass(
    agreement: ast.Agreement, evidence: Evidence, part: Window, as_of: date | None
) -> dict[tuple[str, str], ObjectiveResult]:
    """Verdicts on the rows that name no customer: they hold for every customer without rows of its own."""
    tables = _needed_tables(agreement) & set(CUSTOMER_SCOPED)
    evidence.scope_to(tables, Scope(), "ledger_shared")
    try:
        results = judge_objectives(Context(agreement, evidence, part, as_of, explain=False))
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
) -> dict[tuple[str, str, str], ObjectiveResult]:
    """One evaluation for every (customer, service) that has rows of its own."""
    names = {m.customer for m in members}
    services: list[ast.Service] = []
    pairs: list[tuple[str, str]] = []
    tables: set[str] = set()
    for customer in sorted(names):
        for service in agreement.services:
            objectives = []
            for objective in service.objectives:
                needed = set(tables_for(objective))
                if any(customer in own.get(t, ()) for t in needed):
                    objectives.append(objective)
                    tables |= needed & set(CUSTOMER_SCOPED)
            if objectives:
                services.append(ast.Service(f"{customer}{SEPARATOR}{service.name}", tuple(objectives), service.span))
                pairs.append((customer, service.name))
    if not services:
        return {}
    evidence.scope_to(tables, Scope(pairs=tuple(pairs)), "ledger_own")
    synthetic = replace(agreement, statements=tuple(services))
    try:
        results = judge_objectives(Context(synthetic, evidence, part, as_of, explain=False))
    finally:
        evidence.clear_scope()
    found: dict[tuple[str, str, str], ObjectiveResult] = {}
    for result in results:
        customer, _, service_name = result.service.partition(SEPARATOR)
        result.service = service_name
        found[(customer, service_name, result.objective)] = result
    return found


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
            result = theirs.get((who.customer, *key)) or shared[key]
            results.append(copy.copy(result))
    history = past[who.customer]
    report = Report(agreement.title, window, plan=who.plan)
    report.objectives = results
    judge_chronic_failures(Context(agreement, evidence, window, as_of), report, history)
    share = part.seconds / window.seconds
    credits = credits_owed(
        agreement, results, part, fee, as_of, who.plan, history, report.notes, who.fee, share, window
    )
    ledger.notes.extend(report.notes)
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
            credit.amount if credit and not credit.expired else (Decimal(0) if credit else None),
            credit.currency if credit else None,
            credit.claim_by if credit else None,
            bool(credit and credit.capped),
            bool(chronic and chronic.holds),
        )
        rows.append(row)
        history.periods.append(
            PastPeriod(result.service, result.objective, window, result.met is False, row.amount or Decimal(0))
        )
    return rows


# ---- writing ---------------------------------------------------------------------------------


def write_ledger(ledger: Ledger, path: Path) -> None:
    """`.csv`, `.jsonl` or `.parquet`; decimals are written as exact text in every format."""
    suffix = path.suffix.lower()
    records = [r.record() for r in ledger.rows]
    if suffix == ".jsonl":
        write_atomically(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8"))
    elif suffix == ".csv":
        write_atomically(path, ledger_csv(records).encode("utf-8"))
    elif suffix == ".parquet":
        write_atomically(path, _parquet_bytes(records))
    else:
        raise SladslError(f"--ledger {path}: write .csv, .jsonl or .parquet")


def ledger_csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow(
            [
                "" if record[c] is None else (str(record[c]).lower() if c in _BOOLEAN_COLUMNS else record[c])
                for c in COLUMNS
            ]
        )
    return out.getvalue()


def _parquet_bytes(records: list[dict[str, Any]]) -> bytes:
    import tempfile

    import duckdb

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "ledger.csv"
        target = Path(folder) / "ledger.parquet"
        source.write_text(ledger_csv(records), encoding="utf-8")
        columns = ", ".join(
            f'CAST(NULLIF("{c}", \'\') AS BOOLEAN) AS "{c}"'
            if c in _BOOLEAN_COLUMNS
            else f'NULLIF("{c}", \'\') AS "{c}"'
            for c in COLUMNS
        )
        con = duckdb.connect()
        try:
            con.execute(
                f"COPY (SELECT {columns} FROM read_csv('{source}', all_varchar = true, header = true)) "
                f"TO '{target}' (FORMAT parquet)"
            )
        finally:
            con.close()
        return target.read_bytes()


def has_customers(source: str | Path, agreement: ast.Agreement) -> bool:
    evidence = Evidence(source, agreement.timezone)  # finding a file: no engine needed
    try:
        return evidence.has("customers")
    finally:
        evidence.close()


def customer_subscriber(
    evidence_source: str | Path, agreement: ast.Agreement, name: str, engine: str = "duckdb"
) -> Subscriber:
    """One row of the customers table, for `--customer ID`."""
    evidence = open_evidence(evidence_source, agreement.timezone, engine)
    try:
        if not evidence.has("customers"):
            raise EvidenceError(f"--customer {name!r}: the data source has no customers table")
        found = next((s for s in read_customers(evidence, agreement) if s.customer == name), None)
    finally:
        evidence.close()
    if found is None:
        raise SladslError(f"--customer {name!r} is not in the customers table")
    return found
