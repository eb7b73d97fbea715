"""Text to typed AST: the Lark LALR parser and the callbacks that build the nodes.

The parser is built once per process (and its tables cached on disk by Lark), and the
nodes of `sladsl.ast` are built in the parser's own callbacks, so no parse tree is ever
made and no Lark object leaves this module. Lark's exceptions are turned into one
`SyntaxFailure` that says, in words, what was expected.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from sladsl import ast
from sladsl.ast import Span
from sladsl.diagnostics import SyntaxFailure, error
from sladsl.words import EXPECTED_WORDS, UNITS, WEEKDAYS, ordinal


def grammar_text() -> str:
    """The grammar shipped in the package, or the checkout's `grammar/` in development."""
    packaged = resources.files("sladsl") / "grammar" / "sla.lark"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parent.parent / "grammar" / "sla.lark").read_text(encoding="utf-8")


@functools.cache
def _parser() -> Lark:
    """Built once per process; Lark caches the LALR tables on disk between processes."""
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        keep_all_tokens=True,
        maybe_placeholders=False,
        transformer=_Builder(),
        cache=True,
    )


def parse(text: str) -> ast.Agreement:
    """Parse one agreement; raises `SyntaxFailure` with a positioned diagnostic."""
    text = normalise_source(text)
    if not text.strip(" \t\r\n\f"):
        raise SyntaxFailure(
            error(
                "E001",
                "the file is empty: expected an agreement",
                Span(1, 1, 1, 1),
                'an agreement starts with `sla "Title" {` and ends with `}`',
            )
        )
    try:
        result = _parser().parse(text)
    except UnexpectedInput as exc:
        raise SyntaxFailure(_describe(exc, text)) from None
    assert isinstance(result, ast.Agreement)
    return result


def normalise_source(text: str) -> str:
    """Accept what editors produce: a UTF-8 BOM and CRLF line endings."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


# ---- building nodes ---------------------------------------------------------------


class _Value:
    """A sub-rule's value with its span, for rules that are parts of a statement."""

    __slots__ = ("span", "value")

    def __init__(self, value: Any, span: Span) -> None:
        self.value = value
        self.span = span


def _span(first: Any, last: Any) -> Span:
    if isinstance(first, Token):
        line, column, start = first.line, first.column, first.start_pos
    else:
        s = first.span
        line, column, start = s.line, s.column, s.start_pos
    if isinstance(last, Token):
        return Span(line, column, last.end_line, last.end_column, start, last.end_pos)  # type: ignore[arg-type]
    e = last.span
    return Span(line, column, e.end_line, e.end_column, start, e.end_pos)  # type: ignore[arg-type]


def _whole(children: Sequence[Any]) -> Span:
    return _span(children[0], children[-1])


def _token_span(token: Token) -> Span:
    return _span(token, token)


_ESCAPE = re.compile(r"\\(.)", re.S)
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _string(token: Token) -> str:
    body: str = token.value[1:-1]
    if "\\" not in body:
        return body
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), body)


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


def _on(c: list[Any]) -> ast.OnPlans | None:
    """The statement's trailing (or header) `on plan(s)`, if it has one."""
    return next((x for x in c if isinstance(x, ast.OnPlans)), None)


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


class _Builder(Transformer[Token, Any]):
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
        return ast.IgnoreOutages(c[4], _whole(c))

    def round_outages(self, c: list[Any]) -> ast.RoundOutages:
        return ast.RoundOutages(c[4], _whole(c))

    def weight_by_affected(self, c: list[Any]) -> ast.WeightByAffected:
        return ast.WeightByAffected(_whole(c))

    def chronic_failure(self, c: list[Any]) -> ast.ChronicFailure:
        conditions = [x.value for x in c if isinstance(x, _Value)]
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
        if len(c) > 3:
            name, span = c[3].value
            return ast.ClaimWindow(c[2], _whole(c), name, span)
        return ast.ClaimWindow(c[2], _whole(c))

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


# ---- syntax errors in words ----------------------------------------------------------


def _describe(exc: UnexpectedInput, text: str) -> Any:
    expected = _expected_terminals(exc)
    wanted = _expected_phrase(expected)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        span = _end_span(text)
        return error("E001", f"the file ends too early: expected {wanted}", span, _eof_hint(text))
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        span = _token_span(token)
        hint = _example_hint(exc) or _hint(expected, token.value)
        return error("E001", f"unexpected `{_shorten(token.value)}`: expected {wanted}", span, hint)
    assert isinstance(exc, UnexpectedCharacters)
    pos = exc.pos_in_stream or 0
    word = _word_at(text, pos)
    span = Span(exc.line, exc.column, exc.line, exc.column + max(1, len(word)), pos, pos + len(word))
    hint = _example_hint(exc) or _hint(expected, word)
    return error("E001", f"unexpected `{_shorten(word)}`: expected {wanted}", span, hint)


def _expected_terminals(exc: UnexpectedInput) -> set[str]:
    """What can really follow at the error: LALR's lookahead sets are merged between states,
    so they list tokens that no input could continue with here (`provider` inside an
    objective). Feeding each candidate to a copy of the parser keeps only the real ones."""
    interactive = getattr(exc, "interactive_parser", None)
    if interactive is not None:
        try:  # UnexpectedToken keeps what it accepts, for the example hint too
            accepted = set((exc.accepts if isinstance(exc, UnexpectedToken) else interactive.accepts()) or ())
        except Exception:  # a narrower list is a nicety: never let it hide the error
            accepted = set()
        if accepted:
            return accepted
    if isinstance(exc, UnexpectedCharacters):
        return set(exc.allowed or ())
    return set(getattr(exc, "expected", ()) or ())


# Statement keywords by the block they open a statement in: a list of expected tokens
# that holds all of one block's keywords is said in words ("a statement of an objective").
_STATEMENT_GROUPS: list[tuple[str, str, frozenset[str]]] = [
    (
        "an agreement statement",
        "the agreement",
        frozenset(
            {
                "VERSION",
                "PROVIDER",
                "CUSTOMER",
                "EFFECTIVE",
                "TERM",
                "TIMEZONE",
                "FEE",
                "PLANS",
                "TEXT",
                "DEFINE",
                "SERVICE",
                "CALENDAR",
                "SUPPORT",
                "SECURITY",
                "REPORTING",
            }
        ),
    ),
    (
        "an objective statement",
        "the objective",
        frozenset(
            {
                "AVAILABILITY",
                "LATENCY",
                "DOWNTIME",
                "MISSING",
                "IGNORE",
                "ROUND",
                "WEIGHT",
                "EXCLUDE",
                "CHRONIC",
                "MONITOR",
                "TEXT",
            }
        ),
    ),
    ("a service statement", "the service", frozenset({"FEE", "TEXT", "OBJECTIVE", "CREDITS"})),
    (
        "a credit tier or statement",
        "the credits block",
        frozenset({"BELOW", "ABOVE", "AT", "MINIMUM", "CLAIM", "TEXT"}),
    ),
    ("a calendar statement", "the calendar", frozenset({"OPEN", "TIMEZONE", "HOLIDAYS", "CLOSED", "TEXT"})),
    ("a support statement", "the support plan", frozenset({"CALENDAR", "PRIORITY", "TARGET", "TEXT"})),
    ("a security statement", "the security block", frozenset({"CERTIFICATION", "COMPLIANCE", "BREACH", "TEXT"})),
    (
        "a reporting statement",
        "the reporting block",
        frozenset({"PERFORMANCE", "AVAILABILITY", "INCIDENT", "SECURITY", "CALENDAR", "TEXT"}),
    ),
]


def _expected_phrase(expected: set[str]) -> str:
    names = set(expected) - {"COMMENT"}
    if not names:
        return "the end of the file"
    parts: list[str] = []
    group = max(
        (g for g in _STATEMENT_GROUPS if g[2] <= names and len(g[2]) >= 3), key=lambda g: len(g[2]), default=None
    )
    if group is not None:
        words, block, keywords = group
        shown = ", ".join(sorted(_terminal_words(k) for k in keywords))
        parts.append(f"{words} ({shown})")
        names -= keywords
        if "RBRACE" in names:
            names.discard("RBRACE")
            closing = f"`}}` to close {block}"
        else:
            closing = None
    else:
        closing = None
    if "ON" in names and group is not None:
        names.discard("ON")
        parts.append('`on plan "NAME"`')
    parts += sorted({_terminal_words(n) for n in names})
    if closing:
        parts.append(closing)
    if len(parts) == 1:
        return parts[0]
    return ("one of " if group is None else "") + ", ".join(parts[:-1]) + " or " + parts[-1]


def _terminal_words(name: str) -> str:
    if name in EXPECTED_WORDS:
        return EXPECTED_WORDS[name]
    try:
        pattern = _parser().get_terminal(name).pattern
    except KeyError:  # Lark's own pseudo-terminals, such as the end of input
        return "the end of the file"
    if pattern.type == "str":
        return f"`{pattern.value}`"
    return name.lower()


def _objective(body: str) -> str:
    return f'sla "x" {{ service "s" {{ objective "o" {{ {body} }} }} }}'


def _credit(body: str) -> str:
    return f'sla "x" {{ service "s" {{ credits for "o" {{ below 99.9%: {body} }} }} }}'


# Common mistakes, matched by parser state (Lark's `match_examples`): the hint says how
# the statement is written.
_EXAMPLES: dict[str, list[str]] = {
    "write `availability at least 99.9% per calendar month`": [
        _objective("availability 99.9% per calendar month"),
        _objective("availability of 99.9% per calendar month"),
    ],
    'the metric name comes first, in quotes: `latency "request_time" p95 at most 500 ms per calendar month`': [
        _objective("latency p95 at most 500 ms per calendar month"),
    ],
    "a period is written `per calendar month`, `per calendar quarter`, `per calendar year` or `per week`": [
        _objective("availability at least 99.9% monthly"),
        _objective("availability at least 99.9% a month"),
    ],
    "a duration needs a number: `every 1 minute`": [
        _objective("downtime from samples every minute"),
    ],
    "a credit tier is written `below 99.9%: 10% of monthly fee`": [
        'sla "x" { service "s" { credits for "o" { below 99.9% 10% of monthly fee } } }',
    ],
    "a credit is `10% of monthly fee`, `10 times the fees for the downtime` or a sum such as `250 USD`": [
        _credit("10 times fees for the downtime"),
        _credit("10 times the fee"),
        _credit("10 times the monthly fee"),
        _credit("10 x the fees for the downtime"),
        _credit("10 of monthly fee"),
        _credit("10x the fees for the downtime"),
    ],
    "a claim deadline is `claim within 30 days` or `claim by the end of the 2nd calendar month after the period`": [
        _credit("10% of monthly fee claim by the end of 2nd calendar month after the period"),
        _credit("10% of monthly fee claim by the end of the 2nd month after the period"),
        _credit("10% of monthly fee claim by the end of the 2nd calendar month"),
    ],
    'plans are named after the statement: `availability at least 99.9% per calendar month on plan "Premium"`': [
        _objective('availability at least 99.9% per calendar month on "Premium"'),
    ],
}


def _with_neighbours(example: str) -> list[str]:
    """The example alone in its blocks and after a statement in each of them.

    Lark matches an example by parser state, whose stack holds one item for the
    statements already read in a block (however many) and none when there are none:
    both cases are needed for a hint to match wherever the mistake is.
    """
    variants = [example]
    for bare, neighboured in (
        ('sla "x" { ', 'sla "x" { version "1" '),
        ('service "s" { ', 'service "s" { fee 1 USD per month '),
        ('objective "o" { ', 'objective "o" { text "t" '),
    ):
        if bare in example:
            variants += [v.replace(bare, neighboured, 1) for v in variants]
    return variants


@functools.cache
def _examples() -> dict[str, list[str]]:
    return {label: [v for e in examples for v in _with_neighbours(e)] for label, examples in _EXAMPLES.items()}


def _state_key(state: Any) -> Any:
    """Lark's test for the same parser state (stack depth and top), as a dictionary key."""
    stack = getattr(state, "state_stack", None)
    return (len(stack), stack[-1]) if stack else ("lexer", state)


@functools.cache
def _example_errors() -> dict[Any, list[tuple[str, UnexpectedInput]]]:
    """Each example's syntax error by parser state, found once per process: matching
    parsed every example again for each error (25 ms, most of a fuzzed file's time)."""
    found: dict[Any, list[tuple[str, UnexpectedInput]]] = {}
    for label, examples in _examples().items():
        for malformed in examples:
            try:
                _parser().parse(malformed)
            except UnexpectedInput as ut:
                if isinstance(ut, UnexpectedToken):
                    ut.accepts  # noqa: B018 - computed now, while the example's parser state is at hand
                found.setdefault(_state_key(ut.state), []).append((label, ut))
    return found


def _example_hint(exc: UnexpectedInput) -> str | None:
    """Lark's `match_examples` (same state, same acceptable tokens; an exact token match
    first, else the first example in the same state) over the examples' errors found once."""
    try:
        candidate: str | None = None
        tokens = (UnexpectedToken, UnexpectedEOF)
        for label, ut in _example_errors().get(_state_key(exc.state), ()):
            if isinstance(exc, UnexpectedToken) and isinstance(ut, UnexpectedToken) and ut.accepts != exc.accepts:
                continue
            if isinstance(exc, tokens) and isinstance(ut, tokens) and ut.token == exc.token:
                return label
            if candidate is None:
                candidate = label
        return candidate
    except Exception:  # a hint is a nicety: never let it hide the error itself
        return None


def _hint(expected: set[str], found: str) -> str | None:
    if "PERCENT" in expected and re.fullmatch(r"\d+(\.\d+)?", found):
        return f"a percentage needs its sign: write {found}%"
    if "CALENDAR" in expected and found in ("month", "quarter", "year"):
        return f"write `calendar {found}`; a period is a calendar month, quarter or year, or a week"
    if "CURRENCY" in expected:
        return "money is an amount and an ISO 4217 currency code in capitals, such as 2500 USD"
    if "UNIT" in expected:
        return "a duration is a number and a unit: ms, seconds, minutes, hours, days, weeks, months or years"
    if expected & {"STRING", "PROSE"} and not found.startswith('"'):
        return 'names and texts are written in double quotes, such as "Chat API"'
    return None


def _eof_hint(text: str) -> str | None:
    depth = text.count("{") - text.count("}")
    if depth > 0:
        return f"{depth} block{'s are' if depth > 1 else ' is'} not closed with `}}`"
    return None


def _end_span(text: str) -> Span:
    lines = text.rstrip("\n").split("\n") if text.strip() else [""]
    line = len(lines)
    column = len(lines[-1]) + 1
    return Span(line, column, line, column + 1, len(text), len(text))


def _word_at(text: str, pos: int) -> str:
    match = re.compile(r'"[^"\n]*"?|[^\s{}:,]+|\S').match(text, pos)
    return match.group(0) if match else ""


def _shorten(value: str) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= 40 else value[:37] + "..."
