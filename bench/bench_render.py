"""Documents per second for `sladsl render`, beside bare Jinja2 and bare WeasyPrint.

Run: python bench/bench_render.py [--documents 40] [--jobs N]

In one run, on the same sample agreement (samples/payments-api.sla):
  * HTML: sladsl (AST -> view model -> template) beside a bare Jinja2 render of the same
    template with a model built once (the floor for templating);
  * PDF: sladsl on one core beside bare WeasyPrint of the same HTML (the floor for layout);
  * a PDF batch through `sladsl render --batch` with one worker and with every core.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "payments-api.sla"


def rate(count: int, work: Callable[[], object]) -> float:
    start = time.perf_counter()
    for _ in range(count):
        work()
    return count / (time.perf_counter() - start)


def batch_rate(documents: int, jobs: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        customers = Path(folder) / "customers.csv"
        customers.write_text("customer\n" + "".join(f"Customer {i}\n" for i in range(documents)))
        exe = shutil.which("sladsl") or str(Path(sys.executable).parent / "sladsl")
        start = time.perf_counter()
        subprocess.run(
            [
                exe,
                "render",
                "--batch",
                str(SAMPLE),
                "--customers",
                str(customers),
                "--format",
                "pdf",
                "-o",
                str(Path(folder) / "out"),
                "--jobs",
                str(jobs),
            ],
            check=True,
            capture_output=True,
        )
        return documents / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    from sladsl.api import parse
    from sladsl.documents.render import contract_model, environment, html_to_pdf, render_text

    text = SAMPLE.read_text()
    agreement = parse(text)
    model = contract_model(agreement)
    template = environment("html").get_template("contract.html.j2")
    html = render_text(agreement, "html")
    html_to_pdf(html)  # warm up fonts

    n = args.documents
    figures = {
        "bare Jinja2 (HTML)": rate(n * 10, lambda: template.render(**model, paper="A4")),
        "sladsl render (HTML, from AST)": rate(n * 10, lambda: render_text(agreement, "html")),
        "sladsl render (HTML, from text)": rate(n * 10, lambda: render_text(parse(text), "html")),
        "bare WeasyPrint (PDF)": rate(n // 4 or 1, lambda: html_to_pdf(html)),
        "sladsl render (PDF)": rate(n // 4 or 1, lambda: html_to_pdf(render_text(parse(text), "html"))),
    }
    for name, per_second in figures.items():
        print(f"{name:32} {per_second:8.1f} documents/s")
    for kind in ("from AST", "from text"):
        ratio = figures[f"sladsl render (HTML, {kind})"] / figures["bare Jinja2 (HTML)"]
        print(f"HTML {kind}: sladsl / bare Jinja2 = {ratio:.2f}x")
    print(f"PDF:  sladsl / bare WeasyPrint = {figures['sladsl render (PDF)'] / figures['bare WeasyPrint (PDF)']:.2f}x")
    one = batch_rate(n, 1)
    many = batch_rate(n, args.jobs)
    print(f"PDF batch of {n}: {one:.1f} documents/s with 1 worker, {many:.1f} with {args.jobs} ({many / one:.2f}x)")


if __name__ == "__main__":
    main()
