"""The layout is the pipeline (docs/architecture.md): its rules fail here, not in review."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import sladsl.api

from .conftest import ROOT

MAX_LINES = 520  # "no module over ~500 lines"


def _lint_imports(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def test_the_imports_keep_the_layers_and_make_no_circle() -> None:
    done = _lint_imports("--no-cache")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout, done.stdout


def test_a_circle_through_a_late_import_is_caught(tmp_path: Path) -> None:
    """The contract counts imports inside functions: hiding a circle in one is still a circle."""
    package = tmp_path / "circle"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from circle.b import helper\n\n\ndef used() -> int:\n    return helper()\n")
    (package / "b.py").write_text("def helper() -> int:\n    from circle.a import used\n\n    return 1\n")
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = circle\n\n"
        "[importlinter:contract:acyclic]\nname = no circle\ntype = acyclic_siblings\nancestors = circle\n"
    )
    done = _lint_imports("--no-cache", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "BROKEN" in done.stdout


def _modules() -> list[Path]:
    return sorted((ROOT / "sladsl").rglob("*.py"))


@pytest.mark.parametrize("module", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_a_long_room(module: Path) -> None:
    lines = len(module.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module.relative_to(ROOT)}: {lines} lines; split it by concern"


def test_the_stages_have_their_packages() -> None:
    for package in ("language", "language/checks", "evaluation", "documents", "monitoring", "changes", "lsp"):
        assert (ROOT / "sladsl" / package / "__init__.py").is_file(), package
    loose = sorted(p.stem for p in (ROOT / "sladsl").glob("*.py"))
    assert loose == ["__init__", "api", "cli", "cli_diff", "cli_evaluate", "cli_output", "resources", "terminal"], loose


def test_every_public_name_is_reached_through_the_api() -> None:
    for name in sladsl.api.__all__:
        assert getattr(sladsl.api, name) is not None, name
