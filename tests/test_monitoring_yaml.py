"""The fast YAML writer of `compile` (r13) writes exactly what PyYAML writes, and is used."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from bench.fuzz_campaign import fuzzed
from sladsl.language.checks import check
from sladsl.language.diagnostics import SladslError, SyntaxFailure
from sladsl.language.parser import parse
from sladsl.monitoring import yaml_fast
from sladsl.monitoring import yaml_text as monitoring_yaml
from sladsl.monitoring.kubernetes import kubernetes
from sladsl.monitoring.openslo import openslo
from sladsl.monitoring.prometheus import prometheus

from .conftest import BAD, GOOD, ROOT, SAMPLES

COMPILERS = (prometheus, kubernetes, openslo)


def _pyyaml(documents: list[object]) -> str:
    """What `to_yaml` wrote before the fast writer: PyYAML's Python emitter."""
    dumper = monitoring_yaml._dumper(yaml.SafeDumper, escaping=True)
    options = {"sort_keys": False, "allow_unicode": True, "width": 120, "explicit_start": len(documents) > 1}
    return str(yaml.dump_all(documents, Dumper=dumper, **options))


def _compare(text: str) -> int:
    """Every output of the agreement in `text` written both ways; how many the fast writer took."""
    agreement = parse(text)
    taken = 0
    for plan in (None, *agreement.plans):
        for compiler in COMPILERS:
            documents = compiler(agreement, plan).documents
            fast = yaml_fast.dump(documents, monitoring_yaml._number)
            if fast is not None:
                taken += 1
                assert fast == _pyyaml(documents), (compiler.__name__, plan)
    return taken


def _parses(path: Path) -> bool:
    try:
        parse(path.read_text(encoding="utf-8"))
    except (SyntaxFailure, SladslError):
        return False
    return True


CORPUS = [p for p in sorted({*SAMPLES, *GOOD, *BAD, *(ROOT / "tests" / "cases").glob("*/*.sla")}) if _parses(p)]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_fast_writer_matches_pyyaml_on_every_case(path: Path) -> None:
    _compare(path.read_text(encoding="utf-8"))


def test_the_fast_writer_takes_the_samples() -> None:
    assert sum(_compare(p.read_text(encoding="utf-8")) for p in SAMPLES) >= 3 * len(SAMPLES)


# Strings at the edges of PyYAML's choices: resolved as other types (quoted), indicators,
# quotes, long ones folded at column 120, Unicode
NAMES = [
    "true", "null", "1.5", "2026-01-01", "~", "- dash", "a: b", "a #b", "#x", "it's", "'q'", "x" * 130,
    " ".join(["word"] * 40), "a  b" * 40, "é ü 中文 😀 " * 12, "[x]", "{y}", "@at", "`tick`", "%p", "!bang",
    "&amp", "*star", "|pipe", ">gt", "? q", ":colon", "a,b", "yes", "No", "0x1F", "1e3", ".inf", "<<", "=",
    "---", "...x", "a'b'c " * 30, "end:", "q'" + "x " * 70, "0o17", "+12", "-3", "1_000", "12:30", "on", "y",
]  # fmt: skip


def _quoted(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')


@pytest.mark.parametrize("seed", range(4))
def test_the_fast_writer_matches_pyyaml_on_hard_names(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        title, service, objective, plan = (_quoted(rng.choice(NAMES)) for _ in range(4))
        text = f"""sla "{title}" {{
    plans "{plan}", "Other"
    service "{service}" {{
        objective "{objective}" {{
            availability at least 99.9% per calendar month
            monitor prometheus {{
                errors "sum(rate(e{{x=\\"{_quoted(title)}\\"}}[{{{{window}}}}]))"
                total "sum(rate(t[{{{{window}}}}]))"
            }}
        }}
    }}
}}
"""
        assert _compare(text) == 9


def test_the_fast_writer_matches_pyyaml_on_fuzzed_agreements() -> None:
    rng = random.Random(20261205)
    compared = taken = 0
    while compared < 150:
        text = fuzzed(rng)
        try:
            if any(d.is_error for d in check(parse(text))):
                continue
        except (SyntaxFailure, SladslError):
            continue
        compared += 1
        taken += _compare(text)
    assert taken > 300


def test_hidden_characters_leave_the_fast_writer_for_the_escaping_one() -> None:
    document = {"name": "Edge\x85delivery"}
    assert yaml_fast.dump([document], monitoring_yaml._number) is None
    assert monitoring_yaml.to_yaml([document]) == 'name: "Edge\\Ndelivery"\n'
