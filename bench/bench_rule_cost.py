"""What one evaluation of an objective's recording rules costs in a real Prometheus (issue 20 item 5).

Run: python bench/bench_rule_cost.py [--days 30] [--series 4]

A history of `--days` days of `http_requests_total{code, instance}` (`--series` raw series, one
sample a minute, 0.1% errors) is written as OpenMetrics together with the short recordings the
layouts read (one sample a minute, as a 1-minute rule interval records them), turned into TSDB
blocks with `promtool tsdb create-blocks-from openmetrics`, and /usr/bin/prometheus is started on
127.0.0.1 over them. Each recording rule's expression is then run once at the end of the history
with `stats=all`, and its `totalQueryableSamples` summed per layout and period:

  raw     every window read from the raw series (sladsl before issue 20);
  sloth   Sloth's layout: the catalog windows raw, the period window from the 5-minute ratio
          recording (`sum_over_time(ratio_rate5m[30d]) / count_over_time(...)`);
  sladsl  the rules `sladsl compile` writes now: windows under a day raw, a day or more from
          5-minute tiles, a week or more and the period from hourly tiles.

Figures are printed as samples per evaluation and as ratios to Sloth's. With a month of history a
quarter's or a year's raw window reads only the month there is; the ratios for a full period are
larger (`--days 365` takes a few minutes to build).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sladsl.language.checks import check  # noqa: E402
from sladsl.language.parser import parse  # noqa: E402
from sladsl.monitoring.common import windows  # noqa: E402
from sladsl.monitoring.prometheus import prometheus  # noqa: E402

PROMETHEUS = Path("/usr/bin/prometheus")
ERRORS = 'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))'
TOTAL = "sum(rate(http_requests_total[{{window}}]))"
ERRORS_QUOTED = ERRORS.replace('"', '\\"')
PERIODS = {"month": "calendar month", "quarter": "calendar quarter", "year": "calendar year"}
END = 1_790_000_000 // 3600 * 3600  # a whole hour in 2026
LABELS = {"agreement": "Bench", "service": "API", "objective": "Availability"}


def agreement(period: str) -> str:
    return f"""sla "Bench" {{
    service "API" {{
        objective "Availability" {{
            availability at least 99.9% per {period}
            monitor prometheus {{
                errors "{ERRORS_QUOTED}"
                total "{TOTAL}"
            }}
        }}
    }}
}}
"""


def history(path: Path, days: int, series: int) -> None:
    """Raw counters and the short recordings, one sample a minute, ending at END."""
    minutes = days * 1440
    start = END - minutes * 60
    label = ",".join(f'{k}="{v}"' for k, v in LABELS.items())
    with path.open("w", encoding="utf-8") as out:
        out.write("# TYPE http_requests counter\n")
        for n in range(series):
            code = "500" if n % 2 else "200"
            per_minute = 1 if code == "500" else 1000
            for m in range(minutes + 1):
                out.write(
                    f'http_requests_total{{code="{code}",instance="i{n // 2}"}} {m * per_minute} {start + m * 60}\n'
                )
        gauges = {
            "sla:bad:rate5m": 2 / 60,
            "sla:total:rate5m": 2002 / 60,
            "sla:bad:rate1h": 2 / 60,
            "sla:total:rate1h": 2002 / 60,
            "slo:sli_error:ratio_rate5m": 0.001,
        }
        for name, value in gauges.items():
            out.write(f"# TYPE {name} gauge\n")
            for m in range(minutes + 1):
                out.write(f"{name}{{{label}}} {value} {start + m * 60}\n")
        out.write("# EOF\n")


def layouts(period: str) -> dict[str, list[str]]:
    """The recording expressions of each layout for one objective."""
    parsed = parse(agreement(PERIODS[period]))
    assert not [d for d in check(parsed) if d.is_error]
    compiled = prometheus(parsed)
    rules = [r for g in compiled.documents[0]["groups"] for r in g["rules"] if "record" in r]
    ours = [r["expr"] for r in rules if r["record"].startswith(("sla:error_ratio:", "sla:bad:", "sla:total:"))]
    kind = next(r for r in rules if r["record"] == "sla:objective:info")["labels"]["period_window"]
    raw_of = [f"({ERRORS.replace('{{window}}', w)}) / ({TOTAL.replace('{{window}}', w)})" for w in _windows(period)]
    selector = ", ".join(f'{k}="{v}"' for k, v in LABELS.items())
    period = (
        f"sum_over_time(slo:sli_error:ratio_rate5m{{{selector}}}[{kind}])"
        f" / ignoring (sloth_window) count_over_time(slo:sli_error:ratio_rate5m{{{selector}}}[{kind}])"
    )
    sloth = [*raw_of[:-1], period]
    return {"raw": raw_of, "sloth": sloth, "sladsl": ours}


def _windows(period: str) -> list[str]:
    from sladsl.language.ast import PeriodKind

    return windows({"month": PeriodKind.MONTH, "quarter": PeriodKind.QUARTER, "year": PeriodKind.YEAR}[period])


def samples(port: int, expr: str) -> int:
    query = urllib.parse.urlencode({"query": expr, "time": END, "stats": "all"})
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/query?{query}", timeout=120) as answer:
        body = json.load(answer)
    if body.get("status") != "success":
        raise SystemExit(f"query failed: {expr}: {body}")
    total: int = body["data"]["stats"]["samples"]["totalQueryableSamples"]
    return total


def start(folder: Path, port: int) -> subprocess.Popen[bytes]:
    config = folder / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1m\n", encoding="utf-8")
    process = subprocess.Popen(
        [
            str(PROMETHEUS),
            f"--config.file={config}",
            f"--storage.tsdb.path={folder / 'data'}",
            "--storage.tsdb.retention.time=100y",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=2) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("prometheus did not start")


def measure(days: int, series: int) -> dict[str, dict[str, int]]:
    """Samples read per evaluation, per period and layout, over `days` of generated history."""
    promtool = shutil.which("promtool")
    if promtool is None or not PROMETHEUS.is_file():
        raise SystemExit("needs /usr/bin/prometheus and promtool (Debian package prometheus)")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        history(folder / "history.om", days, series)
        built = subprocess.run(
            [promtool, "tsdb", "create-blocks-from", "openmetrics", str(folder / "history.om"), str(folder / "data")],
            capture_output=True,
            text=True,
        )
        if built.returncode != 0:
            raise SystemExit(f"promtool: {built.stderr[-2000:]}")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        process = start(folder, port)
        try:
            return {
                period: {layout: sum(samples(port, e) for e in exprs) for layout, exprs in layouts(period).items()}
                for period in PERIODS
            }
        finally:
            process.terminate()
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--series", type=int, default=4)
    args = parser.parse_args()
    costs = measure(args.days, args.series)
    print(f"{args.days} days of history, {args.series} raw series; samples read per evaluation of one objective")
    print(f"{'period':8} {'raw':>10} {'sloth':>10} {'sladsl':>10}  sladsl/sloth  sladsl/raw")
    for period, cost in costs.items():
        print(
            f"{period:8} {cost['raw']:>10,} {cost['sloth']:>10,} {cost['sladsl']:>10,}"
            f"  {cost['sladsl'] / cost['sloth']:>12.3f}  {cost['sladsl'] / cost['raw']:>10.3f}"
        )


if __name__ == "__main__":
    main()
