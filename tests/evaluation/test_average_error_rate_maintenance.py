"""`availability from average error rate` with `exclude maintenance`: the covered part of each
window counts as 0% errors (downtime inside qualifying maintenance is excluded; the number of
windows, like the period's length, stays). Before, the exclusion was accepted by `check` and
silently ignored by evaluation. Hand-computed through the CLI on real DuckDB."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from ..conftest import run

SLA = """sla "Shop" {
    fee 1000 EUR per month
    service "API" {
        objective "Average" {
            availability at least 99.99% per calendar month
            availability from average error rate in 5 minute windows
            exclude maintenance announced at least 2 days ahead
        }
        credits for "Average" {
            below 99.99%: 10% of monthly fee
        }
    }
}
"""
START = datetime(2026, 11, 1, tzinfo=UTC)
WINDOWS = 30 * 24 * 12  # 8,640 windows of 5 minutes in November


def _at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _evidence(folder: Path, maintenance: list[tuple[datetime, datetime, datetime]]) -> Path:
    """100 requests a window; 3 Nov 10:00-11:00 at 50% errors (12 windows), 9 Nov 14:00 at 40%
    and 20 Nov 08:00 at 100% errors (one window each)."""
    errors = {_at(9, 14): 40, _at(20, 8): 100} | {_at(3, 10, 5 * k): 50 for k in range(12)}
    rows = ["service,timestamp,good,total"]
    for k in range(WINDOWS):
        at = START + timedelta(minutes=5 * k)
        rows.append(f"API,{_iso(at)},{100 - errors.get(at, 0)},100")
    folder.mkdir()
    (folder / "requests.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines = ["service,start,end,announced"] + [f"API,{_iso(s)},{_iso(e)},{_iso(a)}" for s, e, a in maintenance]
    (folder / "maintenance.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _judge(tmp_path: Path, maintenance: list[tuple[datetime, datetime, datetime]]) -> dict:  # type: ignore[type-arg]
    sla = tmp_path / "average.sla"
    sla.write_text(SLA, encoding="utf-8")
    data = _evidence(tmp_path / "evidence", maintenance)
    result = run("evaluate", str(sla), "--data", str(data), "--period", "2026-11", "--format", "json", "--explain")
    assert result.exit_code == 0, result.stderr
    report: dict = json.loads(result.stdout)  # type: ignore[type-arg]
    return report


def _measured(report: dict) -> Decimal:  # type: ignore[type-arg]
    return Decimal(report["objectives"][0]["measured"]).quantize(Decimal("1E-12"))


def test_without_qualifying_maintenance_every_error_counts(tmp_path: Path) -> None:
    # announced a day ahead (2 are needed): 12 x 50% + 40% + 100% = 7.4 windows of errors
    late = [(_at(3, 10), _at(3, 11), _at(2, 10))]
    report = _judge(tmp_path, late)
    assert _measured(report) == (100 - Decimal("7.4") * 100 / WINDOWS).quantize(Decimal("1E-12"))
    assert report["objectives"][0]["met"] is False
    reasons = [e["reason"] for e in report["objectives"][0]["explanation"]]
    assert "announced less than 2 days ahead: its downtime counts" in reasons


def test_announced_maintenance_counts_as_no_errors_and_a_half_covered_window_as_half(tmp_path: Path) -> None:
    announced = [
        (_at(3, 10), _at(3, 11), _at(1, 0)),  # the 12 windows at 50%: nothing counts
        (_at(9, 14, 2, 30), _at(9, 14, 5), _at(1, 0)),  # half of the 40% window: 20% counts
    ]
    report = _judge(tmp_path, announced)
    # 100% + 20% = 1.2 windows of errors in 8,640: 100 - 1.2 x 100 / 8640 = 100 - 1/72
    assert _measured(report) == (100 - Decimal(1) / 72).quantize(Decimal("1E-12"))
    objective = report["objectives"][0]
    assert objective["met"] is False and objective["excluded_seconds"] == "3750"  # 60 min + 2 min 30 s
    assert objective["explanation"][0]["reason"] == (
        "mean error rate over 8640 windows of 5 minutes; "
        "1 hour 2 minutes 30 seconds of announced maintenance counted as 0% errors"
    )
    assert [(e["what"], e["counted"], e["reason"]) for e in objective["explanation"][1:]] == [
        ("maintenance", False, "excluded"),
        ("maintenance", False, "excluded"),
    ]
    assert report["total_credit"] == {"amount": "100.00", "currency": "EUR"}


def test_the_document_says_what_evaluation_does(tmp_path: Path) -> None:
    sla = tmp_path / "average.sla"
    sla.write_text(
        SLA.replace("exclude maintenance", 'exclude incidents caused by "customer"\n            exclude maintenance'),
        encoding="utf-8",
    )
    result = run("render", str(sla), "--format", "md")
    assert result.exit_code == 0, result.stderr
    assert (
        "Maintenance announced to the Customer at least 2 days before it starts is not counted: the part of a "
        "window it covers counts as no errors. Errors during maintenance announced later, or not at all, count."
    ) in result.stdout
    assert (
        "Errors during incidents caused by “customer” are not counted: the part of a window such an incident "
        "covers counts as no errors."
    ) in result.stdout
    assert "counted as downtime" not in result.stdout
