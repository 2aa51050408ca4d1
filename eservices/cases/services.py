"""Write operations on cases: submit, retry a stopped step, hand out the decision."""

from __future__ import annotations

import datetime
import secrets
import uuid

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from wagtail.log_actions import log

from eservices.cases.models import Case, CaseEvent, CaseStatus, ServiceType, Step
from eservices.errors import ErrorCode, EservicesError
from eservices.models import ResidentProfile, User

OUTSIDE_CALLS = ("arrival", "permit", "issue", "delivery")
STALLED_AFTER = datetime.timedelta(minutes=2)


def _next_reference(service_code: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('eservices_case_reference_seq')")
        (number,) = cursor.fetchone()
    # VH: várakozási hozzájárulás
    prefix = {"parking_permit": "VH", "parking_permit_additional": "VH"}.get(service_code, "EU")
    return f"{prefix}-{timezone.localdate().year}-{number:06d}"


def case_submit(*, applicant: ResidentProfile, service_code: str, data: dict) -> Case:
    """A resident applies. The case and the idempotency key of every outside call it will
    make are stored first; the pipeline starts after commit."""
    from eservices.cases import tasks

    service = ServiceType.objects.filter(code=service_code, is_active=True).first()
    if service is None:  # a field of the request that names nothing we offer: a field error
        message = _("This service is not available.")
        raise EservicesError(ErrorCode.INVALID, message, fields={"service": [message]}, http_status=400)
    if not applicant.is_verified:
        raise EservicesError(
            ErrorCode.NOT_IDENTIFIED,
            _("You need to be identified at the office before you can apply online."),
            http_status=403,
        )
    with transaction.atomic():
        # one open application per service at a time (a double tap on "submit" makes one case)
        ResidentProfile.objects.select_for_update().get(pk=applicant.pk)
        open_case = (
            Case.objects.filter(applicant=applicant, service_type=service)
            .exclude(step=Step.DONE)
            .exclude(status=CaseStatus.FAILED)
            .first()
        )
        if open_case is not None:
            raise EservicesError(
                ErrorCode.CASE_IN_PROGRESS,
                _("Your application %(reference)s is being processed.") % {"reference": open_case.reference},
                http_status=409,
            )
        case = Case.objects.create(
            reference=_next_reference(service_code),
            service_type=service,
            applicant=applicant,
            data=data,
            keys={name: str(uuid.uuid4()) for name in OUTSIDE_CALLS},
            verification_token=secrets.token_urlsafe(32),
            submitted_at=timezone.now(),
        )
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.NOTE,
            step=Step.REGISTER_ARRIVAL,
            message=gettext_noop("Application submitted."),
        )
        from crm.timeline import timeline_record_safely

        timeline_record_safely(
            user=applicant.user,
            kind="case.submitted",
            title=f"{case.reference} · {service.name_hu}",
            key=f"case:{case.pk}:submitted",
            at=case.submitted_at,
            data={"case": case.pk, "reference": case.reference, "service_type": service.code},
            url=f"/admin/cases/case/{case.pk}/",
        )
        transaction.on_commit(lambda: tasks.case_process.send(case.pk))
    return case


def case_retry(*, case: Case, user: User) -> Case:
    """A clerk restarts a stopped case at the step where it stopped."""
    from eservices.cases import tasks

    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status != CaseStatus.FAILED:
            raise EservicesError(ErrorCode.INVALID, _("Only a stopped case can be retried."))
        case.status = CaseStatus.PROCESSING
        case.failed_step = ""
        case.attempts = 0
        case.save(update_fields=["status", "failed_step", "attempts", "updated_at"])
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.NOTE,
            step=case.step,
            message=gettext_noop("Restarted by %(user)s."),
            data={"user": str(user)},
        )
        log(instance=case, action="eservices.case_retried", user=user, data={"step": case.step})
        transaction.on_commit(lambda: tasks.case_process.send(case.pk))
    return case


def case_decision_receive(*, case: Case, user: User) -> bytes:
    """The decision document. The addressee's first download is the delivery ("kézbesítés"):
    recorded on the case, then reported to the filing system."""
    from eservices.cases import tasks

    if not case.decision_pdf or case.step != Step.DONE:
        raise EservicesError(ErrorCode.INVALID, _("The decision is not ready yet."), http_status=409)
    if case.applicant.user_id == user.pk and case.delivered_at is None:
        with transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case.pk)
            if locked.delivered_at is None:
                locked.delivered_at = timezone.now()
                locked.delivery_channel = "e-portal-download"
                locked.save(update_fields=["delivered_at", "delivery_channel", "updated_at"])
                CaseEvent.objects.create(
                    case=locked,
                    kind=CaseEvent.Kind.NOTE,
                    step=Step.DONE,
                    message=gettext_noop("Decision received by the applicant (downloaded)."),
                )
                transaction.on_commit(lambda: tasks.case_delivery_file.send(case.pk))
    return bytes(case.decision_pdf)


def case_delivery_report(*, case_id: int) -> None:
    """Tell the filing system the decision was delivered (idempotent there and here)."""
    from integrations.filing.client import FilingClient

    case = (
        Case.objects.filter(pk=case_id).only("pk", "delivered_at", "delivery_filed", "decision_filing_number").first()
    )
    if case is None or case.delivered_at is None or case.delivery_filed:
        return
    FilingClient.from_settings().delivery_record(
        filing_number=case.decision_filing_number,
        delivered_at=case.delivered_at,
        channel="e-portal-download",
    )
    Case.objects.filter(pk=case_id).update(delivery_filed=True)


def cases_reconcile(*, stalled_after: datetime.timedelta = STALLED_AFTER) -> int:
    """Re-send cases whose message was lost (worker killed, broker restarted)."""
    from eservices.cases import tasks

    cutoff = timezone.now() - stalled_after
    stalled = list(
        Case.objects.exclude(step=Step.DONE)
        .exclude(status__in=(CaseStatus.FAILED, CaseStatus.AWAITING_PAYMENT))
        .filter(updated_at__lt=cutoff)
        .values_list("pk", flat=True)
    )
    undelivered = list(Case.objects.filter(delivered_at__lt=cutoff, delivery_filed=False).values_list("pk", flat=True))
    for pk in stalled:
        tasks.case_process.send(pk)
    for pk in undelivered:
        tasks.case_delivery_file.send(pk)
    return len(stalled) + len(undelivered)


def case_payment_received(*, case_id: int) -> None:
    """The case's order is paid: a case waiting for it goes on (sent after commit). Called by
    the payments app inside its transaction; safe to call again."""
    from eservices.cases import tasks

    case = Case.objects.select_for_update().filter(pk=case_id).only("pk", "step", "status").first()
    if case is None or case.step != Step.AWAIT_PAYMENT:
        return
    if case.status == CaseStatus.AWAITING_PAYMENT:
        case.status = CaseStatus.PROCESSING
        case.save(update_fields=["status", "updated_at"])
    transaction.on_commit(lambda: tasks.case_process.send(case_id))
