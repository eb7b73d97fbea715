"""Evidence straight from Prometheus (`--data prometheus+http://HOST:9090`).

`open_data` passes file and DuckDB sources through unchanged. For a Prometheus URL it runs
each objective's `monitor prometheus` queries (the ones `sladsl compile` uses) through the
HTTP API (`/api/v1/query_range`, by `prometheus_http`, which trusts the server with
nothing) over the period, in steps that start at the period's start in the agreement's
time zone, and writes the tables evaluation reads (`requests`, `samples`, `latency`, with
DATA.md's columns) into a DuckDB file in a temporary folder, removed afterwards.

What is not evidence gives no row, never a good one: a NaN, a point at an instant that
was not asked for, the steps of an answer the server warns may be partial, a query with no
series. Evaluation then says "no evidence" rather than 100%. `prometheus_series` checks
that the series behind each query exist, so that a misspelt metric or label stops instead
of counting nothing. docs/prometheus.md says what each query becomes and where it is exact.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb

from sladsl.evaluation.prometheus_http import US, Server, seconds, shown
from sladsl.evaluation.prometheus_series import SeriesCheck
from sladsl.language import ast
from sladsl.language.diagnostics import SladslError
from sladsl.language.periods import Window, parse_label

SCHEMES = ("prometheus+http://", "prometheus+https://")
MAX_STEPS = 1_100_000  # steps per query over the period (100 requests of 11,000 points)
MAX_LATENCY_ROWS = 20_000_000  # requests expanded into `latency` rows, one per request
HOUR_US = 3600 * US
_NUDGE_MS = Decimal("0.000001")  # 1 ns: a request in the le="D" bucket is taken as just below D

Warn = Callable[[str], None]


def warn_on_stderr(message: str) -> None:
    """The default for the source's warnings: one `sladsl: warning:` line each, as the
    command prints evaluation's (the message holds no server text unescaped)."""
    print(f"sladsl: warning: {message}", file=sys.stderr)


@contextlib.contextmanager
def open_data(
    data: str, agreement: ast.Agreement, label: str, warn: Warn | None = None, tables: str | None = None
) -> Iterator[str | Path]:
    """The evidence source evaluation reads: the path as given, or, for a Prometheus URL,
    a temporary DuckDB file of the tables fetched for the period `label`.

    `tables` is a folder beside a Prometheus source for the tables Prometheus cannot give
    (incidents, maintenance, tickets, ...): the DuckDB file names it in `sladsl_source`, and
    `Evidence` looks there for every table the file does not hold, so that errors still name
    the folder's own files and rows.
    """
    if not data.startswith(SCHEMES):
        if tables is not None:
            raise SladslError(f"--data {data} --data {tables}: a second --data goes beside a Prometheus source only")
        yield data
        return
    server = Server.parse(data)
    if tables is not None:
        _check_folder(tables)
    window = _period(label, agreement.timezone)
    with tempfile.TemporaryDirectory(prefix="sladsl-prometheus-") as folder:
        path = Path(folder) / "evidence.duckdb"
        fetch(server, agreement, window, path, warn or warn_on_stderr, tables)
        yield path


def _check_folder(tables: str) -> None:
    try:
        is_dir = Path(tables).is_dir()
    except OSError as exc:
        raise SladslError(f"--data {tables}: cannot be read ({exc.strerror or exc})") from None
    if not is_dir:
        raise SladslError(
            f"--data {tables}: not a folder; beside a Prometheus source, --data names the folder of the "
            "tables Prometheus does not give (incidents, maintenance, tickets, ...)"
        )


def _period(label: str, zone: str) -> Window:
    """The span to fetch: one period, or the first to the last of a range `A..B`."""
    first, dots, last = label.partition("..")
    start = parse_label(first, zone)
    if not dots:
        return start
    end = parse_label(last, zone)
    return Window(start.kind, label, start.start, max(start.end, end.end))


# ---- what each objective needs ------------------------------------------------------


@dataclass
class _Need:
    """One table's rows for one service (and metric): the queries, the step that serves
    every objective reading them, and who asked (for messages)."""

    table: str
    service: str
    queries: tuple[tuple[str, str], ...]  # (kind, query)
    windows: set[int] = field(default_factory=set)  # µs
    objectives: list[str] = field(default_factory=list)
    metric: str = ""
    average: bool = False
    strict_ms: set[Decimal] = field(default_factory=set)


def needs(agreement: ast.Agreement) -> list[_Need]:
    """Per service: what `requests`, `samples` and `latency` must hold, from the monitor
    queries of the objectives that read them; a clear error when an objective reads one
    and has no queries for it, or two objectives want different rows in one table."""
    found: dict[tuple[str, str, str], _Need] = {}
    for service in agreement.services:
        for objective in service.objectives:
            where = f"objective \u201c{objective.name}\u201d of service \u201c{service.name}\u201d"
            monitor = objective.monitor
            for target in objective.targets:
                table, queries, size, metric = _reads(objective, target, monitor, where)
                if table is None:
                    continue
                key = (table, service.name, metric)
                need = found.get(key)
                if need is None:
                    need = found[key] = _Need(table, service.name, queries, metric=metric)
                elif need.queries != queries:
                    raise SladslError(
                        f"{where}: its `monitor prometheus` queries differ from those of objective "
                        f"\u201c{need.objectives[0]}\u201d, which fill the same `{table}` rows; "
                        "evaluation reads one table per service (and metric), so give them the same queries"
                    )
                if table == "samples" and need.windows and size not in need.windows:
                    raise SladslError(
                        f"{where}: samples every {_words(size)} and every {_words(min(need.windows))} "
                        f"(objective \u201c{need.objectives[0]}\u201d) cannot share one `samples` table"
                    )
                if isinstance(target, ast.LatencyTarget):
                    average = target.percentile is None
                    if need.objectives and need.average != average and queries[0][0] == "histogram":
                        raise SladslError(
                            f'{where}: latency "{metric}" is judged by its average and by a percentile; from a '
                            "histogram one `latency` table cannot give both: use two metric names"
                        )
                    need.average = average
                    if target.strict:
                        need.strict_ms.add(target.limit.seconds * 1000)
                need.windows.add(size)
                if objective.name not in need.objectives:
                    need.objectives.append(objective.name)
    return list(found.values())


def _reads(
    objective: ast.Objective, target: ast.Target, monitor: ast.Monitor | None, where: str
) -> tuple[str | None, tuple[tuple[str, str], ...], int, str]:
    """(table, queries, step in µs, metric) for one target, or table None when it reads
    no table that Prometheus gives (incidents)."""
    if isinstance(target, ast.LatencyTarget):
        query = monitor and (monitor.query("histogram") or monitor.query("latency"))
        if monitor is None or not query:
            raise SladslError(
                f'{where}: latency "{target.metric}" from Prometheus needs `monitor prometheus` with '
                "`histogram` or `latency`"
            )
        kind = "histogram" if monitor.query("histogram") else "latency"
        size = HOUR_US
        if target.windows is not None and not _whole_days(target.windows.window):
            size = _us(target.windows.window)
        return "latency", ((kind, query),), size, target.metric
    source = objective.downtime_source
    if isinstance(target, ast.RequestTarget):
        table, size = "requests", HOUR_US
    elif isinstance(source, ast.DowntimeFromErrorRate | ast.AverageErrorRate):
        table, size = "requests", _us(source.window)
    elif isinstance(source, ast.DowntimeFromSamples):
        table, size = "samples", _us(source.every)
    else:
        return None, (), 0, ""
    errors = monitor.query("errors") if monitor else None
    good = monitor.query("good") if monitor else None
    total = monitor.query("total") if monitor else None
    if not total or not (errors or good):
        raise SladslError(
            f"{where}: reading its {table} from Prometheus needs `monitor prometheus` with `total` and `errors` or `good`"
        )
    queries = (("errors", errors),) if errors else (("good", good or ""),)
    return table, (*queries, ("total", total)), size, ""


def _whole_days(length: ast.Duration) -> bool:
    return length.unit in (ast.TimeUnit.DAY, ast.TimeUnit.WEEK) and length.amount == int(length.amount)


def _us(duration: ast.Duration) -> int:
    return int(duration.seconds * US)


def _words(us: int) -> str:
    """A step as a Prometheus duration (1d, 1h, 5m, 90s, 500ms), as compile writes windows."""
    for unit, size in (("d", 86400 * US), ("h", 3600 * US), ("m", 60 * US), ("s", US), ("ms", 1000)):
        if us % size == 0:
            return f"{us // size}{unit}"
    return f"{us}us"


# ---- fetching -----------------------------------------------------------------------


@dataclass
class _Run:
    """One fetch: the server, the period, where warnings go, and the series check that
    asks about each selector once."""

    server: Server
    window: Window
    warn: Warn
    check: SeriesCheck


def fetch(
    server: Server,
    agreement: ast.Agreement,
    window: Window,
    path: Path,
    warn: Warn = warn_on_stderr,
    tables: str | None = None,
) -> None:
    """Write `requests`, `samples` and `latency` for the period into the DuckDB file `path`,
    and in `sladsl_source` the server and the folder `tables` of the other tables (or NULL)."""
    rows: dict[str, dict[str, list[Any]]] = {
        "requests": {"service": [], "t": [], "good": [], "total": []},
        "samples": {"service": [], "t": [], "up": []},
        "latency": {"service": [], "metric": [], "t": [], "value": [], "n": []},
    }
    run = _Run(server, window, warn, SeriesCheck(server, window, warn, set()))
    expanded = 0
    wanted = needs(agreement)
    for need in wanted:
        step = _step(need, window)
        try:
            expanded = _fetch_one(run, need, step, rows, expanded)
        except ArithmeticError:
            raise SladslError(
                f"{server.shown}: the queries of objective “{need.objectives[0]}” of service "
                f"“{need.service}” give values out of range"
            ) from None
    try:
        _write(
            path, rows, {n.table for n in wanted}, (server.shown, None if tables is None else os.path.abspath(tables))
        )
    except duckdb.Error as exc:
        raise SladslError(
            f"{server.shown}: values out of range for the evidence tables ({str(exc).splitlines()[0]})"
        ) from None


def _fetch_one(run: _Run, need: _Need, step: int, rows: dict[str, dict[str, list[Any]]], expanded: int) -> int:
    if need.table == "latency":
        expanded += _latency(run, need, step, rows["latency"])
        if expanded > MAX_LATENCY_ROWS:
            raise SladslError(
                f'{run.server.shown}: latency "{need.metric}" of service \u201c{need.service}\u201d has more than '
                f"{MAX_LATENCY_ROWS:,} requests in {run.window.label}; evaluation reads one `latency` row per request"
            )
    else:
        _counts(run, need, step, rows[need.table])
    return expanded


def _step(need: _Need, window: Window) -> int:
    """The step: a length that divides every window of the objectives reading the rows
    and the period, so that steps start at the period start and add up to whole windows."""
    length = window.end_us - window.start_us
    step = math.gcd(length, *need.windows) if need.table != "samples" else min(need.windows)
    if length // step > MAX_STEPS:
        raise SladslError(
            f"service \u201c{need.service}\u201d: {length // step:,} steps of {_words(step)} in {window.label} "
            f"(objectives {', '.join(need.objectives)}); fetching more than {MAX_STEPS:,} is refused"
        )
    return step


def _query(text: str, step: int) -> str:
    return text.replace("{{window}}", _words(step))


@dataclass
class _Values:
    """A query's values per series label (all series summed under "") and step start,
    and the step starts that have no evidence: a NaN, or an answer the server warned may
    be partial. A step in `unknown` must give no row, whatever the other values say."""

    by: dict[str, dict[int, Decimal]] = field(default_factory=dict)
    unknown: set[int] = field(default_factory=set)

    def summed(self) -> dict[int, Decimal]:
        return {t: v for t, v in self.by.get("", {}).items() if t not in self.unknown}


@dataclass
class _Tally:
    """What a query's answer held that is not evidence, for one warning each."""

    nan: int = 0
    elsewhere: int = 0
    warnings: list[str] = field(default_factory=list)
    warned_steps: int = 0


def _by_time(run: _Run, text: str, step: int, *, required: bool, by: str | None = None) -> _Values:
    """The query's values per series label `by` (all series summed when None), per step
    start, evaluated at each step's end. Points at instants not asked for are dropped; a
    NaN or a warned answer makes its steps unknown. The query's selectors are checked
    (a metric or label with no series stops); a required query without data warns."""
    query = _query(text, step)
    found, tally = _Values(), _Tally()
    for chunk in run.server.query_range(query, run.window.start_us + step, run.window.end_us, step):
        if chunk.warnings:
            tally.warnings += chunk.warnings
            before = len(found.unknown)
            found.unknown.update(range(chunk.first - step, chunk.last - step + 1, step))
            tally.warned_steps += len(found.unknown) - before
        for labels, points in chunk.series:
            into = found.by.setdefault(labels.get(by, "") if by else "", {})
            for t, raw in points:
                _point(run, query, found, into, tally, chunk.first, chunk.last, step, t, raw)
    run.check.query(query)
    _tell(run, query, found, tally, required)
    return found


def _point(
    run: _Run,
    query: str,
    found: _Values,
    into: dict[int, Decimal],
    tally: _Tally,
    first: int,
    last: int,
    step: int,
    t: int,
    raw: str,
) -> None:
    """Add one point to its step, or count it as no evidence."""
    if not first <= t <= last or (t - first) % step:
        tally.elsewhere += 1
        return
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal("Infinity")
    if value.is_nan():
        tally.nan += 1
        found.unknown.add(t - step)
        return
    if not value.is_finite():
        raise SladslError(f"{run.server.shown}: query {query!r} gives {shown(raw, 40)} at {seconds(t)}")
    into[t - step] = into.get(t - step, Decimal(0)) + value


def _tell(run: _Run, query: str, found: _Values, tally: _Tally, required: bool) -> None:
    """One warning per kind of missing evidence in a query's answer."""
    where = f"{run.server.shown}: query {query!r}"
    label = run.window.label
    if tally.warnings:
        text = shown("; ".join(dict.fromkeys(tally.warnings)))
        run.warn(
            f"{where}: the server warns that its answer may be incomplete ({text}); {tally.warned_steps} steps are no evidence"
        )
    if tally.nan:
        run.warn(f"{where}: gives NaN at {tally.nan} instants in {label}; those steps are no evidence")
    if tally.elsewhere:
        run.warn(
            f"{where}: {tally.elsewhere} points at instants not asked for (outside {label} or off its steps) are left out"
        )
    if required and not any(t not in found.unknown for values in found.by.values() for t in values):
        run.warn(f"{where}: gives no data in {label}; no evidence from it")


def _counts(run: _Run, need: _Need, step: int, out: dict[str, list[Any]]) -> None:
    """`requests` (good, total per step) or `samples` (up when no request of the step
    failed); a step without evidence in either query gives no row."""
    kinds = dict(need.queries)
    total_values = _by_time(run, kinds["total"], step, required=True)
    bad_kind = "errors" if "errors" in kinds else "good"
    other_values = _by_time(run, kinds[bad_kind], step, required=False)
    total, other = total_values.summed(), other_values.summed()
    scale = {kind: _scale(query, step) for kind, query in need.queries}
    for t in sorted(total):
        if t in other_values.unknown:
            continue
        count = max(0, round(total[t] * scale["total"]))
        found = max(0, round(other.get(t, Decimal(0)) * scale[bad_kind]))
        good = count - min(found, count) if bad_kind == "errors" else min(found, count)
        if need.table == "requests":
            out["good"].append(good)
            out["total"].append(count)
        elif count > 0:
            out["up"].append(good == count)
        else:
            continue
        out["service"].append(need.service)
        out["t"].append(t)


def _scale(query: str, step: int) -> Decimal:
    """A query with `rate(` gives events per second: times the step's seconds to count them;
    any other (`increase(`, `sum_over_time(`...) gives the step's count."""
    return Decimal(step) / US if "rate(" in query and "increase(" not in query else Decimal(1)


def _latency(run: _Run, need: _Need, step: int, out: dict[str, list[Any]]) -> int:
    """`latency` rows as (value, number of requests) per step; returns the requests."""
    kind, text = need.queries[0]
    if kind == "latency":
        values = _by_time(run, text, step, required=True).summed()
        rows = [(t, v * 1000, 1) for t, v in values.items()]
    elif need.average:
        rows = _averages(run, text, step)
    else:
        rows = _buckets(run, need, text, step)
    for t, value, n in rows:
        out["service"].append(need.service)
        out["metric"].append(need.metric)
        out["t"].append(t)
        out["value"].append(format(value, "f"))
        out["n"].append(n)
    return sum(n for _, _, n in rows)


def _averages(run: _Run, text: str, step: int) -> list[tuple[int, Decimal, int]]:
    """Each step's requests at the step's mean, from the histogram's `_sum` and `_count`."""
    sums = _by_time(run, f"sum(increase({text}_sum[{{{{window}}}}]))", step, required=True)
    counts = _by_time(run, f"sum(increase({text}_count[{{{{window}}}}]))", step, required=True)
    known_sums = sums.summed()
    rows = []
    for t, c in counts.summed().items():
        n = round(c)
        if n > 0 and t not in sums.unknown:
            rows.append((t, (known_sums.get(t, Decimal(0)) * 1000 / c).quantize(Decimal("0.000000001")), n))
    return rows


def _buckets(run: _Run, need: _Need, text: str, step: int) -> list[tuple[int, Decimal, int]]:
    """Each step's requests per bucket, at the bucket's upper bound (docs/prometheus.md)."""
    found = _by_time(run, f"sum by (le) (increase({text}_bucket[{{{{window}}}}]))", step, required=True, by="le")
    buckets = found.by
    try:
        bounds = sorted((Decimal(le), le) for le in buckets if le)
    except InvalidOperation:
        raise SladslError(f"{run.server.shown}: histogram {text!r} has an `le` label that is not a number") from None
    if any(b.is_nan() or b < 0 for b, _ in bounds):
        raise SladslError(f"{run.server.shown}: histogram {text!r} has an `le` label that is not a bucket bound")
    finite = [b for b, _ in bounds if b.is_finite()]
    top = (finite[-1] * 1000 if finite else Decimal(0)) + Decimal("0.001")
    rows = []
    for t in sorted({t for le in buckets.values() for t in le} - found.unknown):
        below = 0
        for bound, le in bounds:
            cumulative = round(buckets[le].get(t, Decimal(0)))
            n = cumulative - below
            if n > 0:
                ms = bound * 1000 if bound.is_finite() else top
                rows.append((t, ms - _NUDGE_MS if ms in need.strict_ms else ms, n))
            below = max(below, cumulative)
    return rows


_SCHEMAS = {
    "requests": "service VARCHAR, timestamp TIMESTAMPTZ, good BIGINT, total BIGINT",
    "samples": "service VARCHAR, timestamp TIMESTAMPTZ, up BOOLEAN",
    "latency": "service VARCHAR, metric VARCHAR, timestamp TIMESTAMPTZ, value_ms DECIMAL(38,9)",
}


def _write(path: Path, rows: dict[str, dict[str, list[Any]]], tables: set[str], source: tuple[str, str | None]) -> None:
    """One statement per table: the columns go in as lists and are unnested in DuckDB; a
    `latency` row of n requests becomes n rows."""
    ts = "timezone('UTC', make_timestamp(unnest($t)))"
    selects = {
        "requests": f"SELECT unnest($service), {ts}, unnest($good), unnest($total)",
        "samples": f"SELECT unnest($service), {ts}, unnest($up)",
        "latency": "SELECT service, metric, timestamp, value_ms FROM ("
        f"SELECT unnest($service) AS service, unnest($metric) AS metric, {ts} AS timestamp, "
        "CAST(unnest($value) AS DECIMAL(38,9)) AS value_ms, CAST(unnest($n) AS BIGINT) AS n), range(n)",
    }
    con = duckdb.connect(str(path))
    try:
        for name in sorted(tables):
            con.execute(f'CREATE TABLE "{name}" ({_SCHEMAS[name]})')
            if rows[name]["t"]:
                con.execute(f'INSERT INTO "{name}" {selects[name]}', rows[name])
        con.execute("CREATE TABLE sladsl_source (server VARCHAR, tables VARCHAR)")  # read by Evidence
        con.execute("INSERT INTO sladsl_source VALUES (?, ?)", list(source))
    finally:
        con.close()
