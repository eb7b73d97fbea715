"""What the evidence tables are (DATA.md): their columns and types, the row-level rules,
how a customer scope selects rows, and how a file's rows are read, numbered and named in
an error message. Pure data and SQL text: `evidence.Evidence` opens and checks tables with
them, and the Spark engine types and validates the same tables from the same definitions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sladsl.evaluation.evidence_typing import (
    BOOLEAN,
    DECIMAL,
    INTEGER,
    SHARE,
    TEXT,
    TIMESTAMP,
    WORDS,
    Column,
    raw_value,
    typed_value,
)
from sladsl.language.diagnostics import SladslError

SEPARATOR = "\x1f"  # between customer and service in the ledger's own-rows pass; never in a name users see


@dataclass(frozen=True, slots=True)
class Scope:
    """Which rows of the customer-scoped tables an evaluation reads: one customer's own rows
    and the rows naming no customer (`customer`); only the rows naming no customer (the
    ledger's shared pass); or, for each (customer, service) pair, that customer's rows and
    the shared ones, with the service renamed `customer` + U+001F + `service` (`pairs`, the
    ledger's own-rows pass)."""

    customer: str | None = None
    pairs: tuple[tuple[str, str], ...] | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """A row-level rule: rows where `condition` holds are invalid."""

    column: str
    condition: str
    message: str


TABLES: dict[str, tuple[Column, ...]] = {
    "incidents": (
        Column("service", TEXT),
        Column("start", TIMESTAMP),
        Column("end", TIMESTAMP),
        Column("cause", TEXT, optional=True),
        Column("affected", SHARE, optional=True),  # draft 2: `weight downtime by share affected`
    ),
    "maintenance": (
        Column("service", TEXT),
        Column("start", TIMESTAMP),
        Column("end", TIMESTAMP),
        Column("announced", TIMESTAMP, optional=True),
    ),
    "samples": (Column("service", TEXT), Column("timestamp", TIMESTAMP), Column("up", BOOLEAN)),
    "requests": (
        Column("service", TEXT),
        Column("timestamp", TIMESTAMP),
        Column("good", INTEGER),
        Column("total", INTEGER),
    ),
    "latency": (
        Column("service", TEXT),
        Column("metric", TEXT),
        Column("timestamp", TIMESTAMP),
        Column("value_ms", DECIMAL),
    ),
    "tickets": (
        Column("id", TEXT),
        Column("plan", TEXT),
        Column("priority", TEXT),
        Column("opened", TIMESTAMP),
        Column("first_response", TIMESTAMP, optional=True),
        Column("resolved", TIMESTAMP, optional=True),  # draft 2: `resolution within`
    ),
    "security_incidents": (
        Column("id", TEXT),
        Column("detected", TIMESTAMP),
        Column("notified", TIMESTAMP, optional=True),
    ),
    "reports": (Column("period", TEXT), Column("delivered", TIMESTAMP, optional=True)),
    "certifications": (Column("name", TEXT), Column("issued", TIMESTAMP), Column("expires", TIMESTAMP)),
    # DATA.md draft 2, "Many customers": one row per customer; judged once each into a ledger
    "customers": (
        Column("customer", TEXT),
        Column("plan", TEXT, optional=True),
        Column("fee", DECIMAL, optional=True),
        Column("currency", TEXT, optional=True),
        Column("start", TIMESTAMP, optional=True),
        Column("end", TIMESTAMP, optional=True),
    ),
    # `--history LEDGER` (DATA.md, "the credit ledger"): earlier periods' verdicts and credits
    "ledger": (
        Column("customer", TEXT, optional=True),
        Column("plan", TEXT, optional=True),
        Column("service", TEXT),
        Column("objective", TEXT),
        Column("period", TEXT),
        Column("measured", DECIMAL, optional=True),
        Column("met", BOOLEAN, empty_ok=True),
        Column("downtime_seconds", DECIMAL, optional=True),
        Column("allowed_downtime_seconds", DECIMAL, optional=True),
        Column("tier", TEXT, optional=True),
        Column("amount", DECIMAL, empty_ok=True),
        Column("currency", TEXT, optional=True),
        Column("claim_by", TEXT, optional=True),
        Column("capped", BOOLEAN, optional=True),
        Column("chronic_failure", TEXT, optional=True),
    ),
}

# Every evidence table may say which customer a row belongs to (empty: every customer).
CUSTOMER_SCOPED = ("incidents", "maintenance", "samples", "requests", "latency", "tickets", "security_incidents")
for _name in CUSTOMER_SCOPED:
    TABLES[_name] = (*TABLES[_name], Column("customer", TEXT, optional=True))

RULES: dict[str, tuple[Rule, ...]] = {
    "latency": (Rule("value_ms", "value_ms < 0", "{value} is a negative latency"),),
    "security_incidents": (Rule("notified", "notified < detected", "notified is before detected"),),
    "customers": (
        Rule("end", '"end" <= "start"', "end is not after start"),
        Rule("fee", "fee < 0", "{value} is a negative fee"),
    ),
    "incidents": (
        Rule("end", '"end" < "start"', "end is before start"),
        Rule("affected", "affected < 0 OR affected > 1", "{value} is outside 0..1 (or 0%..100%)"),
    ),
    "maintenance": (Rule("end", '"end" < "start"', "end is before start"),),
    "requests": (
        Rule("good", "good < 0", "{value} is a negative count"),
        Rule("total", "total < 0", "{value} is a negative count"),
        Rule("good", "good > total", "good ({value}) is greater than total"),
    ),
    "certifications": (Rule("expires", "expires < issued", "expires is before issued"),),
    "ledger": (
        Rule(
            "period",
            "NOT regexp_full_match(period, '[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-W(0[1-9]|[1-4][0-9]|5[0-3]))?')",
            "{value} is not a period label such as 2026-10, 2026-Q4, 2026 or 2026-W14",
        ),
        Rule("amount", "amount < 0", "{value} is a negative credit"),
    ),
}

EXTENSIONS = (".csv", ".parquet", ".jsonl")


class EvidenceError(SladslError):
    """Bad evidence: names the file, the row and the column."""


@dataclass
class _Table:
    name: str
    origin: str  # what a user calls it in a message: a path, or `db.duckdb:table`
    reader: str  # SQL that reads the raw rows
    kind: str  # csv, parquet, jsonl or duckdb
    file: str = ""
    raw_types: dict[str, str] = field(default_factory=dict)  # as DuckDB reads them (set when DuckDB opens it)
    present: tuple[str, ...] = ()  # the columns the file has, whichever engine read it
    delimiter: str = ""  # a CSV file's, detected once for every engine (`_prepare`)
    part_types: dict[str, str] | None = None  # a Parquet table's needed columns, as in every part (`_prepare`)
    null_free: frozenset[str] | None = None  # a Parquet table's columns its statistics prove have no nulls


def validity_checks(
    name: str, present: set[str], parsed: Callable[[Column], bool], may_be_empty: Callable[[Column], bool]
) -> list[tuple[str, str, str]]:
    """(condition, column, message) of every check a table's rows must pass, over the typed
    columns by name and their raw values as "__raw_NAME", in DuckDB's quoting: a value that
    does not parse (for a column the engine `parsed` from text or floats), an empty value
    where one is needed (unless the engine knows the column has none), and `RULES`."""
    checks: list[tuple[str, str, str]] = []
    for column in TABLES[name]:
        if column.name not in present:
            continue
        if column.kind != TEXT and parsed(column):
            condition = f'"__raw_{column.name}" IS NOT NULL AND "{column.name}" IS NULL'
            checks.append((condition, column.name, f"{{value}} is not {WORDS[column.kind]}"))
        if not column.optional and not column.empty_ok and may_be_empty(column):
            checks.append((f'"__raw_{column.name}" IS NULL', column.name, "the value is empty"))
    return checks + [(rule.condition, rule.column, rule.message) for rule in RULES.get(name, ())]


def _checked_rows(table: _Table, source: str, zone: str, extra: str = "") -> str:
    """Typed columns by name beside their raw values as "__raw_NAME", for validation."""
    parts = []
    for column in TABLES[table.name]:
        parts.append(f'{typed_value(column, table.raw_types, zone)} AS "{column.name}"')
        raw = raw_value(column.name, table.raw_types) if column.name in table.raw_types else "NULL"
        parts.append(f'{raw} AS "__raw_{column.name}"')
    if extra:
        parts.append(extra)
    return f"SELECT {', '.join(parts)} FROM {source}"


def _reader(file: Path, ext: str, delimiter: str = ",") -> str:
    path = _quote(str(file))
    if ext == ".csv":  # the dialect every engine reads: the detected delimiter, RFC 4180 quotes
        return (
            f"read_csv('{path}', header = true, all_varchar = true, delim = '{_quote(delimiter)}', "
            "quote = '\"', escape = '\"')"
        )
    if ext == ".parquet":
        return f"read_parquet('{path}')"
    return f"read_json('{path}', format = 'newline_delimited', records = true)"


def _numbered(table: _Table) -> str:
    """The raw rows with their 1-based position in the file, in file order."""
    if table.kind == "parquet":
        path = _quote(table.file)
        return f"SELECT *, file_row_number + 1 AS __row FROM read_parquet('{path}', file_row_number = true)"
    if table.kind == "duckdb":
        return f"SELECT *, rowid + 1 AS __row FROM {table.reader}"
    return f"SELECT *, row_number() OVER () AS __row FROM {table.reader}"


def _row_words(table: _Table, row: int) -> str:
    if table.kind == "csv":
        return f"row {row} (line {_csv_line(table.file, row, table.delimiter or ',')})"
    if table.kind == "jsonl":
        return f"row {row} (line {row})"
    return f"row {row}"


def _csv_line(path: str, row: int, delimiter: str) -> int:
    """The line a CSV row starts on: a quoted value may hold newlines, so count them.
    Only on the error path, once."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            previous = 0
            for index, _ in enumerate(reader):
                if index == row:
                    return previous + 1
                previous = reader.line_num
    except (OSError, csv.Error):
        pass
    return row + 1


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _read_error(exc: Exception) -> str:
    """DuckDB's reader error in one line, with the line number where it gives one."""
    text = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    columns = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if line and columns:
        return f"line {line.group(1)}: {columns.group(2)} values where the header has {columns.group(1)} columns"
    if line:
        return f"line {line.group(1)}: cannot be read ({_first_line(exc)})"
    return f"cannot be read ({_first_line(exc)})"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
