"""What one evaluation knows: the agreement, the evidence, the period and the cut-off.

Shared by the measuring modules (`sladsl.evaluation.availability`, `sladsl.evaluation.support`) so that they
ask DuckDB with the same parameters and report times in the agreement's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sladsl.evaluation.evidence import Evidence
from sladsl.language import ast
from sladsl.language.periods import Window, epoch_us

US = 1_000_000
EXPLAIN_LIMIT = 50  # pieces of evidence listed per objective and kind; the rest are counted


def seconds(us: int | Decimal) -> Decimal:
    return Decimal(us) / US


@dataclass
class Context:
    agreement: ast.Agreement
    evidence: Evidence
    window: Window
    as_of: date | None
    # every support plan the unprojected agreement defines (draft 2 plans): with `--plan`,
    # `agreement` keeps only that plan's support plans, but tickets of the others are known names
    declared_support_plans: tuple[str, ...] = ()
    # evidence lists and daily charts: a report shows them, a ledger of thousands of
    # customers does not, and skipping them saves most of its queries
    explain: bool = True
    # the period had not ended at the cut-off: `window` is its elapsed part, and nothing
    # that falls due at the period's end (a report, a claim) can be judged yet
    provisional: bool = False
    # the whole (subscribed) period when `window` is its elapsed part: time-based
    # availability is measured against it, so that downtime so far is weighed against the
    # whole period's length and budget, and a breach shown while the period runs is certain
    whole: Window | None = None

    @property
    def whole_period(self) -> Window:
        return self.whole or self.window

    @property
    def cutoff_us(self) -> int:
        """The moment evidence is judged at: the end of the period, or the end of --as-of."""
        if self.as_of is None:
            return self.window.end_us
        end_of_day = self.as_of + timedelta(days=1)
        local = datetime(end_of_day.year, end_of_day.month, end_of_day.day, tzinfo=self.window.start.tzinfo)
        return max(self.window.end_us, epoch_us(local))

    def listing(self, query: str, **params: Any) -> list[tuple[Any, ...]]:
        """Rows for an explanation; none when the caller asked for verdicts only."""
        return self.run(query, **params) if self.explain else []

    def run(self, query: str, **params: Any) -> list[tuple[Any, ...]]:
        return self.evidence.run(query, params)

    def moment(self, us: int) -> datetime:
        """An instant in the agreement's zone; one past what dates can hold (an incident
        that "ends" on 9999-12-31 in UTC is in year 10000 further east) stays in UTC."""
        seconds, micro = divmod(us, US)
        try:
            return datetime.fromtimestamp(seconds, self.window.start.tzinfo).replace(microsecond=micro)
        except (OverflowError, ValueError, OSError):
            return datetime.fromtimestamp(seconds, UTC).replace(microsecond=micro)
