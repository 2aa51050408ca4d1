"""Bank statement reconciliation: uploaded statements become lines, lines become paid orders.

Writes only; every function checks the clerk's permission itself (`payments.reconcile_payments`),
so the staff views, scripts and tests behave the same.

    statement_upload(uploaded_file=f, user=clerk)       # stores the file, sends the import job
    statement_import(statement_id=...)                  # the job: parse, store lines, match
    suggestion_confirm(line_id=..., index=0, user=clerk)
    line_match_manual(line_id=..., reference="RF93 HV00 0123 456", note="...", user=clerk)
    line_ignore(line_id=..., note="...", user=clerk)
    allocation_undo(allocation_id=..., note="...", user=clerk)

How a line moves (`StatementLine.match_state`):

    unmatched/review --auto or clerk--> auto/manual --undo (all or part)--> review/unmatched
    unmatched/review --clerk: not a payment--> ignored

Each booking (one line, one or more orders) is one transaction: the line is locked, a TRANSFER
payment per order is created and captured (`payment_transition`, which recomputes the order
and resumes its case after commit), an `Allocation` ties line, order and payment together, and
the audit log records it. A second submit of the same action finds the work done and raises
`AlreadyDone`, which the views show as a notice, not an error.
"""

from .booking import (
    AlreadyDone,
    allocation_undo,
    line_ignore,
    line_match_manual,
    open_orders_load,
    statement_match,
    suggestion_confirm,
)
from .importing import line_fingerprints, statement_import, statement_upload

__all__ = [
    "AlreadyDone",
    "allocation_undo",
    "line_fingerprints",
    "line_ignore",
    "line_match_manual",
    "open_orders_load",
    "statement_import",
    "statement_match",
    "statement_upload",
    "suggestion_confirm",
]
