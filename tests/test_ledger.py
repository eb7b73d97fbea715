"""The credit ledger (DATA.md draft 2): many customers, ranges of periods, proration,
customer-scoped evidence, plans per customer, rolling caps and chronic failure across a
range. Every figure is worked out by hand; everything runs through the CLI."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from .conftest import run

NOVEMBER = 30 * 86400  # UTC, 2026-11

AGREEMENT = """
sla "Portfolio" {
    timezone "UTC"
    plans "Basic", "Pro"
    fee 2000 USD per month
    service "API" {
        objective "Availability" {
            availability at least 99.5% per calendar month
            availability at least 99.9% per calendar month on plan "Pro"
            chronic failure when breached in 2 consecutive periods
        }
        credits for "Availability" {
            below 99.5%: 10% of monthly fee
            below 99.0%: 25% of monthly fee
            at most 30% of monthly fee per 3 months
        }
        credits for "Availability" on plan "Pro" {
            below 99.9%: 10 times the fees for the downtime
        }
    }
}
"""

INCIDENTS = "service,start,end,cause,customer\n"


def _setup(tmp_path: Path, customers: str, incidents: str) -> tuple[str, str]:
    data = tmp_path / "data"
    data.mkdir()
    (data / "customers.csv").write_text("customer,plan,fee,currency,start,end\n" + customers)
    (data / "incidents.csv").write_text(INCIDENTS + incidents)
    sla = tmp_path / "portfolio.sla"
    sla.write_text(AGREEMENT)
    return str(sla), str(data)


def _ledger(sla: str, data: str, period: str, *args: str) -> list[dict[str, Any]]:
    result = run("evaluate", sla, "--data", data, "--period", period, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def _row(rows: list[dict[str, Any]], customer: str, period: str) -> dict[str, Any]:
    return next(r for r in rows if r["customer"] == customer and r["period"] == period)


def test_shared_and_customer_rows_and_plans(tmp_path: Path) -> None:
    sla, data = _setup(
        tmp_path,
        "a,Basic,,,,\nb,Pro,,,,\nc,Basic,,,,\n",
        # 2 h shared by everyone; 3 h more for b only; 10 h more for c only
        "API,2026-11-02T00:00:00Z,2026-11-02T02:00:00Z,,\n"
        "API,2026-11-03T00:00:00Z,2026-11-03T03:00:00Z,,b\n"
        "API,2026-11-04T00:00:00Z,2026-11-04T10:00:00Z,,c\n",
    )
    rows = _ledger(sla, data, "2026-11")
    a, b, c = (_row(rows, n, "2026-11") for n in "abc")
    assert (a["downtime_seconds"], b["downtime_seconds"], c["downtime_seconds"]) == ("7200", "18000", "43200")
    # a: 7200 s of 2,592,000 is 99.7222...% >= 99.5% on Basic: met, no credit
    assert a["met"] is True and a["amount"] is None and a["plan"] == "Basic"
    # b (Pro, 99.9%): breached; 10 x 2000 x 18000 / 2592000 = 138.888... -> 138.89
    assert b["met"] is False and b["amount"] == "138.89" and b["plan"] == "Pro"
    # c: 43200 s -> 98.333...% < 99.0%: 25% of 2000 = 500, capped at 30% per 3 months = 600: 500.00
    assert Decimal(c["measured"]) == (Decimal(NOVEMBER) - 43200) / NOVEMBER * 100
    assert c["amount"] == "500.00" and c["tier"] == "below 99.0%: 25% of monthly fee"


def test_a_customer_joining_mid_period_is_measured_and_billed_for_its_part(tmp_path: Path) -> None:
    # DATA.md's example: fee 2000 a month, subscribed from the 16th of a 30-day month: base 1000
    sla, data = _setup(
        tmp_path,
        "late,Basic,2000,USD,2026-11-16T00:00:00Z,\n",
        "API,2026-11-10T00:00:00Z,2026-11-10T05:00:00Z,,late\n"  # before it joined: not counted
        "API,2026-11-20T00:00:00Z,2026-11-20T03:00:00Z,,late\n",
    )
    (row,) = _ledger(sla, data, "2026-11")
    half = Decimal(NOVEMBER // 2)
    assert row["downtime_seconds"] == "10800"
    assert Decimal(row["measured"]) == (half - 10800) / half * 100  # 99.1666...%: below 99.5%
    assert row["allowed_downtime_seconds"] == "6480"  # 0.5% of 15 days
    assert row["amount"] == "100.00"  # 10% of the prorated base of 1000


def test_rolling_cap_reached_mid_range_and_chronic_failure(tmp_path: Path) -> None:
    # c is down 10 h every month: 25% of 2000 = 500 each; the cap is 600 per 3 months
    incidents = "".join(f"API,2026-{m:02d}-04T00:00:00Z,2026-{m:02d}-04T10:00:00Z,,c\n" for m in range(1, 6))
    sla, data = _setup(tmp_path, "c,Basic,,,,\n", incidents)
    rows = _ledger(sla, data, "2026-01..2026-05")
    amounts = [_row(rows, "c", f"2026-{m:02d}")["amount"] for m in range(1, 6)]
    assert amounts == ["500.00", "100.00", "0.00", "500.00", "100.00"]
    capped = [_row(rows, "c", f"2026-{m:02d}")["capped"] for m in range(1, 6)]
    assert capped == [False, True, True, False, True]
    chronic = [_row(rows, "c", f"2026-{m:02d}")["chronic_failure"] for m in range(1, 6)]
    assert chronic == [False, True, True, True, True]  # from the second breached month on


def test_history_feeds_the_first_period_and_round_trips_every_format(tmp_path: Path) -> None:
    incidents = "".join(f"API,2026-{m:02d}-04T00:00:00Z,2026-{m:02d}-04T10:00:00Z,,c\n" for m in (1, 2, 3))
    sla, data = _setup(tmp_path, "c,Basic,,,,\n", incidents)
    for suffix in ("csv", "jsonl", "parquet"):
        earlier = tmp_path / f"early.{suffix}"
        result = run("evaluate", sla, "--data", data, "--period", "2026-01..2026-02", "--ledger", str(earlier))
        assert result.exit_code == 0, result.output
        later = _ledger(sla, data, "2026-03", "--history", str(earlier))
        # January 500 + February 100 used the 600 cap: March gets nothing; chronic failure holds
        assert (later[0]["amount"], later[0]["capped"], later[0]["chronic_failure"]) == ("0.00", True, True)
    text = (tmp_path / "early.csv").read_text()
    header = next(csv.reader(io.StringIO(text)))
    assert header[:5] == ["customer", "plan", "service", "objective", "period"]
    assert header[-3:] == ["chronic_failure", "provisional", "reason"]
    parquet = duckdb.sql(f"SELECT amount, met FROM '{tmp_path / 'early.parquet'}' ORDER BY period").fetchall()
    assert parquet == [("500.00", False), ("100.00", False)]


def test_one_customers_full_report(tmp_path: Path) -> None:
    sla, data = _setup(tmp_path, "a,Basic,,,,\nb,Pro,,,,\n", "API,2026-11-03T00:00:00Z,2026-11-03T03:00:00Z,,b\n")
    result = run("evaluate", sla, "--data", data, "--period", "2026-11", "--customer", "b", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["customer"] == "b" and report["plan"] == "Pro"
    assert report["objectives"][0]["downtime_seconds"] == "10800"
    assert report["credits"][0]["amount"] == "83.33"  # 10 x 2000 x 10800 / 2592000
    unknown = run("evaluate", sla, "--data", data, "--period", "2026-11", "--customer", "zz")
    assert unknown.exit_code == 2 and "'zz' is not in the customers table" in unknown.output


@pytest.mark.parametrize(
    ("customers", "message"),
    [
        ("a,Gold,,,,\n", "row 1 (line 2), column `plan`: 'Gold' is not a plan"),
        ("a,,,,,\n", "row 1 (line 2), column `plan`"),
        ("a,Basic,lots,USD,,\n", "row 1 (line 2), column `fee`: 'lots' is not a number"),
        ("a,Basic,-5,USD,,\n", "row 1 (line 2), column `fee`: '-5' is a negative fee"),
        ("a,Basic,10,XYZ,,\n", "row 1 (line 2), column `currency`: 'XYZ' is not an ISO 4217"),
        ("a,Basic,,,2026-11-10,2026-11-01\n", "row 1 (line 2), column `end`: end is not after start"),
        ("a,Basic,,,,\na,Pro,,,,\n", "column `customer`: 'a' is listed twice"),
    ],
)
def test_bad_customer_rows_name_file_row_and_column(tmp_path: Path, customers: str, message: str) -> None:
    sla, data = _setup(tmp_path, customers, "")
    result = run("evaluate", sla, "--data", data, "--period", "2026-11")
    assert result.exit_code == 2
    assert "customers.csv" in result.output and message in result.output
    assert "Traceback" not in result.output


def test_rows_of_unknown_customers_are_a_warning_and_left_out(tmp_path: Path) -> None:
    sla, data = _setup(tmp_path, "a,Basic,,,,\n", "API,2026-11-03T00:00:00Z,2026-11-03T03:00:00Z,,typo\n")
    result = run("evaluate", sla, "--data", data, "--period", "2026-11", "--format", "json")
    assert result.exit_code == 0
    assert "customer 'typo', which the customers table does not list; left out" in result.output


def test_the_bundled_portfolio_runs_as_the_readme_shows(tmp_path: Path) -> None:
    sla, data = "samples/cloud-platform.sla", "samples/evidence/cloud-platform-portfolio"
    rows = _ledger(sla, data, "2026-10")
    assert {r["customer"] for r in rows} == {"adatum", "contoso", "fabrikam"}  # northwind-labs left in September
    contoso = next(r for r in rows if r["customer"] == "contoso" and r["service"] == "Compute")
    # shared 2004 s (see test_sample_cloud_platform) + its own 90 minutes; 10 x 12000 x 7404 / 2678400
    assert contoso["downtime_seconds"] == "7404" and contoso["amount"] == "331.72"
    fabrikam = next(r for r in rows if r["customer"] == "fabrikam" and r["service"] == "Compute")
    # from 16 October: the 27 October outage (504 s) and its own 20 minutes at 25% (300 s)
    assert fabrikam["downtime_seconds"] == "804" and fabrikam["allowed_downtime_seconds"] == "1382.4"
    out = tmp_path / "ledger.parquet"
    result = run("evaluate", sla, "--data", data, "--period", "2026-10..2026-12", "--ledger", str(out))
    assert result.exit_code == 0 and "wrote 18 ledger rows" in result.output
    report = run("evaluate", sla, "--data", data, "--period", "2026-10", "--customer", "fabrikam")
    assert report.exit_code == 0 and "customer fabrikam" in report.output and "plan Premium" in report.output


def test_plan_option_is_refused_when_the_customers_table_gives_the_plans(tmp_path: Path) -> None:
    sla, data = _setup(tmp_path, "a,Basic,,,,\n", "")
    result = run("evaluate", sla, "--data", data, "--period", "2026-11", "--plan", "Pro")
    assert result.exit_code == 2 and "the customers table gives each customer's plan" in result.output


def test_a_range_without_history_says_only_the_periods_before_it_are_unknown() -> None:
    """In a ledger of 2026-10..2026-11, November's chronic failure and rolling cap see October:
    only what came before October is unknown, and the notes say so."""
    sla, data = "samples/cloud-platform.sla", "samples/evidence/cloud-platform-portfolio"
    result = run("evaluate", sla, "--data", data, "--period", "2026-10..2026-11", "--format", "json")
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "Compute / Availability" in line]
    assert notes == [
        "sladsl: note: Compute / Availability: chronic failure judged on 2026-10 alone: earlier periods are not "
        "known (no --history ledger was given)",
        'sladsl: note: Compute / Availability: the rolling cap "at most 100% of monthly fee per 12 months" counts '
        "earlier periods as no credits: they are not known (no --history ledger was given)",
        "sladsl: note: Compute / Availability: chronic failure judged on 2026-10 to 2026-11: periods before 2026-10 "
        "are not known (no --history ledger was given)",
        'sladsl: note: Compute / Availability: the rolling cap "at most 100% of monthly fee per 12 months" counts '
        "the periods before 2026-10 as no credits: they are not known (no --history ledger was given)",
    ]
