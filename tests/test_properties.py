"""Property: any mutation of a sample either parses or fails with a positioned diagnostic."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sladsl.api import check_source
from sladsl.language.diagnostics import SyntaxFailure

from .conftest import ROOT, SAMPLES, SPEC_EXAMPLES

DRAFT2 = sorted((ROOT / "tests" / "cases" / "draft2").glob("*.sla"))
DRAFT3 = sorted((ROOT / "tests" / "cases" / "draft3").glob("*.sla"))
TEXTS = [p.read_text(encoding="utf-8") for p in SAMPLES + SPEC_EXAMPLES + DRAFT2 + DRAFT3]
PIECES = [
    "{",
    "}",
    '"',
    '"""',
    "%",
    ":",
    ",",
    "#",
    "\n",
    " ",
    "99.9",
    "per",
    "week",
    "calendar",
    "at",
    "below",
    "business",
    "ms",
    "\t",
    "\r\n",
    "é",
    "\ufeff",
    "0",
    "-",
    "2026-02-30",
    "25:00",
    "on plan",
    "plans",
    '"Premium"',
    "times",
    "2nd",
    "01:00",
    "round",
    "windows",
    "250 USD",
    "p101",
    "XYZ",
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = min(len(text), start + draw(st.integers(0, 12)))
        piece = draw(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)))
        text = text[:start] + piece + text[end:]
    return text


def _inside(text: str, line: int, column: int) -> bool:
    lines = text.replace("\r\n", "\n").lstrip("\ufeff").split("\n")
    return 1 <= line <= len(lines) and 1 <= column <= len(lines[line - 1]) + 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_parse_or_fail_inside_the_input(text: str) -> None:
    try:
        _, diagnostics = check_source(text)
    except SyntaxFailure as exc:  # pragma: no cover - check_source turns it into a diagnostic
        raise AssertionError("check_source must not raise") from exc
    for diagnostic in diagnostics:
        assert diagnostic.code.startswith(("E", "W"))
        assert _inside(text, diagnostic.span.line, diagnostic.span.column), diagnostic


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_whatever_parses_formats_to_the_same_ast_and_is_stable(text: str) -> None:
    from sladsl.api import format_source, parse

    try:
        agreement = parse(text)
    except SyntaxFailure:
        return
    formatted = format_source(text)
    assert parse(formatted) == agreement
    assert format_source(formatted) == formatted


@st.composite
def relaid(draw: st.DrawFn) -> str:
    """A sample with its layout disturbed: newlines, blank lines, tabs and comments added
    between tokens, which must all survive `fmt` without changing the AST."""
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 8))):
        gaps = [i for i, ch in enumerate(text) if ch in " \n"]
        at = draw(st.sampled_from(gaps))
        piece = draw(st.sampled_from(["\n", "\n\n", "\t", "  ", ' # note {"\n', "\n# own line\n", "\r\n"]))
        text = text[:at] + piece + text[at:]
    return text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(relaid())
def test_layout_changes_keep_ast_and_comments(text: str) -> None:
    from sladsl.api import format_source, parse
    from sladsl.language.formatter import scan_comments

    try:
        agreement = parse(text)
    except SyntaxFailure:
        return  # a newline inside a quoted string, for instance
    formatted = format_source(text)
    assert parse(formatted) == agreement
    assert format_source(formatted) == formatted
    assert sorted(c.text for c in scan_comments(text)) == sorted(c.text for c in scan_comments(formatted))
