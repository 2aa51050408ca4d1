"""Staff screens for residents: the list, and in-person identification against the registry."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from eservices import services
from eservices.errors import EservicesError
from eservices.models import (
    DocumentType,
    IdentityVerification,
    ResidentProfile,
    VerificationState,
)

FIELD_LABELS = {
    "family_name": gettext_lazy("Family name"),
    "given_names": gettext_lazy("Given names"),
    "birth_name": gettext_lazy("Birth name"),
    "mother_birth_name": gettext_lazy("Mother's birth name"),
    "birth_date": gettext_lazy("Date of birth"),
    "birth_place": gettext_lazy("Place of birth"),
    "permanent_address.postcode": gettext_lazy("Postcode"),
    "permanent_address.settlement": gettext_lazy("Settlement"),
    "permanent_address.district": gettext_lazy("District"),
    "permanent_address.street_name": gettext_lazy("Street name"),
    "permanent_address.street_type": gettext_lazy("Street type"),
    "permanent_address.house_number": gettext_lazy("House number"),
    "permanent_address.building": gettext_lazy("Building"),
    "permanent_address.floor": gettext_lazy("Floor"),
    "permanent_address.door": gettext_lazy("Door"),
    "document": gettext_lazy("Identity document"),
}
DOCUMENT_STATUS_LABELS = {
    "valid": gettext_lazy("valid"),
    "expired": gettext_lazy("expired"),
    "revoked": gettext_lazy("revoked"),
}
STATUS_LABELS = {
    "match": gettext_lazy("Matches"),
    "differs": gettext_lazy("Differs"),
    "missing": gettext_lazy("Missing"),
}


class IdentificationStartForm(forms.Form):
    document_type = forms.ChoiceField(label=gettext_lazy("Document type"), choices=DocumentType.choices)
    document_number = forms.CharField(
        label=gettext_lazy("Document number"),
        max_length=20,
        help_text=gettext_lazy("As printed on the document, e.g. 123456AB."),
    )

    def clean_document_number(self):
        value = "".join(self.cleaned_data["document_number"].split()).upper()
        if not value.isalnum() or len(value) < 6:
            raise forms.ValidationError(_("A document number has at least 6 letters or digits."))
        return value


class IdentificationDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("reject", "reject")], widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("Note (required for a refusal)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class IdentifyView(WagtailAdminTemplateMixin, TemplateView):
    """One page for the clerk: the resident's data, the document form, the registry's answer
    field by field, and the decision when something differs."""

    template_name = "eservices/admin/identify.html"
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("eservices.identify_resident"):
            raise PermissionDenied
        self.profile = get_object_or_404(ResidentProfile.objects.select_related("user"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Identification: %(name)s") % {"name": self.profile}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("residents:index"), "label": _("Residents")},
            {"url": "", "label": str(self.profile)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_see_protected = self.request.user.has_perm("eservices.view_personal_data")
        if can_see_protected:
            services.personal_data_access_log(
                profile=self.profile,
                user=self.request.user,
                fields=list(ResidentProfile.PROTECTED_FIELDS) + ["document_number"],
                context="identification",
            )
        latest = self.profile.verifications.select_related("clerk", "decided_by").first()
        rows = []
        if latest and latest.field_results:
            # jsonb keeps no key order: show the rows in the order of the form
            order = {key: index for index, key in enumerate(FIELD_LABELS)}
            for key, result in sorted(latest.field_results.items(), key=lambda item: order.get(item[0], 99)):
                registry_value = result.get("registry", "")
                if key == "document":
                    registry_value = DOCUMENT_STATUS_LABELS.get(registry_value, registry_value)
                rows.append(
                    {
                        "label": FIELD_LABELS.get(key, key),
                        "status": result["status"],
                        "status_label": STATUS_LABELS.get(result["status"], result["status"]),
                        "ours": result.get("ours", ""),
                        "registry": registry_value,
                    }
                )
        context.update(self._crm_review_context(latest))
        address = self.profile.permanent_address or {}
        context.update(
            {
                "profile": self.profile,
                "can_see_protected": can_see_protected,
                "address_text": _format_address(address),
                "latest": latest,
                "rows": rows,
                "differences": [row for row in rows if row["status"] != "match"],
                "start_form": kwargs.get("start_form") or IdentificationStartForm(),
                "decision_form": kwargs.get("decision_form") or IdentificationDecisionForm(),
                "can_start": latest is None or latest.state not in IdentityVerification.OPEN_STATES,
                "is_open": latest is not None and latest.state in IdentityVerification.OPEN_STATES,
                "can_decide": latest is not None
                and latest.state in (VerificationState.DIFFERS, VerificationState.NOT_FOUND),
                "can_retry": latest is not None and latest.state == VerificationState.FAILED,
            }
        )
        return context

    def _crm_client(self):
        from crm.models import Client, ClientState

        return Client.objects.filter(user=self.profile.user_id, state=ClientState.ACTIVE).first()

    def _crm_review_context(self, latest) -> dict:
        """The client record compared with the registry's answer, for a clerk of the CRM."""
        if latest is None or not latest.field_results or not self.request.user.has_perm("crm.change_client"):
            return {}
        client = self._crm_client()
        if client is None:
            return {}
        from crm.registry import registry_review

        return {"crm_client": client, "crm_review": registry_review(client=client, verification=latest)}

    def _crm_review_post(self, request):
        from crm.errors import CrmError
        from crm.registry import registry_review_apply

        if not request.user.has_perm("crm.change_client"):
            raise PermissionDenied
        verification = get_object_or_404(
            IdentityVerification, pk=request.POST.get("verification"), profile=self.profile
        )
        client = self._crm_client()
        if client is None:
            messages.error(request, _("The resident has no client record."))
            return redirect("residents:identify", pk=self.profile.pk)
        accepted = {
            key[len("crm_") :] for key, value in request.POST.items() if key.startswith("crm_") and value == "registry"
        }
        try:
            registry_review_apply(client=client, verification=verification, accepted=accepted, user=request.user)
        except CrmError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The client record is updated with the chosen registry data."))
        return redirect("residents:identify", pk=self.profile.pk)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "crm_review":
            return self._crm_review_post(request)
        try:
            if action == "start":
                form = IdentificationStartForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(start_form=form))
                services.identification_start(
                    profile=self.profile,
                    clerk=request.user,
                    document_type=form.cleaned_data["document_type"],
                    document_number=form.cleaned_data["document_number"],
                )
                messages.success(request, _("Registry check started."))
            elif action in ("accept", "reject"):
                verification = get_object_or_404(
                    IdentityVerification, pk=request.POST.get("verification"), profile=self.profile
                )
                services.identification_decide(
                    verification=verification,
                    clerk=request.user,
                    accept=action == "accept",
                    note=request.POST.get("note", ""),
                )
                messages.success(
                    request, _("Resident identified.") if action == "accept" else _("Identification refused.")
                )
            elif action == "retry":
                verification = get_object_or_404(
                    IdentityVerification, pk=request.POST.get("verification"), profile=self.profile
                )
                services.identification_retry(verification=verification, clerk=request.user)
                messages.success(request, _("Registry check started again."))
            else:
                messages.error(request, _("Unknown action."))
        except EservicesError as exc:
            messages.error(request, exc.message)
        return redirect("residents:identify", pk=self.profile.pk)


def _format_address(address: dict) -> str:
    if not address:
        return ""
    street = " ".join(
        part for part in (address.get("street_name"), address.get("street_type"), address.get("house_number")) if part
    )
    extra = " ".join(
        part
        for part in (
            f"{address['building']}. ép." if address.get("building") else "",
            f"{address['floor']}. em." if address.get("floor") else "",
            f"{address['door']}. ajtó" if address.get("door") else "",
        )
        if part
    )
    district = f" {address['district']}. ker." if address.get("district") else ""
    return f"{address.get('postcode', '')} {address.get('settlement', '')}{district}, {street} {extra}".strip()
