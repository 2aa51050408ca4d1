from __future__ import annotations

from enum import StrEnum

from backend.errors import ApplicationError


class ErrorCode(StrEnum):
    INVALID = "invalid"
    TRANSITION_NOT_ALLOWED = "payment_transition_not_allowed"
    ORDER_NOT_PAYABLE = "order_not_payable"
    RECEIPT_NUMBER_USED = "receipt_number_used"
    GATEWAY_UNAVAILABLE = "gateway_unavailable"


class PaymentsError(ApplicationError):
    pass
