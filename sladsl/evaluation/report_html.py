"""The evaluation report as HTML a customer-success manager can send.

Templates see a view model of plain strings and numbers, never report objects; Jinja2
autoescapes everything, so names from the agreement or the evidence appear as text.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import jinja2

from sladsl.evaluation.report import ObjectiveResult, Report, decimal_text
from sladsl.evaluation.report_text import (
    chronic_words,
    claim_note,
    credit_amount,
    objective_note,
    service_time_note,
    short_value,
    target_text,
    termination_note,
)
from sladsl.language.units import describe_seconds
from sladsl.resources import template_dir


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _verdict(met: bool | None, judged: bool) -> tuple[str, str]:
    if not judged or met is None:
        return "not judged", "nj"
    return ("met", "met") if met else ("breached", "breached")


def _chart(o: ObjectiveResult) -> dict[str, Any] | None:
    if not o.daily or o.allowed_downtime_seconds is None:
        return None
    width, height = 640, 160
    budget = o.allowed_downtime_seconds
    running, cumulative = Decimal(0), []
    for _, seconds in o.daily:
        running += seconds
        cumulative.append(running)
    top = max([budget * Decimal("1.2"), running, *(s for _, s in o.daily)]) or Decimal(1)
    step = Decimal(width - 40) / len(o.daily)

    def y(value: Decimal) -> float:
        return round(float(height - value / top * (height - 10)), 1)

    bars = []
    for index, (day, seconds) in enumerate(o.daily):
        if seconds:
            top_y = y(seconds)
            bars.append(
                {
                    "x": f"{float(40 + step * index + 1):.1f}",
                    "y": f"{top_y:.1f}",
                    "w": f"{float(step) - 2:.1f}",
                    "h": f"{height - top_y:.1f}",
                    "label": f"{day}: {describe_seconds(seconds)}",
                }
            )
    points = " ".join(f"{float(40 + step * (i + 1)):.1f},{y(c)}" for i, c in enumerate(cumulative))
    return {
        "title": f"{o.service} / {o.objective}",
        "width": width,
        "height": height,
        "bars": bars,
        "cumulative": f"40,{height} {points}",
        "budget_y": y(budget),
        "budget": describe_seconds(budget),
        "first_day": o.daily[0][0].isoformat(),
        "last_day": o.daily[-1][0].isoformat(),
        "top": describe_seconds(top.to_integral_value()),
    }


def view_model(report: Report) -> dict[str, Any]:
    data = report.to_json()
    objectives = []
    for o in report.objectives:
        verdict, css = _verdict(o.met, o.judged)
        objectives.append(
            {
                "service": o.service,
                "objective": o.objective,
                "period": o.period_label or o.period,
                "target": target_text(o),
                "measured": short_value(o.measured, o.unit),
                "verdict": verdict,
                "verdict_class": css,
                "why": objective_note(o),
            }
        )
    support = []
    for s in report.support:
        verdict, css = _verdict(s.ok, s.judged and s.ok is not None)
        support.append(
            {
                "plan": s.plan,
                "priority": s.priority,
                "period": s.period_label or "",
                "tickets": s.tickets,
                "met": s.met,
                "pending": s.pending,
                "compliance": short_value(s.compliance, "%"),
                "target": f"{decimal_text(s.target)}%",
                "verdict": verdict,
                "verdict_class": css,
            }
        )
    clauses = []
    for c in report.clauses:
        verdict, css = _verdict(c.met, c.judged)
        clauses.append(
            {"clause": f"{c.section}: {c.clause}", "verdict": verdict, "verdict_class": css, "why": c.reason}
        )
    credits = [
        {
            "service": c.service,
            "objective": c.objective,
            "period": c.period or "",
            "tier": c.tier,
            "amount": credit_amount(c),
            "claim_by": c.claim_by.isoformat() if c.claim_by else "-",
            "note": "; ".join(filter(None, [c.reason, claim_note(c)])),
        }
        for c in report.credits
    ]
    totals = report.totals
    return {
        "agreement": report.agreement,
        "period": data["period"],
        "as_of": data["as_of"],
        "plan": report.plan,
        "notes": report.notes,
        "status": report.status,
        "status_words": {
            "met": "All commitments met",
            "breached": "Commitments breached",
            "incomplete": "Incomplete: not every commitment could be judged",
        }[report.status],
        "provisional": report.provisional_note,
        "objectives": objectives,
        "charts": [c for c in (_chart(o) for o in report.objectives) if c],
        "support": support,
        "clauses": clauses,
        "credits": credits,
        "total": ", ".join(f"{a} {c}" for c, a in sorted(totals.items())) or "none",
        "service_time": service_time_note(report),
        "termination": [
            f"Support {c.plan}{f' ({c.period_label})' if c.period_label else ''}: {chronic_words(c)}"
            + (f"; {termination_note(c)}" if termination_note(c) else "")
            for c in report.support_chronic
        ],
    }


def render_report(report: Report) -> str:
    return _environment().get_template("report.html.j2").render(view_model(report))
