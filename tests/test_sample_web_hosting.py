"""The bundled draft-3 sample (samples/web-hosting.sla), evaluated as the README shows,
against figures worked out by hand from its evidence."""

from __future__ import annotations

import json
from typing import Any

from .conftest import run

SLA, DATA = "samples/web-hosting.sla", "samples/evidence/web-hosting"


def _report(*args: str) -> dict[str, Any]:
    result = run("evaluate", SLA, "--data", DATA, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_october_pays_each_outage_per_started_ten_minutes() -> None:
    """Counted outages: 5:00 on the 3rd is ignored (5 minutes or less); 12:30 on the 9th is 2
    started units (10% of 900 = 90.00); 47:00 on the 20th is 5 units (25% = 225.00); the
    customer's hour and the announced maintenance are excluded. 315.00 EUR, claimable for 15
    days after the last outage ends (2026-10-20 03:47 EEST): by 2026-11-04."""
    report = _report("--period", "2026-10", "--as-of", "2026-10-31")
    cloud = next(o for o in report["objectives"] if o["service"] == "Cloud servers")
    assert cloud["downtime_seconds"] == "3570" and cloud["met"] is False
    credit = next(c for c in report["credits"] if c["service"] == "Cloud servers")
    assert (credit["amount"], credit["currency"], credit["claim_by"]) == ("315.00", "EUR", "2026-11-04")
    assert [(o["seconds"], o["units"], o["amount"]) for o in credit["outages"]] == [
        ("750", 2, "90"),
        ("2820", 5, "225"),
    ]


def test_the_database_allowance_gives_days_of_service_worth_their_share_of_the_fee() -> None:
    """50 whole clock minutes down against 43.8 allowed: 3 days of service, worth
    900 x 3 / 31 = 87.10 EUR, which is not money owed."""
    report = _report("--period", "2026-10", "--as-of", "2026-10-31")
    database = next(o for o in report["objectives"] if o["service"] == "Managed database")
    assert (database["unit"], database["measured"], database["met"]) == ("s", "3000", False)
    credit = next(c for c in report["credits"] if c["service"] == "Managed database")
    assert credit["service_time"]["seconds"] == "259200"
    assert credit["service_time"]["value"] == "87.10"
    assert report["total_credit"] == {"amount": "315.00", "currency": "EUR"}


def test_november_is_met_everywhere() -> None:
    report = _report("--period", "2026-11", "--as-of", "2026-12-05")
    assert report["status"] == "met"
    assert report["credits"] == []
