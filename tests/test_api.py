"""The Python API (`sladsl.api`): every stage on the bundled samples, each result equal to
what the command prints for the same options."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sladsl import api
from sladsl.language.ast import Money

from .conftest import ROOT, run

EVIDENCE = "samples/evidence"
PORTFOLIO = "samples/evidence/cloud-platform-portfolio"
HISTORY = f"{EVIDENCE}/cloud-platform-history.csv"

# (the command's arguments after FILE, the API's keyword arguments) for one period
REPORTS: dict[str, tuple[str, str, str, tuple[str, ...], dict[str, Any]]] = {
    "managed-database": ("samples/managed-database.sla", f"{EVIDENCE}/managed-database", "2026-10", (), {}),
    "video-cdn-as-of": (
        "samples/video-cdn.sla", f"{EVIDENCE}/video-cdn", "2026-10",
        ("--as-of", "2026-11-10"), {"as_of": date(2026, 11, 10)},
    ),
    "payments-api-explain": (
        "samples/payments-api.sla", f"{EVIDENCE}/payments-api", "2026-Q4",
        ("--explain", "--as-of", "2027-01-15"), {"explain": True, "as_of": "2027-01-15"},
    ),
    "cloud-platform-history": (
        "samples/cloud-platform.sla", f"{EVIDENCE}/cloud-platform", "2026-10",
        ("--plan", "Enterprise", "--history", HISTORY), {"plan": "Enterprise", "history": HISTORY},
    ),
    "portfolio-customer": (
        "samples/cloud-platform.sla", PORTFOLIO, "2026-10", ("--customer", "fabrikam", "--explain"),
        {"customer": "fabrikam", "explain": True},
    ),
}  # fmt: skip

NO_FEE = """sla "No fee" {
    service "API" {
        objective "Availability" {
            availability at least 99.9% per calendar month
        }
        credits for "Availability" {
            below 99.9%: 10% of monthly fee
        }
    }
}
"""


def stdout(*args: str, status: int = 0) -> str:
    result = run(*args)
    assert result.exit_code == status, result.output
    return result.stdout


# ---- parse and check: the names that were there before ---------------------------------------


def test_existing_names_still_work() -> None:
    from sladsl.api import (  # noqa: F401 - each must still be importable
        Agreement,
        Diagnostic,
        Source,
        SyntaxFailure,
        check,
        check_source,
        format_agreement,
        format_source,
        parse,
        read_source,
        to_json,
    )

    source = read_source("samples/payments-api.sla")
    agreement = parse(source.text)
    assert isinstance(agreement, Agreement)
    assert check(agreement) == []
    assert format_agreement(agreement, source.text) == format_source(source.text)
    bad, diagnostics = check_source((ROOT / "tests/cases/bad/syntax-unclosed.sla").read_text(encoding="utf-8"))
    assert bad is None and [d.code for d in diagnostics] == ["E001"]
    with pytest.raises(SyntaxFailure):
        parse('sla "x" {')
    assert isinstance(diagnostics[0], Diagnostic) and isinstance(source, Source)


def test_to_json_is_what_parse_json_prints() -> None:
    agreement = api.parse(api.read_source("samples/video-cdn.sla").text)
    assert api.to_json(agreement) == json.loads(stdout("parse", "--json", "samples/video-cdn.sla"))
    assert api.to_json(agreement)["schema_version"] == 1


def test_load_refuses_an_agreement_with_errors() -> None:
    assert api.load("samples/payments-api.sla").title == "Payments Gateway Service Level Agreement"
    with pytest.raises(api.AgreementError) as caught:
        api.load("tests/cases/bad/tiers.sla")
    assert str(caught.value).startswith("tests/cases/bad/tiers.sla:8:13: error[E109]: credit tiers are out of order")
    assert [d.code for d in caught.value.diagnostics] == ["E109", "E110", "E110", "E110"]
    unchecked = api.parse((ROOT / "tests/cases/bad/tiers.sla").read_text(encoding="utf-8"))
    with pytest.raises(api.AgreementError):
        api.render(unchecked, "md")  # an Agreement is checked before any later stage


# ---- evaluate --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", REPORTS)
def test_evaluate_equals_the_command(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)  # the command fits text to it
    file, data, period, options, kwargs = REPORTS[case]
    report = api.evaluate(api.load(file), data, period, **kwargs)
    assert isinstance(report, api.Report)
    command = ("evaluate", file, "--data", data, "--period", period, *options)
    assert api.format_report(report, "json") == stdout(*command, "--format", "json")
    explain = "--explain" in options
    assert api.format_report(report, "text", explain=explain) == stdout(*command)
    assert report.to_json() == json.loads(stdout(*command, "--format", "json"))


def test_evaluate_html_equals_the_command(tmp_path: Path) -> None:
    data = f"{EVIDENCE}/payments-api"
    report = api.evaluate("samples/payments-api.sla", data, "2026-10", explain=True, as_of=date(2026, 11, 20))
    command = ("evaluate", "samples/payments-api.sla", "--data", data, "--period", "2026-10", "--as-of", "2026-11-20")
    stdout(*command, "--format", "html", "-o", str(tmp_path / "report.html"))
    assert api.format_report(report, "html") == (tmp_path / "report.html").read_text(encoding="utf-8")


def test_text_fitted_to_a_width_equals_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    file, data, period, options, kwargs = REPORTS["cloud-platform-history"]
    report = api.evaluate(file, data, period, **kwargs)
    monkeypatch.setenv("COLUMNS", "72")
    expected = stdout("evaluate", file, "--data", data, "--period", period, *options)
    assert api.format_report(report, width=72) == expected
    assert api.format_report(report, width=72) != api.format_report(report)


def test_evaluate_options_as_text_or_values(tmp_path: Path) -> None:
    """`fee` and `as_of` take what the options take (text) or typed values, to the same report."""
    (tmp_path / "a.sla").write_text(NO_FEE, encoding="utf-8")
    (tmp_path / "incidents.csv").write_text("service,start,end\nAPI,2026-10-05T10:00:00Z,2026-10-05T12:00:00Z\n")
    sla, data = str(tmp_path / "a.sla"), str(tmp_path)
    command = ("evaluate", sla, "--data", data, "--period", "2026-10", "--format", "json")
    expected = stdout(*command, "--fee", "2500 USD", "--as-of", "2026-12-31")
    for fee, as_of in [("2500 USD", "2026-12-31"), (Money(Decimal(2500), "USD"), date(2026, 12, 31))]:
        report = api.evaluate(sla, data, "2026-10", fee=fee, as_of=as_of)
        assert api.format_report(report, "json") == expected
    assert json.loads(expected)["total_credit"] == {"amount": "250.00", "currency": "USD"}


def test_evaluate_refuses_what_the_command_sends_elsewhere() -> None:
    sla = "samples/cloud-platform.sla"
    with pytest.raises(api.SladslError, match="customers table: ledger"):
        api.evaluate(sla, PORTFOLIO, "2026-10")
    with pytest.raises(api.SladslError, match="ledger\\(\\) judges a range"):
        api.evaluate(sla, f"{EVIDENCE}/cloud-platform", "2026-10..2026-11", plan="Premium")
    with pytest.raises(api.SladslError, match="--plan: with --customer"):
        api.evaluate(sla, PORTFOLIO, "2026-10", customer="fabrikam", plan="Premium")
    with pytest.raises(api.SladslError, match="choose one with --plan"):
        api.evaluate(sla, f"{EVIDENCE}/cloud-platform", "2026-10")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"as_of": "2026-13-01"}, "--as-of '2026-13-01' is not a date: write YYYY-MM-DD"),
        ({"engine": "oracle"}, "--engine 'oracle': choose duckdb or spark"),
        ({"fee": "lots"}, "--fee"),
    ],
)
def test_bad_options_raise_the_commands_message(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(api.SladslError) as caught:
        api.evaluate("samples/managed-database.sla", f"{EVIDENCE}/managed-database", "2026-10", **kwargs)
    assert message in str(caught.value)


def test_bad_evidence_raises_the_commands_message(tmp_path: Path) -> None:
    (tmp_path / "a.sla").write_text(NO_FEE, encoding="utf-8")
    (tmp_path / "incidents.csv").write_text("service,start,end\nAPI,2026-10-05T12:00:00Z,2026-10-05T10:00:00Z\n")
    result = run("evaluate", str(tmp_path / "a.sla"), "--data", str(tmp_path), "--period", "2026-10")
    assert result.exit_code == 2
    with pytest.raises(api.SladslError) as caught:
        api.evaluate(tmp_path / "a.sla", tmp_path, "2026-10")
    assert result.stderr == f"sladsl: error: {caught.value}\n"


# ---- the ledger ------------------------------------------------------------------------------


def test_ledger_equals_the_command(tmp_path: Path) -> None:
    # December is still running at --as-of: its rows are provisional, judged to that day
    command = ("evaluate", "samples/cloud-platform.sla", "--data", PORTFOLIO, "--period", "2026-10..2026-12")
    command = (*command, "--as-of", "2026-12-20")
    book = api.ledger(api.load("samples/cloud-platform.sla"), PORTFOLIO, "2026-10..2026-12", as_of="2026-12-20")
    assert isinstance(book, api.Ledger) and all(isinstance(r, api.LedgerRow) for r in book.rows)
    assert api.format_ledger(book, "json") == stdout(*command, "--format", "json")
    assert api.format_ledger(book) == stdout(*command)
    for suffix in ("csv", "jsonl"):
        mine, theirs = tmp_path / f"api.{suffix}", tmp_path / f"cli.{suffix}"
        api.ledger("samples/cloud-platform.sla", PORTFOLIO, "2026-10..2026-12", as_of=date(2026, 12, 20), out=mine)
        stdout(*command, "--ledger", str(theirs))
        assert mine.read_bytes() == theirs.read_bytes()


def test_ledger_of_one_customer_with_history_equals_the_command(tmp_path: Path) -> None:
    """Without a customers table: the agreement's own customer, on `plan`."""
    data = f"{EVIDENCE}/cloud-platform"
    mine, theirs = tmp_path / "api.csv", tmp_path / "cli.csv"
    book = api.ledger("samples/cloud-platform.sla", data, "2026-10", plan="Enterprise", history=HISTORY, out=mine)
    command = ("evaluate", "samples/cloud-platform.sla", "--data", data, "--period", "2026-10", "--plan", "Enterprise")
    stdout(*command, "--history", HISTORY, "--ledger", str(theirs))
    assert mine.read_bytes() == theirs.read_bytes()
    assert api.format_ledger(book) == theirs.read_text(encoding="utf-8")
    assert any(row.chronic_failure for row in book.rows)


def test_ledger_refuses_to_write_over_its_evidence(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for table in Path(PORTFOLIO).iterdir():
        (data / table.name).write_bytes(table.read_bytes())
    before = (data / "incidents.csv").read_bytes()
    with pytest.raises(api.SladslError):
        api.ledger("samples/cloud-platform.sla", data, "2026-10", out=data / "incidents.csv")
    assert (data / "incidents.csv").read_bytes() == before


# ---- render ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_render_equals_the_command(fmt: str) -> None:
    agreement = api.load("samples/cloud-platform.sla")
    assert api.render(agreement, fmt) == stdout("render", "samples/cloud-platform.sla", "--format", fmt)
    one = api.render(agreement, fmt, overrides={"customer": "Acme Ltd"}, plan="Enterprise", paper="letter")
    assert one == stdout(
        "render", "samples/cloud-platform.sla", "--format", fmt, "--set", "customer=Acme Ltd",
        "--plan", "Enterprise", "--paper", "Letter",
    )  # fmt: skip
    assert "Acme Ltd" in one


def test_render_pdf_is_bytes() -> None:
    document = api.render("samples/payments-api.sla", "pdf", overrides={"customer": "Acme Ltd"})
    assert isinstance(document, bytes) and document.startswith(b"%PDF-")


def test_render_refuses_bad_options() -> None:
    with pytest.raises(api.SladslError, match="--paper 'A5'"):
        api.render("samples/payments-api.sla", "html", paper="A5")
    with pytest.raises(api.SladslError, match="--format 'docx'"):
        api.render("samples/payments-api.sla", "docx")
    with pytest.raises(api.SladslError, match="not one of the agreement's plans"):
        api.render("samples/cloud-platform.sla", "md", plan="Gold")


# ---- compile ---------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["prometheus", "openslo", "kubernetes", "grafana"])
def test_compile_equals_the_command(target: str) -> None:
    rules = api.compile(api.load("samples/video-cdn.sla"), target)
    assert isinstance(rules, api.CompiledRules) and rules.target == target
    assert rules.text == stdout("compile", "samples/video-cdn.sla", "--target", target)
    assert rules.documents


def test_compile_options_equal_the_command() -> None:
    url = "https://runbooks.example.com/{alert}"
    rules = api.compile("samples/cloud-platform.sla", "prometheus", plan="Premium", runbook_url=url)
    expected = stdout(
        "compile", "samples/cloud-platform.sla", "--target", "prometheus", "--plan", "Premium", "--runbook-url", url
    )
    assert rules.text == expected
    assert "runbooks.example.com" in rules.text


def test_compile_strict_raises_where_the_command_exits_one() -> None:
    lenient = api.compile("samples/payments-api.sla", "openslo")
    assert lenient.warnings  # objectives without `monitor prometheus`
    assert run("compile", "samples/payments-api.sla", "--target", "openslo", "--strict").exit_code == 1
    with pytest.raises(api.SladslError, match="--strict: "):
        api.compile("samples/payments-api.sla", "openslo", strict=True)
    with pytest.raises(api.SladslError, match="--runbook-url goes with"):
        api.compile("samples/payments-api.sla", "openslo", runbook_url="https://x/{alert}")


# ---- the module ------------------------------------------------------------------------------


def test_importing_the_api_loads_no_engine_or_template_library() -> None:
    """`sladsl check` imports `sladsl.api`: DuckDB and Jinja2 load only when a stage needs them."""
    code = (
        "import sys, sladsl.api as a; print(sorted(m for m in ('duckdb', 'jinja2', 'weasyprint') if m in sys.modules)); "
        "import sladsl.evaluation.report as r; print(a.Report is r.Report)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "True"]
    with pytest.raises(AttributeError, match="no attribute 'Reprot'"):
        api.Reprot  # noqa: B018


def test_every_public_name_is_there_and_py_typed_ships() -> None:
    import sladsl

    for name in api.__all__:
        assert getattr(api, name) is not None, name
    assert (Path(sladsl.__file__).parent / "py.typed").is_file()
