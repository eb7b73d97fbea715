"""Helpers the checker's rules share (`sladsl.language.checks` and the modules of its rules).

Also the one walk over every node of an agreement: the rules that look at every node
(duration sizes, hidden characters) share it, so the tree is walked once per check.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from sladsl.language import ast
from sladsl.language.ast import Duration, Span, TimeUnit
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


_SUGGEST_AMONG = 200  # more names than this: no fuzzy match, no list (each is linear in the names)


def _did_you_mean(name: str, names: Sequence[str], what: str) -> str:
    """The closest name, or the names there are: both cost a pass over `names`, so for
    thousands of unknown names among thousands of names (r13) neither is given."""
    import difflib

    if len(names) > _SUGGEST_AMONG:
        return f"there are {len(names)} {what}; check the spelling"
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        return f"did you mean `{close[0]}`?"
    return f"the {what} are: " + ", ".join(f"`{n}`" for n in names) if names else f"there are no {what}"


# ---- the kind of a duration for its place (objectives, credits and support share them) --


def _fixed(duration: Duration, where: str) -> Diagnostics:
    """Durations that must be a fixed, positive length (windows, limits, notice)."""
    if duration.business:
        yield error(
            "E114",
            f"{where} cannot be in business time",
            duration.span,
            "business hours and days count only in support plans and reports",
        )
    elif duration.is_calendar:
        yield error(
            "E114",
            f"{where} must be a fixed length, not {duration.unit.value}s",
            duration.span,
            "use days or weeks; months and years have different lengths",
        )
    elif duration.amount == 0:
        yield error("E114", f"{where} must be longer than zero", duration.span)


def _no_business(duration: Duration, where: str) -> Diagnostics:
    if duration.business:
        yield error(
            "E114",
            f"{where} cannot be in business time",
            duration.span,
            "business hours and days count only in support plans and reports",
        )


def _business_units(duration: Duration) -> Diagnostics:
    if duration.business and duration.unit not in (TimeUnit.HOUR, TimeUnit.DAY):
        yield error(
            "E114",
            f"business time is counted in hours or days, not {duration.unit.value}s",
            duration.span,
            "write `4 business hours` or `2 business days`",
        )


# ---- one walk over every node -------------------------------------------------------------


def nodes(root: Any) -> Iterator[Any]:
    """Every node under `root` (itself included), depth first, children in field order."""
    stack = [root]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        yield node
        kind = type(node)
        fields = _CHILDREN.get(kind)
        for name in child_fields(kind) if fields is None else fields:
            value = getattr(node, name)
            if isinstance(value, tuple):
                extend(v for v in reversed(value) if _is_node(type(v)))
            elif value is not None and _is_node(type(value)):
                push(value)


_IS_NODE: dict[type, bool] = {}


def _is_node(kind: type) -> bool:
    """Whether values of this type are nodes (dataclasses), asked once per type: the walk
    asks it of every value, and `dataclasses.is_dataclass` was a third of its time."""
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = dataclasses.is_dataclass(kind)
    return known


_CHILDREN: dict[type, tuple[str, ...]] = {}
_TEXTS: dict[type, tuple[str, ...]] = {}
_TEXT_TYPES = ("str", "str | None", "tuple[str, ...]")


def child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type that can hold nodes (not texts, spans or memos), found once."""
    if kind not in _CHILDREN:
        texts = text_fields(kind)
        names = (f.name for f in dataclasses.fields(kind) if f.name not in texts)
        _CHILDREN[kind] = tuple(n for n in names if not n.startswith("_") and n != "span" and not n.endswith("_span"))
    return _CHILDREN[kind]


def text_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type declared as text (`str`, `str | None`, `tuple[str, ...]`)."""
    if kind not in _TEXTS:
        _TEXTS[kind] = tuple(f.name for f in dataclasses.fields(kind) if f.type in _TEXT_TYPES)
    return _TEXTS[kind]
