"""`fmt`: canonical, idempotent, comment-preserving, and the same AST after the round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from sladsl.api import format_source, parse

from .conftest import BAD, GOOD, ROOT, SAMPLES, SPEC_EXAMPLES, golden

PARSEABLE = SAMPLES + GOOD + SPEC_EXAMPLES + [p for p in BAD if not p.name.startswith("syntax-")]


@pytest.mark.parametrize("path", PARSEABLE, ids=lambda p: p.name)
def test_round_trip_keeps_the_ast_and_is_idempotent(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    formatted = format_source(text)
    assert parse(formatted) == parse(text)
    assert format_source(formatted) == formatted


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_samples_are_in_canonical_layout(path: Path) -> None:
    assert format_source(path.read_text(encoding="utf-8")) == path.read_text(encoding="utf-8")


def test_messy_layout_golden() -> None:
    source = ROOT / "tests" / "cases" / "fmt" / "messy.sla"
    golden(source.with_suffix(".formatted"), format_source(source.read_text(encoding="utf-8")))


def test_comments_survive_in_place() -> None:
    text = (
        '# head\nsla "T" { # after brace\n  # before provider\n  provider "P" # trailing\n'
        '  service "S" {\n    # only a comment\n  }\n  # before close\n}\n# tail\n'
    )
    out = format_source(text)
    for comment in [
        "# head",
        "# after brace",
        "# before provider",
        "# trailing",
        "# only a comment",
        "# before close",
        "# tail",
    ]:
        assert out.count(comment) == 1, comment
    assert '    provider "P"  # trailing' in out
    assert out.index("# before provider") < out.index('provider "P"')
    assert out.splitlines()[-1] == "# tail"


def test_hash_inside_strings_and_prose_is_not_a_comment() -> None:
    text = 'sla "Issue #1" {\n    text """\n    Ticket #42\n    """\n}\n'
    assert format_source(text) == text


def test_units_are_spelled_out() -> None:
    text = (
        'sla "T" { service "S" { objective "O" { availability at least 99% per week '
        "downtime when error rate above 1% in 5 min windows ignore outages shorter than 90 s } } }"
    )
    out = format_source(text)
    assert "in 5 minute windows" in out and "shorter than 90 seconds" in out
