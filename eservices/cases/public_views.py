"""The public verification page a decision's QR code points to: anyone holding the decision
can check that it was issued by the authority and that its signature is intact."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from eservices.cases.models import Case, Step


@require_GET
@never_cache
def decision_verification(request, token: str):
    from eservices.documents.verification import verify_pdf

    case = (
        Case.objects.select_related("service_type")
        .filter(verification_token=token, step=Step.DONE)
        .exclude(decision_pdf=None)
        .first()
    )
    if case is None:
        return render(request, "eservices/public/verification.html", {"found": False}, status=404)
    report = verify_pdf(bytes(case.decision_pdf))
    return render(request, "eservices/public/verification.html", {"found": True, "case": case, "report": report})
