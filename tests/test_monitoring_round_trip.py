"""Issue 20's round trip, in one place: one `.sla` (tests/cases/round-trip/shop.sla) gives the
rules, the silences and the dashboard; a month of its traffic (tests/monitoring_history.py)
in a real Prometheus on 127.0.0.1 gives the same verdict, downtime and credit as the same
minutes as CSV, for the month and for the year; and the compiled rules, replayed over that
month by `promtool test rules`, raise an alert only where the contract counts downtime or a
generated silence covers it, raise one for every outage it counts, and give the dashboard's
calendar view the contract's downtime.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from . import monitoring_history as history
from .conftest import ROOT, run
from .prometheus_server import serving

SLA = ROOT / "tests" / "cases" / "round-trip" / "shop.sla"
PROMTOOL = shutil.which("promtool")
LABELS = {"agreement": "Shop Service Level Agreement", "service": "API", "objective": "Availability"}


@pytest.fixture(scope="module")
def evidence(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The month as CSV: requests.csv and maintenance.csv."""
    return history.write_csv(tmp_path_factory.mktemp("round-trip") / "evidence")


@pytest.fixture(scope="module")
def declared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder beside Prometheus: the maintenance the provider declared, nothing else."""
    return history.write_maintenance(tmp_path_factory.mktemp("round-trip") / "declared")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("round-trip-prometheus")
    history.write_openmetrics(folder / "metrics.om")
    with serving(folder / "metrics.om", folder) as url:
        yield url


def evaluate(*args: str) -> dict[str, Any]:
    result = run("evaluate", str(SLA), "--format", "json", "--explain", *args)
    assert result.exit_code == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def compile_to(tmp_path: Path, target: str, *more: str) -> str:
    out = tmp_path / f"out.{target}"
    result = run("compile", str(SLA), "--target", target, "-q", "-o", str(out), *more)
    assert result.exit_code == 0, result.stderr
    return out.read_text(encoding="utf-8")


# ---- one agreement, three outputs ---------------------------------------------------------------


def test_one_agreement_gives_rules_silences_and_a_dashboard(tmp_path: Path, evidence: Path) -> None:
    rules_text = compile_to(tmp_path, "prometheus", "--data", str(evidence), "--period", "2026-11")
    assert PROMTOOL, "promtool is needed (Debian: apt-get install prometheus; .ci/run installs it)"
    checked = subprocess.run(
        [PROMTOOL, "check", "rules", str(tmp_path / "out.prometheus")], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    recorded = {r["record"] for g in yaml.safe_load(rules_text)["groups"] for r in g["rules"] if "record" in r}
    silences = json.loads(compile_to(tmp_path, "alertmanager", "--data", str(evidence), "--period", "2026-11"))
    # the announced window only; the one announced an hour ahead is counted, so never silenced
    maintenance = history.event("maintenance")
    assert [(s["startsAt"], s["endsAt"]) for s in silences] == [
        (history.iso(history.stamp(maintenance.start)), history.iso(history.stamp(maintenance.start + 45)))
    ]
    assert {m["name"]: m["value"] for m in silences[0]["matchers"]} == LABELS
    dashboard = json.loads(compile_to(tmp_path, "grafana"))
    read = {
        name
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        for name in re.findall(r"sla:[a-z_]+:[a-z0-9_]+", target["expr"])
    }
    assert read and read <= recorded, read - recorded


# ---- the same verdict from Prometheus as from CSV -----------------------------------------------


def test_prometheus_and_csv_give_the_same_verdict_downtime_and_credit(
    server: str, evidence: Path, declared: Path
) -> None:
    from_csv = evaluate("--data", str(evidence), "--period", "2026-11")
    from_prometheus = evaluate("--data", server, "--data", str(declared), "--period", "2026-11")
    assert from_prometheus == from_csv
    (result,) = from_csv["objectives"]
    # 30 + 20 + 10 bad minutes counted, the 45 announced ones excluded: 60 of 43.2 allowed
    assert (result["met"], result["downtime_seconds"], result["excluded_seconds"]) == (False, "3600", "2700")
    assert from_csv["status"] == "breached"
    assert [(c["amount"], c["currency"]) for c in from_csv["credits"]] == [("200.00", "EUR")]


def test_prometheus_alone_names_the_table_it_cannot_give(server: str) -> None:
    result = run("evaluate", str(SLA), "--data", server, "--period", "2026-11")
    assert result.exit_code == 2
    assert result.stderr == (
        f"sladsl: error: missing table `maintenance` from {server}, which gives `requests`, `samples` and "
        "`latency` only; name the folder that holds it as a second --data; it is needed by `exclude maintenance`\n"
    )


def test_a_table_from_both_sources_is_refused(server: str, evidence: Path) -> None:
    result = run("evaluate", str(SLA), "--data", server, "--data", str(evidence), "--period", "2026-11")
    assert result.exit_code == 2
    assert result.stderr == (
        f"sladsl: error: {evidence / 'requests.csv'}: `requests` comes from {server} too; "
        "give each table from one source only\n"
    )


def test_a_year_from_prometheus_judges_its_months(server: str, evidence: Path, declared: Path) -> None:
    """`--period 2026` on a monthly objective judges twelve months: November from its evidence,
    the eleven others not judged for lack of it, as from CSV."""
    year = evaluate("--data", server, "--data", str(declared), "--period", "2026", "--as-of", "2027-01-31")
    assert year == evaluate("--data", str(evidence), "--period", "2026", "--as-of", "2027-01-31")
    months = {o["period_label"]: (o["judged"], o["met"]) for o in year["objectives"]}
    assert months == {f"2026-{m:02d}": (False, None) for m in range(1, 13)} | {"2026-11": (True, False)}
    assert year["total_credit"] == {"amount": "200.00", "currency": "EUR"}


# ---- the alerts fire only where the contract counts downtime ------------------------------------


def _minutes(text: str) -> int:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int((moment - history.START).total_seconds()) // 60


def _marks(spans: list[tuple[int, int]]) -> str:
    """A 0/1 series in promtool notation, 1 in each [start, end) minute."""
    values = [0] * (history.MINUTES + 1)
    for start, end in spans:
        for m in range(start, end):
            values[m] = 1
    parts, m = [], 0
    while m < len(values):
        run_end = m
        while run_end + 1 < len(values) and values[run_end + 1] == values[m]:
            run_end += 1
        parts.append(f"{values[m]}+0x{run_end - m}" if run_end > m else str(values[m]))
        m = run_end + 1
    return " ".join(parts)


def _shifted(rules: str) -> str:
    """promtool's clock starts at 0 = the history's start: shift the compiled instants."""
    offset = int(history.START.timestamp())
    return re.sub(
        r"vector\(time\(\)\) > (\d+) <= (\d+)",
        lambda m: f"vector(time()) > {int(m.group(1)) - offset} <= {int(m.group(2)) - offset}",
        rules,
    )


def _counted(report: dict[str, Any]) -> list[tuple[int, int]]:
    """The contract's counted downtime, as `--explain` lists it, in minutes of the month."""
    (result,) = report["objectives"]
    return [
        (_minutes(e["start"]), _minutes(e["end"]))
        for e in result["explanation"]
        if e["counted"] and e["what"] != "maintenance"
    ]


def test_the_alerts_fire_only_where_the_contract_counts_downtime(tmp_path: Path, evidence: Path) -> None:
    report = evaluate("--data", str(evidence), "--period", "2026-11")
    counted = _counted(report)
    assert counted == [(3480, 3510), (27900, 27920), (34740, 34750)]  # 3 Nov, 20 Nov, 25 Nov
    silences = json.loads(compile_to(tmp_path, "alertmanager", "--data", str(evidence), "--period", "2026-11"))
    silenced = [(_minutes(s["startsAt"]), _minutes(s["endsAt"])) for s in silences]
    rules = compile_to(tmp_path, "prometheus", "--data", str(evidence), "--period", "2026-11")
    (tmp_path / "rules.yml").write_text(_shifted(rules), encoding="utf-8")
    page = 'ALERTS{alertname="SLAErrorBudgetBurnPage", alertstate="firing"}'
    ticket = 'ALERTS{alertname="SLAErrorBudgetBurnTicket", alertstate="firing"}'
    # an alert is explained by counted downtime within its short windows' reach (page: the 30m
    # window and 2m `for`, 35 minutes; ticket: the 6h window and 15m `for`, 6h20m), or by a
    # silence over it: `*_explained` is 1 at those minutes
    # (in 3-day pieces: promtool's engine holds at most 10,000 samples per query)
    unexplained = "count_over_time(({alert} unless on() {why} > 0)[3d:1m])"
    checks: list[dict[str, Any]] = [
        {"expr": unexplained.format(alert=alert, why=why), "eval_time": f"{day}d", "exp_samples": []}
        for alert, why in ((page, "page_explained"), (ticket, "ticket_explained"))
        for day in range(3, 31, 3)
    ]
    checks += [
        # no alert at all for the elevated 3%, which the contract does not count (ALERTS would
        # hold a pending or firing series)
        {
            "expr": "count_over_time(ALERTS[2h10m])",
            "eval_time": f"{history.event('elevated').start + 130}m",
            "exp_samples": [],
        },
        # nor for the announced maintenance: its windows are left out of the budget
        {
            "expr": "count_over_time(ALERTS[4h])",
            "eval_time": f"{history.event('maintenance').start + 240}m",
            "exp_samples": [],
        },
    ]
    # the dashboard's calendar view, at the month's end (F = promtool's 0 = the month's start):
    # its downtime so far is the contract's, maintenance left out
    dashboard = json.loads(compile_to(tmp_path, "grafana"))
    (so_far,) = [
        t["expr"] for p in dashboard["panels"] for t in p.get("targets", []) if t["legendFormat"] == "downtime so far"
    ]
    filled = so_far.replace("${__range_s}", str(history.MINUTES * 60)).replace("${__from:date:seconds}", "0")
    labels = ", ".join(f'{k}="{v}"' for k, v in sorted(LABELS.items()))
    checks.append(
        {
            "expr": filled,
            "eval_time": "30d",
            "exp_samples": [{"labels": f"{{{labels}}}", "value": float(report["objectives"][0]["downtime_seconds"])}],
        }
    )
    # and every outage the contract counts pages within minutes of its start
    for start, end in counted:
        checks.append(
            {
                "expr": f"max(max_over_time({page}[{end - start}m]))",
                "eval_time": f"{end}m",
                "exp_samples": [{"labels": "{}", "value": 1}],
            }
        )
    inputs = [
        *history.promtool_series(),
        {"series": "page_explained", "values": _marks([(a, b + 35) for a, b in counted] + silenced)},
        {"series": "ticket_explained", "values": _marks([(a, b + 380) for a, b in counted] + silenced)},
    ]
    test = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": inputs, "promql_expr_test": checks}],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test, width=1 << 20), encoding="utf-8")
    assert PROMTOOL
    done = subprocess.run(
        [PROMTOOL, "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True, check=False, timeout=900
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_the_api_takes_the_two_sources_as_a_list(server: str, evidence: Path, declared: Path) -> None:
    from sladsl import api

    report = api.evaluate(SLA, [server, declared], "2026-11")
    (objective,) = report.objectives
    assert (objective.met, objective.downtime_seconds, objective.excluded_seconds) == (False, 3600, 2700)
    assert report == api.evaluate(SLA, evidence, "2026-11")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            ("prometheus+http://127.0.0.1:1", "prometheus+http://127.0.0.1:2"),
            "give one data source, or a Prometheus URL",
        ),
        (("a", "b"), "--data a --data b: give one data source, or a Prometheus URL and the folder"),
        (
            ("prometheus+http://127.0.0.1:1", str(ROOT / "README.md")),
            "README.md: not a folder; beside a Prometheus source",
        ),
        (("",), "--data '': empty"),
        (("", "prometheus+http://127.0.0.1:1"), "--data '': empty"),
    ],
)
def test_sources_that_do_not_go_together_are_one_line(data: tuple[str, ...], message: str) -> None:
    args = [word for source in data for word in ("--data", source)]
    result = run("evaluate", str(SLA), *args, "--period", "2026-11")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("sladsl: error: ") and message in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "command", [("compile", "--target", "alertmanager"), ("diff", str(SLA), "--period", "2026-11")]
)
def test_an_empty_data_is_refused_by_every_command(command: tuple[str, ...]) -> None:
    result = run(command[0], str(SLA), *command[1:], "--data", "")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "sladsl: error: --data '': empty; name a folder of tables, a DuckDB file or prometheus+http://HOST:9090\n"
    )
