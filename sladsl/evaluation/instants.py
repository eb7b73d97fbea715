"""Timestamps without an offset, made instants under one rule for every engine.

The rule (`docs/evaluation.md`, "Timestamps"): text follows one grammar (`ISO_TIMESTAMP`,
ISO 8601 as DATA.md says; anything else is not a timestamp, on every engine); a value with an offset or `Z` is that
instant; one without is a wall-clock time in the agreement's zone. In the hour the clocks
go back, a repeated time is its first occurrence; in the hour they go forward, a skipped
time is read with the offset before the change (so 02:30 on a spring-forward night in
Berlin is 03:30 CEST). That is Python's `fold=0` (PEP 495) and java.time's rule, which
Spark follows. DuckDB's own cast takes the *second* occurrence of a repeated time, so its
typed views move such values to the first (`FOLD0_MACRO`), and only for the wall-clock
minutes of the day when a zone ever repeats an hour: elsewhere the check is not run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

# The one grammar of a timestamp written as text, on every engine (DATA.md: ISO 8601): a date,
# optionally a time (hours 00-23, seconds and up to six decimals optional) with `T` or a
# space, and then optionally `Z` or an offset up to ±18:00 (`+02:00`, `+0200`, `+02`)
ISO_TIMESTAMP = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-](0[0-9]|1[0-7])(:?[0-5][0-9])?|[+-]18(:?00)?)?)?"
)
# ... that names its offset: `...12:00Z`, `...12:00:00+02:00`
EXPLICIT_OFFSET = r":[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"

# The first occurrence of a repeated wall-clock time. `t` is DuckDB's reading (the second
# occurrence, with the offset after the change); `b` the offset three hours earlier, before
# any change of at most three hours. When the offset fell by d = b - tz(t) and t - d has
# offset b, then t - d shows the same wall clock, an earlier instant: fold=0 takes it.
FOLD0_MACRO = """
CREATE OR REPLACE TEMP MACRO sladsl_fold0(t) AS
    CASE WHEN date_part('timezone', t - INTERVAL 3 HOUR) > date_part('timezone', t)
          AND date_part('timezone', t - to_seconds(date_part('timezone', t - INTERVAL 3 HOUR) - date_part('timezone', t)))
              = date_part('timezone', t - INTERVAL 3 HOUR)
         THEN t - to_seconds(date_part('timezone', t - INTERVAL 3 HOUR) - date_part('timezone', t))
         ELSE t END
"""

_FIRST_YEAR, _LAST_YEAR = 1970, 2100  # later years repeat the zone's last rule


@lru_cache(maxsize=32)
def repeated_minutes(zone: str) -> tuple[tuple[int, int], ...]:
    """The wall-clock minutes of the day [lo, hi) in which the zone has ever repeated a
    time (the clocks going back), merged; empty for a zone that never did."""
    tz = ZoneInfo(zone)
    ranges: list[tuple[int, int]] = []
    for instant, before, after in _transitions(tz):
        if after >= before:
            continue
        start = (instant + after).replace(tzinfo=None)  # the repeated wall times: [T + after, T + before)
        length = int((before - after).total_seconds() // 60) + 1
        first = start.hour * 60 + start.minute
        ranges += [(first, min(first + length, 1440))]
        if first + length > 1440:
            ranges.append((0, first + length - 1440))
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _transitions(tz: ZoneInfo) -> list[tuple[datetime, timedelta, timedelta]]:
    """(instant in UTC, offset before, offset after) of every change, found two days at a time and
    then to the minute by bisection."""
    found = []
    day = datetime(_FIRST_YEAR, 1, 1, tzinfo=UTC)
    end = datetime(_LAST_YEAR + 1, 1, 1, tzinfo=UTC)
    previous = day.astimezone(tz).utcoffset()
    while day < end:
        nxt = day + timedelta(days=2)
        offset = nxt.astimezone(tz).utcoffset()
        if offset != previous:
            lo, hi = day, nxt
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == previous:
                    lo = mid
                else:
                    hi = mid
            assert previous is not None and offset is not None
            found.append((hi, previous, offset))
            previous = offset
        day = nxt
    return found


def duckdb_instant(text: str, zone: str) -> str:
    """DuckDB SQL: the instant of a timestamp given as text (NULL when it is not `ISO_TIMESTAMP`)."""
    cast = f"TRY_CAST({text} AS TIMESTAMPTZ)"
    minutes = repeated_minutes(zone)
    if minutes:
        naive = _in_minutes(f"TRY_CAST({text} AS TIMESTAMP)", minutes)
        cast = (
            f"CASE WHEN regexp_matches({text}, '{EXPLICIT_OFFSET}') THEN {cast} "
            f"WHEN {naive} THEN sladsl_fold0({cast}) ELSE {cast} END"
        )
    return f"CASE WHEN regexp_full_match({text}, '{ISO_TIMESTAMP}') THEN {cast} END"


def duckdb_naive_instant(column: str, zone: str) -> str:
    """DuckDB SQL: the instant of a naive TIMESTAMP column (a wall-clock time)."""
    cast = f"CAST({column} AS TIMESTAMPTZ)"
    minutes = repeated_minutes(zone)
    if not minutes:
        return cast
    return f"CASE WHEN {_in_minutes(column, minutes)} THEN sladsl_fold0({cast}) ELSE {cast} END"


def _in_minutes(naive: str, minutes: tuple[tuple[int, int], ...]) -> str:
    minute = f"(hour({naive}) * 60 + minute({naive}))"
    return "(" + " OR ".join(f"{minute} BETWEEN {lo} AND {hi - 1}" for lo, hi in minutes) + ")"
