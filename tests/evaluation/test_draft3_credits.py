"""Draft 3 credits and remedies, hand-computed, through the real CLI on real files read by
DuckDB: thresholds and minimums after rounding, credits per outage (`per started`, caps
per outage), remedies in service time and their value, claim windows counted from the
outage, and termination dates; in the JSON report, the text report and the ledger."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from sladsl import schemas
from tests.conftest import run

FEE = Decimal(1000)
OCTOBER = Decimal(31 * 86400)  # UTC: no DST


def _agreement(body: str, fee: str = "1000 USD", zone: str = "UTC", support: str = "") -> str:
    return f"""sla "Draft 3" {{
    timezone "{zone}"
    fee {fee} per month
    service "S" {{
        objective "Availability" {{
            availability at least 99.9% per calendar month
            downtime from incidents
        }}
        credits for "Availability" {{
{body}
        }}
    }}
{support}}}
"""


def _write(tmp_path: Path, sla: str, incidents: list[str], tickets: list[str] | None = None) -> tuple[Path, Path]:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "incidents.csv").write_text("\n".join(["service,start,end", *incidents]) + "\n")
    if tickets is not None:
        (data / "tickets.csv").write_text("\n".join(["id,plan,priority,opened,first_response", *tickets]) + "\n")
    path = tmp_path / "a.sla"
    path.write_text(sla)
    checked = run("check", str(path))
    assert checked.exit_code == 0, checked.output
    return path, data


def _report(path: Path, data: Path, period: str, *extra: str) -> dict[str, Any]:
    result = run("evaluate", str(path), "--data", str(data), "--period", period, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    errors = [e.message for e in Draft202012Validator(schemas.load("report")).iter_errors(report)]
    assert not errors, errors
    return report


def _credit(report: dict[str, Any]) -> dict[str, Any]:
    (credit,) = report["credits"]
    return credit


def _ledger(path: Path, data: Path, period: str, *extra: str) -> list[dict[str, str]]:
    """The ledger as `--ledger` writes it: JSON lines (checked against the schema) and CSV."""
    jsonl, written = path.parent / "ledger.jsonl", path.parent / "ledger.csv"
    for out in (jsonl, written):
        result = run("evaluate", str(path), "--data", str(data), "--period", period, "--ledger", str(out), *extra)
        assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    errors = [e.message for e in Draft202012Validator(schemas.load("ledger")).iter_errors(records)]
    assert not errors, errors
    rows = list(csv.DictReader(io.StringIO(written.read_text())))
    assert [r["period"] for r in rows] == [r["period"] for r in records]
    return rows


TWO_HOURS = ["S,2026-10-05T10:00:00Z,2026-10-05T12:00:00Z"]  # 99.73%: below 99.9%


# ---- thresholds and minimums compare the rounded credit -----------------------------------------

# 1% of a monthly fee of 100.4, 100.5 and 101 USD: 1.004, 1.005 and 1.01 exactly
EXACT = {"100.4": "1.004", "100.5": "1.005", "101": "1.01"}


@pytest.mark.parametrize(
    ("fee", "floor", "paid"),
    [
        ("100.4", "pay credits only above 1 USD", "0.00"),  # 1.004 rounds to 1.00: not above 1
        ("100.5", "pay credits only above 1 USD", "1.01"),  # 1.005 rounds half-up to 1.01
        ("101", "pay credits only above 1 USD", "1.01"),
        ("100.5", "minimum 1.01 USD", "1.01"),  # before rounding 1.005 < 1.01; after, it is 1.01
        ("100.4", "minimum 1.01 USD", "0.00"),
        ("101", "minimum 1.01 USD", "1.01"),
    ],
)
def test_threshold_and_minimum_compare_the_rounded_credit(tmp_path: Path, fee: str, floor: str, paid: str) -> None:
    assert Decimal(fee) / 100 == Decimal(EXACT[fee])
    sla = _agreement(f"            below 99.9%: 1% of monthly fee\n            {floor}", fee=f"{fee} USD")
    report = _report(*_write(tmp_path, sla, TWO_HOURS), "2026-10")
    credit = _credit(report)
    assert credit["amount"] == paid
    assert report["total_credit"] == {"amount": paid, "currency": "USD"}
    if paid == "0.00":
        assert ("not paid" if "above" in floor else "not issued") in credit["reason"]
    else:
        assert credit["reason"] == ""


# ---- credits per outage -------------------------------------------------------------------------


def _outages(*lengths: str) -> list[str]:
    """One outage a day from 1 October 10:00 UTC, each `mm:ss` long."""
    rows = []
    for day, length in enumerate(lengths, start=1):
        minutes, seconds = (int(x) for x in length.split(":"))
        end_minute, end_second = 10 * 60 + minutes, seconds
        rows.append(
            f"S,2026-10-{day:02d}T10:00:00Z,2026-10-{day:02d}T{end_minute // 60:02d}:{end_minute % 60:02d}:{end_second:02d}Z"
        )
    return rows


@pytest.mark.parametrize(
    ("per", "length", "units"),
    [
        ("per started 10 minutes", "10:00", 1),  # exactly one unit
        ("per started 10 minutes", "10:01", 2),  # a second into the second unit
        ("per 10 minutes", "10:01", 1),  # whole units only
        ("per 10 minutes", "9:59", 0),
    ],
)
def test_per_started_units(tmp_path: Path, per: str, length: str, units: int) -> None:
    sla = _agreement(f"            for each outage: 5% of monthly fee {per}")
    report = _report(*_write(tmp_path, sla, _outages(length)), "2026-10")
    credit = _credit(report)
    (outage,) = credit["outages"]
    assert outage["units"] == units
    assert Decimal(outage["amount"]) == FEE * 5 / 100 * units
    assert credit["amount"] == f"{FEE * 5 / 100 * units:.2f}"
    assert credit["basis"] == "per outage"


def test_a_cap_per_outage_reached_by_one_outage_of_two(tmp_path: Path) -> None:
    sla = _agreement(
        "            for each outage: 5% of monthly fee per started 10 minutes, at most 10% of monthly fee"
    )
    report = _report(*_write(tmp_path, sla, _outages("10:00", "40:01")), "2026-10")
    credit = _credit(report)
    first, second = credit["outages"]
    assert (first["units"], Decimal(first["amount"]), first["capped"]) == (1, Decimal(50), False)
    # 5 started units are 250, bounded by 10% of the fee
    assert (second["units"], Decimal(second["amount"]), second["capped"]) == (5, Decimal(100), True)
    assert credit["amount"] == "150.00"
    assert credit["capped"] is False  # the block's own caps did not apply


def test_the_block_cap_bounds_the_sum_of_the_outages(tmp_path: Path) -> None:
    sla = _agreement(
        "            for each outage: 5% of monthly fee per started 10 minutes\n            at most 10% of monthly fee"
    )
    credit = _credit(_report(*_write(tmp_path, sla, _outages("10:00", "20:00")), "2026-10"))
    assert [Decimal(o["amount"]) for o in credit["outages"]] == [50, 100]
    assert credit["amount"] == "100.00" and credit["capped"] is True


def test_longer_than_is_strict_and_each_outage_gets_the_last_tier_that_applies(tmp_path: Path) -> None:
    sla = _agreement(
        "            for each outage: 10 USD\n"
        "            for each outage longer than 5 minutes: 50 times the fees for the downtime"
    )
    credit = _credit(_report(*_write(tmp_path, sla, _outages("5:00", "5:01")), "2026-10"))
    exactly, longer = credit["outages"]
    assert exactly["tier"] == "for each outage: 10 USD" and Decimal(exactly["amount"]) == 10
    assert longer["tier"].startswith("for each outage longer than 5 minutes")
    fifty_times = 50 * FEE * 301 / OCTOBER  # that outage's downtime only
    assert Decimal(longer["amount"]) == fifty_times
    assert credit["amount"] == f"{(10 + fifty_times).quantize(Decimal('0.01'))}"


def test_an_outage_no_tier_applies_to_earns_nothing(tmp_path: Path) -> None:
    sla = _agreement("            for each outage longer than 5 minutes: 25 USD")
    path, data = _write(tmp_path, sla, _outages("5:00"))
    assert _report(path, data, "2026-10")["credits"] == []


# ---- remedies in service time -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "start", "days", "value"),
    [
        ("2026-02", "2026-02-05T10:00:00+01:00", 28, "107.14"),  # 1000 x 3 / 28
        ("2026-04", "2026-04-05T10:00:00+02:00", 30, "100.00"),
        ("2026-01", "2026-01-05T10:00:00+01:00", 31, "96.77"),
        ("2026-03", "2026-03-05T10:00:00+01:00", 31, "96.77"),  # 31 days, though 743 hours (DST)
    ],
)
def test_days_of_service_are_valued_at_the_fee_for_that_time(
    tmp_path: Path, period: str, start: str, days: int, value: str
) -> None:
    assert (FEE * 3 / days).quantize(Decimal("0.01")) == Decimal(value)
    sla = _agreement("            below 99.9%: 3 days of service", zone="Europe/Berlin")
    end = start.replace("T10:", "T14:")
    report = _report(*_write(tmp_path, sla, [f"S,{start},{end}"]), period)
    credit = _credit(report)
    assert credit["basis"] == "service time" and credit["amount"] is None
    assert credit["service_time"]["seconds"] == str(3 * 86400)
    assert credit["service_time"]["words"] == "3 days"
    assert (credit["service_time"]["value"], credit["service_time"]["currency"]) == (value, "USD")
    # service time is never money owed
    assert report["total_credit"] == {"amount": "0", "currency": "USD"}
    assert report["total_service_time"] == {
        "seconds": "259200",
        "value_by_currency": [{"amount": value, "currency": "USD"}],
    }
    text = run("evaluate", str(tmp_path / "a.sla"), "--data", str(tmp_path / "data"), "--period", period)
    assert f"3 days of service (worth {value} USD)" in text.stdout
    assert "service time owed: 3 days" in text.stdout


def test_service_time_is_capped_in_days_of_service(tmp_path: Path) -> None:
    body = "            below 99.9%: 3 days of service\n            below 99.0%: 7 days of service\n            at most 5 days of service"
    ten_hours = ["S,2026-10-05T10:00:00Z,2026-10-05T20:00:00Z"]  # 98.66%
    credit = _credit(_report(*_write(tmp_path, _agreement(body), ten_hours), "2026-10"))
    assert credit["tier"] == "below 99.0%: 7 days of service"
    assert credit["service_time"]["seconds"] == str(5 * 86400) and credit["service_time"]["capped"] is True
    assert credit["service_time"]["value"] == f"{(FEE * 5 / 31).quantize(Decimal('0.01'))}"
    assert credit["capped"] is True


def test_hours_of_service_per_started_hour(tmp_path: Path) -> None:
    sla = _agreement("            for each outage: 1 hour of service per started hour")
    credit = _credit(_report(*_write(tmp_path, sla, _outages("61:00")), "2026-10"))
    (outage,) = credit["outages"]
    assert outage["units"] == 2 and outage["service_seconds"] == "7200"
    assert credit["service_time"]["value"] == f"{(FEE * 2 / (31 * 24)).quantize(Decimal('0.01'))}"


# ---- claim windows counted from the outage ------------------------------------------------------

THREE = [
    "S,2026-10-03T10:00:00Z,2026-10-03T11:00:00Z",
    "S,2026-10-10T10:00:00Z,2026-10-10T11:00:00Z",
    "S,2026-10-20T10:00:00Z,2026-10-20T11:00:00Z",
]


@pytest.mark.parametrize(
    ("claim", "deadline"),
    [
        ("claim within 10 days of the outage", "2026-10-30"),  # the last outage started on the 20th
        ("claim within 15 days after the outage ends", "2026-11-04"),
        ("claim within 36 hours after the outage ends", "2026-10-21"),  # 20 October 11:00 + 36 h
    ],
)
def test_the_claim_deadline_runs_from_the_last_of_three_outages(tmp_path: Path, claim: str, deadline: str) -> None:
    sla = _agreement(f"            below 99.9%: 10% of monthly fee\n            {claim}")
    path, data = _write(tmp_path, sla, THREE)
    credit = _credit(_report(path, data, "2026-10"))
    assert credit["claim_by"] == deadline
    edge = "start" if "of the outage" in claim else "end"
    assert credit["claim_from"] == {
        "start": "2026-10-20T10:00:00+00:00",
        "end": "2026-10-20T11:00:00+00:00",
        "edge": edge,
    }
    late = _credit(_report(path, data, "2026-10", "--as-of", "2026-11-05"))
    assert late["expired"] is True
    (row,) = _ledger(path, data, "2026-10")
    assert (row["claim_by"], row["claim_from_start"], row["claim_from_end"]) == (
        deadline,
        "2026-10-20T10:00:00+00:00",
        "2026-10-20T11:00:00+00:00",
    )


# ---- termination rights -------------------------------------------------------------------------

CHRONIC = """sla "Chronic" {
    timezone "Europe/Berlin"
    fee 1000 USD per month
    service "S" {
        objective "Availability" {
            availability at least 99.9% per calendar month
            downtime from incidents
            chronic failure when breached in 3 consecutive periods, terminate within 30 days
        }
    }
    support "Basic" {
        priority P1: first response within 1 hour
        target 90% of tickets per calendar month
        chronic failure when support target missed in 2 consecutive periods, terminate within 10 days
    }
}
"""
MONTHLY = [f"S,2026-{m:02d}-05T10:00:00Z,2026-{m:02d}-05T12:00:00Z" for m in (8, 9, 10)]


def _ticket(month: int, answered_after: str) -> str:
    return f"T{month},Basic,P1,2026-{month:02d}-03T10:00:00Z,2026-{month:02d}-03T{answered_after}Z"


def test_the_termination_date_and_the_ledger_column(tmp_path: Path) -> None:
    tickets = [_ticket(9, "12:00:00"), _ticket(10, "12:00:00")]  # both answered after 2 hours: missed
    path, data = _write(tmp_path, CHRONIC, MONTHLY, tickets)
    rows = _ledger(path, data, "2026-08..2026-10")
    assert [(r["period"], r["chronic_failure"], r["terminate_by"]) for r in rows] == [
        ("2026-08", "false", ""),
        ("2026-09", "false", ""),
        ("2026-10", "true", "2026-11-30"),  # 31 October + 30 days
    ]
    history = tmp_path / "history.csv"
    run("evaluate", str(path), "--data", str(data), "--period", "2026-08..2026-09", "--ledger", str(history))
    report = _report(path, data, "2026-10", "--history", str(history))
    (objective,) = report["objectives"]
    chronic = objective["chronic_failure"]
    assert (chronic["holds"], chronic["since"], chronic["terminate_within"], chronic["terminate_by"]) == (
        True,
        "2026-10",
        "30 days",
        "2026-11-30",
    )
    (support,) = report["support_chronic_failure"]
    assert (support["plan"], support["holds"], support["breached_periods"]) == ("Basic", True, ["2026-09", "2026-10"])
    assert support["terminate_by"] == "2026-11-10"
    text = run("evaluate", str(path), "--data", str(data), "--period", "2026-10", "--history", str(history))
    assert "the customer may terminate until 2026-11-30" in text.stdout
    assert "support Basic: chronic failure of support since 2026-10" in text.stdout
    html = run(
        "evaluate", str(path), "--data", str(data), "--period", "2026-10", "--history", str(history), "--format", "html"
    )
    assert "Support Basic: chronic failure since 2026-10; the customer may terminate until 2026-11-10" in html.stdout
    # while October runs, chronic failure may not hold at its end: no date yet
    running = _report(path, data, "2026-10", "--history", str(history), "--as-of", "2026-10-20")
    assert running["objectives"][0]["chronic_failure"]["holds"] is True
    assert running["objectives"][0]["chronic_failure"]["terminate_by"] is None


def test_no_termination_date_while_chronic_failure_does_not_hold(tmp_path: Path) -> None:
    tickets = [_ticket(9, "10:30:00"), _ticket(10, "12:00:00")]  # September met
    path, data = _write(tmp_path, CHRONIC, MONTHLY[1:], tickets)
    report = _report(path, data, "2026-10")  # no --history: October alone
    chronic = report["objectives"][0]["chronic_failure"]
    assert (chronic["holds"], chronic["terminate_by"]) == (False, None)
    (support,) = report["support_chronic_failure"]
    assert (support["holds"], support["breached_periods"], support["terminate_by"]) == (False, ["2026-10"], None)


# ---- the ledger's service time ------------------------------------------------------------------


def test_the_ledger_gives_service_time_beside_the_amount(tmp_path: Path) -> None:
    sla = _agreement("            below 99.9%: 3 days of service", zone="Europe/Berlin")
    incidents = ["S,2026-02-05T10:00:00Z,2026-02-05T14:00:00Z", "S,2026-04-05T10:00:00Z,2026-04-05T14:00:00Z"]
    path, data = _write(tmp_path, sla, incidents)
    rows = _ledger(path, data, "2026-02..2026-04")
    assert [(r["period"], r["amount"], r["service_time_seconds"], r["service_time_value"]) for r in rows] == [
        ("2026-02", "", "259200", "107.14"),
        ("2026-03", "", "", ""),
        ("2026-04", "", "259200", "100.00"),
    ]
    summary = run("evaluate", str(path), "--data", str(data), "--period", "2026-02..2026-04", "--format", "text")
    assert "service time owed: 6 days in 2 rows (worth 207.14 USD" in summary.stdout, summary.stdout


def test_a_downtime_allowance_is_judged_in_seconds(tmp_path: Path) -> None:
    sla = """sla "Fastly" {
    timezone "UTC"
    fee 1000 USD per month
    service "S" {
        objective "Uptime" {
            downtime at most 43.8 minutes per calendar month
            downtime from incidents
        }
        credits for "Uptime" {
            above 43.8 minutes: 10% of monthly fee
        }
    }
}
"""
    for end, owed in (("10:43:48", []), ("10:43:49", ["100.00"])):
        path, data = _write(tmp_path, sla, [f"S,2026-10-05T10:00:00Z,2026-10-05T{end}Z"])
        report = _report(path, data, "2026-10")
        assert [c["amount"] for c in report["credits"]] == owed
