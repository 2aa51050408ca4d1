"""The CRM in the staff area: the Clients menu (quick search, cleanup queue, given names,
streets) and its audit log actions."""

from __future__ import annotations

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from crm import (
    admin_views,
    duplicates_admin,
    segments_admin,  # noqa: F401  (registers complex search, saved searches, tags, groups)
)
from crm.menu import PermissionMenuItem


def client_form_urlpatterns():
    from crm import client_forms

    return [
        path("client/new/", client_forms.ClientFormView.as_view(), name="client_new"),
        path(
            "client/<int:pk>/edit/",
            client_forms.ClientFormView.as_view(permission="crm.change_client"),
            name="client_edit",
        ),
        path("client/<int:pk>/export/", client_forms.ClientExportDownloadView.as_view(), name="client_export"),
        path("client/<int:pk>/erase/", client_forms.ClientEraseView.as_view(), name="client_erase"),
    ]


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
            *client_form_urlpatterns(),
            *duplicates_admin.urlpatterns(),
        ]

    def get_menu_item(self, order=None):
        return PermissionMenuItem(
            self.menu_label, reverse_lazy("crm:search"), icon_name=self.icon, order=1, permission="crm.view_client"
        )


def _menu_items():
    from crm.imports_admin import ClientImportViewSet
    from crm.names_admin import GivenNameViewSet
    from crm.streets_admin import StreetViewSet

    return (ClientsViewSet, GivenNameViewSet, StreetViewSet, ClientImportViewSet)


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
    actions.register_action("crm.tag_bulk_added", _("Tag clients"), _("Tag added to the clients of a search"))
    actions.register_action("crm.tag_bulk_removed", _("Untag clients"), _("Tag removed from the clients of a search"))
    actions.register_action("crm.group_bulk_added", _("Add to group"), _("Clients of a search added to a group"))
    actions.register_action(
        "crm.group_bulk_removed", _("Remove from group"), _("Clients of a search removed from a group")
    )
    actions.register_action("crm.clients_exported", _("Export clients"), _("Clients' personal data exported"))
    actions.register_action("crm.client_exported", _("Export client data"), _("Client's personal data exported"))
    actions.register_action("crm.client_erased", _("Erase client"), _("Client's personal data erased (GDPR)"))
    actions.register_action("crm.client_merged", _("Merge clients"), _("Clients merged"))
    actions.register_action("crm.client_unmerged", _("Undo a merge"), _("Client merge undone"))
    actions.register_action("crm.duplicate_dismissed", _("Not a duplicate"), _("Marked as not a duplicate"))


@hooks.register("register_crm_menu_item")
def duplicates_menu_item():
    return PermissionMenuItem(
        _("Possible duplicates"),
        reverse_lazy("crm:duplicates"),
        icon_name="user",
        order=7,
        permission="crm.merge_client",
    )
