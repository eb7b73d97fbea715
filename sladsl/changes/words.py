"""The words of `sladsl diff`'s sentences, built on the contract document's phrases
(`sladsl.documents.phrases`) and the formatter's rendering of a clause as written.

Also the orderings the comparisons share: which of two durations is longer, and where two
values cannot be ordered without the data (a business day against a calendar day).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sladsl.documents.phrases import PHRASES, Context, names_list, percent, period_lengths, whole_seconds
from sladsl.documents.phrases_terms import amount_words
from sladsl.language import ast
from sladsl.language.formatter import statement_text
from sladsl.language.units import describe_duration

# `found.graded`'s verbs, said of a length of time
LENGTH = {"raised": "lengthened", "lowered": "shortened", "changed": "changed"}

ADJECTIVES = {
    ast.PeriodKind.MONTH: "monthly",
    ast.PeriodKind.QUARTER: "quarterly",
    ast.PeriodKind.YEAR: "yearly",
    ast.PeriodKind.WEEK: "weekly",
}


def written(node: Any) -> str | None:
    """The clause as the formatter writes it (one line), or None for a block or no clause."""
    return None if node is None else statement_text(node)


def quoted(node: Any) -> str:
    text = written(node)
    return f"\u201c{text}\u201d" if text is not None else type(node).__name__


def say(node: Any, context: Context) -> str:
    """The document's sentence for a clause; the clause as written where the document has none."""
    render = PHRASES.get(type(node))
    if render is not None:
        try:
            return render(node, context)
        except (KeyError, ValueError, ArithmeticError):  # a phrase that needs what the context lacks
            pass
    return f"The clause {quoted(node)}."


def name(value: str) -> str:
    return f"\u201c{value}\u201d"


def on_plans(plans: tuple[str, ...] | list[str]) -> str:
    """` on plan Premium`, ` on plans Standard and Premium`, or nothing without plans."""
    named = [p for p in plans if p is not None]
    if not named:
        return ""
    return f" on plan {named[0]}" if len(named) == 1 else f" on plans {names_list(list(named))}"


def duration(d: ast.Duration | None) -> str:
    return "none" if d is None else describe_duration(d)


def money(m: ast.Money) -> str:
    return f"{m.amount} {m.currency}"


def pct(p: ast.Percent | Decimal) -> str:
    return percent(p.value if isinstance(p, ast.Percent) else p)


def amount(a: ast.CreditAmount) -> str:
    if isinstance(a, ast.ServiceTime):
        return f"{describe_duration(a.duration)} of service"
    return amount_words(a)


def threshold(t: ast.Percent | ast.Duration) -> str:
    return pct(t) if isinstance(t, ast.Percent) else describe_duration(t)


# ---- orderings -------------------------------------------------------------------------------


def order(a: Decimal, b: Decimal) -> int:
    return (a > b) - (a < b)


def duration_order(a: ast.Duration, b: ast.Duration) -> int | None:
    """-1, 0 or 1 as `a` is shorter, as long or longer than `b`; None where only the data (a
    calendar's business hours, a month's real length) could tell."""
    if a.business != b.business:
        return None
    if a.unit == b.unit:
        return order(a.amount, b.amount)
    if a.is_calendar and b.is_calendar:
        months = {ast.TimeUnit.MONTH: 1, ast.TimeUnit.YEAR: 12}
        return order(a.amount * months[a.unit], b.amount * months[b.unit])
    if a.is_calendar or b.is_calendar or a.business:
        return None
    return order(a.seconds, b.seconds)


def allowance_delta(old: Decimal, new: Decimal, kind: ast.PeriodKind, context: Context) -> str:
    """`21 minutes 36 seconds more downtime allowed in a 30-day month`: what a target's change
    from `old`% to `new`% means in the period's first (nominal) length in the zone."""
    name, seconds = period_lengths(kind, context.zone, context.first_year, context.years)[0]
    delta = (old - new) / Decimal(100) * seconds
    more = "more" if delta > 0 else "less"
    return f"{whole_seconds(abs(delta))} {more} downtime allowed in {name}"
