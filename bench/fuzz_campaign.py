"""A fuzz campaign through the whole pipeline: parse -> check -> fmt -> render -> compile.

Run: python bench/fuzz_campaign.py [--count N] [--seed S] [--out DIR] [--deep N]
     python bench/fuzz_campaign.py --scale     # parse + check time at 10 KB, 100 KB and 1 MB

Sources are made from the agreements the project ships (samples/, tests/cases/draft2/, draft3/,
tests/cases/good/ and the specification's examples), whole or cut down to their header
and one block or one objective, by token-level mutations: deleting, duplicating and
swapping statements (lines) and tokens, inserting words of the grammar's vocabulary,
numbers, dates, times and ordinals at the limits, comments and blank lines between every
token, names holding quotes, braces, escapes, Markdown, HTML and Go/Jinja template braces
(put in one place, or everywhere the name is used so that references still resolve),
names holding hidden characters (NEL, U+2028, U+2029, bidirectional controls, tab, ESC and
other controls, zero-width and format characters; `m_hide` puts one into a name wherever
it is used), and plans declared.

Each source is parsed; a syntax error must be positioned inside the input. What parses is
checked and serialised to JSON, and formatted: the output must parse to the same AST,
format to itself, and keep every comment (the texts `scan_comments` finds). What checks
clean (no errors) is rendered to HTML and Markdown and compiled to Prometheus rules and
OpenSLO, for every plan on its own as well when `plans` is declared; at most `--deep` of
them (default: all) so that a test can bound its time. Every Prometheus output is checked
by the real `promtool check rules` (when it is on PATH; `--no-promtool` skips it), 200
files a run of promtool; a file it refuses is a failure of its source.

Any exception other than `SyntaxFailure` or `SladslError` is a crash; a broken `fmt`
property is a failure; a source over `--slow` seconds (default 2) is reported. Counts,
ratios and time per stage are printed; each crashing or failing input is written to
`--out` with its traceback beside it. Exit status 1 when anything crashed or failed.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
import shutil
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/fuzz_campaign.py` from a checkout
    sys.path.insert(0, str(ROOT))

from sladsl.language import ast  # noqa: E402
from sladsl.language.checks import check  # noqa: E402
from sladsl.language.diagnostics import SladslError, SyntaxFailure  # noqa: E402
from sladsl.language.formatter import format_agreement, scan_comments  # noqa: E402
from sladsl.language.parser import grammar_text, normalise_source, parse  # noqa: E402
from sladsl.language.serialize import to_json  # noqa: E402

STAGES = ("parse", "check", "fmt", "render", "compile")


def seed_files() -> list[Path]:
    globs = [
        (ROOT / "samples", "*.sla"),
        (ROOT / "tests" / "cases" / "draft2", "*.sla"),
        (ROOT / "tests" / "cases" / "draft3", "*.sla"),
        (ROOT / "tests" / "cases" / "good", "*.sla"),
        (ROOT.parent / "shared" / "spec" / "examples", "*.sla"),
    ]
    return [p for folder, pattern in globs for p in sorted(folder.glob(pattern))]


# ---- tokens ------------------------------------------------------------------------------

_TOKEN = re.compile(
    r'(?:"""[^"]*(?:"(?!"")[^"]*)*""")'
    r'|(?:"(?:[^"\\\n]|\\.)*")'
    r"|(?:#[^\n]*)"
    r"|(?:[ \t\r\n\f]+)"
    r"|(?:\d{4}-\d{2}-\d{2}|\d{2}:\d{2}|\d+(?:st|nd|rd|th)\b|\d+(?:\.\d+)?%?|p\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?:.)",
    re.S,
)


@functools.lru_cache(maxsize=512)
def _cut(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(text))


def tokens(text: str) -> list[str]:
    """The text cut into tokens and the whitespace between them; ''.join gives it back.
    (Cached: most mutations start from one of the seeds.)"""
    return list(_cut(text))


def _is_space(token: str) -> bool:
    return token[0] in " \t\r\n\f"


_PROSE_STATEMENT = re.compile(r'\n[ \t]*(?:text|define\s+"[^"\n]*"\s+as)\s*"""(?:[^"]|"(?!""))*"""')


def _depths(text: str) -> tuple[list[str], list[int]]:
    """The lines, and the brace depth at the start of each (braces in strings and comments
    do not count)."""
    lines = text.split("\n")
    depth_at = [0] * (len(lines) + 1)
    depth, line = 0, 0
    for tok in tokens(text):
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        for _ in range(tok.count("\n")):
            line += 1
            depth_at[line] = depth
    return lines, depth_at


def _split(lines: list[str], depth_at: list[int], lo: int, hi: int, level: int) -> tuple[list[str], list[str]]:
    """Lines lo..hi-1 at `level`: the one-line statements, and the blocks as texts."""
    header: list[str] = []
    blocks: list[str] = []
    i = lo
    while i < hi:
        if depth_at[i] == level and depth_at[i + 1] == level:
            header.append(lines[i])
        elif depth_at[i] == level and depth_at[i + 1] > level:
            j = i + 1
            while j < hi and depth_at[j + 1] > level:
                j += 1
            blocks.append("\n".join(lines[i : j + 1]))
            i = j
        i += 1
    return header, blocks


def fragments(text: str) -> list[str]:
    """Small sources that still reach every stage: the agreement's one-line statements
    with each one of its blocks (and its calendars, which support plans name), and with
    each objective of a service alone, beside its credits and the service's fees."""
    text = normalise_source(text)
    lines, depth_at = _depths(text)
    header, blocks = _split(lines, depth_at, 0, len(lines), 1)
    opening = next((ln for k, ln in enumerate(lines) if depth_at[k] == 0 and depth_at[k + 1] == 1), 'sla "F" {')
    heads = _PROSE_STATEMENT.sub("", "\n".join(header))  # long prose stays in the whole files
    calendars = "\n".join(b for b in blocks if b.strip().startswith("calendar"))
    out = []
    for block in blocks:
        extra = "" if block.strip().startswith("calendar") else calendars
        out.append(f"{opening}\n{heads}\n{extra}\n{block}\n}}\n")
        if not block.strip().startswith("service"):
            continue
        inner, inner_depth = _depths(f"{opening}\n{block}\n}}\n")
        own, parts = _split(inner, inner_depth, 2, len(inner) - 2, 2)
        for part in parts:
            name = re.match(r'\s*objective\s+("(?:[^"\\\n]|\\.)*")', part)
            if name is None:
                continue
            paid = [p for p in parts if re.match(rf"\s*credits\s+for\s+{re.escape(name.group(1))}", p)]
            body = "\n".join([inner[1], *own, part, *paid, inner[-3]])
            out.append(f"{opening}\n{heads}\n{calendars}\n{body}\n}}\n")
            essential = "\n".join(h for h in header if h.split()[:1] in (["fee"], ["plans"], ["timezone"]))
            out.append(f"{opening}\n{essential}\n{calendars}\n{body}\n}}\n")
    return out


# ---- mutations ----------------------------------------------------------------------------


def vocabulary() -> list[str]:
    """Every keyword of the grammar, and the words its terminals stand for."""
    words = set(re.findall(r'"([a-z]+)"', grammar_text()))
    words |= {"monday", "sunday", "ms", "minutes", "hours", "days", "seconds", "weeks", "months", "years", "h", "d"}
    words |= {"USD", "EUR", "JPY", "XXX", "usd", "p95", "p99.9", "2nd", "1st", "{", "}", ":", ",", "%", '"x"'}
    words |= {'"Premium"', '""', '"""x"""', "STANDARD", "P1"}
    return sorted(words)


NUMBERS = [
    "0", "0.0", "1", "0.001", "0.0001", "1.5", "100", "100.0", "100.001", "99.999999999999",
    "999999999999999", "1000000000000000", "1" + "0" * 30, "0." + "0" * 11 + "1", "0." + "0" * 12 + "1",
    "36500", "36525", "36526", "52", "60", "2147483648", "9223372036854775808", "007", "1.0000",
]  # fmt: skip
PERCENTS = [n + "%" for n in NUMBERS[:12]] + ["100%", "101%", "0%", "99.99999999999%", "0.000000000001%"]
DATES = ["2026-02-29", "2024-02-29", "0001-01-01", "9999-12-31", "2026-13-01", "2026-00-10", "2026-12-31"]
TIMES = ["00:00", "24:00", "23:59", "24:01", "99:99", "12:60", "09:00"]
ORDINALS = ["0th", "1st", "2nd", "11th", "11st", "13rd", "999999999999th", "1" + "0" * 20 + "th"]
PERCENTILES = ["p0", "p100", "p50", "p99.999999999999", "p100.1", "p999", "p9999999999999999"]
NAMES = [
    '"a \\"quoted\\" name"',
    '"{{ braces }}"',
    '"{% raw %}{{x}}"',
    '"{$labels.x}"',
    '"*bold* _it_ [link](http://x) `code` | pipe"',
    '"<b>html</b> <script>alert(1)</script> &amp;"',
    '"line\\nbreak"',
    '"tab\\there"',
    '"# not a comment"',
    '"ends with backslash \\\\"',
    '"\\"\\"\\""',
    '"<!-- x -->"',
    '"# Heading\\n---\\n- item"',
    '"é ü 中文 \U0001f600"',
    '"  spaced  "',
    '""',
    '"' + "x" * 300 + '"',
    '"a:b,c{d}e"',
    '"Premium"',
    # hidden characters, raw in the source (r01, r09): line separators YAML breaks lines at,
    # bidirectional controls, C0 and C1 controls, zero-width and format characters
    '"Edge\x85delivery"',
    '"line\u2028separator"',
    '"para\u2029separator"',
    '"Credit \u202e%01\u202c end"',
    '"\u2066isolated\u2069 \u200fmark\u200e \u061c"',
    '"raw\ttab"',
    '"esc\x1b[31mred\x1b[0m"',
    '"bell\x07 del\x7f csi\x9b"',
    '"zero\u200bwidth\ufeffbom\u00adshy"',
    '"cr\rhere"',
]
HIDDEN = "\x85\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\t\x1b\x07\x7f\x9b\u200b\ufeff\r"
PROSES = [
    '"""\n    # heading\n    * item\n    <div>x</div>\n    {{ x }}\n"""',
    '""""""',
    '"""a "quoted" b"""',
    '"""C:\\inbox\\"""',
    '"""  trailing  \n\n\n  lines  """',
]


def _limit_for(token: str, rng: random.Random) -> str | None:
    if token[0] not in '0123456789p"':
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", token):
        return rng.choice(DATES)
    if re.fullmatch(r"\d{2}:\d{2}", token):
        return rng.choice(TIMES)
    if re.fullmatch(r"\d+(?:\.\d+)?%", token):
        return rng.choice(PERCENTS)
    if re.fullmatch(r"\d+(?:st|nd|rd|th)", token):
        return rng.choice(ORDINALS)
    if re.fullmatch(r"p\d+(?:\.\d+)?", token):
        return rng.choice(PERCENTILES)
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return rng.choice(NUMBERS)
    if token.startswith('"""'):
        return rng.choice(PROSES)
    if token.startswith('"'):
        return rng.choice(NAMES)
    return None


def _lines(text: str) -> list[str]:
    return text.split("\n")


def m_delete_lines(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    i = rng.randrange(len(lines))
    del lines[i : i + rng.choice((1, 1, 1, 2, 3))]
    return "\n".join(lines)


def m_duplicate_line(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    i = rng.randrange(len(lines))
    lines.insert(rng.randrange(len(lines) + 1) if rng.random() < 0.2 else i, lines[i])
    return "\n".join(lines)


def m_swap_lines(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    i = rng.randrange(len(lines))
    j = min(len(lines) - 1, max(0, i + rng.choice((-2, -1, 1, 2))))
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def _solid(toks: list[str]) -> list[int]:
    return [i for i, t in enumerate(toks) if t[0] not in " \t\r\n\f"]


def m_delete_token(text: str, rng: random.Random) -> str:
    toks = tokens(text)
    del toks[rng.choice(_solid(toks))]
    return "".join(toks)


def m_duplicate_token(text: str, rng: random.Random) -> str:
    toks = tokens(text)
    i = rng.choice(_solid(toks))
    toks.insert(i, toks[i] + " ")
    return "".join(toks)


def m_swap_tokens(text: str, rng: random.Random) -> str:
    toks = tokens(text)
    solid = _solid(toks)
    k = rng.randrange(len(solid) - 1) if len(solid) > 1 else 0
    i, j = solid[k], solid[min(k + 1, len(solid) - 1)]
    toks[i], toks[j] = toks[j], toks[i]
    return "".join(toks)


def m_insert_word(text: str, rng: random.Random) -> str:
    toks = tokens(text)
    i = rng.randrange(len(toks) + 1)
    toks.insert(i, f" {rng.choice(VOCABULARY)} ")
    return "".join(toks)


def m_replace_word(text: str, rng: random.Random) -> str:
    toks = tokens(text)
    toks[rng.choice(_solid(toks))] = rng.choice(VOCABULARY)
    return "".join(toks)


_LIMITED = frozenset('0123456789p"')


def m_limits(text: str, rng: random.Random) -> str:
    """A number, percentage, date, time, ordinal, percentile, name or prose at its limits."""
    toks = tokens(text)
    places = [i for i, t in enumerate(toks) if t[0] in _LIMITED and (t[0] != "p" or t[1:2].isdigit())]
    for i in rng.sample(places, min(len(places), rng.choice((1, 1, 2, 4)))):
        toks[i] = _limit_for(toks[i], rng) or toks[i]
    return "".join(toks)


_GAPS = [" # c\n", "\n# own line {\n", "\n\n", "\n", "\t", " #\n", ' # "quote" """\n', "\n\n# a\n# b\n\n"]


def m_relayout(text: str, rng: random.Random) -> str:
    """Comments, newlines and blank lines between tokens: between every one, or a few."""
    every = rng.random() < 0.3
    out: list[str] = []
    for tok in tokens(text):
        out.append(tok)
        if not _is_space(tok) and (every or rng.random() < 0.05):
            out.append(rng.choice(_GAPS))
    return "".join(out)


def m_rename(text: str, rng: random.Random) -> str:
    """One name replaced everywhere it occurs (a plan, an objective and its credits, a
    calendar and the support plans that use it), so the agreement can still check clean."""
    toks = tokens(text)
    names = sorted({t for t in toks if t.startswith('"') and not t.startswith('"""')})
    if not names:
        return text
    old, new = rng.choice(names), rng.choice(NAMES)
    return "".join(new if t == old else t for t in toks)


def m_hide(text: str, rng: random.Random) -> str:
    """A hidden character (or two) put into one name, everywhere it occurs, so that the
    agreement can still check clean and its names reach the documents and the rules."""
    toks = tokens(text)
    names = sorted({t for t in toks if t.startswith('"') and not t.startswith('"""') and len(t) > 2})
    if not names:
        return text
    old = rng.choice(names)
    new = old
    for _ in range(rng.choice((1, 1, 2))):
        at = rng.randrange(1, len(new))
        if new[at - 1] == "\\":  # not between a backslash and what it escapes
            continue
        new = new[:at] + rng.choice(HIDDEN) + new[at:]
    return "".join(new if t == old else t for t in toks)


def m_add_plans(text: str, rng: random.Random) -> str:
    """Plans declared, or statements put `on plan`: reach every plan's copy."""
    lines = _lines(text)
    if rng.random() < 0.5:
        at = 1 if len(lines) > 1 else 0
        lines.insert(at, rng.choice(['    plans "Basic", "Premium"', '    plans "A"', '    plans "x", "{{y}}"']))
    else:
        i = rng.randrange(len(lines))
        lines[i] = lines[i].rstrip() + rng.choice(
            [' on plan "Premium"', ' on plans "Basic", "Premium"', ' on plan "Z"']
        )
    return "\n".join(lines)


def m_splice(text: str, rng: random.Random) -> str:
    """A line from another seed, put anywhere."""
    other = _lines(rng.choice(SEEDS))
    lines = _lines(text)
    lines.insert(rng.randrange(len(lines) + 1), rng.choice(other))
    return "\n".join(lines)


MUTATIONS: list[tuple[Callable[[str, random.Random], str], int]] = [
    (m_delete_lines, 6),
    (m_duplicate_line, 6),
    (m_swap_lines, 4),
    (m_delete_token, 4),
    (m_duplicate_token, 3),
    (m_swap_tokens, 3),
    (m_insert_word, 4),
    (m_replace_word, 3),
    (m_limits, 10),
    (m_relayout, 5),
    (m_add_plans, 3),
    (m_rename, 6),
    (m_hide, 4),
    (m_splice, 3),
]

VOCABULARY = vocabulary()
WHOLE = [p.read_text(encoding="utf-8") for p in seed_files()]
SEEDS = WHOLE + [f for text in WHOLE for f in fragments(text)]


def fuzzed(rng: random.Random, whole: float = 0.15, seeds: list[str] = SEEDS) -> str:
    """One fuzzed source: a seed (a whole file with chance `whole`, else one of `seeds`),
    with 1-4 mutations."""
    text = rng.choice(WHOLE) if rng.random() < whole else rng.choice(seeds)
    functions, weights = zip(*MUTATIONS, strict=True)
    for mutate in rng.choices(functions, weights, k=rng.choice((1, 1, 2, 2, 3, 4))):
        text = mutate(text, rng)
    return text


# ---- the pipeline ---------------------------------------------------------------------


@dataclass
class Problem:
    index: int
    stage: str
    kind: str  # "crash", "failure" (a broken property) or "slow"
    what: str
    text: str
    trace: str = ""

    @property
    def signature(self) -> str:
        """Where it broke: the exception type and the innermost sladsl frame."""
        frames = [ln.strip() for ln in self.trace.splitlines() if ln.strip().startswith("File ") and "sladsl" in ln]
        return f"{self.stage}: {self.what.split(':')[0]} at {frames[-1] if frames else '?'}"


@dataclass
class Campaign:
    counts: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    problems: list[Problem] = field(default_factory=list)
    slowest: tuple[float, int] = (0.0, -1)
    promtool: str | None = None  # with a path, every Prometheus output is checked by `promtool check rules`
    pending: list[tuple[int, str, str]] = field(default_factory=list)  # (index, source, rules) to check

    @property
    def crashes(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "crash"]

    @property
    def failures(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "failure"]


class _Broken(Exception):
    """A property of `fmt` that does not hold."""


def _inside(text: str, line: int, column: int) -> bool:
    lines = normalise_source(text).split("\n")
    return 1 <= line <= len(lines) and 1 <= column <= len(lines[line - 1]) + 1


def _stage_parse(text: str) -> ast.Agreement | None:
    try:
        return parse(text)
    except SyntaxFailure as failure:
        span = failure.diagnostic.span
        if not _inside(text, span.line, span.column):
            raise _Broken(f"syntax error at {span.line}:{span.column}, outside the input") from None
        return None


def _stage_fmt(text: str, agreement: ast.Agreement) -> None:
    formatted = format_agreement(agreement, normalise_source(text))  # as format_source, without parsing again
    try:
        again = parse(formatted)
    except SyntaxFailure as failure:
        raise _Broken(f"fmt output does not parse: {failure.diagnostic.message}") from None
    if again != agreement:
        raise _Broken("fmt changed the AST")
    if format_agreement(again, formatted) != formatted:
        raise _Broken("fmt is not idempotent")
    before = sorted(c.text for c in scan_comments(normalise_source(text)))
    after = sorted(c.text for c in scan_comments(formatted))
    if before != after:
        lost = sorted((Counter(before) - Counter(after)).elements())
        invented = sorted((Counter(after) - Counter(before)).elements())
        raise _Broken(f"fmt lost comments {lost[:3]} or invented {invented[:3]}")


def _stage_render(agreement: ast.Agreement) -> None:
    from sladsl.documents.render import render_text

    for plan in (None, *agreement.plans):
        for fmt in ("html", "md"):
            render_text(agreement, fmt, plan=plan)


def _stage_compile(agreement: ast.Agreement) -> list[str]:
    """Prometheus rules and OpenSLO for the agreement and each plan; the rules' YAML back."""
    from sladsl.monitoring.openslo import openslo
    from sladsl.monitoring.prometheus import prometheus
    from sladsl.monitoring.yaml_text import to_yaml

    rules = []
    for plan in (None, *agreement.plans):
        rules.append(to_yaml(prometheus(agreement, plan).documents))
        to_yaml(openslo(agreement, plan).documents)
    return rules


def _names_hidden(agreement: ast.Agreement) -> set[str]:
    """The hidden characters of the names that reach the rules' labels and expressions."""
    names = [agreement.title, *agreement.plans]
    names += [n for s in agreement.services for n in (s.name, *(o.name for o in s.objectives))]
    return {c for n in names for c in n if c in HIDDEN}


PROMTOOL_BATCH = 200


def check_rules(result: Campaign, final: bool = False) -> None:
    """`promtool check rules` on the pending Prometheus outputs, a batch per run of promtool;
    a file it refuses is a failure of the source it came from."""
    if result.promtool is None or not result.pending or (len(result.pending) < PROMTOOL_BATCH and not final):
        return
    import subprocess
    import tempfile

    batch, result.pending = result.pending, []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for n, (index, _, rules) in enumerate(batch):
            paths.append(Path(folder) / f"{n:04d}-{index}.yml")
            paths[-1].write_text(rules, encoding="utf-8")
        done = subprocess.run([result.promtool, "check", "rules", *map(str, paths)], capture_output=True, text=True)
        report = done.stdout + done.stderr
        for path, (index, text, rules) in zip(paths, batch, strict=True):
            refused = [ln.strip() for ln in report.splitlines() if ln.startswith(f"{path}:")]
            if refused or (done.returncode != 0 and f"Checking {path}\n  SUCCESS" not in report):
                what = f"promtool refused the rules: {refused[0] if refused else report[-300:]}"
                result.problems.append(Problem(index, "compile", "failure", what, text, rules))
    result.counts["promtool checked"] += len(batch)
    result.seconds["compile"] += time.perf_counter() - started


def run_one(text: str, index: int, result: Campaign, deep: bool = True) -> None:
    """One source through every stage it reaches; problems are recorded, never raised."""
    started = time.perf_counter()
    stage = "parse"

    def timed(name: str, work: Callable[[], object]) -> object:
        nonlocal stage
        stage = name
        t = time.perf_counter()
        try:
            return work()
        finally:
            result.seconds[name] += time.perf_counter() - t

    try:
        agreement = timed("parse", lambda: _stage_parse(text))
        result.counts["sources"] += 1
        if not isinstance(agreement, ast.Agreement):
            result.counts["syntax errors"] += 1
            return
        result.counts["parsed"] += 1
        diagnostics = timed("check", lambda: check(agreement))
        assert isinstance(diagnostics, list)
        timed("check", lambda: json.dumps(to_json(agreement)))
        timed("fmt", lambda: _stage_fmt(text, agreement))
        result.counts["formatted"] += 1
        if any(d.is_error for d in diagnostics):
            result.counts["check errors"] += 1
            return
        result.counts["check clean"] += 1
        if agreement.plans:
            result.counts["check clean with plans"] += 1
        if not deep:
            return
        timed("render", lambda: _stage_render(agreement))
        result.counts["rendered"] += 1
        rules = timed("compile", lambda: _stage_compile(agreement))
        result.counts["compiled"] += 1
        hidden = _names_hidden(agreement)
        if hidden:
            result.counts["compiled with hidden characters"] += 1
            result.counts.update(f"compiled with U+{ord(c):04X}" for c in hidden)
        if result.promtool is not None:
            assert isinstance(rules, list)
            result.pending.extend((index, text, r) for r in rules)
            check_rules(result)
    except (SyntaxFailure, SladslError) as exc:
        result.counts[f"refused in {stage}"] += 1
        del exc
    except _Broken as exc:
        result.problems.append(Problem(index, stage, "failure", str(exc), text, traceback.format_exc()))
    except Exception as exc:  # anything else is a crash: what the campaign is for
        what = f"{type(exc).__name__}: {exc}"
        result.problems.append(Problem(index, stage, "crash", what, text, traceback.format_exc()))
    finally:
        took = time.perf_counter() - started
        if took > result.slowest[0]:
            result.slowest = (took, index)


def campaign(
    count: int,
    seed: int,
    deep_limit: int | None = None,
    slow: float = 2.0,
    whole: float = 0.15,
    max_seed_chars: int | None = None,
    progress: Callable[[int, Campaign], None] | None = None,
    promtool: str | None = None,
) -> Campaign:
    """`count` fuzzed sources from `seed`; render and compile at most `deep_limit` of the
    check-clean ones (None: all of them); `whole` is the share made from whole files, the
    rest from seeds of at most `max_seed_chars` (parsing costs ~13 us a token). With
    `promtool` (its path), every Prometheus output is checked by `promtool check rules`."""
    rng = random.Random(seed)
    seeds = [s for s in SEEDS if max_seed_chars is None or len(s) <= max_seed_chars]
    for text in WHOLE:  # build the parser, load the templates: not any one source's time
        run_one(text, -1, Campaign())
    result = Campaign(promtool=promtool)
    for index in range(count):
        text = fuzzed(rng, whole, seeds)
        deep = deep_limit is None or result.counts["rendered"] < deep_limit
        started = time.perf_counter()
        run_one(text, index, result, deep)
        took = time.perf_counter() - started
        if took > slow and len(normalise_source(text).encode()) < 100_000:
            result.problems.append(Problem(index, "all", "slow", f"{took:.2f} s for {len(text)} characters", text))
        if progress is not None and (index + 1) % 10_000 == 0:
            progress(index + 1, result)
    check_rules(result, final=True)
    return result


def report(result: Campaign, wall: float) -> str:
    c = result.counts
    total = max(1, c["sources"])
    lines = [f"{c['sources']} sources in {wall:.1f} s ({c['sources'] / max(wall, 1e-9):.0f}/s)"]
    for name in ("syntax errors", "parsed", "formatted", "check errors", "check clean", "check clean with plans"):
        lines.append(f"  {name:24} {c[name]:7}  {c[name] / total:7.1%}")
    for name in ("rendered", "compiled"):
        lines.append(f"  {name:24} {c[name]:7}  {c[name] / max(1, c['check clean']):7.1%} of check clean")
    hidden = c["compiled with hidden characters"]
    lines.append(f"  {'with hidden characters':24} {hidden:7}  {hidden / max(1, c['compiled']):7.1%} of compiled")
    if c["promtool checked"]:
        lines.append(f"  {'rules checked (promtool)':24} {c['promtool checked']:7}")
    for name, n in sorted(c.items()):
        if name.startswith("refused"):
            lines.append(f"  {name:24} {n:7}")
    lines.append("time per stage:")
    runs = {"parse": c["sources"], "check": c["parsed"], "fmt": c["parsed"], "render": c["rendered"]}
    runs["compile"] = c["compiled"]
    for stage in STAGES:
        s = result.seconds[stage]
        each = s / runs[stage] * 1000 if runs[stage] else 0.0
        lines.append(f"  {stage:8} {s:8.2f} s  {each:7.2f} ms each over {runs[stage]}")
    lines.append(f"slowest source: {result.slowest[0]:.3f} s (#{result.slowest[1]})")
    kinds = Counter(p.kind for p in result.problems)
    lines.append(f"crashes {kinds['crash']}, fmt failures {kinds['failure']}, slow {kinds['slow']}")
    for signature, n in Counter(p.signature for p in result.problems).most_common():
        lines.append(f"  {n:5} x {signature}")
    return "\n".join(lines)


# ---- the largest inputs ----------------------------------------------------------------

_WRONG_SERVICE = """
    service "Service {n}" {{
        fee {fee} XYZ per month
        objective "Availability" {{
            availability at least 120% per calendar month
            downtime from samples every 0.5 s
            ignore outages shorter than 99999 years
        }}
        objective "Availability" {{
            latency "x" p101 at most 500 ms per calendar month
        }}
        credits for "Nope" {{
            below 99.0%: 25% of monthly fee
            below 99.9%: 10% of monthly fee
        }}
    }}
"""


def generated(template: str, size: int) -> str:
    """An agreement of about `size` bytes: services from `template` until it is that long."""
    parts: list[str] = []
    total = n = 0
    while total < size:
        parts.append(template.format(n=n, fee=100 + n % 900))
        total += len(parts[-1])
        n += 1
    return f'sla "Generated" {{\n    provider "Bench"\n    timezone "UTC"\n{"".join(parts)}}}\n'


def scale() -> str:
    """Parse + check (and printing every diagnostic) at 10 KB, 100 KB and 1 MB, for a clean
    agreement with many services and one with 8 errors in each: is it near linear?"""
    from bench.bench_parse import SERVICE
    from sladsl.language.diagnostics import format_diagnostic

    parse(generated(SERVICE, 1000))
    lines = [f"{'':8} {'size':>9} {'diagnostics':>11} {'parse':>7} {'check':>7} {'print':>7} {'MB/s':>6}"]
    for name, template in (("clean", SERVICE), ("errors", _WRONG_SERVICE)):
        for size in (10_000, 100_000, 1_000_000):
            text = generated(template, size)
            t0 = time.perf_counter()
            agreement = parse(text)
            t1 = time.perf_counter()
            diagnostics = check(agreement)
            t2 = time.perf_counter()
            "\n".join(format_diagnostic(d, "generated.sla", text) for d in diagnostics)
            t3 = time.perf_counter()
            mb = len(text.encode()) / 1e6
            lines.append(
                f"{name:8} {mb * 1000:7.0f} KB {len(diagnostics):11} {t1 - t0:6.2f}s {t2 - t1:6.2f}s "
                f"{t3 - t2:6.2f}s {mb / (t3 - t0):6.2f}"
            )
    return "\n".join(lines)


def save(problems: list[Problem], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for p in problems:
        stem = f"{p.kind}-{p.index:06d}-{p.stage}"
        (out / f"{stem}.sla").write_text(p.text, encoding="utf-8")
        (out / f"{stem}.txt").write_text(f"{p.what}\n\n{p.trace}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--out", type=Path, default=None, help="folder for each crashing or failing input")
    parser.add_argument("--deep", type=int, default=None, help="render and compile at most N check-clean sources")
    parser.add_argument("--whole", type=float, default=0.15, help="share of sources made from whole files")
    parser.add_argument("--max-seed-chars", type=int, default=None, help="only seeds up to this size")
    parser.add_argument("--slow", type=float, default=2.0, help="report a source under 100 KB slower than this")
    parser.add_argument("--scale", action="store_true", help="instead: parse + check time at 10 KB, 100 KB, 1 MB")
    parser.add_argument(
        "--no-promtool", action="store_true", help="do not check the Prometheus outputs with promtool (on PATH)"
    )
    args = parser.parse_args()
    if args.scale:
        print(scale())
        return
    started = time.perf_counter()

    def progress(done: int, so_far: Campaign) -> None:
        took = time.perf_counter() - started
        print(f"... {done} sources, {len(so_far.problems)} problems, {took:.0f} s", file=sys.stderr, flush=True)

    promtool = None if args.no_promtool else shutil.which("promtool")
    if promtool is None and not args.no_promtool:
        print("promtool is not on PATH: the Prometheus outputs are not checked", file=sys.stderr)
    result = campaign(args.count, args.seed, args.deep, args.slow, args.whole, args.max_seed_chars, progress, promtool)
    print(report(result, time.perf_counter() - started))
    if args.out is not None and result.problems:
        save(result.problems, args.out)
        print(f"inputs written to {args.out}/")
    sys.exit(1 if result.problems else 0)


if __name__ == "__main__":
    main()
