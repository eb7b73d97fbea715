"""Both engines, one ledger: `--engine spark` must give exactly the rows `--engine duckdb`
gives, on generated portfolios with every kind of evidence (shared and customer-scoped
incidents, samples as a directory of Parquet part files, maintenance under a cap,
request windows, latency windows, tickets), over a range crossing a DST change, with
naive timestamps in the repeated hour.

The Spark tests share one local session (tests/conftest.py starts it once). Without
PySpark or Java they are skipped, unless SLADSL_REQUIRE_SPARK is set (as `.ci/run` sets
it): CI must run them, never skip them.
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from .conftest import run

AGREEMENT = """
sla "Engines" {
    timezone "Europe/Berlin"
    plans "Basic", "Pro"
    fee 1000 EUR per month
    fee 3000 EUR per month on plan "Pro"
    service "API" {
        objective "Availability" {
            availability at least 99.5% per calendar month
            availability at least 99.9% per calendar month on plan "Pro"
            downtime from incidents
            weight downtime by share affected
            exclude incidents caused by "customer"
            exclude maintenance announced at least 2 days ahead, up to 3 hours per calendar month
            round outages down to 1 minute
            chronic failure when breached in 2 consecutive periods
        }
        credits for "Availability" {
            below 99.5%: 10% of monthly fee
            below 99%: 25% of monthly fee
            at most 30% of monthly fee per 12 months
            claim by the end of the 2nd calendar month after the period
        }
        credits for "Availability" on plan "Pro" {
            below 99.9%: 5 times the fees for the downtime
        }
    }
    service "Probe" {
        objective "Up" {
            availability at least 99% per calendar month
            downtime from samples every 10 minutes
            missing data counts as unavailable
        }
        credits for "Up" { below 99%: 5% of monthly fee }
    }
    service "Gateway" {
        objective "Errors" {
            availability at least 99.8% per calendar month
            downtime when error rate above 5% in 1 hour windows with at least 10 requests
        }
        objective "Latency" {
            latency "req" p95 below 200 ms in at least 97% of 6 hour windows per calendar month
        }
        credits for "Errors" { below 99.8%: 50 EUR }
        credits for "Latency" { below 97%: 75 EUR }
    }
}
"""

START = datetime(2026, 9, 1)
DAYS = 91  # September to November: the clocks go back on 2026-10-25


def _when(rng: random.Random) -> datetime:
    return START + timedelta(minutes=rng.randrange(DAYS * 24 * 60))


def _text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])


def make_portfolio(folder: Path, seed: int, customers: int = 8) -> Path:
    """A data folder: CSV for the event tables, Parquet for telemetry, samples as a directory."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    names = [f"cust-{i:02d}" for i in range(customers)]
    rows: list[list[object]] = []
    for name in names:
        joined = START + timedelta(days=rng.randrange(60), hours=rng.randrange(24))
        start = _text(joined) if rng.random() < 0.2 else None  # each distinct part of a period is a pass
        end = _text(joined + timedelta(days=5 + rng.randrange(30))) if rng.random() < 0.15 else None
        fee = rng.choice([None, None, "1250.50", "800"])
        rows.append([name, rng.choice(["Basic", "Pro"]), fee, "EUR" if fee else None, start, end])
    _write_csv(folder / "customers.csv", ["customer", "plan", "fee", "currency", "start", "end"], rows)

    def owner() -> str | None:
        return rng.choice(names) if rng.random() < 0.4 else None

    incidents: list[list[object]] = []
    for _ in range(50):
        begin = _when(rng)
        affected = rng.choice([None, "0.5", "25%", "1"])
        cause = rng.choice([None, None, "customer"])
        incidents.append(
            ["API", _text(begin), _text(begin + timedelta(seconds=rng.randrange(30, 3000))), cause, affected, owner()]
        )
    # naive times in the repeated hour of 2026-10-25: its first occurrence on both engines
    incidents.append(["API", "2026-10-25 02:10:00", "2026-10-25 02:50:00", None, None, None])
    _write_csv(folder / "incidents.csv", ["service", "start", "end", "cause", "affected", "customer"], incidents)

    maintenance = []
    for _ in range(12):
        begin = _when(rng)
        notice = rng.choice([None, 1, 3])
        announced = _text(begin - timedelta(days=notice)) if notice else None
        maintenance.append(
            ["API", _text(begin), _text(begin + timedelta(minutes=rng.randrange(20, 200))), announced, owner()]
        )
    _write_csv(folder / "maintenance.csv", ["service", "start", "end", "announced", "customer"], maintenance)

    con = duckdb.connect()
    con.execute("SET TimeZone = 'Europe/Berlin'")
    (folder / "samples").mkdir()
    # shared samples until 31 October; from then on two customers have probes of their own
    # (two samples in one interval would be duplicates), and the others have no data
    split = 61 * 144
    parts = [(None, 0, split, 2), (names[1], split, DAYS * 144, 50), (names[2], split, DAYS * 144, 0)]
    for part, (who, first, last, dropped) in enumerate(parts):
        con.execute(
            f"""COPY (SELECT 'Probe' AS service, TIMESTAMPTZ '2026-09-01 00:00:00' + to_minutes(CAST(i * 10 AS BIGINT)) AS "timestamp",
                             hash(i, {seed}, {part}) % 400 <> 0 AS up, {f"'{who}'" if who else "CAST(NULL AS VARCHAR)"} AS customer
                      FROM range({first}, {last}) t(i) WHERE hash(i, {seed}, {part}, 'gone') % 1000 >= {dropped})
                TO '{folder / "samples" / f"part-{part}.parquet"}' (FORMAT parquet)"""
        )
    con.execute(
        f"""COPY (SELECT 'Gateway' AS service, TIMESTAMPTZ '2026-09-01 00:00:00' + to_minutes(CAST(i * 15 AS BIGINT)) AS "timestamp",
                         CAST(CASE WHEN hash(i, {seed}) % 300 = 0 THEN 80 ELSE 100 - hash(i, {seed}, 'b') % 3 END AS BIGINT) AS good, CAST(100 AS BIGINT) AS total,
                         CASE WHEN i % 50 = 0 THEN '{names[3]}' END AS customer
                  FROM range({DAYS * 96}) t(i))
            TO '{folder / "requests.parquet"}' (FORMAT parquet)"""
    )
    con.execute(
        f"""COPY (SELECT 'Gateway' AS service, 'req' AS metric, TIMESTAMPTZ '2026-09-01 00:00:00' + to_seconds(CAST(i * 137 AS BIGINT)) AS "timestamp",
                         CAST(50 + hash(i, {seed}) % 140 + (hash(i, {seed}, 'x') % 1000) / 1000 + CASE WHEN hash(i, {seed}, 's') % 45 = 0 THEN 400 ELSE 0 END AS DECIMAL(10,3)) AS value_ms,
                         CASE WHEN i % 7 = 0 THEN '{names[4]}' END AS customer
                  FROM range({DAYS * 86400 // 137}) t(i))
            TO '{folder / "latency.parquet"}' (FORMAT parquet)"""
    )
    con.close()
    return folder


def _ledger(tmp_path: Path, data: Path, engine: str, *extra: str) -> str:
    sla = tmp_path / "engines.sla"
    sla.write_text(AGREEMENT, encoding="utf-8")
    result = run("evaluate", str(sla), "--data", str(data), "--period", "2026-10..2026-11", "--engine", engine, *extra)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("seed", [7])
def test_both_engines_give_the_identical_ledger(tmp_path: Path, spark: object, seed: int) -> None:
    data = make_portfolio(tmp_path / "data", seed)
    duck = _ledger(tmp_path, data, "duckdb")
    on_spark = _ledger(tmp_path, data, "spark")
    assert on_spark == duck
    rows = list(csv.DictReader(duck.splitlines()))
    # not vacuous: every objective is judged, some breached and credited, customers differ
    assert {r["objective"] for r in rows} == {"Availability", "Up", "Errors", "Latency"}
    assert any(r["met"] == "false" for r in rows) and any(r["met"] == "true" for r in rows)
    assert any(r["amount"] not in ("", "0", "0.00") for r in rows)
    probe = {r["measured"] for r in rows if r["objective"] == "Up" and r["period"] == "2026-11"}
    assert len(probe) > 1  # customers with their own samples are measured on them


def test_one_customers_report_is_the_same_on_both_engines(tmp_path: Path, spark: object) -> None:
    data = make_portfolio(tmp_path / "data", 3)
    sla = tmp_path / "engines.sla"
    sla.write_text(AGREEMENT, encoding="utf-8")
    reports = []
    for engine in ("duckdb", "spark"):
        result = run(
            "evaluate", str(sla), "--data", str(data), "--period", "2026-10", "--customer", "cust-01",
            "--format", "json", "--engine", engine,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        reports.append(json.loads(result.stdout))
    assert reports[1] == reports[0]


def test_bad_evidence_names_the_same_row_on_spark(tmp_path: Path, spark: object) -> None:
    data = make_portfolio(tmp_path / "data", 5)
    lines = (data / "incidents.csv").read_text(encoding="utf-8").splitlines()
    fields = lines[4].split(",")
    fields[2] = "2026-13-45 10:00"
    lines[4] = ",".join(fields)
    (data / "incidents.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sla = tmp_path / "engines.sla"
    sla.write_text(AGREEMENT, encoding="utf-8")
    messages = []
    for engine in ("duckdb", "spark"):
        result = run("evaluate", str(sla), "--data", str(data), "--period", "2026-10", "--engine", engine)
        assert result.exit_code == 2
        messages.append(result.stderr)
    assert "incidents.csv: row 4 (line 5), column `end`: '2026-13-45 10:00' is not a timestamp" in messages[0]
    assert messages[1] == messages[0]


def test_duplicate_samples_are_refused_on_spark(tmp_path: Path, spark: object) -> None:
    data = make_portfolio(tmp_path / "data", 5)
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT 'Probe' AS service, TIMESTAMPTZ '2026-10-03 12:05:00+02' AS "timestamp", true AS up,
                         CAST(NULL AS VARCHAR) AS customer)
            TO '{data / "samples" / "part-9.parquet"}' (FORMAT parquet)"""
    )
    con.close()
    sla = tmp_path / "engines.sla"
    sla.write_text(AGREEMENT, encoding="utf-8")
    messages = []
    for engine in ("duckdb", "spark"):
        result = run("evaluate", str(sla), "--data", str(data), "--period", "2026-10", "--engine", engine)
        assert result.exit_code == 2, result.output
        messages.append(result.stderr)
    assert "another sample for 'Probe' falls in the same 10 minutes interval (duplicate samples)" in messages[0]
    assert messages[1] == messages[0]


def test_a_database_file_is_refused_by_spark(tmp_path: Path, spark: object) -> None:
    database = tmp_path / "evidence.duckdb"
    duckdb.connect(str(database)).close()
    sla = tmp_path / "engines.sla"
    sla.write_text(AGREEMENT, encoding="utf-8")
    result = run(
        "evaluate", str(sla), "--data", str(database), "--period", "2026-10", "--plan", "Basic", "--engine", "spark"
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--engine spark reads a folder of tables, not a DuckDB file" in result.stderr


EVIDENCE_REPROS = sorted(p.name for p in (Path(__file__).parent / "cases" / "repro").glob("ev-*") if p.is_dir())


@pytest.mark.parametrize("folder", [f for f in EVIDENCE_REPROS if f != "ev-unreadable-folder"])
def test_every_evidence_repro_gives_the_same_answer_on_spark(folder: str, spark: object) -> None:
    """The evidence that once broke sladsl (../shared/repro/ev-*): the same report, or the
    same one-line error naming the file, row and column, on both engines."""
    repro = Path(__file__).parent / "cases" / "repro"
    outcomes = []
    for engine in ("duckdb", "spark"):
        result = run(
            "evaluate", str(repro / "ev-min.sla"), "--data", str(repro / folder), "--period", "2026-10",
            "--format", "json", "--engine", engine,
        )  # fmt: skip
        assert "Traceback" not in result.output and "internal error" not in result.output
        outcomes.append((result.exit_code, result.stdout, result.stderr))
    assert outcomes[1] == outcomes[0]


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory: pytest.TempPathFactory, spark: object) -> Iterator[str]:
    """A real Spark Connect server on 127.0.0.1 (the one PySpark ships), as a cluster's would be."""
    import pyspark

    home = Path(pyspark.__file__).parent
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path_factory.mktemp("connect") / "server.log").open("w")
    command = [
        str(home / "bin" / "spark-submit"),
        "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--master", "local[1]",
        "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf", f"spark.connect.grpc.binding.port={port}",
        "--conf", "spark.ui.enabled=false",
        "spark-internal",
    ]  # fmt: skip
    server = subprocess.Popen(command, env={**os.environ, "SPARK_HOME": str(home)}, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None, "the Spark Connect server stopped; see its log"
            time.sleep(1)
        else:
            pytest.fail("the Spark Connect server did not start in 180 s")
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(60)
        log.close()


def test_spark_connect_gives_the_identical_ledger(tmp_path: Path, connect_server: str) -> None:
    """`SPARK_REMOTE` points sladsl at a cluster: the same ledger, computed by the server
    (a subprocess: one process holds either a local session or a Connect client)."""
    data = make_portfolio(tmp_path / "data", 13, customers=5)
    duck = _ledger(tmp_path, data, "duckdb")
    command = [
        sys.executable, "-m", "sladsl.cli", "evaluate", str(tmp_path / "engines.sla"), "--data", "data",
        "--period", "2026-10..2026-11", "--engine", "spark",
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=tmp_path, env={**os.environ, "SPARK_REMOTE": connect_server}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == duck


# ---- one rule per case on both engines (round 3: ../shared/repro/t3 r05, r07, r10, r11) ------

ENGINE_CASES = Path(__file__).parent / "cases" / "engines"


def _case_folder(tmp_path: Path, case: str) -> Path:
    """The shared evidence (`base/`, comma-separated UTF-8 CSV) with the case's files in
    place of the base files of the same tables."""
    data = tmp_path / "data"
    shutil.copytree(ENGINE_CASES / "base", data)
    for item in (ENGINE_CASES / case).iterdir():
        table = item.name.split(".")[0]
        for old in data.glob(f"{table}.*"):
            old.unlink()
        if item.is_dir():
            shutil.copytree(item, data / item.name)
        else:
            shutil.copy(item, data / item.name)
    return data


def _both_engines(*args: str) -> tuple[int, str, str]:
    """The outcome of `sladsl evaluate ARGS` on DuckDB, required to be Spark's too."""
    outcomes = []
    for engine in ("duckdb", "spark"):
        result = run("evaluate", *args, "--engine", engine)
        assert "Traceback" not in result.output and "internal error" not in result.output, result.output
        outcomes.append((result.exit_code, result.stdout, result.stderr))
    assert outcomes[1] == outcomes[0]
    return outcomes[0]


def _case(tmp_path: Path, case: str) -> tuple[int, str, str]:
    data = _case_folder(tmp_path, case) if case != "base" else ENGINE_CASES / "base"
    return _both_engines(str(ENGINE_CASES / "ev.sla"), "--data", str(data), "--period", "2026-10")


@pytest.fixture(scope="module")
def base_ledger(spark: object) -> str:
    code, stdout, stderr = _case(Path(), "base")
    assert code == 0, stderr
    return stdout


@pytest.mark.parametrize("case", ["incidents-semicolons", "ns-parquet"])
def test_the_same_evidence_in_another_shape_gives_the_same_ledger(tmp_path: Path, base_ledger: str, case: str) -> None:
    """r11: a `;`-separated CSV (the delimiter is detected once, for both engines) and Parquet
    TIMESTAMP(NANOS) (pandas' default: Spark refused it) hold the base's rows: the same ledger."""
    code, stdout, stderr = _case(tmp_path, case)
    assert code == 0, stderr
    assert stdout == base_ledger


def test_json_strings_are_read_like_csv_text_on_both_engines(tmp_path: Path, spark: object) -> None:
    """r11: `"up": "true"` beside `"up": true` and `1` (DuckDB refused the string, Spark took it)."""
    code, stdout, stderr = _case(tmp_path, "samples-mixed-types-jsonl")
    assert code == 0, stderr
    probe = [row for row in csv.DictReader(stdout.splitlines()) if row["objective"] == "Probe"]
    assert probe and probe[0]["measured"] not in ("", "100")  # judged on the samples, not all refused


def test_an_excluded_cause_in_latin1_is_refused_on_both_engines(tmp_path: Path, spark: object) -> None:
    """r07: in UTF-8 the incident caused by "höhere Gewalt" is excluded (3000 s of downtime for
    c1); in Latin-1 Spark read it as `h\\ufffdhere Gewalt` and counted it (10200 s): now both
    refuse the file, naming the line."""
    code, stdout, stderr = _case(tmp_path, "incidents-utf8-cause")
    assert code == 0, stderr
    c1 = next(r for r in csv.DictReader(stdout.splitlines()) if r["customer"] == "c1" and r["objective"] == "Uptime")
    assert c1["downtime_seconds"] == "3000"
    code, stdout, stderr = _case(tmp_path / "latin1", "incidents-latin1-cause")
    assert code == 2 and stdout == ""
    assert stderr.endswith(
        "/data/incidents.csv: line 5: not UTF-8 text (evidence files are read as UTF-8: save the file as UTF-8)\n"
    )
    assert len(stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (  # r11: Spark failed with `o39222.collectToPython`, DuckDB read the strings as booleans
            "samples-parquet-dir-schema-mismatch",
            "/data/samples/part-1.parquet: column `up` is VARCHAR, but BOOLEAN in {data}/samples/part-0.parquet",
        ),
        # r10: `internal error (Footer length error ...)` on both engines
        ("garbage-part", "/data/samples/part-1.parquet: cannot be read (Footer length error)"),
    ],
)
def test_a_bad_part_file_is_named_on_both_engines(tmp_path: Path, spark: object, case: str, message: str) -> None:
    code, stdout, stderr = _case(tmp_path, case)
    assert code == 2 and stdout == "" and len(stderr.splitlines()) == 1
    assert message.format(data=tmp_path / "data") in stderr


def test_resolution_within_is_judged_on_spark(spark: object) -> None:
    """r05: Spark said the tickets had no `resolved` column (it asked DuckDB's column list)."""
    code, stdout, stderr = _both_engines(
        "samples/cloud-platform.sla",
        "--data",
        "samples/evidence/cloud-platform",
        "--period",
        "2026-10",
        "--plan",
        "Premium",
    )
    assert code == 0, stderr
    assert "resolution within 8 hours: 2 of 2 met" in stdout
