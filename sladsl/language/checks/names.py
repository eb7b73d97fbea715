"""The checker's rules on names: statements given once, names defined once, and the
references between clauses (credits to objectives, plans and claims to calendars).
"""

from __future__ import annotations

from collections.abc import Sequence

from sladsl.language import ast
from sladsl.language.ast import Span
from sladsl.language.checks.common import Diagnostics, _claim_windows, _did_you_mean, _duplicates, _single_statements
from sladsl.language.diagnostics import error

_HEADERS: dict[type, str] = {
    ast.Version: "version",
    ast.Provider: "provider",
    ast.Customer: "customer",
    ast.Effective: "effective",
    ast.Term: "term",
    ast.TimeZone: "timezone",
    ast.Plans: "plans",
}


def _check_headers(a: ast.Agreement) -> Diagnostics:
    yield from _single_statements(a.statements, _HEADERS)
    yield from _single_statements(a.statements, {ast.Security: "security", ast.Reporting: "reporting"})
    yield from _one_per_plan([s for s in a.statements if isinstance(s, ast.Fee)], "fee", "fee")
    for service in a.services:
        yield from _one_per_plan([s for s in service.statements if isinstance(s, ast.Fee)], "fee", "fee")
    for calendar in a.calendars:
        yield from _single_statements(calendar.statements, {ast.TimeZone: "timezone", ast.Holidays: "holidays"})
    for plan in a.support_plans:
        yield from _single_statements(plan.statements, {ast.UsesCalendar: "calendar", ast.TicketTarget: "target"})
    if a.reporting:
        yield from _single_statements(a.reporting.statements, {ast.UsesCalendar: "calendar"})
    if a.security:
        yield from _single_statements(a.security.statements, {ast.BreachNotification: "breach notification"})


def _one_per_plan(statements: Sequence[ast.Fee | ast.Credits], words: str, what: str) -> Diagnostics:
    """At most one statement without `on plan`, and at most one naming each plan."""
    plain = [s for s in statements if s.on is None]
    for extra in plain[1:]:
        yield error(
            "E101",
            f"`{words}` is given more than once",
            extra.span,
            f"keep one; the first is on line {plain[0].span.line}"
            + ("" if extra.on else '; with plans, end the others with `on plan "NAME"`'),
        )
    seen: dict[str, Span] = {}
    for statement in statements:
        if statement.on is None:
            continue
        for name in statement.on.names:
            if name in seen:
                yield error(
                    "E120",
                    f"two {what} statements apply to plan `{name}`",
                    statement.on.span,
                    f"the first is on line {seen[name].line}; each plan has at most one",
                )
            else:
                seen[name] = statement.on.span


def _check_names(a: ast.Agreement) -> Diagnostics:
    yield from _duplicates(((s.name, s.name_span) for s in a.services), "service")
    for plans in (s for s in a.statements if isinstance(s, ast.Plans)):
        yield from _duplicates(zip(plans.names, plans.name_spans, strict=True), "plan")
    yield from _duplicates(((c.name, c.name_span) for c in a.calendars), "calendar")
    yield from _duplicates(((p.name, p.name_span) for p in a.support_plans), "support plan")
    yield from _duplicates(((d.term, d.span) for d in a.definitions), "definition")
    for service in a.services:
        yield from _duplicates(((o.name, o.name_span) for o in service.objectives), "objective")
        yield from _duplicates(
            ((c.objective, c.objective_span) for c in service.credits if c.on is None), "credits for"
        )
        per_plan = _group_by_objective([c for c in service.credits if c.on is not None])
        for objective in service.objectives:
            yield from _one_per_plan(per_plan.get(objective.name, []), "credits for", "credits")
    for plan in a.support_plans:
        yield from _duplicates(((p.name, p.span) for p in plan.priorities), "priority")


def _group_by_objective(blocks: list[ast.Credits]) -> dict[str, list[ast.Credits]]:
    """Credits blocks by the objective they name, in source order: one pass, where a scan of
    the blocks for each objective was quadratic in a service with thousands of objectives."""
    grouped: dict[str, list[ast.Credits]] = {}
    for block in blocks:
        grouped.setdefault(block.objective, []).append(block)
    return grouped


def _check_references(a: ast.Agreement) -> Diagnostics:
    for service in a.services:
        names = [o.name for o in service.objectives]
        known = set(names)  # `in` on the list was quadratic; the list stays for the hint
        for credits in service.credits:
            if credits.objective not in known:
                hint = _did_you_mean(credits.objective, names, f"objectives of `{service.name}`")
                yield error(
                    "E103", f"credits for unknown objective `{credits.objective}`", credits.objective_span, hint
                )
    calendars = [c.name for c in a.calendars]
    known_calendars = set(calendars)
    uses = [p.calendar for p in a.support_plans] + [a.reporting.calendar if a.reporting else None]
    for use in uses:
        if use is not None and use.name not in known_calendars:
            yield error(
                "E104", f"unknown calendar `{use.name}`", use.span, _did_you_mean(use.name, calendars, "calendars")
            )
    for claim in _claim_windows(a):
        if claim.calendar is not None and claim.calendar not in known_calendars:
            yield error(
                "E104",
                f"unknown calendar `{claim.calendar}`",
                claim.calendar_span,
                _did_you_mean(claim.calendar, calendars, "calendars"),
            )
