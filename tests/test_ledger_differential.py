"""Differential property: the ledger's grouped passes (shared rows once, every customer's
own rows in one evaluation) give exactly what judging each customer on its own gives
(`evaluate --customer ID`), on random portfolios: plans, late joiners and early leavers,
shared and customer-scoped incidents and samples."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import run

AGREEMENT = """
sla "Differential" {
    timezone "Europe/Berlin"
    plans "Basic", "Pro"
    fee 1000 EUR per month
    service "API" {
        objective "Availability" {
            availability at least 99.5% per calendar month
            availability at least 99.9% per calendar month on plan "Pro"
            ignore outages shorter than 2 minutes
            round outages down to 1 minute
        }
        credits for "Availability" {
            below 99.5%: 10% of monthly fee
            below 98%: 25 EUR
        }
        credits for "Availability" on plan "Pro" {
            below 99.9%: 5 times the fees for the downtime
            at most 40% of monthly fee
        }
    }
    service "Probe" {
        objective "Up" {
            availability at least 99% per calendar month
            downtime from samples every 1 hour
            missing data counts as unavailable
        }
        credits for "Up" { below 99%: 5% of monthly fee }
    }
}
"""

CUSTOMERS = ["c0", "c1", "c2", "c3"]
day = st.integers(min_value=1, max_value=31)
minute = st.integers(min_value=0, max_value=24 * 60 - 1)

incident = st.tuples(st.sampled_from([None, *CUSTOMERS]), day, minute, st.integers(min_value=1, max_value=300))
customer = st.tuples(
    st.sampled_from(["Basic", "Pro"]),
    st.one_of(st.none(), st.integers(min_value=1, max_value=31)),  # joined on that day of March
    st.one_of(st.none(), st.integers(min_value=1, max_value=31)),  # left on that day
    st.one_of(st.none(), st.integers(min_value=100, max_value=5000)),
)


def _at(d: int, m: int) -> str:
    return f"2026-03-{d:02d} {m // 60:02d}:{m % 60:02d}:00"


def _write(folder: Path, customers: list[tuple[Any, ...]], incidents: list[tuple[Any, ...]], down: list[int]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["customer,plan,fee,currency,start,end"]
    for name, (plan, joined, left, fee) in zip(CUSTOMERS, customers, strict=True):
        start = _at(joined, 0) if joined else ""
        end = _at(left, 0) if left and (not joined or left > joined) else ""
        lines.append(f"{name},{plan},{fee or ''},{'EUR' if fee else ''},{start},{end}")
    (folder / "customers.csv").write_text("\n".join(lines) + "\n")
    rows = ["service,start,end,cause,customer"]
    for who, d, m, length in incidents:
        start = datetime(2026, 3, d) + timedelta(minutes=m)
        end = start + timedelta(minutes=length)  # may run into April: clipped to the period
        # instants in UTC: a local time in the hour DST skips (29 March) has no instant
        rows.append(f"API,{start:%Y-%m-%dT%H:%M:%S}Z,{end:%Y-%m-%dT%H:%M:%S}Z,,{who or ''}")
    (folder / "incidents.csv").write_text("\n".join(rows) + "\n")
    samples = ["service,timestamp,up,customer"]
    for hour in range(0, 31 * 24, 7):  # every 7th hour only: the rest is missing, and counts as down
        samples.append(f"Probe,{_at(1 + hour // 24, (hour % 24) * 60)},{'false' if hour in down else 'true'},")
    samples.append(f"Probe,{_at(5, 60)},false,c1")  # one customer's own probe
    (folder / "samples.csv").write_text("\n".join(samples) + "\n")


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    customers=st.lists(customer, min_size=4, max_size=4),
    incidents=st.lists(incident, max_size=8),
    down=st.lists(st.sampled_from(list(range(0, 31 * 24, 7))), max_size=3),
)
def test_ledger_rows_equal_each_customers_own_report(
    tmp_path_factory: Any, customers: list[tuple[Any, ...]], incidents: list[tuple[Any, ...]], down: list[int]
) -> None:
    folder = tmp_path_factory.mktemp("portfolio")
    _write(folder / "data", customers, incidents, down)
    sla = folder / "a.sla"
    sla.write_text(AGREEMENT)
    result = run("evaluate", str(sla), "--data", str(folder / "data"), "--period", "2026-03", "--format", "json")
    assert result.exit_code == 0, result.output
    ledger = json.loads(result.stdout)
    for name in {r["customer"] for r in ledger}:
        single = run(
            "evaluate",
            str(sla),
            "--data",
            str(folder / "data"),
            "--period",
            "2026-03",
            "--customer",
            name,
            "--format",
            "json",
        )
        assert single.exit_code == 0, single.output
        report = json.loads(single.stdout)
        credits = {(c["service"], c["objective"]): c for c in report["credits"]}
        for objective in report["objectives"]:
            row = next(r for r in ledger if r["customer"] == name and r["service"] == objective["service"])
            assert row["measured"] == objective["measured"]
            assert row["downtime_seconds"] == objective["downtime_seconds"]
            assert row["met"] == objective["met"]
            credit = credits.get((objective["service"], objective["objective"]))
            assert row["amount"] == (credit["amount"] if credit else None)
