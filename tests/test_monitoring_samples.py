"""`downtime from samples every D` compiles as time slices, as the contract counts it: a step is
down when any of its checks failed (as evaluation from Prometheus judges it), so one failed
check of four is a whole bad minute, not a quarter of one; and with `--data`, announced
maintenance is left out of the bad windows. Checked with promtool."""

from __future__ import annotations

from pathlib import Path

import yaml

from .conftest import run
from .test_monitoring_issue20 import by_name, compiled, promtool, unit_test, value

CHECKS = """sla "Shop" {
    provider "Acme"
    service "API" {
        objective "Health" {
            availability at least 99.9% per calendar month
            downtime from samples every 1 minute
            exclude maintenance announced at least 1 day ahead
            monitor prometheus {
                good "sum(increase(checks_ok_total[{{window}}]))"
                total "sum(increase(checks_total[{{window}}]))"
            }
        }
    }
}
"""
LABELS = {"agreement": "Shop", "objective": "Health", "service": "API"}


def checks(failed: str) -> list[dict[str, str]]:
    """Four checks a minute for two hours; `failed` is the failed checks' counter."""
    return [
        {"series": "checks_total", "values": "0+4x120"},
        {"series": "checks_ok_total", "values": failed},
    ]


def test_one_failed_check_makes_the_minute_a_bad_window(tmp_path: Path) -> None:
    rules = yaml.safe_load(compiled(tmp_path, CHECKS))
    named = by_name(rules)
    assert named["sla:window_bad:1m"]["expr"].endswith("> bool 0)")
    assert "when any of its checks failed" in named["SLAErrorBudgetBurnPage"]["annotations"]["time_slices"]
    # minute 30 has 3 good checks of 4 (one failed): one bad window of 60 in the hour
    one = checks("0+4x29 119 123+4x90")
    assert (
        unit_test(
            tmp_path,
            one,
            promql_expr_test=[
                value("sla:window_bad:1m", "30m", 1, LABELS),
                value("sla:window_bad:1m", "31m", 0, LABELS),
                value("sla:error_ratio:rate1h", "60m", 1 / 60, LABELS),
            ],
        )
        == ""
    )
    # and the check could fail: a request-share budget would say a quarter of a window
    assert unit_test(tmp_path, one, promql_expr_test=[value("sla:error_ratio:rate1h", "60m", 0.25 / 60, LABELS)])


def test_announced_maintenance_is_left_out_of_the_bad_windows(tmp_path: Path) -> None:
    sla = tmp_path / "agreement.sla"
    sla.write_text(CHECKS, encoding="utf-8")
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    # promtool's clock starts at 1970-01-01T00:00Z: maintenance from minute 10 to minute 20
    (evidence / "maintenance.csv").write_text(
        "service,start,end,announced\nAPI,1970-01-01T00:10:00Z,1970-01-01T00:20:00Z,1969-12-30T00:00:00Z\n",
        encoding="utf-8",
    )
    out = tmp_path / "rules.yml"
    result = run("compile", str(sla), "--target", "prometheus", "--data", str(evidence), "-q", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    checked = promtool("check", "rules", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # every check fails from minute 5 to minute 25: 20 bad minutes, 10 of them announced
    failing = checks("0+4x5 20+0x19 24+4x94")
    assert (
        unit_test(
            tmp_path,
            failing,
            promql_expr_test=[
                value("sla:window_bad:1m", "8m", 1, LABELS),
                value("sla:bad_windows:1h", "60m", 10, LABELS),
            ],
        )
        == ""
    )
    assert "sla:window_bad:1m" in out.read_text(encoding="utf-8")
    assert "unless on() (vector(time()) > 600 <= 1200)" in out.read_text(encoding="utf-8")
