"""Inputs that once broke sladsl (`../shared/repro/`, copied to tests/cases/repro/): each
now ends in a correct result or one clear diagnostic, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sladsl.api import format_source, parse
from sladsl.language.formatter import scan_comments

from .conftest import ROOT, run

REPRO = ROOT / "tests" / "cases" / "repro"


def _no_crash(output: str) -> None:
    assert "Traceback" not in output and "internal error" not in output


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("01-check-traceback-huge-duration.sla", "E002"),  # a 400-digit number
        ("02-parse-traceback-long-request-count.sla", "E002"),  # a 70-digit request count
        ("13-render-huge-fee.sla", "E002"),  # a 29-digit fee
        ("03-fmt-exponent.sla", "E114"),  # 0.0000001 seconds: finer than a millisecond
        ("14-evaluate-samples-every-10ms.sla", "E114"),  # 268 million intervals a month
        ("14b-evaluate-samples-every-1ms.sla", "E114"),
        ("15-evaluate-tiny-window.sla", "E114"),
        ("16-evaluate-long-claim-window.sla", "E114"),  # 99,999 years
    ],
)
def test_absurd_values_are_check_errors(name: str, code: str) -> None:
    path = str((REPRO / name).relative_to(ROOT))
    result = run("check", "--no-color", path)
    _no_crash(result.output)
    assert result.exit_code == 1
    assert f"error[{code}]" in result.output
    for command in (["parse"], ["fmt", "--check"]):  # these read the syntax only
        later = run(*command, path)
        _no_crash(later.output)
        if code == "E002":
            assert later.exit_code == 1  # a syntax error: nothing to print or format
        else:
            assert later.exit_code in (0, 1)  # parses: `parse` prints it, `fmt --check` may want a change
    for command in (["render", "--format", "html"], ["compile", "--target", "prometheus"]):
        later = run(*command, path)
        _no_crash(later.output)
        assert later.exit_code == 2 and "the agreement has errors" in later.output


@pytest.mark.parametrize("name", ["14-evaluate-samples-every-10ms.sla", "15-evaluate-tiny-window.sla"])
def test_absurd_values_stop_evaluation_with_one_line(name: str) -> None:
    result = run(
        "evaluate",
        str((REPRO / name).relative_to(ROOT)),
        "--data",
        str((REPRO / "ev-samples-requests").relative_to(ROOT)),
        "--period",
        "2026-10",
    )
    _no_crash(result.output)
    assert result.exit_code == 2
    assert "the agreement has errors" in result.output


def test_formatter_writes_no_exponents() -> None:
    source = (REPRO / "03-fmt-exponent.sla").read_text()
    formatted = format_source(source)
    assert "E-" not in formatted and "0.0000001 seconds" in formatted and "0.0000000%" in formatted
    assert parse(formatted) == parse(source)


def test_formatter_keeps_business_milliseconds() -> None:
    formatted = format_source((REPRO / "04-fmt-business-ms.sla").read_text())
    assert "4 business milliseconds" in formatted
    assert parse(formatted) == parse((REPRO / "04-fmt-business-ms.sla").read_text())


@pytest.mark.parametrize(
    "name", ["05-fmt-drops-comments-after-prose-backslash.sla", "05b-fmt-invents-comment-from-prose.sla"]
)
def test_prose_has_no_escapes_so_fmt_neither_drops_nor_invents_comments(name: str, tmp_path: Path) -> None:
    copy = tmp_path / name
    shutil.copy(REPRO / name, copy)
    before = copy.read_bytes()
    result = run("fmt", str(copy))
    _no_crash(result.output)
    assert result.exit_code == 1 and "error[E001]" in result.output  # `\"""` closes the prose
    assert copy.read_bytes() == before  # nothing a user gave is lost


def test_prose_ending_in_a_backslash_closes() -> None:
    agreement = parse((REPRO / "06-prose-trailing-backslash.sla").read_text())
    texts = [s for s in agreement.statements if type(s).__name__ == "Text"]
    assert texts[0].body == "Send files to C:\\inbox\\"  # type: ignore[attr-defined]
    assert agreement.customer == "Acme"
    formatted = format_source((REPRO / "06-prose-trailing-backslash.sla").read_text())
    assert parse(formatted) == agreement
    assert scan_comments(formatted) == []
