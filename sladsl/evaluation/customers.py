"""The `customers` table of a credit ledger (DATA.md draft 2, "Many customers").

One row per customer: its plan, its own monthly fee and currency (replacing the
agreement's), and the part of time it was subscribed. A bad row names the file, the row
and the column (exit 2). A customer's fee is held to the agreement's rules on currencies:
a fixed credit paid against it must be in its currency (the checker's E122), since no
exchange rate is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sladsl.evaluation.credits import fee_in_effect, foreign_fixed_credit, tier_words
from sladsl.evaluation.engines import open_evidence
from sladsl.evaluation.evidence import Evidence, EvidenceError
from sladsl.language import ast
from sladsl.language.currencies import is_currency
from sladsl.language.diagnostics import SladslError
from sladsl.language.periods import Window
from sladsl.language.plans import for_plan


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
    projected = {p: for_plan(agreement, p) for p in {row[1] for row in rows}}
    for name, plan, fee, currency, start, end, copies in rows:
        if copies > 1:
            evidence.locate("customers", "customer = $c", "customer", "{value} is listed twice", {"c": name})
        if currency is not None and not is_currency(currency):
            evidence.locate(
                "customers", "customer = $c", "currency", "{value} is not an ISO 4217 currency code", {"c": name}
            )
        own = projected[plan].fee_for(plan) or projected[plan].fee
        default_currency = own.money.currency if own else None
        if fee is not None and currency is None and default_currency is None:
            evidence.locate(
                "customers",
                "customer = $c",
                "currency",
                "a fee needs a currency: the agreement has no fee",
                {"c": name},
            )
        if fee is None and currency is not None and currency != default_currency:
            fallback = f"the agreement's fee, in {default_currency}, applies" if default_currency else "no fee"
            evidence.locate(
                "customers",
                "customer = $c",
                "currency",
                f"{{value}} without a fee ({fallback}): give the fee, or leave the currency empty",
                {"c": name},
            )
        money = None if fee is None else ast.Money(Decimal(fee), currency or default_currency or "")
        if money is not None:
            _check_fee_currency(evidence, projected[plan], name, plan, money)
        subscribers.append(Subscriber(name, plan, money, start, end))
    return subscribers


def _check_fee_currency(
    evidence: Evidence, agreement: ast.Agreement, name: str, plan: str | None, fee: ast.Money
) -> None:
    """The checker's E122 for a fee of the customers table: a fixed credit (`100 USD`) of
    a service whose credits the customer's fee pays must be in that fee's currency (no
    exchange rate is known). A minimum in another currency is a warning, as W205 is."""
    for service in agreement.services:
        if fee_in_effect(agreement, service, plan, fee, None) is not fee:
            continue  # the service's own fee pays its credits: checked with the agreement
        tier = foreign_fixed_credit(service, fee.currency)
        if tier is not None:
            assert isinstance(tier.amount, ast.FixedCredit)
            evidence.locate(
                "customers",
                "customer = $c",
                "currency",
                f"the fee is in {fee.currency} but the credit `{tier_words(tier)}` of service {service.name!r} "
                f"is in {tier.amount.money.currency}: a credit is paid in its fee's currency (E122), and none "
                "is converted",
                {"c": name},
            )
        for block in service.credits:
            minimum = block.minimum
            if minimum is not None and minimum.money.currency != fee.currency:
                evidence.warnings.append(
                    f"{evidence.origin('customers')}: customer {name!r}: the fee is in {fee.currency} but the "
                    f"minimum of {service.name} / {block.objective} is in {minimum.money.currency}"
                )


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
