"""The AST's values and header statements (`sladsl.language.ast` re-exports every name): spans,
units, durations, money, percentages, periods, `on plan`, and the one-line statements of an
agreement's header; and the helpers that give blocks their typed views.
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
    """`100 USD`: an exact amount in an ISO 4217 currency."""

    amount: Decimal
    currency: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Percent:
    """`99.9%`: an exact percentage (the value is 99.9, not 0.999)."""

    value: Decimal
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Period:
    """`per calendar month` and the like: the measurement period of a target or cap."""

    kind: PeriodKind
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class OnPlans:
    """`on plan "X"` / `on plans "X", "Y"`: the plans a statement applies to (draft 2)."""

    names: tuple[str, ...]
    span: Span = field(default=NO_SPAN, compare=False)
    plural: bool = field(default=False, compare=False)  # layout only: `plans` was written
    _set: frozenset[str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # `covers` is asked once per plan for every statement: with thousands of plans
        # named, a scan of the tuple made projecting every plan quadratic (r13)
        object.__setattr__(self, "_set", frozenset(self.names))

    def covers(self, plan: str) -> bool:
        return plan in self._set


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
    """`define "term" as "..."`: a defined term, printed in the document."""

    term: str
    body: str
    span: Span = field(default=NO_SPAN, compare=False)
    triple_quoted: bool = field(default=False, compare=False)  # layout only, for `fmt`


@dataclass(frozen=True, slots=True)
class Version:
    """`version "1.2"`: the agreement's own version."""

    value: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Provider:
    """`provider "Name"`: who gives the service."""

    name: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Customer:
    """`customer "Name"`: who receives it."""

    name: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Effective:
    """`effective 2026-01-01`: the first day the agreement applies."""

    date: date
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Term:
    """`term 12 months`: how long the agreement runs."""

    duration: Duration
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class TimeZone:
    """`timezone "Europe/Berlin"`: the IANA zone that periods and hours follow."""

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


# ---- typed views of a block ------------------------------------------------------------

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
