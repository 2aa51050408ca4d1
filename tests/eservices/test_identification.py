"""In-person identification: the clerk's screen, the registry check in the worker, decisions."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from wagtail.models import ModelLogEntry

from eservices import services, tasks
from eservices.models import IdentificationStatus, IdentityVerification, VerificationState
from integrations.registry.population import (
    HORVATH_ESZTER,
    KOVACS_ANNA,
    NAGY_PETER,
    SZABO_GABOR,
    UNKNOWN_ID_CARD_NUMBER,
)
from tests.conftest import login_staff_with_mfa
from tests.factories import resident_as_typed, staff_user

pytestmark = pytest.mark.django_db


def profile_as_typed(demo):
    return resident_as_typed(demo)


def identify_url(profile):
    return f"/admin/residents/identify/{profile.pk}/"


def start_and_run(clerk, profile, demo, document_number=None, django_capture_on_commit_callbacks=None):
    verification = services.identification_start(
        profile=profile,
        clerk=clerk,
        document_type=demo.typed.document_type,
        document_number=document_number or demo.typed.document_number,
    )
    tasks.identification_registry_check(verification.pk)
    verification.refresh_from_db()
    profile.refresh_from_db()
    return verification


# --- authorization matrix ----------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_nothing_starts(client, resident):
    response = client.post(
        identify_url(resident), {"action": "start", "document_type": "id_card", "document_number": "123456AB"}
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert IdentityVerification.objects.count() == 0


def test_resident_cannot_open_the_staff_area(client, resident, other_resident):
    from tests.factories import PASSWORD

    assert client.login(email=other_resident.user.email, password=PASSWORD)
    response = client.post(
        identify_url(resident), {"action": "start", "document_type": "id_card", "document_number": "123456AB"}
    )
    assert response.status_code in (302, 403)
    assert IdentityVerification.objects.count() == 0


def test_staff_without_permission_gets_403_and_nothing_starts(client, editor, resident):
    login_staff_with_mfa(client, editor)
    # Wagtail answers a refused admin page by sending the user back to the dashboard
    response = client.get(identify_url(resident))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    response = client.post(
        identify_url(resident), {"action": "start", "document_type": "id_card", "document_number": "123456AB"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert IdentityVerification.objects.count() == 0
    assert not ModelLogEntry.objects.filter(action="eservices.personal_data_viewed").exists()


def test_staff_without_second_factor_is_sent_to_set_it_up(client, resident):
    from tests.factories import PASSWORD

    clerk = staff_user(role="clerk", email="new.clerk@hegyvidek.example")
    assert client.login(email=clerk.email, password=PASSWORD)
    response = client.get(identify_url(resident))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_clerk_sees_the_resident_and_the_view_is_audit_logged(clerk_client, clerk, resident):
    response = clerk_client.get(identify_url(resident))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Szabó Mária" in page and "Kovács Anna" in page
    entry = ModelLogEntry.objects.get(action="eservices.personal_data_viewed")
    assert entry.user_id == clerk.pk and entry.object_id == str(resident.pk)
    assert "mother_birth_name" in entry.data["fields"]


# --- the registry check ----------------------------------------------------------------------------


def test_clerk_starts_a_check_and_the_message_goes_after_commit(
    clerk_client, clerk, resident, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(
            identify_url(resident), {"action": "start", "document_type": "id_card", "document_number": "1234 56ab"}
        )
    assert response.status_code == 302
    verification = IdentityVerification.objects.get(profile=resident)
    assert verification.state == VerificationState.PENDING and verification.clerk == clerk
    assert verification.document_number == "123456AB"
    assert broker.queues["registry"].qsize() == 1
    resident.refresh_from_db()
    assert resident.identification_status == IdentificationStatus.PENDING


def test_invalid_document_number_shows_a_field_error(clerk_client, resident):
    response = clerk_client.post(
        identify_url(resident),
        {"action": "start", "document_type": "id_card", "document_number": "12-!"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "at least 6 letters or digits" in response.content.decode()
    assert IdentityVerification.objects.count() == 0


def test_full_match_verifies_the_resident(clerk, registry_sim):
    profile = profile_as_typed(KOVACS_ANNA)
    verification = start_and_run(clerk, profile, KOVACS_ANNA)
    assert verification.state == VerificationState.ACCEPTED
    assert all(result["status"] == "match" for result in verification.field_results.values())
    assert profile.identification_status == IdentificationStatus.VERIFIED and profile.verified_at is not None
    # the registry got our idempotency key once
    assert registry_sim.state.stats()["idempotency_keys"] == {str(verification.idempotency_key): 1}


def test_differences_are_stored_per_field_and_the_clerk_decides(clerk, clerk_client, registry_sim):
    profile = profile_as_typed(NAGY_PETER)
    verification = start_and_run(clerk, profile, NAGY_PETER)
    assert verification.state == VerificationState.DIFFERS
    results = verification.field_results
    assert results["mother_birth_name"] == {"status": "differs", "ours": "Tóth Erzsebet", "registry": "Tóth Erzsébet"}
    assert results["permanent_address.house_number"]["status"] == "differs"
    assert results["family_name"]["status"] == "match" and results["birth_date"]["status"] == "match"
    assert profile.identification_status == IdentificationStatus.NEEDS_REVIEW

    page = clerk_client.get(identify_url(profile), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tóth Erzsébet" in page and "Differs" in page
    # rows in the order of the form, whatever order the database keeps
    assert page.index("Family name") < page.index("Mother&#x27;s birth name") < page.index("House number")

    # refusing needs a reason
    response = clerk_client.post(identify_url(profile), {"action": "reject", "verification": verification.pk})
    assert response.status_code == 302
    verification.refresh_from_db()
    assert verification.state == VerificationState.DIFFERS

    response = clerk_client.post(
        identify_url(profile),
        {"action": "accept", "verification": verification.pk, "note": "Elírás a profilban; okmány alapján rendben."},
    )
    assert response.status_code == 302
    verification.refresh_from_db()
    profile.refresh_from_db()
    assert verification.state == VerificationState.ACCEPTED and verification.decided_by == clerk
    assert profile.identification_status == IdentificationStatus.VERIFIED
    assert ModelLogEntry.objects.filter(action="eservices.identification_decided", object_id=str(profile.pk)).exists()


def test_address_outside_the_district_is_still_identified_when_data_match(clerk, registry_sim):
    # identification checks identity; district eligibility is the e-service's rule
    profile = profile_as_typed(HORVATH_ESZTER)
    verification = start_and_run(clerk, profile, HORVATH_ESZTER)
    assert verification.state == VerificationState.ACCEPTED


def test_expired_document_needs_the_clerk(clerk, registry_sim):
    profile = profile_as_typed(SZABO_GABOR)
    verification = start_and_run(clerk, profile, SZABO_GABOR)
    assert verification.state == VerificationState.DIFFERS
    assert verification.field_results["document"]["status"] == "differs"


def test_unknown_document_is_not_found(clerk, registry_sim):
    profile = profile_as_typed(KOVACS_ANNA)
    verification = start_and_run(clerk, profile, KOVACS_ANNA, document_number=UNKNOWN_ID_CARD_NUMBER)
    assert verification.state == VerificationState.NOT_FOUND
    assert profile.identification_status == IdentificationStatus.NEEDS_REVIEW


def test_the_same_message_delivered_twice_calls_the_registry_once(clerk, registry_sim):
    profile = profile_as_typed(KOVACS_ANNA)
    verification = start_and_run(clerk, profile, KOVACS_ANNA)
    tasks.identification_registry_check(verification.pk)
    assert registry_sim.state.stats()["calls"] == {"POST /v1/persons/lookup": 1}


def test_second_check_while_one_runs_is_refused(clerk, resident):
    services.identification_start(profile=resident, clerk=clerk, document_type="id_card", document_number="123456AB")
    with pytest.raises(services.EservicesError):
        services.identification_start(
            profile=resident, clerk=clerk, document_type="id_card", document_number="123456AB"
        )
    assert IdentityVerification.objects.count() == 1


def test_document_number_is_encrypted_at_rest(clerk, resident):
    verification = services.identification_start(
        profile=resident, clerk=clerk, document_type="id_card", document_number="123456AB"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT document_number FROM eservices_identityverification WHERE id = %s", [verification.pk])
        (raw,) = cursor.fetchone()
    assert "123456AB" not in raw


# --- registry down or slow: retried by the worker, visible to the clerk, nothing lost ---------


def wait_for(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_registry_down_then_back_is_retried_until_answered(clerk, registry_sim, worker, broker):
    # given a registry that fails every call until the test heals it
    registry_sim.state.faults.update({"error_rate": 1.0})
    profile = profile_as_typed(KOVACS_ANNA)
    verification = services.identification_start(
        profile=profile, clerk=clerk, document_type="id_card", document_number=KOVACS_ANNA.typed.document_number
    )
    # the on_commit message went out; make the worker's backoff short for the test
    broker.flush_all()
    tasks.identification_registry_check.send_with_options(args=(verification.pk,), min_backoff=50, max_backoff=200)

    # then the clerk sees attempts and the last error while it is retried ...
    def failing_and_retried():
        current = IdentityVerification.objects.get(pk=verification.pk)
        return current.last_error != "" and current.attempts >= 2

    assert wait_for(failing_and_retried)
    current = IdentityVerification.objects.get(pk=verification.pk)
    assert current.state != VerificationState.ACCEPTED
    assert "503" in current.last_error or "unavailable" in current.last_error.lower()
    registry_sim.state.faults.update({"error_rate": 0.0})
    # ... and the check completes once the registry answers
    assert wait_for(lambda: IdentityVerification.objects.get(pk=verification.pk).state == VerificationState.ACCEPTED)
    verification.refresh_from_db()
    assert verification.attempts >= 2
    profile.refresh_from_db()
    assert profile.identification_status == IdentificationStatus.VERIFIED
    # every try carried the same idempotency key
    assert list(registry_sim.state.stats()["idempotency_keys"]) == [str(verification.idempotency_key)]


@pytest.mark.django_db(transaction=True)
def test_registry_slow_beyond_timeout_fails_after_retries_and_clerk_can_retry(
    clerk, registry_sim, worker, broker, settings
):
    registry_sim.state.faults.update({"timeout_rate": 1.0, "timeout_sleep_ms": 3000})
    settings.REGISTRY_TIMEOUT_S = 0.3
    profile = profile_as_typed(KOVACS_ANNA)
    verification = services.identification_start(
        profile=profile, clerk=clerk, document_type="id_card", document_number=KOVACS_ANNA.typed.document_number
    )
    broker.flush_all()
    tasks.identification_registry_check.send_with_options(
        args=(verification.pk,), min_backoff=20, max_backoff=50, max_retries=2
    )
    assert wait_for(
        lambda: IdentityVerification.objects.get(pk=verification.pk).state == VerificationState.FAILED, seconds=40
    )
    verification.refresh_from_db()
    assert "time" in verification.last_error.lower()
    profile.refresh_from_db()
    assert profile.identification_status == IdentificationStatus.NEEDS_REVIEW

    # the registry recovers; the clerk retries and the check completes
    registry_sim.state.faults.update({"timeout_rate": 0.0})
    services.identification_retry(verification=verification, clerk=clerk)
    assert wait_for(lambda: IdentityVerification.objects.get(pk=verification.pk).state == VerificationState.ACCEPTED)


@pytest.mark.django_db(transaction=True)
def test_lost_message_is_resent_by_the_reconciler(clerk, registry_sim, worker, broker):
    import datetime

    profile = profile_as_typed(KOVACS_ANNA)
    verification = services.identification_start(
        profile=profile, clerk=clerk, document_type="id_card", document_number=KOVACS_ANNA.typed.document_number
    )
    broker.flush_all()  # the message is lost (broker restarted before a worker took it)
    IdentityVerification.objects.filter(pk=verification.pk).update(
        updated_at=verification.updated_at - datetime.timedelta(minutes=10)
    )
    assert services.identification_reconcile() == 1
    assert wait_for(lambda: IdentityVerification.objects.get(pk=verification.pk).state == VerificationState.ACCEPTED)


# --- the residents list --------------------------------------------------------------------------


def test_clerk_finds_a_resident_by_name_and_opens_identification(clerk_client, resident, other_resident):
    response = clerk_client.get("/admin/residents/", {"q": "Nagy"})
    assert response.status_code == 200
    listed = list(response.context["object_list"])
    assert listed == [other_resident]
    assert f"/admin/residents/identify/{other_resident.pk}/" in response.content.decode()


def test_staff_without_permission_cannot_list_residents(client, editor, resident):
    login_staff_with_mfa(client, editor)
    response = client.get("/admin/residents/")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_clerk_calling_the_resident_api_gets_only_their_own_profile(api_client, clerk, resident):
    api_client.force_authenticate(user=clerk)
    body = api_client.get("/api/v1/me/profile/").json()
    assert body["email"] == clerk.email and body["family_name"] == ""
    assert resident.user.email not in str(body)
