"""The evaluation report: plain values that the JSON, text and HTML outputs all read.

Decimal quantities stay `Decimal` here and become strings in JSON (REPORT.md), so that
no precision is lost between the evidence and the credit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sladsl.evaluation.report_credits import CountedOutage as CountedOutage
from sladsl.evaluation.report_credits import CreditResult as CreditResult
from sladsl.evaluation.report_credits import OutageCredit as OutageCredit
from sladsl.evaluation.report_credits import ServiceTimeRemedy as ServiceTimeRemedy
from sladsl.evaluation.report_credits import decimal_text as decimal_text
from sladsl.language.periods import Window

# The JSON report's layout version (`schema_version`): raised when a key changes meaning or
# goes away, so that a billing script can refuse a report it was not written for.
REPORT_SCHEMA_VERSION = 2

# The reason an objective with no evidence rows at all in its period is not judged.
NO_EVIDENCE = "no evidence in the period"


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
class WindowCounts:
    """Per-window latency (draft 2): how many of the period's windows met the bound."""

    total: int
    met: int
    without_samples: int
    window_seconds: Decimal
    bound_ms: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "met": self.met,
            "without_samples": self.without_samples,
            "window_seconds": decimal_text(self.window_seconds),
            "bound_ms": decimal_text(self.bound_ms),
        }


@dataclass
class ChronicResult:
    """`chronic failure when ...` (draft 2): whether it holds at the judged period.

    `since` is the first period of the unbroken run of periods, ending with the judged
    one, at each of which the condition holds; `first_held` the earliest period at which
    it held at all; `breached` the breached periods known (history and this one).
    Draft 3: `terminate_by` is the last day on which the customer may terminate (`,
    terminate within D`, counted from the end of the judged period, when the condition
    holds there); `plan` names the support plan of `support target missed`.
    """

    holds: bool
    since: str | None
    first_held: str | None
    breached: list[str]
    history_known: bool
    terminate_by: date | None = None
    terminate_within: str | None = None  # `30 days`: set when the clause gives a window
    plan: str | None = None
    period_label: str | None = None  # one month of a longer --period (support chronic failure)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "holds": self.holds,
            "since": self.since,
            "first_held": self.first_held,
            "breached_periods": self.breached,
            "history_known": self.history_known,
        }
        if self.plan is not None:
            data = {"plan": self.plan, **data}
        if self.period_label is not None:
            data["period_label"] = self.period_label
        if self.terminate_within is not None:
            data["terminate_within"] = self.terminate_within
            data["terminate_by"] = self.terminate_by.isoformat() if self.terminate_by else None
        return data


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
    strict: bool = False  # draft 2 `below D`: the measured value must be under the target
    windows: WindowCounts | None = None  # draft 2 per-window latency
    chronic_failure: ChronicResult | None = None  # draft 2 `chronic failure when ...`
    # the period this verdict is for (`2026-10`): one of several when a quarter is asked
    # of monthly clauses; None where the clause is not judged at its own period
    period_label: str | None = None
    provisional: bool = False  # its period had not ended at --as-of
    # draft 3: the outages that count, in time order (time-based availability only; filled
    # when a credits block pays per outage or counts its claim window from the outage)
    outages: list[CountedOutage] | None = None

    @property
    def no_evidence(self) -> bool:
        """Not judged because nothing at all was recorded: an evidence gap, not a verdict."""
        return not self.judged and self.reason.startswith(NO_EVIDENCE)

    @property
    def comparison(self) -> str:
        """How measured is compared with target for the verdict: `≥`, `≤` or `<`."""
        if self.unit == "%":
            return "≥"
        return "<" if self.strict else "≤"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "service": self.service,
            "objective": self.objective,
            "kind": self.kind,
            "period": self.period,
            "period_label": self.period_label,
            "provisional": self.provisional,
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
        if self.kind == "latency":
            data["strict"] = self.strict
        if self.windows is not None:
            data["windows"] = self.windows.to_json()
        if self.chronic_failure is not None:
            data["chronic_failure"] = self.chronic_failure.to_json()
        if not self.judged:
            data["reason"] = self.reason
        data["explanation"] = [e.to_json() for e in self.explanation]
        return data


@dataclass
class SupportResult:
    """One priority of one support plan: its tickets against each of its targets.

    `met`, `pending` and `compliance` count the tickets that met every target of the
    priority (first response, and resolution where it has one): that is what the plan's
    `target P% of tickets` and `ok` judge. `first_response` and `resolution` report each
    target on its own.
    """

    @dataclass
    class Deadline:
        """One target of a priority (first response or resolution), judged on its own."""

        within: str
        met: int = 0
        pending: int = 0
        missed: int = 0

        @property
        def compliance(self) -> Decimal | None:
            due = self.met + self.missed
            return None if due == 0 else Decimal(self.met) / Decimal(due) * 100

        def to_json(self, target: Decimal, judged: bool) -> dict[str, Any]:
            compliance = self.compliance
            return {
                "within": self.within,
                "met": self.met,
                "pending": self.pending,
                "missed": self.missed,
                "compliance": decimal_text(compliance),
                "ok": None if compliance is None or not judged else compliance >= target,
            }

    plan: str
    priority: str
    tickets: int
    met: int
    pending: int
    target: Decimal
    judged: bool = True
    reason: str = ""
    explanation: list[Evidence] = field(default_factory=list)
    first_response: SupportResult.Deadline | None = None
    resolution: SupportResult.Deadline | None = None  # draft 2: `resolution within D`
    period_label: str | None = None  # the period judged; None where measured per another kind

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
            "period_label": self.period_label,
            "tickets": self.tickets,
            "met": self.met,
            "pending": self.pending,
            "compliance": decimal_text(self.compliance),
            "target": decimal_text(self.target),
            "ok": self.ok,
        }
        if self.first_response is not None:
            data["first_response"] = self.first_response.to_json(self.target, self.judged)
        data["resolution"] = None if self.resolution is None else self.resolution.to_json(self.target, self.judged)
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
    period_label: str | None = None  # the period judged; None where due per another kind

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "clause": self.clause,
            "period_label": self.period_label,
            "judged": self.judged,
            "met": self.met,
            "reason": self.reason,
            "explanation": [e.to_json() for e in self.explanation],
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
    plan: str | None = None  # draft 2: the plan judged; None when the agreement has no plans
    notes: list[str] = field(default_factory=list)  # what the report assumed (no --history, ...)
    customer: str | None = None  # `--customer ID`: the customer of a ledger this report is for
    # the evidence behind each verdict was gathered (`--explain`; HTML always): without it
    # the JSON report has no `explanation` lists, which for 1,000 services are megabytes
    explained: bool = True

    # the period had not ended at --as-of (or now): no verdict or credit in it is final
    provisional: bool = False
    currency: str | None = None  # the currency credits are paid in, for a zero total
    # draft 3 `chronic failure when support target missed ...`: one per support plan
    support_chronic: list[ChronicResult] = field(default_factory=list)

    @property
    def provisional_note(self) -> str:
        """The sentence every format gives for a period not yet over ("" when it is over)."""
        if not self.provisional:
            return ""
        when = f"as of {self.as_of.isoformat()}" if self.as_of else "yet"
        return (
            f"{self.window.label} has not ended {when}: verdicts and credits cover the part of the "
            "period so far and are not final; no claim deadline runs yet"
        )

    @property
    def verdicts(self) -> list[bool]:
        found = [o.met for o in self.objectives if o.judged and o.met is not None]
        found += [s.ok for s in self.support if s.ok is not None]
        found += [c.met for c in self.clauses if c.judged and c.met is not None]
        return found

    @property
    def unjudged(self) -> list[ObjectiveResult]:
        """Objectives that apply to a period of the report but have no verdict: no evidence,
        or a period not started yet (not those of a longer period than the one asked)."""
        return [o for o in self.objectives if o.period_label is not None and not o.judged]

    @property
    def status(self) -> str:
        """`breached` when any judged clause is breached; otherwise `incomplete` when an
        objective that applies to the period has no evidence (or nothing could be judged at
        all); otherwise `met`. A gap in the evidence never reads as met."""
        verdicts = self.verdicts
        if not all(verdicts):
            return "breached"
        if not verdicts or self.unjudged:
            return "incomplete"
        return "met"

    def _listed(self, data: dict[str, Any]) -> dict[str, Any]:
        if not self.explained:
            data.pop("explanation", None)
        return data

    @property
    def totals(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for credit in self.credits:
            if credit.amount is not None and credit.currency and not credit.expired:
                totals[credit.currency] = totals.get(credit.currency, Decimal(0)) + credit.amount
        return totals

    @property
    def service_time_totals(self) -> tuple[Decimal, dict[str, Decimal]] | None:
        """Draft 3: the remedies in service time not expired, in seconds, and their value in
        money per currency; None when no credit is in service time. Never in `totals`."""
        remedies = [c.service_time for c in self.credits if c.service_time is not None and not c.expired]
        if not remedies:
            return None
        values: dict[str, Decimal] = {}
        for remedy in remedies:
            if remedy.value is not None and remedy.currency:
                values[remedy.currency] = values.get(remedy.currency, Decimal(0)) + remedy.value
        return sum((r.seconds for r in remedies), Decimal(0)), values

    def to_json(self) -> dict[str, Any]:
        totals = self.totals
        if len(totals) == 1:
            ((currency, amount),) = totals.items()
            total: dict[str, Any] = {"amount": format(amount, "f"), "currency": currency}
        elif not totals:
            total = {"amount": "0", "currency": self.currency}
        else:
            total = {
                "amount": None,
                "currency": None,
                "by_currency": [{"amount": format(a, "f"), "currency": c} for c, a in sorted(totals.items())],
            }
        extra: dict[str, Any] = {}
        service = self.service_time_totals
        if service is not None:
            seconds, values = service
            extra["total_service_time"] = {
                "seconds": decimal_text(seconds),
                "value_by_currency": [{"amount": format(a, "f"), "currency": c} for c, a in sorted(values.items())],
            }
        if self.support_chronic:
            extra["support_chronic_failure"] = [c.to_json() for c in self.support_chronic]
        return {
            "schema_version": REPORT_SCHEMA_VERSION,
            "agreement": self.agreement,
            "period": {
                "label": self.window.label,
                "start": self.window.start.isoformat(),
                "end": self.window.end.isoformat(),
            },
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "plan": self.plan,
            **({"customer": self.customer} if self.customer is not None else {}),
            "status": self.status,
            "provisional": self.provisional,
            "objectives": [self._listed(o.to_json()) for o in self.objectives],
            "support": [self._listed(s.to_json()) for s in self.support],
            "clauses": [self._listed(c.to_json()) for c in self.clauses],
            "credits": [c.to_json() for c in self.credits],
            "total_credit": total,
            **extra,
            "notes": self.notes,
            "warnings": self.warnings,
        }
