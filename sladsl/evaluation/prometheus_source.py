"""Evidence straight from Prometheus (`--data prometheus+http://HOST:9090`).

`open_data` passes file and DuckDB sources through unchanged. For a Prometheus URL it runs
each objective's `monitor prometheus` queries (the ones `sladsl compile` uses) through the
HTTP API (`/api/v1/query_range`) over the period, in steps that start at the period's start
in the agreement's time zone, and writes the tables evaluation reads (`requests`,
`samples`, `latency`, with DATA.md's columns) into a DuckDB file in a temporary folder,
removed afterwards. docs/prometheus.md says what each query becomes and where it is exact.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb

from sladsl import ast
from sladsl.diagnostics import SladslError
from sladsl.periods import Window, parse_label

SCHEMES = ("prometheus+http://", "prometheus+https://")
DEFAULT_TIMEOUT = Decimal(30)  # seconds, for each HTTP request (connect and each read)
MAX_POINTS = 11_000  # Prometheus answers at most 11,000 points per series and query_range
MAX_STEPS = 1_100_000  # steps per query over the period (100 requests of 11,000 points)
MAX_LATENCY_ROWS = 20_000_000  # requests expanded into `latency` rows, one per request
HOUR_US = 3600 * 10**6
US = 10**6
_NUDGE_MS = Decimal("0.000001")  # 1 ns: a request in the le="D" bucket is taken as just below D


@contextlib.contextmanager
def open_data(data: str, agreement: ast.Agreement, label: str) -> Iterator[str | Path]:
    """The evidence source evaluation reads: the path as given, or, for a Prometheus URL,
    a temporary DuckDB file of the tables fetched for the period `label`."""
    if not data.startswith(SCHEMES):
        yield data
        return
    server = Server.parse(data)
    window = _period(label, agreement.timezone)
    with tempfile.TemporaryDirectory(prefix="sladsl-prometheus-") as folder:
        path = Path(folder) / "evidence.duckdb"
        fetch(server, agreement, window, path)
        yield path


def _period(label: str, zone: str) -> Window:
    """The span to fetch: one period, or the first to the last of a range `A..B`."""
    first, dots, last = label.partition("..")
    start = parse_label(first, zone)
    if not dots:
        return start
    end = parse_label(last, zone)
    return Window(start.kind, label, start.start, max(start.end, end.end))


# ---- the HTTP API -------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """A Prometheus server: the API base URL, how to name it in messages, and the timeout."""

    base: str
    shown: str
    timeout: float
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def parse(data: str) -> Server:
        url = urllib.parse.urlsplit(data[len("prometheus+") :])
        if not url.hostname:
            raise SladslError(f"--data {data}: no host; write prometheus+http://HOST:9090")
        try:
            url.port  # noqa: B018 - validates the port
        except ValueError:
            raise SladslError(f"--data {data}: the port is not a number") from None
        timeout = DEFAULT_TIMEOUT
        for key, value in urllib.parse.parse_qsl(url.query, keep_blank_values=True):
            if key != "timeout":
                raise SladslError(f"--data {data}: unknown option {key!r}; the only option is timeout=SECONDS")
            try:
                timeout = Decimal(value.removesuffix("s"))
            except InvalidOperation:
                timeout = Decimal(-1)
            if not timeout.is_finite() or not 0 < timeout <= 3600:
                raise SladslError(f"--data {data}: timeout={value!r} is not a number of seconds from 0 to 3600")
        host = url.hostname if ":" not in url.hostname else f"[{url.hostname}]"
        netloc = host + (f":{url.port}" if url.port else "")
        headers = {}
        if url.username is not None:
            secret = f"{urllib.parse.unquote(url.username)}:{urllib.parse.unquote(url.password or '')}"
            headers["Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
        base = urllib.parse.urlunsplit((url.scheme, netloc, url.path.rstrip("/"), "", ""))
        return Server(base, f"prometheus+{base}", float(timeout), headers)

    def query_range(
        self, query: str, start_us: int, end_us: int, step_us: int
    ) -> list[tuple[dict[str, str], list[tuple[int, str]]]]:
        """The series of `query` evaluated at start, start + step, ... end (epoch µs), in
        requests of at most MAX_POINTS points: [(labels, [(time µs, value)])]."""
        series: dict[tuple[tuple[str, str], ...], tuple[dict[str, str], list[tuple[int, str]]]] = {}
        first = start_us
        while first <= end_us:
            last = min(end_us, first + (MAX_POINTS - 1) * step_us)
            try:
                for item in self._get(query, first, last, step_us):
                    labels = {str(k): str(v) for k, v in item.get("metric", {}).items()}
                    key = tuple(sorted(labels.items()))
                    points = series.setdefault(key, (labels, []))[1]
                    points.extend((round(Decimal(str(t)) * 1000) * 1000, str(v)) for t, v in item.get("values", []))
            except (AttributeError, TypeError, ValueError, ArithmeticError):
                raise SladslError(
                    f"{self.shown}: query {query!r}: the answer is not a Prometheus range result"
                ) from None
            first = last + step_us
        return list(series.values())

    def _get(self, query: str, start_us: int, end_us: int, step_us: int) -> list[dict[str, Any]]:
        form = {
            "query": query,
            "start": _seconds(start_us),
            "end": _seconds(end_us),
            "step": _seconds(step_us),
            "timeout": f"{self.timeout:g}s",
        }
        request = urllib.request.Request(
            f"{self.base}/api/v1/query_range",
            data=urllib.parse.urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", **self.headers},
        )
        where = f"{self.shown}: query {query!r}"
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                body = answer.read()
        except urllib.error.HTTPError as exc:
            raise SladslError(f"{where}: {_api_error(exc.read(), f'HTTP {exc.code} {exc.reason}')}") from None
        except TimeoutError:
            raise SladslError(f"{where}: no answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise SladslError(f"{where}: no answer within {self.timeout:g} s") from None
            raise SladslError(f"{self.shown}: cannot reach the server ({reason})") from None
        except (OSError, ValueError) as exc:
            raise SladslError(f"{where}: {exc}") from None
        try:
            answer_json = json.loads(body)
        except ValueError:
            raise SladslError(f"{where}: the answer is not JSON; is this a Prometheus server?") from None
        if not isinstance(answer_json, dict) or answer_json.get("status") != "success":
            raise SladslError(f"{where}: {_api_error(body, 'the answer is not a success')}")
        data = answer_json.get("data") or {}
        if data.get("resultType") != "matrix":
            raise SladslError(f"{where}: gives a {data.get('resultType')}, not a range vector")
        result: list[dict[str, Any]] = data.get("result") or []
        return result


def _api_error(body: bytes, fallback: str) -> str:
    try:
        found = json.loads(body)
        if isinstance(found, dict) and found.get("error"):
            kind = found.get("errorType")
            return f"{kind}: {found['error']}" if kind else str(found["error"])
    except ValueError:
        pass
    return fallback


def _seconds(us: int) -> str:
    return f"{us // US}.{us % US:06d}"


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


def fetch(server: Server, agreement: ast.Agreement, window: Window, path: Path) -> None:
    """Write `requests`, `samples` and `latency` for the period into the DuckDB file `path`."""
    rows: dict[str, dict[str, list[Any]]] = {
        "requests": {"service": [], "t": [], "good": [], "total": []},
        "samples": {"service": [], "t": [], "up": []},
        "latency": {"service": [], "metric": [], "t": [], "value": [], "n": []},
    }
    expanded = 0
    wanted = needs(agreement)
    for need in wanted:
        step = _step(need, window)
        try:
            expanded = _fetch_one(server, need, window, step, rows, expanded)
        except ArithmeticError:
            raise SladslError(
                f"{server.shown}: the queries of objective “{need.objectives[0]}” of service "
                f"“{need.service}” give values out of range"
            ) from None
    try:
        _write(path, rows, {n.table for n in wanted})
    except duckdb.Error as exc:
        raise SladslError(
            f"{server.shown}: values out of range for the evidence tables ({str(exc).splitlines()[0]})"
        ) from None


def _fetch_one(
    server: Server, need: _Need, window: Window, step: int, rows: dict[str, dict[str, list[Any]]], expanded: int
) -> int:
    if need.table == "latency":
        expanded += _latency(server, need, window, step, rows["latency"])
        if expanded > MAX_LATENCY_ROWS:
            raise SladslError(
                f'{server.shown}: latency "{need.metric}" of service \u201c{need.service}\u201d has more than '
                f"{MAX_LATENCY_ROWS:,} requests in {window.label}; evaluation reads one `latency` row per request"
            )
    else:
        _counts(server, need, window, step, rows[need.table])
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


def _by_time(
    server: Server, text: str, window: Window, step: int, *, required: bool, by: str | None = None
) -> dict[str, dict[int, Decimal]]:
    """The query's values per series label `by` (all series summed when None) and step
    start, evaluated at each step's end; NaN is no value; no series at all over the
    period is an error when `required` (most likely a wrong metric name)."""
    query = _query(text, step)
    series = server.query_range(query, window.start_us + step, window.end_us, step)
    if required and not series:
        raise SladslError(f"{server.shown}: query {query!r} gives no data in {window.label}")
    values: dict[str, dict[int, Decimal]] = {}
    for labels, points in series:
        into = values.setdefault(labels.get(by, "") if by else "", {})
        for t, raw in points:
            if raw in ("NaN", "-NaN"):
                continue
            try:
                value = Decimal(raw)
            except InvalidOperation:
                value = Decimal("NaN")
            if not value.is_finite():
                raise SladslError(f"{server.shown}: query {query!r} gives {raw} at {_seconds(t)}")
            into[t - step] = into.get(t - step, Decimal(0)) + value
    return values


def _counts(server: Server, need: _Need, window: Window, step: int, out: dict[str, list[Any]]) -> None:
    """`requests` (good, total per step) or `samples` (up when no request of the step failed)."""
    kinds = dict(need.queries)
    total = _by_time(server, kinds["total"], window, step, required=True).get("", {})
    bad_kind = "errors" if "errors" in kinds else "good"
    other = _by_time(server, kinds[bad_kind], window, step, required=False).get("", {})
    scale = {kind: _scale(query, step) for kind, query in need.queries}
    for t in sorted(total):
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


def _latency(server: Server, need: _Need, window: Window, step: int, out: dict[str, list[Any]]) -> int:
    """`latency` rows as (value, number of requests) per step; returns the requests."""
    kind, text = need.queries[0]
    rows: list[tuple[int, Decimal, int]] = []
    if kind == "latency":
        values = _by_time(server, text, window, step, required=True).get("", {})
        rows = [(t, v * 1000, 1) for t, v in values.items()]
    elif need.average:
        sums = _by_time(server, f"sum(increase({text}_sum[{{{{window}}}}]))", window, step, required=True)[""]
        counts = _by_time(server, f"sum(increase({text}_count[{{{{window}}}}]))", window, step, required=True)[""]
        for t, c in counts.items():
            n = round(c)
            if n > 0:
                rows.append((t, (sums.get(t, Decimal(0)) * 1000 / c).quantize(Decimal("0.000000001")), n))
    else:
        query = f"sum by (le) (increase({text}_bucket[{{{{window}}}}]))"
        buckets = _by_time(server, query, window, step, required=True, by="le")
        try:
            bounds = sorted((Decimal(le), le) for le in buckets if le)
        except InvalidOperation:
            raise SladslError(f"{server.shown}: histogram {text!r} has an `le` label that is not a number") from None
        if any(b.is_nan() or b < 0 for b, _ in bounds):
            raise SladslError(f"{server.shown}: histogram {text!r} has an `le` label that is not a bucket bound")
        finite = [b for b, _ in bounds if b.is_finite()]
        top = (finite[-1] * 1000 if finite else Decimal(0)) + Decimal("0.001")
        times = sorted({t for le in buckets.values() for t in le})
        for t in times:
            below = 0
            for bound, le in bounds:
                cumulative = round(buckets[le].get(t, Decimal(0)))
                n = cumulative - below
                if n > 0:
                    ms = bound * 1000 if bound.is_finite() else top
                    rows.append((t, ms - _NUDGE_MS if ms in need.strict_ms else ms, n))
                below = max(below, cumulative)
    for t, value, n in rows:
        out["service"].append(need.service)
        out["metric"].append(need.metric)
        out["t"].append(t)
        out["value"].append(format(value, "f"))
        out["n"].append(n)
    return sum(n for _, _, n in rows)


_SCHEMAS = {
    "requests": "service VARCHAR, timestamp TIMESTAMPTZ, good BIGINT, total BIGINT",
    "samples": "service VARCHAR, timestamp TIMESTAMPTZ, up BOOLEAN",
    "latency": "service VARCHAR, metric VARCHAR, timestamp TIMESTAMPTZ, value_ms DECIMAL(38,9)",
}


def _write(path: Path, rows: dict[str, dict[str, list[Any]]], tables: set[str]) -> None:
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
    finally:
        con.close()
