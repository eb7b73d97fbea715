"""Evidence straight from Prometheus (`--data prometheus+http://HOST:9090`).

Work in progress: `open_data` passes file and DuckDB sources through unchanged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sladsl import ast
from sladsl.diagnostics import SladslError

SCHEMES = ("prometheus+http://", "prometheus+https://")


@contextlib.contextmanager
def open_data(data: str, agreement: ast.Agreement, label: str) -> Iterator[str | Path]:
    """The evidence source evaluation reads: the path as given, or, for a Prometheus URL,
    a temporary folder of tables fetched for the period `label`."""
    if not data.startswith(SCHEMES):
        yield data
        return
    raise SladslError(f"{data}: Prometheus sources are not supported yet")
