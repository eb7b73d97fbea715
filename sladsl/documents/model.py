"""The contract document's view model: the AST as plain strings (sections, numbered
clauses, tables) for the templates of `sladsl.documents.render`; never AST nodes.

Prose becomes HTML (markdown-it, raw HTML disabled) beside its Markdown source; every
other value is a plain string that the templates escape.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from sladsl.documents.escape import MarkdownSource
from sladsl.documents.phrases import (
    Context,
    allowance_rule,
    allowed_downtime,
    amount_words,
    claim_deadline_words,
    fee_base_money,
    long_date,
    names_list,
    period_lengths,
    phrase,
    target_promise,
    ticket_target,
    tier_condition,
    tier_money,
    window_allowance,
)
from sladsl.language import ast
from sladsl.language.diagnostics import SladslError
from sladsl.language.periods import REFERENCE_YEAR, SPAN_YEARS
from sladsl.language.plans import for_plan
from sladsl.language.units import describe_duration

_HUNDRED = Decimal(100)

OVERRIDABLE = ("title", "version", "provider", "customer", "effective", "term")


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
class _View:
    """What the whole document is rendered for: the editions (plans) laid out and the context."""

    editions: tuple[str | None, ...]  # every plan side by side; one plan for a copy; (None,) without plans
    context: Context
    copy: str | None  # the plan of a customer's copy


def contract_model(
    agreement: ast.Agreement, overrides: dict[str, str] | None = None, plan: str | None = None
) -> dict[str, Any]:
    """The document as plain strings; `plan` makes one customer's copy, else every plan side by side."""
    header = _header(agreement, overrides or {})
    if plan is not None:
        agreement = customer_copy(agreement, plan)
        header["plan"] = plan
    elif agreement.plans:
        header["plans"] = names_list(list(agreement.plans))
    editions: tuple[str | None, ...] = (plan,) if plan is not None else tuple(agreement.plans) or (None,)
    view = _View(editions, _context(agreement, header["effective_date"]), plan)
    sections: list[Section] = []

    def section(title: str) -> Section:
        new = Section(len(sections) + 1, title, _anchor(title))
        sections.append(new)
        return new

    _agreement_section(agreement, section("The Agreement"), header, view)
    if agreement.definitions:
        _definitions(agreement, section("Definitions"))
    for service in agreement.services:
        _service(agreement, service, section(f"Service: {service.name}"), view)
    if agreement.support_plans or agreement.calendars:
        _support(agreement, section("Support"), view)
    if agreement.security:
        _statements(agreement.security.statements, section("Security"))
    if agreement.reporting:
        _statements(agreement.reporting.statements, section("Reporting"))
    claims = _claims(agreement, view)
    if claims:
        section("Claiming Service Credits").blocks.extend(claims)
    signatures = section("Signatures")
    header.pop("effective_date")
    return {
        **header,
        "sections": [s.__dict__ for s in sections],
        "signatures_anchor": signatures.anchor,
        "signatures_number": signatures.number,
    }


def customer_copy(agreement: ast.Agreement, plan: str) -> ast.Agreement:
    """The agreement as a customer on `plan` has it.

    Support plans follow the rule for every `on plan` kind: a support plan without `on`
    applies only to plans that no support plan names.
    """
    projected = for_plan(agreement, plan)
    own = any(s.on is not None and s.on.covers(plan) for s in projected.support_plans)
    if not own:
        return projected
    kept = tuple(s for s in projected.statements if not (isinstance(s, ast.SupportPlan) and s.on is None))
    return replace(projected, statements=kept)


def _context(agreement: ast.Agreement, effective: date | None) -> Context:
    """Period lengths are those of the agreement's zone over its term (at least 28 years)."""
    years = SPAN_YEARS
    term = agreement.term
    if term is not None and term.unit in (ast.TimeUnit.YEAR, ast.TimeUnit.MONTH):
        years = max(years, int(term.amount / (12 if term.unit is ast.TimeUnit.MONTH else 1)) + 2)
    first_year = effective.year if effective else REFERENCE_YEAR
    return Context(zone=agreement.timezone, first_year=first_year, years=years)


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "section"


def _header(agreement: ast.Agreement, overrides: dict[str, str]) -> dict[str, Any]:
    unknown = sorted(set(overrides) - set(OVERRIDABLE))
    if unknown:
        raise SladslError(f"--set {unknown[0]}: not a header value (the values are: {', '.join(OVERRIDABLE)})")
    effective = agreement.effective
    if "effective" in overrides:
        try:
            effective = date.fromisoformat(overrides["effective"])
        except ValueError:
            raise SladslError(f"--set effective={overrides['effective']!r}: not a date; write YYYY-MM-DD") from None
    return {
        "title": overrides.get("title", agreement.title),
        "version": overrides.get("version", agreement.version),
        "provider": overrides.get("provider", agreement.provider or "the Provider"),
        "customer": overrides.get("customer", agreement.customer or "the Customer"),
        "effective": long_date(effective) if effective else None,
        "effective_date": effective,
        "term": overrides.get("term", describe_duration(agreement.term) if agreement.term else None),
        "timezone": agreement.timezone,
        "plan": None,
        "plans": None,
    }


def _money_words(money: ast.Money) -> str:
    return f"{money.amount} {money.currency}"


def _groups(editions: tuple[str | None, ...], key: Callable[[str | None], Any]) -> list[tuple[list[str], Any]]:
    """Editions that share the same statement (the same AST node, or None), in plan order."""
    groups: dict[int, tuple[list[str], Any]] = {}
    for edition in editions:
        value = key(edition)
        names, _ = groups.setdefault(id(value), ([], value))
        if edition is not None:
            names.append(edition)
    return list(groups.values())


def _plan_label(names: list[str]) -> str:
    return f"{names_list(names)}"


def _fee_sentence(groups: list[tuple[list[str], Any]], what: str) -> str | None:
    known = [(names, fee) for names, fee in groups if fee is not None]
    if not known:
        return None
    if len(groups) == 1:
        return f"The monthly fee{what} is {_money_words(known[0][1].money)}."
    parts = [
        f"{_money_words(fee.money)} on the {names_list(names)} plan{'s' if len(names) > 1 else ''}"
        for names, fee in known
    ]
    return f"The monthly fee{what} depends on the plan: " + "; ".join(parts) + "."


def _agreement_section(agreement: ast.Agreement, section: Section, header: dict[str, Any], view: _View) -> None:
    facts = [
        f"This Agreement is made between {header['provider']} (the \u201cProvider\u201d) and "
        f"{header['customer']} (the \u201cCustomer\u201d)."
    ]
    if header["effective"]:
        facts.append(
            f"It takes effect on {header['effective']}"
            + (f" and runs for {header['term']}." if header["term"] else ".")
        )
    if view.copy is not None:
        facts.append(f"This copy sets out the terms that apply to the {view.copy} plan.")
    elif agreement.plans:
        facts.append(
            f"The Agreement has {len(agreement.plans)} plans: {names_list(list(agreement.plans))}. "
            "Where a term differs between plans, the plans it applies to are named beside it; "
            "every other term applies to every plan."
        )
    facts.append(f"Measurement periods and times are in the {agreement.timezone} time zone.")
    fee = _fee_sentence(_groups(view.editions, agreement.fee_for), "")
    if fee:
        facts.append(fee)
    section.blocks.append({"type": "sentences", "sentences": facts})
    for statement in agreement.statements:
        if isinstance(statement, ast.Text):
            section.blocks.append(prose(statement.body))


def _definitions(agreement: ast.Agreement, section: Section) -> None:
    section.blocks.append(
        {"type": "definitions", "items": [{"term": d.term, **prose(d.body)} for d in agreement.definitions]}
    )


def _service(agreement: ast.Agreement, service: ast.Service, section: Section, view: _View) -> None:
    own_fees = _groups(view.editions, service.fee_for)
    fee = _fee_sentence(own_fees, " for this service")
    if fee:
        section.blocks.append({"type": "sentences", "sentences": [fee]})
    clause = 0
    done: set[str] = set()
    for statement in service.statements:
        if isinstance(statement, ast.Text):
            section.blocks.append(prose(statement.body))
        elif isinstance(statement, ast.Objective):
            clause += 1
            section.blocks.append(_objective(statement, f"{section.number}.{clause}", view))
        elif isinstance(statement, ast.Credits) and statement.objective not in done:
            blocks: list[tuple[list[str], Any]]
            if view.editions == (None,):
                blocks = [([], statement)]  # no plans: every block as it stands
            else:
                done.add(statement.objective)
                blocks = _groups(view.editions, functools.partial(_credits_for, service, statement.objective))
                if all(b is None for _, b in blocks):
                    continue
            clause += 1
            section.blocks.append(
                _credits(agreement, service, statement.objective, blocks, f"{section.number}.{clause}", view)
            )


def _credits_for(service: ast.Service, objective: str, edition: str | None) -> ast.Credits | None:
    return service.credits_for(objective, edition)


def _objective(objective: ast.Objective, number: str, view: _View) -> dict[str, Any]:
    groups = _groups(view.editions, objective.target_for)
    first = next((t for _, t in groups if t is not None), None)
    context = replace(view.context, period=first.period if first else None, objective=objective.name)
    sentences: list[str] = []
    texts: list[dict[str, Any]] = []
    for statement in objective.statements:
        if isinstance(statement, ast.Text):
            texts.append(prose(statement.body))
        elif isinstance(statement, ast.AvailabilityTarget | ast.RequestTarget | ast.LatencyTarget):
            if len(groups) == 1 and statement is first:
                sentences.append(phrase(statement, context))
        else:
            sentences.append(phrase(statement, context))
    targets = (
        []
        if len(groups) == 1
        else [[_plan_label(names), target_promise(t, context) if t else "\u2014"] for names, t in groups]
    )
    facts: list[list[str]] = []
    head = ["Length of the period", "Downtime allowed"]
    available = [(names, t) for names, t in groups if isinstance(t, ast.AvailabilityTarget)]
    if available and len({t.period.kind for _, t in available}) == 1:
        columns = [dict(allowed_downtime(t, context)) for _, t in available]
        lengths = [name for name, _ in allowed_downtime(available[0][1], context)]
        facts = [[length, *(c[length] for c in columns)] for length in lengths]
        if len(groups) > 1:
            head = ["Length of the period", *(f"Downtime allowed: {_plan_label(n)}" for n, _ in available)]
            sentences.insert(0, allowance_rule(context, available[0][1].period.kind))
    windowed = [(n, t) for n, t in groups if isinstance(t, ast.LatencyTarget) and t.windows is not None]
    if windowed and len({(t.period.kind, t.windows.window) for _, t in windowed if t.windows}) == 1:
        tables = [window_allowance(t, context) for _, t in windowed]
        facts = [[name, str(total), *(str(t[i][2]) for t in tables)] for i, (name, total, _) in enumerate(tables[0])]
        misses = "Windows that may miss the bound"
        head = ["Length of the period", "Windows", misses]
        if len(groups) > 1:
            head = ["Length of the period", "Windows", *(f"{misses}: {_plan_label(n)}" for n, _ in windowed)]
    return {
        "type": "clause",
        "number": number,
        "title": objective.name,
        "targets": targets,
        "targets_head": ["Plan", "Commitment"],
        "sentences": sentences,
        "prose": texts,
        "facts": facts,
        "facts_head": head,
    }


def _credits(
    agreement: ast.Agreement,
    service: ast.Service,
    name: str,
    blocks: list[tuple[list[str], Any]],
    number: str,
    view: _View,
) -> dict[str, Any]:
    objective = service.objective(name)
    split = [(block, _fee_split(agreement, service, names)) for names, block in blocks]
    multi = sum(len(groups) for _, groups in split) > 1
    rows: list[list[str]] = []
    starts: list[bool] = []
    sentences: list[str] = []
    texts: list[dict[str, Any]] = []
    for block, groups in split:
        for names in groups:
            label = _plan_label(names)
            edition = names[0] if names else None
            target = objective.target_for(edition) if objective else None
            period = target.period if target else None
            fee = agreement.monthly_fee(service, edition)
            if block is None:
                rows.append([label, "\u2014", "no service credits", ""])
                starts.append(True)
                continue
            months = period.kind.months if period else None
            length = None if period is None else period_lengths(period.kind, *view.context.span)[0]
            cap = _cap_money(service, edition, period, fee)
            minimum = block.minimum.money.amount if block.minimum else None
            for index, tier in enumerate(block.tiers):
                money = tier_money(tier.amount, fee, months, cap, minimum, length)
                cells = [tier_condition(tier), amount_words(tier.amount), money]
                rows.append(([label if index == 0 else ""] if multi else []) + cells)
                starts.append(index == 0)
        if block is None:
            continue
        names = [n for group in groups for n in group]
        edition = names[0] if names else None
        target = objective.target_for(edition) if objective else None
        fees = {agreement.monthly_fee(service, n) for n in names} if names else {agreement.monthly_fee(service, None)}
        context = replace(
            view.context,
            period=target.period if target else None,
            objective=name,
            fee=next(iter(fees)) if len(fees) == 1 else None,
        )
        prefix = f"{_plan_label(names)}: " if len(blocks) > 1 else ""
        sentences += [
            prefix + phrase(s, context)
            for s in block.statements
            if isinstance(s, ast.CreditCap | ast.CreditMinimum | ast.ClaimWindow | ast.ClaimByMonthEnd)
        ]
        texts += [prose(s.body) for s in block.statements if isinstance(s, ast.Text)]
    is_latency = objective is not None and isinstance(objective.target, ast.LatencyTarget) and objective.target.upward
    measured = "Measured latency" if is_latency else "Measured availability"
    if objective is not None and isinstance(objective.target, ast.LatencyTarget) and not objective.target.upward:
        measured = "Windows meeting the bound"
    which = "the one row of the Customer's plan that applies" if multi else "the one row below that applies"
    intro = (
        f"If the objective \u201c{name}\u201d is not met, the Customer receives a service credit: "
        f"{which} is the worst whose condition holds; rows do not add up."
    )
    head = [measured, "Credit", "Amount"]
    return {
        "type": "credits",
        "number": number,
        "title": f"Service credits for \u201c{name}\u201d",
        "intro": intro,
        "head": (["Plan"] if multi else []) + head,
        "rows": rows,
        "starts": starts,
        "sentences": sentences,
        "prose": texts,
    }


def _fee_split(agreement: ast.Agreement, service: ast.Service, names: list[str]) -> list[list[str]]:
    """Plans that share a credits block but not a fee get their own rows (the amounts differ)."""
    if not names:
        return [names]
    by_fee: dict[Any, list[str]] = {}
    for n in names:
        fee = agreement.monthly_fee(service, n)
        by_fee.setdefault(None if fee is None else (fee.amount, fee.currency), []).append(n)
    return list(by_fee.values())


def _cap_money(
    service: ast.Service, edition: str | None, period: ast.Period | None, fee: ast.Money | None
) -> Decimal | None:
    """The most one period's credits can be under the service's caps (per-period and rolling)."""
    if fee is None or period is None:
        return None
    amounts: list[Decimal] = []
    for objective in service.objectives:
        target = objective.target_for(edition)
        block = service.credits_for(objective.name, edition)
        if block is None or target is None or target.period.kind is not period.kind:
            continue
        for cap in [c for c in (block.period_cap,) if c is not None] + list(block.rolling_caps):
            base = fee_base_money(cap.base, fee, period.kind.months)
            if base is not None:
                amounts.append(base * cap.percent.value / _HUNDRED)
    return min(amounts) if amounts else None


def _support(agreement: ast.Agreement, section: Section, view: _View) -> None:
    plans = agreement.support_plans
    if plans and agreement.plans and view.copy is None:
        applies = []
        for plan in plans:
            covered = _support_covers(agreement, plan)
            if covered:
                which = f"plan{'s' if len(covered) > 1 else ''}"
                applies.append(
                    f"The \u201c{plan.name}\u201d support plan applies to the {names_list(covered)} {which}."
                )
        section.blocks.append({"type": "sentences", "sentences": applies})
    for calendar in agreement.calendars:
        hours = "; ".join(phrase(h) for h in calendar.open_hours)
        zone = calendar.timezone.name if calendar.timezone else agreement.timezone
        sentences = [f"Open {hours} ({zone} time)."]
        sentences += [phrase(s) for s in calendar.statements if isinstance(s, ast.Holidays | ast.ClosedOn | ast.OpenOn)]
        section.blocks.append({"type": "sentences", "title": calendar.name, "sentences": sentences})
        section.blocks.extend(prose(s.body) for s in calendar.statements if isinstance(s, ast.Text))
    if not plans:
        return
    names: list[str] = []
    for plan in plans:
        names += [p.name for p in plan.priorities if p.name not in names]

    def table(title: str, cell: Callable[[ast.Priority], str]) -> dict[str, Any]:
        rows = []
        for name in names:
            cells = []
            description = ""
            for plan in plans:
                priority = plan.priority(name)
                if priority is None:
                    cells.append("\u2014")
                    continue
                description = description or priority.description or ""
                cells.append(cell(priority))
            rows.append([f"{name} \u2014 {description}" if description else name, *cells])
        return {"type": "table", "title": title, "head": ["Priority", *[p.name for p in plans]], "rows": rows}

    section.blocks.append(
        table(
            "First response times",
            lambda p: f"{describe_duration(p.response)}{', around the clock' if p.around_the_clock else ''}",
        )
    )
    if any(p.resolution for plan in plans for p in plan.priorities):
        section.blocks.append(
            table("Resolution times", lambda p: describe_duration(p.resolution) if p.resolution else "\u2014")
        )
    sentences = []
    for plan in plans:
        if plan.calendar:
            sentences.append(f"{plan.name}: {phrase(plan.calendar)}")
        if plan.target:
            resolution = any(p.resolution for p in plan.priorities)
            sentences.append(f"{plan.name}: {ticket_target(plan.target, resolution)}")
        if any(p.resolution for p in plan.priorities):
            sentences.append(f"{plan.name}: first response and resolution times are each judged on their own.")
    sentences.append(
        "Business hours and business days count only the open hours of the plan's calendar; "
        "\u201caround the clock\u201d counts every hour."
    )
    section.blocks.append({"type": "sentences", "sentences": sentences})
    for plan in plans:
        section.blocks.extend(prose(s.body) for s in plan.statements if isinstance(s, ast.Text))


def _support_covers(agreement: ast.Agreement, plan: ast.SupportPlan) -> list[str]:
    """The agreement's plans a support plan applies to: those it names, else those no support plan names."""
    if plan.on is not None:
        return [p for p in agreement.plans if plan.on.covers(p)]
    named = {n for s in agreement.support_plans if s.on is not None for n in s.on.names}
    return [p for p in agreement.plans if p not in named]


def _statements(statements: tuple[Any, ...], section: Section) -> None:
    sentences: list[str] = []
    for statement in statements:
        if isinstance(statement, ast.Text):
            if sentences:
                section.blocks.append({"type": "sentences", "sentences": sentences})
                sentences = []
            section.blocks.append(prose(statement.body))
        else:
            sentences.append(phrase(statement))
    if sentences:
        section.blocks.append({"type": "sentences", "sentences": sentences})


def _claims(agreement: ast.Agreement, view: _View) -> list[dict[str, Any]]:
    """Only what the agreement says about claims: each credits block's deadline."""
    sentences = []
    for service in agreement.services:
        for credits in service.credits:
            names = [e for e in view.editions if e is not None and service.credits_for(credits.objective, e) is credits]
            if view.editions != (None,) and not names:
                continue
            every = view.editions == (None,) or len(names) == len(view.editions)
            plans = "" if every else f" on the {names_list(names)} plan{'s' if len(names) > 1 else ''}"
            window = credits.claim_window
            what = f"Credits for \u201c{credits.objective}\u201d of {service.name}{plans} must be claimed"
            if isinstance(window, ast.ClaimWindow):
                calendar = f" (business days of the \u201c{window.calendar}\u201d calendar)" if window.calendar else ""
                sentences.append(
                    f"{what} within {describe_duration(window.within)}{calendar} after the end of the measurement period."
                )
            elif isinstance(window, ast.ClaimByMonthEnd):
                sentences.append(f"{what} {claim_deadline_words(window, agreement.timezone)}.")
    return [{"type": "sentences", "sentences": sentences}] if sentences else []
