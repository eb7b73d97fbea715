"""Engines: where the evidence is read and the work that grows with its rows is done.

Every engine gives evaluation the same typed tables (`sladsl.evaluation.evidence`): the
event tables (incidents, maintenance, tickets, customers, ...) as DuckDB tables of the
types DATA.md gives, and the stages that scan telemetry (`Evidence.sample_summary`,
`Evidence.insert_missing_buckets`) as small result tables. Everything after that — the
outages, maintenance, credits and the ledger — is the same code on either engine.

- `duckdb` (the default): embedded, in-process; the fastest on one machine.
- `spark`: Apache Spark through PySpark, locally or on a cluster (Spark Connect, with
  `SPARK_REMOTE`); the samples stay in Spark and are reduced there.
"""

from __future__ import annotations

from pathlib import Path

from sladsl.evaluation.evidence import Evidence
from sladsl.language.diagnostics import SladslError

ENGINES = ("duckdb", "spark")


def open_evidence(source: str | Path, zone: str, engine: str = "duckdb") -> Evidence:
    """The data source, read by the named engine."""
    if engine == "duckdb":
        return Evidence(source, zone)
    if engine == "spark":
        from sladsl.evaluation.engines.spark import SparkEvidence

        return SparkEvidence(source, zone)
    raise SladslError(f"--engine {engine}: choose one of {', '.join(ENGINES)}")
