"""The parser's tables ship with the package; nothing is cached in, or unpickled from, a
shared temp folder (r06: Lark's `cache=True` loaded a pickle any local user could plant)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import lark
import pytest
from lark import Lark
from lark.exceptions import UnexpectedInput

from sladsl.language import grammar_tables, parser
from sladsl.language.grammar_tables import OPTIONS, build_parser, grammar_text

from .conftest import BAD, GOOD, ROOT, SAMPLES


class _Marker:
    """What an attacker plants: unpickling it creates a file in the victim's process."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.path, "w"))


def _lark_cache_name(scratch: Path) -> str:
    """The name Lark's `cache=True` gives the cache of sladsl's grammar: let Lark write it
    in a private folder and read the name back, as an attacker would. The name hashes the
    options in the order they are given: the order sladsl gave them in (`cache` last)."""
    code = (
        "from lark import Lark; from sladsl.language.grammar_tables import OPTIONS, grammar_text; "
        "Lark(grammar_text(), **OPTIONS, cache=True)"
    )
    env = dict(os.environ, TMPDIR=str(scratch))
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)
    (written,) = scratch.glob(".lark_cache_*")
    return written.name


def test_a_pickle_planted_in_the_temp_folder_is_never_loaded(tmp_path: Path) -> None:
    scratch, shared = tmp_path / "scratch", tmp_path / "shared"
    scratch.mkdir()
    shared.mkdir()
    shared.chmod(0o1777)
    marker = tmp_path / "PWNED"
    planted = shared / _lark_cache_name(scratch)
    with planted.open("wb") as fh:  # Lark's layout: the sha256 line, then the pickles
        fh.write(b"whatever\n")
        pickle.dump(_Marker(str(marker)), fh)
    agreement = tmp_path / "x.sla"
    agreement.write_text('sla "x" {\n    provider "P"\n}\n', encoding="utf-8")
    env = dict(os.environ, TMPDIR=str(shared))
    for command in (["check", str(agreement)], ["fmt", "--check", str(agreement)]):
        done = subprocess.run(
            [sys.executable, "-m", "sladsl.cli", *command], env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        assert not marker.exists(), "sladsl unpickled a file from the shared temp folder"
    assert sorted(p.name for p in shared.iterdir()) == [planted.name], "sladsl wrote into the shared temp folder"


def test_the_shipped_tables_belong_to_the_grammar() -> None:
    tables = json.loads(grammar_tables.grammar_file(grammar_tables.TABLES).read_text(encoding="utf-8"))
    assert tables["grammar_sha256"] == grammar_tables.grammar_sha256(grammar_text()), (
        "grammar/sla.lark changed: run `python -m sladsl.language.grammar_tables` and commit grammar/sla.lark.json"
    )
    if tables["lark"] != lark.__version__:
        pytest.skip(f"tables built by Lark {tables['lark']}, Lark {lark.__version__} installed: not regenerated")
    assert grammar_tables.main(["--check"]) == 0, "regenerating the tables gives another file"


def test_the_parser_is_loaded_from_the_tables_not_built() -> None:
    assert parser._parser().source_path == "<deserialized>"


def _outcome(lark_parser: Lark, text: str) -> str:
    try:
        return repr(lark_parser.parse(text))
    except UnexpectedInput as exc:
        return f"{type(exc).__name__} {exc.line}:{exc.column} {sorted(getattr(exc, 'expected', ()) or ())}"
    except Exception as exc:  # a SyntaxFailure from a callback, such as a bad date
        return f"{type(exc).__name__} {exc}"


BROKEN = [
    'sla "x" { service "s" { objective "o" { availability 99.9% per calendar month } } }',
    'sla "x" { service "s" { credits for "o" { below 99.9% 10% of monthly fee } } }',
    'sla "x" { provider }',
    'sla "x" { service "s" {',
    'sla "x" { calendar "c" { open monday to friday 09:00 to 17:00 ',
]


def test_the_tables_parse_exactly_as_the_grammar() -> None:
    from_tables = parser._parser()
    from_grammar = Lark(grammar_text(), transformer=parser._Builder(), **OPTIONS)
    texts = [p.read_text(encoding="utf-8") for p in [*SAMPLES, *GOOD, *BAD]] + BROKEN
    assert len(texts) > 20
    for text in texts:
        assert _outcome(from_tables, text) == _outcome(from_grammar, text)


def test_stale_tables_fall_back_to_the_grammar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = grammar_tables.grammar_file

    def stale(name: str) -> Path:
        if name == grammar_tables.TABLES:
            (tmp_path / name).write_text('{"grammar_sha256": "0", "lark": "1.0"}', encoding="utf-8")
            return tmp_path / name
        return real(name)

    monkeypatch.setattr(grammar_tables, "grammar_file", stale)
    built = build_parser(parser._Builder())
    assert built.source_path != "<deserialized>"
    sample = (ROOT / "samples" / "payments-api.sla").read_text(encoding="utf-8")
    assert built.parse(sample) == parser.parse(sample)
