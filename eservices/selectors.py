"""Read queries of the e-services."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from eservices.models import IdentificationStatus, ResidentProfile

STATUS_MESSAGES = {
    IdentificationStatus.UNVERIFIED: lambda: _(
        "You have not been identified yet. Visit the customer service office once with an identity "
        "document; after that you can use every e-service online."
    ),
    IdentificationStatus.PENDING: lambda: _(
        "Your identification has started. We are checking your data in the national registry."
    ),
    IdentificationStatus.CHECKING: lambda: _(
        "We are checking your data in the national registry. This usually takes a few seconds."
    ),
    IdentificationStatus.NEEDS_REVIEW: lambda: _(
        "Some of your data differ from the national registry. The clerk will review them with you."
    ),
    IdentificationStatus.VERIFIED: lambda: _("You are identified. You can use every e-service online."),
    IdentificationStatus.REJECTED: lambda: _(
        "Your identification could not be completed. Please visit the office again with a valid document."
    ),
}


def identification_status_get(*, profile: ResidentProfile) -> dict:
    status = IdentificationStatus(profile.identification_status)
    return {
        "status": status.value,
        "verified_at": profile.verified_at,
        "message": STATUS_MESSAGES[status](),
        "what_to_bring": [
            _("A valid identity card, passport or card-format driving licence"),
            _("Your address card (lakcímkártya)"),
            _("If you act for someone else: a power of attorney and their documents"),
        ],
        "office": {
            "name": settings.OFFICE_NAME,
            "address": settings.OFFICE_ADDRESS,
            "phone": settings.OFFICE_PHONE,
            "opening_hours": [
                _("Monday: 13:30–18:00"),
                _("Tuesday: 8:00–16:30"),
                _("Wednesday: 8:00–16:30"),
                _("Thursday: 8:00–16:30"),
                _("Friday: 8:00–11:30"),
            ],
        },
    }
