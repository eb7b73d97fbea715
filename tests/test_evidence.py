"""Evidence sources: CSV, Parquet, JSON lines and a DuckDB database give the same verdicts,
and bad rows are named by file, row and column in each."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from .conftest import ROOT, golden, run

SLA = """sla "T" { timezone "UTC" fee 100 USD per month service "S" { objective "O" {
    availability at least 99.9% per calendar month } credits for "O" { below 99.9%: 10% of monthly fee } } }"""
ROWS = [
    ("S", "2026-10-05T10:00:00Z", "2026-10-05T11:00:00Z", ""),
    ("S", "2026-10-05T10:30:00Z", "2026-10-05T12:00:00Z", ""),
]


def _write(folder: Path, kind: str, rows: list[tuple[str, ...]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute('CREATE TABLE incidents (service VARCHAR, start VARCHAR, "end" VARCHAR, cause VARCHAR)')
    con.executemany("INSERT INTO incidents VALUES (?, ?, ?, ?)", rows)
    typed = (
        'SELECT service, CAST(start AS TIMESTAMPTZ) AS start, CAST("end" AS TIMESTAMPTZ) AS "end", cause FROM incidents'
    )
    if kind == "csv":
        con.execute(f"COPY incidents TO '{folder / 'incidents.csv'}' (HEADER)")
    elif kind == "parquet":
        con.execute(f"COPY ({typed}) TO '{folder / 'incidents.parquet'}' (FORMAT parquet)")
    elif kind == "jsonl":
        con.execute(f"COPY incidents TO '{folder / 'incidents.jsonl'}' (FORMAT json)")
    else:
        database = folder / "evidence.duckdb"
        db = duckdb.connect(str(database))
        db.execute('CREATE TABLE incidents (service VARCHAR, start VARCHAR, "end" VARCHAR, cause VARCHAR)')
        db.executemany("INSERT INTO incidents VALUES (?, ?, ?, ?)", rows)
        db.close()
        return database
    return folder


@pytest.mark.parametrize("kind", ["csv", "parquet", "jsonl", "duckdb"])
def test_every_source_kind_gives_the_same_verdict(tmp_path: Path, kind: str) -> None:
    source = _write(tmp_path / "data", kind, ROWS)
    (tmp_path / "a.sla").write_text(SLA)
    result = run("evaluate", str(tmp_path / "a.sla"), "--data", str(source), "--period", "2026-10", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["objectives"][0]["downtime_seconds"] == "7200"
    assert data["total_credit"] == {"amount": "10.00", "currency": "USD"}


@pytest.mark.parametrize(
    ("kind", "where"),
    [
        ("csv", "incidents.csv: row 2 (line 3)"),
        ("jsonl", "incidents.jsonl: row 2 (line 2)"),
        ("duckdb", "evidence.duckdb:incidents: row 2"),
    ],
)
def test_bad_rows_are_named_in_every_source_kind(tmp_path: Path, kind: str, where: str) -> None:
    rows = [ROWS[0], ("S", "2026-10-05T10:30:00Z", "not a time", "")]
    source = _write(tmp_path / "data", kind, rows)
    (tmp_path / "a.sla").write_text(SLA)
    result = run("evaluate", str(tmp_path / "a.sla"), "--data", str(source), "--period", "2026-10")
    assert result.exit_code == 2
    assert f"{where}, column `end`: 'not a time' is not a timestamp" in result.stderr


def test_parquet_rows_are_counted_from_one(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    duckdb.connect().execute(
        "COPY (SELECT * FROM (VALUES ('S', TIMESTAMPTZ '2026-10-05 10:00+00', TIMESTAMPTZ '2026-10-05 11:00+00', ''),"
        " ('S', TIMESTAMPTZ '2026-10-05 10:00+00', TIMESTAMPTZ '2026-10-05 09:00+00', '')) t(service, start, \"end\", cause))"
        f" TO '{folder / 'incidents.parquet'}' (FORMAT parquet)"
    )
    (tmp_path / "a.sla").write_text(SLA)
    result = run("evaluate", str(tmp_path / "a.sla"), "--data", str(folder), "--period", "2026-10")
    assert result.exit_code == 2 and "incidents.parquet: row 2, column `end`: end is before start" in result.stderr


def test_not_a_database(tmp_path: Path) -> None:
    bogus = tmp_path / "evidence.duckdb"
    bogus.write_text("hello")
    (tmp_path / "a.sla").write_text(SLA)
    result = run("evaluate", str(tmp_path / "a.sla"), "--data", str(bogus), "--period", "2026-10")
    assert result.exit_code == 2 and "not a folder of tables or a DuckDB database" in result.stderr


SAMPLE_RUNS = [
    ("managed-database", "2026-10", []),
    ("video-cdn", "2026-10", ["--as-of", "2026-11-10"]),
    ("payments-api", "2026-10", []),
    ("payments-api", "2026-Q4", ["--as-of", "2027-01-10"]),  # after the quarter: not provisional
]


@pytest.mark.parametrize(("sample", "period", "extra"), SAMPLE_RUNS, ids=[f"{s}-{p}" for s, p, _ in SAMPLE_RUNS])
def test_sample_reports_golden(sample: str, period: str, extra: list[str]) -> None:
    """The bundled samples' JSON reports, reviewed as diffs when they change."""
    result = run(
        "evaluate",
        f"samples/{sample}.sla",
        "--data",
        f"samples/evidence/{sample}",
        "--period",
        period,
        "--format",
        "json",
        "--explain",
        *extra,
    )
    assert result.exit_code == 0, result.output
    golden(ROOT / "tests" / "golden" / f"evaluate-{sample}-{period}.json", result.stdout)


@pytest.mark.parametrize(("sample", "period", "extra"), SAMPLE_RUNS, ids=[f"{s}-{p}" for s, p, _ in SAMPLE_RUNS])
def test_json_lists_evidence_only_with_explain(sample: str, period: str, extra: list[str]) -> None:
    """Explanations are opt-in: without `--explain` the JSON report has the same verdicts,
    measurements and credits, and no `explanation` lists (for 1,000 services they are megabytes)."""
    args = ["evaluate", f"samples/{sample}.sla", "--data", f"samples/evidence/{sample}", "--period", period]
    lean = json.loads(run(*args, "--format", "json", *extra).stdout)
    full = json.loads(run(*args, "--format", "json", "--explain", *extra).stdout)
    assert any(o["explanation"] for o in full["objectives"])
    for part in ("objectives", "support", "clauses"):
        assert all("explanation" not in item for item in lean[part])
        assert lean[part] == [{k: v for k, v in item.items() if k != "explanation"} for item in full[part]]
    assert (lean["credits"], lean["total_credit"], lean["status"]) == (
        full["credits"],
        full["total_credit"],
        full["status"],
    )


def test_text_and_html_outputs(tmp_path: Path) -> None:
    args = [
        "evaluate",
        "samples/managed-database.sla",
        "--data",
        "samples/evidence/managed-database",
        "--period",
        "2026-10",
    ]
    text = run(*args, "--explain")
    assert text.exit_code == 0
    assert "Primary cluster / Availability" in text.stdout and "BREACHED" in text.stdout
    assert (
        "maintenance 2026-10-14T02:00:00+02:00 to 2026-10-14T02:30:00+02:00 (30 minutes) [not counted]: excluded"
        in text.stdout
    )
    out = tmp_path / "report.html"
    html = run(*args, "--format", "html", "-o", str(out))
    assert html.exit_code == 0
    page = out.read_text()
    assert "<svg" in page and "Total credits owed: 420.00 EUR" in page
    assert "error budget 4 minutes 28.2 seconds" in page


@pytest.mark.skipif(not (ROOT.parent / "shared" / "spec").exists(), reason="the shared spec is not beside the checkout")
def test_report_md_example_values() -> None:
    """The spec's chat agreement, with evidence that REPORT.md's example describes (50 minutes
    of downtime in October, three of four P1 tickets on time), gives that example's values."""
    result = run(
        "evaluate",
        str(ROOT.parent / "shared/spec/examples/chat-platform.sla"),
        "--data",
        "tests/cases/evidence/chat-platform",
        "--period",
        "2026-10",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["agreement"] == "Chat Platform Service Level Agreement"
    assert data["period"] == {
        "label": "2026-10",
        "start": "2026-10-01T00:00:00+00:00",
        "end": "2026-11-01T00:00:00+00:00",
    }
    assert data["status"] == "breached"
    keys = [
        "service",
        "objective",
        "kind",
        "target",
        "measured",
        "met",
        "downtime_seconds",
        "excluded_seconds",
        "allowed_downtime_seconds",
    ]
    assert {k: data["objectives"][0][k] for k in keys} == {
        "service": "Chat API",
        "objective": "Availability",
        "kind": "availability",
        "target": "99.9",
        "measured": "99.88799283154121863799283154",
        "met": False,
        "downtime_seconds": "3000",
        "excluded_seconds": "0",
        "allowed_downtime_seconds": "2678.4",
    }
    keys = ["plan", "priority", "tickets", "met", "pending", "compliance", "target", "ok"]
    assert {k: data["support"][0][k] for k in keys} == {
        "plan": "Gold",
        "priority": "P1",
        "tickets": 4,
        "met": 3,
        "pending": 0,
        "compliance": "75",
        "target": "95",
        "ok": False,
    }
    keys = ["service", "objective", "percent", "amount", "currency", "claim_by", "expired"]
    assert [{k: c[k] for k in keys} for c in data["credits"]] == [
        {
            "service": "Chat API",
            "objective": "Availability",
            "percent": "10",
            "amount": "250.00",
            "currency": "USD",
            "claim_by": "2026-11-30",
            "expired": False,
        }
    ]
    assert data["total_credit"] == {"amount": "250.00", "currency": "USD"}
