"""The evaluation report: plain values that the JSON, text and HTML outputs all read.

Decimal quantities stay `Decimal` here and become strings in JSON (REPORT.md), so that
no precision is lost between the evidence and the credit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sladsl.periods import Window


def decimal_text(value: Decimal | None) -> str | None:
    """`3000`, `2678.4`, `99.88799...`: exact, without exponent or trailing zeros."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@dataclass
class Evidence:
    """One piece of evidence behind a verdict, for explanations."""

    what: str
    start: datetime | None = None
    end: datetime | None = None
    seconds: Decimal | None = None
    counted: bool = True
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "seconds": decimal_text(self.seconds),
            "counted": self.counted,
            "reason": self.reason,
        }


@dataclass
class ObjectiveResult:
    service: str
    objective: str
    kind: str  # availability, latency
    period: str
    target: Decimal
    unit: str  # "%" or "ms"
    judged: bool = False
    reason: str = ""
    measured: Decimal | None = None
    met: bool | None = None
    downtime_seconds: Decimal | None = None
    excluded_seconds: Decimal | None = None
    allowed_downtime_seconds: Decimal | None = None
    explanation: list[Evidence] = field(default_factory=list)
    daily: list[tuple[date, Decimal]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "service": self.service,
            "objective": self.objective,
            "kind": self.kind,
            "period": self.period,
            "target": decimal_text(self.target),
            "unit": self.unit,
            "judged": self.judged,
            "measured": decimal_text(self.measured),
            "met": self.met,
        }
        if self.kind == "availability":
            data["downtime_seconds"] = decimal_text(self.downtime_seconds)
            data["excluded_seconds"] = decimal_text(self.excluded_seconds)
            data["allowed_downtime_seconds"] = decimal_text(self.allowed_downtime_seconds)
        if not self.judged:
            data["reason"] = self.reason
        data["explanation"] = [e.to_json() for e in self.explanation]
        return data


@dataclass
class SupportResult:
    plan: str
    priority: str
    tickets: int
    met: int
    pending: int
    target: Decimal
    judged: bool = True
    reason: str = ""
    explanation: list[Evidence] = field(default_factory=list)

    @property
    def compliance(self) -> Decimal | None:
        due = self.tickets - self.pending
        return None if due == 0 else Decimal(self.met) / Decimal(due) * 100

    @property
    def ok(self) -> bool | None:
        compliance = self.compliance
        return None if compliance is None or not self.judged else compliance >= self.target

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "plan": self.plan,
            "priority": self.priority,
            "tickets": self.tickets,
            "met": self.met,
            "pending": self.pending,
            "compliance": decimal_text(self.compliance),
            "target": decimal_text(self.target),
            "ok": self.ok,
        }
        if not self.judged:
            data["reason"] = self.reason
        data["explanation"] = [e.to_json() for e in self.explanation]
        return data


@dataclass
class ClauseResult:
    """Security, reporting and certification clauses: met, breached or not judged."""

    section: str
    clause: str
    met: bool | None
    judged: bool
    reason: str = ""
    explanation: list[Evidence] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "clause": self.clause,
            "judged": self.judged,
            "met": self.met,
            "reason": self.reason,
            "explanation": [e.to_json() for e in self.explanation],
        }


@dataclass
class CreditResult:
    service: str
    objective: str
    percent: Decimal
    amount: Decimal | None
    currency: str | None
    tier: str
    claim_by: date | None
    expired: bool
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "objective": self.objective,
            "percent": decimal_text(self.percent),
            "amount": None if self.amount is None else format(self.amount, "f"),
            "currency": self.currency,
            "tier": self.tier,
            "claim_by": self.claim_by.isoformat() if self.claim_by else None,
            "expired": self.expired,
            "reason": self.reason,
        }


@dataclass
class Report:
    agreement: str
    window: Window
    objectives: list[ObjectiveResult] = field(default_factory=list)
    support: list[SupportResult] = field(default_factory=list)
    clauses: list[ClauseResult] = field(default_factory=list)
    credits: list[CreditResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    as_of: date | None = None

    @property
    def verdicts(self) -> list[bool]:
        found = [o.met for o in self.objectives if o.judged and o.met is not None]
        found += [s.ok for s in self.support if s.ok is not None]
        found += [c.met for c in self.clauses if c.judged and c.met is not None]
        return found

    @property
    def status(self) -> str:
        verdicts = self.verdicts
        if not verdicts:
            return "no-data"
        return "met" if all(verdicts) else "breached"

    @property
    def totals(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for credit in self.credits:
            if credit.amount is not None and credit.currency and not credit.expired:
                totals[credit.currency] = totals.get(credit.currency, Decimal(0)) + credit.amount
        return totals

    def to_json(self) -> dict[str, Any]:
        totals = self.totals
        if len(totals) == 1:
            ((currency, amount),) = totals.items()
            total: dict[str, Any] = {"amount": format(amount, "f"), "currency": currency}
        elif not totals:
            total = {"amount": "0", "currency": None}
        else:
            total = {
                "amount": None,
                "currency": None,
                "by_currency": [{"amount": format(a, "f"), "currency": c} for c, a in sorted(totals.items())],
            }
        return {
            "agreement": self.agreement,
            "period": {
                "label": self.window.label,
                "start": self.window.start.isoformat(),
                "end": self.window.end.isoformat(),
            },
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "status": self.status,
            "objectives": [o.to_json() for o in self.objectives],
            "support": [s.to_json() for s in self.support],
            "clauses": [c.to_json() for c in self.clauses],
            "credits": [c.to_json() for c in self.credits],
            "total_credit": total,
            "warnings": self.warnings,
        }
