"""No verdict without evidence, every clause judged at its own period, and periods not yet
over marked provisional: through the real CLI, on real files read by DuckDB."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run
from tests.test_evaluate import agreement, evaluate, evaluate_raw

SAMPLED = "availability at least 99% per calendar month downtime from samples every 1 minute"


def json_report(*args: str) -> dict[str, Any]:
    result = run("evaluate", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# ---- periods that have not started or not ended --------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        ("--period", "2099-10"),  # far in the future
        ("--period", "2026-11", "--as-of", "2026-10-31"),  # starts the day after --as-of
    ],
)
def test_a_period_that_has_not_started_is_refused(extra: tuple[str, ...]) -> None:
    sample = ("samples/managed-database.sla", "--data", "samples/evidence/managed-database")
    result = run("evaluate", *sample, *extra)
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "has not started" in lines[0] and lines[0].startswith("sladsl: error:")


def test_a_period_not_yet_over_is_provisional_and_judged_on_its_elapsed_part() -> None:
    # 2026-10 as of the 10th: nine days of samples exist; the rest of the month is the future,
    # not "missing data", so it is no downtime and the month is not judged over.
    data = json_report(
        "samples/managed-database.sla",
        "--data",
        "samples/evidence/managed-database",
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-09",
    )
    final = json_report(
        "samples/managed-database.sla", "--data", "samples/evidence/managed-database", "--period", "2026-10"
    )
    assert data["provisional"] is True and final["provisional"] is False
    monthly = next(o for o in data["objectives"] if o["objective"] == "Availability")
    assert monthly["provisional"] is True and monthly["period_label"] == "2026-10"
    # the whole month's budget, not nine days' share of it: 0.01% of 31 days minus an hour (DST)
    assert Decimal(monthly["allowed_downtime_seconds"]) == Decimal(31 * 86400 + 3600) * Decimal("0.0001")
    # downtime so far against the whole month: a provisional breach is already certain
    whole = Decimal(31 * 86400 + 3600)
    downtime = Decimal(monthly["downtime_seconds"])
    assert downtime > 0
    assert Decimal(monthly["measured"]) == (whole - downtime) / whole * 100
    for credit in data["credits"]:
        assert credit["provisional"] is True and credit["claim_by"] is None and credit["expired"] is False
    assert all(c["claim_by"] for c in final["credits"] if c["amount"] not in (None, "0.00"))


def test_without_as_of_the_current_period_is_provisional(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    label = f"{now.year}-{now.month:02d}"
    data = evaluate(
        tmp_path, agreement(SAMPLED + " missing data counts as unavailable"), {"samples": []}, "--period", label
    )
    assert data["provisional"] is True and data["as_of"] is None


# ---- no evidence is not an outage ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("objective", "table"),
    [
        (SAMPLED, "samples"),
        (SAMPLED + " missing data counts as unavailable", "samples"),
        ("availability at least 99% of requests per calendar month", "requests"),
        (
            "availability at least 99% per calendar month downtime when error rate above 5% in 5 minute windows "
            "missing data counts as unavailable",
            "requests",
        ),
        (
            "availability at least 99% per calendar month availability from average error rate in 5 minute windows",
            "requests",
        ),
        ('latency "reads" p99 at most 10 ms per calendar month', "latency"),
        ('latency "reads" p99 below 10 ms in at least 99% of 1 hour windows per calendar month', "latency"),
    ],
)
def test_an_objective_without_evidence_is_not_judged(tmp_path: Path, objective: str, table: str) -> None:
    # a row in September only: the table exists, October has nothing
    rows = {
        "samples": ["S,2026-09-10T00:00:00Z,0"],
        "requests": ["S,2026-09-10T00:00:00Z,0,100"],
        "latency": ["S,reads,2026-09-10T00:00:00Z,500"],
    }[table]
    whole_latency = "latency" in objective and "windows" not in objective
    tier = "above 10 ms" if whole_latency else "below 99%"
    credits = f'credits for "O" {{ {tier}: 50% of monthly fee }}'
    data = evaluate(tmp_path, agreement(objective, credits), {table: rows}, "--period", "2026-10")
    (o,) = data["objectives"]
    assert (o["judged"], o["met"], o["measured"]) == (False, None, None)
    assert o["reason"] == "no evidence in the period"
    assert data["status"] == "incomplete" and data["credits"] == []
    assert data["total_credit"] == {"amount": "0", "currency": "USD"}


def test_an_incident_log_without_incidents_is_a_month_without_downtime(tmp_path: Path) -> None:
    # incidents record the exceptions: an empty month of the log is evidence of no downtime
    data = evaluate(
        tmp_path, agreement("availability at least 99.9% per calendar month"), {"incidents": []}, "--period", "2026-10"
    )
    (o,) = data["objectives"]
    assert (o["judged"], o["measured"], data["status"]) == (True, "100", "met")


def test_one_service_without_evidence_leaves_the_others_judged(tmp_path: Path) -> None:
    sla = (
        'sla "T" { timezone "UTC" fee 1000 USD per month '
        f'service "A" {{ objective "O" {{ {SAMPLED} }} }} service "B" {{ objective "O" {{ {SAMPLED} }} }} }}'
    )
    rows = [f"A,2026-10-01T00:{m:02d}:00Z,1" for m in range(10)]
    data = evaluate(tmp_path, sla, {"samples": rows}, "--period", "2026-10")
    verdicts = {o["service"]: (o["judged"], o.get("reason")) for o in data["objectives"]}
    assert verdicts == {"A": (True, None), "B": (False, "no evidence in the period")}
    assert data["status"] == "incomplete"


def test_a_breach_outranks_missing_evidence(tmp_path: Path) -> None:
    sla = (
        'sla "T" { timezone "UTC" fee 1000 USD per month '
        f'service "A" {{ objective "O" {{ {SAMPLED} }} }} service "B" {{ objective "O" {{ {SAMPLED} }} }} }}'
    )
    rows = [f"A,2026-10-01T00:{m:02d}:00Z,0" for m in range(10)] + ["A,2026-10-02T00:00:00Z,1"]
    data = evaluate(
        tmp_path,
        sla.replace("every 1 minute", "every 1 minute missing data counts as unavailable", 1),
        {"samples": rows},
        "--period",
        "2026-10",
    )
    assert data["status"] == "breached"


# ---- every clause at its own period ------------------------------------------------------------------


def test_a_quarter_judges_each_of_its_months() -> None:
    # October alone is breached (600.00 GBP); a quarter asked must not read "met"
    data = json_report(
        "samples/payments-api.sla",
        "--data",
        "samples/evidence/payments-api",
        "--period",
        "2026-Q4",
        "--as-of",
        "2026-12-30",  # the quarter is not over; October is, and its credits are still claimable
    )
    success = [o for o in data["objectives"] if o["objective"] == "Request success"]
    assert [o["period_label"] for o in success] == ["2026-10", "2026-11", "2026-12"]
    assert success[0]["met"] is False
    assert [o["reason"] for o in success[1:]] == ["no evidence in the period"] * 2
    quarterly = next(o for o in data["objectives"] if o["service"] == "Merchant Dashboard")
    assert quarterly["period_label"] == "2026-Q4" and quarterly["judged"] is True
    assert data["status"] == "breached" and data["provisional"] is True
    assert data["total_credit"] == {"amount": "600.00", "currency": "GBP"}
    assert {(c["period"], c["provisional"]) for c in data["credits"]} == {("2026-10", False)}
    assert [o["provisional"] for o in success] == [False, False, True]
    monthly = json_report(
        "samples/payments-api.sla",
        "--data",
        "samples/evidence/payments-api",
        "--period",
        "2026-10",
        "--as-of",
        "2026-12-30",
    )
    october = [o for o in data["objectives"] if o["period_label"] == "2026-10"]
    assert october == [o for o in monthly["objectives"] if o["period_label"] == "2026-10"]
    support = [s for s in data["support"] if s["priority"] == "Sev3"]
    assert [s["period_label"] for s in support] == ["2026-10", "2026-11", "2026-12"]


def test_a_month_judges_the_weeks_that_start_in_it() -> None:
    data = json_report(
        "samples/managed-database.sla", "--data", "samples/evidence/managed-database", "--period", "2026-10"
    )
    weekly = [o for o in data["objectives"] if o["objective"] == "Replica availability"]
    # the Mondays of October 2026: the 5th, 12th, 19th and 26th
    assert [o["period_label"] for o in weekly] == ["2026-W41", "2026-W42", "2026-W43", "2026-W44"]
    quarterly = next(o for o in data["objectives"] if o["objective"] == "Quarterly availability")
    assert quarterly["judged"] is False and quarterly["period_label"] is None
    assert "per calendar quarter" in quarterly["reason"]


def test_the_text_summary_counts_the_clauses_of_each_period() -> None:
    result = run(
        "evaluate",
        "samples/payments-api.sla",
        "--data",
        "samples/evidence/payments-api",
        "--period",
        "2026-Q4",
        "--as-of",
        "2026-12-30",
        "--no-color",
    )
    assert result.exit_code == 0, result.stderr
    assert "breached" in result.stdout and "600.00 GBP" in result.stdout
    assert "2026-11" in result.stdout  # each month named


def test_a_quarter_of_a_portfolio_has_a_row_per_month(tmp_path: Path) -> None:
    out = tmp_path / "ledger.jsonl"
    result = run(
        "evaluate",
        "samples/cloud-platform.sla",
        "--data",
        "samples/evidence/cloud-platform-portfolio",
        "--period",
        "2026-Q4",
        "--as-of",
        "2026-12-05",
        "--ledger",
        str(out),
    )
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["period"] for r in rows} == {"2026-10", "2026-11", "2026-12"}
    december = [r for r in rows if r["period"] == "2026-12"]
    assert december and all(r["provisional"] is True and r["claim_by"] is None for r in december)
    empty = [r for r in rows if r["reason"] == "no evidence in the period"]
    assert empty and all(r["met"] is None and r["amount"] is None for r in empty)


def test_a_ledger_refuses_a_range_reaching_into_periods_not_started() -> None:
    result = run(
        "evaluate",
        "samples/cloud-platform.sla",
        "--data",
        "samples/evidence/cloud-platform-portfolio",
        "--period",
        "2026-10..2027-03",
        "--as-of",
        "2026-12-05",
    )
    assert result.exit_code == 2 and "2027-01" in result.stderr and "has not started" in result.stderr


def test_empty_prometheus_like_month_in_a_portfolio_is_marked(tmp_path: Path) -> None:
    # an empty samples table for a month: the ledger row says why it has no verdict
    sla = agreement(
        SAMPLED + " missing data counts as unavailable", 'credits for "O" { below 99%: 50% of monthly fee }'
    )
    result = evaluate_raw(tmp_path, sla, {"samples": ["S,2026-09-01T00:00:00Z,1"]}, "--period", "2026-09..2026-10")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["period"], r["reason"], r["amount"]) for r in rows][1] == ("2026-10", "no evidence in the period", None)


# ---- the report and the contract document agree -------------------------------------------------------


@pytest.mark.parametrize("plan", ["Standard", "Premium", "Enterprise"])
def test_report_and_contract_name_the_same_terms(tmp_path: Path, plan: str) -> None:
    """A customer's report judges exactly the objectives, targets and support plans that the
    customer's copy of the contract states."""
    data = json_report(
        "samples/cloud-platform.sla", "--data", "samples/evidence/cloud-platform", "--period", "2026-10", "--plan", plan
    )
    out = tmp_path / "copy.md"
    rendered = run("render", "samples/cloud-platform.sla", "--format", "md", "--plan", plan, "-o", str(out))
    assert rendered.exit_code == 0, rendered.stderr
    document = out.read_text()
    for objective in data["objectives"]:
        assert objective["objective"] in document
        if objective["unit"] == "%" and objective["kind"] == "availability":
            assert f"{objective['target']}%" in document
    judged_plans = {s["plan"] for s in data["support"]}
    stated = {
        cell.strip()
        for line in document.splitlines()
        if line.startswith("| Priority |")
        for cell in line.strip("|").split("|")[1:]
    }
    assert judged_plans == stated
