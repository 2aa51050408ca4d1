"""Actors of the payments app: ids in, idempotent, retried with backoff."""

from __future__ import annotations

import logging

import dramatiq

from payments import card

logger = logging.getLogger(__name__)

# Backoff from 5 s doubling to 5 min: 20 tries span well over the hosted page's default
# 10 minutes, so a resident who pays at the last moment is still seen by this chain.
CARD_POLL_MAX_RETRIES = 20


@dramatiq.actor(
    queue_name="payments", max_retries=CARD_POLL_MAX_RETRIES, min_backoff=5_000, max_backoff=300_000, time_limit=60_000
)
def card_payment_poll(payment_id: int, follow: bool = True) -> None:
    """Ask the card gateway where a payment stands and apply it (safe to run any number of
    times: an unchanged status changes nothing). With `follow`, it asks again with backoff
    while the payment is open; the periodic reconcile sends one-off polls (`follow=False`)."""
    from integrations.http import IntegrationRejected

    try:
        status = card.card_poll(payment_id=payment_id)
    except IntegrationRejected:
        # a refusal or a bad signature will not heal by asking again: the log and Exchange tell why
        logger.exception("card payment %s: the gateway refused the status query", payment_id)
        return
    if follow and status in card.OPEN:
        raise dramatiq.Retry(f"card payment {payment_id} is still {status}")


@dramatiq.actor(queue_name="payments", max_retries=0, time_limit=60_000)
def card_payments_reconcile() -> None:
    """Periodic (the scheduler, every minute): a status query for every card payment still open
    a minute after it was made, the net under a lost notification or a closed tab."""
    card_payments_send_polls()


@dramatiq.actor(queue_name="payments", max_retries=0, time_limit=60_000)
def payments_reconcile_stalled() -> None:
    """Periodic (the scheduler, every five minutes): invoicing work and statement imports whose
    message was lost or whose retries ran out are sent again."""
    from payments.invoice_tasks import invoices_send_stalled

    invoices_send_stalled()
    statements_send_stalled()


def statements_send_stalled() -> int:
    from payments.reconciliation.importing import statements_stalled
    from payments.statement_tasks import bank_statement_import

    stalled = statements_stalled()
    for statement_id in stalled:
        bank_statement_import.send(statement_id)
    if stalled:
        logger.info("statements reconcile: %d imports sent again", len(stalled))
    return len(stalled)


def card_payments_send_polls() -> int:
    """Send the status queries of `card_payments_reconcile`; returns how many were sent."""
    stale = card.card_payments_stale()
    for payment_id in stale:
        # one-off and not retried: the next run asks again, so chains never pile up
        card_payment_poll.send_with_options(args=(payment_id,), kwargs={"follow": False}, max_retries=0)
    if stale:
        logger.info("card payments reconcile: %d status queries sent", len(stale))
    return len(stale)


from payments import statement_tasks  # noqa: E402, F401 - registers the bank statement import actor
