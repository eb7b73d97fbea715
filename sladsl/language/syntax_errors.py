"""Syntax errors in words: Lark's exception at the error as one positioned diagnostic.

What the parser expected is said in words (`a statement of an objective (...)`, `the end
of the file`), narrowed to what can really follow; a common mistake, recognised by the
parser state it leaves (Lark's `match_examples`), gets a hint that shows how the statement
is written.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from sladsl.language.ast import Span
from sladsl.language.diagnostics import error
from sladsl.language.lalr import the_parser
from sladsl.language.parse_nodes import _shorten
from sladsl.language.parse_spans import _token_span
from sladsl.language.words import EXPECTED_WORDS, string_end

_lark = the_parser


def _describe(exc: UnexpectedInput, text: str) -> Any:
    expected = _expected_terminals(exc)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        span = _end_span(text)
        wanted = _expected_phrase(expected)
        return error("E001", f"the file ends too early: expected {wanted}", span, _eof_hint(text))
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        pos = token.start_pos or 0
        if closing_brace_fixes(exc, text):
            return _missing_brace(text, token, pos)
        if "RBRACE" not in expected and _starts_a_line(text, pos):
            return _incomplete_statement(exc, text, expected, pos)
        expected = _without_business(expected, text, pos)
        span = _token_span(token)
        wanted = _expected_phrase(expected)
        hint = (
            _keyword_hint(expected, token.value)
            or _misplaced_hint(expected, token.value)
            or _example_hint(exc)
            or _hint(expected, token.value)
        )
        return error("E001", f"unexpected `{_shorten(token.value)}`: expected {wanted}", span, hint)
    assert isinstance(exc, UnexpectedCharacters)
    pos = exc.pos_in_stream or 0
    word = _word_at(text, pos)
    expected = _without_business(expected, text, pos)
    wanted = _expected_phrase(expected)
    span = Span(exc.line, exc.column, exc.line, exc.column + max(1, len(word)), pos, pos + len(word))
    hint = _keyword_hint(expected, word) or _example_hint(exc) or _hint(expected, word)
    return error("E001", f"unexpected `{_shorten(word)}`: expected {wanted}", span, hint)


# ---- resynchronising and pointing at the real mistake ------------------------------------


def closing_brace_fixes(exc: UnexpectedToken, text: str) -> bool | None:
    """True when a `}` before the token would let the parser go on with it: the block
    before it was never closed. None when it would not (or cannot be tried), and when every
    `{` of the file is closed: then the statement is in the wrong block (`provider` inside a
    service), not after a missing `}`."""
    interactive = getattr(exc, "interactive_parser", None)
    if interactive is None or exc.token.type in ("RBRACE", "$END") or not _open_braces(text, len(text)):
        return None
    try:
        if "RBRACE" not in interactive.accepts():
            return None
        probe = interactive.copy()
        probe.feed_token(Token("RBRACE", "}"))
        return True if exc.token.type in probe.accepts() else None
    except Exception:  # a better message is a nicety: never let it hide the error
        return None


def _missing_brace(text: str, token: Token, pos: int) -> Any:
    opened = _open_braces(text, pos)
    where = f"the `{{` on line {opened[-1][0]} is not closed" if opened else "a block is not closed"
    return error(
        "E001",
        f"unexpected `{_shorten(token.value)}`: {where}",
        _token_span(token),
        "close the block with `}` before this line",
    )


def _incomplete_statement(exc: UnexpectedToken, text: str, expected: set[str], pos: int) -> Any:
    """The token starts a new line while a statement is still open: the mistake is the
    missing end of the line before (a unit, a percent sign), so it is reported there."""
    end = previous_token_end(text, pos)
    line = text.count("\n", 0, end) + 1
    column = end - (text.rfind("\n", 0, end) + 1) + 1
    expected = _without_business(expected, text, end)
    last = _word_before(text, end)
    span = Span(line, column, line, column + 1, end, end)
    hint = _keyword_hint(expected, exc.token.value) or _hint(expected, last)
    return error(
        "E001",
        f"the statement ends too early after `{_shorten(last)}`: expected {_expected_phrase(expected)}",
        span,
        hint,
    )


def _without_business(expected: set[str], text: str, pos: int) -> set[str]:
    """`business` is offered only where business time is allowed: support, claims, reports."""
    statement = text[text.rfind("\n", 0, pos) + 1 : pos]
    if "BUSINESS" in expected and not _BUSINESS_STATEMENT.search(statement):
        return expected - {"BUSINESS"}
    return expected


_BUSINESS_STATEMENT = re.compile(r"\b(?:priority|claim|report|resolution|response)\b")


def _starts_a_line(text: str, pos: int) -> bool:
    return not text[text.rfind("\n", 0, pos) + 1 : pos].strip()


def previous_token_end(text: str, pos: int) -> int:
    """The offset just past the last token before `pos`, skipping blanks and comments."""
    i = pos
    while i > 0:
        line_start = text.rfind("\n", 0, i) + 1
        line = _without_comment(text[line_start:i])
        if line.strip():
            return line_start + len(line.rstrip())
        i = line_start - 1
    return 0


def _without_comment(line: str) -> str:
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == "#" and not quoted:
            return line[:i]
    return line


def _word_before(text: str, end: int) -> str:
    match = re.search(r'("[^"\n]*"|[^\s{}:,]+)$', text[:end])
    return match.group(1) if match else text[max(0, end - 1) : end]


def _open_braces(text: str, pos: int) -> list[tuple[int, int]]:
    """The `{` still open at `pos`, outermost first, as (line, offset); strings and
    comments are skipped."""
    stack: list[tuple[int, int]] = []
    i, line = 0, 1
    while i < pos:
        ch = text[i]
        if ch == "\n":
            line += 1
        elif ch == '"':
            end = string_end(text, i)
            line += text.count("\n", i, end)
            i = end
            continue
        elif ch == "#":
            nl = text.find("\n", i)
            i = len(text) if nl < 0 else nl
            continue
        elif ch == "{":
            stack.append((line, i))
        elif ch == "}" and stack:
            stack.pop()
        i += 1
    return stack


def block_openers(text: str, start: int, end: int) -> list[int]:
    """The offsets of the `{` in text[start:end] that the same range does not close."""
    opened: list[int] = []
    i = start
    while i < end:
        ch = text[i]
        if ch == '"':
            i = string_end(text, i)
            continue
        if ch == "#":
            break
        if ch == "{":
            opened.append(i)
        elif ch == "}" and opened:
            opened.pop()
        i += 1
    return opened


def _keywords(expected: set[str]) -> dict[str, str]:
    """The keywords among the terminals that can follow here, with their terminal names."""
    keywords: dict[str, str] = {}
    for name in expected:
        try:
            pattern = _lark().get_terminal(name).pattern
        except KeyError:
            continue
        if pattern.type == "str" and pattern.value.isalpha():
            keywords[pattern.value] = name
    return keywords


def _keyword_hint(expected: set[str], found: str) -> str | None:
    """`objetive`: did you mean `objective`? Among the keywords that can follow here."""
    if not re.fullmatch(r"[A-Za-z_]+", found or ""):
        return None
    keywords = _keywords(expected)
    if found.lower() in keywords:
        return None
    import difflib

    close = difflib.get_close_matches(found.lower(), list(keywords), n=1, cutoff=0.75)
    if close:
        return f"did you mean `{close[0]}`?"
    longer = sorted(k for k in keywords if len(found) >= 4 and k.startswith(found.lower()))
    if longer:  # `time zone`: the keyword is one word
        return f"did you mean `{longer[0]}` (one word)?"
    return None


# Statements a user writes in the wrong block, and the block they belong in.
_OBJECTIVE_WORDS = ("availability", "latency", "downtime", "exclude", "ignore", "monitor", "missing", "chronic")
_AGREEMENT_WORDS = ("provider", "customer", "timezone", "effective", "version", "term", "plans", "support")
_BELONGS = {
    "objective": 'an `objective "NAME" { }` block goes inside a `service "NAME" { }` block',
    "credits": 'a `credits for "OBJECTIVE" { }` block goes inside the `service` block that holds the objective',
    **{w: f"`{w} ...` is a statement of an `objective` block" for w in _OBJECTIVE_WORDS},
    **{
        w: f'`{w} ...` is a statement of the agreement itself, directly inside `sla "NAME" {{ }}`'
        for w in _AGREEMENT_WORDS
    },
}


def _misplaced_hint(expected: set[str], found: str) -> str | None:
    """`credits` at the agreement's level: say which block the statement belongs in."""
    word = (found or "").lower()
    if word not in _BELONGS or word in _keywords(expected):
        return None
    return _BELONGS[word]


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
                "COUNT",
                "TEXT",
            }
        ),
    ),
    ("a service statement", "the service", frozenset({"FEE", "TEXT", "OBJECTIVE", "CREDITS"})),
    (
        "a credit tier or statement",
        "the credits block",
        frozenset({"BELOW", "ABOVE", "AT", "MINIMUM", "CLAIM", "FOR", "PAY", "TEXT"}),
    ),
    ("a calendar statement", "the calendar", frozenset({"OPEN", "TIMEZONE", "HOLIDAYS", "CLOSED", "TEXT"})),
    ("a support statement", "the support plan", frozenset({"CALENDAR", "PRIORITY", "TARGET", "CHRONIC", "TEXT"})),
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
        pattern = _lark().get_terminal(name).pattern
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
                _lark().parse(malformed)
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
    opened = _open_braces(text, len(text))
    if opened:
        lines = ", ".join(str(line) for line, _ in reversed(opened))
        n = len(opened)
        return f"{n} block{'s are' if n > 1 else ' is'} not closed with `}}`: the `{{` on line{'s' if n > 1 else ''} {lines}"
    return None


def _end_span(text: str) -> Span:
    lines = text.rstrip("\n").split("\n") if text.strip() else [""]
    line = len(lines)
    column = len(lines[-1]) + 1
    return Span(line, column, line, column + 1, len(text), len(text))


def _word_at(text: str, pos: int) -> str:
    match = re.compile(r'"[^"\n]*"?|[^\s{}:,]+|\S').match(text, pos)
    return match.group(0) if match else ""
