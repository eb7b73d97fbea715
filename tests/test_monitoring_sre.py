"""Rules an SRE would keep (issue 10): burn-rate windows per period that can fire, exact factors,
absent metrics, Sloth's summary series, histograms with label matchers, runbook URLs, a
Kubernetes PrometheusRule and a Grafana dashboard. Every rules file goes through the real
promtool (`check rules`, and `test rules` scenarios)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT, grafana_filled, run

PROMTOOL = shutil.which("promtool")
LABELS = {"agreement": "Shop", "service": "API", "objective": "Availability"}


def agreement(target: str = "99.9%", period: str = "calendar month", monitor: str = "") -> str:
    monitor = monitor or (
        'errors "sum(rate(errors_total[{{window}}]))"\n                total "sum(rate(requests_total[{{window}}]))"'
    )
    return f"""sla "Shop" {{
    service "API" {{
        objective "Availability" {{
            availability at least {target} per {period}
            monitor prometheus {{
                {monitor}
            }}
        }}
    }}
}}
"""


def latency(histogram: str, clause: str = "p95 at most 150 ms per calendar month") -> str:
    return f"""sla "Shop" {{
    service "API" {{
        objective "Latency" {{
            latency "api" {clause}
            monitor prometheus {{ histogram "{histogram}" }}
        }}
    }}
}}
"""


def promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL, "promtool is needed (Debian: apt-get install prometheus; .ci/run installs it)"
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, check=False, cwd=cwd)


def compile_to(tmp_path: Path, text: str, *options: str, target: str = "prometheus") -> tuple[str, str]:
    """Compile through the CLI into tmp_path; promtool checks Prometheus output. Returns (output, stderr)."""
    sla = tmp_path / "agreement.sla"
    sla.write_text(text)
    out = tmp_path / ("rules.yml" if target != "grafana" else "dashboard.json")
    result = run("compile", str(sla), "--target", target, "-q", "-o", str(out), *options)
    assert result.exit_code == 0, result.output
    if target == "prometheus":
        checked = promtool("check", "rules", str(out))
        assert checked.returncode == 0, checked.stdout + checked.stderr
    return out.read_text(), result.stderr


def alerts(text: str) -> dict[str, dict[str, Any]]:
    return {r["alert"]: r for g in yaml.safe_load(text)["groups"] for r in g["rules"] if "alert" in r}


def unit_test(tmp_path: Path, inputs: list[dict[str, str]], checks: list[Any]) -> str:
    """`promtool test rules` on tmp_path/rules.yml with one-minute series; '' when every check holds."""
    test = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": inputs, "alert_rule_test": checks}],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test))
    done = promtool("test", "rules", "test.yml", cwd=tmp_path)
    return "" if done.returncode == 0 else done.stdout + done.stderr


def traffic(errors_per_minute: int, minutes: int = 300) -> list[dict[str, str]]:
    """1,000 requests a minute, of which `errors_per_minute` fail."""
    return [
        {"series": "requests_total", "values": f"0+1000x{minutes}"},
        {"series": "errors_total", "values": f"0+{errors_per_minute}x{minutes}"},
    ]


def fired(rules: dict[str, dict[str, Any]], name: str) -> list[dict[str, Any]]:
    rule = rules[name]
    labels, annotations = (
        {k: v.replace('{{ "{{" }}', "{{") for k, v in rule[key].items()} for key in ("labels", "annotations")
    )
    return [{"exp_labels": labels, "exp_annotations": annotations}]


# ---- the four scenarios ---------------------------------------------------------------------------


def test_fast_burn_pages_slow_burn_tickets_one_budget_stays_quiet_absent_metric_alerts(tmp_path: Path) -> None:
    text, _ = compile_to(tmp_path, agreement())
    rules = alerts(text)
    assert set(rules) == {"SLAErrorBudgetBurnPage", "SLAErrorBudgetBurnTicket", "SLAMetricAbsent"}
    page, ticket, absent = "SLAErrorBudgetBurnPage", "SLAErrorBudgetBurnTicket", "SLAMetricAbsent"
    # 99.9%: the page needs 14.4 x 0.1% = 1.44% over 1 h and 5 m; 2% errors page (for 2 m)
    fast = [{"eval_time": "70m", "alertname": page, "exp_alerts": fired(rules, page)}]
    assert unit_test(tmp_path, traffic(20), fast) == ""
    # 0.4% (four times the budget) is under 0.6% (6x) but over 0.3% (3x over 1 d and 2 h): a ticket, no page
    slow = [
        {"eval_time": "70m", "alertname": page, "exp_alerts": []},
        {"eval_time": "70m", "alertname": ticket, "exp_alerts": fired(rules, ticket)},
    ]
    assert unit_test(tmp_path, traffic(4), slow) == ""
    # exactly the budget (1 in 1,000): spends it exactly by the end of the period; nothing fires
    quiet: list[Any] = [
        {"eval_time": t, "alertname": name, "exp_alerts": []} for t in ("30m", "3h") for name in (page, ticket, absent)
    ]
    assert unit_test(tmp_path, traffic(1, minutes=200), quiet) == ""
    # and the checks can fail: the same quiet series do not page
    assert unit_test(tmp_path, traffic(1), [{"eval_time": "70m", "alertname": page, "exp_alerts": fired(rules, page)}])
    # no series for all requests: no burn rate can be computed, so the absent alert pages after 10 m
    gone = [{"series": "errors_total", "values": "0+1x60"}]
    missing = [
        {"eval_time": "9m", "alertname": absent, "exp_alerts": []},
        {"eval_time": "15m", "alertname": absent, "exp_alerts": fired(rules, absent)},
    ]
    assert unit_test(tmp_path, gone, missing) == ""
    assert rules[absent]["expr"] == "absent(sum(rate(requests_total[5m])))"
    assert rules[absent]["labels"] == {**LABELS, "severity": "page", "period": "calendar month"}


def test_summary_series_budget_remaining_and_burn_rates(tmp_path: Path) -> None:
    text, _ = compile_to(tmp_path, agreement())
    records = [r for g in yaml.safe_load(text)["groups"] for r in g["rules"] if "record" in r]
    names = [r["record"] for r in records]
    for name in (
        "sla:objective:ratio",
        "sla:current_burn_rate:ratio",
        "sla:period_burn_rate:ratio",
        "sla:period_error_budget_remaining:ratio",
        "sla:objective:info",
    ):
        assert name in names
    info = next(r for r in records if r["record"] == "sla:objective:info")
    assert info["labels"] == {**LABELS, "target": "0.999", "period": "calendar month", "period_window": "30d"}
    # 4 errors in 1,000 over 2 h: 0.4% against a 0.1% budget burns 4x; 1 - 4 leaves -3 (overspent)
    # and exactly the budget (1 in 1,000) burns at exactly 1, leaving exactly 0
    selector = '{agreement="Shop", service="API", objective="Availability"}'
    cases = {
        4: (("current_burn_rate:ratio", 4), ("period_burn_rate:ratio", 4), ("period_error_budget_remaining:ratio", -3)),
        1: (("current_burn_rate:ratio", 1), ("period_burn_rate:ratio", 1), ("period_error_budget_remaining:ratio", 0)),
    }
    test = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": traffic(errors, 120),
                "promql_expr_test": [
                    {
                        "expr": f"sla:{name}{selector}",
                        "eval_time": "2h",
                        "exp_samples": [{"labels": f"sla:{name}{selector}", "value": value}],
                    }
                    for name, value in (*expected, ("objective:ratio", 0.999))
                ],
            }
            for errors, expected in cases.items()
        ],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test))
    done = promtool("test", "rules", "test.yml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


# ---- windows per period -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "target", "thresholds", "recorded"),
    [
        # 99% a year: page 14.4x and 6x (0.144, 0.06), ticket 3x and 1x (0.03, 0.01), never above 1
        (
            "calendar year",
            "99%",
            ["0.144", "0.144", "0.06", "0.06", "0.03", "0.03", "0.01", "0.01"],
            ["1h", "6h", "12h", "1d", "3d", "12d", "36d", "365d"],
        ),
        (
            "calendar quarter",
            "99.5%",
            ["0.072", "0.072", "0.03", "0.03", "0.015", "0.015", "0.005", "0.005"],
            ["15m", "90m", "3h", "6h", "18h", "3d", "9d", "90d"],
        ),
        (
            "week",
            "99.9%",
            ["0.0144", "0.0144", "0.006", "0.006", "0.003", "0.003", "0.001", "0.001"],
            ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "7d"],
        ),
    ],
)
def test_every_period_gets_windows_that_can_fire_with_short_exact_thresholds(
    tmp_path: Path, period: str, target: str, thresholds: list[str], recorded: list[str]
) -> None:
    text, stderr = compile_to(tmp_path, agreement(target, period))
    assert stderr == ""
    rules = alerts(text)
    found = re.findall(
        r"> ([0-9.]+)", rules["SLAErrorBudgetBurnPage"]["expr"] + rules["SLAErrorBudgetBurnTicket"]["expr"]
    )
    assert found == thresholds
    assert not re.search(r"\d\.\d{7,}", text)  # no 0.1216666666666666666666666667
    ratio = [
        r["record"] for g in yaml.safe_load(text)["groups"] for r in g["rules"] if "error_ratio" in r.get("record", "")
    ]
    assert ratio == [f"sla:error_ratio:rate{w}" for w in recorded]


def test_a_yearly_objective_pages_on_a_fast_burn(tmp_path: Path) -> None:
    text, _ = compile_to(tmp_path, agreement("99%", "calendar year"))
    rules = alerts(text)
    # 20% errors: over 14.4 x 1% = 14.4% over 12 h and 1 h; the old 1.752 could never be reached
    checks = [
        {"eval_time": "2m", "alertname": "SLAErrorBudgetBurnPage", "exp_alerts": []},  # still pending
        {
            "eval_time": "70m",
            "alertname": "SLAErrorBudgetBurnPage",
            "exp_alerts": fired(rules, "SLAErrorBudgetBurnPage"),
        },
    ]
    assert unit_test(tmp_path, traffic(200, 120), checks) == ""


def test_conditions_no_error_ratio_can_reach_are_left_out_with_a_warning(tmp_path: Path) -> None:
    # 90%: 14.4 x 10% = 1.44 cannot happen; 6x (0.6) can
    text, stderr = compile_to(tmp_path, agreement("90%"))
    assert "14.4x burn over 1h needs an error ratio above 1.44, which cannot happen" in stderr
    assert "Availability" in stderr and stderr.count("warning") == 1
    assert re.findall(r"> ([0-9.]+)", alerts(text)["SLAErrorBudgetBurnPage"]["expr"]) == ["0.6", "0.6"]
    # 80%: neither page condition (2.88, 1.2) can be reached: no page alert; the ticket (0.6, 0.2) stays
    text, stderr = compile_to(tmp_path, agreement("80%"))
    assert "no burn rate of SLAErrorBudgetBurnPage can be reached with a budget of 20%" in stderr
    assert set(alerts(text)) == {"SLAErrorBudgetBurnTicket", "SLAMetricAbsent"}
    sla = tmp_path / "agreement.sla"
    assert run("compile", str(sla), "--target", "prometheus", "--strict").exit_code == 1


# ---- histograms with label matchers -----------------------------------------------------------------


def test_histogram_label_matchers_go_inside_each_series(tmp_path: Path) -> None:
    text, stderr = compile_to(tmp_path, latency('api_seconds{job=\\"api\\"}'))
    assert stderr == ""
    assert 'api_seconds_bucket{job="api", le="0.15"}' in text and 'api_seconds_count{job="api"}' in text
    assert "}_bucket" not in text
    rules = alerts(text)
    # job="api": 900 of 1,000 within 150 ms (10% slow against a 5% budget: 2x, no page); job="batch" is
    # all slow and must not count
    inputs = [
        {"series": 'api_seconds_bucket{job="api", le="0.15"}', "values": "0+900x120"},
        {"series": 'api_seconds_count{job="api"}', "values": "0+1000x120"},
        {"series": 'api_seconds_bucket{job="batch", le="0.15"}', "values": "0+0x120"},
        {"series": 'api_seconds_count{job="batch"}', "values": "0+1000x120"},
    ]
    checks: list[Any] = [{"eval_time": "70m", "alertname": "SLAErrorBudgetBurnPage", "exp_alerts": []}]
    assert unit_test(tmp_path, inputs, checks) == ""
    inputs[0]["values"] = "0+200x120"  # 80% slow: 16 times the budget, over 14.4x: pages
    checks = [
        {
            "eval_time": "70m",
            "alertname": "SLAErrorBudgetBurnPage",
            "exp_alerts": fired(rules, "SLAErrorBudgetBurnPage"),
        }
    ]
    assert unit_test(tmp_path, inputs, checks) == ""


def test_histogram_matchers_in_windowed_latency_and_openslo(tmp_path: Path) -> None:
    text, _ = compile_to(
        tmp_path,
        latency(
            'reads{job=\\"db\\", env!=\\"dev\\"}',
            "p99 below 10 ms in at least 99% of 1 hour windows per calendar month",
        ),
    )
    assert 'reads_bucket{job="db", env!="dev", le="0.01"}' in text
    assert 'sum by (le) (rate(reads_bucket{job="db", env!="dev"}[1h]))' in text
    assert 'absent(reads_bucket{job="db", env!="dev", le="0.01"})' in text
    slo, _ = compile_to(tmp_path, latency('reads{job=\\"db\\"}'), target="openslo")
    assert 'reads_bucket{job="db", le="0.15"}' in slo and 'reads_count{job="db"}' in slo


@pytest.mark.parametrize("histogram", ["rate(x[5m])", 'x{le=\\"0.1\\"}'])
def test_a_histogram_that_is_not_a_metric_is_named_not_compiled(tmp_path: Path, histogram: str) -> None:
    text, stderr = compile_to(tmp_path, latency(histogram))
    assert "objective \u201cLatency\u201d of service \u201cAPI\u201d is not compiled" in stderr
    assert "histogram" in stderr and yaml.safe_load(text) == {"groups": []}


# ---- runbooks, Kubernetes, Grafana -----------------------------------------------------------------


def test_runbook_url_on_every_alert(tmp_path: Path) -> None:
    text, _ = compile_to(
        tmp_path, agreement(), "--runbook-url", "https://runbooks.example.com/{service}/{objective}#{alert}"
    )
    urls = {name: rule["annotations"]["runbook_url"] for name, rule in alerts(text).items()}
    assert urls["SLAErrorBudgetBurnPage"] == "https://runbooks.example.com/api/availability#SLAErrorBudgetBurnPage"
    assert urls["SLAMetricAbsent"] == "https://runbooks.example.com/api/availability#SLAMetricAbsent"
    sla = tmp_path / "agreement.sla"
    bad = run("compile", str(sla), "--target", "prometheus", "--runbook-url", "https://x/{team}")
    assert bad.exit_code == 2 and "unknown field '{team}'" in bad.stderr and len(bad.stderr.splitlines()) == 1
    bad = run("compile", str(sla), "--target", "openslo", "--runbook-url", "https://x/")
    assert bad.exit_code == 2 and "--runbook-url goes with --target prometheus or kubernetes" in bad.stderr


def test_kubernetes_prometheus_rule_holds_the_same_groups(tmp_path: Path) -> None:
    rules, _ = compile_to(tmp_path, agreement())
    resource_text, _ = compile_to(tmp_path, agreement(), target="kubernetes")
    resource = yaml.safe_load(resource_text)
    assert resource["apiVersion"] == "monitoring.coreos.com/v1" and resource["kind"] == "PrometheusRule"
    assert re.fullmatch(r"sla-shop-[0-9a-f]{8}", resource["metadata"]["name"])
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", resource["metadata"]["name"])
    assert resource["spec"] == yaml.safe_load(rules)
    (tmp_path / "spec.yml").write_text(yaml.safe_dump(resource["spec"]))
    checked = promtool("check", "rules", str(tmp_path / "spec.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def dashboard_exprs(document: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in document["panels"] for t in p.get("targets", [])]


@pytest.mark.parametrize("sample", ["video-cdn", "cloud-platform"])
def test_grafana_dashboard_is_valid_and_reads_recorded_series(tmp_path: Path, sample: str) -> None:
    path = ROOT / "samples" / f"{sample}.sla"
    result = run("compile", str(path), "--target", "grafana")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    variables = {v["name"]: v for v in document["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    assert ("plan" in variables) == (sample == "cloud-platform")
    panels = [p for p in document["panels"] if p["type"] != "row"]
    assert panels and all(p["targets"] and all(t["expr"] for t in p["targets"]) for p in panels)
    assert all(p["datasource"]["uid"] == "${datasource}" for p in panels)
    assert len({p["id"] for p in document["panels"]}) == len(document["panels"])
    titles = " | ".join(p["title"] for p in panels)
    assert "Error budget remaining" in titles and "Burn rate" in titles
    kinds = ["Downtime against the allowance", "Requests outside the bound"]
    if sample == "cloud-platform":  # only the read latency, judged hour by hour, has a monitor block
        kinds = ["Windows missing the bound"]
    assert all(kind in titles for kind in kinds)
    # every series the dashboard reads is one the rules record, and every expression is valid PromQL
    rules = yaml.safe_load(run("compile", str(path), "--target", "prometheus").stdout)
    recorded = {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
    # Grafana fills its variables in: the plan, the calendar view's range and its start
    exprs = [grafana_filled(e, "Premium") for e in dashboard_exprs(document)]
    assert {n for e in exprs for n in re.findall(r"sla:[a-z_:0-9]+", e)} <= recorded
    checkable = {
        "groups": [{"name": "dashboard", "rules": [{"record": f"panel:{i}", "expr": e} for i, e in enumerate(exprs)]}]
    }
    (tmp_path / "panels.yml").write_text(yaml.safe_dump(checkable))
    checked = promtool("check", "rules", str(tmp_path / "panels.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_grafana_downtime_against_allowance_in_seconds(tmp_path: Path) -> None:
    text, _ = compile_to(tmp_path, agreement(), target="grafana")
    exprs = dashboard_exprs(json.loads(text))
    selector = '{agreement="Shop", service="API", objective="Availability"}'
    # 30 days = 2,592,000 s; the allowance at 99.9% is 0.001 x that = 43 min 12 s
    assert f"sla:error_ratio:rate30d{selector} * 2592000" in exprs
    assert f"sla:error_budget:ratio{selector} * 2592000" in exprs


# ---- reproducer 17 ---------------------------------------------------------------------------------


def test_repro_17_braces_in_a_name_stay_text(tmp_path: Path) -> None:
    source = ROOT / "tests" / "cases" / "repro" / "17-compile-braces-in-name.sla"
    out = tmp_path / "rules.yml"
    result = run("compile", str(source), "--target", "prometheus", "-o", str(out))
    assert result.exit_code == 0, result.output
    checked = promtool("check", "rules", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    first = yaml.safe_load(out.read_text())["groups"][0]
    rules = {r["alert"]: r for r in first["rules"] if "alert" in r}
    page = rules["SLAErrorBudgetBurnPage"]
    assert page["labels"]["objective"] == 'Edge {{ "{{" }} availability }}'
    # promtool expands the templates: the name comes out exactly as written, nothing runs
    inputs = [
        {"series": 'edge_requests_total{status="200"}', "values": "0+1000x90"},
        {"series": 'edge_requests_total{status="500"}', "values": "0+100x90"},
    ]
    expected = fired(rules, "SLAErrorBudgetBurnPage")
    assert expected[0]["exp_labels"]["objective"] == "Edge {{ availability }}"
    assert expected[0]["exp_annotations"]["summary"] == "Edge {{ availability }}: the error budget is burning too fast"
    assert (
        unit_test(
            tmp_path, inputs, [{"eval_time": "70m", "alertname": "SLAErrorBudgetBurnPage", "exp_alerts": expected}]
        )
        == ""
    )
