"""`sladsl diff` through its click command: formats, --fail-on, REV:path in a git
repository, bad input, the JSON output against its schema, and the redline's escaping."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from sladsl.changes.codes import CODES
from sladsl.cli_diff import diff_command

from ..conftest import ROOT

CASES = ROOT / "tests" / "cases" / "diff"
SCHEMA = json.loads((ROOT / "sladsl" / "schemas" / "diff.schema.json").read_text(encoding="utf-8"))


def invoke(*args: str) -> Result:
    return CliRunner().invoke(diff_command, list(args))


def pair(name: str) -> list[str]:
    return [str(CASES / name / "old.sla"), str(CASES / name / "new.sla")]


def test_the_text_report() -> None:
    done = invoke(*pair("target-lowered"))
    assert done.exit_code == 0, done.output
    assert "- adverse: target-lowered (Compute / Availability / plan Premium; old line 18, new line 18)" in done.stdout
    assert "is lowered from 99.95% to 99.9%" in done.stdout
    assert done.stdout.rstrip().endswith("1 change: 1 adverse.")


def test_fail_on_adverse_exits_3_only_for_an_adverse_change() -> None:
    adverse = invoke(*pair("target-lowered"), "--fail-on", "adverse")
    assert adverse.exit_code == 3
    assert "exit 3" in adverse.stderr
    favourable = invoke(*pair("target-raised"), "--fail-on", "adverse")
    assert favourable.exit_code == 0
    depends = invoke(*pair("timezone-changed"), "--fail-on", "adverse")
    assert depends.exit_code == 0
    assert invoke(*pair("timezone-changed"), "--fail-on", "adverse-or-favourable").exit_code == 3
    assert invoke(*pair("comments-and-layout"), "--fail-on", "any").exit_code == 0
    assert invoke(*pair("version-changed"), "--fail-on", "any").exit_code == 0  # neutral


def test_layout_only_is_said_so() -> None:
    done = invoke(*pair("comments-and-layout"))
    assert done.exit_code == 0
    assert "No change in meaning: the versions differ only in layout, comments or the order of words." in done.stdout
    same = invoke(str(CASES / "target-lowered" / "old.sla"), str(CASES / "target-lowered" / "old.sla"))
    assert "The two versions are the same text." in same.stdout


@pytest.mark.parametrize(
    "name", ["several-changes", "comments-and-layout", "credits-on-plan-fall-back", "support-calendar-changed"]
)
def test_json_is_valid_against_the_schema(name: str) -> None:
    done = invoke(*pair(name), "--format", "json")
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    assert document["schema_version"] == 1
    for change in document["changes"]:
        assert change["code"] in CODES


def test_json_carries_lines_and_clauses_on_both_sides() -> None:
    document = json.loads(invoke(*pair("claim-window-shortened"), "--format", "json").stdout)
    (change,) = document["changes"]
    assert change["old"] == "claim within 30 days" and change["new"] == "claim within 14 days"
    assert change["old_lines"] == {"first": 34, "last": 34} == change["new_lines"]
    text = (CASES / "claim-window-shortened" / "old.sla").read_text().splitlines()
    assert text[33].strip() == "claim within 30 days"
    removed = json.loads(invoke(*pair("tier-removed"), "--format", "json").stdout)["changes"][0]
    assert removed["new_lines"] is None and removed["new"] is None


def test_the_schema_refuses_what_it_must() -> None:
    document = json.loads(invoke(*pair("target-lowered"), "--format", "json").stdout)
    document["changes"][0]["class"] = "bad"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_redline_marks_the_changed_clause(fmt: str) -> None:
    done = invoke(*pair("target-lowered"), "--format", fmt)
    assert done.exit_code == 0, done.output
    assert "<del>On plan Premium: The service will be available at least 99.95% of the time" in done.stdout
    assert "<ins>On plan Premium: The service will be available at least 99.9% of the time" in done.stdout
    assert done.stdout.count("<del>") == 1 and done.stdout.count("<ins>") == 1
    added = invoke(*pair("compliance-added"), "--format", fmt)
    assert "<ins>The Provider complies with HIPAA.</ins>" in added.stdout
    assert "<del>" not in added.stdout.split("marked")[1]


def test_the_redline_escapes_everything(tmp_path: Path) -> None:
    base = (CASES / "target-lowered" / "old.sla").read_text()
    old = tmp_path / "old.sla"
    new = tmp_path / "new.sla"
    old.write_text(base)
    new.write_text(base.replace('compliance "GDPR"', 'compliance "<script>alert(1)</script> & *x*"'))
    html = invoke(str(old), str(new), "--format", "html").stdout
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; *x*" in html
    md = invoke(str(old), str(new), "--format", "md").stdout
    assert "<script>" not in md
    assert "\\*x\\*" in md


def test_rev_path_in_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "sla").mkdir(parents=True)
    target = repo / "sla" / "cloud.sla"
    shutil.copy(CASES / "target-lowered" / "old.sla", target)

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=repo,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "one")
    shutil.copy(CASES / "target-lowered" / "new.sla", target)
    git("commit", "-q", "-am", "two")
    monkeypatch.chdir(repo)
    done = invoke("HEAD~1:sla/cloud.sla", "HEAD:sla/cloud.sla", "--format", "json")
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["old"] == "HEAD~1:sla/cloud.sla"
    assert [c["code"] for c in document["changes"]] == ["target-lowered"]
    working = invoke("HEAD~1:sla/cloud.sla", "sla/cloud.sla", "--fail-on", "adverse")
    assert working.exit_code == 3
    missing = invoke("HEAD~1:sla/none.sla", "sla/cloud.sla")
    assert missing.exit_code == 2
    assert missing.stderr.startswith("sladsl: error: HEAD~1:sla/none.sla: git show failed")
    assert "Traceback" not in missing.output


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = invoke(str(tmp_path / "nope.sla"), str(CASES / "target-lowered" / "new.sla"))
    assert missing.exit_code == 2
    assert missing.stderr.strip().count("\n") == 0 and "no such file" in missing.stderr
    broken = tmp_path / "broken.sla"
    broken.write_text(
        'sla "X" {\n    fee 10 USD per month\n    service "A" { objective "B" { availability at least 150% per calendar month } }\n}\n'
    )
    bad = invoke(str(broken), str(CASES / "target-lowered" / "new.sla"))
    assert bad.exit_code == 2
    assert "the agreement has errors" in bad.stderr
    alone = invoke(*pair("target-lowered"), "--data", "x")
    assert alone.exit_code == 2 and "--data and --period go together" in alone.stderr


def test_one_side_from_standard_input_and_output_to_a_file(tmp_path: Path) -> None:
    old, new = pair("fee-raised")
    done = CliRunner().invoke(diff_command, [old, "-"], input=Path(new).read_text())
    assert done.exit_code == 0, done.output
    assert "fee-raised" in done.stdout and "<stdin>" in done.stdout
    out = tmp_path / "changes.json"
    written = invoke(old, new, "--format", "json", "-o", str(out))
    assert written.exit_code == 0 and written.stdout == ""
    assert json.loads(out.read_text())["changes"][0]["code"] == "fee-raised"
    refused = invoke(old, new, "-o", old)
    assert refused.exit_code == 2
    assert Path(old).read_text().startswith("# The agreement")
