"""Parse + check throughput on a generated ~1 MB agreement, beside bare Lark on the same text.

Run: python bench/bench_parse.py [--services N] [--repeat R]

Prints, from one run on one machine, so the ratios are comparable:
  * bare Lark (same grammar, LALR, Lark builds its own Tree; default options),
  * bare Lark with positions (keep_all_tokens + propagate_positions, as spans need),
  * the typed AST through Lark's own LALR loop (what `parse` did before issue 16),
  * sladsl.parse (the typed AST: the lean loop of `sladsl.language.fast_lalr`),
  * sladsl.parse + check,
and the wall time of `sladsl check` on a sample beside `python -c pass`.
Goal (issue 16): parse at 2 MB/s or more (MB = 10**6 bytes), printed as met / not met.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from lark import Lark

from sladsl.language.checks import check
from sladsl.language.lalr import the_parser
from sladsl.language.parser import grammar_text, normalise_source, parse

ROOT = Path(__file__).resolve().parent.parent
GOAL_MB_PER_SECOND = 2.0

SERVICE = """
    service "Service {n}" {{
        fee {fee} USD per month
        objective "Availability" {{
            availability at least 99.9% per calendar month
            downtime from incidents
            ignore outages shorter than 1 minute
            exclude maintenance announced at least 72 hours ahead, up to 4 hours per calendar month
            exclude incidents caused by "customer", "force majeure"
        }}
        objective "Latency" {{
            latency "request_{n}" p95 at most 500 ms per calendar month
        }}
        credits for "Availability" {{
            below 99.9%: 10% of monthly fee
            below 99.0%: 25% of monthly fee
            below 95.0%: 100% of monthly fee
            at most 100% of monthly fee
            claim within 30 days
        }}
    }}
"""


def generate(services: int) -> str:
    body = "".join(SERVICE.format(n=n, fee=100 + n % 900) for n in range(services))
    return f'sla "Generated" {{\n    provider "Bench"\n    timezone "UTC"\n{body}}}\n'


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def wall(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1300, help="services in the generated agreement (~1 MB)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    text = normalise_source(generate(args.services))
    mib = len(text.encode()) / 1048576
    bare = Lark(grammar_text(), parser="lalr", lexer="contextual")
    bare_positions = Lark(
        grammar_text(), parser="lalr", lexer="contextual", keep_all_tokens=True, propagate_positions=True
    )
    parse(text)  # build and cache the parser before timing

    results = {
        "bare Lark (Tree)": best_of(args.repeat, lambda: bare.parse(text)),
        "bare Lark (Tree, positions)": best_of(args.repeat, lambda: bare_positions.parse(text)),
        "typed AST, Lark's loop": best_of(args.repeat, lambda: the_parser().parse(text)),
        "sladsl parse (typed AST)": best_of(args.repeat, lambda: parse(text)),
        "sladsl parse + check": best_of(args.repeat, lambda: check(parse(text))),
    }
    baseline = results["bare Lark (Tree)"]
    print(f"generated agreement: {args.services} services, {mib:.2f} MiB; best of {args.repeat}")
    mb = len(text.encode()) / 1e6
    print(f"{'':32} {'seconds':>8} {'MiB/s':>7} {'MB/s':>7} {'speed vs bare Lark':>19}")
    for name, seconds in results.items():
        print(f"{name:32} {seconds:8.3f} {mib / seconds:7.2f} {mb / seconds:7.2f} {baseline / seconds:18.2f}x")
    rate = mb / results["sladsl parse (typed AST)"]
    verdict = "met" if rate >= GOAL_MB_PER_SECOND else "not met"
    print(f"goal: sladsl parse >= {GOAL_MB_PER_SECOND} MB/s: {verdict} ({rate:.2f} MB/s)")

    sample = "samples/payments-api.sla"
    exe = str(Path(sys.executable).parent / "sladsl")
    python_pass = wall([sys.executable, "-c", "pass"], args.repeat * 2)
    sladsl_check = wall([exe, "check", sample], args.repeat * 2)
    print(f"\nwall time, median of {args.repeat * 2}:")
    print(f"python -c pass                    {python_pass:8.3f} s")
    print(f"sladsl check {sample:20} {sladsl_check:8.3f} s  ({sladsl_check / python_pass:.1f}x python -c pass)")


if __name__ == "__main__":
    main()
