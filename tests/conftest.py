"""Shared paths and helpers; `SLADSL_REGEN=1 pytest` rewrites golden files for review as a diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sladsl.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.sla"))
GOOD = sorted((ROOT / "tests" / "cases" / "good").glob("*.sla"))
BAD = sorted((ROOT / "tests" / "cases" / "bad").glob("*.sla"))
SPEC_EXAMPLES = sorted((ROOT.parent / "shared" / "spec" / "examples").glob("*.sla"))
REGEN = os.environ.get("SLADSL_REGEN") == "1"


def run(*args: str) -> Result:
    """The real command line, in-process, from the repository root."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def grafana_filled(expr: str, plan: str) -> str:
    """A dashboard query with Grafana's variables filled in as Grafana would: the plan, and the
    calendar view's range (a day) and start (2026-01-01T00:00Z)."""
    return (
        expr.replace("${plan}", plan).replace("${__range_s}", "86400").replace("${__from:date:seconds}", "1767225600")
    )


def golden(path: Path, actual: str) -> None:
    """Compare with a golden file, or rewrite it when SLADSL_REGEN=1."""
    if REGEN or not path.exists():
        if not REGEN:
            pytest.fail(f"golden file {path.name} is missing; run SLADSL_REGEN=1 pytest and review the diff")
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session")
def spark() -> object:
    """The one local Spark session of the test run (`--engine spark` finds it started).
    Skipped without PySpark or Java, unless SLADSL_REQUIRE_SPARK=1 (`.ci/run`): then a
    missing Spark fails the run instead of hiding the engine tests."""
    from sladsl.evaluation.engines.spark import spark_session
    from sladsl.language.diagnostics import SladslError

    try:
        return spark_session()
    except SladslError as exc:
        if os.environ.get("SLADSL_REQUIRE_SPARK") == "1":
            raise
        pytest.skip(str(exc))


# Words in a skip reason that say the test needed Spark: the `spark` fixture's errors,
# `importorskip("pyspark")` / `importorskip("pyarrow")` (the `spark` extra brings Arrow)
_SPARK_SKIP_WORDS = ("spark", "pyarrow")


def spark_skips(reports: list[pytest.TestReport]) -> list[str]:
    """The reasons of the skipped reports that were skipped for want of Spark."""
    reasons = []
    for report in reports:
        if isinstance(report.longrepr, tuple):
            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
            if any(word in reason.lower() for word in _SPARK_SKIP_WORDS):
                reasons.append(reason)
    return reasons


def _why(reasons: list[str]) -> str:
    """What is missing, as the first reason says it: the package, or a Spark that starts."""
    first = reasons[0]
    if "needs PySpark" in first or "import" in first:
        return "PySpark not installed"
    return "no local Spark could start (Java 17 installed?)"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say it in plain words when the Spark engine tests did not run here: under `-q` a
    skip is one `s` among dots, and a green run without them must not pass for a full one."""
    reasons = spark_skips(terminalreporter.stats.get("skipped", []))
    if not reasons:
        return
    terminalreporter.write_line(
        f"Spark engine tests skipped ({len(reasons)}): {_why(reasons)} (pip install -e '.[test,spark]', "
        "and Java 17); CI runs them with SLADSL_REQUIRE_SPARK=1",
        yellow=True,
    )
