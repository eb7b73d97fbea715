"""The checker: every error and warning about a parsed agreement, collected in one run.

The rules are grouped as the language reference groups them: `names`, `plans`,
`objectives`, `durations`, `credits`, `support`, and `hidden` (invisible characters).
Each rule is a small function that yields diagnostics; `check` runs them all and sorts
the result by position, so a user sees every problem of a file at once. Codes are
stable and listed in docs/language.md: E1xx are errors, W2xx are warnings.

Each rule visits only the part of the agreement it is about; the two that look at every
node (duration sizes and hidden characters) share one walk over the tree, so checking
is linear in the size of the agreement.
"""

from __future__ import annotations

from collections.abc import Callable

from sladsl.language import ast
from sladsl.language.ast import Duration
from sladsl.language.checks.common import Diagnostics, nodes, text_fields
from sladsl.language.checks.credits import _check_claims, _check_credits, _check_currencies
from sladsl.language.checks.draft3 import check_draft3
from sladsl.language.checks.durations import _check_durations, duration_size
from sladsl.language.checks.hidden import hidden_in
from sladsl.language.checks.names import _check_headers, _check_names, _check_references
from sladsl.language.checks.objectives import _check_objectives, _check_percents
from sladsl.language.checks.plans import _check_plans
from sladsl.language.checks.support import (
    _check_business_calendars,
    _check_calendars,
    _check_support_durations,
    _check_time_zones,
)
from sladsl.language.diagnostics import Diagnostic


def check(agreement: ast.Agreement) -> list[Diagnostic]:
    """All diagnostics of one agreement, errors and warnings, in source order."""
    found: list[Diagnostic] = []
    for rule in _RULES:
        found.extend(rule(agreement))
    return sorted(found, key=lambda d: (d.span.line, d.span.column, d.code))


def _check_every_node(a: ast.Agreement) -> Diagnostics:
    """The rules that look at every node, in one walk: each duration's size (E114), then,
    after the walk, each string's hidden characters (W212)."""
    hidden: list[Diagnostic] = []
    for node in nodes(a):
        if isinstance(node, Duration):
            yield from duration_size(node)
        if text_fields(type(node)):  # most nodes hold no text: no generator for them
            hidden.extend(hidden_in(node))
    yield from hidden


# The order matters only for diagnostics at one position with one code (the sort is
# stable): it is the order the rules have always run in, so the output stays the same.
_RULES: list[Callable[[ast.Agreement], Diagnostics]] = [
    _check_headers,
    _check_names,
    _check_references,
    _check_plans,
    _check_time_zones,
    _check_currencies,
    _check_percents,
    _check_durations,
    _check_claims,
    _check_support_durations,
    _check_every_node,
    _check_business_calendars,
    _check_calendars,
    _check_objectives,
    _check_credits,
    check_draft3,
]
