"""URLs of the payments app: the resident API (under /api/v1/) and the browser's return from
the card gateway (under /payments/, outside the API: a page the browser is sent to)."""

from django.urls import path

from integrations.cardgateway.contract import PORTAL_NOTIFICATION_PATH
from payments import api, views

API_PREFIX = "/api/v1/"

api_urlpatterns = [
    path("orders/", api.OrderListView.as_view(), name="api-orders"),
    path("orders/<str:reference>/", api.OrderDetailView.as_view(), name="api-order"),
    path("orders/<str:reference>/card-payments/", api.CardPaymentStartView.as_view(), name="api-order-card-payments"),
    path("orders/<str:reference>/transfer-qr/", api.OrderTransferQrView.as_view(), name="api-order-transfer-qr"),
    # the merchant account's IPN URL at the gateway is PUBLIC_URL + this path
    path(
        PORTAL_NOTIFICATION_PATH.removeprefix(API_PREFIX),
        api.CardNotificationView.as_view(),
        name="api-card-notifications",
    ),
]

urlpatterns = [
    path("card/return/", views.card_return, name="payments-card-return"),
]
