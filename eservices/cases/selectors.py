"""Read queries of the case engine."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from eservices.cases.models import Case, CaseEvent
from eservices.errors import ErrorCode, EservicesError
from eservices.models import ResidentProfile
from eservices.servicetypes import parking_permit, rules_for


def cases_for_applicant(*, applicant: ResidentProfile) -> QuerySet[Case]:
    return (
        Case.objects.filter(applicant=applicant)
        .select_related("service_type")
        .defer("decision_pdf", "decision_unsigned")
        .prefetch_related(Prefetch("events", queryset=CaseEvent.objects.order_by("at", "id")))
    )


def _require_identified(applicant: ResidentProfile) -> None:
    if not applicant.is_verified or not applicant.registry_person_id:
        raise EservicesError(
            ErrorCode.NOT_IDENTIFIED,
            _("You need to be identified at the office before you can apply online."),
            http_status=403,
        )


def vehicles_for_applicant(*, applicant: ResidentProfile) -> list[dict]:
    """The resident's active vehicles per the vehicle registry, the first one marked."""
    from integrations.registry.client import RegistryClient

    _require_identified(applicant)
    vehicles = [
        v
        for v in RegistryClient.from_settings().vehicles_by_owner(person_id=applicant.registry_person_id)
        if v.status == "active"
    ]
    vehicles.sort(key=lambda v: (v.owner_since.isoformat() if v.owner_since else "", v.plate))
    return [
        {"plate": v.plate, "make": v.make, "model": v.model, "owner_since": v.owner_since, "is_first": index == 0}
        for index, v in enumerate(vehicles)
    ]


def eligibility_preview(*, applicant: ResidentProfile, plate: str, service_code: str = parking_permit.CODE) -> dict:
    """The same rules the decision uses, run now so the wizard can explain them."""
    from eservices.cases.pipeline import gather_facts

    _require_identified(applicant)
    rules = rules_for(service_code)
    results = rules.evaluate(gather_facts(applicant=applicant, plate=plate))
    english = (get_language() or "hu").startswith("en")
    return {
        "eligible": rules.granted(results),
        "rules_version": rules.RULES_VERSION,
        "results": [
            {"code": r.code, "passed": r.passed, "explanation": r.explanation_en if english else r.explanation_hu}
            for r in results
        ],
    }
