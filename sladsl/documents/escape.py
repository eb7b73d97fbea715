"""Values as the documents print them: Markdown that names cannot change, and no hidden
character (`sladsl.language.invisible`) printed as it is, in HTML, PDF or Markdown.

Used by the templates' environments (`sladsl.documents.render.environment`) as Jinja2's `finalize`,
so it applies to every value a template prints.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from sladsl.language.invisible import shown


class MarkdownSource(str):
    """Prose as the agreement wrote it: Markdown on purpose, so the Markdown output keeps its
    markup (raw HTML and links to `javascript:` and the like are still defused)."""

    __slots__ = ()


_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
# `_` between letters or digits cannot emphasise (CommonMark's flanking rules): America/Los_Angeles stays
_INLINE_MARKUP = re.compile(r"([\\`*\[\]#~]|_(?![^\W_])|(?<![^\W_])_)")
_BLOCK_START = re.compile(r"^(?:([-+=])|(\d{1,9})([.)])(?=\s|$))")
# links whose destination has a scheme a Markdown viewer must not follow (markdown-it's own list)
_UNSAFE_LINK = re.compile(r"(?i)(\]\s*)\((?=\s*(?:javascript|vbscript|file|data(?!:image/(?:gif|png|jpeg|webp);))\s*:)")
_UNSAFE_REFERENCE = re.compile(
    r"(?im)^( {0,3})\[(?=[^\]\n]*\]:\s*(?:javascript|vbscript|file|data(?!:image/(?:gif|png|jpeg|webp);))\s*:)"
)


def _html_entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def md_text(value: str) -> str:
    """A string from the agreement or from `--set` as Markdown text that stays text: it cannot
    end its line (line breaks become spaces), start a block (heading, list, quote, setext
    underline, indented code: leading spaces are dropped) or a link, image, emphasis, code
    span or raw HTML."""
    text = _INLINE_MARKUP.sub(r"\\\1", _LINE_BREAKS.sub(" ", value)).lstrip()
    text = _html_entities(text)
    start = _BLOCK_START.match(text)
    if start:
        mark, number, dot = start.groups()
        text = (f"\\{mark}" if mark else f"{number}\\{dot}") + text[start.end() :]
    return text


def md_prose(body: str) -> str:
    """Prose keeps its Markdown; raw HTML is escaped and unsafe links become text."""
    text = _UNSAFE_REFERENCE.sub(r"\1\\[", _UNSAFE_LINK.sub(r"\1\\(", body))
    return _html_entities(text)


def _md_escape(value: Any) -> Any:
    """Markdown output: no value can add markup of its own (prose keeps the author's Markdown),
    and no hidden character is written as it is (`_html_shown`)."""
    if value is None:
        return ""
    if isinstance(value, MarkdownSource):
        return md_prose(shown(value, _WHITESPACE, form="\\[{}\\]"))
    if isinstance(value, str):
        return md_text(shown(value, _WHITESPACE))
    return value


_WHITESPACE = "\n\t"  # in HTML and Markdown only space: they move no text


def _html_shown(value: Any) -> Any:
    """HTML (and PDF) output: each hidden character (`sladsl.language.invisible`) of a value, the
    prose's HTML included, as `[U+202E]`. A bidirectional control in a name would reorder the
    text around it (`%01` read `10%`), a NEL or ESC would vanish; shown, none can."""
    if isinstance(value, Markup):
        return Markup(shown(str(value), _WHITESPACE))
    if isinstance(value, str):
        return shown(value, _WHITESPACE)
    return value
