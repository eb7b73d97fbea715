"""Per-objective facts every target compiles from: the objective as a ratio of bad events
(`sli`), its histogram, the `le` matcher of its bound, and the clause in the document's words.

Why its own module: Prometheus rules, window rules and OpenSLO read an objective the same way;
kept here, none of them imports another to learn it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from sladsl.documents.phrases import Context, allowed_downtime, phrase
from sladsl.language import ast
from sladsl.language.periods import REFERENCE_YEAR, SPAN_YEARS
from sladsl.monitoring.common import number


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


def sli(objective: ast.Objective) -> tuple[Sli | None, str]:
    """The objective as a ratio, or None and the reason it cannot be compiled."""
    monitor = objective.monitor
    target = objective.target
    if target is None:
        return None, "it has no target"
    if monitor is None:
        return None, "it has no `monitor prometheus` block"
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
    fraction = target.percent.value / 100
    if errors and total:
        return Sli(f"({errors}) / ({total})", fraction, bad=errors, total=total), ""
    if good and total:
        return Sli(f"1 - (({good}) / ({total}))", fraction, good=good, total=total), ""
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
    clause = phrase(target.node, context)
    allowed = ""
    if isinstance(target.node, ast.AvailabilityTarget):
        allowed = "; ".join(f"{d} in {n}" for n, d in allowed_downtime(target.node, context))
    return clause, allowed


def allowed_words(agreement: ast.Agreement, target: ast.AvailabilityTarget) -> str:
    """The downtime the target allows per period, phrased once for all plans sharing the target."""
    return _target_words(_Same(target), _context(agreement))[1]
