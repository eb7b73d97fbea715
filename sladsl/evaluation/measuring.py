"""What every measure of an objective shares: the verdict "no evidence", the period as
query parameters, temp tables, and how a number of microseconds or a Decimal is shown.
A leaf of the availability modules, so that each of them can use these without a circle."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from sladsl.evaluation.context import Context
from sladsl.evaluation.context import seconds as _seconds
from sladsl.evaluation.report import NO_EVIDENCE, ObjectiveResult
from sladsl.evaluation.report import Evidence as Proof

HUNDRED = Decimal(100)


def no_evidence(result: ObjectiveResult, what: str) -> None:
    """Not judged: nothing at all was recorded for the service in the period. An empty
    table is not a month of downtime, even where missing data counts as unavailable (that
    rule fills gaps between samples), and not a month of perfect service either."""
    result.judged, result.reason, result.measured, result.met = False, NO_EVIDENCE, None, None
    result.explanation = [Proof(what, counted=False, reason=NO_EVIDENCE)]


def period_params(context: Context, services: list[str]) -> dict[str, Any]:
    return {"services": services, "p0": context.window.start_us, "p1": context.window.end_us}


_tags = itertools.count()


def table_tag() -> int:
    """A number no other temp table of this process has: each judging step names its tables
    `outages_{tag}`, `qualified_{tag}`... with one, whichever module creates them."""
    return next(_tags)


def create(context: Context, name: str, query: str, params: dict[str, Any]) -> None:
    context.run(f"CREATE TEMP TABLE {name} AS {query}", **params)


def describe_seconds_us(us: int) -> str:
    from sladsl.language.units import describe_seconds

    return describe_seconds(_seconds(us)) if us else "nothing"


def decimal_normal(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
