"""The parser's callbacks for draft 3's statements and their parts (`_Builder` mixes them in).

Why a module of their own: the draft-3 terms (strict thresholds, per-outage credits,
service time, clock units, allowances, claim windows from the outage, termination) are
parts of statements whose main callbacks stay in `sladsl.language.parse_nodes`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lark import Token

from sladsl.language import ast
from sladsl.language.parse_spans import _on, _token_span, _Value, _whole
from sladsl.language.words import UNITS


class Draft3Callbacks:
    """One method per draft-3 grammar rule, as in `parse_nodes._Builder`."""

    def downtime_target(self, c: list[Any]) -> ast.DowntimeTarget:
        return ast.DowntimeTarget(c[3], c[5], _whole(c), _on(c))

    def ignore_shorter(self, c: list[Any]) -> _Value:
        return _Value(("shorter", c[2]), _whole(c))

    def ignore_or_less(self, c: list[Any]) -> _Value:
        return _Value(("or_less", c[1]), _whole(c))

    def after_exclusions(self, c: list[Any]) -> _Value:
        return _Value(True, _whole(c))

    def clock_units(self, c: list[Any]) -> ast.WholeClockUnits:
        unit = c[4]
        if isinstance(unit, Token):  # `whole clock minutes`: one unit
            unit = ast.Duration(Decimal(1), UNITS[unit.value], False, _token_span(unit))
        return ast.WholeClockUnits(unit, _whole(c))

    def adding_overlaps(self, c: list[Any]) -> _Value:
        return _Value(True, _whole(c))

    def support_missed(self, c: list[Any]) -> _Value:
        return _Value(("support",), _whole(c))

    def termination(self, c: list[Any]) -> _Value:
        return _Value(("terminate", c[3]), _whole(c))

    def outage_tier(self, c: list[Any]) -> ast.OutageTier:
        values = dict(x.value for x in c if isinstance(x, _Value))
        amount = next(x for x in c[4:] if not isinstance(x, _Value | Token))
        per = values.get("per")
        return ast.OutageTier(
            amount,
            _whole(c),
            longer_than=values.get("longer"),
            per=per[1] if per else None,
            started=per[0] if per else False,
            cap=values.get("cap"),
        )

    def outage_longer(self, c: list[Any]) -> _Value:
        return _Value(("longer", c[2]), _whole(c))

    def per_unit(self, c: list[Any]) -> _Value:
        started = isinstance(c[1], Token) and c[1].type == "STARTED"
        unit = c[-1]
        if isinstance(unit, Token):  # `per started hour`: one unit
            unit = ast.Duration(Decimal(1), UNITS[unit.value], False, _token_span(unit))
        return _Value(("per", (started, unit)), _whole(c))

    def outage_cap(self, c: list[Any]) -> _Value:
        return _Value(("cap", c[3]), _whole(c))

    def service_time(self, c: list[Any]) -> ast.ServiceTime:
        return ast.ServiceTime(c[0], _whole(c))

    def service_cap(self, c: list[Any]) -> ast.ServiceTimeCap:
        rolling = c[3].value if len(c) > 3 else None
        return ast.ServiceTimeCap(c[2], _whole(c), rolling)

    def credit_threshold(self, c: list[Any]) -> ast.CreditThreshold:
        return ast.CreditThreshold(c[4], _whole(c))

    def claim_from_outage(self, c: list[Any]) -> _Value:
        value: _Value = c[0]
        return value

    def outage_start(self, c: list[Any]) -> _Value:
        return _Value(ast.OutageEdge.START, _whole(c))

    def outage_end(self, c: list[Any]) -> _Value:
        return _Value(ast.OutageEdge.END, _whole(c))
