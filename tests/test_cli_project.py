"""The command line as ruff and terraform users expect it: directories walked recursively,
`fmt --diff`, project defaults in `[tool.sladsl]`, and shell completion of `--plan`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner

from sladsl.cli import main

from .conftest import ROOT

WARNED = 'sla "W" {\n    service "S" {\n        objective "O" {\n            availability at least 99.999% per calendar month\n            downtime from samples every 5 minutes\n        }\n    }\n}\n'


def _run(folder: Path, *args: str) -> tuple[int, str, str]:
    """The real command line, run in `folder` (where a pyproject.toml is looked up)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "sla" / "team").mkdir(parents=True)
    (tmp_path / "sla" / ".cache").mkdir()
    shutil.copy(ROOT / "samples" / "payments-api.sla", tmp_path / "sla" / "payments.sla")
    (tmp_path / "sla" / "team" / "warned.sla").write_text(WARNED, encoding="utf-8")
    (tmp_path / "sla" / ".cache" / "broken.sla").write_text("not an agreement", encoding="utf-8")
    (tmp_path / "sla" / "notes.txt").write_text("not an agreement", encoding="utf-8")
    return tmp_path


def test_check_walks_a_directory_recursively_skipping_hidden_folders(tree: Path) -> None:
    status, stdout, stderr = _run(tree, "check", "--no-color", "sla")
    assert status == 0, stderr
    assert "checked 2 files: 0 errors, 1 warning" in stderr
    assert "W204" in stderr and stdout == ""


def test_project_defaults_make_warnings_fail_or_hide_them(tree: Path) -> None:
    (tree / "pyproject.toml").write_text("[tool.sladsl]\nstrict = true\n", encoding="utf-8")
    assert _run(tree, "check", "--no-color", "sla")[0] == 1
    (tree / "pyproject.toml").write_text('[tool.sladsl]\nstrict = true\nignore = ["W204"]\n', encoding="utf-8")
    status, _, stderr = _run(tree, "check", "--no-color", "sla")
    assert status == 0 and "W204" not in stderr


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('ignore = ["E101"]', "only warnings (W2xx) can be ignored"),
        ('strict = "yes"', "strict must be true or false"),
        ("colour = true", "has no key `colour`"),
        ("ignore = [", "cannot be read as TOML"),
    ],
)
def test_bad_project_defaults_are_one_line_and_exit_2(tree: Path, table: str, message: str) -> None:
    (tree / "pyproject.toml").write_text(f"[tool.sladsl]\n{table}\n", encoding="utf-8")
    status, stdout, stderr = _run(tree, "check", "sla")
    assert status == 2 and stdout == ""
    assert message in stderr and len(stderr.strip().splitlines()) == 1


def test_fmt_diff_prints_a_unified_diff_and_writes_nothing(tree: Path) -> None:
    path = tree / "sla" / "team" / "warned.sla"
    messy = WARNED.replace("    service", "  service")
    path.write_text(messy, encoding="utf-8")
    status, stdout, _ = _run(tree, "fmt", "--diff", "sla")
    assert status == 1
    assert stdout.startswith("--- sla/team/warned.sla (original)\n+++ sla/team/warned.sla (formatted)\n")
    assert '-  service "S" {' in stdout and '+    service "S" {' in stdout
    assert path.read_text(encoding="utf-8") == messy
    path.write_text(WARNED, encoding="utf-8")
    assert _run(tree, "fmt", "--diff", "sla")[:2] == (0, "")


def test_fmt_on_a_directory_rewrites_every_file_in_it(tree: Path) -> None:
    path = tree / "sla" / "team" / "warned.sla"
    path.write_text(WARNED.replace("    service", "  service"), encoding="utf-8")
    status, _, stderr = _run(tree, "fmt", "sla")
    assert status == 0 and "reformatted sla/team/warned.sla" in stderr
    assert path.read_text(encoding="utf-8") == WARNED


@pytest.mark.parametrize("command", ["evaluate", "render"])
def test_plan_names_complete_from_the_file(command: str) -> None:
    completion = ShellComplete(main, {}, "sladsl", "_SLADSL_COMPLETE")
    found = completion.get_completions([command, "samples/cloud-platform.sla", "--plan"], "")
    assert [c.value for c in found] == ["Standard", "Premium", "Enterprise"]
    assert [c.value for c in completion.get_completions([command, "samples/cloud-platform.sla", "--plan"], "E")] == [
        "Enterprise"
    ]
