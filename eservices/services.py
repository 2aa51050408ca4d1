"""Write operations on resident accounts and identification: one function per use case."""

from __future__ import annotations

import datetime
import logging
import unicodedata
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from eservices.errors import ErrorCode, EservicesError
from eservices.models import (
    IdentificationStatus,
    IdentityVerification,
    ResidentProfile,
    User,
    VerificationState,
)

logger = logging.getLogger(__name__)

ADDRESS_FIELDS = (
    "postcode",
    "settlement",
    "district",
    "street_name",
    "street_type",
    "house_number",
    "building",
    "floor",
    "door",
)
IDENTITY_FIELDS = (
    "family_name",
    "given_names",
    "birth_name",
    "mother_birth_name",
    "birth_date",
    "birth_place",
    "permanent_address",
)


def resident_profile_ensure(*, user: User, family_name: str = "", given_names: str = "") -> ResidentProfile:
    profile, created = ResidentProfile.objects.get_or_create(
        user=user, defaults={"family_name": family_name[:100], "given_names": given_names[:150]}
    )
    if created:
        client_sync_safely(user=user)
    return profile


def client_sync_safely(*, user: User) -> None:
    """Keep the resident's CRM client record in step with the account; the resident's own
    action never fails because of the CRM (the error is logged, the next change syncs again)."""
    from crm.services import client_sync_from_account

    try:
        with transaction.atomic():
            client_sync_from_account(user=user)
    except Exception:
        logger.exception("CRM client of user %s could not be synced", user.pk)


@transaction.atomic
def resident_profile_update(*, profile: ResidentProfile, data: dict[str, Any]) -> ResidentProfile:
    """Apply validated profile changes. Identity data of an identified resident are locked:
    they were checked against the registry and change only at the office."""
    profile = ResidentProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.is_verified:
        locked = {
            name: [_("Identified data can only be changed in person at the office.")]
            for name in IDENTITY_FIELDS
            if name in data and _normalise_value(data[name]) != _normalise_value(getattr(profile, name))
        }
        if locked:
            raise EservicesError(
                ErrorCode.IDENTITY_LOCKED,
                _("Your identity data have been verified; changes need a visit to the office."),
                fields=locked,
            )
    changed = []
    for name, value in data.items():
        setattr(profile, name, value)
        changed.append(name)
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])
        client_sync_safely(user=profile.user)
    return profile


# --- identification ----------------------------------------------------------------------------


def identification_start(
    *, profile: ResidentProfile, clerk: User, document_type: str, document_number: str
) -> IdentityVerification:
    """A clerk has the resident and their document in front of them: record it and ask the
    registry (asynchronously, after commit)."""
    from eservices import tasks

    document_number = "".join(document_number.split()).upper()
    with transaction.atomic():
        profile = ResidentProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.verifications.filter(state__in=IdentityVerification.OPEN_STATES).exists():
            raise EservicesError(
                ErrorCode.IDENTIFICATION_IN_PROGRESS,
                _("A registry check for this resident is already running."),
            )
        verification = IdentityVerification.objects.create(
            profile=profile,
            clerk=clerk,
            document_type=document_type,
            document_number=document_number,
            idempotency_key=uuid.uuid4(),
        )
        profile.identification_status = IdentificationStatus.PENDING
        profile.save(update_fields=["identification_status", "updated_at"])
        log(
            instance=profile,
            action="eservices.identification_started",
            user=clerk,
            data={"verification": verification.pk, "document_type": document_type},
        )
        transaction.on_commit(lambda: tasks.identification_registry_check.send(verification.pk))
    return verification


def identification_retry(*, verification: IdentityVerification, clerk: User) -> IdentityVerification:
    """Ask the registry again after it was unreachable."""
    from eservices import tasks

    with transaction.atomic():
        verification = IdentityVerification.objects.select_for_update().get(pk=verification.pk)
        if verification.state != VerificationState.FAILED:
            raise EservicesError(
                ErrorCode.IDENTIFICATION_NOT_DECIDABLE, _("Only a failed registry check can be retried.")
            )
        verification.state = VerificationState.PENDING
        verification.last_error = ""
        verification.save(update_fields=["state", "last_error", "updated_at"])
        ResidentProfile.objects.filter(pk=verification.profile_id).update(
            identification_status=IdentificationStatus.PENDING
        )
        log(
            instance=verification.profile,
            action="eservices.identification_retried",
            user=clerk,
            data={"verification": verification.pk},
        )
        transaction.on_commit(lambda: tasks.identification_registry_check.send(verification.pk))
    return verification


def _normalise_text(value: Any) -> str:
    text = unicodedata.normalize("NFC", str(value or ""))
    return " ".join(text.replace("-", " ").split()).casefold()


def _normalise_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _normalise_text(value.get(key)) for key in ADDRESS_FIELDS}
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _normalise_text(value)


def _compare(ours: Any, theirs: Any) -> str:
    if theirs in (None, ""):
        return "missing"
    if ours in (None, ""):
        return "missing"
    return "match" if _normalise_value(ours) == _normalise_value(theirs) else "differs"


def identification_compare(*, profile: ResidentProfile, person) -> dict[str, dict[str, Any]]:
    """Per-field comparison of the profile with the registry record: match / differs / missing.

    Address parts are compared one by one so the clerk sees exactly what differs."""
    results: dict[str, dict[str, Any]] = {}
    for name in ("family_name", "given_names", "birth_name", "mother_birth_name", "birth_date", "birth_place"):
        ours = getattr(profile, name)
        theirs = getattr(person, name)
        results[name] = {
            "status": _compare(ours, theirs),
            "ours": ours.isoformat() if isinstance(ours, datetime.date) else (ours or ""),
            "registry": theirs.isoformat() if isinstance(theirs, datetime.date) else (theirs or ""),
        }
    our_address = profile.permanent_address or {}
    registry_address = person.permanent_address
    for part in ADDRESS_FIELDS:
        ours = our_address.get(part, "")
        theirs = getattr(registry_address, part, "") if registry_address else ""
        if not ours and not theirs:
            status = "match"  # building/floor/door may be empty on both sides
        else:
            status = (
                "match"
                if _normalise_text(ours) == _normalise_text(theirs)
                else ("missing" if not theirs or not ours else "differs")
            )
        results[f"permanent_address.{part}"] = {"status": status, "ours": ours or "", "registry": theirs or ""}
    return results


def identification_record_registry_answer(*, verification_id: int, person) -> IdentityVerification:
    """Store the registry's answer; a full match with a valid document verifies the resident."""
    with transaction.atomic():
        verification = (
            IdentityVerification.objects.select_for_update().select_related("profile").get(pk=verification_id)
        )
        if verification.state not in IdentityVerification.OPEN_STATES:
            return verification  # answered already (duplicate message)
        profile = ResidentProfile.objects.select_for_update().get(pk=verification.profile_id)
        results = identification_compare(profile=profile, person=person)
        document_ok = getattr(person, "document_status", "valid") == "valid"
        results["document"] = {
            "status": "match" if document_ok else "differs",
            "ours": verification.get_document_type_display(),
            "registry": getattr(person, "document_status", ""),
        }
        verification.field_results = results
        verification.registry_person_id = getattr(person, "person_id", "") or ""
        all_match = all(item["status"] == "match" for item in results.values())
        now = timezone.now()
        if all_match:
            verification.state = VerificationState.ACCEPTED
            verification.decided_at = now
            verification.decision_note = _("All data match the registry.")
            profile.identification_status = IdentificationStatus.VERIFIED
            profile.verified_at = now
            profile.registry_person_id = verification.registry_person_id
        else:
            verification.state = VerificationState.DIFFERS
            profile.identification_status = IdentificationStatus.NEEDS_REVIEW
        verification.last_error = ""
        verification.save()
        profile.save(update_fields=["identification_status", "verified_at", "registry_person_id", "updated_at"])
        if all_match:
            _identified_on_timeline(profile=profile, verification=verification)
    return verification


def _identified_on_timeline(*, profile: ResidentProfile, verification: IdentityVerification) -> None:
    from crm.timeline import timeline_record_safely

    client_sync_safely(user=profile.user)  # the identified name and birth date into the CRM
    timeline_record_safely(
        user=profile.user,
        kind="identification.verified",
        title=verification.get_document_type_display(),
        key=f"identification:{verification.pk}:verified",
        at=verification.decided_at,
        data={"verification": verification.pk, "document_type": verification.document_type},
        url=f"/admin/residents/identify/{profile.pk}/",
    )


def identification_record_not_found(*, verification_id: int) -> IdentityVerification:
    with transaction.atomic():
        verification = IdentityVerification.objects.select_for_update().get(pk=verification_id)
        if verification.state not in IdentityVerification.OPEN_STATES:
            return verification
        verification.state = VerificationState.NOT_FOUND
        verification.field_results = {
            "document": {"status": "missing", "ours": verification.document_number, "registry": ""}
        }
        verification.save(update_fields=["state", "field_results", "updated_at"])
        ResidentProfile.objects.filter(pk=verification.profile_id).update(
            identification_status=IdentificationStatus.NEEDS_REVIEW
        )
    return verification


def identification_record_attempt(*, verification_id: int) -> IdentityVerification | None:
    """Count one registry call. The previous error stays visible to the clerk until an answer."""
    with transaction.atomic():
        verification = IdentityVerification.objects.select_for_update().filter(pk=verification_id).first()
        if verification is None or verification.state not in IdentityVerification.OPEN_STATES:
            return verification
        verification.attempts += 1
        verification.state = VerificationState.CHECKING
        verification.save(update_fields=["attempts", "state", "updated_at"])
    return verification


def identification_record_error(*, verification_id: int, error: str) -> None:
    """Keep why the registry call failed, so the clerk sees why it is still waiting."""
    IdentityVerification.objects.filter(pk=verification_id, state__in=IdentityVerification.OPEN_STATES).update(
        last_error=error[:2000], updated_at=timezone.now()
    )


def identification_mark_failed(*, verification_id: int, error: str) -> None:
    with transaction.atomic():
        verification = IdentityVerification.objects.select_for_update().filter(pk=verification_id).first()
        if verification is None or verification.state not in IdentityVerification.OPEN_STATES:
            return
        verification.state = VerificationState.FAILED
        verification.last_error = error[:2000]
        verification.save(update_fields=["state", "last_error", "updated_at"])
        ResidentProfile.objects.filter(pk=verification.profile_id).update(
            identification_status=IdentificationStatus.NEEDS_REVIEW
        )


def identification_decide(
    *, verification: IdentityVerification, clerk: User, accept: bool, note: str = ""
) -> IdentityVerification:
    """The clerk's decision after seeing differences (or a document the registry lacks)."""
    with transaction.atomic():
        verification = IdentityVerification.objects.select_for_update().get(pk=verification.pk)
        if verification.state not in (VerificationState.DIFFERS, VerificationState.NOT_FOUND):
            raise EservicesError(
                ErrorCode.IDENTIFICATION_NOT_DECIDABLE,
                _("This identification cannot be decided in its current state."),
            )
        if not accept and not note.strip():
            raise EservicesError(
                ErrorCode.INVALID,
                _("Give the reason for the refusal."),
                fields={"note": [_("Give the reason for the refusal.")]},
            )
        profile = ResidentProfile.objects.select_for_update().get(pk=verification.profile_id)
        now = timezone.now()
        verification.state = VerificationState.ACCEPTED if accept else VerificationState.REJECTED
        verification.decided_by = clerk
        verification.decided_at = now
        verification.decision_note = note.strip()
        verification.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "updated_at"])
        if accept:
            profile.identification_status = IdentificationStatus.VERIFIED
            profile.verified_at = now
            profile.registry_person_id = verification.registry_person_id
        else:
            profile.identification_status = IdentificationStatus.REJECTED
            profile.verified_at = None
        profile.save(update_fields=["identification_status", "verified_at", "registry_person_id", "updated_at"])
        if accept:
            _identified_on_timeline(profile=profile, verification=verification)
        log(
            instance=profile,
            action="eservices.identification_decided",
            user=clerk,
            data={"verification": verification.pk, "accepted": accept},
        )
    return verification


def identification_reconcile(*, stalled_after: datetime.timedelta = datetime.timedelta(minutes=2)) -> int:
    """Re-send registry checks whose message was lost (worker killed, broker restarted)."""
    from eservices import tasks

    cutoff = timezone.now() - stalled_after
    ids = list(
        IdentityVerification.objects.filter(
            state__in=IdentityVerification.OPEN_STATES, updated_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        tasks.identification_registry_check.send(pk)
    return len(ids)


def personal_data_access_log(*, profile: ResidentProfile, user: User, fields: list[str], context: str) -> None:
    """Audit trail: a staff member saw protected personal data of a resident."""
    log(
        instance=profile,
        action="eservices.personal_data_viewed",
        user=user,
        data={"fields": fields, "context": context},
    )
