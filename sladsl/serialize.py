"""The typed AST as plain JSON values, for `sladsl parse --json` and other tools.

Every node becomes an object with a `node` key naming its class; decimals become
strings so that no precision is lost; spans become {line, column, end_line, end_column}.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import date
from decimal import Decimal
from typing import Any

from sladsl.ast import Span


def to_json(value: Any) -> Any:
    if isinstance(value, Span):
        return {"line": value.line, "column": value.column, "end_line": value.end_line, "end_column": value.end_column}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {"node": type(value).__name__}
        for f in dataclasses.fields(value):
            if not f.name.startswith("_"):  # private memos of derived views
                out[f.name] = to_json(getattr(value, f.name))
        return out
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value if not isinstance(value, enum.IntEnum) else value.name.lower()
    if isinstance(value, date):
        return value.isoformat()
    return value
