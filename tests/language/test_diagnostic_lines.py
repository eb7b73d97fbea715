"""A diagnostic's source line reads as the file does: no bidi control reaches the terminal."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run


def test_a_bidi_override_in_the_shown_line_is_replaced_and_the_caret_stays(tmp_path: Path) -> None:
    sla = tmp_path / "bidi.sla"
    sla.write_text('sla "T\u202e" { zzz\n}\n', encoding="utf-8")
    result = run("check", str(sla))
    assert result.exit_code == 1
    assert "\u202e" not in result.stderr
    lines = result.stderr.splitlines()
    shown = next(i for i, line in enumerate(lines) if line.startswith("1 | "))
    assert lines[shown] == '1 | sla "T\ufffd" { zzz'
    assert lines[shown + 1].index("^") == lines[shown].index("zzz")
