"""Timestamps without an offset become instants under one rule (sladsl.evaluation.instants):
Python's fold=0, for every zone, through the real typed views."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from sladsl.evaluation.evidence import Evidence
from sladsl.evaluation.instants import repeated_minutes

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata", "UTC"]


def _wall_times() -> list[datetime]:
    """Every 15 minutes of 2026, and every minute of the nights the clocks change in Europe and the US."""
    start = datetime(2026, 1, 1)
    times = [start + timedelta(minutes=15 * i) for i in range(365 * 96)]
    for night in (datetime(2026, 3, 8), datetime(2026, 3, 29), datetime(2026, 10, 25), datetime(2026, 11, 1)):
        times += [night + timedelta(minutes=i) for i in range(240)]
    return times


def _instants(folder: Path, zone: str, times: list[datetime], kind: str) -> list[int]:
    if kind == "csv":
        lines = ["service,timestamp,up"] + [f"a,{t.isoformat(sep=' ')},1" for t in times]
        (folder / "samples.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:  # a Parquet file of naive TIMESTAMP values
        con = duckdb.connect()
        con.execute('CREATE TABLE s (service VARCHAR, "timestamp" TIMESTAMP, up BOOLEAN)')
        con.executemany("INSERT INTO s VALUES ('a', ?, true)", [[t] for t in times])
        con.execute(f"COPY s TO '{folder / 'samples.parquet'}' (FORMAT parquet)")
        con.close()
    evidence = Evidence(folder, zone)
    try:
        view = evidence.require("samples", "the test")
        return [r[0] for r in evidence.con.execute(f'SELECT epoch_us("timestamp") FROM {view}').fetchall()]
    finally:
        evidence.close()


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_wall_times_are_read_as_pythons_fold_0(tmp_path: Path, zone: str, kind: str) -> None:
    times = _wall_times()
    tz = ZoneInfo(zone)
    expected = [int(t.replace(tzinfo=tz, fold=0).timestamp() * 1_000_000) for t in times]
    got = _instants(tmp_path, zone, times, kind)
    wrong = [(t, e, g) for t, e, g in zip(times, expected, got, strict=True) if e != g]
    assert not wrong[:5]


def test_the_repeated_hour_in_berlin_is_its_first_occurrence(tmp_path: Path) -> None:
    """The example of issue 9: 02:30 on 2026-10-25 in Berlin is 00:30 UTC (CEST), as in
    Spark, not 01:30 UTC (DuckDB's own cast); an explicit +01:00 keeps the second one."""
    (tmp_path / "incidents.csv").write_text(
        "service,start,end\napi,2026-10-25 02:30:00,2026-10-25T02:30:00+01:00\napi,2026-03-29 02:30,2026-03-29 03:30\n",
        encoding="utf-8",
    )
    evidence = Evidence(tmp_path, "Europe/Berlin")
    view = evidence.require("incidents", "the test")
    rows = evidence.con.execute(
        f"SELECT strftime(timezone('UTC', \"start\"), '%H:%M'), strftime(timezone('UTC', \"end\"), '%H:%M') FROM {view}"
    ).fetchall()
    evidence.close()
    assert rows == [("00:30", "01:30"), ("01:30", "01:30")]  # the skipped 02:30 reads as 03:30 CEST


def test_repeated_minutes_cover_each_zones_change() -> None:
    assert repeated_minutes("Europe/Berlin") == ((120, 181),)
    assert repeated_minutes("America/New_York") == ((60, 121),)
    assert repeated_minutes("UTC") == ()
