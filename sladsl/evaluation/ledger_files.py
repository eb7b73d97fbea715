"""Writing the credit ledger: CSV that a spreadsheet opens safely, JSON lines and Parquet.

A ledger's names come from the agreement and the `customers` table, that is from people
outside the provider's control: a customer called `=HYPERLINK(...)` is a formula to the
spreadsheet that opens the CSV (CSV injection). The CSV therefore writes every *text* cell
that a spreadsheet would read as a formula as OWASP advises: prefixed with a single quote
and quoted (`"'=HYPERLINK(...)"`). Numbers, dates, period labels, currency codes and
booleans are written as they are (a credit is never negative, and a number is not a
formula), so the ledger's figures are never altered. JSON lines and Parquet are not
opened as spreadsheets and stay exact. `--history` undoes the prefix when it reads a CSV
ledger back (`unprefix_sql`), so a written ledger reads back to the same names.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from sladsl.language.diagnostics import SladslError
from sladsl.language.sources import write_atomically

# OWASP, "CSV Injection": a cell starting with one of these is a formula to a spreadsheet
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Text a person wrote (names) or text built from it: the cells that may start with one of them
TEXT_COLUMNS = frozenset({"customer", "plan", "service", "objective", "tier", "reason"})
_PREFIX = "'"
_SPECIAL = (",", '"', "\r", "\n")


def spreadsheet_safe(text: str) -> str:
    """`=cmd` -> `'=cmd`. A text that already starts with the quote gets one more (`'x` ->
    `''x`), so that reading back (`unprefix`) is exact for every name."""
    return _PREFIX + text if text.startswith((*FORMULA_STARTS, _PREFIX)) else text


def unprefix(text: str) -> str:
    """The inverse of `spreadsheet_safe`."""
    return text[1:] if text[:1] == _PREFIX and text[1:2] in (*FORMULA_STARTS, _PREFIX) else text


def unprefix_sql(column: str) -> str:
    """`unprefix` in DuckDB SQL, over a column of a CSV ledger read back."""
    starts = ", ".join(f"chr({ord(c)})" for c in (*FORMULA_STARTS, _PREFIX))
    quoted = f'"{column}"'
    return (
        f"CASE WHEN left({quoted}, 1) = chr({ord(_PREFIX)}) AND substr({quoted}, 2, 1) IN ({starts}) "
        f"THEN substr({quoted}, 2) ELSE {quoted} END"
    )


def csv_text(records: Sequence[dict[str, Any]], columns: Sequence[str], booleans: Collection[str]) -> str:
    """The ledger as CSV, with text cells made safe for spreadsheets (see the module)."""
    return _csv(records, columns, booleans, safe=True)


def write_records(
    path: Path, records: Sequence[dict[str, Any]], columns: Sequence[str], booleans: Collection[str]
) -> None:
    """`.csv`, `.jsonl` or `.parquet`; decimals are written as exact text in every format."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        write_atomically(path, text.encode("utf-8"))
    elif suffix == ".csv":
        write_atomically(path, csv_text(records, columns, booleans).encode("utf-8"))
    elif suffix == ".parquet":
        write_atomically(path, _parquet_bytes(records, columns, booleans))
    else:
        raise SladslError(f"--ledger {path}: write .csv, .jsonl or .parquet")


def _csv(records: Sequence[dict[str, Any]], columns: Sequence[str], booleans: Collection[str], safe: bool) -> str:
    lines = [",".join(_cell(c, False) for c in columns)]
    for record in records:
        cells = []
        for column in columns:
            value = record[column]
            if value is None:
                cells.append("")
            elif column in booleans:
                cells.append(str(value).lower())
            elif safe and column in TEXT_COLUMNS and spreadsheet_safe(str(value)) != str(value):
                cells.append(_cell(spreadsheet_safe(str(value)), True))
            else:
                cells.append(_cell(str(value), False))
        lines.append(",".join(cells))
    return "".join(line + "\n" for line in lines)


def _cell(text: str, quote: bool) -> str:
    """A CSV cell: quoted when asked, or when it holds a comma, a quote or a line break."""
    if quote or any(c in text for c in _SPECIAL):
        return '"' + text.replace('"', '""') + '"'
    return text


def _parquet_bytes(records: Sequence[dict[str, Any]], columns: Sequence[str], booleans: Collection[str]) -> bytes:
    """Parquet through DuckDB, from the exact CSV (no spreadsheet prefix), read back with
    a fixed dialect: every column is text but the booleans."""
    import duckdb

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "ledger.csv"
        target = Path(folder) / "ledger.parquet"
        source.write_text(_csv(records, columns, booleans, safe=False), encoding="utf-8")
        selects = ", ".join(
            f'CAST(NULLIF("{c}", \'\') AS BOOLEAN) AS "{c}"' if c in booleans else f'NULLIF("{c}", \'\') AS "{c}"'
            for c in columns
        )
        types = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in columns) + "}"
        reader = (
            f"read_csv('{_quote(str(source))}', header = true, auto_detect = false, delim = ',', "
            f"quote = '\"', escape = '\"', columns = {types})"
        )
        con = duckdb.connect()
        try:
            con.execute(f"COPY (SELECT {selects} FROM {reader}) TO '{_quote(str(target))}' (FORMAT parquet)")
        finally:
            con.close()
        return target.read_bytes()


def _quote(text: str) -> str:
    return text.replace("'", "''")
