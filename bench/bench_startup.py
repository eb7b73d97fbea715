"""Whole-process wall time of the front-end commands, beside a bare baseline from the same run.

Run: python bench/bench_startup.py [--repeat N]

Why whole processes: what a user (or an editor's format-on-save) waits for is interpreter
start + imports + parser load + the work, and the imports are most of it. Each command is
run N times and the best time is kept (the machine is shared and noisy; the best run is the
one least disturbed). Baselines from the same run: `python -c pass` (the interpreter) and
`python -c "import lark"` (the one library no parse can avoid).

Two settings, both reported:
  * as the environment is (here PYTHONDONTWRITEBYTECODE may be set, so every sladsl module
    is compiled from source on every start),
  * with bytecode caches (PYTHONPYCACHEPREFIX in a temporary folder, warmed once), as an
    installed package runs: pip compiles the modules at install time.

Then, per command, the modules that `python -X importtime` shows it importing: the
cumulative import time of the sladsl entry points, and which heavy libraries (WeasyPrint,
Jinja2, pyarrow, PySpark, duckdb, rich, holidays) were imported at all.
Goal (issue 16): `sladsl check samples/video-cdn.sla` under 0.15 s.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "samples/video-cdn.sla"
GOAL_SECONDS = 0.15
HEAVY = ("weasyprint", "jinja2", "pyarrow", "pyspark", "duckdb", "rich", "holidays", "click", "lark")
CLI = [sys.executable, "-m", "sladsl.cli"]
COMMANDS = {
    "check": [*CLI, "check", SAMPLE],
    "fmt --check": [*CLI, "fmt", "--check", SAMPLE],
    "parse --json": [*CLI, "parse", "--json", SAMPLE],
}
BASELINES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import lark'": [sys.executable, "-c", "import lark"],
}
_IMPORT_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def best_wall(command: list[str], repeat: int, env: dict[str, str]) -> tuple[float, float]:
    """The best of `repeat` runs of the whole process: wall seconds, and CPU seconds (user +
    system, which other work on a shared machine disturbs less than the wall clock)."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, cwd=ROOT, env=env, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def imports(command: list[str], env: dict[str, str]) -> dict[str, int]:
    """Cumulative import time (µs) of every top-level import the command made."""
    done = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]], capture_output=True, text=True, cwd=ROOT, env=env, check=False
    )
    found: dict[str, int] = {}
    for line in done.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            found[match.group(4)] = max(found.get(match.group(4), 0), int(match.group(2)))
    return found


def cached_env(prefix: str) -> dict[str, str]:
    """The environment with bytecode caches written to (and read from) `prefix`, not the tree."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = prefix
    return env


def table(title: str, repeat: int, env: dict[str, str]) -> dict[str, tuple[float, float]]:
    print(f"\n{title} (best of {repeat}):")
    results: dict[str, tuple[float, float]] = {}
    for name, command in {**BASELINES, **COMMANDS}.items():
        results[name] = best_wall(command, repeat, env)
    base = results["python -c pass"][0]
    lark_alone = results["python -c 'import lark'"][0]
    print(f"  {'':28} {'wall':>9}  {'vs pass':>7}  {'vs import lark':>14}  {'CPU':>7}")
    for name, (seconds, cpu) in results.items():
        print(f"  {name:28} {seconds:7.3f} s  {seconds / base:6.1f}x  {seconds / lark_alone:13.2f}x  {cpu:5.3f} s")
    check = results["check"][0]
    verdict = "met" if check < GOAL_SECONDS else "not met"
    print(f"  goal: sladsl check {SAMPLE} < {GOAL_SECONDS} s: {verdict} ({check:.3f} s)")
    return results


def import_report(env: dict[str, str]) -> None:
    print("\nimports per command (python -X importtime, with bytecode caches; cumulative ms):")
    for name, command in COMMANDS.items():
        found = imports(command, env)
        sladsl = {k: v for k, v in found.items() if k.startswith("sladsl") and k.count(".") <= 1}
        top = sorted(sladsl.items(), key=lambda item: -item[1])[:4]
        heavy = [f"{h} {found[h] / 1000:.0f}" for h in HEAVY if h in found]
        total = sum(v for k, v in found.items() if "." not in k)
        print(f"  {name:14} all top-level imports {total / 1000:6.1f} ms")
        print(f"  {'':14} sladsl: " + ", ".join(f"{k} {v / 1000:.0f}" for k, v in top))
        print(f"  {'':14} libraries: " + (", ".join(heavy) or "none of " + ", ".join(HEAVY)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    table("as the environment is", args.repeat, dict(os.environ))
    with tempfile.TemporaryDirectory(prefix="sladsl-pyc-") as prefix:
        env = cached_env(prefix)
        for command in COMMANDS.values():  # warm the caches
            subprocess.run(command, capture_output=True, cwd=ROOT, env=env, check=False)
        table("with bytecode caches (as installed)", args.repeat, env)
        import_report(env)


if __name__ == "__main__":
    main()
