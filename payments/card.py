"""Paying a fee by bank card at the card gateway (modelled on OTP SimplePay v2).

1. `card_payment_start`: a Payment (with its idempotency key, the gateway's `orderRef`) is
   committed first, then the gateway opens a transaction; the resident's browser goes to its
   hosted page.
2. The browser comes back (`card_return`): the signed `r` only tells which payment it was; the
   status is never taken from it. A status query is sent instead.
3. The gateway's notification (IPN, `card_notification`) and the status query (`card_poll`,
   sent after the return, by the periodic `card_payments_reconcile`, retried while the payment
   is open) report the gateway's status, applied through `payment_transition`, whose status
   graph refuses what cannot happen (a late INPAYMENT after FINISHED) and flags late corrections
   (FINISHED after our TIMEOUT).
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.cardgateway.client import CardGatewayClient
from integrations.cardgateway.contract import TransactionState, back_decode
from integrations.http import IntegrationError
from payments.errors import ErrorCode, PaymentsError
from payments.models import Order, Payment, PaymentEvent, PaymentMethod, PaymentStatus
from payments.services import payment_create, payment_transition

logger = logging.getLogger(__name__)

S = PaymentStatus
OPEN = frozenset({S.CREATED, S.PENDING})

#: The gateway's transaction status → ours. REVERSED/REFUND is `reversed` only for money we
#: had (see `_our_status`).
GATEWAY_TO_STATUS: dict[str, str] = {
    "INIT": S.PENDING,
    "INPAYMENT": S.PENDING,
    "AUTHORIZED": S.PENDING,
    "INFRAUD": S.PENDING,
    "FINISHED": S.CAPTURED,
    "NOTAUTHORIZED": S.FAILED,
    "FRAUD": S.FAILED,
    "CANCELLED": S.CANCELLED,
    "TIMEOUT": S.EXPIRED,
    "REVERSED": S.REVERSED,
    "REFUND": S.REVERSED,
}

#: What the browser's return says, as a hint for the SPA's "checking your payment" page.
RETURN_HINTS = {"SUCCESS": "success", "FAIL": "failed", "CANCEL": "cancelled", "TIMEOUT": "timeout"}

#: A payment the gateway never heard of is given up this long after the hosted page's timeout.
UNKNOWN_AT_GATEWAY_GRACE = datetime.timedelta(minutes=10)
#: The periodic reconcile looks at open card payments at least this old...
RECONCILE_AFTER = datetime.timedelta(minutes=1)
#: ...and not older than this: one stuck longer needs a person (it shows in the staff area).
RECONCILE_WINDOW = datetime.timedelta(days=1)


@dataclass(frozen=True)
class GatewayReply:
    """Our answer to a gateway notification: status, raw body and its signature."""

    status: int
    body: bytes
    signature: str


def _client() -> CardGatewayClient:
    return CardGatewayClient.from_settings()


def _our_status(gateway_status: str, current: str) -> str | None:
    to_status = GATEWAY_TO_STATUS.get(gateway_status)
    if to_status == S.REVERSED and current != S.CAPTURED:
        # an authorisation released before it was ever captured: no money moved, the attempt
        # simply did not happen (a `reversed` payment means money that went back)
        return S.CANCELLED
    return to_status


def _payment_of_order_ref(order_ref: str) -> Payment | None:
    try:
        key = uuid.UUID(order_ref)
    except (ValueError, TypeError):
        return None
    return Payment.objects.select_related("order__case").filter(idempotency_key=key, method=PaymentMethod.CARD).first()


def card_return_url() -> str:
    return f"{settings.PUBLIC_URL}{reverse('payments-card-return')}"


# --- start ------------------------------------------------------------------------------------------
def card_payment_start(*, order: Order, user, language: str) -> str:
    """Open a card payment of what is still to pay on `order`; returns where to send the browser.

    Only the order's resident may pay it by card here. The payment is committed before the
    gateway is called, so its key is on record whatever happens next; when the gateway fails
    the payment ends as failed and GATEWAY_UNAVAILABLE (503) is raised, nothing else changed."""
    if order.resident.user_id != getattr(user, "pk", None):
        raise PermissionDenied
    with transaction.atomic():
        # one attempt at a time per order is created (the lock orders concurrent clicks)
        locked = Order.objects.select_for_update().get(pk=order.pk)
        payment = payment_create(order=locked, method=PaymentMethod.CARD)
    timeout_at = timezone.now() + datetime.timedelta(seconds=settings.CARD_PAYMENT_TIMEOUT_S)
    try:
        with _client() as client:
            answer = client.start(
                order_ref=str(payment.idempotency_key),
                total=payment.amount,
                customer_email=user.email,
                language="EN" if language.lower().startswith("en") else "HU",
                return_url=card_return_url(),
                timeout_at=timezone.localtime(timeout_at),
            )
    except IntegrationError as exc:
        logger.warning("card gateway start failed for payment %s: %s", payment.pk, exc)
        payment_transition(
            payment_id=payment.pk,
            to_status=S.FAILED,
            source=PaymentEvent.Source.PORTAL,
            note=_("The card payment service could not be reached."),
            data={"error": exc.error_code or type(exc).__name__, "request_id": exc.request_id},
        )
        raise PaymentsError(
            ErrorCode.GATEWAY_UNAVAILABLE,
            _(
                "Card payment is not available right now. Please try again in a few minutes, "
                "or pay by bank transfer with the details shown."
            ),
            http_status=503,
        ) from exc
    try:
        payment_transition(
            payment_id=payment.pk,
            to_status=S.PENDING,
            source=PaymentEvent.Source.PORTAL,
            gateway_status="INIT",
            gateway_transaction_id=answer.transaction_id,
            data={"payment_url": answer.payment_url, "timeout": answer.timeout},
        )
    except PaymentsError as exc:
        if exc.code != ErrorCode.TRANSITION_NOT_ALLOWED:
            raise
        # the gateway's notification overtook its own answer: it already said more than INIT
        logger.info("card payment %s already moved on before its start was recorded", payment.pk)
    return answer.payment_url


# --- the browser's return -------------------------------------------------------------------------------
def card_return(*, r: str, s: str) -> tuple[Payment, str]:
    """Which payment the browser comes back from, and what the gateway told the browser (a
    hint for the page, never a status). A status query is sent after commit."""
    from payments import tasks

    back = back_decode(settings.CARD_GATEWAY_SECRET, r or "", s or "")
    payment = None
    if back is not None and back.merchant == settings.CARD_GATEWAY_MERCHANT:
        payment = _payment_of_order_ref(back.order_ref)
    if back is None or payment is None:
        logger.warning("card return with a bad signature or an unknown payment")
        raise PaymentsError(ErrorCode.INVALID, _("This link from the payment page is not valid."))
    payment_id = payment.pk
    transaction.on_commit(lambda: tasks.card_payment_poll.send(payment_id))
    return payment, RETURN_HINTS.get(back.event, "unknown")


# --- notifications (IPN) ---------------------------------------------------------------------------------
def _reply(client: CardGatewayClient, status: int, data: dict[str, Any]) -> GatewayReply:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return GatewayReply(status=status, body=body, signature=client.sign(body))


def card_notification(*, raw_body: bytes, signature: str) -> GatewayReply:
    """Apply a gateway notification; returns the answer the protocol asks for.

    The signature is checked on the raw bytes, before anything is parsed. A notification that
    the status graph refuses (an earlier status after the final one) is still acknowledged, so
    the gateway stops resending it; a bad signature (400) or an unknown order ref (404) is not,
    and stores nothing."""
    client = _client()
    try:
        if not client.verify(raw_body, signature):
            logger.warning("card notification with a bad signature refused (%d bytes)", len(raw_body))
            return _reply(client, 400, {"error": "bad_signature"})
        try:
            data = json.loads(raw_body)
            notification = TransactionState.from_json(data)
        except (ValueError, KeyError, TypeError):
            logger.warning("card notification that is not a notification refused")
            return _reply(client, 400, {"error": "bad_request"})
        if notification.merchant != settings.CARD_GATEWAY_MERCHANT:
            logger.warning("card notification for merchant %r refused", notification.merchant)
            return _reply(client, 400, {"error": "merchant_unknown"})
        payment = _payment_of_order_ref(notification.order_ref)
        if payment is None:
            logger.warning(
                "card notification for unknown orderRef %r (transaction %s, %s) refused",
                notification.order_ref,
                notification.transaction_id,
                notification.status,
            )
            return _reply(client, 404, {"error": "unknown_order_ref"})
        if payment.gateway_transaction_id and payment.gateway_transaction_id != notification.transaction_id:
            logger.warning(
                "card notification for payment %s names transaction %s, we know %s: refused",
                payment.pk,
                notification.transaction_id,
                payment.gateway_transaction_id,
            )
            return _reply(client, 409, {"error": "transaction_mismatch"})
        _apply(payment, notification, source=PaymentEvent.Source.NOTIFICATION)
        return _reply(client, 200, {**data, "receiveDate": timezone.localtime().isoformat(timespec="seconds")})
    finally:
        client.close()


def _apply(payment: Payment, state: TransactionState, *, source: str) -> Payment:
    """Move the payment to what the gateway says, where the status graph allows it."""
    to_status = _our_status(state.status, payment.status)
    if to_status is None:
        logger.error("card payment %s: unknown gateway status %r left unapplied", payment.pk, state.status)
        return payment
    try:
        return payment_transition(
            payment_id=payment.pk,
            to_status=to_status,
            source=source,
            gateway_status=state.status,
            gateway_transaction_id=state.transaction_id,
            data={
                "gateway_status": state.status,
                "transaction_id": state.transaction_id,
                "finish_date": state.finish_date,
            },
        )
    except PaymentsError as exc:
        if exc.code != ErrorCode.TRANSITION_NOT_ALLOWED:
            raise
        # an earlier status arriving after a later one (or a correction the graph does not
        # allow): keep what we have; the log line lets finance find it
        logger.warning(
            "card payment %s: gateway status %s (%s) not applied, the payment is %s (%s)",
            payment.pk,
            state.status,
            source,
            Payment.objects.filter(pk=payment.pk).values_list("status", flat=True).first(),
            exc.message,
        )
        payment.refresh_from_db()
        return payment


# --- status queries ------------------------------------------------------------------------------------
def card_poll(*, payment_id: int) -> str | None:
    """Ask the gateway where an open card payment stands and apply it; returns the payment's
    status afterwards (None: no such card payment). Raises `IntegrationUnavailable` when the
    gateway cannot be asked now."""
    payment = Payment.objects.filter(pk=payment_id, method=PaymentMethod.CARD).first()
    if payment is None:
        return None
    if payment.status not in OPEN:
        return payment.status
    key = str(payment.idempotency_key)
    with _client() as client:
        if payment.gateway_transaction_id:
            found = client.query([payment.gateway_transaction_id], idempotency_key=key)
        else:  # the start's answer never arrived: ask by our own reference
            found = client.query(order_refs=[key], idempotency_key=key)
    state = next((t for t in found if t.order_ref == key), None)
    if state is None:
        overdue = payment.created_at + datetime.timedelta(seconds=settings.CARD_PAYMENT_TIMEOUT_S)
        if timezone.now() >= overdue + UNKNOWN_AT_GATEWAY_GRACE:
            payment = payment_transition(
                payment_id=payment.pk,
                to_status=S.EXPIRED,
                source=PaymentEvent.Source.POLLER,
                note=_("The card gateway does not know this payment."),
            )
        return payment.status
    return _apply(payment, state, source=PaymentEvent.Source.POLLER).status


def card_payments_stale(*, at: datetime.datetime | None = None) -> list[int]:
    """Open card payments old enough that a notification should have come (a lost IPN, a tab
    closed on the hosted page), oldest first."""
    at = at or timezone.now()
    return list(
        Payment.objects.filter(
            method=PaymentMethod.CARD,
            status__in=OPEN,
            created_at__lte=at - RECONCILE_AFTER,
            created_at__gt=at - RECONCILE_WINDOW,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
