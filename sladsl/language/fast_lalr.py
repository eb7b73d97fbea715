"""A lean LALR loop over Lark's own tables, terminals and callbacks, for text that parses.

Why: Lark's loop spends most of a parse on machinery, not on the grammar: a generator
lexer, a line counter fed once per token and once per run of blanks, a `ParserState`
method call per token. Over the same tables, terminals (in the same order) and the same
callbacks (the AST builder), one loop does the same work in about half the time.

Only text that parses takes this path. At the first character it cannot lex or token it
cannot place, or any exception at all, the text is parsed again by Lark's own parser,
which raises the exception the error messages are built from (`syntax_errors`): every
error is Lark's, exactly as before.

Blanks and comments (the grammar's `%ignore`d terminals) are skipped with one regular
expression before each token. That equals Lark's union only when no other terminal can
start where an ignored one does; `LeanParser` checks this for the grammar and, when it
does not hold, is not used (`lean_parser` returns None).
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from lark import Lark, Token
from lark.parsers.lalr_analysis import Shift

re_parser: Any = importlib.import_module("re._parser")  # `re`'s own parser: what a terminal may start with
_IGNORED_STARTS = " \t\f\r\n#"  # what the ignored terminals of `sla.lark` start with
_NEW_TOKEN = str.__new__  # a `Token` is a `str` with slots, filled in place as `Token._future_new` does


class Fallback(Exception):
    """The text is not one this loop can parse; Lark's parser says why."""


class _StateLexer:
    """The terminals one parser state accepts, in Lark's order, ignored ones left out.

    Cold states try terminal by terminal (each compiled once per process); after
    `hot_uses` tokens a state compiles `union`: the blanks to skip (an atomic group, so
    that it never gives back part of a comment for a terminal to match) and then the
    terminals as one alternation, which returns the first that matches, as Lark's does."""

    __slots__ = ("_pattern", "callback", "left", "names", "newline_types", "singles", "union")

    def __init__(self, lexer: Any, ignore: frozenset[str], skip: str, hot_uses: int, singles: dict[str, Any]) -> None:
        terminals = [t for t in lexer.scanner.terminals if t.name not in ignore]
        self.callback: dict[str, Any] = dict(lexer.callback)
        self.newline_types: frozenset[str] = lexer.newline_types
        self.names = [t.name for t in terminals]
        self.singles = [_compiled(singles, t.pattern.to_regexp()) for t in terminals]
        alternatives = "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terminals)
        self._pattern = f"(?>{skip})(?:{alternatives})" if terminals else ""
        self.left = hot_uses
        self.union: Any = None

    def cold(self, text: str, pos: int) -> tuple[str, str] | None:
        """(name, value) of the first terminal that matches at `pos` (blanks skipped), or None;
        compiles `union` when the state turns hot."""
        self.left -= 1
        if self.left < 0 and self._pattern:
            self.union = re.compile(self._pattern).match
        for name, single in zip(self.names, self.singles, strict=True):
            found = single(text, pos)
            if found:
                return name, found.group()
        return None


def _compiled(cache: dict[str, Any], regexp: str) -> Any:
    match = cache.get(regexp)
    if match is None:
        match = cache[regexp] = re.compile(regexp).match
    return match


class LeanParser:
    """Parses with Lark's tables and callbacks; raises `Fallback` where Lark would raise."""

    def __init__(self, parser: Lark, hot_uses: int) -> None:
        front = parser.parser
        inner = front.parser.parser
        table = inner.parse_table
        self._states: dict[int, dict[str, tuple[Any, Any]]] = table.states
        self._start: int = table.start_states["start"]
        self._end: int = table.end_states["start"]
        self._callbacks: dict[Any, Any] = inner.callbacks
        self._table: dict[int, dict[str, tuple[Any, ...]]] = {}
        ignore = frozenset(parser.lexer_conf.ignore)
        ignored = [t for t in parser.lexer_conf.terminals if t.name in ignore]
        self._skip_pattern = "(?:" + "|".join(f"(?:{t.pattern.to_regexp()})" for t in ignored) + ")*"
        self._skip: Any = re.compile(self._skip_pattern).match  # always matches (a starred group)
        self._ignore = ignore
        self._hot_uses = hot_uses
        self._singles: dict[str, Any] = {}
        self._lark_lexers: dict[int, Any] = front.lexer.lexers
        self._by_lexer: dict[int, _StateLexer] = {}
        self._lexers: dict[int, _StateLexer] = {}

    def _state_lexer(self, state: int) -> _StateLexer:
        """Built on a state's first token (and shared by the states Lark shares a lexer
        between): building all 152 up front would cost what a small file's parse does."""
        lexer = self._lark_lexers[state]
        built = self._by_lexer.get(id(lexer))
        if built is None:
            built = self._by_lexer[id(lexer)] = _StateLexer(
                lexer, self._ignore, self._skip_pattern, self._hot_uses, self._singles
            )
        self._lexers[state] = built
        return built

    def _actions(self, state: int) -> dict[str, tuple[Any, ...]]:
        """A state's actions with each rule's facts looked up once: `(next_state,)` for a
        shift or goto, `(size, callback, rule name)` for a reduction."""
        actions: dict[str, tuple[Any, ...]] = {}
        for symbol, (action, arg) in self._states[state].items():
            if action is Shift:
                actions[symbol] = (arg,)
            else:
                actions[symbol] = (len(arg.expansion), self._callbacks[arg], arg.origin.name)
        self._table[state] = actions
        return actions

    def parse(self, text: str) -> Any:
        """The callbacks' result for the start rule (the `Agreement`)."""
        table, callbacks, lexers, skip, new_token = self._table, self._callbacks, self._lexers, self._skip, _NEW_TOKEN
        state_stack = [self._start]
        value_stack: list[Any] = []
        pos, line, line_start, end = 0, 1, 0, len(text)
        token: Token | None = None
        while True:
            state = state_stack[-1]
            lexer = lexers.get(state) or self._state_lexer(state)
            union = lexer.union
            if union is not None:  # a hot state: blanks and the token in one match
                found = union(text, pos)
                if found is None:
                    if skip(text, pos).end() >= end:
                        break
                    raise Fallback
                kind = found.lastgroup
                start = found.start(kind)
                value = found.group(kind)
            else:
                start = skip(text, pos).end()
                if start >= end:
                    pos = start
                    break
                cold = lexer.cold(text, start)
                if cold is None:
                    raise Fallback
                kind, value = cold
            if start != pos:
                newlines = text.count("\n", pos, start)
                if newlines:
                    line += newlines
                    line_start = text.rindex("\n", pos, start) + 1
                pos = start
            start_line, column = line, pos - line_start + 1
            stop = pos + len(value)
            if kind in lexer.newline_types:
                newlines = value.count("\n")
                if newlines:
                    line += newlines
                    line_start = pos + value.rindex("\n") + 1
            token = new_token(Token, value)  # what `Token(...)` does, without two calls per token
            token.type, token.value, token.start_pos, token.end_pos = kind, value, pos, stop
            token.line, token.column, token.end_line, token.end_column = start_line, column, line, stop - line_start + 1
            pos = stop
            if kind in lexer.callback:
                token = lexer.callback[kind](token)
                kind = token.type
            while True:  # Lark's `feed_token`: reduce as far as the token allows, then shift it
                actions = table.get(state) or self._actions(state)
                step = actions.get(kind)
                if step is None:
                    raise Fallback
                if len(step) == 1:
                    state_stack.append(step[0])
                    value_stack.append(callbacks[kind](token) if kind in callbacks else token)
                    break
                size, callback, name = step
                if size:
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    children = []
                value_stack.append(callback(children))
                state = state_stack[-1]
                state = (table.get(state) or self._actions(state))[name][0]
                state_stack.append(state)
        end_token = Token.new_borrow_pos("$END", "", token) if token else Token("$END", "", 0, 1, 1)
        return self._finish(state_stack, value_stack, end_token)

    def _finish(self, state_stack: list[int], value_stack: list[Any], token: Token) -> Any:
        """Feed `$END`: reduce until the end state, as Lark's `feed_token(..., is_end=True)`."""
        while True:
            state = state_stack[-1]
            step = (self._table.get(state) or self._actions(state)).get("$END")
            if step is None or len(step) == 1:
                raise Fallback
            size, callback, name = step
            children = value_stack[-size:] if size else []
            if size:
                del state_stack[-size:]
                del value_stack[-size:]
            value_stack.append(callback(children))
            state = state_stack[-1]
            state_stack.append((self._table.get(state) or self._actions(state))[name][0])
            if state_stack[-1] == self._end:
                return value_stack[-1]


def lean_parser(parser: Lark, hot_uses: int) -> LeanParser | None:
    """The lean loop for `parser`, or None when its shape or its grammar does not allow it."""
    try:
        lean = LeanParser(parser, hot_uses)
    except (AttributeError, KeyError, TypeError, re.error):
        return None
    return lean if _blanks_are_unambiguous(parser) else None


def _blanks_are_unambiguous(parser: Lark) -> bool:
    """No terminal but the ignored ones can start where a blank or a comment starts, and
    no ignored one where a word, number or string does."""
    ignore = set(parser.lexer_conf.ignore)
    for terminal in parser.lexer_conf.terminals:
        starts = "xX0\"'" if terminal.name in ignore else _IGNORED_STARTS
        if _may_start_with(terminal.pattern.to_regexp(), starts):
            return False
    return True


_CATEGORIES = {"DIGIT": r"\d", "SPACE": r"\s", "WORD": r"\w"}


def _may_start_with(regexp: str, chars: str) -> bool:
    """Whether a match of `regexp` may start with one of `chars` (True when unsure)."""
    try:
        parsed = list(re_parser.parse(regexp))
    except re.error:
        return True
    return any(_first(parsed, c) for c in chars)


def _first(items: list[Any], char: str) -> bool:
    """Whether the sequence `items` (of `re`'s parse) may match a text that starts with `char`."""
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            return chr(arg) == char
        if name == "NOT_LITERAL":
            return chr(arg) != char
        if name == "IN":
            return _in_set(arg, char)
        if name == "SUBPATTERN":
            if _first(list(arg[3]), char):
                return True
            return _may_be_empty(arg[3]) is not False
        if name == "BRANCH":
            return any(_first(list(branch), char) for branch in arg[1])
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            if _first(list(arg[2]), char):
                return True
            if arg[0] > 0:
                return False
            continue  # may repeat zero times: the next item may come first
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue  # zero width
        return True  # anything else (`.`, back references): unsure
    return True  # the rest may be empty: unsure


def _may_be_empty(items: Any) -> bool | None:
    """False when `items` must consume a character; None when unsure."""
    for op, arg in items:
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL", "IN", "ANY"):
            return False
        repeated = name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
        if repeated and arg[0] > 0 and _may_be_empty(arg[2]) is False:
            return False
    return None


def _in_set(members: list[Any], char: str) -> bool:
    """Whether `char` is in a character class of `re`'s parse (True when unsure)."""
    found, negate = False, False
    for op, arg in members:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            found = found or chr(arg) == char
        elif name == "RANGE":
            found = found or arg[0] <= ord(char) <= arg[1]
        elif name == "CATEGORY":
            kind = str(arg).removeprefix("CATEGORY_")
            inverse = kind.startswith("NOT_")
            test = _CATEGORIES.get(kind.removeprefix("NOT_"))
            if test is None:
                return True
            found = found or (re.match(test, char) is None) == inverse
        else:
            return True
    return found != negate
