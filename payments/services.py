"""Writes of the payments app: orders for cases, payment status changes, cash payments.

Every status change goes through `payment_transition`, which allows only the moves of
`TRANSITIONS`, records a `PaymentEvent`, recomputes the order from its captured payments
and, once the order is paid, lets the case go on (after commit).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from payments.errors import ErrorCode, PaymentsError
from payments.models import Order, OrderStatus, Payment, PaymentEvent, PaymentMethod, PaymentStatus
from payments.references import reference_create

S = PaymentStatus
FINAL = {S.FAILED, S.CANCELLED, S.EXPIRED}

# The only moves a payment may make. A final failure may still turn into a capture: gateways
# and banks correct themselves (a notification that arrives after the timeout, a transfer
# booked after all); such a late correction is allowed but flagged for finance.
TRANSITIONS: dict[str, set[str]] = {
    S.CREATED: {S.PENDING, S.CAPTURED, S.FAILED, S.CANCELLED, S.EXPIRED},
    S.PENDING: {S.CAPTURED, S.FAILED, S.CANCELLED, S.EXPIRED},
    S.FAILED: {S.CAPTURED},
    S.CANCELLED: {S.CAPTURED},
    S.EXPIRED: {S.CAPTURED},
    S.CAPTURED: {S.REVERSED},
    S.REVERSED: set(),
}


def transition_allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, set())


def order_for_case_ensure(*, case) -> Order:
    """The live order of a case, created with the service's fee if there is none yet (idempotent)."""
    existing = Order.objects.filter(case=case).exclude(status=OrderStatus.CANCELLED).first()
    if existing is not None:
        return existing
    fee = case.service_type.fee_huf
    if fee <= 0:
        raise PaymentsError(ErrorCode.ORDER_NOT_PAYABLE, _("This service has no fee."))
    try:
        with transaction.atomic():
            order = Order.objects.create(
                case=case,
                resident=case.applicant,
                description=_order_description(case),
                amount=fee,
                due_date=timezone.localdate() + datetime.timedelta(days=settings.PAYMENT_DUE_DAYS),
            )
            order.reference = reference_create(order.pk, prefix=settings.PAYMENT_REFERENCE_PREFIX)
            order.save(update_fields=["reference", "updated_at"])
    except IntegrityError:  # another worker created it a moment ago (one live order per case)
        return Order.objects.filter(case=case).exclude(status=OrderStatus.CANCELLED).get()
    return order


def _order_description(case) -> str:
    # stored in Hungarian: it is printed on the invoice and in the bank's records
    return f"{case.service_type.name_hu} – {case.reference}"[:200]


def payment_create(*, order: Order, method: str, amount: int | None = None) -> Payment:
    """A new payment attempt for an order (card: before the gateway is called, with its key)."""
    if order.status in (OrderStatus.PAID, OrderStatus.CANCELLED):
        raise PaymentsError(ErrorCode.ORDER_NOT_PAYABLE, _("This order is not waiting for payment."))
    amount = order.balance if amount is None else amount
    if amount <= 0:
        raise PaymentsError(
            ErrorCode.INVALID, _("The amount must be positive."), fields={"amount": [_("The amount must be positive.")]}
        )
    payment = Payment.objects.create(
        order=order,
        method=method,
        amount=amount,
        idempotency_key=uuid.uuid4() if method == PaymentMethod.CARD else None,
    )
    PaymentEvent.objects.create(payment=payment, to_status=S.CREATED, source=PaymentEvent.Source.PORTAL)
    return payment


def payment_transition(
    *,
    payment_id: int,
    to_status: str,
    source: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    user=None,
    gateway_status: str = "",
    gateway_transaction_id: str = "",
) -> Payment:
    """Move a payment to `to_status`. The same status again is a no-op (a repeated
    notification); a move outside `TRANSITIONS` raises TRANSITION_NOT_ALLOWED and changes nothing."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("order").get(pk=payment_id)
        if payment.status == to_status:
            return payment
        if not transition_allowed(payment.status, to_status):
            raise PaymentsError(
                ErrorCode.TRANSITION_NOT_ALLOWED,
                _("A payment cannot go from “%(from)s” to “%(to)s”.")
                % {"from": payment.get_status_display(), "to": S(to_status).label},
            )
        late = payment.status in FINAL and to_status == S.CAPTURED
        PaymentEvent.objects.create(
            payment=payment,
            from_status=payment.status,
            to_status=to_status,
            source=source,
            late_correction=late,
            note=note,
            data=data or {},
            user=user,
        )
        payment.status = to_status
        if gateway_status:
            payment.gateway_status = gateway_status
        if gateway_transaction_id:
            payment.gateway_transaction_id = gateway_transaction_id
        if to_status == S.CAPTURED:
            payment.captured_at = timezone.now()
        payment.save()
        if late:
            log(
                instance=payment.order,
                action="payments.late_correction",
                user=user,
                data={"payment": payment.pk, "to": to_status, "source": source, "note": note},
            )
        if to_status in (S.CAPTURED, S.REVERSED):
            order_recompute(order_id=payment.order_id)
    return payment


def order_recompute(*, order_id: int) -> Order:
    """Set the order's paid amount and status from its captured payments; resume the case when
    it has just become paid. Runs inside the caller's transaction."""
    order = Order.objects.select_for_update().get(pk=order_id)
    paid = order.payments.filter(status=S.CAPTURED).aggregate(total=Sum("amount"))["total"] or 0
    was_paid = order.status == OrderStatus.PAID
    order.amount_paid = paid
    if order.status != OrderStatus.CANCELLED:
        if paid >= order.amount:
            order.status = OrderStatus.PAID
            order.paid_at = order.paid_at or timezone.now()
        elif paid > 0:
            order.status = OrderStatus.PARTIALLY_PAID
        else:
            order.status = OrderStatus.OPEN
    order.save(update_fields=["amount_paid", "status", "paid_at", "updated_at"])
    if order.status == OrderStatus.PAID and not was_paid:
        from eservices.cases.services import case_payment_received
        from payments import invoice_tasks

        case_payment_received(case_id=order.case_id)
        transaction.on_commit(lambda: invoice_tasks.invoice_issue.send(order.pk))
        _paid_on_timeline(order)
    return order


def _paid_on_timeline(order: Order) -> None:
    from crm.timeline import timeline_record_safely

    timeline_record_safely(
        user=order.resident.user,
        kind="payment.captured",
        title=f"{order.description} · {order.amount} Ft",
        key=f"order:{order.pk}:paid",
        at=order.paid_at,
        data={"order": order.pk, "reference": order.reference, "amount": order.amount},
        url=f"/admin/orders/order/{order.pk}/",
    )


def payment_record_cash(*, order: Order, amount: int, receipt_number: str, clerk) -> Payment:
    """A finance clerk took cash at the desk and handed over a numbered receipt."""
    receipt_number = " ".join(receipt_number.split())
    if not receipt_number:
        message = _("Enter the number of the receipt handed over.")
        raise PaymentsError(ErrorCode.INVALID, message, fields={"receipt_number": [message]})
    if amount <= 0:
        message = _("The amount must be positive.")
        raise PaymentsError(ErrorCode.INVALID, message, fields={"amount": [message]})
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status in (OrderStatus.PAID, OrderStatus.CANCELLED):
            raise PaymentsError(ErrorCode.ORDER_NOT_PAYABLE, _("This order is not waiting for payment."))
        if Payment.objects.filter(receipt_number=receipt_number).exists():
            message = _("A payment with this receipt number is already recorded.")
            raise PaymentsError(ErrorCode.RECEIPT_NUMBER_USED, message, fields={"receipt_number": [message]})
        payment = Payment.objects.create(
            order=order, method=PaymentMethod.CASH, amount=amount, receipt_number=receipt_number, recorded_by=clerk
        )
        PaymentEvent.objects.create(payment=payment, to_status=S.CREATED, source=PaymentEvent.Source.CLERK, user=clerk)
        payment_transition(payment_id=payment.pk, to_status=S.CAPTURED, source=PaymentEvent.Source.CLERK, user=clerk)
        log(
            instance=order,
            action="payments.cash_recorded",
            user=clerk,
            data={"payment": payment.pk, "amount": amount, "receipt_number": receipt_number},
        )
    payment.refresh_from_db()
    return payment
