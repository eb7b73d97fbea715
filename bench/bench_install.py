"""What a newcomer pays before the first result: the install footprint of each extra, and
the time from a clean clone to the first `sladsl evaluate` on a bundled sample.

Run: python bench/bench_install.py [--source .] [--extras runtime test spark test,spark] [--cold]

Everything happens in a temporary folder (removed at the end): a `git clone` of `--source`
(the committed tree, as a newcomer gets it), then for each extra a fresh venv and
`pip install '.EXTRA'` (a wheel, as a user installs it), measured by the size of its
site-packages and its largest packages. The baseline, measured in the same run, is an empty
venv (pip alone): footprints are given as MB and as a ratio to it.

Then the README's path, in one more fresh venv: the README's install command
(`python3 -m pip install -e '.[test]'`), the first `sladsl evaluate` on
samples/managed-database.sla (a cold process: nothing of sladsl compiled yet) and the
median of three more (warm). The baseline is `python -c pass` in the same venv, the cost of
starting any Python at all. With `--cold`, pip starts from an empty cache (everything is
downloaded, so the install times then depend on the network); by default it uses the
machine's cache, as a second install would. Takes a few minutes (PySpark is large).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README_INSTALL = ["-m", "pip", "install", "--quiet", "-e", ".[test]"]
EVALUATE = [
    "evaluate", "samples/managed-database.sla", "--data", "samples/evidence/managed-database",
    "--period", "2026-10",
]  # fmt: skip
MB = 1024 * 1024


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall seconds of one command, which must succeed (its output is not the point, but
    what it said is shown when it fails)."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return seconds


def make_venv(folder: Path) -> Path:
    """A fresh venv with the pip `python -m venv` ships; its Python."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    return folder / "bin" / "python"


def site_packages(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip())


def size(path: Path) -> int:
    """Bytes on disk under a path (files only; links not followed)."""
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    return sum(f.lstat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def packages(folder: Path) -> dict[str, int]:
    """Bytes per installed distribution, from the files its RECORD lists (so `numpy.libs`
    counts with numpy and mypy's compiled modules with mypy)."""
    sizes: dict[str, int] = {}
    for record in folder.glob("*.dist-info/RECORD"):
        name = record.parent.name.split("-")[0].lower()
        with record.open(newline="", encoding="utf-8") as lines:
            files = [folder / row[0] for row in csv.reader(lines) if row]
        sizes[name] = sum(f.lstat().st_size for f in files if f.is_file() and not f.is_symlink())
    return sizes


def footprint(clone: Path, work: Path, extra: str, env: dict[str, str]) -> tuple[Path, float, int, dict[str, int]]:
    """The venv's Python, install seconds, site-packages bytes and bytes per package of
    `pip install '.EXTRA'`."""
    python = make_venv(work / f"venv{extra or '-runtime'}")
    seconds = timed([str(python), "-m", "pip", "install", "--quiet", f".{extra}"], clone, env)
    folder = site_packages(python)
    return python, seconds, size(folder), packages(folder)


def evaluations(python: Path, clone: Path, env: dict[str, str], *extra: str) -> tuple[float, float]:
    """Seconds of the first `sladsl evaluate` in this venv (cold: nothing compiled, nothing
    cached by the OS for it yet) and the median of three more (warm)."""
    sladsl = [str(python.parent / "sladsl"), *EVALUATE, *extra]
    cold = timed(sladsl, clone, env)
    return cold, statistics.median(timed(sladsl, clone, env) for _ in range(3))


def first_result(clone: Path, work: Path, env: dict[str, str]) -> dict[str, float]:
    """The README's path: a venv, its install command, the first evaluate, then warm."""
    start = time.perf_counter()
    python = make_venv(work / "venv-readme")
    times = {"venv": time.perf_counter() - start, "install": timed([str(python), *README_INSTALL], clone, env)}
    times["cold"], times["warm"] = evaluations(python, clone, env)
    times["python"] = statistics.median(timed([str(python), "-c", "pass"], clone, env) for _ in range(3))
    return times


def print_footprints(clone: Path, work: Path, extras: list[str], env: dict[str, str]) -> dict[str, Path]:
    """One line per extra, against an empty venv's site-packages; the venvs by extra."""
    baseline = size(site_packages(make_venv(work / "venv-empty")))
    print(f"baseline: an empty venv's site-packages (pip alone) = {baseline / MB:.1f} MB")
    print(f"{'install':<27} {'seconds':>8} {'MB':>8} {'x empty':>8}  largest packages (MB)")
    venvs = {}
    for extra in extras:
        venvs[extra], seconds, total, sizes = footprint(clone, work, extra, env)
        top = sorted(sizes.items(), key=lambda kv: -kv[1])[:5]
        largest = ", ".join(f"{n} {b / MB:.0f}" for n, b in top)
        command = f"pip install '.{extra}'"
        print(f"{command:<27} {seconds:8.1f} {total / MB:8.1f} {total / baseline:8.1f}  {largest}")
    return venvs


def print_first_result(times: dict[str, float]) -> None:
    python = times["python"]
    print("time to first result (README: venv, python3 -m pip install -e '.[test]', sladsl evaluate)")
    print(f"  baseline `python -c pass`:   {python:6.2f} s")
    print(f"  python3 -m venv .venv:       {times['venv']:6.1f} s")
    print(f"  install:                     {times['install']:6.1f} s")
    for key, label in (("cold", "first evaluate (cold):"), ("warm", "evaluate again (warm):")):
        print(f"  {label:<28} {times[key]:6.2f} s  ({times[key] / python:.0f}x python)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT, help="the git repository to clone")
    parser.add_argument("--extras", nargs="+", default=["runtime", "test", "spark", "test,spark"])
    parser.add_argument("--cold", action="store_true", help="pip starts from an empty cache")
    args = parser.parse_args()
    extras = ["" if e == "runtime" else f"[{e}]" for e in args.extras]
    with tempfile.TemporaryDirectory(prefix="sladsl-install-") as name:
        work = Path(name)
        env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        if args.cold:
            env["PIP_CACHE_DIR"] = str(work / "pip-cache")
        clone = work / "clone"
        subprocess.run(["git", "clone", "--quiet", str(args.source), str(clone)], check=True)
        venvs = print_footprints(clone, work, extras, env)
        times = first_result(clone, work, env)
        print_first_result(times)
        spark = venvs.get("[spark]") or venvs.get("[test,spark]")
        if spark and shutil.which("java"):
            cold, warm = evaluations(spark, clone, env, "--engine", "spark")
            print(f"  the same on --engine spark:  {cold:6.2f} s cold, {warm:.2f} s warm (a JVM starts each time)")


if __name__ == "__main__":
    main()
