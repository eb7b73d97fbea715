"""What a clause means, shown on hover (Markdown).

- a target `availability at least P per PERIOD`: the downtime it allows for each length the
  period really has in the agreement's zone, DST months included: the numbers the contract
  document prints (`sladsl.documents.phrases_objectives.allowed_downtime`, same context);
- a target `downtime at most D per PERIOD`: D in each period length, and the availability
  that is;
- a credit tier: the range of the measured value (for time-based availability, of downtime
  in each period length) in which that tier is the one that pays;
- a business duration: the calendar that counts it, with its open hours.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sladsl.documents.phrases_common import Context, period_lengths, whole_seconds
from sladsl.documents.phrases_objectives import allowed_downtime
from sladsl.language import ast
from sladsl.language.checks.common import child_fields
from sladsl.language.formatter import statement_text
from sladsl.language.periods import REFERENCE_YEAR, SPAN_YEARS
from sladsl.language.units import describe_duration

HUNDRED = Decimal(100)


def document_context(agreement: ast.Agreement) -> Context:
    """The context the contract document states allowances in (`sladsl.documents.model`):
    the agreement's zone, over its term from the year it is effective (28 years at least)."""
    years = SPAN_YEARS
    term = agreement.term
    if term is not None and term.unit in (ast.TimeUnit.YEAR, ast.TimeUnit.MONTH):
        years = max(years, int(term.amount / (12 if term.unit is ast.TimeUnit.MONTH else 1)) + 2)
    effective = agreement.effective
    return Context(zone=agreement.timezone, first_year=effective.year if effective else REFERENCE_YEAR, years=years)


def path_at(agreement: ast.Agreement, offset: int) -> list[Any]:
    """The nodes that hold `offset`, from the agreement down to the innermost."""
    path: list[Any] = [agreement]
    node: Any = agreement
    while True:
        inner = None
        for name in child_fields(type(node)):
            value = getattr(node, name)
            for child in value if isinstance(value, tuple) else (value,):
                span = getattr(child, "span", None)
                if span is not None and span.start_pos <= offset <= span.end_pos and span.end_pos > span.start_pos:
                    inner = child
                    break
            if inner is not None:
                break
        if inner is None:
            return path
        path.append(inner)
        node = inner


def hover_text(agreement: ast.Agreement, path: list[Any]) -> tuple[str, Any] | None:
    """The Markdown for the innermost node of `path` that has something to say, and that node."""
    for depth in range(len(path) - 1, 0, -1):
        node = path[depth]
        explain = _EXPLAIN.get(type(node))
        if explain is None:
            continue
        text = explain(agreement, node, path[:depth])
        if text:
            return text, node
    return None


# ---- targets ------------------------------------------------------------------------------


def _zone_note(context: Context) -> str:
    return f"Period lengths in the agreement's time zone, {context.zone}, daylight saving included."


def _availability(agreement: ast.Agreement, target: ast.AvailabilityTarget, _: list[Any]) -> str:
    context = document_context(agreement)
    rows = allowed_downtime(target, context)
    lines = [
        f"**Availability at least {target.percent.value}% {_per(target.period)}**{_plans(target.on)}",
        "",
        "| Length of the period | Downtime allowed |",
        "|---|---|",
        *(f"| {name} | {words} |" for name, words in rows),
        "",
        _zone_note(context) + " As the contract document states it: rounded down to whole seconds.",
    ]
    return "\n".join(lines)


def _downtime(agreement: ast.Agreement, target: ast.DowntimeTarget, _: list[Any]) -> str:
    context = document_context(agreement)
    limit = target.limit.seconds
    lines = [
        f"**Downtime at most {describe_duration(target.limit)} {_per(target.period)}**{_plans(target.on)}",
        "",
        "| Length of the period | Downtime allowed | Availability |",
        "|---|---|---|",
    ]
    for name, seconds in period_lengths(target.period.kind, *context.span):
        share = (HUNDRED - limit / seconds * HUNDRED).quantize(Decimal("0.0001"))
        lines.append(f"| {name} | {describe_duration(target.limit)} | {share.normalize():f}% |")
    lines += ["", _zone_note(context)]
    return "\n".join(lines)


def _per(period: ast.Period) -> str:
    return f"per {period.kind.value}"


def _plans(on: ast.OnPlans | None) -> str:
    return "" if on is None else " on plan " + ", ".join(f'"{n}"' for n in on.names)


# ---- credit tiers ---------------------------------------------------------------------------


def _target_for(agreement: ast.Agreement, path: list[Any], credits: ast.Credits) -> ast.Target | None:
    service = next((n for n in reversed(path) if isinstance(n, ast.Service)), None)
    objective = service.objective(credits.objective) if service else None
    if objective is None:
        return None
    targets = objective.targets
    plan = credits.on.names[0] if credits.on else None
    own = [t for t in targets if plan is not None and t.on is not None and t.on.covers(plan)]
    plain = [t for t in targets if t.on is None]
    chosen = own or plain or list(targets)
    return chosen[0] if chosen else None


def _tier(agreement: ast.Agreement, tier: ast.Tier, path: list[Any]) -> str | None:
    credits = path[-1] if path and isinstance(path[-1], ast.Credits) else None
    if credits is None:
        return None
    tiers = [s for s in credits.statements if isinstance(s, ast.Tier)]
    worse = tiers[tiers.index(tier) + 1] if tier in tiers and tiers.index(tier) + 1 < len(tiers) else None
    target = _target_for(agreement, path, credits)
    head = f"**Credit tier: {tier.comparison.value} {_threshold(tier.threshold)}** of `{credits.objective}`"
    if worse is None:
        pays = "This is the worst tier: it pays whenever its condition holds."
    else:
        pays = f"It pays until the next tier ({worse.comparison.value} {_threshold(worse.threshold)}) applies."
    if isinstance(target, ast.AvailabilityTarget) and isinstance(tier.threshold, ast.Percent):
        body = _downtime_range(agreement, target, tier, worse)
    else:
        body = _value_range(target, tier, worse)
    return "\n".join([head, "", body, "", pays])


def _threshold(value: ast.Percent | ast.Duration) -> str:
    return f"{value.value}%" if isinstance(value, ast.Percent) else describe_duration(value)


def _downtime_range(
    agreement: ast.Agreement, target: ast.AvailabilityTarget, tier: ast.Tier, worse: ast.Tier | None
) -> str:
    """Measured availability below the tier's threshold (and not below the next one's) is
    downtime above (100 - threshold)% of the period (and up to 100 - next threshold)."""
    context = document_context(agreement)
    assert isinstance(tier.threshold, ast.Percent)
    low = (HUNDRED - tier.threshold.value) / HUNDRED
    low_word = "more than " if tier.comparison is ast.Comparison.BELOW else ""
    high = None
    high_word = ""
    if worse is not None and isinstance(worse.threshold, ast.Percent):
        high = (HUNDRED - worse.threshold.value) / HUNDRED
        high_word = "" if worse.comparison is ast.Comparison.BELOW else "less than "
    rows = []
    for name, seconds in period_lengths(target.period.kind, *context.span):
        if high is None:
            rows.append(f"- {low_word or 'at least '}{whole_seconds(low * seconds)} of downtime in {name}")
        else:
            rows.append(
                f"- from {low_word}{whole_seconds(low * seconds)} to {high_word}"
                f"{whole_seconds(high * seconds)} of downtime in {name}"
            )
    head = f"Applies with this much downtime {_per(target.period)} (target {target.percent.value}%):"
    return "\n".join([head, *rows, "", _zone_note(context) + " Durations rounded down to whole seconds."])


def _value_range(target: ast.Target | None, tier: ast.Tier, worse: ast.Tier | None) -> str:
    what = {
        ast.AvailabilityTarget: "the availability measured",
        ast.RequestTarget: "the share of good requests",
        ast.DowntimeTarget: "the downtime counted",
    }.get(type(target), "the value measured")
    if isinstance(target, ast.LatencyTarget):
        what = "the share of windows that meet the bound" if target.windows else f'the latency of "{target.metric}"'
    condition = f"{what} is {tier.comparison.value} {_threshold(tier.threshold)}"
    if worse is not None:
        opposite = {
            ast.Comparison.BELOW: "at least",
            ast.Comparison.AT_OR_BELOW: "above",
            ast.Comparison.ABOVE: "at most",
            ast.Comparison.AT_OR_ABOVE: "below",
        }[worse.comparison]
        condition += f" and {opposite} {_threshold(worse.threshold)}"
    return f"Applies when {condition}."


def _outage_tier(agreement: ast.Agreement, tier: ast.OutageTier, path: list[Any]) -> str:
    longer = f" longer than {describe_duration(tier.longer_than)}" if tier.longer_than else ""
    per = ""
    if tier.per is not None:
        per = f", for every {'started' if tier.started else 'whole'} {describe_duration(tier.per)} of it"
    return (
        f"**Credit per outage**\n\nJudged outage by outage: each counted outage{longer} pays{per}; "
        "the block's caps, minimum and threshold apply to the sum."
    )


# ---- business durations ---------------------------------------------------------------------


def _business(agreement: ast.Agreement, duration: ast.Duration, path: list[Any]) -> str | None:
    if not duration.business:
        return None
    name, where = _calendar_name(agreement, path)
    head = f"**{describe_duration(duration)}**, counted in open hours"
    if name is None:
        return f"{head}\n\nNo calendar counts it here: {where}"
    calendar = agreement.calendar(name)
    if calendar is None:
        return f'{head} of calendar "{name}" ({where}), which the agreement does not define.'
    return f'{head} of calendar "{name}" ({where}):\n\n' + calendar_text(agreement, calendar)


def _calendar_name(agreement: ast.Agreement, path: list[Any]) -> tuple[str | None, str]:
    for node in reversed(path):
        if isinstance(node, ast.ClaimWindow):
            return node.calendar, "the claim window's `on`" if node.calendar else 'write `on "CALENDAR"`'
        if isinstance(node, ast.SupportPlan):
            use = node.calendar
            return (use.name, f'the support plan "{node.name}"') if use else (None, "the plan names no calendar")
        if isinstance(node, ast.Reporting):
            use = node.calendar
            if use is not None:
                return use.name, "the reporting block's calendar"
            if len(agreement.calendars) == 1:
                return agreement.calendars[0].name, "the agreement's only calendar"
            return None, "the reporting block names no calendar"
    return None, "business time counts only in support plans, reports and claim windows"


def calendar_text(agreement: ast.Agreement, calendar: ast.Calendar) -> str:
    """A calendar's open hours, zone, holidays and dates, one per line."""
    zone = calendar.timezone.name if calendar.timezone else f"{agreement.timezone} (the agreement's)"
    lines = [f"- {statement_text(h)}{_overnight(h)}" for h in calendar.open_hours]
    lines.append(f"- time zone {zone}")
    if calendar.holidays:
        lines.append(f'- closed on the public holidays of "{calendar.holidays.country}"')
    if calendar.closed_on:
        lines.append("- closed on " + _dates(calendar.closed_on))
    if calendar.open_on:
        lines.append("- open on " + _dates(calendar.open_on))
    return "\n".join(lines)


def _calendar(agreement: ast.Agreement, calendar: ast.Calendar, _: list[Any]) -> str:
    return f'**Calendar "{calendar.name}"**\n\n' + calendar_text(agreement, calendar)


def _uses_calendar(agreement: ast.Agreement, use: ast.UsesCalendar, _: list[Any]) -> str | None:
    calendar = agreement.calendar(use.name)
    return None if calendar is None else _calendar(agreement, calendar, _)


def _overnight(h: ast.OpenHours) -> str:
    return " (past midnight, into the next day)" if h.closes <= h.opens else ""


def _dates(dates: frozenset[date]) -> str:
    return ", ".join(d.isoformat() for d in sorted(dates))


_EXPLAIN: dict[type, Callable[[ast.Agreement, Any, list[Any]], str | None]] = {
    ast.AvailabilityTarget: _availability,
    ast.DowntimeTarget: _downtime,
    ast.Tier: _tier,
    ast.OutageTier: _outage_tier,
    ast.Duration: _business,
    ast.Calendar: _calendar,
    ast.UsesCalendar: _uses_calendar,
}
