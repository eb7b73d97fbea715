"""`sladsl evaluate --data prometheus+http://…` against a real Prometheus server.

A session fixture (tests/prometheus_server.py) writes one day of metrics (Sunday 25
October 2026 in Europe/Berlin, the 25-hour day the clocks go back) as OpenMetrics, turns
them into TSDB blocks with `promtool tsdb create-blocks-from openmetrics`, starts
`/usr/bin/prometheus` on 127.0.0.1 over those blocks, and the same minutes are written as
CSV. Evaluating week 2026-W43 from either
source must give the same verdicts, measured values, downtime and credits.

The same server also holds the week of `shop_requests_total` of the round-3 reproducer
r03 (2026-W43 in UTC, a 2-hour outage in which half the requests fail with 503), for the
series checks: a misspelt metric or label in an `errors` query must not read as 100%.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, run
from tests.prometheus_server import START, csv_folder_fixture, free_port, server_fixture, stamp  # noqa: F401 - fixtures

CASES = ROOT / "tests" / "cases" / "prometheus"
SLA = CASES / "api.sla"


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


def test_a_misspelt_total_metric_is_an_error(server: str, tmp_path: Path) -> None:
    typo = tmp_path / "typo.sla"
    typo.write_text(SLA.read_text(encoding="utf-8").replace("api_checks_total", "api_check_total"))
    result = run("evaluate", str(typo), "--data", server, "--period", "2026-W43")
    assert result.exit_code == 2
    assert result.stderr == (
        f"sladsl: error: {server}: query 'sum(increase(api_check_total[1m]))': no series of metric "
        "`api_check_total` on the server, in 2026-W43 or before; is the name misspelt?\n"
    )


def test_a_period_without_data_is_not_judged(server: str) -> None:
    """Every query answers no series in 2026-W45 (the metrics exist, before it): no rows,
    so no objective is judged, and the report is incomplete, never met."""
    result = run("evaluate", str(SLA), "--data", server, "--period", "2026-W45", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "incomplete"
    assert report["credits"] == []
    assert {(o["judged"], o["met"], o["reason"]) for o in report["objectives"]} == {
        (False, None, "no evidence in the period")
    }
    assert f"sladsl: warning: {server}: query 'sum(rate(api_requests_total[5m]))': gives no data in 2026-W45" in (
        result.stderr
    )


def _r03(sla: str | Path, server: str, period: str = "2026-W43") -> Any:
    """`sladsl evaluate` of r03's agreement `sla` (a name, or a changed copy) as JSON."""
    file = CASES / f"r03-{sla}.sla" if isinstance(sla, str) else sla
    return run("evaluate", str(file), "--data", server, "--period", period, "--format", "json")


def test_r03_the_correct_errors_query_finds_the_outage(server: str) -> None:
    result = _r03("A-correct", server)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    (objective,) = report["objectives"]
    # 2 hours down of 168: 100 - 2/1.68 %
    assert Decimal(objective["measured"]) == Decimal(100) - Decimal(200) / 168
    assert Decimal(objective["downtime_seconds"]) == 7200
    assert [c["amount"] for c in report["credits"]] == ["100.00"]
    assert "warning" not in result.stderr


def test_r03_a_misspelt_errors_metric_is_refused_as_a_misspelt_total_is(server: str, tmp_path: Path) -> None:
    result = _r03("C-errors-metric-typo", server)
    assert result.exit_code == 2
    assert result.stderr == (
        f"sladsl: error: {server}: query 'sum(increase(shop_request_total{{code=~\"5..\"}}[5m]))': no series of "
        "metric `shop_request_total` on the server, in 2026-W43 or before; is the name misspelt?\n"
    )
    total = tmp_path / "total.sla"
    text = (CASES / "r03-A-correct.sla").read_text(encoding="utf-8")
    total.write_text(text.replace("increase(shop_requests_total[", "increase(shop_request_total["), encoding="utf-8")
    result = _r03(total, server)
    assert result.exit_code == 2
    assert result.stderr == (
        f"sladsl: error: {server}: query 'sum(increase(shop_request_total[5m]))': no series of "
        "metric `shop_request_total` on the server, in 2026-W43 or before; is the name misspelt?\n"
    )


def test_r03_a_misspelt_label_name_is_refused(server: str, tmp_path: Path) -> None:
    typo = tmp_path / "label.sla"
    text = (CASES / "r03-A-correct.sla").read_text(encoding="utf-8")
    typo.write_text(text.replace('{code=~\\"5..\\"}', '{cod=~\\"5..\\"}'), encoding="utf-8")
    result = _r03(typo, server)
    assert result.exit_code == 2
    assert result.stderr == (
        f"sladsl: error: {server}: query 'sum(increase(shop_requests_total{{cod=~\"5..\"}}[5m]))': no series of "
        "`shop_requests_total` has a label `cod` in 2026-W43 or before (its labels: code); is the label misspelt?\n"
    )


def test_r03_a_label_value_that_never_occurred_is_said(server: str) -> None:
    """`code="500"` where the server only ever saw 200 and 503: a typo, or a healthy
    service that never failed with a 500; the objective is judged, with a warning that
    names the values the server has."""
    result = _r03("B-errors-label-typo", server)
    assert result.exit_code == 0, result.output
    assert (
        f"sladsl: warning: {server}: query 'sum(increase(shop_requests_total{{code=\"500\"}}[5m]))': no series "
        'matches shop_requests_total{code="500"} in 2026-W43 or before; it counts nothing '
        '(values on the server: code: "200", "503")\n'
    ) in result.stderr


def test_r03_an_error_counter_that_never_counted_is_judged(server: str, tmp_path: Path) -> None:
    """A healthy service: no 4xx ever, so `{code=~"4.."}` has no series. Not refused."""
    healthy = tmp_path / "healthy.sla"
    text = (CASES / "r03-A-correct.sla").read_text(encoding="utf-8")
    healthy.write_text(text.replace('{code=~\\"5..\\"}', '{code=~\\"4..\\"}'), encoding="utf-8")
    result = _r03(healthy, server)
    assert result.exit_code == 0, result.output
    (objective,) = json.loads(result.stdout)["objectives"]
    assert objective["judged"] and objective["met"]
    assert 'no series matches shop_requests_total{code=~"4.."} in 2026-W43 or before' in result.stderr


def test_r03_a_week_without_data_is_not_judged(server: str) -> None:
    """r03 saw `gives no data in 2026-W44`, exit 2; now the objective is not judged."""
    result = _r03("A-correct", server, "2026-W44")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "incomplete"
    assert report["objectives"][0]["reason"] == "no evidence in the period"


def test_unreachable_server() -> None:
    port = free_port()  # nothing listens on it
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
        f"sladsl: error: {fake}: query 'sum(rate(api_requests_total[5m]))': no complete answer within 0.5 s "
        "(the deadline of each query; ?timeout=SECONDS)\n"
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
    # time slices (issue 20 item 3): 1 when the 5-minute window ending then is above 5% errors
    expr = found[("Availability", "sla:window_bad:5m")]
    base = server.removeprefix("prometheus+")

    def at(minute: int) -> str:
        query = urllib.parse.urlencode({"query": expr, "time": int(stamp(minute).timestamp())})
        with urllib.request.urlopen(f"{base}/api/v1/query?{query}", timeout=10) as answer:
            result = json.load(answer)["data"]["result"]
        value: str = result[0]["value"][1]
        return value

    assert at(605) == "1"  # the window 600-605: 50% errors
    assert at(610) == "1"
    assert at(615) == "1"  # 2 of its 5 minutes at 50%: 20% errors, above 5%
    assert at(700) == "0"
    assert at(305) == "0"  # minute 300: 1 of 20 (5%) is not above 5%


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
    from sladsl.language.parser import parse

    agreement = parse(SLA.read_text(encoding="utf-8"))
    with open_data(server, agreement, "2026-W42..2026-W43") as path:
        con = duckdb.connect(str(path), read_only=True)
        first, rows, total = con.execute('SELECT min("timestamp"), count(*), sum(total) FROM requests').fetchone() or ()
        con.close()
    assert (rows, total) == (300, 30000)
    assert first == START


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('sum(rate(api_requests_total{code="500"}[5m]))', ['api_requests_total{code="500"}']),
        (
            "histogram_quantile(0.95, sum by (le) (rate(api_latency_seconds_bucket[1h])))",
            ["api_latency_seconds_bucket"],
        ),
        (
            'sum without(instance) (increase(a_total{job=~"x|y", code!="200"}[5m] offset 1h)) '
            "/ on(job) group_left(team) b_info",
            ['a_total{job=~"x|y",code!="200"}', "b_info"],
        ),
        ('sum(increase({__name__="x_total", code=~"5.."}[5m:1m])) or vector(0)', ['{__name__="x_total",code=~"5.."}']),
        ("count(up == 0) by (job)", ["up"]),
        ('sla:error_ratio:rate5m{agreement="x"} > bool 0.5', ['sla:error_ratio:rate5m{agreement="x"}']),
        ('label_replace(m, "dst", "$1", "src", "(.*)")', ["m"]),
        ('sum(rate(a{b="}"}[5m] @ start())) # a comment (b)', ['a{b="}"}']),
    ],
)
def test_the_selectors_of_a_query(query: str, found: list[str]) -> None:
    """The series checks ask about each selector; function names, keywords, label lists
    and strings are not selectors."""
    from sladsl.evaluation.prometheus_series import selectors

    assert [s.text for s in selectors(query)] == found


def test_the_api_hands_a_sources_warnings_to_the_caller(server: str, capfd: pytest.CaptureFixture[str]) -> None:
    """A library prints nothing: what the Prometheus source warns of leads `report.warnings`,
    or goes to the caller's `warn`."""
    from sladsl import api

    report = api.evaluate(SLA, server, "2026-W45")
    expected = f"{server}: query 'sum(rate(api_requests_total[5m]))': gives no data in 2026-W45"
    assert any(w.startswith(expected) for w in report.warnings), report.warnings
    assert capfd.readouterr().err == ""
    heard: list[str] = []
    report = api.judge(SLA, server, "2026-W45", warn=heard.append)
    assert any(w.startswith(expected) for w in heard)
    assert not any(w.startswith(expected) for w in report.warnings)
