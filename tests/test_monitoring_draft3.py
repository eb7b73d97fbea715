"""`sladsl compile` knows every Draft 3 term (issue 17): `downtime at most D per PERIOD` becomes an
error budget of D seconds over the rolling period window, with burn-rate alerts, annotations,
Grafana panels and an OpenSLO target; outage-counting terms get `counting` annotations; credits,
service-time remedies, claim windows and termination compile without breaking anything. Every
rules file goes through the real promtool (`check rules`, and `test rules` scenarios)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
import yaml

from .conftest import ROOT, run

PROMTOOL = shutil.which("promtool")
SCHEMA = json.loads((ROOT / "tests" / "schemas" / "openslo-v1-slo.json").read_text())
DRAFT3_CASES = sorted((ROOT / "tests" / "cases" / "draft3").glob("*.sla"))
TARGETS = ("prometheus", "kubernetes", "openslo", "grafana")

MONITOR = """monitor prometheus {
                errors "sum(rate(errors_total[{{window}}]))"
                total  "sum(rate(requests_total[{{window}}]))"
            }"""

# Every Draft 3 term in one agreement that checks clean.
ALL_TERMS = f"""sla "Draft 3" {{
    provider "P"
    timezone "Europe/Berlin"
    fee 1000 USD per month
    service "S" {{
        objective "Availability" {{
            availability at least 99.9% per calendar month
            downtime from incidents
            ignore outages of 5 minutes or less
            count only whole clock minutes
            chronic failure when breached in 3 consecutive periods, terminate within 30 days
            {MONITOR}
        }}
        objective "Uptime" {{
            downtime at most 43.8 minutes per calendar month
            ignore outages shorter than 10 minutes after exclusions
            exclude maintenance announced at least 1 day ahead
            {MONITOR}
        }}
        credits for "Availability" {{
            for each outage: 5% of monthly fee per started 10 minutes, at most 100% of monthly fee
            for each outage longer than 5 minutes: 50 times the fees for the downtime
            for each outage: 1 hour of service per started hour
            pay credits only above 1 USD
            claim within 10 days of the outage
        }}
        credits for "Uptime" {{
            above 43.8 minutes: 10% of monthly fee
            above 7.2 hours: 25% of monthly fee
            claim within 15 days after the outage ends
        }}
    }}
    service "W" {{
        objective "Availability" {{
            availability at least 99.9% per calendar month
            count only whole clock 5 minute intervals
            monitor prometheus {{
                good  "sum(rate(w_ok_total[{{{{window}}}}]))"
                total "sum(rate(w_total[{{{{window}}}}]))"
            }}
        }}
        credits for "Availability" {{
            below 99.9%: 3 days of service
            below 99.0%: 7 days of service
            at most 15 days of service
        }}
    }}
    service "M" {{
        objective "Users" {{
            availability at least 99.9% per calendar month
            weight downtime by share affected, adding overlaps
            {MONITOR}
        }}
        credits for "Users" {{
            below 99.9%: 25% of monthly fee
        }}
    }}
    support "Basic" {{
        priority P1: first response within 1 hour
        target 90% of tickets per calendar month
        chronic failure when support target missed in 2 consecutive periods, terminate within 30 days
    }}
}}
"""


def downtime_agreement(clause: str, name: str = "Uptime", timezone: str = "UTC") -> str:
    name = name.replace("\\", "\\\\").replace('"', '\\"')  # as a string in the source
    return f"""sla "Shop" {{
    timezone "{timezone}"
    service "API" {{
        objective "{name}" {{
            {clause}
            {MONITOR}
        }}
    }}
}}
"""


def promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL, "promtool is needed (Debian: apt-get install prometheus; .ci/run installs it)"
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, check=False, cwd=cwd)


def compile_to(tmp_path: Path, text: str, target: str = "prometheus", *options: str) -> tuple[str, str]:
    """Compile through the CLI; Prometheus rules (and the PrometheusRule's spec) must pass promtool."""
    sla = tmp_path / "agreement.sla"
    sla.write_text(text, encoding="utf-8")
    checked = run("check", str(sla))
    assert checked.exit_code == 0, checked.output
    out = tmp_path / f"out.{target}"
    result = run("compile", str(sla), "--target", target, "-q", "-o", str(out), *options)
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    text_out = out.read_text(encoding="utf-8")
    if target in ("prometheus", "kubernetes"):
        rules = tmp_path / "rules.yml"
        spec = yaml.safe_load(text_out)
        rules.write_text(yaml.safe_dump(spec if target == "prometheus" else spec["spec"]), encoding="utf-8")
        done = promtool("check", "rules", str(rules))
        assert done.returncode == 0, done.stdout + done.stderr
    return text_out, result.stderr


def groups(text: str) -> dict[str, list[dict[str, Any]]]:
    return {g["name"]: g["rules"] for g in yaml.safe_load(text)["groups"]}


def rule(rules: list[dict[str, Any]], key: str, name: str) -> dict[str, Any]:
    return next(r for r in rules if r.get(key) == name)


def value_of(text: str) -> Fraction:
    """A constant PromQL expression as sladsl writes it (`0.0146`, `6 * 2628 / 2592000`,
    `1 - 2628 / 2592000`), computed exactly."""
    text = text.strip()
    if text.startswith("vector(") and text.endswith(")"):
        text = text[len("vector(") : -1]
    text = text.strip("()")
    if text.startswith("1 - "):
        return 1 - value_of(text[4:])
    product, *divisors = text.split(" / ")
    value = Fraction(1)
    for factor in product.split(" * "):
        value *= Fraction(Decimal(factor))
    for divisor in divisors:
        value /= Fraction(Decimal(divisor))
    return value


def thresholds(expr: str) -> list[Fraction]:
    """The right-hand sides of every `> ...` comparison in an alert expression."""
    found = []
    for part in expr.split(" > ")[1:]:
        rhs = part.split(" and ")[0].split("\n")[0].rstrip(")").strip()
        if part.startswith("("):
            rhs = part[1 : part.index(")")]
        found.append(value_of(rhs))
    return found


# ---- every target, every term -------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_every_draft3_term_compiles_to_every_target(tmp_path: Path, target: str) -> None:
    text, stderr = compile_to(tmp_path, ALL_TERMS, target)
    assert "internal error" not in stderr and "Traceback" not in stderr
    if target == "openslo":
        documents = [d for d in yaml.safe_load_all(text) if d]
        assert [d["metadata"]["name"] for d in documents] == ["s-availability", "s-uptime", "w-availability", "m-users"]
        for document in documents:
            jsonschema.validate(document, SCHEMA)
    elif target == "grafana":
        dashboard = json.loads(text)
        rows = [p["title"] for p in dashboard["panels"] if p["type"] == "row"]
        assert rows == ["S: Availability", "S: Uptime", "W: Availability", "M: Users"]
    else:
        spec = yaml.safe_load(text)
        names = [g["name"] for g in (spec if target == "prometheus" else spec["spec"])["groups"]]
        assert names == ["sla:S:Availability", "sla:S:Uptime", "sla:W:Availability", "sla:M:Users"]
    # every objective has a monitor and a reachable budget: nothing to warn about
    assert "not compiled" not in stderr


@pytest.mark.parametrize("path", DRAFT3_CASES, ids=lambda p: p.stem)
@pytest.mark.parametrize("target", TARGETS)
def test_draft3_cases_compile_without_monitors(path: Path, target: str) -> None:
    """The checker's Draft 3 cases have no monitor blocks: every target names them, none fails."""
    result = run("compile", str(path), "--target", target)
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    assert "has no `monitor prometheus` block" in result.stderr
    strict = run("compile", str(path), "--target", target, "--strict")
    assert strict.exit_code == 1


# ---- downtime at most D per PERIOD ----------------------------------------------------------------


PERIODS = [
    ("43.8 minutes", "calendar month", 30 * 86400, "30d"),
    ("2 hours", "calendar quarter", 90 * 86400, "90d"),
    ("8.76 hours", "calendar year", 365 * 86400, "365d"),
    ("10 minutes", "week", 7 * 86400, "7d"),
]
SECONDS = {"minutes": 60, "hours": 3600}


@pytest.mark.parametrize(("limit", "period", "window_seconds", "window"), PERIODS)
def test_downtime_allowance_is_a_budget_over_the_rolling_window(
    tmp_path: Path, limit: str, period: str, window_seconds: int, window: str
) -> None:
    text, stderr = compile_to(tmp_path, downtime_agreement(f"downtime at most {limit} per {period}"))
    amount, unit = limit.split()
    allowance = Fraction(Decimal(amount)) * SECONDS[unit]
    budget = allowance / window_seconds
    rules = groups(text)["sla:API:Uptime"]
    assert value_of(rule(rules, "record", "sla:error_budget:ratio")["expr"]) == budget
    assert value_of(rule(rules, "record", "sla:objective:ratio")["expr"]) == 1 - budget
    assert rule(rules, "record", f"sla:error_ratio:rate{window}")
    info = rule(rules, "record", "sla:objective:info")["labels"]
    assert info["period_window"] == window and Fraction(Decimal(info["allowed_downtime_seconds"])) == allowance
    page, ticket = rule(rules, "alert", "SLAErrorBudgetBurnPage"), rule(rules, "alert", "SLAErrorBudgetBurnTicket")
    # each pair's two windows compare with factor x budget, computed exactly
    assert thresholds(page["expr"]) == [Fraction(144, 10) * budget] * 2 + [6 * budget] * 2
    assert thresholds(ticket["expr"]) == [3 * budget] * 2 + [budget] * 2
    assert page["annotations"]["allowed_downtime"].endswith(f"per {period}, whatever its length")
    assert "error_budget" in page["annotations"]
    assert stderr == ""


def test_annotations_state_the_allowance_as_a_duration(tmp_path: Path) -> None:
    text, _ = compile_to(tmp_path, ALL_TERMS)
    page = rule(groups(text)["sla:S:Uptime"], "alert", "SLAErrorBudgetBurnPage")
    notes = page["annotations"]
    assert notes["allowed_downtime"] == "43 minutes 48 seconds per calendar month, whatever its length"
    assert notes["error_budget"].startswith("43 minutes 48 seconds of every rolling 30d (2592000 seconds)")
    assert "2628 / 2592000" in notes["error_budget"]
    assert "43.8 minutes" in notes["clause"] or "43 minutes 48 seconds" in notes["clause"]
    # 43.8 minutes is a larger budget than 99.9% of 30 days (43.2 minutes): the page threshold is higher
    availability = rule(groups(text)["sla:S:Availability"], "alert", "SLAErrorBudgetBurnPage")
    assert thresholds(availability["expr"])[0] == Fraction("0.0144") < thresholds(page["expr"])[0]


def traffic(errors: int, total: int, minutes: int = 180) -> list[dict[str, str]]:
    return [
        {"series": "requests_total", "values": f"0+{total}x{minutes}"},
        {"series": "errors_total", "values": f"0+{errors}x{minutes}"},
    ]


def unit_test(tmp_path: Path, rules_text: str, inputs: list[dict[str, str]], checks: list[Any]) -> str:
    (tmp_path / "rules.yml").write_text(rules_text, encoding="utf-8")
    test = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": inputs, "alert_rule_test": checks}],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test), encoding="utf-8")
    done = promtool("test", "rules", "test.yml", cwd=tmp_path)
    return "" if done.returncode == 0 else done.stdout + done.stderr


def expected(alert: dict[str, Any]) -> list[dict[str, Any]]:
    labels, annotations = (
        {k: v.replace('{{ "{{" }}', "{{") for k, v in alert[key].items()} for key in ("labels", "annotations")
    )
    return [{"exp_labels": labels, "exp_annotations": annotations}]


NAME = 'Up "time" {{ .Labels }} \\ 43.8'


def test_a_downtime_burn_pages_just_above_six_times_the_budget_and_not_just_below(tmp_path: Path) -> None:
    """43.8 minutes a month is 2628 / 2592000 of the rolling 30 days; 6x that is 0.6083%. With
    100,000 requests a minute, 609 errors (0.609%) page over 6 h and 30 m; 608 (0.608%) do not,
    though they would under 99.9% (6 x 0.1% = 0.6%). The objective's name holds quotes, a
    backslash and a template: the selectors must still match the recorded labels."""
    text, _ = compile_to(tmp_path, downtime_agreement("downtime at most 43.8 minutes per calendar month", NAME))
    rules = groups(text)
    (group,) = rules.values()
    page, ticket = rule(group, "alert", "SLAErrorBudgetBurnPage"), rule(group, "alert", "SLAErrorBudgetBurnTicket")
    assert page["labels"]["objective"] == NAME.replace("{{", '{{ "{{" }}')
    pages = [{"eval_time": "70m", "alertname": "SLAErrorBudgetBurnPage", "exp_alerts": expected(page)}]
    quiet = [
        {"eval_time": "70m", "alertname": "SLAErrorBudgetBurnPage", "exp_alerts": []},
        {"eval_time": "70m", "alertname": "SLAErrorBudgetBurnTicket", "exp_alerts": expected(ticket)},
    ]
    assert unit_test(tmp_path, text, traffic(609, 100000), pages) == ""
    assert unit_test(tmp_path, text, traffic(608, 100000), quiet) == ""
    # and the scenarios can fail: 608 errors are expected to page, 609 to stay quiet
    assert unit_test(tmp_path, text, traffic(608, 100000), pages) != ""
    assert unit_test(tmp_path, text, traffic(609, 100000), quiet[:1]) != ""


def test_an_allowance_too_large_to_burn_fast_is_a_warning(tmp_path: Path) -> None:
    """3 days a month is 10% of 30 days: 14.4 x 10% is out of reach, so the page keeps its 6x pair."""
    text, stderr = compile_to(tmp_path, downtime_agreement("downtime at most 3 days per calendar month"))
    page = rule(groups(text)["sla:API:Uptime"], "alert", "SLAErrorBudgetBurnPage")
    assert thresholds(page["expr"]) == [Fraction(6, 10)] * 2
    assert "objective \u201cUptime\u201d of service \u201cAPI\u201d" in stderr
    assert "with a budget of 10% (259200 of 2592000 seconds) a 14.4x burn over 1h" in stderr
    sla = tmp_path / "agreement.sla"
    assert run("compile", str(sla), "--target", "prometheus", "--strict").exit_code == 1


def _longest_period(zone: str, year: int) -> int:
    tz = ZoneInfo(zone)
    longest = 0
    for month in range(1, 13):
        start = datetime(year, month, 1, tzinfo=tz)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
        longest = max(longest, int((end.astimezone(UTC) - start.astimezone(UTC)) / timedelta(seconds=1)))
    return longest


@pytest.mark.parametrize(("zone", "longest_hours"), [("UTC", 744), ("Europe/Berlin", 745)])
def test_openslo_target_never_allows_more_than_the_contract(tmp_path: Path, zone: str, longest_hours: int) -> None:
    text, _ = compile_to(
        tmp_path, downtime_agreement("downtime at most 43.8 minutes per calendar month", timezone=zone), "openslo"
    )
    (document,) = [d for d in yaml.safe_load_all(text) if d]
    jsonschema.validate(document, SCHEMA)
    assert _longest_period(zone, 2026) == longest_hours * 3600
    spec = document["spec"]
    assert spec["budgetingMethod"] == "Timeslices" and spec["timeWindow"][0]["duration"] == "1M"
    target = Fraction(Decimal(str(spec["objectives"][0]["target"])))
    # the budget of the longest month is at most 43.8 minutes, and short of it by under a millisecond
    allowed = (1 - target) * longest_hours * 3600
    assert allowed <= 2628
    assert 2628 - allowed < Fraction(1, 1000)
    assert "43.8 minutes" in spec["description"] or "43 minutes 48 seconds" in spec["description"]


def test_grafana_shows_downtime_against_the_allowance_in_seconds(tmp_path: Path) -> None:
    text, _ = compile_to(tmp_path, ALL_TERMS, "grafana")
    panels = [p for p in json.loads(text)["panels"] if p["title"] == "Downtime against the allowance (30d)"]
    exprs = [[t["expr"] for t in p["targets"]] for p in panels]
    uptime = 'agreement="Draft 3", service="S", objective="Uptime"'
    assert [f"sla:error_ratio:rate30d{{{uptime}}} * 2592000", f"sla:error_budget:ratio{{{uptime}}} * 2592000"] in exprs
    assert len(panels) == 4  # every time-based objective, the duration allowance among them


PLANS = f"""sla "Plans" {{
    plans "Basic", "Premium"
    service "API" {{
        objective "Uptime" {{
            downtime at most 43.8 minutes per calendar month on plan "Premium"
            downtime at most 7.2 hours per calendar month
            {MONITOR}
        }}
    }}
}}
"""


def test_each_plan_budgets_its_own_allowance(tmp_path: Path) -> None:
    text, _ = compile_to(tmp_path, PLANS)
    rules = groups(text)
    basic, premium = rules["sla:API:Uptime:Basic"], rules["sla:API:Uptime:Premium"]
    assert value_of(rule(premium, "record", "sla:error_budget:ratio")["expr"]) == Fraction(2628, 2592000)
    assert value_of(rule(basic, "record", "sla:error_budget:ratio")["expr"]) == Fraction(25920, 2592000)


# ---- outage counting ----------------------------------------------------------------------------


def test_counting_annotations_say_what_the_contract_counts(tmp_path: Path) -> None:
    text, stderr = compile_to(tmp_path, ALL_TERMS)
    counting = {
        name: {rule(rules, "alert", a)["annotations"].get("counting", "") for a in ("SLAErrorBudgetBurnPage",)}
        for name, rules in groups(text).items()
    }
    (availability,) = counting["sla:S:Availability"]
    assert "ignores outages of 5 minutes or less" in availability
    assert "whole clock minutes (Europe/Berlin time)" in availability
    (uptime,) = counting["sla:S:Uptime"]
    assert "shorter than 10 minutes, after removing excluded time" in uptime
    (clock,) = counting["sla:W:Availability"]
    assert "whole clock 5 minute intervals" in clock
    (users,) = counting["sla:M:Users"]
    assert "adding the shares of overlapping incidents" in users
    assert "largest share" not in users
    # a counting note is not a compile warning
    assert stderr == ""


def test_objectives_without_draft3_counting_terms_have_no_counting_note(tmp_path: Path) -> None:
    text, _ = compile_to(
        tmp_path,
        downtime_agreement(
            "availability at least 99.9% per calendar month\n            ignore outages shorter than 5 minutes"
        ),
    )
    (rules,) = groups(text).values()
    assert "counting" not in rule(rules, "alert", "SLAErrorBudgetBurnPage")["annotations"]


def test_the_fast_yaml_writer_matches_pyyaml_on_draft3_rules() -> None:
    """Exact divisions and the new labels and annotations are written as PyYAML writes them."""
    from .test_monitoring_yaml import _compare

    assert _compare(ALL_TERMS) > 0
    assert _compare(PLANS) > 0
