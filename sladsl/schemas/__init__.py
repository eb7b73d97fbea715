"""The JSON Schemas (draft 2020-12) of everything sladsl prints as JSON, shipped in the package.

| name | describes |
|---|---|
| `report` | `sladsl evaluate --format json` (one period; also `--customer`) |
| `ledger` | `sladsl evaluate --format json` on a portfolio or a range: a list of ledger records |
| `check` | `sladsl check --format json` |
| `ast` | `sladsl parse --json` |
| `diff` | `sladsl diff --format json` |

`path("report")` is the file, `load("report")` its parsed content; docs/report.md explains
every key. Each output but the ledger carries `schema_version`, which its schema pins.
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

NAMES = ("report", "ledger", "check", "ast", "diff")


def path(name: str) -> Traversable:
    """The schema file `NAME.schema.json` inside the installed package."""
    if name not in NAMES:
        raise ValueError(f"no schema named {name!r}: the schemas are {', '.join(NAMES)}")
    return resources.files(__name__).joinpath(f"{name}.schema.json")


def load(name: str) -> dict[str, Any]:
    """The schema as a dict, ready for a JSON Schema validator (`Draft202012Validator`)."""
    data: dict[str, Any] = json.loads(path(name).read_text(encoding="utf-8"))
    return data
