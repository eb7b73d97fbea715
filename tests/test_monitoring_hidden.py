"""Names holding control, line-separator and bidirectional characters through every compile
target (r01: a NEL in a name became a line break inside a PromQL string once YAML read the
rules, and promtool refused them). Each output goes through the real promtool."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from .conftest import ROOT, grafana_filled, run

PROMTOOL = shutil.which("promtool")
SCHEMA = json.loads((ROOT / "tests" / "schemas" / "openslo-v1-slo.json").read_text())

HIDDEN = {
    "nel": "\x85",
    "line-separator": "\u2028",
    "paragraph-separator": "\u2029",
    "rtl-override": "\u202e",
    "isolate": "\u2066",
    "tab": "\t",
    "escape": "\x1b[31m",
    "carriage-return": "\r",
    "delete": "\x7f",
    "zero-width-space": "\u200b",
    "bom": "\ufeff",
}

AGREEMENT = """sla "Edge{c}delivery" {{
    plans "Gold{c}plan", "Basic"
    timezone "UTC"
    service "A{c}PI" {{
        objective "Avail{c}ability" {{
            availability at least 99.95% per calendar month on plan "Gold{c}plan"
            availability at least 99.5% per calendar month
            monitor prometheus {{
                errors "sum(rate(api_requests_total{{code=~\\"5..\\"}}[{{{{window}}}}]))"
                total "sum(rate(api_requests_total[{{{{window}}}}]))"
            }}
        }}
    }}
}}
"""


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL, "promtool is needed (Debian: apt-get install prometheus; .ci/run installs it)"
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, check=False)


def compiled(tmp_path: Path, text: str, target: str) -> Path:
    sla = tmp_path / "agreement.sla"
    sla.write_text(text, encoding="utf-8", newline="")
    out = tmp_path / f"out.{target}"
    result = run("compile", str(sla), "--target", target, "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_the_r01_reproducer_passes_promtool(tmp_path: Path) -> None:
    text = (ROOT / "tests" / "cases" / "prometheus" / "nel-in-name.sla").read_text(encoding="utf-8")
    assert "\x85" in text
    for target in ("prometheus", "kubernetes"):
        out = compiled(tmp_path, text, target)
        document = yaml.safe_load(out.read_text(encoding="utf-8"))
        rules = document if target == "prometheus" else document["spec"]
        checked_file = tmp_path / f"{target}.rules.yml"
        checked_file.write_text(yaml.safe_dump(rules), encoding="utf-8")
        checked = promtool("check", "rules", str(out if target == "prometheus" else checked_file))
        assert checked.returncode == 0, checked.stdout + checked.stderr
        labels = {r["labels"]["agreement"] for g in rules["groups"] for r in g["rules"]}
        assert labels == {"Edge\x85delivery"}  # kept, not folded into a line break


def _expanded(values: dict[str, str]) -> dict[str, str]:
    """Alert labels and annotations as promtool's template expansion gives them back."""
    return {k: v.replace('{{ "{{" }}', "{{") for k, v in values.items()}


@pytest.mark.parametrize("char", HIDDEN.values(), ids=HIDDEN.keys())
def test_hidden_characters_in_names_keep_every_rule_valid_and_matching(tmp_path: Path, char: str) -> None:
    out = compiled(tmp_path, AGREEMENT.format(c=char), "prometheus")
    checked = promtool("check", "rules", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rules = yaml.safe_load(out.read_text(encoding="utf-8"))
    every = [r for g in rules["groups"] for r in g["rules"]]
    assert {r["labels"]["service"] for r in every} == {f"A{char}PI"}
    assert {r["labels"]["plan"] for r in every} == {f"Gold{char}plan", "Basic"}
    # the page alert reads the recorded series by these labels: it fires only if every
    # selector matches the labels the recording rules wrote (1000 errors a minute in 2000)
    pages = [r for r in every if r.get("alert") == "SLAErrorBudgetBurnPage"]
    test = {
        "rule_files": [out.name],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": 'api_requests_total{code="200"}', "values": "0+1000x180"},
                    {"series": 'api_requests_total{code="500"}', "values": "0+1000x180"},
                ],
                "alert_rule_test": [
                    {
                        "eval_time": "90m",
                        "alertname": "SLAErrorBudgetBurnPage",
                        "exp_alerts": [
                            {"exp_labels": _expanded(r["labels"]), "exp_annotations": _expanded(r["annotations"])}
                            for r in pages
                        ],
                    }
                ],
            }
        ],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test), encoding="utf-8")
    tested = promtool("test", "rules", str(tmp_path / "test.yml"))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert len(pages) == 2


def _raw_lines(text: str) -> list[str]:
    """The lines of a YAML or JSON file that hold a hidden character as it is."""
    return [ln for ln in text.split("\n") if any(c in ln for c in "\x85\u2028\u2029\u202e\u2066\t\x1b\r")]


@pytest.mark.parametrize("char", HIDDEN.values(), ids=HIDDEN.keys())
def test_hidden_characters_are_escaped_in_every_output(tmp_path: Path, char: str) -> None:
    text = AGREEMENT.format(c=char)
    for target in ("prometheus", "kubernetes", "openslo"):
        written = compiled(tmp_path, text, target).read_text(encoding="utf-8")
        assert not _raw_lines(written), (target, _raw_lines(written)[:2])
    documents = [d for d in yaml.safe_load_all(compiled(tmp_path, text, "openslo").read_text(encoding="utf-8")) if d]
    assert {d["metadata"]["labels"]["plan"][0] for d in documents} == {f"Gold{char}plan", "Basic"}
    for document in documents:
        jsonschema.validate(document, SCHEMA)
        assert document["metadata"]["displayName"].startswith(f"A{char}PI: Avail{char}ability")
    dashboard = json.loads(compiled(tmp_path, text, "grafana").read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    assert exprs and all(f"A{char}PI" not in e for e in exprs)  # escaped inside the PromQL strings
    # the dashboard's queries are valid PromQL once the plan variable has a value
    records = [{"record": "sla:check", "expr": grafana_filled(e, "Basic")} for e in exprs]
    (tmp_path / "dashboard.rules.yml").write_text(
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": records}]}), encoding="utf-8"
    )
    checked = promtool("check", "rules", str(tmp_path / "dashboard.rules.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_names_without_hidden_characters_keep_their_plain_yaml(tmp_path: Path) -> None:
    written = compiled(tmp_path, AGREEMENT.format(c=" é "), "prometheus").read_text(encoding="utf-8")
    assert "agreement: Edge é delivery" in written  # readable, as before: no quoting, no escapes
