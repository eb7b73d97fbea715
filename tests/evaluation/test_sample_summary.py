"""The fast path for samples against the gap path, through the real CLI on real CSV files.

`downtime from samples` summarises the samples in one pass; only a service whose distinct
intervals fall short of the period's has its missing intervals searched for, and they are
read from the summary's bitmap. The reference here is the old way, every service through
an anti-join of the whole grid of intervals against the samples: both must give the same
report, byte for byte, and the downtime a count by hand gives."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sladsl.evaluation import sample_outages, sql
from sladsl.evaluation.evidence import Evidence
from tests.conftest import run

START = datetime(2026, 11, 1, tzinfo=UTC)
HOURS = 30 * 24  # November 2026 in hourly intervals
SERVICES = ("complete", "edges", "gappy", "last-gap", "silent")


def _at(hour: int, minute: int = 0, second: int = 0) -> str:
    return (START + timedelta(hours=hour, minutes=minute, seconds=second)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _samples() -> tuple[list[str], dict[str, set[int]], dict[str, set[int]]]:
    """Rows, and per service the hours that are down and the hours without a sample."""
    rows: list[str] = []
    down: dict[str, set[int]] = {s: set() for s in SERVICES}
    missing: dict[str, set[int]] = {s: set(range(HOURS)) for s in SERVICES}

    def sample(service: str, hour: int, up: bool, minute: int = 0) -> None:
        rows.append(f"{service},{_at(hour, minute)},{'true' if up else 'false'}")
        if 0 <= hour < HOURS:
            missing[service].discard(hour)
            if not up:
                down[service].add(hour)

    for hour in range(HOURS):  # every hour, a few down, one sample off the interval's start
        sample("complete", hour, hour not in (5, 6, 400), minute=30 if hour == 7 else 0)
    for hour in range(HOURS):  # complete, down in the first and the last interval
        sample("edges", hour, hour not in (0, HOURS - 1))
    for hour in range(HOURS):  # gaps at the start, beside a down run, in the middle and at the end
        if hour in (0, 1, 50, 300, 301, 302, HOURS - 1):
            continue
        sample("gappy", hour, hour not in (48, 49, 51, 500))
    for hour in range(HOURS - 1):  # one interval short: the last, beside a sample at the period's end
        sample("last-gap", hour, True)
    # just outside the period: they must neither count nor fill the first or the last interval
    rows.append(f"gappy,{_at(0, second=-1)},false")
    rows.append(f"gappy,{_at(HOURS)},false")
    rows.append(f"edges,{_at(HOURS)},true")
    rows.append(f"last-gap,{_at(HOURS)},true")
    return rows, down, missing


def _agreement(policy: str) -> str:
    services = " ".join(
        f'service "{name}" {{ objective "Up" {{ availability at least 99% per calendar month '
        f"downtime from samples every 1 hour {policy} }} }}"
        for name in SERVICES
    )
    return f'sla "Fleet" {{ timezone "UTC" fee 100 USD per month {services} }}'


def _evaluate(tmp_path: Path, policy: str) -> str:
    folder = tmp_path / "data"
    folder.mkdir(parents=True, exist_ok=True)
    rows, _, _ = _samples()
    (folder / "samples.csv").write_text("\n".join(["service,timestamp,up", *rows]) + "\n", encoding="utf-8")
    sla = tmp_path / "fleet.sla"
    sla.write_text(_agreement(policy), encoding="utf-8")
    result = run("evaluate", str(sla), "--data", str(folder), "--period", "2026-11", "--format", "json", "--explain")
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def _grid_anti_join(self: Evidence, target: str, params: dict[str, Any], summary: str) -> None:
    """The reference: every interval of the grid that no sample of the period falls in."""
    view = self.require("samples", "`downtime from samples`")
    present = (
        f'SELECT service, CAST((epoch_us("timestamp") - $p0) // $step AS INTEGER) AS bucket FROM {view} '
        'WHERE epoch_us("timestamp") >= $p0 AND epoch_us("timestamp") < $p1 AND service IN (SELECT unnest($services))'
    )
    self.run(f"INSERT INTO {target} {sql.missing_buckets(present)}", {**params, "first": 0})


POLICIES = ["missing data counts as unavailable", "missing data counts as available"]


@pytest.mark.parametrize("policy", POLICIES)
def test_the_fast_path_and_the_gap_path_give_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy: str
) -> None:
    searched: list[list[str]] = []
    fill = Evidence.insert_missing_buckets

    def spy(self: Evidence, target: str, params: dict[str, Any], summary: str) -> None:
        searched.append(sorted(params["services"]))
        fill(self, target, params, summary)

    monkeypatch.setattr(Evidence, "insert_missing_buckets", spy)
    fast = _evaluate(tmp_path / "fast", policy)
    # only the service with gaps is searched, and only where gaps count
    assert searched == ([["gappy", "last-gap"]] if "unavailable" in policy else [])

    monkeypatch.setattr(sample_outages, "has_gap", lambda distinct, buckets: True)
    monkeypatch.setattr(Evidence, "insert_missing_buckets", _grid_anti_join)
    assert fast == _evaluate(tmp_path / "slow", policy)


@pytest.mark.parametrize("policy", POLICIES)
def test_the_downtime_is_the_down_and_missing_intervals_counted_by_hand(tmp_path: Path, policy: str) -> None:
    report = json.loads(_evaluate(tmp_path, policy))
    _, down, missing = _samples()
    counted = "unavailable" in policy
    by_service = {o["service"]: o for o in report["objectives"]}
    for service in ("complete", "edges", "gappy", "last-gap"):
        hours = down[service] | (missing[service] if counted else set())
        assert by_service[service]["downtime_seconds"] == str(len(hours) * 3600), service
    assert (
        missing["gappy"] >= {0, 1, 50, HOURS - 1}
        and missing["last-gap"] == {HOURS - 1}
        and not missing["edges"]
        and not missing["complete"]
    )
    assert by_service["silent"]["judged"] is False  # no samples at all: no evidence, not a month down
