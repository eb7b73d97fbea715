"""A real Prometheus on 127.0.0.1 for the tests (`server`, a session fixture), and the
same minutes as CSV (`csv_folder`): tests/test_prometheus_source.py describes the data.

The day of `api_*` metrics (Sunday 25 October 2026 in Europe/Berlin, the 25-hour day the
clocks go back) is written as OpenMetrics with the week of `shop_requests_total` of the
round-3 reproducer r03, turned into TSDB blocks with `promtool tsdb create-blocks-from
openmetrics`, and `/usr/bin/prometheus` is started over them on a free port.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

PROMETHEUS = Path("/usr/bin/prometheus")
START = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 2026-10-25 00:00 in Berlin (CEST)
MINUTES = 25 * 60  # to 2026-10-26 00:00 CET: the clocks go back at 03:00
BUCKETS = ("0.05", "0.1", "0.15", "0.3")


def minute(m: int) -> dict[str, Any]:
    """What happened in minute m of the day: requests and errors, one health check,
    four request latencies (ms)."""
    errors = 10 if 600 <= m < 612 else 1 if m in (100, 200, 300) else 0
    check_ok = not (900 <= m < 905 or m == 1000)
    latencies = [50, 50, 300, 300] if 120 <= m < 180 else [50, 50, 50, 100]
    return {"total": 20, "errors": errors, "check_ok": check_ok, "latencies": latencies}


def stamp(m: int) -> datetime:
    return START + timedelta(minutes=m)


def write_csv(folder: Path) -> None:
    folder.mkdir()
    requests, samples, latency = (
        ["service,timestamp,good,total"],
        ["service,timestamp,up"],
        ["service,metric,timestamp,value_ms"],
    )
    for m in range(MINUTES):
        day = minute(m)
        at = stamp(m).isoformat().replace("+00:00", "Z")
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
        ts = int(stamp(m).timestamp())
        if m > 0:
            day = minute(m - 1)
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
    lines.extend(shop_week())
    lines.append("# EOF")
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def shop_week() -> list[str]:
    """r03's week (real_prom_setup.py): shop_requests_total{code="200"|"503"}, 100 requests
    a minute from 2026-10-19 00:00 UTC; on Tuesday 10:00-12:00 half of them fail with 503."""
    start = datetime(2026, 10, 19, tzinfo=UTC)
    outage = (datetime(2026, 10, 20, 10, tzinfo=UTC), datetime(2026, 10, 20, 12, tzinfo=UTC))
    ok = err = 0
    good, bad = [], []
    for m in range(7 * 24 * 60 + 1):
        t = start + timedelta(minutes=m)
        if m > 0:
            failed = 50 if outage[0] <= t - timedelta(minutes=1) < outage[1] else 0
            ok += 100 - failed
            err += failed
        ts = int(t.timestamp())
        good.append(f'shop_requests_total{{code="200"}} {ok} {ts}')
        bad.append(f'shop_requests_total{{code="503"}} {err} {ts}')
    return ["# TYPE shop_requests counter", *good, *bad]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(metrics: Path, folder: Path) -> Iterator[str]:
    """A real Prometheus on 127.0.0.1 over the OpenMetrics file `metrics` (turned into TSDB
    blocks under `folder`), for as long as the block lasts; its `--data` URL."""
    promtool = shutil.which("promtool")
    if not PROMETHEUS.is_file() or promtool is None:
        pytest.skip("needs /usr/bin/prometheus and promtool (Debian package `prometheus`; .ci/run installs it)")
    storage, config = folder / "data", folder / "prometheus.yml"
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(metrics), str(storage)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    config.write_text("global:\n  scrape_interval: 1m\n", encoding="utf-8")
    port = free_port()
    command = [
        str(PROMETHEUS),
        f"--config.file={config}",
        f"--storage.tsdb.path={storage}",
        "--storage.tsdb.retention.time=100y",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    with running(command, port, folder / "prometheus.log", timeout=60):
        yield f"prometheus+http://127.0.0.1:{port}"


@contextlib.contextmanager
def running(command: list[str], port: int, log: Path, timeout: float = 30) -> Iterator[str]:
    """A server (Prometheus, Alertmanager) on 127.0.0.1:`port`, from its first `/-/ready` to the
    end of the block, its output in `log`; its base URL. The test fails with the log's tail if
    the server stops or is not ready within `timeout` seconds."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{Path(command[0]).name} did not start: {log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session", name="server")
def server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus on 127.0.0.1 holding the day's metrics; its `--data` URL."""
    folder = tmp_path_factory.mktemp("prometheus")
    metrics = folder / "metrics.om"
    write_openmetrics(metrics)
    with serving(metrics, folder) as url:
        yield url


@pytest.fixture(scope="session", name="csv_folder")
def csv_folder_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("csv") / "evidence"
    write_csv(folder)
    return folder
