"""`sladsl render --batch`: many agreements, or one agreement for many customers, in parallel.

Each document is rendered in a worker process (PDF layout is CPU-bound), with a progress
bar on stderr. Inputs are checked before any work starts, so a bad file or a bad
customer row stops the batch with one clear line and nothing half-written.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import click

from sladsl.diagnostics import SladslError
from sladsl.sources import write_atomically

Job = tuple[
    str, str, str, dict[str, str], str | None, str, str, str | None
]  # source path, text, format, overrides, templates, paper, out, plan


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "document"


def _customers(path: Path | None) -> list[dict[str, str]]:
    if path is None:
        return [{}]
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SladslError(f"{path}: cannot be read as CSV ({exc})") from None
    if not rows:
        raise SladslError(f"{path}: no customer rows")
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k and v} for row in rows]


def render_batch(
    files: tuple[str, ...],
    fmt: str,
    folder: Path,
    overrides: dict[str, str],
    customers: Path | None,
    templates: Path | None,
    paper: str,
    jobs: int | None,
    plan: str | None = None,
) -> None:
    from sladsl.api import check_source
    from sladsl.plans import resolve_plan
    from sladsl.render import contract_model
    from sladsl.sources import read_source

    if folder.exists() and not folder.is_dir():
        raise SladslError(f"{folder}: not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    rows = _customers(customers)
    work: list[Job] = []
    names: set[str] = set()
    for path in files:
        source = read_source(path)
        agreement, diagnostics = check_source(source.text)
        if agreement is None or any(d.is_error for d in diagnostics):
            raise SladslError(f"{path}: the agreement has errors; fix them first (sladsl check)")
        for row in rows:
            values = {**overrides, **row}
            # validates the overrides and the plan before any work starts
            contract_model(agreement, values, resolve_plan(agreement, plan) if plan is not None else None)
            stem = Path(path).stem + (f"-{_slug(row.get('customer', ''))}" if customers else "")
            name = f"{stem}.{fmt}"
            if name in names:
                raise SladslError(f"two documents would both be named {name}; give each row a different customer")
            names.add(name)
            work.append(
                (path, source.text, fmt, values, str(templates) if templates else None, paper, str(folder / name), plan)
            )
    workers = jobs or os.cpu_count() or 1
    make_bar: Any = click.progressbar  # typed loosely by click
    progress = make_bar(length=len(work), label=f"rendering {len(work)} documents", file=sys.stderr)
    with progress as bar:
        if workers == 1 or len(work) == 1:
            for job in work:
                _render_one(job)
                bar.update(1)
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for _ in pool.map(_render_one, work):
                    bar.update(1)
    click.echo(f"wrote {len(work)} documents to {folder}", err=True)


def _render_one(job: Job) -> str:
    from sladsl.api import parse
    from sladsl.render import render_pdf, render_text

    _, text, fmt, values, templates, paper, out, plan = job
    agreement = parse(text)
    template_dir = Path(templates) if templates else None
    if fmt == "pdf":
        data = render_pdf(agreement, values, template_dir, paper, plan)
    else:
        data = render_text(agreement, fmt, values, template_dir, paper, plan).encode("utf-8")
    write_atomically(Path(out), data)
    return out
