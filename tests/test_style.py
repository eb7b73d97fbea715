"""The code stays ruff-clean and mypy-strict-clean: a regression fails here, not in review."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff() -> None:
    done = _run("ruff", "check", "sladsl", "tests", "bench")
    assert done.returncode == 0, done.stdout


def test_mypy_strict() -> None:
    done = _run("mypy", "sladsl")
    assert done.returncode == 0, done.stdout
