"""Plans (draft 2): one agreement, several editions, and one customer's copy of it.

Evaluation and monitoring judge one plan at a time. Rather than teach every later stage
which statement applies to which plan, `for_plan` projects the agreement onto one plan:
the same typed AST with exactly the statements that apply to that plan (its own `on plan`
statement where it has one, else the statement without `on`). Everything downstream then
reads an ordinary single-plan agreement.
"""

from __future__ import annotations

from dataclasses import replace

from sladsl.language import ast
from sladsl.language.diagnostics import SladslError


def resolve_plan(agreement: ast.Agreement, plan: str | None) -> str | None:
    """Validate a `--plan` choice against the agreement; required when `plans` is declared."""
    declared = agreement.plans
    if not declared:
        if plan is not None:
            raise SladslError(f"--plan {plan!r}: this agreement declares no plans")
        return None
    choices = ", ".join(f'"{p}"' for p in declared)
    if plan is None:
        raise SladslError(f"this agreement has plans; choose one with --plan ({choices})")
    if plan not in declared:
        raise SladslError(f"--plan {plan!r} is not one of the agreement's plans: {choices}")
    return plan


def for_plan(agreement: ast.Agreement, plan: str | None) -> ast.Agreement:
    """The agreement as a customer on `plan` has it; unchanged when there are no plans."""
    if plan is None or not agreement.plans:
        return agreement
    fee = agreement.fee_for(plan)
    support = _support_for(agreement.support_plans, plan)
    statements: list[ast.AgreementStatement] = []
    for statement in agreement.statements:
        if isinstance(statement, ast.Fee):
            if statement is fee:
                statements.append(statement)
        elif isinstance(statement, ast.SupportPlan):
            if any(statement is s for s in support):
                statements.append(statement)
        elif isinstance(statement, ast.Service):
            statements.append(_service_for(statement, plan))
        else:
            statements.append(statement)
    return replace(agreement, statements=tuple(statements))


def _support_for(plans: tuple[ast.SupportPlan, ...], plan: str) -> list[ast.SupportPlan]:
    """The support plans naming `plan`; only where there are none, those without `on`."""
    own = [s for s in plans if s.on is not None and s.on.covers(plan)]
    return own or [s for s in plans if s.on is None]


def _service_for(service: ast.Service, plan: str) -> ast.Service:
    fee = service.fee_for(plan)
    kept_credits = {id(c) for o in service.objectives if (c := service.credits_for(o.name, plan)) is not None}
    statements: list[ast.ServiceStatement] = []
    for statement in service.statements:
        if isinstance(statement, ast.Fee):
            if statement is fee:
                statements.append(statement)
        elif isinstance(statement, ast.Objective):
            statements.append(_objective_for(statement, plan))
        elif isinstance(statement, ast.Credits):
            if id(statement) in kept_credits:
                statements.append(statement)
        else:
            statements.append(statement)
    return replace(service, statements=tuple(statements))


def _objective_for(objective: ast.Objective, plan: str) -> ast.Objective:
    target = objective.target_for(plan)
    kept = tuple(s for s in objective.statements if not isinstance(s, _TARGETS) or s is target)
    return replace(objective, statements=kept)


_TARGETS = (ast.AvailabilityTarget, ast.RequestTarget, ast.LatencyTarget, ast.DowntimeTarget)


def plan_copies(agreement: ast.Agreement) -> list[tuple[str | None, ast.Agreement]]:
    """Every plan's projection in declared order; one unnamed copy when there are no plans."""
    if not agreement.plans:
        return [(None, agreement)]
    return [(plan, for_plan(agreement, plan)) for plan in agreement.plans]
