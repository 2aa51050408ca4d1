"""Staff screens of invoices: the Invoices list, one page per invoice (details, download, NAV
status and messages) and the storno form for finance clerks.

Invoices are read by whoever reads orders (`payments.view_order`); only `payments.cancel_invoice`
cancels one. Nobody adds, edits or deletes an invoice here: the permission policy says no to
every other action, so the generic views offer none.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic import IndexView, WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy

from payments.invoicing import services
from payments.invoicing.document import huf
from payments.invoicing.services import InvoiceError
from payments.invoicing.vat import vat_treatment
from payments.models import Invoice, InvoiceKind
from payments.references import reference_format

VIEW_PERMISSION = "payments.view_order"


class InvoicePermissionPolicy(ModelPermissionPolicy):
    """Viewing follows `payments.view_order`; nothing else is ever allowed through the generic views."""

    def user_has_permission(self, user, action):
        return action == "view" and user.is_active and user.has_perm(VIEW_PERMISSION)

    def users_with_any_permission(self, actions):
        if "view" not in actions:
            return get_user_model().objects.none()
        permission = Permission.objects.filter(content_type__app_label="payments", codename="view_order")
        return (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(user_permissions__in=permission) | Q(groups__permissions__in=permission))
            .distinct()
        )


class StornoForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason of the cancellation"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Printed on the storno invoice and kept in the order's history."),
    )


class InvoiceIndexView(IndexView):
    def get_edit_url(self, instance):
        return reverse("invoices:detail", args=[instance.pk])


class InvoiceViewSet(ModelViewSet):
    """Invoices with filters and search by number or order reference; each opens on its own page."""

    model = Invoice
    icon = "doc-full"
    menu_label = gettext_lazy("Invoices")
    menu_order = 175
    add_to_admin_menu = True
    url_prefix = "invoices"
    name = "invoices"
    index_view_class = InvoiceIndexView
    list_display = ["number", "kind", "buyer_name", "gross_total", "issue_date", "nav_status"]
    list_filter = ["kind", "nav_status", "issue_date"]
    search_fields = ["number", "order__reference", "buyer_name"]
    form_fields = []
    copy_view_enabled = False

    def get_queryset(self, request):
        return Invoice.objects.select_related("order").defer("pdf", "xml")

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("invoice/<int:pk>/", InvoiceDetailView.as_view(), name="detail"),
            path("invoice/<int:pk>/pdf/", InvoicePdfView.as_view(), name="pdf"),
            path("invoice/<int:pk>/retry/", InvoiceRetryView.as_view(), name="retry"),
        ]


def _invoice_for_staff(request, pk: int) -> Invoice:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    return get_object_or_404(Invoice.objects.select_related("order__case", "cancels", "created_by"), pk=pk)


class InvoiceDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "payments/admin/invoice_detail.html"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        self.invoice = _invoice_for_staff(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        if self.invoice.is_storno:
            return _("Storno invoice %(number)s") % {"number": self.invoice.number}
        return _("Invoice %(number)s") % {"number": self.invoice.number}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("invoices:index"), "label": _("Invoices")},
            {"url": "", "label": self.invoice.number},
        ]

    def storno(self) -> Invoice | None:
        return Invoice.objects.filter(cancels=self.invoice).only("pk", "number").first()

    def can_cancel(self) -> bool:
        return (
            self.invoice.kind == InvoiceKind.NORMAL
            and services.invoice_can_cancel(self.request.user)
            and self.storno() is None
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice = self.invoice
        context.update(
            {
                "invoice": invoice,
                "storno": self.storno(),
                "reference": reference_format(invoice.order.reference or ""),
                "items": [
                    {
                        **item,
                        "unit_price_huf": huf(item["unit_price"]),
                        "gross_huf": huf(item["gross"]),
                        "vat_printed": vat_treatment(item["vat_treatment"]).printed,
                    }
                    for item in invoice.items
                ],
                "gross_huf": huf(invoice.gross_total),
                "nav_messages": invoice.nav_messages or [],
                "storno_form": (form or StornoForm()) if self.can_cancel() else None,
                "can_retry": services.invoice_can_retry(self.request.user) and services.invoice_needs_retry(invoice),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.can_cancel():
            raise PermissionDenied
        form = StornoForm(request.POST)
        if form.is_valid():
            try:
                storno = services.invoice_cancel(
                    invoice=self.invoice, reason=form.cleaned_data["reason"], user=request.user
                )
            except InvoiceError as exc:
                for field, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Storno invoice %(number)s issued; its document is being sealed.") % {"number": storno.number},
                )
                return redirect("invoices:detail", pk=storno.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class InvoiceRetryView(View):
    """POST: the finance clerk has the invoice's failed document or NAV report done again."""

    def post(self, request, pk: int):
        invoice = _invoice_for_staff(request, pk)
        try:
            services.invoice_retry(invoice=invoice, user=request.user)
        except InvoiceError as exc:
            if exc.http_status == 403:
                raise PermissionDenied from exc
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Invoice %(number)s is being processed again.") % {"number": invoice.number})
        return redirect("invoices:detail", pk=invoice.pk)


class InvoicePdfView(View):
    def get(self, request, pk: int):
        invoice = _invoice_for_staff(request, pk)
        if invoice.pdf is None:
            raise PermissionDenied  # nothing to download yet; the page says the document is being made
        response = HttpResponse(bytes(invoice.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="szamla-{invoice.number}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
