"""What `--data` names: one source (a folder of tables, a DuckDB file, a Prometheus URL), or
a Prometheus URL and, beside it, the folder of the tables Prometheus cannot give (incidents,
maintenance, tickets, ...). Kept free of heavy imports: the command reads it at start-up.
"""

from __future__ import annotations

import os

from sladsl.language.diagnostics import SladslError

# one source, or a Prometheus URL and the folder of the other tables
DataLike = str | os.PathLike[str] | tuple[str | os.PathLike[str], ...] | list[str | os.PathLike[str]]


def refuse_empty(source: str | os.PathLike[str]) -> None:
    """`--data ''`: Path("") is the working folder, which no one means; every reader asks this."""
    if not os.fspath(source).strip():
        raise SladslError("--data '': empty; name a folder of tables, a DuckDB file or prometheus+http://HOST:9090")


def given(data: DataLike) -> list[str]:
    """Every `--data` as text, in the order given."""
    return [os.fspath(d) for d in data] if isinstance(data, tuple | list) else [os.fspath(data)]


def data_sources(data: DataLike, engine: str, engines: tuple[str, ...]) -> tuple[str, str | None]:
    """(the source, the folder beside a Prometheus source or None); one line for any other mix."""
    named = given(data)
    if engine not in engines:
        raise SladslError(f"--engine {engine!r}: choose {' or '.join(engines)}")
    for source in named:
        refuse_empty(source)
    servers = [d for d in named if d.startswith("prometheus+")]
    if not named or len(named) > 2 or (len(named) == 2 and len(servers) != 1):
        shown = " ".join(f"--data {d}" for d in named) or "--data"
        raise SladslError(
            f"{shown}: give one data source, or a Prometheus URL and the folder of the tables it does not give"
        )
    if engine == "spark" and servers:
        raise SladslError("--engine spark reads a folder of tables; a Prometheus source is read by DuckDB")
    if len(named) == 1:
        return named[0], None
    return servers[0], next(d for d in named if d not in servers)
