"""The front-end commands import only what they use (issue 16).

Why a subprocess: `sys.modules` of the test process holds whatever earlier tests imported.
A fresh interpreter runs the real command line in-process (`sladsl.cli.main`, as the
console script does) and prints the modules it ended with; WeasyPrint, Jinja2, DuckDB,
pyarrow, PySpark and rich belong to rendering, evaluation and the terminal report only.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("weasyprint", "jinja2", "duckdb", "pyarrow", "pyspark", "rich")
RUN = """
import json, sys
from sladsl.cli import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _modules_after(*args: str) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", RUN, *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["code"], {name.split(".")[0] for name in result["modules"]}


@pytest.mark.parametrize(
    "args",
    [
        ("check", "samples/video-cdn.sla"),
        ("check", "samples/payments-api.sla", "samples/cloud-platform.sla"),
        ("fmt", "--check", "samples/video-cdn.sla"),
        ("parse", "--json", "samples/payments-api.sla"),
    ],
)
def test_front_end_commands_import_no_heavy_library(args: tuple[str, ...]) -> None:
    code, top_level = _modules_after(*args)
    assert code == 0
    assert "sladsl" in top_level and "lark" in top_level  # the command really ran
    assert sorted(top_level.intersection(HEAVY)) == []


def test_the_probe_sees_a_heavy_import_when_a_command_makes_one(tmp_path: Path) -> None:
    """The probe itself: rendering HTML does import Jinja2, and the probe must say so."""
    out = tmp_path / "out.html"
    code, top_level = _modules_after("render", "samples/payments-api.sla", "--format", "html", "-o", str(out))
    assert code == 0 and out.is_file()
    assert "jinja2" in top_level
