"""Orders (what a resident owes for a case), payments (card, transfer, cash) and their events.

Amounts are whole forints (`PositiveIntegerField`): HUF has no minor unit in circulation and
fees are set in whole forints, so no rounding ever happens.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Awaiting payment")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    """A fee to pay for a case (`díj`), with the payment reference the resident quotes."""

    case = models.ForeignKey("eservices.Case", on_delete=models.PROTECT, related_name="orders", verbose_name=_("case"))
    resident = models.ForeignKey(
        "eservices.ResidentProfile", on_delete=models.PROTECT, related_name="orders", verbose_name=_("resident")
    )
    # ISO 11649 creditor reference (RF…), compact; set right after the row exists (it is made from the id)
    reference = models.CharField(_("payment reference"), max_length=25, unique=True, null=True, blank=True)
    description = models.CharField(_("description"), max_length=200)
    amount = models.PositiveIntegerField(_("amount (HUF)"))
    amount_paid = models.IntegerField(_("paid (HUF)"), default=0)  # captured minus reversed payments
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    due_date = models.DateField(_("due date"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        constraints = [
            # one live order per case: a second would make the resident pay twice
            models.UniqueConstraint(fields=["case"], condition=~Q(status="cancelled"), name="one_live_order_per_case"),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]
        permissions = [
            ("record_cash_payment", "Can record a cash payment"),
            ("reconcile_payments", "Can upload bank statements and match payments"),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    @property
    def balance(self) -> int:
        """What is still to pay (negative: overpaid, to be refunded)."""
        return self.amount - self.amount_paid


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Bank card")
    TRANSFER = "transfer", _("Bank transfer")
    CASH = "cash", _("Cash")


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Created")
    PENDING = "pending", _("In progress at the bank")
    CAPTURED = "captured", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    REVERSED = "reversed", _("Reversed")


class Payment(models.Model):
    """One attempt to pay an order, or one amount received for it."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments", verbose_name=_("order"))
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    amount = models.PositiveIntegerField(_("amount (HUF)"))
    status = models.CharField(_("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.CREATED)
    # card: our id of the attempt at the gateway (sent before the first call), and the gateway's own id
    idempotency_key = models.UUIDField(unique=True, null=True, blank=True)
    gateway_transaction_id = models.CharField(max_length=64, blank=True, db_index=True)
    gateway_status = models.CharField(max_length=30, blank=True)
    # cash: the numbered receipt handed over at the desk
    receipt_number = models.CharField(_("receipt number"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    captured_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt_number"], condition=~Q(receipt_number=""), name="unique_cash_receipt_number"
            ),
        ]
        indexes = [models.Index(fields=["method", "status"])]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount} Ft ({self.get_status_display()})"


class PaymentEvent(models.Model):
    """Every status change of a payment, with where it came from (the audit trail finance reads)."""

    class Source(models.TextChoices):
        PORTAL = "portal", _("Portal")
        NOTIFICATION = "notification", _("Gateway notification")
        POLLER = "poller", _("Status query")
        RETURN = "return", _("Return from the payment page")
        CLERK = "clerk", _("Finance clerk")
        STATEMENT = "statement", _("Bank statement")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    source = models.CharField(max_length=15, choices=Source.choices)
    late_correction = models.BooleanField(default=False)  # a final status overturned (failed → captured)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["at", "pk"]


class BankStatement(models.Model):
    """An uploaded bank statement file (camt.053, MT940 or CSV) of one of the municipality's accounts."""

    class State(models.TextChoices):
        PROCESSING = "processing", _("Being read")
        DONE = "done", _("Read")
        FAILED = "failed", _("Could not be read")

    file = models.FileField(_("file"), upload_to="statements/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.PositiveBigIntegerField(default=0)
    format = models.CharField(_("format"), max_length=10, blank=True)
    account_iban = models.CharField(_("account of the statement"), max_length=34, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    statement_id = models.CharField(_("statement id"), max_length=100, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PROCESSING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent, for the upload's progress bar
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    lines_total = models.PositiveIntegerField(default=0)
    lines_new = models.PositiveIntegerField(default=0)  # not seen in an earlier upload
    lines_duplicate = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # written when a run of the import starts and with every progress step: a statement still
    # processing whose heartbeat stopped lost its job, and the reconciler sends it again
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # runs of the import job started

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.file_name


class StatementLine(models.Model):
    """One booked entry of a statement. An entry seen again in a later (overlapping) upload is
    not stored again: `fingerprint` is unique per account."""

    class MatchState(models.TextChoices):
        UNMATCHED = "unmatched", _("Unmatched")
        REVIEW = "review", _("Waiting for review")
        AUTO = "auto", _("Matched automatically")
        MANUAL = "manual", _("Matched by a clerk")
        IGNORED = "ignored", _("Not a payment to match")

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    account_iban = models.CharField(max_length=34)
    fingerprint = models.CharField(max_length=40)
    booking_date = models.DateField(_("booking date"))
    value_date = models.DateField(_("value date"), null=True, blank=True)
    amount = models.BigIntegerField(_("amount"))  # minor units; credit > 0
    currency = models.CharField(max_length=3)
    counterparty_name = models.CharField(_("payer"), max_length=200, blank=True)
    counterparty_iban = models.CharField(_("payer account"), max_length=34, blank=True)
    remittance = models.TextField(_("remittance information"), blank=True)
    end_to_end_id = models.CharField(max_length=100, blank=True)
    bank_reference = models.CharField(max_length=100, blank=True)
    structured_reference = models.CharField(max_length=40, blank=True)
    match_state = models.CharField(
        _("match"), max_length=10, choices=MatchState.choices, default=MatchState.UNMATCHED, db_index=True
    )
    suggestions = models.JSONField(default=list, blank=True)  # the matcher's scored suggestions, best first
    reasons = models.JSONField(default=list, blank=True)  # line-level remarks of the matcher
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["booking_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["account_iban", "fingerprint"], name="statement_line_once_per_account"),
        ]
        indexes = [models.Index(fields=["match_state", "booking_date"])]


class Allocation(models.Model):
    """The part of a statement line that pays one order (a transfer may pay several orders;
    an order may be paid by several transfers). Each allocation has its transfer payment."""

    line = models.ForeignKey(StatementLine, on_delete=models.PROTECT, related_name="allocations")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="allocations")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="allocation")
    amount = models.PositiveIntegerField(_("amount (HUF)"))
    automatic = models.BooleanField(default=False)
    score = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)  # the clerk's reason for a manual match or override
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)  # unmatched: kept for the audit trail
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undo_reason = models.TextField(blank=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["created_at", "pk"]


# --- Invoices (docs/payments.md#invoices) --------------------------------------------------------
class InvoiceSequence(models.Model):
    """The last invoice number handed out per prefix and year (`sorszám`). Numbers are taken with a
    row lock in the transaction that creates the invoice, so they are gap-free and never repeat."""

    year = models.PositiveSmallIntegerField(_("year"))
    prefix = models.CharField(_("prefix"), max_length=10)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("invoice number sequence")
        verbose_name_plural = _("invoice number sequences")
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="one_invoice_sequence_per_year")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


class InvoiceKind(models.TextChoices):
    NORMAL = "normal", _("Invoice")
    STORNO = "storno", _("Storno invoice")


class NavStatus(models.TextChoices):
    """Where the invoice's data report to NAV Online Számla stands."""

    PENDING = "pending", _("Not reported yet")
    SENT = "sent", _("Reported, NAV is processing it")
    DONE = "done", _("Accepted by NAV")
    ABORTED = "aborted", _("Rejected by NAV")
    ERROR = "error", _("Could not be reported")


class InvoiceQuerySet(models.QuerySet):
    def delete(self):
        raise InvoiceDeletionRefused


class InvoiceDeletionRefused(Exception):
    """Invoices are never deleted: a wrong one is cancelled by a storno invoice (the database refuses too)."""


class Invoice(models.Model):
    """An electronic invoice (`elektronikus számla`) for a paid order, or the storno invoice
    (`sztornó számla`) cancelling one. Everything printed is a snapshot taken at issue; the row
    is never deleted and its content never changes (a database trigger enforces both)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("order"))
    number = models.CharField(_("invoice number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=InvoiceKind.choices, default=InvoiceKind.NORMAL)
    # a storno invoice points at the invoice it cancels; the reverse (`cancelled_by`) is the only
    # "change" the original ever sees, and it lives on the storno's row
    cancels = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cancelled_by",
        verbose_name=_("cancels invoice"),
    )
    cancel_reason = models.TextField(_("reason of cancellation"), blank=True)

    seller_name = models.CharField(_("seller"), max_length=200)
    seller_address = models.CharField(_("seller address"), max_length=300)
    seller_tax_number = models.CharField(_("seller tax number"), max_length=13)  # adószám: 12345678-1-42
    seller_bank_account = models.CharField(_("seller bank account"), max_length=34)
    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_address = models.CharField(_("buyer address"), max_length=300)
    buyer_private_person = models.BooleanField(_("private person"), default=True)

    issue_date = models.DateField(_("issue date"))
    fulfilment_date = models.DateField(_("fulfilment date"))  # teljesítés dátuma: the day of payment
    payment_date = models.DateField(_("payment date"))
    payment_method = models.CharField(_("payment method"), max_length=10, choices=PaymentMethod.choices)
    payment_reference = models.CharField(_("payment reference"), max_length=25, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="HUF")
    # [{"description", "quantity", "unit", "unit_price", "net", "vat_treatment", "vat", "gross"}], whole forints
    items = models.JSONField(_("items"), default=list)
    net_total = models.IntegerField(_("net total (HUF)"))
    vat_total = models.IntegerField(_("VAT total (HUF)"))
    gross_total = models.IntegerField(_("gross total (HUF)"))

    pdf = models.BinaryField(null=True, blank=True, editable=False)  # signed Factur-X PDF/A-3
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    xml = models.BinaryField(null=True, blank=True, editable=False)  # EN 16931 CII, as embedded
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signature_level = models.CharField(max_length=6, blank=True)
    # why the document could not be sealed (a key or configuration problem): the reconciler
    # leaves it alone until a finance clerk, the problem fixed, has it tried again
    document_error = models.TextField(_("document error"), blank=True)

    nav_status = models.CharField(_("NAV status"), max_length=10, choices=NavStatus.choices, default=NavStatus.PENDING)
    nav_request_id = models.CharField(max_length=30, blank=True)  # recorded before each manageInvoice call
    nav_transaction_id = models.CharField(_("NAV transaction id"), max_length=30, blank=True)
    nav_messages = models.JSONField(_("NAV messages"), default=list, blank=True)
    nav_attempts = models.PositiveSmallIntegerField(_("NAV attempts"), default=0)
    nav_reported_at = models.DateTimeField(null=True, blank=True)
    nav_checked_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InvoiceQuerySet.as_manager()

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-created_at", "-pk"]
        default_permissions = ("view",)
        permissions = [("cancel_invoice", "Can cancel an invoice with a storno invoice")]
        constraints = [
            # one invoice per paid order, however often the issuing job runs
            models.UniqueConstraint(fields=["order"], condition=Q(kind="normal"), name="one_invoice_per_order"),
            models.CheckConstraint(
                condition=Q(kind="normal", cancels__isnull=True) | Q(kind="storno", cancels__isnull=False),
                name="storno_invoice_cancels_one",
            ),
        ]
        indexes = [models.Index(fields=["nav_status", "created_at"]), models.Index(fields=["issue_date"])]

    def __str__(self) -> str:
        return self.number

    def delete(self, *args, **kwargs):
        raise InvoiceDeletionRefused(self.number)

    @property
    def is_storno(self) -> bool:
        return self.kind == InvoiceKind.STORNO
