"""The ledger's one-query own-rows pass (`sladsl.evaluation.ledger_sql`): a ledger worked
out by hand, through the real CLI on real files read by DuckDB, and the same ledger from
the general path of `sladsl.evaluation.availability` on portfolios where the two could
part: incidents that overlap, touch, or only become long enough when merged with another
customer's shared one; joiners mid-month; incidents crossing the period's edges."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sladsl.api import parse
from sladsl.evaluation import ledger as ledger_module
from sladsl.evaluation.ledger import evaluate_ledger, ledger_csv
from sladsl.language.periods import parse_range
from tests.conftest import run

AGREEMENT = """
sla "Hand" {
    timezone "UTC"
    fee 1000 USD per month
    service "API" {
        objective "Availability" {
            availability at least 99.9% per calendar month
            ignore outages shorter than 2 minutes
        }
        credits for "Availability" {
            below 99.9%: 10% of monthly fee
            below 99.75%: 100 times the fees for the downtime
            at most 20% of monthly fee
            minimum 5 USD
        }
    }
    service "Web" {
        objective "Up" { availability at least 99% per calendar month }
        credits for "Up" { below 99%: 50% of monthly fee }
    }
}
"""

CUSTOMERS = """customer,plan,fee,currency,start,end
c1,,,,,
c2,,,,2026-04-16T00:00:00Z,
c3,,30,USD,,
c4,,,,,
"""

INCIDENTS = """service,start,end,cause,customer
API,2026-04-10T10:00:00Z,2026-04-10T11:00:00Z,,
API,2026-04-20T00:00:00Z,2026-04-20T00:01:30Z,,
API,2026-04-25T12:00:00Z,2026-04-25T12:30:00Z,,
API,2026-04-10T10:30:00Z,2026-04-10T11:30:00Z,,c1
API,2026-04-20T00:01:30Z,2026-04-20T00:03:00Z,,c1
API,2026-04-14T00:00:00Z,2026-04-14T05:00:00Z,,c2
API,2026-04-15T23:50:00Z,2026-04-16T00:10:00Z,,c2
API,2026-04-25T12:20:00Z,2026-04-25T12:40:00Z,,c2
API,2026-04-05T00:00:00Z,2026-04-05T00:01:00Z,,c3
Web,2026-04-03T00:00:00Z,2026-04-03T10:00:00Z,,c4
"""


def _portfolio(folder: Path, customers: str = CUSTOMERS, incidents: str = INCIDENTS) -> Path:
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "customers.csv").write_text(customers)
    (data / "incidents.csv").write_text(incidents)
    (folder / "a.sla").write_text(AGREEMENT)
    return data


def _cli_ledger(folder: Path) -> list[dict[str, Any]]:
    result = run(
        "evaluate", str(folder / "a.sla"), "--data", str(folder / "data"), "--period", "2026-04", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_a_ledger_worked_out_by_hand(tmp_path: Path) -> None:
    """April: 2,592,000 s. Shared API outages: 60 min (10 Apr), 1.5 min (20 Apr, shorter
    than 2 minutes: ignored), 30 min (25 Apr).
    c1: its own hour overlaps the shared one (90 min), and its own 1.5 min touches the
    shared 1.5 min, making one 3-minute outage that counts: 123 min = 7380 s, 99.7152...%:
    100 x 1000 x 7380 / 2592000 = 284.72 USD, capped at 20% of the fee: 200.00.
    c2 joined on the 16th (1,296,000 s, half the fee): its own 5 hours on the 14th are before
    it joined; 10 of the 20 minutes from 15 Apr 23:50 are after; its own 20 minutes on the
    25th extend the shared 30 to 40: 50 min = 3000 s, 99.7685...%: 10% of 500 = 50.00.
    c3 has rows of its own (one minute, ignored): the shared 90 min, 99.7916...%: 10% of its
    own 30 USD fee is 3.00, under the 5 USD minimum: 0.00.
    c4 has no API rows of its own: the shared pass, 10% of 1000 = 100.00; its own 10 hours
    of Web downtime (98.6111...%) owe 50% of 1000."""
    _portfolio(tmp_path)
    rows = {(r["customer"], r["service"]): r for r in _cli_ledger(tmp_path)}
    expected = {
        ("c1", "API"): ("7380", False, "200.00", True),
        ("c2", "API"): ("3000", False, "50.00", False),
        ("c3", "API"): ("5400", False, "0.00", False),
        ("c4", "API"): ("5400", False, "100.00", False),
        ("c1", "Web"): ("0", True, None, False),
        ("c4", "Web"): ("36000", False, "500.00", False),
    }
    for key, (downtime, met, amount, capped) in expected.items():
        row = rows[key]
        assert (row["downtime_seconds"], row["met"], row["amount"], row["capped"]) == (downtime, met, amount, capped)
    assert rows[("c1", "API")]["measured"].startswith("99.71527")
    assert rows[("c2", "API")]["measured"].startswith("99.76851")
    assert rows[("c3", "API")]["measured"].startswith("99.79166")


def _both_paths(data: Path, as_of: date | None = None) -> tuple[str, str]:
    """The ledger CSV from the one-query pass and from the general path (forced)."""
    agreement = parse(AGREEMENT)
    windows = parse_range("2026-04", "UTC")

    def csv() -> str:
        ledger = evaluate_ledger(agreement, data, windows, as_of=as_of)
        return ledger_csv([r.record() for r in ledger.rows])

    fast = csv()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ledger_module, "is_plain", lambda objective, window: False)
        general = csv()
    return fast, general


@pytest.mark.parametrize("as_of", [None, date(2026, 4, 20)])
def test_the_one_query_pass_gives_the_general_paths_ledger(tmp_path: Path, as_of: date | None) -> None:
    """Byte for byte, also on a period not yet over (judged on its elapsed part, weighed
    against the whole subscribed part)."""
    data = _portfolio(tmp_path)
    fast, general = _both_paths(data, as_of)
    assert fast == general
    assert "c2,,API,Availability,2026-04" in fast


def test_many_customers_over_shared_outages_of_every_shape(tmp_path: Path) -> None:
    """Customers whose own incidents fall before, inside, across, touching or bridging two
    shared outages (merging them into one), also beyond the period's end."""
    shared = [("01T00:00", "01T00:01"), ("03T10:00", "03T11:00"), ("03T11:30", "03T12:00"), ("29T23:00", "30T23:59")]
    own = [
        ("03T09:00", "03T10:00"),  # touches the shared hour's start
        ("03T11:00", "03T11:30"),  # bridges two shared outages
        ("03T10:15", "03T10:20"),  # inside one
        ("01T00:01", "01T00:02"),  # touches a short one: 2 minutes together, kept
        ("30T23:00", "30T23:59"),  # overlaps one running to the period's last minute
        ("12T00:00", "12T00:01"),  # alone and short: ignored
    ]
    customers = ["customer,plan,fee,currency,start,end"]
    incidents = ["service,start,end,cause,customer"]
    incidents += [f"API,2026-04-{s}:00Z,2026-04-{e}:00Z,," for s, e in shared]
    # 2.5 minutes with the shared minute it touches, 1 of them in April: counted, since the
    # short-outage rule weighs an outage's whole length, not its part in the period
    incidents.append("API,2026-03-31T23:58:30Z,2026-04-01T00:00:30Z,,")
    for n in range(2 ** len(own)):
        name = f"k{n:02d}"
        joined = "2026-04-03T10:30:00Z" if n % 5 == 0 else ""
        customers.append(f"{name},,,,{joined},")
        incidents += [f"API,2026-04-{s}:00Z,2026-04-{e}:00Z,,{name}" for i, (s, e) in enumerate(own) if n >> i & 1]
    data = _portfolio(tmp_path, "\n".join(customers) + "\n", "\n".join(incidents) + "\n")
    fast, general = _both_paths(data)
    assert fast == general
    assert len(fast.splitlines()) == 1 + 2 * 2 ** len(own)
