"""The contract document's view model: the AST as plain strings (sections, numbered
clauses, tables) for the templates of `sladsl.documents.render`; never AST nodes.

Prose becomes HTML (markdown-it, raw HTML disabled) beside its Markdown source; every
other value is a plain string that the templates escape. The blocks every part builds on
(sections, prose, the view) are in `model_blocks`; a service's objectives and credit tables
in `model_services`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from sladsl.documents.model_blocks import Section as Section
from sladsl.documents.model_blocks import View, fee_sentence, plan_groups
from sladsl.documents.model_blocks import prose as prose
from sladsl.documents.model_services import service_section
from sladsl.documents.phrases import (
    Context,
    claim_deadline_words,
    long_date,
    names_list,
    phrase,
    ticket_target,
)
from sladsl.language import ast
from sladsl.language.diagnostics import SladslError
from sladsl.language.periods import REFERENCE_YEAR, SPAN_YEARS
from sladsl.language.plans import for_plan
from sladsl.language.units import describe_duration

OVERRIDABLE = ("title", "version", "provider", "customer", "effective", "term")


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
    view = View(editions, _context(agreement, header["effective_date"]), plan)
    sections: list[Section] = []

    def section(title: str) -> Section:
        new = Section(len(sections) + 1, title, _anchor(title))
        sections.append(new)
        return new

    _agreement_section(agreement, section("The Agreement"), header, view)
    if agreement.definitions:
        _definitions(agreement, section("Definitions"))
    for service in agreement.services:
        service_section(agreement, service, section(f"Service: {service.name}"), view)
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


def _agreement_section(agreement: ast.Agreement, section: Section, header: dict[str, Any], view: View) -> None:
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
    fee = fee_sentence(plan_groups(view.editions, agreement.fee_for), "")
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


def _support(agreement: ast.Agreement, section: Section, view: View) -> None:
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
        _calendar(agreement, calendar, section)
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
    # Each plan's own statements in source order, `text` where it stands (named by its plan).
    # With resolution times the ticket target counts a ticket as met only if it met both
    # times, as evaluation does (`sladsl.evaluation.support`).
    sentences: list[str] = []
    for plan in plans:
        resolution = any(p.resolution for p in plan.priorities)
        for statement in plan.statements:
            if isinstance(statement, ast.UsesCalendar):
                sentences.append(f"{plan.name}: {phrase(statement)}")
            elif isinstance(statement, ast.TicketTarget):
                sentences.append(f"{plan.name}: {ticket_target(statement, resolution)}")
            elif isinstance(statement, ast.ChronicFailure):
                ticket = next((t for t in plan.statements if isinstance(t, ast.TicketTarget)), None)
                context = Context(
                    zone=agreement.timezone, period=ticket.period if ticket else None, objective=plan.name
                )
                sentences.append(f"{plan.name}: {phrase(statement, context)}")
            elif isinstance(statement, ast.Text):
                if sentences:
                    section.blocks.append({"type": "sentences", "sentences": sentences})
                section.blocks.append({**prose(statement.body), "plans": plan.name})
                sentences = []
    sentences.append(
        "Business hours and business days count only the open hours of the plan's calendar; "
        "\u201caround the clock\u201d counts every hour."
    )
    section.blocks.append({"type": "sentences", "sentences": sentences})


def _calendar(agreement: ast.Agreement, calendar: ast.Calendar, section: Section) -> None:
    """A calendar's hours (one sentence, where its first `open` stands), holidays and `text`, in source order."""
    hours = "; ".join(phrase(h) for h in calendar.open_hours)
    zone = calendar.timezone.name if calendar.timezone else agreement.timezone
    block: dict[str, Any] = {"type": "sentences", "title": calendar.name, "sentences": []}
    section.blocks.append(block)
    opened = False
    for statement in calendar.statements:
        if isinstance(statement, ast.OpenHours) and not opened:
            block["sentences"].append(f"Open {hours} ({zone} time).")
            opened = True
        elif isinstance(statement, ast.Holidays | ast.ClosedOn | ast.OpenOn):
            block["sentences"].append(phrase(statement))
        elif isinstance(statement, ast.Text):
            section.blocks.append(prose(statement.body))
            block = {"type": "sentences", "sentences": []}
            section.blocks.append(block)
    section.blocks[:] = [b for b in section.blocks if b["type"] != "sentences" or b["sentences"] or b.get("title")]


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


def _claims(agreement: ast.Agreement, view: View) -> list[dict[str, Any]]:
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
                since = {
                    ast.OutageEdge.START: " of the start of the last outage that counts in the period",
                    ast.OutageEdge.END: " after the last outage that counts in the period ends",
                }.get(window.from_outage, " after the end of the measurement period")  # type: ignore[arg-type]
                sentences.append(f"{what} within {describe_duration(window.within)}{calendar}{since}.")
            elif isinstance(window, ast.ClaimByMonthEnd):
                sentences.append(f"{what} {claim_deadline_words(window, agreement.timezone)}.")
    return [{"type": "sentences", "sentences": sentences}] if sentences else []
