"""Draft 2 of the language: every example of LANGUAGE.md's draft-2 section checks clean
(no errors; the warnings listed beside it are the checker being right), round-trips
through `fmt`, and means what the specification says."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sladsl.api import check_source, format_source, parse
from sladsl.language import ast
from sladsl.language.plans import for_plan, plan_copies

from .conftest import ROOT, run

DRAFT2 = sorted((ROOT / "tests" / "cases" / "draft2").glob("*.sla"))


def _load(name: str) -> ast.Agreement:
    return parse((ROOT / "tests" / "cases" / "draft2" / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", DRAFT2, ids=lambda p: p.name)
def test_draft2_examples_check_without_errors(path: Path) -> None:
    _, diagnostics = check_source(path.read_text(encoding="utf-8"))
    listed = path.with_suffix(".warnings")
    expected = listed.read_text().split("\n") if listed.exists() else []
    assert [f"{d.code} {d.span.line}" for d in diagnostics] == [e for e in expected if e]


@pytest.mark.parametrize("path", DRAFT2, ids=lambda p: p.name)
def test_draft2_examples_format_to_the_same_agreement(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    formatted = format_source(source)
    assert parse(formatted) == parse(source)
    assert format_source(formatted) == formatted
    for line in source.split("\n"):
        if "#" in line:
            assert line[line.index("#") :].strip() in formatted  # comments are kept


def test_draft2_examples_check_through_the_cli() -> None:
    result = run("check", "--no-color", *(str(p.relative_to(ROOT)) for p in DRAFT2))
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output


def test_each_plan_gets_its_own_target_else_the_plain_one() -> None:
    agreement = _load("plans.sla")
    targets = {}
    for plan, copy in plan_copies(agreement):
        (objective,) = copy.services[0].objectives
        (target,) = objective.targets
        assert isinstance(target, ast.AvailabilityTarget)
        targets[plan] = target.percent.value
    assert targets == {"Standard": Decimal("99.5"), "Premium": Decimal("99.9"), "Enterprise": Decimal("99.95")}


def test_each_plan_gets_its_own_credits_else_the_plain_block() -> None:
    agreement = _load("plans.sla")
    first_tiers = {}
    for plan in agreement.plans:
        (block,) = for_plan(agreement, plan).services[0].credits
        threshold = block.tiers[0].threshold
        assert isinstance(threshold, ast.Percent)
        first_tiers[plan] = threshold.value
    assert first_tiers == {"Standard": Decimal("99.5"), "Premium": Decimal("99.5"), "Enterprise": Decimal("99.95")}


def test_support_on_plans_applies_only_to_those_plans() -> None:
    agreement = _load("plans.sla")
    names = {plan: [s.name for s in for_plan(agreement, plan).support_plans] for plan in agreement.plans}
    assert names == {"Standard": [], "Premium": ["Premium"], "Enterprise": ["Premium"]}


def test_support_without_on_applies_only_to_plans_without_their_own() -> None:
    agreement = parse((ROOT / "samples" / "cloud-platform.sla").read_text())
    names = {plan: [s.name for s in for_plan(agreement, plan).support_plans] for plan in agreement.plans}
    assert names == {"Standard": ["Standard"], "Premium": ["Premium"], "Enterprise": ["Premium", "Weekend"]}


def test_fee_on_plan_wins_over_the_plain_fee() -> None:
    source = (ROOT / "tests" / "cases" / "draft2" / "plans.sla").read_text()
    source = source.replace(
        "fee 1000 USD per month", 'fee 1000 USD per month\n    fee 4000 USD per month on plan "Enterprise"'
    )
    agreement = parse(source)
    service = agreement.services[0]
    assert agreement.monthly_fee(service, "Enterprise") == ast.Money(Decimal(4000), "USD")
    assert agreement.monthly_fee(service, "Premium") == ast.Money(Decimal(1000), "USD")
    assert for_plan(agreement, "Enterprise").fee == agreement.fee_for("Enterprise")
    assert not [d for d in check_source(source)[1] if d.is_error]


def test_new_terms_parse_to_their_meaning() -> None:
    whole = _load("whole-units.sla")
    availability, workspace = whole.services[0].objectives
    assert availability.round_outages is not None and availability.round_outages.unit.seconds == 60
    assert workspace.weight_by_affected and not availability.weight_by_affected

    amounts = _load("credit-amounts.sla")
    chat, edge, apps = amounts.services
    tiers = chat.credits[0].tiers
    assert tiers[0].amount == ast.TimesDowntimeFees(Decimal(10))
    assert tiers[1].amount == ast.FixedCredit(ast.Money(Decimal(250), "USD"))
    assert chat.credits[0].claim_window == ast.ClaimByMonthEnd(2)
    assert edge.credits[0].tiers[0].amount == ast.TimesDowntimeFees(Decimal(25))
    claim = apps.credits[0].claim_window
    assert isinstance(claim, ast.ClaimWindow) and claim.calendar == "Business hours" and claim.within.business
    assert apps.credits[0].tiers[0].amount == ast.TimesDowntimeFees(Decimal("2.5"))

    support = _load("support.sla")
    calendar = support.calendars[0]
    (hours,) = calendar.open_hours
    assert hours.overnight and hours.minutes_open == 20 * 60
    assert calendar.holidays is not None
    assert (calendar.holidays.country_code, calendar.holidays.subdivision) == ("GB", "SCT")
    assert calendar.closed_on == {date(2026, 12, 24), date(2026, 12, 31)}
    assert calendar.open_on == {date(2026, 8, 3)}
    (priority,) = support.support_plans[0].priorities
    assert priority.resolution == ast.Duration(Decimal(8), ast.TimeUnit.HOUR, business=True)

    latency = _load("latency-windows.sla").services[0].objectives[0].target
    assert isinstance(latency, ast.LatencyTarget) and latency.strict and latency.windows is not None
    assert latency.windows.share.value == Decimal("99.99") and latency.windows.window.seconds == 3600
    assert not latency.upward  # judged as a share of windows, like availability

    remedies = _load("remedies.sla").services[0]
    assert remedies.objectives[0].chronic_failure == ast.ChronicFailure(3, (4, 12))
    (cap,) = remedies.credits[0].rolling_caps
    assert cap.rolling == ast.Duration(Decimal(12), ast.TimeUnit.MONTH) and remedies.credits[0].period_cap is None


def test_parse_json_carries_the_new_nodes() -> None:
    import json

    result = run("parse", str((ROOT / "tests" / "cases" / "draft2" / "credit-amounts.sla").relative_to(ROOT)))
    assert result.exit_code == 0
    data = json.loads(result.output)
    text = json.dumps(data)
    for node in ("TimesDowntimeFees", "FixedCredit", "ClaimByMonthEnd", "ClaimWindow"):
        assert f'"node": "{node}"' in text
    plans = json.dumps(json.loads(run("parse", "tests/cases/draft2/plans.sla").output))
    assert '"node": "OnPlans"' in plans and '"node": "Plans"' in plans


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("claim by the end of the 1st calendar month after the period", None),
        ("claim by the end of the 11th calendar month after the period", None),
        ("claim by the end of the 21st calendar month after the period", None),
        ("claim by the end of the 1th calendar month after the period", "write 1st"),
        ("claim by the end of the 12nd calendar month after the period", "write 12th"),
    ],
)
def test_ordinals_must_be_spelled_right(statement: str, message: str | None) -> None:
    source = (
        'sla "T" { service "S" { objective "O" { availability at least 99% per calendar month } '
        f'credits for "O" {{ below 99%: 10% of monthly fee {statement} }} }} }}'
    )
    _, diagnostics = check_source(source)
    if message is None:
        assert [d.code for d in diagnostics] == []
    else:
        assert [(d.code, d.hint) for d in diagnostics] == [("E002", message)]


def test_syntax_errors_list_only_what_can_follow() -> None:
    source = (ROOT / "tests" / "cases" / "bad" / "syntax-statement-out-of-place.sla").read_text()
    _, (diagnostic,) = check_source(source)
    assert diagnostic.code == "E001"
    assert "an objective statement" in diagnostic.message and "to close the objective" in diagnostic.message
    listed = diagnostic.message.split(": expected ", 1)[1]
    for impossible in ("`provider`", "`priority`", "`within`", "`target`", "`calendar`"):
        assert impossible not in listed


@pytest.mark.parametrize(
    "amount",
    [
        "10 times fees for the downtime",
        "10 x the fees for the downtime",
        "10 of monthly fee",
        "10 times the monthly fee",
    ],
)
def test_credit_amount_hints_never_change_the_meaning(amount: str) -> None:
    source = (
        'sla "T" { fee 1 USD per month service "S" { objective "O" { availability at least 99% per calendar month } '
        f'credits for "O" {{ below 99%: {amount} }} }} }}'
    )
    _, (diagnostic,) = check_source(source)
    assert diagnostic.hint is not None
    assert "write 10%" not in diagnostic.hint
    assert "10 times the fees for the downtime" in diagnostic.hint and "10% of monthly fee" in diagnostic.hint
