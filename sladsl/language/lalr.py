"""The one LALR parser of the process, with the AST builder in its callbacks.

Why a module of its own: the parser (`parse`) and the syntax-error describer both need it,
and the describer is imported by the parser; holding it here keeps that a line, not a circle.
"""

from __future__ import annotations

import functools

from lark import Lark

from sladsl.language.grammar_tables import build_parser
from sladsl.language.parse_nodes import _Builder


@functools.cache
def the_parser() -> Lark:
    """Built once per process from the tables shipped with the package (`grammar_tables`);
    never from a cache in a shared folder."""
    return build_parser(_Builder())
