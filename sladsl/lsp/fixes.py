"""Diagnostics for the editor, and the quick fixes their hints make possible.

Every diagnostic of `check_source` (each syntax error and each checker diagnostic) becomes
an LSP diagnostic with its code, severity and range, a link to the code's documentation
(`codeDescription`) and, in `data`, its hint and the replacement a fix would make.

Quick fixes:
- a hint `did you mean `X`?` (names, keywords) or `did you mean "X"?` (time zones): replace
  the mistaken word, or the mistaken name inside its quotes, by X;
- E109 (credit tiers out of order): swap the tier with the one its hint names.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lsprotocol import types

from sladsl.language.diagnostics import Diagnostic
from sladsl.lsp.documents import Analysis
from sladsl.lsp.positions import Positions

_SUGGESTION = re.compile(r"did you mean [`\"]([^`\"]+)[`\"]\?")
_QUOTED_IN_MESSAGE = re.compile(r"`([^`]+)`")
_LINE_IN_HINT = re.compile(r"on line (\d+)")
SOURCE = "sladsl"


def default_docs_url() -> str | None:
    """The language reference's diagnostics table, where the docs are beside the package
    (a source checkout or an editable install); `None` elsewhere."""
    docs = Path(__file__).resolve().parent.parent.parent / "docs" / "language.md"
    return docs.as_uri() + "#diagnostics" if docs.is_file() else None


def suggestion(diagnostic: Diagnostic) -> str | None:
    """The X of a hint `did you mean `X`?`."""
    if not diagnostic.hint:
        return None
    match = _SUGGESTION.search(diagnostic.hint)
    return match.group(1) if match else None


def lsp_diagnostics(analysis: Analysis, positions: Positions, docs_url: str | None) -> list[types.Diagnostic]:
    out = []
    for d in analysis.diagnostics:
        data: dict[str, Any] = {"hint": d.hint}
        replacement = suggestion(d)
        if replacement is not None:
            data["suggestion"] = replacement
        message = d.message if not d.hint else f"{d.message}\nhint: {d.hint}"
        out.append(
            types.Diagnostic(
                range=positions.span(d.span),
                message=message,
                severity=types.DiagnosticSeverity.Error if d.is_error else types.DiagnosticSeverity.Warning,
                code=d.code,
                code_description=types.CodeDescription(href=docs_url.replace("{code}", d.code)) if docs_url else None,
                source=SOURCE,
                data=data,
            )
        )
    return out


def code_actions(
    analysis: Analysis, positions: Positions, uri: str, wanted: types.Range, docs_url: str | None
) -> list[types.CodeAction]:
    """The quick fixes of the diagnostics that touch `wanted`."""
    start, end = positions.offset(wanted.start), positions.offset(wanted.end)
    actions: list[types.CodeAction] = []
    for d in analysis.diagnostics:
        first, last = _offsets(analysis, d)
        if last < start or first > end:
            continue
        edits: list[types.TextEdit] = []
        title = ""
        replacement = suggestion(d)
        if replacement is not None:
            edit = _replace_name(analysis, positions, d, first, last, replacement)
            if edit is not None:
                edits, title = [edit], f"Replace with `{replacement}`"
        elif d.code == "E109":
            edits = _swap_tiers(analysis, positions, d)
            title = "Swap the tiers (mildest first)"
        if edits:
            [diagnostic] = lsp_diagnostics(_only(analysis, d), positions, docs_url)
            actions.append(
                types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=True,
                    edit=types.WorkspaceEdit(changes={uri: edits}),
                )
            )
    return actions


def _only(analysis: Analysis, d: Diagnostic) -> Analysis:
    copy = Analysis(analysis.source, analysis.text, analysis.agreement, [d], analysis.bom)
    copy._lines = analysis.lines
    return copy


def _offsets(analysis: Analysis, d: Diagnostic) -> tuple[int, int]:
    span = d.span
    if span.end_pos > span.start_pos or span.start_pos > 0:
        return span.start_pos, max(span.start_pos, span.end_pos)
    lines = analysis.lines
    return lines.offset(span.line - 1, span.column - 1), lines.offset(span.end_line - 1, span.end_column - 1)


def _replace_name(
    analysis: Analysis, positions: Positions, d: Diagnostic, first: int, last: int, replacement: str
) -> types.TextEdit | None:
    """Replace the mistaken name (the first `...` of the message) where it is written in the
    diagnostic's span: inside its quotes when quoted there, else as a word."""
    text = analysis.text
    found = _QUOTED_IN_MESSAGE.search(d.message)
    region = text[first:last] if last > first else text[first : text.find("\n", first) % (len(text) + 1)]
    if found is None:
        return None
    wrong = found.group(1)
    quoted = '"' + wrong.replace("\\", "\\\\").replace('"', '\\"') + '"'
    at = region.find(quoted)
    if at >= 0:
        begin = first + at + 1
        escaped = replacement.replace("\\", "\\\\").replace('"', '\\"')
        return types.TextEdit(range=positions.range(begin, begin + len(quoted) - 2), new_text=escaped)
    match = re.search(r"(?<![A-Za-z0-9_])" + re.escape(wrong) + r"(?![A-Za-z0-9_])", region)
    if match is None:
        return None
    return types.TextEdit(range=positions.range(first + match.start(), first + match.end()), new_text=replacement)


def _swap_tiers(analysis: Analysis, positions: Positions, d: Diagnostic) -> list[types.TextEdit]:
    """The tier's line and the line of the tier before it (named in the hint), swapped."""
    found = _LINE_IN_HINT.search(d.hint or "")
    if found is None or d.span.end_line != d.span.line:
        return []
    one, other = d.span.line - 1, int(found.group(1)) - 1
    lines = analysis.lines
    if one == other or other >= len(lines.starts):
        return []
    first_text, second_text = lines.line_text(one), lines.line_text(other)
    return [
        types.TextEdit(range=_whole_line(positions, one, first_text), new_text=second_text),
        types.TextEdit(range=_whole_line(positions, other, second_text), new_text=first_text),
    ]


def _whole_line(positions: Positions, line: int, text: str) -> types.Range:
    return types.Range(start=positions.position(line, 0), end=positions.position(line, len(text)))
