"""The `sladsl` command line: a thin layer over `sladsl.api`.

Exit status: 0 success; 1 when checks find an error (or `fmt --check` finds a file to
reformat); 2 on bad input (unreadable file, wrong options), reported as one line on
stderr. Heavy libraries are imported only inside the commands that need them, so that
`sladsl check` starts fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from sladsl import __version__
from sladsl.diagnostics import Diagnostic, SladslError, SyntaxFailure, format_diagnostic
from sladsl.sources import Source, decode_source, output_path, read_source, write_atomically

F = TypeVar("F", bound=Callable[..., Any])


class BadInput(click.exceptions.Exit):
    """Stop with status 2 after printing one line; raised through click's own machinery."""


def fail(message: str) -> BadInput:
    click.echo(f"sladsl: error: {message}", err=True)
    return BadInput(2)


def reports_bad_input(command: F) -> F:
    """Turn `SladslError` into one line on stderr and status 2, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SladslError as exc:
            raise fail(str(exc)) from None
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: still one line, never a traceback (SLADSL_DEBUG=1 shows it)
            if os.environ.get("SLADSL_DEBUG"):
                raise
            raise fail(
                f"internal error ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); "
                "please report it with SLADSL_DEBUG=1 output"
            ) from None

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sladsl")
def main() -> None:
    """sladsl: service level agreements as code.

    Write the agreement once in a .sla file; check it, format it, and (in later
    commands) evaluate it, render the contract and compile monitoring rules.
    """


def _read(path: str) -> Source:
    if path == "-":
        from sladsl.sources import MAX_SOURCE_BYTES

        data = sys.stdin.buffer.read(MAX_SOURCE_BYTES + 1)
        if len(data) > MAX_SOURCE_BYTES:
            raise SladslError(f"<stdin>: input is too large (the limit is {MAX_SOURCE_BYTES // 1048576} MiB)")
        return Source("<stdin>", decode_source("<stdin>", data))
    return read_source(path)


def _use_colour(option: bool | None) -> bool:
    if option is not None:
        return option
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _print_diagnostics(source: Source, diagnostics: list[Diagnostic], colour: bool) -> None:
    for diagnostic in diagnostics:
        click.echo(format_diagnostic(diagnostic, source.name, source.text, colour))
        click.echo()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=True))
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for editors and CI annotations",
)
@click.option("--color/--no-color", "colour", default=None, help="colour the diagnostics (default: when on a terminal)")
@click.option("--strict", is_flag=True, help="treat warnings as errors")
def check(files: tuple[str, ...], output: str, colour: bool | None, strict: bool) -> None:
    """Parse and check agreements; print every error and warning.

    Exit status 1 when any file has an error (or, with --strict, a warning).
    """
    from sladsl.api import check_source

    unreadable = errors = warnings = 0
    results: list[dict[str, Any]] = []
    for path in files:
        try:
            source = _read(path)
        except SladslError as exc:
            click.echo(f"sladsl: error: {exc}", err=True)
            unreadable += 1
            continue
        _, diagnostics = check_source(source.text)
        errors += sum(d.is_error for d in diagnostics)
        warnings += sum(not d.is_error for d in diagnostics)
        if output == "json":
            results.append({"file": source.name, "diagnostics": [d.to_json() for d in diagnostics]})
        else:
            _print_diagnostics(source, diagnostics, _use_colour(colour))
    if output == "json":
        click.echo(json.dumps(results, indent=2))
    else:
        counts = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
        click.echo(f"checked {_plural(len(files) - unreadable, 'file')}: {counts}")
    if unreadable:
        raise BadInput(2)
    if errors or (strict and warnings):
        raise click.exceptions.Exit(1)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--check", "check_only", is_flag=True, help="write nothing; exit 1 if a file would change")
@click.option("--color/--no-color", "colour", default=None)
def fmt(files: tuple[str, ...], check_only: bool, colour: bool | None) -> None:
    """Rewrite agreements in canonical layout, keeping comments.

    `-` reads standard input and writes the result to standard output.
    Files that do not parse are reported and left untouched.
    """
    from sladsl.api import format_source

    status = 0
    for path in files:
        try:
            source = _read(path)
        except SladslError as exc:
            click.echo(f"sladsl: error: {exc}", err=True)
            status = 2
            continue
        try:
            formatted = format_source(source.text)
        except SyntaxFailure as failure:
            _print_diagnostics(source, [failure.diagnostic], _use_colour(colour))
            status = max(status, 1)
            continue
        if path == "-":
            click.echo(formatted, nl=False)
        elif formatted != source.text:
            if check_only:
                click.echo(f"would reformat {source.name}")
                status = max(status, 1)
            else:
                try:
                    write_atomically(Path(path), formatted.encode("utf-8"))
                except SladslError as exc:
                    click.echo(f"sladsl: error: {exc}", err=True)
                    status = 2
                    continue
                click.echo(f"reformatted {source.name}")
    if status:
        raise click.exceptions.Exit(status) if status == 1 else BadInput(2)


@main.command()
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, default=True, help="print the typed AST as JSON (the only format)")
@click.option("--color/--no-color", "colour", default=None)
@reports_bad_input
def parse(file: str, as_json: bool, colour: bool | None) -> None:
    """Print the typed AST of an agreement as JSON, for other tools.

    Decimals are strings; every node has `node` (its kind) and `span`.
    """
    from sladsl.api import parse as parse_text
    from sladsl.serialize import to_json

    source = _read(file)
    try:
        agreement = parse_text(source.text)
    except SyntaxFailure as failure:
        _print_diagnostics(source, [failure.diagnostic], _use_colour(colour))
        raise click.exceptions.Exit(1) from None
    click.echo(json.dumps(to_json(agreement), indent=2, ensure_ascii=False))


def _load_checked(source: Source, colour: bool | None) -> Any:
    """Parse and check; an agreement with errors is not evaluated, rendered or compiled."""
    from sladsl.api import check_source

    agreement, diagnostics = check_source(source.text)
    errors = [d for d in diagnostics if d.is_error]
    if agreement is None or errors:
        _print_diagnostics(source, errors, _use_colour(colour))
        raise fail(f"{source.name}: the agreement has errors; fix them first (sladsl check)")
    return agreement


def _parse_date(value: str | None, option: str) -> Any:
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SladslError(f"{option} {value!r} is not a date: write YYYY-MM-DD") from None


def _write_output(text: str, out: str | None, inputs: tuple[str | Path | None, ...] = ()) -> None:
    """Standard output, or the `-o` file; never one of the command's `inputs`."""
    if out is None or out == "-":
        click.echo(text, nl=not text.endswith("\n"))
        return
    write_atomically(output_path(out, inputs), text.encode("utf-8"))


@main.command()
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@click.option(
    "--data",
    "data",
    required=True,
    help="a folder of CSV/Parquet/JSON-lines tables, a DuckDB file, or prometheus+http://HOST:9090",
)
@click.option(
    "--period", "period", required=True, help="2026-10 (month), 2026-Q4 (quarter), 2026 (year), 2026-W14 (week)"
)
@click.option("--fee", "fee", default=None, help="the monthly fee where the agreement gives none: 2500 or '2500 USD'")
@click.option("--as-of", "as_of", default=None, help="judge deadlines and claims as of this date (YYYY-MM-DD)")
@click.option("--format", "output", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("-o", "--output", "out", default=None, help="write to this file instead of standard output")
@click.option(
    "--explain", is_flag=True, help="text and JSON: list the evidence behind every verdict (HTML always lists it)"
)
@click.option("--plan", "plan", default=None, help="the customer's plan, where the agreement declares `plans`")
@click.option(
    "--history",
    "history",
    default=None,
    help="a ledger of earlier periods (.parquet, .csv, .jsonl) for rolling caps and chronic failure",
)
@click.option("--ledger", "ledger", default=None, help="write the credit ledger here (.csv, .jsonl or .parquet)")
@click.option("--customer", "customer", default=None, help="one customer's full report (from the customers table)")
@click.option(
    "--engine",
    "engine",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="where the evidence is read and reduced: embedded DuckDB, or Apache Spark (local, or SPARK_REMOTE)",
)
@click.option("--fail-on-breach", is_flag=True, help="exit 1 when any judged clause is breached")
@click.option("--color/--no-color", "colour", default=None)
@reports_bad_input
def evaluate(
    file: str,
    data: str,
    period: str,
    fee: str | None,
    as_of: str | None,
    output: str,
    out: str | None,
    explain: bool,
    plan: str | None,
    history: str | None,
    ledger: str | None,
    customer: str | None,
    engine: str,
    fail_on_breach: bool,
    colour: bool | None,
) -> None:
    """Judge an agreement against evidence for one period: verdicts and credits.

    With a `customers` table in the data, a range of periods (`2026-01..2026-12`) or
    `--ledger`, every customer is judged into a credit ledger; `--customer ID` gives one
    customer's full report. Bad evidence stops with one line naming the file, row and
    column (exit 2), before any report is written.
    """
    from sladsl.evaluation.evaluate import evaluate as run_evaluation
    from sladsl.evaluation.evaluate import parse_fee
    from sladsl.evaluation.ledger import customer_subscriber, has_customers
    from sladsl.evaluation.prometheus_source import open_data
    from sladsl.plans import resolve_plan

    agreement = _load_checked(_read(file), colour)
    monthly = parse_fee(fee, agreement) if fee else None
    day = _parse_date(as_of, "--as-of")
    listed = explain or output == "html"  # evidence lists are gathered only where they are shown
    if engine == "spark" and data.startswith("prometheus+"):
        raise SladslError("--engine spark reads a folder of tables; a Prometheus source is read by DuckDB")
    with open_data(data, agreement, period) as source:
        if customer is None and (ledger is not None or ".." in period or has_customers(source, agreement)):
            inputs = (file, data, history)
            breached = _evaluate_ledger(
                agreement, source, period, monthly, day, plan, history, ledger, output, out, inputs, engine
            )
            if fail_on_breach and breached:
                raise click.exceptions.Exit(1)
            return
        if customer is not None:
            if plan is not None:
                raise SladslError("--plan: with --customer, the customers table gives the plan")
            who = customer_subscriber(source, agreement, customer, engine)
            report = run_evaluation(agreement, source, period, monthly, day, None, history, who, engine, listed)
        else:
            plan_name = resolve_plan(agreement, plan)
            report = run_evaluation(agreement, source, period, monthly, day, plan_name, history, None, engine, listed)
    for warning in report.warnings:
        click.echo(f"sladsl: warning: {warning}", err=True)
    if output == "json":
        text = json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    elif output == "html":
        from sladsl.evaluation.report_html import render_report

        text = render_report(report)
    else:
        from sladsl.evaluation.report_text import render_text

        text = render_text(report, explain)
    _write_output(text, out, (file, data, history))
    if fail_on_breach and report.status == "breached":
        raise click.exceptions.Exit(1)


def _evaluate_ledger(
    agreement: Any,
    source: Any,
    period: str,
    monthly: Any,
    day: Any,
    plan: str | None,
    history: str | None,
    ledger: str | None,
    output: str,
    out: str | None,
    inputs: tuple[str | None, ...],
    engine: str = "duckdb",
) -> bool:
    """Every customer × service × objective × period, to `--ledger OUT` or standard output;
    whether any row is breached."""
    from sladsl.evaluation.ledger import evaluate_ledger, ledger_csv, write_ledger
    from sladsl.periods import parse_range

    windows = parse_range(period, agreement.timezone)
    book = evaluate_ledger(agreement, source, windows, monthly, day, history, plan, engine)
    for warning in book.warnings:
        click.echo(f"sladsl: warning: {warning}", err=True)
    for note in book.notes:
        click.echo(f"sladsl: note: {note}", err=True)
    if ledger is not None:
        write_ledger(book, output_path(ledger, inputs))
        click.echo(f"sladsl: wrote {len(book.rows)} ledger rows to {ledger}", err=True)
    records = [r.record() for r in book.rows]
    text = json.dumps(records, indent=2, ensure_ascii=False) + "\n" if output == "json" else ledger_csv(records)
    if ledger is None or out is not None:
        _write_output(text, out, inputs)
    return any(r.met is False for r in book.rows)


def _warn(message: str) -> None:
    click.echo(f"sladsl: warning: {message}", err=True)


def _overrides(values: tuple[str, ...]) -> dict[str, str]:
    overrides = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SladslError(f'--set {item!r}: write KEY=VALUE, for example --set customer="Acme Ltd"')
        overrides[key.strip()] = value
    return overrides


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["html", "pdf", "md"]), default="html", show_default=True)
@click.option(
    "-o",
    "--output",
    "out",
    default=None,
    help="the output file (with --batch: a folder); default: standard output for html and md",
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="override a header value: title, version, provider, customer, effective, term",
)
@click.option(
    "--template-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="templates that replace the built-in ones (run in Jinja2's sandbox)",
)
@click.option("--paper", type=click.Choice(["A4", "Letter"], case_sensitive=False), default="A4", show_default=True)
@click.option("--batch", is_flag=True, help="render every FILE (and every row of --customers) into the -o folder")
@click.option("--plan", "plan", default=None, help="render one plan's copy (default: every plan side by side)")
@click.option(
    "--customers",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="with --batch: a CSV whose columns are header values, one document per row",
)
@click.option(
    "--jobs", type=click.IntRange(1, 64), default=None, help="parallel workers for --batch (default: every core)"
)
@click.option("--color/--no-color", "colour", default=None)
@reports_bad_input
def render(
    files: tuple[str, ...],
    fmt: str,
    out: str | None,
    sets: tuple[str, ...],
    template_dir: Path | None,
    paper: str,
    batch: bool,
    plan: str | None,
    customers: Path | None,
    jobs: int | None,
    colour: bool | None,
) -> None:
    """Render the customer-facing contract document: HTML, PDF or Markdown.

    HTML and Markdown are deterministic: the same input gives the same bytes.
    """
    from sladsl import render as renderer

    overrides = _overrides(sets)
    paper = "Letter" if paper.lower() == "letter" else "A4"
    if batch:
        from sladsl.batch import render_batch

        if out is None:
            raise SladslError("--batch needs -o FOLDER")
        render_batch(files, fmt, Path(out), overrides, customers, template_dir, paper, jobs, plan)
        return
    if len(files) != 1:
        raise SladslError("render takes one FILE (use --batch for several)")
    if customers is not None:
        raise SladslError("--customers needs --batch")
    from sladsl.plans import resolve_plan

    agreement = _load_checked(_read(files[0]), colour)
    chosen = resolve_plan(agreement, plan) if plan is not None else None
    if fmt == "pdf":
        if out is None or out == "-":
            raise SladslError("--format pdf needs -o FILE.pdf")
        inputs = (files[0], template_dir)
        output_path(out, inputs)  # refused before the layout work, and again when writing
        document = renderer.render_pdf(agreement, overrides, template_dir, paper, chosen, warn=_warn)
        write_atomically(output_path(out, inputs), document)
        return
    document_text = renderer.render_text(agreement, fmt, overrides, template_dir, paper, chosen)
    _write_output(document_text, out, (files[0], template_dir))


@main.command(name="compile")
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@click.option(
    "--target",
    "target",
    type=click.Choice(["prometheus", "openslo", "kubernetes", "grafana"]),
    required=True,
    help="Prometheus rules, OpenSLO v1, the rules as a Kubernetes PrometheusRule, or a Grafana dashboard",
)
@click.option("-o", "--output", "out", default=None, help="the rules file (default: standard output)")
@click.option("--strict", is_flag=True, help="exit 1 when an objective cannot be compiled")
@click.option(
    "--plan", "plan", default=None, help="rules for this plan only (default: every plan, with a `plan` label)"
)
@click.option(
    "--runbook-url",
    "runbook",
    default=None,
    help="a runbook_url annotation on every alert; {alert}, {agreement}, {service}, {objective}, {plan} are filled in",
)
@click.option("--color/--no-color", "colour", default=None)
@reports_bad_input
def compile_rules(
    file: str, target: str, out: str | None, strict: bool, plan: str | None, runbook: str | None, colour: bool | None
) -> None:
    """Compile objectives into Prometheus recording and alert rules (also as a Kubernetes
    PrometheusRule), OpenSLO v1, or a Grafana dashboard of those rules.

    An objective that cannot be compiled is a warning that names it (exit 1 with --strict).
    """
    from sladsl import monitoring
    from sladsl.plans import resolve_plan

    if runbook is not None:
        if target not in ("prometheus", "kubernetes"):
            raise SladslError("--runbook-url goes with --target prometheus or kubernetes (it annotates alerts)")
        problem = monitoring.runbook_problem(runbook)
        if problem:
            raise SladslError(problem)
    agreement = _load_checked(_read(file), colour)
    chosen = resolve_plan(agreement, plan) if plan is not None else None
    if target == "grafana":
        from sladsl.dashboard import dashboard

        compiled = dashboard(agreement, chosen)
    elif target == "kubernetes":
        compiled = monitoring.kubernetes(agreement, chosen, runbook)
    elif target == "prometheus":
        compiled = monitoring.prometheus(agreement, chosen, runbook)
    else:
        compiled = monitoring.openslo(agreement, chosen)
    for warning in compiled.warnings:
        click.echo(f"sladsl: warning: {warning}", err=True)
    if target == "grafana":
        _write_output(json.dumps(compiled.documents[0], indent=2, ensure_ascii=False) + "\n", out, (file,))
    else:
        _write_output(monitoring.to_yaml(compiled.documents), out, (file,))
    if strict and compiled.warnings:
        raise click.exceptions.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
