"""Writes of invoicing: numbering, issuing an invoice for a paid order, its signed document,
storno invoices, and the data report to NAV Online Számla.

Every write is idempotent where a job may repeat it: one normal invoice per order (checked under
the order's row lock, backed by a unique constraint), the document stored once (`pdf IS NULL`),
a report sent once (under the invoice's row lock, skipped while another worker holds it).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from payments.errors import PaymentsError
from payments.invoicing.cii import split_address
from payments.invoicing.vat import vat_treatment, vat_treatment_for_service
from payments.models import (
    Invoice,
    InvoiceKind,
    InvoiceSequence,
    NavStatus,
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
)

logger = logging.getLogger(__name__)

NAV_PAYMENT_METHODS = {PaymentMethod.CARD: "CARD", PaymentMethod.CASH: "CASH", PaymentMethod.TRANSFER: "TRANSFER"}
NAV_FINAL = {"DONE": NavStatus.DONE, "ABORTED": NavStatus.ABORTED}


class InvoiceErrorCode(StrEnum):
    ORDER_NOT_PAID = "order_not_paid"
    NOT_CANCELLABLE = "invoice_not_cancellable"
    ALREADY_CANCELLED = "invoice_already_cancelled"
    PERMISSION_DENIED = "permission_denied"
    INVALID = "invalid"
    NOTHING_TO_RETRY = "invoice_nothing_to_retry"


class InvoiceError(PaymentsError):
    pass


# --- numbering -----------------------------------------------------------------------------------
def invoice_number_format(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def invoice_number_take(*, year: int, prefix: str) -> str:
    """The next number of the year (`sorszám`). Call it in the transaction that creates the invoice:
    the sequence row stays locked until that commits, so a rolled-back invoice gives its number
    back and two invoices never get the same one."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invoice numbers are taken inside the transaction that creates the invoice")
    # the year's row, created by whoever comes first (a concurrent insert waits, then does nothing)
    InvoiceSequence.objects.bulk_create([InvoiceSequence(year=year, prefix=prefix)], ignore_conflicts=True)
    sequence = InvoiceSequence.objects.select_for_update().get(year=year, prefix=prefix)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return invoice_number_format(prefix, year, sequence.last_number)


# --- issuing -------------------------------------------------------------------------------------
def _seller() -> dict[str, str]:
    return {
        "seller_name": settings.INVOICE_SELLER_NAME,
        "seller_address": settings.INVOICE_SELLER_ADDRESS,
        "seller_tax_number": settings.INVOICE_SELLER_TAX_NUMBER,
        "seller_bank_account": settings.INVOICE_SELLER_BANK_ACCOUNT,
    }


def address_line(address: dict | None) -> str:
    """A resident's address as one line: `1122 Budapest, Városmajor utca 12. 2. em. 5. ajtó`."""
    if not address:
        return ""
    street = " ".join(
        part for part in (address.get("street_name"), address.get("street_type"), address.get("house_number")) if part
    )
    if street and address.get("house_number") and not street.endswith("."):
        street += "."
    extra = " ".join(
        part
        for part in (
            f"{address['building']}. ép." if address.get("building") else "",
            f"{address['floor']}. em." if address.get("floor") else "",
            f"{address['door']}. ajtó" if address.get("door") else "",
        )
        if part
    )
    place = f"{address.get('postcode', '')} {address.get('settlement', '')}".strip()
    return ", ".join(part for part in (place, " ".join(p for p in (street, extra) if p)) if part)


def invoice_issue_for_order(*, order_id: int) -> Invoice:
    """The invoice of a paid order, issued now if it has none (idempotent)."""
    existing = Invoice.objects.filter(order_id=order_id, kind=InvoiceKind.NORMAL).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("case__service_type", "resident__user")
            .get(pk=order_id)
        )
        existing = Invoice.objects.filter(order=order, kind=InvoiceKind.NORMAL).first()
        if existing is not None:  # another delivery of the job issued it while we waited for the lock
            return existing
        if order.status != OrderStatus.PAID:
            raise InvoiceError(InvoiceErrorCode.ORDER_NOT_PAID, _("Only a paid order gets an invoice."))
        last_payment = order.payments.filter(status=PaymentStatus.CAPTURED).order_by("captured_at", "pk").last()
        paid_at = order.paid_at or (last_payment.captured_at if last_payment else None) or timezone.now()
        payment_date = timezone.localdate(paid_at)
        issue_date = timezone.localdate()
        treatment = vat_treatment_for_service(order.case.service_type.code)
        amount = order.amount
        items = [
            {
                "description": order.description,
                "quantity": 1,
                "unit": "db",
                "unit_price": amount,
                "net": amount,
                "vat_treatment": treatment.code,
                "vat": 0,
                "gross": amount,
            }
        ]
        resident = order.resident
        invoice = Invoice.objects.create(
            order=order,
            number=invoice_number_take(year=issue_date.year, prefix=settings.INVOICE_NUMBER_PREFIX),
            kind=InvoiceKind.NORMAL,
            **_seller(),
            buyer_name=resident.full_name or resident.user.email,
            buyer_address=address_line(resident.permanent_address or resident.mailing_address),
            buyer_private_person=True,  # residents pay their own fees as private persons
            issue_date=issue_date,
            fulfilment_date=payment_date,
            payment_date=payment_date,
            payment_method=last_payment.method if last_payment else PaymentMethod.TRANSFER,
            payment_reference=order.reference or "",
            items=items,
            net_total=sum(i["net"] for i in items),
            vat_total=sum(i["vat"] for i in items),
            gross_total=sum(i["gross"] for i in items),
        )
        log(instance=order, action="payments.invoice_issued", data={"invoice": invoice.number})
    return invoice


def invoice_document_ensure(*, invoice_id: int) -> Invoice:
    """Render, attach the XML and seal the invoice's PDF, once. Raises `SigningUnavailable` when
    the timestamp authority is down (the job retries)."""
    from payments.invoicing.document import invoice_document_build

    invoice = Invoice.objects.select_related("order__case", "cancels").get(pk=invoice_id)
    if invoice.pdf is not None:
        return invoice
    document = invoice_document_build(invoice)
    logger.info("invoice %s document built: %s", invoice.number, document.timings_ms)
    # `pdf IS NULL`: a concurrent delivery that got here first keeps its document
    Invoice.objects.filter(pk=invoice.pk, pdf__isnull=True).update(
        pdf=document.pdf,
        xml=document.xml,
        pdf_sha256=document.signed.sha256,
        signed_at=document.signed.signed_at,
        signature_level=document.signed.level,
        document_error="",
        updated_at=timezone.now(),
    )
    invoice.refresh_from_db()
    return invoice


# --- storno ----------------------------------------------------------------------------------------
def invoice_can_cancel(user) -> bool:
    return bool(user and user.has_perm("payments.view_order") and user.has_perm("payments.cancel_invoice"))


def invoice_cancel(*, invoice: Invoice, reason: str, user) -> Invoice:
    """Cancel an invoice with a storno invoice (`sztornó számla`): its own number, the original's
    snapshot with negated amounts, a reference to the original. The original stays as it was."""
    if not invoice_can_cancel(user):
        raise InvoiceError(InvoiceErrorCode.PERMISSION_DENIED, _("You may not cancel invoices."), http_status=403)
    reason = " ".join((reason or "").split())
    if not reason:
        message = _("Give the reason of the cancellation.")
        raise InvoiceError(InvoiceErrorCode.INVALID, message, fields={"reason": [message]})
    with transaction.atomic():
        original = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if original.kind != InvoiceKind.NORMAL:
            raise InvoiceError(InvoiceErrorCode.NOT_CANCELLABLE, _("A storno invoice cannot be cancelled."))
        if Invoice.objects.filter(cancels=original).exists():
            raise InvoiceError(InvoiceErrorCode.ALREADY_CANCELLED, _("This invoice has already been cancelled."))
        issue_date = timezone.localdate()
        items = [
            {
                **item,
                "quantity": -item["quantity"],
                "net": -item["net"],
                "vat": -item["vat"],
                "gross": -item["gross"],
            }
            for item in original.items
        ]
        storno = Invoice.objects.create(
            order_id=original.order_id,
            number=invoice_number_take(year=issue_date.year, prefix=settings.INVOICE_NUMBER_PREFIX),
            kind=InvoiceKind.STORNO,
            cancels=original,
            cancel_reason=reason[:1000],
            seller_name=original.seller_name,
            seller_address=original.seller_address,
            seller_tax_number=original.seller_tax_number,
            seller_bank_account=original.seller_bank_account,
            buyer_name=original.buyer_name,
            buyer_address=original.buyer_address,
            buyer_private_person=original.buyer_private_person,
            issue_date=issue_date,
            fulfilment_date=original.fulfilment_date,
            payment_date=original.payment_date,
            payment_method=original.payment_method,
            payment_reference=original.payment_reference,
            currency=original.currency,
            items=items,
            net_total=-original.net_total,
            vat_total=-original.vat_total,
            gross_total=-original.gross_total,
            created_by=user,
        )
        log(
            instance=original.order,
            action="payments.invoice_cancelled",
            user=user,
            data={"invoice": original.number, "storno": storno.number, "reason": reason},
        )
        from payments import invoice_tasks

        transaction.on_commit(lambda: invoice_tasks.invoice_document.send(storno.pk))
    return storno


# --- NAV Online Számla ---------------------------------------------------------------------------
def nav_invoice(invoice: Invoice):
    """The invoice as the NAV report describes it (a private person without name and address)."""
    from integrations.nav.invoice_data import NavAddress, NavInvoice, NavLine

    def nav_address(line: str) -> NavAddress:
        postcode, city, street = split_address(line)
        return NavAddress(postal_code=postcode, city=city or street, detail=street)

    lines = []
    for item in invoice.items:
        treatment = vat_treatment(item["vat_treatment"])
        lines.append(
            NavLine(
                description=item["description"],
                quantity=item["quantity"],
                unit_price=item["unit_price"],
                net=item["net"],
                vat=item["vat"],
                gross=item["gross"],
                vat_kind=treatment.nav_kind,
                vat_case=treatment.nav_case,
                vat_reason=treatment.printed,
            )
        )
    original = invoice.cancels if invoice.is_storno else None
    return NavInvoice(
        number=invoice.number,
        issue_date=invoice.issue_date,
        delivery_date=invoice.fulfilment_date,
        payment_date=invoice.payment_date,
        payment_method=NAV_PAYMENT_METHODS.get(invoice.payment_method, "OTHER"),
        supplier_tax_number=invoice.seller_tax_number,
        supplier_name=invoice.seller_name,
        supplier_address=nav_address(invoice.seller_address),
        supplier_bank_account=invoice.seller_bank_account,
        lines=lines,
        customer_private_person=invoice.buyer_private_person,
        customer_name="" if invoice.buyer_private_person else invoice.buyer_name,
        customer_address=None if invoice.buyer_private_person else nav_address(invoice.buyer_address),
        currency=invoice.currency,
        original_number=original.number if original else "",
        modification_index=1 if original else 0,
        original_line_count=len(original.items) if original else 0,
    )


def nav_operation(invoice: Invoice) -> str:
    return "STORNO" if invoice.is_storno else "CREATE"


def invoice_nav_report(*, invoice_id: int) -> Invoice | None:
    """Send the invoice's data to NAV (manageInvoice) unless it was sent already. Returns None
    when another worker is reporting it right now. Raises `IntegrationUnavailable` to be retried;
    a refusal (`IntegrationRejected`: credentials, signature) is stored as status ERROR."""
    from integrations.http import IntegrationRejected, IntegrationUnavailable
    from integrations.nav.client import NavClient, new_request_id
    from integrations.nav.invoice_data import invoice_data_xml

    if not settings.NAV_REPORTING_ENABLED:
        return Invoice.objects.get(pk=invoice_id)
    failure: IntegrationUnavailable | None = None
    with transaction.atomic():
        # the lock is held through the call, so two workers never report the same invoice twice
        invoice = (
            Invoice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("cancels")
            .filter(pk=invoice_id)
            .first()
        )
        if invoice is None:
            return None
        if invoice.nav_transaction_id or invoice.nav_status in (NavStatus.DONE, NavStatus.ABORTED):
            return invoice
        data = invoice_data_xml(nav_invoice(invoice))
        invoice.nav_request_id = new_request_id()
        invoice.nav_attempts += 1
        now = timezone.now()
        try:
            receipt = NavClient.from_settings().manage_invoice(
                operations=[(nav_operation(invoice), data)], request_id=invoice.nav_request_id
            )
        except IntegrationUnavailable as exc:
            failure = exc
            invoice.nav_messages = [_nav_note("unavailable", exc.error_code, str(exc), now)]
        except IntegrationRejected as exc:
            invoice.nav_status = NavStatus.ERROR
            invoice.nav_messages = [_nav_note("refused", exc.error_code, str(exc), now)]
        else:
            invoice.nav_transaction_id = receipt.transaction_id
            invoice.nav_status = NavStatus.SENT
            invoice.nav_reported_at = now
            invoice.nav_messages = []
        invoice.save(
            update_fields=[
                "nav_request_id",
                "nav_attempts",
                "nav_transaction_id",
                "nav_status",
                "nav_reported_at",
                "nav_messages",
                "updated_at",
            ]
        )
    if failure is not None:
        raise failure
    return invoice


def invoice_nav_check(*, invoice_id: int) -> Invoice:
    """Ask NAV how the reported invoice fares (queryTransactionStatus); store DONE or ABORTED
    with NAV's messages. Raises `IntegrationUnavailable` when NAV does not answer."""
    from integrations.nav.client import NavClient

    invoice = Invoice.objects.get(pk=invoice_id)
    if not invoice.nav_transaction_id or invoice.nav_status != NavStatus.SENT:
        return invoice
    results = NavClient.from_settings().query_transaction_status(transaction_id=invoice.nav_transaction_id)
    result = next((r for r in results if r.index == 1), None)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        invoice.nav_checked_at = timezone.now()
        fields = ["nav_checked_at", "updated_at"]
        if result is not None and result.status in NAV_FINAL and invoice.nav_status == NavStatus.SENT:
            messages = [m.to_json() for m in result.messages]
            status = NAV_FINAL[result.status]
            errors = {m.error_code for m in result.messages if m.result_code == "ERROR"}
            if status == NavStatus.ABORTED and errors == {"INVOICE_NUMBER_NOT_UNIQUE"} and invoice.nav_attempts > 1:
                # an earlier attempt whose answer was lost did get through: the invoice is reported
                status = NavStatus.DONE
                messages.append(_nav_note("note", "", "Reported by an earlier attempt.", invoice.nav_checked_at))
            invoice.nav_status = status
            invoice.nav_messages = messages
            fields += ["nav_status", "nav_messages"]
        invoice.save(update_fields=fields)
    return invoice


def _nav_note(kind: str, code: str, message: str, at) -> dict[str, str]:
    return {"kind": kind, "result": "", "code": code or "", "message": message, "at": at.isoformat()}


# --- stalled work and the clerk's "try again" -------------------------------------------------------
#: A paid order's invoice is issued within seconds; one missing after this lost its message.
ISSUE_STALLED_AFTER = datetime.timedelta(minutes=5)
#: Sealing retries for about half an hour while the timestamp authority is down; after that (or
#: a lost message) the reconciler sends it again.
DOCUMENT_STALLED_AFTER = datetime.timedelta(minutes=30)
#: A report waiting this long without an attempt (the job's retries spent, or its message lost)
#: is sent again; a reported invoice not checked for this long is checked again.
NAV_STALLED_AFTER = datetime.timedelta(minutes=30)


@dataclass(frozen=True)
class StalledInvoiceWork:
    orders_to_invoice: list[int]
    documents: list[int]
    reports: list[int]
    checks: list[int]

    def __len__(self) -> int:
        return len(self.orders_to_invoice) + len(self.documents) + len(self.reports) + len(self.checks)


def invoices_stalled(*, now: datetime.datetime | None = None) -> StalledInvoiceWork:
    """Invoicing work whose job is gone: paid orders without an invoice, documents not sealed,
    reports not sent, reported invoices NAV has not been asked about. A document that failed
    for good (`document_error`) and a report NAV refused (ERROR) wait for a finance clerk."""
    now = now or timezone.now()
    invoiced = Invoice.objects.filter(order=OuterRef("pk"), kind=InvoiceKind.NORMAL)
    orders = (
        Order.objects.filter(status=OrderStatus.PAID, paid_at__lt=now - ISSUE_STALLED_AFTER)
        .exclude(Exists(invoiced))
        .values_list("pk", flat=True)
    )
    documents = Invoice.objects.filter(
        pdf__isnull=True, document_error="", updated_at__lt=now - DOCUMENT_STALLED_AFTER
    ).values_list("pk", flat=True)
    reports = Invoice.objects.filter(nav_status=NavStatus.PENDING, updated_at__lt=now - NAV_STALLED_AFTER).values_list(
        "pk", flat=True
    )
    checks = (
        Invoice.objects.filter(nav_status=NavStatus.SENT)
        .filter(
            Q(nav_checked_at__lt=now - NAV_STALLED_AFTER)
            | Q(nav_checked_at__isnull=True, nav_reported_at__lt=now - NAV_STALLED_AFTER)
        )
        .values_list("pk", flat=True)
    )
    if not settings.NAV_REPORTING_ENABLED:
        reports = checks = Invoice.objects.none().values_list("pk", flat=True)
    return StalledInvoiceWork(list(orders), list(documents), list(reports), list(checks))


def invoice_document_failed(*, invoice_id: int, error: str) -> None:
    """Remember why the document could not be sealed; the staff page shows it with a retry button."""
    Invoice.objects.filter(pk=invoice_id, pdf__isnull=True).update(
        document_error=error[:2000] or "error", updated_at=timezone.now()
    )


def invoice_can_retry(user) -> bool:
    return invoice_can_cancel(user)  # the finance clerks who answer for invoices


def invoice_needs_retry(invoice: Invoice) -> bool:
    """Whether a finance clerk has something to try again: a document that failed for good, or a
    report NAV's gateway refused (credentials, signature) or that is still waiting to be sent."""
    unsealed = invoice.pdf is None and bool(invoice.document_error)
    unreported = settings.NAV_REPORTING_ENABLED and invoice.nav_status in (NavStatus.ERROR, NavStatus.PENDING)
    return unsealed or unreported


def invoice_retry(*, invoice: Invoice, user) -> Invoice:
    """A finance clerk has the invoice's failed work done again (the cause fixed): the document
    sealed and/or the report sent. The attempt is logged; the jobs run after commit."""
    from payments import invoice_tasks

    if not invoice_can_retry(user):
        raise InvoiceError(InvoiceErrorCode.PERMISSION_DENIED, _("You may not manage invoices."), http_status=403)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not invoice_needs_retry(invoice):
            raise InvoiceError(InvoiceErrorCode.NOTHING_TO_RETRY, _("This invoice has nothing to try again."))
        seal = invoice.pdf is None
        report = settings.NAV_REPORTING_ENABLED and invoice.nav_status in (NavStatus.ERROR, NavStatus.PENDING)
        previous = {"document_error": invoice.document_error, "nav_status": invoice.nav_status}
        if seal:
            invoice.document_error = ""
        if report and invoice.nav_status == NavStatus.ERROR:
            invoice.nav_status = NavStatus.PENDING
        invoice.save(update_fields=["document_error", "nav_status", "updated_at"])
        log(instance=invoice, action="payments.invoice_retried", user=user, data={"previous": previous})
        if seal:
            transaction.on_commit(lambda: invoice_tasks.invoice_document.send(invoice.pk))
        if report:
            transaction.on_commit(lambda: invoice_tasks.invoice_nav_report.send(invoice.pk))
    return invoice
