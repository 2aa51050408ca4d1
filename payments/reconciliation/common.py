"""What the reconciliation services share: the permission check, error codes, the log titles."""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from payments.errors import PaymentsError
from payments.models import StatementLine

PERMISSION = "payments.reconcile_payments"
ORDER_CURRENCY = "HUF"  # fees are set in forints; a line in another currency pays no order
OPEN_STATES = (StatementLine.MatchState.REVIEW, StatementLine.MatchState.UNMATCHED)


class Code(StrEnum):
    """Codes of `PaymentsError` raised here (the app's codes are in `payments.errors`)."""

    ALREADY_DONE = "reconciliation_already_done"
    LINE_NOT_OPEN = "statement_line_not_open"
    NOT_A_CREDIT = "statement_line_not_a_credit"
    CURRENCY = "statement_line_currency"
    ORDER_UNKNOWN = "order_unknown"
    AMOUNTS_CHANGED = "order_amounts_changed"
    LINE_HAS_ALLOCATIONS = "statement_line_has_allocations"
    FILE_INVALID = "statement_file_invalid"


class AlreadyDone(PaymentsError):
    """The action was already carried out (a double submit, or another clerk was quicker)."""


def require_reconciler(user) -> None:
    """Refuse anyone without the permission; services check it themselves, not just the views."""
    if user is None or not user.is_authenticated or not user.has_perm(PERMISSION):
        raise PermissionDenied


def line_title(line: StatementLine) -> str:
    """How a line is named in the audit log (its string form would be "StatementLine object")."""
    payer = line.counterparty_name or line.counterparty_iban or "—"
    return f"{line.booking_date.isoformat()} {line.amount} {line.currency} {payer}"[:255]
