"""The AST's support, security and reporting nodes (`sladsl.language.ast` re-exports every name)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sladsl.language.ast_objectives import ChronicFailure
from sladsl.language.ast_values import (
    NO_SPAN,
    Duration,
    OnPlans,
    Percent,
    Period,
    Span,
    Text,
    TimeZone,
    Weekday,
    _all,
    _first,
)

# ---- support ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenHours:
    """`open monday to friday 09:00 to 18:00`: weekly open time in the calendar's zone.

    A closing time not after the opening time runs past midnight (draft 2): the shift
    that opens on a listed day closes the next day.
    """

    days: tuple[Weekday, ...]
    opens: int  # minutes after midnight
    closes: int  # minutes after midnight; 1440 is the end of the day (24:00)
    day_range: bool = False
    span: Span = field(default=NO_SPAN, compare=False)

    @property
    def overnight(self) -> bool:
        return self.closes <= self.opens

    @property
    def minutes_open(self) -> int:
        """Length of one shift, in wall-clock minutes."""
        return self.closes - self.opens if not self.overnight else 1440 - self.opens + self.closes


@dataclass(frozen=True, slots=True)
class Holidays:
    """`holidays "US"` or `holidays "US-CA"`: a country, optionally an ISO 3166-2 subdivision."""

    country: str
    span: Span = field(default=NO_SPAN, compare=False)

    @property
    def country_code(self) -> str:
        return self.country.split("-", 1)[0]

    @property
    def subdivision(self) -> str | None:
        parts = self.country.split("-", 1)
        return parts[1] if len(parts) == 2 else None


@dataclass(frozen=True, slots=True)
class ClosedOn:
    """`closed on 2026-12-24, 2026-12-31`: extra closed days."""

    dates: tuple[date, ...]
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class OpenOn:
    """`open on 2026-08-03`: a listed holiday worked as usual."""

    dates: tuple[date, ...]
    span: Span = field(default=NO_SPAN, compare=False)


CalendarStatement = OpenHours | TimeZone | Holidays | ClosedOn | OpenOn | Text


@dataclass(frozen=True, slots=True)
class Calendar:
    """`calendar "Name" { ... }`: open hours, time zone and holidays that business time follows."""

    name: str
    statements: tuple[CalendarStatement, ...]
    span: Span = field(default=NO_SPAN, compare=False)
    name_span: Span = field(default=NO_SPAN, compare=False)

    @property
    def open_hours(self) -> tuple[OpenHours, ...]:
        return _all(self.statements, OpenHours)

    @property
    def timezone(self) -> TimeZone | None:
        return _first(self.statements, TimeZone)

    @property
    def holidays(self) -> Holidays | None:
        return _first(self.statements, Holidays)

    @property
    def closed_on(self) -> frozenset[date]:
        return frozenset(d for s in _all(self.statements, ClosedOn) for d in s.dates)

    @property
    def open_on(self) -> frozenset[date]:
        return frozenset(d for s in _all(self.statements, OpenOn) for d in s.dates)


@dataclass(frozen=True, slots=True)
class UsesCalendar:
    """`calendar "Name"` inside a block: the business calendar the block follows."""

    name: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Priority:
    """`priority P1 "...": first response within 1 hour, around the clock`."""

    name: str
    description: str | None
    response: Duration
    around_the_clock: bool = False
    span: Span = field(default=NO_SPAN, compare=False)
    resolution: Duration | None = None  # draft 2: `, resolution within D`


@dataclass(frozen=True, slots=True)
class TicketTarget:
    """`target P of tickets per PERIOD`: the share of tickets that must meet their priority."""

    percent: Percent
    period: Period
    span: Span = field(default=NO_SPAN, compare=False)


SupportStatement = UsesCalendar | Priority | TicketTarget | ChronicFailure | Text


@dataclass(frozen=True, slots=True)
class SupportPlan:
    """`support "Name" [on plan] { ... }`: a calendar, priorities and a ticket target."""

    name: str
    statements: tuple[SupportStatement, ...]
    span: Span = field(default=NO_SPAN, compare=False)
    name_span: Span = field(default=NO_SPAN, compare=False)
    on: OnPlans | None = None

    @property
    def calendar(self) -> UsesCalendar | None:
        return _first(self.statements, UsesCalendar)

    @property
    def priorities(self) -> tuple[Priority, ...]:
        return _all(self.statements, Priority)

    @property
    def chronic_failure(self) -> ChronicFailure | None:
        """`chronic failure when support target missed in ...` (draft 3)."""
        return _first(self.statements, ChronicFailure)

    @property
    def target(self) -> TicketTarget | None:
        return _first(self.statements, TicketTarget)

    def priority(self, name: str) -> Priority | None:
        return next((p for p in self.priorities if p.name == name), None)


# ---- security and reporting -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Certification:
    """`certification "Name" [renewed every D]`: a certification the provider keeps."""

    name: str
    renewed_every: Duration | None = None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Compliance:
    """`compliance "Name"`: a regime the provider complies with."""

    name: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class BreachNotification:
    """`breach notification within D`: how soon customers hear of a breach."""

    within: Duration
    span: Span = field(default=NO_SPAN, compare=False)


SecurityStatement = Certification | Compliance | BreachNotification | Text


@dataclass(frozen=True, slots=True)
class Security:
    """`security { ... }`: certifications, compliance and breach notification."""

    statements: tuple[SecurityStatement, ...]
    span: Span = field(default=NO_SPAN, compare=False)

    @property
    def certifications(self) -> tuple[Certification, ...]:
        return _all(self.statements, Certification)

    @property
    def compliance(self) -> tuple[Compliance, ...]:
        return _all(self.statements, Compliance)

    @property
    def breach_notification(self) -> BreachNotification | None:
        return _first(self.statements, BreachNotification)


@dataclass(frozen=True, slots=True)
class Report:
    """`performance report every calendar month within 10 business days`."""

    kind: str
    every: Period
    within: Duration
    span: Span = field(default=NO_SPAN, compare=False)


ReportingStatement = Report | UsesCalendar | Text


@dataclass(frozen=True, slots=True)
class Reporting:
    """`reporting { ... }`: the reports the provider sends and when."""

    statements: tuple[ReportingStatement, ...]
    span: Span = field(default=NO_SPAN, compare=False)

    @property
    def reports(self) -> tuple[Report, ...]:
        return _all(self.statements, Report)

    @property
    def calendar(self) -> UsesCalendar | None:
        return _first(self.statements, UsesCalendar)
