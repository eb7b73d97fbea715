"""The bundled three-plan sample, evaluated per plan exactly as the README shows, against
figures worked out by hand from samples/make_evidence.py (October 2026, Los Angeles:
31 days of 24 hours, 2,678,400 s)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from .conftest import ROOT, golden, run

SLA = "samples/cloud-platform.sla"
DATA = "samples/evidence/cloud-platform"
HISTORY = "samples/evidence/cloud-platform-history.csv"


def _report(*args: str) -> dict[str, Any]:
    result = run("evaluate", SLA, "--data", DATA, "--period", "2026-10", "--format", "json", "--explain", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _objective(report: dict[str, Any], service: str) -> dict[str, Any]:
    return next(o for o in report["objectives"] if o["service"] == service)


def _credit(report: dict[str, Any], service: str) -> dict[str, Any] | None:
    return next((c for c in report["credits"] if c["service"] == service), None)


# Compute: incidents 10:00-10:40:30 at 0.5 with 10:20-10:30 at 1 (40 whole minutes: 20 min x 0.5
# + 10 min x 1 + 10 min x 0.5 = 1500 s), 45 s (no whole minute), 1280 s at 40% (21 minutes
# x 0.4 = 504 s), and an hour caused by the customer: 2004 s of downtime.
DOWNTIME = Decimal(2004)
MEASURED = (Decimal(2678400) - DOWNTIME) / Decimal(2678400) * 100


@pytest.mark.parametrize(
    ("plan", "target", "met"),
    [("Standard", "99.5", True), ("Premium", "99.9", True), ("Enterprise", "99.95", False)],
)
def test_each_plan_is_judged_on_its_own_target(plan: str, target: str, met: bool) -> None:
    report = _report("--plan", plan)
    assert report["plan"] == plan
    compute = _objective(report, "Compute")
    assert (compute["target"], compute["met"]) == (target, met)
    assert Decimal(compute["downtime_seconds"]) == DOWNTIME
    assert Decimal(compute["measured"]) == MEASURED


def test_read_latency_counts_hourly_windows() -> None:
    # ten hours at 150 ms, one hour whose p99 is exactly 100 ms (not below), one empty hour
    latency = _objective(_report("--plan", "Standard"), "Object Storage")
    assert Decimal(latency["measured"]) == Decimal(733) / Decimal(744) * 100
    assert latency["met"] is False
    credit = _credit(_report("--plan", "Standard"), "Object Storage")
    # 10 business days on "Support hours" (US-CA: Veterans Day is closed) from 1 November
    assert credit is not None and (credit["amount"], credit["claim_by"]) == ("250.00", "2026-11-16")


def test_enterprise_pays_ten_times_the_fees_for_the_downtime() -> None:
    credit = _credit(_report("--plan", "Enterprise"), "Compute")
    assert credit is not None
    exact = Decimal(10) * Decimal(9000) * DOWNTIME / Decimal(2678400)  # 67.338...
    assert Decimal(credit["amount"]) == exact.quantize(Decimal("0.01"))
    assert credit["claim_by"] == "2026-12-31"  # the end of the 2nd calendar month after October


def test_history_reaches_the_rolling_cap_and_chronic_failure() -> None:
    report = _report("--plan", "Enterprise", "--history", HISTORY)
    credit = _credit(report, "Compute")
    assert credit is not None and credit["amount"] == "0.00" and credit["capped"] is True
    chronic = _objective(report, "Compute")["chronic_failure"]
    assert chronic["holds"] is True and chronic["history_known"] is True
    assert chronic["first_held"] == "2026-08"  # February, May, June and August: 4 of any 12


def test_support_plans_follow_the_customer_plan() -> None:
    plans = {p: sorted({s["plan"] for s in _report("--plan", p)["support"]}) for p in ("Standard", "Enterprise")}
    assert plans == {"Standard": ["Standard"], "Enterprise": ["Premium", "Weekend"]}
    premium = _report("--plan", "Premium")["support"]
    p2 = next(s for s in premium if s["priority"] == "P2")
    assert p2["resolution"]["missed"] == 1  # not resolved within 3 business days


def test_missing_plan_is_refused_naming_the_choices() -> None:
    result = run("evaluate", SLA, "--data", DATA, "--period", "2026-10")
    assert result.exit_code == 2
    assert '"Standard", "Premium", "Enterprise"' in result.output


def test_enterprise_report_matches_golden() -> None:
    result = run(
        "evaluate",
        SLA,
        "--data",
        DATA,
        "--period",
        "2026-10",
        "--plan",
        "Enterprise",
        "--history",
        HISTORY,
        "--format",
        "json",
        "--explain",
    )
    golden(ROOT / "tests" / "golden" / "evaluate-cloud-platform-enterprise-2026-10.json", result.stdout)
