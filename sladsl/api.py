"""The public Python API: one function per pipeline stage.

agreement = parse(text)            # text -> typed AST (raises SyntaxFailure)
diagnostics = check(agreement)     # AST -> every error and warning
text = format_agreement(agreement, source)   # AST -> canonical text
data = to_json(agreement)          # AST -> plain JSON-ready values
"""

from __future__ import annotations

from sladsl.ast import Agreement
from sladsl.checker import check
from sladsl.diagnostics import Diagnostic, SyntaxFailure
from sladsl.formatter import format_agreement, format_source
from sladsl.parser import parse
from sladsl.serialize import to_json
from sladsl.sources import Source, read_source

__all__ = [
    "Agreement",
    "Diagnostic",
    "Source",
    "SyntaxFailure",
    "check",
    "check_source",
    "format_agreement",
    "format_source",
    "parse",
    "read_source",
    "to_json",
]


def check_source(text: str) -> tuple[Agreement | None, list[Diagnostic]]:
    """Parse and check in one call: the AST (None on a syntax error) and all diagnostics."""
    try:
        agreement = parse(text)
    except SyntaxFailure as failure:
        return None, [failure.diagnostic]
    return agreement, check(agreement)
