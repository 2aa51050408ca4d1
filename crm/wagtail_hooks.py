"""The CRM in the staff area: the Clients menu (quick search, cleanup queue, given names,
streets) and its audit log actions."""

from __future__ import annotations

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from crm import admin_views


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


class ClientsViewSet(ViewSet):
    name = "crm"
    url_prefix = "crm"
    icon = "group"
    menu_label = _("Client search")

    def get_urlpatterns(self):
        return [
            path("", admin_views.ClientSearchView.as_view(), name="search"),
            path("client/<int:pk>/", admin_views.ClientDetailView.as_view(), name="client"),
            path("cleanup/", admin_views.CleanupQueueView.as_view(), name="cleanup"),
        ]

    def get_menu_item(self, order=None):
        return PermissionMenuItem(
            self.menu_label, reverse_lazy("crm:search"), icon_name=self.icon, order=1, permission="crm.view_client"
        )


def _menu_items():
    from crm.names_admin import GivenNameViewSet
    from crm.streets_admin import StreetViewSet

    return (ClientsViewSet, GivenNameViewSet, StreetViewSet)


class CrmMenu(ViewSetGroup):
    menu_label = _("Clients")
    menu_icon = "group"
    menu_order = 160
    items = _menu_items()
    submenu_hook = "register_crm_menu_item"


@hooks.register("register_admin_viewset")
def register_crm():
    return CrmMenu()


@hooks.register("register_crm_menu_item")
def cleanup_menu_item():
    return PermissionMenuItem(
        _("Cleanup queue"),
        reverse_lazy("crm:cleanup"),
        icon_name="warning",
        order=2,
        permission="crm.change_cleanupitem",
    )


@hooks.register("register_log_actions")
def register_crm_log_actions(actions):
    actions.register_action("crm.client_viewed", _("View client"), _("Client's personal data viewed"))
