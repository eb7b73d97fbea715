"""Every syntax error of a file in one run, each at the spot of the mistake: recovery
after each error, keyword did-you-mean, a missing unit blamed on its own line, a missing
`}` naming the `{` it leaves open, and the nearest time zone."""

from __future__ import annotations

import random

from sladsl.api import check_source
from sladsl.language.diagnostics import SyntaxFailure
from sladsl.language.parser import parse

from ..conftest import ROOT, SAMPLES, run

SEVERAL = ROOT / "tests" / "cases" / "bad" / "syntax-several-errors.sla"


def _errors(text: str) -> list[tuple[int, int, str]]:
    _, diagnostics = check_source(text)
    return [(d.span.line, d.span.column, d.message) for d in diagnostics]


def test_each_syntax_error_of_a_file_is_reported_at_its_line() -> None:
    found = _errors(SEVERAL.read_text(encoding="utf-8"))
    assert [(line, column) for line, column, _ in found] == [(4, 9), (8, 41), (9, 42), (13, 35), (14, 9), (20, 35)]


def test_the_first_error_is_the_parsers_own() -> None:
    text = SEVERAL.read_text(encoding="utf-8")
    try:
        parse(text)
    except SyntaxFailure as failure:
        first = failure.diagnostic
    _, diagnostics = check_source(text)
    assert diagnostics[0] == first


def test_a_mistyped_keyword_gets_a_did_you_mean() -> None:
    _, diagnostics = check_source('sla "x" {\n    service "s" {\n        objetive "o" {\n        }\n    }\n}\n')
    assert diagnostics[0].hint == "did you mean `objective`?"


def test_a_missing_unit_is_reported_after_the_number_on_its_own_line() -> None:
    text = (
        'sla "x" {\n    service "s" {\n        objective "o" {\n'
        "            availability at least 99% per calendar month\n"
        "            ignore outages shorter than 5   # a comment\n"
        '            exclude incidents caused by "x"\n        }\n    }\n}\n'
    )
    (diagnostic,) = check_source(text)[1]
    assert (diagnostic.span.line, diagnostic.span.column) == (5, 42)
    assert "`business`" not in diagnostic.message


def test_a_latency_limit_is_not_offered_business_time() -> None:
    text = 'sla "x" { service "s" { objective "o" { latency "t" p95 at most 300 per calendar month } } }'
    (diagnostic,) = check_source(text)[1]
    assert "business" not in diagnostic.message


def test_a_missing_brace_names_the_line_of_the_open_block() -> None:
    text = (
        'sla "x" {\n    service "s" {\n        objective "a" {\n'
        "            availability at least 99% per calendar month\n"
        '        objective "b" {\n            availability at least 99% per calendar month\n        }\n    }\n}\n'
    )
    (diagnostic,) = check_source(text)[1]
    assert diagnostic.span.line == 5
    assert "the `{` on line 3 is not closed" in diagnostic.message


def test_an_unknown_time_zone_gets_the_nearest_name() -> None:
    _, diagnostics = check_source('sla "x" {\n    timezone "America/New_Yrok"\n}\n')
    assert [d.hint for d in diagnostics] == ['did you mean "America/New_York"?']


def test_check_prints_every_syntax_error_on_stderr() -> None:
    result = run("check", "--no-color", str(SEVERAL.relative_to(ROOT)))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("error[E001]") == 6


def test_recovery_ends_on_any_mutilated_source() -> None:
    """Cut, duplicated and swapped lines of the samples: recovery always ends, gives at least
    the parser's own error first, and never reports two errors at one place."""
    rng = random.Random(17)
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES]
    for _ in range(300):
        lines = rng.choice(texts).split("\n")
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(lines))
            action = rng.choice(("drop", "dup", "cut"))
            if action == "drop":
                del lines[i]
            elif action == "dup":
                lines.insert(i, lines[i])
            else:
                lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        text = "\n".join(lines)
        try:
            parse(text)
            continue
        except SyntaxFailure as failure:
            first = failure.diagnostic
        _, diagnostics = check_source(text)
        assert first in diagnostics
        places = [(d.span.line, d.span.column) for d in diagnostics]
        assert len(places) == len(set(places))


def test_a_keyword_written_as_two_words_gets_the_one_word() -> None:
    _, diagnostics = check_source('sla "x" {\n    time zone "Europe/Berlin"\n}\n')
    assert diagnostics[0].hint == "did you mean `timezone` (one word)?"


def test_a_statement_in_the_wrong_block_is_told_where_it_belongs() -> None:
    """Every `{` closed: `provider` in a service is in the wrong block, not after a missing `}`,
    and recovery blanks it instead of closing the service early (no error follows from it)."""
    text = (
        'sla "x" {\n    credits for "o" {\n        below 99%: 10% of monthly fee\n    }\n'
        '    service "s" {\n        provider "q"\n        objective "o" {\n'
        '            availability at least 99% per calendar month\n            credits for "o" { }\n'
        "        }\n    }\n}\n"
    )
    _, diagnostics = check_source(text)
    assert [(d.span.line, d.hint) for d in diagnostics] == [
        (2, 'a `credits for "OBJECTIVE" { }` block goes inside the `service` block that holds the objective'),
        (6, '`provider ...` is a statement of the agreement itself, directly inside `sla "NAME" { }`'),
        (9, 'a `credits for "OBJECTIVE" { }` block goes inside the `service` block that holds the objective'),
    ]


def test_a_really_missing_brace_is_still_named() -> None:
    text = 'sla "x" {\n    service "s" {\n        objective "o" {\n            text "t"\n    }\n    provider "p"\n}\n'
    _, diagnostics = check_source(text)
    assert diagnostics[0].message == "unexpected `provider`: the `{` on line 2 is not closed"
