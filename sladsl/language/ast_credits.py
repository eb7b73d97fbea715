"""The AST's credit nodes: amounts, tiers, caps, minimums, claim windows and the `credits`
block (`sladsl.language.ast` re-exports every name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sladsl.language.ast_values import (
    NO_SPAN,
    Comparison,
    Duration,
    FeeBase,
    Money,
    OnPlans,
    Percent,
    Span,
    Text,
    _all,
    _first,
)

# ---- credits ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PercentOfFee:
    """`10% of monthly fee`, `10% of fees for the period` (draft 1)."""

    percent: Percent
    base: FeeBase
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class TimesDowntimeFees:
    """`10 times the fees for the downtime`: factor x period fees x downtime / period length."""

    factor: Decimal
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class FixedCredit:
    """`250 USD`: a fixed sum in the fee's currency."""

    money: Money
    span: Span = field(default=NO_SPAN, compare=False)


CreditAmount = PercentOfFee | TimesDowntimeFees | FixedCredit


@dataclass(frozen=True, slots=True)
class Tier:
    """`below 99.9%: 10% of monthly fee`; the threshold is a Percent or a Duration."""

    comparison: Comparison
    threshold: Percent | Duration
    amount: CreditAmount
    span: Span = field(default=NO_SPAN, compare=False)

    @property
    def percent_of_fee(self) -> PercentOfFee | None:
        return self.amount if isinstance(self.amount, PercentOfFee) else None


@dataclass(frozen=True, slots=True)
class CreditCap:
    """`at most 100% of monthly fee [per 12 months]`; `rolling` spans this and earlier periods."""

    percent: Percent
    base: FeeBase
    span: Span = field(default=NO_SPAN, compare=False)
    rolling: Duration | None = None


@dataclass(frozen=True, slots=True)
class CreditMinimum:
    """`minimum 50 USD`: the least credit paid once any tier applies."""

    money: Money
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class ClaimWindow:
    """`claim within 30 days` or `claim within 10 business days on "Business hours"`."""

    within: Duration
    span: Span = field(default=NO_SPAN, compare=False)
    calendar: str | None = None
    calendar_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class ClaimByMonthEnd:
    """`claim by the end of the 2nd calendar month after the period` (draft 2)."""

    months_after: int
    span: Span = field(default=NO_SPAN, compare=False)


Claim = ClaimWindow | ClaimByMonthEnd

CreditStatement = Tier | CreditCap | CreditMinimum | ClaimWindow | ClaimByMonthEnd | Text


@dataclass(frozen=True, slots=True)
class Credits:
    """`credits for "Objective" [on plan] { ... }`: tiers, caps and the claim window."""

    objective: str
    statements: tuple[CreditStatement, ...]
    span: Span = field(default=NO_SPAN, compare=False)
    objective_span: Span = field(default=NO_SPAN, compare=False)
    on: OnPlans | None = None

    @property
    def tiers(self) -> tuple[Tier, ...]:
        return _all(self.statements, Tier)

    @property
    def cap(self) -> CreditCap | None:
        """The per-period cap (draft 1 meaning); see `rolling_caps` for `per 12 months`."""
        return self.period_cap

    @property
    def minimum(self) -> CreditMinimum | None:
        return _first(self.statements, CreditMinimum)

    @property
    def rolling_caps(self) -> tuple[CreditCap, ...]:
        return tuple(c for c in _all(self.statements, CreditCap) if c.rolling is not None)

    @property
    def period_cap(self) -> CreditCap | None:
        """The cap on one period's credits (draft 1); rolling caps are `rolling_caps`."""
        return next((c for c in _all(self.statements, CreditCap) if c.rolling is None), None)

    @property
    def claim_window(self) -> Claim | None:
        return next((s for s in self.statements if isinstance(s, ClaimWindow | ClaimByMonthEnd)), None)
