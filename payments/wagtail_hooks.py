"""The payments app in the staff area: the Orders menu and audit log actions."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from payments.admin_views import OrderDetailView
from payments.models import Order


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
