"""The text report and the ledger summary as a person sees them (issue 14): fitted to the
terminal's width, coloured only on a terminal (NO_COLOR, --color/--no-color), plain and
one line per row on a pipe; a provisional period says so; the summary counts every
clause; a portfolio on a terminal is a summary, not raw CSV; progress on stderr only on a
terminal. Terminals are real pseudo-terminals (`pty`) of a given size."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from sladsl.cli import main

from .conftest import ROOT, run

SLADSL = [sys.executable, "-m", "sladsl.cli"]
DATABASE = ["evaluate", "samples/managed-database.sla", "--data", "samples/evidence/managed-database"]
PORTFOLIO = ["evaluate", "samples/cloud-platform.sla", "--data", "samples/evidence/cloud-platform-portfolio"]
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "SLADSL_PROGRESS_DELAY")}
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env


def _read_all(fd: int, into: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other side closed
            return
        if not chunk:
            return
        into.append(chunk)


def on_terminal(args: list[str], columns: int, stderr_too: bool = False, **env: str) -> tuple[str, str]:
    """Run sladsl with stdout (and stderr, if asked) on a pseudo-terminal `columns` wide;
    what the terminal showed, and stderr (when piped)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    shown: list[bytes] = []
    reader = threading.Thread(target=_read_all, args=(master, shown), daemon=True)
    reader.start()
    try:
        done = subprocess.run(
            [*SLADSL, *args],
            stdin=subprocess.DEVNULL,
            stdout=slave,
            stderr=slave if stderr_too else subprocess.PIPE,
            cwd=ROOT,
            env=_env(**env),
            timeout=300,
            check=False,
        )
    finally:
        os.close(slave)
    reader.join(30)
    os.close(master)
    assert done.returncode == 0, (b"".join(shown) + (done.stderr or b"")).decode()
    return b"".join(shown).decode().replace("\r\n", "\n"), (done.stderr or b"").decode()


# ---- the text report ---------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [80, 120])
def test_the_report_fits_the_terminal_and_colours_verdicts(columns: int) -> None:
    shown, _ = on_terminal([*DATABASE, "--period", "2026-10"], columns)
    plain = ESCAPE.sub("", shown)
    widths = [len(line) for line in plain.splitlines()]
    assert max(widths) <= columns, plain
    assert "BREACHED" in plain and "downtime 12 minutes" in plain
    assert re.search(r"\x1b\[[0-9;]*31m(\x1b\[[0-9;]*m)?BREACHED", shown), "BREACHED is red on a terminal"
    assert re.search(r"\x1b\[[0-9;]*32m(\x1b\[[0-9;]*m)?met", shown)


def test_the_report_wraps_the_why_column_to_columns_on_a_pipe() -> None:
    wide = CliRunner().invoke(main, [*DATABASE, "--period", "2026-10"], env={"COLUMNS": "", "NO_COLOR": ""})
    narrow = CliRunner().invoke(main, [*DATABASE, "--period", "2026-10"], env={"COLUMNS": "80"})
    assert wide.exit_code == narrow.exit_code == 0
    assert max(len(line) for line in wide.stdout.splitlines()) > 150  # one line per row, whole
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80
    assert "\x1b" not in wide.stdout + narrow.stdout
    # the same words, wrapped: nothing is cut
    assert set(re.findall("[A-Za-z]{3,}", wide.stdout)) == set(re.findall("[A-Za-z]{3,}", narrow.stdout))


def test_a_pipe_gets_one_plain_line_per_row() -> None:
    result = run(*DATABASE, "--period", "2026-10")
    assert "\x1b" not in result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("Primary cluster / Availability "))
    assert "BREACHED" in line and line.endswith("20 minutes excluded")


@pytest.mark.parametrize(
    ("how", "coloured"),
    [({"NO_COLOR": "1"}, False), ({"NO_COLOR": ""}, True), ({"TERM": "dumb"}, False)],
    ids=["NO_COLOR=1", "NO_COLOR empty", "TERM=dumb"],
)
def test_no_color_and_a_dumb_terminal_are_honoured(how: dict[str, str], coloured: bool) -> None:
    shown, _ = on_terminal([*DATABASE, "--period", "2026-10"], 100, **how)
    assert ("\x1b[" in shown) is coloured


def test_color_options_win() -> None:
    shown, _ = on_terminal([*DATABASE, "--period", "2026-10", "--no-color"], 100)
    assert "\x1b" not in shown
    forced = run(*DATABASE, "--period", "2026-10", "--color")
    assert "\x1b[" in forced.stdout and "BREACHED" in ESCAPE.sub("", forced.stdout)


def test_a_period_not_ended_is_marked_provisional() -> None:
    ended = run(*DATABASE, "--period", "2026-10", "--as-of", "2026-11-20")
    assert ended.exit_code == 0 and "PROVISIONAL" not in ended.stdout
    early = run(*DATABASE, "--period", "2026-10", "--as-of", "2026-10-15")
    assert early.exit_code == 0, early.output
    report = json.loads(run(*DATABASE, "--period", "2026-10", "--as-of", "2026-10-15", "--format", "json").stdout)
    assert report["provisional"] is True
    lines = early.stdout.splitlines()
    assert lines[2] == "PROVISIONAL: 2026-10 has not ended as of 2026-10-15; verdicts and credits are not final"
    assert "(provisional)" in lines[-1]


def _expected_summary(report: dict[str, object]) -> tuple[int, int, int, int]:
    """Judged-met, breached, no evidence, other: counted from the JSON report."""
    met = breached = gap = other = 0
    for o in report["objectives"]:  # type: ignore[attr-defined]
        if o["judged"] and o["met"] is not None:
            met, breached = (met + 1, breached) if o["met"] else (met, breached + 1)
        elif o.get("reason") == "no evidence in the period":
            gap += 1
        else:
            other += 1
    for s in report["support"]:  # type: ignore[attr-defined]
        if s["ok"] is not None:
            met, breached = (met + 1, breached) if s["ok"] else (met, breached + 1)
        else:
            other += 1
    for c in report["clauses"]:  # type: ignore[attr-defined]
        if c["judged"] and c["met"] is not None:
            met, breached = (met + 1, breached) if c["met"] else (met, breached + 1)
        else:
            other += 1
    return met, breached, gap, other


@pytest.mark.parametrize(
    ("sla", "data", "period"),
    [
        ("samples/managed-database.sla", "samples/evidence/managed-database", "2026-10"),
        ("samples/payments-api.sla", "samples/evidence/payments-api", "2026-Q4"),
        ("samples/video-cdn.sla", "samples/evidence/video-cdn", "2026-11"),
    ],
)
def test_the_summary_counts_every_clause(sla: str, data: str, period: str) -> None:
    args = ["evaluate", sla, "--data", data, "--period", period, "--as-of", "2026-12-31"]
    report = json.loads(run(*args, "--format", "json").stdout)
    text = run(*args).stdout
    met, breached, gap, other = _expected_summary(report)
    summary = next(line for line in text.splitlines() if line.startswith("summary: "))
    total = met + breached + gap + other
    assert summary.startswith(f"summary: {total} clauses: {met + breached} judged ({met} met, {breached} breached)")
    assert (f"{gap} not judged for lack of evidence" in summary) is (gap > 0)
    longer = [
        o
        for o in report["objectives"]
        if not o["judged"] and o.get("reason", "").startswith("measured per calendar quarter")
    ]
    if longer:
        assert f"{len(longer)} not judged, measured over a longer period than {period}" in summary
        listing = next(line for line in text.splitlines() if line.startswith("  longer period:"))
        for o in longer:
            assert f"{o['service']} / {o['objective']} (per {o['period']})" in listing


def test_the_longer_period_clause_is_listed_by_name() -> None:
    """managed-database has a quarterly objective: a month cannot judge it, and says which."""
    text = run(*DATABASE, "--period", "2026-10").stdout
    assert "not judged, measured over a longer period than 2026-10" in text
    assert "  longer period:  Primary cluster / Quarterly availability (per calendar quarter)" in text


def test_names_cannot_send_escape_sequences_to_the_terminal(tmp_path: Path) -> None:
    sla = tmp_path / "a.sla"
    text = (ROOT / "samples/managed-database.sla").read_text()
    sla.write_text(text.replace('service "Primary cluster"', 'service "Primary\x1b[2J\u202ecluster"', 1))
    result = run("evaluate", str(sla), "--data", "samples/evidence/managed-database", "--period", "2026-10")
    if result.exit_code != 0:
        pytest.skip(f"the language refuses the name: {result.stderr.strip()}")
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "Primary\\x1b[2J\\u202ecluster / Availability" in result.stdout  # shown, escaped


# ---- a portfolio without --ledger ----------------------------------------------------------------


def _ledger_csv() -> list[dict[str, str]]:
    result = run(*PORTFOLIO, "--period", "2026-10", "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_a_portfolio_on_a_terminal_is_a_summary() -> None:
    rows = _ledger_csv()
    shown, _ = on_terminal([*PORTFOLIO, "--period", "2026-10"], 100)
    plain = ESCAPE.sub("", shown)
    assert "customer,plan,service" not in plain  # no raw CSV
    customers = len({r["customer"] for r in rows})
    breached = sum(r["met"] == "false" for r in rows)
    incomplete = sum(r["met"] == "" for r in rows)
    assert f"{customers} customers, {len(rows)} rows: " in plain
    assert f"{breached} breached, {incomplete} not judged" in plain
    totals: dict[str, Decimal] = {}
    for r in rows:
        if r["amount"]:
            totals[r["currency"]] = totals.get(r["currency"], Decimal(0)) + Decimal(r["amount"])
    owed = ", ".join(f"{amount} {currency}" for currency, amount in sorted(totals.items()))
    assert f"credits owed: {owed}" in plain
    largest = max((r for r in rows if r["amount"]), key=lambda r: Decimal(r["amount"]))
    assert f"{largest['amount']} {largest['currency']}" in plain
    assert "--ledger FILE" in plain and "--format csv|json" in plain
    assert max(len(line) for line in plain.splitlines()) <= 100


def test_a_portfolio_on_a_pipe_stays_csv_and_text_asks_for_the_summary(tmp_path: Path) -> None:
    piped = run(*PORTFOLIO, "--period", "2026-10")
    assert piped.stdout.splitlines()[0].startswith("customer,plan,service,objective,period")
    assert piped.stdout == run(*PORTFOLIO, "--period", "2026-10", "--format", "csv").stdout
    summary = run(*PORTFOLIO, "--period", "2026-10", "--format", "text")
    assert summary.exit_code == 0 and "customer,plan" not in summary.stdout and "credits owed:" in summary.stdout
    ledger = tmp_path / "l.parquet"
    written = run(*PORTFOLIO, "--period", "2026-10", "--format", "text", "--ledger", str(ledger))
    assert f"the full ledger is in {ledger}" in written.stdout and ledger.stat().st_size > 0


def test_a_ledger_refuses_html_before_judging() -> None:
    result = run(*PORTFOLIO, "--period", "2026-10", "--format", "html")
    assert result.exit_code == 2 and result.stdout == ""
    assert "--format html is one report" in result.stderr


def test_one_report_refuses_csv() -> None:
    result = run(*DATABASE, "--period", "2026-10", "--format", "csv")
    assert result.exit_code == 2 and "--format csv is for a ledger" in result.stderr


# ---- progress on stderr, on a terminal only --------------------------------------------------------


def test_progress_is_shown_on_a_terminal_and_erased() -> None:
    shown, _ = on_terminal([*DATABASE, "--period", "2026-10", "-o", "/dev/null"], 100, True, SLADSL_PROGRESS_DELAY="0")
    assert "evaluating 2026-10 with DuckDB" in shown


def test_progress_never_goes_to_a_pipe_nor_with_quiet(tmp_path: Path) -> None:
    done = subprocess.run(
        [*SLADSL, *DATABASE, "--period", "2026-10"],
        capture_output=True,
        cwd=ROOT,
        env=_env(SLADSL_PROGRESS_DELAY="0"),
        check=False,
    )
    assert done.returncode == 0
    assert b"evaluating" not in done.stderr and b"\x1b" not in done.stderr + done.stdout
    shown, _ = on_terminal([*DATABASE, "--period", "2026-10", "-q"], 100, True, SLADSL_PROGRESS_DELAY="0")
    assert "evaluating 2026-10" not in shown


def test_progress_reaches_the_terminal_while_descriptor_2_is_silenced() -> None:
    """Spark points descriptor 2 at /dev/null while its JVM starts (the longest wait): the
    spinner writes to the terminal it found at the start, not to descriptor 2."""
    code = (
        "import os, time\n"
        "from sladsl.terminal import progress\n"
        "with progress('waiting for the engine'):\n"
        "    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)\n"
        "    time.sleep(1.5)\n"
    )
    master, slave = pty.openpty()
    shown: list[bytes] = []
    reader = threading.Thread(target=_read_all, args=(master, shown), daemon=True)
    reader.start()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=slave,
            cwd=ROOT,
            env=_env(SLADSL_PROGRESS_DELAY="0"),
            timeout=60,
            check=False,
        )
    finally:
        os.close(slave)
    reader.join(10)
    os.close(master)
    assert done.returncode == 0
    assert "waiting for the engine" in b"".join(shown).decode()


def test_spark_shows_progress_on_a_terminal() -> None:
    """`--engine spark` ran for a minute with no sign of life."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and os.environ.get("SLADSL_REQUIRE_SPARK") != "1":
        pytest.skip("no Java for Spark")
    args = ["evaluate", "samples/video-cdn.sla", "--data", "samples/evidence/video-cdn", "--period", "2026-10"]
    shown, _ = on_terminal([*args, "--engine", "spark"], 100, True, SLADSL_PROGRESS_DELAY="0.5")
    assert "evaluating 2026-10 with Spark" in shown
    assert "status: breached" in ESCAPE.sub("", shown)


@pytest.mark.parametrize(
    "command",
    [
        ["check", "samples/video-cdn.sla"],
        ["fmt", "--check", "samples/video-cdn.sla"],
        ["compile", "samples/video-cdn.sla", "--target", "prometheus"],
        [
            "evaluate",
            "samples/video-cdn.sla",
            "--data",
            "samples/evidence/video-cdn",
            "--period",
            "2026-10",
            "--format",
            "json",
        ],
    ],
    ids=["check", "fmt", "compile", "evaluate-json"],
)
def test_rich_is_imported_only_to_draw(command: list[str]) -> None:
    """`rich` costs start-up time: only the text report, the ledger summary and a spinner
    that is shown import it."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sladsl.cli", *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr[-500:]
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "sladsl.cli" in imported or "sladsl.cli_output" in imported
    assert not {name for name in imported if name == "rich" or name.startswith("rich.")}


def test_the_text_report_does_import_rich() -> None:
    """The other side of the test above, so that it can fail."""
    drawn = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sladsl.cli", *DATABASE, "--period", "2026-10"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        check=False,
    )
    assert "| rich" in drawn.stderr  # the check above can fail: the text report does import it
