"""Both engines type evidence alike: a differential property test.

Each example writes one small evidence table (CSV, JSON lines or Parquet) from generated,
deliberately awkward values — timestamps with and without offsets, in the hour the clocks
go back (2026-10-25 02:00-03:00 in Berlin) and the hour they skip (2026-03-29), numbers
such as `.5`, `1e3`, `1_000` or `NaN`, shares such as `40.5 %`, booleans in many spellings —
reads it with `Evidence` (DuckDB) and with `SparkEvidence`, and requires the same typed rows
from both, or the same `EvidenceError`.

Spark reads cost about a second each: the examples are few, and the Spark session is the one
of the test run (the `spark` fixture). Without PySpark or Java the tests are skipped.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from sladsl.evaluation.evidence import Evidence, EvidenceError

ZONE = "Europe/Berlin"
SETTINGS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,  # the same examples on every run: a red run is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---- the engines, side by side -------------------------------------------------------------


def _typed(engine: type[Evidence], folder: Path, table: str) -> tuple[str, Any]:
    """("rows", the typed rows in order) or ("error", the message)."""
    evidence = engine(folder, ZONE)
    try:
        view = evidence.require(table, "the test")
        if view.startswith("spark_"):  # samples stay in Spark: compare the typed frame itself
            frame = evidence._frames[table]  # type: ignore[attr-defined]
            evidence.con.register("typed_arrow", frame.toArrow())
            view = "typed_arrow"
        rows = evidence.con.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall()
        # in UTC: two aware datetimes of one zone compare by wall clock, and the two 02:30 of the
        # night the clocks go back differ only in `fold`
        return "rows", [tuple(_utc(v) for v in row) for row in rows]
    except EvidenceError as exc:
        return "error", str(exc)
    finally:
        evidence.close()


def _utc(value: Any) -> Any:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def assert_alike(folder: Path, table: str) -> tuple[str, Any]:
    from sladsl.evaluation.engines.spark import SparkEvidence

    duck = _typed(Evidence, folder, table)
    spark = _typed(SparkEvidence, folder, table)
    assert spark == duck
    return duck


def _in_folder(write: Callable[[Path], None], table: str) -> tuple[str, Any]:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        write(folder)
        return assert_alike(folder, table)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str | None]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])


def write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


# ---- awkward values ------------------------------------------------------------------------

GARBAGE = st.text(alphabet="0123456789abcdeEnNTZ:-+./% _", max_size=12)

DAYS = st.sampled_from(["2026-10-25", "2026-03-29", "2026-10-24", "2026-01-05", "2026-07-01"])
OTHER_DAYS = st.sampled_from(
    ["2026/10/25", "2026 03 29", "2026-1-5", "1970-01-01", "26-01-05", "2024-02-29", "2026-02-29"]
)


@st.composite
def wall_clock(draw: st.DrawFn) -> str:
    hour = draw(st.sampled_from(["00", "01", "02", "02", "02", "03", "12", "23", "24", "7", "25"]))
    minute = draw(st.sampled_from(["00", "30", "59", "5", "60"]))
    text = f"{hour}:{minute}"
    if draw(st.booleans()):
        text += ":" + draw(st.sampled_from(["00", "45", "59", "7", "60"]))
        if draw(st.booleans()):
            text += "." + draw(st.sampled_from(["", "5", "123456", "1234567", "000000001"]))
    return text


ZONES = st.sampled_from(
    [
        "Z",
        "+01:00",
        "+02:00",
        "-05:30",
        "+0100",
        "+01",
        "+19:00",
        "+01:30:15",
        " +01:00",
        " +01",
        " Z",
        "z",
        " UTC",
        " utc",
        " Europe/Paris",
        " europe/berlin",
        " America/New_York",
        " pst",
        " EST",
        " GMT+1",
        " Mars/Base",
        "Europe/Berlin",
    ]
)


@st.composite
def timestamp_text(draw: st.DrawFn) -> str:
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return draw(GARBAGE)
    if choice == 1:
        return draw(
            st.sampled_from(["epoch", "2026-10-25T10", "20261025", "Jan 5 2026", "2026-01-05 (BC)", "2026-01-0510:00"])
        )
    day = draw(OTHER_DAYS if choice == 2 else DAYS)
    if choice == 3:
        return day  # a date only: midnight where the agreement is
    text = day + draw(st.sampled_from([" ", "T", "  ", "t"])) + draw(wall_clock())
    if draw(st.booleans()):
        text += draw(ZONES)
    return text


@st.composite
def instant_text(draw: st.DrawFn) -> str:
    return draw(timestamp_text())


NUMBERS = st.one_of(
    st.sampled_from(
        ["12", "-0.5", ".5", "5.", "1e3", "1E-2", "1_000", "0x10", "NaN", "inf", "1.0000000005", "+7", "-0", "1,5"]
    ),
    st.sampled_from(["9" * 29, "9" * 40, "1" + "0" * 28, "0." + "3" * 20, "1e28", "1e29"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=10**6).map(str),
    GARBAGE,
)
SHARES = st.one_of(
    st.sampled_from(
        ["0.4", "40%", "40.5 %", "1.5", "-0.1", "1", "0", "100%", "0.123456789", "0.1234567891", "12.3456789%"]
    ),
    st.sampled_from(["12.34567891%", ".5", "5.", "40 %", "40%%", "%", "+0.4", "1e-1", "101%", "9" * 25 + "%"]),
    GARBAGE,
)
BOOLEANS = st.sampled_from(
    ["true", "false", "T", "F", "yes", "no", "Y", "N", "1", "0", "on", "off", "TRUE", "tRuE", "2", "", " yes "]
)
INTEGERS = st.one_of(
    st.sampled_from(["1", "1.5", "+7", "-3", "99.0", "007", "1e3", "0x10", "1_000", " 8 ", "+-1"]),
    st.sampled_from(["9223372036854775807", "9223372036854775808", "-9223372036854775808", "9" * 30]),
    st.integers(0, 10**6).map(str),
    GARBAGE,
)
MAYBE = st.none() | st.just("")


# ---- the properties ------------------------------------------------------------------------


@SETTINGS
@given(
    st.lists(
        st.tuples(instant_text(), instant_text(), st.none() | SHARES, st.none() | st.sampled_from(["customer", " "])),
        min_size=1,
        max_size=4,
    )
)
@example([("2026-10-25 02:30+01:00", "2026-10-25 03:00:00", "40.5 %", None)])  # Spark refused `HH:MM+01:00`
@example([("2026/03/29 01:00", "2026-03-29 24:00", None, None)])  # Spark refused `/` dates and 24:00
@example([("2026-01-05T10", "2026-01-05 11:00:00 +01:00", None, None)])  # Spark took both; DuckDB neither
def test_incidents_csv(spark: object, rows: list[tuple[str, str, str | None, str | None]]) -> None:
    def write(folder: Path) -> None:
        write_csv(
            folder / "incidents.csv",
            ["service", "start", "end", "cause", "affected", "customer"],
            [["API", start, end, cause, affected, None] for start, end, affected, cause in rows],
        )

    _in_folder(write, "incidents")


@SETTINGS
@given(st.lists(st.tuples(instant_text(), INTEGERS, INTEGERS | MAYBE), min_size=1, max_size=4))
@example([("2026-01-05 10:00:00 pst", "3", "5")])  # zone names in any case, as DuckDB (ICU) finds them
@example([("2026-01-05 10:00:00+19:00", "1", "2")])  # an offset past 18 hours: Spark refused it
@example([("epoch", "0", "0")])
def test_requests_csv(spark: object, rows: list[tuple[str, str, str | None]]) -> None:
    def write(folder: Path) -> None:
        write_csv(
            folder / "requests.csv",
            ["service", "timestamp", "good", "total"],
            [["API", when, good, total] for when, good, total in rows],
        )

    _in_folder(write, "requests")


@SETTINGS
@given(st.lists(st.tuples(instant_text(), BOOLEANS), min_size=1, max_size=5))
def test_samples_csv(spark: object, rows: list[tuple[str, str]]) -> None:
    def write(folder: Path) -> None:
        write_csv(
            folder / "samples.csv",
            ["service", "timestamp", "up"],
            [["Probe", when, up] for when, up in rows],
        )

    _in_folder(write, "samples")


JSON_NUMBERS = st.one_of(
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
    st.sampled_from([99.0, 0.1, 120.5, 1e-10, 2.5e-9, 1e23, 8.41e21, 1e30]),
)


@SETTINGS
@given(
    st.lists(instant_text(), min_size=1, max_size=4),
    st.one_of(
        st.lists(JSON_NUMBERS, min_size=4, max_size=4),  # a column of numbers, or of strings:
        st.lists(NUMBERS, min_size=4, max_size=4),  # DuckDB's JSON type for a mixed column is wrong
    ),
    st.booleans(),
)
@example(["2026-10-25 01:00:00"], [1e23, 1, 2, 3], False)  # Java 17 prints 1e23 as 9.999999999999999E22
@example(["2026-10-25 01:00:00"], [99.0, 1, 2, 3], True)  # Spark SQL had no one-argument `trunc`
def test_latency_jsonl(spark: object, times: list[str], values: list[Any], as_integer: bool) -> None:
    def write(folder: Path) -> None:
        rows = [
            {"service": "API", "metric": "req", "timestamp": when, "value_ms": v}
            for when, v in zip(times, values, strict=False)
        ]
        if as_integer:  # the same values as counts
            rows = [
                {"service": "API", "timestamp": r["timestamp"], "good": r["value_ms"], "total": r["value_ms"]}
                for r in rows
            ]
        write_jsonl(folder / ("requests.jsonl" if as_integer else "latency.jsonl"), rows)

    _in_folder(write, "requests" if as_integer else "latency")


@SETTINGS
@given(
    st.sampled_from(["naive", "utc", "date", "text"]),
    st.lists(st.integers(0, 3 * 3600 - 1), min_size=1, max_size=4),
    st.sampled_from(["double", "decimal", "int", "text"]),
    st.lists(
        st.floats(min_value=-1e15, max_value=1e15)
        | st.sampled_from([99.0, 120.5, 0.1, 1e-10, 5e-10, 1e27, float("nan"), float("inf")]),
        min_size=4,
        max_size=4,
    ),
    st.booleans(),
)
@example("naive", [1800, 5400], "double", [99.0, 0.5, 1.0, 2.0], True)  # a whole float is a count
def test_parquet(
    spark: object, time_kind: str, seconds: list[int], value_kind: str, values: list[float], as_integer: bool
) -> None:
    """Typed Parquet columns: naive or UTC timestamps from 01:00 on the night the clocks go back
    (through the repeated hour), dates, and doubles, decimals and integers."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    base = datetime(2026, 10, 25, 1, 0)
    moments = [base + timedelta(seconds=s) for s in seconds]
    if time_kind == "naive":
        times = pa.array(moments, pa.timestamp("us"))
    elif time_kind == "utc":
        times = pa.array([m.replace(tzinfo=UTC) - timedelta(hours=1) for m in moments], pa.timestamp("us", tz="UTC"))
    elif time_kind == "date":
        times = pa.array(
            [(m - timedelta(days=s % 3)).date() for m, s in zip(moments, seconds, strict=True)], pa.date32()
        )
    else:
        times = pa.array([m.isoformat(sep=" ") for m in moments], pa.string())
    n = len(moments)
    values = values[:n]
    if value_kind == "double":
        column = pa.array(values, pa.float64())
    elif value_kind == "decimal":
        finite = [Decimal(str(round(v, 3))) if v == v and abs(v) < 1e16 else None for v in values]
        column = pa.array(finite, pa.decimal128(20, 3))
    elif value_kind == "int":
        column = pa.array([int(v) if v == v and abs(v) < 9e18 else None for v in values], pa.int64())
    else:
        column = pa.array([repr(v) for v in values], pa.string())
    assume(not (as_integer and value_kind == "decimal"))  # DuckDB refuses a DECIMAL count; so does Spark

    def write(folder: Path) -> None:
        if as_integer:
            table = pa.table({"service": ["API"] * n, "timestamp": times, "good": column, "total": column})
            pq.write_table(table, folder / "requests.parquet")
        else:
            table = pa.table({"service": ["API"] * n, "metric": ["req"] * n, "timestamp": times, "value_ms": column})
            pq.write_table(table, folder / "latency.parquet")

    _in_folder(write, "requests" if as_integer else "latency")


# ---- each divergence found, and what DuckDB reads wrongly -----------------------------------

# Spark's own cast refused these, which DuckDB's read; both engines now take only the one
# grammar (`instants.ISO_TIMESTAMP`), so each is read alike or refused alike
ONCE_DIVERGENT = [
    "2026-10-25 02:30+01:00",
    "2026/01/05",
    "2026 01 05 10:00",
    "2026\\01\\05",
    "2026-01-05 24:00:00",
    "2026-01-05T10:00:00+19:00",
    "2026-01-05 12:00:00 pst",
    "2026-01-05 12:00:00 europe/berlin",
    "2026-01-05 12:00:00 GMT-0130",
    "2026-01-05 12:00:00+99:99",
    "2026-01-05 10:5:7",
    "2026-01-05 010:00",
    "2026-01-05\t10:00",
    "epoch",
    "infinity",
    "2026-01-05 (BC)",
    "2026-10-25 02:30:00 UTC+01:00",  # DuckDB's old reading moved an explicit offset
    "2026-10-25 02:30:00+01:00:00",
    "2026-10-25 02:30:00 Europe/Berlin",  # ICU took the second occurrence for a zone name
    # and the rule of the repeated and the skipped hour
    "2026-10-25 02:30:00",
    "2026-10-25 02:30:00+01:00",
    "2026-03-29 02:30:00",
    "2026-10-25 02:30:00.1234567",
    "2026-10-25T02:30:00.123456Z",
    "2026-10-25 02:30+0100",
    "2026-10-25 02:30+01",
]
REFUSED_ALIKE = [
    # Spark's own cast read these, which DuckDB refuses; neither is the one grammar
    "2026-01-05T10",
    "2026-01-05 12:00:00 +01:00",
    "2026-10-25 02:30:00 +01",
    "2026-10-25 02:30:00Europe/Berlin",
    "2026-10-25T02:30:00 Z",
    "2026-01-05 10:00:00 +01:00:00",
    "2026-01-0510:00",
    "2026-01-05 12:00:00 pst",
    "2026/01/05",
    "infinity",
]


@pytest.mark.parametrize("value", ONCE_DIVERGENT)
def test_the_timestamps_spark_read_differently(spark: object, value: str) -> None:
    def write(folder: Path) -> None:
        rows = [["API", value, "2027-01-01 00:00:00", None, None, None]]
        write_csv(folder / "incidents.csv", ["service", "start", "end", "cause", "affected", "customer"], rows)

    _in_folder(write, "incidents")  # asserts both engines agree, rows or error


@pytest.mark.parametrize("value", REFUSED_ALIKE)
def test_the_timestamps_spark_took_are_refused(spark: object, value: str) -> None:
    def write(folder: Path) -> None:
        write_csv(folder / "requests.csv", ["service", "timestamp", "good", "total"], [["API", value, "1", "1"]])

    kind, message = _in_folder(write, "requests")
    assert kind == "error" and f"{value!r} is not a timestamp" in message


def test_floats_as_decimals_and_counts(spark: object) -> None:
    """Java 17's Double.toString is not the shortest text (1e23, 8.41e21); `trunc(x)` is not Spark SQL."""

    def write(folder: Path) -> None:
        values = [1e23, 8.41e21, 2.82879384806159e17, 0.1, 120.5]
        write_jsonl(
            folder / "latency.jsonl",
            [{"service": "API", "metric": "m", "timestamp": "2026-01-05", "value_ms": v} for v in values],
        )
        write_jsonl(
            folder / "requests.jsonl",
            [{"service": "API", "timestamp": "2026-01-05", "good": v, "total": 100.0} for v in (99.0, 0.0, 100.0)],
        )

    with tempfile.TemporaryDirectory() as name:
        write(Path(name))
        kind, rows = assert_alike(Path(name), "latency")
        assert kind == "rows" and Decimal("1E+23") in [r[3] for r in rows]
        kind, rows = assert_alike(Path(name), "requests")
        assert kind == "rows" and [r[2] for r in rows] == [0, 99, 100]


@pytest.mark.xfail(strict=True, reason="left alone: see the report of each case")
@pytest.mark.parametrize(
    ("table", "row"),
    [
        # Java 17 prints 1.9400994884341945e25 as ...44e25, and both read back as the same float
        ("latency", {"service": "API", "metric": "m", "timestamp": "2026-01-05", "value_ms": 1.9400994884341945e25}),
    ],
)
def test_known_duckdb_errors(spark: object, table: str, row: dict[str, Any]) -> None:
    def write(folder: Path) -> None:
        if isinstance(row["timestamp"], str) and table == "requests" and row["good"] == 1:  # as text, in a CSV file
            write_csv(folder / "requests.csv", list(row), [[str(v) for v in row.values()]])
            return
        rows = [row, {**row, "timestamp": "2026-01-06", **({"good": 12} if table == "requests" else {})}]
        write_jsonl(folder / f"{table}.jsonl", rows)

    _in_folder(write, table)


# ---- one rule per file format on both engines (round 3: ../shared/repro/t3 r07, r10, r11) ------


@pytest.mark.parametrize(
    "rows",
    [
        # DuckDB's JSON type for a mixed column kept the quotes of "12" and "true" and refused them
        [{"service": "API", "timestamp": "2026-01-05", "good": "12", "total": 12}, {"service": "API", "good": 3}],
        [{"service": "API", "timestamp": "2026-01-05", "good": 1, "total": "2"}, {"service": "API", "good": 3}],
    ],
)
def test_a_mixed_json_column_is_read_like_csv_text(spark: object, rows: list[dict[str, Any]]) -> None:
    def write(folder: Path) -> None:
        write_jsonl(folder / "requests.jsonl", [{"timestamp": "2026-01-06", "total": 12, **row} for row in rows])

    kind, typed = _in_folder(write, "requests")
    assert kind == "rows" and len(typed) == 2


def test_json_string_booleans_are_booleans(spark: object) -> None:
    def write(folder: Path) -> None:
        ups: list[Any] = [True, "true", 1, "no", False, " 0 "]
        write_jsonl(
            folder / "samples.jsonl",
            [{"service": "P", "timestamp": f"2026-01-05 0{i}:00", "up": up} for i, up in enumerate(ups)],
        )

    kind, typed = _in_folder(write, "samples")
    assert kind == "rows" and [row[2] for row in typed] == [True, True, True, False, False, False]


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("incidents.csv", "service,start,end,cause\nAPI,2026-01-05,2026-01-06,h\xf6here Gewalt\n", 2),
        # `;`-separated: the sniffer cannot read it, so no engine guesses a comma
        ("incidents.csv", "service;start;end;cause\nAPI;2026-01-05;2026-01-06;x\nAPI;2026-01-05;2026-01-06;\xe9\n", 3),
        (
            "incidents.jsonl",
            '{"service": "API", "start": "2026-01-05", "end": "2026-01-06"}\n{"service": "\xc4PI"}\n',
            2,
        ),
        ("incidents.csv", "service,start,end,caus\xe9\nAPI,2026-01-05,2026-01-06,x\n", 1),  # in the header
    ],
)
def test_text_that_is_not_utf8_is_refused_alike(spark: object, name: str, content: str, line: int) -> None:
    """Spark decoded Latin-1 to U+FFFD and went on (an excluded cause was no longer excluded)."""

    def write(folder: Path) -> None:
        (folder / name).write_bytes(content.encode("latin-1"))

    kind, message = _in_folder(write, "incidents")
    assert kind == "error" and f"{name}: line {line}: not UTF-8 text" in message


def test_a_replacement_character_written_as_utf8_is_text(spark: object) -> None:
    """U+FFFD in a UTF-8 file is a character like any other: only undecodable bytes are refused."""

    def write(folder: Path) -> None:
        write_csv(
            folder / "incidents.csv",
            ["service", "start", "end", "cause"],
            [["API", "2026-01-05", "2026-01-06", "h\ufffdhere"]],
        )

    kind, typed = _in_folder(write, "incidents")
    assert kind == "rows" and typed[0][3] == "h\ufffdhere"


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_the_csv_delimiter_is_detected_alike(spark: object, delimiter: str) -> None:
    """Detected once (DuckDB's sniffer), read with it by both engines: Spark refused `;`."""

    def write(folder: Path) -> None:
        rows = [["service", "start", "end", "cause"], ["API", "2026-01-05 10:00", "2026-01-05 11:00", '"a, b"']]
        rows.append(["API", "2026-01-06", "2026-01-07", ""])
        (folder / "incidents.csv").write_text("".join(delimiter.join(r) + "\n" for r in rows), encoding="utf-8")

    kind, typed = _in_folder(write, "incidents")
    assert kind == "rows" and [row[3] for row in typed] == ["a, b", None]


def test_nanosecond_parquet_timestamps_are_read_alike(spark: object) -> None:
    """Parquet TIMESTAMP(NANOS), pandas' default (Spark refused it): wall-clock times (in the hour
    the clocks go back: the first occurrence) and UTC instants, cut to the microsecond below."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    # 2026-10-26 07:33:20 plus 999 ns and less 1 ns; 02:29:59.9999995 and 02:30:00.000000001
    # on the night the clocks go back; as wall-clock times in Berlin, or as UTC instants
    base = 1_793_000_000 * 10**9
    repeated = 1_792_895_400 * 10**9
    nanos = [base + 999, base - 1, repeated - 500, repeated + 1]

    def write(folder: Path) -> None:
        n = len(nanos)
        naive = pa.array(nanos, pa.int64()).cast(pa.timestamp("ns"))
        aware = pa.array(nanos, pa.int64()).cast(pa.timestamp("ns", tz="UTC"))
        pq.write_table(
            pa.table({"service": ["API"] * n, "metric": ["m"] * n, "timestamp": naive, "value_ms": [1.0] * n}),
            folder / "latency.parquet",
        )
        pq.write_table(
            pa.table({"name": ["c"] * n, "issued": aware, "expires": aware}), folder / "certifications.parquet"
        )

    with tempfile.TemporaryDirectory() as name:
        write(Path(name))
        kind, rows = assert_alike(Path(name), "latency")
        assert kind == "rows"
        berlin = ZoneInfo(ZONE)
        wall = [datetime(1970, 1, 1) + timedelta(microseconds=n // 1000) for n in nanos]
        assert sorted(r[2] for r in rows) == sorted(w.replace(tzinfo=berlin).astimezone(UTC) for w in wall)
        kind, rows = assert_alike(Path(name), "certifications")
        assert kind == "rows"
        assert sorted(r[1] for r in rows) == sorted(
            datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=n // 1000) for n in nanos
        )


def test_part_files_must_agree_alike(spark: object) -> None:
    """A needed column missing from one part file (DuckDB refused it, Spark read it as empty,
    making customer rows shared ones), and a folder without part files."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def write(folder: Path) -> None:
        (folder / "samples").mkdir()
        row = {"service": ["P"], "timestamp": ["2026-01-05 10:00"], "up": [True]}
        pq.write_table(pa.table({**row, "customer": ["c1"]}), folder / "samples" / "part-0.parquet")
        pq.write_table(pa.table(row), folder / "samples" / "part-1.parquet")

    kind, message = _in_folder(write, "samples")
    assert kind == "error" and "samples/part-1.parquet: has no column `customer`, which" in message
    kind, message = _in_folder(lambda folder: (folder / "samples").mkdir(), "samples")
    assert kind == "error" and message.endswith("samples: no Parquet part files in the folder")
