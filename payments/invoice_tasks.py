"""Actors of invoicing: ids in, idempotent, retried with backoff, sent after commit.

    order paid ──on commit──▶ invoice_issue(order_id): number the invoice, report it, seal its PDF
    storno     ──on commit──▶ invoice_document(invoice_id): report it, seal its PDF
    invoice_nav_report(invoice_id) ──▶ invoice_nav_poll(invoice_id, poll) … until DONE / ABORTED

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
    except SigningError:  # configuration or key problem: retrying will not help, the staff list shows it
        logger.exception("invoice %s could not be sealed", invoice_id)
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
