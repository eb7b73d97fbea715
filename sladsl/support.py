"""Support response times on business calendars, and the security and reporting clauses.

A calendar becomes a list of open intervals (UTC microseconds) for the days that matter:
one entry per open day, not per ticket. The tickets themselves are judged in SQL
against that list (`sql.ticket_times`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sladsl import ast, sql
from sladsl.ast import Duration, TimeUnit
from sladsl.periods import epoch_us
from sladsl.report import ClauseResult, SupportResult
from sladsl.report import Evidence as Proof
from sladsl.units import describe_duration

if TYPE_CHECKING:
    from sladsl.context import Context

US = 1_000_000


# ---- calendars ----------------------------------------------------------------------------


def _holidays(calendar: ast.Calendar, years: range) -> set[date]:
    if calendar.holidays is None:
        return set()
    import holidays

    country, _, subdivision = calendar.holidays.country.partition("-")
    return set(holidays.country_holidays(country, subdiv=subdivision or None, years=years).keys())


def open_intervals(calendar: ast.Calendar, zone: str, first: date, last: date) -> list[tuple[int, int]]:
    """The calendar's open time between two local dates, as merged UTC intervals."""
    tz = ZoneInfo(calendar.timezone.name if calendar.timezone else zone)
    closed = _holidays(calendar, range(first.year, last.year + 1))
    intervals: list[tuple[int, int]] = []
    day = first
    while day <= last:
        if day not in closed:
            for hours in calendar.open_hours:
                if ast.Weekday(day.weekday()) in hours.days:
                    intervals.append((_at(day, hours.opens, tz), _at(day, hours.closes, tz)))
        day += timedelta(days=1)
    return _merge(sorted(intervals))


def _at(day: date, minutes: int, tz: ZoneInfo) -> int:
    """A local wall-clock time on a day (24:00 is the next midnight) as UTC microseconds."""
    wall = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
    return epoch_us(wall.replace(tzinfo=tz))


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in intervals:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        elif e > s:
            merged.append((s, e))
    return merged


def open_day_seconds(calendar: ast.Calendar) -> Decimal:
    """The open time of one open day: what `1 business day` means (the longest day)."""
    per_day: dict[ast.Weekday, int] = {}
    for hours in calendar.open_hours:
        for day in hours.days:
            per_day[day] = per_day.get(day, 0) + (hours.closes - hours.opens) * 60
    return Decimal(max(per_day.values(), default=0))


def allowed_seconds(duration: Duration, calendar: ast.Calendar | None) -> Decimal:
    if not duration.business:
        return duration.seconds
    if duration.unit is TimeUnit.DAY:
        assert calendar is not None
        return duration.amount * open_day_seconds(calendar)
    return duration.amount * 3600


def add_business_time(intervals: list[tuple[int, int]], start_us: int, amount_us: int) -> int | None:
    """The moment `amount_us` of open time has passed after `start_us`; None past the list."""
    left = amount_us
    for s, e in intervals:
        if e <= start_us:
            continue
        s = max(s, start_us)
        if e - s >= left:
            return s + left
        left -= e - s
    return None


# ---- support plans ----------------------------------------------------------------------------


def evaluate_support(context: Context) -> list[SupportResult]:
    plans = context.agreement.support_plans
    if not plans:
        return []
    results: list[SupportResult] = []
    judged = [p for p in plans if _plan_period(p) is context.window.kind]
    view = context.evidence.require("tickets", "the support plans") if judged else ""
    if judged:
        context.evidence.warn_unknown("tickets", "plan", [p.name for p in plans], "support plan")
    for plan in plans:
        target = plan.target.percent.value if plan.target else Decimal(100)
        if plan not in judged:
            for priority in plan.priorities:
                results.append(
                    SupportResult(
                        plan.name,
                        priority.name,
                        0,
                        0,
                        0,
                        target,
                        judged=False,
                        reason=f"measured per {_plan_period(plan).value}",
                    )
                )
            continue
        results.extend(_plan(context, plan, view, target))
    return results


def _plan_period(plan: ast.SupportPlan) -> ast.PeriodKind:
    return plan.target.period.kind if plan.target else ast.PeriodKind.MONTH


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
    context.run("CREATE OR REPLACE TEMP TABLE priorities (priority VARCHAR, allowed BIGINT, around BOOLEAN)")
    context.evidence.con.executemany(
        "INSERT INTO priorities VALUES (?, ?, ?)",
        [
            (p.name, int(allowed_seconds(p.response, calendar) * US), p.around_the_clock or not p.response.business)
            for p in plan.priorities
        ],
    )
    context.run("CREATE OR REPLACE TEMP TABLE open_time (s BIGINT, e BIGINT)")
    if calendar is not None:
        first = context.window.first_day - timedelta(days=1)
        last = context.moment(cutoff).date() + timedelta(days=1)
        context.evidence.con.executemany(
            "INSERT INTO open_time VALUES (?, ?)", open_intervals(calendar, context.agreement.timezone, first, last)
        )
    rows = context.run(
        sql.ticket_times(view), plan=plan.name, p0=context.window.start_us, p1=context.window.end_us, cutoff=cutoff
    )
    by_priority = {p.name: SupportResult(plan.name, p.name, 0, 0, 0, target) for p in plan.priorities}
    for ticket, priority, opened, responded, allowed, around, elapsed in rows:
        result = by_priority[priority]
        result.tickets += 1
        clock = "wall-clock" if around else "open"
        if responded is not None and elapsed <= allowed:
            result.met += 1
            proof = Proof(
                f"ticket {ticket}",
                context.moment(opened),
                context.moment(responded),
                Decimal(elapsed) / US,
                True,
                f"answered after {_hms(elapsed)} of {clock} time",
            )
        elif responded is None and elapsed <= allowed:
            result.pending += 1
            proof = Proof(
                f"ticket {ticket}",
                context.moment(opened),
                None,
                Decimal(elapsed) / US,
                False,
                "no response yet, not due: pending",
            )
        else:
            why = "no response" if responded is None else "answered"
            proof = Proof(
                f"ticket {ticket}",
                context.moment(opened),
                context.moment(responded) if responded else None,
                Decimal(elapsed) / US,
                True,
                f"{why} after {_hms(elapsed)} of {clock} time: missed",
            )
        result.explanation.append(proof)
    return list(by_priority.values())


def _hms(us: int) -> str:
    from sladsl.units import describe_seconds

    return describe_seconds(Decimal(us) / US) or "0 seconds"


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
            from sladsl.periods import add_calendar

            day = add_calendar(context.window.end.date(), clause.within)
            return epoch_us(datetime(day.year, day.month, day.day, tzinfo=context.window.start.tzinfo))
        return end + int(clause.within.seconds * US)
    name = reporting.calendar.name if reporting.calendar else context.agreement.calendars[0].name
    calendar = context.agreement.calendar(name)
    assert calendar is not None
    amount = int(allowed_seconds(clause.within, calendar) * US)
    first = context.window.end.date()
    intervals = open_intervals(calendar, context.agreement.timezone, first, first + timedelta(days=120))
    return add_business_time(intervals, end, amount)
