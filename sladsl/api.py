"""The public Python API: one function per pipeline stage, each mirroring a `sladsl` command.

    agreement = parse(text)                       # text -> typed AST (raises SyntaxFailure)
    diagnostics = check(agreement)                # AST -> every error and warning
    agreement = load("samples/payments-api.sla")  # read + parse + check; errors raise AgreementError
    report = evaluate(agreement, "samples/evidence/payments-api", "2026-10", explain=True)
    book = ledger(agreement, "samples/evidence/cloud-platform-portfolio", "2026-10..2026-12")
    document = render(agreement, "html")          # str; "pdf" gives bytes
    rules = compile(agreement, "prometheus")      # CompiledRules: .text, .documents, .warnings
    text = format_report(report, "json")          # exactly what `sladsl evaluate --format json` prints

Keyword arguments have the names and meanings of the command's options (docs/api.md).
Bad input raises `SladslError` (the CLI's exit status 2) with the CLI's one-line message.
Evaluation, rendering and monitoring are imported only when called, so that `import
sladsl.api` (and `sladsl check`) stays fast; `Report`, `Ledger` and `LedgerRow` are loaded
on first use too.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from sladsl.language.ast import Agreement, Money
from sladsl.language.checks import check
from sladsl.language.diagnostics import Diagnostic, SladslError, SyntaxFailure
from sladsl.language.formatter import format_agreement, format_source
from sladsl.language.front_end import check_source
from sladsl.language.parser import parse
from sladsl.language.serialize import check_json, to_json
from sladsl.language.sources import Source, read_source

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sladsl.evaluation.data_sources import DataLike
    from sladsl.evaluation.ledger import Ledger, LedgerRow
    from sladsl.evaluation.report import Report

__all__ = [
    "Agreement",
    "AgreementError",
    "CompiledRules",
    "Diagnostic",
    "Ledger",
    "LedgerRow",
    "Report",
    "SladslError",
    "Source",
    "SyntaxFailure",
    "check",
    "check_json",
    "check_source",
    "compile",
    "evaluate",
    "format_agreement",
    "format_ledger",
    "format_report",
    "format_source",
    "judge",
    "ledger",
    "load",
    "parse",
    "read_source",
    "render",
    "to_json",
]

AgreementLike = Agreement | str | os.PathLike[str]
ENGINES = ("duckdb", "spark")
TARGETS = ("prometheus", "openslo", "kubernetes", "grafana", "alertmanager")
_LAZY = {
    "Report": "sladsl.evaluation.report",
    "Ledger": "sladsl.evaluation.ledger",
    "LedgerRow": "sladsl.evaluation.ledger",
}


def __getattr__(name: str) -> Any:
    """`Report`, `Ledger` and `LedgerRow` without importing DuckDB with `sladsl.api`."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class AgreementError(SladslError):
    """The agreement has errors (as `sladsl check` reports them): it is not evaluated,
    rendered or compiled. `diagnostics` holds every error; the message names the first."""

    def __init__(self, name: str, diagnostics: list[Diagnostic]) -> None:
        first = diagnostics[0]
        where = f"{name}:{first.span.line}:{first.span.column}"
        more = f" (and {len(diagnostics) - 1} more)" if len(diagnostics) > 1 else ""
        super().__init__(
            f"{where}: error[{first.code}]: {first.message}{more}; the agreement has errors: fix them first"
        )
        self.name = name
        self.diagnostics = diagnostics


@dataclass(frozen=True)
class CompiledRules:
    """What `sladsl compile` writes: `text` is the file's content (YAML, or JSON for Grafana),
    `documents` the same as Python values, `warnings` the objectives that could not be compiled."""

    target: str
    text: str
    documents: list[Any] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---- parse and check ----------------------------------------------------------------------------


def load(path: str | os.PathLike[str]) -> Agreement:
    """Read, parse and check a `.sla` file, as every command but `check` does first: an
    agreement with errors raises `AgreementError` (warnings are allowed)."""
    source = read_source(os.fspath(path))
    agreement, diagnostics = check_source(source.text)
    return _without_errors(agreement, diagnostics, source.name)


def _without_errors(agreement: Agreement | None, diagnostics: list[Diagnostic], name: str) -> Agreement:
    errors = [d for d in diagnostics if d.is_error]
    if agreement is None or errors:
        raise AgreementError(name, errors)
    return agreement


def _agreement(value: AgreementLike) -> Agreement:
    """An `Agreement` is checked (an unchecked one may hold what no later stage can judge);
    a path is loaded."""
    if isinstance(value, Agreement):
        return _without_errors(value, check(value), value.title)
    return load(value)


# ---- evaluate -----------------------------------------------------------------------------------


def evaluate(
    agreement: AgreementLike,
    data: DataLike,
    period: str,
    *,
    fee: str | Decimal | int | Money | None = None,
    as_of: date | str | None = None,
    plan: str | None = None,
    history: str | os.PathLike[str] | None = None,
    customer: str | None = None,
    engine: str = "duckdb",
    explain: bool = False,
) -> Report:
    """`sladsl evaluate FILE --data DATA --period PERIOD`: the report of one period.

    `data` is a folder of tables, a DuckDB file or `prometheus+http://HOST:9090`; `period` one
    label (`2026-10`, `2026-Q4`, `2026`, `2026-W14`). `customer` judges one customer of the
    `customers` table; a data source with a `customers` table and no `customer` is a
    portfolio, judged by `ledger()`. `explain=True` gathers the evidence behind every verdict
    (what `--explain` prints, and what the HTML report lists).
    """
    if ".." in period:
        raise SladslError(f"--period {period}: evaluate() judges one period; ledger() judges a range")
    from sladsl.evaluation.report import Report

    result = judge(
        agreement,
        data,
        period,
        fee=fee,
        as_of=as_of,
        plan=plan,
        history=history,
        customer=customer,
        engine=engine,
        explain=explain,
        ledger=False,
    )
    assert isinstance(result, Report)
    return result


def judge(
    agreement: AgreementLike,
    data: DataLike,
    period: str,
    *,
    fee: str | Decimal | int | Money | None = None,
    as_of: date | str | None = None,
    plan: str | None = None,
    history: str | os.PathLike[str] | None = None,
    customer: str | None = None,
    engine: str = "duckdb",
    explain: bool = False,
    ledger: bool | None = None,
    before: Callable[[Literal["report", "ledger"]], None] | None = None,
    warn: Callable[[str], None] | None = None,
    checked: bool = False,
) -> Report | Ledger:
    """What `sladsl evaluate` produces: one `Report`, or a `Ledger` of every customer.

    `ledger=None` decides as the command does: a ledger when the data has a `customers`
    table, or the period is a range `A..B`, and no `customer` is named. `before` is told
    which of the two it will be once that is known and before the evidence is judged, so
    that a caller can refuse an option that does not fit (the command's `--format`) without
    doing the work first. `warn` hears what a Prometheus source warns of while it is read
    (the command prints it); without it, those warnings lead the result's `warnings`.
    `checked=True` says the caller has checked the `Agreement` already (the command has,
    to print its warnings): a large agreement is then not checked twice.
    """
    heard: list[str] = []
    sure = agreement if checked and isinstance(agreement, Agreement) else _agreement(agreement)
    options = (fee, as_of, plan, history, customer, engine, explain, ledger, before, warn or heard.append)
    result = _judge(sure, data, period, *options)
    result.warnings[:0] = heard
    return result


def _judge(
    checked: Agreement,
    data: DataLike,
    period: str,
    fee: str | Decimal | int | Money | None,
    as_of: date | str | None,
    plan: str | None,
    history: str | os.PathLike[str] | None,
    customer: str | None,
    engine: str,
    explain: bool,
    ledger: bool | None,
    before: Callable[[Literal["report", "ledger"]], None] | None,
    warn: Callable[[str], None],
) -> Report | Ledger:
    from sladsl.evaluation.data_sources import data_sources
    from sladsl.evaluation.evaluate import evaluate as run_evaluation
    from sladsl.evaluation.ledger import customer_subscriber, evaluate_ledger, has_customers
    from sladsl.evaluation.prometheus_source import open_data
    from sladsl.language.periods import parse_range
    from sladsl.language.plans import resolve_plan

    monthly, day, (source_text, tables) = _fee(fee, checked), _date(as_of), data_sources(data, engine, ENGINES)
    with open_data(source_text, checked, period, warn, tables) as source:
        if ledger is None:
            ledger = customer is None and (".." in period or has_customers(source, checked))
        elif ledger is False and customer is None and has_customers(source, checked):
            raise SladslError(
                f"{source_text}: the data source has a customers table: ledger() judges every customer, "
                "evaluate(customer=ID) one of them"
            )
        if before is not None:
            before("ledger" if ledger else "report")
        if ledger:
            windows = parse_range(period, checked.timezone)
            return evaluate_ledger(checked, source, windows, monthly, day, _path(history), plan, engine)
        if customer is not None:
            if plan is not None:
                raise SladslError("--plan: with --customer, the customers table gives the plan")
            who = customer_subscriber(source, checked, customer, engine)
            return run_evaluation(checked, source, period, monthly, day, None, _path(history), who, engine, explain)
        plan_name = resolve_plan(checked, plan)
        return run_evaluation(checked, source, period, monthly, day, plan_name, _path(history), None, engine, explain)


def format_report(
    report: Report,
    format: Literal["text", "json", "html"] = "text",
    *,
    explain: bool = False,
    width: int | None = None,
    colour: bool = False,
) -> str:
    """The report as `sladsl evaluate --format FORMAT` prints it (`colour`: verdicts
    coloured for a terminal).

    JSON is `report.to_json()` as the command prints it; HTML lists the evidence only when
    the report was evaluated with `explain=True`. Text lists it with `explain` (`--explain`)
    and fits its tables to `width` columns (None: one line per row, as in a pipe).
    """
    if format == "json":
        return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    if format == "html":
        from sladsl.evaluation.report_html import render_report

        return render_report(report)
    if format == "text":
        from sladsl.evaluation.report_text import render_text

        return render_text(report, explain, width=width, colour=colour)
    raise SladslError(f"--format {format!r}: choose text, json or html")


# ---- the credit ledger --------------------------------------------------------------------------


def ledger(
    agreement: AgreementLike,
    data: DataLike,
    period: str,
    *,
    fee: str | Decimal | int | Money | None = None,
    as_of: date | str | None = None,
    plan: str | None = None,
    history: str | os.PathLike[str] | None = None,
    engine: str = "duckdb",
    out: str | os.PathLike[str] | None = None,
) -> Ledger:
    """`sladsl evaluate FILE --data DATA --period A..B --ledger OUT`: one row per customer ×
    service × objective × period (`Ledger.rows`, each `LedgerRow.record()` a JSON-ready dict).

    `period` is one label or a range `A..B`. Without a `customers` table the agreement's own
    customer is the one customer, on `plan`. `out` also writes the ledger (`.csv`, `.jsonl`
    or `.parquet`), never over one of the inputs.
    """
    from sladsl.evaluation.data_sources import given
    from sladsl.evaluation.ledger import Ledger, write_ledger
    from sladsl.language.sources import output_path

    book = judge(agreement, data, period, fee=fee, as_of=as_of, plan=plan, history=history, engine=engine, ledger=True)
    assert isinstance(book, Ledger)
    if out is not None:
        write_ledger(book, output_path(os.fspath(out), (*given(data), _path(history))))
    return book


def format_ledger(book: Ledger, format: Literal["csv", "json"] = "csv") -> str:
    """The ledger as `sladsl evaluate` prints it: CSV, or (`--format json`) a JSON array."""
    from sladsl.evaluation.ledger import ledger_csv

    records = [row.record() for row in book.rows]
    if format == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if format == "csv":
        return ledger_csv(records)
    raise SladslError(f"--format {format!r}: a ledger is csv or json")


# ---- render -------------------------------------------------------------------------------------


@overload
def render(
    agreement: AgreementLike,
    format: Literal["html", "md"] = "html",
    *,
    overrides: Mapping[str, str] | None = None,
    template_dir: str | os.PathLike[str] | None = None,
    paper: str = "A4",
    plan: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> str: ...


@overload
def render(
    agreement: AgreementLike,
    format: Literal["pdf"],
    *,
    overrides: Mapping[str, str] | None = None,
    template_dir: str | os.PathLike[str] | None = None,
    paper: str = "A4",
    plan: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> bytes: ...


@overload
def render(
    agreement: AgreementLike,
    format: str,
    *,
    overrides: Mapping[str, str] | None = None,
    template_dir: str | os.PathLike[str] | None = None,
    paper: str = "A4",
    plan: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> str | bytes: ...


def render(
    agreement: AgreementLike,
    format: str = "html",
    *,
    overrides: Mapping[str, str] | None = None,
    template_dir: str | os.PathLike[str] | None = None,
    paper: str = "A4",
    plan: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> str | bytes:
    """`sladsl render FILE --format FORMAT`: the contract document, HTML or Markdown text
    (the same input gives the same text) or PDF bytes.

    `overrides` are the `--set KEY=VALUE` header values; `plan` renders one customer's copy
    (default: every plan side by side); `warn` hears of each resource a PDF asked for and
    did not get (the command prints these as warnings).
    """
    from sladsl.documents import render as renderer
    from sladsl.language.plans import resolve_plan

    if format not in ("html", "md", "pdf"):
        raise SladslError(f"--format {format!r}: choose html, pdf or md")
    if paper.lower() not in ("a4", "letter"):
        raise SladslError(f"--paper {paper!r}: choose A4 or Letter")
    checked = _agreement(agreement)
    chosen = resolve_plan(checked, plan) if plan is not None else None
    values, folder = dict(overrides or {}), _path(template_dir)
    size = "Letter" if paper.lower() == "letter" else "A4"
    if format == "pdf":
        return renderer.render_pdf(checked, values, folder, size, chosen, warn=warn)
    return renderer.render_text(checked, format, values, folder, size, chosen)


# ---- compile ------------------------------------------------------------------------------------


def compile(
    agreement: AgreementLike,
    target: Literal["prometheus", "openslo", "kubernetes", "grafana", "alertmanager"],
    *,
    plan: str | None = None,
    runbook_url: str | None = None,
    strict: bool = False,
    data: str | os.PathLike[str] | None = None,
    period: str | None = None,
    format: Literal["api", "amtool"] = "api",
    interval: str | None = None,
    min_requests: int | None = None,
) -> CompiledRules:
    """`sladsl compile FILE --target TARGET`: Prometheus rules, OpenSLO v1, the rules as a
    Kubernetes PrometheusRule, a Grafana dashboard, or Alertmanager silences.

    `plan` compiles one plan's rules (default: every plan, with a `plan` label);
    `runbook_url` annotates every alert (prometheus and kubernetes); `strict` raises
    `SladslError` when an objective cannot be compiled, instead of listing it in `warnings`.
    `data` and `period`: the qualifying maintenance, as silences (`format` api or amtool) or
    `sla-maintenance` recordings (`sladsl.monitoring.maintenance`). `interval` (rule groups'
    evaluation interval) and `min_requests` (burn-rate alerts quiet below N requests): the
    prometheus and kubernetes targets.
    """
    from sladsl.language.plans import resolve_plan
    from sladsl.monitoring.maintenance import option_problem
    from sladsl.monitoring.targets import compiled as compiled_target
    from sladsl.monitoring.targets import rule_options_problem

    problem = option_problem(target, TARGETS, runbook_url, data is not None, period, format)
    if problem := problem or rule_options_problem(target, interval, min_requests):
        raise SladslError(problem)
    checked = _agreement(agreement)
    chosen = resolve_plan(checked, plan) if plan is not None else None
    if data is not None:
        from sladsl.evaluation.maintenance_rules import qualifying_windows
        from sladsl.monitoring import maintenance

        windows = maintenance.Source(checked, chosen, lambda copy: qualifying_windows(copy, os.fspath(data), period))
        if target == "alertmanager":
            return CompiledRules(target, *windows.silences(format))
    compiled = compiled_target(checked, target, chosen, runbook_url, interval, min_requests)
    if data is not None:
        windows.exclude(compiled.documents[0]["groups"])
        compiled.documents[0]["groups"].append(windows.group())
    if strict and compiled.warnings:
        raise SladslError(f"--strict: {compiled.warnings[0]}")
    if target == "grafana":
        text = json.dumps(compiled.documents[0], indent=2, ensure_ascii=False) + "\n"
    else:
        from sladsl.monitoring.yaml_text import to_yaml

        text = to_yaml(compiled.documents)
    return CompiledRules(target, text, compiled.documents, compiled.warnings)


# ---- option values, as the command reads them ---------------------------------------------------


def _fee(value: str | Decimal | int | Money | None, agreement: Agreement) -> Money | None:
    """`--fee`: `2500` (in the agreement's currency), `"2500 USD"`, or a `Money`."""
    if value is None or isinstance(value, Money):
        return value
    from sladsl.evaluation.evaluate import parse_fee

    return parse_fee(str(value), agreement)


def _date(value: date | str | None) -> date | None:
    """`--as-of`: a `date`, or `YYYY-MM-DD`."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SladslError(f"--as-of {value!r} is not a date: write YYYY-MM-DD") from None


def _path(value: str | os.PathLike[str] | None) -> Path | None:
    return None if value is None else Path(value)
