"""The lean LALR loop and the warming scanners give exactly what Lark's own loop gives.

Why: both replace Lark machinery for speed (issue 16) and must change nothing else. Every
agreement in the samples and test cases is parsed both ways, with every state cold (one
terminal at a time) and every state hot (the compiled union), and the ASTs compared with
their spans (`to_json`), so a token one column off fails; bad agreements must raise the
same message through `parse` as through Lark's loop.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from lark import Lark
from lark.exceptions import UnexpectedInput

from sladsl.language.diagnostics import SyntaxFailure
from sladsl.language.fast_lalr import Fallback, LeanParser, lean_parser
from sladsl.language.grammar_tables import build_parser
from sladsl.language.lalr import the_lean_parser
from sladsl.language.parse_nodes import _Builder
from sladsl.language.parser import normalise_source, parse
from sladsl.language.scanners import warm_lazily
from sladsl.language.serialize import to_json
from sladsl.language.syntax_errors import _describe

ROOT = Path(__file__).resolve().parents[2]
GOOD = sorted([*ROOT.glob("samples/*.sla"), *ROOT.glob("tests/cases/good/*.sla"), *ROOT.glob("tests/cases/fmt/*.sla")])
BAD = sorted(ROOT.glob("tests/cases/bad/*.sla"))
COLD, HOT = 10**9, 0  # hot_uses: never compile the union / compile it at once


@functools.cache
def _plain() -> Lark:
    """Lark's parser with Lark's own scanners, as before issue 16."""
    return build_parser(_Builder())


def _text(path: Path) -> str:
    return normalise_source(path.read_text(encoding="utf-8"))


def _lark_outcome(text: str) -> object:
    """What Lark's own loop makes of `text`: the AST as JSON values, or the error message."""
    try:
        return to_json(_plain().parse(text))
    except UnexpectedInput as exc:
        return _describe(exc, text).message
    except SyntaxFailure as failure:  # raised by the AST builder (a bad date, too many digits)
        return failure.diagnostic.message


def _outcome(text: str) -> object:
    try:
        return to_json(parse(text))
    except SyntaxFailure as failure:
        return failure.diagnostic.message


def test_there_are_agreements_to_compare() -> None:
    assert len(GOOD) >= 5 and len(BAD) >= 10
    assert the_lean_parser() is not None  # `parse` really takes the lean loop


@pytest.mark.parametrize("hot_uses", [COLD, HOT])
@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_lean_loop_builds_the_same_ast_with_the_same_spans(path: Path, hot_uses: int) -> None:
    text = _text(path)
    expected = to_json(_plain().parse(text))
    assert to_json(LeanParser(build_parser(_Builder()), hot_uses).parse(text)) == expected
    assert to_json(parse(text)) == expected


@pytest.mark.parametrize("hot_uses", [COLD, HOT])
@pytest.mark.parametrize("path", GOOD[:3], ids=lambda p: p.name)
def test_warming_scanners_lex_as_lark_does(path: Path, hot_uses: int) -> None:
    text = _text(path)
    warmed = warm_lazily(build_parser(_Builder()), hot_uses)
    assert to_json(warmed.parse(text)) == to_json(_plain().parse(text))


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_agreements_give_lark_s_own_errors(path: Path) -> None:
    text = _text(path)
    assert _outcome(text) == _lark_outcome(text)


@pytest.mark.parametrize("hot_uses", [COLD, HOT])
@pytest.mark.parametrize(
    "text",
    [
        'sla "x" { # }',  # the `}` is in a comment: no terminal may be taken from inside it
        'sla "x" {\n  provider "p"  # no closing brace\n',
        'sla "x" {\n  provider "p" @\n}\n',  # a character no terminal matches
        'sla "x" {\n  provider provider\n}\n',  # a token the state cannot take
    ],
)
def test_what_does_not_parse_falls_back_to_lark(text: str, hot_uses: int) -> None:
    lean = LeanParser(build_parser(_Builder()), hot_uses)
    with pytest.raises(Fallback):
        lean.parse(text)
    with pytest.raises(SyntaxFailure):
        parse(text)
    assert _outcome(text) == _lark_outcome(text)


def test_blanks_and_comments_at_the_ends_count_lines_as_lark_does() -> None:
    text = '# head\n\n  sla "x" {  # c\n\tprovider "p"\n\n}\n# tail\n\n'
    for hot_uses in (COLD, HOT):
        assert to_json(LeanParser(build_parser(_Builder()), hot_uses).parse(text)) == to_json(_plain().parse(text))


def test_a_grammar_whose_terminal_starts_with_a_blank_keeps_lark_s_loop() -> None:
    """Skipping blanks first is only the same as Lark when no terminal starts with one."""
    grammar = 'start: "a" X\nX: / b/\n%ignore " "\n'
    toy = Lark(grammar, parser="lalr", lexer="contextual")
    assert lean_parser(toy, 0) is None
    plain = Lark('start: "a" X\nX: /b/\n%ignore " "\n', parser="lalr", lexer="contextual")
    assert lean_parser(plain, 0) is not None
