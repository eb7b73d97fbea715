"""`diff_agreements(old, new)`: every change in meaning between two typed ASTs, in the order
of the agreement: the header, plans and fees, prose, services (objectives and credits),
support, calendars, security and reporting.

Nodes compare without their spans, so reformatting and comments change nothing; clauses
are matched by what they are (a service by its name, a target by the plan it applies to),
never by the line they are on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sladsl.changes.credits import compare_credits
from sladsl.changes.found import Found, by_name, direction, order_only, per_plan
from sladsl.changes.model import ADVERSE, DEPENDS, FAVOURABLE, NEUTRAL, Diff
from sladsl.changes.objectives import compare_objective
from sladsl.changes.support import compare_support
from sladsl.changes.words import duration, money, name, on_plans, say
from sladsl.documents.phrases import long_date
from sladsl.language import ast


def diff_agreements(
    old: ast.Agreement, new: ast.Agreement, old_name: str = "OLD", new_name: str = "NEW", same_text: bool = False
) -> Diff:
    found = Found(old, new)
    _header(found)
    _plans(found)
    _fees(found)
    _prose(found)
    _services(found)
    compare_support(found)
    order_only(found, old.statements, new.statements, "the agreement", None, None)
    return Diff(old_name, new_name, found.changes, same_text)


# ---- the header ------------------------------------------------------------------------------


def _header(found: Found) -> None:
    old, new = found.old, found.new
    if old.title != new.title:
        found.add("title-changed", NEUTRAL, f"The title is now {name(new.title)} (was {name(old.title)}).", "header")
    named: tuple[tuple[type, str, str], ...] = (
        (ast.Version, "version-changed", "version"),
        (ast.Provider, "provider-changed", "provider"),
        (ast.Customer, "customer-changed", "customer"),
    )
    for kind, code, words in named:
        a, b = old._header(kind), new._header(kind)
        if a != b:
            found.add(
                code, NEUTRAL, f"The {words} is now {_value(b)} (was {_value(a)}); no promise changes.", "header", a, b
            )
    pairs: tuple[tuple[type, str, Callable[[Any], str], str], ...] = (
        (ast.Term, "term-changed", lambda t: duration(t.duration) if t else "not stated", "The term"),
        (
            ast.Effective,
            "effective-date-changed",
            lambda e: long_date(e.date) if e else "not stated",
            "The effective date",
        ),
    )
    for dated, code, say_value, subject in pairs:
        a, b = old._header(dated), new._header(dated)
        if a != b:
            found.add(
                code,
                DEPENDS,
                f"{subject} changes from {say_value(a)} to {say_value(b)}; whether that favours the Customer depends on the "
                "terms it carries.",
                "header",
                a,
                b,
            )
    if old.timezone != new.timezone:
        found.add(
            "timezone-changed",
            DEPENDS,
            f"Times are in the {new.timezone} time zone instead of {old.timezone}: the edges of every period and of "
            "business hours move, so an outage near a period's edge can move to another period; the effect depends "
            "on the data.",
            "header",
            old._header(ast.TimeZone),
            new._header(ast.TimeZone),
        )


def _value(node: object) -> str:
    if node is None:
        return "not stated"
    return name(str(getattr(node, "value", None) or getattr(node, "name", "")))


# ---- plans and fees --------------------------------------------------------------------------


def _plans(found: Found) -> None:
    before, after = found.old.plans, found.new.plans
    a, b = found.old._header(ast.Plans), found.new._header(ast.Plans)
    for plan in before:
        if plan not in after:
            found.add(
                "plan-removed", ADVERSE, f"The plan {plan} is removed: its customers lose its terms.", "plans", a, b
            )
    for plan in after:
        if plan not in before:
            found.add("plan-added", FAVOURABLE, f"A plan {plan} is added.", "plans", a, b)


def _fees(found: Found) -> None:
    def agreement_fee(plan: str | None, new_side: bool) -> ast.Fee | None:
        agreement = found.new if new_side else found.old
        return agreement.fee_for(plan) if plan is not None else agreement.fee

    _fee_groups(found, "the agreement", "fees", per_plan(found, agreement_fee))
    old_services = by_name(found.old.services, lambda s: s.name)
    for service in found.new.services:
        before = old_services.get(service.name)
        if before is None:
            continue

        def service_fee(
            plan: str | None, new_side: bool, a: ast.Service = before, b: ast.Service = service
        ) -> ast.Fee | None:
            s = b if new_side else a
            return s.fee_for(plan) if plan is not None else s.fee

        _fee_groups(found, f"{service.name}", f"{service.name} / fee", per_plan(found, service_fee))


def _fee_groups(
    found: Found, of: str, where: str, groups: list[tuple[ast.Fee | None, ast.Fee | None, list[str | None]]]
) -> None:
    for a, b, plans in groups:
        on = found.plan_words(plans)
        if a is None or b is None:
            added = b is not None
            found.add(
                "fee-added" if added else "fee-removed",
                DEPENDS,
                f"The monthly fee of {of}{on} is {'now ' + money(b.money) if b else 'no longer stated'}; credits that are "
                "a share of the fee follow it.",
                where,
                a,
                b,
            )
            continue
        if a.money.currency != b.money.currency:
            found.add(
                "fee-currency-changed",
                DEPENDS,
                f"The monthly fee of {of}{on} is {money(b.money)} instead of {money(a.money)}.",
                where,
                a,
                b,
            )
            continue
        found.graded(
            direction(a.money.amount, b.money.amount),
            False,
            ("fee-raised", "fee-lowered", "fee-changed"),
            f"The monthly fee of {of}{on} is {{verb}} from {money(a.money)} to {money(b.money)}.",
            where,
            a,
            b,
        )


# ---- prose and definitions -------------------------------------------------------------------


def _prose(found: Found) -> None:
    old = by_name(found.old.definitions, lambda d: d.term)
    new = by_name(found.new.definitions, lambda d: d.term)
    for term, d in old.items():
        if term not in new:
            found.add(
                "definition-removed",
                NEUTRAL,
                f"The definition of {name(term)} is removed (prose only).",
                "definitions",
                d,
                None,
            )
    for term, d in new.items():
        if term not in old:
            found.add(
                "definition-added",
                NEUTRAL,
                f"A definition of {name(term)} is added (prose only).",
                "definitions",
                None,
                d,
            )
        elif old[term] != d:
            found.add(
                "definition-changed",
                NEUTRAL,
                f"The definition of {name(term)} is reworded (prose only).",
                "definitions",
                old[term],
                d,
            )
    from sladsl.changes.found import prose

    prose(found, found.old.statements, found.new.statements, "the agreement")


# ---- services --------------------------------------------------------------------------------


def _services(found: Found) -> None:
    old = by_name(found.old.services, lambda s: s.name)
    new = by_name(found.new.services, lambda s: s.name)
    for key, s in old.items():
        if key not in new:
            found.add(
                "service-removed",
                ADVERSE,
                f"The service {key} is removed, with its objectives and credits.",
                key,
                s,
                None,
            )
    for key, s in new.items():
        if key not in old:
            found.add("service-added", FAVOURABLE, f"The service {key} is added, with {_count(s)}.", key, None, s)
        else:
            _service(found, old[key], s)


def _count(s: ast.Service) -> str:
    n = len(s.objectives)
    return f"{n} objective{'s' if n != 1 else ''}"


def _service(found: Found, old: ast.Service, new: ast.Service) -> None:
    before = by_name(old.objectives, lambda o: o.name)
    after = by_name(new.objectives, lambda o: o.name)
    several = len(before) > 1 or len(after) > 1
    for key, o in before.items():
        if key not in after:
            found.add(
                "objective-removed",
                ADVERSE,
                f"The objective {name(key)} of {old.name} is removed: nothing is promised in its place.",
                f"{old.name} / {key}",
                o,
                None,
            )
    for key, o in after.items():
        if key not in before:
            target = o.target
            promise = f" {say(target, found.context)}" if target is not None else ""
            found.add(
                "objective-added",
                FAVOURABLE,
                f"The objective {name(key)} of {new.name} is added{on_plans(())}.{promise}",
                f"{new.name} / {key}",
                None,
                o,
            )
            continue
        compare_objective(found, old.name, before[key], o, several)
    names = list(
        dict.fromkeys([*before, *after, *(c.objective for c in old.credits), *(c.objective for c in new.credits)])
    )
    for objective in names:
        compare_credits(found, old.name, objective, old, new)
    from sladsl.changes.found import prose

    prose(found, old.statements, new.statements, old.name)
    order_only(found, old.statements, new.statements, old.name, old, new)
