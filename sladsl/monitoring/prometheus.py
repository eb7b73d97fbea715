"""`sladsl compile`: objectives as Prometheus rules and OpenSLO v1 documents.

For Prometheus, each objective with a `monitor prometheus` block gets recording rules
for its error ratio over the windows that multi-window, multi-burn-rate alerting needs,
and a page and a ticket alert at the SRE workbook's burn rates (14.4x and 6x page, 3x and
1x open a ticket) over windows from a catalog per period (`CATALOG`, after Sloth's), an
alert when the metrics are absent, and Sloth's summary series (budget remaining, burn
rates, an info series). Numbers are Decimals printed exactly. An objective that cannot
be compiled, or a burn rate no error ratio can reach, is a warning that names it, never
silently dropped. `kubernetes` wraps the rules in a PrometheusRule; `sladsl.monitoring.grafana`
builds a Grafana dashboard on the summary series.

Draft 2: with `plans`, every plan gets its own rules (a `plan` label, a group per plan),
or one plan's with `--plan`. A latency objective judged window by window compiles to a
recording of whether each window met its bound and the share of good windows over the
period, not to request-ratio burn rates (docs/monitoring.md says how they relate).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sladsl.documents.phrases import Context, allowed_downtime, phrase
from sladsl.language import ast
from sladsl.language.ast import PeriodKind
from sladsl.language.invisible import escaped
from sladsl.language.periods import REFERENCE_YEAR, SPAN_YEARS
from sladsl.language.plans import for_plan, plan_copies
from sladsl.language.units import describe_duration
from sladsl.monitoring.yaml_text import to_yaml as to_yaml  # re-exported: `monitoring.to_yaml` is public

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


def window_hours(window: str) -> Decimal:
    """A catalog window (`5m`, `90m`, `18h`, `36d`) in hours."""
    return Decimal(window[:-1]) * _UNIT_HOURS[window[-1]]


def windows(kind: PeriodKind) -> list[str]:
    """The error-ratio windows recorded for a period: the catalog's, shortest first, then the period."""
    used = {w for _, pairs in CATALOG[kind] for long, short, _ in pairs for w in (long, short)}
    return [*sorted(used, key=window_hours), PERIOD_WINDOW[kind]]


FOR = {"page": "2m", "ticket": "15m"}
ABSENT_FOR = "10m"


@dataclass
class Compiled:
    documents: list[Any] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _copies(agreement: ast.Agreement, plan: str | None) -> list[tuple[str | None, ast.Agreement]]:
    """The copies to compile: `plan`'s only, else every declared plan's (one copy without plans)."""
    if plan is not None and agreement.plans:
        return [(plan, for_plan(agreement, plan))]
    return plan_copies(agreement)


class _Warnings:
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


def _unique(name: str, taken: set[str], limit: int | None = None) -> str:
    """`name`, or `name_2`, `name-3`... when an earlier group or document already has it."""
    candidate, n = name, 1
    separator = "-" if limit else "_"
    while candidate in taken:
        n += 1
        suffix = f"{separator}{n}"
        candidate = (name[: limit - len(suffix)] if limit else name) + suffix
    taken.add(candidate)
    return candidate


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


@dataclass(frozen=True)
class _Sli:
    """An objective as a ratio of bad events: the query text with `{{window}}` left in."""

    ratio: str
    target: Decimal  # as a fraction: 0.999
    good: str | None = None
    bad: str | None = None
    total: str | None = None
    threshold: str | None = None  # a query whose value is compared (OpenSLO threshold metric)
    threshold_limit: Decimal | None = None


def _labels(
    agreement: ast.Agreement, service: ast.Service, objective: ast.Objective, plan: str | None = None
) -> dict[str, str]:
    labels = {"agreement": agreement.title, "service": service.name, "objective": objective.name}
    if plan is not None:
        labels["plan"] = plan
    return labels


def _selector(labels: dict[str, str]) -> str:
    return ", ".join(f'{k}="{promql_string(v)}"' for k, v in labels.items())


def _le(seconds: Decimal) -> str:
    text = number(seconds)
    return f'le=~"{re.escape(text)}(\\\\.0)?"' if "." not in text else f'le="{text}"'


_HISTOGRAM = re.compile(r"\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*(?:\{(.*)\})?\s*", re.DOTALL)


@dataclass(frozen=True)
class Histogram:
    """`histogram "NAME"` or `histogram "NAME{job=\"api\"}"`: the matchers go inside each series' braces."""

    name: str
    matchers: str = ""

    def series(self, suffix: str, *extra: str) -> str:
        """`NAME_bucket{job="api", le="0.15"}`; without matchers `NAME_count` as draft 1 wrote it."""
        inside = ", ".join(m for m in (self.matchers, *extra) if m)
        return f"{self.name}_{suffix}" + (f"{{{inside}}}" if inside else "")


def histogram_of(monitor: ast.Monitor | None) -> tuple[Histogram | None, str]:
    """The monitor's histogram (None and '' when it has none), or None and why it is unusable."""
    text = monitor.query("histogram") if monitor is not None else None
    if not text:
        return None, ""
    found = _HISTOGRAM.fullmatch(text)
    if found is None:
        return None, (
            f"its histogram {text!r} is not a metric name with optional label matchers "
            '(write `histogram "NAME"` or `histogram "NAME{job=\\"api\\"}"`)'
        )
    matchers = (found.group(2) or "").strip().rstrip(",").strip()
    if re.search(r"(^|[\s,{])le\s*(=|!=|=~|!~)", matchers):
        return None, f"its histogram {text!r} has an `le` matcher; sladsl chooses the bucket from the bound"
    return Histogram(found.group(1), matchers), ""


def sli(objective: ast.Objective) -> tuple[_Sli | None, str]:
    """The objective as a ratio, or None and the reason it cannot be compiled."""
    monitor = objective.monitor
    target = objective.target
    if target is None:
        return None, "it has no target"
    if monitor is None:
        return None, "it has no `monitor prometheus` block"
    errors, good, total = monitor.query("errors"), monitor.query("good"), monitor.query("total")
    latency = monitor.query("latency")
    histogram, unusable = histogram_of(monitor)
    if isinstance(target, ast.LatencyTarget):
        limit = target.limit.seconds
        if target.windows is not None:
            return None, "a latency objective judged window by window has no request ratio"
        if unusable and target.percentile is not None:
            return None, unusable
        if target.percentile is not None and histogram:
            bucket = f"sum(rate({histogram.series('bucket', _le(limit))}[{{{{window}}}}]))"
            count = f"sum(rate({histogram.series('count')}[{{{{window}}}}]))"
            return _Sli(f"1 - ({bucket} / {count})", target.percentile / 100, good=bucket, total=count), ""
        if latency:
            return _Sli("", Decimal(1), threshold=latency, threshold_limit=limit), "threshold"
        return None, "a latency objective needs a `histogram` (for a percentile) or a `latency` query"
    fraction = target.percent.value / 100
    if errors and total:
        return _Sli(f"({errors}) / ({total})", fraction, bad=errors, total=total), ""
    if good and total:
        return _Sli(f"1 - (({good}) / ({total}))", fraction, good=good, total=total), ""
    return None, "an availability objective needs `total` with `errors` or `good`"


def _context(agreement: ast.Agreement) -> Context:
    """Period lengths as the document states them: the agreement's zone, over its term."""
    years = SPAN_YEARS
    term = agreement.term
    if term is not None and term.unit in (ast.TimeUnit.YEAR, ast.TimeUnit.MONTH):
        years = max(years, int(term.amount / (12 if term.unit is ast.TimeUnit.MONTH else 1)) + 2)
    first_year = agreement.effective.year if agreement.effective else REFERENCE_YEAR
    return Context(zone=agreement.timezone, first_year=first_year, years=years)


def _clause_words(agreement: ast.Agreement, objective: ast.Objective) -> str:
    target = objective.target
    return _target_words(_Same(target), _context(agreement))[0] if target is not None else objective.name


class _Same:
    """A node as a cache key, compared by identity: every plan's copy of an objective shares
    its target, and the target's own hash would hash every plan it is `on` (r13)."""

    __slots__ = ("node",)

    def __init__(self, node: ast.Target) -> None:
        self.node = node

    def __hash__(self) -> int:
        return id(self.node)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.node is self.node


@functools.lru_cache(maxsize=256)
def _target_words(target: _Same, context: Context) -> tuple[str, str]:
    """The clause's sentence and the allowed downtime, phrased once for all plans sharing them."""
    clause = phrase(target.node, context)
    allowed = ""
    if isinstance(target.node, ast.AvailabilityTarget):
        allowed = "; ".join(f"{d} in {n}" for n, d in allowed_downtime(target.node, context))
    return clause, allowed


RUNBOOK_FIELDS = ("alert", "agreement", "service", "objective", "plan")


def runbook_problem(template: str) -> str | None:
    """Why a `--runbook-url` template is unusable, or None: only the fields above may appear in braces."""
    for found in re.finditer(r"\{([^{}]*)\}", template):
        if found.group(1) not in RUNBOOK_FIELDS:
            fields = ", ".join(f"{{{f}}}" for f in RUNBOOK_FIELDS)
            return f"--runbook-url: unknown field {found.group(0)!r} (the fields are {fields})"
    return None


def runbook_url(template: str, alert: str, labels: dict[str, str]) -> str:
    """The template with each field replaced: the alert name as is, names as lower-case slugs."""
    values = {"alert": alert, **{f: _slug(labels.get(f, "")) for f in RUNBOOK_FIELDS[1:]}}
    return re.sub(r"\{(" + "|".join(RUNBOOK_FIELDS) + r")\}", lambda m: values[m.group(1)], template)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def prometheus(agreement: ast.Agreement, plan: str | None = None, runbook: str | None = None) -> Compiled:
    """Rules for every plan's terms, each with a `plan` label; `plan`'s only when given.

    Without `plans` declared the output is what draft 1 gave: no `plan` label. With `runbook`
    (a URL template, see `runbook_url`) every alert gets a `runbook_url` annotation.
    """
    from sladsl.monitoring.windows import window_rules  # builds on this module's helpers

    copies = _copies(agreement, plan)
    compiled = Compiled()
    warnings = _Warnings([p for p, _ in copies])
    groups: list[dict[str, Any]] = []
    names: set[str] = set()
    for name, copy in copies:
        for service in copy.services:
            for objective in service.objectives:
                where = f"objective \u201c{objective.name}\u201d of service \u201c{service.name}\u201d"
                target = objective.target
                if isinstance(target, ast.LatencyTarget) and target.windows is not None:
                    rules, why = window_rules(copy, service, objective, target, name)
                    if rules is None:
                        warnings.add(f"{where} is not compiled to Prometheus rules", why, name)
                        continue
                    if why:
                        warnings.add(where, why, name)
                    groups.append({"name": _unique(_group_name(service, objective, name), names), "rules": rules})
                    continue
                found, why = sli(objective)
                if found is None or not found.ratio:
                    why = why if found is None else "a latency threshold query has no error ratio for burn-rate alerts"
                    warnings.add(f"{where} is not compiled to Prometheus rules", why, name)
                    continue
                if "{{window}}" not in found.ratio:
                    warnings.add(where, "its queries have no {{window}}; every window gets the same query", name)
                group, unreachable = _group(copy, service, objective, found, name)
                for why in unreachable:
                    warnings.add(where, why, name)
                group["name"] = _unique(group["name"], names)
                groups.append(group)
    compiled.warnings.extend(warnings.lines())
    for group in groups:
        for rule in group["rules"]:
            if "alert" in rule:
                if runbook is not None:
                    rule["annotations"]["runbook_url"] = runbook_url(runbook, rule["alert"], rule["labels"])
                for key in ("labels", "annotations"):
                    rule[key] = {k: _template_text(v) for k, v in rule.get(key, {}).items()}
    compiled.documents.append({"groups": groups})
    return compiled


def _template_text(value: str) -> str:
    """Alert labels and annotations are Go templates: user text must not open an action."""
    return value.replace("{{", '{{ "{{" }}')


def _group_name(service: ast.Service, objective: ast.Objective, plan: str | None) -> str:
    text = f"sla:{service.name}:{objective.name}" + ("" if plan is None else f":{plan}")
    return re.sub(r"[^A-Za-z0-9_:]+", "_", text).strip("_")


def _group(
    agreement: ast.Agreement, service: ast.Service, objective: ast.Objective, found: _Sli, plan: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The objective's rule group, and warnings about burn-rate conditions no error ratio can meet."""
    target = objective.target
    assert target is not None
    kind = target.period.kind
    labels = _labels(agreement, service, objective, plan)
    selector = _selector(labels)
    recorded = windows(kind)
    rules: list[dict[str, Any]] = [
        {"record": f"sla:error_ratio:rate{w}", "expr": found.ratio.replace("{{window}}", w), "labels": dict(labels)}
        for w in recorded
    ]
    budget = 1 - found.target
    rules.append({"record": "sla:error_budget:ratio", "expr": f"vector({number(budget)})", "labels": dict(labels)})
    rules += _summary_rules(labels, target, found.target, recorded[0], PERIOD_WINDOW[kind])
    annotations = _annotations(agreement, objective, found)
    warnings: list[str] = []
    for severity, pairs in CATALOG[kind]:
        conditions, kept = [], []
        name = "SLAErrorBudgetBurn" + severity.capitalize()
        for long_window, short_window, factor in pairs:
            threshold = factor * budget
            if threshold >= 1:
                warnings.append(
                    f"with a budget of {number(budget * 100)}% a {number(factor)}x burn over {long_window} needs an "
                    f"error ratio above {number(threshold)}, which cannot happen; {name} leaves that condition out"
                )
                continue
            kept.append((long_window, short_window, factor))
            conditions.append(
                f"(sla:error_ratio:rate{long_window}{{{selector}}} > {number(threshold)}"
                f" and sla:error_ratio:rate{short_window}{{{selector}}} > {number(threshold)})"
            )
        if not conditions:
            warnings.append(f"no burn rate of {name} can be reached with a budget of {number(budget * 100)}%")
            continue
        rules.append(
            {
                "alert": name,
                "expr": "\n or ".join(conditions),
                "for": FOR[severity],
                "labels": {**labels, "severity": severity},
                "annotations": {
                    **annotations,
                    "burn_rates": ", ".join(f"{number(f)}x over {lw} and {sw}" for lw, sw, f in kept),
                },
            }
        )
    if found.total:
        query = found.total.replace("{{window}}", recorded[0])
        rules.append(
            {
                "alert": "SLAMetricAbsent",
                "expr": f"absent({query})",
                "for": ABSENT_FOR,
                "labels": {**labels, "severity": "page"},
                "annotations": {
                    "summary": (
                        f"{objective.name}: the query for all requests returns nothing, so no burn-rate alert can fire"
                    ),
                    "query": query,
                    "clause": annotations["clause"],
                },
            }
        )
    return {"name": _group_name(service, objective, plan), "rules": rules}, warnings


def _summary_rules(
    labels: dict[str, str], target: ast.Target, goal: Decimal, short: str | None, period_window: str
) -> list[dict[str, Any]]:
    """Sloth's summary series: the objective, the burn rates now and over the period, the budget left
    and an info series with the terms (the dashboards graph these)."""
    selector = _selector(labels)
    matching = f"on({', '.join(labels)}) group_left"
    budget = f"sla:error_budget:ratio{{{selector}}}"
    rules: list[dict[str, Any]] = [
        {"record": "sla:objective:ratio", "expr": f"vector({number(goal)})", "labels": dict(labels)}
    ]
    if short is not None:
        rules += [
            {
                "record": "sla:current_burn_rate:ratio",
                "expr": f"sla:error_ratio:rate{short}{{{selector}}}\n/ {matching}\n{budget}",
                "labels": dict(labels),
            },
            {
                "record": "sla:period_burn_rate:ratio",
                "expr": f"sla:error_ratio:rate{period_window}{{{selector}}}\n/ {matching}\n{budget}",
                "labels": dict(labels),
            },
        ]
    else:
        good_share = f"sla:latency_windows_good:ratio_{period_window}{{{selector}}}"
        rules.append(
            {
                "record": "sla:period_burn_rate:ratio",
                "expr": f"(1 - {good_share})\n/ {matching}\n{budget}",
                "labels": dict(labels),
            }
        )
    rules += [
        {
            "record": "sla:period_error_budget_remaining:ratio",
            "expr": f"1 - sla:period_burn_rate:ratio{{{selector}}}",
            "labels": dict(labels),
        },
        {
            "record": "sla:objective:info",
            "expr": "vector(1)",
            "labels": {
                **labels,
                "target": number(goal),
                "period": target.period.kind.value,
                "period_window": period_window,
            },
        },
    ]
    return rules


def _annotations(agreement: ast.Agreement, objective: ast.Objective, found: _Sli) -> dict[str, str]:
    target = objective.target
    notes = {
        "summary": f"{objective.name}: the error budget is burning too fast",
        "clause": _clause_words(agreement, objective),
    }
    if isinstance(target, ast.AvailabilityTarget):
        notes["allowed_downtime"] = _target_words(_Same(target), _context(agreement))[1]
    counting = _counting(objective)
    if counting:
        notes["counting"] = counting
    notes["period"] = (
        (
            f"Prometheus measures the rolling {PERIOD_WINDOW[target.period.kind]}, the contract the "
            f"{target.period.kind.value}: see docs/monitoring.md"
        )
        if target
        else ""
    )
    return notes


def _counting(objective: ast.Objective) -> str:
    """How the contract counts downtime where the alert's error ratio cannot (draft 2)."""
    notes = []
    rounding = objective.round_outages
    if rounding is not None:
        notes.append(
            f"The contract counts each outage in whole multiples of {describe_duration(rounding.unit)} (the rest "
            "is not counted); this alert sees every failed request, so it can fire on errors the contract does "
            "not count."
        )
    if objective.weight_by_affected:
        notes.append(
            "The contract weights downtime by the share of users affected (the largest share where incidents "
            "overlap); this alert's error ratio is the share of failed requests, which follows that weighting "
            "only when failures spread over users as over requests."
        )
    return " ".join(notes)


_PROMQL_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def promql_string(value: str) -> str:
    """The body of a PromQL double-quoted string (a label matcher's value): quotes, backslashes
    and every hidden character escaped (`sladsl.language.invisible`), so that nothing in a name can end
    the string or, as a NEL (U+0085) did, become a line break when YAML reads the rule."""
    return escaped(value.replace("\\", "\\\\").replace('"', '\\"'), _PROMQL_SHORT)


def kubernetes(agreement: ast.Agreement, plan: str | None = None, runbook: str | None = None) -> Compiled:
    """The Prometheus rules as one prometheus-operator `PrometheusRule` resource."""
    compiled = prometheus(agreement, plan, runbook)
    name = _dns_name("sla", agreement.title, *([] if plan is None else [plan]))
    resource = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": name,
            "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "sladsl"},
        },
        "spec": compiled.documents[0],
    }
    return Compiled([resource], compiled.warnings)


def openslo(agreement: ast.Agreement, plan: str | None = None) -> Compiled:
    """One OpenSLO v1 document per objective and plan (`sladsl.monitoring.openslo`, imported here late:
    it builds on this module's indicators)."""
    from sladsl.monitoring.openslo import openslo_documents

    return openslo_documents(agreement, plan)


def _dns_name(*parts: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
    return slug[:63].rstrip("-") or "slo"
