"""The language's fixed vocabulary: unit spellings, weekdays, and words for error messages."""

from __future__ import annotations

import re

from sladsl.language.ast import TimeUnit, Weekday

UNITS: dict[str, TimeUnit] = {
    "ms": TimeUnit.MILLISECOND,
    "millisecond": TimeUnit.MILLISECOND,
    "milliseconds": TimeUnit.MILLISECOND,
    "s": TimeUnit.SECOND,
    "sec": TimeUnit.SECOND,
    "secs": TimeUnit.SECOND,
    "second": TimeUnit.SECOND,
    "seconds": TimeUnit.SECOND,
    "min": TimeUnit.MINUTE,
    "mins": TimeUnit.MINUTE,
    "minute": TimeUnit.MINUTE,
    "minutes": TimeUnit.MINUTE,
    "h": TimeUnit.HOUR,
    "hr": TimeUnit.HOUR,
    "hrs": TimeUnit.HOUR,
    "hour": TimeUnit.HOUR,
    "hours": TimeUnit.HOUR,
    "d": TimeUnit.DAY,
    "day": TimeUnit.DAY,
    "days": TimeUnit.DAY,
    "week": TimeUnit.WEEK,
    "weeks": TimeUnit.WEEK,
    "month": TimeUnit.MONTH,
    "months": TimeUnit.MONTH,
    "year": TimeUnit.YEAR,
    "years": TimeUnit.YEAR,
}

WEEKDAYS: dict[str, Weekday] = {day.name.lower(): day for day in Weekday}

# What a syntax error says was expected, for terminals that are not plain keywords.
EXPECTED_WORDS: dict[str, str] = {
    "STRING": 'a quoted string such as "Chat API"',
    "PROSE": 'a quoted text such as """..."""',
    "NUMBER": "a number such as 12",
    "PERCENT": "a percentage such as 99.9%",
    "PERCENTILE": "a percentile such as p95",
    "AVERAGE": "`average`",
    "DATE": "a date such as 2026-01-01",
    "TIME": "a time of day such as 09:00",
    "UNIT": "a time unit such as minutes or hours",
    "BUSINESS": "`business`",
    "CURRENCY": "a currency code such as USD",
    "NAME": "a priority name such as P1",
    "DAY": "a weekday such as monday",
    "CALENDAR": "`calendar`",
    "PERIOD_UNIT": "`month`, `quarter` or `year`",
    "WEEK": "`week`",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "COLON": "`:`",
    "COMMA": "`,`",
    "ORDINAL": "an ordinal such as 2nd",
    "PLAN": "`plan`",
    "PLANS": "`plans`",
}


def ordinal(n: int) -> str:
    """`1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`: as the language writes claim deadlines."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def string_end(text: str, i: int) -> int:
    """The offset just past the string or prose literal that opens at `text[i]` (a `"`), or
    the end of its line (or text) when it is not closed: the formatter's comment scanner and
    the syntax-error scanners skip literals with it, so a `#` or `{` inside one is text."""
    if text.startswith('"""', i):
        end = text.find('"""', i + 3)
        return len(text) if end < 0 else end + 3
    j = i + 1
    while j < len(text) and text[j] not in '"\n':
        j += 2 if text[j] == "\\" else 1
    return min(j + 1, len(text))


_ESCAPE = re.compile(r"\\(.)", re.S)
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unescape(body: str) -> str:
    """A string literal's content (without its quotes) with its escapes (`\\n`, `\\t`,
    `\\"`, `\\\\`) read; any other backslash stays as written. The parser and the editor's
    scanner read names the same way."""
    if "\\" not in body:
        return body
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), body)
