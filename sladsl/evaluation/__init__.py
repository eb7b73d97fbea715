"""Evaluation: an agreement against evidence, for one period or a ledger of customers.

The stage's modules, in the order evidence flows through them:

- `evidence` reads and validates the tables (DuckDB: folders of CSV, Parquet or JSON
  lines, or a DuckDB file); `prometheus_source` fetches them from a Prometheus server;
- `sql` holds every query; `availability`, `support` and `credits` judge the clauses;
- `evaluate` judges one agreement for one period (one customer), `ledger` many customers
  over a range of periods;
- `report`, `report_text`, `report_html` are the report as JSON, text and HTML.

DuckDB is the one engine: every query is DuckDB SQL, run in-process.
"""

from sladsl.evaluation.evaluate import evaluate
from sladsl.evaluation.ledger import evaluate_ledger

__all__ = ["evaluate", "evaluate_ledger"]
