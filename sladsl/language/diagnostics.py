"""Diagnostics: one structured type for every problem, and one way to print it.

Every stage reports problems as `Diagnostic` values (code, severity, message, span, hint)
so that the checker can collect all of them and the CLI can print them the same way:

    chat.sla:12:34: error[E110]: percentage 120% is outside 0% to 100%
       |
    12 |         availability at least 120% per calendar month
       |                               ^^^^
       = hint: a percentage is between 0% and 100%
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sladsl.language.ast import Span
from sladsl.language.invisible import is_hidden


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One error or warning with its code, place and hint: what `check` prints and `--json` lists."""

    code: str
    severity: Severity
    message: str
    span: Span
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "hint": self.hint,
        }


def error(code: str, message: str, span: Span, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, hint)


def warning(code: str, message: str, span: Span, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, span, hint)


class SladslError(Exception):
    """Bad input that stops a command: printed as one line, exit status 2."""


class SyntaxFailure(Exception):
    """The text does not parse; carries the diagnostic that says where and why."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


_COLOURS = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "bold": "\x1b[1m", "blue": "\x1b[1;34m"}
_RESET = "\x1b[0m"


def _paint(text: str, colour: str, enabled: bool) -> str:
    return f"{_COLOURS[colour]}{text}{_RESET}" if enabled else text


def format_diagnostic(diag: Diagnostic, filename: str, source: str, colour: bool = False) -> str:
    """The compiler-style block: location line, the source line, an underline, a hint."""
    span = diag.span
    head = (
        f"{_paint(f'{filename}:{span.line}:{span.column}:', 'bold', colour)} "
        f"{_paint(f'{diag.severity.value}[{diag.code}]', diag.severity.value, colour)}: "
        f"{diag.message}"
    )
    lines = _lines(source)
    if not 1 <= span.line <= len(lines):
        return head + (f"\n  = hint: {diag.hint}" if diag.hint else "")
    text = _visible(lines[span.line - 1].rstrip("\r").expandtabs(4))
    raw = lines[span.line - 1]
    start = _display_column(raw, span.column)
    if span.end_line == span.line and span.end_column > span.column:
        width = _display_column(raw, span.end_column) - start
    else:
        width = max(1, len(text.rstrip()) - start + 1) if span.end_line > span.line else 1
    gutter = " " * len(str(span.line))
    bar = _paint("|", "blue", colour)
    marker = _paint("^" * max(1, width), diag.severity.value, colour)
    out = [
        head,
        f"{gutter} {bar}",
        f"{_paint(str(span.line), 'blue', colour)} {bar} {text}",
        f"{gutter} {bar} {' ' * (start - 1)}{marker}",
    ]
    if diag.hint:
        out.append(f"{gutter} = hint: {diag.hint}")
    return "\n".join(out)


def _visible(line: str) -> str:
    """The source line with each invisible character (a bidi override, a control) shown
    as U+FFFD: printed raw, a right-to-left override reorders the rest of the line on the
    terminal, so the line would not read as the file does and the caret would point
    elsewhere. One character for one keeps the caret under its column."""
    if line.isascii():
        return line
    return "".join("\ufffd" if is_hidden(char) else char for char in line)


_split_cache: tuple[str, list[str]] | None = None


def _lines(source: str) -> list[str]:
    """The source's lines, split once per source rather than once per diagnostic."""
    global _split_cache
    if _split_cache is None or _split_cache[0] is not source:
        _split_cache = (source, source.split("\n"))
    return _split_cache[1]


def _display_column(line: str, column: int) -> int:
    """Column as shown once tabs are expanded, so the underline sits under the text."""
    return len(line[: column - 1].expandtabs(4)) + 1
