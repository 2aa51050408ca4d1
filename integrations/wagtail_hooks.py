"""Staff area: the outside-system log, read-only (Külső rendszerek naplója)."""

from __future__ import annotations

import django_filters
from django.contrib.auth.models import Permission
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from integrations.models import Exchange


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Nobody, not even a superuser, adds, edits or deletes log rows; `view` is the Django permission."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a == "view"])


register_permission_policy(Exchange, ReadOnlyPermissionPolicy(Exchange))


def _system_choices():
    systems = Exchange.objects.order_by("system").values_list("system", flat=True).distinct()
    return [(system, system) for system in systems]


OUTCOMES = {
    "ok": ("2xx", {"status_code__gte": 200, "status_code__lt": 300}),
    "rejected": ("4xx", {"status_code__gte": 400, "status_code__lt": 500}),
    "failed": ("5xx", {"status_code__gte": 500}),
    "no_response": (_("no response"), {"status_code__isnull": True}),
}


class ExchangeFilterSet(WagtailFilterSet):
    system = django_filters.ChoiceFilter(label=_("System"), choices=_system_choices)
    outcome = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(key, label) for key, (label, _lookup) in OUTCOMES.items()],
        method="filter_outcome",
    )

    class Meta:
        model = Exchange
        fields = ["system"]

    def filter_outcome(self, queryset, name, value):
        return queryset.filter(**OUTCOMES[value][1]) if value in OUTCOMES else queryset


class ExchangeViewSet(ModelViewSet):
    model = Exchange
    icon = "globe"
    menu_label = _("Outside-system log")
    menu_name = "outside_system_log"
    menu_order = 9000
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["created_at", "system", "operation", "method", "status_code", "attempts", "duration_ms", "error"]
    filterset_class = ExchangeFilterSet
    inspect_view_fields = [
        "created_at",
        "system",
        "operation",
        "method",
        "url",
        "request_id",
        "idempotency_key",
        "status_code",
        "attempts",
        "duration_ms",
        "error",
        "request_body",
        "response_body",
    ]

    def get_urlpatterns(self):
        # only the listing and the inspect page: the log is written by the clients alone
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]

    def get_permissions_to_register(self):
        return Permission.objects.filter(content_type__app_label="integrations", codename="view_exchange")


@hooks.register("register_admin_viewset")
def register_exchange_viewset():
    return ExchangeViewSet("outside_system_log")
