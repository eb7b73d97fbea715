"""The typed rule AST: what every later stage (check, evaluate, render, compile) reads.

Nodes are frozen dataclasses with named fields and a source `Span`, so that any stage
can point back at the text a user wrote. Literals are converted once, in the parser,
to `Decimal`, `Duration`, `Money`, `date` and `time`; nothing here knows about Lark.
Blocks keep their statements in source order (the formatter and the document need
that order); properties give the typed view that the other stages use.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, TypeVar


@dataclass(frozen=True, slots=True)
class Span:
    """A region of the source text; lines and columns count from 1, end is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int
    start_pos: int = 0
    end_pos: int = 0


NO_SPAN = Span(1, 1, 1, 1)


class TimeUnit(enum.Enum):
    """Units of a duration; months and years are calendar arithmetic, not fixed seconds."""

    MILLISECOND = "millisecond"
    SECOND = "second"
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


UNIT_SECONDS: dict[TimeUnit, Decimal] = {
    TimeUnit.MILLISECOND: Decimal("0.001"),
    TimeUnit.SECOND: Decimal(1),
    TimeUnit.MINUTE: Decimal(60),
    TimeUnit.HOUR: Decimal(3600),
    TimeUnit.DAY: Decimal(86400),
    TimeUnit.WEEK: Decimal(604800),
}

CALENDAR_UNITS = frozenset({TimeUnit.MONTH, TimeUnit.YEAR})


class PeriodKind(enum.Enum):
    """A measurement period, always in the agreement's time zone."""

    MONTH = "calendar month"
    QUARTER = "calendar quarter"
    YEAR = "calendar year"
    WEEK = "week"

    @property
    def months(self) -> int | None:
        """Months in one period; None for a week, which is not a whole number of months."""
        return {"calendar month": 1, "calendar quarter": 3, "calendar year": 12}.get(self.value)


class Comparison(enum.Enum):
    """A credit tier's condition on the measured value."""

    BELOW = "below"
    AT_OR_BELOW = "at or below"
    ABOVE = "above"
    AT_OR_ABOVE = "at or above"

    @property
    def upward(self) -> bool:
        """True for `above` tiers, which belong to `at most` (latency) objectives."""
        return self in (Comparison.ABOVE, Comparison.AT_OR_ABOVE)

    @property
    def inclusive(self) -> bool:
        return self in (Comparison.AT_OR_BELOW, Comparison.AT_OR_ABOVE)


class FeeBase(enum.Enum):
    MONTHLY_FEE = "monthly fee"
    PERIOD_FEES = "fees for the period"


class Weekday(enum.IntEnum):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


# ---- values ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Duration:
    """An amount of time as written: `4 hours`, `2 business days`, `12 months`."""

    amount: Decimal
    unit: TimeUnit
    business: bool = False
    span: Span = field(default=NO_SPAN, compare=False)

    @property
    def is_calendar(self) -> bool:
        """Months and years have no fixed length; they need calendar arithmetic."""
        return self.unit in CALENDAR_UNITS

    @property
    def seconds(self) -> Decimal:
        """Exact length in seconds; only for fixed-length, non-business durations."""
        if self.is_calendar or self.business:
            raise ValueError(f"{self.unit.value} durations have no fixed length")
        return self.amount * UNIT_SECONDS[self.unit]


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Percent:
    value: Decimal
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Period:
    kind: PeriodKind
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class OnPlans:
    """`on plan "X"` / `on plans "X", "Y"`: the plans a statement applies to (draft 2)."""

    names: tuple[str, ...]
    span: Span = field(default=NO_SPAN, compare=False)
    plural: bool = field(default=False, compare=False)  # layout only: `plans` was written

    def covers(self, plan: str) -> bool:
        return plan in self.names


def applies_to(on: OnPlans | None, plan: str | None) -> bool:
    """Whether a statement with this `on` applies to `plan` when nothing more specific does.

    `None` as the plan means the agreement has no plans: every statement applies.
    """
    return on is None or plan is None or on.covers(plan)


# ---- statements -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A paragraph of Markdown prose, rendered where it stands; never a rule."""

    body: str
    span: Span = field(default=NO_SPAN, compare=False)
    triple_quoted: bool = field(default=True, compare=False)  # layout only, for `fmt`


@dataclass(frozen=True, slots=True)
class Definition:
    term: str
    body: str
    span: Span = field(default=NO_SPAN, compare=False)
    triple_quoted: bool = field(default=False, compare=False)  # layout only, for `fmt`


@dataclass(frozen=True, slots=True)
class Version:
    value: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Customer:
    name: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Effective:
    date: date
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Term:
    duration: Duration
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class TimeZone:
    name: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Fee:
    """`fee 2500 USD per month [on plan "X"]`: the monthly fee that credits are a percentage of."""

    money: Money
    span: Span = field(default=NO_SPAN, compare=False)
    on: OnPlans | None = None


@dataclass(frozen=True, slots=True)
class Plans:
    """`plans "Standard", "Premium"`: the editions a customer can be on (draft 2)."""

    names: tuple[str, ...]
    span: Span = field(default=NO_SPAN, compare=False)
    name_spans: tuple[Span, ...] = field(default=(), compare=False)


HeaderStatement = Version | Provider | Customer | Effective | Term | TimeZone | Fee | Plans


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

S = TypeVar("S")


def _first(items: tuple[object, ...], kind: type[S]) -> S | None:
    return next((i for i in items if isinstance(i, kind)), None)


def _all(items: tuple[object, ...], kind: type[S]) -> tuple[S, ...]:
    return tuple(i for i in items if isinstance(i, kind))


M = TypeVar("M")


def _memo(memo: dict[str, Any], key: str, compute: Callable[[], M]) -> M:
    """A derived view computed once per node: nodes are immutable, and lookups by name
    in large agreements were otherwise quadratic."""
    if key not in memo:
        memo[key] = compute()
    value: M = memo[key]
    return value


class _Named(Protocol):
    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=_Named)


def _first_by_name(items: tuple[N, ...]) -> dict[str, N]:
    index: dict[str, N] = {}
    for item in items:
        index.setdefault(item.name, item)
    return index


class _HasPlans(Protocol):
    @property
    def on(self) -> OnPlans | None: ...


P = TypeVar("P", bound=_HasPlans)


def _for_plan(items: tuple[P, ...] | list[P], plan: str | None) -> P | None:
    """The statement for `plan`: one naming it, else one with no `on` (draft 2 plans)."""
    if plan is not None:
        own = next((i for i in items if i.on is not None and i.on.covers(plan)), None)
        if own is not None:
            return own
    return next((i for i in items if i.on is None), None)


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
    percent: Percent
    period: Period
    span: Span = field(default=NO_SPAN, compare=False)


SupportStatement = UsesCalendar | Priority | TicketTarget | Text


@dataclass(frozen=True, slots=True)
class SupportPlan:
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
    def target(self) -> TicketTarget | None:
        return _first(self.statements, TicketTarget)

    def priority(self, name: str) -> Priority | None:
        return next((p for p in self.priorities if p.name == name), None)


# ---- security and reporting -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Certification:
    name: str
    renewed_every: Duration | None = None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Compliance:
    name: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class BreachNotification:
    within: Duration
    span: Span = field(default=NO_SPAN, compare=False)


SecurityStatement = Certification | Compliance | BreachNotification | Text


@dataclass(frozen=True, slots=True)
class Security:
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
    statements: tuple[ReportingStatement, ...]
    span: Span = field(default=NO_SPAN, compare=False)

    @property
    def reports(self) -> tuple[Report, ...]:
        return _all(self.statements, Report)

    @property
    def calendar(self) -> UsesCalendar | None:
        return _first(self.statements, UsesCalendar)


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
        """The agreement's fee without `on plan` (the first fee when every one names plans)."""
        fees = _all(self.statements, Fee)
        return _for_plan(fees, None) or (fees[0] if fees else None)

    @property
    def plans(self) -> tuple[str, ...]:
        """The declared plans (draft 2); empty when the agreement has none."""
        h = self._header(Plans)
        return () if h is None else h.names

    def fee_for(self, plan: str | None) -> Fee | None:
        fees: tuple[Fee, ...] = _memo(self._memo, "fees", lambda: _all(self.statements, Fee))
        return _for_plan(fees, plan)

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
