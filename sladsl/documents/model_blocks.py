"""The building blocks of the contract's view model: sections, Markdown prose (as HTML beside
its source), the document's view (editions and context), and the words that group plans.

Why its own module: the contract model (`sladsl.documents.model`) and its service tables
(`sladsl.documents.model_services`) both build on these.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from sladsl.documents.escape import MarkdownSource
from sladsl.documents.phrases import (
    Context,
    names_list,
)
from sladsl.language import ast


@dataclass
class Section:
    number: int
    title: str
    anchor: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


# ---- prose --------------------------------------------------------------------------------


@functools.cache
def _markdown() -> Any:
    """One parser per process: building it costs more than rendering a paragraph."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def prose(body: str) -> dict[str, Any]:
    """A Markdown paragraph: HTML with raw HTML disabled (so `<script>` stays text), and the
    Markdown source for the Markdown output."""
    return {"type": "prose", "html": Markup(_markdown().render(body)), "md": MarkdownSource(body)}


# ---- the view model -------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """What the whole document is rendered for: the editions (plans) laid out and the context."""

    editions: tuple[str | None, ...]  # every plan side by side; one plan for a copy; (None,) without plans
    context: Context
    copy: str | None  # the plan of a customer's copy


def money_words(money: ast.Money) -> str:
    return f"{money.amount} {money.currency}"


def plan_groups(editions: tuple[str | None, ...], key: Callable[[str | None], Any]) -> list[tuple[list[str], Any]]:
    """Editions that share the same statement (the same AST node, or None), in plan order."""
    groups: dict[int, tuple[list[str], Any]] = {}
    for edition in editions:
        value = key(edition)
        names, _ = groups.setdefault(id(value), ([], value))
        if edition is not None:
            names.append(edition)
    return list(groups.values())


def plan_label(names: list[str]) -> str:
    return f"{names_list(names)}"


def fee_sentence(groups: list[tuple[list[str], Any]], what: str) -> str | None:
    known = [(names, fee) for names, fee in groups if fee is not None]
    if not known:
        return None
    if len(groups) == 1:
        return f"The monthly fee{what} is {money_words(known[0][1].money)}."
    parts = [
        f"{money_words(fee.money)} on the {names_list(names)} plan{'s' if len(names) > 1 else ''}"
        for names, fee in known
    ]
    return f"The monthly fee{what} depends on the plan: " + "; ".join(parts) + "."
