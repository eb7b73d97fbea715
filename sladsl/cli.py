"""The `sladsl` command line: a thin layer over `sladsl.api`.

Exit status: 0 success; 1 when checks find an error (or `fmt --check` finds a file to
reformat); 2 on bad input (unreadable file, wrong options), reported as one line on
stderr; 3 when `evaluate --fail-on` matches; 130 when interrupted (Ctrl-C). Results go
to stdout, everything else to stderr (`sladsl.cli_output`; docs/cli.md). Heavy libraries
are imported only inside the commands that need them, so that `sladsl check` starts fast.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found,unused-ignore]  # the C module: `signal` imports enum, slowly
import os
import sys


def _interrupted_while_starting(signum: int, frame: object) -> None:
    """Ctrl-C while the command is still importing its libraries: the same one line and
    exit 130 as later, instead of Python's traceback from inside an import."""
    os.write(2, b"sladsl: interrupted\n")
    os._exit(130)


def _quiet_interrupts_while_starting() -> object | None:
    """Only for the `sladsl` command itself (not a program that imports this module), and
    only while Ctrl-C still has Python's own meaning; the previous handler, to restore."""
    command = __name__ == "__main__" or os.path.splitext(os.path.basename(sys.argv[0]))[0] == "sladsl"
    if not command or _signal.getsignal(_signal.SIGINT) is not _signal.default_int_handler:
        return None
    try:
        previous: object = _signal.signal(_signal.SIGINT, _interrupted_while_starting)
    except ValueError:  # not the main thread
        return None
    return previous


_BEFORE_STARTING = _quiet_interrupts_while_starting()

import json  # noqa: E402 - after the handler above, so that Ctrl-C during imports is one line
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import click  # noqa: E402

from sladsl import __version__  # noqa: E402
from sladsl.cli_diff import diff_command  # noqa: E402
from sladsl.cli_output import (  # noqa: E402
    BadInput,
    Group,
    check_output,
    complete_plans,
    fail,
    load_checked,
    print_diagnostics,
    project_defaults,
    read_agreement,
    read_input,
    reports_bad_input,
    sla_files,
    unified_diff,
    warn,
    write_output,
)
from sladsl.language.diagnostics import SladslError, SyntaxFailure  # noqa: E402
from sladsl.language.sources import write_atomically  # noqa: E402

QUIET = click.option(
    "-q", "--quiet", is_flag=True, help="say nothing about the files written (errors and warnings still)"
)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sladsl")
def main() -> None:
    """sladsl: service level agreements as code.

    Write the agreement once in a .sla file; check it, format it, and (in later
    commands) evaluate it, render the contract and compile monitoring rules.
    """


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
@click.option("--strict", is_flag=True, default=None, help="treat warnings as errors")
@reports_bad_input
def check(files: tuple[str, ...], output: str, colour: bool | None, strict: bool | None) -> None:
    """Parse and check agreements (a directory: its .sla files, recursively); print every
    error and warning.

    Text diagnostics and the count go to stderr (nothing to stdout); `--format json` is
    the result, on stdout. Exit status 1 when any file has an error (or, with --strict, a
    warning). Defaults come from `[tool.sladsl]` in the nearest pyproject.toml
    (`strict = true`, `ignore = ["W204"]`).
    """
    from sladsl.api import check_source
    from sladsl.language.serialize import check_entry

    defaults = project_defaults()
    strict = defaults.get("strict", False) if strict is None else strict
    ignored = defaults.get("ignore", frozenset())
    files = tuple(sla_files(files))
    unreadable = errors = warnings = 0
    results: list[dict[str, Any]] = []
    for path in files:
        try:
            source = read_agreement(path)
        except SladslError as exc:
            click.echo(f"sladsl: error: {exc}", err=True)
            unreadable += 1
            continue
        _, diagnostics = check_source(source.text)
        diagnostics = [d for d in diagnostics if d.is_error or d.code not in ignored]
        errors += sum(d.is_error for d in diagnostics)
        warnings += sum(not d.is_error for d in diagnostics)
        if output == "json":
            results.append(check_entry(source.name, diagnostics))
        else:
            print_diagnostics(source, diagnostics, colour)
    if output == "json":
        click.echo(json.dumps(results, indent=2))
    elif unreadable < len(files):  # nothing read, nothing to count: the error line says it all
        counts = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
        click.echo(f"checked {_plural(len(files) - unreadable, 'file')}: {counts}", err=True)
    if unreadable:
        raise BadInput(2)
    if errors or (strict and warnings):
        raise click.exceptions.Exit(1)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--check", "check_only", is_flag=True, help="write nothing; exit 1 if a file would change")
@click.option(
    "--diff", "show_diff", is_flag=True, help="write nothing; print a unified diff; exit 1 if a file would change"
)
@click.option("--color/--no-color", "colour", default=None)
@reports_bad_input
def fmt(files: tuple[str, ...], check_only: bool, show_diff: bool, colour: bool | None) -> None:
    """Rewrite agreements in canonical layout, keeping comments (a directory: its .sla
    files, recursively).

    `-` reads standard input and writes the result to standard output (nothing else:
    diagnostics go to stderr, so an editor's format-on-save pipe never gets them).
    Files that do not parse are reported on stderr and left untouched (exit 1).
    """
    from sladsl.api import format_source

    status = 0
    for path in sla_files(files):
        try:
            source = read_agreement(path)
        except SladslError as exc:
            click.echo(f"sladsl: error: {exc}", err=True)
            status = 2
            continue
        try:
            formatted = format_source(source.text)
        except SyntaxFailure as failure:
            print_diagnostics(source, [failure.diagnostic], colour)
            status = max(status, 1)
            continue
        if show_diff:  # the diff is the result: on stdout
            if formatted != source.text:
                click.echo(unified_diff(source, formatted), nl=False)
                status = max(status, 1)
        elif check_only:  # `fmt --check -` too: nothing on stdout, the answer is the status
            if formatted != source.text:
                click.echo(f"would reformat {source.name}", err=True)
                status = max(status, 1)
        elif path == "-":
            click.echo(formatted, nl=False)
        elif formatted != source.text:
            try:
                write_atomically(Path(path), formatted.encode("utf-8"))
            except SladslError as exc:
                click.echo(f"sladsl: error: {exc}", err=True)
                status = 2
                continue
            click.echo(f"reformatted {source.name}", err=True)
    if status:
        raise click.exceptions.Exit(status) if status == 1 else BadInput(2)


@main.command()
def lsp() -> None:
    """Start the language server for editors (LSP over stdio; docs/editors.md)."""
    from sladsl.lsp.server import main as serve_lsp

    serve_lsp()


@main.command()
@click.argument("code", required=False)
def explain(code: str | None) -> None:
    """What a diagnostic code means (`sladsl explain E109`), with an example and its fix;
    without CODE, every code and its title."""
    from sladsl.language.explanations import explain_text, explanations

    if code is None:
        for found in explanations().values():
            click.echo(f"{found.code}  {found.title}")
        return
    text = explain_text(code)
    if text is None:
        raise fail(f"there is no diagnostic `{code}`; `sladsl explain` lists every code")
    click.echo(text, nl=False)


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
    from sladsl.language.serialize import to_json

    source = read_input(file)
    try:
        agreement = parse_text(source.text)
    except SyntaxFailure as failure:
        print_diagnostics(source, [failure.diagnostic], colour)
        raise click.exceptions.Exit(1) from None
    click.echo(json.dumps(to_json(agreement), indent=2, ensure_ascii=False))


@main.command()
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@click.option(
    "--data",
    "data",
    required=True,
    multiple=True,
    help="a folder of CSV/Parquet/JSON-lines tables, a DuckDB file, or prometheus+http://HOST:9090 "
    "(twice: the URL and the folder of the tables Prometheus does not give)",
)
@click.option(
    "--period", "period", required=True, help="2026-10 (month), 2026-Q4 (quarter), 2026 (year), 2026-W14 (week)"
)
@click.option("--fee", "fee", default=None, help="the monthly fee where the agreement gives none: 2500 or '2500 USD'")
@click.option("--as-of", "as_of", default=None, help="judge deadlines and claims as of this date (YYYY-MM-DD)")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json", "html", "csv"]),
    default=None,
    help="a report: text (default), json or html; a ledger: csv or json (default: a summary on a terminal, else csv)",
)
@click.option("-o", "--output", "out", default=None, help="write to this file instead of standard output")
@click.option(
    "--explain", is_flag=True, help="text and JSON: list the evidence behind every verdict (HTML always lists it)"
)
@click.option(
    "--plan",
    "plan",
    default=None,
    shell_complete=complete_plans,
    help="the customer's plan, where the agreement declares `plans`",
)
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
@click.option(
    "--fail-on",
    "fail_on",
    multiple=True,
    metavar="breached|incomplete",
    help="exit 3 when the status is breached; `incomplete`: when it is breached or incomplete "
    "(repeat it, or give a comma list)",
)
@click.option("--fail-on-breach", is_flag=True, help="deprecated: --fail-on breached (exits 3)")
@click.option("--color/--no-color", "colour", default=None, help="colour the verdicts (default: on a terminal)")
@QUIET
@reports_bad_input
def evaluate(file: str, data: tuple[str, ...], period: str, **options: Any) -> None:
    """Judge an agreement against evidence for one period: verdicts and credits.

    With a `customers` table in the data, a range of periods (`2026-01..2026-12`) or
    `--ledger`, every customer is judged into a credit ledger; `--customer ID` gives one
    customer's full report. Bad evidence stops with one line naming the file, row and
    column (exit 2), before any report is written. Exit 3 when `--fail-on` matches.
    """
    from sladsl.cli_evaluate import Options, run

    run(Options(file=file, data=data, period=period, **options))


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
@click.option(
    "--plan",
    "plan",
    default=None,
    shell_complete=complete_plans,
    help="render one plan's copy (default: every plan side by side)",
)
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
@QUIET
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
    quiet: bool,
) -> None:
    """Render the customer-facing contract document: HTML, PDF or Markdown.

    HTML and Markdown are deterministic: the same input gives the same bytes.
    """
    overrides = _overrides(sets)
    paper = "Letter" if paper.lower() == "letter" else "A4"
    if batch:
        from sladsl.documents.batch import render_batch

        if out is None:
            raise SladslError("--batch needs -o FOLDER")
        render_batch(files, fmt, Path(out), overrides, customers, template_dir, paper, jobs, plan, quiet=quiet)
        return
    if len(files) != 1:
        raise SladslError("render takes one FILE (use --batch for several)")
    if customers is not None:
        raise SladslError("--customers needs --batch")
    from sladsl.api import render as render_document

    agreement = load_checked(read_input(files[0]), colour)
    inputs = (files[0], template_dir)
    check_output(out, inputs)  # refused before the layout work, and again when writing
    if fmt == "pdf" and (out is None or out == "-"):
        raise SladslError("--format pdf needs -o FILE.pdf")
    document = render_document(
        agreement, fmt, overrides=overrides, template_dir=template_dir, paper=paper, plan=plan, warn=warn
    )
    write_output(document, out, inputs, quiet)


@main.command(name="compile")
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@click.option(
    "--target",
    "target",
    type=click.Choice(["prometheus", "openslo", "kubernetes", "grafana", "alertmanager"]),
    required=True,
    help="Prometheus rules, OpenSLO v1, the rules as a Kubernetes PrometheusRule, a Grafana dashboard, "
    "or Alertmanager silences for the announced maintenance (with --data)",
)
@click.option(
    "--data",
    "data",
    default=None,
    help="the evidence folder whose `maintenance` table gives the windows that qualify: silences "
    "(alertmanager), or the sla-maintenance recordings (prometheus)",
)
@click.option(
    "--period", "period", default=None, help="with --data: the windows of 2026 or 2026-01..2026-06 (default: all)"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["api", "amtool"]),
    default="api",
    help="silences as the Alertmanager v2 API's JSON list (api) or as amtool commands (amtool)",
)
@click.option("-o", "--output", "out", default=None, help="the rules file (default: standard output)")
@click.option("--strict", is_flag=True, help="exit 1 when an objective cannot be compiled")
@click.option(
    "--plan",
    "plan",
    default=None,
    shell_complete=complete_plans,
    help="rules for this plan only (default: every plan, with a `plan` label)",
)
@click.option(
    "--interval",
    default=None,
    metavar="DURATION",
    help="evaluation interval of every rule group (15s, 30s, 1m, 5m: must divide 5 minutes); prometheus and kubernetes",
)
@click.option(
    "--min-requests",
    "min_requests",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="keep burn-rate alerts quiet while their long window has fewer than N requests; prometheus and kubernetes",
)
@click.option(
    "--runbook-url",
    "runbook",
    default=None,
    help="a runbook_url annotation on every alert; {alert}, {agreement}, {service}, {objective}, {plan} are filled in",
)
@click.option("--color/--no-color", "colour", default=None)
@QUIET
@reports_bad_input
def compile_rules(
    file: str,
    target: str,
    data: str | None,
    period: str | None,
    fmt: str,
    out: str | None,
    strict: bool,
    plan: str | None,
    interval: str | None,
    min_requests: int | None,
    runbook: str | None,
    colour: bool | None,
    quiet: bool,
) -> None:
    """Compile objectives into Prometheus recording and alert rules (also as a Kubernetes
    PrometheusRule), OpenSLO v1, or a Grafana dashboard of those rules; with --data, the
    announced maintenance that qualifies as Alertmanager silences or recordings.

    An objective that cannot be compiled is a warning that names it (exit 1 with --strict).
    """
    from sladsl.api import compile as compile_agreement

    agreement = load_checked(read_input(file), colour)
    check_output(out, (file,))
    options: dict[str, Any] = {"plan": plan, "runbook_url": runbook, "data": data, "period": period, "format": fmt}
    options.update(interval=interval, min_requests=min_requests)
    compiled = compile_agreement(agreement, target, **options)  # type: ignore[arg-type]
    for warning in compiled.warnings:
        warn(warning)
    write_output(compiled.text, out, (file,), quiet)
    if strict and compiled.warnings:
        raise click.exceptions.Exit(1)


main.add_command(diff_command)

if _BEFORE_STARTING is not None:  # imports done: Ctrl-C is KeyboardInterrupt again (Group: exit 130)
    _signal.signal(_signal.SIGINT, _BEFORE_STARTING)

if __name__ == "__main__":  # pragma: no cover
    main()
