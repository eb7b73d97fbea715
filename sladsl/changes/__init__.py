"""`sladsl diff`: what a new version of an agreement changes for the customer.

`diff_agreements(old, new)` compares two typed ASTs and lists every change in meaning
(`Change`: a stable code, a class for the customer, the lines on both sides and a sentence);
`replay` judges the same evidence under both versions through the credit ledger. See
docs/diff.md.
"""

from sladsl.changes.compare import diff_agreements
from sladsl.changes.model import ADVERSE, DEPENDS, FAVOURABLE, KINDS, NEUTRAL, SCHEMA_VERSION, SWAPPED, Change, Diff

__all__ = [
    "ADVERSE",
    "DEPENDS",
    "FAVOURABLE",
    "KINDS",
    "NEUTRAL",
    "SCHEMA_VERSION",
    "SWAPPED",
    "Change",
    "Diff",
    "diff_agreements",
]
