"""`sladsl evaluate --data prometheus+http://…` against a real Prometheus server.

A session fixture writes one day of metrics (Sunday 25 October 2026 in Europe/Berlin, the
25-hour day the clocks go back) as OpenMetrics, turns them into TSDB blocks with `promtool
tsdb create-blocks-from openmetrics`, starts `/usr/bin/prometheus` on 127.0.0.1 over those
blocks, and the same minutes are written as CSV. Evaluating week 2026-W43 from either
source must give the same verdicts, measured values, downtime and credits.
"""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, run

CASES = ROOT / "tests" / "cases" / "prometheus"
SLA = CASES / "api.sla"
PROMETHEUS = Path("/usr/bin/prometheus")
START = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 2026-10-25 00:00 in Berlin (CEST)
MINUTES = 25 * 60  # to 2026-10-26 00:00 CET: the clocks go back at 03:00
BUCKETS = ("0.05", "0.1", "0.15", "0.3")


def _minute(m: int) -> dict[str, Any]:
    """What happened in minute m of the day: requests and errors, one health check,
    four request latencies (ms)."""
    errors = 10 if 600 <= m < 612 else 1 if m in (100, 200, 300) else 0
    check_ok = not (900 <= m < 905 or m == 1000)
    latencies = [50, 50, 300, 300] if 120 <= m < 180 else [50, 50, 50, 100]
    return {"total": 20, "errors": errors, "check_ok": check_ok, "latencies": latencies}


def _stamp(m: int) -> datetime:
    return START + timedelta(minutes=m)


def write_csv(folder: Path) -> None:
    folder.mkdir()
    requests, samples, latency = (
        ["service,timestamp,good,total"],
        ["service,timestamp,up"],
        ["service,metric,timestamp,value_ms"],
    )
    for m in range(MINUTES):
        day = _minute(m)
        at = _stamp(m).isoformat().replace("+00:00", "Z")
        requests.append(f"API,{at},{day['total'] - day['errors']},{day['total']}")
        samples.append(f"API,{at},{'true' if day['check_ok'] else 'false'}")
        for metric in ("api", "api-strict", "api-mean"):
            latency.extend(f"API,{metric},{at},{ms}" for ms in day["latencies"])
    for name, lines in (("requests", requests), ("samples", samples), ("latency", latency)):
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_openmetrics(file: Path) -> None:
    """Counters sampled at every minute boundary from the day's start (value 0) to its
    end: the sample at the end of minute m counts the events of minute m."""
    series: dict[str, list[str]] = {}
    count = {"ok": 0, "err": 0, "checks": 0, "checks_ok": 0, "lat_n": 0, "lat_sum": 0}
    buckets = dict.fromkeys((*BUCKETS, "+Inf"), 0)
    for m in range(MINUTES + 1):
        ts = int(_stamp(m).timestamp())
        if m > 0:
            day = _minute(m - 1)
            count["ok"] += day["total"] - day["errors"]
            count["err"] += day["errors"]
            count["checks"] += 1
            count["checks_ok"] += day["check_ok"]
            for ms in day["latencies"]:
                count["lat_n"] += 1
                count["lat_sum"] += ms
                for le in buckets:
                    if le == "+Inf" or ms <= float(le) * 1000:
                        buckets[le] += 1

        def add(name: str, value: float, ts: int = ts) -> None:
            series.setdefault(name, []).append(f"{name} {value} {ts}")

        add('api_requests_total{code="200"}', count["ok"])
        add('api_requests_total{code="500"}', count["err"])
        add("api_checks_total", count["checks"])
        add("api_checks_ok_total", count["checks_ok"])
        for le, n in buckets.items():
            add(f'api_latency_seconds_bucket{{le="{le}"}}', n)
        add("api_latency_seconds_count", count["lat_n"])
        add("api_latency_seconds_sum", count["lat_sum"] / 1000)
    families = {
        "api_requests": "counter",
        "api_checks": "counter",
        "api_checks_ok": "counter",
        "api_latency_seconds": "histogram",
    }
    lines = []
    for family, kind in families.items():
        lines.append(f"# TYPE {family} {kind}")
        for name, points in series.items():
            base = name.split("{")[0]
            if base in (f"{family}_total", f"{family}_bucket", f"{family}_count", f"{family}_sum"):
                lines.extend(points)
    lines.append("# EOF")
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus on 127.0.0.1 holding the day's metrics; its `--data` URL."""
    promtool = shutil.which("promtool")
    if not PROMETHEUS.is_file() or promtool is None:
        pytest.skip("needs /usr/bin/prometheus and promtool (Debian package `prometheus`; .ci/run installs it)")
    folder = tmp_path_factory.mktemp("prometheus")
    metrics, storage, config = folder / "metrics.om", folder / "data", folder / "prometheus.yml"
    write_openmetrics(metrics)
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(metrics), str(storage)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    config.write_text("global:\n  scrape_interval: 1m\n", encoding="utf-8")
    port = _free_port()
    log = (folder / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            str(PROMETHEUS),
            f"--config.file={config}",
            f"--storage.tsdb.path={storage}",
            "--storage.tsdb.retention.time=100y",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"prometheus did not start: {(folder / 'prometheus.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield f"prometheus+http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def csv_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("csv") / "evidence"
    write_csv(folder)
    return folder


def _evaluate(data: str | Path, *more: str) -> dict[str, Any]:
    result = run("evaluate", str(SLA), "--data", str(data), "--period", "2026-W43", "--format", "json", *more)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _by_objective(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["objective"]: o for o in report["objectives"]}


KEYS = ("judged", "met", "measured", "downtime_seconds", "excluded_seconds", "allowed_downtime_seconds", "windows")


def test_verdicts_downtime_and_credits_equal_those_from_csv(server: str, csv_folder: Path) -> None:
    from_prometheus, from_csv = _evaluate(server), _evaluate(csv_folder)
    prom, csv = _by_objective(from_prometheus), _by_objective(from_csv)
    assert (
        set(prom)
        == set(csv)
        == {
            "Availability",
            "Average error rate",
            "Requests",
            "Health checks",
            "Latency",
            "Latency strict",
            "Latency hourly",
            "Latency average",
            "Latency gauge",
        }
    )
    same = (
        "Availability",
        "Average error rate",
        "Requests",
        "Health checks",
        "Latency",
        "Latency hourly",
        "Latency average",
    )
    for name in same:
        for key in KEYS:
            assert prom[name].get(key) == csv[name].get(key), (name, key)
    # Hand-worked: week 43 in Berlin is 169 hours (10,140 minutes). Minutes 600-611 of
    # Sunday fail half their requests: 5-minute windows 600, 605 and 610 (2 of 5 minutes at
    # 50%: 20%) are above 5%: 15 minutes down, 10.14 allowed. Each window has exactly the
    # 100 requests (5 x 20) that `with at least 100 requests` asks: rates times 300 s.
    assert Decimal(prom["Availability"]["downtime_seconds"]) == 900
    assert not prom["Availability"]["met"]
    # the mean error rate of 2,028 windows: 2 at 50%, 1 at 20% and 3 at 1% (a lone error)
    assert Decimal(prom["Average error rate"]["measured"]) == Decimal(100) - Decimal("123") / 2028
    # 123 failed of 30,000 requests
    assert Decimal(prom["Requests"]["measured"]) == Decimal(100) - Decimal(123) / 300
    # health checks: 5 minutes down; the lone failed check at minute 1000 is shorter than 2 minutes
    assert Decimal(prom["Health checks"]["downtime_seconds"]) == 300
    # p95 of 6,000 latencies: rank 5,700 is in the 100 ms bucket
    assert Decimal(prom["Latency"]["measured"]) == 100 and prom["Latency"]["met"]
    # one hour (minutes 120-179) with p99 300 ms: 168 of 169 windows, below 99.5%
    assert prom["Latency hourly"]["windows"]["total"] == 169
    assert prom["Latency hourly"]["windows"]["met"] == 168
    assert not prom["Latency hourly"]["met"]
    # a request in the le="0.1" bucket counts as below 100 ms, as compile's rules count it;
    # the CSV has latencies of exactly 100 ms, which are not below 100 ms
    assert prom["Latency strict"]["met"] and not csv["Latency strict"]["met"]
    assert Decimal(prom["Latency strict"]["measured"]) == Decimal("99.999999")
    # the mean of 6,000 latencies, from the histogram's _sum and _count hour by hour:
    # (24 hours x 60 x 250 ms + 60 x 700 ms) / 6,000
    assert Decimal(prom["Latency average"]["measured"]) == 67
    # a `latency` query gives one sample per hour: histogram_quantile(0.95) interpolates
    # to 90 ms in 24 hours (rank 228 of 240: 50 + 48/60 x 50) and 285 ms in hour 2
    # (150 + 108/120 x 150); p95 of those 25 samples is rank 24: 90 ms
    assert Decimal(prom["Latency gauge"]["measured"]) == 90 and prom["Latency gauge"]["met"]
    assert not csv["Latency gauge"]["judged"]  # the CSV has no "api-gauge" rows
    credits = [(c["objective"], c["amount"]) for c in from_prometheus["credits"]]
    assert credits == [(c["objective"], c["amount"]) for c in from_csv["credits"]]
    assert credits == [("Availability", "100.00"), ("Requests", "50.00")]


def test_text_report_and_no_files_left(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = run("evaluate", str(SLA), "--data", server, "--period", "2026-W43")
    assert result.exit_code == 0, result.output
    assert "credits owed: 150.00 EUR" in result.stdout
    assert not list(tmp_path.glob("sladsl-prometheus-*"))  # the fetched tables are removed afterwards


def test_a_query_error_names_the_url_and_the_query(server: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.sla"
    broken.write_text(
        SLA.read_text(encoding="utf-8").replace("sum(rate(api_requests_total[", "sum(rate(api_requests_total[[")
    )
    result = run("evaluate", str(broken), "--data", server, "--period", "2026-W43")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in result.output
    assert line.startswith(f"sladsl: error: {server}: query 'sum(rate(api_requests_total[[5m]))'")
    assert "bad_data" in line


def test_a_metric_without_data_is_an_error(server: str, tmp_path: Path) -> None:
    typo = tmp_path / "typo.sla"
    typo.write_text(SLA.read_text(encoding="utf-8").replace("api_checks_total", "api_check_total"))
    result = run("evaluate", str(typo), "--data", server, "--period", "2026-W43")
    assert result.exit_code == 2
    assert "query 'sum(increase(api_check_total[1m]))' gives no data in 2026-W43" in result.stderr


def test_unreachable_server() -> None:
    port = _free_port()  # nothing listens on it
    result = run("evaluate", str(SLA), "--data", f"prometheus+http://127.0.0.1:{port}", "--period", "2026-W43")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"sladsl: error: prometheus+http://127.0.0.1:{port}: cannot reach the server")
    assert result.stderr.count("\n") == 1


class _Silent(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        time.sleep(3)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Teapot(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = b'{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}'
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _NotPrometheus(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = b"<html>It works!</html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def fake(request: pytest.FixtureRequest) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), request.param)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"prometheus+http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("fake", [_Silent], indirect=True)
def test_a_server_that_does_not_answer_times_out(fake: str) -> None:
    began = time.monotonic()
    result = run("evaluate", str(SLA), "--data", f"{fake}?timeout=0.5", "--period", "2026-W43")
    assert result.exit_code == 2
    assert time.monotonic() - began < 3
    assert result.stderr.startswith(
        f"sladsl: error: {fake}: query 'sum(rate(api_requests_total[5m]))': no answer within 0.5 s"
    )


@pytest.mark.parametrize("fake", [_Teapot], indirect=True)
def test_an_http_error_gives_the_servers_reason(fake: str) -> None:
    result = run("evaluate", str(SLA), "--data", fake, "--period", "2026-W43")
    assert result.exit_code == 2
    assert result.stderr == (
        f"sladsl: error: {fake}: query 'sum(rate(api_requests_total[5m]))': timeout: "
        "query timed out in expression evaluation\n"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("prometheus+http://", "no host"),
        ("prometheus+http://127.0.0.1:9090?step=1m", "unknown option 'step'"),
        ("prometheus+http://127.0.0.1:9090?timeout=soon", "timeout='soon' is not a number of seconds"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    result = run("evaluate", str(SLA), "--data", url, "--period", "2026-W43")
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_an_objective_without_queries_is_an_error(tmp_path: Path) -> None:
    bare = tmp_path / "bare.sla"
    text = SLA.read_text(encoding="utf-8")
    start = text.index("monitor prometheus", text.index('objective "Health checks"'))
    end = text.index("\n            }", start) + 14
    bare.write_text(text[:start] + text[end:], encoding="utf-8")
    result = run("evaluate", str(bare), "--data", "prometheus+http://127.0.0.1:9", "--period", "2026-W43")
    assert result.exit_code == 2
    assert (
        "objective \u201cHealth checks\u201d of service \u201cAPI\u201d: reading its samples from Prometheus needs"
        in result.stderr
    )


def test_compiled_rules_read_the_same_series(server: str, tmp_path: Path) -> None:
    """The round trip: the rules `compile` writes from the same .sla, evaluated on the same
    server, see the outage that evaluation counted (minutes 600-611: half the requests fail)."""
    import yaml

    rules = tmp_path / "rules.yml"
    assert run("compile", str(SLA), "--target", "prometheus", "-o", str(rules)).exit_code == 0
    groups = yaml.safe_load(rules.read_text(encoding="utf-8"))["groups"]
    found = {(r["labels"]["objective"], r["record"]): r["expr"] for g in groups for r in g["rules"] if "record" in r}
    expr = found[("Availability", "sla:error_ratio:rate5m")]
    base = server.removeprefix("prometheus+")

    def at(minute: int) -> str:
        query = urllib.parse.urlencode({"query": expr, "time": int(_stamp(minute).timestamp())})
        with urllib.request.urlopen(f"{base}/api/v1/query?{query}", timeout=10) as answer:
            result = json.load(answer)["data"]["result"]
        value: str = result[0]["value"][1]
        return value

    assert at(605) == "0.5"  # the window 600-605
    assert at(610) == "0.5"
    assert at(615) == "0.2"  # 2 of its 5 minutes at 50%
    assert at(700) == "0"


@pytest.mark.parametrize("fake", [_NotPrometheus], indirect=True)
def test_a_server_that_is_not_prometheus(fake: str) -> None:
    result = run("evaluate", str(SLA), "--data", fake, "--period", "2026-W43")
    assert result.exit_code == 2
    assert result.stderr == (
        f"sladsl: error: {fake}: query 'sum(rate(api_requests_total[5m]))': the answer is not JSON; "
        "is this a Prometheus server?\n"
    )


def test_a_range_of_periods_is_fetched_whole(server: str) -> None:
    """`--period 2026-W42..2026-W43` needs both weeks; the day of data is in the second."""
    import duckdb

    from sladsl.evaluation.prometheus_source import open_data
    from sladsl.parser import parse

    agreement = parse(SLA.read_text(encoding="utf-8"))
    with open_data(server, agreement, "2026-W42..2026-W43") as path:
        con = duckdb.connect(str(path), read_only=True)
        first, rows, total = con.execute('SELECT min("timestamp"), count(*), sum(total) FROM requests').fetchone() or ()
        con.close()
    assert (rows, total) == (300, 30000)
    assert first == START
