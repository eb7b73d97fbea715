"""Lexer scanners that compile their big regular expression only when a state is hot.

Why: Lark's contextual lexer has one scanner per parser state (152 distinct ones for
`sla.lark`), and each compiles the union of its state's terminals into one regular
expression the first time the state is reached. Python's `re` compiler is written in
Python, so a small agreement paid ~30 ms (of a 0.2 s `sladsl check`) compiling unions it
then used a handful of times. Here a state first tries its terminals one by one, each
compiled once per process and shared by every state, in exactly the order of the union
(an alternation returns its first alternative that matches, so the result is the same);
after `HOT_USES` tokens it compiles Lark's own union scanner and runs at full speed, so a
megabyte agreement lexes as fast as before.
"""

from __future__ import annotations

import functools
from typing import Any

from lark import Lark
from lark.lexer import BasicLexer, CallChain, Scanner, TerminalDef, _create_unless

HOT_USES = 48  # tokens a state lexes one terminal at a time before it compiles its union


class WarmingScanner:
    """Lark's `Scanner` interface: terminal by terminal while cold, Lark's union when hot."""

    def __init__(self, terminals: list[TerminalDef], flags: int, re_module: Any, hot_uses: int) -> None:
        self.terminals = terminals
        self.allowed_types = {t.name for t in terminals}
        self._flags = flags
        self._re = re_module
        self._singles = [(_single(re_module, t.pattern.to_regexp(), flags), t.name) for t in terminals]
        self._left = hot_uses
        self._union: Scanner | None = None

    def match(self, text: Any, pos: int) -> tuple[str, str] | None:
        """The first terminal (in the union's order) that matches at `pos`: (text, name)."""
        if self._union is not None:
            return self._union.match(text, pos)  # type: ignore[no-any-return]
        self._left -= 1
        if self._left < 0:
            self._union = Scanner(self.terminals, self._flags, self._re, False)  # type: ignore[no-untyped-call]
            return self._union.match(text, pos)  # type: ignore[no-any-return]
        for match, name in self._singles:
            found = match(text.text, pos, text.end)
            if found:
                return found.group(0), name
        return None

    def fullmatch(self, text: str) -> str | None:
        """Only Lark's keyword callbacks call this, on their own scanners; kept for the interface."""
        for match, name in self._singles:
            if match.__self__.fullmatch(text):
                return name
        return None


@functools.cache
def _single(re_module: Any, regexp: str, flags: int) -> Any:
    """One terminal's compiled `match`, shared by every state that accepts the terminal."""
    return re_module.compile(regexp, flags).match


def _warming_build(lexer: BasicLexer, hot_uses: int) -> WarmingScanner:
    """`BasicLexer._build_scanner`, with a `WarmingScanner` in place of Lark's `Scanner`."""
    terminals, lexer.callback = _create_unless(  # type: ignore[no-untyped-call]
        lexer.terminals, lexer.g_regex_flags, lexer.re, lexer.use_bytes
    )
    for type_, f in lexer.user_callbacks.items():
        if type_ in lexer.callback:
            lexer.callback[type_] = CallChain(lexer.callback[type_], f, lambda t, k=type_: t.type == k)  # type: ignore[no-untyped-call]
        else:
            lexer.callback[type_] = f
    return WarmingScanner(terminals, lexer.g_regex_flags, lexer.re, hot_uses)


def warm_lazily(parser: Lark, hot_uses: int = HOT_USES) -> Lark:
    """Give every per-state lexer of `parser` a warming scanner; a parser of another shape
    (another Lark release, bytes input) is returned untouched: slower, never different."""
    lexers = getattr(getattr(getattr(parser, "parser", None), "lexer", None), "lexers", None)
    if not isinstance(lexers, dict) or getattr(parser.lexer_conf, "use_bytes", True):
        return parser
    for lexer in lexers.values():
        if type(lexer) is BasicLexer and lexer._scanner is None:
            lexer._build_scanner = functools.partial(_warming_build, lexer, hot_uses)  # type: ignore[method-assign,assignment]
    return parser
