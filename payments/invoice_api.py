"""Resident API of invoices: the invoices of an order, and the signed PDF of one.

    GET /api/v1/orders/<reference>/invoices/            the order's invoices (documents ready)
    GET /api/v1/orders/<reference>/invoices/<number>/   the signed Factur-X PDF, as an attachment

Only the order's resident sees them; for anyone else the order does not exist (404).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api import ErrorSerializer
from payments.invoicing import selectors
from payments.models import Invoice, InvoiceKind, Order


class InvoiceSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="Invoice number, e.g. HV-2026-000123.")
    kind = serializers.ChoiceField(choices=InvoiceKind.choices, help_text="`storno` cancels the invoice in `cancels`.")
    issue_date = serializers.DateField()
    fulfilment_date = serializers.DateField()
    gross_total = serializers.IntegerField(help_text="Whole forints; negative on a storno invoice.")
    currency = serializers.CharField()
    cancels = serializers.CharField(source="cancels.number", allow_null=True, default=None)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, invoice: Invoice) -> str:
        return f"/api/v1/orders/{invoice.order.reference}/invoices/{invoice.number}/"


class OrderInvoiceListView(APIView):
    """The invoices of one of the resident's orders (an order has them once it is paid)."""

    @extend_schema(
        operation_id="orders_invoices_list", responses={200: InvoiceSerializer(many=True), 404: ErrorSerializer}
    )
    def get(self, request, reference: str):
        get_object_or_404(Order, reference=reference, resident__user=request.user)
        invoices = selectors.invoices_for_resident(user=request.user, order_reference=reference).select_related(
            "order", "cancels"
        )
        return Response(InvoiceSerializer(invoices, many=True).data)


class OrderInvoiceDownloadView(APIView):
    """The signed invoice (PDF/A-3 with the EN 16931 XML inside). Reading it changes nothing."""

    @extend_schema(
        operation_id="orders_invoices_download",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ErrorSerializer},
    )
    def get(self, request, reference: str, number: str):
        invoice = get_object_or_404(
            selectors.invoices_for_resident(user=request.user, order_reference=reference).only("number", "pdf"),
            number=number,
        )
        response = HttpResponse(bytes(invoice.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="szamla-{invoice.number}.pdf"'
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


urlpatterns = [
    path("orders/<str:reference>/invoices/", OrderInvoiceListView.as_view(), name="api-order-invoices"),
    path(
        "orders/<str:reference>/invoices/<str:number>/",
        OrderInvoiceDownloadView.as_view(),
        name="api-order-invoice-download",
    ),
]
