"""Characters a reader cannot see: control characters, line separators and format characters.

Why one module: the same characters break every output in its own way. A bidirectional
override (U+202E) makes a document show `%01` as `10%`; a NEL (U+0085) or a line separator
(U+2028) is a line break to YAML, so it cut a PromQL string in two; an ESC starts a terminal
sequence. The checker warns about them (W212), the documents show them as `[U+202E]`, and
the Prometheus, OpenSLO and Grafana outputs escape them, all with the definition below.

Hidden are the Unicode categories Cc (controls, tab and newline included), Cf (format:
the bidirectional controls, zero-width space, soft hyphen, BOM...), Zl and Zp (line and
paragraph separators) and Cs. The zero-width joiner and non-joiner are not: scripts and
emoji need them to shape text, and they move nothing.
"""

from __future__ import annotations

import functools
import unicodedata

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SHAPING = frozenset("\u200c\u200d")
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_CONTROL_NAMES = {"\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE", "\x85": "NEXT LINE"}


@functools.lru_cache(maxsize=4096)
def is_hidden(char: str) -> bool:
    return char not in _SHAPING and unicodedata.category(char) in _HIDDEN_CATEGORIES


def hidden_characters(text: str, allowed: str = "") -> list[str]:
    """The hidden characters of `text` (each once, in code point order), but `allowed`.

    `str.isprintable` answers for almost every text at C speed: every hidden character is
    unprintable (the reverse is not true: no-break spaces and unassigned code points are
    unprintable and not hidden).
    """
    if text.isprintable():
        return []
    return sorted(c for c in set(text) if c not in allowed and not c.isprintable() and is_hidden(c))


def has_hidden(text: str, allowed: str = "") -> bool:
    return bool(hidden_characters(text, allowed))


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def describe(char: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`: the code point and, when Unicode names it, its name."""
    name = _CONTROL_NAMES.get(char) or unicodedata.name(char, "")
    return f"{code_point(char)} {name}".rstrip()


def shown(text: str, allowed: str = "", form: str = "[{}]") -> str:
    """The text with each hidden character (but `allowed`) written as `[U+202E]` (`form`
    around the code point): what a document prints, so that nothing in a name can reorder,
    hide or break the text around it."""
    for char in hidden_characters(text, allowed):
        text = text.replace(char, form.format(code_point(char)))
    return text


def escaped(text: str, short: dict[str, str] | None = None) -> str:
    """The text with each hidden character as a `\\uXXXX` escape (`\\UXXXXXXXX` above the
    BMP), or as `short` spells it (`{"\\n": "\\\\n"}`): for quoted strings of other languages
    (PromQL) whose escapes follow Go's. The caller escapes its own quote and backslash first."""
    for char in hidden_characters(text):
        if short and char in short:
            replacement = short[char]
        elif ord(char) > 0xFFFF:
            replacement = f"\\U{ord(char):08X}"
        else:
            replacement = f"\\u{ord(char):04X}"
        text = text.replace(char, replacement)
    return text
