"""The front end in one call: source text to an AST and every diagnostic.

Why here and not in `sladsl.api`: batch rendering and the command line need it too, and
they sit below the API or beside it; a stage must not import the layer above it.
"""

from __future__ import annotations

from sladsl.language.ast import Agreement
from sladsl.language.checks import check
from sladsl.language.diagnostics import Diagnostic, SyntaxFailure
from sladsl.language.parser import normalise_source, parse


def check_source(text: str) -> tuple[Agreement | None, list[Diagnostic]]:
    """Parse and check in one call: the AST (None on a syntax error) and all diagnostics,
    every syntax error of the file included (`sladsl.language.recovery`)."""
    try:
        agreement = parse(text)
    except SyntaxFailure as failure:
        from sladsl.language.recovery import syntax_errors  # only files with a syntax error pay for it

        return None, syntax_errors(normalise_source(text), failure.diagnostic)
    return agreement, check(agreement)
