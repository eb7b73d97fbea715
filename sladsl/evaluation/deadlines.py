"""Claim deadlines and termination dates: the last day a credit may be claimed, counted from
the period's end (drafts 1 and 2) or from an outage (draft 3), and the last day a customer
may terminate after chronic failure (draft 3). Each is a whole local day in the
agreement's zone; business time counts the open time of a calendar.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sladsl.evaluation.calendars import add_business_time, closed_days, open_intervals
from sladsl.evaluation.report import ChronicResult
from sladsl.language import ast
from sladsl.language.periods import Window, add_calendar, add_months, epoch_us, from_epoch_us
from sladsl.language.units import describe_duration

# ---- claim deadlines ---------------------------------------------------------------------------


def claim_deadline(agreement: ast.Agreement, claim: ast.Claim | None, window: Window) -> date | None:
    """The last day on which a credit for this period may be claimed (the whole day counts)."""
    if claim is None:
        return None
    if isinstance(claim, ast.ClaimByMonthEnd):
        # the end of the Nth calendar month after the month in which the period ends
        month = add_months(window.last_day.replace(day=1), claim.months_after)
        return add_months(month, 1) - timedelta(days=1)
    if not claim.within.business:
        return add_calendar(window.last_day, claim.within)
    calendar = claim_calendar(agreement, claim)
    if calendar is None:
        return None
    return business_claim_deadline(agreement, calendar, claim.within, window.end.date(), window.end_us)


def claim_calendar(agreement: ast.Agreement, claim: ast.ClaimWindow) -> ast.Calendar | None:
    """The calendar of `claim within N business days [on "C"]`: the named one, else the only one."""
    calendar = agreement.calendar(claim.calendar) if claim.calendar else None
    if calendar is None and len(agreement.calendars) == 1:
        calendar = agreement.calendars[0]
    return calendar


def business_claim_deadline(
    agreement: ast.Agreement, calendar: ast.Calendar, within: ast.Duration, first: date, from_us: int
) -> date | None:
    """`claim within N business days on "C"`: the Nth open day of the calendar from `first`
    (the local day after the period, or after the outage; it counts when it is open);
    `N business hours`: the day on which N hours of its open time after `from_us` have passed."""
    zone = agreement.timezone
    if within.unit is ast.TimeUnit.DAY:
        wanted = int(-(-within.amount // 1))  # a part day counts as a whole one
        last = first + timedelta(days=400 + 2 * wanted)
        closed = closed_days(calendar, first, last)
        weekdays = {d for hours in calendar.open_hours for d in hours.days}
        day, found = first, 0
        while day <= last:  # an open day: one on which a shift opens
            if ast.Weekday(day.weekday()) in weekdays and day not in closed:
                found += 1
                if found >= wanted:
                    return day
            day += timedelta(days=1)
        return None
    amount_us = int(within.amount * 3600 * 10**6)
    intervals = open_intervals(calendar, zone, first - timedelta(days=1), first + timedelta(days=400))
    moment = add_business_time(intervals, from_us, amount_us)
    if moment is None:
        return None
    return from_epoch_us(moment - 1, ZoneInfo(zone)).date()


def deadline_from(agreement: ast.Agreement, claim: ast.ClaimWindow, moment: datetime) -> date | None:
    """The last day to claim, counted from an instant (an outage's start or end): its day +
    calendar days, months or years; + fixed hours; or business time on the calendar."""
    within = claim.within
    zone = moment.tzinfo
    if within.business:
        calendar = claim_calendar(agreement, claim)
        if calendar is None:
            return None
        return business_claim_deadline(agreement, calendar, within, moment.date() + timedelta(days=1), epoch_us(moment))
    if within.unit is ast.TimeUnit.MONTH or within.unit is ast.TimeUnit.YEAR:
        return add_months(moment.date(), int(within.amount) * (12 if within.unit is ast.TimeUnit.YEAR else 1))
    return from_epoch_us(epoch_us(moment) + int(within.seconds * 10**6), zone).date()


# ---- termination rights -------------------------------------------------------------------------


def set_termination(
    agreement: ast.Agreement, rule: ast.ChronicFailure, chronic: ChronicResult, window: Window, provisional: bool
) -> None:
    """`chronic failure when ..., terminate within 30 days` (draft 3): when the condition
    holds at the judged period, the customer may terminate until its last day + D (counted
    as a claim window from the period: business days on the calendar). Not dated while the
    period runs: the condition may not hold at its end."""
    if rule.terminate_within is None:
        return
    chronic.terminate_within = describe_duration(rule.terminate_within)
    if chronic.holds and not provisional:
        chronic.terminate_by = claim_deadline(agreement, ast.ClaimWindow(rule.terminate_within), window)
