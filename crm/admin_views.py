"""Staff screens of the CRM: the quick search (results as the clerk types), a client's page
(record, contacts with their validation, consents, history, timeline — every opening audited)
and the cleanup queue.

The search page works as a plain GET form; `crm/static/crm/quick_search.js` fetches the same
page's result fragment while the clerk types (the CSP forbids inline scripts).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from crm import selectors, services
from crm.errors import CrmError
from crm.models import CleanupItem, CleanupState, ClientChange
from crm.timeline import KINDS, client_timeline

VIEW = "crm.view_client"


class CrmPage(WagtailAdminTemplateMixin, TemplateView):
    permission = VIEW
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items, {"url": reverse("crm:search"), "label": _("Clients")}]
        if self.get_page_title() != _("Clients"):
            items.append({"url": "", "label": self.get_page_title()})
        return items


class ClientSearchView(CrmPage):
    template_name = "crm/admin/search.html"

    def get_page_title(self):
        return _("Clients")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")[:200]
        result = selectors.clients_quick_search(query) if query.strip() else None
        context.update({"query": query, "result": result})
        return context

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        if request.GET.get("partial"):
            return TemplateResponse(request, "crm/admin/search_results.html", context)
        return self.render_to_response(context)


class ClientDetailView(CrmPage):
    template_name = "crm/admin/client_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.has_perm(self.permission):
            raise PermissionDenied
        try:
            self.client = selectors.client_for_staff(kwargs["pk"])
        except selectors.Client.DoesNotExist as exc:
            from django.http import Http404

            raise Http404 from exc
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.client)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        services.client_viewed(client=self.client, user=self.request.user, context="client_page")
        changes = Paginator(
            ClientChange.objects.filter(client=self.client).select_related("actor").order_by("-at", "-pk"), 20
        ).get_page(self.request.GET.get("history"))
        for change in changes:
            change.lines = change_lines(change.changes)
            change.action_label = ACTION_LABELS.get(change.action, change.action)
        context.update(
            {
                "client": self.client,
                "consents": list(self.client.consents.all()),
                "tags": [ct.tag for ct in self.client.client_tags.select_related("tag")],
                "memberships": list(self.client.group_memberships.select_related("group")),
                "identifiers": list(self.client.identifiers.all()),
                "changes": changes,
                "timeline": [
                    {"entry": entry, "kind_label": KINDS.get(entry.kind, entry.kind)}
                    for entry in client_timeline(self.client, limit=50)
                ],
                "cleanup": list(self.client.cleanup_items.filter(state=CleanupState.OPEN)),
                "notes": list(self.client.notes.select_related("author")[:20]),
            }
        )
        from crm.tags_admin import client_segments_context  # the tag and group forms

        context.update(client_segments_context(self.client))
        from crm.duplicates_admin import client_duplicates_context

        context.update(client_duplicates_context(self.client, self.request.user))
        return context


class ResolveForm(forms.Form):
    item = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("fixed", "fixed"), ("dismissed", "dismissed")], widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


class CleanupQueueView(CrmPage):
    """Problems cleansing could not fix, oldest first, filterable by field."""

    template_name = "crm/admin/cleanup_queue.html"
    permission = "crm.change_cleanupitem"
    header_icon = "warning"

    def get_page_title(self):
        return _("Cleanup queue")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        field = self.request.GET.get("field", "")
        items = CleanupItem.objects.filter(state=CleanupState.OPEN).select_related("client").order_by("created_at")
        if field:
            items = items.filter(field=field)
        fields = (
            CleanupItem.objects.filter(state=CleanupState.OPEN)
            .order_by("field")
            .values_list("field", flat=True)
            .distinct()
        )
        context.update(
            {
                "page": Paginator(items, 50).get_page(self.request.GET.get("p")),
                "field": field,
                "fields": [(value, FIELD_LABELS.get(value, value)) for value in fields],
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ResolveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose whether the problem was fixed or is to be dismissed."))
            return redirect("crm:cleanup")
        item = get_object_or_404(CleanupItem, pk=form.cleaned_data["item"])
        try:
            services.cleanup_resolve(
                item=item,
                user=request.user,
                dismiss=form.cleaned_data["action"] == "dismissed",
                note=form.cleaned_data["note"],
            )
        except CrmError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The problem of %(client)s is closed.") % {"client": item.client})
        return redirect("crm:cleanup")


CHANGE_LABELS = {
    "tags": gettext_lazy("Tags"),
    "groups": gettext_lazy("Groups"),
    "name_prefix": gettext_lazy("Name prefix"),
    "family_name": gettext_lazy("Family name"),
    "given_names": gettext_lazy("Given names"),
    "gender": gettext_lazy("Gender"),
    "gender_source": gettext_lazy("Gender source"),
    "birth_date": gettext_lazy("Date of birth"),
    "loyalty_card_number": gettext_lazy("Hegyvidék Kártya"),
    "emails": gettext_lazy("Email addresses"),
    "phones": gettext_lazy("Phone numbers"),
    "addresses": gettext_lazy("Addresses"),
    "consents": gettext_lazy("Consents"),
    "field": gettext_lazy("Field"),
    "code": gettext_lazy("Problem"),
    "note": gettext_lazy("Note"),
    "merged_client": gettext_lazy("Merged client"),
    "survivor": gettext_lazy("Remaining client"),
    "merge": gettext_lazy("Merge"),
    "kept_fields": gettext_lazy("Kept as changed since the merge"),
}
ACTION_LABELS = {
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Changed"),
    "cleanup_fixed": gettext_lazy("Data problem fixed"),
    "cleanup_dismissed": gettext_lazy("Data problem dismissed"),
    "tag_added": gettext_lazy("Tag added"),
    "tag_removed": gettext_lazy("Tag removed"),
    "group_added": gettext_lazy("Added to a group"),
    "group_removed": gettext_lazy("Removed from a group"),
    "merged": gettext_lazy("Another record merged into this one"),
    "merged_into": gettext_lazy("Merged into another record"),
    "unmerged": gettext_lazy("Merge undone"),
}
PART_LABELS = {
    "added": gettext_lazy("added"),
    "changed": gettext_lazy("changed"),
    "removed": gettext_lazy("removed"),
}


def _shown(value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_shown(v)}" for k, v in value.items() if k != "id")
    if isinstance(value, list):
        return " → ".join(_shown(v) for v in value)
    return str(value)


def change_lines(changes: dict) -> list[str]:
    """A history row's changes as sentences: 'Family name: Kovacs → Kovács', 'Phone numbers
    added: +36301234567'."""
    lines = []
    for key, value in (changes or {}).items():
        label = CHANGE_LABELS.get(key, key)
        if isinstance(value, dict) and set(value) <= set(PART_LABELS):
            for part, items in value.items():
                lines.append(f"{label} {PART_LABELS[part]}: {'; '.join(_shown(i) for i in items)}")
        elif isinstance(value, dict):  # consents: {channel: [before, after, source]}
            lines.append(f"{label}: " + "; ".join(f"{k}: {_shown(v)}" for k, v in value.items()))
        else:
            lines.append(f"{label}: {_shown(value)}")
    return lines


FIELD_LABELS = {
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "address": gettext_lazy("Address"),
    "gender": gettext_lazy("Gender"),
    "name": gettext_lazy("Name"),
}
