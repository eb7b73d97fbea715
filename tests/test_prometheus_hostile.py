"""`--data prometheus+http://…` against a hostile or broken server (tests/hostile_prometheus.py,
from the round-3 reproducer r04), started on 127.0.0.1 by each test.

What must hold (docs/prometheus.md): no redirect is followed, so the credentials never
travel; each query has one total deadline; an answer is read up to a size cap; server text
in messages is escaped and cut; and an answer that is not evidence (NaN, points at
instants not asked for, a partial answer, no series) gives no rows, never "up".
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from sladsl.evaluation.prometheus_http import DEFAULT_TIMEOUT, MAX_ANSWER_BYTES, Server
from sladsl.evaluation.prometheus_source import open_data
from sladsl.language.parser import parse
from tests import hostile_prometheus
from tests.conftest import ROOT, run
from tests.hostile_prometheus import HostileServer

CASES = ROOT / "tests" / "cases" / "prometheus"
SLA = CASES / "hostile.sla"
PERIOD = "2026-W43"  # 168 hourly steps


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with hostile_prometheus.serve() as server:
        yield server


@pytest.fixture
def other() -> Iterator[HostileServer]:
    """A second server: the target of the redirects, which must receive nothing."""
    with hostile_prometheus.serve() as server:
        yield server


def _evaluate(url: str, sla: Path = SLA, period: str = PERIOD) -> tuple[int, str, str]:
    result = run("evaluate", str(sla), "--data", url, "--period", period, "--format", "json")
    return result.exit_code, result.stdout, result.stderr


def _one_error_line(stderr: str) -> str:
    """The one line of a refusal: nothing before or after it, no control character."""
    assert stderr.count("\n") == 1 and stderr.endswith("\n"), stderr
    line = stderr[:-1]
    assert line.startswith("sladsl: error: ")
    assert all(ch.isprintable() for ch in line), repr(line)
    return line


# ---- 1. redirects --------------------------------------------------------------------


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_is_refused_and_the_credentials_stay(
    hostile: HostileServer, other: HostileServer, code: int
) -> None:
    hostile.other_port = other.port
    status, _, stderr = _evaluate(hostile.url(f"redirect{code}", userinfo="alice:s3cret@"))
    assert status == 2
    line = _one_error_line(stderr)
    assert f"the server redirects (HTTP {code}) to 'http://127.0.0.1:{other.port}/ok/api/v1/query_range?" in line
    assert "sladsl follows no redirect" in line
    assert "s3cret" not in line and "alice" not in line
    assert other.requests == []  # the other origin was never contacted, so it saw no credentials
    assert [r["auth"] for r in hostile.requests] == ["Basic YWxpY2U6czNjcmV0"]  # one request, to the given origin


def test_a_redirect_within_the_same_origin_is_refused_too(hostile: HostileServer) -> None:
    status, _, stderr = _evaluate(hostile.url("redirect-same", userinfo="alice:s3cret@"))
    assert status == 2
    assert "the server redirects (HTTP 302) to '/ok/api/v1/query_range?" in _one_error_line(stderr)
    assert [r["path"] for r in hostile.requests] == ["/redirect-same/api/v1/query_range"]


@pytest.mark.parametrize(
    ("mode", "target"), [("redirect-ftp", "ftp://127.0.0.1:"), ("redirect-file", "file:///etc/passwd")]
)
def test_a_redirect_to_another_scheme_is_refused_unopened(hostile: HostileServer, mode: str, target: str) -> None:
    with socket.socket() as listener:  # an FTP "server": it must never be connected to
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        hostile.ftp_port = listener.getsockname()[1]
        status, _, stderr = _evaluate(hostile.url(mode))
        with pytest.raises(BlockingIOError):
            listener.accept()
    assert status == 2
    assert f"the server redirects (HTTP 302) to '{target}" in _one_error_line(stderr)


# ---- 2. one total deadline per query -------------------------------------------------


@pytest.mark.parametrize("mode", ["drip", "drip-headers"])
def test_a_server_that_drips_its_answer_is_cut_off_at_the_deadline(hostile: HostileServer, mode: str) -> None:
    began = time.monotonic()
    status, _, stderr = _evaluate(hostile.url(mode, options="timeout=1"))
    took = time.monotonic() - began
    assert status == 2
    line = _one_error_line(stderr)
    assert line.endswith("no complete answer within 1 s (the deadline of each query; ?timeout=SECONDS)")
    assert "query 'sum(increase(api_requests_total[1h]))'" in line
    assert took < 4, took  # the drip would take minutes; a byte every 0.1 s never trips a per-read timeout


def test_the_deadline_covers_all_the_requests_of_a_query(hostile: HostileServer) -> None:
    """A month of 1-minute steps is 5 requests per query, each answered well in 0.4 s:
    the query takes 2 s, past a deadline of 1 s (a timeout per request would pass)."""
    status, _, stderr = _evaluate(hostile.url("slow", options="timeout=1"), CASES / "hostile-minutes.sla", "2026-10")
    assert status == 2
    assert _one_error_line(stderr).endswith(
        "no complete answer within 1 s (the deadline of each query; ?timeout=SECONDS)"
    )
    asked = len(hostile.requests)
    assert 2 <= asked <= 3  # cut during the third request
    status, _, stderr = _evaluate(hostile.url("slow", options="timeout=10"), CASES / "hostile-minutes.sla", "2026-10")
    assert status == 0, stderr
    assert len([r for r in hostile.requests[asked:] if r["path"].endswith("query_range")]) == 2 * 5


def test_each_request_tells_the_server_the_time_left(hostile: HostileServer) -> None:
    assert _evaluate(hostile.url("ok", options="timeout=7"))[0] == 0
    sent = [float(r["form"]["timeout"]) for r in hostile.requests]
    assert sent and all(0 < t <= 7 for t in sent)


def test_the_default_deadline() -> None:
    assert Server.parse("prometheus+http://127.0.0.1:9090").timeout == float(DEFAULT_TIMEOUT) == 60
    assert Server.parse("prometheus+http://127.0.0.1:9090?timeout=2.5s").timeout == 2.5


# ---- 3. the size cap -----------------------------------------------------------------


# The child reports its own high-water mark from /proc at exit: ru_maxrss from wait4 would
# carry over the parent's peak across fork and exec (pytest is large late in a full run).
_PEAK_REPORTER = """
import atexit, os, sys
def _report():
    with open("/proc/self/status") as status, open(os.environ["SLADSL_TEST_PEAK"], "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM:")).split()[1])
atexit.register(_report)
from sladsl.cli import main
sys.argv[0] = "sladsl"
main()
"""


def test_an_endless_answer_is_read_up_to_the_cap(hostile: HostileServer, tmp_path: Path) -> None:
    """In a process of its own, to measure its memory: the endless body is cut at the cap
    (32 MiB) with one line, and the process stays far below the 2 GiB the server sends."""
    peak_file = tmp_path / "peak-kib"
    command = [sys.executable, "-c", _PEAK_REPORTER, "evaluate", str(SLA), "--data", hostile.url("infinite")]
    command += ["--period", PERIOD]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SLADSL_TEST_PEAK": str(peak_file)}
    child = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert child.returncode == 2, child.stderr
    line = _one_error_line(child.stderr)
    assert line.endswith(
        f"the answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB; reading stopped "
        "(sum the query's series, or shorten the period)"
    )
    peak_mb = int(peak_file.read_text()) / 1024
    assert peak_mb < 400, peak_mb  # 32 MiB read, not 2 GiB


# ---- 4. server text is escaped and cut -----------------------------------------------


def test_the_servers_error_text_cannot_forge_lines_or_reach_the_terminal(hostile: HostileServer) -> None:
    status, _, stderr = _evaluate(hostile.url("escape"))
    assert status == 2
    line = _one_error_line(stderr)
    assert "\x1b" not in stderr and "\x07" not in stderr and "\u202e" not in stderr and "\x9b" not in stderr
    assert line.endswith(
        r"execution: line one\nsladsl: error: forged second line\x1b[2J\x1b]0;pwned\x07 \u202eevil\x9b31m"
    )


def test_a_long_error_text_is_cut(hostile: HostileServer) -> None:
    status, _, stderr = _evaluate(hostile.url("escape-long"))
    assert status == 2
    line = _one_error_line(stderr)
    assert line.endswith("internal: " + "x" * 190 + "…")
    assert len(line) < 400


def test_a_result_type_from_the_server_is_escaped(hostile: HostileServer) -> None:
    status, _, stderr = _evaluate(hostile.url("escape-type"))
    assert status == 2
    assert r"gives a line one\nsladsl: error: forged" in _one_error_line(stderr)


def test_the_servers_warnings_are_escaped(hostile: HostileServer) -> None:
    _, _, stderr = _evaluate(hostile.url("warnings-escape"))
    assert "\x1b" not in stderr and "\u202e" not in stderr
    lines = stderr.splitlines()
    assert not any(ln.startswith("sladsl: error:") for ln in lines), stderr
    assert any(r"unavailable line one\nsladsl: error: forged second line\x1b[2J" in ln for ln in lines)


# ---- 5. no evidence is never 100% ----------------------------------------------------


def _tables(url: str, period: str = PERIOD) -> tuple[list[tuple[object, ...]], list[str]]:
    """The `requests` rows the source writes for the period, and its warnings."""
    warnings: list[str] = []
    agreement = parse(SLA.read_text(encoding="utf-8"))
    with open_data(url, agreement, period, warnings.append) as path:
        con = duckdb.connect(str(path), read_only=True)
        rows = con.execute('SELECT "timestamp", good, total FROM requests ORDER BY 1').fetchall()
        con.close()
    return rows, warnings


def test_a_healthy_answer_gives_a_row_per_step(hostile: HostileServer) -> None:
    rows, warnings = _tables(hostile.url("ok"))
    assert len(rows) == 168 and {(g, t) for _, g, t in rows} == {(1000, 1000)}
    assert warnings == []


def test_nan_totals_give_no_rows(hostile: HostileServer) -> None:
    rows, warnings = _tables(hostile.url("all-nan-total"))
    assert rows == []
    assert any(
        "query 'sum(increase(api_requests_total[1h]))': gives NaN at 168 instants in 2026-W43" in w for w in warnings
    )


def test_nan_errors_give_no_rows(hostile: HostileServer) -> None:
    """An error count of NaN is not 0 errors: the step has no evidence."""
    rows, warnings = _tables(hostile.url("nan-errors"))
    assert rows == []
    assert any("api_requests_errors_total[1h]))': gives NaN at 168 instants" in w for w in warnings)


def test_only_the_nan_steps_are_left_out(hostile: HostileServer) -> None:
    rows, _ = _tables(hostile.url("nan-first-day"))
    assert len(rows) == 168 - 24
    assert str(rows[0][0]).startswith("2026-10-20 00:00:00")  # the first day (24 steps) has none


@pytest.mark.parametrize("mode", ["outside", "offgrid"])
def test_points_at_instants_not_asked_for_give_no_rows(hostile: HostileServer, mode: str) -> None:
    rows, warnings = _tables(hostile.url(mode))
    assert rows == []
    assert any(
        "168 points at instants not asked for (outside 2026-W43 or off its steps) are left out" in w for w in warnings
    )


def test_a_partial_answer_gives_no_rows(hostile: HostileServer) -> None:
    rows, warnings = _tables(hostile.url("warnings"))
    assert rows == []
    assert any(
        "the server warns that its answer may be incomplete (partial response: store 2 of 4 unavailable); "
        "168 steps are no evidence" in w
        for w in warnings
    )


def test_a_query_that_matches_nothing_gives_no_rows(hostile: HostileServer) -> None:
    rows, warnings = _tables(hostile.url("nothing"))
    assert rows == []
    assert any(
        "query 'sum(increase(api_requests_total[1h]))': gives no data in 2026-W43; no evidence" in w for w in warnings
    )


@pytest.mark.parametrize("mode", ["dup-series", "dup-instant"])
def test_an_answer_that_would_count_twice_is_refused(hostile: HostileServer, mode: str) -> None:
    status, _, stderr = _evaluate(hostile.url(mode))
    assert status == 2
    assert _one_error_line(stderr).endswith("the answer is not a Prometheus range result")


@pytest.mark.parametrize("mode", ["all-nan-total", "nothing", "warnings", "outside"])
def test_no_evidence_is_not_judged(hostile: HostileServer, mode: str) -> None:
    """Through the command: the objective is not judged, for lack of evidence, and the
    report is incomplete (needs evaluation's `no evidence in the period`)."""
    status, stdout, stderr = _evaluate(hostile.url(mode))
    assert status == 0, stderr
    report = json.loads(stdout)
    (objective,) = report["objectives"]
    assert objective["judged"] is False and objective["met"] is None
    assert objective["reason"] == "no evidence in the period"
    assert report["status"] == "incomplete"
    assert report["credits"] == []


def test_a_query_the_scanner_does_not_understand_is_evaluated_unchecked(hostile: HostileServer, tmp_path: Path) -> None:
    """This server takes any query; the series check cannot read this one and says so."""
    odd = tmp_path / "odd.sla"
    odd.write_text(
        SLA.read_text(encoding="utf-8").replace(
            "sum(increase(api_requests_total[", "sum(increase(api_requests_total[ ~"
        )
    )
    status, _, stderr = _evaluate(hostile.url("ok"), odd)
    assert status == 0, stderr
    assert (
        "query 'sum(increase(api_requests_total[ ~1h]))': its series are not checked "
        "(the query is not understood here: unexpected '~')"
    ) in stderr
