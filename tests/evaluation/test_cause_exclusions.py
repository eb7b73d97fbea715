"""`exclude incidents caused by` on downtime from samples, from error-rate windows and from an
average error rate: downtime inside an incident whose cause is excluded does not count (the
samples say when, the incident log says why). Before, these sources ignored the clause.
Hand-computed through the CLI on real DuckDB."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..conftest import run

SLA = """sla "Shop" {
    service "API" {
        objective "Probes" {
            availability at least 99.9% per calendar month
            downtime from samples every 1 minute
            exclude incidents caused by "customer"
        }
        objective "Windows" {
            availability at least 99.9% per calendar month
            downtime when error rate above 5% in 1 minute windows
            exclude incidents caused by "customer"
        }
        objective "Average" {
            availability at least 99.9% per calendar month
            availability from average error rate in 1 minute windows
            exclude incidents caused by "customer"
        }
    }
}
"""
DAY = datetime(2026, 11, 3, tzinfo=UTC)
DOWN = (600, 630)  # minutes of the day: 10:00-10:30 down (every probe fails, every request fails)


def _iso(minute: int) -> str:
    return (DAY + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z")


def _evidence(folder: Path, incidents: list[tuple[int, int, str]] | None) -> Path:
    folder.mkdir()
    samples, requests = ["service,timestamp,up"], ["service,timestamp,good,total"]
    for m in range(24 * 60):
        down = DOWN[0] <= m < DOWN[1]
        samples.append(f"API,{_iso(m)},{'false' if down else 'true'}")
        requests.append(f"API,{_iso(m)},{0 if down else 100},100")
    (folder / "samples.csv").write_text("\n".join(samples) + "\n", encoding="utf-8")
    (folder / "requests.csv").write_text("\n".join(requests) + "\n", encoding="utf-8")
    if incidents is not None:
        lines = ["service,start,end,cause"] + [f"API,{_iso(s)},{_iso(e)},{c}" for s, e, c in incidents]
        (folder / "incidents.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _report(tmp_path: Path, incidents: list[tuple[int, int, str]] | None) -> Any:
    sla = tmp_path / "shop.sla"
    sla.write_text(SLA, encoding="utf-8")
    data = _evidence(tmp_path / "evidence", incidents)
    return run("evaluate", str(sla), "--data", str(data), "--period", "2026-11", "--format", "json", "--explain")


def _objectives(tmp_path: Path, incidents: list[tuple[int, int, str]]) -> dict[str, dict[str, Any]]:
    result = _report(tmp_path, incidents)
    assert result.exit_code == 0, result.stderr
    return {o["objective"]: o for o in json.loads(result.stdout)["objectives"]}


def test_downtime_inside_a_customer_caused_incident_does_not_count(tmp_path: Path) -> None:
    # the customer's incident covers 10:10-10:20 of the 30 minutes; the provider's (no cause) 10:20-10:25
    found = _objectives(tmp_path, [(610, 620, "customer"), (620, 625, "")])
    for name in ("Probes", "Windows"):
        objective = found[name]
        assert (objective["downtime_seconds"], objective["excluded_seconds"]) == ("1200", "600"), name
        reasons = [(e["what"], e["counted"], e["reason"]) for e in objective["explanation"]]
        assert ("incident", False, 'caused by "customer", which is excluded: downtime inside it does not count') in (
            reasons
        )
        outage = next(e for e in objective["explanation"] if e["counted"] and e["what"] != "incident")
        assert outage["reason"] == "10 minutes of incidents with an excluded cause excluded"
    # the average: 30 windows at 100% errors, 10 of them covered, in the 43,200 of November
    average = Decimal(found["Average"]["measured"])
    assert average.quantize(Decimal("1E-12")) == (100 - Decimal(20) * 100 / 43200).quantize(Decimal("1E-12"))


def test_without_an_excluded_cause_everything_counts(tmp_path: Path) -> None:
    found = _objectives(tmp_path, [(610, 620, "deploy")])
    assert (found["Probes"]["downtime_seconds"], found["Probes"]["excluded_seconds"]) == ("1800", "0")
    assert (found["Windows"]["downtime_seconds"], found["Windows"]["excluded_seconds"]) == ("1800", "0")


def test_the_incident_log_is_needed(tmp_path: Path) -> None:
    result = _report(tmp_path, None)
    assert result.exit_code == 2
    assert "missing table `incidents`" in result.stderr and "`exclude incidents caused by`" in result.stderr


def test_an_outage_says_which_exclusion_took_its_time() -> None:
    from sladsl.evaluation.cause_exclusions import excluded_words
    from sladsl.language.parser import parse

    both = SLA.replace(
        'exclude incidents caused by "customer"\n        }\n        objective "Windows"',
        'exclude incidents caused by "customer"\n            exclude maintenance announced at least 1 day ahead\n'
        '        }\n        objective "Windows"',
    )
    probes = next(o for o in parse(both).services[0].objectives if o.name == "Probes")
    assert excluded_words(probes, caused=0, excluded=600) == "announced maintenance"
    assert excluded_words(probes, caused=600, excluded=600) == "incidents with an excluded cause"
    assert (
        excluded_words(probes, caused=300, excluded=600) == "announced maintenance and incidents with an excluded cause"
    )
    assert excluded_words(probes) == "announced maintenance or incidents with an excluded cause"


def test_counted_downtime_is_the_down_minutes_outside_excluded_incidents(tmp_path: Path) -> None:
    """A property over random days: with whole-minute samples and incidents, the downtime is
    exactly the down minutes that no customer-caused incident covers, and the excluded time
    the ones it does (the provider's own incidents change nothing)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from sladsl import api

    spans = st.lists(st.tuples(st.integers(0, 1430), st.integers(1, 60)), max_size=4)
    incidents = st.lists(
        st.tuples(st.integers(0, 1430), st.integers(1, 90), st.sampled_from(["customer", ""])), max_size=4
    )
    sla = tmp_path / "probes.sla"
    sla.write_text(SLA.split('        objective "Windows"')[0] + "    }\n}\n", encoding="utf-8")
    runs = iter(range(10_000))

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(spans, incidents)
    def check(down_spans: list[tuple[int, int]], logged: list[tuple[int, int, str]]) -> None:
        down = {m for start, length in down_spans for m in range(start, min(start + length, 1440))}
        folder = tmp_path / f"day{next(runs)}"
        folder.mkdir()
        rows = ["service,timestamp,up"] + [f"API,{_iso(m)},{'false' if m in down else 'true'}" for m in range(1440)]
        (folder / "samples.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        lines = ["service,start,end,cause"] + [f"API,{_iso(s)},{_iso(s + n)},{c}" for s, n, c in logged]
        (folder / "incidents.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        covered = {m for s, n, c in logged if c == "customer" for m in range(s, s + n)}
        (objective,) = api.evaluate(sla, folder, "2026-11").objectives
        assert objective.downtime_seconds == 60 * len(down - covered)
        assert objective.excluded_seconds == 60 * len(down & covered)

    check()
