"""`sladsl render`: golden documents, every clause present, escaping, overrides, PDF, batch."""

from __future__ import annotations

import dataclasses
import html as htmllib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from sladsl.api import parse
from sladsl.documents.phrases import (
    PHRASES,
    Context,
    amount_words,
    base_words,
    period_words,
    phrase,
    tier_condition,
    whole_seconds,
)
from sladsl.documents.phrases_terms import outage_amount_words, outage_condition
from sladsl.documents.render import render_text
from sladsl.language import ast
from sladsl.language.units import describe_duration as phrase_duration

from .conftest import ROOT, SAMPLES, SPEC_EXAMPLES, golden, run


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["html", "md"])
def test_golden_documents(path: Path, fmt: str) -> None:
    result = run("render", str(path.relative_to(ROOT)), "--format", fmt)
    assert result.exit_code == 0, result.output
    golden(ROOT / "tests" / "golden" / f"render-{path.stem}.{fmt}", result.stdout)


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_output_is_deterministic(fmt: str) -> None:
    agreement = parse((ROOT / "samples" / "payments-api.sla").read_text())
    assert render_text(agreement, fmt) == render_text(parse((ROOT / "samples" / "payments-api.sla").read_text()), fmt)


def _statements(node: Any) -> list[Any]:
    """Every statement node of the AST, depth first (values such as Percent are not clauses)."""
    found = []
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        for item in value if isinstance(value, tuple) else (value,):
            if (dataclasses.is_dataclass(item) and type(item) in PHRASES) or isinstance(
                item,
                ast.Service
                | ast.Objective
                | ast.Credits
                | ast.Calendar
                | ast.SupportPlan
                | ast.Security
                | ast.Reporting
                | ast.MonitorQuery
                | ast.MaintenanceCap,
            ):
                found.append(item)
                found.extend(_statements(item))
    return found


def _markers(node: Any, context: Context) -> list[str]:
    """What must appear in the document for this clause to be there."""
    if isinstance(node, ast.Tier):
        return [tier_condition(node), amount_words(node.amount)]
    if isinstance(node, ast.AvailabilityTarget):
        return [f"{node.percent.value}% of the time in {period_words(node.period)}"]
    if isinstance(node, ast.CreditCap):
        return [f"at most {node.percent.value}% of {base_words(node.base)}"]
    if isinstance(node, ast.ChronicFailure):
        counts = [str(node.consecutive)] if node.consecutive else []
        counts += [f"in {node.of_any[0]} of any {node.of_any[1]}"] if node.of_any else []
        counts += ["ticket target of the support plan"] if node.support else []
        if node.terminate_within is not None:
            counts += [f"terminate the Agreement, within {phrase_duration(node.terminate_within)} after the end"]
        return ["the Customer may terminate the Agreement", *counts]
    if isinstance(node, ast.OutageTier):
        return [outage_condition(node), outage_amount_words(node)]
    if isinstance(node, ast.DowntimeTarget):
        return [f"unavailable for at most {whole_seconds(node.limit.seconds)} in {period_words(node.period)}"]
    if isinstance(node, ast.IgnoreOutages):
        length = phrase_duration(node.shorter_than)
        which = f"Outages of {length} or less" if node.or_less else f"Outages shorter than {length}"
        return [which + (", after excluded time is removed," if node.after_exclusions else "") + " are not counted"]
    if isinstance(node, ast.WholeClockUnits):
        return [phrase(node, context).split(" (")[0]]
    if isinstance(node, ast.TicketTarget):
        return [f"At least {node.percent.value}% of the tickets of each priority opened in {period_words(node.period)}"]
    if isinstance(node, ast.Plans):
        return [", ".join(node.names[:-1]) + " and " + node.names[-1] if len(node.names) > 1 else node.names[0]]
    if isinstance(node, ast.Priority):
        return [node.name] + ([node.description] if node.description else [])
    if isinstance(node, ast.OpenHours | ast.Holidays | ast.UsesCalendar | ast.TimeZone):
        return [phrase(node).rstrip(".")[:40]] if not isinstance(node, ast.TimeZone) else [node.name]
    if isinstance(node, ast.Service | ast.Objective | ast.Calendar | ast.SupportPlan):
        return [node.name]
    if isinstance(node, ast.Credits):
        return [node.objective]
    if isinstance(node, ast.Security):
        return ["Security"]
    if isinstance(node, ast.Reporting):
        return ["Reporting"]
    if isinstance(node, ast.MonitorQuery | ast.MaintenanceCap):
        return []  # monitoring queries are for `compile`; the cap is part of its exclusion's sentence
    if isinstance(node, ast.Text | ast.Definition):
        return [line for line in node.body.splitlines() if line.strip()][:1]
    if isinstance(node, ast.Version | ast.Provider | ast.Customer):
        return [getattr(node, "value", None) or node.name]
    if isinstance(node, ast.Effective):
        return [f"{node.date.day} {node.date.strftime('%B')} {node.date.year}"]
    if isinstance(node, ast.Term):
        return ["runs for"]
    if isinstance(node, ast.Fee):
        return [f"{node.money.amount} {node.money.currency}"]
    return [phrase(node, context)]


DRAFT3 = sorted((ROOT / "tests" / "cases" / "draft3").glob("*.sla"))


@pytest.mark.parametrize(
    "path",
    SAMPLES
    + SPEC_EXAMPLES
    + [ROOT / "tests/cases/good/everything.sla", ROOT / "tests/cases/render/draft2.sla"]
    + DRAFT3,
    ids=lambda p: p.stem,
)
@pytest.mark.parametrize("fmt", ["html", "md"])
def test_every_clause_appears_in_the_document(path: Path, fmt: str) -> None:
    agreement = parse(path.read_text())
    document = render_text(agreement, fmt)
    if fmt == "html":
        document = htmllib.unescape(re.sub(r"<[^>]+>", "", document))
    else:
        document = document.replace("\\|", "|").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    statements = _statements(agreement)
    assert len(statements) >= 5
    if path.stem == "draft2":  # the walk reaches every draft-2 statement kind
        kinds = {type(n) for n in statements}
        draft2 = {ast.Plans, ast.RoundOutages, ast.WeightByAffected, ast.ChronicFailure, ast.ClaimByMonthEnd}
        assert draft2 | {ast.ClosedOn, ast.OpenOn, ast.Holidays, ast.ClaimWindow} <= kinds
    if path.stem == "web-hosting":  # the sample reaches the draft-3 statement kinds it shows
        kinds = {type(n) for n in statements}
        assert {
            ast.DowntimeTarget,
            ast.OutageTier,
            ast.WholeClockUnits,
            ast.ServiceTimeCap,
            ast.CreditThreshold,
        } <= kinds
    for node in statements:
        for marker in _markers(node, Context(zone=agreement.timezone)):
            if fmt == "html" and isinstance(node, ast.Text | ast.Definition):
                marker = marker.replace("*", "")
            assert marker in document, f"{type(node).__name__}: {marker!r} is missing"


def test_allowed_downtime_and_credit_amounts_in_words() -> None:
    document = render_text(parse((ROOT / "samples" / "video-cdn.sla").read_text()), "md")
    # America/Los_Angeles: 0.1% of 720 h, 721 h (November), 744 h and 743 h (March)
    assert "| a 30-day month | 43 minutes 12 seconds |" in document
    assert "| a 30-day month that gains 1 hour from daylight saving (721 hours) | 43 minutes 15 seconds |" in document
    assert "| a 31-day month | 44 minutes 38 seconds |" in document
    assert "| a 31-day month that loses 1 hour to daylight saving (743 hours) | 44 minutes 34 seconds |" in document
    assert "| below 99.5% | 20% of the monthly fee | 3000.00 USD |" in document
    quarterly = render_text(parse((ROOT / "samples" / "payments-api.sla").read_text()), "md")
    # Europe/London: Q4 has 92 days and the hour the clocks go back (2209 hours): 0.5% is 39762 s
    assert "| a 92-day quarter | 11 hours 2 minutes 24 seconds |" in quarterly
    assert (
        "| a 92-day quarter that gains 1 hour from daylight saving (2209 hours) | 11 hours 2 minutes 42 seconds |"
        in quarterly
    )
    assert "| below 99.5% | 10% of the fees for the period | 600.00 GBP |" in quarterly


HOSTILE = "<script>alert(1)</script>"


def test_user_strings_are_escaped(tmp_path: Path) -> None:
    sla = tmp_path / "x.sla"
    sla.write_text(
        f'sla "{HOSTILE}" {{ provider "A & B <b>" text """Hello <img src=x onerror=alert(1)> *world*"""'
        f' service "{HOSTILE}" {{ objective "O | P" {{ availability at least 99% per calendar month }} }} }}'
    )
    html = run("render", str(sla), "--format", "html", "--set", f"customer={HOSTILE}").stdout
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "A &amp; B &lt;b&gt;" in html
    assert "<em>world</em>" in html  # Markdown still works
    md = run("render", str(sla), "--format", "md", "--set", f"customer={HOSTILE}").stdout
    assert "<script>" not in md and "&lt;script&gt;" in md and "O \\| P" in md


def test_set_overrides_the_header_and_rejects_unknown_keys() -> None:
    result = run(
        "render",
        "samples/video-cdn.sla",
        "--format",
        "md",
        "--set",
        "customer=Acme Ltd",
        "--set",
        "effective=2027-02-01",
    )
    assert "| Customer | Acme Ltd |" in result.stdout and "1 February 2027" in result.stdout
    bad = run("render", "samples/video-cdn.sla", "--set", "colour=blue")
    assert bad.exit_code == 2 and "not a header value" in bad.stderr
    bad = run("render", "samples/video-cdn.sla", "--set", "effective=soon")
    assert bad.exit_code == 2 and "not a date" in bad.stderr


def test_template_override_runs_in_the_sandbox(tmp_path: Path) -> None:
    (tmp_path / "contract.md.j2").write_text("Contract {{ title }} for {{ customer }}\n")
    result = run("render", "samples/video-cdn.sla", "--format", "md", "--template-dir", str(tmp_path))
    assert result.stdout == "Contract StreamEdge CDN Service Level Agreement for Litware Media LLC\n"
    (tmp_path / "contract.md.j2").write_text("{{ title.__class__.__mro__[1].__subclasses__() }}\n")
    result = run("render", "samples/video-cdn.sla", "--format", "md", "--template-dir", str(tmp_path))
    assert result.exit_code == 2 and "template error" in result.stderr and "unsafe" in result.stderr
    (tmp_path / "contract.md.j2").write_text("{% if %}\n")
    result = run("render", "samples/video-cdn.sla", "--format", "md", "--template-dir", str(tmp_path))
    assert result.exit_code == 2 and "contract.md.j2:1" in result.stderr


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_pdf_has_the_clauses_and_page_size(tmp_path: Path, paper: str) -> None:
    out = tmp_path / "contract.pdf"
    result = run("render", "samples/payments-api.sla", "--format", "pdf", "--paper", paper, "-o", str(out))
    assert result.exit_code == 0, result.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == ((595, 842) if paper == "A4" else (612, 792))
    text = " ".join(_pdf_text(out).split())
    for expected in [
        "Payments Gateway Service Level Agreement",
        "Authorisation API",
        "Sev1",
        "PCI DSS Level 1",
        "Signatures",
        "600.00 GBP",
    ]:
        assert expected in text, expected


def test_pdf_needs_an_output_file() -> None:
    result = run("render", "samples/payments-api.sla", "--format", "pdf")
    assert result.exit_code == 2 and "needs -o" in result.stderr


def test_batch_renders_every_customer_in_parallel(tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("customer,effective\nAcme Ltd,2027-01-01\nGlobex Corp,2027-03-01\n")
    out = tmp_path / "out"
    result = run(
        "render",
        "--batch",
        "samples/video-cdn.sla",
        "samples/payments-api.sla",
        "--customers",
        str(customers),
        "--format",
        "pdf",
        "-o",
        str(out),
        "--jobs",
        "2",
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "payments-api-acme-ltd.pdf",
        "payments-api-globex-corp.pdf",
        "video-cdn-acme-ltd.pdf",
        "video-cdn-globex-corp.pdf",
    ]
    assert "Globex Corp" in _pdf_text(out / "video-cdn-globex-corp.pdf")
    assert "wrote 4 documents" in result.stderr


def test_batch_stops_before_work_on_a_bad_row(tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("customer,effective\nAcme Ltd,someday\n")
    result = run("render", "--batch", "samples/video-cdn.sla", "--customers", str(customers), "-o", str(tmp_path / "o"))
    assert result.exit_code == 2 and "not a date" in result.stderr
    assert list((tmp_path / "o").iterdir()) == []


@pytest.mark.skipif(not SPEC_EXAMPLES, reason="the shared spec is not beside the checkout")
def test_issue_example_facts_for_the_spec_chat_agreement() -> None:
    document = render_text(parse((ROOT.parent / "shared/spec/examples/chat-platform.sla").read_text()), "md")
    assert "43 minutes 12 seconds of downtime in a 30-day month (44 minutes 38 seconds in a 31-day month" in document
    assert "| below 99.0% | 25% of the monthly fee | 625.00 USD |" in document
