"""The types DATA.md gives evidence columns, and how DuckDB reads a raw column as one: the
SQL of the typed views of `sladsl.evaluation.evidence`. The Spark engine types alike
(`sladsl.evaluation.engines.spark`), with the same grammars (`NUMBER_TEXT`, `SHARE_TEXT`,
`PERCENT_TEXT`, `instants.ISO_TIMESTAMP`) and the same choices for typed files (floats,
nanoseconds, mixed JSON columns).
"""

from __future__ import annotations

from dataclasses import dataclass

from sladsl.evaluation import instants

TEXT, TIMESTAMP, BOOLEAN, INTEGER, DECIMAL = "text", "timestamp", "boolean", "integer", "decimal"
SHARE = "share"  # draft 2 `affected`: 0..1, or a percent such as `40%`

SQL_TYPES = {
    TEXT: "VARCHAR",
    TIMESTAMP: "TIMESTAMPTZ",
    BOOLEAN: "BOOLEAN",
    INTEGER: "BIGINT",
    DECIMAL: "DECIMAL(38,9)",
    SHARE: "DECIMAL(38,9)",
}
WORDS = {
    TIMESTAMP: "a timestamp",
    BOOLEAN: "true/false or 1/0",
    INTEGER: "a whole number",
    DECIMAL: "a number",
    SHARE: "a share from 0 to 1 (at most 9 decimals) or a percent such as 40%",
}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: str
    optional: bool = False  # may be absent from the file, or empty in a row
    empty_ok: bool = False  # must be in the file, but may be empty in a row


def raw_value(name: str, raw_types: dict[str, str]) -> str:
    if raw_types.get(name) == "VARCHAR":
        return f"NULLIF(TRIM(\"{name}\"), '')"
    if raw_types.get(name) == "JSON":  # a JSON lines column of mixed kinds: each value's text, strings unquoted
        return f"NULLIF(TRIM(json_extract_string(\"{name}\", '$')), '')"
    return f'"{name}"'


def already_typed(column: Column, raw_types: dict[str, str]) -> bool:
    raw = raw_types.get(column.name, "")
    target = SQL_TYPES[column.kind]
    if column.kind == TIMESTAMP:
        return raw.startswith("TIMESTAMP")
    if column.kind == INTEGER:
        return raw in (
            "BIGINT",
            "INTEGER",
            "SMALLINT",
            "TINYINT",
            "UBIGINT",
            "UINTEGER",
            "USMALLINT",
            "UTINYINT",
            "HUGEINT",
        )
    if column.kind in (DECIMAL, SHARE):
        # not DOUBLE/FLOAT: NaN and infinity must be reported, not fail the cast
        return raw.startswith("DECIMAL") or raw in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT")
    return raw == target


def typed_value(column: Column, raw_types: dict[str, str], zone: str) -> str:
    if column.name not in raw_types:
        return f"CAST(NULL AS {SQL_TYPES[column.kind]})"
    if column.kind == TEXT:
        return f"CAST({raw_value(column.name, raw_types)} AS VARCHAR)"
    if column.kind == TIMESTAMP:
        return _instant(column.name, raw_types, zone)
    if already_typed(column, raw_types):
        return f'CAST("{column.name}" AS {SQL_TYPES[column.kind]})'
    raw = raw_value(column.name, raw_types)
    if raw_types.get(column.name) in _FLOATS:
        return _typed_float(column, raw)
    if column.kind == BOOLEAN:
        return f"TRY_CAST(CASE lower(CAST({raw} AS VARCHAR)) WHEN '1' THEN 'true' WHEN '0' THEN 'false' ELSE lower(CAST({raw} AS VARCHAR)) END AS BOOLEAN)"
    text = f"CAST({raw} AS VARCHAR)"
    if column.kind == INTEGER:  # DuckDB would round '1.5' to 2: a count must be written whole
        return f"CASE WHEN regexp_full_match({text}, '[+-]?[0-9]+') THEN TRY_CAST({text} AS BIGINT) END"
    if column.kind == SHARE:  # `0.4` or `40%`, exactly: nine decimals of a share, seven of a percent
        share = f"CAST({text} AS DECIMAL(38,9))"
        percent = (
            f"CAST(CAST(rtrim(rtrim({text}, '%')) AS DECIMAL(38,9)) * CAST(0.01 AS DECIMAL(3,2)) AS DECIMAL(38,9))"
        )
        return (
            f"CASE WHEN regexp_full_match({text}, '{SHARE_TEXT}') THEN {share} "
            f"WHEN regexp_full_match({text}, '{PERCENT_TEXT}') THEN {percent} END"
        )
    if column.kind == DECIMAL:  # one grammar on every engine: no `1_000`, `0x10` or `NaN`
        return f"CASE WHEN regexp_full_match({text}, '{NUMBER_TEXT}') THEN TRY_CAST({text} AS DECIMAL(38,9)) END"
    return f"TRY_CAST({text} AS {SQL_TYPES[column.kind]})"


# A number written as text: `12`, `-0.5`, `.5`, `5.`, `1e3`
NUMBER_TEXT = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
# A share as text (draft 2 `affected`): `0.4` (nine decimals of a share), or `40%` (seven of a percent)
SHARE_TEXT = r"([0-9]+(\.[0-9]{1,9})?|\.[0-9]{1,9})"
PERCENT_TEXT = r"[0-9]+(\.[0-9]{1,7})? *%"

_FLOATS = frozenset({"DOUBLE", "FLOAT"})


def _instant(name: str, raw_types: dict[str, str], zone: str) -> str:
    """A timestamp column as an instant, under the one rule of `sladsl.evaluation.instants`.
    Nanoseconds (Parquet TIMESTAMP(NANOS), pandas' default) are cut to the microsecond below,
    as on Spark (DuckDB's cast would round to the nearest)."""
    raw = raw_types.get(name, "")
    if raw == "TIMESTAMP WITH TIME ZONE":
        return f'"{name}"'
    if raw == "TIMESTAMPTZ_NS":  # an instant
        return f"make_timestamptz({_floor_micros(name)})"
    if raw == "TIMESTAMP_NS":  # a wall-clock time
        return instants.duckdb_naive_instant(f"make_timestamp({_floor_micros(name)})", zone)
    if raw.startswith("TIMESTAMP"):  # naive: TIMESTAMP, TIMESTAMP_S, _MS
        return instants.duckdb_naive_instant(f'"{name}"', zone)
    return instants.duckdb_instant(f"CAST({raw_value(name, raw_types)} AS VARCHAR)", zone)


def _floor_micros(name: str) -> str:
    """The microseconds since the epoch of a nanosecond timestamp, rounded down (`%` keeps the
    dividend's sign, `//` truncates toward zero)."""
    ns = f'epoch_ns("{name}")'
    return f"(({ns} - (({ns} % 1000) + 1000) % 1000) // 1000)"


def _typed_float(column: Column, raw: str) -> str:
    """A number stored as a binary float (Parquet doubles, JSON numbers DuckDB widened to
    DOUBLE): a count is whole when the float is a whole number in range (`99.0` is 99); a
    decimal takes its shortest text (`120.5`, never 120.4999...); NaN and infinity are not numbers."""
    finite = f"isfinite({raw})"
    if column.kind == INTEGER:
        return f"CASE WHEN {finite} AND {raw} = trunc({raw}) AND abs({raw}) < 9.2e18 THEN CAST({raw} AS BIGINT) END"
    if column.kind in (DECIMAL, SHARE):
        return f"CASE WHEN {finite} AND abs({raw}) < 1e28 THEN TRY_CAST(CAST({raw} AS VARCHAR) AS DECIMAL(38,9)) END"
    return f"TRY_CAST({raw} AS {SQL_TYPES[column.kind]})"
