"""The payments app in the staff area: the Orders menu and audit log actions."""

from __future__ import annotations

from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from payments import statement_views as statements
from payments.admin_views import OrderDetailView
from payments.models import BankStatement, Order


class OrderIndexView(IndexView):
    def get_edit_url(self, instance):
        return reverse("orders:detail", args=[instance.pk])


class OrderViewSet(ModelViewSet):
    """Orders list with filters; an order opens on its own page (payments, history, cash)."""

    model = Order
    icon = "tag"
    menu_label = _("Orders")
    menu_order = 170
    add_to_admin_menu = True
    url_prefix = "orders"
    name = "orders"
    index_view_class = OrderIndexView
    list_display = ["reference", "description", "amount", "amount_paid", "status", "due_date", "created_at"]
    list_filter = ["status", "created_at", "due_date"]
    search_fields = ["reference", "case__reference", "description"]
    form_fields = []
    copy_view_enabled = False

    def get_queryset(self, request):
        return Order.objects.select_related("case", "resident")

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("order/<int:pk>/", OrderDetailView.as_view(), name="detail")]


@hooks.register("register_admin_viewset")
def register_order_viewset():
    return OrderViewSet()


@hooks.register("register_log_actions")
def register_payments_log_actions(actions):
    actions.register_action("payments.cash_recorded", _("Record cash payment"), _("Cash payment recorded"))
    actions.register_action(
        "payments.late_correction", _("Late payment correction"), _("A failed payment was captured after all")
    )


# --- bank statements and reconciliation (finance clerks) ----------------------------------------

register_permission_policy(BankStatement, statements.ReconcilePermissionPolicy(BankStatement))


class ReconcilerMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("payments.reconcile_payments")


class BankStatementViewSet(ModelViewSet):
    """Uploaded statements; each opens on its own page (progress, lines). The upload, the review
    queue, a line's page and the daily summary live under the same prefix."""

    model = BankStatement
    icon = "doc-full"
    menu_label = _("Statements")
    url_prefix = "bank-statements"
    name = "bank_statements"
    index_view_class = statements.StatementIndexView
    list_display = [
        "file_name",
        "account_iban",
        Column("period", label=_("Period"), accessor=statements.statement_period),
        "state",
        Column("lines", label=_("Lines"), accessor=statements.statement_counts_text),
        "uploaded_by",
        "uploaded_at",
    ]
    list_filter = ["state", "account_iban", "uploaded_at"]
    search_fields = ["file_name", "account_iban", "statement_id"]
    form_fields = []
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_queryset(self, request):
        return BankStatement.objects.select_related("uploaded_by")

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("upload/", statements.StatementUploadView.as_view(), name="upload"),
            path("statement/<int:pk>/", statements.StatementDetailView.as_view(), name="detail"),
            path("statement/<int:pk>/progress/", statements.StatementProgressView.as_view(), name="progress"),
            path("review/", statements.ReviewQueueView.as_view(), name="review"),
            path("line/<int:pk>/", statements.LineDetailView.as_view(), name="line"),
            path("daily/", statements.DailySummaryView.as_view(), name="daily"),
        ]


class BankStatementsMenu(ViewSetGroup):
    menu_label = _("Bank statements")
    menu_icon = "doc-full"
    menu_order = 171  # right after Orders
    items = (BankStatementViewSet,)
    submenu_hook = "register_bank_statements_menu_item"


@hooks.register("register_admin_viewset")
def register_bank_statements():
    return BankStatementsMenu()


@hooks.register("register_bank_statements_menu_item")
def bank_statement_upload_menu_item():
    return ReconcilerMenuItem(
        _("Upload a statement"), reverse_lazy("bank_statements:upload"), icon_name="upload", order=2
    )


@hooks.register("register_bank_statements_menu_item")
def bank_statement_review_menu_item():
    return ReconcilerMenuItem(_("Review queue"), reverse_lazy("bank_statements:review"), icon_name="tasks", order=3)


@hooks.register("register_bank_statements_menu_item")
def bank_statement_daily_menu_item():
    return ReconcilerMenuItem(_("Daily summary"), reverse_lazy("bank_statements:daily"), icon_name="table", order=4)


@hooks.register("register_log_actions")
def register_reconciliation_log_actions(actions):
    for action, label, message in (
        ("payments.statement_uploaded", _("Upload bank statement"), _("Bank statement uploaded")),
        ("payments.statement_imported", _("Read bank statement"), _("Bank statement read and matched")),
        ("payments.statement_failed", _("Bank statement unreadable"), _("Bank statement could not be read")),
        ("payments.transfer_matched", _("Match bank transfer"), _("Bank transfer matched to the order")),
        ("payments.transfer_unmatched", _("Unmatch bank transfer"), _("Bank transfer taken off the order")),
        ("payments.line_matched", _("Match statement line"), _("Statement line matched")),
        ("payments.line_unmatched", _("Unmatch statement line"), _("Statement line unmatched")),
        ("payments.line_ignored", _("Not a payment"), _("Statement line marked as not a payment")),
    ):
        actions.register_action(action, label, message)


# --- invoices (docs/payments.md#invoices) ----------------------------------------------------------
from payments import invoice_views  # noqa: E402 - this section's own import, kept beside it
from payments.models import Invoice  # noqa: E402

register_permission_policy(Invoice, invoice_views.InvoicePermissionPolicy(Invoice))


@hooks.register("register_admin_viewset")
def register_invoice_viewset():
    return invoice_views.InvoiceViewSet()


@hooks.register("register_log_actions")
def register_invoice_log_actions(actions):
    actions.register_action("payments.invoice_issued", _("Issue invoice"), _("Invoice issued"))
    actions.register_action(
        "payments.invoice_cancelled", _("Cancel invoice"), _("Invoice cancelled by a storno invoice")
    )
    actions.register_action(
        "payments.invoice_retried", _("Retry invoice"), _("Invoice document or NAV report tried again")
    )
