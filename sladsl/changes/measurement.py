"""Changes to how an objective counts downtime: the source of downtime, missing data,
short outages, rounding, whole clock units, share weighting, and what is excluded
(causes, announced maintenance and its cap)."""

from __future__ import annotations

from decimal import Decimal

from sladsl.changes.found import Found, direction, one_side
from sladsl.changes.model import ADVERSE, DEPENDS, FAVOURABLE
from sladsl.changes.words import LENGTH, duration, duration_order, name, pct, quoted, say
from sladsl.language import ast

# ---- measurement -------------------------------------------------------------------------------


def measurement(found: Found, where: str, old: ast.Objective, new: ast.Objective) -> None:
    a, b = old.downtime_source, new.downtime_source
    if a != b:
        if (
            isinstance(a, ast.DowntimeFromErrorRate)
            and isinstance(b, ast.DowntimeFromErrorRate)
            and a.window == b.window
        ):
            found.graded(
                direction(a.above.value, b.above.value),
                False,
                ("error-rate-threshold-raised", "error-rate-threshold-lowered", "error-rate-threshold-changed"),
                lambda verb: (
                    f"In {where}, the error rate that makes a window downtime is {verb} from "
                    f"{pct(a.above)} to {pct(b.above)}."
                ),
                where,
                a,
                b,
            )
            found.graded(
                direction(Decimal(a.min_requests or 0), Decimal(b.min_requests or 0)),
                False,
                ("error-rate-minimum-raised", "error-rate-minimum-lowered", "error-rate-minimum-changed"),
                lambda verb: (
                    f"In {where}, the requests a window needs before it can be downtime are {verb} from "
                    f"{a.min_requests or 0} to {b.min_requests or 0}."
                ),
                where,
                a,
                b,
            )
        else:
            found.add(
                "downtime-source-changed",
                DEPENDS,
                f"In {where}, downtime is measured differently: {say(b, found.context)} (was: {say(a, found.context)}) "
                "The effect depends on the data.",
                where,
                a if a in old.statements else None,
                b if b in new.statements else None,
            )
    if old.missing_counts_as_available != new.missing_counts_as_available:
        available = new.missing_counts_as_available
        found.add(
            "missing-data-counts-available" if available else "missing-data-counts-unavailable",
            ADVERSE if available else FAVOURABLE,
            f"In {where}, time without measurements now counts as {'available' if available else 'unavailable'}.",
            where,
            old.missing_data,
            new.missing_data,
        )
    _ignore(found, where, old.ignore_outages, new.ignore_outages)
    _unit_rule(
        found,
        where,
        "rounding",
        "outages are rounded down to {new} instead of {old}",
        old.round_outages,
        new.round_outages,
    )
    _unit_rule(
        found,
        where,
        "clock-units",
        "only whole clock intervals of {new} count, instead of {old}",
        old.clock_units,
        new.clock_units,
    )
    _weighting(found, where, old, new)


def _ignore(found: Found, where: str, a: ast.IgnoreOutages | None, b: ast.IgnoreOutages | None) -> None:
    if a == b:
        return
    if a is None or b is None:
        added, node = one_side(a, b)
        found.toggled(
            "ignore-outages",
            added,
            ADVERSE,
            f"In {where}, {'short outages are no longer counted' if added else 'short outages count again'}: "
            f"{quoted(node)} is {'added' if added else 'removed'}.",
            where,
            a,
            b,
        )
        return
    order = duration_order(b.shorter_than, a.shorter_than)
    wider = [order == 1, b.or_less and not a.or_less, b.after_exclusions and not a.after_exclusions]
    narrower = [order == -1, a.or_less and not b.or_less, a.after_exclusions and not b.after_exclusions]
    if order is None or (any(wider) and any(narrower)):
        code, kind, verb = "ignore-outages-changed", DEPENDS, "changes"
    elif any(wider):
        code, kind, verb = "ignore-outages-widened", ADVERSE, "ignores more outages"
    else:
        code, kind, verb = "ignore-outages-narrowed", FAVOURABLE, "ignores fewer outages"
    found.add(
        code, kind, f"In {where}, the rule on short outages {verb}: {quoted(b)} instead of {quoted(a)}.", where, a, b
    )


def _unit_rule(
    found: Found,
    where: str,
    stem: str,
    words: str,
    a: ast.RoundOutages | ast.WholeClockUnits | None,
    b: ast.RoundOutages | ast.WholeClockUnits | None,
) -> None:
    """Rounding outages down, and counting only whole clock units: both count less downtime
    the coarser the unit."""
    if a == b:
        return
    if a is None or b is None:
        added, node = one_side(a, b)
        found.toggled(
            f"{stem}",
            added,
            ADVERSE,
            f"In {where}, {quoted(node)} is {'added: less downtime counts' if added else 'removed: more downtime counts'}.",
            where,
            a,
            b,
        )
        return
    found.graded(
        duration_order(b.unit, a.unit),
        False,
        (f"{stem}-coarser", f"{stem}-finer", f"{stem}-changed"),
        lambda verb: (
            f"In {where}, {words.format(new=duration(b.unit), old=duration(a.unit))} "
            f"({'less' if verb == 'raised' else 'more'} downtime counts)."
        ),
        where,
        a,
        b,
    )


def _weighting(found: Found, where: str, old: ast.Objective, new: ast.Objective) -> None:
    a = next((s for s in old.statements if isinstance(s, ast.WeightByAffected)), None)
    b = next((s for s in new.statements if isinstance(s, ast.WeightByAffected)), None)
    if a == b:
        return
    if a is None or b is None:
        added = b is not None
        found.toggled(
            "share-weighting",
            added,
            ADVERSE,
            f"In {where}, downtime is {'now' if added else 'no longer'} weighted by the share affected"
            + (
                ": an outage that affects part of the service counts in part."
                if added
                else ": every outage counts in full."
            ),
            where,
            a,
            b,
        )
        return
    found.add(
        "share-weighting-adds-overlaps" if b.adding else "share-weighting-largest-share",
        FAVOURABLE if b.adding else ADVERSE,
        f"In {where}, overlapping outages now count at "
        + ("the sum of their shares (at most 1)" if b.adding else "the largest share only")
        + (" instead of the largest share only." if b.adding else " instead of the sum of their shares."),
        where,
        a,
        b,
    )


# ---- exclusions ------------------------------------------------------------------------------


def exclusions(found: Found, where: str, old: ast.Objective, new: ast.Objective) -> None:
    before, after = old.excluded_causes, new.excluded_causes
    statement_old = next((s for s in old.statements if isinstance(s, ast.ExcludeCauses)), None)
    statement_new = next((s for s in new.statements if isinstance(s, ast.ExcludeCauses)), None)
    for cause in after:
        if cause not in before:
            found.add(
                "exclusion-cause-added",
                ADVERSE,
                f"In {where}, incidents caused by {name(cause)} are no longer counted as downtime.",
                where,
                statement_old,
                statement_new,
            )
    for cause in before:
        if cause not in after:
            found.add(
                "exclusion-cause-removed",
                FAVOURABLE,
                f"In {where}, incidents caused by {name(cause)} now count as downtime.",
                where,
                statement_old,
                statement_new,
            )
    _maintenance(found, where, old.maintenance, new.maintenance)


def _maintenance(found: Found, where: str, a: ast.ExcludeMaintenance | None, b: ast.ExcludeMaintenance | None) -> None:
    if a == b:
        return
    if a is None or b is None:
        added, node = one_side(a, b)
        text = say(node, found.context)
        found.toggled(
            "maintenance-exclusion",
            added,
            ADVERSE,
            f"In {where}, announced maintenance is {'now excluded' if added else 'no longer excluded'}: "
            + (text if added else "all maintenance counts as downtime."),
            where,
            a,
            b,
        )
        return
    found.graded(
        duration_order(b.notice, a.notice),
        True,
        ("maintenance-notice-lengthened", "maintenance-notice-shortened", "maintenance-notice-changed"),
        lambda verb: (
            f"In {where}, the notice that excludes maintenance is {LENGTH[verb]} "
            f"from {duration(a.notice)} to {duration(b.notice)}."
        ),
        where,
        a,
        b,
    )
    ca, cb = a.cap, b.cap
    if ca == cb:
        return
    if ca is None or cb is None:
        added, limit = one_side(ca, cb)
        found.toggled(
            "maintenance-cap",
            added,
            FAVOURABLE,
            f"In {where}, excluded maintenance is {'now limited to' if added else 'no longer limited to'} "
            f"{duration(limit.limit)} per {limit.period.kind.value}.",
            where,
            a,
            b,
        )
        return
    if ca.period != cb.period:
        found.add(
            "maintenance-cap-period-changed",
            DEPENDS,
            f"In {where}, the maintenance cap is counted per {cb.period.kind.value} instead of per {ca.period.kind.value}.",
            where,
            a,
            b,
        )
    found.graded(
        duration_order(cb.limit, ca.limit),
        False,
        ("maintenance-cap-raised", "maintenance-cap-lowered", "maintenance-cap-changed"),
        lambda verb: (
            f"In {where}, the most maintenance that may be excluded is {verb} from {duration(ca.limit)} "
            f"to {duration(cb.limit)} per {cb.period.kind.value}."
        ),
        where,
        a,
        b,
    )
