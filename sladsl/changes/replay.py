"""`sladsl diff OLD NEW --data DIR --period A..B`: the same evidence judged under both
versions, through the credit ledger (`sladsl.evaluation.ledger`), and the two ledgers
joined set-based in DuckDB on customer, service, objective and period: the credit each
customer would have received under each version, and the difference.

No customer is evaluated on their own: each version's ledger judges every customer at
once, and one FULL OUTER JOIN ... GROUP BY sets them side by side.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from sladsl.evaluation.evidence_tables import EXTENSIONS
from sladsl.evaluation.ledger import Ledger, evaluate_ledger
from sladsl.language import ast
from sladsl.language.diagnostics import SladslError
from sladsl.language.periods import parse_range

_COLUMNS = ("customer", "service", "objective", "period", "amount", "currency")

_JOIN = """
WITH joined AS (
    SELECT
        coalesce(o.customer, n.customer) AS customer,
        coalesce(o.service, n.service) AS service,
        coalesce(o.objective, n.objective) AS objective,
        coalesce(o.period, n.period) AS period,
        coalesce(o.amount, 0) AS old_amount,
        coalesce(n.amount, 0) AS new_amount,
        coalesce(n.currency, o.currency) AS currency,
        o.currency IS NOT NULL AND n.currency IS NOT NULL AND o.currency <> n.currency AS currency_moved
    FROM old_rows o
    FULL OUTER JOIN new_rows n
      ON o.customer = n.customer AND o.service = n.service
     AND o.objective = n.objective AND o.period = n.period
)
"""


@dataclass(frozen=True, slots=True)
class CustomerCredit:
    customer: str
    currency: str | None
    old: Decimal
    new: Decimal

    @property
    def difference(self) -> Decimal:
        return self.new - self.old

    def record(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "currency": self.currency,
            "old": format(self.old, "f"),
            "new": format(self.new, "f"),
            "difference": format(self.difference, "f"),
        }


@dataclass(frozen=True, slots=True)
class RowChange:
    """One customer x service x objective x period whose credit differs."""

    customer: str
    service: str
    objective: str
    period: str
    currency: str | None
    old: Decimal
    new: Decimal

    def record(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "service": self.service,
            "objective": self.objective,
            "period": self.period,
            "currency": self.currency,
            "old": format(self.old, "f"),
            "new": format(self.new, "f"),
            "difference": format(self.new - self.old, "f"),
        }


@dataclass(slots=True)
class Replay:
    period: str
    customers: list[CustomerCredit] = field(default_factory=list)
    rows: list[RowChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "customers": [c.record() for c in self.customers],
            "rows": [r.record() for r in self.rows],
        }

    def text_lines(self) -> list[str]:
        out = [f"Credits over {self.period}, the same evidence under each version:"]
        width = max([len("customer"), *(len(c.customer) for c in self.customers)])
        out.append(f"  {'customer':<{width}}  {'old':>12}  {'new':>12}  {'difference':>12}")
        for c in self.customers:
            cur = f" {c.currency}" if c.currency else ""
            sign = "+" if c.difference > 0 else ""
            out.append(
                f"  {c.customer:<{width}}  {c.old:>12f}  {c.new:>12f}  {sign + format(c.difference, 'f'):>12}{cur}"
            )
        return out


def replay(
    old: ast.Agreement,
    new: ast.Agreement,
    data: str,
    period: str,
    customers: str | None = None,
    as_of: date | None = None,
) -> Replay:
    """Both ledgers over `period`, then the set-based comparison."""
    with _evidence(data, customers) as folder:
        before = evaluate_ledger(old, folder, parse_range(period, old.timezone), None, as_of)
        after = evaluate_ledger(new, folder, parse_range(period, new.timezone), None, as_of)
    result = compare_ledgers(before, after, period)
    result.notes = list(dict.fromkeys([*before.notes, *after.notes, *before.warnings, *after.warnings]))
    return result


def compare_ledgers(before: Ledger, after: Ledger, period: str) -> Replay:
    con = duckdb.connect()
    try:
        for table, book in (("old_rows", before), ("new_rows", after)):
            con.execute(
                f"CREATE TABLE {table} (customer VARCHAR, service VARCHAR, objective VARCHAR, period VARCHAR, "
                "amount DECIMAL(38, 6), currency VARCHAR)"
            )
            values = [tuple(getattr(r, c) for c in _COLUMNS) for r in book.rows]  # one pass over the rows
            if values:
                con.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?)", values)
        per_customer = con.execute(
            _JOIN
            + """
            SELECT customer, min(currency), count(DISTINCT currency) + bool_or(currency_moved)::INTEGER,
                   sum(old_amount), sum(new_amount)
            FROM joined GROUP BY customer ORDER BY customer
            """
        ).fetchall()
        changed = con.execute(
            _JOIN
            + """
            SELECT customer, service, objective, period, currency, old_amount, new_amount
            FROM joined WHERE old_amount <> new_amount ORDER BY customer, period, service, objective
            """
        ).fetchall()
    finally:
        con.close()
    result = Replay(period)
    for customer, currency, currencies, old_sum, new_sum in per_customer:
        if currencies > 1:
            raise SladslError(
                f"customer {customer!r}: credits in more than one currency (or another currency under NEW) "
                "cannot be compared"
            )
        result.customers.append(CustomerCredit(customer, currency, _money(old_sum), _money(new_sum)))
    result.rows = [RowChange(c, s, o, p, cur, _money(a), _money(b)) for c, s, o, p, cur, a, b in changed]
    return result


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


@contextlib.contextmanager
def _evidence(data: str, customers: str | None) -> Iterator[str]:
    """The evidence folder; with `--customers FILE`, a temporary folder of links to DATA's
    tables and to FILE as the `customers` table."""
    if customers is None:
        yield data
        return
    source, folder = Path(data), Path(customers)
    ext = folder.suffix.lower()
    if ext not in EXTENSIONS:
        raise SladslError(f"--customers {customers}: use a .parquet, .csv or .jsonl file")
    if not folder.is_file():
        raise SladslError(f"--customers {customers}: no such file")
    if not source.is_dir():
        raise SladslError(f"--data {data}: --customers needs a folder of evidence files")
    work = tempfile.mkdtemp(prefix="sladsl-diff-")
    try:
        for entry in source.iterdir():
            if entry.name.split(".", 1)[0] == "customers":
                continue
            os.symlink(entry.resolve(), Path(work) / entry.name)
        os.symlink(folder.resolve(), Path(work) / f"customers{ext}")
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)
