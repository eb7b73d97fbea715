"""A service's section of the contract's view model: its objectives with their targets per
plan (and the downtime or windows they allow), and its credit tables with their money.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sladsl.documents.model_blocks import Section, View, fee_sentence, plan_groups, plan_label, prose
from sladsl.documents.model_outages import outage_row, service_cell
from sladsl.documents.phrases import (
    OPERATIONAL,
    allowance_rule,
    allowed_downtime,
    amount_words,
    fee_base_money,
    period_lengths,
    phrase,
    states_allowance,
    target_promise,
    tier_condition,
    tier_money,
    window_allowance,
)
from sladsl.language import ast

_HUNDRED = Decimal(100)


def service_section(agreement: ast.Agreement, service: ast.Service, section: Section, view: View) -> None:
    own_fees = plan_groups(view.editions, service.fee_for)
    fee = fee_sentence(own_fees, " for this service")
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
                blocks = plan_groups(view.editions, functools.partial(_credits_for, service, statement.objective))
                if all(b is None for _, b in blocks):
                    continue
            clause += 1
            section.blocks.append(
                _credits(agreement, service, statement.objective, blocks, f"{section.number}.{clause}", view)
            )


def _credits_for(service: ast.Service, objective: str, edition: str | None) -> ast.Credits | None:
    return service.credits_for(objective, edition)


def _sentence(text: str) -> dict[str, Any]:
    return {"type": "sentence", "text": text}


def _prose_for(body: str, plans: str | None) -> dict[str, Any]:
    """A `text` block; in a table of several plans' blocks, `plans` names the plans it is of."""
    return {**prose(body), "plans": plans}


def _objective(objective: ast.Objective, number: str, view: View) -> dict[str, Any]:
    """An objective's clause. `items` are its statements in source order, `text` where it
    stands; the target's sentence (or the plans' table) brings its allowance table with it.
    `monitor` is for `compile`, not a term of the contract: it is left out."""
    groups = plan_groups(view.editions, objective.target_for)
    first = next((t for _, t in groups if t is not None), None)
    context = replace(
        view.context,
        period=first.period if first else None,
        objective=objective.name,
        maintenance=any(isinstance(s, ast.ExcludeMaintenance) for s in objective.statements),
        excludes=any(isinstance(s, ast.ExcludeMaintenance | ast.ExcludeCauses) for s in objective.statements),
        averaged=isinstance(objective.downtime_source, ast.AverageErrorRate),
    )
    targets = (
        []
        if len(groups) == 1
        else [[plan_label(names), target_promise(t, context) if t else "\u2014"] for names, t in groups]
    )
    lead: list[dict[str, Any]] = [_sentence(phrase(first, context))] if first is not None and not targets else []
    if targets:
        lead.append({"type": "targets", "head": ["Plan", "Commitment"], "rows": targets})
    facts, head, rule = _allowance_table(groups, context)
    if rule:
        lead.append(_sentence(rule))
    if facts:
        lead.append({"type": "facts", "head": head, "rows": facts})
    items: list[dict[str, Any]] = []
    placed = False
    for statement in objective.statements:
        if isinstance(statement, ast.Text):
            items.append(_prose_for(statement.body, None))
        elif isinstance(statement, ast.Target):  # every kind of target, the plans' included
            if not placed and (statement is first or bool(targets)):
                items += lead
                placed = True
        elif not isinstance(statement, OPERATIONAL):
            items.append(_sentence(phrase(statement, context)))
    if not placed:
        items[0:0] = lead
    return {
        "type": "clause",
        "number": number,
        "title": objective.name,
        "items": items,
        # the same content grouped by kind, for templates written before `items`
        "targets": targets,
        "targets_head": ["Plan", "Commitment"],
        "sentences": [i["text"] for i in items if i["type"] == "sentence"],
        "prose": [i for i in items if i["type"] == "prose"],
        "facts": facts,
        "facts_head": head,
    }


def _allowance_table(
    groups: list[tuple[list[str], Any]], context: Any
) -> tuple[list[list[str]], list[str], str | None]:
    """The downtime (or windows) each period length allows, per plan group; and, with several
    plans, the sentence that states the rule. No table where nothing is allowed (a 100% target)."""
    facts: list[list[str]] = []
    head = ["Length of the period", "Downtime allowed"]
    rule = None
    available = [(names, t) for names, t in groups if isinstance(t, ast.AvailabilityTarget)]
    if (
        available
        and len({t.period.kind for _, t in available}) == 1
        and any(states_allowance(t, context) for _, t in available)
    ):
        columns = [dict(allowed_downtime(t, context)) for _, t in available]
        lengths = [name for name, _ in allowed_downtime(available[0][1], context)]
        facts = [[length, *(c[length] for c in columns)] for length in lengths]
        if len(groups) > 1:
            head = ["Length of the period", *(f"Downtime allowed: {plan_label(n)}" for n, _ in available)]
            rule = allowance_rule(context, available[0][1].period.kind)
    windowed = [(n, t) for n, t in groups if isinstance(t, ast.LatencyTarget) and t.windows is not None]
    if (
        windowed
        and len({(t.period.kind, t.windows.window) for _, t in windowed if t.windows}) == 1
        and any(t.windows is not None and t.windows.share.value < _HUNDRED for _, t in windowed)
    ):
        tables = [window_allowance(t, context) for _, t in windowed]
        facts = [[name, str(total), *(str(t[i][2]) for t in tables)] for i, (name, total, _) in enumerate(tables[0])]
        misses = "Windows that may miss the bound"
        head = ["Length of the period", "Windows", misses]
        if len(groups) > 1:
            head = ["Length of the period", "Windows", *(f"{misses}: {plan_label(n)}" for n, _ in windowed)]
    return facts, head, rule


_SENTENCES = (
    ast.CreditCap,
    ast.CreditMinimum,
    ast.ClaimWindow,
    ast.ClaimByMonthEnd,
    ast.ServiceTimeCap,
    ast.CreditThreshold,
)
_TIERS = (ast.Tier, ast.OutageTier)


def _credits(
    agreement: ast.Agreement,
    service: ast.Service,
    name: str,
    blocks: list[tuple[list[str], Any]],
    number: str,
    view: View,
) -> dict[str, Any]:
    """A credits clause. One block: its statements in source order, each run of tiers a table,
    `text` where it stands. Several plans' blocks side by side share one table: what stands
    before a block's first tier comes before it, the rest after it, each named by its plans."""
    objective = service.objective(name)
    split = [(block, _fee_split(agreement, service, names)) for names, block in blocks]
    multi = sum(len(groups) for _, groups in split) > 1
    several = len(blocks) > 1

    def rows(block: Any, groups: list[list[str]], tiers: list[Any] | None) -> tuple[list[list[str]], list[bool]]:
        """The rows of `tiers` (every tier of the block when None) for each fee group of the block."""
        out: list[list[str]] = []
        starts: list[bool] = []
        for names in groups:
            label = plan_label(names)
            edition = names[0] if names else None
            if block is None:
                out.append([label, "\u2014", "no service credits", ""])
                starts.append(True)
                continue
            target = objective.target_for(edition) if objective else None
            period = target.period if target else None
            fee = agreement.monthly_fee(service, edition)
            months = period.kind.months if period else None
            length = None if period is None else period_lengths(period.kind, *view.context.span)[0]
            cap = _cap_money(service, edition, period, fee)
            minimum = block.minimum.money.amount if block.minimum else None
            threshold = block.threshold.money.amount if block.threshold else None
            for index, tier in enumerate(block.all_tiers if tiers is None else tiers):
                if isinstance(tier, ast.OutageTier):
                    cells = outage_row(tier, fee, months, cap, minimum, threshold, length)
                elif isinstance(tier.amount, ast.ServiceTime):
                    cells = [tier_condition(tier), amount_words(tier.amount)]
                    cells.append(service_cell(tier.amount, block.service_cap, fee, months, period))
                else:
                    money = tier_money(tier.amount, fee, months, cap, minimum, length)
                    cells = [tier_condition(tier), amount_words(tier.amount), money]
                out.append(([label if index == 0 else ""] if multi else []) + cells)
                starts.append(index == 0)
        return out, starts

    def words(block: Any, groups: list[list[str]], statement: Any) -> dict[str, Any]:
        names = [n for group in groups for n in group]
        label = plan_label(names) if several else None
        if isinstance(statement, ast.Text):
            return _prose_for(statement.body, label)
        edition = names[0] if names else None
        target = objective.target_for(edition) if objective else None
        fees = {agreement.monthly_fee(service, n) for n in names} if names else {agreement.monthly_fee(service, None)}
        context = replace(
            view.context,
            period=target.period if target else None,
            objective=name,
            fee=next(iter(fees)) if len(fees) == 1 else None,
        )
        return _sentence((f"{label}: " if label else "") + phrase(statement, context))

    def table(found: tuple[list[list[str]], list[bool]]) -> dict[str, Any]:
        return {"type": "tiers", "rows": found[0], "starts": found[1]}

    items: list[dict[str, Any]] = []
    if not several and split[0][0] is not None:
        block, groups = split[0]
        run: list[Any] = []
        for statement in [*block.statements, None]:
            if isinstance(statement, _TIERS):
                run.append(statement)
                continue
            if run:
                items.append(table(rows(block, groups, run)))
                run = []
            if isinstance(statement, (ast.Text, *_SENTENCES)):
                items.append(words(block, groups, statement))
    else:
        after: list[dict[str, Any]] = []
        every: tuple[list[list[str]], list[bool]] = ([], [])
        for block, groups in split:
            found = rows(block, groups, None)
            every = (every[0] + found[0], every[1] + found[1])
            if block is None:
                continue
            tiers = [i for i, s in enumerate(block.statements) if isinstance(s, _TIERS)]
            for index, statement in enumerate(block.statements):
                if isinstance(statement, (ast.Text, *_SENTENCES)):
                    leading = not tiers or index < tiers[0]
                    (items if leading else after).append(words(block, groups, statement))
        items += [table(every), *after]
    every_row = [row for item in items if item["type"] == "tiers" for row in item["rows"]]
    every_start = [start for item in items if item["type"] == "tiers" for start in item["starts"]]
    is_latency = objective is not None and isinstance(objective.target, ast.LatencyTarget) and objective.target.upward
    measured = "Measured latency" if is_latency else "Measured availability"
    if objective is not None and isinstance(objective.target, ast.LatencyTarget) and not objective.target.upward:
        measured = "Windows meeting the bound"
    if objective is not None and isinstance(objective.target, ast.DowntimeTarget):
        measured = "Downtime in the period"
    per_outage = any(b is not None and b.outage_tiers for _, b in blocks)
    if per_outage:
        measured = "Outage"
    split_table = sum(item["type"] == "tiers" for item in items) > 1  # `text` stands between tiers
    where = " in the tables below" if split_table else ""
    which = (
        f"the one row of the Customer's plan{where} that applies"
        if multi
        else f"the one row{where or ' below'} that applies"
    )
    intro = (
        f"If the objective \u201c{name}\u201d is not met, the Customer receives a service credit: "
        f"{which} is the worst whose condition holds; rows do not add up."
    )
    if per_outage:
        which = "the Customer's plan's rows" if multi else "the rows"
        intro = (
            f"Each outage of the objective \u201c{name}\u201d that counts earns a credit of its own: of {which}"
            f"{where or ' below'}, the last that applies to the outage; an outage no row applies to earns nothing. "
            "The credits of the period's outages are added up, and the limits of this clause apply to the sum."
        )
    head = [measured, "Credit", "Amount"]
    return {
        "type": "credits",
        "number": number,
        "title": f"Service credits for \u201c{name}\u201d",
        "intro": intro,
        "head": (["Plan"] if multi else []) + (["Outage", "Credit", "Example"] if per_outage else head),
        # the last column holds words (an example outage, service time), not an amount to align
        "worded": per_outage
        or any(isinstance(t.amount, ast.ServiceTime) for _, b in blocks if b is not None for t in b.tiers),
        "items": items,
        # the same content grouped by kind, for templates written before `items`
        "rows": every_row,
        "starts": every_start,
        "sentences": [i["text"] for i in items if i["type"] == "sentence"],
        "prose": [i for i in items if i["type"] == "prose"],
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
