"""The AST's objective nodes: targets, downtime sources, exclusions and monitors, and the
`objective` block that holds them (`sladsl.language.ast` re-exports every name).

Why a module of their own: they are the largest clause family; `ast` keeps the agreement
and its services, and reads these like any other node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sladsl.language.ast_values import (
    NO_SPAN,
    Duration,
    OnPlans,
    Percent,
    Period,
    Span,
    Text,
    _all,
    _first,
    _for_plan,
    _memo,
)

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


@dataclass(frozen=True, slots=True)
class DowntimeTarget:
    """`downtime at most 43.8 minutes per calendar month` (draft 3): the allowance as a
    duration. The measured value is the counted downtime; met while it is at most `limit`."""

    limit: Duration
    period: Period
    span: Span = field(default=NO_SPAN, compare=False)
    on: OnPlans | None = None


Target = AvailabilityTarget | RequestTarget | LatencyTarget | DowntimeTarget
TimeTarget = AvailabilityTarget | DowntimeTarget


@dataclass(frozen=True, slots=True)
class DowntimeFromIncidents:
    """`downtime from incidents`: the incident log says when the service was down."""

    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class DowntimeFromSamples:
    """`downtime from samples every D`: probe samples, each standing for D."""

    every: Duration
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class DowntimeFromErrorRate:
    """`downtime when error rate above P in D windows`: bad windows count as down."""

    above: Percent
    window: Duration
    min_requests: int | None = None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class AverageErrorRate:
    """`availability from average error rate in D windows`: 100% less the mean window error rate."""

    window: Duration
    span: Span = field(default=NO_SPAN, compare=False)


DowntimeSource = DowntimeFromIncidents | DowntimeFromSamples | DowntimeFromErrorRate | AverageErrorRate


@dataclass(frozen=True, slots=True)
class MissingData:
    """`missing data counts as available|unavailable`: how gaps in the evidence count."""

    counts_as_available: bool
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class IgnoreOutages:
    """`ignore outages shorter than D`: short blips are not downtime (an outage of exactly D
    counts). Draft 3: `of D or less` (`or_less`) also ignores an outage of exactly D, and
    `after exclusions` tests the stretches left once excluded time is removed."""

    shorter_than: Duration
    span: Span = field(default=NO_SPAN, compare=False)
    or_less: bool = False
    after_exclusions: bool = False

    def ignores(self, seconds: Decimal) -> bool:
        """Whether an outage (or stretch) of `seconds` is not downtime."""
        limit = self.shorter_than.seconds
        return seconds <= limit if self.or_less else seconds < limit


@dataclass(frozen=True, slots=True)
class RoundOutages:
    """`round outages down to 1 minute`: each counted outage counts whole multiples of D."""

    unit: Duration
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class WeightByAffected:
    """`weight downtime by share affected`: downtime at the largest `affected` share; with
    `, adding overlaps` (draft 3) at the sum of overlapping shares, at most 1."""

    span: Span = field(default=NO_SPAN, compare=False)
    adding: bool = False


@dataclass(frozen=True, slots=True)
class WholeClockUnits:
    """`count only whole clock minutes` / `... whole clock 5 minute intervals` (draft 3): a
    clock unit, aligned in the agreement's time zone, is downtime only if counted downtime
    covers all of it."""

    unit: Duration
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class ChronicFailure:
    """`chronic failure when breached in 3 consecutive periods or in 4 of any 12 periods`.

    Either condition may be absent; `of_any` is (M, K): breached in M of any K periods.
    Draft 3: `support` is `when support target missed in ...` (in a support block), and
    `terminate_within` the customer's window to terminate (`, terminate within 30 days`).
    """

    consecutive: int | None
    of_any: tuple[int, int] | None
    span: Span = field(default=NO_SPAN, compare=False)
    consecutive_first: bool = field(default=True, compare=False)  # layout only
    support: bool = False
    terminate_within: Duration | None = None


@dataclass(frozen=True, slots=True)
class MaintenanceCap:
    """`, up to D per PERIOD`: the most maintenance that may be excluded per period."""

    limit: Duration
    period: Period
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class ExcludeMaintenance:
    """`exclude maintenance announced at least D ahead`: announced windows are not downtime."""

    notice: Duration
    cap: MaintenanceCap | None = None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class ExcludeCauses:
    """`exclude incidents caused by "a", "b"`: incidents with these causes are not downtime."""

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
    """`monitor prometheus { ... }`: the queries that measure the objective in production."""

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
    | WholeClockUnits
    | ExcludeMaintenance
    | ExcludeCauses
    | ChronicFailure
    | Monitor
    | Text
)


@dataclass(frozen=True, slots=True)
class Objective:
    """`objective "Name" { ... }`: a target and the rules that measure it, in source order."""

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
                s
                for s in self.statements
                if isinstance(s, AvailabilityTarget | RequestTarget | LatencyTarget | DowntimeTarget)
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
    def adding_shares(self) -> bool:
        """`weight downtime by share affected, adding overlaps` (draft 3)."""
        statement = _first(self.statements, WeightByAffected)
        return statement is not None and statement.adding

    @property
    def clock_units(self) -> WholeClockUnits | None:
        return _first(self.statements, WholeClockUnits)

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
