"""Issue 14, audited: the gaps a re-check found beside the tests that already cover it.

- Ctrl-C while the command is still importing its libraries is the same one line and exit
  130 as later (it was Python's `KeyboardInterrupt` traceback); importing `sladsl.cli`
  from another program leaves Ctrl-C alone.
- DuckDB's `RuntimeError: Query interrupted` (some statements raise it instead of its
  `InterruptException`) is an interrupt, not an internal error.
- Today's period is provisional in every format: text, JSON and HTML.
- The report and the customer's copy of the contract name the same objectives and support
  plans, in both directions, for every bundled sample and plan.
"""

from __future__ import annotations

import html
import json
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sladsl.cli import main

from .conftest import ROOT, run
from .test_evaluate import agreement

# ---- Ctrl-C while starting -------------------------------------------------------------------

# A Ctrl-C that arrives while `click` is being imported: the signal is sent to the process
# itself from an import hook, so it lands inside the imports of sladsl.cli, every time.
_INTERRUPT_WHILE_IMPORTING = """
import builtins, os, signal, sys
sys.argv[0] = {argv0!r}
real = builtins.__import__
def hook(name, *args, **kwargs):
    if name == "click":
        builtins.__import__ = real
        os.kill(os.getpid(), signal.SIGINT)
    return real(name, *args, **kwargs)
builtins.__import__ = hook
import sladsl.cli
print("imported", signal.getsignal(signal.SIGINT) is signal.default_int_handler)
"""


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_ctrl_c_while_the_command_imports_is_one_line_and_130() -> None:
    done = _python(_INTERRUPT_WHILE_IMPORTING.format(argv0="/usr/local/bin/sladsl"))
    assert done.returncode == 130, done.stderr
    assert done.stderr == "sladsl: interrupted\n" and done.stdout == ""


def test_a_program_importing_the_cli_keeps_its_own_ctrl_c() -> None:
    done = _python(_INTERRUPT_WHILE_IMPORTING.format(argv0="my-tool"))
    # not the sladsl command: Python's own KeyboardInterrupt, as the importing program expects
    assert done.returncode in (-signal.SIGINT, 1), done.stderr
    assert "KeyboardInterrupt" in done.stderr


def test_after_starting_ctrl_c_is_a_keyboard_interrupt_again() -> None:
    done = _python(
        "import sys, signal; sys.argv[0] = 'sladsl'; import sladsl.cli; "
        "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    )
    assert done.returncode == 0 and done.stdout == "True\n", done.stderr


def test_duckdb_query_interrupted_runtime_error_is_an_interrupt(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    module = importlib.import_module("sladsl.evaluation.evaluate")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Query interrupted")

    monkeypatch.setattr(module, "evaluate", interrupted)
    command = ["evaluate", "samples/managed-database.sla", "--data", "samples/evidence/managed-database"]
    result = CliRunner().invoke(main, [*command, "--period", "2026-10"])
    assert result.exit_code == 130 and result.stderr == "sladsl: interrupted\n", result.output

    def other(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something else")

    monkeypatch.setattr(module, "evaluate", other)
    result = CliRunner().invoke(main, [*command, "--period", "2026-10"])
    assert result.exit_code == 2 and "internal error (RuntimeError: something else)" in result.stderr


# ---- today's period, in every format ------------------------------------------------------------


def test_the_current_period_is_provisional_in_text_json_and_html(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    label = f"{now.year}-{now.month:02d}"
    sla = tmp_path / "a.sla"
    sla.write_text(
        agreement(
            "availability at least 99% per calendar month downtime from samples every 1 minute "
            "missing data counts as unavailable",
            'credits for "O" { below 99%: 50% of monthly fee }',
        )
    )
    data = tmp_path / "data"
    data.mkdir()
    (data / "samples.csv").write_text("service,timestamp,up\n")  # an empty table
    args = ["evaluate", str(sla), "--data", str(data), "--period", label]

    text = run(*args, "--no-color")
    assert text.exit_code == 0, text.stderr
    assert f"PROVISIONAL: {label} has not ended as of {now.date().isoformat()}" in text.stdout
    assert "no evidence in the period" in text.stdout
    assert text.stdout.rstrip().splitlines()[-1] == "status: incomplete (provisional); credits owed: none"

    report = json.loads(run(*args, "--format", "json").stdout)
    assert report["provisional"] is True and report["status"] == "incomplete"
    assert report["total_credit"] == {"amount": "0", "currency": "USD"} and report["credits"] == []

    page = run(*args, "--format", "html")
    assert page.exit_code == 0, page.stderr
    banner = re.search(r'<p class="provisional">(.*?)</p>', page.stdout, re.S)
    assert banner is not None, "the HTML report has no provisional line"
    words = html.unescape(re.sub("<[^>]+>", "", banner.group(1)))
    assert words.startswith("Provisional:") and label in words and "no claim deadline" in words

    # and an `--as-of` after the month: no provisional line anywhere
    after = f"{now.year + 1}-01-15"
    ended = json.loads(run(*args, "--as-of", after, "--format", "json").stdout)
    assert ended["provisional"] is False
    assert 'class="provisional"' not in run(*args, "--as-of", after, "--format", "html").stdout
    assert "PROVISIONAL" not in run(*args, "--as-of", after).stdout


# ---- the report and the contract agree, both ways ------------------------------------------------

SAMPLES = [
    ("managed-database", "managed-database", None),
    ("payments-api", "payments-api", None),
    ("video-cdn", "video-cdn", None),
    ("cloud-platform", "cloud-platform", "Standard"),
    ("cloud-platform", "cloud-platform", "Premium"),
    ("cloud-platform", "cloud-platform", "Enterprise"),
]


def _report(sla: str, data: str, plan: str | None) -> dict[str, Any]:
    extra = ["--plan", plan] if plan else []
    result = run(
        "evaluate", f"samples/{sla}.sla", "--data", f"samples/evidence/{data}", "--period", "2026-10",
        "--as-of", "2026-12-01", "--format", "json", *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _contract(sla: str, plan: str | None, tmp_path: Path) -> str:
    out = tmp_path / "copy.md"
    extra = ["--plan", plan] if plan else []
    result = run("render", f"samples/{sla}.sla", "--format", "md", "-o", str(out), "-q", *extra)
    assert result.exit_code == 0, result.stderr
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize(("sla", "data", "plan"), SAMPLES, ids=[f"{s}-{p or 'all'}" for s, _, p in SAMPLES])
def test_report_and_contract_state_the_same_objectives_both_ways(
    sla: str, data: str, plan: str | None, tmp_path: Path
) -> None:
    report = _report(sla, data, plan)
    document = _contract(sla, plan, tmp_path)
    # every objective heading of the contract ("### 3.1 Availability"), credits sections aside
    stated = {
        m.group(1)
        for m in re.finditer(r"^### \d+\.\d+ (.+)$", document, re.M)
        if not m.group(1).startswith("Service credits")
    }
    judged = {o["objective"] for o in report["objectives"]}
    assert stated and stated == judged, (
        f"only in the contract: {stated - judged}; only in the report: {judged - stated}"
    )
    # every credit table of the contract belongs to an objective the report can credit
    credited = {m.group(1) for m in re.finditer(r"^### \d+\.\d+ Service credits for “(.+)”$", document, re.M)}
    assert credited <= judged
    # the support plans: the columns of the response tables, and the plans the report judges
    columns = {
        cell.strip()
        for line in document.splitlines()
        if line.startswith("| Priority |")
        for cell in line.strip("|").split("|")[1:]
    }
    assert columns == {s["plan"] for s in report["support"]}
