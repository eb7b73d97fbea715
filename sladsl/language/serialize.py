"""The typed AST and the checker's diagnostics as plain JSON values, for `sladsl parse --json`,
`sladsl check --format json` and other tools.

Every node becomes an object with a `node` key naming its class; decimals become
strings so that no precision is lost; spans become {line, column, end_line, end_column}.
The agreement (the root) and each file of `check`'s output carry a `schema_version`, so
that a tool can refuse a layout it was not written for; the layouts are published as
JSON Schemas in `sladsl/schemas/` (docs/report.md).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sladsl.language.ast import Agreement, Span
from sladsl.language.diagnostics import Diagnostic

# Raised when a key of the AST JSON changes meaning or goes away (sladsl/schemas/ast.schema.json).
AST_SCHEMA_VERSION = 1
# Raised when a key of `check --format json` changes meaning or goes away (check.schema.json).
CHECK_SCHEMA_VERSION = 1


def to_json(value: Any) -> Any:
    """Any AST value as JSON-ready values; an `Agreement` also gets `schema_version`."""
    if isinstance(value, Agreement):
        return {"schema_version": AST_SCHEMA_VERSION, **_node(value)}
    if isinstance(value, Span):
        return {"line": value.line, "column": value.column, "end_line": value.end_line, "end_column": value.end_column}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _node(value)
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value if not isinstance(value, enum.IntEnum) else value.name.lower()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _node(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"node": type(value).__name__}
    for f in dataclasses.fields(value):
        if not f.name.startswith("_"):  # private memos of derived views
            out[f.name] = to_json(getattr(value, f.name))
    return out


def check_entry(name: str, diagnostics: Sequence[Diagnostic]) -> dict[str, Any]:
    """One file of `sladsl check --format json`: its name and every diagnostic, in order.

    The output stays a list with one entry per file (what editors and CI annotations already
    read), so the version is carried by each entry rather than by a wrapper object.
    """
    return {
        "schema_version": CHECK_SCHEMA_VERSION,
        "file": name,
        "diagnostics": [d.to_json() for d in diagnostics],
    }


def check_json(files: Iterable[tuple[str, Sequence[Diagnostic]]]) -> list[dict[str, Any]]:
    """The whole of `sladsl check --format json`: one `check_entry` per (name, diagnostics)."""
    return [check_entry(name, diagnostics) for name, diagnostics in files]
