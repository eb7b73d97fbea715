"""Completion at the cursor: the keywords that can follow there, and names.

Keywords come from the parser's own state: the text of the statement the cursor is in,
up to the word being typed, is fed to Lark's interactive parser (behind a stand-in
`sla "x" {` when the statement is inside the agreement), and `accepts()` says which
terminals can come next; each is offered as the word it spells. Only the top-level
statement around the cursor is parsed, so a long file costs no more than a short one.

Names: objectives of the service inside `credits for "…"`, calendars after `calendar` in a
support plan or the reporting block and after a claim window's `on`, plans after
`on plan`, holiday countries and subdivisions after `holidays`, IANA zones after `timezone`.
"""

from __future__ import annotations

import functools
from typing import Any

from lsprotocol import types

from sladsl.language.currencies import MINOR_UNITS
from sladsl.language.lalr import the_parser
from sladsl.lsp.documents import Analysis
from sladsl.lsp.lexer import Token, keyword_terminals, pattern_words
from sladsl.lsp.names import CALENDAR, OBJECTIVE, PLAN, SERVICE
from sladsl.lsp.positions import Positions

# Statements of the agreement: where the parse of the cursor's statement starts.
TOP_LEVEL = frozenset(
    {
        "version",
        "provider",
        "customer",
        "effective",
        "term",
        "timezone",
        "fee",
        "plans",
        "text",
        "define",
        "service",
        "calendar",
        "support",
        "security",
        "reporting",
    }
)
_STAND_IN = 'sla "x" {\n'
UNITS = ("ms", "seconds", "minutes", "hours", "days", "weeks", "months", "years")


def complete(analysis: Analysis, positions: Positions, position: types.Position) -> list[types.CompletionItem]:
    offset = positions.offset(position)
    toks = [t for t in analysis.tokens if t.kind != "comment"]
    before = _tokens_before(toks, offset)
    inside = before[-1] if before and before[-1].kind == "string" and before[-1].end >= offset else None
    if inside is not None and not _open_string(inside, offset):
        inside = None
    if inside is not None:
        return _names(analysis, positions, before[:-1], offset, inside)
    word_start = offset
    if before and before[-1].kind == "word" and before[-1].end == offset:
        word_start = before[-1].start
        before = before[:-1]
    items = keyword_items(analysis.text, toks, before, word_start)
    return items + _names(analysis, positions, before, offset, None)


def _tokens_before(toks: list[Token], offset: int) -> list[Token]:
    import bisect

    index = bisect.bisect_left([t.start for t in toks], offset)
    return toks[:index]


def _open_string(token: Token, offset: int) -> bool:
    """Whether `offset` is inside the string's quotes (not just after the closing one)."""
    closed = len(token.text) > 1 and token.text.endswith('"')
    return token.start < offset and (offset < token.end or not closed)


# ---- keywords from the parser's state -------------------------------------------------------


def keyword_items(text: str, toks: list[Token], before: list[Token], word_start: int) -> list[types.CompletionItem]:
    accepted = accepted_terminals(text, before, word_start)
    words = keyword_terminals()
    items: dict[str, types.CompletionItem] = {}
    for terminal in sorted(accepted):
        if terminal in words:
            label = words[terminal]
            items[label] = types.CompletionItem(label=label, kind=types.CompletionItemKind.Keyword)
        elif terminal == "DAY":
            for day in pattern_words("DAY"):
                items[day] = types.CompletionItem(label=day, kind=types.CompletionItemKind.EnumMember)
        elif terminal == "PERIOD_UNIT":
            for unit in pattern_words("PERIOD_UNIT"):
                items[unit] = types.CompletionItem(label=unit, kind=types.CompletionItemKind.Keyword)
        elif terminal == "UNIT":
            for unit in UNITS:
                items[unit] = types.CompletionItem(label=unit, kind=types.CompletionItemKind.Unit)
        elif terminal == "CURRENCY":
            for code in sorted(MINOR_UNITS):
                items[code] = types.CompletionItem(label=code, kind=types.CompletionItemKind.Constant)
    return list(items.values())


def accepted_terminals(text: str, before: list[Token], word_start: int) -> set[str]:
    """The terminals the parser accepts at `word_start`, fed the cursor's statement."""
    depth, start = 0, None
    for index, tok in enumerate(before):
        if tok.text == "{" and tok.kind == "punct":
            depth += 1
        elif tok.text == "}" and tok.kind == "punct":
            depth -= 1
        elif (
            depth == 1
            and tok.kind == "word"
            and tok.text in TOP_LEVEL
            and (index == 0 or before[index - 1].text != "on")
        ):
            start = tok.start
    prefix = _STAND_IN + text[start:word_start] if depth >= 1 and start is not None else text[:word_start]
    return _accepts(prefix)


def _accepts(prefix: str) -> set[str]:
    try:
        interactive = the_parser().parse_interactive(prefix)
        interactive.exhaust_lexer()
        accepted: set[str] = interactive.accepts()  # type: ignore[no-untyped-call]
        return accepted
    except Exception:  # the text before the cursor has a mistake: no keyword is sure to follow
        return set()


# ---- names -----------------------------------------------------------------------------------


def _names(
    analysis: Analysis, positions: Positions, before: list[Token], offset: int, inside: Token | None
) -> list[types.CompletionItem]:
    kind = _name_kind(analysis, before, offset)
    if kind is None:
        return []
    what, choices = kind
    if inside is not None:
        end = inside.end - 1 if inside.text.endswith('"') and len(inside.text) > 1 else inside.end
        edit_range = positions.range(inside.start + 1, max(inside.start + 1, end))
        return [
            types.CompletionItem(
                label=name,
                kind=_KINDS.get(what, types.CompletionItemKind.Value),
                detail=what,
                text_edit=types.TextEdit(range=edit_range, new_text=_escape(name)),
                filter_text=name,
            )
            for name in choices
        ]
    return [
        types.CompletionItem(
            label=f'"{name}"',
            kind=_KINDS.get(what, types.CompletionItemKind.Value),
            detail=what,
            insert_text=f'"{_escape(name)}"',
            filter_text=name,
        )
        for name in choices
    ]


_KINDS: dict[str, Any] = {
    OBJECTIVE: types.CompletionItemKind.Reference,
    CALENDAR: types.CompletionItemKind.Reference,
    PLAN: types.CompletionItemKind.Reference,
    "holidays": types.CompletionItemKind.Value,
    "time zone": types.CompletionItemKind.Value,
}


def _escape(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')


def _name_kind(analysis: Analysis, before: list[Token], offset: int) -> tuple[str, list[str]] | None:
    """Which names fit where the cursor is, from the words before it."""
    words = [t.text for t in before[-3:]]
    last = words[-1] if words else ""
    names = analysis.names
    if last == "," or (last and before[-1].kind == "string"):  # `on plans "A", |`
        i = len(before) - 1
        while i > 0 and (before[i].text == "," or before[i].kind == "string"):
            i -= 1
        if before[i].text in ("plan", "plans") and i > 0 and before[i - 1].text == "on" and last == ",":
            return PLAN, names.defined(PLAN)
        return None
    if words[-2:] == ["credits", "for"]:
        return OBJECTIVE, names.defined(OBJECTIVE, _service_at(analysis, offset))
    if last in ("plan", "plans") and words[-2:-1] == ["on"]:
        return PLAN, names.defined(PLAN)
    if last == "on" or (last == "calendar" and _enclosing(analysis, offset) in ("support", "reporting")):
        return CALENDAR, names.defined(CALENDAR)
    if last == "holidays":
        return "holidays", holiday_codes()
    if last == "timezone":
        return "time zone", time_zones()
    return None


def _enclosing(analysis: Analysis, offset: int) -> str | None:
    """The kind of the innermost outline block around `offset`."""
    found = None
    blocks = analysis.names.blocks
    while blocks:
        inner = next((b for b in blocks if b.start.start <= offset <= b.end), None)
        if inner is None:
            break
        found, blocks = inner.kind, inner.children
    return found


def _service_at(analysis: Analysis, offset: int) -> str | None:
    for block in analysis.names.blocks:
        if block.kind == SERVICE and block.start.start <= offset <= block.end:
            return block.name
    return None


@functools.cache
def holiday_codes() -> list[str]:
    """Countries (two letters, as ISO 3166 writes them) and their subdivisions (`DE-BY`)."""
    import holidays

    codes: list[str] = []
    for country, subdivisions in sorted(holidays.list_supported_countries().items()):
        if len(country) == 2:
            codes.append(country)
            codes += [f"{country}-{s}" for s in subdivisions]
    return codes


@functools.cache
def time_zones() -> list[str]:
    from zoneinfo import available_timezones

    return sorted(available_timezones())
