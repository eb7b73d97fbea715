"""Evaluation speed on a month of per-minute samples for 1,000 services, beside bare DuckDB.

Run: python bench/bench_evaluate.py [--services 1000] [--incidents 1000000] [--repeat 3]

Generates (once, into bench/.data/) November 2026 in UTC: per-minute samples for every
service (1,000 x 43,200 = 43.2 M rows, Parquet) and 1 M incidents (Parquet). Then, in the
same run, it times:
  * `sladsl.evaluation.evaluate` of an agreement whose services are judged from samples, beside a
    bare DuckDB query computing the per-service downtime (down minutes x 60) from the file;
  * the same for incidents, beside a bare DuckDB query computing the per-service union
    of incident intervals;
the whole process a user waits for: `python -m sladsl.cli evaluate --format json` beside a
bare `python -c` DuckDB process computing the same downtime, best of --repeat, with the
ratio and whether issue 16's goal (at most 1.5x) is met (`--whole-only`: just that);
and the peak memory (VmHWM) of evaluation on a quarter, half and all of the data (services
and their samples), each in a fresh process, to show whether memory grows with the data.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
START, END = "2026-11-01 00:00:00+00", "2026-12-01 00:00:00+00"


def generate(services: int, incidents: int) -> Path:
    folder = DATA / f"s{services}-i{incidents}"
    if (folder / "samples.parquet").exists() and (folder / "incidents.parquet").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"""
        COPY (SELECT 'svc-' || lpad(CAST(s AS VARCHAR), 4, '0') AS service,
                     TIMESTAMPTZ '{START}' + to_minutes(m) AS "timestamp",
                     hash(s, m) % 2000 <> 0 AS up
              FROM range({services}) a(s), range(43200) b(m))
        TO '{folder / "samples.parquet"}' (FORMAT parquet)
    """)
    con.execute(f"""
        COPY (SELECT 'svc-' || lpad(CAST(i % {services} AS VARCHAR), 4, '0') AS service,
                     TIMESTAMPTZ '{START}' + to_seconds(CAST(hash(i, 's') % 2592000 AS BIGINT)) AS "start",
                     TIMESTAMPTZ '{START}' + to_seconds(CAST(hash(i, 's') % 2592000 + 30 + hash(i, 'd') % 1800 AS BIGINT)) AS "end",
                     CASE WHEN i % 10 = 0 THEN 'customer' ELSE '' END AS cause
              FROM range({incidents}) r(i))
        TO '{folder / "incidents.parquet"}' (FORMAT parquet)
    """)
    return folder


def agreement(services: int, source: str) -> str:
    body = []
    for n in range(services):
        body.append(
            f'service "svc-{n:04d}" {{ objective "Availability" {{ availability at least 99.9% per calendar month {source} }}'
            f' credits for "Availability" {{ below 99.9%: 10% of monthly fee }} }}'
        )
    return 'sla "Bench" { timezone "UTC" fee 100 USD per month ' + " ".join(body) + " }"


SAMPLES = "downtime from samples every 1 minute"
INCIDENTS = 'downtime from incidents ignore outages shorter than 1 minute exclude incidents caused by "customer"'


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_samples(folder: Path) -> object:
    con = duckdb.connect()
    return con.execute(f"""
        SELECT service, count(*) FILTER (WHERE NOT up) * 60 AS downtime FROM '{folder / "samples.parquet"}'
        WHERE "timestamp" >= TIMESTAMPTZ '{START}' AND "timestamp" < TIMESTAMPTZ '{END}' GROUP BY service
    """).fetchall()


def bare_incidents(folder: Path) -> object:
    con = duckdb.connect()
    return con.execute(f"""
        SELECT service, sum(e - s) FROM (
          SELECT service, min(s) s, max(e) e FROM (
            SELECT service, s, e, sum(CASE WHEN s > prev THEN 1 ELSE 0 END) OVER (PARTITION BY service ORDER BY s, e) g
            FROM (SELECT service, s, e, coalesce(max(e) OVER (PARTITION BY service ORDER BY s, e
                                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), s) prev
                  FROM (SELECT service, greatest(epoch_us("start"), epoch_us(TIMESTAMPTZ '{START}')) s,
                               least(epoch_us("end"), epoch_us(TIMESTAMPTZ '{END}')) e
                        FROM '{folder / "incidents.parquet"}' WHERE cause <> 'customer')))
          GROUP BY service, g HAVING max(e) - min(s) >= 60000000)
        GROUP BY service
    """).fetchall()


def sladsl_evaluate(folder: Path, sla_text: str) -> object:
    from sladsl.api import parse
    from sladsl.evaluation.evaluate import evaluate

    return evaluate(parse(sla_text), folder, "2026-11")


def evaluate_parsed(folder: Path, sla_text: str) -> Callable[[], object]:
    """Evaluation alone: the agreement (1,000 services) is parsed before the clock starts;
    no explanations are gathered, as `sladsl evaluate` without `--explain`."""
    from sladsl.api import parse
    from sladsl.evaluation.evaluate import evaluate

    agreement = parse(sla_text)
    return lambda: evaluate(agreement, folder, "2026-11", explain=False)


GOAL = 1.5  # issue 16: whole-process `sladsl evaluate` at most 1.5x a bare DuckDB process


def bare_process_code(folder: Path, out: Path) -> str:
    """A bare Python process: import DuckDB, compute the per-service downtime of the
    period from the same Parquet file, write the rows as JSON. Nothing of sladsl."""
    query = (
        f"SELECT service, count(*) FILTER (WHERE NOT up) * 60 AS downtime FROM '{folder / 'samples.parquet'}' "
        f"WHERE \"timestamp\" >= TIMESTAMPTZ '{START}' AND \"timestamp\" < TIMESTAMPTZ '{END}' GROUP BY service"
    )
    return (
        "import duckdb, json\n"
        "con = duckdb.connect()\n"
        "con.execute(\"SET TimeZone = 'UTC'\")\n"
        f"rows = con.execute({query!r}).fetchall()\n"
        f"json.dump([[s, int(d)] for s, d in rows], open({str(out)!r}, 'w'))\n"
    )


def whole_processes(folder: Path, sla_text: str, repeat: int) -> tuple[float, float]:
    """Best wall times of `python -m sladsl.cli evaluate --format json -o FILE` and of a bare
    `python -c` DuckDB process computing the per-service downtime from the same file and
    writing its rows as JSON: what a user waits for, Python's start and imports included.
    The two alternate, so that the machine's noise falls on both alike."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        sla = Path(scratch) / "bench.sla"
        sla.write_text(sla_text, encoding="utf-8")
        sladsl = [sys.executable, "-m", "sladsl.cli", "evaluate", str(sla), "--data", str(folder)]
        sladsl += ["--period", "2026-11", "--format", "json", "-o", str(Path(scratch) / "report.json")]
        bare = [sys.executable, "-c", bare_process_code(folder, Path(scratch) / "bare.json")]
        ours, theirs = [], []
        for _ in range(repeat):
            ours.append(best_of(1, lambda: subprocess.run(sladsl, cwd=ROOT, check=True, capture_output=True)))
            theirs.append(best_of(1, lambda: subprocess.run(bare, cwd=ROOT, check=True, capture_output=True)))
    return min(ours), min(theirs)


def goal_words(ratio: float) -> str:
    return f"goal <= {GOAL}x: {'met' if ratio <= GOAL else 'not met'}"


def _check(sla_text: str) -> object:
    from sladsl.api import check, parse

    return check(parse(sla_text))


def peak_memory(folder: Path, services: int, source: str) -> float:
    """Peak RSS in MiB of one evaluation in a fresh process, read by the child itself from
    /proc/self/status (VmHWM): the rusage of a child carries its parent's peak across fork
    and exec, so the parent's own size would hide whether evaluation grows with the data."""
    code = (
        "import bench.bench_evaluate as b; "
        f"b.sladsl_evaluate(__import__('pathlib').Path({str(folder)!r}), b.agreement({services}, {source!r})); "
        "print([line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM:')][0])"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(done.stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--whole-only", action="store_true", help="only the whole-process comparison")
    args = parser.parse_args()

    folder = generate(args.services, args.incidents)
    rows = duckdb.connect().execute(f"SELECT count(*) FROM '{folder / 'samples.parquet'}'").fetchone()
    print(f"data: {rows[0] if rows else 0:,} samples, {args.incidents:,} incidents, {args.services} services")
    samples_sla, incidents_sla = agreement(args.services, SAMPLES), agreement(args.services, INCIDENTS)
    if args.whole_only:
        ours, theirs = whole_processes(folder, samples_sla, args.repeat)
        print(
            f"whole process: sladsl {ours:.3f} s, bare DuckDB {theirs:.3f} s: {ours / theirs:.2f}x ({goal_words(ours / theirs)})"
        )
        return
    figures = {
        "bare DuckDB: samples downtime": best_of(args.repeat, lambda: bare_samples(folder)),
        "sladsl evaluate: samples": best_of(args.repeat, evaluate_parsed(folder, samples_sla)),
        "bare DuckDB: incidents union": best_of(args.repeat, lambda: bare_incidents(folder)),
        "sladsl evaluate: incidents": best_of(args.repeat, evaluate_parsed(folder, incidents_sla)),
        "parse + check of the agreement": best_of(args.repeat, lambda: _check(samples_sla)),
    }
    for name, seconds in figures.items():
        print(f"{name:34} {seconds:7.3f} s")
    samples_ratio = figures["sladsl evaluate: samples"] / figures["bare DuckDB: samples downtime"]
    incidents_ratio = figures["sladsl evaluate: incidents"] / figures["bare DuckDB: incidents union"]
    print(f"samples:   sladsl / bare = {samples_ratio:.2f}x")
    ours, theirs = whole_processes(folder, samples_sla, args.repeat)
    print(f"{'whole process: sladsl evaluate':34} {ours:7.3f} s  (parse, check, evaluate, JSON report)")
    print(f"{'whole process: bare DuckDB':34} {theirs:7.3f} s  (start Python, query, JSON rows)")
    print(f"samples, whole process: sladsl / bare = {ours / theirs:.2f}x ({goal_words(ours / theirs)})")
    figures["whole process: sladsl"], figures["whole process: bare"] = ours, theirs
    print(f"incidents: sladsl / bare = {incidents_ratio:.2f}x")
    memory = {}
    for share in (4, 2, 1):
        services = args.services // share
        data = generate(services, args.incidents // share)
        memory[services] = peak_memory(data, services, SAMPLES)
        print(
            f"peak RSS evaluating {services * 43200:>11,} samples ({services:4} services): {memory[services]:6.0f} MiB"
        )
    if args.json:
        print(
            json.dumps(
                {
                    "figures": figures,
                    "samples_ratio": samples_ratio,
                    "incidents_ratio": incidents_ratio,
                    "peak_rss_mib": memory,
                }
            )
        )


if __name__ == "__main__":
    main()
