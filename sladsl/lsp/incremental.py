"""Syntax errors statement by statement, so that a keystroke in a broken file stays cheap.

A text that does not parse costs `check_source` several whole-file parses (the error, then
the recovery's resynchronising), 60 to 130 ms on 1,000 lines. While an author types, the
mistake is in one statement of the agreement: the text is cut at its top-level statements
(`service`, `calendar`, `fee`, ... first on their line), each statement is parsed alone behind a stand-in
`sla "x" {`, and a statement's result is kept by its text, so only the statement that
changed is parsed again. A statement that does not parse gets `check_source`'s own syntax
errors (recovery included), moved back to where the statement stands.

The statements of a text that parsed are remembered as good from its AST, at no cost.
When the text cannot be cut (unbalanced braces, nothing after `sla "..." {`, a mistake in
the agreement's own header) or every statement parses alone, the caller asks
`check_source` about the whole file, which stays the reference.
"""

from __future__ import annotations

import re
from dataclasses import replace

from sladsl.language.ast import Agreement, Span
from sladsl.language.diagnostics import Diagnostic
from sladsl.language.front_end import check_source
from sladsl.language.lalr import the_lean_parser
from sladsl.lsp.lexer import Lines, Token

# The stand-in before a statement: the agreement's header, and for every statement but the
# first a statement before it, so that the parser's stack is as in the whole file (a
# syntax error's example hint is matched by that stack, `syntax_errors._example_hint`).
STAND_IN = ('sla "x" {\n', 'sla "x" {\nversion "x"\n')
_LINE = re.compile(r"\bline (\d+)")
TOP_LEVEL = frozenset(
    {
        "version",
        "provider",
        "customer",
        "effective",
        "term",
        "timezone",
        "fee",
        "plans",
        "text",
        "define",
        "service",
        "calendar",
        "support",
        "security",
        "reporting",
    }
)
_MAX_KEPT = 20_000
# (not the first statement, its text) -> its syntax errors, offsets counted from the
# statement's start, lines named in messages as in the wrapped text; None when an error
# falls after the statement (it ends too early: what follows decides) or names the stand-in
_kept: dict[tuple[bool, str], list[Diagnostic] | None] = {}


def remember_good(agreement: Agreement, text: str) -> None:
    """The top-level statements of a text that parsed: each parses alone too."""
    for index, chunk in enumerate(_chunks_from_ast(agreement, text)):
        _keep((index > 0, text[chunk[0] : chunk[1]]), [])


def _chunks_from_ast(agreement: Agreement, text: str) -> list[tuple[int, int]]:
    starts = [s.span.start_pos for s in agreement.statements]
    end = agreement.span.end_pos - 1
    return [(start, stop) for start, stop in zip(starts, [*starts[1:], end], strict=True)]


def chunks(tokens: list[Token]) -> list[tuple[int, int]] | None:
    """(start, end) offsets of each top-level statement, from the tokens; None when the
    text is not `sla "…" { statements }` with balanced braces."""
    toks = [t for t in tokens if t.kind != "comment"]
    if any(_unterminated(t) for t in toks):  # a lone quote: where the statements are is unsure
        return None
    if len(toks) < 4 or toks[0].text != "sla" or toks[1].kind != "string" or toks[2].text != "{":
        return None
    depth = 1
    starts: list[int] = []
    close = None
    for index in range(3, len(toks)):
        tok = toks[index]
        if tok.kind == "punct" and tok.text == "{":
            depth += 1
        elif tok.kind == "punct" and tok.text == "}":
            depth -= 1
            if depth == 0:
                close = index
                break
        elif depth == 1 and tok.kind == "word" and tok.text in TOP_LEVEL and toks[index - 1].line < tok.line:
            starts.append(tok.start)  # a statement's keyword first on its line: mid-line, the recovery decides
    if close is None or close != len(toks) - 1 or not starts or starts[0] != toks[3].start:
        return None
    end = toks[close].start
    return list(zip(starts, [*starts[1:], end], strict=True))


def _unterminated(tok: Token) -> bool:
    if tok.kind == "string":
        return len(tok.text) < 2 or not tok.text.endswith('"')
    return tok.kind == "prose" and (len(tok.text) < 6 or not tok.text.endswith('"""'))


def syntax_errors(text: str, tokens: list[Token], lines: Lines) -> list[Diagnostic] | None:
    """The syntax errors of the text, statement by statement; None when the text cannot be
    cut into statements or no statement has an error alone (ask the whole file then)."""
    cut = chunks(tokens)
    if cut is None:
        return None
    found: list[Diagnostic] = []
    for index, (start, end) in enumerate(cut):
        errors = _chunk_errors(index > 0, text[start:end])
        if errors is None:
            return None
        line_shift = lines.position(start)[0] - STAND_IN[index > 0].count("\n")
        found += [_moved(d, start, line_shift, lines, len(text)) for d in errors]
    return found or None


def _chunk_errors(after_another: bool, chunk: str) -> list[Diagnostic] | None:
    key = (after_another, chunk)
    if key in _kept:
        return _kept[key]
    stand_in = STAND_IN[after_another]
    wrapped = stand_in + chunk + "\n}\n"
    lean = the_lean_parser()
    errors: list[Diagnostic] | None = []
    try:
        ok = lean is not None and lean.parse(wrapped) is not None
    except Exception:
        ok = False
    if not ok:
        agreement, diagnostics = check_source(wrapped)
        if agreement is None:
            errors = [_relative(d, len(stand_in), len(chunk)) for d in diagnostics]
            if any(d.span.start_pos >= len(chunk.rstrip()) or _names_stand_in(d, stand_in) for d in errors):
                errors = None
    _keep(key, errors)
    return errors


def _names_stand_in(d: Diagnostic, stand_in: str) -> bool:
    lines = stand_in.count("\n")
    return any(int(n) <= lines for n in _LINE.findall(f"{d.message} {d.hint or ''}"))


def _relative(d: Diagnostic, shift: int, length: int) -> Diagnostic:
    """A diagnostic of the wrapped statement with offsets from the statement's start (kept
    inside the statement), lines dropped: they are counted again where the statement is."""
    start = min(max(d.span.start_pos - shift, 0), length)
    end = min(max(d.span.end_pos - shift, start), length)
    return replace(d, span=Span(0, 0, 0, 0, start, end))


def _moved(d: Diagnostic, offset: int, line_shift: int, lines: Lines, size: int) -> Diagnostic:
    """The statement's diagnostic where the statement stands: its span, and the lines its
    message and hint name."""

    def renumber(text: str) -> str:
        return _LINE.sub(lambda m: f"line {int(m.group(1)) + line_shift}", text)

    start, end = offset + d.span.start_pos, offset + d.span.end_pos
    line, column = lines.position(min(start, size))
    end_line, end_column = lines.position(min(end, size))
    if (end_line, end_column) == (line, column):
        end_column += 1
    span = Span(line + 1, column + 1, end_line + 1, end_column + 1, start, max(end, start + 1))
    hint = renumber(d.hint) if d.hint else d.hint
    return replace(d, span=span, message=renumber(d.message), hint=hint)


def _keep(key: tuple[bool, str], errors: list[Diagnostic] | None) -> None:
    if len(_kept) >= _MAX_KEPT:
        _kept.clear()
    _kept[key] = errors
