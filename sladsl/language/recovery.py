"""Every syntax error of a file, not just the first: the parser resynchronises after each.

Why by repairing the text and parsing again rather than by popping the parser's stack: the
repair keeps every offset (a broken statement is blanked with spaces, a missing `}` takes
the place of a space before the token it was missing at), so each later error is reported
at its true line and column, by exactly the message the first error would have had. A
repair that cannot be made, or the end of the file, ends the search.
"""

from __future__ import annotations

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from sladsl.language.diagnostics import Diagnostic, SyntaxFailure
from sladsl.language.lalr import the_parser
from sladsl.language.syntax_errors import _describe, block_openers, closing_brace_fixes, previous_token_end
from sladsl.language.words import string_end

MAX_SYNTAX_ERRORS = 100


def syntax_errors(text: str, first: Diagnostic) -> list[Diagnostic]:
    """`first` (the parser's error) and every later one, in source order, at most 100."""
    found = [first]
    current = text
    failure = _failure(current)
    while failure is not None and len(found) < MAX_SYNTAX_ERRORS:
        diagnostic, exc = failure
        if found[-1] is not diagnostic and not _same_place(found[-1], diagnostic):
            found.append(diagnostic)
        repaired = _repair(current, exc, diagnostic)
        if repaired is None or repaired == current or not repaired.strip():
            break
        current = repaired
        failure = _failure(current)
        if failure is not None and failure[0].span.start_pos < diagnostic.span.start_pos:
            break  # a repair that moves the error backwards would loop
    return sorted(_unique(found), key=lambda d: (d.span.line, d.span.column))


def _same_place(a: Diagnostic, b: Diagnostic) -> bool:
    return (a.span.line, a.span.column, a.message) == (b.span.line, b.span.column, b.message)


def _unique(found: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[int, int]] = set()
    kept = []
    for d in found:
        if (d.span.line, d.span.column) not in seen:
            seen.add((d.span.line, d.span.column))
            kept.append(d)
    return kept


def _failure(text: str) -> tuple[Diagnostic, UnexpectedInput | None] | None:
    """The first error of `text` with the exception behind it (None for a bad value)."""
    try:
        the_parser().parse(text)
    except UnexpectedInput as exc:
        return _describe(exc, text), exc
    except SyntaxFailure as failure:
        return failure.diagnostic, None
    return None


def _repair(text: str, exc: UnexpectedInput | None, diagnostic: Diagnostic) -> str | None:
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        return None
    if isinstance(exc, UnexpectedToken):
        closed = _insert_closing_brace(text, exc)
        if closed is not None:
            return closed
        pos = exc.token.start_pos or 0
        if closing_brace_fixes(exc, text) is None and _mid_statement(exc):
            pos = previous_token_end(text, pos) - 1  # the broken statement is the one before
        return _blank_statement(text, max(pos, 0))
    if isinstance(exc, UnexpectedCharacters):
        return _blank_statement(text, exc.pos_in_stream or 0)
    return _blank_statement(text, diagnostic.span.start_pos or _offset(text, diagnostic.span.line))


def _mid_statement(exc: UnexpectedToken) -> bool:
    """Whether the parser stopped inside a statement (no `}` or statement keyword fits)."""
    accepted = set(exc.accepts or exc.expected or ())
    return "RBRACE" not in accepted


def _insert_closing_brace(text: str, exc: UnexpectedToken) -> str | None:
    """A missing `}`: put it in the indentation before the token, when there is some."""
    if closing_brace_fixes(exc, text) is None:
        return None
    pos = exc.token.start_pos or 0
    if pos == 0 or text[pos - 1] not in " \t":
        return None
    return text[: pos - 1] + "}" + text[pos:]


def _offset(text: str, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = text.index("\n", offset) + 1
    return offset


def _blank_statement(text: str, pos: int) -> str:
    """Spaces over the line holding `pos`, and over the block it opens, if it opens one."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    opened = block_openers(text, start, end)
    if opened:
        end = _matching_close(text, opened[0])
    return text[:start] + "".join(c if c == "\n" else " " for c in text[start:end]) + text[end:]


def _matching_close(text: str, brace: int) -> int:
    """The offset just past the `}` closing the `{` at `brace` (the end of the text if none)."""
    depth = 0
    i = brace
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i = string_end(text, i)
            continue
        if ch == "#":
            nl = text.find("\n", i)
            i = len(text) if nl < 0 else nl
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)
