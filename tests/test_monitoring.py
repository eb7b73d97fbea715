"""`sladsl compile`: Prometheus rules checked and unit-tested by the real promtool; OpenSLO
documents validated against the v1 schema."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from sladsl.language.ast import PeriodKind
from sladsl.monitoring.common import burn_factor, number

from .conftest import ROOT, SPEC_EXAMPLES, golden, run

PROMTOOL = shutil.which("promtool")
MONITORED = [
    ROOT / "samples" / "video-cdn.sla",
    ROOT / "samples" / "cloud-platform.sla",  # draft 2: plans, latency judged by 1 hour windows
    ROOT / "tests" / "cases" / "good" / "everything.sla",
]
STORAGE = """sla "Storage" {
    service "Objects" {
        objective "Availability" {
            availability at least 99.95% per calendar month
            downtime when error rate above 5% in 5 minute windows
            monitor prometheus {
                errors "sum(rate(s3_requests_total{code=~\\"5..\\"}[{{window}}]))"
                total "sum(rate(s3_requests_total[{{window}}]))"
            }
        }
        objective "Unmonitored" { availability at least 99% per calendar month }
    }
}
"""


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL, "promtool is needed (Debian: apt-get install prometheus; .ci/run installs it)"
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, check=False)


def test_burn_rate_factors_follow_the_sre_workbook() -> None:
    assert burn_factor(PeriodKind.MONTH, "1h", Decimal("0.02")) == Decimal("14.4")
    assert burn_factor(PeriodKind.MONTH, "6h", Decimal("0.05")) == Decimal(6)
    assert burn_factor(PeriodKind.MONTH, "1d", Decimal("0.10")) == Decimal(3)
    assert burn_factor(PeriodKind.MONTH, "3d", Decimal("0.10")) == Decimal(1)
    assert number(Decimal("14.4") * (1 - Decimal("0.999"))) == "0.0144"


@pytest.mark.parametrize("path", MONITORED + SPEC_EXAMPLES, ids=lambda p: p.stem)
def test_promtool_accepts_every_generated_file(tmp_path: Path, path: Path) -> None:
    out = tmp_path / "rules.yml"
    result = run("compile", str(path), "--target", "prometheus", "-o", str(out))
    assert result.exit_code == 0, result.output
    checked = promtool("check", "rules", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_rules_golden_and_exact_numbers(tmp_path: Path) -> None:
    result = run("compile", "samples/video-cdn.sla", "--target", "prometheus")
    golden(ROOT / "tests" / "golden" / "compile-video-cdn.prometheus.yml", result.stdout)
    assert "0000000" not in result.stdout and "9999999" not in result.stdout
    rules = yaml.safe_load(result.stdout)
    group = rules["groups"][0]
    records = [r["record"] for r in group["rules"] if "record" in r]
    # time slices (issue 20 item 3): the bad 1-minute windows, their hourly count, then each window's share
    assert records[:2] == ["sla:window_bad:1m", "sla:bad_windows:1h"]
    assert records[2:10] == [f"sla:error_ratio:rate{w}" for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d")]
    page = next(r for r in group["rules"] if r.get("alert") == "SLAErrorBudgetBurnPage")
    assert "> 0.0144 and" in page["expr"] and "> 0.006 and" in page["expr"]
    assert page["labels"] == {
        "agreement": "StreamEdge CDN Service Level Agreement",
        "service": "Edge delivery",
        "objective": "Edge availability",
        "severity": "page",
        "period": "calendar month",
        "provider": "StreamEdge Networks Inc.",
    }
    assert "43 minutes 12 seconds in a 30-day month" in page["annotations"]["allowed_downtime"]
    assert "99.9%" in page["annotations"]["clause"]


def test_objectives_that_cannot_compile_are_named(tmp_path: Path) -> None:
    sla = tmp_path / "s.sla"
    sla.write_text(STORAGE)
    result = run("compile", str(sla), "--target", "prometheus")
    assert result.exit_code == 0
    assert "objective \u201cUnmonitored\u201d of service \u201cObjects\u201d is not compiled" in result.stderr
    assert run("compile", str(sla), "--target", "prometheus", "--strict").exit_code == 1


def _unit_test(
    tmp_path: Path, rules: dict[str, Any], errors_per_minute: str, expect_page: bool
) -> subprocess.CompletedProcess[str]:
    page = next(r for g in rules["groups"] for r in g["rules"] if r.get("alert") == "SLAErrorBudgetBurnPage")
    expected = []
    if expect_page:
        expected = [{"exp_labels": page["labels"], "exp_annotations": page["annotations"]}]
    test = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": 's3_requests_total{code="200"}', "values": "0+1000x180"},
                    {"series": 's3_requests_total{code="500"}', "values": f"0+{errors_per_minute}x180"},
                ],
                "alert_rule_test": [
                    {"eval_time": "90m", "alertname": "SLAErrorBudgetBurnPage", "exp_alerts": expected}
                ],
            }
        ],
    }
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules))
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test))
    return promtool("test", "rules", str(tmp_path / "test.yml"))


def test_page_alert_fires_on_a_fast_burn_and_stays_quiet_on_a_slow_one(tmp_path: Path) -> None:
    sla = tmp_path / "s.sla"
    sla.write_text(STORAGE)
    rules = yaml.safe_load(run("compile", str(sla), "--target", "prometheus").stdout)
    # 99.95% of 5-minute windows, each bad when its error rate is above 5% (issue 20 item 3): the
    # budget is 0.05% of the windows; every window above 5% is bad, so 60 of 1060 (5.7%) pages,
    # while 20 of 1020 (1.96%, 39 times a request budget of 0.05%) is no downtime at all.
    fast = _unit_test(tmp_path, rules, "60", expect_page=True)
    assert fast.returncode == 0, fast.stdout + fast.stderr
    slow = _unit_test(tmp_path, rules, "20", expect_page=False)
    assert slow.returncode == 0, slow.stdout + slow.stderr
    # and the test would notice the opposite: errors under the threshold do not page
    wrong = _unit_test(tmp_path, rules, "20", expect_page=True)
    assert wrong.returncode != 0


SCHEMA = json.loads((ROOT / "tests" / "schemas" / "openslo-v1-slo.json").read_text())


@pytest.mark.parametrize("path", MONITORED + SPEC_EXAMPLES, ids=lambda p: p.stem)
def test_openslo_documents_are_valid_v1(path: Path) -> None:
    result = run("compile", str(path), "--target", "openslo")
    assert result.exit_code == 0, result.output
    documents = [d for d in yaml.safe_load_all(result.stdout) if d]
    for document in documents:
        jsonschema.validate(document, SCHEMA)


def test_openslo_methods_windows_and_metrics() -> None:
    documents = list(
        yaml.safe_load_all(run("compile", "tests/cases/good/everything.sla", "--target", "openslo").stdout)
    )
    by_name = {d["metadata"]["name"]: d for d in documents}
    windows = by_name["s-windows"]["spec"]
    assert windows["budgetingMethod"] == "Timeslices"
    assert windows["objectives"][0] == {
        "displayName": "Windows",
        "target": 0.999,
        "timeSliceTarget": 0.995,
        "timeSliceWindow": "5m",
    }
    assert windows["timeWindow"] == [
        {
            "duration": "1M",
            "isRolling": False,
            "calendar": {"startTime": "2026-01-01 00:00:00", "timeZone": "America/New_York"},
        }
    ]
    assert "good" in windows["indicator"]["spec"]["ratioMetric"]
    latency = by_name["s-latency"]["spec"]
    assert latency["budgetingMethod"] == "Occurrences" and latency["objectives"][0]["target"] == 0.999
    assert 'le="1.5"' in latency["indicator"]["spec"]["ratioMetric"]["good"]["metricSource"]["spec"]["query"]


def test_openslo_golden() -> None:
    result = run("compile", "samples/video-cdn.sla", "--target", "openslo")
    golden(ROOT / "tests" / "golden" / "compile-video-cdn.openslo.yml", result.stdout)
