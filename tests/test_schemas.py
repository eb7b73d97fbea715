"""Every JSON the command prints validates against the JSON Schema shipped for it
(`sladsl/schemas/`), and the schemas are strict enough to catch a missing or misspelt key."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from sladsl import schemas
from sladsl.schemas import ast_schema

from .conftest import BAD, GOOD, ROOT, SAMPLES, golden, run

DRAFT2 = sorted((ROOT / "tests" / "cases" / "draft2").glob("*.sla"))
EVIDENCE = "samples/evidence"
PORTFOLIO = ("samples/cloud-platform.sla", "--data", f"{EVIDENCE}/cloud-platform-portfolio")
HISTORY = f"{EVIDENCE}/cloud-platform-history.csv"

# Every bundled sample with its evidence, the way the README runs them, and the options
# that change the report's shape: plans, history, as-of dates, other kinds of period.
REPORTS = {
    "managed-database": ("samples/managed-database.sla", "--data", f"{EVIDENCE}/managed-database", "--period", "2026-10"),
    "managed-database-week": (
        "samples/managed-database.sla", "--data", f"{EVIDENCE}/managed-database", "--period", "2026-W41",
    ),
    "video-cdn-as-of": (
        "samples/video-cdn.sla", "--data", f"{EVIDENCE}/video-cdn", "--period", "2026-10", "--as-of", "2026-11-10",
    ),
    "video-cdn-mid-period": (
        "samples/video-cdn.sla", "--data", f"{EVIDENCE}/video-cdn", "--period", "2026-10", "--as-of", "2026-10-15",
    ),
    "payments-api-quarter": ("samples/payments-api.sla", "--data", f"{EVIDENCE}/payments-api", "--period", "2026-Q4"),
    "payments-api-month": ("samples/payments-api.sla", "--data", f"{EVIDENCE}/payments-api", "--period", "2026-10"),
    "cloud-platform-premium": (
        "samples/cloud-platform.sla", "--data", f"{EVIDENCE}/cloud-platform", "--period", "2026-10", "--plan", "Premium",
    ),
    "cloud-platform-enterprise-history": (
        "samples/cloud-platform.sla", "--data", f"{EVIDENCE}/cloud-platform", "--period", "2026-10",
        "--plan", "Enterprise", "--history", HISTORY,
    ),
    "web-hosting": (
        "samples/web-hosting.sla", "--data", f"{EVIDENCE}/web-hosting", "--period", "2026-10",
    ),
    "web-hosting-quarter": (
        "samples/web-hosting.sla", "--data", f"{EVIDENCE}/web-hosting", "--period", "2026-Q4", "--as-of", "2027-01-10",
    ),
    "portfolio-customer": (*PORTFOLIO, "--period", "2026-10", "--customer", "fabrikam"),
    "portfolio-customer-contoso": (*PORTFOLIO, "--period", "2026-11", "--customer", "contoso"),
    "draft2-plans": (
        "tests/cases/evidence/draft2-plans/plans.sla", "--data", "tests/cases/evidence/draft2-plans",
        "--period", "2026-11", "--plan", "Enterprise",
    ),
    **{
        f"support2-{case}": (
            f"tests/cases/evidence/support2-{case}/agreement.sla", "--data", f"tests/cases/evidence/support2-{case}",
            "--period", "2026-11",
        )
        for case in ("holidays", "overnight", "resolution")
    },
}  # fmt: skip


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schemas.load(name))


def problems(name: str, data: Any) -> list[str]:
    """Every violation, as `path: message`, so that a failure says which key is wrong."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(data)]


def printed_json(*args: str) -> Any:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ---- the schemas themselves ------------------------------------------------------------------


@pytest.mark.parametrize("name", schemas.NAMES)
def test_each_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    schema = schemas.load(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", schemas.NAMES)
def test_schema_files_are_inside_the_installed_package(name: str) -> None:
    import sladsl

    file = Path(str(schemas.path(name)))
    assert file.is_file()
    assert file.parent == Path(sladsl.__file__).parent / "schemas"


def test_unknown_schema_name_is_refused() -> None:
    with pytest.raises(ValueError, match="report, ledger, check, ast, diff"):
        schemas.path("reports")


def test_ast_schema_is_the_one_built_from_the_ast() -> None:
    """The shipped file is regenerated from sladsl/language/ast.py (SLADSL_REGEN=1 rewrites it)."""
    golden(ROOT / "sladsl" / "schemas" / "ast.schema.json", ast_schema.text())


# ---- parse --json -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLES + GOOD + DRAFT2, ids=lambda p: p.name)
def test_parse_json_validates(path: Path) -> None:
    data = printed_json("parse", "--json", str(path.relative_to(ROOT)))
    assert data["schema_version"] == 1
    assert problems("ast", data) == []


def test_ast_schema_catches_a_misspelt_or_missing_key() -> None:
    data = printed_json("parse", "--json", "samples/payments-api.sla")
    objective = next(s for s in data["statements"] if s["node"] == "Service")["statements"]
    node = next(s for s in objective if s["node"] == "Objective")
    misspelt = copy.deepcopy(data)
    target = next(s for s in misspelt["statements"] if s["node"] == "Service")
    found = next(s for s in target["statements"] if s["node"] == "Objective")
    found["nmae"] = found.pop("name")
    assert problems("ast", misspelt)
    missing = copy.deepcopy(data)
    del missing["schema_version"]
    assert problems("ast", missing)
    assert node["name"]  # the objective really had the key that was misspelt


# ---- check --format json ---------------------------------------------------------------------


def test_check_json_validates_for_good_and_bad_cases() -> None:
    files = [str(p.relative_to(ROOT)) for p in SAMPLES + GOOD + DRAFT2 + BAD]
    result = run("check", "--format", "json", *files)
    assert result.exit_code == 1  # the bad cases have errors
    data = json.loads(result.stdout)
    assert [entry["file"] for entry in data] == files
    assert any(entry["diagnostics"] for entry in data)
    assert all(entry["schema_version"] == 1 for entry in data)
    assert problems("check", data) == []


def test_check_schema_catches_a_misspelt_or_missing_key() -> None:
    from sladsl.api import check_source
    from sladsl.language.serialize import check_json

    text = (ROOT / "tests" / "cases" / "bad" / "tiers.sla").read_text(encoding="utf-8")
    data = check_json([("tiers.sla", check_source(text)[1])])
    assert problems("check", data) == []
    misspelt = copy.deepcopy(data)
    misspelt[0]["diagnostics"][0]["colum"] = misspelt[0]["diagnostics"][0].pop("column")
    assert problems("check", misspelt)
    missing = copy.deepcopy(data)
    del missing[0]["schema_version"]
    assert problems("check", missing) == ["0: 'schema_version' is a required property"]


# ---- evaluate --format json: the report ------------------------------------------------------


@pytest.mark.parametrize("explain", [False, True], ids=["plain", "explain"])
@pytest.mark.parametrize("case", REPORTS)
def test_evaluate_json_validates(case: str, explain: bool) -> None:
    data = printed_json("evaluate", *REPORTS[case], "--format", "json", *(["--explain"] if explain else []))
    assert data["schema_version"] == 2
    assert problems("report", data) == []
    assert all(("explanation" in o) == explain for o in data["objectives"])


def test_report_schema_knows_every_key_the_bundled_reports_use() -> None:
    """The cases above reach the optional shapes: not judged, windows, chronic failure,
    resolution targets, a customer, notes."""
    seen: set[str] = set()
    for case in (
        "managed-database-week",
        "cloud-platform-enterprise-history",
        "portfolio-customer",
        "support2-resolution",
    ):
        data = printed_json("evaluate", *REPORTS[case], "--format", "json")
        seen |= set(data) | {k for o in data["objectives"] for k in o} | {k for s in data["support"] for k in s}
    assert {"customer", "reason", "windows", "chronic_failure", "strict", "first_response", "resolution"} <= seen


def test_report_with_several_currencies_validates(tmp_path: Path) -> None:
    """`total_credit` with `by_currency`: two services with fees in different currencies."""
    (tmp_path / "a.sla").write_text(
        """sla "Two currencies" {
    service "EU" {
        fee 1000 EUR per month
        objective "Availability" {
            availability at least 99.9% per calendar month
        }
        credits for "Availability" {
            below 99.9%: 10% of monthly fee
        }
    }
    service "US" {
        fee 2000 USD per month
        objective "Availability" {
            availability at least 99.9% per calendar month
        }
        credits for "Availability" {
            below 99.9%: 10% of monthly fee
        }
    }
}
""",
        encoding="utf-8",
    )
    (tmp_path / "incidents.csv").write_text(
        "service,start,end\nEU,2026-10-05T10:00:00Z,2026-10-05T12:00:00Z\nUS,2026-10-05T10:00:00Z,2026-10-05T12:00:00Z\n",
        encoding="utf-8",
    )
    data = printed_json(
        "evaluate", str(tmp_path / "a.sla"), "--data", str(tmp_path), "--period", "2026-10", "--format", "json"
    )
    assert data["total_credit"]["amount"] is None
    assert [c["currency"] for c in data["total_credit"]["by_currency"]] == ["EUR", "USD"]
    assert problems("report", data) == []


def test_report_schema_catches_a_misspelt_or_missing_key() -> None:
    data = printed_json("evaluate", *REPORTS["payments-api-month"], "--format", "json")
    assert problems("report", data) == []
    for path, mutate in [
        ("status", lambda d: d.pop("status")),
        ("objectives/0/measured", lambda d: d["objectives"][0].update(measure=d["objectives"][0].pop("measured"))),
        ("credits/0/provisional", lambda d: d["credits"][0].pop("provisional")),
        ("support/0/compliance", lambda d: d["support"][0].update(compliance=99.5)),
        ("total_credit/currency", lambda d: d["total_credit"].pop("currency")),
        ("status", lambda d: d.update(status="no-data")),
    ]:
        changed = copy.deepcopy(data)
        mutate(changed)
        assert problems("report", changed), path


# ---- the portfolio ledger --------------------------------------------------------------------


def test_ledger_json_validates(tmp_path: Path) -> None:
    records = printed_json("evaluate", *PORTFOLIO, "--period", "2026-10..2026-12", "--format", "json")
    assert len(records) > 1
    assert problems("ledger", records) == []
    out = tmp_path / "ledger.jsonl"
    result = run("evaluate", *PORTFOLIO, "--period", "2026-10..2026-12", "--ledger", str(out))
    assert result.exit_code == 0, result.output
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == records
    assert problems("ledger", written) == []


def test_ledger_of_one_customer_with_history_validates() -> None:
    """Without a customers table: the agreement's customer, on --plan, with earlier periods."""
    records = printed_json(
        "evaluate", "samples/cloud-platform.sla", "--data", f"{EVIDENCE}/cloud-platform",
        "--period", "2026-10..2026-11", "--plan", "Enterprise", "--history", HISTORY, "--format", "json",
    )  # fmt: skip
    assert any(r["chronic_failure"] for r in records)
    assert problems("ledger", records) == []


def test_ledger_schema_catches_a_misspelt_or_missing_key() -> None:
    records = printed_json("evaluate", *PORTFOLIO, "--period", "2026-10", "--format", "json")
    changed = copy.deepcopy(records)
    changed[0]["amout"] = changed[0].pop("amount")
    assert problems("ledger", changed)
    changed = copy.deepcopy(records)
    del changed[-1]["reason"]
    assert problems("ledger", changed)


# ---- the wheel ----------------------------------------------------------------------------------


def test_wheel_ships_the_schemas_and_py_typed(tmp_path: Path) -> None:
    """Installed from the wheel, outside the checkout: the schemas load and py.typed is there."""
    import subprocess
    import sys
    import zipfile

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("sladsl-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"sladsl/schemas/{n}.schema.json" for n in schemas.NAMES} | {"sladsl/py.typed"} <= names
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "import sys, sladsl.schemas as s; from jsonschema import Draft202012Validator as V; "
        "assert s.__file__.startswith(sys.argv[1]), s.__file__; "
        "[V.check_schema(s.load(n)) for n in s.NAMES]; print(s.load('report')['properties']['schema_version'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{'const': 2}"
