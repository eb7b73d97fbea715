"""Changes to credits: each plan's block for an objective, its tiers (threshold and amount),
per-outage tiers, caps, minimum, payment threshold and the claim deadline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sladsl.changes.found import Found, direction, matched, one_side, order_only, per_plan, prose
from sladsl.changes.model import ADVERSE, DEPENDS, FAVOURABLE
from sladsl.changes.words import amount, duration, duration_order, money, name, pct, quoted, threshold
from sladsl.language import ast


def compare_credits(found: Found, service: str, objective: str, old: ast.Service, new: ast.Service) -> None:
    def pick(plan: str | None, new_side: bool) -> ast.Credits | None:
        return (new if new_side else old).credits_for(objective, plan)

    for before, after, plans in per_plan(found, pick):
        on = found.plan_words(plans)
        where = f"{service} / credits for {objective}" + on.replace(" on ", " / ", 1)
        of = f"the credits for {name(objective)} of {service}{on}"
        if before is None or after is None:
            added = after is not None
            found.toggled(
                "credits",
                added,
                FAVOURABLE,
                f"{of[0].upper()}{of[1:]} are {'new: the Customer is now credited' if added else 'removed: no credit is owed'} "
                "when the objective is breached.",
                where,
                before,
                after,
            )
            continue
        _block(found, where, of, before, after)


def _block(found: Found, where: str, of: str, old: ast.Credits, new: ast.Credits) -> None:
    pairs, removed, added = matched(old.tiers, new.tiers, lambda t: (t.comparison, t.threshold))
    for a, b in pairs:
        _tier(found, where, of, a, b)
    for t in removed:
        found.add("tier-removed", ADVERSE, f"In {of}, the tier {quoted(t)} is removed.", where, t, None)
    for t in added:
        found.add("tier-added", FAVOURABLE, f"In {of}, a tier is added: {quoted(t)}.", where, None, t)
    outage_pairs, gone, new_ones = matched(old.outage_tiers, new.outage_tiers, lambda t: t.longer_than)
    for oa, ob in outage_pairs:
        _outage_tier(found, where, of, oa, ob)
    for ot in gone:
        found.add("tier-removed", ADVERSE, f"In {of}, the per-outage tier {quoted(ot)} is removed.", where, ot, None)
    for ot in new_ones:
        found.add("tier-added", FAVOURABLE, f"In {of}, a per-outage tier is added: {quoted(ot)}.", where, None, ot)
    _cap(found, where, of, "credit-cap", old.period_cap, new.period_cap)
    rolling, dropped, extra = matched(old.rolling_caps, new.rolling_caps, lambda c: c.rolling)
    for ca, cb in rolling:
        _cap(found, where, of, "rolling-cap", ca, cb)
    for c in dropped:
        _cap(found, where, of, "rolling-cap", c, None)
    for c in extra:
        _cap(found, where, of, "rolling-cap", None, c)
    service_caps = [c for c in old.statements if isinstance(c, ast.ServiceTimeCap)]
    service_caps_new = [c for c in new.statements if isinstance(c, ast.ServiceTimeCap)]
    st_pairs, st_old, st_new = matched(service_caps, service_caps_new, lambda c: c.rolling)
    for sa, sb in st_pairs:
        _cap(found, where, of, "service-time-cap", sa, sb)
    for sc in st_old:
        _cap(found, where, of, "service-time-cap", sc, None)
    for sc in st_new:
        _cap(found, where, of, "service-time-cap", None, sc)
    _money_floor(found, where, of, "credit-minimum", "the minimum credit", old.minimum, new.minimum)
    _money_floor(
        found,
        where,
        of,
        "payment-threshold",
        "the amount a credit must exceed to be paid",
        old.threshold,
        new.threshold,
    )
    _claim(found, where, of, old.claim_window, new.claim_window)
    prose(found, old.statements, new.statements, where)
    order_only(found, old.statements, new.statements, where, old, new)


def _tier(found: Found, where: str, of: str, a: ast.Tier, b: ast.Tier) -> None:
    if a.comparison.upward != b.comparison.upward or type(a.threshold) is not type(b.threshold):
        found.add(
            "tier-changed",
            DEPENDS,
            f"In {of}, the tier {quoted(a)} becomes {quoted(b)}; the effect depends on the data.",
            where,
            a,
            b,
        )
        return
    if a.threshold != b.threshold or a.comparison != b.comparison:
        if isinstance(a.threshold, ast.Percent) and isinstance(b.threshold, ast.Percent):
            moved: int | None = direction(a.threshold.value, b.threshold.value)
        else:
            assert isinstance(a.threshold, ast.Duration) and isinstance(b.threshold, ast.Duration)
            moved = duration_order(b.threshold, a.threshold)
        # a `below` tier applies sooner with a higher threshold; an `above` tier with a lower one
        easier = None if moved is None else (moved if not b.comparison.upward else -moved)
        if easier == 0:
            easier = (b.comparison.inclusive and not a.comparison.inclusive) - (
                a.comparison.inclusive and not b.comparison.inclusive
            )
        if easier is None:
            found.add(
                "tier-threshold-changed", DEPENDS, f"In {of}, the tier {quoted(a)} now reads {quoted(b)}.", where, a, b
            )
        elif easier:
            found.add(
                "tier-threshold-eased" if easier > 0 else "tier-threshold-tightened",
                FAVOURABLE if easier > 0 else ADVERSE,
                f"In {of}, the tier for {a.comparison.value} {threshold(a.threshold)} now applies "
                f"{b.comparison.value} {threshold(b.threshold)}: "
                + ("it applies sooner." if easier > 0 else "it applies only to a worse breach."),
                where,
                a,
                b,
            )
    _amount(
        found,
        where,
        f"{of}, the credit of the tier {b.comparison.value} {threshold(b.threshold)}",
        a.amount,
        b.amount,
        a,
        b,
    )


def _amount(found: Found, where: str, of: str, a: ast.CreditAmount, b: ast.CreditAmount, na: Any, nb: Any) -> None:
    if a == b:
        return
    moved: int | None = None
    if isinstance(a, ast.PercentOfFee) and isinstance(b, ast.PercentOfFee) and a.base == b.base:
        moved = direction(a.percent.value, b.percent.value)
    elif isinstance(a, ast.FixedCredit) and isinstance(b, ast.FixedCredit) and a.money.currency == b.money.currency:
        moved = direction(a.money.amount, b.money.amount)
    elif isinstance(a, ast.TimesDowntimeFees) and isinstance(b, ast.TimesDowntimeFees):
        moved = direction(a.factor, b.factor)
    elif isinstance(a, ast.ServiceTime) and isinstance(b, ast.ServiceTime):
        moved = duration_order(b.duration, a.duration)
    found.graded(
        moved,
        True,
        ("tier-amount-raised", "tier-amount-lowered", "tier-amount-changed"),
        lambda verb: f"In {of} is {verb} from {amount(a)} to {amount(b)}.",
        where,
        na,
        nb,
    )


def _outage_tier(found: Found, where: str, of: str, a: ast.OutageTier, b: ast.OutageTier) -> None:
    if a.longer_than != b.longer_than:
        if a.longer_than is None or b.longer_than is None:
            moved: int | None = 1 if b.longer_than is not None else -1
        else:
            moved = duration_order(b.longer_than, a.longer_than)
        found.graded(
            None if moved is None else -moved,
            True,
            ("tier-threshold-eased", "tier-threshold-tightened", "tier-threshold-changed"),
            lambda verb: (
                f"In {of}, the per-outage tier now applies to outages longer than {duration(b.longer_than)} "
                f"instead of {duration(a.longer_than)}."
            ),
            where,
            a,
            b,
        )
    of_tier = f"{of}, the credit of the per-outage tier"
    if a.per != b.per or a.started != b.started:
        if a.per == b.per:
            found.graded(
                1 if b.started else -1,
                True,
                ("tier-amount-raised", "tier-amount-lowered", "tier-amount-changed"),
                lambda verb: (
                    f"In {of_tier} is {verb}: it is now paid per "
                    + ("every started unit" if b.started else "whole unit only")
                    + f" of {duration(b.per)}."
                ),
                where,
                a,
                b,
            )
        else:
            found.add(
                "tier-amount-changed",
                DEPENDS,
                f"In {of}, the per-outage tier {quoted(a)} becomes {quoted(b)}.",
                where,
                a,
                b,
            )
    _amount(found, where, of_tier, a.amount, b.amount, a, b)
    if a.cap != b.cap:
        if a.cap is None or b.cap is None:
            capped = b.cap is not None
            found.toggled(
                "credit-cap",
                capped,
                ADVERSE,
                f"In {of}, one outage's credit is {'now limited to ' + amount(b.cap) if b.cap else 'no longer limited'}.",
                where,
                a,
                b,
            )
        else:
            _amount(found, where, f"{of}, the cap on one outage's credit", a.cap, b.cap, a, b)


def _cap(
    found: Found,
    where: str,
    of: str,
    stem: str,
    a: ast.CreditCap | ast.ServiceTimeCap | None,
    b: ast.CreditCap | ast.ServiceTimeCap | None,
) -> None:
    """A cap on credits: a lower cap (or a new one) is adverse, a longer rolling span too."""
    if a == b:
        return
    span = "" if (b or a) is None or (b or a).rolling is None else f" in any {duration((b or a).rolling)}"  # type: ignore[union-attr]
    if a is None or b is None:
        added = b is not None
        found.toggled(
            f"{stem}",
            added,
            ADVERSE,
            f"In {of}, credits are {'now capped: ' + quoted(b) if added else 'no longer capped by ' + quoted(a)}.",
            where,
            a,
            b,
        )
        return
    if a.rolling != b.rolling:
        moved = None if a.rolling is None or b.rolling is None else duration_order(b.rolling, a.rolling)
        found.graded(
            moved,
            False,
            (f"{stem}-span-lengthened", f"{stem}-span-shortened", f"{stem}-changed"),
            lambda verb: f"In {of}, the cap {quoted(a)} now reads {quoted(b)}.",
            where,
            a,
            b,
        )
    if isinstance(a, ast.CreditCap) and isinstance(b, ast.CreditCap):
        level: int | None = direction(a.percent.value, b.percent.value) if a.base == b.base else None
        old_words, new_words = f"{pct(a.percent)} of {a.base.value}", f"{pct(b.percent)} of {b.base.value}"
    else:
        assert isinstance(a, ast.ServiceTimeCap) and isinstance(b, ast.ServiceTimeCap)
        level = duration_order(b.limit.duration, a.limit.duration)
        old_words, new_words = amount(a.limit), amount(b.limit)
    found.graded(
        level,
        True,
        (f"{stem}-raised", f"{stem}-lowered", f"{stem}-changed"),
        lambda verb: f"In {of}, the cap on credits{span} is {verb} from {old_words} to {new_words}.",
        where,
        a,
        b,
    )


def _money_floor(
    found: Found,
    where: str,
    of: str,
    stem: str,
    words: str,
    a: ast.CreditMinimum | ast.CreditThreshold | None,
    b: ast.CreditMinimum | ast.CreditThreshold | None,
) -> None:
    """`minimum` and `pay credits only above`: a smaller credit is not paid, so higher is adverse."""
    if a == b:
        return
    if a is None or b is None:
        node: ast.CreditMinimum | ast.CreditThreshold
        added, node = one_side(a, b)
        found.toggled(
            f"{stem}",
            added,
            ADVERSE,
            f"In {of}, {words} is {'now' if added else 'no longer'} {money(node.money)}: "
            + ("smaller credits are not paid." if added else "small credits are paid too."),
            where,
            a,
            b,
        )
        return
    same = a.money.currency == b.money.currency
    found.graded(
        direction(a.money.amount, b.money.amount) if same else None,
        False,
        (f"{stem}-raised", f"{stem}-lowered", f"{stem}-changed"),
        lambda verb: f"In {of}, {words} is {verb} from {money(a.money)} to {money(b.money)}.",
        where,
        a,
        b,
    )


def _claim(found: Found, where: str, of: str, a: ast.Claim | None, b: ast.Claim | None) -> None:
    if a == b:
        return
    if a is None or b is None:
        added = b is not None
        found.toggled(
            "claim-deadline",
            added,
            ADVERSE,
            f"In {of}, "
            + (
                f"the Customer must now claim: {quoted(b)}."
                if added
                else "the Customer no longer has a claim deadline."
            ),
            where,
            a,
            b,
        )
        return
    moved: int | None = None
    if isinstance(a, ast.ClaimByMonthEnd) and isinstance(b, ast.ClaimByMonthEnd):
        moved = direction(Decimal(a.months_after), Decimal(b.months_after))
    elif isinstance(a, ast.ClaimWindow) and isinstance(b, ast.ClaimWindow):
        if a.from_outage != b.from_outage:
            found.add(
                "claim-window-start-changed",
                DEPENDS,
                f"In {of}, the claim window now runs {_start(b)} instead of {_start(a)}.",
                where,
                a,
                b,
            )
        if a.calendar != b.calendar:
            found.add(
                "claim-window-calendar-changed",
                DEPENDS,
                f"In {of}, the claim window counts "
                + (f"business days of the {name(b.calendar)} calendar" if b.calendar else "calendar days")
                + " instead of "
                + (f"business days of the {name(a.calendar)} calendar." if a.calendar else "calendar days."),
                where,
                a,
                b,
            )
        moved = duration_order(b.within, a.within) if a.within != b.within else 0
    found.graded(
        moved,
        True,
        ("claim-window-lengthened", "claim-window-shortened", "claim-window-changed"),
        lambda verb: (
            f"In {of}, the time to claim is "
            + {"raised": "lengthened", "lowered": "shortened", "changed": "changed"}[verb]
            + f": {quoted(b)} instead of {quoted(a)}."
        ),
        where,
        a,
        b,
    )


def _start(w: ast.ClaimWindow) -> str:
    if w.from_outage is ast.OutageEdge.START:
        return "from the start of the outage"
    if w.from_outage is ast.OutageEdge.END:
        return "from the end of the outage"
    return "from the end of the period"
