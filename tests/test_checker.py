"""The checker, driven by data: good files check clean, bad files match their golden output."""

from __future__ import annotations

from pathlib import Path

import pytest

from sladsl.api import check_source, parse
from sladsl.language.checks import check

from .conftest import BAD, GOOD, ROOT, SAMPLES, SPEC_EXAMPLES, golden, run


@pytest.mark.parametrize("path", SAMPLES + GOOD + SPEC_EXAMPLES, ids=lambda p: p.name)
def test_good_files_check_clean(path: Path) -> None:
    _, diagnostics = check_source(path.read_text(encoding="utf-8"))
    assert diagnostics == []


def test_spec_examples_are_present_when_shared_exists() -> None:
    if (ROOT.parent / "shared" / "spec").exists():
        assert len(SPEC_EXAMPLES) >= 3


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_files_match_golden_diagnostics(path: Path) -> None:
    result = run("check", "--no-color", str(path.relative_to(ROOT)))
    assert result.exit_code == (1 if "error[" in result.output else 0)
    golden(path.with_suffix(".expected"), result.output)


def _codes(text: str) -> list[str]:
    return [d.code for d in check(parse(text))]


def _agreement(objective: str, credits: str = "") -> str:
    return f'sla "T" {{ fee 100 USD per month service "S" {{ objective "O" {{ {objective} }} {credits} }} }}'


def test_every_documented_code_is_exercised_by_a_bad_file() -> None:
    expected = "".join(p.with_suffix(".expected").read_text() for p in BAD if p.with_suffix(".expected").exists())
    documented = (ROOT / "docs" / "language.md").read_text()
    codes = ["E001", "E002", *[f"E1{n:02d}" for n in range(1, 36)], *[f"W2{n:02d}" for n in range(1, 15)]]
    for code in codes:
        assert f"[{code}]" in expected, f"{code} has no bad test file"
        assert code in documented, f"{code} is not documented"


@pytest.mark.parametrize(
    ("tier", "codes"),
    [
        ("below 99.9%: 10% of monthly fee", []),
        ("at or below 99.9%: 10% of monthly fee", ["W202"]),
        ("below 99.95%: 10% of monthly fee", ["W202"]),
        ("below 99.8%: 10% of monthly fee", ["W201"]),
    ],
)
def test_first_tier_against_the_target(tier: str, codes: list[str]) -> None:
    text = _agreement("availability at least 99.9% per calendar month", f'credits for "O" {{ {tier} }}')
    assert _codes(text) == codes


@pytest.mark.parametrize(
    ("tiers", "codes"),
    [
        ("below 99%: 1% of monthly fee below 98%: 2% of monthly fee", ["W201"]),
        ("at or below 99.9%: 1% of monthly fee below 99.9%: 2% of monthly fee", ["W202"]),
        ("below 99.9%: 1% of monthly fee at or below 99.9%: 2% of monthly fee", ["E109"]),
        ("below 99.9%: 1% of monthly fee below 99.9%: 2% of monthly fee", ["E109"]),
    ],
)
def test_tier_order_is_strict(tiers: str, codes: list[str]) -> None:
    text = _agreement("availability at least 99.9% per calendar month", f'credits for "O" {{ {tiers} }}')
    assert _codes(text) == codes


def test_latency_tiers_mirror_availability() -> None:
    target = 'latency "m" p95 at most 500 ms per calendar month'
    assert _codes(_agreement(target, 'credits for "O" { above 500 ms: 5% of monthly fee }')) == []
    assert _codes(_agreement(target, 'credits for "O" { above 0.5 s: 5% of monthly fee }')) == []
    assert _codes(_agreement(target, 'credits for "O" { at or above 500 ms: 5% of monthly fee }')) == ["W202"]
    assert _codes(_agreement(target, 'credits for "O" { above 1 s: 5% of monthly fee }')) == ["W201"]


def test_error_budget_warning_uses_the_shortest_month() -> None:
    # 99.99% of a 28-day month is 241.92 s: 4 minutes still fit, 5 do not.
    objective = "availability at least 99.99% per calendar month ignore outages shorter than {} minutes"
    assert _codes(_agreement(objective.format(4))) == []
    assert _codes(_agreement(objective.format(5))) == ["W204"]


def test_cap_compares_period_fees_in_months() -> None:
    quarterly = "availability at least 99% per calendar quarter"
    credits = 'credits for "O" {{ below 99%: {}% of monthly fee at most 10% of fees for the period }}'
    assert _codes(_agreement(quarterly, credits.format(30))) == []
    assert _codes(_agreement(quarterly, credits.format(40))) == ["W203"]


def test_all_diagnostics_of_a_file_are_collected_in_source_order() -> None:
    diagnostics = check(parse((ROOT / "tests/cases/bad/unknown-references.sla").read_text()))
    assert len(diagnostics) >= 6
    assert diagnostics == sorted(diagnostics, key=lambda d: (d.span.line, d.span.column))


@pytest.mark.parametrize(("country", "known"), [("US", True), ("DE-BY", True), ("DE-XX", False), ("XX", False)])
def test_holiday_countries_and_subdivisions(country: str, known: bool) -> None:
    calendar = f'calendar "C" {{ open monday 09:00 to 17:00 holidays "{country}" }}'
    text = f'sla "T" {{ {calendar} reporting {{ calendar "C" }} }}'
    assert _codes(text) == ([] if known else ["E115"])
