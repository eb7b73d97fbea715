"""Evaluation: an agreement against evidence, for one period or a ledger of customers.

The stage's modules, in the order evidence flows through them:

- `evidence` reads and validates the tables (DuckDB: folders of CSV, Parquet or JSON
  lines, or a DuckDB file), under the timestamp rule of `instants`; `engines` chooses
  DuckDB or Spark (`engines.spark`) to read them and reduce the samples;
  `prometheus_source` fetches them from a Prometheus server;
- `sql` holds every query; `availability`, `support` and `credits` judge the clauses;
- `evaluate` judges one agreement for one period (one customer), `ledger` many customers
  over a range of periods;
- `report`, `report_text`, `report_html` are the report as JSON, text and HTML.

After the evidence stage every query is DuckDB SQL, run in-process, on either engine.
"""

from sladsl.evaluation.evaluate import evaluate
from sladsl.evaluation.ledger import evaluate_ledger

__all__ = ["evaluate", "evaluate_ledger"]
