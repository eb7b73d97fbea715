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
from decimal import Decimal  # noqa: F401  (the schema resolves every node's hints in this module)
from typing import Any, TypeVar

# The values and header statements, the objective and credit clauses and the support
# nodes live in their own modules;
# every node is re-exported here, where the rest of sladsl (and type hints) look them up.
from sladsl.language.ast_credits import (
    Claim,
    ClaimByMonthEnd,
    ClaimWindow,
    CreditAmount,
    CreditCap,
    CreditMinimum,
    Credits,
    CreditStatement,
    CreditThreshold,
    FixedCredit,
    OutageEdge,
    OutageTier,
    PercentOfFee,
    ServiceTime,
    ServiceTimeCap,
    Tier,
    TimesDowntimeFees,
)
from sladsl.language.ast_objectives import (
    AvailabilityTarget,
    AverageErrorRate,
    ChronicFailure,
    DowntimeFromErrorRate,
    DowntimeFromIncidents,
    DowntimeFromSamples,
    DowntimeSource,
    DowntimeTarget,
    ExcludeCauses,
    ExcludeMaintenance,
    IgnoreOutages,
    LatencyTarget,
    LatencyWindows,
    MaintenanceCap,
    MissingData,
    Monitor,
    MonitorQuery,
    Objective,
    ObjectiveStatement,
    RequestTarget,
    RoundOutages,
    Target,
    TimeTarget,
    WeightByAffected,
    WholeClockUnits,
)
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
    "CreditThreshold",
    "Credits",
    "Customer",
    "Definition",
    "DowntimeFromErrorRate",
    "DowntimeFromIncidents",
    "DowntimeFromSamples",
    "DowntimeSource",
    "DowntimeTarget",
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
    "OutageEdge",
    "OutageTier",
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
    "ServiceTime",
    "ServiceTimeCap",
    "Span",
    "SupportPlan",
    "SupportStatement",
    "Target",
    "Term",
    "Text",
    "TicketTarget",
    "Tier",
    "TimeTarget",
    "TimeUnit",
    "TimeZone",
    "TimesDowntimeFees",
    "UsesCalendar",
    "Version",
    "Weekday",
    "WeightByAffected",
    "WholeClockUnits",
    "applies_to",
]


ServiceStatement = Fee | Text | Objective | Credits


@dataclass(frozen=True, slots=True)
class Service:
    """`service "Name" { ... }`: a fee, objectives and credits, statements in source order."""

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
