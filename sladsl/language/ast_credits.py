"""The AST's credit nodes: amounts, tiers, caps, minimums, claim windows and the `credits`
block (`sladsl.language.ast` re-exports every name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

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


@dataclass(frozen=True, slots=True)
class ServiceTime:
    """`3 days of service` (draft 3): a remedy in service time (the document says "days of service credit": the source does not say where the time goes); its value
    in money is the period's fees x the time / the period's length."""

    duration: Duration
    span: Span = field(default=NO_SPAN, compare=False)


CreditAmount = PercentOfFee | TimesDowntimeFees | FixedCredit | ServiceTime


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
class OutageTier:
    """`for each outage [longer than D]: AMOUNT [per [started] U] [, at most CAP]` (draft 3):
    judged outage by outage (the outages that count), then summed for the period.

    `per` multiplies the amount by the outage's units of `per`: whole units, or every begun
    one with `started`. `cap` bounds one outage's credit.
    """

    amount: CreditAmount
    span: Span = field(default=NO_SPAN, compare=False)
    longer_than: Duration | None = None
    per: Duration | None = None
    started: bool = False
    cap: PercentOfFee | ServiceTime | None = None


@dataclass(frozen=True, slots=True)
class ServiceTimeCap:
    """`at most 15 days of service [per 12 months]` (draft 3): a cap on remedies in service time."""

    limit: ServiceTime
    span: Span = field(default=NO_SPAN, compare=False)
    rolling: Duration | None = None


@dataclass(frozen=True, slots=True)
class CreditThreshold:
    """`pay credits only above 1 USD` (draft 3): a credit is paid only when, rounded to the
    currency's minor unit, it is greater than this."""

    money: Money
    span: Span = field(default=NO_SPAN, compare=False)


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
    from_outage: OutageEdge | None = None


class OutageEdge(StrEnum):
    """Where a claim window counted from the outage starts (draft 3)."""

    START = "start"  # `claim within 10 days of the outage`
    END = "end"  # `claim within 15 days after the outage ends`


@dataclass(frozen=True, slots=True)
class ClaimByMonthEnd:
    """`claim by the end of the 2nd calendar month after the period` (draft 2)."""

    months_after: int
    span: Span = field(default=NO_SPAN, compare=False)


Claim = ClaimWindow | ClaimByMonthEnd

CreditStatement = (
    Tier
    | OutageTier
    | CreditCap
    | ServiceTimeCap
    | CreditMinimum
    | CreditThreshold
    | ClaimWindow
    | ClaimByMonthEnd
    | Text
)


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
    def outage_tiers(self) -> tuple[OutageTier, ...]:
        return _all(self.statements, OutageTier)

    @property
    def all_tiers(self) -> tuple[Tier | OutageTier, ...]:
        """Threshold tiers and per-outage tiers (draft 3), in source order."""
        return tuple(s for s in self.statements if isinstance(s, Tier | OutageTier))

    @property
    def minimum(self) -> CreditMinimum | None:
        return _first(self.statements, CreditMinimum)

    @property
    def threshold(self) -> CreditThreshold | None:
        return _first(self.statements, CreditThreshold)

    @property
    def service_cap(self) -> ServiceTimeCap | None:
        """The cap on one period's remedies in service time (no rolling span)."""
        return next((c for c in _all(self.statements, ServiceTimeCap) if c.rolling is None), None)

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
