"""`sladsl evaluate` on the draft-2 terms: plans, rounded and weighted outages, credit
amounts, claim deadlines, per-window latency, rolling caps and chronic failure.

Every case goes through the real CLI on real `.sla` and CSV files; the expected values
are computed by hand in the comments, at the boundaries each rule names.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, run

PLANS = ROOT / "tests" / "cases" / "evidence" / "draft2-plans"

HEADER = {
    "incidents": "service,start,end,cause,affected",
    "maintenance": "service,start,end,announced",
    "samples": "service,timestamp,up",
    "requests": "service,timestamp,good,total",
    "latency": "service,metric,timestamp,value_ms",
}
LEDGER = (
    "customer,plan,service,objective,period,measured,met,downtime_seconds,allowed_downtime_seconds,"
    "tier,amount,currency,claim_by,capped,chronic_failure"
)

OCTOBER = 2_678_400  # seconds in a 31-day month
HUNDRED = Decimal(100)


def write(tmp_path: Path, sla: str, tables: dict[str, list[str]]) -> tuple[Path, Path]:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    for name, rows in tables.items():
        (folder / f"{name}.csv").write_text("\n".join([HEADER[name], *rows]) + "\n")
    path = tmp_path / "a.sla"
    path.write_text(sla)
    return path, folder


def evaluate_raw(tmp_path: Path, sla: str, tables: dict[str, list[str]], *args: str):  # type: ignore[no-untyped-def]
    path, folder = write(tmp_path, sla, tables)
    return run("evaluate", str(path), "--data", str(folder), "--format", "json", "--explain", *args)


def evaluate(tmp_path: Path, sla: str, tables: dict[str, list[str]], *args: str) -> dict[str, Any]:
    result = evaluate_raw(tmp_path, sla, tables, *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def agreement(objective: str, credits: str = "", zone: str = "UTC", extra: str = "") -> str:
    return (
        f'sla "T" {{ timezone "{zone}" fee 2500 USD per month {extra} '
        f'service "S" {{ objective "O" {{ {objective} }} {credits} }} }}'
    )


MONTHLY = "availability at least 99.9% per calendar month"


def only(data: dict[str, Any]) -> dict[str, Any]:
    (objective,) = data["objectives"]
    result: dict[str, Any] = objective
    return result


def measured(downtime: Decimal | int, period: int = OCTOBER) -> str:
    value = (Decimal(period) - Decimal(downtime)) / Decimal(period) * HUNDRED
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---- plans ---------------------------------------------------------------------------------


def plan_report(plan: str, period: str) -> dict[str, Any]:
    result = run(
        "evaluate",
        str(PLANS / "plans.sla"),
        "--data",
        str(PLANS),
        "--period",
        period,
        "--plan",
        plan,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_each_plan_is_judged_by_its_own_target_and_credits() -> None:
    # October: 1800 s down of 2,678,400 s = 99.932795...%: Standard (99.5%, the plain target)
    # and Premium (its own 99.9%) are met; Enterprise (99.95%) is breached, and its own credits
    # block pays 10% of its own fee (5000 USD on plan "Enterprise"): 500.00.
    standard, premium, enterprise = (plan_report(p, "2026-10") for p in ("Standard", "Premium", "Enterprise"))
    assert [d["plan"] for d in (standard, premium, enterprise)] == ["Standard", "Premium", "Enterprise"]
    assert [only(d)["target"] for d in (standard, premium, enterprise)] == ["99.5", "99.9", "99.95"]
    assert {only(d)["measured"] for d in (standard, premium, enterprise)} == {measured(1800)}
    assert [only(d)["met"] for d in (standard, premium, enterprise)] == [True, True, False]
    assert standard["credits"] == [] and premium["credits"] == []
    (credit,) = enterprise["credits"]
    assert (credit["tier"], credit["amount"], credit["currency"]) == (
        "below 99.95%: 10% of monthly fee",
        "500.00",
        "USD",
    )


def test_plans_without_their_own_credits_fall_back_to_the_plain_block() -> None:
    # November (30 days): 16,000 s down = 99.382716...%. Standard and Premium both use the
    # plain block (below 99.5%: 10% of the plain 1000 USD fee = 100.00); Enterprise its own
    # (below 99.95%, not below 99.0%: 10% of 5000 = 500.00).
    amounts = {p: plan_report(p, "2026-11")["credits"][0]["amount"] for p in ("Standard", "Premium", "Enterprise")}
    assert amounts == {"Standard": "100.00", "Premium": "100.00", "Enterprise": "500.00"}
    assert only(plan_report("Premium", "2026-11"))["measured"] == measured(16000, 2_592_000)


def test_plan_is_required_and_must_be_declared() -> None:
    base = ["evaluate", str(PLANS / "plans.sla"), "--data", str(PLANS), "--period", "2026-10"]
    missing = run(*base)
    assert missing.exit_code == 2
    assert '"Standard", "Premium", "Enterprise"' in missing.stderr and "--plan" in missing.stderr
    unknown = run(*base, "--plan", "Gold")
    assert unknown.exit_code == 2
    assert "'Gold'" in unknown.stderr and '"Standard", "Premium", "Enterprise"' in unknown.stderr
    assert "Traceback" not in missing.output + unknown.output


def test_plan_is_null_without_plans_and_shown_in_text(tmp_path: Path) -> None:
    data = evaluate(tmp_path, agreement(MONTHLY), {"incidents": []}, "--period", "2026-10")
    assert data["plan"] is None
    text = run("evaluate", str(PLANS / "plans.sla"), "--data", str(PLANS), "--period", "2026-10", "--plan", "Premium")
    assert text.exit_code == 0 and "plan Premium" in text.stdout


# ---- round outages down --------------------------------------------------------------------


ROUNDED = f"{MONTHLY} round outages down to 1 minute"


@pytest.mark.parametrize(("seconds", "counted"), [(59, 0), (60, 60), (80, 60), (119, 60), (120, 120)])
def test_outages_count_whole_minutes(tmp_path: Path, seconds: int, counted: int) -> None:
    end = f"2026-10-05T00:{seconds // 60:02d}:{seconds % 60:02d}Z"
    data = evaluate(
        tmp_path, agreement(ROUNDED), {"incidents": [f"S,2026-10-05T00:00:00Z,{end},,"]}, "--period", "2026-10"
    )
    o = only(data)
    assert o["downtime_seconds"] == str(counted)
    assert o["excluded_seconds"] == str(seconds - counted)
    assert o["measured"] == measured(counted)


def test_each_outage_is_rounded_on_its_own(tmp_path: Path) -> None:
    # 59 s + 60 s + 80 s + 50 min: 0 + 60 + 60 + 3000 = 3120 s (not 53 min 19 s rounded once)
    rows = [
        "S,2026-10-05T00:00:00Z,2026-10-05T00:00:59Z,,",
        "S,2026-10-06T00:00:00Z,2026-10-06T00:01:00Z,,",
        "S,2026-10-07T00:00:00Z,2026-10-07T00:01:20Z,,",
        # two overlapping incidents form one outage of 80 s: it counts 60 s, not 2 x 40 s -> 0
        "S,2026-10-08T00:00:00Z,2026-10-08T00:00:40Z,,",
        "S,2026-10-08T00:00:30Z,2026-10-08T00:01:20Z,,",
        "S,2026-10-09T00:00:00Z,2026-10-09T00:50:00Z,,",
    ]
    o = only(evaluate(tmp_path, agreement(ROUNDED), {"incidents": rows}, "--period", "2026-10", "--explain"))
    assert o["downtime_seconds"] == "3180"
    rounded = [e for e in o["explanation"] if "round outages down" in e["reason"]]
    assert [e["reason"] for e in rounded] == [
        "counts nothing (round outages down to 1 minute)",
        "counts 1 minute (round outages down to 1 minute)",
        "counts 1 minute (round outages down to 1 minute)",
    ]


def test_short_outages_are_ignored_before_rounding(tmp_path: Path) -> None:
    # ignore < 2 min: the 90 s outage does not count at all; 150 s counts 120 s
    rows = ["S,2026-10-05T00:00:00Z,2026-10-05T00:01:30Z,,", "S,2026-10-06T00:00:00Z,2026-10-06T00:02:30Z,,"]
    objective = f"{ROUNDED} ignore outages shorter than 2 minutes"
    o = only(evaluate(tmp_path, agreement(objective), {"incidents": rows}, "--period", "2026-10"))
    assert (o["downtime_seconds"], o["excluded_seconds"]) == ("120", "120")


def test_maintenance_is_removed_before_rounding(tmp_path: Path) -> None:
    # 150 s outage, 40 s of it in announced maintenance: 110 s remain and count 60 s (not 120 - 40)
    objective = f"{ROUNDED} exclude maintenance announced at least 1 day ahead"
    tables = {
        "incidents": ["S,2026-10-05T10:00:00Z,2026-10-05T10:02:30Z,,"],
        "maintenance": ["S,2026-10-05T10:00:00Z,2026-10-05T10:00:40Z,2026-10-01T00:00:00Z"],
    }
    o = only(evaluate(tmp_path, agreement(objective), tables, "--period", "2026-10"))
    assert (o["downtime_seconds"], o["excluded_seconds"]) == ("60", "90")


def test_an_outage_across_the_period_start_is_rounded_inside_the_period(tmp_path: Path) -> None:
    # 30 s in September, 70 s in October: October counts 60 s (the part inside, rounded)
    rows = ["S,2026-09-30T23:59:30Z,2026-10-01T00:01:10Z,,"]
    o = only(evaluate(tmp_path, agreement(ROUNDED), {"incidents": rows}, "--period", "2026-10"))
    assert o["downtime_seconds"] == "60"


def test_sample_outages_are_rounded_as_runs(tmp_path: Path) -> None:
    # samples every 40 s: one down sample (40 s) counts 0; two consecutive (80 s) count 60 s;
    # three consecutive (120 s) count 120 s: 180 s in all
    objective = f"{ROUNDED} downtime from samples every 40 seconds"
    rows = ["S,2026-10-05T00:00:00Z,false", "S,2026-10-05T00:01:20Z,true"]
    rows += ["S,2026-10-06T00:00:00Z,false", "S,2026-10-06T00:00:40Z,false"]
    rows += ["S,2026-10-07T00:00:00Z,false", "S,2026-10-07T00:00:40Z,false", "S,2026-10-07T00:01:20Z,0"]
    o = only(evaluate(tmp_path, agreement(objective), {"samples": rows}, "--period", "2026-10"))
    assert o["downtime_seconds"] == "180"


def test_error_rate_windows_are_rounded_as_runs(tmp_path: Path) -> None:
    # 30 s windows above 5% errors: one alone (30 s) counts 0; three in a row (90 s) count 60 s
    objective = f"{ROUNDED} downtime when error rate above 5% in 30 second windows"
    rows = ["S,2026-10-05T00:00:00Z,90,100"]
    rows += [f"S,2026-10-06T00:0{i // 2}:{30 * (i % 2):02d}Z,90,100" for i in range(3)]
    rows += ["S,2026-10-06T00:01:30Z,100,100"]
    o = only(evaluate(tmp_path, agreement(objective), {"requests": rows}, "--period", "2026-10"))
    assert o["downtime_seconds"] == "60"


# ---- weight downtime by share affected -----------------------------------------------------


WEIGHTED = f"{MONTHLY} weight downtime by share affected"


def test_overlapping_incidents_count_at_the_largest_share(tmp_path: Path) -> None:
    # A 00:00-01:00 at 0.4 and B 00:30-01:30 at 60%: 1800 x 0.4 + 3600 x 0.6 = 2880 s
    # C 02:00-02:10 with an empty share (= 1): 600 s
    # D 03:00-04:00 at 1 contains E 03:15-03:45 at 0.2: 3600 s (the largest wins, no sum)
    # in all 7080 s of 9600 s of incident time: 2520 s not counted
    rows = [
        "S,2026-10-05T00:00:00Z,2026-10-05T01:00:00Z,,0.4",
        "S,2026-10-05T00:30:00Z,2026-10-05T01:30:00Z,,60%",
        "S,2026-10-05T02:00:00Z,2026-10-05T02:10:00Z,,",
        "S,2026-10-05T03:00:00Z,2026-10-05T04:00:00Z,,1",
        "S,2026-10-05T03:15:00Z,2026-10-05T03:45:00Z,,0.2",
    ]
    o = only(evaluate(tmp_path, agreement(WEIGHTED), {"incidents": rows}, "--period", "2026-10"))
    assert (o["downtime_seconds"], o["excluded_seconds"]) == ("7080", "2520")
    assert o["measured"] == measured(7080)
    assert [e["what"] for e in o["explanation"][:2]] == ["incident (affected 40%)", "incident (affected 60%)"]


def test_excluded_incidents_carry_no_share(tmp_path: Path) -> None:
    # 23:00-01:00 at 0.4, 00:10-00:20 at 0.9, and a customer-caused incident at 1 over
    # 23:30-00:30:20 that is excluded: 6600 x 0.4 + 600 x 0.9 = 3180 s, across midnight
    objective = f'{WEIGHTED} exclude incidents caused by "customer"'
    rows = [
        "S,2026-10-05T23:00:00Z,2026-10-06T01:00:00Z,,0.4",
        "S,2026-10-05T23:30:00Z,2026-10-06T00:30:20Z,customer,1",
        "S,2026-10-06T00:10:00Z,2026-10-06T00:20:00Z,,90%",
    ]
    o = only(evaluate(tmp_path, agreement(objective), {"incidents": rows}, "--period", "2026-10"))
    assert (o["downtime_seconds"], o["excluded_seconds"]) == ("3180", "4020")


def test_shares_are_exact(tmp_path: Path) -> None:
    # one hour at 33.3333333% (a percent with seven decimals): 3600 x 0.333333333 = 1199.9999988 s
    rows = ["S,2026-10-05T00:00:00Z,2026-10-05T01:00:00Z,,33.3333333%"]
    o = only(evaluate(tmp_path, agreement(WEIGHTED), {"incidents": rows}, "--period", "2026-10"))
    assert o["downtime_seconds"] == "1199.9999988"


def test_weight_applies_after_maintenance_and_rounding(tmp_path: Path) -> None:
    # an 80 s outage at 50% rounds to 60 s, then weighs 30 s;
    # a 10 min incident at 50% with its first 4 min in maintenance: 6 min x 0.5 = 180 s
    objective = f"{WEIGHTED} round outages down to 1 minute exclude maintenance announced at least 1 hour ahead"
    tables = {
        "incidents": [
            "S,2026-10-05T00:00:00Z,2026-10-05T00:01:20Z,,50%",
            "S,2026-10-06T10:00:00Z,2026-10-06T10:10:00Z,,0.5",
        ],
        "maintenance": ["S,2026-10-06T10:00:00Z,2026-10-06T10:04:00Z,2026-10-01T00:00:00Z"],
    }
    o = only(evaluate(tmp_path, agreement(objective), tables, "--period", "2026-10"))
    assert o["downtime_seconds"] == "210"


def test_rounding_drops_the_last_partial_unit_before_weighting(tmp_path: Path) -> None:
    # one 80 s outage: 50% for its first 60 s, 100% (a second incident) for its last 20 s.
    # It rounds to 60 s, the whole first minute at 50%: 30 s (not 50 s x 60/80 = 37.5 s)
    objective = f"{WEIGHTED} round outages down to 1 minute"
    rows = ["S,2026-10-05T00:00:00Z,2026-10-05T00:01:20Z,,50%", "S,2026-10-05T00:01:00Z,2026-10-05T00:01:20Z,,1"]
    o = only(evaluate(tmp_path, agreement(objective), {"incidents": rows}, "--period", "2026-10"))
    assert (o["downtime_seconds"], o["excluded_seconds"]) == ("30", "50")


def test_shares_do_not_matter_without_the_clause(tmp_path: Path) -> None:
    rows = ["S,2026-10-05T00:00:00Z,2026-10-05T01:00:00Z,,0.4"]
    assert (
        only(evaluate(tmp_path, agreement(MONTHLY), {"incidents": rows}, "--period", "2026-10"))["downtime_seconds"]
        == "3600"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.5", "'1.5' is outside 0..1 (or 0%..100%)"),
        ("120%", "'120%' is outside 0..1 (or 0%..100%)"),
        ("-0.1", "'-0.1' is not a share from 0 to 1"),
        ("lots", "'lots' is not a share from 0 to 1"),
        ("0.1234567891", "'0.1234567891' is not a share from 0 to 1 (at most 9 decimals)"),
    ],
)
def test_bad_shares_are_errors(tmp_path: Path, value: str, message: str) -> None:
    rows = ["S,2026-10-04T00:00:00Z,2026-10-04T01:00:00Z,,0.5", f"S,2026-10-05T00:00:00Z,2026-10-05T01:00:00Z,,{value}"]
    result = evaluate_raw(tmp_path, agreement(WEIGHTED), {"incidents": rows}, "--period", "2026-10")
    assert result.exit_code == 2
    assert "incidents.csv: row 2 (line 3), column `affected`: " + message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


# ---- credit amounts ------------------------------------------------------------------------


def down(seconds: int) -> dict[str, list[str]]:
    end = f"2026-10-05T{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}Z"
    return {"incidents": [f"S,2026-10-05T00:00:00Z,{end},,"]}


def test_times_the_fees_for_the_downtime(tmp_path: Path) -> None:
    # Slack-style: 10 x 2500 USD x 3000 s / 2,678,400 s = 28.00179... -> 28.00
    credits = 'credits for "O" { below 99.9%: 10 times the fees for the downtime }'
    data = evaluate(tmp_path, agreement(MONTHLY, credits), down(3000), "--period", "2026-10")
    (credit,) = data["credits"]
    assert (credit["percent"], credit["basis"], credit["factor"]) == (None, "fees for the downtime", "10")
    assert (credit["amount"], credit["currency"], credit["capped"]) == ("28.00", "USD", False)
    assert credit["tier"] == "below 99.9%: 10 times the fees for the downtime"
    assert data["total_credit"] == {"amount": "28.00", "currency": "USD"}


def test_times_fees_over_a_quarter_and_half_up(tmp_path: Path) -> None:
    # Q4 2026 = 92 days = 7,948,800 s; fees for the period 3 x 2500 = 7500;
    # 2.5 x 7500 x 11,000 s / 7,948,800 = 25.94605475... -> 25.95
    objective = "availability at least 99.9% per calendar quarter"
    credits = 'credits for "O" { below 99.9%: 2.5 times the fees for the downtime }'
    data = evaluate(
        tmp_path, agreement(objective, credits), down(11000), "--period", "2026-Q4", "--as-of", "2027-01-10"
    )
    assert data["credits"][0]["amount"] == "25.95"


def test_fixed_credit_cap_and_minimum(tmp_path: Path) -> None:
    # 99.0% > measured (1 - 30,000/2,678,400 = 98.88%): the worst tier, 250 USD, is capped at 5% of 2500 = 125
    credits = 'credits for "O" { below 99.9%: 1 times the fees for the downtime below 99%: 250 USD at most 5% of monthly fee }'
    data = evaluate(tmp_path, agreement(MONTHLY, credits), down(30000), "--period", "2026-10")
    (credit,) = data["credits"]
    assert (credit["basis"], credit["percent"], credit["amount"], credit["capped"]) == ("fixed", None, "125.00", True)
    assert "cap" in credit["reason"]
    # 1 x 2500 x 3000 / 2,678,400 = 2.80 is below the 5 USD minimum: not issued
    small = 'credits for "O" { below 99.9%: 1 times the fees for the downtime minimum 5 USD }'
    data = evaluate(tmp_path, agreement(MONTHLY, small), down(3000), "--period", "2026-10")
    assert data["credits"][0]["amount"] == "0.00" and "minimum" in data["credits"][0]["reason"]


def test_percent_tiers_keep_their_percent(tmp_path: Path) -> None:
    credits = 'credits for "O" { below 99.9%: 10% of fees for the period }'
    (credit,) = evaluate(tmp_path, agreement(MONTHLY, credits), down(3000), "--period", "2026-10")["credits"]
    assert (credit["percent"], credit["basis"], credit["factor"], credit["amount"]) == (
        "10",
        "fees for the period",
        None,
        "250.00",
    )


# ---- claim deadlines -----------------------------------------------------------------------


def claim(tmp_path: Path, clause: str, period: str, *args: str, extra: str = "") -> dict[str, Any]:
    credits = f'credits for "O" {{ below 99.9%: 10% of monthly fee {clause} }}'
    first = f"{period}-05T00:00:00Z"
    rows = [f"S,{first},{period}-05T10:00:00Z,,"]
    data = evaluate(tmp_path, agreement(MONTHLY, credits, extra=extra), {"incidents": rows}, "--period", period, *args)
    (credit,) = data["credits"]
    result: dict[str, Any] = credit
    return result


@pytest.mark.parametrize(
    ("months", "period", "deadline"),
    [
        (2, "2026-01", "2026-03-31"),  # the spec's example: from 31 January, N = 2
        (1, "2026-01", "2026-02-28"),
        (1, "2028-01", "2028-02-29"),  # a leap February
        (1, "2028-02", "2028-03-31"),  # from a leap February
        (2, "2026-11", "2027-01-31"),  # across the year
    ],
)
def test_claim_by_the_end_of_the_nth_month(tmp_path: Path, months: int, period: str, deadline: str) -> None:
    ordinal = {1: "1st", 2: "2nd"}[months]
    # judged as of the period's last day, when it has ended (a later period is not judged yet)
    last_day = (date.fromisoformat(f"{period}-01") + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    clause = f"claim by the end of the {ordinal} calendar month after the period"
    credit = claim(tmp_path, clause, period, "--as-of", last_day.isoformat())
    assert credit["claim_by"] == deadline


def test_claim_on_the_deadline_day_is_in_time(tmp_path: Path) -> None:
    clause = "claim by the end of the 2nd calendar month after the period"
    on_time = claim(tmp_path, clause, "2026-01", "--as-of", "2026-03-31")
    assert (on_time["expired"], on_time["amount"]) == (False, "250.00")
    late = evaluate(
        tmp_path,
        agreement(MONTHLY, f'credits for "O" {{ below 99.9%: 10% of monthly fee {clause} }}'),
        {"incidents": ["S,2026-01-05T00:00:00Z,2026-01-05T10:00:00Z,,"]},
        "--period",
        "2026-01",
        "--as-of",
        "2026-04-01",
    )
    assert late["credits"][0]["expired"] is True and late["total_credit"]["amount"] == "0"


CALENDAR = 'calendar "Support hours" { open monday to friday 09:00 to 17:00 timezone "UTC" closed on 2026-11-03 }'


def test_claim_within_business_days_on_a_calendar(tmp_path: Path) -> None:
    # October 2026 ends on Saturday the 31st; open days after it: Mon 2 Nov (1), Tue 3 is
    # closed, Wed 4 (2), Thu 5 (3): the third business day is 5 November, the whole day.
    clause = 'claim within 3 business days on "Support hours"'
    assert claim(tmp_path, clause, "2026-10", extra=CALENDAR)["claim_by"] == "2026-11-05"
    assert claim(tmp_path, clause, "2026-10", "--as-of", "2026-11-05", extra=CALENDAR)["expired"] is False
    assert claim(tmp_path, clause, "2026-10", "--as-of", "2026-11-06", extra=CALENDAR)["expired"] is True


def test_claim_within_business_days_on_an_overnight_calendar(tmp_path: Path) -> None:
    # shifts open Monday to Friday at 22:00 and close at 02:00: a day is open when a shift
    # opens on it, so Saturday 31 Oct (Friday's shift ends there at 02:00) and Sunday are not;
    # Mon 2, Tue 3, Wed 4 November: the 3rd is Wednesday.
    calendar = 'calendar "Night" { open monday to friday 22:00 to 02:00 timezone "UTC" }'
    clause = 'claim within 3 business days on "Night"'
    assert claim(tmp_path, clause, "2026-10", extra=calendar)["claim_by"] == "2026-11-04"


# ---- latency window by window --------------------------------------------------------------


def latency_rows(window_start: str, values: list[str]) -> list[str]:
    return [f"S,reads,{window_start}:{i % 60:02d}:{i // 60:02d}Z,{v}" for i, v in enumerate(values)]


WINDOWED = 'latency "reads" p99 {relation} 10 ms in at least 99.99% of 1 hour windows per calendar month'


def test_a_window_exactly_at_the_bound(tmp_path: Path) -> None:
    # October 2026 in UTC has 744 one-hour windows. The first window's p99 is exactly 10 ms:
    # it fails `below 10 ms` (strict) and meets `at most 10 ms`. Every other window has no
    # samples and counts as meeting the bound.
    rows = latency_rows("2026-10-01T00", ["10"] * 100)
    credits = 'credits for "O" { below 99.99%: 10% of monthly fee }'
    below = only(
        data := evaluate(
            tmp_path, agreement(WINDOWED.format(relation="below"), credits), {"latency": rows}, "--period", "2026-10"
        )
    )
    assert (below["unit"], below["target"], below["strict"]) == ("%", "99.99", True)
    assert below["windows"] == {
        "total": 744,
        "met": 743,
        "without_samples": 743,
        "window_seconds": "3600",
        "bound_ms": "10",
    }
    assert below["measured"] == format(Decimal(743) / Decimal(744) * HUNDRED, "f")
    assert below["met"] is False
    assert data["credits"][0]["amount"] == "250.00"  # 99.8656...% is below 99.99%: 10% of 2500
    at_most = only(
        evaluate(tmp_path, agreement(WINDOWED.format(relation="at most")), {"latency": rows}, "--period", "2026-10")
    )
    assert (at_most["measured"], at_most["met"], at_most["strict"]) == ("100", True, False)


def test_window_percentiles_are_nearest_rank(tmp_path: Path) -> None:
    # window 1: 99 x 5 ms and 1 x 50 ms: rank ceil(0.99 x 100) = 99 -> 5 ms, meets the bound;
    # window 2: 98 x 5 ms and 2 x 50 ms: rank 99 -> 50 ms, fails; 2 of 744 would need 99.73%
    rows = latency_rows("2026-10-02T00", ["5"] * 99 + ["50"])
    rows += latency_rows("2026-10-03T05", ["50", "5"] * 1 + ["5"] * 97 + ["50"])
    objective = 'latency "reads" p99 below 10 ms in at least 99.8% of 1 hour windows per calendar month'
    o = only(evaluate(tmp_path, agreement(objective), {"latency": rows}, "--period", "2026-10"))
    assert o["windows"]["met"] == 743 and o["met"] is True  # 99.8656% >= 99.8%
    failing = [e for e in o["explanation"] if e["what"] == "window"]
    assert [(e["start"], e["reason"]) for e in failing] == [
        ("2026-10-03T05:00:00+00:00", "p99 50 ms of 100 samples: not below 10 ms")
    ]


def test_windows_follow_the_period_length_in_its_zone(tmp_path: Path) -> None:
    # March 2026 in Los Angeles starts DST: 743 hours, so 743 one-hour windows
    o = only(
        evaluate(
            tmp_path,
            agreement(WINDOWED.format(relation="below"), zone="America/Los_Angeles"),
            {"latency": latency_rows("2026-03-02T10", ["5"])},  # one sample: there is evidence
            "--period",
            "2026-03",
        )
    )
    assert o["windows"]["total"] == 743 and o["measured"] == "100"


def test_day_windows_are_local_days(tmp_path: Path) -> None:
    # November 2026 in Los Angeles ends DST: 721 hours, but 30 local days, so 30 one-day
    # windows. A slow sample at 23:30 on the 30th falls in the 30th window (fixed 24-hour
    # steps from the start would put it in a 31st), which spans that whole local day.
    objective = 'latency "reads" p99 below 10 ms in at least 90% of 1 day windows per calendar month'
    rows = ["S,reads,2026-11-30T23:30:00-08:00,50", "S,reads,2026-11-01T01:30:00-07:00,5"]
    o = only(
        evaluate(tmp_path, agreement(objective, zone="America/Los_Angeles"), {"latency": rows}, "--period", "2026-11")
    )
    assert (o["windows"]["total"], o["windows"]["met"], o["windows"]["without_samples"]) == (30, 29, 28)
    (window,) = [e for e in o["explanation"] if e["what"] == "window"]
    assert (window["start"], window["end"]) == ("2026-11-30T00:00:00-08:00", "2026-12-01T00:00:00-08:00")


def test_average_per_window(tmp_path: Path) -> None:
    # one window averages (5 + 15) / 2 = 10 ms: not below 10 ms
    rows = latency_rows("2026-10-01T00", ["5", "15"])
    objective = 'latency "reads" average below 10 ms in at least 99.99% of 1 hour windows per calendar month'
    o = only(evaluate(tmp_path, agreement(objective), {"latency": rows}, "--period", "2026-10"))
    assert o["windows"]["met"] == 743


def test_draft_one_latency_with_strict_below(tmp_path: Path) -> None:
    # p95 of 20 samples of 10 ms is 10 ms: `below 10 ms` is breached, `at most 10 ms` met
    rows = latency_rows("2026-10-01T00", ["10"] * 20)
    below = only(
        evaluate(
            tmp_path,
            agreement('latency "reads" p95 below 10 ms per calendar month'),
            {"latency": rows},
            "--period",
            "2026-10",
        )
    )
    assert (below["measured"], below["met"], below["strict"]) == ("10", False, True)
    at_most = only(
        evaluate(
            tmp_path,
            agreement('latency "reads" p95 at most 10 ms per calendar month'),
            {"latency": rows},
            "--period",
            "2026-10",
        )
    )
    assert (at_most["met"], at_most["strict"]) == (True, False)


# ---- rolling caps and the ledger -----------------------------------------------------------


ROLLING = 'credits for "O" { below 99.9%: 30% of monthly fee at most 100% of monthly fee per 12 months }'


def ledger(tmp_path: Path, rows: list[str], name: str = "ledger.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([LEDGER, *rows]) + "\n")
    return path


def past(period: str, amount: str, met: str = "false", plan: str = "", customer: str = "") -> str:
    return (
        f"{customer},{plan},S,O,{period},99.5,{met},13392,2678.4,below 99.9%: 30% of monthly fee,{amount},USD,,false,"
    )


def june(tmp_path: Path, *args: str, sla: str | None = None) -> dict[str, Any]:
    # June 2026: 3000 s down of 2,592,000 s = 99.88%: below 99.9%, 30% of 2500 = 750
    rows = ["S,2026-06-05T00:00:00Z,2026-06-05T00:50:00Z,,"]
    return evaluate(tmp_path, sla or agreement(MONTHLY, ROLLING), {"incidents": rows}, "--period", "2026-06", *args)


def test_rolling_cap_without_history_counts_earlier_periods_as_zero(tmp_path: Path) -> None:
    data = june(tmp_path)
    assert (data["credits"][0]["amount"], data["credits"][0]["capped"]) == ("750.00", False)
    (note,) = data["notes"]
    assert "rolling cap" in note and "no --history" in note
    text = run("evaluate", str(tmp_path / "a.sla"), "--data", str(tmp_path / "data"), "--period", "2026-06").stdout
    assert "note: S / O: the rolling cap" in text


def test_rolling_cap_reached_mid_year(tmp_path: Path) -> None:
    # the span is July 2025 to June 2026. June 2025 (750) is outside it; July 2025 and
    # January 2026 (750 each) are inside: 1500 of the 2500 cap used, 1000 left: June pays
    # its 750 in full. With March 2026 as well (another 750): 250 left, June is cut to 250.
    rows = [past("2025-06", "750.00"), past("2025-07", "750.00"), past("2026-01", "750.00")]
    data = june(tmp_path, "--history", str(ledger(tmp_path, rows)))
    assert (data["credits"][0]["amount"], data["credits"][0]["capped"]) == ("750.00", False)
    assert data["notes"] == []
    rows.append(past("2026-03", "750.00"))
    data = june(tmp_path, "--history", str(ledger(tmp_path, rows)))
    credit = data["credits"][0]
    assert (credit["amount"], credit["capped"]) == ("250.00", True)
    assert "rolling cap of 2500 USD per 12 months" in credit["reason"] and "2250 USD" in credit["reason"]
    assert data["total_credit"]["amount"] == "250.00"


def test_rolling_cap_used_up(tmp_path: Path) -> None:
    rows = [past(p, "750.00") for p in ("2025-09", "2025-12", "2026-02")] + [past("2026-05", "250")]
    credit = june(tmp_path, "--history", str(ledger(tmp_path, rows)))["credits"][0]
    assert (credit["amount"], credit["capped"]) == ("0.00", True)
    assert "nothing is left" in credit["reason"]


def test_history_rows_of_other_plans_and_customers_are_left_out(tmp_path: Path) -> None:
    plans = (
        'sla "T" { plans "Basic", "Pro" customer "Acme" timezone "UTC" fee 2500 USD per month '
        f'service "S" {{ objective "O" {{ {MONTHLY} }} {ROLLING} }} }}'
    )
    rows = [
        past("2026-01", "2000", plan="Basic", customer="Acme"),  # another plan: left out
        past("2026-02", "2000", plan="Pro", customer="Other"),  # another customer: left out
        past("2026-03", "2000", plan="Pro", customer="Acme"),  # counts: 500 left
    ]
    data = june(tmp_path, "--plan", "Pro", "--history", str(ledger(tmp_path, rows)), sla=plans)
    assert data["credits"][0]["amount"] == "500.00"


def test_history_in_jsonl_and_parquet(tmp_path: Path) -> None:
    import duckdb

    rows = [past("2025-07", "750.00"), past("2026-01", "750.00"), past("2026-03", "750.00")]
    csv = ledger(tmp_path, rows)
    for ext, copy in (("jsonl", "(FORMAT JSON)"), ("parquet", "(FORMAT PARQUET)")):
        target = tmp_path / f"ledger.{ext}"
        duckdb.sql(f"COPY (SELECT * FROM read_csv('{csv}', all_varchar = true)) TO '{target}' {copy}")
        assert june(tmp_path, "--history", str(target))["credits"][0]["amount"] == "250.00"


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        (LEDGER.replace(",amount", ""), None, "missing column `amount`"),
        (LEDGER, past("2026-01", "lots"), "row 2 (line 3), column `amount`: 'lots' is not a number"),
        (LEDGER, past("2026-13", "1"), "row 2 (line 3), column `period`: '2026-13' is not a period label"),
        (LEDGER, past("2026-01", "1", met="maybe"), "row 2 (line 3), column `met`: 'maybe' is not true/false"),
        (LEDGER, past("2026-01", "-5"), "row 2 (line 3), column `amount`: '-5' is a negative credit"),
    ],
)
def test_bad_history_is_an_error(tmp_path: Path, header: str, row: str | None, message: str) -> None:
    path = tmp_path / "ledger.csv"
    if row is None:
        fields = past("2026-01", "1").split(",")
        path.write_text(header + "\n" + ",".join(fields[:10] + fields[11:]) + "\n")
    else:
        path.write_text("\n".join([header, past("2026-02", "1"), row]) + "\n")
    rows = ["S,2026-06-05T00:00:00Z,2026-06-05T00:50:00Z,,"]
    result = evaluate_raw(
        tmp_path, agreement(MONTHLY, ROLLING), {"incidents": rows}, "--period", "2026-06", "--history", str(path)
    )
    assert result.exit_code == 2, result.output
    assert f"{path}: " in result.stderr and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def test_missing_history_file(tmp_path: Path) -> None:
    result = evaluate_raw(
        tmp_path, agreement(MONTHLY, ROLLING), {"incidents": []}, "--period", "2026-06", "--history", "nope.csv"
    )
    assert result.exit_code == 2 and "--history nope.csv: no such file" in result.stderr


# ---- chronic failure -----------------------------------------------------------------------


CHRONIC = f"{MONTHLY} chronic failure when breached in 3 consecutive periods or in 4 of any 12 periods"


def chronic(tmp_path: Path, objective: str, rows: list[str] | None) -> dict[str, Any]:
    args = ["--history", str(ledger(tmp_path, rows))] if rows is not None else []
    o = only(june(tmp_path, *args, sla=agreement(objective)))
    assert o["met"] is False  # June itself is breached
    result: dict[str, Any] = o["chronic_failure"]
    return result


def test_chronic_failure_exactly_n_consecutive(tmp_path: Path) -> None:
    # April, May and June breached: the condition first holds at June
    result = chronic(tmp_path, CHRONIC, [past("2026-03", "0", met="true"), past("2026-04", "0"), past("2026-05", "0")])
    assert result == {
        "holds": True,
        "since": "2026-06",
        "first_held": "2026-06",
        "breached_periods": ["2026-04", "2026-05", "2026-06"],
        "history_known": True,
    }


def test_chronic_failure_two_consecutive_is_not_enough(tmp_path: Path) -> None:
    # March breached, April met (a gap), May and June breached: 2 consecutive, 3 of 12
    rows = [past("2026-03", "0"), past("2026-04", "0", met="true"), past("2026-05", "0")]
    result = chronic(tmp_path, CHRONIC, rows)
    assert (result["holds"], result["since"], result["first_held"]) == (False, None, None)


def test_chronic_failure_m_of_any_k_with_gaps(tmp_path: Path) -> None:
    # 4 of any 12: July 2025, January and March 2026 and June 2026 are within 12 periods
    # (July 2025 to June 2026): it holds at June. With July 2025 replaced by June 2025,
    # the four span 13 periods and it does not hold.
    rows = [past("2025-07", "0"), past("2026-01", "0"), past("2026-03", "0")]
    assert chronic(tmp_path, CHRONIC, rows)["holds"] is True
    rows[0] = past("2025-06", "0")
    result = chronic(tmp_path, CHRONIC, rows)
    assert (result["holds"], result["breached_periods"]) == (False, ["2025-06", "2026-01", "2026-03", "2026-06"])


def test_chronic_failure_since_the_start_of_the_run(tmp_path: Path) -> None:
    # January to May 2026 all breached: the condition holds from March (the third) on
    rows = [past(f"2026-0{m}", "0") for m in range(1, 6)]
    result = chronic(tmp_path, CHRONIC, rows)
    assert (result["holds"], result["since"], result["first_held"]) == (True, "2026-03", "2026-03")


def test_chronic_failure_without_history(tmp_path: Path) -> None:
    data = june(tmp_path, sla=agreement(CHRONIC))
    assert only(data)["chronic_failure"] == {
        "holds": False,
        "since": None,
        "first_held": None,
        "breached_periods": ["2026-06"],
        "history_known": False,
    }
    assert any("chronic failure judged on 2026-06 alone" in n for n in data["notes"])


def test_chronic_failure_of_one_period(tmp_path: Path) -> None:
    objective = f"{MONTHLY} chronic failure when breached in 2 of any 3 periods"
    assert chronic(tmp_path, objective, None)["holds"] is False
    assert chronic(tmp_path, objective, [past("2026-04", "0")])["holds"] is True
