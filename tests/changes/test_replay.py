"""`sladsl diff --data --period`: the bundled portfolio replayed under two versions, against
credits computed by hand.

The new version (made here from samples/cloud-platform.sla) changes two clauses:
- Compute, plan Standard: `below 99.5%: 10% of monthly fee` becomes `below 99.95%: ...`;
- Object Storage: `below 99%: 250 USD` becomes `below 99%: 300 USD`.

October 2026 (31 days in America/Los_Angeles: 2,678,400 s), by hand:
- adatum (Standard, 800 USD): Compute measured 99.925% (2,004 s counted), not below 99.5%
  (old: no credit) but below 99.95% (new: 10% x 800 = 80.00); Object Storage 98.52% of
  windows < 99%: 250.00 old, 300.00 new. Total 250.00 -> 380.00 (+130.00).
- contoso (Enterprise, its own fee 12,000 USD): Compute 7,404 s of downtime: 10 times the fees
  for the downtime = 10 x 12,000 x 7,404 / 2,678,400 = 331.72 under both; Object Storage
  250.00 -> 300.00. Total 581.72 -> 631.72 (+50.00).
- fabrikam (Premium, from 16 October): Compute met (99.94% >= 99.9%), no storage evidence
  breach: 0.00 under both.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from sladsl.changes.replay import replay
from sladsl.cli_diff import diff_command
from sladsl.language.front_end import check_source

from ..conftest import ROOT

SAMPLE = ROOT / "samples" / "cloud-platform.sla"
DATA = ROOT / "samples" / "evidence" / "cloud-platform-portfolio"
SCHEMA = json.loads((ROOT / "sladsl" / "schemas" / "diff.schema.json").read_text(encoding="utf-8"))


@pytest.fixture
def new_version(tmp_path: Path) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    for before, after in (
        ("below 99.5%: 10% of monthly fee", "below 99.95%: 10% of monthly fee"),
        ("below 99%: 250 USD", "below 99%: 300 USD"),
    ):
        assert text.count(before) == 1
        text = text.replace(before, after)
    path = tmp_path / "cloud-platform-v2.sla"
    path.write_text(text, encoding="utf-8")
    return path


def _load(path: Path):  # type: ignore[no-untyped-def]
    agreement, _ = check_source(path.read_text(encoding="utf-8"))
    return agreement


def test_replay_against_hand_computed_credits(new_version: Path) -> None:
    result = replay(_load(SAMPLE), _load(new_version), str(DATA), "2026-10", as_of=date(2026, 11, 10))
    table = {c.customer: (c.old, c.new, c.difference, c.currency) for c in result.customers}
    assert table == {
        "adatum": (Decimal("250.00"), Decimal("380.00"), Decimal("130.00"), "USD"),
        "contoso": (Decimal("581.72"), Decimal("631.72"), Decimal("50.00"), "USD"),
        "fabrikam": (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), None),
    }
    rows = {(r.customer, r.service): (r.old, r.new) for r in result.rows}
    assert rows == {
        ("adatum", "Compute"): (Decimal("0.00"), Decimal("80.00")),
        ("adatum", "Object Storage"): (Decimal("250.00"), Decimal("300.00")),
        ("contoso", "Object Storage"): (Decimal("250.00"), Decimal("300.00")),
    }


def test_the_same_version_replays_to_no_difference() -> None:
    result = replay(_load(SAMPLE), _load(SAMPLE), str(DATA), "2026-10", as_of=date(2026, 11, 10))
    assert result.rows == []
    assert all(c.difference == 0 for c in result.customers)
    assert {c.customer for c in result.customers} == {"adatum", "contoso", "fabrikam"}


def test_replay_through_the_command_with_a_customers_file(new_version: Path, tmp_path: Path) -> None:
    customers = tmp_path / "few.csv"
    customers.write_text("customer,plan,fee,currency,start,end\nadatum,Standard,,,,\ncontoso,Enterprise,12000,USD,,\n")
    args = [str(SAMPLE), str(new_version), "--data", str(DATA), "--period", "2026-10", "--as-of", "2026-11-10"]
    done = CliRunner().invoke(diff_command, [*args, "--customers", str(customers), "--format", "json"])
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    assert document["replay"]["customers"] == [
        {"customer": "adatum", "currency": "USD", "old": "250.00", "new": "380.00", "difference": "130.00"},
        {"customer": "contoso", "currency": "USD", "old": "581.72", "new": "631.72", "difference": "50.00"},
    ]
    assert [c["code"] for c in document["changes"]] == ["tier-threshold-eased", "tier-amount-raised"]
    text = CliRunner().invoke(diff_command, args)
    assert text.exit_code == 0, text.output
    assert "adatum 250.00 380.00 +130.00 USD" in " ".join(text.stdout.split())
    assert "fabrikam" in text.stdout


def test_replay_refuses_a_customers_file_of_another_kind(new_version: Path, tmp_path: Path) -> None:
    bad = tmp_path / "customers.txt"
    bad.write_text("x")
    args = [str(SAMPLE), str(new_version), "--data", str(DATA), "--period", "2026-10", "--customers", str(bad)]
    done = CliRunner().invoke(diff_command, args)
    assert done.exit_code == 2
    assert "use a .parquet, .csv or .jsonl file" in done.stderr
