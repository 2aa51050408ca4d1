"""The steps a case goes through, each in its own transaction.

`case_advance` runs the case's current step and moves it on. The case row is locked while a
step runs (`SKIP LOCKED`: a second worker given the same case leaves it alone), so a step
never runs twice at once; every outside call carries the idempotency key recorded at
submission, so a step repeated after a crash repeats no effect.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from eservices.cases.models import Case, CaseEvent, CaseStatus, Step
from eservices.servicetypes import additional_vehicle_permit, parking_permit, rules_for

logger = logging.getLogger(__name__)

DOCUMENT_FIELDS = ("decision_unsigned", "decision_pdf")

ORDER = [
    Step.REGISTER_ARRIVAL,
    Step.REGISTRY_CHECKS,
    Step.DECIDE,
    Step.AWAIT_PAYMENT,
    Step.CREATE_PERMIT,
    Step.RENDER,
    Step.SIGN,
    Step.ISSUE,
    Step.NOTIFY,
    Step.DONE,
]


def _applicant_name(case: Case) -> str:
    return case.applicant.full_name or case.applicant.user.email


def _address(case: Case) -> dict:
    return case.facts.get("permanent_address") or case.applicant.permanent_address or {}


def step_register_arrival(case: Case) -> tuple[str, dict]:
    from integrations.filing.client import FilingClient

    if case.filing_number:
        return gettext_noop("Already registered as %(number)s."), {"number": case.filing_number}
    answer = FilingClient.from_settings().arrival_register(
        case_reference=case.reference,
        subject=rules_for(case.service_type).SUBJECT_HU,
        classification=case.service_type.filing_classification,
        client={"name": _applicant_name(case), "address": parking_permit._address_line(_address(case))},
        received_at=case.submitted_at,
        channel="e-portal",
        idempotency_key=case.keys["arrival"],
    )
    case.filing_number = answer.filing_number
    return gettext_noop("Registered with filing number %(number)s."), {"number": case.filing_number}


def gather_facts(*, applicant, plate: str, exclude_case_id: int | None = None) -> parking_permit.Facts:
    """Ask the registries and the parking system; compare nothing here (that is `evaluate`)."""
    from integrations.http import NotFound
    from integrations.parking.client import ParkingClient
    from integrations.registry.client import RegistryClient

    registry = RegistryClient.from_settings()
    person_id = applicant.registry_person_id
    person = registry.person_get(person_id=person_id) if person_id else None
    address = person.permanent_address.__dict__ if person is not None else {}
    try:
        vehicle = registry.vehicle_get(plate=plate).__dict__
    except NotFound:
        vehicle = None
    owned = [v.__dict__ for v in registry.vehicles_by_owner(person_id=person_id)] if person_id else []

    def valid_permit(service_code: str) -> str:
        return (
            Case.objects.filter(
                applicant=applicant,
                service_type__code=service_code,
                status=CaseStatus.GRANTED,
                permit_valid_until__gte=timezone.localdate(),
            )
            .exclude(pk=exclude_case_id)
            .values_list("permit_number", flat=True)
            .first()
        ) or ""

    precheck = ParkingClient.from_settings().precheck(
        plate=plate, zone=parking_permit.ZONE, holder_person_id=person_id, holder_address=address
    )
    return parking_permit.Facts(
        identity_verified=applicant.is_verified,
        person_id=person_id,
        person_name=person.full_name if person is not None else applicant.full_name,
        permanent_address={key: str(value) for key, value in address.items()},
        plate=plate,
        vehicle=_jsonable(vehicle),
        owned_vehicles=[_jsonable(v) for v in owned],
        other_valid_permit=valid_permit(parking_permit.CODE),
        other_additional_permit=valid_permit(additional_vehicle_permit.CODE),
        precheck_ok=precheck.ok,
        precheck_reasons=[_jsonable(reason) for reason in precheck.reasons],
    )


def _jsonable(value):
    if value is None:
        return None
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if hasattr(value, "__dict__"):
        return _jsonable(value.__dict__)
    return value


def step_registry_checks(case: Case) -> tuple[str, dict]:
    facts = gather_facts(applicant=case.applicant, plate=case.data["plate"], exclude_case_id=case.pk)
    case.facts = facts.as_json()
    return gettext_noop("Registries and parking system consulted."), {}


def step_decide(case: Case) -> tuple[str, dict]:
    rules = rules_for(case.service_type)
    facts = rules.Facts(**case.facts)
    results = rules.evaluate(facts)
    granted = rules.granted(results)
    case.eligibility = {
        "rules_version": rules.RULES_VERSION,
        "granted": granted,
        "results": [result.__dict__ for result in results],
    }
    case.decided_at = timezone.now()
    return (gettext_noop("Decision: granted.") if granted else gettext_noop("Decision: refused.")), {}


class StepWaiting(Exception):
    """The step cannot finish yet and nothing is to be retried: the case waits for an event
    from outside the pipeline (a payment), which sends it on."""

    def __init__(self, message: str, values: dict | None = None):
        super().__init__(message)
        self.message = message
        self.values = values or {}


def step_await_payment(case: Case) -> tuple[str, dict]:
    """A granted application of a fee-bearing service waits here until its order is paid."""
    from payments.models import OrderStatus
    from payments.services import order_for_case_ensure

    if not case.eligibility.get("granted") or case.service_type.fee_huf <= 0:
        return gettext_noop("No fee to pay."), {}
    order = order_for_case_ensure(case=case)
    if order.status == OrderStatus.PAID:
        return gettext_noop("Fee of %(amount)s Ft paid."), {"amount": order.amount, "reference": order.reference}
    raise StepWaiting(
        gettext_noop("Waiting for the fee of %(amount)s Ft (payment reference %(reference)s)."),
        {"amount": order.amount, "reference": order.reference},
    )


def step_create_permit(case: Case) -> tuple[str, dict]:
    from integrations.parking.client import ParkingClient

    if not case.eligibility.get("granted"):
        return gettext_noop("No permit: the application was refused."), {}
    if case.permit_number:
        return gettext_noop("Permit %(number)s exists."), {"number": case.permit_number}
    rules = rules_for(case.service_type)
    valid_from, _until = rules.permit_dates(timezone.localdate(case.decided_at), case.service_type.validity_days)
    permit = ParkingClient.from_settings().permit_create(
        plate=case.data["plate"],
        zone=rules.ZONE,
        holder_person_id=case.applicant.registry_person_id,
        holder_name=_applicant_name(case),
        valid_from=valid_from,
        idempotency_key=case.keys["permit"],
    )
    case.permit_number = permit.permit_number
    case.permit_valid_from = permit.valid_from
    case.permit_valid_until = permit.valid_until
    return gettext_noop("Permit %(number)s created."), {"number": case.permit_number}


def step_render(case: Case) -> tuple[str, dict]:
    from eservices.cases.decision import decision_data
    from eservices.documents.render import decision_pdf

    case.decision_unsigned = decision_pdf(decision_data(case))
    return gettext_noop("Decision document prepared."), {}


def step_sign(case: Case) -> tuple[str, dict]:
    from eservices.documents.signing import sign_pdf

    signed = sign_pdf(
        bytes(case.decision_unsigned),
        reason=_("Automatic administrative decision %(reference)s") % {"reference": case.reference},
        location="Budapest",
    )
    case.decision_pdf = signed.pdf
    case.decision_sha256 = hashlib.sha256(signed.pdf).hexdigest()
    case.signature_level = signed.level
    return gettext_noop("Decision signed and timestamped (%(level)s)."), {"level": signed.level}


def step_issue(case: Case) -> tuple[str, dict]:
    from integrations.filing.client import FilingClient

    if not case.decision_filing_number:
        answer = FilingClient.from_settings().document_issue(
            main_number=case.filing_number,
            kind="decision",
            document_sha256=case.decision_sha256,
            issued_at=case.decided_at,
            idempotency_key=case.keys["issue"],
        )
        case.decision_filing_number = answer.filing_number
    case.status = CaseStatus.GRANTED if case.eligibility.get("granted") else CaseStatus.REFUSED
    from crm.timeline import timeline_record_safely

    timeline_record_safely(
        user=case.applicant.user,
        kind="case.decided",
        title=f"{case.reference} · {case.get_status_display()}",
        key=f"case:{case.pk}:decided",
        at=case.decided_at,
        data={"case": case.pk, "reference": case.reference, "status": case.status},
        url=f"/admin/cases/case/{case.pk}/",
    )
    return gettext_noop("Decision filed as %(number)s."), {"number": case.decision_filing_number}


def step_notify(case: Case) -> tuple[str, dict]:
    # No personal data in the email: only that a decision is waiting in the portal.
    with translation.override("hu"):
        subject = _("Your decision is ready")
        body = _(
            "Dear Resident,\n\nthe decision in your case %(reference)s is ready. You can download it after "
            "signing in to the Hegyvidék e-Portal:\n\n%(url)s\n\nKind regards,\nHegyvidék e-Portal"
        ) % {"reference": case.reference, "url": f"{settings.PUBLIC_URL}/cases/{case.reference}"}
    send_mail(subject, body, None, [case.applicant.user.email])
    return gettext_noop("Applicant notified by email."), {}


# A step returns its timeline message as an untranslated template and its values, so the
# timeline reads in the language of whoever looks at it.
STEPS: dict[str, Callable[[Case], tuple[str, dict]]] = {
    Step.REGISTER_ARRIVAL: step_register_arrival,
    Step.REGISTRY_CHECKS: step_registry_checks,
    Step.DECIDE: step_decide,
    Step.AWAIT_PAYMENT: step_await_payment,
    Step.CREATE_PERMIT: step_create_permit,
    Step.RENDER: step_render,
    Step.SIGN: step_sign,
    Step.ISSUE: step_issue,
    Step.NOTIFY: step_notify,
}


def case_advance(case_id: int) -> str | None:
    """Run the current step of a case and move it on. Returns the new step, or None when the
    case is finished, failed, gone, or being advanced by another worker right now."""
    with transaction.atomic():
        # the documents (~40 and ~80 kB) are loaded only by the step that reads them, and saved
        # only by the step that writes them: a deferred field is left out of save()
        case = (
            Case.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("service_type", "applicant__user")
            .defer(*DOCUMENT_FIELDS)
            .filter(pk=case_id)
            .first()
        )
        if case is None or case.step == Step.DONE or case.status == CaseStatus.FAILED:
            return None
        step = case.step
        try:
            message, values = STEPS[step](case)
        except StepWaiting as waiting:
            if case.status != CaseStatus.AWAITING_PAYMENT:  # say it once, not at every reconciliation
                case.status = CaseStatus.AWAITING_PAYMENT
                case.attempts = 0
                case.last_error = ""
                case.save()
                CaseEvent.objects.create(
                    case=case, kind=CaseEvent.Kind.STEP_DONE, step=step, message=waiting.message, data=waiting.values
                )
            return None
        case.step = ORDER[ORDER.index(step) + 1]
        if case.status in (CaseStatus.SUBMITTED, CaseStatus.AWAITING_PAYMENT):
            case.status = CaseStatus.PROCESSING
        case.attempts = 0
        case.last_error = ""
        case.save()
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.STEP_DONE, step=step, message=message, data=values)
    return case.step


def case_record_retry(case_id: int, *, error: str) -> None:
    with transaction.atomic():
        case = Case.objects.select_for_update().defer(*DOCUMENT_FIELDS).filter(pk=case_id).first()
        if case is None or case.step == Step.DONE:
            return
        case.attempts += 1
        case.last_error = error[:2000]
        case.save(update_fields=["attempts", "last_error", "updated_at"])
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.STEP_RETRY, step=case.step, message=error[:500])


def case_mark_failed(case_id: int, *, error: str) -> None:
    with transaction.atomic():
        case = Case.objects.select_for_update().defer(*DOCUMENT_FIELDS).filter(pk=case_id).first()
        if case is None or case.step == Step.DONE:
            return
        case.status = CaseStatus.FAILED
        case.failed_step = case.step
        case.last_error = error[:2000]
        case.save(update_fields=["status", "failed_step", "last_error", "updated_at"])
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.STEP_FAILED, step=case.step, message=error[:500])
    logger.warning("Case %s stopped at %s: %s", case_id, case.step, error)
