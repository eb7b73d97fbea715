"""`sladsl render` under language draft 2: plans side by side and one customer's copy, every
new term in plain words, allowances for the period lengths that really occur, no terms the
source does not state, calendars under their own names."""

from __future__ import annotations

import html as htmllib
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import ROOT, run

DRAFT2 = ROOT / "tests" / "cases" / "render" / "draft2.sla"


def _render(path: Path, fmt: str = "md", *extra: str) -> str:
    result = run("render", str(path), "--format", fmt, *extra)
    assert result.exit_code == 0, result.output
    return result.stdout


def _text(html: str) -> str:
    """The words of an HTML document, tags removed and entities decoded."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _sla(tmp_path: Path, body: str, name: str = "x.sla") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


# ---- plans ---------------------------------------------------------------------------------


def test_every_plan_side_by_side_in_markdown() -> None:
    md = _render(DRAFT2)
    assert "| Plans | Standard, Premium and Enterprise |" in md
    assert (
        "The monthly fee depends on the plan: 1000 USD on the Standard and Premium plans; 5000 USD on the Enterprise plan."
        in md
    )
    # one target table for the objective, a row per plan
    assert "| Plan | Commitment |" in md
    assert "| Standard | At least 99.5% of the time in each calendar month. |" in md
    assert "| Premium | At least 99.9% of the time in each calendar month. |" in md
    assert "| Enterprise | At least 99.95% of the time in each calendar month. |" in md
    # the allowance with a column per plan: 0.5% / 0.1% / 0.05% of 744 h = 13392 s, 2678.4 s, 1339.2 s
    assert "| a 31-day month | 3 hours 43 minutes 12 seconds | 44 minutes 38 seconds | 22 minutes 19 seconds |" in md
    # one credit table per objective, Standard and Premium share a block (and a fee)
    assert md.count("Service credits for “Availability”") == 1
    assert "| Standard and Premium | below 99.5% | 10 times the fees for the downtime" in md
    assert "| Enterprise | below 99.95% | 10% of the monthly fee | 500.00 USD |" in md
    assert "| | below 99.0% | 25% of the monthly fee | 1250.00 USD |" in md.replace("|  |", "| |")
    # a shared block with different fees: one row per fee (10% of 1000 and of 5000 USD)
    assert "| Standard and Premium | below 99.99% | 10% of the monthly fee | 100.00 USD |" in md
    assert "| Enterprise | below 99.99% | 10% of the monthly fee | 500.00 USD |" in md
    # support plans state the plans they belong to
    assert "The “Standard” support plan applies to the Standard plan." in md
    assert "The “Premium” support plan applies to the Premium and Enterprise plans." in md
    assert "| Priority | Standard | Premium |" in md


def test_every_plan_side_by_side_in_html() -> None:
    html = _render(DRAFT2, "html")
    assert '<table class="targets">' in html
    assert (
        '<tr><th scope="row">Enterprise</th><td>At least 99.95% of the time in each calendar month.</td></tr>' in html
    )
    assert "<th>Plan</th><th>Measured availability</th><th>Credit</th><th>Amount</th>" in html
    assert '<th class="num">Downtime allowed: Enterprise</th>' in html
    text = _text(html)
    assert "Plans Standard, Premium and Enterprise" in text
    assert "The “Premium” support plan applies to the Premium and Enterprise plans." in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_one_customers_copy(fmt: str) -> None:
    document = _render(DRAFT2, fmt, "--plan", "Premium")
    text = document if fmt == "md" else _text(document)
    assert ("| Plan | Premium |" in text) if fmt == "md" else ("Plan Premium" in text)
    assert "This copy sets out the terms that apply to the Premium plan." in text
    assert "The service will be available at least 99.9% of the time in each calendar month." in text
    assert "The monthly fee is 1000 USD." in text
    # nothing of the other plans: Standard's and Enterprise's targets, Enterprise's fee and tiers,
    # the Standard support plan (Premium has a support plan of its own)
    for absent in ["99.5% of the time", "99.95%", "5000 USD", "500.00 USD", "25% of the monthly fee", "Plans"]:
        assert absent not in text, absent
    assert "Priority Standard" not in text and "| Priority | Standard |" not in text
    assert "Commitment" not in text and "support plan applies" not in text


def test_enterprise_copy_has_its_own_credits_and_no_claim_rule_it_does_not_state() -> None:
    md = _render(DRAFT2, "md", "--plan", "Enterprise")
    assert "| below 99.95% | 10% of the monthly fee | 500.00 USD |" in md
    assert "10 times" not in md and "250 USD" not in md
    assert "Credits for “Availability” of API must be claimed" not in md  # Enterprise's block states no deadline
    assert "Credits for “Reads” of API must be claimed within 10 business days" in md


def test_unknown_plan_is_a_clear_error() -> None:
    result = run("render", str(DRAFT2), "--format", "md", "--plan", "Gold")
    assert result.exit_code == 2
    assert "Gold" in result.stderr and "Standard" in result.stderr and "Traceback" not in result.stderr


def test_plan_names_are_escaped(tmp_path: Path) -> None:
    sla = _sla(
        tmp_path,
        'sla "T" { plans "<b>Basic</b>", "A|B" fee 10 USD per month on plan "A|B" '
        'service "S" { objective "O" { availability at least 99% per calendar month on plan "A|B" '
        "availability at least 98% per calendar month } } }",
    )
    html = _render(sla, "html")
    assert "<b>Basic</b>" not in html and "&lt;b&gt;Basic&lt;/b&gt;" in html
    md = _render(sla, "md")
    assert "&lt;b&gt;Basic&lt;/b&gt;" in md and "| A\\|B | At least 99% of the time" in md


# ---- every new term in plain words ---------------------------------------------------------------


def test_new_terms_in_plain_words() -> None:
    md = _render(DRAFT2)
    for sentence in [
        "Each outage that counts is counted in whole minutes, rounded down: partial minutes are not counted. "
        "Excluded time is removed first.",
        "Downtime is weighted by the share affected: an incident recorded as affecting 40% counts 40% of its "
        "duration, and where incidents overlap, the largest share affected counts.",
        "If the objective “Availability” is breached in 3 consecutive months or in 4 of any 12 months, "
        "the Customer may terminate the Agreement.",
        "The 99th percentile of “reads” is below 10 ms (strictly less) in at least 99.99% of the 1-hour windows of "
        "each calendar month; a window without measurements counts as meeting it.",
        "10 times the fees for the downtime (the fees for the period × downtime ÷ the period's length) | "
        "depends on the downtime: 13.89 USD for one hour of downtime in a 30-day month; at most 1000.00 USD (the cap) |",
        "| below 95% | a fixed credit of 250 USD | 250.00 USD |",
        "Credits are at most 100% of the monthly fee (1000.00 USD) in any 12 months",
        "The Customer must claim the credit by the end of the second calendar month after the period ends "
        "(the end of that month's last day in the America/Los_Angeles time zone).",
        "The Customer must claim the credit within 10 business days (business days of the “Support hours” calendar) "
        "after the end of the period.",
        "Open Monday to Friday, 05:00 to 01:00 the next day (Europe/London time).",
        "Closed on public holidays in Scotland (United Kingdom).",
        "Also closed on 24 December 2026 and 31 December 2026.",
        "Open as usual on 3 August 2026, even where that day is a public holiday.",
        "### Resolution times",
        "| P1 — Outage | 8 business hours | 8 hours |",
        "At least 90% of the tickets of each priority opened in each calendar month meet both their first-response "
        "time and, where one is set, their resolution time.",
    ]:
        assert sentence in md, sentence


def test_other_forms_of_the_new_terms(tmp_path: Path) -> None:
    sla = _sla(
        tmp_path,
        """sla "T" {
    fee 1200 USD per month
    service "S" {
        objective "A" {
            availability at least 99.9% per calendar quarter
            round outages down to 5 minutes
            chronic failure when breached in 2 of any 4 periods
        }
        objective "L" {
            latency "api" p95 at most 200 ms per calendar month
        }
        objective "W" {
            latency "api" average below 50 ms in at least 99% of 5 minute windows per calendar month
        }
        credits for "A" {
            below 99.9%: 1 times the fees for the downtime
            below 99%: 2.5 times the fees for the downtime
            claim by the end of the 1st calendar month after the period
        }
    }
    calendar "Night desk" {
        open monday to friday 18:00 to 00:00
        holidays "US-CA"
    }
}
""",
    )
    md = _render(sla)
    for sentence in [
        "counted in whole 5-minute intervals, rounded down: partial intervals are not counted.",
        "If the objective “A” is breached in 2 of any 4 quarters, the Customer may terminate the Agreement.",
        "over each calendar month will be at most 200 ms.",
        "The average of “api” is below 50 ms (strictly less) in at least 99% of the 5-minute windows of each calendar month",
        # the fees for a quarter are 3 x 1200 USD; one hour of a 2160-hour quarter: 3600 / 2160 = 1.666... USD
        "| below 99.9% | once the fees for the downtime (the fees for the period × downtime ÷ the period's length) | "
        "depends on the downtime: 1.67 USD for one hour of downtime in a 90-day quarter |",
        "| below 99% | 2.5 times the fees for the downtime (the fees for the period × downtime ÷ the period's length) | "
        "depends on the downtime: 4.17 USD for one hour of downtime in a 90-day quarter |",
        "by the end of the first calendar month after the period ends",
        "Open Monday to Friday, 18:00 to midnight (UTC time).",
        "Closed on public holidays in California (United States).",
    ]:
        assert sentence in md, sentence


# ---- never more than evaluation allows ------------------------------------------------------------

MONTHLY = """sla "T" {{
    timezone "{zone}"
    service "S" {{
        objective "A" {{
            availability at least 99.5% per calendar month
        }}
    }}
}}
"""


def _facts(md: str) -> list[tuple[str, str]]:
    rows = re.findall(r"^\| (a [^|]+?) \| ([^|]+?) \|$", md, re.MULTILINE)
    return [(a, b) for a, b in rows]


def test_allowance_for_the_lengths_that_occur_in_los_angeles(tmp_path: Path) -> None:
    md = _render(_sla(tmp_path, MONTHLY.format(zone="America/Los_Angeles")))
    # 0.5% of: 720 h = 12960 s; 721 h (November) = 12978 s; 744 h = 13392 s; 743 h (March) = 13374 s;
    # 672 h = 12096 s; 696 h = 12528 s
    assert _facts(md) == [
        ("a 30-day month", "3 hours 36 minutes"),
        ("a 30-day month that gains 1 hour from daylight saving (721 hours)", "3 hours 36 minutes 18 seconds"),
        ("a 31-day month", "3 hours 43 minutes 12 seconds"),
        ("a 31-day month that loses 1 hour to daylight saving (743 hours)", "3 hours 42 minutes 54 seconds"),
        ("a 28-day February", "3 hours 21 minutes 36 seconds"),
        ("a 29-day February", "3 hours 28 minutes 48 seconds"),
    ]
    assert "This allows at most 0.5% of each period's actual length in the America/Los_Angeles time zone" in md


def test_allowance_in_utc_lists_the_four_month_lengths(tmp_path: Path) -> None:
    md = _render(_sla(tmp_path, MONTHLY.format(zone="UTC")))
    assert _facts(md) == [
        ("a 30-day month", "3 hours 36 minutes"),
        ("a 31-day month", "3 hours 43 minutes 12 seconds"),
        ("a 28-day February", "3 hours 21 minutes 36 seconds"),
        ("a 29-day February", "3 hours 28 minutes 48 seconds"),
    ]
    assert "daylight saving" not in md
    assert "This allows at most 3 hours 36 minutes of downtime in a 30-day month (3 hours 43 minutes 12 seconds" in md


def _seconds(words: str) -> Decimal:
    units = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}
    return Decimal(sum(int(n) * units[u] for n, u in re.findall(r"(\d+) (day|hour|minute|second)s?", words)))


def test_the_document_never_allows_more_than_evaluation(tmp_path: Path) -> None:
    """March 2026 in Los Angeles: evaluation's allowance is 0.5% of 743 hours; the document's
    row for that month must not exceed it (the nominal 31-day figure would)."""
    sla = _sla(tmp_path, MONTHLY.format(zone="America/Los_Angeles"))
    data = tmp_path / "data"
    data.mkdir()
    (data / "incidents.csv").write_text("service,start,end\n", encoding="utf-8")
    lengths = dict(_facts(_render(sla)))
    for period, row in [
        ("2026-03", "a 31-day month that loses 1 hour to daylight saving (743 hours)"),
        ("2026-11", "a 30-day month that gains 1 hour from daylight saving (721 hours)"),
        ("2026-10", "a 31-day month"),
        ("2028-02", "a 29-day February"),
    ]:
        # judged as of a date after every one of these periods: whole, not provisional
        as_of = ("--as-of", "2028-03-01")
        result = run("evaluate", str(sla), "--data", str(data), "--period", period, "--format", "json", *as_of)
        assert result.exit_code == 0, result.output
        allowed = Decimal(json.loads(result.stdout)["objectives"][0]["allowed_downtime_seconds"])
        stated = _seconds(lengths[row])
        assert stated <= allowed < stated + 1, (period, stated, allowed)
    assert _seconds("3 hours 43 minutes 12 seconds") > Decimal("13374")  # the nominal figure would promise more


CREDITS = """sla "T" {{
    fee {fee} USD per month
    service "S" {{
        objective "A" {{
            availability at least 99.9% per calendar month
        }}
        credits for "A" {{
{tiers}
        }}
    }}
}}
"""


def test_credit_amounts_never_exceed_the_cap_and_respect_the_minimum(tmp_path: Path) -> None:
    tiers = """            below 99.9%: 1% of monthly fee
            below 99%: 50% of monthly fee
            below 90%: 5000 USD
            at most 30% of monthly fee
            minimum 20 USD"""
    md = _render(_sla(tmp_path, CREDITS.format(fee=1000, tiers=tiers)))
    assert "| below 99.9% | 1% of the monthly fee | not issued (below the minimum) |" in md
    assert "| below 99% | 50% of the monthly fee | 300.00 USD (limited by the cap) |" in md
    assert "| below 90% | a fixed credit of 5000 USD | 300.00 USD (limited by the cap) |" in md
    assert "500.00 USD" not in md and "5000.00 USD" not in md


def test_credit_amounts_round_half_up_as_evaluation_does(tmp_path: Path) -> None:
    # 10% of 1.25 USD is 0.125 USD: half-up gives 0.13 (half-even would give 0.12)
    md = _render(_sla(tmp_path, CREDITS.format(fee="1.25", tiers="            below 99.9%: 10% of monthly fee")))
    assert "| below 99.9% | 10% of the monthly fee | 0.13 USD |" in md


def test_a_rolling_cap_limits_each_amount(tmp_path: Path) -> None:
    tiers = """            below 99.9%: 300 USD
            at most 100% of monthly fee per 12 months"""
    md = _render(_sla(tmp_path, CREDITS.format(fee=200, tiers=tiers)))
    assert "| below 99.9% | a fixed credit of 300 USD | 200.00 USD (limited by the cap) |" in md
    assert "Credits are at most 100% of the monthly fee (200.00 USD) in any 12 months" in md


# ---- no invented terms ---------------------------------------------------------------------------

INVENTED = ["in writing", "later invoice", "sole remedy", "sole and exclusive", "applied to", "invoice"]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_no_contract_terms_the_source_does_not_state(tmp_path: Path, fmt: str) -> None:
    tiers = """            below 99.9%: 10% of monthly fee
            claim within 30 days"""
    document = _render(_sla(tmp_path, CREDITS.format(fee=100, tiers=tiers)), fmt).lower()
    for phrase in INVENTED:
        assert phrase not in document, phrase
    assert "credits for “a” of s must be claimed within 30 days after the end of the measurement period." in document


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_such_terms_appear_when_the_source_states_them(tmp_path: Path, fmt: str) -> None:
    tiers = '''            below 99.9%: 10% of monthly fee
            claim within 30 days
            text """The Customer claims a credit in writing. Credits are applied to a later invoice and are the Customer's sole remedy."""'''
    document = _render(_sla(tmp_path, CREDITS.format(fee=100, tiers=tiers)), fmt)
    text = document if fmt == "md" else _text(document)
    assert "The Customer claims a credit in writing." in text
    assert "Credits are applied to a later invoice and are the Customer's sole remedy." in text.replace("&#39;", "'")


# ---- calendars under their own names ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_two_calendars_are_headed_by_their_names(tmp_path: Path, fmt: str) -> None:
    sla = _sla(
        tmp_path,
        """sla "T" {
    calendar "London office" {
        open monday to friday 09:00 to 17:00
        timezone "Europe/London"
    }
    calendar "Sydney office" {
        open monday to friday 08:00 to 16:00
        timezone "Australia/Sydney"
    }
    support "Gold" {
        calendar "Sydney office"
        priority P1 "Down": first response within 2 business hours
    }
}
""",
    )
    document = _render(sla, fmt)
    if fmt == "md":
        assert "### London office\n\nOpen Monday to Friday, 09:00 to 17:00 (Europe/London time)." in document
        assert "### Sydney office\n\nOpen Monday to Friday, 08:00 to 16:00 (Australia/Sydney time)." in document
        assert "### Business hours" not in document
    else:
        assert "<h3>London office</h3>" in document and "<h3>Sydney office</h3>" in document
        assert "<h3>Business hours</h3>" not in document


# ---- the PDF ---------------------------------------------------------------------------------------


def test_pdf_of_every_plan_and_of_one_copy(tmp_path: Path) -> None:
    for extra, expected, absent in [
        ((), "Downtime allowed: Enterprise", None),
        (("--plan", "Enterprise"), "Plan Enterprise", "Commitment"),
    ]:
        out = tmp_path / "contract.pdf"
        result = run("render", str(DRAFT2), "--format", "pdf", "-o", str(out), *extra)
        assert result.exit_code == 0, result.output
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages).split())
        assert expected in text
        assert "the Customer may terminate the Agreement" in text
        if absent:
            assert absent not in text


def test_windows_that_may_miss_the_latency_bound(tmp_path: Path) -> None:
    sla = _sla(
        tmp_path,
        """sla "T" {
    timezone "America/Los_Angeles"
    service "S" {
        objective "Reads" {
            latency "reads" p99 below 10 ms in at least 99% of 1 hour windows per calendar month
        }
    }
}
""",
    )
    md = _render(sla)
    # 1-hour windows from the period's start; met while at least 99% meet the bound, so with n
    # windows floor(n / 100) may miss: 743 -> 7 (7.43), 672 -> 6 (6.72), 700 would allow exactly 7
    rows = re.findall(r"^\| (a [^|]+?) \| (\d+) \| (\d+) \|$", md, re.MULTILINE)
    assert rows == [
        ("a 30-day month", "720", "7"),
        ("a 30-day month that gains 1 hour from daylight saving (721 hours)", "721", "7"),
        ("a 31-day month", "744", "7"),
        ("a 31-day month that loses 1 hour to daylight saving (743 hours)", "743", "7"),
        ("a 28-day February", "672", "6"),
        ("a 29-day February", "696", "6"),
    ]
    assert "is below 10 ms (strictly less) in at least 99% of the 1-hour windows of each calendar month" in md


def test_a_plan_with_several_support_plans_gets_each_of_them() -> None:
    md = _render(ROOT / "samples" / "cloud-platform.sla", "md", "--plan", "Enterprise")
    assert "| Priority | Premium | Weekend |" in md
    assert "| Plan | Enterprise |" in md and "9000 USD" in md
    assert "800 USD" not in md and "2400 USD" not in md
    standard = _render(ROOT / "samples" / "cloud-platform.sla", "md", "--plan", "Standard")
    assert "| Priority | Standard |\n" in standard and "support plan applies" not in standard
