"""Draft 3 of the language: every example of LANGUAGE.md's draft-3 section checks clean
(the warnings listed beside it are the checker being right), round-trips through `fmt`
and `parse --json`, and parses to what the specification says it means."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from sladsl.api import check_source, format_source, parse
from sladsl.language import ast

from .conftest import ROOT, run

DRAFT3 = sorted((ROOT / "tests" / "cases" / "draft3").glob("*.sla"))


def _load(name: str) -> ast.Agreement:
    return parse((ROOT / "tests" / "cases" / "draft3" / name).read_text(encoding="utf-8"))


def _objective(agreement: ast.Agreement, service: str, name: str) -> ast.Objective:
    found = agreement.service(service)
    assert found is not None
    objective = found.objective(name)
    assert objective is not None
    return objective


def _credits(agreement: ast.Agreement, service: str) -> ast.Credits:
    found = agreement.service(service)
    assert found is not None
    return found.credits[0]


@pytest.mark.parametrize("path", DRAFT3, ids=lambda p: p.name)
def test_draft3_examples_check_without_errors(path: Path) -> None:
    _, diagnostics = check_source(path.read_text(encoding="utf-8"))
    listed = path.with_suffix(".warnings")
    expected = listed.read_text().split("\n") if listed.exists() else []
    assert [f"{d.code} {d.span.line}" for d in diagnostics] == [e for e in expected if e]


@pytest.mark.parametrize("path", DRAFT3, ids=lambda p: p.name)
def test_draft3_examples_format_to_the_same_agreement(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    formatted = format_source(source)
    assert parse(formatted) == parse(source)
    assert format_source(formatted) == formatted
    for line in source.split("\n"):
        if "#" in line:
            assert line[line.index("#") :].strip() in formatted


def test_draft3_examples_check_through_the_cli() -> None:
    result = run("check", "--no-color", *(str(p.relative_to(ROOT)) for p in DRAFT3))
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output


def test_strict_thresholds_parse_to_their_meaning() -> None:
    agreement = _load("strict-thresholds.sla")
    ignore = _objective(agreement, "Servers", "Availability").ignore_outages
    assert ignore is not None and ignore.or_less and not ignore.after_exclusions
    assert ignore.ignores(Decimal(300)) and not ignore.ignores(Decimal(301))
    plain = ast.IgnoreOutages(ignore.shorter_than)
    assert not plain.ignores(Decimal(300)) and plain.ignores(Decimal("299.999"))
    credits = _credits(agreement, "Servers")
    assert credits.threshold is not None and credits.threshold.money == ast.Money(Decimal(1), "USD")


def test_claim_windows_from_the_outage() -> None:
    agreement = _load("claim-windows.sla")
    start = _credits(agreement, "Sign-in").claim_window
    end = _credits(agreement, "API").claim_window
    assert isinstance(start, ast.ClaimWindow) and start.from_outage is ast.OutageEdge.START
    assert isinstance(end, ast.ClaimWindow) and end.from_outage is ast.OutageEdge.END
    assert start.within.amount == 10 and end.within.amount == 15


def test_per_outage_tiers() -> None:
    agreement = _load("per-outage.sla")
    (tier,) = _credits(agreement, "Dedicated servers").outage_tiers
    assert tier.longer_than is None and tier.started
    assert tier.per is not None and tier.per.seconds == 600
    assert isinstance(tier.amount, ast.PercentOfFee) and tier.amount.percent.value == 5
    assert isinstance(tier.cap, ast.PercentOfFee) and tier.cap.percent.value == 100
    (longer,) = _credits(agreement, "Cloud servers").outage_tiers
    assert longer.longer_than is not None and longer.longer_than.seconds == 300
    assert isinstance(longer.amount, ast.TimesDowntimeFees) and longer.amount.factor == 50
    assert longer.per is None and longer.cap is None


def test_service_time_remedies() -> None:
    agreement = _load("service-time.sla")
    credits = _credits(agreement, "Mail")
    amounts = [t.amount for t in credits.tiers]
    assert [a.duration.seconds for a in amounts if isinstance(a, ast.ServiceTime)] == [
        3 * 86400,
        7 * 86400,
        15 * 86400,
    ]
    assert credits.service_cap is not None and credits.service_cap.limit.duration.seconds == 15 * 86400
    (vultr,) = _credits(agreement, "Compute").outage_tiers
    assert isinstance(vultr.amount, ast.ServiceTime) and vultr.amount.duration.seconds == 3600
    assert vultr.started and vultr.per is not None and vultr.per.seconds == 3600


def test_clock_units_and_shares_and_allowances() -> None:
    clock = _load("clock-units.sla")
    minutes = _objective(clock, "Cluster", "Availability").clock_units
    fives = _objective(clock, "Streams", "Availability").clock_units
    assert minutes is not None and minutes.unit.seconds == 60
    assert fives is not None and fives.unit.seconds == 300
    shares = _objective(_load("adding-shares.sla"), "Mail", "Availability")
    assert shares.weight_by_affected and shares.adding_shares
    uptime = _objective(_load("allowances.sla"), "CDN", "Uptime")
    assert isinstance(uptime.target, ast.DowntimeTarget) and uptime.target.limit.seconds == Decimal("2628")
    tiers = _credits(_load("allowances.sla"), "CDN").tiers
    assert [t.threshold.seconds for t in tiers if isinstance(t.threshold, ast.Duration)] == [
        Decimal("2628"),
        Decimal("25920"),
    ]


def test_after_exclusions_and_termination() -> None:
    ignore = _objective(_load("after-exclusions.sla"), "Mail", "Availability").ignore_outages
    assert ignore is not None and ignore.after_exclusions and not ignore.or_less
    agreement = _load("termination.sla")
    chronic = _objective(agreement, "CDN", "Availability").chronic_failure
    assert chronic is not None and not chronic.support and chronic.consecutive == 3
    assert chronic.terminate_within is not None and chronic.terminate_within.amount == 30
    support = agreement.support_plans[0].chronic_failure
    assert support is not None and support.support and support.consecutive == 2


def test_parse_json_carries_the_new_nodes() -> None:
    nodes: set[str] = set()
    for path in DRAFT3:
        result = run("parse", "--json", str(path.relative_to(ROOT)))
        assert result.exit_code == 0, result.output

        def walk(value: object) -> None:
            if isinstance(value, dict):
                if "node" in value:
                    nodes.add(str(value["node"]))
                for v in value.values():
                    walk(v)
            elif isinstance(value, list):
                for v in value:
                    walk(v)

        walk(json.loads(result.stdout))
    assert {
        "DowntimeTarget",
        "WholeClockUnits",
        "OutageTier",
        "ServiceTime",
        "ServiceTimeCap",
        "CreditThreshold",
    } <= nodes


@pytest.mark.parametrize(
    ("statement", "code"),
    [
        ("count only whole clock 7 minute intervals", "E131"),
        ("count only whole clock 2 hour intervals", "E131"),
        ("count only whole clock days", "E131"),
    ],
)
def test_clock_units_must_divide_an_hour(statement: str, code: str) -> None:
    source = (
        'sla "x" {\n    service "s" {\n        objective "o" {\n'
        f"            availability at least 99% per calendar month\n            {statement}\n"
        "        }\n    }\n}\n"
    )
    _, diagnostics = check_source(source)
    assert [d.code for d in diagnostics] == [code]
