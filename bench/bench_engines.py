"""Both engines on the workload of issue 9: a month of per-minute samples, with
`missing data counts as unavailable`, beside bare DuckDB and bare Spark SQL.

Run: python bench/bench_engines.py [--services 200] [--repeat 2] [--no-spark]

Generates (once, into bench/.data/) November 2026 in UTC: per-minute samples for every
service as a directory of Parquet part files (`samples/`), with about 0.5% of the minutes
missing and 0.05% down. Then, in the same run, it times:
  * bare DuckDB computing each service's downtime (down or missing minutes × 60);
  * `sladsl.evaluation.evaluate` of an agreement judging every service from the samples,
    on `--engine duckdb`;
  * bare Spark SQL computing the same downtime, on the same local session;
  * the same evaluation on `--engine spark` (the session is started before the clock);
and checks that both engines give the same downtime for every service, and that it is
the bare query's. Ratios are against the bare query of the same engine, in the same run.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
START, END = "2026-11-01 00:00:00+00", "2026-12-01 00:00:00+00"
MINUTES = 43_200


def generate(services: int) -> Path:
    folder = DATA / f"engines-s{services}"
    parts = folder / "samples"
    if parts.is_dir() and any(parts.glob("*.parquet")):
        return folder
    parts.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for part in range(4):  # four part files, as Spark would write them
        con.execute(f"""
            COPY (SELECT 'svc-' || lpad(CAST(s AS VARCHAR), 4, '0') AS service,
                         TIMESTAMPTZ '{START}' + to_minutes(m) AS "timestamp",
                         hash(s, m, 'up') % 2000 <> 0 AS up
                  FROM range({part}, {services}, 4) a(s), range({MINUTES}) b(m)
                  WHERE hash(s, m, 'gone') % 200 <> 0)
            TO '{parts / f"part-{part}.parquet"}' (FORMAT parquet)
        """)
    return folder


def agreement(services: int) -> str:
    body = [
        f'service "svc-{n:04d}" {{ objective "Availability" {{ availability at least 99.9% per calendar month '
        "downtime from samples every 1 minute missing data counts as unavailable } "
        'credits for "Availability" { below 99.9%: 10% of monthly fee } }'
        for n in range(services)
    ]
    return 'sla "Bench" { timezone "UTC" fee 100 USD per month ' + " ".join(body) + " }"


def bare_duckdb(folder: Path) -> dict[str, int]:
    """Downtime: every minute of the period without an `up` sample (down or missing)."""
    con = duckdb.connect()
    rows = con.execute(f"""
        SELECT service, ({MINUTES} - count(DISTINCT epoch_us("timestamp") // 60000000) FILTER (WHERE up)) * 60
        FROM read_parquet('{folder / "samples" / "*.parquet"}')
        WHERE "timestamp" >= TIMESTAMPTZ '{START}' AND "timestamp" < TIMESTAMPTZ '{END}' GROUP BY service
    """).fetchall()
    con.close()
    return {service: int(seconds) for service, seconds in rows}


def bare_spark(spark: object, folder: Path) -> dict[str, int]:
    frame = spark.read.parquet(str(folder / "samples"))  # type: ignore[attr-defined]
    frame.createOrReplaceTempView("bench_samples")
    rows = spark.sql(f"""
        SELECT service, ({MINUTES} - count(DISTINCT CASE WHEN up THEN unix_micros(`timestamp`) div 60000000 END)) * 60
        FROM bench_samples
        WHERE `timestamp` >= TIMESTAMP '{START}' AND `timestamp` < TIMESTAMP '{END}' GROUP BY service
    """).collect()  # type: ignore[attr-defined]
    return {r[0]: int(r[1]) for r in rows}


def sladsl_downtime(folder: Path, text: str, engine: str) -> dict[str, int]:
    from sladsl.api import parse
    from sladsl.evaluation.evaluate import evaluate

    report = evaluate(parse(text), folder, "2026-11", engine=engine, explain=False)
    return {o.service: int(o.downtime_seconds or Decimal(0)) for o in report.objectives}


def best_of(repeat: int, work: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-spark", action="store_true", help="DuckDB only")
    args = parser.parse_args()

    folder = generate(args.services)
    count = duckdb.connect().execute(f"SELECT count(*) FROM '{folder / 'samples' / '*.parquet'}'").fetchone()
    print(
        f"data: {count[0] if count else 0:,} samples of {args.services} services (missing data counts as unavailable)"
    )
    text = agreement(args.services)
    bare_seconds, bare = best_of(args.repeat, lambda: bare_duckdb(folder))
    duck_seconds, duck = best_of(args.repeat, lambda: sladsl_downtime(folder, text, "duckdb"))
    assert duck == bare, "sladsl on DuckDB disagrees with the bare query"
    print(f"{'bare DuckDB':28} {bare_seconds:7.2f} s")
    print(f"{'sladsl --engine duckdb':28} {duck_seconds:7.2f} s   {duck_seconds / bare_seconds:5.2f}x bare DuckDB")
    if args.no_spark:
        return
    from sladsl.evaluation.engines.spark import spark_session

    started = time.perf_counter()
    spark = spark_session()
    print(f"{'Spark session start':28} {time.perf_counter() - started:7.2f} s   (once per process)")
    spark_bare_seconds, spark_bare = best_of(args.repeat, lambda: bare_spark(spark, folder))
    assert spark_bare == bare, "bare Spark SQL disagrees with bare DuckDB"
    on_spark_seconds, on_spark = best_of(args.repeat, lambda: sladsl_downtime(folder, text, "spark"))
    assert on_spark == duck, "the engines disagree"
    print(f"{'bare Spark SQL':28} {spark_bare_seconds:7.2f} s")
    print(
        f"{'sladsl --engine spark':28} {on_spark_seconds:7.2f} s   {on_spark_seconds / spark_bare_seconds:5.2f}x bare Spark, "
        f"{on_spark_seconds / duck_seconds:5.2f}x sladsl on DuckDB"
    )
    print("both engines: identical downtime for every service")


if __name__ == "__main__":
    main()
