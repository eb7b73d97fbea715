"""The parser's callbacks: each grammar rule's children to a typed node of `sladsl.language.ast`.

Literals are converted here, once: strings unescaped, prose dedented, numbers to `Decimal`
(absurdly long ones refused), dates and times checked. A value that cannot be converted is
a `SyntaxFailure` at its token, like a syntax error.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, NoReturn

from lark import Token, Transformer

from sladsl.language import ast
from sladsl.language.diagnostics import SyntaxFailure, error
from sladsl.language.parse_draft3 import Draft3Callbacks
from sladsl.language.parse_spans import _on, _token_span, _Value, _whole
from sladsl.language.parse_spans import _span as _span
from sladsl.language.words import UNITS, WEEKDAYS, ordinal, unescape


def _string(token: Token) -> str:
    return unescape(token.value[1:-1])


def prose_body(raw: str) -> str:
    """Triple-quoted text without its quotes, edge blank lines and common indentation."""
    lines = raw.expandtabs(4).split("\n")
    first = lines[0].strip()
    rest = lines[1:]
    margin = min((len(ln) - len(ln.lstrip(" ")) for ln in rest if ln.strip()), default=0)
    body = [first] + [ln[margin:].rstrip() for ln in rest]
    while body and not body[0]:
        body.pop(0)
    while body and not body[-1]:
        body.pop()
    return "\n".join(body)


def _text_value(token: Token) -> str:
    if token.type == "PROSE":
        return prose_body(token.value[3:-3])
    return _string(token)


def _percent(token: Token) -> ast.Percent:
    return ast.Percent(_decimal(token, token.value[:-1]), _token_span(token))


def _invalid(code: str, message: str, token: Token, hint: str | None = None) -> NoReturn:
    raise SyntaxFailure(error(code, message, _token_span(token), hint))


def _date(token: Token) -> date:
    try:
        return date.fromisoformat(token.value)
    except ValueError:
        _invalid(
            "E002", f"`{token.value}` is not a calendar date", token, "a date is written YYYY-MM-DD, such as 2026-01-31"
        )


def _minutes(token: Token, allow_midnight: bool) -> int:
    hours, minutes = int(token.value[:2]), int(token.value[3:])
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not allow_midnight)):
        _invalid(
            "E002",
            f"`{token.value}` is not a time of day",
            token,
            "a time is written HH:MM on a 24-hour clock; 24:00 may close a day",
        )
    return hours * 60 + minutes


def _whole_number(token: Token, what: str) -> int:
    if "." in token.value:
        _invalid("E002", f"`{token.value}` is not a whole number of {what}", token)
    return int(_decimal(token, token.value))


MAX_INTEGER_DIGITS = 15
MAX_FRACTION_DIGITS = 12


def _decimal(token: Token, digits: str) -> Decimal:
    """A number as written; absurdly long ones are refused here, once, so that no later
    stage meets a value Python or DuckDB cannot convert (int() stops at 4,300 digits)."""
    whole, _, fraction = digits.partition(".")
    if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS or len(fraction) > MAX_FRACTION_DIGITS:
        _invalid(
            "E002",
            f"`{_shorten(token.value)}` is not a number a contract states",
            token,
            f"numbers have at most {MAX_INTEGER_DIGITS} digits before the point and {MAX_FRACTION_DIGITS} after it",
        )
    return Decimal(digits)


class _Builder(Draft3Callbacks, Transformer[Token, Any]):
    """One method per grammar rule; each gets the rule's children, tokens included."""

    def start(self, c: list[Any]) -> ast.Agreement:
        result: ast.Agreement = c[0]
        return result

    def agreement(self, c: list[Any]) -> ast.Agreement:
        return ast.Agreement(_string(c[1]), tuple(c[3:-1]), _whole(c), _token_span(c[1]))

    # header
    def version(self, c: list[Any]) -> ast.Version:
        return ast.Version(_string(c[1]), _whole(c))

    def provider(self, c: list[Any]) -> ast.Provider:
        return ast.Provider(_string(c[1]), _whole(c))

    def customer(self, c: list[Any]) -> ast.Customer:
        return ast.Customer(_string(c[1]), _whole(c))

    def effective(self, c: list[Any]) -> ast.Effective:
        return ast.Effective(_date(c[1]), _whole(c))

    def term(self, c: list[Any]) -> ast.Term:
        return ast.Term(c[1], _whole(c))

    def timezone(self, c: list[Any]) -> ast.TimeZone:
        return ast.TimeZone(_string(c[1]), _whole(c))

    def agreement_fee(self, c: list[Any]) -> ast.Fee:
        return ast.Fee(c[1], _whole(c), _on(c))

    def plans(self, c: list[Any]) -> ast.Plans:
        names = [t for t in c[1:] if t.type == "STRING"]
        return ast.Plans(tuple(_string(t) for t in names), _whole(c), tuple(_token_span(t) for t in names))

    def on_plans(self, c: list[Any]) -> ast.OnPlans:
        names = tuple(_string(t) for t in c[2:] if t.type == "STRING")
        return ast.OnPlans(names, _whole(c), c[1].type == "PLANS")

    def text(self, c: list[Any]) -> ast.Text:
        return ast.Text(_text_value(c[1]), _whole(c), c[1].type == "PROSE")

    def define(self, c: list[Any]) -> ast.Definition:
        return ast.Definition(_string(c[1]), _text_value(c[3]), _whole(c), c[3].type == "PROSE")

    # services and objectives
    def service(self, c: list[Any]) -> ast.Service:
        return ast.Service(_string(c[1]), tuple(c[3:-1]), _whole(c), _token_span(c[1]))

    def objective(self, c: list[Any]) -> ast.Objective:
        return ast.Objective(_string(c[1]), tuple(c[3:-1]), _whole(c), _token_span(c[1]))

    def availability_target(self, c: list[Any]) -> ast.AvailabilityTarget:
        return ast.AvailabilityTarget(_percent(c[3]), c[5], _whole(c), _on(c))

    def request_target(self, c: list[Any]) -> ast.RequestTarget:
        return ast.RequestTarget(_percent(c[3]), c[7], _whole(c), _on(c))

    def latency_target(self, c: list[Any]) -> ast.LatencyTarget:
        which: Token = c[2]
        percentile = None if which.type == "AVERAGE" else _decimal(which, which.value[1:])
        strict: bool = c[3].value
        limit: ast.Duration = c[4]
        windows = next((x for x in c[5:] if isinstance(x, ast.LatencyWindows)), None)
        period = next(x for x in c[5:] if isinstance(x, ast.Period))
        return ast.LatencyTarget(_string(c[1]), percentile, limit, period, _whole(c), strict, windows, _on(c))

    def at_most(self, c: list[Any]) -> _Value:
        return _Value(False, _whole(c))

    def strictly_below(self, c: list[Any]) -> _Value:
        return _Value(True, _whole(c))

    def latency_windows(self, c: list[Any]) -> ast.LatencyWindows:
        return ast.LatencyWindows(_percent(c[3]), c[5], _whole(c))

    def downtime_incidents(self, c: list[Any]) -> ast.DowntimeFromIncidents:
        return ast.DowntimeFromIncidents(_whole(c))

    def downtime_samples(self, c: list[Any]) -> ast.DowntimeFromSamples:
        return ast.DowntimeFromSamples(c[4], _whole(c))

    def downtime_error_rate(self, c: list[Any]) -> ast.DowntimeFromErrorRate:
        minimum = c[9].value if len(c) > 9 else None
        return ast.DowntimeFromErrorRate(_percent(c[5]), c[7], minimum, _whole(c))

    def min_requests(self, c: list[Any]) -> _Value:
        token: Token = c[3]
        if "." in token.value:
            _invalid("E002", f"`{token.value}` is not a whole number of requests", token)
        return _Value(int(_decimal(token, token.value)), _whole(c))

    def average_error_rate(self, c: list[Any]) -> ast.AverageErrorRate:
        return ast.AverageErrorRate(c[6], _whole(c))

    def missing_data(self, c: list[Any]) -> ast.MissingData:
        return ast.MissingData(c[4].type == "AVAILABLE", _whole(c))

    def ignore_outages(self, c: list[Any]) -> ast.IgnoreOutages:
        kind, duration = c[2].value
        after = len(c) > 3
        return ast.IgnoreOutages(duration, _whole(c), or_less=kind == "or_less", after_exclusions=after)

    def round_outages(self, c: list[Any]) -> ast.RoundOutages:
        return ast.RoundOutages(c[4], _whole(c))

    def weight_by_affected(self, c: list[Any]) -> ast.WeightByAffected:
        return ast.WeightByAffected(_whole(c), adding=len(c) > 5)

    def chronic_failure(self, c: list[Any]) -> ast.ChronicFailure:
        values = [x.value for x in c if isinstance(x, _Value)]
        conditions = [v for v in values if v[0] in ("consecutive", "of_any")]
        support = ("support",) in values
        terminate = next((v[1] for v in values if v[0] == "terminate"), None)
        consecutive = [v for kind, v in conditions if kind == "consecutive"]
        of_any = [v for kind, v in conditions if kind == "of_any"]
        if len(consecutive) > 1 or len(of_any) > 1:
            raise SyntaxFailure(
                error(
                    "E002",
                    "chronic failure names the same kind of condition twice",
                    _whole(c),
                    "write `in N consecutive periods or in M of any K periods`",
                )
            )
        first_kind = conditions[0][0]
        return ast.ChronicFailure(
            consecutive[0] if consecutive else None,
            of_any[0] if of_any else None,
            _whole(c),
            first_kind == "consecutive",
            support,
            terminate,
        )

    def chronic_consecutive(self, c: list[Any]) -> _Value:
        return _Value(("consecutive", _whole_number(c[0], "periods")), _whole(c))

    def chronic_of_any(self, c: list[Any]) -> _Value:
        return _Value(("of_any", (_whole_number(c[0], "periods"), _whole_number(c[3], "periods"))), _whole(c))

    def exclude_maintenance(self, c: list[Any]) -> ast.ExcludeMaintenance:
        cap = c[7] if len(c) > 7 else None
        return ast.ExcludeMaintenance(c[5], cap, _whole(c))

    def maintenance_cap(self, c: list[Any]) -> ast.MaintenanceCap:
        return ast.MaintenanceCap(c[3], c[5], _whole(c))

    def exclude_causes(self, c: list[Any]) -> ast.ExcludeCauses:
        causes = tuple(_string(t) for t in c[4:] if t.type == "STRING")
        return ast.ExcludeCauses(causes, _whole(c))

    def monitor(self, c: list[Any]) -> ast.Monitor:
        return ast.Monitor(c[1].value, tuple(c[3:-1]), _whole(c))

    def monitor_query(self, c: list[Any]) -> ast.MonitorQuery:
        return ast.MonitorQuery(c[0].value, _string(c[1]), _whole(c))

    # credits
    def credits(self, c: list[Any]) -> ast.Credits:
        on = _on(c)
        body = c[5:-1] if on is not None else c[4:-1]
        return ast.Credits(_string(c[2]), tuple(body), _whole(c), _token_span(c[2]), on)

    def tier(self, c: list[Any]) -> ast.Tier:
        comparison, threshold = c[0].value
        return ast.Tier(comparison, threshold, c[2], _whole(c))

    def percent_of_fee(self, c: list[Any]) -> ast.PercentOfFee:
        return ast.PercentOfFee(_percent(c[0]), c[2].value, _whole(c))

    def times_downtime_fees(self, c: list[Any]) -> ast.TimesDowntimeFees:
        return ast.TimesDowntimeFees(_decimal(c[0], c[0].value), _whole(c))

    def fixed_credit(self, c: list[Any]) -> ast.FixedCredit:
        return ast.FixedCredit(c[0], _whole(c))

    def below(self, c: list[Any]) -> _Value:
        return _Value((ast.Comparison.BELOW, c[-1]), _whole(c))

    def at_or_below(self, c: list[Any]) -> _Value:
        return _Value((ast.Comparison.AT_OR_BELOW, c[-1]), _whole(c))

    def above(self, c: list[Any]) -> _Value:
        return _Value((ast.Comparison.ABOVE, c[-1]), _whole(c))

    def at_or_above(self, c: list[Any]) -> _Value:
        return _Value((ast.Comparison.AT_OR_ABOVE, c[-1]), _whole(c))

    def percent_threshold(self, c: list[Any]) -> ast.Percent:
        return _percent(c[0])

    def fee_base(self, c: list[Any]) -> _Value:
        base = ast.FeeBase.MONTHLY_FEE if len(c) == 2 else ast.FeeBase.PERIOD_FEES
        return _Value(base, _whole(c))

    def credit_cap(self, c: list[Any]) -> ast.CreditCap:
        rolling = c[5].value if len(c) > 5 else None
        return ast.CreditCap(_percent(c[2]), c[4].value, _whole(c), rolling)

    def rolling_span(self, c: list[Any]) -> _Value:
        return _Value(c[1], _whole(c))

    def credit_minimum(self, c: list[Any]) -> ast.CreditMinimum:
        return ast.CreditMinimum(c[1], _whole(c))

    def claim_window(self, c: list[Any]) -> ast.ClaimWindow:
        edge = next((x.value for x in c[3:] if isinstance(x.value, ast.OutageEdge)), None)
        calendar = next((x.value for x in c[3:] if isinstance(x.value, tuple)), None)
        if calendar is not None:
            name, span = calendar
            return ast.ClaimWindow(c[2], _whole(c), name, span, edge)
        return ast.ClaimWindow(c[2], _whole(c), from_outage=edge)

    def claim_calendar(self, c: list[Any]) -> _Value:
        return _Value((_string(c[1]), _token_span(c[1])), _whole(c))

    def claim_by_month_end(self, c: list[Any]) -> ast.ClaimByMonthEnd:
        token: Token = c[6]
        digits, suffix = token.value[:-2], token.value[-2:]
        n = int(digits) if len(digits) <= 6 else 10**6
        if f"{n}{suffix}" != ordinal(n):
            _invalid("E002", f"`{token.value}` is not an ordinal", token, f"write {ordinal(n)}")
        return ast.ClaimByMonthEnd(n, _whole(c))

    # support
    def calendar(self, c: list[Any]) -> ast.Calendar:
        return ast.Calendar(_string(c[1]), tuple(c[3:-1]), _whole(c), _token_span(c[1]))

    def open_hours(self, c: list[Any]) -> ast.OpenHours:
        days, is_range = c[1].value
        opens, closes = _minutes(c[2], allow_midnight=False), _minutes(c[4], allow_midnight=True)
        return ast.OpenHours(days, opens, closes, is_range, _whole(c))

    def day_range(self, c: list[Any]) -> _Value:
        first, last = WEEKDAYS[c[0].value], WEEKDAYS[c[2].value]
        count = (last - first) % 7 + 1
        days = tuple(ast.Weekday((first + i) % 7) for i in range(count))
        return _Value((days, True), _whole(c))

    def day_list(self, c: list[Any]) -> _Value:
        days = tuple(WEEKDAYS[t.value] for t in c if t.type == "DAY")
        return _Value((days, False), _whole(c))

    def holidays(self, c: list[Any]) -> ast.Holidays:
        return ast.Holidays(_string(c[1]), _whole(c))

    def closed_on(self, c: list[Any]) -> ast.ClosedOn:
        return ast.ClosedOn(tuple(_date(t) for t in c if t.type == "DATE"), _whole(c))

    def open_on(self, c: list[Any]) -> ast.OpenOn:
        return ast.OpenOn(tuple(_date(t) for t in c if t.type == "DATE"), _whole(c))

    def support(self, c: list[Any]) -> ast.SupportPlan:
        on = _on(c)
        body = c[4:-1] if on is not None else c[3:-1]
        return ast.SupportPlan(_string(c[1]), tuple(body), _whole(c), _token_span(c[1]), on)

    def uses_calendar(self, c: list[Any]) -> ast.UsesCalendar:
        return ast.UsesCalendar(_string(c[1]), _whole(c))

    def priority(self, c: list[Any]) -> ast.Priority:
        described = isinstance(c[2], Token) and c[2].type == "STRING"
        description = _string(c[2]) if described else None
        duration = c[7] if described else c[6]
        options = [x.value for x in c if isinstance(x, _Value)]
        around = ("around",) in options
        resolution = next((v[1] for v in options if v[0] == "resolution"), None)
        return ast.Priority(c[1].value, description, duration, around, _whole(c), resolution)

    def around_the_clock(self, c: list[Any]) -> _Value:
        return _Value(("around",), _whole(c))

    def resolution_target(self, c: list[Any]) -> _Value:
        return _Value(("resolution", c[3]), _whole(c))

    def ticket_target(self, c: list[Any]) -> ast.TicketTarget:
        return ast.TicketTarget(_percent(c[1]), c[5], _whole(c))

    # security and reporting
    def security(self, c: list[Any]) -> ast.Security:
        return ast.Security(tuple(c[2:-1]), _whole(c))

    def certification(self, c: list[Any]) -> ast.Certification:
        renewal = c[2].value if len(c) > 2 else None
        return ast.Certification(_string(c[1]), renewal, _whole(c))

    def renewal(self, c: list[Any]) -> _Value:
        return _Value(c[2], _whole(c))

    def compliance(self, c: list[Any]) -> ast.Compliance:
        return ast.Compliance(_string(c[1]), _whole(c))

    def breach_notification(self, c: list[Any]) -> ast.BreachNotification:
        return ast.BreachNotification(c[3], _whole(c))

    def reporting(self, c: list[Any]) -> ast.Reporting:
        return ast.Reporting(tuple(c[2:-1]), _whole(c))

    def report(self, c: list[Any]) -> ast.Report:
        return ast.Report(c[0].value, c[3], c[5], _whole(c))

    # values
    def duration(self, c: list[Any]) -> ast.Duration:
        return ast.Duration(_decimal(c[0], c[0].value), UNITS[c[-1].value], len(c) == 3, _whole(c))

    def money(self, c: list[Any]) -> ast.Money:
        return ast.Money(_decimal(c[0], c[0].value), c[1].value, _whole(c))

    def period(self, c: list[Any]) -> ast.Period:
        kind = ast.PeriodKind.WEEK if len(c) == 1 else ast.PeriodKind(f"calendar {c[1].value}")
        return ast.Period(kind, _whole(c))


def _shorten(value: str) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= 40 else value[:37] + "..."
