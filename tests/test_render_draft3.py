"""Draft 3 in the contract document: every new term stated in plain words through the real
CLI (Markdown and HTML), and only what the source says. Each assertion names the words a
term must keep; a sentence that disappears or changes meaning fails it."""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import pytest

from .conftest import ROOT, run

FORMATS = ["md", "html"]
DRAFT3 = ROOT / "tests" / "cases" / "draft3"
SAMPLE = ROOT / "samples" / "web-hosting.sla"


def _render(path: Path | str, fmt: str) -> str:
    result = run("render", str(path), "--format", fmt)
    assert result.exit_code == 0, result.output
    document = result.stdout
    if fmt == "html":
        document = htmllib.unescape(re.sub(r"<[^>]+>", " ", document))
    else:
        document = document.replace("\\|", "|").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(document.split()).replace(" |", "").replace("| ", "")


def _sla(tmp_path: Path, objective: str, credits: str = "", extra: str = "") -> Path:
    path = tmp_path / "x.sla"
    path.write_text(
        f"""sla "T" {{
    timezone "Europe/Helsinki"
    fee 900 EUR per month
    service "S" {{
        objective "Up" {{
{objective}
        }}
{credits}
    }}
{extra}
}}
""",
        encoding="utf-8",
    )
    return path


# ---- objectives ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_outages_of_d_or_less(fmt: str) -> None:
    text = _render(DRAFT3 / "strict-thresholds.sla", fmt)
    assert "Outages of 5 minutes or less are not counted." in text
    assert "shorter than 5 minutes" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_short_outages_after_exclusions_state_the_order(fmt: str) -> None:
    text = _render(DRAFT3 / "after-exclusions.sla", fmt)
    assert (
        "Outages shorter than 10 minutes, after excluded time is removed, are not counted: excluded time is "
        "removed from each outage first, and each remaining part is tested on its own." in text
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_short_outages_before_exclusions_state_the_order(tmp_path: Path, fmt: str) -> None:
    sla = _sla(
        tmp_path,
        """            availability at least 99.9% per calendar month
            ignore outages shorter than 10 minutes
            exclude maintenance announced at least 5 days ahead""",
    )
    text = _render(sla, fmt)
    assert "Outages shorter than 10 minutes are not counted. Each outage is tested at its full length" in text
    assert "excluded time is then removed from the outages that count" in text
    assert "after excluded time is removed" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_whole_clock_units(fmt: str) -> None:
    text = _render(DRAFT3 / "clock-units.sla", fmt)
    assert (
        "Only whole clock minutes in which the service was unavailable for the whole minute count as downtime "
        "(minutes start on the minute, in America/New_York time)." in text
    )
    assert (
        "Only whole clock 5-minute intervals in which the service was unavailable for the whole 5-minute interval "
        "count as downtime (intervals start every 5 minutes from the hour, in America/New_York time)." in text
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_overlapping_shares_add_up(fmt: str) -> None:
    text = _render(DRAFT3 / "adding-shares.sla", fmt)
    assert "where incidents overlap, their shares are added up, to at most 100%." in text
    assert "the largest share affected counts" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_allowance_as_a_duration_has_no_percent_table(fmt: str) -> None:
    text = _render(DRAFT3 / "allowances.sla", fmt)
    assert "The service may be unavailable for at most 43 minutes 48 seconds in each calendar month." in text
    assert "Downtime allowed" not in text  # no allowance table derived from a percentage
    assert "Downtime in the period Credit Amount" in text
    assert "above 43.8 minutes 10% of the monthly fee 500.00 USD" in text
    assert "above 7.2 hours 25% of the monthly fee 1250.00 USD" in text


def test_allowance_is_never_larger_than_evaluation_grants() -> None:
    """The sample's `downtime at most 43.8 minutes`: the document's allowance in seconds is
    evaluation's `allowed_downtime_seconds`, not a second more."""
    text = _render(SAMPLE, "md")
    result = run(
        "evaluate", str(SAMPLE), "--data", str(ROOT / "samples/evidence/web-hosting"), "--period", "2026-10",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    uptime = next(o for o in json.loads(result.stdout)["objectives"] if o["objective"] == "Uptime")
    stated = re.search(r"unavailable for at most (\d+) minutes (\d+) seconds", text)
    assert stated is not None
    assert int(stated[1]) * 60 + int(stated[2]) == int(uptime["allowed_downtime_seconds"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_termination_rights_and_support_chronic_failure(fmt: str) -> None:
    text = _render(DRAFT3 / "termination.sla", fmt)
    assert (
        "If the objective “Availability” is breached in 3 consecutive months, the Customer may terminate the "
        "Agreement, within 30 days after the end of the month in which this happens" in text
    )
    assert (
        "Enterprise: If the ticket target of the support plan “Enterprise” is missed in 2 consecutive months, "
        "the Customer may terminate the Agreement" in text
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_causes_read_as_alternatives_and_samples_are_not_probes(tmp_path: Path, fmt: str) -> None:
    sla = _sla(
        tmp_path,
        """            availability at least 99.9% per calendar month
            downtime from samples every 1 minute
            exclude incidents caused by "customer", "force majeure\"""",
    )
    text = _render(sla, fmt)
    assert "Incidents caused by “customer” or “force majeure” are not counted as downtime." in text
    assert "Downtime is measured from samples taken every 1 minute" in text
    assert "probe" not in text


# ---- credits --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_per_outage_credits_with_started_units_and_an_example(fmt: str) -> None:
    text = _render(DRAFT3 / "per-outage.sla", fmt)
    assert "Each outage of the objective “Availability” that counts earns a credit of its own" in text
    assert "rows do not add up" not in text.split("Service: Dedicated servers")[1].split("Service: Cloud")[0]
    assert (
        "each outage 5% of the monthly fee per started 10 minutes (every begun 10 minutes counts), at most 100% of "
        "the monthly fee for one outage" in text
    )
    # 25 minutes are 3 started units of 10 minutes: 15% of 1000 EUR
    assert (
        "an outage of 25 minutes counts 3 started units of 10 minutes and earns 15% of the monthly fee, 150.00 EUR"
        in text
    )
    assert "each outage longer than 5 minutes (an outage of exactly 5 minutes earns nothing)" in text
    # 50 x 1000 EUR x 3600 s / 30 days
    assert "69.44 EUR for one hour of downtime in a 30-day month" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_per_whole_unit_and_the_outage_cap(tmp_path: Path, fmt: str) -> None:
    sla = _sla(
        tmp_path,
        "            availability at least 99.9% per calendar month",
        """        credits for "Up" {
            for each outage: 10% of monthly fee per 10 minutes, at most 15% of monthly fee
        }""",
    )
    text = _render(sla, fmt)
    assert "per whole 10 minutes (a part of 10 minutes earns nothing)" in text
    # 25 minutes are 2 whole units: 20%, limited to 15% of 900 EUR by the outage's cap
    assert "an outage of 25 minutes counts 2 whole units of 10 minutes and earns 135.00 EUR (the outage's cap)" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_time_remedies_and_their_cap(fmt: str) -> None:
    text = _render(DRAFT3 / "service-time.sla", fmt)
    assert (
        "below 99.9% 3 days of service credit 3 days of service, not money; worth 58.06 USD in a 31-day month "
        "to 64.29 USD in a 28-day February" in text
    )  # 600 USD x 3 / 31 and x 3 / 28: evaluation values it by the month's own days
    # 15 days of service is the cap: 15 days at 600 USD a 30-day month
    assert "Remedies in service time are at most 15 days of service for one period in total." in text
    assert "each outage 1 hour of service credit per started 1 hour (every begun 1 hour counts)" in text
    assert "added to the end of the term" not in text  # the source does not say where the time goes


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_time_over_the_cap_is_limited(tmp_path: Path, fmt: str) -> None:
    sla = _sla(
        tmp_path,
        "            availability at least 99.9% per calendar month",
        """        credits for "Up" {
            below 99.9%: 3 days of service
            below 99%: 20 days of service
            at most 15 days of service
        }""",
    )
    text = _render(sla, fmt)
    assert "below 99% 20 days of service credit 15 days of service (limited by the cap), not money" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_credit_threshold(fmt: str) -> None:
    text = _render(DRAFT3 / "strict-thresholds.sla", fmt)
    assert "Only credits above 1 USD are paid: a credit of 1 USD or less" in text
    assert "once rounded to the currency's smallest unit, is not issued." in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_claim_windows_from_the_outage(fmt: str) -> None:
    text = _render(DRAFT3 / "claim-windows.sla", fmt)
    assert "The Customer must claim the credit within 10 days of the start of the outage" in text
    assert "within 15 days after the outage ends" in text
    assert "from the end of the last of them" in text
    # the claims section says the same, not "after the end of the measurement period"
    assert "Sign-in must be claimed within 10 days of the start of the last outage that counts in the period." in text
    assert "API must be claimed within 15 days after the last outage that counts in the period ends." in text
    assert "after the end of the measurement period" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_web_hosting_sample_states_every_draft3_term(fmt: str) -> None:
    text = _render(SAMPLE, fmt)
    for words in (
        "Outages of 5 minutes or less are not counted. Each outage is tested at its full length",
        "Incidents caused by “customer” are not counted as downtime.",
        "the Customer may terminate the Agreement, within 30 days after the end of the month",
        "Each outage that counts earns its own credit.",
        "an outage of 25 minutes counts 3 started units of 10 minutes and earns 15% of the monthly fee, 135.00 EUR",
        "Only credits above 1 EUR are paid",
        "within 15 days after the outage ends",
        "The service may be unavailable for at most 43 minutes 48 seconds in each calendar month.",
        "Downtime is measured from samples taken every 1 minute",
        "Only whole clock minutes in which the service was unavailable for the whole minute count as downtime "
        "(minutes start on the minute, in Europe/Helsinki time).",
        "above 43.8 minutes 3 days of service credit 3 days of service, not money; worth 87.10 EUR in a 31-day "
        "month to 96.43 EUR in a 28-day February",
        "Remedies in service time are at most 15 days of service for one period in total.",
        "Business: If the ticket target of the support plan “Business” is missed in 2 consecutive months",
    ):
        assert words in text, words
    assert "probe" not in text
