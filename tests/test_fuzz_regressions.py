"""What the fuzz campaign (`bench/fuzz_campaign.py`) found in the front end and the
document, each kept as an input under tests/cases/fuzz/ and run through the real CLI."""

from __future__ import annotations

import random
from pathlib import Path

from lark.exceptions import UnexpectedInput

from bench.fuzz_campaign import fuzzed
from sladsl.language import parser

from .conftest import ROOT, run

FUZZ = ROOT / "tests" / "cases" / "fuzz"


def _path(name: str) -> str:
    return str((FUZZ / name).relative_to(ROOT))


def test_durations_of_a_few_milliseconds_in_days_are_written_without_exponents() -> None:
    # 0.0000003125 days is 27 ms: valid, and Decimal's str() says 3.125E-7
    path = _path("tiny-durations.sla")
    assert run("check", path).exit_code == 0
    for fmt in ("md", "html"):
        result = run("render", path, "--format", fmt)
        assert result.exit_code == 0, result.output
        assert "E-" not in result.output
        assert "within 0.0000003125 days of detecting it" in result.output
        assert "0.000000625 days" in result.output and "0.0000009375 days" in result.output


def test_fractional_years_are_named_as_written_with_a_hint_that_fits() -> None:
    result = run("check", "--no-color", _path("fractional-years.sla"))
    assert result.exit_code == 1
    assert "error[E114]: years are counted whole, not 0.0000001\n" in result.output  # not 1E-7
    assert "hint: write a whole number of years, or the length in days" in result.output
    assert "error[E114]: years are counted whole, not 1.5\n" in result.output
    assert "hint: write `18 months`" in result.output  # was `2 months` whatever the number
    assert "E-7" not in result.output


def test_syntax_hints_are_lark_s_own_matches_found_without_reparsing_the_examples() -> None:
    """The hint for a syntax error came from Lark's `match_examples`, which parsed every
    example again for each error (25 ms of the 27 a fuzzed file took); the examples' errors
    are now found once. Over fuzzed sources, the hint must be exactly Lark's."""
    rng = random.Random(5)
    chat = (ROOT / "tests" / "cases" / "fuzz" / "chat-platform.sla").read_text()  # the spec example, copied
    mistakes = [
        chat.replace("availability at least 99.9%", "availability 99.9%"),
        chat.replace('latency "message_delivery" p95', "latency p95"),
        chat.replace("below 99.9%: 10% of monthly fee", "below 99.9%: 10 times the fee"),
        chat.replace("below 99.9%: 10% of monthly fee", "below 99.9% 10% of monthly fee"),
        chat.replace("99.9% per calendar month", "99.9% monthly"),
    ]
    compared = hinted = 0
    texts = mistakes + [fuzzed(rng, 0.0) for _ in range(80)]  # Lark's own matching takes 25 ms an error
    for text in map(parser.normalise_source, texts):
        try:
            parser._parser().parse(text)
        except UnexpectedInput as exc:
            try:
                lark_hint = exc.match_examples(parser._parser().parse, parser._examples(), use_accepts=True)
            except Exception:  # a callback's own SyntaxFailure while Lark replays an example
                continue
            assert parser._example_hint(exc) == lark_hint, text
            compared += 1
            hinted += lark_hint is not None
        except Exception:  # a number past the limits: a SyntaxFailure of its own
            continue
    assert compared > 40 and hinted >= len(mistakes)


def test_a_hinted_mistake_still_gets_its_hint_from_the_cli(tmp_path: Path) -> None:
    source = tmp_path / "hint.sla"
    source.write_text(
        'sla "x" {\n    service "s" {\n        objective "o" {\n'
        "            availability 99.9% per calendar month\n        }\n    }\n}\n"
    )
    result = run("check", "--no-color", str(source))
    assert result.exit_code == 1
    assert "hint: write `availability at least 99.9% per calendar month`" in result.output


def test_an_agreement_effective_in_the_year_9999_renders_and_compiles() -> None:
    # the document lists the period lengths of the 28 years from the effective date:
    # ValueError "year 10027 is out of range", an internal error, before
    path = _path("effective-year-9999.sla")
    assert run("check", path).exit_code == 0
    for fmt in ("md", "html"):
        result = run("render", path, "--format", fmt)
        assert result.exit_code == 0 and "internal error" not in result.output
        assert "9999" in result.output
    result = run("render", path, "--format", "md", "--plan", "Premium")
    assert result.exit_code == 0
    for target in ("prometheus", "openslo"):
        result = run("compile", path, "--target", target)
        assert result.exit_code == 0 and "internal error" not in result.output


def test_an_agreement_effective_in_the_year_1_east_of_utc_renders_and_compiles() -> None:
    # local midnight of 0001-01-01 in Tokyo is in the year 0 in UTC: OverflowError before
    path = _path("effective-year-1.sla")
    assert run("check", path).exit_code == 0
    for fmt in ("md", "html"):
        result = run("render", path, "--format", fmt, "--plan", "Enterprise")
        assert result.exit_code == 0 and "internal error" not in result.output
    for target in ("prometheus", "openslo"):
        assert run("compile", path, "--target", target).exit_code == 0
