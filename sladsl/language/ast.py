"""The typed rule AST: what every later stage (check, evaluate, render, compile) reads.

Nodes are frozen dataclasses with named fields and a source `Span`, so that any stage
can point back at the text a user wrote. Literals are converted once, in the parser,
to `Decimal`, `Duration`, `Money`, `date` and `time`; nothing here knows about Lark.
Blocks keep their statements in source order (the formatter and the document need
that order); properties give the typed view that the other stages use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

# The values and header statements, and the support nodes, live in their own modules;
# every node is re-exported here, where the rest of sladsl (and type hints) look them up.
from sladsl.language.ast_support import (
    BreachNotification,
    Calendar,
    CalendarStatement,
    Certification,
    ClosedOn,
    Compliance,
    Holidays,
    OpenHours,
    OpenOn,
    Priority,
    Report,
    Reporting,
    ReportingStatement,
    Security,
    SecurityStatement,
    SupportPlan,
    SupportStatement,
    TicketTarget,
    UsesCalendar,
)
from sladsl.language.ast_values import (
    CALENDAR_UNITS,
    NO_SPAN,
    UNIT_SECONDS,
    Comparison,
    Customer,
    Definition,
    Duration,
    Effective,
    Fee,
    FeeBase,
    HeaderStatement,
    Money,
    OnPlans,
    Percent,
    Period,
    PeriodKind,
    Plans,
    Provider,
    Span,
    Term,
    Text,
    TimeUnit,
    TimeZone,
    Version,
    Weekday,
    _all,
    _first,
    _first_by_name,
    _for_plan,
    _memo,
    applies_to,
)

__all__ = [
    "CALENDAR_UNITS",
    "NO_SPAN",
    "UNIT_SECONDS",
    "Agreement",
    "AgreementStatement",
    "AvailabilityTarget",
    "AverageErrorRate",
    "BreachNotification",
    "Calendar",
    "CalendarStatement",
    "Certification",
    "ChronicFailure",
    "Claim",
    "ClaimByMonthEnd",
    "ClaimWindow",
    "ClosedOn",
    "Comparison",
    "Compliance",
    "CreditAmount",
    "CreditCap",
    "CreditMinimum",
    "CreditStatement",
    "Credits",
    "Customer",
    "Definition",
    "DowntimeFromErrorRate",
    "DowntimeFromIncidents",
    "DowntimeFromSamples",
    "DowntimeSource",
    "Duration",
    "Effective",
    "ExcludeCauses",
    "ExcludeMaintenance",
    "Fee",
    "FeeBase",
    "FixedCredit",
    "HeaderStatement",
    "Holidays",
    "IgnoreOutages",
    "LatencyTarget",
    "LatencyWindows",
    "MaintenanceCap",
    "MissingData",
    "Money",
    "Monitor",
    "MonitorQuery",
    "Objective",
    "ObjectiveStatement",
    "OnPlans",
    "OpenHours",
    "OpenOn",
    "Percent",
    "PercentOfFee",
    "Period",
    "PeriodKind",
    "Plans",
    "Priority",
    "Provider",
    "Report",
    "Reporting",
    "ReportingStatement",
    "RequestTarget",
    "RoundOutages",
    "Security",
    "SecurityStatement",
    "Service",
    "ServiceStatement",
    "Span",
    "SupportPlan",
    "SupportStatement",
    "Target",
    "Term",
    "Text",
    "TicketTarget",
    "Tier",
    "TimeUnit",
    "TimeZone",
    "TimesDowntimeFees",
    "UsesCalendar",
    "Version",
    "Weekday",
    "WeightByAffected",
    "applies_to",
]


# ---- objectives ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AvailabilityTarget:
    """`availability at least P per PERIOD`: time-based availability."""

    percent: Percent
    period: Period
    span: Span = field(default=NO_SPAN, compare=False)
    on: OnPlans | None = None


@dataclass(frozen=True, slots=True)
class RequestTarget:
    """`availability at least P of requests per PERIOD`: good / total requests."""

    percent: Percent
    period: Period
    span: Span = field(default=NO_SPAN, compare=False)
    on: OnPlans | None = None


@dataclass(frozen=True, slots=True)
class LatencyWindows:
    """`in at least 99% of 1 hour windows`: latency judged window by window (draft 2)."""

    share: Percent
    window: Duration
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class LatencyTarget:
    """`latency "METRIC" pNN at most D per PERIOD`; percentile None means the average.

    `strict` is draft 2's `below D` (value < D); `at most D` is value <= D. With
    `windows`, the measured value is the share of windows whose percentile meets the
    bound, a percent judged like availability (at least the share).
    """

    metric: str
    percentile: Decimal | None
    limit: Duration
    period: Period
    span: Span = field(default=NO_SPAN, compare=False)
    strict: bool = False
    windows: LatencyWindows | None = None
    on: OnPlans | None = None

    @property
    def upward(self) -> bool:
        """True when breaches are values above the bound (durations); False for a share of windows."""
        return self.windows is None


Target = AvailabilityTarget | RequestTarget | LatencyTarget


@dataclass(frozen=True, slots=True)
class DowntimeFromIncidents:
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class DowntimeFromSamples:
    every: Duration
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class DowntimeFromErrorRate:
    above: Percent
    window: Duration
    min_requests: int | None = None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class AverageErrorRate:
    window: Duration
    span: Span = field(default=NO_SPAN, compare=False)


DowntimeSource = DowntimeFromIncidents | DowntimeFromSamples | DowntimeFromErrorRate | AverageErrorRate


@dataclass(frozen=True, slots=True)
class MissingData:
    counts_as_available: bool
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class IgnoreOutages:
    shorter_than: Duration
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class RoundOutages:
    """`round outages down to 1 minute`: each counted outage counts whole multiples of D."""

    unit: Duration
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class WeightByAffected:
    """`weight downtime by share affected`: downtime at the largest `affected` share."""

    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class ChronicFailure:
    """`chronic failure when breached in 3 consecutive periods or in 4 of any 12 periods`.

    Either condition may be absent; `of_any` is (M, K): breached in M of any K periods.
    """

    consecutive: int | None
    of_any: tuple[int, int] | None
    span: Span = field(default=NO_SPAN, compare=False)
    consecutive_first: bool = field(default=True, compare=False)  # layout only


@dataclass(frozen=True, slots=True)
class MaintenanceCap:
    limit: Duration
    period: Period
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class ExcludeMaintenance:
    notice: Duration
    cap: MaintenanceCap | None = None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class ExcludeCauses:
    causes: tuple[str, ...]
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class MonitorQuery:
    """One named query (`errors`, `good`, `total`, `histogram`) of a monitor block."""

    kind: str
    query: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Monitor:
    system: str
    queries: tuple[MonitorQuery, ...]
    span: Span = field(default=NO_SPAN, compare=False)

    def query(self, kind: str) -> str | None:
        return next((q.query for q in self.queries if q.kind == kind), None)


ObjectiveStatement = (
    Target
    | DowntimeSource
    | MissingData
    | IgnoreOutages
    | RoundOutages
    | WeightByAffected
    | ExcludeMaintenance
    | ExcludeCauses
    | ChronicFailure
    | Monitor
    | Text
)


@dataclass(frozen=True, slots=True)
class Objective:
    name: str
    statements: tuple[ObjectiveStatement, ...]
    span: Span = field(default=NO_SPAN, compare=False)
    name_span: Span = field(default=NO_SPAN, compare=False)
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    @property
    def targets(self) -> tuple[Target, ...]:
        found: tuple[Target, ...] = _memo(
            self._memo,
            "targets",
            lambda: tuple(
                s for s in self.statements if isinstance(s, AvailabilityTarget | RequestTarget | LatencyTarget)
            ),
        )
        return found

    @property
    def target(self) -> Target | None:
        targets = self.targets
        return targets[0] if targets else None

    @property
    def downtime_sources(self) -> tuple[DowntimeSource, ...]:
        found: tuple[DowntimeSource, ...] = _memo(
            self._memo,
            "sources",
            lambda: tuple(
                s
                for s in self.statements
                if isinstance(s, DowntimeFromIncidents | DowntimeFromSamples | DowntimeFromErrorRate | AverageErrorRate)
            ),
        )
        return found

    @property
    def downtime_source(self) -> DowntimeSource:
        """How downtime is known; `downtime from incidents` when nothing says otherwise."""
        sources = self.downtime_sources
        return sources[0] if sources else DowntimeFromIncidents(span=self.span)

    @property
    def missing_data(self) -> MissingData | None:
        return _first(self.statements, MissingData)

    @property
    def missing_counts_as_available(self) -> bool:
        statement = self.missing_data
        return True if statement is None else statement.counts_as_available

    @property
    def ignore_outages(self) -> IgnoreOutages | None:
        return _first(self.statements, IgnoreOutages)

    def target_for(self, plan: str | None) -> Target | None:
        """The one target that applies to `plan`: its own `on plan`, else the one without."""
        return _for_plan(self.targets, plan)

    @property
    def round_outages(self) -> RoundOutages | None:
        return _first(self.statements, RoundOutages)

    @property
    def weight_by_affected(self) -> bool:
        return _first(self.statements, WeightByAffected) is not None

    @property
    def chronic_failure(self) -> ChronicFailure | None:
        return _first(self.statements, ChronicFailure)

    @property
    def maintenance(self) -> ExcludeMaintenance | None:
        return _first(self.statements, ExcludeMaintenance)

    @property
    def excluded_causes(self) -> tuple[str, ...]:
        return tuple(c for s in _all(self.statements, ExcludeCauses) for c in s.causes)

    @property
    def monitor(self) -> Monitor | None:
        return _first(self.statements, Monitor)

    @property
    def period(self) -> Period | None:
        target = self.target
        return None if target is None else target.period


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


ServiceStatement = Fee | Text | Objective | Credits


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    statements: tuple[ServiceStatement, ...]
    span: Span = field(default=NO_SPAN, compare=False)
    name_span: Span = field(default=NO_SPAN, compare=False)
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    @property
    def fee(self) -> Fee | None:
        return _first(self.statements, Fee)

    @property
    def objectives(self) -> tuple[Objective, ...]:
        return _memo(self._memo, "objectives", lambda: _all(self.statements, Objective))

    @property
    def credits(self) -> tuple[Credits, ...]:
        return _memo(self._memo, "credits", lambda: _all(self.statements, Credits))

    def objective(self, name: str) -> Objective | None:
        index: dict[str, Objective] = _memo(self._memo, "by_name", lambda: _first_by_name(self.objectives))
        return index.get(name)

    def credits_for(self, objective: str, plan: str | None = None) -> Credits | None:
        """The credits block for an objective and plan: its own `on plan`, else the plain one."""
        blocks: dict[str, list[Credits]] = _memo(self._memo, "credits_by_objective", self._credits_by_objective)
        return _for_plan(blocks.get(objective, []), plan)

    def _credits_by_objective(self) -> dict[str, list[Credits]]:
        found: dict[str, list[Credits]] = {}
        for block in self.credits:
            found.setdefault(block.objective, []).append(block)
        return found

    def fee_for(self, plan: str | None) -> Fee | None:
        fees: tuple[Fee, ...] = _memo(self._memo, "fees", lambda: _all(self.statements, Fee))
        return _for_plan(fees, plan)


# ---- the agreement ---------------------------------------------------------------------

AgreementStatement = HeaderStatement | Text | Definition | Service | Calendar | SupportPlan | Security | Reporting

H = TypeVar("H")


@dataclass(frozen=True, slots=True)
class Agreement:
    """One `.sla` file: `sla "Title" { ... }`, statements in source order."""

    title: str
    statements: tuple[AgreementStatement, ...]
    span: Span = field(default=NO_SPAN, compare=False)
    title_span: Span = field(default=NO_SPAN, compare=False)
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def _header(self, kind: type[H]) -> H | None:
        found: H | None = _memo(self._memo, f"header:{kind.__name__}", lambda: _first(self.statements, kind))
        return found

    @property
    def version(self) -> str | None:
        h = self._header(Version)
        return None if h is None else h.value

    @property
    def provider(self) -> str | None:
        h = self._header(Provider)
        return None if h is None else h.name

    @property
    def customer(self) -> str | None:
        h = self._header(Customer)
        return None if h is None else h.name

    @property
    def effective(self) -> date | None:
        h = self._header(Effective)
        return None if h is None else h.date

    @property
    def term(self) -> Duration | None:
        h = self._header(Term)
        return None if h is None else h.duration

    @property
    def timezone(self) -> str:
        """The IANA zone that measurement periods follow; UTC unless the agreement says."""
        h = self._header(TimeZone)
        return "UTC" if h is None else h.name

    @property
    def fee(self) -> Fee | None:
        """The agreement's fee without `on plan` (the first fee when every one names plans).

        Memoised: it is asked once per service, and scanned every statement each time (r13:
        87% of checking 10,000 services without a fee)."""
        found: Fee | None = _memo(self._memo, "fee", self._plain_fee)
        return found

    def _plain_fee(self) -> Fee | None:
        fees = self._fees()
        return _for_plan(fees, None) or (fees[0] if fees else None)

    def _fees(self) -> tuple[Fee, ...]:
        fees: tuple[Fee, ...] = _memo(self._memo, "fees", lambda: _all(self.statements, Fee))
        return fees

    @property
    def plans(self) -> tuple[str, ...]:
        """The declared plans (draft 2); empty when the agreement has none."""
        h = self._header(Plans)
        return () if h is None else h.names

    def fee_for(self, plan: str | None) -> Fee | None:
        return _for_plan(self._fees(), plan)

    @property
    def definitions(self) -> tuple[Definition, ...]:
        return _all(self.statements, Definition)

    @property
    def services(self) -> tuple[Service, ...]:
        return _memo(self._memo, "services", lambda: _all(self.statements, Service))

    @property
    def calendars(self) -> tuple[Calendar, ...]:
        return _memo(self._memo, "calendars", lambda: _all(self.statements, Calendar))

    @property
    def support_plans(self) -> tuple[SupportPlan, ...]:
        return _memo(self._memo, "support_plans", lambda: _all(self.statements, SupportPlan))

    @property
    def security(self) -> Security | None:
        return _first(self.statements, Security)

    @property
    def reporting(self) -> Reporting | None:
        return _first(self.statements, Reporting)

    def service(self, name: str) -> Service | None:
        index: dict[str, Service] = _memo(self._memo, "service_names", lambda: _first_by_name(self.services))
        return index.get(name)

    def calendar(self, name: str) -> Calendar | None:
        index: dict[str, Calendar] = _memo(self._memo, "calendar_names", lambda: _first_by_name(self.calendars))
        return index.get(name)

    def support_plan(self, name: str) -> SupportPlan | None:
        index: dict[str, SupportPlan] = _memo(self._memo, "plan_names", lambda: _first_by_name(self.support_plans))
        return index.get(name)

    def monthly_fee(self, service: Service, plan: str | None = None) -> Money | None:
        """The fee that `of monthly fee` means: the service's own, else the agreement's.

        With plans, a fee `on plan` the customer's plan wins over one without, at each level.
        """
        fee = service.fee_for(plan) or self.fee_for(plan)
        if fee is None and plan is None:
            fee = service.fee or self.fee
        return None if fee is None else fee.money
