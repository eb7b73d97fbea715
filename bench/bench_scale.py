"""Does every command stay near linear in the size of the agreement? (issue r13)

Run: python bench/bench_scale.py [--sizes 100000,300000,1000000] [--shapes plans,services,...]
     [--stages check,render,compile] [--limit SECONDS]

Agreements of each shape are generated at each size, and each stage is timed in this
process, as the command runs it (parse and check, then render HTML and Markdown, then
compile to Prometheus, OpenSLO and Grafana). The growth ratio is the time at one size
over the time at the previous one, divided by the ratio of the sizes: about 1 is linear,
about the size ratio (3.3) is quadratic. The rule (docs/language.md): no input under
100 KB over 2 s, near linear beyond. A stage over `--limit` seconds is not run at the
larger sizes.

Shapes (the inputs of the r13 report, and the other ways a file grows):
  plans     many plan names, and one objective `on plans` naming all of them
  services  many services, each with three targets `on plan`, credits and monitoring
  feeless   many services without a fee, each with errors (the `Agreement.fee` path)
  causes    one objective excluding many incident causes
  dates     one calendar closed on many dates
  prose     one long text
"""

from __future__ import annotations

import argparse
import datetime
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sladsl.language import ast  # noqa: E402
from sladsl.language.checks import check  # noqa: E402
from sladsl.language.parser import parse  # noqa: E402

HEAD = """sla "Large" {
    timezone "Europe/Berlin"
    plans "Standard", "Premium", "Enterprise"
    fee 1000 USD per month
    fee 3000 USD per month on plan "Premium"
    calendar "Hours" {
        open monday to friday 09:00 to 17:00
        holidays "DE-BY"
    }
"""

SERVICE = """    service "Service {n}" {{
        objective "Availability" {{
            availability at least 99.5% per calendar month
            availability at least 99.9% per calendar month on plan "Premium"
            availability at least 99.95% per calendar month on plan "Enterprise"
            downtime from incidents
            weight downtime by share affected
            round outages down to 1 minute
            chronic failure when breached in 3 consecutive periods or in 4 of any 12 periods
            monitor prometheus {{
                errors "sum(rate(http_requests_total{{service=\\"s{n}\\",code=~\\"5..\\"}}[{{{{window}}}}]))"
                total "sum(rate(http_requests_total{{service=\\"s{n}\\"}}[{{{{window}}}}]))"
            }}
        }}
        objective "Latency" {{
            latency "reads" p99 below 100 ms in at least 99% of 1 hour windows per calendar month
        }}
        credits for "Availability" on plan "Enterprise" {{
            below 99.95%: 10 times the fees for the downtime
            below 99.0%: 25% of monthly fee
            at most 100% of monthly fee per 12 months
            claim by the end of the 2nd calendar month after the period
        }}
        credits for "Availability" {{
            below 99.9%: 10% of monthly fee
            claim within 10 business days on "Hours"
        }}
    }}
"""

FEELESS = """    service "S{n}" {{
        objective "A" {{
            availability at least 120% per calendar month
            downtime from samples every 0.5 s
        }}
        credits for "Nope" {{
            below 99.0%: 25% of monthly fee
        }}
    }}
"""


def _repeat(head: str, part: str, size: int, tail: str = "}\n") -> str:
    parts, total, n = [head], len(head), 0
    while total < size:
        parts.append(part.format(n=n))
        total += len(parts[-1])
        n += 1
    return "".join(parts) + tail


def _listed(size: int, item: Callable[[int], str]) -> str:
    items, total, n = [], 0, 0
    while total < size:
        items.append(item(n))
        total += len(items[-1]) + 2
        n += 1
    return ", ".join(items)


def plans(size: int) -> str:
    on = _listed(size // 2, lambda n: f'"Plan {n}"')
    return (
        f'sla "Plans" {{\n    plans {on}\n    fee 1000 USD per month\n    service "S" {{\n'
        f'        objective "A" {{\n            availability at least 99.9% per calendar month on plans {on}\n'
        '            monitor prometheus {\n                errors "sum(rate(e[{{window}}]))"\n'
        '                total "sum(rate(t[{{window}}]))"\n            }\n        }\n'
        '        credits for "A" {\n            below 99.9%: 10% of monthly fee\n        }\n    }\n}\n'
    )


def services(size: int) -> str:
    return _repeat(HEAD, SERVICE, size)


def feeless(size: int) -> str:
    return _repeat('sla "Errors" {\n', FEELESS, size)


def causes(size: int) -> str:
    listed = _listed(size, lambda n: f'"cause {n}"')
    return (
        'sla "Causes" {\n    service "S" {\n        objective "A" {\n'
        "            availability at least 99.9% per calendar month\n"
        f"            exclude incidents caused by {listed}\n        }}\n    }}\n}}\n"
    )


def dates(size: int) -> str:
    first = datetime.date(2026, 1, 1)
    listed = _listed(size, lambda n: (first + datetime.timedelta(days=n)).isoformat())
    return (
        'sla "Dates" {\n    calendar "C" {\n        open monday to friday 09:00 to 17:00\n'
        f'        closed on {listed}\n    }}\n    support "S" {{\n        calendar "C"\n'
        "        priority P1: first response within 4 business hours\n    }\n}\n"
    )


def prose(size: int) -> str:
    line = "The provider shall use *commercially reasonable* efforts; see [terms](https://example.com). " * 10
    body = "".join(f"    {line}\n" for _ in range(max(1, size // (len(line) + 5))))
    return f'sla "Prose" {{\n    text """\n{body}    """\n}}\n'


SHAPES: dict[str, Callable[[int], str]] = {
    "plans": plans,
    "services": services,
    "feeless": feeless,
    "causes": causes,
    "dates": dates,
    "prose": prose,
}


def _check(agreement: ast.Agreement) -> object:
    return check(agreement)


def _render(agreement: ast.Agreement) -> object:
    from sladsl.documents.render import render_text

    return [render_text(agreement, fmt) for fmt in ("html", "md")]


def _compile(agreement: ast.Agreement) -> object:
    from sladsl.monitoring.grafana import dashboard
    from sladsl.monitoring.openslo import openslo
    from sladsl.monitoring.prometheus import prometheus
    from sladsl.monitoring.yaml_text import to_yaml

    out = [to_yaml(c(agreement).documents) for c in (prometheus, openslo)]
    return [*out, dashboard(agreement)]


STAGES: dict[str, Callable[[ast.Agreement], object]] = {"check": _check, "render": _render, "compile": _compile}


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def run_stages(text: str, stages: list[str]) -> dict[str, float]:
    """Seconds to parse `text`, then for each stage on the parsed agreement."""
    start = time.perf_counter()
    agreement = parse(text)
    seconds = {"parse": time.perf_counter() - start}
    for stage in stages:
        seconds[stage] = timed(functools.partial(STAGES[stage], agreement))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--limit", type=float, default=60.0, help="skip a stage at larger sizes once it takes this")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    stages = ["parse", *args.stages.split(",")]
    parse(services(2000))  # load the parser and the templates before timing
    _render(parse(services(2000)))
    print(f"{'shape':9} {'bytes':>9} " + " ".join(f"{s:>8}" for s in stages) + "   growth (1 = linear)")
    for shape in args.shapes.split(","):
        previous: dict[str, float] = {}
        skipped: set[str] = set()
        last_size = 0
        for size in sizes:
            text = SHAPES[shape](size)
            seconds = run_stages(text, [s for s in stages[1:] if s not in skipped])
            skipped |= {s for s, took in seconds.items() if took > args.limit}
            cells = " ".join(f"{seconds[s]:7.2f}s" if s in seconds else f"{'-':>8}" for s in stages)
            growth = ""
            if previous:
                ratio = len(text) / last_size
                growth = " ".join(
                    f"{s} {seconds[s] / max(previous[s], 1e-6) / ratio:.1f}"
                    for s in stages
                    if s in seconds and s in previous
                )
            print(f"{shape:9} {len(text):9} {cells}   {growth}", flush=True)
            previous, last_size = seconds, len(text)


if __name__ == "__main__":
    main()
