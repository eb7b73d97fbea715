"""A credit ledger summarised for a person at a terminal.

A portfolio's ledger is thousands of CSV rows; on a screen what matters is how many
customers and rows, how many breached or not judged, what is owed in each currency, and
the largest credits. The full ledger goes to a file (`--ledger FILE`) or, as CSV or
JSON, to a pipe (`--format csv|json`).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sladsl.evaluation.ledger import Ledger, LedgerRow
from sladsl.language.units import describe_seconds
from sladsl.terminal import Block, Cell, Table, draw

TOP = 10
"""Credits listed by amount: the ones worth a look before opening the ledger."""

REASONS = 5
"""Reasons for rows not judged, most frequent first."""

_STATUS_STYLES = {"met": "bold green", "breached": "bold red", "incomplete": "bold yellow"}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _totals(rows: list[LedgerRow]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for row in rows:
        if row.amount is not None and row.currency:
            totals[row.currency] = totals.get(row.currency, Decimal(0)) + row.amount
    return totals


def _counts(book: Ledger) -> list[Block]:
    statuses = Counter(row.status for row in book.rows)
    customers = len({row.customer for row in book.rows})
    line = (
        f"{_plural(customers, 'customer')}, {_plural(len(book.rows), 'row')}: {statuses['met']:,} met, "
        f"{statuses['breached']:,} breached, {statuses['incomplete']:,} not judged (incomplete)"
    )
    out: list[Block] = [line]
    reasons = Counter(row.reason or "no reason given" for row in book.rows if row.status == "incomplete")
    for reason, count in reasons.most_common(REASONS):
        out.append(f"  not judged: {count:,} × {reason}")
    if len(reasons) > REASONS:
        out.append(f"  not judged: {len(reasons) - REASONS} more reasons (see the `reason` column)")
    provisional = sum(row.provisional for row in book.rows)
    if provisional:
        out.append((f"PROVISIONAL: {provisional:,} rows are for a period not yet ended; not final", "bold yellow"))
    return out


def _draft3_lines(rows: list[LedgerRow]) -> list[Block]:
    """Remedies in service time (never in the credits owed) and termination rights."""
    out: list[Block] = []
    remedies = [r for r in rows if r.service_time_seconds]
    if remedies:
        seconds = sum((r.service_time_seconds or Decimal(0) for r in remedies), Decimal(0))
        values: dict[str, Decimal] = {}
        for row in remedies:
            if row.service_time_value is not None and row.currency:
                values[row.currency] = values.get(row.currency, Decimal(0)) + row.service_time_value
        worth = ", ".join(f"{amount} {currency}" for currency, amount in sorted(values.items()))
        out.append(
            f"service time owed: {describe_seconds(seconds)} in {_plural(len(remedies), 'row')}"
            + (f" (worth {worth} at the fee for that time; not in the credits owed)" if worth else "")
        )
    rights = [r for r in rows if r.terminate_by is not None]
    if rights:
        last = max(r.terminate_by for r in rights if r.terminate_by is not None)
        out.append(f"termination rights: {_plural(len(rights), 'row')} (chronic failure), the latest until {last}")
    return out


def _top(rows: list[LedgerRow]) -> list[Block]:
    owed = [row for row in rows if row.amount is not None and row.amount > 0]
    if not owed:
        return []
    owed.sort(key=lambda r: (-(r.amount or Decimal(0)), r.customer, r.service, r.objective, r.period))
    table: list[list[Cell]] = [
        [
            row.customer,
            row.plan or "",
            f"{row.service} / {row.objective}",
            row.period,
            f"{row.amount} {row.currency or ''}".strip(),
            row.tier or "",
        ]
        for row in owed[:TOP]
    ]
    title = f"largest credits ({min(TOP, len(owed))} of {len(owed):,}):"
    return ["", title, Table(["customer", "plan", "clause", "period", "amount", "tier"], table, frozenset({2, 5}))]


def render_summary(
    book: Ledger, agreement: str, period: str, written: str | None, width: int | None, colour: bool
) -> str:
    """The ledger's counts, credits per currency and largest credits, and where the full
    ledger is."""
    out: list[Block] = [agreement, f"ledger for {period}", ""]
    out += _counts(book)
    totals = _totals(book.rows)
    owed = ", ".join(f"{amount} {currency}" for currency, amount in sorted(totals.items())) or "none"
    out.append(f"credits owed: {owed}")
    out += _draft3_lines(book.rows)
    out += _top(book.rows)
    out.append("")
    out.append((f"status: {book.status}", _STATUS_STYLES.get(book.status)))
    if written is not None:
        out.append(f"the full ledger is in {written}")
    else:
        out.append("the full ledger: --ledger FILE (.csv, .jsonl, .parquet), or --format csv|json to standard output")
    return draw(out, width, colour) + "\n"
