"""A small scanner for the editor: every token of a `.sla` text, even one that does not parse.

Semantic tokens, names (definitions and references), the outline and the cursor's context
for completion all read this token list; none of them needs the text to parse, so they
keep working while the author types. The keywords are the grammar's own (the string
terminals of the shipped parser, and the words its weekday, unit and period patterns match).
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from sladsl.language.lalr import the_parser
from sladsl.language.words import unescape

_TOKEN = re.compile(
    r"""
     (?P<ws>[ \t\r\n\f]+)
    |(?P<comment>\#[^\n]*)
    |(?P<prose>\"\"\"[\s\S]*?(?:\"\"\"|\Z))
    |(?P<string>"(?:\\.|[^"\\\n])*"?)
    |(?P<number>\d{4}-\d{2}-\d{2}|\d{2}:\d{2}|\d+(?:st|nd|rd|th)(?![A-Za-z0-9_])|\d+(?:\.\d+)?%?)
    |(?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.\d+)?)
    |(?P<punct>[{}:,])
    |(?P<other>.)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind (`comment`, `prose`, `string`, `number`, `word`, `punct`, `other`),
    text and place (offsets in the text; line and column from 0, in characters)."""

    kind: str
    text: str
    start: int
    end: int
    line: int
    column: int

    @property
    def value(self) -> str:
        """A string's content without its quotes and escapes (the name it gives)."""
        if self.kind != "string":
            return self.text
        inner = self.text[1:-1] if len(self.text) > 1 and self.text.endswith('"') else self.text[1:]
        return unescape(inner)


class Lines:
    """Offsets to (line, column) and back, for one text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line, offset - self.starts[line]

    def offset(self, line: int, column: int) -> int:
        if line >= len(self.starts):
            return len(self.text)
        start = self.starts[line]
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        return min(start + column, end)

    def line_text(self, line: int) -> str:
        if line >= len(self.starts):
            return ""
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[line] : end]


def tokens(text: str, lines: Lines) -> list[Token]:
    """Every token but white space, in order."""
    out: list[Token] = []
    starts = lines.starts
    line = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "ws":
            continue
        start = match.start()
        while line + 1 < len(starts) and starts[line + 1] <= start:
            line += 1
        out.append(Token(kind, match.group(), start, match.end(), line, start - starts[line]))
    return out


@functools.cache
def keyword_terminals() -> dict[str, str]:
    """Terminal name -> keyword for the grammar's word terminals (`OBJECTIVE` -> `objective`)."""
    found: dict[str, str] = {}
    for terminal in the_parser().terminals:
        pattern = terminal.pattern
        if pattern.type == "str" and re.fullmatch(r"[a-z]+", pattern.value):
            found[terminal.name] = pattern.value
    return found


@functools.cache
def pattern_words(terminal: str) -> tuple[str, ...]:
    """The words a word-list terminal matches (`DAY`: the weekdays; `UNIT`: `ms`, `minute`,
    `minutes`, ...), read from the grammar's own pattern."""
    for t in the_parser().terminals:
        if t.name == terminal and t.pattern.type == "re":
            body = re.match(r"\(\?:([a-z|?]+)\)", t.pattern.value)
            if body is None:
                return ()
            words: list[str] = []
            for alternative in body.group(1).split("|"):
                if alternative.endswith("?"):
                    words += [alternative[:-2], alternative[:-1]]
                else:
                    words.append(alternative)
            return tuple(words)
    return ()


@functools.cache
def keywords() -> frozenset[str]:
    """Every word the grammar spells: keywords, weekdays, units and period words."""
    words = set(keyword_terminals().values())
    for name in ("DAY", "UNIT", "PERIOD_UNIT"):
        words.update(pattern_words(name))
    return frozenset(words)
