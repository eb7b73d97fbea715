"""The one LALR parser of the process, with the AST builder in its callbacks.

Why a module of its own: the parser (`parse`) and the syntax-error describer both need it,
and the describer is imported by the parser; holding it here keeps that a line, not a circle.
"""

from __future__ import annotations

import functools

from lark import Lark

from sladsl.language.fast_lalr import LeanParser, lean_parser
from sladsl.language.grammar_tables import build_parser
from sladsl.language.parse_nodes import _Builder
from sladsl.language.scanners import HOT_USES, warm_lazily


@functools.cache
def the_parser() -> Lark:
    """Built once per process from the tables shipped with the package (`grammar_tables`);
    never from a cache in a shared folder. Its lexer compiles a state's patterns only when
    the state is hot (`sladsl.language.scanners`)."""
    return warm_lazily(build_parser(_Builder()))


@functools.cache
def the_lean_parser() -> LeanParser | None:
    """The lean loop over the same parser's tables (`sladsl.language.fast_lalr`); None when
    the grammar or the Lark release does not allow it, and then Lark's loop parses."""
    return lean_parser(the_parser(), HOT_USES)
