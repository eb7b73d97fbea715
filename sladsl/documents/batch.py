"""`sladsl render --batch`: many agreements, or one agreement for many customers, in parallel.

Each document is rendered in a worker process (PDF layout is CPU-bound), with a progress
bar on stderr. Inputs are checked before any work starts, so a bad file or a bad
customer row stops the batch with one clear line and nothing half-written.

Stopping: SIGTERM, SIGINT or SIGHUP stops the workers, removes the temporary file of any
document half-written and exits 128 + the signal; the documents already written stay (each
is complete, written atomically). A worker whose parent has gone (SIGKILL) exits within a
tenth of a second and never writes a document after that.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import FrameType
from typing import Any

import click

from sladsl.language.diagnostics import SladslError
from sladsl.language.sources import refuse_input, write_atomically

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_parent: int | None = None  # in a worker: the process that started it
_writing: str | None = None  # in a worker: the document being written

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
    quiet: bool = False,
) -> None:
    from sladsl.documents.render import contract_model
    from sladsl.language.front_end import check_source
    from sladsl.language.plans import resolve_plan
    from sladsl.language.sources import read_source

    if folder.exists() and not folder.is_dir():
        raise SladslError(f"{folder}: not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SladslError(f"{folder}: cannot make the folder: {exc.strerror or exc}") from None
    rows = _customers(customers)
    work: list[Job] = []
    names: set[str] = set()
    inputs = (*files, customers, templates)
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
            refuse_input(folder / name, inputs)
            work.append(
                (path, source.text, fmt, values, str(templates) if templates else None, paper, str(folder / name), plan)
            )
    workers = jobs or os.cpu_count() or 1
    make_bar: Any = click.progressbar  # typed loosely by click
    progress = make_bar(length=len(work), label=f"rendering {len(work)} documents", file=sys.stderr)
    done = 0

    def stop(signum: int, frame: FrameType | None) -> None:
        """Stop the workers first, so that nothing is written after the cleanup."""
        children = multiprocessing.active_children()
        for child in children:
            child.terminate()
        for child in children:
            child.join(2)
            if child.is_alive():
                child.kill()
                child.join(1)
        _remove_temporaries([job[6] for job in work])
        name = signal.Signals(signum).name
        message = f"\nsladsl: stopped by {name}: {done} of {len(work)} documents written to {folder}\n"
        os.write(2, message.encode())  # not through sys.stderr: the signal may have come in the middle of a write
        os._exit(128 + signum)

    main_thread = threading.current_thread() is threading.main_thread()  # signals can be caught only there
    previous = {sig: signal.signal(sig, stop) for sig in _STOP_SIGNALS} if main_thread else {}
    try:
        with progress as bar:
            if workers == 1 or len(work) == 1:
                for job in work:
                    _render_one(job)
                    done += 1
                    bar.update(1)
            else:
                start = _worker_start
                with ProcessPoolExecutor(max_workers=workers, initializer=start, initargs=(os.getpid(),)) as pool:
                    try:
                        for _ in pool.map(_render_one, work):
                            done += 1
                            bar.update(1)
                    except BaseException:
                        pool.shutdown(cancel_futures=True)  # a document that cannot be written stops the batch
                        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not quiet:  # `render --batch -q`
        click.echo(f"wrote {len(work)} documents to {folder}", err=True)


def _remove_temporaries(outputs: list[str]) -> None:
    """The temporary files `write_atomically` leaves when its process is killed mid-write."""
    for out in outputs:
        real = Path(os.path.realpath(out))
        for leftover in real.parent.glob(f".{real.name}.*.tmp"):
            leftover.unlink(missing_ok=True)


def _worker_start(parent: int) -> None:
    """In each worker: default signals (the parent stops the workers) and a watch on the parent."""
    global _parent
    _parent = os.getppid()  # the batch itself, or the forkserver that dies with it
    if _parent != parent and multiprocessing.get_start_method() != "forkserver":
        os._exit(1)  # the batch died before this worker started
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops the workers
    threading.Thread(target=_watch_parent, name="watch-parent", daemon=True).start()


def _orphaned() -> bool:
    return _parent is not None and os.getppid() != _parent


def _watch_parent() -> None:
    while not _orphaned():
        time.sleep(0.1)
    if _writing is not None:
        _remove_temporaries([_writing])
    os._exit(1)


def _render_one(job: Job) -> str:
    from sladsl.documents.render import render_pdf, render_text
    from sladsl.language.parser import parse

    _, text, fmt, values, templates, paper, out, plan = job
    agreement = parse(text)
    template_dir = Path(templates) if templates else None
    if fmt == "pdf":
        data = render_pdf(agreement, values, template_dir, paper, plan)
    else:
        data = render_text(agreement, fmt, values, template_dir, paper, plan).encode("utf-8")
    global _writing
    if _orphaned():
        os._exit(1)  # the batch was killed: write nothing more
    _writing = out
    write_atomically(Path(out), data)
    _writing = None
    return out
