"""Staff roles as Django groups, with the permissions each needs. Later capabilities add their
permissions here, so `manage.py roles_sync` keeps every environment's groups in step."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

ADMIN_ACCESS = ("wagtailadmin", "access_admin")

ROLES: dict[str, dict] = {
    "editor": {
        "label": "Szerkesztő / Editor",
        "permissions": [
            ADMIN_ACCESS,
            ("wagtailimages", "add_image"),
            ("wagtailimages", "change_image"),
            ("wagtailimages", "choose_image"),
            ("wagtaildocs", "add_document"),
            ("wagtaildocs", "change_document"),
            ("wagtaildocs", "choose_document"),
        ],
        "page_permissions": ["add", "change", "publish"],
    },
    "clerk": {
        "label": "Ügyintéző / Clerk",
        "permissions": [
            ADMIN_ACCESS,
            ("eservices", "view_residentprofile"),
            ("eservices", "identify_resident"),
            ("eservices", "view_personal_data"),
            ("eservices", "view_case"),
            ("eservices", "retry_case"),
        ],
    },
    "finance_clerk": {
        "label": "Pénzügyi ügyintéző / Finance clerk",
        "permissions": [
            ADMIN_ACCESS,
            ("payments", "view_order"),
            ("payments", "record_cash_payment"),
            ("payments", "reconcile_payments"),
            ("payments", "cancel_invoice"),
        ],
    },
    "crm_clerk": {
        "label": "Ügyfélkapcsolati ügyintéző / CRM clerk",
        "permissions": [
            ADMIN_ACCESS,
            # the desk identifies residents and reviews the registry's answer against the record
            ("eservices", "view_residentprofile"),
            ("eservices", "identify_resident"),
            ("crm", "view_client"),
            ("crm", "add_client"),
            ("crm", "change_client"),
            ("crm", "view_client_personal_data"),
            ("crm", "merge_client"),
            ("crm", "import_clients"),
            ("crm", "change_cleanupitem"),
            ("crm", "view_cleanupitem"),
            ("crm", "add_tag"),
            ("crm", "change_tag"),
            ("crm", "view_tag"),
            ("crm", "add_clientgroup"),
            ("crm", "change_clientgroup"),
            ("crm", "view_clientgroup"),
            ("crm", "add_savedsearch"),
            ("crm", "change_savedsearch"),
            ("crm", "delete_savedsearch"),
            ("crm", "view_savedsearch"),
            ("crm", "view_givenname"),
            ("crm", "add_givenname"),
            ("crm", "change_givenname"),
            ("crm", "view_street"),
            ("crm", "add_street"),
            ("crm", "change_street"),
        ],
    },
    "newsletter_admin": {"label": "Hírlevél-adminisztrátor / Newsletter admin", "permissions": [ADMIN_ACCESS]},
    "contact_centre_operator": {
        "label": "Ügyfélszolgálati operátor / Contact-centre operator",
        "permissions": [ADMIN_ACCESS, ("eservices", "view_residentprofile")],
    },
    "supervisor": {
        "label": "Felügyelő / Supervisor",
        "permissions": [
            ADMIN_ACCESS,
            ("eservices", "view_residentprofile"),
            ("eservices", "identify_resident"),
            ("eservices", "view_personal_data"),
            ("eservices", "view_case"),
            ("eservices", "retry_case"),
            ("integrations", "view_exchange"),
            ("payments", "view_order"),
            # a person's right to erasure is decided above the desk
            ("crm", "view_client"),
            ("crm", "view_client_personal_data"),
            ("crm", "erase_client"),
        ],
    },
}


def roles_sync() -> dict[str, Group]:
    from wagtail.models import GroupPagePermission, Page

    groups = {}
    for name, spec in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        query = Q(pk__in=[])
        for app_label, codename in spec["permissions"]:
            query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(query))
        root = Page.get_first_root_node()
        if root is not None:
            for permission_type in spec.get("page_permissions", []):
                GroupPagePermission.objects.get_or_create(
                    group=group,
                    page=root,
                    permission=Permission.objects.get(
                        content_type__app_label="wagtailcore", codename=f"{permission_type}_page"
                    ),
                )
        groups[name] = group
    return groups
