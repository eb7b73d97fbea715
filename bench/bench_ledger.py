"""The credit ledger for many customers, beside bare DuckDB computing the same downtime.

Run: python bench/bench_ledger.py [--customers 10000] [--incidents 100000] [--repeat 3]

Generates (once, into bench/.data/) November 2026 in UTC for three services: per-minute
samples of one service (shared by every customer), 200 shared incidents and
`--incidents` customer-scoped incidents spread over `--customers` customers, of which a
tenth joined on the 16th. Then, in the same run, it times:
  * `sladsl.evaluation.ledger.evaluate_ledger` writing every customer x service x objective row;
  * a bare DuckDB query computing the same per-customer downtime: the union of the
    shared and the customer's own incident intervals per (customer, service), clipped to
    the subscribed part of the month, and the down minutes of the shared samples;
and prints the ratio with whether the goal (<= 1.5x) is met. Both read the same files; the
first run of each is a warm-up. Then the peak memory (VmHWM) of the ledger and of the bare
query, each in a fresh process, at 1/4, 1/2 and all of the customers (the same incidents):
the ledger's should stay flat as customers grow. `--no-memory` skips that part.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / ".data"
START = "2026-11-01 00:00:00+00"

AGREEMENT = """
sla "Portfolio" {
    timezone "UTC"
    fee 100 USD per month
    service "Probes" {
        objective "Availability" {
            availability at least 99.9% per calendar month
            downtime from samples every 1 minute
        }
        credits for "Availability" { below 99.9%: 10% of monthly fee }
    }
    service "API" {
        objective "Availability" {
            availability at least 99.9% per calendar month
            ignore outages shorter than 1 minute
        }
        credits for "Availability" { below 99.9%: 10% of monthly fee  below 99%: 25% of monthly fee }
    }
    service "Console" {
        objective "Availability" { availability at least 99.5% per calendar month }
        credits for "Availability" { below 99.5%: 10 times the fees for the downtime }
    }
}
"""


def generate(customers: int, incidents: int) -> Path:
    folder = DATA / f"ledger-c{customers}-i{incidents}"
    if (folder / "incidents.parquet").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"""
        COPY (SELECT 'cust-' || lpad(CAST(c AS VARCHAR), 6, '0') AS customer,
                     CASE WHEN c % 10 = 0 THEN TIMESTAMPTZ '2026-11-16 00:00:00+00' END AS "start",
                     CAST(NULL AS TIMESTAMPTZ) AS "end", CAST(NULL AS DECIMAL(10,2)) AS fee, CAST(NULL AS VARCHAR) AS currency,
                     CAST(NULL AS VARCHAR) AS plan
              FROM range({customers}) r(c))
        TO '{folder / "customers.parquet"}' (FORMAT parquet)
    """)
    con.execute(f"""
        COPY (SELECT 'Probes' AS service, TIMESTAMPTZ '{START}' + to_minutes(m) AS "timestamp",
                     hash(m) % 900 <> 0 AS up, CAST(NULL AS VARCHAR) AS customer
              FROM range(43200) b(m))
        TO '{folder / "samples.parquet"}' (FORMAT parquet)
    """)
    con.execute(f"""
        COPY (SELECT CASE WHEN i % 2 = 0 THEN 'API' ELSE 'Console' END AS service,
                     TIMESTAMPTZ '{START}' + to_seconds(CAST(hash(i, 's') % 2592000 AS BIGINT)) AS "start",
                     TIMESTAMPTZ '{START}' + to_seconds(CAST(hash(i, 's') % 2592000 + 30 + hash(i, 'd') % 1800 AS BIGINT)) AS "end",
                     '' AS cause,
                     CASE WHEN i < 200 THEN NULL ELSE 'cust-' || lpad(CAST(hash(i, 'c') % {customers} AS VARCHAR), 6, '0') END AS customer
              FROM range({incidents} + 200) r(i))
        TO '{folder / "incidents.parquet"}' (FORMAT parquet)
    """)
    return folder


BARE = """
WITH cust AS (
  SELECT customer, epoch_us(coalesce("start", TIMESTAMPTZ '2026-11-01 00:00:00+00')) AS c0,
         epoch_us(TIMESTAMPTZ '2026-12-01 00:00:00+00') AS c1 FROM read_parquet('{f}/customers.parquet')),
raw AS (SELECT * FROM read_parquet('{f}/incidents.parquet')),
joined AS (
  SELECT c.*, i.service, i."start", i."end" FROM raw i CROSS JOIN cust c WHERE i.customer IS NULL
  UNION ALL SELECT c.*, i.service, i."start", i."end" FROM raw i JOIN cust c USING (customer)),
inc AS (
  SELECT customer, service, greatest(epoch_us("start"), c0) AS s, least(epoch_us("end"), c1) AS e
  FROM joined WHERE epoch_us("end") > c0 AND epoch_us("start") < c1),
marked AS (
  SELECT *, max(e) OVER (PARTITION BY customer, service ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
  FROM inc),
islands AS (
  SELECT *, sum(CASE WHEN prev IS NULL OR s > prev THEN 1 ELSE 0 END) OVER (PARTITION BY customer, service ORDER BY s, e) AS k
  FROM marked),
outages AS (SELECT customer, service, min(s) AS s, max(e) AS e FROM islands GROUP BY customer, service, k),
incident_downtime AS (
  SELECT customer, service, sum(CASE WHEN service = 'API' AND e - s < 60000000 THEN 0 ELSE e - s END) AS us
  FROM outages GROUP BY ALL),
starts AS (SELECT DISTINCT c0 FROM cust),
probe_by_start AS (
  SELECT st.c0, count(*) FILTER (WHERE NOT up) * 60000000 AS us
  FROM read_parquet('{f}/samples.parquet') p JOIN starts st ON epoch_us(p."timestamp") >= st.c0 GROUP BY 1),
probe AS (SELECT c.customer, 'Probes' AS service, b.us FROM cust c JOIN probe_by_start b USING (c0))
SELECT count(*), sum(us) FROM (SELECT * FROM incident_downtime UNION ALL SELECT * FROM probe)
"""


def timed(run: Callable[[], object], repeat: int) -> float:
    run()  # warm-up: caches, imports
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best


GOAL = 1.5


def _ledger_rows(folder: Path) -> int:
    from sladsl.api import parse
    from sladsl.evaluation.ledger import evaluate_ledger
    from sladsl.language.periods import parse_range

    return len(evaluate_ledger(parse(AGREEMENT), folder, parse_range("2026-11", "UTC")).rows)


def _bare(folder: Path) -> None:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(BARE.format(f=folder)).fetchall()
    con.close()


def _peak_kib() -> int:
    """This process's peak resident memory (VmHWM): read in the child itself, since a
    parent's ru_maxrss of a child carries the parent's own peak across fork and exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _child(kind: str, folder: Path) -> None:
    """Run once in this fresh process and print the peak memory."""
    if kind == "ledger":
        _ledger_rows(folder)
    else:
        _bare(folder)
    print(_peak_kib())


def _peak_in_fresh_process(kind: str, folder: Path) -> int:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(folder)], check=True, capture_output=True, text=True
    )
    return int(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return
    folder = generate(args.customers, args.incidents)
    rows: list[int] = []
    ours = timed(lambda: rows.append(_ledger_rows(folder)), args.repeat)
    base = timed(lambda: _bare(folder), args.repeat)
    ratio = ours / base
    print(f"customers {args.customers}, customer-scoped incidents {args.incidents}, ledger rows {rows[-1]}")
    print(f"sladsl ledger   {ours:7.2f} s")
    print(f"bare DuckDB     {base:7.2f} s")
    print(f"ratio           {ratio:7.2f}x  goal <= {GOAL}x: {'met' if ratio <= GOAL else 'not met'}")
    if args.no_memory:
        return
    print("peak memory (VmHWM, fresh process each): customers, ledger MiB, bare DuckDB MiB")
    for share in (4, 2, 1):
        customers = args.customers // share
        part = generate(customers, args.incidents)
        ledger_kib = _peak_in_fresh_process("ledger", part)
        bare_kib = _peak_in_fresh_process("bare", part)
        print(f"  {customers:>8} (1/{share})  {ledger_kib / 1024:8.1f}  {bare_kib / 1024:8.1f}")


if __name__ == "__main__":
    main()
