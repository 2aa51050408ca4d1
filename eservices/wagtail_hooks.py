"""Staff area: the Residents menu with in-person identification, and audit-log actions."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from eservices.admin_views import IdentifyView
from eservices.cases.admin_views import CaseDecisionDownloadView, CaseDetailView
from eservices.cases.models import Case
from eservices.models import ResidentProfile


class ResidentIndexView(IndexView):
    def get_edit_url(self, instance):
        # a clerk opens a resident to identify them; contact data editing is secondary
        if self.request.user.has_perm("eservices.identify_resident"):
            return reverse("residents:identify", args=[instance.pk])
        return super().get_edit_url(instance)


class ResidentViewSet(ModelViewSet):
    model = ResidentProfile
    icon = "user"
    menu_label = _("Residents")
    menu_order = 150
    add_to_admin_menu = True
    url_prefix = "residents"
    name = "residents"
    index_view_class = ResidentIndexView
    list_display = ["__str__", "user", "identification_status", "verified_at"]
    list_filter = ["identification_status"]
    search_fields = ["family_name", "given_names", "user__email"]
    form_fields = ["family_name", "given_names", "phone"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return ResidentProfile.objects.select_related("user")

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("identify/<int:pk>/", IdentifyView.as_view(), name="identify"),
        ]


resident_viewset = ResidentViewSet()


class CaseIndexView(IndexView):
    def get_edit_url(self, instance):
        return reverse("cases:detail", args=[instance.pk])


class CaseViewSet(ModelViewSet):
    """Cases list with filters; a case opens on its own page (timeline, facts, retry)."""

    model = Case
    icon = "doc-full"
    menu_label = _("Cases")
    menu_order = 160
    add_to_admin_menu = True
    url_prefix = "cases"
    name = "cases"
    index_view_class = CaseIndexView
    list_display = ["reference", "service_type", "applicant", "status", "step", "submitted_at"]
    list_filter = ["status", "service_type", "step", "submitted_at"]
    search_fields = ["reference", "filing_number", "permit_number"]
    form_fields = []
    copy_view_enabled = False

    def get_queryset(self, request):
        return Case.objects.select_related("service_type", "applicant").defer("decision_pdf", "decision_unsigned")

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("case/<int:pk>/", CaseDetailView.as_view(), name="detail"),
            path("case/<int:pk>/decision/", CaseDecisionDownloadView.as_view(), name="decision"),
        ]


case_viewset = CaseViewSet()


@hooks.register("register_admin_viewset")
def register_case_viewset():
    return case_viewset


@hooks.register("register_admin_viewset")
def register_resident_viewset():
    return resident_viewset


@hooks.register("register_log_actions")
def register_eservices_log_actions(actions):
    actions.register_action(
        "eservices.personal_data_viewed", _("View personal data"), _("Protected personal data viewed")
    )
    actions.register_action("eservices.identification_started", _("Start identification"), _("Identification started"))
    actions.register_action("eservices.identification_retried", _("Retry identification"), _("Registry check retried"))
    actions.register_action("eservices.identification_decided", _("Decide identification"), _("Identification decided"))
    actions.register_action("eservices.case_retried", _("Retry case"), _("Case step retried"))
