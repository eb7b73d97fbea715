"""The command line as a user runs it: exit statuses, one-line errors, never a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLES, run

CHAT = "samples/payments-api.sla"


def test_check_clean_samples_exits_zero() -> None:
    result = run("check", *[str(p.relative_to(ROOT)) for p in SAMPLES])
    assert result.exit_code == 0
    assert f"checked {len(SAMPLES)} files: 0 errors, 0 warnings" in result.output


def test_check_reports_errors_with_status_one() -> None:
    result = run("check", "--no-color", "tests/cases/bad/tiers.sla")
    assert result.exit_code == 1
    assert "tests/cases/bad/tiers.sla:8:13: error[E109]" in result.output


def test_warnings_alone_pass_unless_strict() -> None:
    assert run("check", "tests/cases/bad/warnings.sla").exit_code == 0
    assert run("check", "--strict", "tests/cases/bad/warnings.sla").exit_code == 1


def test_check_json_lists_diagnostics() -> None:
    result = run("check", "--format", "json", "tests/cases/bad/duplicate-header.sla")
    data = json.loads(result.output)
    assert [d["code"] for d in data[0]["diagnostics"]] == ["E101", "E101"]
    assert data[0]["diagnostics"][0]["line"] == 3


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.sla", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: _write(d / "binary.sla", b"\x7fELF\x00\x01\x02"), "is a binary file"),
        (lambda d: _write(d / "latin1.sla", 'sla "Caf\xe9" {}'.encode("latin-1")), "1:9: is not UTF-8 text"),
        (lambda d: _write(d / "huge.sla", b"#" * (20 * 1024 * 1024)), "file is too large"),
    ],
    ids=["missing", "directory", "binary", "not-utf8", "20MB"],
)
def test_unreadable_input_is_one_line_and_status_two(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    for command in (["check"], ["fmt"], ["parse", "--json"]):
        result = run(*command, str(path))
        assert result.exit_code == 2, command
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_empty_file_is_a_diagnostic(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.sla", b"")
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "error[E001]: the file is empty" in result.output


def test_parse_json_is_the_typed_ast() -> None:
    result = run("parse", CHAT, "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["node"] == "Agreement"
    assert data["title"] == "Payments Gateway Service Level Agreement"
    service = next(s for s in data["statements"] if s["node"] == "Service")
    objective = next(s for s in service["statements"] if s["node"] == "Objective")
    target = objective["statements"][0]
    assert target["node"] == "RequestTarget"
    assert target["percent"]["value"] == "99.95"
    assert target["period"]["kind"] == "calendar month"
    assert target["span"]["line"] == 27


def test_parse_of_a_syntax_error_exits_one() -> None:
    result = run("parse", "tests/cases/bad/syntax-unclosed.sla")
    assert result.exit_code == 1
    assert "error[E001]" in result.output


def test_fmt_rewrites_in_place_and_check_writes_nothing(tmp_path: Path) -> None:
    messy = (ROOT / "tests/cases/fmt/messy.sla").read_text()
    path = tmp_path / "messy.sla"
    path.write_text(messy)
    result = run("fmt", "--check", str(path))
    assert result.exit_code == 1 and "would reformat" in result.output
    assert path.read_text() == messy
    assert run("fmt", str(path)).exit_code == 0
    assert path.read_text() == (ROOT / "tests/cases/fmt/messy.formatted").read_text()
    assert run("fmt", "--check", str(path)).exit_code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["messy.sla"]


def test_fmt_leaves_a_file_with_syntax_errors_alone(tmp_path: Path) -> None:
    broken = (ROOT / "tests/cases/bad/syntax-unclosed.sla").read_text()
    path = tmp_path / "broken.sla"
    path.write_text(broken)
    result = run("fmt", str(path))
    assert result.exit_code == 1
    assert path.read_text() == broken


def test_fmt_stdin_to_stdout() -> None:
    from click.testing import CliRunner

    from sladsl.cli import main

    result = CliRunner().invoke(main, ["fmt", "-"], input='sla "T" {provider "P"}')
    assert result.exit_code == 0
    assert result.output == 'sla "T" {\n    provider "P"\n}\n'


def test_installed_console_script_runs() -> None:
    exe = shutil.which("sladsl") or str(Path(sys.executable).parent / "sladsl")
    done = subprocess.run([exe, "check", CHAT], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([exe, "check", "nope.sla"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 2 and done.stderr == "sladsl: error: nope.sla: no such file\n"


# ---- evaluate --fail-on: exit 3, never 1 (1 means errors in the agreement) ------------------

FAIL_ON_SLA = """sla "Tiny" {
    service "S" {
        objective "Up" { availability at least 99.9% per calendar month }
        objective "Fast" { latency "api" p95 at most 200 ms per calendar month }
    }
}
"""


def _evidence(folder: Path, outage_minutes: int, latency_month: str) -> Path:
    """Incidents in October (10 minutes: met; 120: breached), latency samples in `latency_month`
    (another month than October: no evidence for October)."""
    folder.mkdir()
    end = f"2026-10-02T{outage_minutes // 60:02d}:{outage_minutes % 60:02d}:00Z"
    (folder / "incidents.csv").write_text(f"service,start,end\nS,2026-10-02T00:00:00Z,{end}\n")
    rows = "".join(f"S,api,{latency_month}-0{d}T12:00:00Z,100\n" for d in range(1, 8))
    (folder / "latency.csv").write_text("service,metric,timestamp,value_ms\n" + rows)
    return folder


@pytest.fixture
def fail_on_cases(tmp_path: Path) -> dict[str, tuple[str, str]]:
    sla = tmp_path / "tiny.sla"
    sla.write_text(FAIL_ON_SLA)
    return {
        "met": (str(sla), str(_evidence(tmp_path / "met", 10, "2026-10"))),
        "breached": (str(sla), str(_evidence(tmp_path / "breached", 120, "2026-10"))),
        "incomplete": (str(sla), str(_evidence(tmp_path / "incomplete", 10, "2026-09"))),
        "breached and incomplete": (str(sla), str(_evidence(tmp_path / "both", 120, "2026-09"))),
    }


@pytest.mark.parametrize(
    ("case", "status", "options", "code"),
    [
        ("met", "met", [], 0),
        ("met", "met", ["--fail-on", "breached"], 0),
        ("met", "met", ["--fail-on", "incomplete"], 0),
        ("breached", "breached", [], 0),
        ("breached", "breached", ["--fail-on", "breached"], 3),
        ("breached", "breached", ["--fail-on", "incomplete"], 3),  # incomplete takes breached with it
        ("incomplete", "incomplete", ["--fail-on", "breached"], 0),
        ("incomplete", "incomplete", ["--fail-on", "incomplete"], 3),
        ("incomplete", "incomplete", ["--fail-on", "breached,incomplete"], 3),
        ("incomplete", "incomplete", ["--fail-on", "breached", "--fail-on", "incomplete"], 3),
        ("breached and incomplete", "breached", ["--fail-on", "incomplete"], 3),
    ],
)
def test_fail_on_exits_3_for_the_statuses_asked(
    fail_on_cases: dict[str, tuple[str, str]], case: str, status: str, options: list[str], code: int
) -> None:
    sla, data = fail_on_cases[case]
    for fmt in ("json", "text"):
        result = run("evaluate", sla, "--data", data, "--period", "2026-10", "--format", fmt, *options)
        assert result.exit_code == code, result.output
        if fmt == "json":
            assert json.loads(result.stdout)["status"] == status  # the report is written all the same
        else:
            assert f"status: {status}" in result.stdout
        if code == 3:
            assert result.stderr.splitlines()[-1].startswith(f"sladsl: status {status} (--fail-on ")


def test_fail_on_breach_is_a_deprecated_alias_exiting_3(fail_on_cases: dict[str, tuple[str, str]]) -> None:
    sla, data = fail_on_cases["breached"]
    result = run("evaluate", sla, "--data", data, "--period", "2026-10", "--fail-on-breach")
    assert result.exit_code == 3
    assert "sladsl: warning: --fail-on-breach is deprecated: use --fail-on breached" in result.stderr
    sla, data = fail_on_cases["incomplete"]
    assert run("evaluate", sla, "--data", data, "--period", "2026-10", "--fail-on-breach").exit_code == 0


def test_fail_on_an_unknown_status_is_bad_input(fail_on_cases: dict[str, tuple[str, str]]) -> None:
    sla, data = fail_on_cases["met"]
    result = run("evaluate", sla, "--data", data, "--period", "2026-10", "--fail-on", "met")
    assert result.exit_code == 2 and result.stdout == ""
    assert "'met' is not one of breached, incomplete" in result.stderr


@pytest.mark.parametrize(
    ("case", "options", "code"),
    [
        ("met", ["--fail-on", "incomplete"], 0),
        ("breached", ["--fail-on", "breached"], 3),
        ("incomplete", ["--fail-on", "breached"], 0),
        ("incomplete", ["--fail-on", "incomplete"], 3),
    ],
)
def test_fail_on_judges_a_ledger_by_its_status(
    fail_on_cases: dict[str, tuple[str, str]], tmp_path: Path, case: str, options: list[str], code: int
) -> None:
    sla, data = fail_on_cases[case]
    ledger = tmp_path / "ledger.csv"
    result = run("evaluate", sla, "--data", data, "--period", "2026-10", "--ledger", str(ledger), *options)
    assert result.exit_code == code, result.output
    statuses = {line.split(",")[6] for line in ledger.read_text().splitlines()[1:]}
    assert ("false" in statuses) is (case == "breached") and ("" in statuses) is (case == "incomplete")
