"""`sladsl evaluate` behind its options: judge, then write the report or the ledger.

One report (one customer, one period) is text, JSON or HTML. A ledger (every customer, or
a range of periods) is CSV or JSON, and on a terminal a summary: a thousand rows of CSV
help no one reading a screen. Progress is shown on stderr while the evidence is judged,
on a terminal only. `--fail-on` makes a status exit 3.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date
from typing import Any

import click

from sladsl.cli_output import check_output, exit_for_status, note, parse_fail_on, read_input, warn, write_output
from sladsl.language.diagnostics import SladslError
from sladsl.language.sources import output_path, shown
from sladsl.terminal import is_terminal, progress, text_width, use_colour


@dataclass(frozen=True)
class Options:
    """The command line of one `sladsl evaluate`, as given."""

    file: str
    data: str
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
        return (self.file, self.data, self.history)

    @property
    def to_stdout(self) -> bool:
        return self.out is None or self.out == "-"


def run(o: Options) -> None:
    """Judge, then write; every refusal (a bad option, bad evidence) comes before any output."""
    from sladsl.cli_output import load_checked, parse_date
    from sladsl.evaluation.evaluate import parse_fee

    fail_on = parse_fail_on(o.fail_on, o.fail_on_breach)
    agreement = load_checked(read_input(o.file), o.colour)
    monthly = parse_fee(o.fee, agreement) if o.fee else None
    day = parse_date(o.as_of, "--as-of")
    if o.engine == "spark" and o.data.startswith("prometheus+"):
        raise SladslError("--engine spark reads a folder of tables; a Prometheus source is read by DuckDB")
    check_output(o.out, o.inputs)
    check_output(o.ledger, o.inputs)
    engine = "Spark" if o.engine == "spark" else "DuckDB"
    with progress(f"evaluating {o.period} with {engine}", enabled=not o.quiet):
        result = _judge(o, agreement, monthly, day)
    from sladsl.evaluation.ledger import Ledger

    if isinstance(result, Ledger):
        _write_ledger(o, agreement, result)
    else:
        _write_report(o, result)
    exit_for_status(result.status, fail_on)


def _judge(o: Options, agreement: Any, monthly: Any, day: date | None) -> Any:
    """A `Report`, or a `Ledger` when the data has customers, the period is a range or
    `--ledger` is given (and no `--customer`)."""
    from sladsl.evaluation.evaluate import evaluate as run_evaluation
    from sladsl.evaluation.ledger import customer_subscriber, has_customers
    from sladsl.evaluation.prometheus_source import open_data
    from sladsl.language.plans import resolve_plan

    listed = o.explain or o.output == "html"  # evidence lists are gathered only where they are shown
    with open_data(o.data, agreement, o.period) as source:
        if o.customer is None and (o.ledger is not None or ".." in o.period or has_customers(source, agreement)):
            ledger_format(o)  # refused before the work, not after
            return _ledger(o, agreement, source, monthly, day)
        if o.output == "csv":
            raise SladslError(
                "--format csv is for a ledger (many customers or periods); one report is text, json or html"
            )
        if o.customer is not None:
            if o.plan is not None:
                raise SladslError("--plan: with --customer, the customers table gives the plan")
            who = customer_subscriber(source, agreement, o.customer, o.engine)
            return run_evaluation(agreement, source, o.period, monthly, day, None, o.history, who, o.engine, listed)
        plan_name = resolve_plan(agreement, o.plan)
        return run_evaluation(agreement, source, o.period, monthly, day, plan_name, o.history, None, o.engine, listed)


def _ledger(o: Options, agreement: Any, source: Any, monthly: Any, day: date | None) -> Any:
    from sladsl.evaluation.ledger import evaluate_ledger
    from sladsl.language.periods import parse_range

    windows = parse_range(o.period, agreement.timezone)
    return evaluate_ledger(agreement, source, windows, monthly, day, o.history, o.plan, o.engine)


def _write_report(o: Options, report: Any) -> None:
    for message in report.warnings:
        warn(message)
    if o.output == "json":
        text = json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    elif o.output == "html":
        from sladsl.evaluation.report_html import render_report

        text = render_report(report)
    else:
        from sladsl.evaluation.report_text import render_text

        stream = sys.stdout if o.to_stdout else None
        text = render_text(report, o.explain, text_width(stream), use_colour(o.colour, stream))
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
    from sladsl.evaluation.ledger import ledger_csv, write_ledger

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
        records = [r.record() for r in book.rows]
        text = json.dumps(records, indent=2, ensure_ascii=False) + "\n" if chosen == "json" else ledger_csv(records)
        write_output(text, o.out, o.inputs, o.quiet)
