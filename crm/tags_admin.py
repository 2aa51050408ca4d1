"""Staff screens of tags and groups: their lists with member counts and create/edit forms (names
unique whatever the capitals), and adding or removing one client's tags and groups from the
client's page. Bulk changes for a whole search result are in `crm.segments_admin`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from crm import segments
from crm.admin_views import CrmPage
from crm.errors import CrmError
from crm.models import Client, ClientGroup, Tag


def _perm(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


# --- one client's tags and groups, from its page -------------------------------------------------
class ClientTagsView(CrmPage):
    permission = "crm.change_client"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        client = get_object_or_404(Client, pk=pk)
        try:
            if request.POST.get("action") == "remove":
                tag = get_object_or_404(Tag, pk=request.POST.get("tag") or 0)
                segments.client_tag_remove(client=client, tag=tag, user=request.user)
                messages.success(request, _("Tag “%(tag)s” removed.") % {"tag": tag.name})
            else:
                name = " ".join(request.POST.get("tag_name", "").split())
                if not Tag.objects.filter(name__iexact=name).exists():
                    _perm(request, "crm.add_tag")
                tag = segments.client_tag_add(client=client, tag_name=name, user=request.user)
                messages.success(request, _("Tag “%(tag)s” added.") % {"tag": tag.name})
        except CrmError as exc:
            messages.error(request, exc.message)
        return redirect(reverse("crm:client", args=[client.pk]) + "#segments-heading")


class ClientGroupsView(CrmPage):
    permission = "crm.change_client"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        client = get_object_or_404(Client, pk=pk)
        group = get_object_or_404(ClientGroup, pk=request.POST.get("group") or 0)
        try:
            if request.POST.get("action") == "remove":
                segments.client_group_remove(client=client, group=group, user=request.user)
                messages.success(request, _("Removed from the group “%(group)s”.") % {"group": group.name})
            else:
                dates = forms.Form()
                dates.fields["valid_from"] = forms.DateField(required=False)
                dates.fields["valid_until"] = forms.DateField(required=False)
                dates.data, dates.is_bound = request.POST, True
                if not dates.is_valid():
                    messages.error(request, _("Give the dates as YYYY-MM-DD."))
                else:
                    segments.client_group_add(
                        client=client,
                        group=group,
                        valid_from=dates.cleaned_data["valid_from"],
                        valid_until=dates.cleaned_data["valid_until"],
                        user=request.user,
                    )
                    messages.success(request, _("Added to the group “%(group)s”.") % {"group": group.name})
        except CrmError as exc:
            messages.error(request, exc.message)
        return redirect(reverse("crm:client", args=[client.pk]) + "#segments-heading")


def client_segments_context(client: Client) -> dict:
    """For the client's page: the tags and groups its forms offer."""
    return {
        "segment_tag_names": list(Tag.objects.values_list("name", flat=True)[:1000]),
        "segment_groups": list(ClientGroup.objects.order_by("name").only("pk", "name")[:1000]),
    }


# --- tags and groups -----------------------------------------------------------------------------
class _NamedForm(WagtailAdminModelForm):
    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        clash = type(self.instance).objects.filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This name is already used; choose another one."))
        return name


class TagForm(_NamedForm):
    class Meta:
        model = Tag
        fields = ["name", "description"]


class GroupForm(_NamedForm):
    class Meta:
        model = ClientGroup
        fields = ["name", "description"]


class GroupCreateView(generic.CreateView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        instance.created_by = self.request.user
        instance.save()
        return instance


class TagIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(members=Count("client_tags"))


class GroupIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(members=Count("memberships"))


def _members_column():
    return Column("members", label=gettext_lazy("Members"), accessor="members")


class TagViewSet(ModelViewSet):
    model = Tag
    icon = "tag"
    menu_label = gettext_lazy("Tags")
    menu_order = 5
    url_prefix = "crm-tags"
    name = "crm_tags"
    add_to_admin_menu = True
    menu_hook = "register_crm_menu_item"
    index_view_class = TagIndexView
    list_display = ["name", "description", _members_column()]
    search_fields = ["name"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return TagForm


class ClientGroupViewSet(ModelViewSet):
    model = ClientGroup
    icon = "group"
    menu_label = gettext_lazy("Groups")
    menu_order = 6
    url_prefix = "crm-groups"
    name = "crm_groups"
    add_to_admin_menu = True
    menu_hook = "register_crm_menu_item"
    add_view_class = GroupCreateView
    index_view_class = GroupIndexView
    list_display = ["name", "description", _members_column(), "created_at"]
    search_fields = ["name"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return GroupForm
