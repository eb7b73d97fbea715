"""The report's credits (`sladsl.evaluation.report` re-exports every name): the credit owed
for one objective and, in draft 3, its outages one by one and its remedy in service time;
with the values they are made of, exact decimals as text and the outages that count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sladsl.language.units import describe_seconds


def decimal_text(value: Decimal | None) -> str | None:
    """`3000`, `2678.4`, `99.88799...`: exact, without exponent or trailing zeros."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@dataclass(frozen=True, slots=True)
class CountedOutage:
    """One outage that counts towards a time-based verdict (draft 3's per-outage credits and
    claim windows read them): its start and end, clipped to the period, and the downtime it
    counts after the short-outage rule, maintenance, rounding, clock units and weights."""

    start: datetime
    end: datetime
    seconds: Decimal


@dataclass
class OutageCredit:
    """Draft 3 `for each outage ...`: what one counted outage earned, before the block's caps
    (`amount` exact, unrounded; `service_seconds` a remedy in service time)."""

    outage: CountedOutage
    tier: str | None  # the tier that applied; None when none did (too short)
    units: int | None = None  # `per [started] U`: the units the amount was multiplied by
    amount: Decimal | None = None
    service_seconds: Decimal | None = None
    capped: bool = False  # bounded by the tier's own `at most`

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.outage.start.isoformat(),
            "end": self.outage.end.isoformat(),
            "seconds": decimal_text(self.outage.seconds),
            "tier": self.tier,
            "units": self.units,
            "amount": decimal_text(self.amount),
            "service_seconds": decimal_text(self.service_seconds),
            "capped": self.capped,
        }


@dataclass
class ServiceTimeRemedy:
    """Draft 3 `3 days of service`: a remedy in service time, and beside it its value in
    money at the fee for that time (the period's fees x the time / the period's days)."""

    seconds: Decimal
    value: Decimal | None  # rounded to the currency's minor unit; None without a fee
    currency: str | None
    capped: bool = False  # bounded by `at most N days of service`

    @property
    def words(self) -> str:
        return describe_seconds(self.seconds) if self.seconds else "0 seconds"

    @property
    def value_words(self) -> str:
        if self.value is None:
            return ""
        return f"worth {self.value} {self.currency} at the fee for that time"

    def to_json(self) -> dict[str, Any]:
        return {
            "seconds": decimal_text(self.seconds),
            "words": self.words,
            "value": None if self.value is None else format(self.value, "f"),
            "currency": self.currency,
            "value_basis": "the fees for the period x the service time / the days of the period",
            "capped": self.capped,
        }


@dataclass
class CreditResult:
    service: str
    objective: str
    percent: Decimal | None  # the tier's percent of a fee; None for the other amount forms
    amount: Decimal | None
    currency: str | None
    tier: str
    claim_by: date | None
    expired: bool
    reason: str = ""
    basis: str = "monthly fee"  # monthly fee, fees for the period, fees for the downtime, fixed
    factor: Decimal | None = None  # `N times the fees for the downtime`
    capped: bool = False  # reduced (or cut to 0) by a per-period or rolling cap
    period: str | None = None  # the label of the period the credit is for
    provisional: bool = False  # the period had not ended at --as-of: the amount is not final
    # draft 3: a remedy in service time (`amount` is then the money part, None when there
    # is none); the outages of `for each outage` tiers; the outage a claim window runs from
    service_time: ServiceTimeRemedy | None = None
    outages: list[OutageCredit] | None = None
    claim_from: CountedOutage | None = None
    claim_from_edge: str | None = None  # "start" or "end": the edge of `claim_from` counted from

    def to_json(self) -> dict[str, Any]:
        data = self._json()
        if self.service_time is not None:
            data["service_time"] = self.service_time.to_json()
        if self.outages is not None:
            data["outages"] = [o.to_json() for o in self.outages]
        if self.claim_from_edge is not None:
            outage = self.claim_from
            data["claim_from"] = (
                None
                if outage is None
                else {"start": outage.start.isoformat(), "end": outage.end.isoformat(), "edge": self.claim_from_edge}
            )
        return data

    def _json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "objective": self.objective,
            "period": self.period,
            "provisional": self.provisional,
            "percent": decimal_text(self.percent),
            "basis": self.basis,
            "factor": decimal_text(self.factor),
            "amount": None if self.amount is None else format(self.amount, "f"),
            "currency": self.currency,
            "tier": self.tier,
            "claim_by": self.claim_by.isoformat() if self.claim_by else None,
            "expired": self.expired,
            "capped": self.capped,
            "reason": self.reason,
        }
