"""Resident API of the payments: the resident's own orders, paying one by card, and the card
gateway's notifications (the one endpoint here without a session: its signature is its auth)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api import ErrorSerializer
from integrations.cardgateway.contract import SIGNATURE_HEADER
from payments import card
from payments.models import Order, OrderStatus, Payment, PaymentMethod, PaymentStatus
from payments.references import reference_format, reference_normalise


def _own_orders(request):
    """The signed-in resident's orders; anyone else's simply do not exist here (404, not 403)."""
    return (
        Order.objects.filter(resident__user=request.user)
        .select_related("case")
        .prefetch_related(Prefetch("payments", queryset=Payment.objects.order_by("created_at", "pk")))
    )


def _own_order(request, reference: str) -> Order:
    order = _own_orders(request).filter(reference=reference_normalise(reference)).first()
    if order is None:
        raise Http404
    return order


class TransferSerializer(serializers.Serializer):
    account_name = serializers.CharField()
    iban = serializers.CharField()
    bic = serializers.CharField()
    amount = serializers.IntegerField(help_text="Forints still to pay.")
    remittance = serializers.CharField(help_text="What to write in the transfer's remittance field (közlemény).")


class OrderPaymentSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    method_label = serializers.CharField(source="get_method_display")
    amount = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PaymentStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()
    captured_at = serializers.DateTimeField(allow_null=True)


# One serializer for the list and the detail: an order is small, and one schema component per
# choice set keeps the generated enum names stable (OrderStatusEnum, OrderPaymentStatusEnum).
class OrderSerializer(serializers.Serializer):
    """A fee to pay for a case: what is still to pay, how to pay it by transfer, the payments so far."""

    reference = serializers.CharField(help_text="Compact payment reference (ISO 11649), e.g. RF93HV000123456.")
    reference_display = serializers.SerializerMethodField(help_text="The reference in groups of four, for print.")
    description = serializers.CharField()
    case_reference = serializers.CharField(source="case.reference")
    amount = serializers.IntegerField()
    amount_paid = serializers.IntegerField()
    balance = serializers.IntegerField(help_text="Still to pay; negative when overpaid (to be refunded).")
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    due_date = serializers.DateField()
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    transfer = serializers.SerializerMethodField()
    payments = OrderPaymentSerializer(many=True)

    def get_reference_display(self, order) -> str:
        return reference_format(order.reference) if order.reference else ""

    @extend_schema_field(TransferSerializer)
    def get_transfer(self, order) -> dict:
        return TransferSerializer(
            {
                "account_name": settings.PAYMENT_ACCOUNT_NAME,
                "iban": settings.PAYMENT_ACCOUNT_IBAN,
                "bic": settings.PAYMENT_ACCOUNT_BIC,
                "amount": max(order.balance, 0),
                "remittance": order.reference or "",
            }
        ).data


class OrderListView(APIView):
    """The signed-in resident's orders (fees of their cases), newest first."""

    @extend_schema(responses={200: OrderSerializer(many=True), 403: ErrorSerializer})
    def get(self, request):
        return Response(OrderSerializer(_own_orders(request), many=True).data)


class OrderDetailView(APIView):
    """One of the resident's orders, with how to pay it by transfer and the payments so far."""

    @extend_schema(responses={200: OrderSerializer, 403: ErrorSerializer, 404: ErrorSerializer})
    def get(self, request, reference: str):
        return Response(OrderSerializer(_own_order(request, reference)).data)


class OrderTransferQrView(APIView):
    """The transfer as a QR code (MNB HCT format) for the resident's banking app, as SVG."""

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.BINARY, 404: ErrorSerializer})
    def get(self, request, reference: str):
        from payments.transfer_qr import transfer_qr_svg

        order = _own_order(request, reference)
        response = HttpResponse(transfer_qr_svg(order), content_type="image/svg+xml")
        response["Cache-Control"] = "private, no-store"  # the amount due changes as payments arrive
        return response


class CardPaymentStartView(APIView):
    """Start paying the order's balance by card: send the browser to `redirect_url` (the card
    gateway's page); it comes back to the case page, which then waits for the confirmation."""

    @extend_schema_serializer(component_name="CardPaymentStart")
    class InputSerializer(serializers.Serializer):
        language = serializers.ChoiceField(
            choices=[("hu", "Hungarian"), ("en", "English")],
            required=False,
            help_text="Language of the card page; default: the request's language.",
        )

    @extend_schema_serializer(component_name="CardPaymentRedirect")
    class OutputSerializer(serializers.Serializer):
        redirect_url = serializers.URLField()

    @extend_schema(
        operation_id="orders_card_payments_create",
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            503: ErrorSerializer,
        },
    )
    def post(self, request, reference: str):
        order = _own_order(request, reference)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        language = serializer.validated_data.get("language") or get_language() or "hu"
        redirect_url = card.card_payment_start(order=order, user=request.user, language=language)
        return Response(self.OutputSerializer({"redirect_url": redirect_url}).data, status=status.HTTP_201_CREATED)


class CardNotificationView(APIView):
    """The card gateway's notifications (IPN). No session and no CSRF: the HMAC signature over
    the raw body is the authentication, checked before the body is parsed. The gateway's
    contract, not the SPA's, so it stays out of the OpenAPI file (see
    integrations/cardgateway/contract.py)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes: list = []

    @extend_schema(exclude=True)
    def post(self, request):
        reply = card.card_notification(raw_body=request.body, signature=request.headers.get(SIGNATURE_HEADER, ""))
        return HttpResponse(
            reply.body,
            status=reply.status,
            content_type="application/json",
            headers={SIGNATURE_HEADER: reply.signature},
        )
