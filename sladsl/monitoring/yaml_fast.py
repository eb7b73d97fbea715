"""A fast writer for the YAML `sladsl compile` makes, byte for byte what PyYAML writes.

Why: an agreement with thousands of plans gets a rule group per plan, so its rules file is
hundreds of times larger than the agreement (4,000 plans: 25 MB), and PyYAML, even with
libyaml's emitter, spends seconds on it (r13: no input under 100 KB over 2 s). The rules
repeat the same few strings (label values, keys, expressions), so this writer decides the
layout of each distinct string once and then only copies text.

It knows the documents `compile` makes: mappings with plain keys, block sequences, strings,
Decimals (exact floats), integers, booleans and None. It follows PyYAML's emitter (block
style, indentation 2, width 120, `allow_unicode`): plain scalars where PyYAML's analysis
allows them, folded at the first single space past column 120; single-quoted scalars; and
literal blocks for multi-line strings. For anything else (a string PyYAML would
double-quote, a key that is not plain, a value of another type) `dump` returns None and the
caller uses PyYAML. Tests compare the two on every sample and fuzzed agreement.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sladsl.language.invisible import has_hidden

WIDTH = 120
INDENT = 2
_BREAKS = "\n\x85\u2028\u2029"
_WHITESPACE = "\0 \t\r\n\x85\u2028\u2029"
_INDICATOR = re.compile("(?::(?=[\0 \t\r\n\x85\u2028\u2029]|\\Z))|(?<=[\0 \t\r\n\x85\u2028\u2029])#")
STR_TAG = "tag:yaml.org,2002:str"
FLOAT_TAG = "tag:yaml.org,2002:float"


class Unsupported(Exception):
    """A value this writer does not lay out as PyYAML would: PyYAML must write the document."""


def dump(documents: list[Any], number: Callable[[Decimal], str]) -> str | None:
    """The YAML stream PyYAML's `dump_all` would write, or None where it cannot tell."""
    if not documents:
        return None
    out: list[str] = []
    try:
        for document in documents:
            if not isinstance(document, dict) or not document:
                raise Unsupported
            if len(documents) > 1:
                out.append("---\n")
            _Writer(out, number).mapping(document, 0, inline=False)
    except Unsupported:
        return None
    return "".join(out)


class _Writer:
    """Writes block nodes into `out`, each line whole (its own line break included)."""

    def __init__(self, out: list[str], number: Callable[[Decimal], str]) -> None:
        self.out = out
        self.number = number

    def mapping(self, value: dict[Any, Any], indent: int, inline: bool) -> None:
        """Keys at `indent`; with `inline` the first key follows a `- ` already written."""
        pad = " " * indent
        for n, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise Unsupported
            written = _key(key)
            self.out.append(written if inline and n == 0 else pad + written)
            self.value(item, indent, indent + len(written))

    def value(self, item: Any, indent: int, column: int) -> None:
        """What follows `key:` (the key at `indent`, the colon ending at `column`)."""
        if type(item) is str:  # most values: the expressions and names (a fast path, issue 20 item 5)
            self.out.append(_string(item, column + 1, indent + INDENT))
        elif isinstance(item, dict):
            if not item:
                self.out.append(" {}\n")
            elif all(isinstance(v, str) for v in item.values()):  # labels, annotations: laid out once
                self.out.append(_strings(tuple(item.items()), indent + INDENT))
            else:
                self.out.append("\n")
                self.mapping(item, indent + INDENT, inline=False)
        elif isinstance(item, list | tuple):
            if not item:
                self.out.append(" []\n")
                return
            self.out.append("\n")
            self.sequence(item, indent)  # PyYAML does not indent a sequence in a mapping
        else:
            self.out.append(self.scalar(item, column + 1, indent + INDENT))

    def sequence(self, items: list[Any] | tuple[Any, ...], indent: int) -> None:
        pad = " " * indent
        for item in items:
            if isinstance(item, dict) and item:
                self.out.append(pad + "- ")
                self.mapping(item, indent + INDENT, inline=True)
            elif isinstance(item, dict | list | tuple):
                raise Unsupported
            else:
                self.out.append(pad + "-" + self.scalar(item, indent + 2, indent + INDENT))

    def scalar(self, item: Any, column: int, indent: int) -> str:
        """` text` and its line break, the text starting at `column`, continued at `indent`."""
        if isinstance(item, str):
            return _string(item, column, indent)
        if isinstance(item, bool):
            return " true\n" if item else " false\n"
        if isinstance(item, int):
            return f" {item}\n"
        if item is None:
            return " null\n"
        if isinstance(item, Decimal):
            text = self.number(item)
            if _resolve(text) != FLOAT_TAG:
                raise Unsupported
            return f" {text}\n"
        raise Unsupported


@functools.lru_cache(maxsize=16384)
def _strings(items: tuple[tuple[str, str], ...], indent: int) -> str:
    """A mapping of strings after `key:`, the keys at `indent`: the rules repeat the same
    labels in every rule of a group."""
    out = ["\n"]
    _Writer(out, str).mapping(dict(items), indent, inline=False)
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def _key(key: str) -> str:
    """`key:` when PyYAML writes the key plain (every key `compile` writes), else Unsupported."""
    analysis = _analyse(key)
    if not analysis.plain or analysis.multiline or len(key) >= 128 or _resolve(key) != STR_TAG:
        raise Unsupported
    return key + ":"


@functools.lru_cache(maxsize=65536)
def _string(text: str, column: int, indent: int) -> str:
    """A string as PyYAML chooses and lays it out: plain, single-quoted or a literal block
    (the `|` style `compile` asks for multi-line strings), with its line break."""
    # a multi-line expression of printable ASCII: a literal block, as `_analyse` would find
    # (no special character, no space before a break or at the end), without analysing it
    if (
        "\n" in text
        and text.isascii()
        and not text.endswith(" ")
        and " \n" not in text
        and text.replace("\n", "").isprintable()
    ):
        return _literal(text, indent)
    if not text.replace("\n", "").isprintable() and has_hidden(text, allowed="\n"):
        raise Unsupported  # escaped by the Python emitter (`sladsl.monitoring.yaml_text`)
    analysis = _analyse(text)
    if "\n" in text:
        if not analysis.block:
            raise Unsupported
        return _literal(text, indent)
    if analysis.plain and _resolve(text) == STR_TAG:
        return " " + _folded(text, column, indent, quoted=False) + "\n"
    if analysis.single:
        return " '" + _folded(text.replace("'", "''"), column + 1, indent, quoted=True) + "'\n"
    raise Unsupported


_RUNS = re.compile(r" +|[^ ]+")


def _folded(text: str, column: int, indent: int, quoted: bool) -> str:
    """PyYAML's `write_plain` and `write_single_quoted` line folding: a single space after
    the line has passed column 120 becomes a line break and `indent` spaces (in a quoted
    string, not a space at either end). `text` is written from `column`."""
    if column + len(text) <= WIDTH:
        return text
    out: list[str] = []
    at = column
    runs = _RUNS.findall(text)
    for n, run in enumerate(runs):
        if run[0] == " " and len(run) == 1 and at > WIDTH and n > 0 and not (quoted and n == len(runs) - 1):
            out.append("\n" + " " * indent)
            at = indent
            continue
        out.append(run)
        at += len(run)
    return "".join(out)


def _literal(text: str, indent: int) -> str:
    """PyYAML's `write_literal`: `|`, its hints, and each line at `indent` (empty ones bare)."""
    if any(c in text for c in "\x85\u2028\u2029"):
        raise Unsupported
    hints = str(INDENT) if text[0] in " \n" else ""
    if not text.endswith("\n"):
        hints += "-"
    elif len(text) == 1 or text[-2] == "\n":
        hints += "+"
    pad = " " * indent
    body = text[:-1] if text.endswith("\n") else text
    lines = "".join((pad + line if line else "") + "\n" for line in body.split("\n"))
    return f" |{hints}\n{lines}"


class _Analysis:
    __slots__ = ("block", "multiline", "plain", "single")

    def __init__(self, plain: bool, single: bool, block: bool, multiline: bool) -> None:
        self.plain, self.single, self.block, self.multiline = plain, single, block, multiline


_SPECIAL = re.compile("[^\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010fffe]|\ufeff")


@functools.lru_cache(maxsize=65536)
def _analyse(scalar: str) -> _Analysis:
    """PyYAML's `Emitter.analyze_scalar` (with `allow_unicode`): which styles may hold it."""
    if not scalar:
        return _Analysis(plain=True, single=True, block=False, multiline=False)
    block_indicators = scalar.startswith(("---", "..."))
    line_breaks = any(c in scalar for c in _BREAKS)
    special = _SPECIAL.search(scalar) is not None
    first = scalar[0]
    followed = len(scalar) == 1 or scalar[1] in _WHITESPACE
    if first in "#,[]{}&*!|>'\"%@`" or (first in "?:" and followed) or (first == "-" and followed):
        block_indicators = True
    # `: ` (or a final `:`) and ` #` after the first character: one search, not a loop over every colon
    if _INDICATOR.search(scalar, 1) is not None:
        block_indicators = True
    leading_space = scalar[0] == " "
    leading_break = scalar[0] in _BREAKS
    trailing_space = scalar[-1] == " "
    trailing_break = scalar[-1] in _BREAKS
    break_space = re.search("[\n\x85\u2028\u2029] ", scalar) is not None
    space_break = re.search(" [\n\x85\u2028\u2029]", scalar) is not None
    plain = single = block = True
    if leading_space or leading_break or trailing_space or trailing_break:
        plain = False
    if trailing_space:
        block = False
    if break_space:
        plain = single = False
    if space_break or special:
        plain = single = block = False
    if line_breaks or block_indicators:
        plain = False
    return _Analysis(plain, single, block, line_breaks)


_RESOLVER: Any = None


@functools.lru_cache(maxsize=65536)
def _resolve(value: str) -> str:
    """The tag PyYAML's resolver gives a plain scalar (a str is plain only if it stays str)."""
    global _RESOLVER
    if _RESOLVER is None:
        import yaml

        _RESOLVER = yaml.resolver.Resolver()
    import yaml

    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
    return tag
