"""One analysis per version of an open document, made once and shared by every request.

A `didChange` parses and checks the text once (as `check_source` does; a text that does not
parse statement by statement first, `sladsl.lsp.incremental`); hover, completion,
definition, symbols and semantic tokens then read the same `Analysis` until the next
change. Tokens and names are made on first use only. While the text does not parse, the
last AST that did is kept (`Documents.last_good`): hover answers from it for the parts of
the text that have not moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sladsl.language.ast import Agreement
from sladsl.language.checks import check
from sladsl.language.diagnostics import Diagnostic
from sladsl.language.front_end import check_source
from sladsl.language.lalr import the_lean_parser
from sladsl.language.parser import normalise_source
from sladsl.lsp import incremental
from sladsl.lsp.lexer import Lines, Token, tokens
from sladsl.lsp.names import Index, index


@dataclass(slots=True)
class Analysis:
    """A text as the editor has it, parsed and checked."""

    source: str  # as the editor holds it (a BOM and CRLF kept)
    text: str  # as the parser reads it (`normalise_source`)
    agreement: Agreement | None
    diagnostics: list[Diagnostic]
    bom: bool = False
    _lines: Lines | None = field(default=None, repr=False)
    _tokens: list[Token] | None = field(default=None, repr=False)
    _index: Index | None = field(default=None, repr=False)

    @property
    def lines(self) -> Lines:
        if self._lines is None:
            self._lines = Lines(self.text)
        return self._lines

    @property
    def tokens(self) -> list[Token]:
        if self._tokens is None:
            self._tokens = tokens(self.text, self.lines)
        return self._tokens

    @property
    def names(self) -> Index:
        if self._index is None:
            self._index = index(self.tokens, len(self.text))
        return self._index


def analyse(source: str, broken_before: bool = False) -> Analysis:
    """The text parsed and checked: the same AST and diagnostics as `check_source`.

    A text that does not parse is looked at statement by statement first (each statement's
    result kept by its text, `sladsl.lsp.incremental`); only when that cannot say where the
    mistakes are does `check_source` read the whole file. After a text that did not parse,
    the statements are looked at before the whole text is parsed, since one keystroke
    seldom mends a file."""
    text = normalise_source(source)
    analysis = Analysis(source, text, None, [], bom=source.startswith("\ufeff"))
    if broken_before:
        errors = incremental.syntax_errors(text, analysis.tokens, analysis.lines)
        if errors:
            analysis.diagnostics = errors
            return analysis
    agreement = _lean_parse(text)
    if agreement is not None:
        incremental.remember_good(agreement, text)
        analysis.agreement, analysis.diagnostics = agreement, check(agreement)
        return analysis
    errors = None if broken_before else incremental.syntax_errors(text, analysis.tokens, analysis.lines)
    if errors:
        analysis.diagnostics = errors
        return analysis
    analysis.agreement, analysis.diagnostics = check_source(text)
    return analysis


def _lean_parse(text: str) -> Agreement | None:
    """The parser's fast loop (`sladsl.language.parser.parse` tries it first): its AST, or
    None when the text does not parse (or the loop is not available)."""
    lean = the_lean_parser()
    if lean is None or not text.strip(" \t\r\n\f"):
        return None
    try:
        result = lean.parse(text)
    except Exception:  # any failure: `check_source` decides, and says why
        return None
    return result if isinstance(result, Agreement) else None


class Documents:
    """The analyses of the open documents, by URI, each for the text it was made from."""

    def __init__(self) -> None:
        self._analyses: dict[str, Analysis] = {}
        self._last_good: dict[str, Analysis] = {}

    def get(self, uri: str, source: str) -> Analysis:
        """The analysis of this text: the kept one when the text is the same."""
        known = self._analyses.get(uri)
        if known is not None and known.source == source:
            return known
        try:
            fresh = analyse(source, broken_before=known is not None and known.agreement is None)
        except Exception:  # a fault in the editor's shortcuts must not cost the diagnostics
            text = normalise_source(source)
            agreement, diagnostics = check_source(text)
            fresh = Analysis(source, text, agreement, diagnostics, bom=source.startswith("\ufeff"))
        self._analyses[uri] = fresh
        if fresh.agreement is not None:
            self._last_good[uri] = fresh
        return fresh

    def last_good(self, uri: str) -> Analysis | None:
        """The last analysis of this document whose text parsed."""
        return self._last_good.get(uri)

    def close(self, uri: str) -> None:
        self._analyses.pop(uri, None)
        self._last_good.pop(uri, None)
