"""W215: monitor queries are parsed as PromQL (promql-parser) before `compile` writes them;
one that does not parse is a warning in `check` and leaves its objective out of the rules,
so promtool (and Prometheus) accept the rest of the file."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sladsl.api import check_source

from ..conftest import GOOD, ROOT, SAMPLES, SPEC_EXAMPLES, run

BAD = ROOT / "tests" / "cases" / "bad" / "monitor-not-promql.sla"
PROMTOOL = shutil.which("promtool")


@pytest.mark.parametrize(
    "path",
    [*SAMPLES, *GOOD, *SPEC_EXAMPLES, *sorted((ROOT / "tests" / "cases").glob("*/*.sla"))],
    ids=lambda p: str(p.relative_to(ROOT.parent)),
)
def test_no_bundled_query_is_refused(path: Path) -> None:
    """No false alarm: every query of the samples, cases and spec examples parses (but the one
    file written to be refused)."""
    if path == BAD:
        pytest.skip("the file W215 is tested on")
    _, diagnostics = check_source(path.read_text(encoding="utf-8"))
    assert not [d for d in diagnostics if d.code == "W215"]


def test_each_query_that_is_not_promql_is_named_at_its_line() -> None:
    _, diagnostics = check_source(BAD.read_text(encoding="utf-8"))
    found = [(d.span.line, d.message) for d in diagnostics if d.code == "W215"]
    assert found == [
        (8, "the `errors` query is not PromQL: unclosed left parenthesis"),
        (16, "the `total` query is not PromQL: unexpected character: '&'"),
    ]


def test_compile_leaves_those_objectives_out_and_promtool_takes_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "rules.yml"
    result = run("compile", str(BAD), "--target", "prometheus", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    for name, query in (("Availability", "errors"), ("Requests", "total")):
        assert re.search(
            rf"objective “{name}” of service “API” is not compiled to Prometheus rules: its `{query}` query is not PromQL",
            result.stderr,
        )
    rules = out.read_text(encoding="utf-8")
    assert "objective: Latency" in rules and "objective: Availability" not in rules
    assert PROMTOOL, "promtool is needed (Debian: apt-get install prometheus; .ci/run installs it)"
    checked = subprocess.run([PROMTOOL, "check", "rules", str(out)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    strict = run("compile", str(BAD), "--target", "prometheus", "--strict", "-o", str(tmp_path / "strict.yml"))
    assert strict.exit_code == 1
