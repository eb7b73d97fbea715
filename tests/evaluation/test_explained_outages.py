"""The evidence a report shows adds up to its verdict, for every kind of time-based
objective, and an outage across the period's edge is judged on its whole length whether
it comes from incidents or from error-rate windows (issue 20, items 1 and 2)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ..conftest import run

HEADER = 'sla "Explained" {\n    timezone "UTC"\n    fee 1000 USD per month\n'


def _report(tmp_path: Path, objective: str, tables: dict[str, str], period: str = "2026-10") -> dict[str, Any]:
    source = tmp_path / "a.sla"
    source.write_text(HEADER + f'    service "S" {{\n        objective "O" {{\n{objective}        }}\n    }}\n}}\n')
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    for name, text in tables.items():
        (data / name).write_text(text, encoding="utf-8")
    result = run(
        "evaluate", str(source), "--data", str(data), "--period", period, "--as-of", "2026-12-31",
        "--format", "json", "--explain",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.stdout)["objectives"][0]
    return found


def _counted_outage_seconds(objective: dict[str, Any]) -> Decimal:
    return sum(
        (
            Decimal(e["seconds"])
            for e in objective["explanation"]
            if e["counted"] and (e["what"].startswith(("outage", "windows above")) or "more outages" in e["what"])
        ),
        Decimal(0),
    )


def _lines(*statements: str) -> str:
    return "".join(f"            {s}\n" for s in statements)


INCIDENTS = (
    "service,start,end,cause,affected\n"
    "S,2026-10-02T10:00:00Z,2026-10-02T10:04:00Z,,\n"  # 4 min: shorter than 5 minutes
    "S,2026-10-03T10:00:00Z,2026-10-03T10:30:30Z,,0.5\n"  # 30.5 min, maintenance 10:10-10:20 inside
    "S,2026-10-03T10:20:00Z,2026-10-03T10:40:00Z,,0.25\n"  # overlaps the one before
    "S,2026-10-05T08:00:00Z,2026-10-05T09:00:00Z,customer,\n"  # excluded cause
    "S,2026-10-07T00:00:00Z,2026-10-07T00:07:45Z,,\n"
)
MAINTENANCE = "service,start,end,announced\nS,2026-10-03T10:10:00Z,2026-10-03T10:20:00Z,2026-09-01T00:00:00Z\n"


@pytest.mark.parametrize(
    "rules",
    [
        (),
        ("ignore outages shorter than 5 minutes",),
        ("ignore outages of 4 minutes or less", 'exclude incidents caused by "customer"'),
        ("ignore outages shorter than 5 minutes", "exclude maintenance announced at least 1 day ahead"),
        ("round outages down to 1 minute", "exclude maintenance announced at least 1 day ahead"),
        ("count only whole clock 5 minute intervals", "exclude maintenance announced at least 1 day ahead"),
        ("weight downtime by share affected", "exclude maintenance announced at least 1 day ahead"),
        ("weight downtime by share affected, adding overlaps",),
        (
            "ignore outages shorter than 15 minutes after exclusions",
            "exclude maintenance announced at least 1 day ahead",
        ),
    ],
    ids=lambda r: " + ".join(r) or "plain",
)
def test_incident_outages_add_up_to_the_downtime(tmp_path: Path, rules: tuple[str, ...]) -> None:
    objective = _report(
        tmp_path,
        _lines("availability at least 99% per calendar month", *rules),
        {"incidents.csv": INCIDENTS, "maintenance.csv": MAINTENANCE},
    )
    assert Decimal(objective["downtime_seconds"]) > 0
    assert _counted_outage_seconds(objective) == Decimal(objective["downtime_seconds"])


def _requests(bad: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> str:
    rows = ["service,timestamp,good,total"]
    t = start
    while t < end:
        down = any(s <= t < e for s, e in bad)
        rows.append(f"S,{t.isoformat()},{50 if down else 100},100")
        t += timedelta(minutes=1)
    return "\n".join(rows) + "\n"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "rules",
    [(), ("ignore outages shorter than 5 minutes",), ("missing data counts as unavailable",)],
    ids=lambda r: " + ".join(r) or "plain",
)
def test_error_rate_outages_add_up_to_the_downtime(tmp_path: Path, rules: tuple[str, ...]) -> None:
    bad = [(_utc("2026-10-02T10:00"), _utc("2026-10-02T10:03")), (_utc("2026-10-04T10:00"), _utc("2026-10-04T10:12"))]
    text = _requests(bad, _utc("2026-10-01T00:00"), _utc("2026-10-10T00:00"))
    objective = _report(
        tmp_path,
        _lines(
            "availability at least 99% per calendar month",
            "downtime when error rate above 5% in 1 minute windows",
            *rules,
        ),
        {"requests.csv": text},
    )
    assert Decimal(objective["downtime_seconds"]) > 0
    assert _counted_outage_seconds(objective) == Decimal(objective["downtime_seconds"])


def test_sample_outages_add_up_to_the_downtime(tmp_path: Path) -> None:
    rows = ["service,timestamp,up"]
    t = _utc("2026-10-01T00:00")
    while t < _utc("2026-10-03T00:00"):
        rows.append(
            f"S,{t.isoformat()},{'false' if _utc('2026-10-02T05:00') <= t < _utc('2026-10-02T05:09') else 'true'}"
        )
        t += timedelta(minutes=1)
    objective = _report(
        tmp_path,
        _lines(
            "availability at least 99% per calendar month",
            "downtime from samples every 1 minute",
            "missing data counts as unavailable",
            "ignore outages shorter than 3 minutes",
        ),
        {"samples.csv": "\n".join(rows) + "\n"},
    )
    assert _counted_outage_seconds(objective) == Decimal(objective["downtime_seconds"])


@pytest.mark.parametrize("form", ["incidents", "error rate"])
def test_an_outage_across_the_period_start_is_judged_on_its_whole_length(tmp_path: Path, form: str) -> None:
    """15 minutes from 23:52 on 30 September: 7 of them in October. `shorter than 10
    minutes` judges the whole 15, so the 7 count, from incidents and from windows alike."""
    start, end = _utc("2026-09-30T23:52"), _utc("2026-10-01T00:07")
    if form == "incidents":
        tables = {"incidents.csv": f"service,start,end\nS,{start.isoformat()},{end.isoformat()}\n"}
        source = "downtime from incidents"
    else:
        tables = {"requests.csv": _requests([(start, end)], _utc("2026-09-29T00:00"), _utc("2026-10-03T00:00"))}
        source = "downtime when error rate above 5% in 1 minute windows"
    objective = _report(
        tmp_path,
        _lines("availability at least 99% per calendar month", source, "ignore outages shorter than 10 minutes"),
        tables,
    )
    assert objective["downtime_seconds"] == "420"


@pytest.mark.parametrize("form", ["incidents", "error rate"])
def test_an_outage_across_the_period_end_is_judged_on_its_whole_length(tmp_path: Path, form: str) -> None:
    start, end = _utc("2026-10-31T23:55"), _utc("2026-11-01T00:08")
    if form == "incidents":
        tables = {"incidents.csv": f"service,start,end\nS,{start.isoformat()},{end.isoformat()}\n"}
        source = "downtime from incidents"
    else:
        tables = {"requests.csv": _requests([(start, end)], _utc("2026-10-29T00:00"), _utc("2026-11-02T00:00"))}
        source = "downtime when error rate above 5% in 1 minute windows"
    objective = _report(
        tmp_path,
        _lines("availability at least 99% per calendar month", source, "ignore outages shorter than 10 minutes"),
        tables,
    )
    assert objective["downtime_seconds"] == "300"
