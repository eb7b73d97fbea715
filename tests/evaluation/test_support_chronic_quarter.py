"""Chronic failure of support (draft 3) inside a longer --period: judged month by month,
each month's verdict labelled with its month, and the termination date from the month at
which it holds."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import run

SOURCE = """sla "Support" {
    timezone "UTC"
    support "Business" {
        priority P1: first response within 1 hour, around the clock
        target 95% of tickets per calendar month
        chronic failure when support target missed in 2 consecutive periods, terminate within 30 days
    }
}
"""

TICKETS = """id,plan,priority,opened,first_response
T1,Business,P1,2026-10-05T10:00:00Z,2026-10-05T12:00:00Z
T2,Business,P1,2026-11-05T10:00:00Z,2026-11-05T13:00:00Z
T3,Business,P1,2026-12-05T10:00:00Z,2026-12-05T10:30:00Z
"""


def test_support_chronic_failure_is_judged_in_each_month_of_a_quarter(tmp_path: Path) -> None:
    (tmp_path / "a.sla").write_text(SOURCE, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    args = ["evaluate", str(tmp_path / "a.sla"), "--data", str(data), "--period", "2026-Q4", "--as-of", "2027-01-10"]
    report = json.loads(run(*args, "--format", "json").stdout)
    months = {c["period_label"]: c for c in report["support_chronic_failure"]}
    assert sorted(months) == ["2026-10", "2026-11", "2026-12"]
    assert not months["2026-10"]["holds"]
    assert months["2026-11"]["holds"] and months["2026-11"]["terminate_by"] == "2026-12-30"
    assert not months["2026-12"]["holds"]
    text = run(*args).stdout
    assert "support Business (2026-11): " in text and "2026-12-30" in text
