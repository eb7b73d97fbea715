"""Results on stdout, everything else on stderr, in every command and format (issue 14);
Ctrl-C is exit 130; a file written is named on stderr unless -q; an output that cannot be
written is one line and exit 2 (repro r10: a 300-character file name)."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from sladsl.cli import main

from .conftest import ROOT, run

SLADSL = [sys.executable, "-m", "sladsl.cli"]
SYNTAX = "tests/cases/bad/syntax-unclosed.sla"  # does not parse
CHECKER = "tests/cases/bad/tiers.sla"  # parses, has a checker error
GOOD = "samples/managed-database.sla"
DATA = "samples/evidence/managed-database"
EVALUATE = ("--data", DATA, "--period", "2026-10")
R10 = "samples/payments-api.sla"  # repro r10's a.sla is this sample, byte for byte


def _commands(sla: str) -> list[list[str]]:
    """Every command and output format that reads an agreement (`fmt` and `parse` only
    mind syntax)."""
    commands = [["check", sla]]
    if sla != CHECKER:
        commands += [["parse", sla], ["fmt", sla], ["fmt", "--check", sla]]
    commands += [["evaluate", sla, *EVALUATE, "--format", f] for f in ("text", "json", "html", "csv")]
    commands += [["render", sla, "--format", f] for f in ("html", "md")]
    commands += [["compile", sla, "--target", t] for t in ("prometheus", "openslo", "kubernetes", "grafana")]
    return commands


CASES = [(c, sla) for sla in (SYNTAX, CHECKER) for c in _commands(sla)] + [
    (c, "missing") for c in _commands("no-such-file.sla")
]


@pytest.mark.parametrize(("command", "kind"), CASES, ids=[" ".join(c) for c, _ in CASES])
def test_bad_input_goes_to_stderr_and_stdout_stays_empty(
    command: list[str], kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kind != "missing":  # a copy: a command that wrongly wrote would not touch the repository
        shutil.copy(ROOT / kind, tmp_path / Path(kind).name)
    shutil.copytree(ROOT / DATA, tmp_path / DATA)
    monkeypatch.chdir(tmp_path)
    command = [Path(c).name if c == kind else c for c in command]
    result = CliRunner().invoke(main, command, catch_exceptions=False)
    assert result.exit_code in (1, 2), result.output
    assert result.stdout == "", f"stdout has: {result.stdout[:300]!r}"
    if kind == "missing":
        assert result.stderr == "sladsl: error: no-such-file.sla: no such file\n"
    else:
        assert f"{Path(kind).name}:" in result.stderr and "error[E" in result.stderr
        assert (tmp_path / Path(kind).name).read_bytes() == (ROOT / kind).read_bytes()
    assert "Traceback" not in result.output


def test_check_json_is_a_result_on_stdout() -> None:
    result = run("check", "--format", "json", SYNTAX)
    assert result.exit_code == 1 and result.stderr == ""
    assert json.loads(result.stdout)[0]["diagnostics"][0]["code"] == "E001"


def test_bad_options_and_bad_evidence_write_nothing_to_stdout(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / DATA, data)
    incidents = data / "incidents.csv"
    incidents.write_text(incidents.read_text() + "Primary cluster,not a time,2026-10-02T00:00:00Z,x\n")
    for command in (
        ["evaluate", GOOD, "--data", str(data), "--period", "2026-10", "--format", "json"],
        ["evaluate", GOOD, "--data", DATA, "--period", "2026-13", "--format", "json"],
        ["evaluate", GOOD, *EVALUATE, "--as-of", "yesterday"],
        ["evaluate", GOOD, *EVALUATE, "--fail-on", "sometimes"],
        ["render", GOOD, "--set", "colour=blue"],
        ["compile", GOOD, "--target", "prometheus", "--plan", "Gold"],
    ):
        result = run(*command)
        assert result.exit_code == 2, (command, result.output)
        assert result.stdout == "", command
        assert result.stderr.strip() and "Traceback" not in result.stderr


def test_fmt_stdin_pipe_gets_only_the_formatted_text() -> None:
    """An editor's format-on-save pipe: a file that does not parse leaves the buffer alone
    (nothing on stdout, exit 1); one that does gets exactly the formatted text."""
    broken = (ROOT / SYNTAX).read_bytes()
    done = subprocess.run([*SLADSL, "fmt", "-"], input=broken, capture_output=True, cwd=ROOT, check=False)
    assert done.returncode == 1 and done.stdout == b""
    assert b"<stdin>:" in done.stderr and b"error[E001]" in done.stderr
    messy = (ROOT / "tests/cases/fmt/messy.sla").read_bytes()
    done = subprocess.run([*SLADSL, "fmt", "-"], input=messy, capture_output=True, cwd=ROOT, check=False)
    assert done.returncode == 0 and done.stderr == b""
    assert done.stdout == (ROOT / "tests/cases/fmt/messy.formatted").read_bytes()


def test_evaluate_json_redirected_is_only_json(tmp_path: Path) -> None:
    """`sladsl evaluate bad.sla --format json > r.json` used to fill r.json with text
    diagnostics; a good run's warnings also stay out of it."""
    out = tmp_path / "r.json"
    with out.open("wb") as handle:
        done = subprocess.run(
            [*SLADSL, "evaluate", CHECKER, *EVALUATE, "--format", "json"],
            stdout=handle,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            check=False,
        )
    assert done.returncode == 2 and out.read_bytes() == b""
    assert b"error[E109]" in done.stderr
    with out.open("wb") as handle:
        done = subprocess.run(
            [*SLADSL, "evaluate", GOOD, *EVALUATE, "--format", "json"], stdout=handle, cwd=ROOT, check=False
        )
    assert done.returncode == 0
    assert json.loads(out.read_text())["agreement"]


# ---- -o says what it wrote; -q says nothing ------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["render", GOOD, "--format", "html"],
        ["render", GOOD, "--format", "md"],
        ["compile", "samples/video-cdn.sla", "--target", "openslo"],
        ["evaluate", GOOD, *EVALUATE, "--format", "json"],
    ],
    ids=["render-html", "render-md", "compile", "evaluate"],
)
def test_a_file_written_is_named_with_its_size(tmp_path: Path, command: list[str]) -> None:
    out = tmp_path / "out.file"
    result = run(*command, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == f"sladsl: wrote {out} ({out.stat().st_size:,} bytes)"
    out.unlink()
    quiet = run(*command, "-o", str(out), "-q")
    assert quiet.exit_code == 0 and out.stat().st_size > 0
    assert "wrote" not in quiet.stderr


def test_a_pdf_written_is_named_and_quiet_is_silent(tmp_path: Path) -> None:
    out = tmp_path / "contract.pdf"
    result = run("render", GOOD, "--format", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == f"sladsl: wrote {out} ({out.stat().st_size:,} bytes)"
    assert run("render", GOOD, "--format", "pdf", "-o", str(out), "-q").stderr == ""


def test_a_ledger_written_is_named_unless_quiet(tmp_path: Path) -> None:
    ledger = tmp_path / "l.csv"
    args = ["evaluate", "samples/cloud-platform.sla", "--data", "samples/evidence/cloud-platform-portfolio"]
    result = run(*args, "--period", "2026-10", "--ledger", str(ledger))
    assert result.exit_code == 0, result.output
    rows = len(ledger.read_text().splitlines()) - 1
    assert f"sladsl: wrote {rows} ledger rows to {ledger}" in result.stderr
    quiet = run(*args, "--period", "2026-10", "--ledger", str(ledger), "-q")
    assert quiet.exit_code == 0 and "wrote" not in quiet.stderr


# ---- an output that cannot be written: one line, exit 2 ------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["render", R10, "--format", "html"],
        ["render", R10, "--format", "pdf"],
        ["compile", GOOD, "--target", "prometheus"],
        ["evaluate", GOOD, *EVALUATE],
    ],
    ids=["render-html", "render-pdf", "compile", "evaluate"],
)
def test_a_file_name_too_long_is_one_line_naming_it_shortened(tmp_path: Path, command: list[str]) -> None:
    """Repro r10: `render a.sla -o <300 x>.html` was `internal error (OSError: [Errno 36] ...)`."""
    out = tmp_path / ("x" * 300 + ".html")
    result = run(*command, "-o", str(out))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"sladsl: error: {str(tmp_path)[:20]}") and "…" in lines[0]
    assert lines[0].endswith("xxxx.html: cannot write: File name too long")
    assert "internal error" not in lines[0] and len(lines[0]) < 200


def test_a_ledger_name_too_long_and_a_folder_that_refuses_files_are_one_line(tmp_path: Path) -> None:
    long = tmp_path / ("y" * 300 + ".csv")
    args = ["evaluate", "samples/cloud-platform.sla", "--data", "samples/evidence/cloud-platform-portfolio"]
    result = run(*args, "--period", "2026-10", "--ledger", str(long))
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, result.output
    assert "File name too long" in result.stderr and "…" in result.stderr
    # a folder no one may create files in, even root: the kernel's own /proc
    result = run("render", GOOD, "-o", "/proc/sladsl-test.html")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, result.output
    assert result.stderr.startswith("sladsl: error: /proc/sladsl-test.html: cannot write in the folder /proc: ")


def test_a_path_with_a_line_break_cannot_forge_a_second_line(tmp_path: Path) -> None:
    name = tmp_path / "a\nsladsl: error: forged.sla"
    result = run("check", str(name))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "a\\nsladsl: error: forged.sla: no such file" in result.stderr


# ---- Ctrl-C: exit 130, one line --------------------------------------------------------------


def test_keyboard_interrupt_inside_a_command_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    import sladsl.api

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sladsl.api, "check_source", interrupted)
    for command in (["check", GOOD], ["render", GOOD], ["evaluate", GOOD, *EVALUATE]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 130, (command, result.output)
        assert result.stderr == "sladsl: interrupted\n" and result.stdout == ""
        assert "Aborted" not in result.output


def test_duckdb_interrupt_error_is_an_interrupt(monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB turns Ctrl-C during a query into its own InterruptException, which must not
    read as an internal error."""
    import importlib

    import duckdb

    module = importlib.import_module("sladsl.evaluation.evaluate")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")

    monkeypatch.setattr(module, "evaluate", interrupted)
    result = CliRunner().invoke(main, ["evaluate", GOOD, *EVALUATE])
    assert result.exit_code == 130 and result.stderr == "sladsl: interrupted\n", result.output


def test_sigint_to_a_running_evaluation_exits_130(tmp_path: Path) -> None:
    """A real Ctrl-C: the evaluation waits on a Prometheus server (on 127.0.0.1) that never
    answers; SIGINT arrives once the request has, so the command is surely running."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    asked = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        listener.settimeout(60)
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        held.append(connection)
        connection.recv(1)
        asked.set()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    sla = ROOT / "tests/cases/prometheus/api.sla"
    process = subprocess.Popen(
        [*SLADSL, "evaluate", str(sla), "--data", f"prometheus+http://127.0.0.1:{port}", "--period", "2026-W43"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    try:
        assert asked.wait(60), "the evaluation never asked the server"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        for connection in held:
            connection.close()
        listener.close()
    assert process.returncode == 130, stderr
    assert stdout == b""
    assert stderr.decode().splitlines() == ["sladsl: interrupted"]


@pytest.mark.parametrize(
    "command",
    [["parse", GOOD], ["check", "--format", "json", GOOD], ["evaluate", GOOD, *EVALUATE]],
    ids=["parse", "check-json", "evaluate"],
)
def test_a_reader_that_goes_away_stops_the_command_quietly(command: list[str]) -> None:
    """`sladsl ... | head -1`: the reader has gone before the result is written (it closes
    its end at once; the command takes a while to start): no traceback, no internal error."""
    process = subprocess.Popen([*SLADSL, *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read()
    process.wait(120)
    assert process.returncode == 141, stderr
    assert b"Traceback" not in stderr and b"error" not in stderr


def test_fmt_check_of_stdin_writes_nothing() -> None:
    """`fmt --check -` printed the formatted text although --check writes nothing."""
    messy = (ROOT / "tests/cases/fmt/messy.sla").read_text()
    result = CliRunner().invoke(main, ["fmt", "--check", "-"], input=messy)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == "would reformat <stdin>\n"
    formatted = (ROOT / "tests/cases/fmt/messy.formatted").read_text()
    clean = CliRunner().invoke(main, ["fmt", "--check", "-"], input=formatted)
    assert clean.exit_code == 0 and clean.output == ""
