"""`sladsl evaluate` behind its options: judge, then write the report or the ledger.

One report (one customer, one period) is text, JSON or HTML. A ledger (every customer, or
a range of periods) is CSV or JSON, and on a terminal a summary: a thousand rows of CSV
help no one reading a screen. Progress is shown on stderr while the evidence is judged,
on a terminal only. `--fail-on` makes a status exit 3.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Literal

import click

from sladsl.cli_output import check_output, exit_for_status, note, parse_fail_on, read_input, warn, write_output
from sladsl.language.diagnostics import SladslError
from sladsl.language.sources import output_path, shown
from sladsl.terminal import is_terminal, progress, text_width, use_colour


@dataclass(frozen=True)
class Options:
    """The command line of one `sladsl evaluate`, as given."""

    file: str
    data: tuple[str, ...]
    period: str
    fee: str | None
    as_of: str | None
    output: str | None  # None: the default for what is produced (see `ledger_format`)
    out: str | None
    explain: bool
    plan: str | None
    history: str | None
    ledger: str | None
    customer: str | None
    engine: str
    fail_on: tuple[str, ...]
    fail_on_breach: bool
    colour: bool | None
    quiet: bool

    @property
    def inputs(self) -> tuple[str | None, ...]:
        """What no output may replace."""
        return (self.file, *self.data, self.history)

    @property
    def to_stdout(self) -> bool:
        return self.out is None or self.out == "-"


def run(o: Options) -> None:
    """Judge, then write; every refusal (a bad option, bad evidence) comes before any output."""
    from sladsl.api import judge
    from sladsl.cli_output import load_checked, parse_date

    fail_on = parse_fail_on(o.fail_on, o.fail_on_breach)
    agreement = load_checked(read_input(o.file), o.colour)
    day = parse_date(o.as_of, "--as-of")
    check_output(o.out, o.inputs)
    check_output(o.ledger, o.inputs)
    engine = "Spark" if o.engine == "spark" else "DuckDB"
    listed = o.explain or o.output == "html"  # evidence lists are gathered only where they are shown
    with progress(f"evaluating {o.period} with {engine}", enabled=not o.quiet):
        result = judge(
            agreement,
            o.data,
            o.period,
            fee=o.fee,
            as_of=day,
            plan=o.plan,
            history=o.history,
            customer=o.customer,
            engine=o.engine,
            explain=listed,
            ledger=True if o.ledger is not None and o.customer is None else None,
            before=lambda kind: _refuse_format(o, kind),
            warn=warn,
            checked=True,
        )
    from sladsl.evaluation.ledger import Ledger

    if isinstance(result, Ledger):
        _write_ledger(o, agreement, result)
    else:
        _write_report(o, result)
    exit_for_status(result.status, fail_on)


def _refuse_format(o: Options, kind: str) -> None:
    """`--format` that does not fit what will be produced, refused before the work."""
    if kind == "ledger":
        ledger_format(o)
    elif o.output == "csv":
        raise SladslError("--format csv is for a ledger (many customers or periods); one report is text, json or html")


def _write_report(o: Options, report: Any) -> None:
    from sladsl.api import format_report

    for message in report.warnings:
        warn(message)
    stream = sys.stdout if o.to_stdout and o.output not in ("json", "html") else None
    chosen: Literal["text", "json", "html"] = "json" if o.output == "json" else "html" if o.output == "html" else "text"
    width = text_width(stream) if chosen == "text" else None
    text = format_report(report, chosen, explain=o.explain, width=width, colour=use_colour(o.colour, stream))
    write_output(text, o.out, o.inputs, o.quiet)


def ledger_format(o: Options) -> str:
    """`--format` for a ledger. Unsaid, it is `text` (a summary) when the ledger would be
    shown on a terminal, and `csv` otherwise: scripts that piped the CSV, as the docs
    promised, still get it."""
    if o.output == "html":
        raise SladslError(
            "--format html is one report: add --customer ID for one customer's, or write the ledger "
            "with --ledger FILE or --format csv|json"
        )
    if o.output is not None:
        return o.output
    return "text" if o.to_stdout and is_terminal(sys.stdout) else "csv"


def _write_ledger(o: Options, agreement: Any, book: Any) -> None:
    from sladsl.evaluation.ledger import write_ledger

    for message in book.warnings:
        warn(message)
    for message in book.notes:
        note(message)
    if o.ledger is not None:
        write_ledger(book, output_path(o.ledger, o.inputs))
        if not o.quiet:
            click.echo(f"sladsl: wrote {len(book.rows)} ledger rows to {shown(o.ledger)}", err=True)
    chosen = ledger_format(o)
    if chosen == "text":
        from sladsl.evaluation.ledger_text import render_summary

        stream = sys.stdout if o.to_stdout else None
        text = render_summary(
            book, agreement.title, o.period, o.ledger, text_width(stream), use_colour(o.colour, stream)
        )
        write_output(text, o.out, o.inputs, o.quiet)
        return
    if o.ledger is None or o.out is not None:
        from sladsl.api import format_ledger

        write_output(format_ledger(book, "json" if chosen == "json" else "csv"), o.out, o.inputs, o.quiet)
