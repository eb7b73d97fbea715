"""Plain-English sentences for every clause of the AST, with the facts a reader needs.

One function per statement kind, found through `PHRASES` by the node's type (the way a
generator finds `between_sql` for `Between`). Sentences are plain text; the templates
escape them. `phrase(node, context)` raises KeyError for a kind without a sentence, which
the every-clause test turns into a failure. The `Context` carries what a clause alone does
not know: the agreement's time zone (for the real lengths of its periods), the fee, and
the objective a clause belongs to.

The sentences live in `phrases_objectives` (targets, measurement, exclusions) and
`phrases_terms` (credits, support, reports) on what `phrases_common` shares; this module
gathers them into the table and keeps every name callers import from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sladsl.documents.phrases_common import (
    DEFAULT,
    PERIOD_LENGTHS,
    Context,
    long_date,
    names_list,
    ordinal_word,
    percent,
    period_lengths,
    period_words,
    periods_plural,
    real_lengths_differ,
    whole_seconds,
)
from sladsl.documents.phrases_objectives import (
    OBJECTIVE_PHRASES,
    OPERATIONAL,
    allowance_rule,
    allowed_downtime,
    states_allowance,
    window_allowance,
)
from sladsl.documents.phrases_terms import (
    TERM_PHRASES,
    amount_words,
    base_words,
    claim_deadline_words,
    credit_amount,
    fee_base_money,
    holiday_country,
    ticket_target,
    tier_condition,
    tier_money,
)
from sladsl.language import ast
from sladsl.language.units import describe_duration

__all__ = [
    "DEFAULT",
    "OPERATIONAL",
    "PERIOD_LENGTHS",
    "PHRASES",
    "Context",
    "allowance_rule",
    "allowed_downtime",
    "amount_words",
    "base_words",
    "claim_deadline_words",
    "credit_amount",
    "fee_base_money",
    "holiday_country",
    "long_date",
    "names_list",
    "ordinal_word",
    "percent",
    "period_lengths",
    "period_words",
    "periods_plural",
    "phrase",
    "real_lengths_differ",
    "states_allowance",
    "target_promise",
    "ticket_target",
    "tier_condition",
    "tier_money",
    "whole_seconds",
    "window_allowance",
]

PHRASES: dict[type, Callable[[Any, Context], str]] = {
    ast.Version: lambda s, c: f"Version {s.value}.",
    ast.Provider: lambda s, c: f"Provider: {s.name}.",
    ast.Customer: lambda s, c: f"Customer: {s.name}.",
    ast.Effective: lambda s, c: f"Effective from {long_date(s.date)}.",
    ast.Term: lambda s, c: f"Term: {describe_duration(s.duration)}.",
    ast.TimeZone: lambda s, c: f"Times are in the {s.name} time zone.",
    ast.Fee: lambda s, c: f"Fee: {s.money.amount} {s.money.currency} per month.",
    ast.Plans: lambda s, c: "The plans of this Agreement are " + _names(s.names) + ".",
    ast.Text: lambda s, c: s.body,
    ast.Definition: lambda s, c: s.body,
    **OBJECTIVE_PHRASES,
    **TERM_PHRASES,
}


def _names(names: tuple[str, ...] | list[str]) -> str:
    return names_list(list(names))


def phrase(node: Any, context: Context = DEFAULT) -> str:
    return PHRASES[type(node)](node, context)


def target_promise(s: ast.Target, c: Context) -> str:
    """A target's promise without the allowance (the document's per-plan table states that)."""
    if isinstance(s, ast.AvailabilityTarget):
        if s.percent.value == 100:
            return f"100% of the time in {period_words(s.period)}: no downtime is allowed."
        return f"At least {percent(s.percent.value)} of the time in {period_words(s.period)}."
    return phrase(s, c)
