"""Support response times on business calendars, and the security and reporting clauses.

Calendars become open intervals in `calendars`; the tickets are judged in SQL against
that list, every ticket of a plan in one query (`_JUDGED_TICKETS`), for the first
response and, in draft 2, the resolution.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sladsl.evaluation import sql
from sladsl.evaluation.calendars import US, allowed_seconds, business_deadline, open_intervals
from sladsl.evaluation.context import EXPLAIN_LIMIT
from sladsl.evaluation.deadlines import set_termination
from sladsl.evaluation.evidence import EvidenceError
from sladsl.evaluation.history import holds_at
from sladsl.evaluation.report import ChronicResult, ClauseResult, SupportResult
from sladsl.evaluation.report import Evidence as Proof
from sladsl.language import ast
from sladsl.language.periods import Window, add_months, epoch_us, window_from
from sladsl.language.units import describe_duration

if TYPE_CHECKING:
    from sladsl.evaluation.context import Context


# ---- support plans ----------------------------------------------------------------------------


def evaluate_support(context: Context) -> list[SupportResult]:
    plans = context.agreement.support_plans
    if not plans:
        return []
    results: list[SupportResult] = []
    judged = [p for p in plans if _plan_period(p) is context.window.kind]
    view = context.evidence.require("tickets", "the support plans") if judged else ""
    if judged:
        _check_tickets(context, view, judged)
        # tickets of support plans that another plan's customers have are known names, not typos
        known = [p.name for p in plans] + [
            n for n in context.declared_support_plans if n not in {p.name for p in plans}
        ]
        context.evidence.warn_unknown("tickets", "plan", known, "support plan")
    for plan in plans:
        target = plan.target.percent.value if plan.target else Decimal(100)
        if plan not in judged:
            for priority in plan.priorities:
                result = SupportResult(
                    plan.name,
                    priority.name,
                    0,
                    0,
                    0,
                    target,
                    judged=False,
                    reason=f"measured per {_plan_period(plan).value}",
                )
                result.first_response, result.resolution = _deadlines(priority)
                results.append(result)
            continue
        results.extend(_plan(context, plan, view, target))
    return results


def judge_support_chronic(context: Context, results: list[SupportResult], notes: list[str]) -> list[ChronicResult]:
    """Draft 3 `chronic failure when support target missed in N consecutive periods [or in M
    of any K periods][, terminate within D]`, in a support plan, at the judged period.

    A period's support target is missed when a priority of the plan misses it (`ok` false).
    The ledger keeps no support results, so the earlier periods the condition spans are
    judged from the tickets in the evidence, as the judged period is; a period without
    tickets due counts as not missed."""
    found: list[ChronicResult] = []
    for plan in context.agreement.support_plans:
        rule = plan.chronic_failure
        if rule is None or not rule.support or _plan_period(plan) is not context.window.kind:
            continue
        span = max(rule.consecutive or 1, rule.of_any[1] if rule.of_any else 1)
        windows = _earlier_windows(context.window, span - 1)
        target = plan.target.percent.value if plan.target else Decimal(100)
        view = context.evidence.require("tickets", "the support plans")
        flags = []
        for earlier in windows:
            past = replace(context, window=earlier, whole=None, explain=False, provisional=False)
            flags.append(any(r.ok is False for r in _plan(past, plan, view, target)))
        flags.append(any(r.ok is False for r in results if r.plan == plan.name))
        labels = [w.label for w in windows] + [context.window.label]
        held = [holds_at(flags, i, rule) for i in range(len(flags))]
        first = len(held) - 1
        while held[-1] and first > 0 and held[first - 1]:
            first -= 1
        chronic = ChronicResult(
            held[-1],
            labels[first] if held[-1] else None,
            next((labels[i] for i, h in enumerate(held) if h), None),
            [label for label, missed in zip(labels, flags, strict=True) if missed],
            True,
            plan=plan.name,
        )
        set_termination(context.agreement, rule, chronic, context.window, context.provisional)
        found.append(chronic)
        if windows:
            notes.append(
                f"support {plan.name}: chronic failure judged over {labels[0]} to {labels[-1]} from the tickets "
                "in the evidence (a ledger keeps no support results); a period without tickets due counts as not missed"
            )
    return found


def _earlier_windows(window: Window, count: int) -> list[Window]:
    """The `count` periods of the window's kind before it, oldest first."""
    tz = window.start.tzinfo
    assert isinstance(tz, ZoneInfo)
    found: list[Window] = []
    first = window.first_day
    for _ in range(count):
        first = (
            first - timedelta(days=7)
            if window.kind is ast.PeriodKind.WEEK
            else add_months(first, -(window.kind.months or 0))
        )
        found.insert(0, window_from(window.kind, first, tz))
    return found


def _plan_period(plan: ast.SupportPlan) -> ast.PeriodKind:
    return plan.target.period.kind if plan.target else ast.PeriodKind.MONTH


def _deadlines(priority: ast.Priority) -> tuple[SupportResult.Deadline, SupportResult.Deadline | None]:
    response = SupportResult.Deadline(describe_duration(priority.response))
    resolution = None if priority.resolution is None else SupportResult.Deadline(describe_duration(priority.resolution))
    return response, resolution


_BEFORE_OPENED = (
    ("first_response", '"first_response" < "opened"', "first response is before opened"),
    ("resolved", '"resolved" < "opened"', "resolved is before opened"),
)


def _check_tickets(context: Context, view: str, plans: list[ast.SupportPlan]) -> None:
    """Times before the ticket was opened are bad evidence; `resolution within` needs `resolved`."""
    counts = ", ".join(f"count(*) FILTER (WHERE {condition})" for _, condition, _ in _BEFORE_OPENED)
    found = context.run(f"SELECT {counts} FROM {view}")[0]
    for (column, condition, message), count in zip(_BEFORE_OPENED, found, strict=True):
        if count:
            context.evidence.locate("tickets", condition, column, message)
    needs = next((p for p in plans if any(q.resolution is not None for q in p.priorities)), None)
    if needs is not None and not _has_column(context, "tickets", "resolved"):
        raise EvidenceError(
            f"{context.evidence.origin('tickets')}: missing column `resolved`; it is needed by "
            f"`resolution within` in support plan {needs.name!r} (leave it empty for tickets not resolved yet)"
        )


def _has_column(context: Context, table: str, column: str) -> bool:
    """Whether the table's file has the column, on whichever engine read it."""
    return context.evidence.has_column(table, column)


def _plan(context: Context, plan: ast.SupportPlan, view: str, target: Decimal) -> list[SupportResult]:
    names = [p.name for p in plan.priorities]
    undefined = "plan = $plan AND priority NOT IN (SELECT unnest($names))"
    if context.run(f"SELECT count(*) FROM {view} WHERE {undefined}", plan=plan.name, names=names)[0][0]:
        context.evidence.locate(
            "tickets",
            undefined,
            "priority",
            f"{{value}} is not a priority of support plan {plan.name!r} ({', '.join(names)})",
            {"plan": plan.name, "names": names},
        )
    calendar = context.agreement.calendar(plan.calendar.name) if plan.calendar else None
    cutoff = context.cutoff_us
    context.run(
        "CREATE OR REPLACE TEMP TABLE priorities "
        "(priority VARCHAR, allowed BIGINT, around BOOLEAN, fix_allowed BIGINT, fix_around BOOLEAN)"
    )
    context.evidence.con.executemany(
        "INSERT INTO priorities VALUES (?, ?, ?, ?, ?)",
        [
            (
                p.name,
                int(allowed_seconds(p.response, calendar) * US),
                p.around_the_clock or not p.response.business,
                None if p.resolution is None else int(allowed_seconds(p.resolution, calendar) * US),
                p.resolution is not None and (p.around_the_clock or not p.resolution.business),
            )
            for p in plan.priorities
        ],
    )
    context.run("CREATE OR REPLACE TEMP TABLE open_time (s BIGINT, e BIGINT)")
    if calendar is not None:
        first = context.window.first_day - timedelta(days=2)  # the calendar's zone may be a day behind
        last = context.moment(cutoff).date() + timedelta(days=2)
        context.evidence.con.executemany(
            "INSERT INTO open_time VALUES (?, ?)", open_intervals(calendar, context.agreement.timezone, first, last)
        )
    params = {"plan": plan.name, "p0": context.window.start_us, "p1": context.window.end_us, "cutoff": cutoff}
    context.run(f"CREATE OR REPLACE TEMP TABLE judged_tickets AS {_JUDGED_TICKETS.format(view=view)}", **params)
    by_priority: dict[str, SupportResult] = {}
    for p in plan.priorities:
        result = SupportResult(plan.name, p.name, 0, 0, 0, target)
        result.first_response, result.resolution = _deadlines(p)
        by_priority[p.name] = result
    for priority, tickets, *counts in context.run(_TICKET_COUNTS):
        result = by_priority[priority]
        result.tickets, result.met, result.pending = tickets, counts[6], counts[7]
        assert result.first_response is not None
        response = result.first_response
        response.met, response.pending, response.missed = counts[0:3]
        if result.resolution is not None:
            result.resolution.met, result.resolution.pending, result.resolution.missed = counts[3:6]
        if tickets > EXPLAIN_LIMIT:
            result.explanation.append(Proof(f"{tickets - EXPLAIN_LIMIT} more tickets, not listed", counted=False))
    for row in context.run(_LISTED_TICKETS, limit=EXPLAIN_LIMIT):
        ticket, priority, opened, answered, resolved, around, fix_around, elapsed, fix_elapsed, answer, fix = row
        result = by_priority[priority]
        two = result.resolution is not None
        proofs = [
            _proof(
                context,
                f"ticket {ticket} first response" if two else f"ticket {ticket}",
                (opened, answered, around, elapsed, answer),
                ("answered", "no response"),
            )
        ]
        if two:
            proofs.append(
                _proof(
                    context,
                    f"ticket {ticket} resolution",
                    (opened, resolved, fix_around, fix_elapsed, fix),
                    ("resolved", "not resolved"),
                )
            )
        at = len(result.explanation) - (1 if result.tickets > EXPLAIN_LIMIT else 0)
        result.explanation[at:at] = proofs  # before the "more tickets" line
    return list(by_priority.values())


def _proof(context: Context, what: str, times: tuple[int, int | None, bool, int, str], words: tuple[str, str]) -> Proof:
    """One ticket against one target, in words: met, pending (not due yet) or missed."""
    opened, done, around, elapsed, state = times
    clock = "wall-clock" if around else "open"
    if state == "met":
        reason = f"{words[0]} after {_hms(elapsed, not around)} of {clock} time"
    elif state == "pending":
        reason = f"{words[1]} yet, not due: pending"
    else:
        why = words[1] if done is None else words[0]
        reason = f"{why} after {_hms(elapsed, not around)} of {clock} time: missed"
    end = None if done is None else context.moment(done)
    return Proof(what, context.moment(opened), end, Decimal(elapsed) / US, state != "pending", reason)


# Every ticket of a plan opened in the period, judged in one pass. `open_time` holds the
# calendar's open intervals; a target counted around the clock (or a plain duration) uses
# wall time. Elapsed time runs to the event, or to $cutoff when it has not happened by then.
# The first response is the earlier of `first_response` and `resolved`: a resolution answers.
_JUDGED_TICKETS = """
    WITH t AS (
        SELECT id, priority, epoch_us(opened) AS o,
               CASE WHEN epoch_us(least(first_response, resolved)) <= $cutoff
                    THEN epoch_us(least(first_response, resolved)) END AS r,
               CASE WHEN epoch_us(resolved) <= $cutoff THEN epoch_us(resolved) END AS x
        FROM {view} WHERE plan = $plan AND epoch_us(opened) >= $p0 AND epoch_us(opened) < $p1
    ), e AS (
        SELECT t.id, t.priority, t.o, t.r, t.x, p.around, p.fix_around, p.allowed, p.fix_allowed,
               CASE WHEN p.around THEN greatest(coalesce(t.r, $cutoff) - t.o, 0)
                    ELSE coalesce((SELECT sum(least(coalesce(t.r, $cutoff), c.e) - greatest(t.o, c.s))
                                   FROM open_time c WHERE c.s < coalesce(t.r, $cutoff) AND c.e > t.o), 0)
               END AS elapsed,
               CASE WHEN p.fix_allowed IS NULL THEN 0
                    WHEN p.fix_around THEN greatest(coalesce(t.x, $cutoff) - t.o, 0)
                    ELSE coalesce((SELECT sum(least(coalesce(t.x, $cutoff), c.e) - greatest(t.o, c.s))
                                   FROM open_time c WHERE c.s < coalesce(t.x, $cutoff) AND c.e > t.o), 0)
               END AS fix_elapsed
        FROM t JOIN priorities p ON t.priority = p.priority
    ), s AS (
        SELECT *,
               CASE WHEN elapsed > allowed THEN 'missed' WHEN r IS NULL THEN 'pending' ELSE 'met' END AS answer,
               CASE WHEN fix_allowed IS NULL THEN NULL WHEN fix_elapsed > fix_allowed THEN 'missed'
                    WHEN x IS NULL THEN 'pending' ELSE 'met' END AS fix
        FROM e
    )
    SELECT *,
           CASE WHEN answer = 'missed' OR fix = 'missed' THEN 'missed'
                WHEN answer = 'pending' OR fix = 'pending' THEN 'pending' ELSE 'met' END AS overall,
           row_number() OVER (PARTITION BY priority ORDER BY o, id) AS n
    FROM s
"""

_TICKET_COUNTS = """
    SELECT priority, count(*),
           count(*) FILTER (WHERE answer = 'met'), count(*) FILTER (WHERE answer = 'pending'),
           count(*) FILTER (WHERE answer = 'missed'),
           count(*) FILTER (WHERE fix = 'met'), count(*) FILTER (WHERE fix = 'pending'),
           count(*) FILTER (WHERE fix = 'missed'),
           count(*) FILTER (WHERE overall = 'met'), count(*) FILTER (WHERE overall = 'pending')
    FROM judged_tickets GROUP BY priority
"""

_LISTED_TICKETS = """
    SELECT id, priority, o, r, x, around, fix_around, elapsed, fix_elapsed, answer, fix
    FROM judged_tickets WHERE n <= $limit ORDER BY priority, n
"""


def _hms(us: int, open_time: bool = False) -> str:
    """Elapsed time in words; open time is told in hours, since a business day is not 24 hours."""
    from sladsl.language.units import describe_seconds

    if us <= 0:
        return "0 seconds"
    hours, rest = divmod(us, 3600 * US)
    if open_time and hours >= 24:
        return f"{hours} hours" + (f" {describe_seconds(Decimal(rest) / US)}" if rest else "")
    return describe_seconds(Decimal(us) / US)


# ---- security, reporting, certifications -------------------------------------------------------


def evaluate_clauses(context: Context) -> list[ClauseResult]:
    results: list[ClauseResult] = []
    security = context.agreement.security
    if security is not None:
        if security.breach_notification is not None:
            results.append(_breach_notification(context, security.breach_notification))
        for certification in security.certifications:
            results.append(_certification(context, certification))
    reporting = context.agreement.reporting
    if reporting is not None:
        for report in reporting.reports:
            results.append(_report(context, reporting, report))
    return results


def _breach_notification(context: Context, clause: ast.BreachNotification) -> ClauseResult:
    within = describe_duration(clause.within)
    result = ClauseResult("security", f"breach notification within {within}", None, True)
    view = context.evidence.require("security_incidents", "`breach notification within`")
    allowed = int(clause.within.seconds * US)
    late = 0
    for incident, detected, notified in context.run(
        sql.security_incidents(view), p0=context.window.start_us, p1=context.window.end_us, cutoff=context.cutoff_us
    ):
        if notified is not None:
            on_time = notified - detected <= allowed
            reason = f"notified after {_hms(notified - detected)}" + ("" if on_time else ": late")
        elif context.cutoff_us - detected > allowed:
            on_time, reason = False, "not notified, and the deadline has passed"
        else:
            result.explanation.append(
                Proof(
                    f"security incident {incident}",
                    context.moment(detected),
                    None,
                    None,
                    False,
                    "not notified yet, not due: pending",
                )
            )
            continue
        late += not on_time
        result.explanation.append(
            Proof(
                f"security incident {incident}",
                context.moment(detected),
                context.moment(notified) if notified else None,
                None,
                True,
                reason,
            )
        )
    result.met = late == 0
    result.reason = "no security incidents in the period" if not result.explanation else ""
    return result


def _certification(context: Context, clause: ast.Certification) -> ClauseResult:
    renewal = f" renewed every {describe_duration(clause.renewed_every)}" if clause.renewed_every else ""
    result = ClauseResult("security", f'certification "{clause.name}"{renewal}', None, False)
    if not context.evidence.has("certifications"):
        result.reason = "no certifications table: certifications are judged only when evidence is supplied"
        return result
    view = context.evidence.require("certifications", "`certification`")
    covered_until = context.window.start_us
    for issued, expires in context.run(
        sql.certificates(view), name=clause.name, p0=context.window.start_us, p1=context.window.end_us
    ):
        result.explanation.append(Proof("certificate", context.moment(issued), context.moment(expires)))
        if issued <= covered_until:
            covered_until = max(covered_until, expires)
    result.judged = True
    result.met = covered_until >= context.window.end_us
    if not result.met:
        result.reason = f"not valid from {context.moment(covered_until).isoformat()}"
    return result


def _report(context: Context, reporting: ast.Reporting, clause: ast.Report) -> ClauseResult:
    words = f"{clause.kind} report every {clause.every.kind.value} within {describe_duration(clause.within)}"
    result = ClauseResult("reporting", words, None, False)
    if clause.every.kind is not context.window.kind:
        result.reason = f"due per {clause.every.kind.value}"
        return result
    if context.provisional:
        result.reason = "not due yet: the period has not ended"
        return result
    view = context.evidence.require("reports", "the reporting clauses")
    due = _report_due(context, reporting, clause)
    delivered, _count = context.run(sql.reports(view), label=context.window.label, cutoff=context.cutoff_us)[0]
    result.judged = True
    if delivered is not None:
        result.met = due is not None and delivered <= due
        result.explanation.append(
            Proof(
                f"report for {context.window.label}",
                context.moment(delivered),
                None,
                None,
                True,
                "delivered on time" if result.met else "delivered late",
            )
        )
    elif due is not None and context.cutoff_us > due:
        result.met = False
        result.explanation.append(
            Proof(f"report for {context.window.label}", None, None, None, True, "not delivered by its deadline")
        )
    else:
        result.judged = False
        result.reason = "not due yet" + ("" if context.as_of else " (use --as-of to judge it later)")
    if due is not None:
        result.explanation.append(Proof("deadline", context.moment(due), counted=False))
    return result


def _report_due(context: Context, reporting: ast.Reporting, clause: ast.Report) -> int | None:
    end = context.window.end_us
    if not clause.within.business:
        if clause.within.is_calendar:
            from sladsl.language.periods import add_calendar

            day = add_calendar(context.window.end.date(), clause.within)
            return epoch_us(datetime(day.year, day.month, day.day, tzinfo=context.window.start.tzinfo))
        return end + int(clause.within.seconds * US)
    name = reporting.calendar.name if reporting.calendar else context.agreement.calendars[0].name
    calendar = context.agreement.calendar(name)
    assert calendar is not None
    return business_deadline(calendar, context.agreement.timezone, end, clause.within)
