"""Staff screens of segments: the complex search builder (results, export, save, tag or group
every client found), the saved searches, tags and groups, and tagging one client on its page.

The builder is `crm/static/crm/search_builder.js`, driven by `crm.search.builder.builder_schema()`
delivered with `json_script`; it keeps the JSON expression in a textarea that is also the form
without JavaScript (and editable by hand). Searching is a GET (pages and links keep the
expression); saving and bulk changes are POSTs, a bulk change first shows how many clients it
will touch and waits for a confirmation.

Registered from `crm.wagtail_hooks` (which imports this module): the viewsets here and their menu
items under *Clients*. Tags and groups themselves, and one client's tags and groups, are in
`crm.tags_admin`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSet

from crm import segments
from crm.admin_views import CrmPage
from crm.errors import CrmError
from crm.menu import PermissionMenuItem
from crm.models import ClientGroup, SavedSearch, Tag
from crm.search.builder import builder_schema
from crm.search.export import FORMATS
from crm.search.expression import clients_matching, expression_describe, expression_validate
from crm.search.results import clients_export_response, results_page
from crm.tags_admin import ClientGroupsView, ClientGroupViewSet, ClientTagsView, TagViewSet

MAX_EXPRESSION_TEXT = 100_000
EXPORT_PERMISSION = "crm.view_client_personal_data"


def _parse(text: str) -> tuple[Any, list[str]]:
    """The expression typed or built, or the reason it cannot be read as JSON."""
    if len(text) > MAX_EXPRESSION_TEXT:
        return None, [_("The search is too long.")]
    try:
        return json.loads(text), []
    except ValueError as exc:
        return None, [_("The search is not valid JSON: %(error)s") % {"error": exc}]


def _checked(text: str) -> tuple[dict | None, list[str]]:
    value, problems = _parse(text)
    if problems:
        return None, problems
    try:
        return expression_validate(value), []
    except CrmError as exc:
        return None, list(exc.fields.get("expression") or [exc.message])


def _anchor(problem: str) -> str:
    """The builder element a problem is about: "items[2].items[0].value: …" -> "crm-node-2-0"
    (the builder gives every group and condition such an id)."""
    path = problem.split(": ", 1)[0] if ": " in problem else ""
    positions = []
    for part in path.split("."):
        if part.startswith("items[") and part.endswith("]") and part[6:-1].isdigit():
            positions.append(part[6:-1])
        elif positions or part:
            break
    return "-".join(["crm-node", *positions])


def builder_texts() -> dict:
    """The builder's own words (the script has no translation catalogue of its own)."""
    return {
        "field": _("Field"),
        "operator": _("Operator"),
        "value": _("Value"),
        "choose": _("— choose —"),
        "any": _("— any —"),
        "match": pgettext("search builder: all of / any of", "Match"),
        "all_of": _("all of these"),
        "any_of": _("any of these"),
        "not_group": _("Exclude clients matching this group"),
        "not_condition": _("Exclude"),
        "group": _("Group %(number)s"),
        "root": _("All criteria"),
        "condition": _("Condition %(number)s"),
        "add_condition": _("Add condition"),
        "add_group": _("Add group"),
        "remove_condition": _("Remove condition"),
        "remove_condition_n": _("Remove condition %(number)s"),
        "remove_group": _("Remove group"),
        "remove_group_n": _("Remove group %(number)s"),
        "condition_added": _("Condition added."),
        "group_added": _("Group added."),
        "condition_removed": _("Condition removed."),
        "group_removed": _("Group removed."),
        "minimum": _("Minimum"),
        "maximum": _("Maximum"),
        "from": _("From"),
        "to": _("To"),
        "last_days": _("In the last N days"),
        "yes": _("Yes"),
        "no": _("No"),
        "channel": _("Channel"),
        "granted": _("Granted"),
        "service_type": _("Service type"),
        "status": _("Status"),
        "min_amount": _("Minimum amount (Ft)"),
        "activity": _("Activity"),
        "address": _("Address"),
        "address_any": _("any address"),
        "address_default": _("default address"),
        "on_day": _("Valid on (empty: today)"),
        "several": _("Choose one or more (Ctrl or Shift with the arrow keys and Space)."),
        "comma_separated": _("Separate several with commas."),
        "not_loaded": _("The JSON text could not be shown in the builder; it is searched as typed."),
        "json_edited": _("The JSON text was edited; the search uses it as typed until it is loaded into the builder."),
    }


def _search_url(*, expression_text: str = "", saved: SavedSearch | None = None, page=None) -> str:
    params: dict[str, Any] = {}
    if saved is not None:
        params["saved"] = saved.pk
    if expression_text:
        params["expression"] = expression_text
    if page:
        params["page"] = page
    return reverse("crm_segments:complex") + ("?" + urlencode(params) if params else "")


def _perm(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


# --- forms ---------------------------------------------------------------------------------------
class SaveSearchForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=SavedSearch._meta.get_field("name").max_length)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class BulkTagsForm(forms.Form):
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        max_length=1000,
        widget=forms.TextInput(attrs={"list": "crm-tag-names", "autocomplete": "off"}),
        help_text=gettext_lazy("One or more tags, separated by commas. A new tag is created when added."),
    )
    mode = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove")], widget=forms.HiddenInput)

    def clean_tags(self):
        names = [" ".join(name.split()) for name in self.cleaned_data["tags"].split(",")]
        names = [name for name in dict.fromkeys(names) if name]
        if not names:
            raise forms.ValidationError(_("Name at least one tag."))
        return names


class BulkGroupForm(forms.Form):
    group = forms.ModelChoiceField(label=gettext_lazy("Group"), queryset=ClientGroup.objects.order_by("name"))
    valid_from = forms.DateField(
        label=gettext_lazy("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    mode = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove")], widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and start > end:
            self.add_error("valid_until", _("The membership cannot end before it starts."))
        return cleaned


# --- the complex search --------------------------------------------------------------------------
class ComplexSearchView(CrmPage):
    """Build, run, export, save a search; tag or group every client it finds."""

    template_name = "crm/admin/complex_search.html"
    header_icon = "search"

    def get_page_title(self):
        return _("Complex search")

    def _saved(self, value) -> SavedSearch | None:
        if not value:
            return None
        try:
            return SavedSearch.objects.get(pk=int(value))
        except (ValueError, SavedSearch.DoesNotExist) as exc:
            raise Http404 from exc

    # GET: the builder, and the results of the expression given
    def get(self, request, *args, **kwargs):
        saved = self._saved(request.GET.get("saved"))
        text = request.GET.get("expression", "")
        if not text and saved is not None:
            text = json.dumps(saved.expression, ensure_ascii=False)
        return self.render_to_response(self.page_context(text=text, saved=saved, page=request.GET.get("page")))

    def page_context(self, *, text: str, saved: SavedSearch | None, page=None, **extra) -> dict:
        user = self.request.user
        context = self.get_context_data()
        expression, problems = _checked(text) if text.strip() else (None, [])
        result = None
        if expression is not None:
            paginated, rows = results_page(clients_matching(expression), page=page)
            result = {
                "description": expression_describe(expression),
                "page": paginated,
                "rows": rows,
                "count": paginated.paginator.count,
                "previous_url": _search_url(expression_text=text, saved=saved, page=paginated.number - 1)
                if paginated.has_previous()
                else "",
                "next_url": _search_url(expression_text=text, saved=saved, page=paginated.number + 1)
                if paginated.has_next()
                else "",
            }
        save_form = extra.pop("save_form", None) or SaveSearchForm(
            initial={"name": "", "description": saved.description if saved else ""}
        )
        tags_form = extra.pop("tags_form", None) or BulkTagsForm(initial={"mode": "add"})
        group_form = extra.pop("group_form", None) or BulkGroupForm(initial={"mode": "add"})
        problem_rows = [{"message": problem, "anchor": _anchor(problem)} for problem in problems]
        for bound in (save_form, tags_form, group_form):
            if bound.is_bound:
                for field in bound:
                    problem_rows += [
                        {"message": f"{field.label}: {error}", "anchor": field.id_for_label} for error in field.errors
                    ]
        context.update(
            {
                "schema": {**builder_schema(), "texts": builder_texts()},
                "expression_text": text,
                "problems": problem_rows,
                "result": result,
                "saved": saved,
                "save_form": save_form,
                "tags_form": tags_form,
                "group_form": group_form,
                "tag_names": list(Tag.objects.values_list("name", flat=True)[:1000]),
                "can_export": user.has_perm(EXPORT_PERMISSION),
                "can_save": user.has_perm("crm.add_savedsearch"),
                "can_update": saved is not None and user.has_perm("crm.change_savedsearch"),
                "can_bulk": user.has_perm("crm.change_client"),
                "export_url": reverse("crm_segments:export"),
                "formats": FORMATS,
                **extra,
            }
        )
        return context

    # POST: save, or a bulk change (confirmed first)
    def post(self, request, *args, **kwargs):
        text = request.POST.get("expression", "")
        saved = self._saved(request.POST.get("saved"))
        action = request.POST.get("action", "")
        if action in ("save", "update"):
            return self._save(request, text, saved, update=action == "update")
        if action in ("tags", "group"):
            _perm(request, "crm.change_client")
            return self._bulk(request, text, saved, kind=action)
        return redirect(_search_url(expression_text=text, saved=saved))

    def _save(self, request, text, saved, *, update: bool):
        _perm(request, "crm.change_savedsearch" if update else "crm.add_savedsearch")
        value, problems = _parse(text)
        form = SaveSearchForm(request.POST)
        if update:
            if saved is None:
                raise Http404
            form = SaveSearchForm({"name": saved.name, "description": saved.description})
        if not problems and form.is_valid():
            try:
                stored = segments.saved_search_save(
                    saved_search=saved if update else None,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    expression=value,
                    user=request.user,
                )
            except CrmError as exc:
                if "name" in exc.fields:
                    form.add_error("name", exc.fields["name"])
                else:
                    problems = list(exc.fields.get("expression") or [exc.message])
            else:
                messages.success(request, _("The search “%(name)s” is saved.") % {"name": stored.name})
                return redirect(_search_url(saved=stored))
        context = self.page_context(text=text, saved=saved, save_form=form, save_open=True)
        if problems:
            context["problems"] = [{"message": p, "anchor": _anchor(p)} for p in problems] + context["problems"]
        return self.render_to_response(context)

    def _bulk(self, request, text, saved, *, kind: str):
        form = (BulkTagsForm if kind == "tags" else BulkGroupForm)(request.POST)
        forms_key = "tags_form" if kind == "tags" else "group_form"
        expression, problems = _checked(text)
        if problems or not form.is_valid():
            context = self.page_context(text=text, saved=saved, bulk_open=True, **{forms_key: form})
            return self.render_to_response(context)
        clients = clients_matching(expression)
        remove = form.cleaned_data["mode"] == "remove"
        if request.POST.get("confirm") != "yes":
            count = clients.order_by().count()
            confirm = {
                "kind": kind,
                "remove": remove,
                "count": count,
                "form": form,
                "cancel_url": _search_url(expression_text=text, saved=saved),
            }
            if kind == "tags":
                confirm["names"] = ", ".join(form.cleaned_data["tags"])
            else:
                confirm["names"] = form.cleaned_data["group"].name
            context = self.page_context(text=text, saved=saved, confirm=confirm, **{forms_key: form})
            return self.render_to_response(context)
        try:
            if kind == "tags":
                if not remove and not request.user.has_perm("crm.add_tag"):
                    known = {name.casefold() for name in Tag.objects.values_list("name", flat=True)}
                    if any(name.casefold() not in known for name in form.cleaned_data["tags"]):
                        raise PermissionDenied
                count = segments.tags_bulk_apply(
                    clients=clients,
                    tag_names=form.cleaned_data["tags"],
                    remove=remove,
                    user=request.user,
                    expression=expression,
                    saved_search=saved,
                )
                what = ", ".join(form.cleaned_data["tags"])
            else:
                count = segments.groups_bulk_apply(
                    clients=clients,
                    group=form.cleaned_data["group"],
                    remove=remove,
                    valid_from=form.cleaned_data["valid_from"],
                    valid_until=form.cleaned_data["valid_until"],
                    user=request.user,
                    expression=expression,
                    saved_search=saved,
                )
                what = form.cleaned_data["group"].name
        except CrmError as exc:
            messages.error(request, exc.message)
        else:
            if remove:
                template = _("Removed %(what)s: %(count)s changes.")
            else:
                template = _("Added %(what)s: %(count)s changes.")
            messages.success(request, template % {"what": what, "count": count})
        return redirect(_search_url(expression_text=text, saved=saved))


class ExportView(CrmPage):
    """The clients of the search as CSV or XLSX (personal data: audited)."""

    permission = EXPORT_PERMISSION

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format", "csv")
        if fmt not in FORMATS:
            raise Http404
        saved = None
        text = request.GET.get("expression", "")
        if request.GET.get("saved") and not text:
            saved = get_object_or_404(SavedSearch, pk=request.GET["saved"])
            text = json.dumps(saved.expression)
        expression, problems = _checked(text)
        if problems:
            messages.error(request, problems[0])
            return redirect(_search_url(expression_text=text))
        clients = clients_matching(expression)
        segments.clients_export_record(
            user=request.user,
            fmt=fmt,
            count=clients.order_by().count(),
            expression=expression,
            saved_search=saved,
            context="staff_area",
        )
        return clients_export_response(clients, fmt=fmt, filename=f"clients-{timezone.localdate().isoformat()}")


# --- saved searches ------------------------------------------------------------------------------
class SavedSearchListView(CrmPage):
    template_name = "crm/admin/saved_searches.html"
    permission = "crm.view_savedsearch"
    header_icon = "list-ul"

    def get_page_title(self):
        return _("Saved searches")

    def get_context_data(self, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context_data(**kwargs)
        page = Paginator(SavedSearch.objects.order_by("name", "pk"), 25).get_page(self.request.GET.get("p"))
        for saved in page:
            try:
                saved.count = clients_matching(saved.expression).order_by().count()
                saved.summary = expression_describe(saved.expression)
            except CrmError:  # stored before the format changed: shown, not a crash
                saved.count, saved.summary = None, ""
        user = self.request.user
        context.update(
            {
                "page": page,
                "can_change": user.has_perm("crm.change_savedsearch"),
                "can_delete": user.has_perm("crm.delete_savedsearch"),
            }
        )
        return context


class SavedSearchEditView(CrmPage):
    template_name = "crm/admin/saved_search_edit.html"
    permission = "crm.change_savedsearch"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.has_perm(self.permission):
            raise PermissionDenied
        self.saved = get_object_or_404(SavedSearch, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Edit saved search")

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        items.insert(-1, {"url": reverse("crm_segments:saved"), "label": _("Saved searches")})
        return items

    def get(self, request, *args, **kwargs):
        form = SaveSearchForm(initial={"name": self.saved.name, "description": self.saved.description})
        return self.render_to_response(self._context(form))

    def _context(self, form, problems=()):
        context = self.get_context_data()
        context.update({"saved": self.saved, "form": form, "problems": list(problems)})
        return context

    def post(self, request, *args, **kwargs):
        form = SaveSearchForm(request.POST)
        if form.is_valid():
            try:
                segments.saved_search_save(
                    saved_search=self.saved,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    expression=self.saved.expression,
                    user=request.user,
                )
            except CrmError as exc:
                if "name" in exc.fields:
                    form.add_error("name", exc.fields["name"])
                else:
                    return self.render_to_response(self._context(form, exc.fields.get("expression") or [exc.message]))
            else:
                messages.success(request, _("The search “%(name)s” is saved.") % {"name": self.saved.name})
                return redirect("crm_segments:saved")
        return self.render_to_response(self._context(form))


class SavedSearchDeleteView(SavedSearchEditView):
    template_name = "crm/admin/saved_search_delete.html"
    permission = "crm.delete_savedsearch"
    header_icon = "bin"

    def get_page_title(self):
        return _("Delete saved search")

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self._context(None))

    def post(self, request, *args, **kwargs):
        name = self.saved.name
        segments.saved_search_delete(saved_search=self.saved, user=request.user)
        messages.success(request, _("The search “%(name)s” is deleted.") % {"name": name})
        return redirect("crm_segments:saved")


class SegmentsViewSet(ViewSet):
    name = "crm_segments"
    url_prefix = "crm/search"
    icon = "search"

    def get_urlpatterns(self):
        return [
            path("complex/", ComplexSearchView.as_view(), name="complex"),
            path("complex/export/", ExportView.as_view(), name="export"),
            path("saved/", SavedSearchListView.as_view(), name="saved"),
            path("saved/<int:pk>/edit/", SavedSearchEditView.as_view(), name="saved_edit"),
            path("saved/<int:pk>/delete/", SavedSearchDeleteView.as_view(), name="saved_delete"),
            path("client/<int:pk>/tags/", ClientTagsView.as_view(), name="client_tags"),
            path("client/<int:pk>/groups/", ClientGroupsView.as_view(), name="client_groups"),
        ]


@hooks.register("register_admin_viewset")
def register_segment_viewsets():
    return [SegmentsViewSet(), TagViewSet(), ClientGroupViewSet()]


@hooks.register("register_crm_menu_item")
def complex_search_menu_item():
    return PermissionMenuItem(
        gettext_lazy("Complex search"),
        reverse_lazy("crm_segments:complex"),
        icon_name="search",
        order=3,
        permission="crm.view_client",
    )


@hooks.register("register_crm_menu_item")
def saved_searches_menu_item():
    return PermissionMenuItem(
        gettext_lazy("Saved searches"),
        reverse_lazy("crm_segments:saved"),
        icon_name="list-ul",
        order=4,
        permission="crm.view_savedsearch",
    )
