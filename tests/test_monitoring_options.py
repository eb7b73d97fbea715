"""`compile --interval` and `--min-requests` through the command line: every rule group gets
the interval, every burn-rate alert the request guard, the rules pass promtool, and the
options are refused where they mean nothing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import run

SAMPLE = "samples/video-cdn.sla"


def test_interval_and_min_requests_reach_every_group_and_alert(tmp_path: Path) -> None:
    out = tmp_path / "rules.yml"
    result = run(
        "compile", SAMPLE, "--target", "prometheus", "--interval", "30s", "--min-requests", "100", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    groups = yaml.safe_load(out.read_text(encoding="utf-8"))["groups"]
    assert groups and all(g.get("interval") == "30s" for g in groups)
    # the guard is on request-ratio budgets (a time-slice objective judges each window itself)
    burn = [
        r
        for g in groups
        for r in g["rules"]
        if "alert" in r and "Burn" in r["alert"] and r["labels"].get("objective") == "Time to first byte"
    ]
    assert burn and all(r["expr"].count("* 300 >= 100") == 2 for r in burn)
    promtool = shutil.which("promtool")
    assert promtool, "promtool is needed"
    checked = subprocess.run([promtool, "check", "rules", str(out)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_without_the_options_nothing_changes(tmp_path: Path) -> None:
    plain = run("compile", SAMPLE, "--target", "prometheus").stdout
    assert "interval:" not in plain


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "openslo", "--interval", "1m"], "--interval applies to the prometheus and kubernetes targets"),
        (["--target", "grafana", "--min-requests", "5"], "--min-requests applies to the prometheus and kubernetes"),
        (["--target", "prometheus", "--interval", "7m"], "divide 5 minutes"),
        (["--target", "prometheus", "--min-requests", "0"], "0"),
    ],
)
def test_options_where_they_mean_nothing_are_refused(args: list[str], message: str) -> None:
    result = run("compile", SAMPLE, *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr


def test_a_query_holding_a_hidden_character_is_not_compiled_into_broken_rules(tmp_path: Path) -> None:
    """PromQL cannot hold a control character: the objective is a warning, not rules promtool refuses."""
    source = tmp_path / "a.sla"
    source.write_text(
        'sla "Hidden" {\n    service "S" {\n        objective "O" {\n'
        "            availability at least 99.9% of requests per calendar month\n"
        "            monitor prometheus {\n"
        '                errors "sum(rate(e[{{window}}]))"\n'
        '                total "sum(rate(t\u0007[{{window}}]))"\n'
        "            }\n        }\n    }\n}\n",
        encoding="utf-8",
    )
    out = tmp_path / "rules.yml"
    result = run("compile", str(source), "--target", "prometheus", "-o", str(out))
    assert result.exit_code == 0
    assert "its `total` query holds U+0007" in result.stderr
    promtool = shutil.which("promtool")
    assert promtool
    checked = subprocess.run([promtool, "check", "rules", str(out)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
