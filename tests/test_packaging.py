"""The wheel carries the grammar, and the installed package works outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from .conftest import ROOT


def test_wheel_ships_the_grammar_and_parses_outside_the_checkout(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("sladsl-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "sladsl/grammar/sla.lark" in names
    assert "sladsl/grammar/sla.lark.json" in names  # the pre-built tables (no cache in /tmp)
    assert "sladsl/language/explanations.md" in names  # `sladsl explain`
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    sample = (ROOT / "samples" / "payments-api.sla").read_text(encoding="utf-8")
    code = (
        "import sys, sladsl.language.parser as p; assert p.__file__.startswith(sys.argv[1]), p.__file__; "
        "assert p._parser().source_path == '<deserialized>'; print(p.parse(sys.stdin.read()).title); "
        "from sladsl.language.explanations import explain_text; assert explain_text('E109')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        input=sample,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Payments Gateway Service Level Agreement"
