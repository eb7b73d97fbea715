"""Text to typed AST: the Lark LALR parser and the callbacks that build the nodes.

The parser is loaded once per process from tables shipped in the package
(`sladsl.language.grammar_tables`), and the nodes of `sladsl.language.ast` are built in the parser's own
callbacks (`sladsl.language.parse_nodes`), so no parse tree is ever made and no Lark object leaves
the parser's modules. Lark's exceptions are turned into one `SyntaxFailure` that says, in
words, what was expected (`sladsl.language.syntax_errors`).
"""

from __future__ import annotations

from lark.exceptions import UnexpectedInput

from sladsl.language import ast
from sladsl.language.ast import Span
from sladsl.language.diagnostics import SyntaxFailure, error
from sladsl.language.grammar_tables import grammar_text as grammar_text  # re-exported: bench and tools read it here
from sladsl.language.lalr import the_lean_parser, the_parser

# re-exported: the callbacks and the error descriptions live in their own modules
from sladsl.language.parse_nodes import MAX_FRACTION_DIGITS as MAX_FRACTION_DIGITS
from sladsl.language.parse_nodes import MAX_INTEGER_DIGITS as MAX_INTEGER_DIGITS
from sladsl.language.parse_nodes import _Builder as _Builder
from sladsl.language.parse_nodes import prose_body as prose_body
from sladsl.language.syntax_errors import _describe as _describe
from sladsl.language.syntax_errors import _example_hint as _example_hint
from sladsl.language.syntax_errors import _examples as _examples

_parser = the_parser  # the name tests and tools have used


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
    agreement = _lean_parse(text)
    if agreement is not None:
        return agreement
    try:
        result = _parser().parse(text)
    except UnexpectedInput as exc:
        raise SyntaxFailure(_describe(exc, text)) from None
    assert isinstance(result, ast.Agreement)
    return result


def _lean_parse(text: str) -> ast.Agreement | None:
    """The lean loop's AST; None when it cannot parse the text (or is not available), so
    that Lark's own loop parses it again and raises what every error message is built from."""
    lean = the_lean_parser()
    if lean is None:
        return None
    try:
        result = lean.parse(text)
    except Exception:  # any failure: Lark's loop decides, and raises Lark's error
        return None
    return result if isinstance(result, ast.Agreement) else None


def normalise_source(text: str) -> str:
    """Accept what editors produce: a UTF-8 BOM and CRLF line endings."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text
