"""Evidence that once gave "internal error" or named the wrong row (../shared/repro/ev-*,
copied to tests/cases/repro/): each is now a correct result or one line naming the file,
the row or line, and the column, with exit 2."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, run

REPRO = ROOT / "tests" / "cases" / "repro"
SLA = str((REPRO / "ev-min.sla").relative_to(ROOT))


def _evaluate(data: str | Path, *args: str) -> tuple[int, str]:
    result = run("evaluate", SLA, "--data", str(data), "--period", "2026-10", *args)
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("folder", "message"),
    [
        ("ev-latency-nan-jsonl", "latency.jsonl: row 2 (line 2), column `value_ms`: 'nan' is not a number"),
        ("ev-jsonl-bigint-wrong-row", "requests.jsonl: row 3 (line 3), column `total`: '1e+20' is not a whole number"),
        ("ev-ragged-row-late", "incidents.csv: line 30002: 5 values where the header has 4 columns"),
        ("ev-quoted-newline-line-number", "incidents.csv: row 2 (line 4), column `end`: end is before start"),
    ],
)
def test_bad_evidence_names_the_right_row(folder: str, message: str) -> None:
    code, output = _evaluate(REPRO / folder)
    assert code == 2 and message in output


def test_whole_doubles_in_parquet_are_whole_numbers() -> None:
    code, output = _evaluate(REPRO / "ev-whole-doubles-parquet", "--format", "json")
    assert code == 0, output
    success = next(o for o in json.loads(output)["objectives"] if o["objective"] == "Success")
    assert success["measured"] == "99"  # 99.0 good of 100.0 total


def test_a_far_future_end_is_an_open_incident() -> None:
    code, output = _evaluate(REPRO / "ev-far-future", "--format", "json")
    assert code == 0, output
    uptime = next(o for o in json.loads(output)["objectives"] if o["objective"] == "Uptime")
    # from 5 October 10:00 UTC to the end of October in Berlin (23:00 UTC on the 31st)
    assert uptime["downtime_seconds"] == str((26 * 24 + 13) * 3600)


def test_negative_latency_and_early_answers_are_bad_evidence(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(REPRO / "ev-good", data)
    (data / "latency.csv").write_text("service,metric,timestamp,value_ms\nReq,api,2026-10-05T10:00:00Z,-5\n")
    code, output = _evaluate(data)
    assert code == 2 and "latency.csv: row 1 (line 2), column `value_ms`: '-5' is a negative latency" in output


def test_corrupt_parquet_and_truncated_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(REPRO / "ev-good", data)
    (data / "requests.csv").unlink()
    (data / "requests.parquet").write_bytes(b"PAR1" + b"\0" * 200)
    code, output = _evaluate(data)
    assert code == 2 and "requests.parquet: cannot be read" in output
    truncated = tmp_path / "evidence.duckdb"
    truncated.write_bytes(b"\0" * 5000)
    code, output = _evaluate(truncated)
    assert code == 2 and "not a folder of tables or a DuckDB database" in output


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root to run as nobody")
def test_an_unreadable_folder_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(REPRO / "ev-good", data)
    os.chmod(tmp_path, 0o755)
    os.chmod(data, 0o000)
    try:
        done = subprocess.run(
            [
                "setpriv",
                "--reuid=nobody",
                "--regid=nogroup",
                "--clear-groups",
                sys.executable,
                "-m",
                "sladsl.cli",
                "evaluate",
                str(REPRO / "ev-min.sla"),
                "--data",
                str(data),
                "--period",
                "2026-10",
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
    finally:
        os.chmod(data, 0o755)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() in (
        f"sladsl: error: {data}: the folder cannot be read (permission denied)",
        f"sladsl: error: {data}: cannot be read (Permission denied)",  # a folder above it is closed too
    )
