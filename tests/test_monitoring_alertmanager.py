"""Declared maintenance in monitoring (issue 20, item 4): `sladsl compile --target
alertmanager --data DIR` gives Alertmanager silences for the announced maintenance that the
agreement excludes, and `--target prometheus --data DIR` the `sla-maintenance` recordings.

Everything goes through the real CLI. The silences are checked against a JSON Schema written
from Alertmanager's v2 OpenAPI `postableSilence`, against a real Alertmanager on 127.0.0.1
(Debian's prometheus-alertmanager: the silences are posted, read back, and silence an alert
that carries the rules' labels; skipped only when the binary is absent and
SLADSL_REQUIRE_ALERTMANAGER is not 1), and the amtool commands by a shlex round trip and by
amtool itself. The recordings pass `promtool check rules` and a `promtool test rules` scenario.
"""

from __future__ import annotations

import csv
import json
import os
import shlex
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from sladsl.cli import main

from .prometheus_server import free_port, running

SAMPLE = Path("samples/managed-database.sla")
EVIDENCE = Path("samples/evidence/managed-database")
TITLE = "Managed PostgreSQL Service Level Agreement"
ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
AMTOOL = shutil.which("amtool")
PROMTOOL = shutil.which("promtool")

# Alertmanager v2 OpenAPI (api/v2/openapi.yaml): postableSilence = allOf(silence, {id}),
# silence = {matchers, startsAt, endsAt, createdBy, comment}, matcher = {name, value,
# isRegex, isEqual}. Stricter than the spec in one way: no other properties.
MATCHER = {
    "type": "object",
    "required": ["name", "value", "isRegex"],
    "properties": {
        "name": {"type": "string"},
        "value": {"type": "string"},
        "isRegex": {"type": "boolean"},
        "isEqual": {"type": "boolean", "default": True},
    },
    "additionalProperties": False,
}
POSTABLE_SILENCE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["matchers", "startsAt", "endsAt", "createdBy", "comment"],
    "properties": {
        "id": {"type": "string"},
        "matchers": {"type": "array", "minItems": 1, "items": MATCHER},
        "startsAt": {"type": "string", "format": "date-time"},
        "endsAt": {"type": "string", "format": "date-time"},
        "createdBy": {"type": "string"},
        "comment": {"type": "string"},
    },
    "additionalProperties": False,
}
SILENCES = {"type": "array", "items": POSTABLE_SILENCE}


def compile_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["compile", *args])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def silences_of(sla: Path | str, data: Path | str, *more: str) -> list[dict[str, Any]]:
    code, out, err = compile_cli(str(sla), "--target", "alertmanager", "--data", str(data), *more)
    assert code == 0, err
    found = json.loads(out)
    jsonschema.validate(found, SILENCES, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    for silence in found:
        assert _when(silence["startsAt"]) < _when(silence["endsAt"])
    return found


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def labels_of(silence: dict[str, Any]) -> dict[str, str]:
    assert all(m["isEqual"] and not m["isRegex"] for m in silence["matchers"])
    return {m["name"]: m["value"] for m in silence["matchers"]}


def windows(silences: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(labels_of(s)["service"], s["startsAt"], s["endsAt"]) for s in silences]


def write_maintenance(folder: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "maintenance.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["service", "start", "end", "announced"])
        writer.writerows(rows)
    return folder


# ---- the bundled sample -------------------------------------------------------------------


def test_the_sample_gives_one_silence_for_the_window_its_objective_excludes() -> None:
    found = silences_of(SAMPLE, EVIDENCE)
    # Primary cluster: 02:00-02:30 Berlin (CEST), announced 24 days ahead of the 14 needed.
    # Read replicas: its window was announced 2 days ahead, and its objective excludes none.
    assert windows(found) == [("Primary cluster", "2026-10-14T00:00:00Z", "2026-10-14T00:30:00Z")]
    silence = found[0]
    assert labels_of(silence) == {"agreement": TITLE, "service": "Primary cluster", "objective": "Availability"}
    assert silence["createdBy"] == "sladsl"
    assert (
        "exclude maintenance announced at least 14 days ahead, up to 12 hours per calendar year" in silence["comment"]
    )
    assert "Availability" in silence["comment"]


CAPPED = [  # Primary cluster in 2026 (Berlin), the yearly cap is 12 hours
    ("Primary cluster", "2026-10-14T02:00:00+02:00", "2026-10-14T02:30:00+02:00", "2026-09-20T10:00:00+02:00"),
    ("Primary cluster", "2026-11-03T01:00:00+01:00", "2026-11-03T06:00:00+01:00", "2026-10-01T00:00:00+02:00"),
    ("Primary cluster", "2026-11-10T01:00:00+01:00", "2026-11-10T02:00:00+01:00", "2026-11-05T00:00:00+01:00"),
    ("Primary cluster", "2026-11-17T01:00:00+01:00", "2026-11-17T06:00:00+01:00", "2026-10-01T00:00:00+02:00"),
    ("Primary cluster", "2026-11-24T01:00:00+01:00", "2026-11-24T02:00:00+01:00", ""),
    ("Primary cluster", "2026-12-01T01:00:00+01:00", "2026-12-01T04:00:00+01:00", "2026-10-01T00:00:00+02:00"),
    ("Primary cluster", "2026-12-08T01:00:00+01:00", "2026-12-08T02:00:00+01:00", "2026-10-01T00:00:00+02:00"),
    ("Primary cluster", "2027-01-05T01:00:00+01:00", "2027-01-05T02:00:00+01:00", "2026-12-01T00:00:00+01:00"),
    ("Read replicas", "2026-10-21T02:00:00+02:00", "2026-10-21T03:00:00+02:00", "2026-09-01T10:00:00+02:00"),
]


@pytest.fixture
def capped(tmp_path: Path) -> Path:
    folder = tmp_path / "evidence"
    shutil.copytree(EVIDENCE, folder)
    return write_maintenance(folder, CAPPED)


def test_late_and_unannounced_windows_get_no_silence_and_the_yearly_cap_cuts_in_order(capped: Path) -> None:
    found = silences_of(SAMPLE, capped)
    assert windows(found) == [
        ("Primary cluster", "2026-10-14T00:00:00Z", "2026-10-14T00:30:00Z"),  # 0.5 h of 12
        ("Primary cluster", "2026-11-03T00:00:00Z", "2026-11-03T05:00:00Z"),  # 5.5 h
        # 10 November: announced 5 days ahead; 24 November: not announced
        ("Primary cluster", "2026-11-17T00:00:00Z", "2026-11-17T05:00:00Z"),  # 10.5 h
        ("Primary cluster", "2026-12-01T00:00:00Z", "2026-12-01T01:30:00Z"),  # 1.5 h of its 3: the cap
        # 8 December: nothing left of 2026's allowance
        ("Primary cluster", "2027-01-05T00:00:00Z", "2027-01-05T01:00:00Z"),  # a new year, a new cap
    ]
    # Read replicas' objective has no `exclude maintenance`: its alerts are never silenced
    assert {labels_of(s)["objective"] for s in found} == {"Availability"}


def test_a_period_keeps_its_windows_and_the_cap_still_counts_from_the_start_of_the_year(capped: Path) -> None:
    assert windows(silences_of(SAMPLE, capped, "--period", "2026-12")) == [
        ("Primary cluster", "2026-12-01T00:00:00Z", "2026-12-01T01:30:00Z")
    ]
    assert windows(silences_of(SAMPLE, capped, "--period", "2027")) == [
        ("Primary cluster", "2027-01-05T00:00:00Z", "2027-01-05T01:00:00Z")
    ]
    assert len(silences_of(SAMPLE, capped, "--period", "2026-10..2026-11")) == 3


def test_the_silences_agree_with_what_evaluation_excludes(capped: Path) -> None:
    """Evaluation's explanation of December: the 1 December window partly within the cap,
    The silence covers the part within the cap exactly."""
    (capped / "samples.parquet").unlink()  # the sample's probes cover October; December needs some
    (capped / "samples.csv").write_text(
        "service,timestamp,up\nPrimary cluster,2026-12-01T00:00:00Z,true\nPrimary cluster,2026-12-02T00:00:00Z,true\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main,
        ["evaluate", str(SAMPLE), "--data", str(capped), "--period", "2026-12", "--explain", "--format", "json"],
    )
    assert result.exit_code in (0, 1), result.stderr
    (objective,) = [o for o in json.loads(result.stdout)["objectives"] if o["objective"] == "Availability"]
    proofs = {e["start"]: e["reason"] for e in objective["explanation"] if e["what"] == "maintenance"}
    assert proofs["2026-12-01T01:00:00+01:00"] == "1 hour 30 minutes within the cap; the rest counts"
    (silence,) = silences_of(SAMPLE, capped, "--period", "2026-12")
    assert _when(silence["endsAt"]) - _when(silence["startsAt"]) == timedelta(hours=1, minutes=30)


def test_option_mistakes_are_one_line_errors(capped: Path) -> None:
    for args, words in (
        (["--target", "alertmanager"], "needs --data"),
        (["--target", "grafana", "--data", str(capped)], "--data goes with"),
        (["--target", "prometheus", "--period", "2026"], "--period goes with --data"),
        (["--target", "prometheus", "--format", "amtool"], "--format"),
        (["--target", "alertmanager", "--data", str(capped), "--period", "2026-13"], "2026-13"),
        (["--target", "alertmanager", "--data", str(capped / "nope")], "nope"),
    ):
        code, out, err = compile_cli(str(SAMPLE), *args)
        assert code == 2, (args, out, err)
        assert words in err and "Traceback" not in err and err.count("\n") == 1, err
        assert out == ""


def test_an_evidence_folder_without_maintenance_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    code, _, err = compile_cli(str(SAMPLE), "--target", "alertmanager", "--data", str(folder))
    assert code == 2 and "maintenance" in err and "Traceback" not in err


# ---- amtool's format --------------------------------------------------------------------


def amtool_commands(sla: Path | str, data: Path | str, *more: str) -> list[list[str]]:
    code, out, err = compile_cli(str(sla), "--target", "alertmanager", "--data", str(data), "--format", "amtool", *more)
    assert code == 0, err
    lines = [ln for ln in out.split("\n") if ln and not ln.startswith("#")]
    commands = [shlex.split(ln) for ln in lines]
    for line, words in zip(lines, commands, strict=True):
        assert " ".join(shlex.quote(w) for w in words) == line  # the round trip
        assert words[:3] == ["amtool", "silence", "add"]
    return commands


def flags(words: list[str]) -> dict[str, str]:
    return dict(w[2:].split("=", 1) for w in words if w.startswith("--"))


def test_amtool_commands_match_the_api_silences(capped: Path) -> None:
    api = silences_of(SAMPLE, capped)
    commands = amtool_commands(SAMPLE, capped)
    assert len(commands) == len(api)
    for words, silence in zip(commands, api, strict=True):
        given = flags(words)
        assert (given["start"], given["end"], given["author"]) == (
            silence["startsAt"],
            silence["endsAt"],
            "sladsl",
        )
        assert given["comment"] == silence["comment"]
        matchers = [w for w in words[3:] if not w.startswith("--")]
        assert matchers == [f'{m["name"]}="{m["value"]}"' for m in silence["matchers"]]


# ---- hostile names ------------------------------------------------------------------------

HOSTILE_TITLE = 'Edge "quoted"\nline\x85x {{x}} \\d'
HOSTILE_SERVICE = 'Primary "db"\x85cluster\u2028'
HOSTILE_OBJECTIVE = "Avail\nability"


def _sla_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def hostile_agreement(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hostile.sla"
    path.write_text(
        f"""sla {_sla_string(HOSTILE_TITLE)} {{
    version "1"
    provider "P"
    customer "C"
    effective 2026-01-01
    term 1 year
    timezone "UTC"
    fee 100 EUR per month
    service {_sla_string(HOSTILE_SERVICE)} {{
        objective {_sla_string(HOSTILE_OBJECTIVE)} {{
            availability at least 99.9% per calendar month
            downtime from incidents
            exclude maintenance announced at least 14 days ahead, up to 1 hour per calendar month
        }}
    }}
}}
""",
        encoding="utf-8",
    )
    return path


HOSTILE_LABELS = {"agreement": HOSTILE_TITLE, "service": HOSTILE_SERVICE, "objective": HOSTILE_OBJECTIVE}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def hostile_evidence(folder: Path, windows_: list[tuple[datetime, datetime, datetime | None]]) -> Path:
    rows = [(HOSTILE_SERVICE, _iso(s), _iso(e), _iso(a) if a else "") for s, e, a in windows_]
    write_maintenance(folder, rows)
    (folder / "incidents.csv").write_text("service,start,end,cause\n", encoding="utf-8")
    return folder


def test_quotes_newlines_and_nel_keep_the_labels_exact_and_the_output_on_its_lines(tmp_path: Path) -> None:
    sla = hostile_agreement(tmp_path)
    base = datetime(2026, 3, 2, tzinfo=UTC)
    data = hostile_evidence(tmp_path / "ev", [(base, base + timedelta(minutes=30), base - timedelta(days=30))])
    code, out, err = compile_cli(str(sla), "--target", "alertmanager", "--data", str(data))
    assert code == 0, err
    assert "\x85" not in out and "\u2028" not in out and "\\u0085" in out and "\\u2028" in out
    (silence,) = json.loads(out)
    jsonschema.validate([silence], SILENCES)
    assert labels_of(silence) == HOSTILE_LABELS
    (words,) = amtool_commands(sla, data)
    text = compile_cli(str(sla), "--target", "alertmanager", "--data", str(data), "--format", "amtool")[1]
    assert not any(c in text for c in "\x85\u2028\r"), "a hidden line break in the commands"
    assert text.splitlines() == text.rstrip("\n").split("\n")  # no line break but \n
    matchers = [w for w in words[3:] if not w.startswith("--")]
    assert matchers[2] == 'objective="Avail\\nability"'  # amtool's own \n escape
    assert matchers[0].startswith("agreement=~") and "\\\\x{85}" in matchers[0]  # a NEL: an exact regex
    assert "\\u0085" in flags(words)["comment"]


# ---- Prometheus: the sla-maintenance recordings ------------------------------------------


def test_the_recordings_pass_promtool_and_are_one_only_inside_the_windows(tmp_path: Path) -> None:
    assert PROMTOOL, "promtool is needed (Debian: apt-get install prometheus)"
    sla = hostile_agreement(tmp_path)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    data = hostile_evidence(
        tmp_path / "ev",
        [
            (epoch + timedelta(minutes=10), epoch + timedelta(minutes=20), epoch - timedelta(days=30)),
            (epoch + timedelta(minutes=30), epoch + timedelta(minutes=40), epoch),  # announced too late
            (
                epoch + timedelta(minutes=50),
                epoch + timedelta(minutes=110),
                epoch - timedelta(days=30),
            ),  # cap: 50 of 60
        ],
    )
    code, out, err = compile_cli(str(sla), "--target", "prometheus", "--data", str(data), "--period", "1970-01")
    assert code == 0, err
    rules = tmp_path / "rules.yml"
    rules.write_text(out, encoding="utf-8")
    checked = subprocess.run([PROMTOOL, "check", "rules", str(rules)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "sla-maintenance" in out
    promql_labels = {
        "agreement": 'Edge \\"quoted\\"\\nline\\u0085x {{x}} \\\\d',
        "service": 'Primary \\"db\\"\\u0085cluster\\u2028',
        "objective": "Avail\\nability",
    }
    selector = "{" + ", ".join(f'{k}="{v}"' for k, v in promql_labels.items()) + "}"
    active = [{"labels": "sla:maintenance:active" + selector, "value": 1}]
    times = {"5m": [], "15m": active, "35m": [], "55m": active, "99m": active, "100m": [], "105m": []}
    test = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [],
                "promql_expr_test": [
                    {"expr": "sla:maintenance:active", "eval_time": at, "exp_samples": expected}
                    for at, expected in times.items()
                ],
            }
        ],
    }
    (tmp_path / "test.yml").write_text(json.dumps(test), encoding="utf-8")
    tested = subprocess.run(
        [PROMTOOL, "test", "rules", "test.yml"], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_without_data_the_prometheus_rules_have_no_maintenance_group() -> None:
    code, out, _ = compile_cli(str(SAMPLE), "--target", "prometheus")
    assert code == 0 and "sla-maintenance" not in out


# ---- a real Alertmanager --------------------------------------------------------------------


def _call(url: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        raw = answer.read()
    return json.loads(raw) if raw else None


@pytest.fixture(scope="module")
def alertmanager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if ALERTMANAGER is None:
        if os.environ.get("SLADSL_REQUIRE_ALERTMANAGER") == "1":
            pytest.fail("SLADSL_REQUIRE_ALERTMANAGER=1 and no prometheus-alertmanager binary")
        pytest.skip("no Alertmanager binary (Debian: apt-get install prometheus-alertmanager)")
    folder = tmp_path_factory.mktemp("alertmanager")
    config = folder / "alertmanager.yml"
    config.write_text("route:\n  receiver: none\nreceivers:\n  - name: none\n", encoding="utf-8")
    port = free_port()
    command = [
        ALERTMANAGER,
        f"--config.file={config}",
        f"--storage.path={folder / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]
    with running(command, port, folder / "alertmanager.log") as url:
        yield url


def _alert_state(url: str, labels: dict[str, str]) -> dict[str, Any]:
    for alert in _call(f"{url}/api/v2/alerts"):
        if {k: alert["labels"].get(k) for k in labels} == labels:
            return dict(alert["status"])
    raise AssertionError("the alert is not there")


@pytest.fixture
def live(tmp_path: Path) -> tuple[Path, Path, datetime]:
    """Windows around now (a real Alertmanager refuses silences that have ended): one
    running, announced a month ago; one announced an hour ago; one in two days."""
    now = datetime.now(UTC).replace(microsecond=0)
    sla = hostile_agreement(tmp_path)
    data = hostile_evidence(
        tmp_path / "ev",
        [
            (now - timedelta(minutes=5), now + timedelta(minutes=30), now - timedelta(days=30)),
            (now + timedelta(hours=2), now + timedelta(hours=3), now - timedelta(hours=1)),
        ],
    )
    return sla, data, now


def test_a_real_alertmanager_takes_the_silences_and_they_silence_the_objectives_alerts(
    alertmanager: str, live: tuple[Path, Path, datetime]
) -> None:
    sla, data, now = live
    found = silences_of(sla, data)
    assert len(found) == 1  # the late one gets none
    alert = {**HOSTILE_LABELS, "alertname": "SLAErrorBudgetBurn", "severity": "page"}
    other = {**alert, "objective": "Availability"}
    _call(
        f"{alertmanager}/api/v2/alerts",
        [{"labels": a, "startsAt": _iso(now), "endsAt": _iso(now + timedelta(hours=1))} for a in (alert, other)],
    )
    for silence in found:
        answer = _call(f"{alertmanager}/api/v2/silences", silence)
        back = _call(f"{alertmanager}/api/v2/silence/{answer['silenceID']}")
        assert back["status"]["state"] == "active"
        assert back["matchers"] == silence["matchers"]
        assert (back["createdBy"], back["comment"]) == (silence["createdBy"], silence["comment"])
        assert _when(back["endsAt"]) == _when(silence["endsAt"])
        assert answer["silenceID"] in _alert_state(alertmanager, alert)["silencedBy"]
    assert _alert_state(alertmanager, alert)["state"] == "suppressed"
    assert _alert_state(alertmanager, other)["state"] == "active"  # another objective's alert still pages
    for silence in _call(f"{alertmanager}/api/v2/silences"):
        if silence["status"]["state"] == "active":
            urllib.request.urlopen(
                urllib.request.Request(f"{alertmanager}/api/v2/silence/{silence['id']}", method="DELETE"), timeout=10
            ).close()


def test_amtool_adds_the_same_silences(alertmanager: str, live: tuple[Path, Path, datetime]) -> None:
    if AMTOOL is None:
        pytest.skip("no amtool")
    sla, data, now = live
    (expected,) = silences_of(sla, data)
    (words,) = amtool_commands(sla, data)
    added = subprocess.run(
        [AMTOOL, *words[1:], f"--alertmanager.url={alertmanager}"], capture_output=True, text=True, check=False
    )
    assert added.returncode == 0, added.stderr
    back = _call(f"{alertmanager}/api/v2/silence/{added.stdout.strip()}")
    assert back["createdBy"] == "sladsl" and back["status"]["state"] == "active"
    assert _when(back["endsAt"]) == _when(expected["endsAt"])
    by_name = {m["name"]: m for m in back["matchers"]}
    assert by_name["objective"]["value"] == HOSTILE_OBJECTIVE and not by_name["objective"]["isRegex"]
    assert by_name["agreement"]["isRegex"] and by_name["service"]["isRegex"]  # NEL: spelled as a regex
    alert = {**HOSTILE_LABELS, "alertname": "SLAAmtool"}
    near = {**alert, "service": HOSTILE_SERVICE + "x"}  # the regex is anchored: no prefix match
    _call(
        f"{alertmanager}/api/v2/alerts",
        [{"labels": a, "startsAt": _iso(now), "endsAt": _iso(now + timedelta(hours=1))} for a in (alert, near)],
    )
    assert added.stdout.strip() in _alert_state(alertmanager, alert)["silencedBy"]
    assert added.stdout.strip() not in _alert_state(alertmanager, near)["silencedBy"]


def test_with_plans_each_plan_gets_its_silence_and_plan_one_only(tmp_path: Path) -> None:
    text = Path("tests/cases/draft2/plans.sla").read_text(encoding="utf-8")
    anchor = 'availability at least 99.95% per calendar month on plans "Enterprise"\n'
    assert anchor in text
    sla = tmp_path / "plans.sla"
    sla.write_text(text.replace(anchor, anchor + "            exclude maintenance announced at least 1 day ahead\n"))
    data = write_maintenance(
        tmp_path / "ev", [("API", "2026-10-14T02:00:00Z", "2026-10-14T03:00:00Z", "2026-10-01T00:00:00Z")]
    )
    every = silences_of(sla, data)
    assert [labels_of(s)["plan"] for s in every] == ["Standard", "Premium", "Enterprise"]
    assert {(s["startsAt"], s["endsAt"]) for s in every} == {("2026-10-14T02:00:00Z", "2026-10-14T03:00:00Z")}
    (premium,) = silences_of(sla, data, "--plan", "Premium")
    assert labels_of(premium)["plan"] == "Premium"
