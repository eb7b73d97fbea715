"""The Spark engine (`--engine spark`): the evidence is read, typed and validated by Apache
Spark where it lives, and the samples — the table that grows with services × minutes —
are reduced there.

What crosses from Spark to the embedded DuckDB that judges (as Arrow tables, by the same
column names and types as `sladsl.evaluation.evidence` gives):

- every event table (incidents, maintenance, requests, latency, tickets, customers, ...),
  typed and validated by Spark;
- for samples, only what evaluation needs of them: per service, the count, the distinct
  intervals and the down intervals (`sample_summary`), and the intervals without a sample
  (`insert_missing_buckets`) — kilobytes where the samples are gigabytes.

Timestamps follow the one rule of `sladsl.evaluation.instants`: Spark's session time zone
is the agreement's, and java.time reads a wall-clock time as Python's fold=0 does.

Bad evidence is found by Spark (one aggregate pass per table, as in DuckDB); the row and
column are then named by reading that one file with DuckDB, on the error path only, so the
message is the same on either engine.
"""

from __future__ import annotations

import contextlib
import os
import re
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sladsl.evaluation import evidence_files, instants
from sladsl.evaluation.evidence import (
    SEPARATOR,
    TABLES,
    Evidence,
    EvidenceError,
    Scope,
    _Table,
    validity_checks,
)
from sladsl.evaluation.evidence_typing import (
    BOOLEAN,
    DECIMAL,
    INTEGER,
    NUMBER_TEXT,
    PERCENT_TEXT,
    SHARE,
    SHARE_TEXT,
    SQL_TYPES,
    TEXT,
    TIMESTAMP,
    Column,
)
from sladsl.language.diagnostics import SladslError

# Tables that stay in Spark: evaluation asks for their reductions, never their rows.
REDUCED = frozenset({"samples"})
_BOOLEAN_WORDS = {"true": True, "t": True, "yes": True, "y": True, "1": True}
_BOOLEAN_WORDS |= {"false": False, "f": False, "no": False, "n": False, "0": False}

_session: Any = None


def spark_session() -> Any:
    """One Spark session per process: `SPARK_REMOTE` (Spark Connect, e.g. sc://host:15002)
    when set, else a local one (`SLADSL_SPARK_MASTER`, default local[2])."""
    global _session
    if _session is not None:
        return _session
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pyspark.sql import SparkSession
    except ImportError:
        raise SladslError(
            "--engine spark needs PySpark and Java 17: pip install 'sladsl[spark]' "
            "(and, on Debian, apt-get install openjdk-17-jre-headless)"
        ) from None
    remote = os.environ.get("SPARK_REMOTE")
    builder = SparkSession.builder.appName("sladsl")
    if remote:
        builder = builder.remote(remote)
    else:
        log4j = Path(__file__).with_name("log4j2.properties")
        builder = (
            builder.master(os.environ.get("SLADSL_SPARK_MASTER", "local[2]"))
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", os.environ.get("SLADSL_SPARK_PARTITIONS", "8"))
            .config("spark.driver.extraJavaOptions", f"-Dlog4j.configurationFile=file:{log4j}")
            .config("spark.sql.ansi.enabled", "true")
        )
    try:
        with warnings.catch_warnings(), _quiet_stderr():
            warnings.simplefilter("ignore")
            _session = builder.getOrCreate()
    except Exception as exc:  # no Java, or the cluster cannot be reached
        where = f"Spark Connect at {remote}" if remote else "a local Spark (is Java 17 installed?)"
        raise SladslError(f"--engine spark: cannot start {where}: {str(exc).strip().splitlines()[0]}") from None
    return _session


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """The JVM Spark starts inherits file descriptor 2 and prints its own start-up notices
    there (`Using incubator modules`, log levels): it gets /dev/null instead, so the user's
    terminal shows sladsl's messages. Spark's errors still reach sladsl as exceptions."""
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class SparkEvidence(Evidence):
    """A folder of tables read by Spark: `NAME.parquet` (a file or a directory of part
    files), `NAME/` (a directory of Parquet files), `NAME.csv` or `NAME.jsonl`."""

    def __init__(self, source: str | Path, zone: str, session: Any = None) -> None:
        super().__init__(source, zone)
        if self.database:
            raise SladslError(f"{source}: --engine spark reads a folder of tables, not a DuckDB file")
        self.spark = session or spark_session()
        self.spark.conf.set("spark.sql.session.timeZone", zone)
        # Parquet TIMESTAMP(NANOS) (pandas' default) is illegal to Spark's reader: read as the
        # long it is stored as, and made an instant by `_spark_typed` (`_nanos` says which)
        self.spark.conf.set("spark.sql.legacy.parquet.nanosAsLong", "true")
        self._frames: dict[str, Any] = {}  # the typed tables that stay in Spark
        self._scoped: dict[str, Any] = {}
        self._checked: set[str] = set()

    # ---- reading ----------------------------------------------------------------------

    def require(self, name: str, why: str) -> str:
        table = self._find(name)
        if table is None or name == "ledger":  # `--history LEDGER` is a local file, read by DuckDB
            return super().require(name, why)
        view = f"ev_{name}"
        if name not in self._checked:
            typed = self._typed_frame(table)
            if name in REDUCED:
                self._frames[name] = typed.persist()
            else:
                self._to_duckdb(typed, view, TABLES[name])
            self._checked.add(name)
        if name in REDUCED:
            return f"spark_{name}"  # not a DuckDB name: a query that reads the rows fails loudly
        return self.scope.get(name, view)

    def _raw_frame(self, table: _Table) -> Any:
        self._prepare(table)  # the delimiter, the part files: decided as for DuckDB
        reader = self.spark.read
        # the file, or the directory of part files; absolute, for a Spark Connect server has its own directory
        path = str(Path(table.origin).resolve())
        try:
            if table.kind == "csv":
                return (
                    reader.option("header", True)
                    .option("sep", table.delimiter)
                    .option("inferSchema", False)
                    .option("multiLine", True)
                    .option("escape", '"')
                    .option("mode", "FAILFAST")
                    .csv(path)
                )
            if table.kind == "jsonl":
                return reader.option("mode", "FAILFAST").json(path)
            return reader.parquet(path)
        except Exception as exc:
            self._fail_like_duckdb(table, exc)
            raise  # unreachable: the above raises

    def _typed_frame(self, table: _Table) -> Any:
        raw = self._raw_frame(table)
        raw_types = {f.name: f.dataType.simpleString() for f in raw.schema.fields}
        table.present = tuple(raw_types)
        text = table.kind in ("csv", "jsonl")
        if text and any(_REPLACEMENT in name for name in raw_types):
            self._refuse_if_not_utf8(table)
        raw_types |= _nanos(table.part_types or {}, raw_types)
        columns = TABLES[table.name]
        for column in columns:
            if column.name not in raw_types and not column.optional:
                have = ", ".join(raw_types) or "none"
                raise EvidenceError(f"{table.origin}: missing column `{column.name}` (the columns are: {have})")
        raw_name = f"raw_{table.name}"
        raw.createOrReplaceTempView(raw_name)
        parts = []
        for column in columns:
            parts.append(f"{_spark_typed(column, raw_types)} AS `{column.name}`")
            present = column.name in raw_types
            parts.append(f"{_spark_raw(column.name, raw_types) if present else 'NULL'} AS `__raw_{column.name}`")
        strings = [f"`{name}`" for name, kind in raw_types.items() if kind == "string"]
        if text and strings:  # Spark decodes bytes that are not UTF-8 to U+FFFD, and goes on
            parts.append(f"instr(concat_ws('', {', '.join(strings)}), '{_REPLACEMENT}') > 0 AS `__replaced`")
        checked = self.spark.sql(f"SELECT {', '.join(parts)} FROM {raw_name}")
        self._validate_in_spark(table, checked, raw_types)
        return checked.select(*[f"`{c.name}`" for c in columns])

    def _validate_in_spark(self, table: _Table, checked: Any, raw_types: dict[str, str]) -> None:
        every = validity_checks(table.name, set(raw_types), parsed=lambda c: True, may_be_empty=lambda c: True)
        checks = [_backticks(condition) for condition, _, _ in every]
        replaced = "__replaced" in checked.columns
        if not checks and not replaced:
            return
        checked.createOrReplaceTempView(f"checked_{table.name}")
        counts = ", ".join(f"count_if({c})" for c in ["`__replaced`"] * replaced + checks)
        try:
            row = self.spark.sql(f"SELECT {counts} FROM checked_{table.name}").collect()[0]
        except Exception as exc:  # a ragged or corrupt file, found on the first full read
            self._fail_like_duckdb(table, exc)
        if replaced:
            if row[0]:  # bytes that are not UTF-8, or a U+FFFD written as UTF-8 (which is fine)
                self._refuse_if_not_utf8(table)
            row = row[1:]
        if any(row):
            failed = [c for c, n in zip(checks, row, strict=True) if n]
            self._fail_like_duckdb(table, None, failed[0])

    def _refuse_if_not_utf8(self, table: _Table) -> None:
        """Spark read a replacement character: the error DuckDB gives when the file is not
        UTF-8 (naming the line), found by reading the file once; else nothing."""
        problem = evidence_files.not_utf8(table.file, table.origin)
        if problem:
            raise EvidenceError(problem)

    def _fail_like_duckdb(self, table: _Table, exc: Exception | None, condition: str = "") -> None:
        """Name the row and column as the DuckDB engine does, by validating this one file with
        DuckDB (the error path only); when DuckDB accepts what Spark refused, say what Spark found."""
        if table.file:
            super()._open(table, f"ev_{table.name}")  # raises the precise error
        detail = str(exc).strip().splitlines()[0] if exc else f"rows where {condition}"
        raise EvidenceError(f"{table.origin}: Spark cannot read the table ({detail})")

    def _to_duckdb(self, frame: Any, view: str, columns: tuple[Column, ...]) -> None:
        """A typed Spark table as a DuckDB temp table of exactly the typed view's types."""
        selects = ", ".join(f'CAST("{c.name}" AS {SQL_TYPES[c.kind]}) AS "{c.name}"' for c in columns)
        self._collect(frame, f"CREATE OR REPLACE TEMP TABLE {view} AS SELECT {selects} FROM {{rows}}")

    def _collect(self, frame: Any, statement: str, params: dict[str, Any] | None = None) -> None:
        """Run a DuckDB `statement` over a Spark result, brought to the driver as Arrow and
        named `{rows}` in it for the statement only."""
        name = f"spark_result_{id(frame)}"
        self.con.register(name, frame.toArrow())
        try:
            self.run(statement.format(rows=name), params or {})
        finally:
            self.con.unregister(name)

    def locate(
        self, table_name: str, condition: str, column: str, message: str, params: dict[str, Any] | None = None
    ) -> None:
        table = self._find(table_name)
        if table is not None and not table.raw_types:  # read by Spark: DuckDB reads the file to name the row
            super()._open(table, f"ev_{table_name}" if table_name in REDUCED else f"duckdb_{table_name}")
        super().locate(table_name, condition, column, message, params)

    # ---- scopes -----------------------------------------------------------------------

    def scope_to(self, tables: Any, scope: Scope, prefix: str) -> None:
        tables = list(tables)
        super().scope_to([t for t in tables if t not in REDUCED], scope, prefix)
        self._scoped = {}
        for table in tables:
            if table in REDUCED and self.has(table):
                self.require(table, "the customers' evidence")
                self._scoped[table] = self._scoped_frame(self._frames[table], scope)

    def clear_scope(self) -> None:
        super().clear_scope()
        self._scoped = {}

    def _scoped_frame(self, frame: Any, scope: Scope) -> Any:
        from pyspark.sql import functions as F

        if scope.pairs is not None:
            pairs = self.spark.createDataFrame(list(scope.pairs), "customer string, service string")
            renamed = [F.concat(F.col("p.customer"), F.lit(SEPARATOR), F.col("t.service")).alias("service")]
            others = [F.col(f"t.`{c}`") for c in frame.columns if c != "service"]
            t, p = frame.alias("t"), F.broadcast(pairs.alias("p"))
            shared = t.where(F.col("t.customer").isNull()).join(p, F.col("t.service") == F.col("p.service"))
            own = t.join(p, (F.col("t.service") == F.col("p.service")) & (F.col("t.customer") == F.col("p.customer")))
            return shared.select(*renamed, *others).unionByName(own.select(*renamed, *others))
        if scope.customer is not None:
            return frame.where(F.col("customer").isNull() | (F.col("customer") == F.lit(scope.customer)))
        return frame.where(F.col("customer").isNull())

    def _rows(self, name: str) -> Any:
        self.require(name, "the objectives")
        return self._scoped.get(name, self._frames[name])

    # ---- the stages Spark runs --------------------------------------------------------

    def distinct_customers(self, table: str) -> set[str]:
        if table not in REDUCED:
            return super().distinct_customers(table)
        rows = self._rows(table).where("customer IS NOT NULL").select("customer").distinct().collect()
        return {r[0] for r in rows}

    def _unknown_customers(self, table_name: str, known: Sequence[str]) -> list[tuple[str, int]]:
        if table_name not in REDUCED:
            return super()._unknown_customers(table_name, known)
        from pyspark.sql import functions as F

        rows = self._rows(table_name)
        unknown = rows.where(F.col("customer").isNotNull() & ~F.col("customer").isin(list(known)))
        return [(r[0], r[1]) for r in unknown.groupBy("customer").count().orderBy("customer").collect()]

    def _buckets(self, params: dict[str, Any]) -> Any:
        """The samples of the period with their interval number, as the DuckDB query has them."""
        from pyspark.sql import functions as F

        micros = F.unix_micros(F.col("timestamp"))
        p0, p1, step = int(params["p0"]), int(params["p1"]), int(params["step"])
        # `div`: integer division (`/` is floating in Spark); the period's samples only, so it cannot truncate below 0
        bucket = F.expr(f"CAST((unix_micros(`timestamp`) - {p0}) div {step} AS INT)").alias("bucket")
        return self._rows("samples").where((micros >= F.lit(p0)) & (micros < F.lit(p1))).select("service", "up", bucket)

    def sample_summary(self, target: str, params: dict[str, Any]) -> None:
        """One Spark job per shape: the summary DuckDB's query gives, and beside it each
        service's gaps between its distinct intervals (`gaps`: [lo, hi] runs, from a window
        over the present intervals, not an anti-join against the whole grid), which
        `insert_missing_buckets` expands in DuckDB without going back to Spark."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        # one shuffle to the intervals present (with their sample count and whether any is
        # down), then per service: the count, the distinct intervals, the down ones, the last
        present = (
            self._buckets(params)
            .groupBy("service", "bucket")
            .agg(F.count(F.lit(1)).alias("k"), F.bool_or(~F.col("up")).alias("any_down"))
        )
        counts = present.groupBy("service").agg(
            F.sum("k").alias("n"),
            F.count(F.lit(1)).alias("distinct_buckets"),
            F.collect_list(F.when(F.col("any_down"), F.col("bucket"))).alias("down"),
            F.max("bucket").alias("last"),
        )
        previous = F.lag("bucket").over(Window.partitionBy("service").orderBy("bucket"))
        gaps = (
            present.select("service", F.coalesce(previous + 1, F.lit(0)).alias("lo"), (F.col("bucket") - 1).alias("hi"))
            .where("lo <= hi")
            .groupBy("service")
            .agg(F.collect_list(F.struct("lo", "hi")).alias("gaps"))
        )
        self._collect(
            counts.join(gaps, "service", "left"),
            f"CREATE TEMP TABLE {target} AS SELECT service, CAST(n AS BIGINT) AS n, "
            "CAST(distinct_buckets AS BIGINT) AS distinct_buckets, CAST(down AS INTEGER[]) AS down, "
            'CAST(coalesce(gaps, []) AS STRUCT(lo BIGINT, hi BIGINT)[]) AS gaps, CAST("last" AS BIGINT) AS "last" '
            "FROM {rows}",
        )

    def insert_missing_buckets(self, target: str, params: dict[str, Any], summary: str) -> None:
        """The intervals of `summary`'s gaps, after each service's last interval, and the
        whole period for a service without samples; in DuckDB, from what Spark returned."""
        query = f"""
            INSERT INTO {target}
            SELECT service, CAST(unnest(range(g.lo, g.hi + 1)) AS INTEGER)
            FROM (SELECT service, unnest(gaps) AS g FROM {summary} WHERE service IN (SELECT unnest($services)))
            UNION ALL
            SELECT service, CAST(unnest(range("last" + 1, $buckets)) AS INTEGER)
            FROM {summary} WHERE service IN (SELECT unnest($services)) AND "last" + 1 < $buckets
            UNION ALL
            SELECT s.service, CAST(unnest(range(0, $buckets)) AS INTEGER)
            FROM (SELECT unnest($services) AS service) s ANTI JOIN {summary} m ON m.service = s.service
        """
        self.run(query, params)

    def close(self) -> None:
        for frame in self._frames.values():
            frame.unpersist()
        super().close()


# ---- typing, as `sladsl.evaluation.evidence._typed` does in DuckDB ------------------------------

_SPARK_TYPES = {TEXT: "STRING", TIMESTAMP: "TIMESTAMP", BOOLEAN: "BOOLEAN", INTEGER: "BIGINT"}
_SPARK_TYPES |= {DECIMAL: "DECIMAL(38,9)", SHARE: "DECIMAL(38,9)"}
_INTEGERS = frozenset({"bigint", "int", "smallint", "tinyint"})

_FLOATS = frozenset({"double", "float"})
_NANOS = {"TIMESTAMP_NS": "timestamp_ns", "TIMESTAMPTZ_NS": "timestamptz_ns"}  # DuckDB's type -> ours
_REPLACEMENT = "\ufffd"


def _nanos(part_types: dict[str, str], raw_types: dict[str, str]) -> dict[str, str]:
    """The Parquet TIMESTAMP(NANOS) columns, which Spark reads as longs (`nanosAsLong`), by
    the pseudo types `_spark_typed` makes instants of: wall-clock times or UTC instants."""
    return {
        name: _NANOS[kind] for name, kind in part_types.items() if kind in _NANOS and raw_types.get(name) == "bigint"
    }


def _spark_raw(name: str, raw_types: dict[str, str]) -> str:
    if raw_types.get(name) == "string":
        return f"NULLIF(TRIM(`{name}`), '')"
    return f"`{name}`"


def _spark_typed(column: Column, raw_types: dict[str, str]) -> str:
    name, kind = column.name, column.kind
    if name not in raw_types:
        return f"CAST(NULL AS {_SPARK_TYPES[kind]})"
    raw_type = raw_types[name]
    raw = _spark_raw(name, raw_types)
    text = f"CAST({raw} AS STRING)"
    if kind == TEXT:
        return text
    if kind == TIMESTAMP:
        if raw_type in _NANOS.values():  # microseconds rounded down (`pmod` is never negative), as in DuckDB
            micros = f"((`{name}` - pmod(`{name}`, 1000)) div 1000)"
            if raw_type == "timestamptz_ns":
                return f"timestamp_micros({micros})"
            return f"CAST(timestampadd(MICROSECOND, {micros}, TIMESTAMP_NTZ'1970-01-01 00:00:00') AS TIMESTAMP)"
        if raw_type in ("timestamp", "timestamp_ntz", "date"):
            return f"CAST(`{name}` AS TIMESTAMP)"  # a naive value: the session's zone, fold=0
        # the one grammar (`instants.ISO_TIMESTAMP`): within it, Spark's cast reads as DuckDB's
        # Spark's cast wants seconds before an offset (`12:00+01:00`): they are written in
        with_seconds = f"regexp_replace({text}, '^([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ][0-9]{{2}}:[0-9]{{2}})(Z|[+-].*)?$', '$1:00$2')"
        return f"CASE WHEN {text} RLIKE '{_pattern(instants.ISO_TIMESTAMP)}' THEN try_cast({with_seconds} AS TIMESTAMP) END"
    if kind == BOOLEAN:
        if raw_type == "boolean":
            return f"`{name}`"
        cases = " ".join(f"WHEN '{w}' THEN {str(v).lower()}" for w, v in _BOOLEAN_WORDS.items())
        return f"CASE lower({text}) {cases} END"
    if raw_type in _FLOATS:
        finite = f"NOT isnan({raw}) AND abs({raw}) != double('infinity')"
        if kind == INTEGER:
            return f"CASE WHEN {finite} AND abs({raw}) < 9.2e18 AND {raw} = round({raw}) THEN CAST({raw} AS BIGINT) END"
        # DuckDB reads the float's shortest text; Java 17's Double.toString is not always the
        # shortest (1e23 is `9.999999999999999E22`): the fewest digits, 15 to 17, that read back
        shortest = ", ".join(
            f"CASE WHEN CAST(format_string('%.{p}e', {raw}) AS DOUBLE) = {raw} THEN format_string('%.{p}e', {raw}) END"
            for p in (14, 15, 16)
        )
        return (
            f"CASE WHEN {finite} AND abs({raw}) < 1e28 THEN try_cast(coalesce({shortest}, {text}) AS DECIMAL(38,9)) END"
        )
    if kind == INTEGER:
        if raw_type in _INTEGERS:
            return f"CAST(`{name}` AS BIGINT)"
        return f"CASE WHEN {text} RLIKE '^[+-]?[0-9]+$' THEN try_cast({text} AS BIGINT) END"
    if raw_type in _INTEGERS or raw_type.startswith("decimal"):
        return f"CAST(`{name}` AS DECIMAL(38,9))"
    if kind == SHARE:  # `0.4` or `40%`, exactly, as in DuckDB
        share = f"CAST({text} AS DECIMAL(38,9))"
        # DECIMAL(30,7) × DECIMAL(3,2) is exact in DECIMAL(34,9): Spark would round a wider product
        percent = f"CAST(try_cast(trim(regexp_replace({text}, '%', '')) AS DECIMAL(30,7)) * CAST(0.01 AS DECIMAL(3,2)) AS DECIMAL(38,9))"
        return (
            f"CASE WHEN {text} RLIKE '{_pattern(SHARE_TEXT)}' THEN {share} "
            f"WHEN {text} RLIKE '{_pattern(PERCENT_TEXT)}' THEN {percent} END"
        )
    return f"CASE WHEN {text} RLIKE '{_pattern(NUMBER_TEXT)}' THEN try_cast({text} AS DECIMAL(38,9)) END"


def _pattern(regex: str) -> str:
    """A whole-value regex of `sladsl.evaluation.evidence` as the text of a Spark SQL literal,
    whose backslashes are escapes."""
    return f"^{regex}$".replace("\\", "\\\\")


def _backticks(condition: str) -> str:
    """A DuckDB condition of `RULES` in Spark's quoting."""
    return re.sub(r'"(\w+)"', r"`\1`", condition)
