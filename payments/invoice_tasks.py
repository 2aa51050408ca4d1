"""Actors of invoicing: ids in, idempotent, retried with backoff, sent after commit.

    order paid ──on commit──▶ invoice_issue(order_id): number the invoice, report it, seal its PDF
    storno     ──on commit──▶ invoice_document(invoice_id): report it, seal its PDF
    invoice_nav_report(invoice_id) ──▶ invoice_nav_poll(invoice_id, poll) … until DONE / ABORTED
    invoices_send_stalled() (the periodic payments reconcile): the same jobs again for work whose
        message was lost or whose retries ran out

Found by the worker through DRAMATIQ_AUTODISCOVER_MODULES ("invoice_tasks").
"""

from __future__ import annotations

import logging

import dramatiq

from payments.invoicing import services
from payments.models import Invoice, NavStatus

logger = logging.getLogger(__name__)

INVOICE_MAX_RETRIES = 10
#: how long to wait before the n-th status query of a reported invoice (NAV usually decides in seconds)
NAV_POLL_BACKOFF_MS = (2_000, 5_000, 15_000, 60_000, 300_000, 900_000)
NAV_MAX_POLLS = 40  # about nine hours of asking, then the staff list shows it still waiting


@dramatiq.actor(
    queue_name="invoices", max_retries=INVOICE_MAX_RETRIES, min_backoff=2_000, max_backoff=300_000, time_limit=180_000
)
def invoice_issue(order_id: int) -> None:
    """Issue the invoice of a paid order (once, however often this is delivered) and finish it."""
    invoice = services.invoice_issue_for_order(order_id=order_id)
    _finish(invoice.pk)


@dramatiq.actor(
    queue_name="invoices", max_retries=INVOICE_MAX_RETRIES, min_backoff=2_000, max_backoff=300_000, time_limit=180_000
)
def invoice_document(invoice_id: int) -> None:
    """Report and seal an invoice that exists already (a storno invoice, or a retry)."""
    _finish(invoice_id)


def _finish(invoice_id: int) -> None:
    from eservices.documents.signing import SigningError

    invoice = Invoice.objects.only("nav_status", "nav_attempts", "pdf").get(pk=invoice_id)
    if invoice.nav_status == NavStatus.PENDING and invoice.nav_attempts == 0:
        # the report does not wait for the PDF: an issued invoice is reported even if sealing fails
        invoice_nav_report.send(invoice_id)
    try:
        services.invoice_document_ensure(invoice_id=invoice_id)
    except SigningError as exc:  # configuration or key problem: retrying will not help, the staff page shows it
        logger.exception("invoice %s could not be sealed", invoice_id)
        services.invoice_document_failed(invoice_id=invoice_id, error=str(exc))
    # SigningUnavailable propagates: dramatiq retries with backoff


@dramatiq.actor(queue_name="invoices", max_retries=12, min_backoff=5_000, max_backoff=900_000)
def invoice_nav_report(invoice_id: int) -> None:
    """manageInvoice; `IntegrationUnavailable` propagates and is retried with backoff."""
    invoice = services.invoice_nav_report(invoice_id=invoice_id)
    if invoice is not None and invoice.nav_status == NavStatus.SENT:
        invoice_nav_poll.send_with_options(args=(invoice_id, 1), delay=NAV_POLL_BACKOFF_MS[0])


@dramatiq.actor(queue_name="invoices", max_retries=5, min_backoff=5_000, max_backoff=900_000)
def invoice_nav_poll(invoice_id: int, poll: int = 1) -> None:
    """queryTransactionStatus until NAV says DONE or ABORTED, waiting longer each time."""
    invoice = services.invoice_nav_check(invoice_id=invoice_id)
    if invoice.nav_status == NavStatus.SENT and poll < NAV_MAX_POLLS:
        delay = NAV_POLL_BACKOFF_MS[min(poll, len(NAV_POLL_BACKOFF_MS) - 1)]
        invoice_nav_poll.send_with_options(args=(invoice_id, poll + 1), delay=delay)


def invoices_send_stalled() -> int:
    """Send the jobs of stalled invoicing work again; returns how many were sent."""
    stalled = services.invoices_stalled()
    for order_id in stalled.orders_to_invoice:
        invoice_issue.send(order_id)
    for invoice_id in stalled.documents:
        invoice_document.send(invoice_id)
    for invoice_id in stalled.reports:
        invoice_nav_report.send(invoice_id)
    for invoice_id in stalled.checks:
        # one status query, no chain: the next reconcile asks again while NAV is still processing
        invoice_nav_poll.send_with_options(args=(invoice_id, NAV_MAX_POLLS), max_retries=0)
    if stalled:
        logger.info(
            "invoices reconcile: %d issues, %d documents, %d reports, %d status queries sent again",
            len(stalled.orders_to_invoice),
            len(stalled.documents),
            len(stalled.reports),
            len(stalled.checks),
        )
    return len(stalled)
