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
