"""Staff screens of payments: one page per order with its payments and their history, and the
cash form for finance clerks."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from payments import services
from payments.errors import PaymentsError
from payments.models import Order, OrderStatus
from payments.references import reference_format


class CashPaymentForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("Amount received (HUF)"), min_value=1, max_value=100_000_000)
    receipt_number = forms.CharField(
        label=gettext_lazy("Receipt number"),
        max_length=40,
        help_text=gettext_lazy("The number of the receipt handed over to the payer."),
    )


class OrderDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "payments/admin/order_detail.html"
    header_icon = "tag"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("payments.view_order"):
            raise PermissionDenied
        self.order = get_object_or_404(
            Order.objects.select_related("case__service_type", "resident__user"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Order %(reference)s") % {"reference": reference_format(self.order.reference or "")}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("orders:index"), "label": _("Orders")},
            {"url": "", "label": reference_format(self.order.reference or "")},
        ]

    def can_record_cash(self) -> bool:
        return self.order.status in (OrderStatus.OPEN, OrderStatus.PARTIALLY_PAID) and self.request.user.has_perm(
            "payments.record_cash_payment"
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        payments = self.order.payments.prefetch_related("events__user").select_related("recorded_by")
        context.update(
            {
                "order": self.order,
                "reference": reference_format(self.order.reference or ""),
                "payments": payments,
                "invoices": self.order.invoices.order_by("issue_date", "number"),
                "can_view_case": self.request.user.has_perm("eservices.view_case"),
                "cash_form": (form or CashPaymentForm(initial={"amount": max(self.order.balance, 0)}))
                if self.can_record_cash()
                else None,
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.can_record_cash():
            raise PermissionDenied
        form = CashPaymentForm(request.POST)
        if form.is_valid():
            try:
                services.payment_record_cash(
                    order=self.order,
                    amount=form.cleaned_data["amount"],
                    receipt_number=form.cleaned_data["receipt_number"],
                    clerk=request.user,
                )
            except PaymentsError as exc:
                for field, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Cash payment recorded."))
                return redirect("orders:detail", pk=self.order.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)
