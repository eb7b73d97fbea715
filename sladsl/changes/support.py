"""Changes to support (plans, priorities, the ticket target), business calendars, security
and reporting obligations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sladsl.changes.found import Found, by_name, direction, order_only, prose
from sladsl.changes.model import ADVERSE, DEPENDS, FAVOURABLE, NEUTRAL
from sladsl.changes.objectives import chronic
from sladsl.changes.words import LENGTH, duration, duration_order, name, on_plans, pct, quoted
from sladsl.language import ast


def compare_support(found: Found) -> None:
    old, new = by_name(found.old.support_plans, lambda s: s.name), by_name(found.new.support_plans, lambda s: s.name)
    for key, plan in old.items():
        if key not in new:
            found.add(
                "support-plan-removed",
                ADVERSE,
                f"The support plan {name(key)} is removed.",
                f"support {key}",
                plan,
                None,
            )
    for key, plan in new.items():
        if key not in old:
            found.add(
                "support-plan-added", FAVOURABLE, f"A support plan {name(key)} is added.", f"support {key}", None, plan
            )
        else:
            _plan(found, old[key], plan)
    _calendars(found)
    _security(found)
    _reporting(found)


def _covered(found: Found, plan: ast.SupportPlan, new_side: bool) -> set[str]:
    agreement = found.new if new_side else found.old
    if plan.on is None:
        return set(agreement.plans)
    return set(plan.on.names)


def _plan(found: Found, a: ast.SupportPlan, b: ast.SupportPlan) -> None:
    where = f"support {a.name}"
    of = f"the support plan {name(a.name)}"
    if a.on != b.on:
        before, after = _covered(found, a, False), _covered(found, b, True)
        gained, lost = sorted(after - before), sorted(before - after)
        if gained:
            found.add(
                "support-coverage-added",
                FAVOURABLE,
                f"{of[0].upper()}{of[1:]} now applies{on_plans(gained)}.",
                where,
                a,
                b,
            )
        if lost:
            found.add(
                "support-coverage-removed",
                ADVERSE,
                f"{of[0].upper()}{of[1:]} no longer applies{on_plans(lost)}.",
                where,
                a,
                b,
            )
    if a.calendar != b.calendar:
        found.add(
            "support-calendar-changed",
            DEPENDS,
            f"Business hours of {of} follow {_calendar_words(b.calendar)} instead of {_calendar_words(a.calendar)}.",
            where,
            a.calendar,
            b.calendar,
        )
    old_p, new_p = by_name(a.priorities, lambda p: p.name), by_name(b.priorities, lambda p: p.name)
    for key, p in old_p.items():
        if key not in new_p:
            found.add(
                "priority-removed", ADVERSE, f"In {of}, priority {key} and its targets are removed.", where, p, None
            )
    for key, p in new_p.items():
        if key not in old_p:
            found.add("priority-added", FAVOURABLE, f"In {of}, priority {key} is added: {quoted(p)}.", where, None, p)
        else:
            _priority(found, where, f"{of}, priority {key}", old_p[key], p)
    _ticket_target(found, where, of, a.target, b.target)
    chronic(found, where, of, a.chronic_failure, b.chronic_failure)
    prose(found, a.statements, b.statements, where)
    order_only(found, a.statements, b.statements, where, a, b)


def _calendar_words(uses: ast.UsesCalendar | None) -> str:
    return "no calendar (around the clock)" if uses is None else f"the {name(uses.name)} calendar"


def _priority(found: Found, where: str, of: str, a: ast.Priority, b: ast.Priority) -> None:
    if a.description != b.description:
        found.add("prose-changed", NEUTRAL, f"In {of}, the description is edited; no promise changes.", where, a, b)
    found.graded(
        duration_order(b.response, a.response),
        False,
        ("response-target-lengthened", "response-target-shortened", "response-target-changed"),
        lambda verb: (
            f"In {of}, the first response target is {LENGTH[verb]} from {duration(a.response)} to "
            f"{duration(b.response)}."
        ),
        where,
        a,
        b,
    )
    if a.around_the_clock != b.around_the_clock:
        on = b.around_the_clock
        found.toggled(
            "response-around-the-clock",
            on,
            FAVOURABLE,
            f"In {of}, the response time {'now runs around the clock' if on else 'no longer runs around the clock'}.",
            where,
            a,
            b,
        )
    ra, rb = a.resolution, b.resolution
    if ra != rb:
        if ra is None or rb is None:
            added = rb is not None
            found.toggled(
                "resolution-target",
                added,
                FAVOURABLE,
                f"In {of}, "
                + (f"resolution is now promised within {duration(rb)}." if rb else "resolution is no longer promised."),
                where,
                a,
                b,
            )
        else:
            found.graded(
                duration_order(rb, ra),
                False,
                ("resolution-target-lengthened", "resolution-target-shortened", "resolution-target-changed"),
                lambda verb: f"In {of}, the resolution target is {LENGTH[verb]} from {duration(ra)} to {duration(rb)}.",
                where,
                a,
                b,
            )


def _ticket_target(found: Found, where: str, of: str, a: ast.TicketTarget | None, b: ast.TicketTarget | None) -> None:
    if a == b:
        return
    if a is None or b is None:
        added = b is not None
        found.toggled(
            "ticket-target",
            added,
            FAVOURABLE,
            f"In {of}, the ticket target is {'added: ' + quoted(b) if b else 'removed'}.",
            where,
            a,
            b,
        )
        return
    if a.period != b.period:
        found.add(
            "ticket-target-period-changed",
            DEPENDS,
            f"In {of}, the ticket target is judged per {b.period.kind.value} instead of per {a.period.kind.value}.",
            where,
            a,
            b,
        )
    found.graded(
        direction(a.percent.value, b.percent.value),
        True,
        ("ticket-target-raised", "ticket-target-lowered", "ticket-target-changed"),
        lambda verb: (
            f"In {of}, the share of tickets that must meet their targets is {verb} from {pct(a.percent)} "
            f"to {pct(b.percent)}."
        ),
        where,
        a,
        b,
    )


# ---- calendars ---------------------------------------------------------------------------------


def _calendars(found: Found) -> None:
    old, new = by_name(found.old.calendars, lambda c: c.name), by_name(found.new.calendars, lambda c: c.name)
    for key, c in old.items():
        if key not in new:
            found.add(
                "calendar-removed",
                NEUTRAL,
                f"The calendar {name(key)}, which no clause now uses, is removed.",
                f"calendar {key}",
                c,
                None,
            )
    for key, c in new.items():
        if key not in old:
            found.add(
                "calendar-added",
                NEUTRAL,
                f"A calendar {name(key)} is added; clauses that use it say so.",
                f"calendar {key}",
                None,
                c,
            )
            continue
        a = old[key]
        where, of = f"calendar {key}", f"The calendar {name(key)}"
        aspects: list[tuple[str, Any, Any, str]] = [
            ("calendar-hours-changed", a.open_hours, c.open_hours, "has other open hours"),
            ("calendar-timezone-changed", a.timezone, c.timezone, "follows another time zone"),
            ("calendar-holidays-changed", a.holidays, c.holidays, "follows other public holidays"),
            ("calendar-closed-days-changed", a.closed_on, c.closed_on, "is closed on other days"),
            ("calendar-open-days-changed", a.open_on, c.open_on, "is open on other holidays"),
        ]
        for code, before, after, words in aspects:
            if before != after:
                first_a = before[0] if isinstance(before, tuple) and before else before
                first_b = after[0] if isinstance(after, tuple) and after else after
                node_a = first_a if hasattr(first_a, "span") else a
                node_b = first_b if hasattr(first_b, "span") else c
                found.add(
                    code,
                    DEPENDS,
                    f"{of} {words}: business time, and so response targets and business-day deadlines, move; "
                    "the effect depends on when tickets and claims arrive.",
                    where,
                    node_a,
                    node_b,
                )
        prose(found, a.statements, c.statements, where)
        order_only(found, a.statements, c.statements, where, a, c)


# ---- security and reporting --------------------------------------------------------------------


def _security(found: Found) -> None:
    a, b = found.old.security, found.new.security
    if a == b:
        return
    where = "security"
    before = by_name(a.certifications if a else (), lambda c: c.name)
    after = by_name(b.certifications if b else (), lambda c: c.name)
    for key, c in before.items():
        if key not in after:
            found.add(
                "certification-removed",
                ADVERSE,
                f"The Provider no longer promises the {key} certification.",
                where,
                c,
                None,
            )
    for key, c in after.items():
        if key not in before:
            found.add(
                "certification-added", FAVOURABLE, f"The Provider now promises the {key} certification.", where, None, c
            )
        elif before[key].renewed_every != c.renewed_every:
            ra, rb = before[key].renewed_every, c.renewed_every
            moved = None if ra is None or rb is None else duration_order(rb, ra)
            if ra is None:
                moved = -1  # a renewal promised where none was: more often than never
            if rb is None:
                moved = 1
            found.graded(
                moved,
                False,
                (
                    "certification-renewal-lengthened",
                    "certification-renewal-shortened",
                    "certification-renewal-changed",
                ),
                f"The {key} certification is renewed every {duration(rb)} instead of every {duration(ra)}.",
                where,
                before[key],
                c,
            )
    old_c = {x.name: x for x in (a.compliance if a else ())}
    new_c = {x.name: x for x in (b.compliance if b else ())}
    for key, regime in old_c.items():
        if key not in new_c:
            found.add(
                "compliance-removed",
                ADVERSE,
                f"The Provider no longer promises to comply with {key}.",
                where,
                regime,
                None,
            )
    for key, regime in new_c.items():
        if key not in old_c:
            found.add(
                "compliance-added", FAVOURABLE, f"The Provider now promises to comply with {key}.", where, None, regime
            )
    na, nb = a.breach_notification if a else None, b.breach_notification if b else None
    if na != nb:
        if na is None or nb is None:
            added = nb is not None
            found.toggled(
                "breach-notification",
                added,
                FAVOURABLE,
                f"The Provider {'now promises' if added else 'no longer promises'} to notify the Customer of a breach"
                + (f" within {duration(nb.within)}." if nb else "."),
                where,
                na,
                nb,
            )
        else:
            found.graded(
                duration_order(nb.within, na.within),
                False,
                ("breach-notification-lengthened", "breach-notification-shortened", "breach-notification-changed"),
                lambda verb: (
                    f"The time to notify the Customer of a breach is {LENGTH[verb]} from "
                    f"{duration(na.within)} to {duration(nb.within)}."
                ),
                where,
                na,
                nb,
            )
    if a is not None and b is not None:
        prose(found, a.statements, b.statements, where)
        order_only(found, a.statements, b.statements, where, a, b)


def _reporting(found: Found) -> None:
    a, b = found.old.reporting, found.new.reporting
    if a == b:
        return
    where = "reporting"
    before = by_name(a.reports if a else (), lambda r: r.kind)
    after = by_name(b.reports if b else (), lambda r: r.kind)
    for key, r in before.items():
        if key not in after:
            found.add("report-removed", ADVERSE, f"The Provider no longer sends the {key} report.", where, r, None)
    for key, r in after.items():
        if key not in before:
            found.add(
                "report-added",
                FAVOURABLE,
                f"The Provider now sends {'an' if key[:1].lower() in 'aeiou' else 'a'} {key} report: {quoted(r)}.",
                where,
                None,
                r,
            )
            continue
        old = before[key]
        if old.every != r.every:
            ma, mb = old.every.kind.months, r.every.kind.months
            found.graded(
                None if ma is None or mb is None else direction(Decimal(ma), Decimal(mb)),
                False,
                ("report-frequency-lowered", "report-frequency-raised", "report-frequency-changed"),
                f"The {key} report is sent every {r.every.kind.value} instead of every {old.every.kind.value}.",
                where,
                old,
                r,
            )
        found.graded(
            duration_order(r.within, old.within),
            False,
            ("report-deadline-lengthened", "report-deadline-shortened", "report-deadline-changed"),
            f"The {key} report is due within {duration(r.within)} instead of {duration(old.within)}.",
            where,
            old,
            r,
        )
    ca, cb = a.calendar if a else None, b.calendar if b else None
    if ca != cb:
        found.add(
            "reporting-calendar-changed",
            DEPENDS,
            f"Report deadlines follow {_calendar_words(cb)} instead of {_calendar_words(ca)}.",
            where,
            ca,
            cb,
        )
    if a is not None and b is not None:
        prose(found, a.statements, b.statements, where)
        order_only(found, a.statements, b.statements, where, a, b)
