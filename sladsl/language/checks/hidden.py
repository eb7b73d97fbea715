"""W212: names and texts holding characters a reader cannot see (`sladsl.language.invisible`).

Why a warning and not an error: a right-to-left mark can be meant in a Hebrew or Arabic
name. But a bidirectional override in `"Credit \u202e%01\u202c"` makes every document
show `Credit 10%` for a text that says `%01` (r09), and a NEL or ESC in a name is
almost always pasted by accident. The documents show each such character as `[U+202E]`
and the monitoring outputs escape it; the warning says so before anyone signs.

Every string of the AST is looked at, wherever the grammar lets one be written, by walking
the nodes' fields (`common.nodes`, the one walk the checker shares): a new statement is
covered without a change here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sladsl.language import ast
from sladsl.language.checks.common import nodes, text_fields
from sladsl.language.diagnostics import Diagnostic, warning
from sladsl.language.invisible import BIDI_CONTROLS, code_point, describe, hidden_characters

# What a string is, by node type and field, for the message ("this string" otherwise)
_WHAT: dict[tuple[type, str], str] = {
    (ast.Agreement, "title"): "the agreement's title",
    (ast.Provider, "name"): "the provider's name",
    (ast.Customer, "name"): "the customer's name",
    (ast.Version, "value"): "the version",
    (ast.Plans, "names"): "a plan's name",
    (ast.OnPlans, "names"): "a plan's name",
    (ast.Service, "name"): "the service's name",
    (ast.Objective, "name"): "the objective's name",
    (ast.Credits, "objective"): "the objective's name",
    (ast.Calendar, "name"): "the calendar's name",
    (ast.UsesCalendar, "name"): "the calendar's name",
    (ast.ClaimWindow, "calendar"): "the calendar's name",
    (ast.SupportPlan, "name"): "the support plan's name",
    (ast.Priority, "description"): "the priority's description",
    (ast.Definition, "term"): "the defined term",
    (ast.Definition, "body"): "the definition",
    (ast.Text, "body"): "the text",
    (ast.ExcludeCauses, "causes"): "a cause",
    (ast.MonitorQuery, "query"): "the query",
    (ast.LatencyTarget, "metric"): "the metric's name",
}
# Prose and queries span lines and may hold tabs; nothing else should
_MULTILINE = {(ast.Text, "body"), (ast.Definition, "body"), (ast.MonitorQuery, "query")}
_SPAN_OF = {"name": "name_span", "title": "title_span", "objective": "objective_span", "calendar": "calendar_span"}


def check_hidden(agreement: ast.Agreement) -> Iterator[Diagnostic]:
    """One W212 per string that holds hidden characters, at the string's statement."""
    for node in nodes(agreement):
        yield from hidden_in(node)


def hidden_in(node: Any) -> Iterator[Diagnostic]:
    """The W212 of one node's own strings: the checker's single walk calls it on each node."""
    for name in text_fields(type(node)):
        value = getattr(node, name)
        texts = value if isinstance(value, tuple) else (value,)
        allowed = "\n\t" if (type(node), name) in _MULTILINE else ""
        found = sorted({c for t in texts if isinstance(t, str) for c in hidden_characters(t, allowed)})
        if found:
            yield _warning(_WHAT.get((type(node), name), "this string"), found, _span(node, name, texts, allowed))


def _span(node: Any, name: str, texts: tuple[Any, ...], allowed: str) -> ast.Span:
    """The string's own span where the node keeps one (a name, a title, one of the plans)."""
    spans = getattr(node, "name_spans", ()) if name == "names" else ()
    if len(spans) == len(texts):
        found: ast.Span = next(s for t, s in zip(texts, spans, strict=True) if hidden_characters(t, allowed))
        return found
    span = getattr(node, _SPAN_OF.get(name, "span"), None)
    if isinstance(span, ast.Span) and span != ast.NO_SPAN:
        return span
    whole: ast.Span = node.span
    return whole


def _warning(what: str, found: list[str], span: ast.Span) -> Diagnostic:
    listed = ", ".join(describe(c) for c in found[:4]) + (f" and {len(found) - 4} more" if len(found) > 4 else "")
    several = len(found) > 1
    bidi = [c for c in found if c in BIDI_CONTROLS]
    if bidi:
        hint = (
            "bidirectional controls can make a document show the text in another order than it is written "
            f"(`%01` as `10%`); documents show {'each' if len(bidi) > 1 else 'it'} as [{code_point(bidi[0])}]; "
            "remove them unless they are meant"
        )
    else:
        them = "them" if several else "it"
        hint = (
            f"documents show {'each' if several else 'it'} as [{code_point(found[0])}] and the monitoring "
            f"outputs escape {them}; remove {them} unless meant"
        )
    return warning("W212", f"{what} holds invisible character{'s' if several else ''}: {listed}", span, hint)
