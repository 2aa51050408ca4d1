"""Staff screens of the case engine: one page per case with its timeline, the registry facts,
the eligibility reasoning, the documents, the outside-system exchanges and the retry action."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from eservices import services as account_services
from eservices.cases import services
from eservices.cases.models import Case, CaseStatus
from eservices.errors import EservicesError


def _case(pk: int) -> Case:
    return get_object_or_404(
        Case.objects.select_related("service_type", "applicant__user").defer("decision_unsigned"), pk=pk
    )


class CaseDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "eservices/admin/case_detail.html"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("eservices.view_case"):
            raise PermissionDenied
        self.case = _case(kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Case %(reference)s") % {"reference": self.case.reference}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("cases:index"), "label": _("Cases")},
            {"url": "", "label": self.case.reference},
        ]

    def get_context_data(self, **kwargs):
        from integrations.models import Exchange

        context = super().get_context_data(**kwargs)
        keys = [key for key in self.case.keys.values() if key]
        context.update(
            {
                "case": self.case,
                "events": self.case.events.all(),
                "reasons": self.case.eligibility.get("results", []),
                "facts": self.case.facts,
                "exchanges": Exchange.objects.filter(idempotency_key__in=keys).order_by("created_at"),
                "can_retry": self.case.status == CaseStatus.FAILED
                and self.request.user.has_perm("eservices.retry_case"),
                "has_decision": bool(self.case.decision_sha256),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("eservices.retry_case"):
            raise PermissionDenied
        try:
            services.case_retry(case=self.case, user=request.user)
            messages.success(request, _("The case continues from the step where it stopped."))
        except EservicesError as exc:
            messages.error(request, exc.message)
        return redirect("cases:detail", pk=self.case.pk)


class CaseDecisionDownloadView(View):
    """Staff copy of the signed decision; it holds personal data, so the read is audit-logged."""

    def get(self, request, pk: int):
        if not request.user.has_perm("eservices.view_case"):
            raise PermissionDenied
        case = _case(pk)
        if not case.decision_pdf:
            raise PermissionDenied
        account_services.personal_data_access_log(
            profile=case.applicant, user=request.user, fields=["decision"], context=f"case {case.reference}"
        )
        response = HttpResponse(bytes(case.decision_pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="hatarozat-{case.reference}.pdf"'
        return response
