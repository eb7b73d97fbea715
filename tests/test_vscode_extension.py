"""The VS Code extension in editors/vscode, through its own tools: vscode-tmgrammar-test
assertions and snapshots of the samples and spec examples, a scope for every word of every
valid example and every keyword of grammar/sla.lark, the language client's wiring (node's
test runner), the HTML rendering of the highlighting, and a `.vsix` built by @vscode/vsce.

Needs Node.js and npm: skipped without them, unless SLADSL_REQUIRE_NODE=1 (`.ci/run`), when
their absence fails the run. The first test installs node_modules with `npm ci`.
`SLADSL_REGEN=1 pytest tests/test_vscode_extension.py` rewrites the snapshots for review."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sladsl.language.diagnostics import SladslError, SyntaxFailure
from sladsl.language.parser import parse

from .conftest import REGEN, ROOT, SAMPLES, SPEC_EXAMPLES, run

EXT = ROOT / "editors" / "vscode"
GRAMMAR = EXT / "syntaxes" / "sla.tmLanguage.json"
SYNTAX_TESTS = sorted((EXT / "tests" / "syntax").glob("*.sla"))
REQUIRE_NODE = os.environ.get("SLADSL_REQUIRE_NODE") == "1"


def _npm_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(npm_config_update_notifier="false", npm_config_fund="false", npm_config_audit="false")
    return env


def _run(*args: str, cwd: Path = EXT, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=_npm_env())


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(result.args)} exited {result.returncode}:\n{output[-4000:]}"
    return output


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """editors/vscode/node_modules from the committed package-lock.json (`npm ci`), reused
    while it is newer than the lock file."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        message = f"{' and '.join(missing)} not found: the VS Code extension is not tested"
        if REQUIRE_NODE:
            pytest.fail(message + " (SLADSL_REQUIRE_NODE=1)")
        pytest.skip(message)
    installed = EXT / "node_modules" / ".package-lock.json"
    lock = EXT / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        _ok(_run("npm", "ci", "--no-audit", "--no-fund", timeout=600))
    return EXT / "node_modules"


def _valid_examples() -> list[Path]:
    """Every .sla file of the repository that parses (tests/cases/bad and the broken repros
    excluded by parsing, not by name), and the spec examples."""
    candidates = [*SAMPLES, *SPEC_EXAMPLES, *sorted((ROOT / "tests" / "cases").rglob("*.sla"))]
    valid = []
    for path in candidates:
        try:
            parse(path.read_text(encoding="utf-8"))
        except (SyntaxFailure, SladslError):  # not an example of the language
            continue
        valid.append(path)
    return valid


# ---- without Node.js: the test inputs and the snippets are real SLA ----------------------


def test_the_grammar_test_files_are_valid_sla() -> None:
    """The assertion files are .sla files whose assertion lines are comments: each parses,
    so the highlighting is tested on the real language."""
    assert len(SYNTAX_TESTS) >= 4
    for path in SYNTAX_TESTS:
        parse(path.read_text(encoding="utf-8"))


_WRAP = {
    "agreement": "{body}",
    "in agreement": 'sla "S" {{\n    fee 100 USD per month\n{body}\n}}',
    "in service": 'sla "S" {{\n    fee 100 USD per month\n    service "X" {{\n{body}\n    }}\n}}',
    "after objective": (
        'sla "S" {{\n    fee 100 USD per month\n    service "X" {{\n        objective "Availability" {{\n'
        "            availability at least 99.9% per calendar month\n        }}\n{body}\n    }}\n}}"
    ),
    "in objective": (
        'sla "S" {{\n    fee 100 USD per month\n    service "X" {{\n        objective "Availability" {{\n'
        "            availability at least 99.9% per calendar month\n            downtime when error rate "
        "above 5% in 5 minute windows\n{body}\n        }}\n    }}\n}}"
    ),
}
_WHERE = {
    "Agreement": "agreement",
    "Service with an objective and credits": "in agreement",
    "Objective": "in service",
    "Latency objective": "in service",
    "Credits": "after objective",
    "Credits per outage": "after objective",
    "Support plan with a calendar": "in agreement",
    "Prose": "in agreement",
    "Definition": "in agreement",
    "Monitor": "in objective",
}


def _expand(body: list[str]) -> str:
    """A snippet with every placeholder at its default, the first choice of each choice,
    and VS Code's variables filled in (TextMate snippet syntax)."""
    text = "\n".join(body).replace("\t", "    ")
    text = text.replace("$CURRENT_YEAR", "2026").replace("$CURRENT_MONTH", "01")
    previous = None
    while previous != text:  # placeholders may nest
        previous = text
        text = re.sub(r"\$\{\d+:((?:[^{}\\]|\\.)*)\}", r"\1", text)
        text = re.sub(r"\$\{\d+\|([^,|]*)[^|]*\|\}", r"\1", text)
    text = re.sub(r"\$\d+", "", text)
    return re.sub(r"\\([\\$}])", r"\1", text)


def test_every_snippet_expands_to_an_agreement_the_checker_accepts(tmp_path: Path) -> None:
    snippets = json.loads((EXT / "snippets" / "sla.json").read_text(encoding="utf-8"))
    assert set(snippets) == set(_WHERE), "a snippet without a place in this test"
    for name, snippet in snippets.items():
        assert "$" not in _expand(snippet["body"]).replace("${", ""), name
        text = _WRAP[_WHERE[name]].format(body=_expand(snippet["body"]))
        path = tmp_path / f"{re.sub(r'[^a-z]+', '-', name.lower())}.sla"
        path.write_text(text + "\n", encoding="utf-8")
        result = run("check", str(path))
        assert result.exit_code == 0, f"snippet {name!r}:\n{text}\n{result.output}"


def test_language_configuration() -> None:
    config = json.loads((EXT / "language-configuration.json").read_text(encoding="utf-8"))
    assert config["comments"] == {"lineComment": "#"}
    assert config["brackets"] == [["{", "}"]]
    pairs = {pair["open"]: pair["close"] for pair in config["autoClosingPairs"]}
    assert pairs == {"{": "}", '"': '"', '"""': '"""'}


# ---- with Node.js ------------------------------------------------------------------------


def test_grammar_assertions(node_modules: Path) -> None:
    output = _ok(_run("npm", "run", "--silent", "test:grammar"))
    for path in SYNTAX_TESTS:
        assert f"✓ tests/syntax/{path.name} run successfuly" in output, output


def test_grammar_assertions_fail_when_the_grammar_is_wrong(node_modules: Path, tmp_path: Path) -> None:
    """The assertions bite: the same tests against a grammar that scopes statement
    keywords as plain keywords fail, naming the line."""
    # a copy of the extension's manifest beside the broken grammar: the tool takes the
    # grammar that package.json contributes
    shutil.copy(EXT / "package.json", tmp_path / "package.json")
    (tmp_path / "syntaxes").mkdir()
    (tmp_path / "syntaxes" / GRAMMAR.name).write_text(
        GRAMMAR.read_text(encoding="utf-8").replace("keyword.control.statement.sla", "keyword.other.sla"),
        encoding="utf-8",
    )
    shutil.copytree(EXT / "tests" / "syntax", tmp_path / "syntax")
    tool = str(node_modules / ".bin" / "vscode-tmgrammar-test")
    result = _run(tool, "--grammar", f"syntaxes/{GRAMMAR.name}", "syntax/*.sla", cwd=tmp_path)
    assert result.returncode != 0
    assert "missing required scopes: keyword.control.statement.sla" in result.stdout + result.stderr


def test_snapshots_of_the_samples_and_spec_examples(node_modules: Path) -> None:
    output = _ok(_run("node", "scripts/snap.js", *(["--update"] if REGEN else [])))
    for path in SAMPLES + SPEC_EXAMPLES:
        group = "samples" if path.parent.name == "samples" else "spec"
        assert (EXT / "tests" / "snapshots" / group / f"{path.name}.snap").exists()
        if not REGEN:
            assert re.search(rf"✓ \S*/{group}/{re.escape(path.name)} run successfully", output), output


def test_every_word_of_every_example_and_every_keyword_is_highlighted(node_modules: Path) -> None:
    examples = _valid_examples()
    assert len(examples) >= len(SAMPLES) + 15
    files = [*SYNTAX_TESTS, *examples]
    result = _run("node", "scripts/check-coverage.js", "--lark", str(ROOT / "grammar" / "sla.lark"), *map(str, files))
    output = _ok(result)
    keywords = set(re.findall(r'"([a-z]+)"', re.sub(r"//[^\n]*", "", (ROOT / "grammar" / "sla.lark").read_text())))
    assert f"{len(files)} files" in output and f"{len(keywords)} keywords: 0 problems" in output, output


def test_an_unknown_word_is_reported(node_modules: Path, tmp_path: Path) -> None:
    typo = tmp_path / "typo.sla"
    typo.write_text('sla "T" {\n    service "S" {\n        objetive "A" {\n        }\n    }\n}\n', encoding="utf-8")
    unclosed = tmp_path / "unclosed.sla"
    unclosed.write_text('sla "T" {\n    text """\n    never closed\n}\n', encoding="utf-8")
    result = _run("node", "scripts/check-coverage.js", str(typo), str(unclosed))
    assert result.returncode == 1
    assert f'{typo}:3: "objetive" has no scope' in result.stderr
    assert f"{unclosed}: the file ends inside a string or prose" in result.stderr


def test_language_client(node_modules: Path) -> None:
    output = _ok(_run("node", "--test", "tests/"))
    assert re.search(r"^# fail 0$", output, re.M) and re.search(r"^# pass [1-9]", output, re.M), output


def test_rendered_highlighting(node_modules: Path, tmp_path: Path) -> None:
    """scripts/render-html.js (the screenshot's source) colours by the grammar and the theme."""
    sample = ROOT / "samples" / "payments-api.sla"
    html_path = tmp_path / "page.html"
    _ok(_run("node", "scripts/render-html.js", str(sample), str(html_path)))
    html = html_path.read_text(encoding="utf-8")
    assert '<span style="color:#C586C0">availability</span>' in html  # a statement keyword
    assert '<span style="color:#6A9955">' in html  # a comment
    assert '<span style="color:#DCDCAA">"Request success"</span>' in html  # an objective's name
    assert '<span style="color:#B5CEA8">99.95%</span>' in html  # a percentage
    assert html.count("\n") >= len(sample.read_text(encoding="utf-8").splitlines())


def test_vsix_is_built_with_the_grammar(node_modules: Path, tmp_path: Path) -> None:
    vsix = tmp_path / "sladsl.vsix"
    _ok(_run("npx", "--no-install", "vsce", "package", "--allow-missing-repository", "--out", str(vsix)))
    assert vsix.exists() and vsix.stat().st_size > 10_000
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("extension/package.json"))
        grammar = json.loads(archive.read("extension/syntaxes/sla.tmLanguage.json"))
        vsixmanifest = archive.read("extension.vsixmanifest").decode("utf-8")
    for name in (
        "extension/extension.js",
        "extension/language-configuration.json",
        "extension/snippets/sla.json",
        "extension/syntaxes/sla.tmLanguage.json",
        "extension/node_modules/vscode-languageclient/node.js",
    ):
        assert name in names, name
    assert not any(n.startswith(("extension/tests/", "extension/scripts/")) for n in names)
    assert manifest["contributes"]["grammars"] == [
        {"language": "sla", "scopeName": "source.sla", "path": "./syntaxes/sla.tmLanguage.json"}
    ]
    assert grammar["scopeName"] == "source.sla"
    assert 'Id="sladsl"' in vsixmanifest


def _server_command() -> list[str]:
    """What the extension starts: `sladsl lsp`; before that command exists, the module."""
    if run("lsp", "--help").exit_code == 0:
        return [str(Path(sys.executable).parent / "sladsl"), "lsp"]
    if importlib.util.find_spec("sladsl.lsp") is not None:
        return [sys.executable, "-m", "sladsl.lsp"]
    pytest.skip("sladsl has no language server yet")


def test_the_client_library_talks_to_the_real_server(node_modules: Path, tmp_path: Path) -> None:
    """vscode-jsonrpc (what the extension's client ships) against the real server over
    stdio: it initializes, publishes no diagnostic for a sample and the parser's error,
    with its did-you-mean, for a mistyped keyword on the right line; it exits on `exit`."""
    typo = tmp_path / "typo.sla"
    typo.write_text('sla "T" {\n    service "S" {\n        objetive "A" {\n        }\n    }\n}\n', encoding="utf-8")
    sample = ROOT / "samples" / "payments-api.sla"
    smoke = _run("node", "scripts/lsp-smoke.js", str(sample), str(typo), "--", *_server_command(), timeout=120)
    _ok(smoke)
    result = json.loads(smoke.stdout)  # the server's log goes to stderr
    assert {"textDocumentSync", "hoverProvider", "completionProvider"} <= set(result["capabilities"])
    assert result["diagnostics"][str(sample)] == []
    (error,) = result["diagnostics"][str(typo)]
    assert error["line"] == 3 and error["severity"] == 1 and "objetive" in error["message"]
    assert result["exit"] == 0
