"""The checker's rules on plans (draft 2): every `on plan` names declared plans, once each."""

from __future__ import annotations

from collections.abc import Iterator

from sladsl.language import ast
from sladsl.language.checks.common import Diagnostics, _did_you_mean, _duplicates
from sladsl.language.diagnostics import error


def _plan_markers(a: ast.Agreement) -> Iterator[ast.OnPlans]:
    """Every `on plan(s)` of the agreement: on fees, targets, credits and support plans."""
    for statement in a.statements:
        if isinstance(statement, ast.Fee | ast.SupportPlan) and statement.on is not None:
            yield statement.on
    for service in a.services:
        for s in service.statements:
            if isinstance(s, ast.Fee | ast.Credits) and s.on is not None:
                yield s.on
        for objective in service.objectives:
            yield from (t.on for t in objective.targets if t.on is not None)


def _check_plans(a: ast.Agreement) -> Diagnostics:
    declared = list(a.plans)
    known = set(declared)  # a list's `in` made a statement naming every plan quadratic (r13)
    for on in _plan_markers(a):
        if not declared:
            yield error(
                "E119",
                "`on plan` in an agreement that declares no plans",
                on.span,
                'declare them in the header: `plans "Standard", "Premium"`',
            )
            continue
        yield from _duplicates(((n, on.span) for n in on.names), "plan", code="E101")
        for name in on.names:
            if name not in known:
                yield error("E118", f"unknown plan `{name}`", on.span, _did_you_mean(name, declared, "plans"))


def _plan_choices(a: ast.Agreement) -> list[str | None]:
    """The plans a customer can be on; `[None]` when the agreement has no plans."""
    return list(a.plans) or [None]
