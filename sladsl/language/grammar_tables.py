"""The parser's LALR tables, built ahead of time and shipped beside the grammar as JSON.

Why: building the tables from `sla.lark` takes about 0.15 s, which every command paid or
avoided with Lark's `cache=True`. That cache is a pickle in the shared temp folder under a
predictable name (`/tmp/.lark_cache_<user>_<sha256>_<python>.tmp`): any other local user
could create it first and run code in the process of whoever parsed next. So nothing is
cached at run time and nothing is unpickled: the tables are generated at development time
(`python -m sladsl.language.grammar_tables`), written as plain JSON (`grammar/sla.lark.json`, which
`json` reads without running anything) and loaded with Lark's stand-alone loader.

The file records the SHA-256 of the grammar it was built from and the Lark version that
built it. When either does not match (a grammar edited without regenerating, another Lark
minor version), the parser is built from the grammar in memory instead: slower, never wrong.
A test checks the shipped file belongs to the grammar and regenerates identically.
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any

import lark
from lark import Lark
from lark.grammar import Rule
from lark.lexer import TerminalDef
from lark.visitors import Transformer

from sladsl.resources import grammar_file

GRAMMAR = "sla.lark"
TABLES = "sla.lark.json"
OPTIONS: dict[str, Any] = {
    "parser": "lalr",
    "lexer": "contextual",
    "keep_all_tokens": True,
    "maybe_placeholders": False,
}
_INT_KEYS = "#int"  # JSON keys are strings; Lark's tables are keyed by state and memo numbers


def grammar_text() -> str:
    """The grammar shipped in the package, or the checkout's `grammar/` in development."""
    return grammar_file(GRAMMAR).read_text(encoding="utf-8")


def grammar_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_parser(transformer: Transformer[Any, Any] | None = None) -> Lark:
    """The parser for `sla.lark`: from the shipped tables when they fit, else from the grammar.

    Never with Lark's `cache` option (see the module docstring).
    """
    text = grammar_text()
    tables = _read_tables(grammar_sha256(text))
    if tables is not None:
        try:
            loaded = Lark._load_from_dict(tables["data"], tables["memo"], transformer=transformer)  # type: ignore[no-untyped-call]
        except Exception:  # tables of another Lark release: the grammar still works
            loaded = None
        if isinstance(loaded, Lark):
            return loaded
    return Lark(text, transformer=transformer, **OPTIONS)


def _read_tables(sha256: str) -> dict[str, Any] | None:
    """The shipped tables if they were built from this grammar by this Lark minor version."""
    path = grammar_file(TABLES)
    try:
        tables = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode_int_keys)
    except (OSError, ValueError):
        return None
    if not isinstance(tables, dict) or tables.get("grammar_sha256") != sha256:
        return None
    if _minor(str(tables.get("lark", ""))) != _minor(lark.__version__):
        return None
    return tables


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def _decode_int_keys(obj: dict[str, Any]) -> dict[Any, Any]:
    if _INT_KEYS in obj:
        return {int(k): v for k, v in obj[_INT_KEYS]}
    return obj


def _encode(value: Any) -> Any:
    """Lark's serialized tables as JSON: int-keyed dicts become pair lists, tuples lists."""
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _encode(v) for k, v in value.items()}
        if not all(isinstance(k, int) for k in value):
            raise TypeError(f"unexpected keys in Lark's tables: {sorted(map(repr, value))[:3]}")
        return {_INT_KEYS: [[k, _encode(v)] for k, v in sorted(value.items())]}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"unexpected value in Lark's tables: {type(value).__name__}")


def canonical_table(table: dict[str, Any]) -> dict[str, Any]:
    """Lark's serialized LALR table with its states and tokens numbered canonically.

    Lark numbers states and tokens in set order, which changes from run to run; numbered
    here by name (tokens) and breadth-first from the start state (states, each state's
    actions in token order), the same grammar always gives the same file, so that a test
    can regenerate it and compare.
    """
    names: dict[int, str] = table["tokens"]
    states: dict[int, dict[int, tuple[int, Any]]] = table["states"]
    token_ids = {name: i for i, name in enumerate(sorted(names.values()))}
    order: list[int] = []
    seen: set[int] = set()
    queue = [table["start_states"][start] for start in sorted(table["start_states"])]
    while queue:
        state = queue.pop(0)
        if state in seen:
            continue
        seen.add(state)
        order.append(state)
        for _, (action, arg) in sorted(states[state].items(), key=lambda item: names[item[0]]):
            if action == 0:  # a shift (or goto): the next state
                queue.append(arg)
    if seen != set(states):
        raise ValueError("the LALR table has states the start state does not reach")
    number = {old: new for new, old in enumerate(order)}
    renumbered = {
        number[old]: {
            token_ids[names[token]]: (action, number[arg] if action == 0 else arg)
            for token, (action, arg) in sorted(states[old].items(), key=lambda item: names[item[0]])
        }
        for old in order
    }
    return {
        "tokens": {i: name for name, i in token_ids.items()},
        "states": renumbered,
        "start_states": {k: number[v] for k, v in table["start_states"].items()},
        "end_states": {k: number[v] for k, v in table["end_states"].items()},
    }


def generate() -> str:
    """The JSON text of the tables for the current grammar, the same on every run."""
    text = grammar_text()
    data, memo = Lark(text, **OPTIONS).memo_serialize([TerminalDef, Rule])
    table = data["parser"]["parser"]
    data["parser"]["parser"] = canonical_table(table)
    tables = {
        "generated_by": "python -m sladsl.language.grammar_tables",
        "grammar_sha256": grammar_sha256(text),
        "lark": lark.__version__,
        "data": _encode(data),
        "memo": _encode(memo),
    }
    return json.dumps(tables, sort_keys=True, separators=(",", ":"), ensure_ascii=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write `grammar/sla.lark.json` (or, with `--check`, say whether it is up to date)."""
    args = sys.argv[1:] if argv is None else argv
    path = grammar_file(TABLES)
    fresh = generate()
    if "--check" in args:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != fresh:
            print(f"{path} is out of date: run python -m sladsl.language.grammar_tables", file=sys.stderr)
            return 1
        return 0
    path.write_text(fresh, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
