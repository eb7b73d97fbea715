"""Evidence tables, read with DuckDB: a folder of CSV, Parquet or JSON-lines files, or a
DuckDB database file.

Each table becomes a typed view `ev_<table>` whose columns have the types DATA.md
gives them. Before a table is used it is validated in SQL (one aggregate pass); only
when something is wrong does a second query find the first offending row, so that the
error names the file, the row and the column. Timestamps without an offset are read in
the agreement's time zone (DuckDB's session `TimeZone`).

The types and the SQL that reads a raw column as one are in `evidence_typing`; what is
decided about a file before any engine reads it (UTF-8, the CSV delimiter, Parquet part
files) in `evidence_files`.
The tables themselves (columns, rules, how a file's rows are read and named) are in
`evidence_tables`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from sladsl.evaluation import evidence_files, instants, sql
from sladsl.evaluation.data_sources import refuse_empty
from sladsl.evaluation.evidence_tables import (
    CUSTOMER_SCOPED,
    EXTENSIONS,
    RULES,
    SEPARATOR,
    TABLES,
    EvidenceError,
    Rule,
    Scope,
    _checked_rows,
    _first_line,
    _numbered,
    _quote,
    _read_error,
    _reader,
    _row_words,
    _Table,
    validity_checks,
)
from sladsl.evaluation.evidence_typing import already_typed, typed_value
from sladsl.language.diagnostics import SladslError

__all__ = [
    "CUSTOMER_SCOPED",
    "RULES",
    "SEPARATOR",
    "TABLES",
    "Evidence",
    "EvidenceError",
    "Rule",
    "Scope",
    "_Table",
    "validity_checks",
]


class Evidence:
    """One data source for one evaluation; tables are opened and validated on first use."""

    def __init__(self, source: str | Path, zone: str) -> None:
        refuse_empty(source)
        self.path = Path(source)
        try:
            is_dir = self.path.is_dir()
        except OSError as exc:  # a folder on the way cannot be entered
            raise SladslError(f"{source}: cannot be read ({exc.strerror or exc})") from None
        if is_dir and not os.access(self.path, os.R_OK | os.X_OK):
            raise SladslError(f"{source}: the folder cannot be read (permission denied)")
        if not self.path.exists():
            raise SladslError(f"{source}: no such file or folder (--data takes a folder of tables or a DuckDB file)")
        self.con = duckdb.connect()
        self.con.execute(f"SET TimeZone = '{_quote(zone)}'")
        self.con.execute("SET enable_progress_bar = false")  # DuckDB's bar would land in the user's terminal
        self.con.execute(instants.FOLD0_MACRO)
        self.zone = zone
        self.database = not self.path.is_dir()
        if self.database:
            try:
                self.con.execute(f"ATTACH '{_quote(str(self.path))}' AS evidence (READ_ONLY)")
            except duckdb.Error as exc:
                raise SladslError(
                    f"{source}: not a folder of tables or a DuckDB database ({_first_line(exc)})"
                ) from None
        # a file fetched from Prometheus: the server's name, and the folder of the other tables
        self.server, self.more = self._fetched_from() if self.database else (None, None)
        self._tables: dict[str, _Table | None] = {}
        self.warnings: list[str] = []
        # table -> a view over its typed view (one customer's rows, or every customer's):
        # evaluation reads `require(name)`, so a scope changes what it sees, not how
        self.scope: dict[str, str] = {}

    # ---- finding tables -------------------------------------------------------------

    def has(self, name: str) -> bool:
        return self._find(name) is not None

    def _find(self, name: str) -> _Table | None:
        if name not in self._tables:
            self._tables[name] = self._locate(name)
        return self._tables[name]

    def _fetched_from(self) -> tuple[str | None, Path | None]:
        """(server, folder) that `prometheus_source.open_data` wrote in `sladsl_source`."""
        if not self._in_database("sladsl_source"):
            return None, None
        row = self.con.execute("SELECT server, tables FROM evidence.main.sladsl_source").fetchone()
        if row is None:
            return None, None
        return row[0], None if row[1] is None else Path(row[1])

    def _in_database(self, name: str) -> bool:
        found = self.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'evidence' AND table_name = ?", [name]
        ).fetchone()
        views = self.con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE database_name = 'evidence' AND view_name = ?", [name]
        ).fetchone()
        return bool((found and found[0]) or (views and views[0]))

    def _locate(self, name: str) -> _Table | None:
        if not self.database:
            return self._locate_in(self.path, name)
        fetched = self._in_database(name)
        if self.more is not None:
            beside = self._locate_in(self.more, name)
            if beside is not None and fetched:
                raise EvidenceError(
                    f"{beside.origin}: `{name}` comes from {self.server} too; give each table from one source only"
                )
            if beside is not None:
                return beside
        return (
            _Table(name, f"{self.server or self.path}:{name}", f'evidence.main."{name}"', "duckdb") if fetched else None
        )

    def _locate_in(self, path: Path, name: str) -> _Table | None:
        """A table of a folder: a Parquet part-file folder, or one file of a known kind."""
        for folder in (path / name, path / f"{name}.parquet"):
            if folder.is_dir():  # a directory of Parquet part files, as Spark and Hive write them
                glob = _quote(str(folder / "**" / "*.parquet"))
                return _Table(name, str(folder), f"read_parquet('{glob}')", "parquet", str(folder / "**" / "*.parquet"))
        for ext in EXTENSIONS:
            file = path / f"{name}{ext}"
            try:
                is_file = file.is_file()
            except OSError as exc:
                raise EvidenceError(f"{file}: cannot be read ({exc.strerror or exc})") from None
            if is_file:
                if not os.access(file, os.R_OK):
                    raise EvidenceError(f"{file}: cannot be read (permission denied)")
                return _Table(name, str(file), _reader(file, ext), ext[1:], str(file))
        return None

    def open_file(self, name: str, file: str | Path, option: str) -> str:
        """A table read from a file named on the command line (`--history LEDGER`), validated."""
        path = Path(file)
        ext = path.suffix.lower()
        if ext not in EXTENSIONS:
            raise SladslError(f"{option} {file}: use a .parquet, .csv or .jsonl file")
        if not path.is_file():
            raise SladslError(f"{option} {file}: no such file")
        self._tables[name] = _Table(name, str(path), _reader(path, ext), ext[1:], str(path))
        return self.require(name, option)

    def require(self, name: str, why: str) -> str:
        """The typed view of a table, validated; a clear error when it is missing or bad."""
        table = self._find(name)
        if table is None:
            raise EvidenceError(f"missing table `{name}` {self._where(name)}; it is needed by {why}")
        view = f"ev_{name}"
        if not table.raw_types:
            self._open(table, view)
        return self.scope.get(name, view)

    def _where(self, name: str) -> str:
        """Where a missing table was looked for, and for a Prometheus source where it could be."""
        files = f"(as {name}.csv, {name}.parquet or {name}.jsonl)"
        if self.more is not None:
            return f"from {self.server} or in {self.more} {files}"
        if self.server is not None:
            return (
                f"from {self.server}, which gives `requests`, `samples` and `latency` only; name the "
                f"folder that holds it as a second --data"
            )
        return "in the database" if self.database else f"in {self.path} {files}"

    def has_column(self, name: str, column: str) -> bool:
        """Whether a table's file has the column (an optional one may be absent), whichever
        engine read it; asked after `require`."""
        table = self._find(name)
        return table is not None and column in table.present

    def _prepare(self, table: _Table) -> None:
        """What every engine decides about a file before reading it (`evidence_files`): a CSV
        file's delimiter (and that the sniffer could read it as UTF-8), and that a Parquet
        table's part files are readable and type each needed column alike."""
        if table.kind == "csv" and not table.delimiter:
            delimiter = evidence_files.csv_delimiter(self.con, table.file)
            if delimiter is None:
                problem = evidence_files.not_utf8(table.file, table.origin)
                if problem:
                    raise EvidenceError(problem)
            table.delimiter = delimiter or ","
            table.reader = _reader(Path(table.file), ".csv", table.delimiter)
        if table.kind == "parquet" and table.part_types is None:
            found = evidence_files.parquet_types(
                self.con, table.file, table.origin, (c.name for c in TABLES[table.name])
            )
            if isinstance(found, str):
                raise EvidenceError(found)
            table.part_types = found

    def _unreadable(self, table: _Table, exc: Exception, words: Callable[[Exception], str]) -> EvidenceError:
        """The error for a file DuckDB cannot read: a text file that is not UTF-8 names the
        line (on every engine alike), anything else is DuckDB's reason in `words`."""
        if table.kind in ("csv", "jsonl"):
            problem = evidence_files.not_utf8(table.file, table.origin)
            if problem:
                return EvidenceError(problem)
        return EvidenceError(f"{table.origin}: {words(exc)}")

    def _open(self, table: _Table, view: str) -> None:
        self._prepare(table)
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM {table.reader}").fetchall()
        except duckdb.Error as exc:
            raise self._unreadable(table, exc, lambda e: f"cannot be read ({_first_line(e)})") from None
        table.raw_types = {row[0]: row[1] for row in described}
        table.present = tuple(table.raw_types)
        columns = TABLES[table.name]
        for column in columns:
            if column.name not in table.raw_types and not column.optional:
                have = ", ".join(table.raw_types) or "none"
                raise EvidenceError(f"{table.origin}: missing column `{column.name}` (the columns are: {have})")
        selects = [f'{typed_value(c, table.raw_types, self.zone)} AS "{c.name}"' for c in columns]
        self.con.execute(f"CREATE TEMP VIEW {view} AS SELECT {', '.join(selects)} FROM {table.reader}")
        self._validate(table, view)

    # ---- validation -----------------------------------------------------------------

    def _validate(self, table: _Table, view: str) -> None:
        checks = validity_checks(
            table.name,
            set(table.raw_types),
            parsed=lambda c: not already_typed(c, table.raw_types),
            may_be_empty=lambda c: not self._known_without_nulls(table, c.name),
        )
        if not checks:
            return
        counts = ", ".join(f"count(*) FILTER (WHERE {c})" for c, _, _ in checks)
        try:
            row = self.con.execute(f"SELECT {counts} FROM ({_checked_rows(table, table.reader, self.zone)})").fetchone()
        except duckdb.Error as exc:  # the first full read: a ragged row, a corrupt file, not UTF-8
            raise self._unreadable(table, exc, _read_error) from None
        assert row is not None
        for (condition, column_name, message), count in zip(checks, row, strict=True):
            if count:
                self.locate(table.name, condition, column_name, message)

    def _known_without_nulls(self, table: _Table, column: str) -> bool:
        """Parquet statistics can prove a typed column has no nulls: no scan needed then.
        One read of the metadata answers for every column (a file of a month of per-minute
        samples has hundreds of row groups, and each read of them costs)."""
        if table.kind != "parquet":
            return False
        if table.null_free is None:
            rows = self.con.execute(
                "SELECT path_in_schema FROM parquet_metadata(?) GROUP BY path_in_schema "
                "HAVING count(*) > 0 AND count(*) = count(stats_null_count) AND coalesce(sum(stats_null_count), 0) = 0",
                [table.file],
            ).fetchall()
            table.null_free = frozenset(name for (name,) in rows)
        return column in table.null_free

    def locate(
        self, table_name: str, condition: str, column: str, message: str, params: dict[str, Any] | None = None
    ) -> None:
        """Raise an error naming the first row of a table where `condition` holds.

        The condition may use the typed columns by name, the raw text as "__raw_NAME", and
        named parameters (`$service`) from `params`; `{value}` in the message is replaced
        by the raw value of `column`.
        """
        table = self._find(table_name)
        assert table is not None
        rows = _checked_rows(table, f"({_numbered(table)})", self.zone, extra='"__row"')
        found = self.con.execute(
            f'SELECT "__row", CAST("__raw_{column}" AS VARCHAR) FROM ({rows}) WHERE {condition} ORDER BY "__row" LIMIT 1',
            params or {},
        ).fetchone()
        row_number, value = (found[0], found[1]) if found else (0, None)
        shown = message.replace("{value}", repr(value) if value is not None else "the value")
        raise EvidenceError(f"{table.origin}: {_row_words(table, row_number)}, column `{column}`: {shown}")

    def scope_to(self, tables: Iterable[str], scope: Scope, prefix: str) -> None:
        """Evaluation reads, for each of these tables, only the rows `scope` selects (and,
        for the ledger's own-rows pass, under composite service names); other tables are
        read whole. `clear_scope` ends it."""
        self.scope = {}
        for table in tables:
            if self.has(table):
                self.scope[table] = self._scoped_view(table, scope, f"{prefix}_{table}")

    def clear_scope(self) -> None:
        self.scope = {}

    def _scoped_view(self, table: str, scope: Scope, view: str) -> str:
        """A DuckDB view of the scoped rows. A view takes no parameters: names are quoted literals."""
        if scope.pairs is not None:
            base = self._typed_rows(table)
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE scope_pairs AS SELECT unnest($c) AS customer, unnest($s) AS service",
                {"c": [c for c, _ in scope.pairs], "s": [s for _, s in scope.pairs]},
            )
            # two equi-joins (hash joins), not one join on `customer IS NULL OR customer = ...`
            select = (
                f"SELECT t.* REPLACE (p.customer || chr({ord(SEPARATOR)}) || t.service AS service) FROM {base} t "
                "JOIN scope_pairs p ON t.service = p.service WHERE t.customer IS NULL "
                f"UNION ALL SELECT t.* REPLACE (p.customer || chr({ord(SEPARATOR)}) || t.service AS service) FROM {base} t "
                "JOIN scope_pairs p ON t.service = p.service AND t.customer = p.customer"
            )
        elif scope.customer is not None:
            quoted = scope.customer.replace("'", "''")
            select = (
                f"SELECT * FROM {self.require(table, 'the customers')} WHERE customer IS NULL OR customer = '{quoted}'"
            )
        else:
            select = f"SELECT * FROM {self.require(table, 'the customers')} WHERE customer IS NULL"
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {select}")
        return view

    def _typed_rows(self, table: str) -> str:
        """The table's typed rows, converted once into a temporary table: joined to thousands of
        customers, the typed view would convert (and match patterns on) every value again per
        customer it is joined to."""
        name = f"typed_{table}"
        exists = self.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()
        if exists == (0,):
            view = self.require(table, "the objectives")
            self.con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {view}")
        return name

    def run(self, query: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """A query with the parameters it names (`$p0`, ...) from `params`: DuckDB refuses unused ones."""
        names = set(re.findall(r"\$(\w+)", query))
        return self.con.execute(query, {k: v for k, v in params.items() if k in names}).fetchall()

    # ---- the stages an engine runs where the data lives ------------------------------

    def distinct_customers(self, table: str) -> set[str]:
        """The customers a table's rows name."""
        view = self.require(table, "the objectives")
        return {
            n
            for (n,) in self.con.execute(f"SELECT DISTINCT customer FROM {view} WHERE customer IS NOT NULL").fetchall()
        }

    def sample_summary(self, target: str, params: dict[str, Any]) -> None:
        """Create the temp table `target`: per service of the samples in the period, the count,
        the distinct intervals and the down intervals (`sql.sample_summary`)."""
        view = self.require("samples", "`downtime from samples`")
        self.run(f"CREATE TEMP TABLE {target} AS {sql.sample_summary(view)}", params)

    def insert_missing_buckets(self, target: str, params: dict[str, Any], summary: str) -> None:
        """Insert into `target` every interval of the period without a sample, for every
        service of `$services`, in one statement, from `summary` (`sample_summary`): the
        bitmap of a service's present intervals is already there, so this reads no sample
        again (an anti-join of the grid of intervals against the samples was a second scan,
        and ten times slower). Only samples inside the period count as present, as the
        summary counts them: a sample just before the start must not fill the first interval."""
        self.run(f"INSERT INTO {target} {sql.missing_in_summary(summary)}", params)

    def require_values(self, table_name: str, column: str, why: str = "the value is empty") -> None:
        """An optional column that this use needs in every row: the first empty one is an error."""
        view = self.require(table_name, f"the {column} column")
        if self.con.execute(f'SELECT count(*) FROM {view} WHERE "{column}" IS NULL').fetchone() != (0,):
            self.locate(table_name, f'"{column}" IS NULL', column, why)

    def warn_unknown_customers(self, table_name: str, known: Sequence[str]) -> None:
        """Rows naming a customer the `customers` table does not list: a warning; left out."""
        origin = self.origin(table_name)
        for name, count in self._unknown_customers(table_name, known):
            self.warnings.append(
                f"{origin}: {count} row{'s' if count != 1 else ''} name customer {name!r}, "
                "which the customers table does not list; left out"
            )

    def _unknown_customers(self, table_name: str, known: Sequence[str]) -> list[tuple[str, int]]:
        """(customer, rows) of the customers a table names that are not `known`, by name."""
        view = self.require(table_name, "the customers")
        return self.run(
            f"SELECT customer, count(*) FROM {view} WHERE customer IS NOT NULL "
            "AND customer NOT IN (SELECT unnest($known)) GROUP BY 1 ORDER BY 1",
            {"known": list(known)},
        )

    def warn_unknown(self, table_name: str, column: str, known: Sequence[str], what: str) -> None:
        """Rows naming something the agreement does not define: a warning, and the rows are left out."""
        view = self.require(table_name, f"the {what}s")
        placeholders = ", ".join("?" for _ in known) or "NULL"
        rows = self.con.execute(
            f'SELECT "{column}", count(*) FROM {view} WHERE "{column}" NOT IN ({placeholders}) GROUP BY 1 ORDER BY 1',
            list(known),
        ).fetchall()
        table = self._find(table_name)
        assert table is not None
        for name, count in rows:
            self.warnings.append(
                f"{table.origin}: {count} row{'s' if count != 1 else ''} name {what} {name!r}, "
                f"which the agreement does not define; left out"
            )

    def origin(self, name: str) -> str:
        table = self._find(name)
        return table.origin if table else name

    def close(self) -> None:
        self.con.close()
