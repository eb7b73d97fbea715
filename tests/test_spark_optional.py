"""Spark is an extra a user chooses (`pip install 'sladsl[spark]'`): without PySpark, Arrow
and pandas everything but `--engine spark` works, `--engine spark` says in one line what
to install, and a local test run says plainly that it skipped the Spark engine tests.

The missing packages are simulated in a subprocess whose import system refuses them (a
meta-path finder that raises ImportError), whatever this machine has installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

# Put first in a child's `python -c`: PySpark, Arrow and pandas cannot be imported there
HIDE_SPARK = """
import sys
class _Hidden:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pyspark", "pyarrow", "pandas", "py4j"):
            raise ModuleNotFoundError(f"No module named {name!r} (hidden by the test)")
        return None
sys.meta_path.insert(0, _Hidden())
"""
CLI = HIDE_SPARK + "from sladsl.cli import main\nmain()\n"
EVALUATE = [
    "evaluate", "samples/managed-database.sla", "--data", "samples/evidence/managed-database", "--period", "2026-10",
]  # fmt: skip


def _child(code: str, *args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    """A child Python running `code`; SLADSL_REQUIRE_SPARK only when the test sets it."""
    environment = {key: value for key, value in os.environ.items() if key != "SLADSL_REQUIRE_SPARK"}
    environment |= {"PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def test_engine_spark_without_pyspark_names_the_extra() -> None:
    done = _child(CLI, *EVALUATE, "--engine", "spark")
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert "--engine spark needs PySpark" in done.stderr
    assert "pip install 'sladsl[spark]'" in done.stderr


def test_the_default_engine_needs_no_spark_packages() -> None:
    """The README's first evaluation, on an install without the `spark` extra."""
    done = _child(CLI, *EVALUATE)
    assert done.returncode == 0, done.stderr
    assert "Managed PostgreSQL Service Level Agreement" in done.stdout


def test_no_module_but_the_spark_engine_imports_spark_packages() -> None:
    """Every module of sladsl imports without PySpark, Arrow or pandas (at module level, where
    a forgotten import would break every install without the extra), but the Spark engine."""
    walk = HIDE_SPARK + (
        "import pkgutil, sladsl\n"
        "names = [m.name for m in pkgutil.walk_packages(sladsl.__path__, 'sladsl.')]\n"
        "for name in names:\n"
        "    if name != 'sladsl.evaluation.engines.spark':\n"
        "        __import__(name)\n"
        "print(len(names))\n"
    )
    done = _child(walk)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 50  # the walk found the package, not an empty folder


TINY_CONFTEST = "from tests.conftest import pytest_terminal_summary, spark  # noqa: F401\n"
TINY_TESTS = """
import pytest

def test_engine(spark):
    pass

def test_language():
    pass

def test_elsewhere():
    pytest.skip("no network here")
"""


def _tiny_run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A pytest run, quiet as pyproject's addopts make it, on a tiny suite with one Spark test."""
    (tmp_path / "conftest.py").write_text(TINY_CONFTEST, encoding="utf-8")
    (tmp_path / "test_tiny.py").write_text(TINY_TESTS, encoding="utf-8")
    code = HIDE_SPARK + "import pytest\nsys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '.']))\n"
    return _child(code, cwd=tmp_path, **env)


def test_a_local_run_says_it_skipped_the_spark_tests(tmp_path: Path) -> None:
    done = _tiny_run(tmp_path)
    assert done.returncode == 0, done.stdout
    lines = [line for line in done.stdout.splitlines() if line.startswith("Spark engine tests skipped")]
    assert lines == [
        "Spark engine tests skipped (1): PySpark not installed (pip install -e '.[test,spark]', and Java 17); "
        "CI runs them with SLADSL_REQUIRE_SPARK=1"
    ]
    assert "1 passed, 2 skipped" in done.stdout


def test_ci_fails_instead_of_skipping(tmp_path: Path) -> None:
    """With SLADSL_REQUIRE_SPARK=1 (`.ci/run`) a missing PySpark is an error, not a skip."""
    done = _tiny_run(tmp_path, SLADSL_REQUIRE_SPARK="1")
    assert done.returncode == 1
    assert "--engine spark needs PySpark" in done.stdout
    assert "Spark engine tests skipped" not in done.stdout
    assert "1 passed, 1 skipped, 1 error" in done.stdout
