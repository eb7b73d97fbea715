"""What the parser's callbacks share: a sub-rule's value with its span, and the spans of
tokens and of a rule's children (`sladsl.language.parse_nodes` and its draft-3 callbacks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lark import Token

from sladsl.language import ast
from sladsl.language.ast import Span


class _Value:
    """A sub-rule's value with its span, for rules that are parts of a statement."""

    __slots__ = ("span", "value")

    def __init__(self, value: Any, span: Span) -> None:
        self.value = value
        self.span = span


def _span(first: Any, last: Any) -> Span:
    if isinstance(first, Token):
        line, column, start = first.line, first.column, first.start_pos
    else:
        s = first.span
        line, column, start = s.line, s.column, s.start_pos
    if isinstance(last, Token):
        return Span(line, column, last.end_line, last.end_column, start, last.end_pos)  # type: ignore[arg-type]
    e = last.span
    return Span(line, column, e.end_line, e.end_column, start, e.end_pos)  # type: ignore[arg-type]


def _whole(children: Sequence[Any]) -> Span:
    return _span(children[0], children[-1])


def _token_span(token: Token) -> Span:
    return _span(token, token)


def _on(c: list[Any]) -> ast.OnPlans | None:
    """The statement's trailing (or header) `on plan(s)`, if it has one."""
    return next((x for x in c if isinstance(x, ast.OnPlans)), None)
