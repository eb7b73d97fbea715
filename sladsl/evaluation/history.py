"""Earlier periods from `--history LEDGER`: read once, checked, handed out per customer.

A history is usually a ledger sladsl wrote before (`--ledger OUT`), sometimes one a person
edited in a spreadsheet. Whatever would make a rolling cap or chronic failure silently
wrong stops with the file, the row and the column (exit 2):

- a CSV row with more or fewer values than the header (a stray comma: `1,600.00`);
- two rows for one customer, service, objective and period (the credit would count twice),
  also where a row with an empty `customer` (every customer's) or `plan` meets a row
  naming one;
- a period of another kind than the objective's (`2026-Q3` for a monthly objective);
- an amount in another `currency` than the fee it is counted against (no exchange rate
  is known: an empty `currency` is taken as the fee's).

Rows naming a plan, service or objective the agreement does not define, or (with a
`customers` table) a customer the table does not list, are a warning and left out, as
evidence rows are (DATA.md).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sladsl.evaluation.credits import History, PastPeriod, fee_in_effect
from sladsl.evaluation.evidence import TABLES, Evidence, EvidenceError
from sladsl.evaluation.ledger_files import unprefix_sql
from sladsl.language import ast
from sladsl.language.diagnostics import SladslError
from sladsl.language.periods import Window, parse_label
from sladsl.language.plans import for_plan

if TYPE_CHECKING:
    from sladsl.evaluation.customers import Subscriber

_ROWS = "history_rows"  # the ledger's rows, numbered in file order, names as written
_KEY = ("customer", "plan", "service", "objective", "period")


@dataclass(frozen=True, slots=True)
class Holder:
    """Whose earlier periods are read: a customer (None: the one customer of a ledger that
    names at most one), its plan (None: the agreement has no plans) and its own fee."""

    customer: str | None
    plan: str | None
    fee: ast.Money | None = None

    def takes(self, customer: str | None, plan: str | None) -> bool:
        """Whether a row of this customer and plan (None: every one) is this holder's."""
        return (customer is None or self.customer is None or customer == self.customer) and (
            plan is None or self.plan is None or plan == self.plan
        )


def read_history(
    evidence: Evidence,
    path: str,
    agreement: ast.Agreement,
    plan: str | None,
    fee: ast.Money | None,
    subscriber: Subscriber | None = None,
) -> History:
    """One customer's history (`evaluate --period P --history LEDGER`): the customer of
    `--customer`, else the agreement's `customer` header, else the ledger's only one."""
    name = subscriber.customer if subscriber is not None else agreement.customer
    holder = Holder(name or None, plan, subscriber.fee if subscriber is not None else None)
    return read_histories(evidence, path, agreement, [holder], fee, listed=False)[0]


def read_histories(
    evidence: Evidence,
    path: str,
    agreement: ast.Agreement,
    holders: Sequence[Holder],
    fee: ast.Money | None,
    listed: bool,
) -> list[History]:
    """Each holder's history, in the holders' order. `listed`: the holders are a
    `customers` table's, and rows naming any other customer are a warning."""
    is_csv = Path(path).suffix.lower() == ".csv"
    if is_csv and Path(path).is_file():  # a missing file: `open_file` says so
        check_csv_shape(path)
    view = evidence.open_file("ledger", path, "--history")
    name: Callable[[str], str] = unprefix_sql if is_csv else (lambda column: f'"{column}"')
    names = ", ".join(f"{name(c)} AS {c}" for c in ("customer", "plan", "service", "objective"))
    evidence.con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_ROWS} AS SELECT row_number() OVER () AS n, {names}, "
        f"period, met, amount, currency FROM {view}"
    )
    checker = _Checker(evidence, path, agreement, holders, fee)
    checker.refuse_repeats()
    if any(h.customer is None for h in holders):
        checker.refuse_several_customers()
    keep = checker.rows_to_keep(listed)
    checker.check_periods(keep)
    checker.check_currencies(keep)
    return checker.histories(keep)


class _Checker:
    """The checks of one history ledger, over the temporary table of its rows."""

    def __init__(
        self,
        evidence: Evidence,
        path: str,
        agreement: ast.Agreement,
        holders: Sequence[Holder],
        fee: ast.Money | None,
    ) -> None:
        self.evidence, self.path, self.agreement, self.holders, self.fee = evidence, path, agreement, holders, fee
        self.windows: dict[str, Window] = {}
        self.params: dict[str, Any] = {}  # the parameters of `rows_to_keep`'s condition
        self.plans = {h.plan for h in holders}
        self.projected = {p: for_plan(agreement, p) for p in self.plans}

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.evidence.con.execute(sql, params or {}).fetchall()

    def fail_at(self, row: int, column: str, message: str) -> None:
        """The error naming this row of the file (`Evidence.locate` words it)."""
        self.evidence.locate("ledger", '"__row" = $row', column, message, {"row": row})

    # ---- one row per customer, plan, service, objective and period --------------------

    def refuse_repeats(self) -> None:
        """Two rows that would both count for one customer's service, objective and period."""
        same = "a.service = b.service AND a.objective = b.objective AND a.period = b.period"
        plans = "(a.plan IS NULL OR b.plan IS NULL OR a.plan = b.plan)"
        found = self.query(
            f"""SELECT b.n, a.n FROM {_ROWS} a JOIN {_ROWS} b ON {same}
                    AND a.customer IS NOT DISTINCT FROM b.customer AND a.n < b.n AND {plans}
                UNION ALL
                SELECT greatest(a.n, b.n), least(a.n, b.n) FROM {_ROWS} a JOIN {_ROWS} b ON {same}
                    AND a.customer IS NULL AND b.customer IS NOT NULL AND {plans}
                ORDER BY 1, 2 LIMIT 1"""
        )
        if not found:
            return
        later, earlier = found[0]
        rows = self.query(
            f"SELECT n, customer, plan, service, objective, period FROM {_ROWS} WHERE n IN ($a, $b)",
            {"a": later, "b": earlier},
        )
        first = next(r for r in rows if r[0] == earlier)
        self.fail_at(
            later,
            "period",
            f"repeats row {earlier} ({_key_words(first[1:])}): a ledger has one row per "
            "customer, plan, service, objective and period, and an empty customer or plan is every one",
        )

    def refuse_several_customers(self) -> None:
        customers = sorted(
            c for (c,) in self.query(f"SELECT DISTINCT customer FROM {_ROWS} WHERE customer IS NOT NULL")
        )
        if len(customers) > 1:
            shown = ", ".join(repr(c) for c in customers[:5])
            raise EvidenceError(
                f"{self.path}: the ledger holds several customers ({shown}); the agreement names none "
                "(give it a `customer` header, or a ledger of one customer)"
            )

    # ---- rows for what the agreement does not define: a warning, left out --------------

    def rows_to_keep(self, listed: bool) -> str:
        """A condition on the rows that are used; the others are warned about (or, naming
        another customer than the one judged, left out silently)."""
        services = [f"{s.name}\x1f{o.name}" for s in self.agreement.services for o in s.objectives]
        plans = list(self.agreement.plans)
        conditions = {
            "plan": ("plan IS NULL OR plan IN (SELECT unnest($plans))", {"plans": plans}),
            "objective": ("service || chr(31) || objective IN (SELECT unnest($pairs))", {"pairs": services}),
        }
        named = [h.customer for h in self.holders if h.customer is not None]
        if len(named) == len(self.holders):
            conditions["customer"] = ("customer IS NULL OR customer IN (SELECT unnest($named))", {"named": named})
        for column, (condition, params) in conditions.items():
            if column == "customer" and not listed:
                continue
            self._warn_left_out(column, condition, params)
        self.params = {k: v for _, p in conditions.values() for k, v in p.items()}
        return " AND ".join(f"({c})" for c, _ in conditions.values())

    def _warn_left_out(self, column: str, condition: str, params: dict[str, Any]) -> None:
        shown = "service, objective" if column == "objective" else column
        found = self.query(
            f"SELECT {shown}, count(*) FROM {_ROWS} WHERE NOT ({condition}) GROUP BY ALL ORDER BY ALL", params
        )
        what = {
            "plan": "plan {0!r}, which the agreement does not declare",
            "objective": "service {0!r}, objective {1!r}, which the agreement does not define",
            "customer": "customer {0!r}, which the customers table does not list",
        }[column]
        for *values, count in found:
            self.evidence.warnings.append(
                f"{self.path}: {count} row{'s name' if count != 1 else ' names'} {what.format(*values)}; left out"
            )

    # ---- periods of the objective's kind ------------------------------------------------

    def check_periods(self, keep: str) -> None:
        found = self.query(
            f"SELECT plan, service, objective, period, min(n) FROM {_ROWS} WHERE {keep} GROUP BY ALL ORDER BY 5",
            self.params,
        )
        for plan, service, objective, label, row in found:
            window = self.window(label, row)
            kinds = self._kinds(plan, service, objective)
            if kinds and window.kind not in kinds:
                measured = " or ".join(sorted(k.value for k in kinds))
                self.fail_at(
                    row,
                    "period",
                    f"{label!r} is a {window.kind.value}, but {service} / {objective} is measured per {measured}",
                )

    def window(self, label: str, row: int) -> Window:
        if label not in self.windows:
            try:
                self.windows[label] = parse_label(label, self.agreement.timezone)
            except SladslError:  # a week 53 in a year without one
                self.fail_at(row, "period", f"{label!r} is not a period")
                raise
        return self.windows[label]

    def _kinds(self, plan: str | None, service: str, objective: str) -> set[ast.PeriodKind]:
        """The kinds of period the objective is measured over, on the plans the row is for."""
        kinds = set()
        for judged, agreement in self.projected.items():
            if plan is not None and judged is not None and plan != judged:
                continue
            found = agreement.service(service)
            measured = found.objective(objective) if found is not None else None
            if measured is not None and measured.period is not None:
                kinds.add(measured.period.kind)
        return kinds

    # ---- amounts in the fee's currency ------------------------------------------------------

    def check_currencies(self, keep: str) -> None:
        found = self.query(
            f"SELECT customer, plan, service, currency, min(n) FROM {_ROWS} "
            f"WHERE ({keep}) AND currency IS NOT NULL GROUP BY ALL ORDER BY 5",
            self.params,
        )
        expected: dict[tuple[str | None, ast.Money | None, str], str | None] = {}
        unnamed = [h for h in self.holders if h.customer is None]
        named: dict[str, list[Holder]] = defaultdict(list)
        for holder in self.holders:
            if holder.customer is not None:
                named[holder.customer].append(holder)
        for customer, plan, service, currency, row in found:
            candidates = self.holders if customer is None else named.get(customer, []) + unnamed
            for holder in candidates:
                if not holder.takes(customer, plan):
                    continue
                key = (holder.plan, holder.fee, service)
                if key not in expected:
                    expected[key] = self._fee_currency(holder, service)
                wanted = expected[key]
                if wanted is not None and wanted != currency:
                    whose = f"the fee of customer {holder.customer!r}" if holder.customer else "the fee"
                    self.fail_at(
                        row,
                        "currency",
                        f"{currency!r} is not the currency of {whose} for service {service!r} ({wanted}): "
                        "a ledger's amounts are in the fee's currency, and none is converted",
                    )

    def _fee_currency(self, holder: Holder, service: str) -> str | None:
        agreement = self.projected[holder.plan]
        found = agreement.service(service)
        if found is None:
            return None
        money = fee_in_effect(agreement, found, holder.plan, holder.fee, self.fee)
        return money.currency if money is not None else None

    # ---- the histories ------------------------------------------------------------------------

    def histories(self, keep: str) -> list[History]:
        rows = self.query(
            f"""SELECT customer, plan, service, objective, period, coalesce(NOT met, false), coalesce(amount, 0), n
                FROM {_ROWS} WHERE {keep} ORDER BY period, n""",
            self.params,
        )
        by_customer: dict[str | None, list[tuple[str | None, PastPeriod]]] = defaultdict(list)
        for customer, plan, service, objective, label, breached, amount, row in rows:
            past = PastPeriod(service, objective, self.window(label, row), bool(breached), Decimal(amount))
            by_customer[customer].append((plan, past))
        everyone = [item for items in by_customer.values() for item in items]
        found = []
        for holder in self.holders:
            items = everyone if holder.customer is None else by_customer[holder.customer] + by_customer[None]
            periods = [p for plan, p in items if holder.takes(None, plan)]
            found.append(History(True, periods, self.path))
        return found


def _key_words(key: Sequence[Any]) -> str:
    customer, plan, service, objective, period = key
    who = f"customer {customer!r}" if customer is not None else "every customer"
    on = f"plan {plan!r}" if plan is not None else "every plan"
    return f"{who}, {on}, {service} / {objective}, {period}"


# ---- chronic failure ------------------------------------------------------------------------------


def holds_at(flags: list[bool], index: int, rule: ast.ChronicFailure) -> bool:
    """Whether the condition holds at period `index`: the N periods ending there all
    breached, or at least M breached among the K ending there (fewer when fewer are known)."""
    if rule.consecutive is not None:
        n = rule.consecutive
        if index + 1 >= n and all(flags[index + 1 - n : index + 1]):
            return True
    if rule.of_any is not None:
        m, k = rule.of_any
        if sum(flags[max(0, index + 1 - k) : index + 1]) >= m:
            return True
    return False


# ---- the CSV's shape ---------------------------------------------------------------------------


def check_csv_shape(path: str) -> None:
    """A CSV ledger has a header naming the needed columns, and every row has one value per
    column. DuckDB's reader guesses the dialect from the file: a ragged row makes it guess
    one column named after the whole header line, and the error it leads to names a column
    that is there. This pass (Python's csv module, the dialect sladsl writes) says which
    row is ragged instead."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            try:
                header = next(reader, None)
                width = _check_header(path, header)
                row, line = 0, reader.line_num + 1
                for fields in reader:
                    if fields:  # a blank line is skipped, as DuckDB skips it
                        row += 1
                        if len(fields) != width:
                            raise EvidenceError(
                                f"{path}: row {row} (line {line}): {len(fields)} values where the header has "
                                f"{width} columns (a value with a comma must be quoted)"
                            )
                    line = reader.line_num + 1
            except csv.Error as exc:
                raise EvidenceError(f"{path}: line {reader.line_num}: not CSV ({exc})") from None
    except UnicodeDecodeError:
        raise EvidenceError(f"{path}: line {_undecodable_line(path)}: not UTF-8 text") from None
    except OSError as exc:
        raise EvidenceError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _check_header(path: str, header: list[str] | None) -> int:
    """The number of columns; an error for an empty file, a repeated or a missing column."""
    columns = [c.name for c in TABLES["ledger"]]
    if not header:
        raise EvidenceError(f"{path}: line 1: no header; a ledger's first line names its columns ({','.join(columns)})")
    for index, name in enumerate(header):
        if name in header[:index]:
            raise EvidenceError(f"{path}: line 1 (the header), column `{name}`: named twice")
    for column in TABLES["ledger"]:
        if not column.optional and column.name not in header:
            hint = " (a ledger's values are separated by commas)" if ";" in header[0] else ""
            raise EvidenceError(
                f"{path}: line 1 (the header): missing column `{column.name}` "
                f"(the columns are: {', '.join(header)}){hint}"
            )
    return len(header)


def _undecodable_line(path: str) -> int:
    """The first line that is not UTF-8 (only on the error path)."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1
