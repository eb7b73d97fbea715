"""Per-objective facts every target compiles from: the objective as a ratio of bad events
(`sli`), its histogram, the `le` matcher of its bound, and the clause in the document's words.

Why its own module: Prometheus rules, window rules and OpenSLO read an objective the same way;
kept here, none of them imports another to learn it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, localcontext
from fractions import Fraction

from sladsl.documents.phrases import PHRASES, Context, allowed_downtime, period_lengths, period_words, phrase
from sladsl.language import ast
from sladsl.language.checks.promql import query_problem
from sladsl.language.invisible import describe, hidden_characters
from sladsl.language.periods import REFERENCE_YEAR, SPAN_YEARS
from sladsl.language.units import describe_duration, describe_seconds
from sladsl.monitoring.common import PERIOD_HOURS, PERIOD_WINDOW, number


@dataclass(frozen=True)
class Sli:
    """An objective as a ratio of bad events: the query text with `{{window}}` left in."""

    ratio: str
    target: Decimal  # as a fraction: 0.999
    good: str | None = None
    bad: str | None = None
    total: str | None = None
    threshold: str | None = None  # a query whose value is compared (OpenSLO threshold metric)
    threshold_limit: Decimal | None = None
    allowance: Decimal | None = None  # draft 3 `downtime at most D`: D in seconds, budgeted over
    window_seconds: int | None = None  # the rolling period window of this many seconds

    @functools.cached_property
    def budget(self) -> Fraction:
        """The share that may fail, exactly: 1 - target, or D / the period window's seconds."""
        if self.allowance is not None and self.window_seconds:
            return Fraction(self.allowance) / self.window_seconds
        return 1 - Fraction(self.target)

    def budget_text(self, factor: Decimal = Decimal(1)) -> str:
        """factor x budget as PromQL reads it, exactly: a decimal when it has one (`0.0146`),
        else the division Prometheus computes (`6 * 2628 / 2592000`) rather than a rounded one."""
        return _budget_text(self.budget, factor, self.allowance, self.window_seconds)

    def total_at(self, window: str) -> str:
        """The total query over `window`."""
        return (self.total or "").replace("{{window}}", window)

    def goal_text(self) -> str:
        """The objective (1 - budget) as PromQL reads it, exactly."""
        return exact_ratio(1 - self.budget) or f"1 - {self.budget_text()}"


@functools.lru_cache(maxsize=1024)
def _budget_text(budget: Fraction, factor: Decimal, allowance: Decimal | None, window: int | None) -> str:
    """`Sli.budget_text`, computed once for every plan sharing a budget (issue 20 item 5: compile speed)."""
    exact = exact_ratio(Fraction(factor) * budget)
    if exact is not None:
        return exact
    assert allowance is not None  # a percentage's budget always has a finite decimal
    division = f"{number(allowance)} / {window}"
    return division if factor == 1 else f"{number(factor)} * {division}"


def exact_ratio(value: Fraction) -> str | None:
    """A fraction as an exact decimal (`0.0146`), or None when it has no finite one (73/72000)."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return None
    with localcontext() as exact:
        exact.prec = 200
        return number(Decimal(value.numerator) / Decimal(value.denominator))


def le_matcher(seconds: Decimal) -> str:
    """The bucket matcher of a bound: `le="0.15"`; for a whole number a regex matching both `1`
    and `1.0`, as exporters write either."""
    text = number(seconds)
    return f'le=~"{re.escape(text)}(\\\\.0)?"' if "." not in text else f'le="{text}"'


_HISTOGRAM = re.compile(r"\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*(?:\{(.*)\})?\s*", re.DOTALL)


@dataclass(frozen=True)
class Histogram:
    """`histogram "NAME"` or `histogram "NAME{job=\"api\"}"`: the matchers go inside each series' braces."""

    name: str
    matchers: str = ""

    def series(self, suffix: str, *extra: str) -> str:
        """`NAME_bucket{job="api", le="0.15"}`; without matchers `NAME_count` as draft 1 wrote it."""
        inside = ", ".join(m for m in (self.matchers, *extra) if m)
        return f"{self.name}_{suffix}" + (f"{{{inside}}}" if inside else "")


def histogram_of(monitor: ast.Monitor | None) -> tuple[Histogram | None, str]:
    """The monitor's histogram (None and '' when it has none), or None and why it is unusable."""
    text = monitor.query("histogram") if monitor is not None else None
    if not text:
        return None, ""
    found = _HISTOGRAM.fullmatch(text)
    if found is None:
        return None, (
            f"its histogram {text!r} is not a metric name with optional label matchers "
            '(write `histogram "NAME"` or `histogram "NAME{job=\\"api\\"}"`)'
        )
    matchers = (found.group(2) or "").strip().rstrip(",").strip()
    if re.search(r"(^|[\s,{])le\s*(=|!=|=~|!~)", matchers):
        return None, f"its histogram {text!r} has an `le` matcher; sladsl chooses the bucket from the bound"
    return Histogram(found.group(1), matchers), ""


def hidden_in_queries(monitor: ast.Monitor) -> str:
    """Why a monitor's queries cannot go into PromQL ('' when they can): a hidden character
    (`check` already warned, W212) or a query that does not parse (W215); promtool would
    refuse the rules."""
    for query in monitor.queries:
        hidden = hidden_characters(query.query, "\t\n\r")
        if hidden:
            return f"its `{query.kind}` query holds {describe(hidden[0])}, which PromQL cannot contain"
    for query in monitor.queries:  # W215: Prometheus refuses the whole file for one such query
        if problem := query_problem(query):
            return f"its `{query.kind}` query is not PromQL ({problem})"
    return ""


def sli(objective: ast.Objective) -> tuple[Sli | None, str]:
    """The objective as a ratio, or None and the reason it cannot be compiled."""
    monitor = objective.monitor
    target = objective.target
    if target is None:
        return None, "it has no target"
    if monitor is None:
        return None, "it has no `monitor prometheus` block"
    if unwritable := hidden_in_queries(monitor):
        return None, unwritable
    errors, good, total = monitor.query("errors"), monitor.query("good"), monitor.query("total")
    latency = monitor.query("latency")
    histogram, unusable = histogram_of(monitor)
    if isinstance(target, ast.LatencyTarget):
        limit = target.limit.seconds
        if target.windows is not None:
            return None, "a latency objective judged window by window has no request ratio"
        if unusable and target.percentile is not None:
            return None, unusable
        if target.percentile is not None and histogram:
            bucket = f"sum(rate({histogram.series('bucket', le_matcher(limit))}[{{{{window}}}}]))"
            count = f"sum(rate({histogram.series('count')}[{{{{window}}}}]))"
            return Sli(f"1 - ({bucket} / {count})", target.percentile / 100, good=bucket, total=count), ""
        if latency:
            return Sli("", Decimal(1), threshold=latency, threshold_limit=limit), "threshold"
        return None, "a latency objective needs a `histogram` (for a percentile) or a `latency` query"
    allowance: Decimal | None = None
    window: int | None = None
    if isinstance(target, ast.DowntimeTarget):  # draft 3: D per period, as a share of the rolling window
        allowance, window = target.limit.seconds, PERIOD_HOURS[target.period.kind] * 3600
        fraction = Decimal(1) - allowance / window
    else:
        fraction = target.percent.value / 100
    if errors and total:
        ratio = f"({errors}) / ({total})"
        return Sli(ratio, fraction, bad=errors, total=total, allowance=allowance, window_seconds=window), ""
    if good and total:
        ratio = f"1 - (({good}) / ({total}))"
        return Sli(ratio, fraction, good=good, total=total, allowance=allowance, window_seconds=window), ""
    return None, "an availability objective needs `total` with `errors` or `good`"


def _context(agreement: ast.Agreement) -> Context:
    """Period lengths as the document states them: the agreement's zone, over its term."""
    years = SPAN_YEARS
    term = agreement.term
    if term is not None and term.unit in (ast.TimeUnit.YEAR, ast.TimeUnit.MONTH):
        years = max(years, int(term.amount / (12 if term.unit is ast.TimeUnit.MONTH else 1)) + 2)
    first_year = agreement.effective.year if agreement.effective else REFERENCE_YEAR
    return Context(zone=agreement.timezone, first_year=first_year, years=years)


def clause_words(agreement: ast.Agreement, objective: ast.Objective) -> str:
    """The objective's clause as the contract states it (its name, without a target)."""
    target = objective.target
    return _target_words(_Same(target), _context(agreement))[0] if target is not None else objective.name


class _Same:
    """A node as a cache key, compared by identity: every plan's copy of an objective shares
    its target, and the target's own hash would hash every plan it is `on` (r13)."""

    __slots__ = ("node",)

    def __init__(self, node: ast.Target) -> None:
        self.node = node

    def __hash__(self) -> int:
        return id(self.node)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.node is self.node


@functools.lru_cache(maxsize=256)
def _target_words(target: _Same, context: Context) -> tuple[str, str]:
    """The clause's sentence and the allowed downtime, phrased once for all plans sharing them."""
    node = target.node
    if isinstance(node, ast.DowntimeTarget) and type(node) not in PHRASES:
        clause = f"At most {describe_duration(node.limit)} of downtime in {period_words(node.period)}."
    else:
        clause = phrase(node, context)
    allowed = ""
    if isinstance(node, ast.AvailabilityTarget):
        allowed = "; ".join(f"{d} in {n}" for n, d in allowed_downtime(node, context))
    elif isinstance(node, ast.DowntimeTarget):
        allowed = f"{describe_seconds(node.limit.seconds)} per {node.period.kind.value}, whatever its length"
    return clause, allowed


def allowed_words(agreement: ast.Agreement, target: ast.AvailabilityTarget | ast.DowntimeTarget) -> str:
    """The downtime the target allows per period, phrased once for all plans sharing the target."""
    return _target_words(_Same(target), _context(agreement))[1]


def budget_words(found: Sli, kind: ast.PeriodKind) -> str:
    """How a `downtime at most D` budget is measured over the rolling window (draft 3)."""
    assert found.allowance is not None
    return (
        f"{describe_seconds(found.allowance)} of every rolling {PERIOD_WINDOW[kind]} ({found.window_seconds} "
        f"seconds): an error budget of {found.budget_text()} of the time"
    )


def strictest_target(agreement: ast.Agreement, target: ast.DowntimeTarget) -> Decimal:
    """A calendar target for `downtime at most D` (OpenSLO): 1 - D / the longest length the
    period really has in the agreement's zone, rounded up, so no period's budget exceeds D."""
    context = _context(agreement)
    longest = max(s for _, s in period_lengths(target.period.kind, context.zone, context.first_year, context.years))
    exact = 1 - Fraction(target.limit.seconds) / Fraction(longest)
    with localcontext() as wide:
        wide.prec = 60
        value = Decimal(exact.numerator) / Decimal(exact.denominator)
    return max(value.quantize(Decimal("1e-12"), rounding=ROUND_CEILING), Decimal(0)).normalize()
