"""Staff screens of the client import (`crm.import_clients`): upload a CSV/XLSX file, map its
columns, run a dry run, import, watch the progress bar, read the report and download the failed
rows. Views validate and delegate to `crm.imports`, which checks the permission again.

Importing this module registers the import's log actions; the viewset is registered by the CRM
menu (`crm/wagtail_hooks.py`).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse, reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from crm.admin_views import CrmPage
from crm.errors import CrmError
from crm.imports import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    PERMISSION,
    TARGETS,
    import_failed_rows_csv,
    import_mapping_save,
    import_start,
    import_status,
    import_upload,
)
from crm.models import ClientImport, ClientImportMatch, ClientImportRow, ClientImportState

NS = "crm_import"


class ImportPage(CrmPage):
    permission = PERMISSION
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items, {"url": reverse("crm:search"), "label": _("Clients")}]
        items.append({"url": reverse(f"{NS}:index"), "label": _("Import")})
        if self.get_page_title() != _("Import clients"):
            items.append({"url": "", "label": self.get_page_title()})
        return items


class ImportObjectMixin:
    def dispatch(self, request, *args, **kwargs):
        self.client_import = get_object_or_404(ClientImport.objects.select_related("uploaded_by"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


def _error_to_form(form: forms.Form, exc: CrmError, default_field: str | None = None) -> None:
    added = False
    for name, errors in (exc.fields or {}).items():
        target = name if name in form.fields else default_field
        for error in errors:
            form.add_error(target, error)
            added = True
    if not added:
        form.add_error(default_field, exc.message)


# --- upload ---------------------------------------------------------------------------------------
class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File of clients"),
        help_text=format_lazy(
            gettext_lazy(
                "CSV (UTF-8 or Windows-1250, separated by ; or ,) or Excel .xlsx with a header row; "
                "at most {size} MB and {rows} rows."
            ),
            size=MAX_FILE_BYTES // (1024 * 1024),
            rows=f"{MAX_ROWS:,}".replace(",", " "),
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )


class ImportIndexView(ImportPage):
    template_name = "crm/admin/import_index.html"

    def get_page_title(self):
        return _("Import clients")

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        imports = ClientImport.objects.select_related("uploaded_by").order_by("-uploaded_at", "-pk")
        context.update(
            {
                "form": form or UploadForm(),
                "page": Paginator(imports, 20).get_page(self.request.GET.get("p")),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                client_import = import_upload(uploaded_file=form.cleaned_data["file"], user=request.user)
            except CrmError as exc:
                _error_to_form(form, exc, "file")
            else:
                return redirect(f"{NS}:mapping", pk=client_import.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- mapping --------------------------------------------------------------------------------------
class MappingForm(forms.Form):
    match_by = forms.ChoiceField(
        label=gettext_lazy("Clients already in the CRM"),
        choices=ClientImportMatch.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(key, label) for key, label in TARGETS.items()]
        self.columns = []
        for index, header in enumerate(headers):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or _("Column %(number)d") % {"number": index + 1}, choices=choices
            )
            self.columns.append(name)

    def mapping(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.columns]


class ImportMappingView(ImportObjectMixin, ImportPage):
    template_name = "crm/admin/import_mapping.html"

    def get_page_title(self):
        return _("Map the columns of %(file)s") % {"file": self.client_import.file_name}

    def _form(self, data=None) -> MappingForm:
        initial = {f"column_{i}": target for i, target in enumerate(self.client_import.mapping)}
        initial["match_by"] = self.client_import.match_by
        return MappingForm(data, headers=self.client_import.headers, initial=initial)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        form = form or self._form()
        preview = self.client_import.preview
        context.update(
            {
                "client_import": self.client_import,
                "form": form,
                "columns": [
                    {"field": form[name], "samples": [row[i] if i < len(row) else "" for row in preview]}
                    for i, name in enumerate(form.columns)
                ],
                "editable": self.client_import.state
                in (ClientImportState.UPLOADED, ClientImportState.CHECKED, ClientImportState.FAILED),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if form.is_valid():
            dry_run = request.POST.get("action") != "import"
            try:
                import_mapping_save(
                    client_import=self.client_import,
                    mapping=form.mapping(),
                    match_by=form.cleaned_data["match_by"],
                    user=request.user,
                )
                import_start(client_import=self.client_import, user=request.user, dry_run=dry_run)
            except CrmError as exc:
                _error_to_form(form, exc)
            else:
                return redirect(f"{NS}:detail", pk=self.client_import.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- progress, report, failed rows ----------------------------------------------------------------
REPORT_FILTERS = {
    "": gettext_lazy("All rows"),
    "failed": gettext_lazy("Failed"),
    "flagged": gettext_lazy("Need a look"),
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Updated"),
}


class ImportDetailView(ImportObjectMixin, ImportPage):
    template_name = "crm/admin/import_detail.html"

    def get_page_title(self):
        return _("Import of %(file)s") % {"file": self.client_import.file_name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        client_import = self.client_import
        real = client_import.rows.filter(dry_run=False).exists() or not client_import.dry_run
        rows = client_import.rows.filter(dry_run=not real).order_by("row_number")
        shown = self.request.GET.get("show", "")
        if shown == "flagged":
            rows = rows.filter(flagged=True)
        elif shown in ClientImportRow.Outcome.values:
            rows = rows.filter(outcome=shown)
        status = import_status(client_import)
        context.update(
            {
                "client_import": client_import,
                "status": status,
                "report_is_dry_run": not real,
                "page": Paginator(rows.select_related("client"), 50).get_page(self.request.GET.get("p")),
                "shown": shown,
                "filters": list(REPORT_FILTERS.items()),
                "can_view_clients": self.request.user.has_perm("crm.view_client"),
                "can_import": client_import.state in (ClientImportState.CHECKED, ClientImportState.FAILED)
                and not (client_import.state == ClientImportState.FAILED and client_import.dry_run),
                "can_remap": client_import.state in (ClientImportState.UPLOADED, ClientImportState.CHECKED)
                or (client_import.state == ClientImportState.FAILED and client_import.dry_run),
                "has_failed": client_import.rows_failed > 0 and status["finished"],
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        """The real run, after the clerk read the dry run's report (or resuming a failed one)."""
        try:
            import_start(client_import=self.client_import, user=request.user, dry_run=False)
        except CrmError as exc:
            messages.error(request, exc.message)
        return redirect(f"{NS}:detail", pk=self.client_import.pk)


class ImportStatusView(ImportObjectMixin, ImportPage):
    def get(self, request, *args, **kwargs):
        response = JsonResponse(import_status(self.client_import))
        response["Cache-Control"] = "no-store"
        return response


class ImportFailedRowsView(ImportObjectMixin, ImportPage):
    def get(self, request, *args, **kwargs):
        stem = self.client_import.file_name.rsplit(".", 1)[0] or "import"
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem)[:80]
        response = HttpResponse(import_failed_rows_csv(self.client_import), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{safe}-{_("failed")}.csv"'
        response["Cache-Control"] = "no-store"
        return response


# --- registration ---------------------------------------------------------------------------------
class _ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


class ClientImportViewSet(ViewSet):
    name = NS
    url_prefix = "crm-import"
    icon = "upload"
    menu_label = gettext_lazy("Import")

    def get_urlpatterns(self):
        return [
            path("", ImportIndexView.as_view(), name="index"),
            path("<int:pk>/", ImportDetailView.as_view(), name="detail"),
            path("<int:pk>/mapping/", ImportMappingView.as_view(), name="mapping"),
            path("<int:pk>/status/", ImportStatusView.as_view(), name="status"),
            path("<int:pk>/failed.csv", ImportFailedRowsView.as_view(), name="failed"),
        ]

    def get_menu_item(self, order=None):
        return _ImportMenuItem(self.menu_label, reverse_lazy(f"{NS}:index"), icon_name=self.icon, order=5)


@hooks.register("register_log_actions")
def register_import_log_actions(actions):
    actions.register_action(
        "crm.import_uploaded", gettext_lazy("Upload client import"), gettext_lazy("Client import file uploaded")
    )
    actions.register_action(
        "crm.import_checked",
        gettext_lazy("Dry run of client import"),
        gettext_lazy("Dry run of a client import started"),
    )
    actions.register_action(
        "crm.import_check_finished",
        gettext_lazy("Dry run of client import done"),
        gettext_lazy("Dry run of a client import finished"),
    )
    actions.register_action(
        "crm.import_started", gettext_lazy("Start client import"), gettext_lazy("Client import started")
    )
    actions.register_action(
        "crm.import_finished", gettext_lazy("Finish client import"), gettext_lazy("Client import finished")
    )
