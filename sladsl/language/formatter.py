"""`sladsl fmt`: the canonical layout of an agreement, printed from the typed AST.

The AST holds no comments, so they are found in the source by a small scanner and
put back by line: a comment before a statement stays before it, a comment at the end
of a statement's line stays at its end. One blank line is kept where the source had
one or more. Formatting is idempotent and parsing its output gives the same AST.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sladsl.language import ast
from sladsl.language.ast import Duration, TimeUnit
from sladsl.language.parser import normalise_source, parse
from sladsl.language.words import ordinal, string_end

INDENT = "    "


@dataclass(frozen=True, slots=True)
class Comment:
    """A `#` comment and its line: the formatter keeps comments, which the AST does not hold."""

    line: int
    text: str


def format_source(text: str) -> str:
    """Parse and print in canonical layout; raises `SyntaxFailure` if it does not parse."""
    text = normalise_source(text)
    return format_agreement(parse(text), text)


def format_agreement(agreement: ast.Agreement, source: str = "") -> str:
    printer = _Printer(source)
    printer.block(agreement.span, f"sla {_string(agreement.title)} {{", agreement.statements, 0)
    printer.rest()
    return "\n".join(printer.out) + "\n"


def statement_text(node: Any) -> str | None:
    """One statement as `fmt` writes it, on one line (None for a block or a non-statement):
    `sladsl diff` and the editor's hovers quote clauses in the canonical form."""
    render = _STATEMENTS.get(type(node))
    return None if render is None else render(node, 0)


def scan_comments(text: str) -> list[Comment]:
    """Every `#` comment outside strings and prose, with its line number."""
    comments: list[Comment] = []
    i, line, n = 0, 1, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            comments.append(Comment(line, text[i:end].rstrip()))
            i = end
        elif ch == '"':
            end = string_end(text, i)
            line += text.count("\n", i, end)
            i = end
        else:
            i += 1
    return comments


class _Printer:
    def __init__(self, source: str) -> None:
        self.out: list[str] = []
        self.comments = scan_comments(source)
        self.blank_lines = [i + 1 for i, ln in enumerate(source.split("\n")) if not ln.strip()]  # ascending
        self.last_line = 0  # the last source line that has been printed

    def _gap(self, line: int) -> None:
        after_statement = self.out and self.out[-1].strip() and not self.out[-1].endswith("{")
        if after_statement and self._blank_between(self.last_line, line):
            self.out.append("")

    def _blank_between(self, after: int, before: int) -> bool:
        """Whether a blank source line lies strictly between two lines (a binary search:
        a scan per statement made large files quadratic)."""
        i = bisect.bisect_right(self.blank_lines, after)
        return i < len(self.blank_lines) and self.blank_lines[i] < before

    def _leading(self, before: int, depth: int) -> None:
        while self.comments and self.comments[0].line < before:
            comment = self.comments.pop(0)
            self._gap(comment.line)
            self.out.append(INDENT * depth + comment.text)
            self.last_line = comment.line

    def _trailing(self, first: int, last: int, depth: int) -> str:
        """The comment that ends the statement's last line; comments on its earlier lines
        (a statement written over several lines) go on lines of their own before it."""
        found = []
        while self.comments and first <= self.comments[0].line <= last:
            found.append(self.comments.pop(0).text)
        if not found:
            return ""
        *earlier, final = found
        self.out.extend(INDENT * depth + text for text in earlier)
        return "  " + final

    def statement(self, span: ast.Span, text: str, depth: int, next_line: int) -> None:
        self._leading(span.line, depth)
        self._gap(span.line)
        trailing = self._trailing(span.line, _own_last_line(span.end_line, next_line), depth)
        first, *continuation = text.split("\n")
        self.out.append(INDENT * depth + first)
        self.out.extend(continuation)  # already indented: prose lines
        self.out[-1] += trailing
        self.last_line = span.end_line

    def block(self, span: ast.Span, header: str, items: tuple[Any, ...], depth: int, next_line: int = 0) -> None:
        self._leading(span.line, depth)
        self._gap(span.line)
        first_item = items[0].span.line if items else span.end_line
        trailing = self._trailing(span.line, _own_last_line(span.line, first_item), depth)
        self.out.append(INDENT * depth + header + trailing)
        self.last_line = span.line
        for i, item in enumerate(items):
            following = items[i + 1].span.line if i + 1 < len(items) else span.end_line
            self.node(item, depth + 1, following)
        self._leading(span.end_line, depth + 1)
        trailing = self._trailing(span.end_line, _own_last_line(span.end_line, next_line), depth)
        self.out.append(INDENT * depth + "}" + trailing)
        self.last_line = span.end_line

    def node(self, node: Any, depth: int, next_line: int) -> None:
        block = _BLOCKS.get(type(node))
        if block is not None:
            header, items = block(node)
            self.block(node.span, header, items, depth, next_line)
        else:
            self.statement(node.span, _STATEMENTS[type(node)](node, depth), depth, next_line)

    def rest(self) -> None:
        for comment in self.comments:
            self.out.append(comment.text)
        self.comments = []


def _own_last_line(end_line: int, next_line: int) -> int:
    """The last line whose end-of-line comment is this statement's: a line shared with
    the next statement gives its comment to that statement."""
    return end_line - 1 if next_line == end_line else end_line


# ---- values ---------------------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def _string(value: str) -> str:
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in value) + '"'


def _prose(value: str, depth: int) -> str:
    """Triple-quoted text on lines of its own, indented to `depth`."""
    if not value:
        return '""""""'
    inner = INDENT * depth
    body = "\n".join(inner + ln if ln else "" for ln in value.split("\n"))
    return '"""\n' + body + "\n" + inner + '"""'


def _text_value(value: str, triple_quoted: bool, depth: int) -> str:
    """Prose as the author chose it, where prose can hold the text exactly; else a string."""
    if (triple_quoted or "\n" in value) and _fits_prose(value):
        return _prose(value, depth)
    return _string(value)


def _fits_prose(value: str) -> bool:
    """Whether triple quotes give back exactly this text (they trim and dedent lines)."""
    lines = value.split("\n")
    return (
        '"""' not in value
        and "\t" not in value
        and value == value.strip()
        and not value.endswith('"')
        and all(ln == ln.rstrip() for ln in lines)
    )


_UNIT_WORDS = {unit: unit.value for unit in TimeUnit}


def _number(value: Decimal) -> str:
    """A decimal as written in the language: digits, never an exponent (`1E-7`)."""
    return format(value, "f")


def _duration(d: Duration, adjective: bool = False) -> str:
    business = "business " if d.business else ""
    if d.unit is TimeUnit.MILLISECOND and not d.business:
        return f"{_number(d.amount)} ms"
    word = _UNIT_WORDS[d.unit] if (d.amount == 1 or adjective) else _UNIT_WORDS[d.unit] + "s"
    return f"{_number(d.amount)} {business}{word}"


def _percent(p: ast.Percent) -> str:
    return f"{_number(p.value)}%"


def _money(m: ast.Money) -> str:
    return f"{_number(m.amount)} {m.currency}"


def _period(p: ast.Period) -> str:
    return p.kind.value


def _time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _threshold(t: ast.Percent | Duration) -> str:
    return _percent(t) if isinstance(t, ast.Percent) else _duration(t)


# ---- statements, one function per node -------------------------------------------------

Fmt = Callable[[Any, int], str]


def _days(h: ast.OpenHours) -> str:
    names = [d.name.lower() for d in h.days]
    if h.day_range:
        return f"{names[0]} to {names[-1]}"
    return ", ".join(names)


def _priority(p: ast.Priority, depth: int) -> str:
    described = f" {_string(p.description)}" if p.description is not None else ""
    around = ", around the clock" if p.around_the_clock else ""
    resolution = f", resolution within {_duration(p.resolution)}" if p.resolution is not None else ""
    return f"priority {p.name}{described}: first response within {_duration(p.response)}{around}{resolution}"


def _on(on: ast.OnPlans | None) -> str:
    """` on plan "X"`; `plans` is kept where the author wrote it (or where there are several)."""
    if on is None:
        return ""
    word = "plans" if on.plural or len(on.names) > 1 else "plan"
    return f" on {word} " + ", ".join(_string(n) for n in on.names)


def _amount(a: ast.CreditAmount) -> str:
    if isinstance(a, ast.PercentOfFee):
        return f"{_percent(a.percent)} of {a.base.value}"
    if isinstance(a, ast.TimesDowntimeFees):
        return f"{_number(a.factor)} times the fees for the downtime"
    if isinstance(a, ast.ServiceTime):
        return f"{_duration(a.duration)} of service"
    return _money(a.money)


def _outage_tier(s: ast.OutageTier, depth: int) -> str:
    longer = f" longer than {_duration(s.longer_than)}" if s.longer_than is not None else ""
    per = ""
    if s.per is not None:
        unit = _UNIT_WORDS[s.per.unit] if s.per.amount == 1 and not s.per.business else _duration(s.per)
        per = f" per {'started ' if s.started else ''}{unit}"
    cap = f", at most {_amount(s.cap)}" if s.cap is not None else ""
    return f"for each outage{longer}: {_amount(s.amount)}{per}{cap}"


def _ignore(s: ast.IgnoreOutages, depth: int) -> str:
    rule = f"of {_duration(s.shorter_than)} or less" if s.or_less else f"shorter than {_duration(s.shorter_than)}"
    return f"ignore outages {rule}{' after exclusions' if s.after_exclusions else ''}"


def _clock_units(s: ast.WholeClockUnits, depth: int) -> str:
    if s.unit.amount == 1 and not s.unit.business:
        return f"count only whole clock {_UNIT_WORDS[s.unit.unit]}s"
    return f"count only whole clock {_duration(s.unit, True)} intervals"


def _cap(s: ast.CreditCap | ast.ServiceTimeCap, depth: int) -> str:
    rolling = f" per {_duration(s.rolling)}" if s.rolling is not None else ""
    if isinstance(s, ast.ServiceTimeCap):
        return f"at most {_amount(s.limit)}{rolling}"
    return f"at most {_percent(s.percent)} of {s.base.value}{rolling}"


_OUTAGE_EDGES = {ast.OutageEdge.START: " of the outage", ast.OutageEdge.END: " after the outage ends"}


def _claim_window(s: ast.ClaimWindow, depth: int) -> str:
    edge = _OUTAGE_EDGES[s.from_outage] if s.from_outage is not None else ""
    calendar = f" on {_string(s.calendar)}" if s.calendar is not None else ""
    return f"claim within {_duration(s.within)}{edge}{calendar}"


def _chronic(s: ast.ChronicFailure, depth: int) -> str:
    parts = []
    if s.consecutive is not None:
        parts.append(f"{s.consecutive} consecutive periods")
    if s.of_any is not None:
        parts.append(f"{s.of_any[0]} of any {s.of_any[1]} periods")
    if not s.consecutive_first:
        parts.reverse()
    subject = "support target missed" if s.support else "breached"
    terminate = f", terminate within {_duration(s.terminate_within)}" if s.terminate_within is not None else ""
    return f"chronic failure when {subject} in " + " or in ".join(parts) + terminate


def _dates(dates: tuple[Any, ...]) -> str:
    return ", ".join(d.isoformat() for d in dates)


def _error_rate(s: ast.DowntimeFromErrorRate, depth: int) -> str:
    minimum = f" with at least {s.min_requests} requests" if s.min_requests is not None else ""
    return f"downtime when error rate above {_percent(s.above)} in {_duration(s.window, True)} windows{minimum}"


def _maintenance(s: ast.ExcludeMaintenance, depth: int) -> str:
    cap = f", up to {_duration(s.cap.limit)} per {_period(s.cap.period)}" if s.cap else ""
    return f"exclude maintenance announced at least {_duration(s.notice)} ahead{cap}"


def _latency(s: ast.LatencyTarget, depth: int) -> str:
    which = "average" if s.percentile is None else f"p{_number(s.percentile)}"
    bound = "below" if s.strict else "at most"
    windows = (
        f" in at least {_percent(s.windows.share)} of {_duration(s.windows.window, True)} windows" if s.windows else ""
    )
    return (
        f"latency {_string(s.metric)} {which} {bound} {_duration(s.limit)}{windows} per {_period(s.period)}{_on(s.on)}"
    )


def _certification(s: ast.Certification, depth: int) -> str:
    renewal = f" renewed every {_duration(s.renewed_every)}" if s.renewed_every else ""
    return f"certification {_string(s.name)}{renewal}"


_STATEMENTS: dict[type, Fmt] = {
    ast.Version: lambda s, d: f"version {_string(s.value)}",
    ast.Provider: lambda s, d: f"provider {_string(s.name)}",
    ast.Customer: lambda s, d: f"customer {_string(s.name)}",
    ast.Effective: lambda s, d: f"effective {s.date.isoformat()}",
    ast.Term: lambda s, d: f"term {_duration(s.duration)}",
    ast.TimeZone: lambda s, d: f"timezone {_string(s.name)}",
    ast.Fee: lambda s, d: f"fee {_money(s.money)} per month{_on(s.on)}",
    ast.Plans: lambda s, d: "plans " + ", ".join(_string(n) for n in s.names),
    ast.Text: lambda s, d: f"text {_text_value(s.body, s.triple_quoted, d)}",
    ast.Definition: lambda s, d: f"define {_string(s.term)} as {_text_value(s.body, s.triple_quoted, d + 1)}",
    ast.AvailabilityTarget: lambda s, d: (
        f"availability at least {_percent(s.percent)} per {_period(s.period)}{_on(s.on)}"
    ),
    ast.RequestTarget: lambda s, d: (
        f"availability at least {_percent(s.percent)} of requests per {_period(s.period)}{_on(s.on)}"
    ),
    ast.LatencyTarget: _latency,
    ast.DowntimeFromIncidents: lambda s, d: "downtime from incidents",
    ast.DowntimeFromSamples: lambda s, d: f"downtime from samples every {_duration(s.every)}",
    ast.DowntimeFromErrorRate: _error_rate,
    ast.AverageErrorRate: lambda s, d: f"availability from average error rate in {_duration(s.window, True)} windows",
    ast.MissingData: lambda s, d: f"missing data counts as {'available' if s.counts_as_available else 'unavailable'}",
    ast.DowntimeTarget: lambda s, d: f"downtime at most {_duration(s.limit)} per {_period(s.period)}{_on(s.on)}",
    ast.IgnoreOutages: _ignore,
    ast.RoundOutages: lambda s, d: f"round outages down to {_duration(s.unit)}",
    ast.WeightByAffected: lambda s, d: "weight downtime by share affected" + (", adding overlaps" if s.adding else ""),
    ast.WholeClockUnits: _clock_units,
    ast.ChronicFailure: _chronic,
    ast.ExcludeMaintenance: _maintenance,
    ast.ExcludeCauses: lambda s, d: "exclude incidents caused by " + ", ".join(_string(c) for c in s.causes),
    ast.MonitorQuery: lambda s, d: f"{s.kind} {_string(s.query)}",
    ast.Tier: lambda s, d: f"{s.comparison.value} {_threshold(s.threshold)}: {_amount(s.amount)}",
    ast.OutageTier: _outage_tier,
    ast.CreditCap: _cap,
    ast.ServiceTimeCap: _cap,
    ast.CreditMinimum: lambda s, d: f"minimum {_money(s.money)}",
    ast.CreditThreshold: lambda s, d: f"pay credits only above {_money(s.money)}",
    ast.ClaimWindow: _claim_window,
    ast.ClaimByMonthEnd: lambda s, d: (
        f"claim by the end of the {ordinal(s.months_after)} calendar month after the period"
    ),
    ast.OpenHours: lambda s, d: f"open {_days(s)} {_time(s.opens)} to {_time(s.closes)}",
    ast.Holidays: lambda s, d: f"holidays {_string(s.country)}",
    ast.ClosedOn: lambda s, d: f"closed on {_dates(s.dates)}",
    ast.OpenOn: lambda s, d: f"open on {_dates(s.dates)}",
    ast.UsesCalendar: lambda s, d: f"calendar {_string(s.name)}",
    ast.Priority: _priority,
    ast.TicketTarget: lambda s, d: f"target {_percent(s.percent)} of tickets per {_period(s.period)}",
    ast.Certification: _certification,
    ast.Compliance: lambda s, d: f"compliance {_string(s.name)}",
    ast.BreachNotification: lambda s, d: f"breach notification within {_duration(s.within)}",
    ast.Report: lambda s, d: f"{s.kind} report every {_period(s.every)} within {_duration(s.within)}",
}

_BLOCKS: dict[type, Callable[[Any], tuple[str, tuple[Any, ...]]]] = {
    ast.Service: lambda n: (f"service {_string(n.name)} {{", n.statements),
    ast.Objective: lambda n: (f"objective {_string(n.name)} {{", n.statements),
    ast.Monitor: lambda n: (f"monitor {n.system} {{", n.queries),
    ast.Credits: lambda n: (f"credits for {_string(n.objective)}{_on(n.on)} {{", n.statements),
    ast.Calendar: lambda n: (f"calendar {_string(n.name)} {{", n.statements),
    ast.SupportPlan: lambda n: (f"support {_string(n.name)}{_on(n.on)} {{", n.statements),
    ast.Security: lambda n: ("security {", n.statements),
    ast.Reporting: lambda n: ("reporting {", n.statements),
}
