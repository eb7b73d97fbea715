"""What every monitoring target shares: the compiled result, the copies per plan, warnings said
once, unique names, exact numbers, PromQL strings and label selectors, and the burn-rate window
catalog per period.

Why its own module: the Prometheus rules, the PrometheusRule resource, OpenSLO and the Grafana
dashboard all build on these, and none of them should have to import another target to get
them (that made an import circle: prometheus -> openslo -> prometheus).
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sladsl.language import ast
from sladsl.language.ast import PeriodKind
from sladsl.language.invisible import escaped
from sladsl.language.plans import for_plan, plan_copies

# Burn-rate windows per period, as Sloth's window catalogs give them (docs/monitoring.md):
# (severity, [(long window, short window, burn-rate factor)]). The factors are the SRE
# workbook's 14.4, 6, 3 and 1 for every period. A week and a month keep the workbook's windows;
# a quarter scales them by 3 and a year by 12, so that each alert still means about the same
# share of the period's budget (2%, 5%, 10%, 10%) and its threshold (factor x budget) stays
# below 1, where an error ratio can reach it, for every target above 93%.
_WORKBOOK = (
    ("page", (("1h", "5m", Decimal("14.4")), ("6h", "30m", Decimal(6)))),
    ("ticket", (("1d", "2h", Decimal(3)), ("3d", "6h", Decimal(1)))),
)
CATALOG: dict[PeriodKind, tuple[tuple[str, tuple[tuple[str, str, Decimal], ...]], ...]] = {
    PeriodKind.WEEK: _WORKBOOK,
    PeriodKind.MONTH: _WORKBOOK,
    PeriodKind.QUARTER: (
        ("page", (("3h", "15m", Decimal("14.4")), ("18h", "90m", Decimal(6)))),
        ("ticket", (("3d", "6h", Decimal(3)), ("9d", "18h", Decimal(1)))),
    ),
    PeriodKind.YEAR: (
        ("page", (("12h", "1h", Decimal("14.4")), ("3d", "6h", Decimal(6)))),
        ("ticket", (("12d", "1d", Decimal(3)), ("36d", "3d", Decimal(1)))),
    ),
}
PERIOD_WINDOW = {PeriodKind.MONTH: "30d", PeriodKind.QUARTER: "90d", PeriodKind.YEAR: "365d", PeriodKind.WEEK: "7d"}
PERIOD_HOURS = {PeriodKind.MONTH: 720, PeriodKind.QUARTER: 2160, PeriodKind.YEAR: 8760, PeriodKind.WEEK: 168}
_UNIT_HOURS = {"m": Decimal(1) / 60, "h": Decimal(1), "d": Decimal(24)}


@functools.lru_cache(maxsize=64)
def window_hours(window: str) -> Decimal:
    """A catalog window (`5m`, `90m`, `18h`, `36d`) in hours."""
    return Decimal(window[:-1]) * _UNIT_HOURS[window[-1]]


def windows(kind: PeriodKind) -> list[str]:
    """The error-ratio windows recorded for a period: the catalog's, shortest first, then the period."""
    return list(_windows(kind))


@functools.lru_cache(maxsize=8)
def _windows(kind: PeriodKind) -> tuple[str, ...]:
    used = {w for _, pairs in CATALOG[kind] for long, short, _ in pairs for w in (long, short)}
    return (*sorted(used, key=window_hours), PERIOD_WINDOW[kind])


def number(value: Decimal) -> str:
    """A Decimal as Prometheus reads it, exactly: 0.0144, never 0.014400000000000001."""
    text = format(value.normalize(), "f")
    return text


def burn_factor(kind: PeriodKind, long_window: str, share: Decimal) -> Decimal:
    """How many times faster than sustainable the budget burns when `share` of it goes in the window."""
    return share * PERIOD_HOURS[kind] / window_hours(long_window)


def budget_share(kind: PeriodKind, long_window: str, factor: Decimal) -> Decimal:
    """The share of the period's budget that a burn at `factor` spends in the long window."""
    return factor * window_hours(long_window) / PERIOD_HOURS[kind]


@dataclass
class Compiled:
    """What a target gives back: its documents, and the warnings about what it left out."""

    documents: list[Any] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def copies_to_compile(agreement: ast.Agreement, plan: str | None) -> list[tuple[str | None, ast.Agreement]]:
    """The copies to compile: `plan`'s only, else every declared plan's (one copy without plans)."""
    if plan is not None and agreement.plans:
        return [(plan, for_plan(agreement, plan))]
    return plan_copies(agreement)


class Warnings:
    """Warnings per objective, said once for the plans they concern rather than once per plan."""

    def __init__(self, plans: list[str | None]) -> None:
        self.plans = plans
        self.found: dict[tuple[str, str], list[str | None]] = {}

    def add(self, head: str, reason: str, plan: str | None) -> None:
        self.found.setdefault((head, reason), []).append(plan)

    def lines(self) -> list[str]:
        out = []
        for (head, reason), plans in self.found.items():
            named = [p for p in plans if p is not None]
            on = ""
            if named and len(named) < len(self.plans):
                word = "plan" if len(named) == 1 else "plans"
                on = f" on {word} " + ", ".join(f"\u201c{p}\u201d" for p in named)
            out.append(f"{head}{on}: {reason}")
        return out


def unique_name(name: str, taken: set[str], limit: int | None = None) -> str:
    """`name`, or `name_2`, `name-3`... when an earlier group or document already has it."""
    candidate, n = name, 1
    separator = "-" if limit else "_"
    while candidate in taken:
        n += 1
        suffix = f"{separator}{n}"
        candidate = (name[: limit - len(suffix)] if limit else name) + suffix
    taken.add(candidate)
    return candidate


def objective_labels(
    agreement: ast.Agreement, service: ast.Service, objective: ast.Objective, plan: str | None = None
) -> dict[str, str]:
    """The labels that tell one objective's series from another's (and one plan's, with plans)."""
    labels = {"agreement": agreement.title, "service": service.name, "objective": objective.name}
    if plan is not None:
        labels["plan"] = plan
    return labels


def routing_labels(agreement: ast.Agreement, target: ast.Target) -> dict[str, str]:
    """Labels every alert carries besides the objective's and `severity`, for Alertmanager routes
    and inhibitions (docs/monitoring.md, samples/monitoring/alertmanager.yml): the period the
    budget is for, and the provider when the agreement names one."""
    labels = {"period": target.period.kind.value}
    if agreement.provider:
        labels["provider"] = agreement.provider
    return labels


def label_selector(labels: dict[str, str]) -> str:
    """The labels as PromQL matchers, every value escaped (`promql_string`)."""
    return ", ".join(f'{k}="{promql_string(v)}"' for k, v in labels.items())


_PROMQL_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def promql_string(value: str) -> str:
    """The body of a PromQL double-quoted string (a label matcher's value): quotes, backslashes
    and every hidden character escaped (`sladsl.language.invisible`), so that nothing in a name can end
    the string or, as a NEL (U+0085) did, become a line break when YAML reads the rule."""
    return escaped(value.replace("\\", "\\\\").replace('"', '\\"'), _PROMQL_SHORT)


def prom_duration(seconds: Decimal) -> str | None:
    """A fixed length as a Prometheus duration (1d, 1h, 30m, 90s, 500ms); None below 1 ms."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds % size == 0:
            return f"{int(seconds / size)}{unit}"
    ms = seconds * 1000
    return f"{int(ms)}ms" if ms == ms.to_integral_value() and ms > 0 else None


def dns_name(*parts: str) -> str:
    """A Kubernetes / OpenSLO name: lower-case DNS label characters, at most 63 of them."""
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
    return slug[:63].rstrip("-") or "slo"


def hashed_name(*parts: str, limit: int = 63) -> str:
    """A DNS name unique to `parts` and stable across runs: a slug of at most `limit` - 9
    characters, then `-` and 8 hex digits of SHA-256 of the parts as written (issue 20 item 8).
    Titles that slug alike ("日本語", "---", "🚀🚀" all slug to nothing) or that share their first
    characters get different names; the same title always gets the same one."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:8]
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
    return f"{slug[: limit - 9].rstrip('-') or 'sla'}-{digest}"


# Long windows from short recordings (issue 20 item 5): a window of a day or more is summed from
# recordings of bad and all events over 5-minute tiles (`sum_over_time(...[W:5m])`, one sample per
# tile), one of a week or more (and the period window) from hourly tiles (`[W:1h]`). Shorter
# windows read the raw series, as Sloth's do. A tile lags the window's end by less than its length.
TILE_FROM = Decimal(24)  # hours: windows at least this long are summed from 5-minute tiles
HOUR_TILE_FROM = Decimal(168)  # hours: and from hourly tiles from a week


@functools.lru_cache(maxsize=64)
def tile_of(window: str, period_window: str) -> str | None:
    """The recording a window is summed from (`5m` or `1h`), or None when it reads the raw series."""
    hours = window_hours(window)
    if window == period_window or hours >= HOUR_TILE_FROM:
        return "1h"
    return "5m" if hours >= TILE_FROM else None


@functools.lru_cache(maxsize=64)
def tiles_range(seconds: int | Decimal) -> str:
    """A subquery range holding exactly `seconds` / step tiles: one second short of the window
    (`29d23h59m59s` for 30 days), since Prometheus 2 includes a step at the range's start and
    Prometheus 3 does not; one second short, both count the same steps."""
    rest, parts = int(seconds) - 1, []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(parts)


def interval_problem(interval: str | None) -> str | None:
    """Why a rule-group `interval` is unusable, or None: a Prometheus duration that divides 5m."""
    if interval is None:
        return None
    found = re.fullmatch(r"([1-9][0-9]*)(s|m)", interval)
    if found is None or 300 % (int(found.group(1)) * (60 if found.group(2) == "m" else 1)) != 0:
        return f"--interval {interval!r}: give seconds or minutes that divide 5 minutes (15s, 30s, 1m, 5m)"
    return None
