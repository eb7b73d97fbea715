"""`sladsl render`: the customer-facing contract document, as HTML, Markdown or PDF.

The AST becomes a view model of plain strings (sections, numbered clauses, tables);
Jinja2 templates lay it out. HTML autoescapes every value; Markdown escapes what a
Markdown viewer would otherwise turn into markup; prose is rendered by markdown-it with
raw HTML disabled. PDF is WeasyPrint's rendering of the same HTML with print CSS.
Templates from `--template-dir` run in Jinja2's sandbox.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
from markupsafe import Markup

from sladsl import ast
from sladsl.diagnostics import SladslError
from sladsl.phrases import (
    allowed_downtime,
    credit_amount,
    holiday_country,
    long_date,
    percent,
    phrase,
)
from sladsl.plans import for_plan
from sladsl.report_html import template_dir
from sladsl.units import describe_duration

FORMATS = {"html": "contract.html.j2", "md": "contract.md.j2"}
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
    return {"type": "prose", "html": Markup(_markdown().render(body)), "md": body}


# ---- the view model -------------------------------------------------------------------------


def contract_model(agreement: ast.Agreement, overrides: dict[str, str] | None = None) -> dict[str, Any]:
    header = _header(agreement, overrides or {})
    sections: list[Section] = []

    def section(title: str) -> Section:
        new = Section(len(sections) + 1, title, _anchor(title))
        sections.append(new)
        return new

    _agreement_section(agreement, section("The Agreement"), header)
    if agreement.definitions:
        _definitions(agreement, section("Definitions"))
    for service in agreement.services:
        _service(agreement, service, section(f"Service: {service.name}"))
    if agreement.support_plans or agreement.calendars:
        _support(agreement, section("Support"))
    if agreement.security:
        _statements(agreement.security.statements, section("Security"))
    if agreement.reporting:
        _statements(agreement.reporting.statements, section("Reporting"), agreement)
    claims = _claims(agreement)
    if claims:
        section("Claiming Service Credits").blocks.extend(claims)
    signatures = section("Signatures")
    return {
        **header,
        "sections": [s.__dict__ for s in sections],
        "signatures_anchor": signatures.anchor,
        "signatures_number": signatures.number,
    }


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
    fee = agreement.fee
    return {
        "title": overrides.get("title", agreement.title),
        "version": overrides.get("version", agreement.version),
        "provider": overrides.get("provider", agreement.provider or "the Provider"),
        "customer": overrides.get("customer", agreement.customer or "the Customer"),
        "effective": long_date(effective) if effective else None,
        "term": overrides.get("term", describe_duration(agreement.term) if agreement.term else None),
        "timezone": agreement.timezone,
        "fee": f"{fee.money.amount} {fee.money.currency} per month" if fee else None,
    }


def _agreement_section(agreement: ast.Agreement, section: Section, header: dict[str, Any]) -> None:
    facts = [
        f"This Agreement is made between {header['provider']} (the \u201cProvider\u201d) and "
        f"{header['customer']} (the \u201cCustomer\u201d)."
    ]
    if header["effective"]:
        facts.append(
            f"It takes effect on {header['effective']}"
            + (f" and runs for {header['term']}." if header["term"] else ".")
        )
    facts.append(f"Measurement periods and times are in the {agreement.timezone} time zone.")
    if header["fee"]:
        facts.append(f"The monthly fee is {header['fee'].replace(' per month', '')}.")
    section.blocks.append({"type": "sentences", "sentences": facts})
    for statement in agreement.statements:
        if isinstance(statement, ast.Text):
            section.blocks.append(prose(statement.body))


def _definitions(agreement: ast.Agreement, section: Section) -> None:
    section.blocks.append(
        {"type": "definitions", "items": [{"term": d.term, **prose(d.body)} for d in agreement.definitions]}
    )


def _service(agreement: ast.Agreement, service: ast.Service, section: Section) -> None:
    fee = agreement.monthly_fee(service)
    if service.fee:
        section.blocks.append(
            {
                "type": "sentences",
                "sentences": [
                    f"The monthly fee for this service is {service.fee.money.amount} {service.fee.money.currency}."
                ],
            }
        )
    clause = 0
    for statement in service.statements:
        if isinstance(statement, ast.Text):
            section.blocks.append(prose(statement.body))
        elif isinstance(statement, ast.Objective):
            clause += 1
            section.blocks.append(_objective(statement, f"{section.number}.{clause}"))
        elif isinstance(statement, ast.Credits):
            clause += 1
            section.blocks.append(_credits(service, statement, fee, f"{section.number}.{clause}"))


def _objective(objective: ast.Objective, number: str) -> dict[str, Any]:
    sentences: list[str] = []
    texts: list[dict[str, Any]] = []
    for statement in objective.statements:
        if isinstance(statement, ast.Text):
            texts.append(prose(statement.body))
        else:
            sentences.append(phrase(statement))
    facts: list[list[str]] = []
    target = objective.target
    if isinstance(target, ast.AvailabilityTarget) and objective.downtime_source is not None:
        facts = [[length, allowed] for length, allowed in allowed_downtime(target)]
    return {
        "type": "clause",
        "number": number,
        "title": objective.name,
        "sentences": sentences,
        "prose": texts,
        "facts": facts,
        "facts_head": ["Length of the period", "Downtime allowed"],
    }


def _credits(service: ast.Service, credits: ast.Credits, fee: ast.Money | None, number: str) -> dict[str, Any]:
    objective = service.objective(credits.objective)
    months = objective.period.kind.months if objective and objective.period else None
    is_latency = objective is not None and isinstance(objective.target, ast.LatencyTarget)
    rows = []
    for tier in credits.tiers:
        threshold = (
            percent(tier.threshold.value)
            if isinstance(tier.threshold, ast.Percent)
            else describe_duration(tier.threshold)
        )
        share = tier.amount
        assert isinstance(share, ast.PercentOfFee)  # TODO(draft 2): other amount forms
        base = "the monthly fee" if share.base is ast.FeeBase.MONTHLY_FEE else "the fees for the period"
        amount = _money(share.percent.value, share.base, fee, months)
        rows.append([f"{tier.comparison.value} {threshold}", f"{percent(share.percent.value)} of {base}", amount])
    sentences = [
        phrase(s) for s in credits.statements if isinstance(s, ast.CreditCap | ast.CreditMinimum | ast.ClaimWindow)
    ]
    texts = [prose(s.body) for s in credits.statements if isinstance(s, ast.Text)]
    measured = "Measured latency" if is_latency else "Measured availability"
    intro = (
        f"If the objective \u201c{credits.objective}\u201d is not met, the Customer receives a service credit: "
        "the one row below that applies is the worst whose condition holds; rows do not add up."
    )
    return {
        "type": "credits",
        "number": number,
        "title": f"Service credits for \u201c{credits.objective}\u201d",
        "intro": intro,
        "head": [measured, "Credit", "Amount"],
        "rows": rows,
        "sentences": sentences,
        "prose": texts,
    }


def _money(share: Decimal, base: ast.FeeBase, fee: ast.Money | None, months: int | None) -> str:
    amount = credit_amount(share, base, fee, months)
    if amount is not None:
        return amount
    return "depends on the fee" if fee is None else "depends on the period"


def _support(agreement: ast.Agreement, section: Section) -> None:
    for calendar in agreement.calendars:
        hours = "; ".join(phrase(h) for h in calendar.open_hours)
        zone = calendar.timezone.name if calendar.timezone else agreement.timezone
        sentence = f"\u201c{calendar.name}\u201d: {hours} ({zone} time)."
        if calendar.holidays:
            sentence += f" Closed on public holidays in {holiday_country(calendar.holidays.country)}."
        section.blocks.append({"type": "sentences", "title": "Business hours", "sentences": [sentence]})
        section.blocks.extend(prose(s.body) for s in calendar.statements if isinstance(s, ast.Text))
    plans = agreement.support_plans
    if not plans:
        return
    names: list[str] = []
    for plan in plans:
        names += [p.name for p in plan.priorities if p.name not in names]
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
            clock = ", around the clock" if priority.around_the_clock else ""
            cells.append(f"{describe_duration(priority.response)}{clock}")
        rows.append([f"{name} \u2014 {description}" if description else name, *cells])
    section.blocks.append(
        {
            "type": "table",
            "title": "First response times",
            "head": ["Priority", *[f"{p.name}" for p in plans]],
            "rows": rows,
        }
    )
    sentences = []
    for plan in plans:
        if plan.calendar:
            sentences.append(f"{plan.name}: {phrase(plan.calendar)}")
        if plan.target:
            sentences.append(f"{plan.name}: {phrase(plan.target)}")
    sentences.append(
        "Business hours and business days count only the open hours of the plan's calendar; "
        "\u201caround the clock\u201d counts every hour."
    )
    section.blocks.append({"type": "sentences", "sentences": sentences})
    for plan in plans:
        section.blocks.extend(prose(s.body) for s in plan.statements if isinstance(s, ast.Text))


def _statements(statements: tuple[Any, ...], section: Section, agreement: ast.Agreement | None = None) -> None:
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


def _claims(agreement: ast.Agreement) -> list[dict[str, Any]]:
    sentences = []
    for service in agreement.services:
        for credits in service.credits:
            window = credits.claim_window
            if isinstance(window, ast.ClaimWindow):
                sentences.append(
                    f"Credits for \u201c{credits.objective}\u201d of {service.name} must be claimed within "
                    f"{describe_duration(window.within)} after the end of the measurement period."
                )
    if not any(s.credits for s in agreement.services):
        return []
    sentences.append(
        "The Customer claims a credit in writing, naming the service, the objective and the period. "
        "Credits are applied to a later invoice and are the Customer's sole remedy for the missed objective."
    )
    return [{"type": "sentences", "sentences": sentences}]


# ---- rendering ---------------------------------------------------------------------------------


def _md_escape(value: Any) -> Any:
    """Markdown output: what a viewer would turn into HTML or break a table is escaped."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    return value


@functools.cache
def environment(fmt: str, user_templates: Path | None = None) -> jinja2.Environment:
    """One environment per format and template folder, so templates compile once."""
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        if not user_templates.is_dir():
            raise SladslError(f"--template-dir {user_templates}: not a folder")
        loaders.append(jinja2.FileSystemLoader(user_templates))
    loaders.append(jinja2.FileSystemLoader(template_dir()))
    kind = jinja2.sandbox.SandboxedEnvironment if user_templates is not None else jinja2.Environment
    options: dict[str, Any] = {
        "loader": jinja2.ChoiceLoader(loaders),
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    if fmt == "md":
        return kind(autoescape=False, finalize=_md_escape, **options)
    return kind(autoescape=True, **options)


def render_text(
    agreement: ast.Agreement,
    fmt: str,
    overrides: dict[str, str] | None = None,
    user_templates: Path | None = None,
    paper: str = "A4",
    plan: str | None = None,
) -> str:
    """HTML or Markdown of the contract; the same input always gives the same bytes.

    `plan` renders one customer's copy; without it every plan is laid out side by side.
    """
    model = contract_model(for_plan(agreement, plan), overrides)
    try:
        template = environment(fmt, user_templates).get_template(FORMATS[fmt])
        return template.render(**model, paper=paper)
    except jinja2.TemplateError as exc:
        where = f" ({exc.filename}:{exc.lineno})" if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        raise SladslError(f"template error{where}: {exc.message or exc}") from None


def render_pdf(
    agreement: ast.Agreement,
    overrides: dict[str, str] | None = None,
    user_templates: Path | None = None,
    paper: str = "A4",
    plan: str | None = None,
) -> bytes:
    html = render_text(agreement, "html", overrides, user_templates, paper, plan)
    return html_to_pdf(html)


def html_to_pdf(html: str) -> bytes:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    pdf = HTML(string=html, base_url=str(template_dir())).write_pdf()
    assert pdf is not None
    return bytes(pdf)
