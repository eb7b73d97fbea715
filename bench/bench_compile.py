"""How long `sladsl compile` takes, as a user runs it, on generated 100 KB and 1 MB agreements
(issue 20 item 5: no input under 100 KB over 2 s).

Run: python bench/bench_compile.py [--sizes 100000,1000000] [--shapes plans,services]
     [--targets prometheus,kubernetes,openslo,grafana]

Agreements come from bench/bench_scale.py's generators (`plans`: thousands of plans on one
objective, every plan its own rule group; `services`: many services with credits and
monitoring). Each run is the real command in a new process, wall time, output to a file.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_scale import SHAPES  # noqa: E402


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: {done.stderr[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--shapes", default="plans,services")
    parser.add_argument("--targets", default="prometheus,kubernetes,openslo,grafana")
    args = parser.parse_args()
    sladsl = str(Path(sys.executable).with_name("sladsl"))
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        print(f"{'shape':10} {'bytes':>9} {'target':11} {'seconds':>8} {'output':>12}")
        for shape in args.shapes.split(","):
            for size in (int(s) for s in args.sizes.split(",")):
                sla = folder / f"{shape}-{size}.sla"
                sla.write_text(SHAPES[shape](size), encoding="utf-8")
                for target in args.targets.split(","):
                    out = folder / f"out-{target}"
                    seconds = timed([sladsl, "compile", str(sla), "--target", target, "-q", "-o", str(out)])
                    flag = "  over 2 s" if size <= 100_000 and seconds > 2 else ""
                    print(
                        f"{shape:10} {sla.stat().st_size:>9,} {target:11} {seconds:>8.2f} {out.stat().st_size:>12,}{flag}"
                    )


if __name__ == "__main__":
    main()
