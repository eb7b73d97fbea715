"""`sladsl evaluate`: hand-computed cases for every rule and boundary, through the real CLI,
with real DuckDB reading real CSV files."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from .conftest import run

HEADER = {
    "incidents": "service,start,end,cause",
    "maintenance": "service,start,end,announced",
    "samples": "service,timestamp,up",
    "requests": "service,timestamp,good,total",
    "latency": "service,metric,timestamp,value_ms",
    "tickets": "id,plan,priority,opened,first_response",
    "security_incidents": "id,detected,notified",
    "reports": "period,delivered",
}


def evaluate(tmp_path: Path, sla: str, tables: dict[str, list[str]], *args: str) -> dict[str, Any]:
    result = evaluate_raw(tmp_path, sla, tables, *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def evaluate_raw(tmp_path: Path, sla: str, tables: dict[str, list[str]], *args: str):  # type: ignore[no-untyped-def]
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    for name, rows in tables.items():
        (folder / f"{name}.csv").write_text("\n".join([HEADER[name], *rows]) + "\n")
    path = tmp_path / "a.sla"
    path.write_text(sla)
    return run("evaluate", str(path), "--data", str(folder), "--format", "json", "--explain", *args)


def agreement(objective: str, credits: str = "", zone: str = "UTC", fee: str = "fee 1000 USD per month") -> str:
    return f'sla "T" {{ timezone "{zone}" {fee} service "S" {{ objective "O" {{ {objective} }} {credits} }} }}'


MONTHLY = "availability at least 99.9% per calendar month"


def only(data: dict[str, Any]) -> dict[str, Any]:
    (objective,) = data["objectives"]
    return objective


# ---- availability from incidents ----------------------------------------------------------


def test_exactly_on_target_is_met(tmp_path: Path) -> None:
    # October has 31 days: 0.1% of 2,678,400 s is 2,678.4 s of allowed downtime.
    data = evaluate(
        tmp_path,
        agreement(MONTHLY),
        {"incidents": ["S,2026-10-05T00:00:00Z,2026-10-05T00:44:38.4Z,"]},
        "--period",
        "2026-10",
    )
    o = only(data)
    assert (o["downtime_seconds"], o["allowed_downtime_seconds"]) == ("2678.4", "2678.4")
    assert o["measured"] == "99.9" and o["met"] is True
    assert data["status"] == "met"


def test_one_more_second_breaches(tmp_path: Path) -> None:
    data = evaluate(
        tmp_path,
        agreement(MONTHLY),
        {"incidents": ["S,2026-10-05T00:00:00Z,2026-10-05T00:44:39.4Z,"]},
        "--period",
        "2026-10",
    )
    assert only(data)["met"] is False
    assert data["status"] == "breached"


def test_report_example_value(tmp_path: Path) -> None:
    # REPORT.md: 3000 s of downtime in October gives 99.88799283154121863799283154%.
    data = evaluate(
        tmp_path,
        agreement(MONTHLY),
        {"incidents": ["S,2026-10-05T10:00:00Z,2026-10-05T10:50:00Z,"]},
        "--period",
        "2026-10",
    )
    assert only(data)["measured"] == "99.88799283154121863799283154"


@pytest.mark.parametrize(("tier", "percent"), [("below 99.0%", None), ("at or below 99.0%", "10")])
def test_exactly_on_a_tier_threshold(tmp_path: Path, tier: str, percent: str | None) -> None:
    # 1% of October is 26,784 s: measured is exactly 99.0%.
    credits = f'credits for "O" {{ below 99.9%: 5% of monthly fee {tier}: 10% of monthly fee }}'
    data = evaluate(
        tmp_path,
        agreement(MONTHLY, credits),
        {"incidents": ["S,2026-10-05T00:00:00Z,2026-10-05T07:26:24Z,"]},
        "--period",
        "2026-10",
    )
    assert only(data)["measured"] == "99"
    (credit,) = data["credits"]
    assert credit["percent"] == (percent or "5")


def test_overlapping_incidents_count_their_union(tmp_path: Path) -> None:
    rows = [
        "S,2026-10-05T10:00:00Z,2026-10-05T11:00:00Z,",
        "S,2026-10-05T10:30:00Z,2026-10-05T12:00:00Z,",
        "S,2026-10-05T10:40:00Z,2026-10-05T10:50:00Z,",
    ]
    data = evaluate(tmp_path, agreement(MONTHLY), {"incidents": rows}, "--period", "2026-10")
    assert only(data)["downtime_seconds"] == "7200"


def test_incident_crossing_the_period_start_is_clipped(tmp_path: Path) -> None:
    data = evaluate(
        tmp_path,
        agreement(MONTHLY),
        {"incidents": ["S,2026-09-30T23:00:00Z,2026-10-01T01:00:00Z,"]},
        "--period",
        "2026-10",
    )
    assert only(data)["downtime_seconds"] == "3600"


def test_timestamps_without_offset_are_in_the_agreement_zone(tmp_path: Path) -> None:
    # 2026-10-01 00:30 in New York is 04:30 UTC, inside October either way; 2026-11-01 00:30
    # local is still October in UTC but November in the agreement's zone.
    rows = ["S,2026-10-31 23:30,2026-11-01 00:30,"]
    data = evaluate(tmp_path, agreement(MONTHLY, zone="America/New_York"), {"incidents": rows}, "--period", "2026-10")
    assert only(data)["downtime_seconds"] == "1800"


def test_short_outages_and_excluded_causes(tmp_path: Path) -> None:
    objective = MONTHLY + ' ignore outages shorter than 1 minute exclude incidents caused by "customer"'
    rows = [
        "S,2026-10-05T10:00:00Z,2026-10-05T10:00:59Z,",
        "S,2026-10-06T10:00:00Z,2026-10-06T10:01:00Z,",
        "S,2026-10-07T10:00:00Z,2026-10-07T11:00:00Z,customer",
    ]
    o = only(evaluate(tmp_path, agreement(objective), {"incidents": rows}, "--period", "2026-10"))
    assert o["downtime_seconds"] == "60"
    assert o["excluded_seconds"] == "3659"
    reasons = " ".join(e["reason"] for e in o["explanation"])
    assert 'caused by "customer"' in reasons and "shorter than 1 minute" in reasons


# ---- maintenance -------------------------------------------------------------------------------

MAINTENANCE = MONTHLY + " exclude maintenance announced at least 72 hours ahead, up to 4 hours per {}"


def test_maintenance_partly_over_its_cap(tmp_path: Path) -> None:
    # 3 h on the 5th and 2 h on the 12th, both announced early, both fully down: the cap of
    # 4 h takes the 5th whole and the first hour of the 12th; the last hour counts.
    tables = {
        "incidents": ["S,2026-10-05T00:00:00Z,2026-10-05T03:00:00Z,", "S,2026-10-12T00:00:00Z,2026-10-12T02:00:00Z,"],
        "maintenance": [
            "S,2026-10-05T00:00:00Z,2026-10-05T03:00:00Z,2026-09-01T00:00:00Z",
            "S,2026-10-12T00:00:00Z,2026-10-12T02:00:00Z,2026-09-01T00:00:00Z",
        ],
    }
    o = only(evaluate(tmp_path, agreement(MAINTENANCE.format("calendar month")), tables, "--period", "2026-10"))
    assert (o["downtime_seconds"], o["excluded_seconds"]) == ("3600", "14400")


def test_yearly_cap_remembers_maintenance_earlier_in_the_year(tmp_path: Path) -> None:
    tables = {
        "incidents": ["S,2026-10-12T00:00:00Z,2026-10-12T02:00:00Z,"],
        "maintenance": [
            "S,2026-03-01T00:00:00Z,2026-03-01T03:00:00Z,2026-02-01T00:00:00Z",
            "S,2026-10-12T00:00:00Z,2026-10-12T02:00:00Z,2026-09-01T00:00:00Z",
        ],
    }
    o = only(evaluate(tmp_path, agreement(MAINTENANCE.format("calendar year")), tables, "--period", "2026-10"))
    assert (o["downtime_seconds"], o["excluded_seconds"]) == ("3600", "3600")


def test_late_announced_maintenance_is_never_excluded(tmp_path: Path) -> None:
    tables = {
        "incidents": ["S,2026-10-12T00:00:00Z,2026-10-12T02:00:00Z,"],
        "maintenance": ["S,2026-10-12T00:00:00Z,2026-10-12T02:00:00Z,2026-10-10T00:00:01Z"],
    }
    o = only(evaluate(tmp_path, agreement(MAINTENANCE.format("calendar month")), tables, "--period", "2026-10"))
    assert (o["downtime_seconds"], o["excluded_seconds"]) == ("7200", "0")
    assert any("less than 72 hours ahead" in e["reason"] for e in o["explanation"])


# ---- periods ---------------------------------------------------------------------------------


def test_dst_month_is_an_hour_short(tmp_path: Path) -> None:
    # March 2026 in Berlin: 31 days minus one hour = 2,674,800 s; 0.1% is 2,674.8 s.
    data = evaluate(
        tmp_path,
        agreement(MONTHLY, zone="Europe/Berlin"),
        {"incidents": ["S,2026-03-10T00:00:00Z,2026-03-10T00:44:34.8Z,"]},
        "--period",
        "2026-03",
    )
    o = only(data)
    assert o["allowed_downtime_seconds"] == "2674.8"
    assert o["measured"] == "99.9" and o["met"] is True
    assert data["period"] == {
        "label": "2026-03",
        "start": "2026-03-01T00:00:00+01:00",
        "end": "2026-04-01T00:00:00+02:00",
    }


def test_a_quarter_and_fees_for_the_period(tmp_path: Path) -> None:
    # Q4 2026 is 92 days; 1% of it is 79,488 s. 10% of fees for the period = 10% of 3 x 1000.
    objective = "availability at least 99.5% per calendar quarter"
    credits = 'credits for "O" { below 99.5%: 10% of fees for the period }'
    data = evaluate(
        tmp_path,
        agreement(objective, credits),
        {"incidents": ["S,2026-11-01T00:00:00Z,2026-11-01T22:04:48Z,"]},
        "--period",
        "2026-Q4",
        "--as-of",
        "2027-01-01",  # after the quarter: judged whole, not provisional
    )
    o = only(data)
    assert o["measured"] == "99" and o["allowed_downtime_seconds"] == "39744"
    assert data["credits"][0]["amount"] == "300.00"


def test_clauses_of_another_period_are_not_judged(tmp_path: Path) -> None:
    data = evaluate(tmp_path, agreement(MONTHLY), {"incidents": []}, "--period", "2026-W14")
    o = only(data)
    assert o["judged"] is False and "per calendar month" in o["reason"]
    # nothing applies to a week: no verdict at all is not "met" (status incomplete)
    assert data["status"] == "incomplete" and o["measured"] is None and o["period_label"] is None


# ---- samples, windows, requests, latency -------------------------------------------------------------


def _samples(day: str, ups: list[int]) -> list[str]:
    return [f"S,{day}T00:{m:02d}:00Z,{u}" for m, u in enumerate(ups)]


def test_samples_down_and_missing(tmp_path: Path) -> None:
    # A week of 1-minute samples would be 10,080 rows; take the week 2026-W41 with 60 samples
    # given: 3 down; the other 10,020 minutes are missing.
    objective = "availability at least 99% per week downtime from samples every 1 minute"
    rows = _samples("2026-10-05", [1] * 10 + [0] * 3 + [1] * 47)
    available = only(evaluate(tmp_path, agreement(objective), {"samples": rows}, "--period", "2026-W41"))
    assert available["downtime_seconds"] == "180"
    unavailable = only(
        evaluate(
            tmp_path,
            agreement(objective + " missing data counts as unavailable"),
            {"samples": rows},
            "--period",
            "2026-W41",
        )
    )
    assert unavailable["downtime_seconds"] == str((10080 - 57) * 60)


def test_duplicate_samples_are_an_error(tmp_path: Path) -> None:
    objective = "availability at least 99% per week downtime from samples every 1 minute"
    rows = ["S,2026-10-05T00:00:00Z,1", "S,2026-10-05T00:01:00Z,1", "S,2026-10-05T00:01:00Z,0"]
    result = evaluate_raw(tmp_path, agreement(objective), {"samples": rows}, "--period", "2026-W41")
    assert result.exit_code == 2
    assert "samples.csv: row 2 (line 3), column `timestamp`: another sample" in result.stderr


def test_error_rate_windows_with_a_minimum_of_requests(tmp_path: Path) -> None:
    objective = (
        "availability at least 99% per week downtime when error rate above 5% in 5 minute windows "
        "with at least 100 requests"
    )
    rows = [
        "S,2026-10-05T00:00:00Z,94,100",  # 6% errors: down
        "S,2026-10-05T00:05:00Z,95,100",  # exactly 5%: not above
        "S,2026-10-05T00:10:00Z,40,50",  # 20% but only 50 requests
        "S,2026-10-05T00:15:00Z,50,60",
        "S,2026-10-05T00:17:00Z,40,60",  # one window: 120 requests, 25%: down
    ]
    o = only(evaluate(tmp_path, agreement(objective), {"requests": rows}, "--period", "2026-W41"))
    assert o["downtime_seconds"] == "600"


def test_average_error_rate(tmp_path: Path) -> None:
    # A week has 2016 windows of 5 minutes; two windows have 50% and 10% errors: mean 0.6/2016.
    objective = "availability at least 99% per week availability from average error rate in 5 minute windows"
    rows = ["S,2026-10-05T00:00:00Z,50,100", "S,2026-10-05T00:05:00Z,90,100", "S,2026-10-05T00:10:00Z,0,0"]
    o = only(evaluate(tmp_path, agreement(objective), {"requests": rows}, "--period", "2026-W41"))
    assert Decimal(o["measured"]) == Decimal(100) - Decimal("0.6") / 2016 * 100


def test_request_ratio(tmp_path: Path) -> None:
    objective = "availability at least 99.9% of requests per calendar month"
    rows = ["S,2026-10-05T00:00:00Z,999,1000", "S,2026-10-06T00:00:00Z,1998,2000", "S,2026-11-01T00:00:00Z,0,1000"]
    o = only(evaluate(tmp_path, agreement(objective), {"requests": rows}, "--period", "2026-10"))
    assert o["measured"] == "99.9" and o["met"] is True


@pytest.mark.parametrize(
    ("which", "expected"), [("p95", "95"), ("p50", "50"), ("p100", "100"), ("p0.5", "1"), ("average", "50.5")]
)
def test_latency_by_nearest_rank(tmp_path: Path, which: str, expected: str) -> None:
    rows = [f"S,api,2026-10-05T00:{i % 60:02d}:{i // 60:02d}Z,{v}" for i, v in enumerate(reversed(range(1, 101)))]
    o = only(
        evaluate(
            tmp_path,
            agreement(f'latency "api" {which} at most 95 ms per calendar month'),
            {"latency": rows},
            "--period",
            "2026-10",
        )
    )
    assert o["measured"] == expected
    assert o["met"] is (Decimal(expected) <= 95)


def test_latency_without_samples_is_not_judged(tmp_path: Path) -> None:
    o = only(
        evaluate(
            tmp_path,
            agreement('latency "api" p95 at most 95 ms per calendar month'),
            {"latency": []},
            "--period",
            "2026-10",
        )
    )
    assert o["judged"] is False and o["measured"] is None


# ---- credits -----------------------------------------------------------------------------------


def _down(seconds: int) -> dict[str, list[str]]:
    return {"incidents": ["S,2026-10-05T00:00:00Z,2026-10-05T00:00:00Z,", f"S,2026-10-06T00:00:00Z,{_plus(seconds)},"]}


def _plus(seconds: int) -> str:
    from datetime import datetime, timedelta

    return (datetime(2026, 10, 6) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_worst_tier_cap_minimum_and_rounding(tmp_path: Path) -> None:
    credits = (
        'credits for "O" { below 99.9%: 10% of monthly fee below 99%: 30% of monthly fee at most 25% of monthly fee }'
    )
    data = evaluate(
        tmp_path, agreement(MONTHLY, credits, fee="fee 10.05 USD per month"), _down(40000), "--period", "2026-10"
    )
    (credit,) = data["credits"]
    assert (credit["percent"], credit["amount"]) == ("30", "2.51")  # capped at 25% of 10.05 = 2.5125 -> 2.51
    small = 'credits for "O" { below 99.9%: 5% of monthly fee minimum 1 USD }'
    data = evaluate(
        tmp_path, agreement(MONTHLY, small, fee="fee 10.05 USD per month"), _down(4000), "--period", "2026-10"
    )
    assert data["credits"][0]["amount"] == "0.00" and "minimum" in data["credits"][0]["reason"]


def test_half_up_rounding(tmp_path: Path) -> None:
    credits = 'credits for "O" { below 99.9%: 5% of monthly fee }'
    data = evaluate(
        tmp_path, agreement(MONTHLY, credits, fee="fee 2.50 USD per month"), _down(4000), "--period", "2026-10"
    )
    assert data["credits"][0]["amount"] == "0.13"  # 0.125 rounds half-up
    assert data["total_credit"] == {"amount": "0.13", "currency": "USD"}


def test_fee_option_and_claim_deadline(tmp_path: Path) -> None:
    credits = 'credits for "O" { below 99.9%: 10% of monthly fee claim within 30 days }'
    sla = agreement(MONTHLY, credits, fee="")
    data = evaluate(tmp_path, sla, _down(4000), "--period", "2026-10", "--fee", "2500 USD")
    assert data["credits"][0] | {"reason": ""} == {
        "service": "S",
        "objective": "O",
        "percent": "10",
        "amount": "250.00",
        "currency": "USD",
        "tier": "below 99.9%: 10% of monthly fee",
        "claim_by": "2026-11-30",
        "expired": False,
        "reason": "",
        "basis": "monthly fee",
        "factor": None,
        "capped": False,
        "period": "2026-10",
        "provisional": False,
    }
    late = evaluate(tmp_path, sla, _down(4000), "--period", "2026-10", "--fee", "2500 USD", "--as-of", "2026-12-01")
    assert late["credits"][0]["expired"] is True and late["total_credit"]["amount"] == "0"


def test_claim_within_months_is_calendar_arithmetic(tmp_path: Path) -> None:
    credits = 'credits for "O" { below 99.9%: 10% of monthly fee claim within 2 months }'
    data = evaluate(tmp_path, agreement(MONTHLY, credits), _down(4000), "--period", "2026-10")
    assert data["credits"][0]["claim_by"] == "2026-12-31"


# ---- support -----------------------------------------------------------------------------------

SUPPORT = """sla "T" {
    calendar "NY" { open monday to friday 09:00 to 18:00 timezone "America/New_York" holidays "US" }
    support "Gold" {
        calendar "NY"
        priority P1: first response within 1 hour, around the clock
        priority P2: first response within 4 business hours
        priority P3: first response within 1 business day
        target 50% of tickets per calendar month
    }
}"""


def test_ticket_across_a_weekend_and_a_public_holiday(tmp_path: Path) -> None:
    # Opened Friday 2026-10-09 17:00 in New York: 1 open hour on Friday, the weekend is
    # closed, Monday the 12th is Columbus Day; 3 more hours on Tuesday: due at 12:00.
    tickets = [
        "A,Gold,P2,2026-10-09T17:00:00-04:00,2026-10-13T11:59:00-04:00",
        "B,Gold,P2,2026-10-09T17:00:00-04:00,2026-10-13T12:01:00-04:00",
    ]
    data = evaluate(tmp_path, SUPPORT, {"tickets": tickets}, "--period", "2026-10")
    p2 = next(s for s in data["support"] if s["priority"] == "P2")
    assert (p2["tickets"], p2["met"], p2["pending"], p2["compliance"], p2["ok"]) == (2, 1, 0, "50", True)


def test_business_days_and_pending_tickets(tmp_path: Path) -> None:
    tickets = [
        "C,Gold,P3,2026-10-30T17:00:00-04:00,",  # 1 open hour by the end of October: pending
        "D,Gold,P1,2026-10-31T23:30:00Z,",  # 30 minutes of 1 hour by the end of October: pending
        "E,Gold,P1,2026-10-20T10:00:00-04:00,",  # never answered: missed
    ]
    data = evaluate(tmp_path, SUPPORT, {"tickets": tickets}, "--period", "2026-10")
    p1 = next(s for s in data["support"] if s["priority"] == "P1")
    p3 = next(s for s in data["support"] if s["priority"] == "P3")
    assert (p1["tickets"], p1["met"], p1["pending"]) == (2, 0, 1)
    assert (p3["tickets"], p3["pending"], p3["compliance"]) == (1, 1, None)
    later = evaluate(tmp_path, SUPPORT, {"tickets": tickets}, "--period", "2026-10", "--as-of", "2026-11-05")
    p3 = next(s for s in later["support"] if s["priority"] == "P3")
    assert (p3["pending"], p3["met"]) == (0, 0)


# ---- bad evidence --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "rows", "message"),
    [
        (
            "incidents",
            ["S,2026-10-05 10:00,2026-10-05 09:00,"],
            "incidents.csv: row 1 (line 2), column `end`: end is before start",
        ),
        (
            "incidents",
            ["S,2026-10-05 10:00,yesterday,"],
            "row 1 (line 2), column `end`: 'yesterday' is not a timestamp",
        ),
        ("incidents", [",2026-10-05 10:00,2026-10-05 11:00,"], "column `service`: the value is empty"),
    ],
)
def test_bad_incident_rows(tmp_path: Path, table: str, rows: list[str], message: str) -> None:
    out = tmp_path / "report.json"
    result = evaluate_raw(tmp_path, agreement(MONTHLY), {table: rows}, "--period", "2026-10", "-o", str(out))
    assert result.exit_code == 2
    assert message in result.stderr
    assert not out.exists()
    assert "Traceback" not in result.output


def test_missing_column_and_missing_table(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "incidents.csv").write_text("service,start,finish\nS,2026-10-05 10:00,2026-10-05 11:00\n")
    path = tmp_path / "a.sla"
    path.write_text(agreement(MONTHLY))
    result = run("evaluate", str(path), "--data", str(folder), "--period", "2026-10")
    assert result.exit_code == 2 and "missing column `end`" in result.stderr
    (folder / "incidents.csv").unlink()
    result = run("evaluate", str(path), "--data", str(folder), "--period", "2026-10")
    assert result.exit_code == 2 and "missing table `incidents`" in result.stderr


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["S,2026-10-05T00:00:00Z,101,100"], "column `good`: good ('101') is greater than total"),
        (["S,2026-10-05T00:00:00Z,-1,100"], "column `good`: '-1' is a negative count"),
        (["S,2026-10-05T00:00:00Z,1.5,100"], "column `good`: '1.5' is not a whole number"),
    ],
)
def test_bad_request_counts(tmp_path: Path, rows: list[str], message: str) -> None:
    objective = "availability at least 99.9% of requests per calendar month"
    result = evaluate_raw(tmp_path, agreement(objective), {"requests": rows}, "--period", "2026-10")
    assert result.exit_code == 2 and message in result.stderr


def test_bad_boolean_and_unknown_priority(tmp_path: Path) -> None:
    objective = "availability at least 99% per week downtime from samples every 1 minute"
    result = evaluate_raw(
        tmp_path, agreement(objective), {"samples": ["S,2026-10-05T00:00:00Z,maybe"]}, "--period", "2026-W41"
    )
    assert result.exit_code == 2 and "column `up`: 'maybe' is not true/false or 1/0" in result.stderr
    result = evaluate_raw(tmp_path, SUPPORT, {"tickets": ["A,Gold,P9,2026-10-09T17:00:00Z,"]}, "--period", "2026-10")
    assert result.exit_code == 2 and "column `priority`: 'P9' is not a priority of support plan 'Gold'" in result.stderr


def test_unknown_service_is_a_warning_and_left_out(tmp_path: Path) -> None:
    rows = ["S,2026-10-05T10:00:00Z,2026-10-05T10:10:00Z,", "Typo,2026-10-05T10:00:00Z,2026-10-05T20:00:00Z,"]
    result = evaluate_raw(tmp_path, agreement(MONTHLY), {"incidents": rows}, "--period", "2026-10")
    assert result.exit_code == 0
    assert "1 row name service 'Typo', which the agreement does not define; left out" in result.stderr
    assert only(json.loads(result.stdout))["downtime_seconds"] == "600"


def test_bad_options(tmp_path: Path) -> None:
    for args, message in [
        (["--period", "2026-13"], "does not exist"),
        (["--period", "October"], "is not a period"),
        (["--period", "2026-10", "--as-of", "soon"], "is not a date"),
        (["--period", "2026-10", "--fee", "lots"], "is not an amount"),
    ]:
        result = evaluate_raw(tmp_path, agreement(MONTHLY), {"incidents": []}, *args)
        assert result.exit_code == 2 and message in result.stderr, args


def test_fail_on_breach(tmp_path: Path) -> None:
    result = evaluate_raw(tmp_path, agreement(MONTHLY), _down(4000), "--period", "2026-10", "--fail-on-breach")
    assert result.exit_code == 3  # deprecated alias of --fail-on breached: 3, as 1 means errors found


# ---- security, reporting, certifications ---------------------------------------------------------

CLAUSES = """sla "T" {
    timezone "UTC"
    calendar "Office" { open monday to friday 09:00 to 17:00 }
    security {
        certification "ISO 27001" renewed every 12 months
        breach notification within 72 hours
    }
    reporting { performance report every calendar month within 2 business days }
}"""


def _clause(data: dict[str, Any], words: str) -> dict[str, Any]:
    return next(c for c in data["clauses"] if words in c["clause"])


def test_breach_notification(tmp_path: Path) -> None:
    tables = {
        "security_incidents": ["S1,2026-10-01T00:00:00Z,2026-10-04T00:00:00Z", "S2,2026-10-30T00:00:00Z,"],
        "reports": [],
    }
    data = evaluate(tmp_path, CLAUSES, tables, "--period", "2026-10")
    breach = _clause(data, "breach notification")
    assert breach["met"] is True  # exactly 72 hours is on time; S2 is not due until 2 November
    later = evaluate(tmp_path, CLAUSES, tables, "--period", "2026-10", "--as-of", "2026-11-02")
    assert _clause(later, "breach notification")["met"] is False


def test_report_delivery_on_business_days(tmp_path: Path) -> None:
    # October ends on a Saturday: 2 business days are Monday 2 and Tuesday 3 November, due 17:00 on the 3rd.
    on_time = evaluate(
        tmp_path,
        CLAUSES,
        {"security_incidents": [], "reports": ["2026-10,2026-11-03T16:59:00Z"]},
        "--period",
        "2026-10",
        "--as-of",
        "2026-11-10",
    )
    assert _clause(on_time, "performance report")["met"] is True
    late = evaluate(
        tmp_path,
        CLAUSES,
        {"security_incidents": [], "reports": ["2026-10,2026-11-03T17:01:00Z"]},
        "--period",
        "2026-10",
        "--as-of",
        "2026-11-10",
    )
    assert _clause(late, "performance report")["met"] is False
    pending = evaluate(tmp_path, CLAUSES, {"security_incidents": [], "reports": []}, "--period", "2026-10")
    assert _clause(pending, "performance report")["judged"] is False


def test_certifications_are_judged_only_with_evidence(tmp_path: Path) -> None:
    tables: dict[str, list[str]] = {"security_incidents": [], "reports": []}
    data = evaluate(tmp_path, CLAUSES, tables, "--period", "2026-10")
    assert _clause(data, "ISO 27001")["judged"] is False
    folder = tmp_path / "data"
    (folder / "certifications.csv").write_text("name,issued,expires\nISO 27001,2025-10-20,2026-10-20\n")
    lapsed = evaluate(tmp_path, CLAUSES, tables, "--period", "2026-10")
    assert _clause(lapsed, "ISO 27001")["met"] is False
    (folder / "certifications.csv").write_text(
        "name,issued,expires\nISO 27001,2025-10-20,2026-10-20\nISO 27001,2026-10-20,2027-10-20\n"
    )
    renewed = evaluate(tmp_path, CLAUSES, tables, "--period", "2026-10")
    assert _clause(renewed, "ISO 27001")["met"] is True


def test_credit_without_a_fee_says_so(tmp_path: Path) -> None:
    credits = 'credits for "O" { below 99.9%: 10% of monthly fee }'
    data = evaluate(tmp_path, agreement(MONTHLY, credits, fee=""), _down(4000), "--period", "2026-10")
    (credit,) = data["credits"]
    assert credit["amount"] is None and "--fee" in credit["reason"]


def test_missing_windows_follow_the_missing_data_policy(tmp_path: Path) -> None:
    # A week has 2,016 windows of 5 minutes; one has counts and no errors.
    objective = "availability at least 99% per week downtime when error rate above 5% in 5 minute windows"
    rows = ["S,2026-10-05T00:00:00Z,100,100"]
    available = only(evaluate(tmp_path, agreement(objective), {"requests": rows}, "--period", "2026-W41"))
    assert available["downtime_seconds"] == "0"
    unavailable = only(
        evaluate(
            tmp_path,
            agreement(objective + " missing data counts as unavailable"),
            {"requests": rows},
            "--period",
            "2026-W41",
        )
    )
    assert unavailable["downtime_seconds"] == str(2015 * 300)


def test_a_sample_just_before_the_period_does_not_fill_its_first_interval(tmp_path: Path) -> None:
    # hourly samples; the first hour of November has none, but one sample sits at 23:30 on
    # 31 October, less than one step before the start: it must not count as present
    objective = "availability at least 99% per calendar month downtime from samples every 1 hour missing data counts as unavailable"
    sla = agreement(objective)
    rows = ["S,2026-10-31T23:30:00Z,true"] + [
        f"S,2026-11-{1 + h // 24:02d}T{h % 24:02d}:00:00Z,true" for h in range(1, 720)
    ]
    data = evaluate(tmp_path, sla, {"samples": rows}, "--period", "2026-11")
    assert data["objectives"][0]["downtime_seconds"] == "3600"
