"""Helpers the checker's rules share (`sladsl.language.checks` and the modules of its rules)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TypeVar

from sladsl.language import ast
from sladsl.language.ast import Span
from sladsl.language.diagnostics import Diagnostic, error

Diagnostics = Iterator[Diagnostic]
T = TypeVar("T")


def _duplicates(items: Iterable[tuple[str, Span]], what: str, code: str = "E102") -> Diagnostics:
    seen: dict[str, Span] = {}
    for name, span in items:
        if name in seen:
            first = seen[name]
            yield error(code, f"{what} `{name}` is defined twice", span, f"the first is on line {first.line}")
        else:
            seen[name] = span


def _single_statements(statements: Sequence[object], kinds: dict[type, str]) -> Diagnostics:
    """Statements that may appear at most once in their block."""
    for kind, words in kinds.items():
        spans = [s.span for s in statements if type(s) is kind]  # type: ignore[attr-defined]
        for span in spans[1:]:
            yield error(
                "E101", f"`{words}` is given more than once", span, f"keep one; the first is on line {spans[0].line}"
            )


def _claim_windows(a: ast.Agreement) -> Iterator[ast.ClaimWindow]:
    for service in a.services:
        for credits in service.credits:
            yield from (s for s in credits.statements if isinstance(s, ast.ClaimWindow))


def _n(value: Decimal | int) -> str:
    """A number in a message as the author wrote it: `0.0000001`, never `1E-7`."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)
