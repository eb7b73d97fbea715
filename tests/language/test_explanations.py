"""`sladsl explain CODE`: every documented code has an explanation, whose example gets the
code from the real checker and whose fix does not (and has no error at all)."""

from __future__ import annotations

import re

import pytest

from sladsl.api import check_source
from sladsl.language.explanations import explanations

from ..conftest import ROOT, run

DOCUMENTED = sorted(set(re.findall(r"^\| ([EW]\d{3}) \|", (ROOT / "docs" / "language.md").read_text(), re.M)))


def test_every_documented_code_is_explained() -> None:
    assert sorted(explanations()) == DOCUMENTED


@pytest.mark.parametrize("code", DOCUMENTED)
def test_the_example_gets_the_code_and_the_fix_does_not(code: str) -> None:
    found = explanations()[code]
    _, diagnostics = check_source(found.example)
    assert code in [d.code for d in diagnostics], [str(d.message) for d in diagnostics]
    _, fixed = check_source(found.fix)
    assert code not in [d.code for d in fixed]
    assert not [d for d in fixed if d.is_error], [d.message for d in fixed]


def test_explain_prints_the_code_its_example_and_its_fix() -> None:
    result = run("explain", "e109")
    assert result.exit_code == 0
    assert result.stdout.startswith("E109: credit tiers out of order\n")
    assert "below 99%: 25% of monthly fee\n" in result.stdout and "Fixed:" in result.stdout
    assert result.stderr == ""


def test_explain_shows_invisible_characters_as_code_points() -> None:
    result = run("explain", "W212")
    assert "[U+202E]" in result.stdout and "\u202e" not in result.stdout


def test_explain_lists_every_code_and_refuses_an_unknown_one() -> None:
    listing = run("explain")
    assert [line.split()[0] for line in listing.stdout.splitlines()] == DOCUMENTED
    unknown = run("explain", "E999")
    assert unknown.exit_code == 2 and unknown.stdout == ""
    assert "no diagnostic `E999`" in unknown.stderr
