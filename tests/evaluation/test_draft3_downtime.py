"""Draft 3's ways of counting downtime, hand-computed at each boundary, through the real
command line and DuckDB: strict thresholds, exclusions before the short-outage test, whole
clock units (across a DST change), shares that add up, and allowances as durations."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ..conftest import run

HEADER = 'sla "Draft 3" {\n    timezone "Europe/Berlin"\n    fee 1000 USD per month\n'


def _evaluate(tmp_path: Path, body: str, incidents: str, maintenance: str = "") -> dict[str, Any]:
    source = tmp_path / "a.sla"
    source.write_text(HEADER + body + "}\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "incidents.csv").write_text("service,start,end,affected\n" + incidents, encoding="utf-8")
    if maintenance:
        (data / "maintenance.csv").write_text("service,start,end,announced\n" + maintenance, encoding="utf-8")
    result = run(
        "evaluate", str(source), "--data", str(data), "--period", "2026-10", "--as-of", "2026-12-01", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _objective(report: dict[str, Any], service: str) -> dict[str, Any]:
    found: dict[str, Any] = next(o for o in report["objectives"] if o["service"] == service)
    return found


def _service(name: str, *statements: str, credits: str = "") -> str:
    lines = "".join(f"            {s}\n" for s in statements)
    block = f'        credits for "O" {{\n{credits}        }}\n' if credits else ""
    return f'    service "{name}" {{\n        objective "O" {{\n{lines}        }}\n{block}    }}\n'


@pytest.mark.parametrize(("end", "counted"), [("10:05:00", "0"), ("10:05:01", "301")])
def test_of_5_minutes_or_less_ignores_exactly_5_minutes(tmp_path: Path, end: str, counted: str) -> None:
    body = _service("S", "availability at least 99% per calendar month", "ignore outages of 5 minutes or less")
    report = _evaluate(tmp_path, body, f"S,2026-10-05T10:00:00Z,2026-10-05T{end}Z,\n")
    assert _objective(report, "S")["downtime_seconds"] == counted


def test_shorter_than_still_counts_exactly_d(tmp_path: Path) -> None:
    body = _service("S", "availability at least 99% per calendar month", "ignore outages shorter than 5 minutes")
    report = _evaluate(tmp_path, body, "S,2026-10-05T10:00:00Z,2026-10-05T10:05:00Z,\n")
    assert _objective(report, "S")["downtime_seconds"] == "300"


@pytest.mark.parametrize(("after", "counted"), [(True, "0"), (False, "1080")])
def test_after_exclusions_tests_the_stretches_maintenance_leaves(tmp_path: Path, after: bool, counted: str) -> None:
    """A 19-minute outage with a minute of announced maintenance in its middle: 9 + 9 minutes.
    After exclusions both stretches are shorter than 10 minutes; before, the outage is 19."""
    rule = "ignore outages shorter than 10 minutes" + (" after exclusions" if after else "")
    body = _service(
        "S",
        "availability at least 99% per calendar month",
        rule,
        "exclude maintenance announced at least 1 day ahead",
    )
    report = _evaluate(
        tmp_path,
        body,
        "S,2026-10-05T10:00:00Z,2026-10-05T10:19:00Z,\n",
        "S,2026-10-05T10:09:00Z,2026-10-05T10:10:00Z,2026-10-01T00:00:00Z\n",
    )
    objective = _objective(report, "S")
    assert objective["downtime_seconds"] == counted
    assert Decimal(objective["downtime_seconds"]) + Decimal(objective["excluded_seconds"]) == 1140


def test_whole_clock_minutes(tmp_path: Path) -> None:
    """10:00:30-10:03:30 holds the whole minutes 10:01 and 10:02 only."""
    body = _service("S", "availability at least 99% per calendar month", "count only whole clock minutes")
    report = _evaluate(tmp_path, body, "S,2026-10-05T10:00:30+02:00,2026-10-05T10:03:30+02:00,\n")
    assert _objective(report, "S")["downtime_seconds"] == "120"


def test_whole_clock_minutes_across_the_dst_change(tmp_path: Path) -> None:
    """Berlin falls back at 03:00 CEST on 2026-10-25: 02:59:30 CEST to 02:01:30 CET is two
    minutes of real time holding one whole clock minute (00:00-01:01 UTC)."""
    body = _service("S", "availability at least 99% per calendar month", "count only whole clock minutes")
    report = _evaluate(tmp_path, body, "S,2026-10-25T02:59:30+02:00,2026-10-25T02:01:30+01:00,\n")
    assert _objective(report, "S")["downtime_seconds"] == "60"


def test_whole_clock_intervals_are_aligned_in_the_agreement_zone(tmp_path: Path) -> None:
    """5-minute clock intervals: 10:02-10:16 holds 10:05-10:10 and 10:10-10:15."""
    body = _service("S", "availability at least 99% per calendar month", "count only whole clock 5 minute intervals")
    report = _evaluate(tmp_path, body, "S,2026-10-05T10:02:00+02:00,2026-10-05T10:16:00+02:00,\n")
    assert _objective(report, "S")["downtime_seconds"] == "600"


def test_whole_clock_units_skip_what_maintenance_covers(tmp_path: Path) -> None:
    """10:00-10:10 with maintenance 10:04:30-10:05:30: whole minutes 10:00-10:04 and 10:06-10:10."""
    body = _service(
        "S",
        "availability at least 99% per calendar month",
        "count only whole clock minutes",
        "exclude maintenance announced at least 1 day ahead",
    )
    report = _evaluate(
        tmp_path,
        body,
        "S,2026-10-05T10:00:00Z,2026-10-05T10:10:00Z,\n",
        "S,2026-10-05T10:04:30Z,2026-10-05T10:05:30Z,2026-10-01T00:00:00Z\n",
    )
    assert _objective(report, "S")["downtime_seconds"] == "480"


@pytest.mark.parametrize(("adding", "counted"), [(True, "690"), (False, "600")])
def test_overlapping_shares_add_up_to_at_most_1(tmp_path: Path, adding: bool, counted: str) -> None:
    """0.6 for 10:00-10:10 and 0.7 for 10:05-10:15. Adding: 300 x 0.6 + 300 x 1 (1.3 capped) +
    300 x 0.7 = 690 s. The largest share (draft 2): 180 + 210 + 210 = 600 s."""
    rule = "weight downtime by share affected" + (", adding overlaps" if adding else "")
    body = _service("S", "availability at least 99% per calendar month", rule)
    report = _evaluate(
        tmp_path,
        body,
        "S,2026-10-05T10:00:00Z,2026-10-05T10:10:00Z,0.6\nS,2026-10-05T10:05:00Z,2026-10-05T10:15:00Z,0.7\n",
    )
    assert _objective(report, "S")["downtime_seconds"] == counted


@pytest.mark.parametrize(("end", "met", "credit"), [("10:43:48", True, None), ("10:43:49", False, "100.00")])
def test_an_allowance_of_43_8_minutes(tmp_path: Path, end: str, met: bool, credit: str | None) -> None:
    body = _service(
        "S",
        "downtime at most 43.8 minutes per calendar month",
        credits="            above 43.8 minutes: 10% of monthly fee\n",
    )
    report = _evaluate(tmp_path, body, f"S,2026-10-05T10:00:00Z,2026-10-05T{end}Z,\n")
    objective = _objective(report, "S")
    assert objective["unit"] == "s" and objective["target"] == "2628"
    assert objective["met"] is met
    assert objective["allowed_downtime_seconds"] == "2628"
    amounts = [c["amount"] for c in report["credits"]]
    assert amounts == ([credit] if credit else [])
