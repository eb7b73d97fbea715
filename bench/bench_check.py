"""Check time against agreement size: is `check` linear in the number of services?

Run: python bench/bench_check.py [--sizes 100,1000,4000] [--repeat R]

The agreement is samples/cloud-platform.sla with its services repeated (plans, targets
per plan, credits per plan, claim deadlines, calendars, holidays and support plans: most
rules have something to look at). For each size, in one run on one machine:
  * parse: `sladsl.language.parser.parse` of the same text (the stage before `check`),
  * walk: a bare walk over every node of the parsed tree (`checks.common.nodes`), the
    least any rule that looks at the whole tree costs,
  * check: `sladsl.language.checks.check`,
and the check time per service. Linear checking keeps the time per service flat from the
smallest size to the largest; the last line prints the largest size's time per service
over the smallest's (about 1 when linear, growing with the size when not).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from sladsl.language import ast
from sladsl.language.checks import check
from sladsl.language.checks.common import nodes
from sladsl.language.parser import parse

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "cloud-platform.sla"
FIRST_SERVICE = '    service "Compute"'
AFTER_SERVICES = '    calendar "Support hours"'


def generate(services: int) -> str:
    """The sample with its services block repeated, renamed, until `services` services."""
    text = SAMPLE.read_text(encoding="utf-8")
    start, end = text.index(FIRST_SERVICE), text.index(AFTER_SERVICES)
    blocks = text[start:end].split("\n    service ")
    blocks = [blocks[0]] + ["    service " + b for b in blocks[1:]]
    body = []
    for n in range(services):
        block = blocks[n % len(blocks)]
        name_start = block.index('"') + 1
        body.append(f"{block[:name_start]}{n} {block[name_start:]}")
    return text[:start] + "".join(b if b.endswith("\n\n") else b + "\n" for b in body) + text[end:]


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """The fastest of `repeat` runs: the machine is shared, and noise only adds time."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_walk(agreement: ast.Agreement) -> int:
    return sum(1 for _ in nodes(agreement))


def measure(size: int, repeat: int) -> tuple[float, float, float]:
    """Parse, bare walk and check times of one generated agreement, each the best of `repeat`."""
    text = generate(size)
    agreement = parse(text)
    assert len(agreement.services) == size, len(agreement.services)
    found = check(agreement)
    assert not [d for d in found if d.code.startswith("E")], found[:3]
    parsed = best_of(repeat, lambda: parse(text))
    walked = best_of(repeat, lambda: bare_walk(agreement))
    checked = best_of(repeat, lambda: check(agreement))
    return parsed, walked, checked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,4000", help="numbers of services, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    print(
        f"{'services':>8} {'parse':>9} {'walk':>9} {'check':>9} {'check/parse':>11} {'check/walk':>10} {'per service':>12}"
    )
    per_service: list[float] = []
    for size in sizes:
        parsed, walked, checked = measure(size, options.repeat)
        per_service.append(checked / size)
        print(
            f"{size:>8} {parsed * 1000:>7.1f}ms {walked * 1000:>7.1f}ms {checked * 1000:>7.1f}ms "
            f"{checked / parsed:>11.2f} {checked / walked:>10.2f} {checked / size * 1e6:>10.1f}us"
        )
    print(f"time per service, {sizes[-1]} services over {sizes[0]}: {per_service[-1] / per_service[0]:.2f}")


if __name__ == "__main__":
    main()
