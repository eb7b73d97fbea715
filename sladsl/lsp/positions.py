"""Places in the text as LSP wants them: lines from 0, columns in the client's code units.

Inside the server a column counts characters (as spans and the lexer do); LSP counts UTF-16
code units unless the client agreed on UTF-8 or UTF-32. Only a line with a character
outside ASCII needs converting, and only that line is looked at.
"""

from __future__ import annotations

from lsprotocol import types

from sladsl.language.ast import Span
from sladsl.lsp.documents import Analysis


class Positions:
    """Converts between the analysis's (line, character) and the client's positions."""

    def __init__(self, analysis: Analysis, encoding: str = "utf-16") -> None:
        self.analysis = analysis
        self.lines = analysis.lines
        self.encoding = encoding
        self.shift = 1 if analysis.bom else 0  # the client's first line still has the BOM

    def _units(self, chars: str) -> int:
        if chars.isascii() or self.encoding == "utf-32":
            return len(chars)
        if self.encoding == "utf-8":
            return len(chars.encode("utf-8"))
        return len(chars.encode("utf-16-le")) // 2

    def position(self, line: int, column: int) -> types.Position:
        """(line, character), both from 0, to the client's position."""
        text = self.lines.line_text(line)
        units = column if text.isascii() else self._units(text[:column])
        return types.Position(line=line, character=units + (self.shift if line == 0 else 0))

    def offset_position(self, offset: int) -> types.Position:
        return self.position(*self.lines.position(offset))

    def range(self, start: int, end: int) -> types.Range:
        """Offsets in the analysed text to a range."""
        return types.Range(start=self.offset_position(start), end=self.offset_position(end))

    def span(self, span: Span) -> types.Range:
        """A diagnostic's or node's span (lines and columns from 1) to a range."""
        start = self.position(span.line - 1, span.column - 1)
        end_line, end_column = span.end_line, span.end_column
        if (end_line, end_column) <= (span.line, span.column):
            end_line, end_column = span.line, span.column + 1
        return types.Range(start=start, end=self.position(end_line - 1, end_column - 1))

    def offset(self, position: types.Position) -> int:
        """The client's position to an offset in the analysed text."""
        line = position.line
        character = position.character - (self.shift if line == 0 else 0)
        text = self.lines.line_text(line)
        if not text.isascii() and self.encoding != "utf-32":
            count = 0
            for index, char in enumerate(text):
                if count >= character:
                    character = index
                    break
                count += self._units(char)
            else:
                character = len(text)
        return self.lines.offset(line, max(0, character))
