"""The evaluation report as a terminal table: one line per clause, then the credits and a
summary that counts every clause.

The table fits the terminal's width (`sladsl.terminal`): the clause and "why" columns
wrap, the others never do. Piped without COLUMNS it is one line per row. `rich` is
imported only when the text is drawn: `report_html` imports the helpers here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sladsl.evaluation.report import (
    ChronicResult,
    ClauseResult,
    CreditResult,
    Evidence,
    ObjectiveResult,
    Report,
    SupportResult,
    decimal_text,
)
from sladsl.language.ast import PeriodKind
from sladsl.language.periods import is_shorter
from sladsl.language.units import describe_seconds
from sladsl.terminal import Block, Cell, Table, draw


def short_value(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":  # draft 3 `downtime at most D`: the downtime
        return describe_seconds(value) or "0 seconds"
    if unit == "%":
        exponent = value.as_tuple().exponent
        shown = value.quantize(Decimal("0.0001")) if isinstance(exponent, int) and exponent < -4 else value
        return f"{decimal_text(shown)}%"
    exponent = value.as_tuple().exponent
    shown = value.quantize(Decimal("0.001")) if isinstance(exponent, int) and exponent < -3 else value
    return f"{decimal_text(shown)} ms"


def target_text(o: ObjectiveResult) -> str:
    """`≥ 99.9%`, `≤ 500 ms`, `< 10 ms` (draft 2 `below`), `≥ 99.99%` of windows; draft 3's
    `downtime at most 43.8 minutes`: `≤ 43 minutes 48 seconds` of downtime."""
    if o.unit == "s":
        return f"{o.comparison} {describe_seconds(o.target) or '0 seconds'}"
    unit = "%" if o.unit == "%" else " ms"
    text = f"{o.comparison} {decimal_text(o.target)}{unit}"
    return f"{text} of windows" if o.windows is not None else text


def chronic_note(o: ObjectiveResult) -> str:
    c = o.chronic_failure
    if c is None:
        return ""
    words = chronic_words(c)
    note = termination_note(c)
    return f"{words}; {note}" if note else words


def chronic_words(c: ChronicResult) -> str:
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


_VERDICT_STYLES = {"met": "green", "BREACHED": "bold red", "not judged": "yellow"}


def _verdict(met: bool | None, judged: bool) -> Cell:
    word = "not judged" if not judged or met is None else "met" if met else "BREACHED"
    return (word, _VERDICT_STYLES[word])


def _at(name: str, label: str | None, report: Report) -> str:
    """The clause's name, with the period of its verdict when that is one of several."""
    return f"{name} ({label})" if label and label != report.window.label else name


def _objective_row(o: ObjectiveResult, report: Report) -> list[Cell]:
    return [
        _at(f"{o.service} / {o.objective}", o.period_label, report),
        target_text(o),
        short_value(o.measured, o.unit),
        _verdict(o.met, o.judged),
        f"provisional; {objective_note(o)}" if o.provisional and o.judged else objective_note(o),
    ]


def _support_row(s: SupportResult, report: Report) -> list[Cell]:
    compliance = s.compliance
    measured = "-" if compliance is None else short_value(compliance, "%")
    note = s.reason if not s.judged else f"{s.met} of {s.tickets - s.pending} met, {s.pending} pending"
    if s.judged and s.resolution is not None and s.first_response is not None:
        note = f"{s.met} of {s.tickets - s.pending} met both, {s.pending} pending; " + "; ".join(
            f"{name} within {d.within}: {d.met} of {d.met + d.missed} met, {d.pending} pending"
            for name, d in (("first response", s.first_response), ("resolution", s.resolution))
        )
    return [
        _at(f"support {s.plan} / {s.priority}", getattr(s, "period_label", None), report),
        f"{decimal_text(s.target)}%",
        measured,
        _verdict(s.ok, s.judged and s.ok is not None),
        note,
    ]


def _clause_row(c: ClauseResult, report: Report) -> list[Cell]:
    name = _at(f"{c.section}: {c.clause}", getattr(c, "period_label", None), report)
    return [name, "", "", _verdict(c.met, c.judged), c.reason]


def _explain(items: list[Evidence], indent: str = "    ") -> list[Block]:
    lines: list[Block] = []
    for e in items:
        when = ""
        if e.start is not None:
            when = f" {e.start.isoformat()}" + (f" to {e.end.isoformat()}" if e.end else "")
        length = f" ({describe_seconds(e.seconds)})" if e.seconds else ""
        mark = "counted" if e.counted else "not counted"
        reason = f": {e.reason}" if e.reason else ""
        lines.append(f"{indent}- {e.what}{when}{length} [{mark}]{reason}")
    return lines


def _evidence(report: Report) -> list[Block]:
    out: list[Block] = ["", "evidence:"]
    for o in report.objectives:
        if o.explanation:
            out.append(f"  {_at(f'{o.service} / {o.objective}', o.period_label, report)}:")
            out += _explain(o.explanation)
    for s in report.support:
        if s.explanation:
            out.append(f"  support {s.plan} / {s.priority}:")
            out += _explain(s.explanation)
    for c in report.clauses:
        if c.explanation:
            out.append(f"  {c.section}: {c.clause}:")
            out += _explain(c.explanation)
    return out


def credit_amount(credit: CreditResult) -> str:
    """`150.00 USD`, `3 days of service (worth 96.77 USD)`, both joined by `+`, or `-`."""
    parts = [] if credit.amount is None else [f"{credit.amount} {credit.currency}"]
    remedy = credit.service_time
    if remedy is not None:
        worth = f" (worth {remedy.value} {remedy.currency})" if remedy.value is not None else ""
        parts.append(f"{remedy.words} of service{worth}")
    return " + ".join(parts) or "-"


def claim_note(credit: CreditResult) -> str:
    """Draft 3: the outage a claim window counted from the outage runs from."""
    outage = credit.claim_from
    if credit.claim_from_edge is None:
        return ""
    if outage is None:
        return "no outage counts: the claim window does not run"
    edge = outage.start if credit.claim_from_edge == "start" else outage.end
    what = "start" if credit.claim_from_edge == "start" else "end"
    return f"claim window from the {what} of the last outage, {edge.isoformat(timespec='minutes')}"


def service_time_note(report: Report) -> str:
    """The remedies in service time, summed: never part of the credits owed in money."""
    found = report.service_time_totals
    if found is None:
        return ""
    seconds, values = found
    worth = ", ".join(f"{amount} {currency}" for currency, amount in sorted(values.items()))
    shown = describe_seconds(seconds) or "0 seconds"
    return f"service time owed: {shown}" + (
        f" (worth {worth} at the fee for that time; not in the credits owed)" if worth else ""
    )


def _credits(report: Report) -> list[Block]:
    if not report.credits:
        return []
    rows: list[list[Cell]] = []
    for credit in report.credits:
        notes = ["provisional" if credit.provisional else "", credit.reason, claim_note(credit)]
        rows.append(
            [
                _at(f"{credit.service} / {credit.objective}", credit.period, report),
                credit.tier,
                credit_amount(credit),
                credit.claim_by.isoformat() if credit.claim_by else "-",
                "; ".join(filter(None, notes)),
            ]
        )
    return [Table(["credit", "tier", "amount", "claim by", "note"], rows, frozenset({0, 1, 2, 4})), ""]


def termination_note(c: ChronicResult) -> str:
    """Draft 3 `, terminate within D`: the last day the customer may terminate."""
    if c.terminate_within is None or not c.holds:
        return ""
    if c.terminate_by is None:
        return f"the customer may terminate within {c.terminate_within} (not dated yet)"
    return f"the customer may terminate until {c.terminate_by.isoformat()}"


def _support_chronic(report: Report) -> list[Block]:
    out: list[Block] = []
    for c in report.support_chronic:
        words = chronic_words(c).replace("chronic failure", "chronic failure of support", 1)
        note = termination_note(c)
        label = f" ({c.period_label})" if c.period_label else ""
        out.append(f"support {c.plan}{label}: {words}" + (f"; {note}" if note else ""))
    return [*out, ""] if out else []


def provisional_line(report: Report) -> Block:
    """The report's period had not ended: say so before any verdict is read."""
    as_of = report.as_of or date.today()
    return (
        f"PROVISIONAL: {report.window.label} has not ended as of {as_of.isoformat()}; "
        "verdicts and credits are not final",
        "bold yellow",
    )


def render_text(report: Report, explain: bool = False, width: int | None = None, colour: bool = False) -> str:
    """The report for a person: fitted to `width` (None: one line per row, for `grep`),
    verdicts coloured only when `colour`."""
    w = report.window
    out: list[Block] = [report.agreement, f"period {w.label}: {w.start.isoformat()} to {w.end.isoformat()}"]
    if report.customer is not None:
        out.append(f"customer {report.customer}")
    if report.plan is not None:
        out.append(f"plan {report.plan}")
    if report.provisional:
        out.append(provisional_line(report))
    out.append("")
    rows = [_objective_row(o, report) for o in report.objectives]
    rows += [_support_row(s, report) for s in report.support]
    rows += [_clause_row(c, report) for c in report.clauses]
    out.append(Table(["clause", "target", "measured", "verdict", "why"], rows, frozenset({0, 4})))
    if explain:
        out += _evidence(report)
    out.append("")
    out += _support_chronic(report)
    out += _credits(report)
    service_time = service_time_note(report)
    if service_time:
        out += [service_time, ""]
    out += [f"note: {note}" for note in report.notes]
    if report.notes:
        out.append("")
    out += summary_lines(report)
    totals = report.totals
    total = ", ".join(f"{amount} {currency}" for currency, amount in sorted(totals.items())) or "none"
    status = report.status + (" (provisional)" if report.provisional else "")
    out.append((f"status: {status}; credits owed: {total}", _STATUS_STYLES.get(report.status)))
    return draw(out, width, colour) + "\n"


_STATUS_STYLES = {"met": "bold green", "breached": "bold red", "incomplete": "bold yellow"}


# ---- the summary: every clause counted ------------------------------------------------------

LISTED = 10
"""Names listed per kind of unjudged clause before `and N more`: a thousand services fit."""


@dataclass
class Tally:
    """Every row of the report, in exactly one bucket."""

    met: int = 0
    breached: int = 0
    no_evidence: list[str] = field(default_factory=list)
    longer: list[str] = field(default_factory=list)  # measured over a longer period than asked
    other: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.met + self.breached + len(self.no_evidence) + len(self.longer) + len(self.other)

    def judged(self, met: bool | None) -> None:
        if met:
            self.met += 1
        else:
            self.breached += 1


def _kind(text: str) -> PeriodKind | None:
    """`calendar year` from `calendar year`, `measured per calendar year, not per ...` or `due per week`."""
    for prefix in ("measured per ", "due per "):
        text = text.removeprefix(prefix)
    try:
        return PeriodKind(text.split(",")[0].strip())
    except ValueError:
        return None


def _longer(kind: PeriodKind | None, report: Report) -> bool:
    return kind is not None and is_shorter(report.window.kind, kind)


def tally(report: Report) -> Tally:
    """Each clause of the report: judged (met or breached), not judged for lack of evidence,
    not judged because its period is longer than the one asked, or not judged otherwise."""
    counts = Tally()
    for o in report.objectives:
        name = _at(f"{o.service} / {o.objective}", o.period_label, report)
        if o.judged and o.met is not None:
            counts.judged(o.met)
        elif o.no_evidence:
            counts.no_evidence.append(name)
        elif _longer(_kind(o.period), report):
            counts.longer.append(f"{name} (per {o.period})")
        else:
            counts.other.append(f"{name} ({o.reason})" if o.reason else name)
    for s in report.support:
        name = _at(f"support {s.plan} / {s.priority}", getattr(s, "period_label", None), report)
        if s.ok is not None:
            counts.judged(s.ok)
        elif _longer(_kind(s.reason), report):
            counts.longer.append(f"{name} ({s.reason})")
        else:
            counts.other.append(f"{name} ({s.reason or 'no tickets due'})")
    for c in report.clauses:
        name = _at(f"{c.section}: {c.clause}", getattr(c, "period_label", None), report)
        if c.judged and c.met is not None:
            counts.judged(c.met)
        elif _longer(_kind(c.reason), report):
            counts.longer.append(f"{name} ({c.reason})")
        else:
            counts.other.append(f"{name} ({c.reason})" if c.reason else name)
    return counts


def _listing(names: list[str]) -> str:
    shown = "; ".join(names[:LISTED])
    return shown + (f"; and {len(names) - LISTED} more" if len(names) > LISTED else "")


def summary_lines(report: Report) -> list[Block]:
    """One line that counts every clause, then the unjudged ones by name: a gap in the
    evidence or a clause the period cannot judge must not pass for a clean report."""
    t = tally(report)
    judged = t.met + t.breached
    parts = [f"{judged} judged ({t.met} met, {t.breached} breached)"]
    if t.no_evidence:
        parts.append(f"{len(t.no_evidence)} not judged for lack of evidence")
    if t.longer:
        parts.append(f"{len(t.longer)} not judged, measured over a longer period than {report.window.label}")
    if t.other:
        parts.append(f"{len(t.other)} not judged for another reason")
    out: list[Block] = [f"summary: {t.total} clause{'' if t.total == 1 else 's'}: " + "; ".join(parts)]
    listed: list[list[Cell]] = []
    if t.no_evidence:
        listed.append(["  no evidence:", (_listing(t.no_evidence), "yellow")])
    if t.longer:
        listed.append(["  longer period:", _listing(t.longer)])
    if t.other:
        listed.append(["  not judged:", _listing(t.other)])
    if listed:
        out.append(Table([], listed, frozenset({1})))
    return out
