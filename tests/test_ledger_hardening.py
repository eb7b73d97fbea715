"""The credit ledger's inputs and outputs, hardened (round-3 reproducers r02, r08, r10, r12,
whose inputs are in tests/cases/ledger-t3/): a `--history` ledger that would count a credit
twice or in another currency, a ragged or otherwise bad history CSV, a customer's fee in
another currency than a fixed credit, and CSV formula injection in the ledger written.
Everything runs through the real command line, on real files, with real DuckDB."""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import Result

from .conftest import ROOT, run

CASES = ROOT / "tests" / "cases" / "ledger-t3"
HEADER = (
    "customer,plan,service,objective,period,measured,met,downtime_seconds,allowed_downtime_seconds,"
    "tier,amount,currency,claim_by,capped,chronic_failure"
)
C2_SEPTEMBER = (
    "c2,Premium,Inc,Uptime,2026-09,99.0,false,25920,2592,below 99.9%,{amount},{currency},2026-10-31,false,false"
)


@pytest.fixture
def case(tmp_path: Path) -> Path:
    """A writable copy of the reproducers' agreement, evidence and histories."""
    target = tmp_path / "case"
    shutil.copytree(CASES, target)
    return target


def evaluate(case: Path, *args: str) -> Result:
    return run("evaluate", str(case / "ev.sla"), "--data", str(case / "data"), "--period", "2026-10", *args)


def history(case: Path, *rows: str, name: str = "h.csv") -> str:
    path = case / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def c2_october(result: Result) -> list[str]:
    """c2's ledger row for Inc / Uptime in October, as CSV cells."""
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    return next(r for r in rows if r[:4] == ["c2", "Premium", "Inc", "Uptime"])


def one_line_error(result: Result, *parts: str) -> str:
    """Exit 2, one line on stderr holding every part, no traceback, nothing on stdout."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    for part in parts:
        assert part in lines[0], (part, lines[0])
    return lines[0]


# ---- r02: a row listed twice is refused, not counted twice ---------------------------------------


def test_r02_the_reference_history_gives_the_hand_worked_credit(case: Path) -> None:
    # 10 x 3000 USD x 4800 s / 2,682,000 s (October in Berlin has 745 hours) = 53.69; with
    # 1600 USD of the 3000 USD rolling cap used in September, it is paid in full
    row = c2_october(evaluate(case, "--history", str(case / "h-1600.csv")))
    assert (row[10], row[11], row[13]) == ("53.69", "USD", "false")


def test_r02_an_exact_duplicate_row_is_refused(case: Path) -> None:
    path = str(case / "h-1600-dup.csv")
    one_line_error(
        evaluate(case, "--history", path),
        f"{path}: row 2 (line 3), column `period`: repeats row 1",
        "customer 'c2', plan 'Premium', Inc / Uptime, 2026-09",
        "one row per customer, plan, service, objective and period",
    )


def test_r02_a_conflicting_duplicate_is_refused_on_every_path(case: Path) -> None:
    path = history(
        case,
        C2_SEPTEMBER.format(amount="1600.00", currency="USD"),
        "c1,Standard,Inc,Uptime,2026-09,99.9,true,2592,12960,,,,,false,false",
        C2_SEPTEMBER.format(amount="100.00", currency="USD"),
    )
    expected = (f"{path}: row 3 (line 4), column `period`: repeats row 1", "customer 'c2'")
    one_line_error(evaluate(case, "--history", path), *expected)  # the ledger of every customer
    one_line_error(evaluate(case, "--history", path, "--customer", "c2"), *expected)  # one customer's report


def test_r02_a_row_for_every_customer_beside_the_customers_own_is_refused(case: Path) -> None:
    # an empty `customer` is every customer's row: with c2's own row both would count for c2
    shared = C2_SEPTEMBER.format(amount="100.00", currency="USD").replace("c2,", ",", 1)
    path = history(case, shared, C2_SEPTEMBER.format(amount="1600.00", currency="USD"))
    one_line_error(
        evaluate(case, "--history", path), f"{path}: row 2 (line 3), column `period`: repeats row 1 (every customer"
    )


def test_r02_the_same_period_for_two_customers_or_plans_is_not_a_repeat(case: Path) -> None:
    path = history(
        case,
        C2_SEPTEMBER.format(amount="1600.00", currency="USD"),
        "c1,Standard,Inc,Uptime,2026-09,99.9,true,2592,12960,,,,,false,false",
        "c3,Standard,Inc,Uptime,2026-09,99.9,true,2592,12960,,,,,false,false",
    )
    assert c2_october(evaluate(case, "--history", path))[10] == "53.69"


# ---- r02: an amount in another currency is refused, not added as the fee's -----------------------


def test_r02_a_history_in_yen_is_refused(case: Path) -> None:
    path = str(case / "h-jpy.csv")
    one_line_error(
        evaluate(case, "--history", path),
        f"{path}: row 1 (line 2), column `currency`: 'JPY' is not the currency of the fee of customer 'c2'",
        "(USD)",
    )
    one_line_error(evaluate(case, "--history", path, "--customer", "c2"), "column `currency`: 'JPY'")


def test_r02_a_history_in_the_fees_currency_or_without_one_counts(case: Path) -> None:
    # 2990 of the 3000 USD cap used in September: 10.00 left for October, capped
    usd = c2_october(evaluate(case, "--history", str(case / "h-usd.csv")))
    assert (usd[10], usd[13]) == ("10.00", "true")
    empty = history(case, C2_SEPTEMBER.format(amount="2990.00", currency=""))  # taken as the fee's currency
    assert c2_october(evaluate(case, "--history", empty))[10] == "10.00"


def test_one_customers_report_reads_its_own_history_rows_only(case: Path) -> None:
    # c1's 2990 USD must not use up c2's cap when c2's report is asked for (`--customer c2`)
    path = history(case, C2_SEPTEMBER.format(amount="2990.00", currency="USD").replace("c2,Premium", "c1,Premium"))
    (case / "data" / "customers.csv").write_text(
        "customer,plan,fee,currency,start,end\nc1,Premium,,,,\nc2,Premium,3000,USD,,\n"
    )
    report = json.loads(evaluate(case, "--history", path, "--customer", "c2", "--format", "json").stdout)
    uptime = next(c for c in report["credits"] if c["objective"] == "Uptime")
    assert (uptime["amount"], uptime["capped"]) == ("53.69", False)
    assert c2_october(evaluate(case, "--history", path))[10] == "53.69"  # the ledger agrees


# ---- r12: a customer's fee in another currency than a fixed credit --------------------------------


def r12(case: Path, customers: str) -> None:
    (case / "data" / "customers.csv").write_text("customer,plan,fee,currency,start,end\n" + customers)
    requests = (
        (case / "data" / "requests.csv")
        .read_text()
        .replace("Req,2026-10-05 12:00:00,990,", "Req,2026-10-05 12:00:00,0,")
    )
    (case / "data" / "requests.csv").write_text(requests)


def test_r12_a_customer_fee_in_euros_beside_a_fixed_credit_in_dollars_is_refused(case: Path) -> None:
    r12(case, "c1,Standard,900,EUR,,\nc2,Premium,3000,USD,,\n")
    customers = str(case / "data" / "customers.csv")
    expected = (
        f"{customers}: row 1 (line 2), column `currency`: the fee is in EUR",
        "`below 99%: 100 USD` of service 'Req' is in USD",
    )
    one_line_error(evaluate(case, "--customer", "c1"), *expected)
    one_line_error(evaluate(case), *expected)


def test_r12_the_same_customer_in_dollars_is_paid_the_fixed_credit(case: Path) -> None:
    r12(case, "c1,Standard,900,USD,,\nc2,Premium,3000,USD,,\n")
    report = json.loads(evaluate(case, "--customer", "c1", "--format", "json").stdout)
    success = next(c for c in report["credits"] if c["objective"] == "Success")
    assert (success["amount"], success["currency"]) == ("100.00", "USD")
    assert {c["currency"] for c in report["credits"]} == {"USD"}


def test_a_currency_without_a_fee_is_refused_unless_it_is_the_agreements(case: Path) -> None:
    r12(case, "c1,Standard,,EUR,,\n")
    one_line_error(
        evaluate(case), "customers.csv: row 1 (line 2), column `currency`: 'EUR' without a fee", "in USD, applies"
    )
    r12(case, "c1,Standard,,USD,,\n")
    assert evaluate(case).exit_code == 0


def test_a_fee_option_in_another_currency_than_a_fixed_credit_is_refused(tmp_path: Path) -> None:
    sla = tmp_path / "a.sla"
    sla.write_text(
        'sla "No fee" { timezone "UTC" service "S" { objective "O" { availability at least 99.9% '
        'per calendar month } credits for "O" { below 99.9%: 10% of monthly fee below 99%: 100 USD } } }'
    )
    data = tmp_path / "data"
    data.mkdir()
    (data / "incidents.csv").write_text("service,start,end\nS,2026-10-06T00:00:00Z,2026-10-06T10:00:00Z\n")
    args = ("evaluate", str(sla), "--data", str(data), "--period", "2026-10", "--format", "json", "--fee")
    one_line_error(run(*args, "900 EUR"), "--fee 900 EUR: the fee is in EUR but the credit `below 99%: 100 USD`")
    report = json.loads(run(*args, "900 USD").stdout)
    assert report["credits"][0]["amount"] == "100.00"  # 98.66%: the worst tier, the fixed 100 USD


# ---- r10 and other bad history CSVs: one line naming the file, the row and the column --------------


def test_r10_a_ragged_row_is_named(case: Path) -> None:
    path = str(case / "h-ragged.csv")
    one_line_error(
        evaluate(case, "--history", path), f"{path}: row 4 (line 5): 7 values where the header has 15 columns"
    )


SEPTEMBER = C2_SEPTEMBER.format(amount="1600.00", currency="USD")
UNTERMINATED = SEPTEMBER.replace(",below", ',"below')  # a quote that never closes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "line 1: no header; a ledger's first line names its columns (customer,plan,"),
        ("a,b,c\n1,2,3\n", "line 1 (the header): missing column `service` (the columns are: a, b, c)"),
        (HEADER.replace(",", ";") + "\n", "missing column `service`"),
        (HEADER.replace("measured", "service") + "\n", "line 1 (the header), column `service`: named twice"),
        (
            f"{HEADER}\n{SEPTEMBER.replace('1600.00', '1,600.00')}\n",
            "row 1 (line 2): 16 values where the header has 15",
        ),
        (
            f"{HEADER}\n{SEPTEMBER.replace('1600.00', '16x0.00')}\n",
            "row 1 (line 2), column `amount`: '16x0.00' is not a number",
        ),
        (
            f"{HEADER}\n{SEPTEMBER.replace('1600.00', 'NaN')}\n",
            "row 1 (line 2), column `amount`: 'NaN' is not a number",
        ),
        (
            f"{HEADER}\n{SEPTEMBER}\n{SEPTEMBER.replace('2026-09', '2026-Q3')}\n",
            "row 2 (line 3), column `period`: '2026-Q3' is a calendar quarter, but Inc / Uptime is measured per calendar month",
        ),
        (
            f"{HEADER}\n{SEPTEMBER.replace('2026-09', '2026-W30')}\n",
            "row 1 (line 2), column `period`: '2026-W30' is a week",
        ),
        (
            f"{HEADER}\n{SEPTEMBER.replace('2026-09', '2026-9')}\n",
            "row 1 (line 2), column `period`: '2026-9' is not a period",
        ),
        (
            f"{HEADER}\n{SEPTEMBER.replace('USD', 'usd')}\n",
            "row 1 (line 2), column `currency`: 'usd' is not the currency",
        ),
        (f"{HEADER}\n{UNTERMINATED}\n", "line 2: not CSV"),
    ],
)
def test_bad_history_csv_is_one_line_naming_file_row_and_column(case: Path, text: str, expected: str) -> None:
    path = case / "bad.csv"
    path.write_text(text, encoding="utf-8")
    one_line_error(evaluate(case, "--history", str(path)), f"{path}: ", expected)


def test_a_history_that_is_not_utf8_names_the_line(case: Path) -> None:
    path = case / "latin1.csv"
    path.write_bytes(
        f"{HEADER}\n{SEPTEMBER}\n".encode() + "c\u00e9,Premium,Inc,Uptime,2026-08,,,,,,,,,,\n".encode("latin-1")
    )
    one_line_error(evaluate(case, "--history", str(path)), f"{path}: line 3: not UTF-8 text")


def test_a_header_only_history_and_blank_lines_are_read(case: Path) -> None:
    assert c2_october(evaluate(case, "--history", history(case)))[10] == "53.69"
    path = case / "blank.csv"
    path.write_text(f"\ufeff{HEADER}\n\n{C2_SEPTEMBER.format(amount='2990.00', currency='USD')}\n\n")
    assert c2_october(evaluate(case, "--history", str(path)))[10] == "10.00"  # a BOM, blank lines: read


def test_rows_the_agreement_or_customers_table_do_not_know_are_a_warning_and_left_out(case: Path) -> None:
    path = history(
        case,
        C2_SEPTEMBER.format(amount="2990.00", currency="USD").replace("Premium", "Premuim"),
        C2_SEPTEMBER.format(amount="2990.00", currency="USD").replace("c2,", "zz,", 1),
        C2_SEPTEMBER.format(amount="2990.00", currency="USD").replace("Uptime", "Uptim"),
    )
    result = evaluate(case, "--history", path)
    assert c2_october(result)[10] == "53.69"  # none of the three counts
    for words in (
        "1 row names plan 'Premuim', which the agreement does not declare; left out",
        "1 row names customer 'zz', which the customers table does not list; left out",
        "1 row names service 'Inc', objective 'Uptim', which the agreement does not define; left out",
    ):
        assert f"sladsl: warning: {path}: {words}" in result.stderr


# ---- r08: CSV formula injection -----------------------------------------------------------------------


FORMULA = "=cmd|' /C calc'!A0"


def formula(tmp_path: Path, out: str, *args: str) -> Result:
    folder = CASES / "formula"
    return run(
        "evaluate", str(folder / "a.sla"), "--data", str(folder / "data"), "--period", "2026-10", "--ledger", out, *args
    )


def test_r08_text_cells_are_prefixed_and_quoted_numbers_are_not(tmp_path: Path) -> None:
    out = tmp_path / "l.csv"
    assert formula(tmp_path, str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    second = text.splitlines()[1]
    assert second.startswith(f'"\'{FORMULA}","\'{FORMULA}","\'{FORMULA} Service","\'{FORMULA} Availability",2026-10,')
    jsonl = tmp_path / "l.jsonl"
    assert formula(tmp_path, str(jsonl)).exit_code == 0
    exact = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    written = list(csv.DictReader(io.StringIO(text)))
    assert len(written) == len(exact) == 6
    for cells, record in zip(written, exact, strict=True):
        for column, value in record.items():
            if column in ("customer", "plan", "service", "objective") and str(value).startswith("="):
                assert cells[column] == "'" + value  # text: prefixed
            elif isinstance(value, bool):
                assert cells[column] == str(value).lower()
            else:
                assert cells[column] == ("" if value is None else value)  # numbers, dates, codes: as they are
    for cell in (c for row in csv.reader(io.StringIO(text)) for c in row):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_r08_jsonl_and_parquet_keep_the_names_exact(tmp_path: Path) -> None:
    jsonl, parquet = tmp_path / "l.jsonl", tmp_path / "l.parquet"
    assert formula(tmp_path, str(jsonl)).exit_code == 0 and formula(tmp_path, str(parquet)).exit_code == 0
    first = json.loads(jsonl.read_text(encoding="utf-8").splitlines()[0])
    assert (first["customer"], first["service"]) == (FORMULA, f"{FORMULA} Service")
    names = duckdb.sql(f"SELECT DISTINCT customer FROM '{parquet}' ORDER BY 1").fetchall()
    assert names == [(FORMULA,), ("other",)]


def test_r08_standard_output_is_the_same_safe_csv(tmp_path: Path) -> None:
    folder = CASES / "formula"
    shown = run("evaluate", str(folder / "a.sla"), "--data", str(folder / "data"), "--period", "2026-10")
    out = tmp_path / "l.csv"
    assert formula(tmp_path, str(out)).exit_code == 0
    assert shown.exit_code == 0 and shown.stdout == out.read_text(encoding="utf-8")


ROLLING = """
sla "Caps" {
    timezone "UTC"
    fee 1000 USD per month
    service "S" {
        objective "O" { availability at least 99.9% per calendar month }
        credits for "O" {
            below 99.9%: 30% of monthly fee
            at most 50% of monthly fee per 12 months
        }
    }
}
"""


@pytest.mark.parametrize("name", ["=SUM(A1)", "-Acme", "@home", "\tTabbed", "'quoted", "''twice", "+1 Corp"])
def test_a_csv_ledger_reads_back_as_history_with_the_same_names(tmp_path: Path, name: str) -> None:
    # October's 300 USD is read back for November: the 500 USD cap leaves 200
    sla = tmp_path / "caps.sla"
    sla.write_text(ROLLING)
    data = tmp_path / "data"
    data.mkdir()
    quoted = '"' + name.replace('"', '""') + '"'
    (data / "customers.csv").write_text(f"customer,plan,fee,currency,start,end\n{quoted},,,,,\n")
    (data / "incidents.csv").write_text(
        "service,start,end,customer\n"
        "S,2026-10-06T00:00:00Z,2026-10-06T10:00:00Z,\n"
        "S,2026-11-06T00:00:00Z,2026-11-06T10:00:00Z,\n"
    )
    october = tmp_path / "october.csv"
    args = ("evaluate", str(sla), "--data", str(data))
    assert run(*args, "--period", "2026-10", "--ledger", str(october)).exit_code == 0
    (written,) = csv.DictReader(io.StringIO(october.read_text(encoding="utf-8")))
    assert written["customer"] in (name, "'" + name) and written["amount"] == "300.00"
    result = run(*args, "--period", "2026-11", "--history", str(october), "--format", "json")
    assert result.exit_code == 0 and "warning" not in result.stderr, result.output
    (november,) = json.loads(result.stdout)
    assert (november["customer"], november["amount"], november["capped"]) == (name, "200.00", True)


def test_amounts_are_never_prefixed_even_where_a_minus_sign_could_appear(tmp_path: Path) -> None:
    # credits are never negative (a negative history amount is refused), and a number is
    # not a formula: every non-text cell of a ledger is written as the JSON lines hold it
    from sladsl.evaluation.ledger import COLUMNS, ledger_csv

    record: dict[str, Any] = {c: None for c in COLUMNS}
    record.update(customer="-5", service="S", objective="O", period="2026-10", measured="-0.5", amount="-1.00")
    record.update(met=False, capped=False, chronic_failure=False)
    (row,) = csv.DictReader(io.StringIO(ledger_csv([record])))
    assert (row["customer"], row["measured"], row["amount"]) == ("'-5", "-0.5", "-1.00")
    assert Decimal(row["amount"]) == Decimal("-1.00")
