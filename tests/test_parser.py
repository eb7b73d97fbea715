"""The parser's typed values: literals converted once, spans on every node, no Lark objects."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import lark
import pytest

from sladsl.api import parse
from sladsl.language import ast
from sladsl.language.diagnostics import SyntaxFailure

from .conftest import GOOD, SAMPLES, SPEC_EXAMPLES

CHAT = """sla "Chat" {
    effective 2026-01-01
    term 12 months
    fee 2500.50 USD per month
    service "API" {
        objective "Availability" {
            availability at least 99.95% per calendar month
            downtime when error rate above 5% in 5 minute windows with at least 100 requests
            exclude maintenance announced at least 72 hours ahead, up to 4 hours per calendar year
            exclude incidents caused by "customer", "force majeure"
        }
        objective "Latency" { latency "send" p99.9 at most 500 ms per week }
        credits for "Availability" {
            at or below 99.0%: 25% of fees for the period
            minimum 1 USD
            claim within 2 months
        }
    }
    calendar "Hours" { open monday to friday 09:00 to 24:00 open saturday, sunday 10:00 to 12:00 holidays "US" }
    support "Gold" {
        calendar "Hours"
        priority P1 "Down": first response within 1 hour, around the clock
        priority P2: first response within 4 business hours
    }
}
"""


def test_literals_are_typed_values() -> None:
    a = parse(CHAT)
    assert a.effective == date(2026, 1, 1)
    assert a.term == ast.Duration(Decimal(12), ast.TimeUnit.MONTH)
    assert a.fee is not None and a.fee.money == ast.Money(Decimal("2500.50"), "USD")
    api = a.services[0]
    availability, latency = api.objectives
    assert isinstance(availability.target, ast.AvailabilityTarget)
    assert availability.target.percent.value == Decimal("99.95")
    assert availability.target.period.kind is ast.PeriodKind.MONTH
    source = availability.downtime_source
    assert isinstance(source, ast.DowntimeFromErrorRate)
    assert source.window.seconds == Decimal(300)
    assert source.min_requests == 100
    maintenance = availability.maintenance
    assert maintenance is not None and maintenance.notice.seconds == Decimal(259200)
    assert maintenance.cap is not None and maintenance.cap.period.kind is ast.PeriodKind.YEAR
    assert availability.excluded_causes == ("customer", "force majeure")
    assert isinstance(latency.target, ast.LatencyTarget)
    assert latency.target.percentile == Decimal("99.9")
    assert latency.target.limit.seconds == Decimal("0.500")
    credits = api.credits_for("Availability")
    assert credits is not None
    (tier,) = credits.tiers
    assert tier.comparison is ast.Comparison.AT_OR_BELOW and tier.amount == ast.PercentOfFee(
        ast.Percent(Decimal("25")), ast.FeeBase.PERIOD_FEES
    )
    assert isinstance(credits.claim_window, ast.ClaimWindow) and credits.claim_window.within.is_calendar


def test_calendar_and_support_values() -> None:
    a = parse(CHAT)
    hours = a.calendars[0].open_hours
    assert hours[0].days == tuple(ast.Weekday(i) for i in range(5))
    assert (hours[0].opens, hours[0].closes) == (540, 1440)
    assert hours[1].days == (ast.Weekday.SATURDAY, ast.Weekday.SUNDAY)
    p1, p2 = a.support_plans[0].priorities
    assert (p1.name, p1.description, p1.around_the_clock) == ("P1", "Down", True)
    assert (p2.description, p2.response.business, p2.response.unit) == (None, True, ast.TimeUnit.HOUR)


def test_day_ranges_may_wrap_over_the_weekend() -> None:
    a = parse('sla "T" { calendar "C" { open friday to monday 09:00 to 17:00 } }')
    assert [d.name for d in a.calendars[0].open_hours[0].days] == ["FRIDAY", "SATURDAY", "SUNDAY", "MONDAY"]


def test_unit_spellings_are_one_unit() -> None:
    spellings = {
        "500 ms": "0.500",
        "2 s": "2",
        "2 sec": "2",
        "1 second": "1",
        "5 min": "300",
        "5 minutes": "300",
        "1 h": "3600",
        "2 hours": "7200",
        "1 day": "86400",
        "1 week": "604800",
    }
    for text, seconds in spellings.items():
        a = parse(
            f'sla "T" {{ service "S" {{ objective "O" {{ availability at least 99% per week '
            f"ignore outages shorter than {text} }} }} }}"
        )
        ignore = a.services[0].objectives[0].ignore_outages
        assert ignore is not None and ignore.shorter_than.seconds == Decimal(seconds), text


def test_strings_and_prose() -> None:
    a = parse('sla "A \\"B\\" \\\\ C" {\n  text """\n      First line.\n\n        Indented.\n      """\n}')
    assert a.title == 'A "B" \\ C'
    (text,) = [s for s in a.statements if isinstance(s, ast.Text)]
    assert text.body == "First line.\n\n  Indented."


def test_spans_point_at_the_source() -> None:
    a = parse(CHAT)
    target = a.services[0].objectives[0].target
    assert target is not None
    assert (target.span.line, target.span.column) == (7, 13)
    assert CHAT[target.span.start_pos : target.span.end_pos] == "availability at least 99.95% per calendar month"
    assert (target.percent.span.line, target.percent.span.column) == (7, 35)


def _walk(node: object):  # type: ignore[no-untyped-def]
    yield node
    if dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            for item in value if isinstance(value, tuple) else (value,):
                yield from _walk(item)


@pytest.mark.parametrize("path", SAMPLES + GOOD + SPEC_EXAMPLES, ids=lambda p: p.name)
def test_every_node_has_a_span_and_no_lark_object_leaks(path) -> None:  # type: ignore[no-untyped-def]
    text = path.read_text(encoding="utf-8")
    for node in _walk(parse(text)):
        assert not isinstance(node, lark.Tree | lark.Token), node
        if dataclasses.is_dataclass(node) and not isinstance(node, ast.Span):
            span = node.span  # type: ignore[attr-defined]
            assert span is not ast.NO_SPAN, node
            assert 0 <= span.start_pos < span.end_pos <= len(text)


@pytest.mark.parametrize(
    "transform",
    [
        lambda t: t.replace("\n", "\r\n"),
        lambda t: "\ufeff" + t,
        lambda t: t.replace("    ", "\t"),
        lambda t: t.rstrip("\n"),
    ],
    ids=["crlf", "bom", "tabs", "no-final-newline"],
)
def test_editor_variations_parse_to_the_same_ast(transform) -> None:  # type: ignore[no-untyped-def]
    for path in SAMPLES + SPEC_EXAMPLES:
        text = path.read_text(encoding="utf-8")
        assert parse(transform(text)) == parse(text), path.name


def test_syntax_error_says_what_was_expected_in_words() -> None:
    with pytest.raises(SyntaxFailure) as caught:
        parse('sla "T" { service "S" { objective "O" { availability at least 99.9 per week } } }')
    diagnostic = caught.value.diagnostic
    assert diagnostic.code == "E001"
    assert "a percentage such as 99.9%" in diagnostic.message
    assert "PERCENT" not in diagnostic.message
    assert (diagnostic.span.line, diagnostic.span.column) == (1, 63)


@pytest.mark.parametrize(
    "text",
    [
        'sla "T" { effective 2026-13-01 }',
        'sla "T" { calendar "C" { open monday 24:30 to 25:00 } }',
        'sla "T" { service "S" { objective "O" { downtime when error rate above 1% in 1 minute windows '
        "with at least 1.5 requests } } }",
    ],
)
def test_invalid_literals_are_reported(text: str) -> None:
    with pytest.raises(SyntaxFailure) as caught:
        parse(text)
    assert caught.value.diagnostic.code == "E002"


def test_stray_character_after_the_agreement_is_a_diagnostic() -> None:
    with pytest.raises(SyntaxFailure) as caught:
        parse('sla "T" {\n}\né')
    diagnostic = caught.value.diagnostic
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 1)
    assert "expected the end of the file" in diagnostic.message
