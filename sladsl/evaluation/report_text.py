"""The evaluation report as a terminal table: one line per clause, then the credits."""

from __future__ import annotations

from decimal import Decimal

from sladsl.evaluation.report import ClauseResult, Evidence, ObjectiveResult, Report, SupportResult, decimal_text
from sladsl.units import describe_seconds


def short_value(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "%":
        exponent = value.as_tuple().exponent
        shown = value.quantize(Decimal("0.0001")) if isinstance(exponent, int) and exponent < -4 else value
        return f"{decimal_text(shown)}%"
    exponent = value.as_tuple().exponent
    shown = value.quantize(Decimal("0.001")) if isinstance(exponent, int) and exponent < -3 else value
    return f"{decimal_text(shown)} ms"


def _verdict(met: bool | None, judged: bool) -> str:
    if not judged or met is None:
        return "not judged"
    return "met" if met else "BREACHED"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def target_text(o: ObjectiveResult) -> str:
    """`≥ 99.9%`, `≤ 500 ms`, `< 10 ms` (draft 2 `below`), `≥ 99.99%` of windows."""
    unit = "%" if o.unit == "%" else " ms"
    text = f"{o.comparison} {decimal_text(o.target)}{unit}"
    return f"{text} of windows" if o.windows is not None else text


def chronic_note(o: ObjectiveResult) -> str:
    c = o.chronic_failure
    if c is None:
        return ""
    if c.holds:
        return f"chronic failure since {c.since}"
    if c.first_held:
        return f"chronic failure held from {c.first_held}, not now"
    return "no chronic failure" + ("" if c.history_known else " (this period alone)")


def objective_note(o: ObjectiveResult) -> str:
    if not o.judged:
        return o.reason
    chronic = chronic_note(o)
    if o.kind == "availability" and o.downtime_seconds is not None and o.allowed_downtime_seconds is not None:
        note = f"downtime {describe_seconds(o.downtime_seconds) or '0 seconds'} of {describe_seconds(o.allowed_downtime_seconds)} allowed"
        if o.excluded_seconds:
            note += f"; {describe_seconds(o.excluded_seconds)} excluded"
        return f"{note}; {chronic}" if chronic else note
    note = o.explanation[0].what if o.explanation else ""
    return f"{note}; {chronic}" if chronic and note else note or chronic


def _support_row(s: SupportResult) -> list[str]:
    compliance = s.compliance
    measured = "-" if compliance is None else short_value(compliance, "%")
    note = s.reason if not s.judged else f"{s.met} of {s.tickets - s.pending} met, {s.pending} pending"
    if s.judged and s.resolution is not None and s.first_response is not None:
        note = f"{s.met} of {s.tickets - s.pending} met both, {s.pending} pending; " + "; ".join(
            f"{name} within {d.within}: {d.met} of {d.met + d.missed} met, {d.pending} pending"
            for name, d in (("first response", s.first_response), ("resolution", s.resolution))
        )
    return [
        f"support {s.plan} / {s.priority}",
        f"{decimal_text(s.target)}%",
        measured,
        _verdict(s.ok, s.judged and s.ok is not None),
        note,
    ]


def _clause_row(c: ClauseResult) -> list[str]:
    return [f"{c.section}: {c.clause}", "", "", _verdict(c.met, c.judged), c.reason]


def _explain(items: list[Evidence], indent: str = "    ") -> list[str]:
    lines = []
    for e in items:
        when = ""
        if e.start is not None:
            when = f" {e.start.isoformat()}" + (f" to {e.end.isoformat()}" if e.end else "")
        length = f" ({describe_seconds(e.seconds)})" if e.seconds else ""
        mark = "counted" if e.counted else "not counted"
        reason = f": {e.reason}" if e.reason else ""
        lines.append(f"{indent}- {e.what}{when}{length} [{mark}]{reason}")
    return lines


def render_text(report: Report, explain: bool = False) -> str:
    w = report.window
    out = [f"{report.agreement}", f"period {w.label}: {w.start.isoformat()} to {w.end.isoformat()}"]
    if report.customer is not None:
        out.append(f"customer {report.customer}")
    if report.plan is not None:
        out.append(f"plan {report.plan}")
    out.append("")
    rows = [["clause", "target", "measured", "verdict", "why"]]
    for o in report.objectives:
        rows.append(
            [
                f"{o.service} / {o.objective}",
                target_text(o),
                short_value(o.measured, o.unit),
                _verdict(o.met, o.judged),
                objective_note(o),
            ]
        )
    rows += [_support_row(s) for s in report.support]
    rows += [_clause_row(c) for c in report.clauses]
    out += _table(rows)
    if explain:
        out += ["", "evidence:"]
        for o in report.objectives:
            if o.explanation:
                out.append(f"  {o.service} / {o.objective}:")
                out += _explain(o.explanation)
        for s in report.support:
            if s.explanation:
                out.append(f"  support {s.plan} / {s.priority}:")
                out += _explain(s.explanation)
        for c in report.clauses:
            if c.explanation:
                out.append(f"  {c.section}: {c.clause}:")
                out += _explain(c.explanation)
    out.append("")
    if report.credits:
        credit_rows = [["credit", "tier", "amount", "claim by", "note"]]
        for credit in report.credits:
            amount = "-" if credit.amount is None else f"{credit.amount} {credit.currency}"
            credit_rows.append(
                [
                    f"{credit.service} / {credit.objective}",
                    credit.tier,
                    amount,
                    credit.claim_by.isoformat() if credit.claim_by else "-",
                    credit.reason,
                ]
            )
        out += _table(credit_rows)
        out.append("")
    for note in report.notes:
        out.append(f"note: {note}")
    if report.notes:
        out.append("")
    totals = report.totals
    total = ", ".join(f"{amount} {currency}" for currency, amount in sorted(totals.items())) or "none"
    out.append(f"status: {report.status}; credits owed: {total}")
    return "\n".join(out) + "\n"
