"""A parking-permit application from submission to the signed decision, with every outside
system a real HTTP simulator: registries, parking system, filing system, TSA, SMTP."""

from __future__ import annotations

import json
import urllib.request

import pytest

from eservices.cases import pipeline, services, tasks
from eservices.cases.models import Case, CaseStatus, Step
from eservices.models import IdentificationStatus
from integrations.registry.population import (
    HORVATH_ESZTER,
    HORVATH_ESZTER_PLATE,
    KOVACS_ANNA,
    KOVACS_ANNA_FIRST_PLATE,
    KOVACS_ANNA_SECOND_PLATE,
    SZUCS_LEVENTE,
    SZUCS_LEVENTE_PLATE,
)
from tests.factories import ResidentProfileFactory, UserFactory, resident_as_typed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("parking_service")]

CASES = "/api/v1/cases/"


def identified(demo):
    """A resident identified at the office, as the registry knows them."""
    return resident_as_typed(
        demo, identification_status=IdentificationStatus.VERIFIED, registry_person_id=demo.registry.person_id
    )


TOKENS = {"parking": "dev-parking-token", "filing": "dev-filing-token", "registry": "dev-registry-token"}


def sim(server, path, body=None, token=""):
    request = urllib.request.Request(
        f"{server.base_url}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method="POST" if body is not None else "GET",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"} if token else {},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def submit(api_client, profile, plate, django_capture_on_commit_callbacks):
    api_client.force_authenticate(user=profile.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(CASES, {"service": "parking_permit", "plate": plate}, format="json")
    assert response.status_code == 201, response.json()
    return Case.objects.get(reference=response.json()["reference"])


def run(case):
    tasks.case_process(case.pk)
    case.refresh_from_db()
    return case


def test_granted_permit_from_submission_to_signed_decision(
    api_client, outside_systems, broker, django_capture_on_commit_callbacks
):
    from eservices.documents.verification import verify_pdf
    from integrations.mail.sink import wait_for_message

    profile = identified(SZUCS_LEVENTE)
    case = submit(
        api_client, profile, SZUCS_LEVENTE_PLATE.lower().replace("-", " "), django_capture_on_commit_callbacks
    )
    assert case.data == {"plate": SZUCS_LEVENTE_PLATE}  # normalised
    assert broker.queues["cases"].qsize() == 1  # the pipeline starts after commit

    case = run(case)

    assert (case.step, case.status) == (Step.DONE, CaseStatus.GRANTED)
    assert case.filing_number.startswith("XII/") and case.decision_filing_number.startswith("XII/")
    assert case.permit_number and case.permit_valid_until > case.permit_valid_from
    assert case.eligibility["granted"] is True and len(case.eligibility["results"]) == 6
    assert case.signature_level in ("B-LT", "B-LTA")
    report = verify_pdf(bytes(case.decision_pdf))
    assert report.valid and report.intact and report.trusted
    assert [event.step for event in case.events.filter(kind="step_done")] == [
        Step.REGISTER_ARRIVAL,
        Step.REGISTRY_CHECKS,
        Step.DECIDE,
        Step.AWAIT_PAYMENT,  # a free service passes it at once
        Step.CREATE_PERMIT,
        Step.RENDER,
        Step.SIGN,
        Step.ISSUE,
        Step.NOTIFY,
    ]
    # the permit exists once in the parking system, the filing system has the arrival and the decision
    permits = sim(outside_systems["parking"], f"/v1/permits?plate={SZUCS_LEVENTE_PLATE}", token=TOKENS["parking"])[
        "permits"
    ]
    assert [p["permit_number"] for p in permits if p["status"] == "active"] == [case.permit_number]
    # the email says the decision is ready, without personal data
    message = wait_for_message(outside_systems["mail"], lambda m: profile.user.email in m.to)
    assert case.reference in message.text and "Szűcs" not in message.text and SZUCS_LEVENTE_PLATE not in message.text


def test_delivering_the_same_message_twice_does_nothing_twice(
    api_client, outside_systems, broker, django_capture_on_commit_callbacks
):
    profile = identified(SZUCS_LEVENTE)
    case = run(submit(api_client, profile, SZUCS_LEVENTE_PLATE, django_capture_on_commit_callbacks))
    signed = bytes(case.decision_pdf)
    run(case)  # the same message again
    case.refresh_from_db()
    assert bytes(case.decision_pdf) == signed
    stats = sim(outside_systems["parking"], "/_sim/stats")
    assert stats["created_permits"] == 1
    assert case.events.filter(kind="step_done").count() == 9  # one per step


def test_a_step_repeated_after_a_crash_reuses_its_idempotency_key(
    api_client, outside_systems, broker, django_capture_on_commit_callbacks
):
    profile = identified(SZUCS_LEVENTE)
    case = submit(api_client, profile, SZUCS_LEVENTE_PLATE, django_capture_on_commit_callbacks)
    for _ in range(3):  # arrival, checks, decide
        pipeline.case_advance(case.pk)
    # the worker dies after the parking system created the permit but before our commit:
    # simulate by calling the parking system with the case's key, then running the step
    case.refresh_from_db()
    from integrations.parking.client import ParkingClient

    first = ParkingClient.from_settings().permit_create(
        plate=SZUCS_LEVENTE_PLATE,
        zone="HEGYVIDEK-1",
        holder_person_id=profile.registry_person_id,
        holder_name=profile.full_name,
        valid_from=case.decided_at.date(),
        idempotency_key=case.keys["permit"],
    )
    case = run(case)
    assert case.permit_number == first.permit_number
    assert sim(outside_systems["parking"], "/_sim/stats")["created_permits"] == 1


def test_steps_touch_only_the_data_they_need(api_client, outside_systems, broker, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profile = identified(SZUCS_LEVENTE)
    case = submit(api_client, profile, SZUCS_LEVENTE_PLATE, django_capture_on_commit_callbacks)
    touched = {}
    while True:
        step = Case.objects.values_list("step", flat=True).get(pk=case.pk)
        if step == Step.DONE:
            break
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            pipeline.case_advance(case.pk)
        sql = " ".join(query["sql"] for query in queries.captured_queries if query["sql"].startswith("UPDATE"))
        touched[step] = {name for name in pipeline.DOCUMENT_FIELDS if name in sql}
        # cases are records, not content: no Wagtail reference-index bookkeeping per save
        assert not any("referenceindex" in query["sql"] for query in queries.captured_queries), step
    # the ~120 kB of documents are not carried through every step's UPDATE
    assert touched[Step.RENDER] == {"decision_unsigned"}
    assert "decision_pdf" in touched[Step.SIGN]
    for step in (Step.REGISTER_ARRIVAL, Step.REGISTRY_CHECKS, Step.DECIDE, Step.CREATE_PERMIT, Step.ISSUE, Step.NOTIFY):
        assert touched[step] == set(), step
    case.refresh_from_db()
    assert case.status == CaseStatus.GRANTED and bytes(case.decision_pdf).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("demo", "plate", "failing_rule"),
    [
        (KOVACS_ANNA, KOVACS_ANNA_SECOND_PLATE, "first_vehicle_only"),
        (HORVATH_ESZTER, HORVATH_ESZTER_PLATE, "permanent_address_in_district"),
        (SZUCS_LEVENTE, KOVACS_ANNA_FIRST_PLATE, "vehicle_registered_to_applicant"),
    ],
)
def test_refusal_is_an_automatic_signed_decision_with_reasons(
    api_client, outside_systems, broker, django_capture_on_commit_callbacks, demo, plate, failing_rule
):
    profile = identified(demo)
    case = run(submit(api_client, profile, plate, django_capture_on_commit_callbacks))
    assert (case.step, case.status) == (Step.DONE, CaseStatus.REFUSED)
    assert case.permit_number == ""
    failed = [r["code"] for r in case.eligibility["results"] if not r["passed"]]
    assert failing_rule in failed
    detail = api_client.get(f"{CASES}{case.reference}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert detail["status"] == "refused"
    assert any(not reason["passed"] and reason["explanation"] for reason in detail["reasons"])
    assert sim(outside_systems["parking"], "/_sim/stats")["created_permits"] == 0


def test_a_resident_not_identified_cannot_apply(api_client, resident, outside_systems):
    api_client.force_authenticate(user=resident.user)
    response = api_client.post(CASES, {"service": "parking_permit", "plate": "ABC-123"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_identified"
    assert Case.objects.count() == 0


def test_a_second_application_while_one_runs_is_refused(
    api_client, outside_systems, broker, django_capture_on_commit_callbacks
):
    profile = identified(SZUCS_LEVENTE)
    submit(api_client, profile, SZUCS_LEVENTE_PLATE, django_capture_on_commit_callbacks)
    response = api_client.post(CASES, {"service": "parking_permit", "plate": SZUCS_LEVENTE_PLATE}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "case_in_progress"
    assert Case.objects.count() == 1


@pytest.mark.parametrize("plate", ["", "!!", "x" * 40])
def test_bad_plate_is_a_field_error(api_client, outside_systems, plate):
    profile = identified(SZUCS_LEVENTE)
    api_client.force_authenticate(user=profile.user)
    response = api_client.post(CASES, {"service": "parking_permit", "plate": plate}, format="json")
    assert response.status_code == 400 and "plate" in response.json()["fields"]
    assert Case.objects.count() == 0


@pytest.mark.parametrize("service", ["0", "no_such_service", "closed_service"])
def test_unknown_or_closed_service_is_a_field_error(api_client, outside_systems, service):
    from eservices.cases.models import ServiceType

    ServiceType.objects.create(
        code="closed_service",
        name_hu="Lezárt",
        name_en="Closed",
        rules_module="x",
        filing_classification="X",
        is_active=False,
    )
    profile = identified(SZUCS_LEVENTE)
    api_client.force_authenticate(user=profile.user)
    response = api_client.post(
        CASES, {"service": service, "plate": SZUCS_LEVENTE_PLATE}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["service"]
    assert Case.objects.count() == 0


def test_a_service_closed_for_applications_is_a_field_error(api_client, outside_systems):
    from eservices.cases.models import ServiceType

    ServiceType.objects.filter(code="parking_permit").update(is_active=False)
    profile = identified(SZUCS_LEVENTE)
    api_client.force_authenticate(user=profile.user)
    response = api_client.post(
        CASES, {"service": "parking_permit", "plate": SZUCS_LEVENTE_PLATE}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"service": ["This service is not available."]}
    assert Case.objects.count() == 0


# --- outside systems down, slow, failing -------------------------------------------------------


@pytest.mark.parametrize("system", ["filing", "registry", "parking"])
def test_a_system_down_is_retried_and_the_case_completes_when_it_is_back(
    api_client, outside_systems, broker, django_capture_on_commit_callbacks, system
):
    profile = identified(SZUCS_LEVENTE)
    case = submit(api_client, profile, SZUCS_LEVENTE_PLATE, django_capture_on_commit_callbacks)
    sim(outside_systems[system], "/_sim/faults", {"error_rate": 1.0})
    with pytest.raises(Exception):  # noqa: B017 - the actor raises for dramatiq to retry
        tasks.case_process.fn(case.pk) if False else _run_in_worker_context(case)
    case.refresh_from_db()
    assert case.status in (CaseStatus.SUBMITTED, CaseStatus.PROCESSING) and case.last_error
    assert case.events.filter(kind="step_retry").exists()
    sim(outside_systems[system], "/_sim/faults", {"error_rate": 0.0})
    case = run(case)
    assert case.step == Step.DONE and case.status == CaseStatus.GRANTED


def _run_in_worker_context(case):
    """Run the actor as a worker would on a message that still has retries left."""
    from dramatiq.middleware import CurrentMessage

    message = tasks.case_process.message(case.pk)
    message.options["retries"] = 0
    CurrentMessage._MESSAGE.set(message)
    try:
        tasks.case_process(case.pk)
    finally:
        CurrentMessage._MESSAGE.set(None)


def test_tsa_down_on_the_last_try_stops_the_case_and_a_clerk_restarts_it(
    api_client, outside_systems, broker, django_capture_on_commit_callbacks, clerk
):
    profile = identified(SZUCS_LEVENTE)
    case = submit(api_client, profile, SZUCS_LEVENTE_PLATE, django_capture_on_commit_callbacks)
    sim(outside_systems["tsa"], "/_sim/faults", {"down": True})
    case = run(case)  # outside a worker every try is the last one
    assert case.status == CaseStatus.FAILED and case.failed_step == Step.SIGN and case.permit_number
    sim(outside_systems["tsa"], "/_sim/faults", {"down": False})
    with django_capture_on_commit_callbacks(execute=True):
        services.case_retry(case=case, user=clerk)
    case = run(case)
    assert (case.step, case.status) == (Step.DONE, CaseStatus.GRANTED)
    assert sim(outside_systems["parking"], "/_sim/stats")["created_permits"] == 1


# --- delivery and the decision download -----------------------------------------------------


def test_first_download_by_the_addressee_records_receipt_in_the_case_and_the_filing_system(
    api_client, outside_systems, broker, django_capture_on_commit_callbacks
):
    profile = identified(SZUCS_LEVENTE)
    case = run(submit(api_client, profile, SZUCS_LEVENTE_PLATE, django_capture_on_commit_callbacks))
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.get(f"{CASES}{case.reference}/decision/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-"
    tasks.case_delivery_file(case.pk)
    case.refresh_from_db()
    assert case.delivered_at is not None and case.delivery_channel == "e-portal-download" and case.delivery_filed
    first = case.delivered_at
    api_client.get(f"{CASES}{case.reference}/decision/")
    case.refresh_from_db()
    assert case.delivered_at == first
    from integrations.filing.client import FilingClient

    filing = FilingClient.from_settings().filing_get(main_number=case.filing_number)
    delivered = [doc for doc in filing.documents if doc.filing_number == case.decision_filing_number]
    assert delivered and delivered[0].delivery is not None, filing


def test_other_residents_and_anonymous_cannot_see_a_case_or_its_decision(
    api_client, outside_systems, broker, django_capture_on_commit_callbacks
):
    owner = identified(SZUCS_LEVENTE)
    case = run(submit(api_client, owner, SZUCS_LEVENTE_PLATE, django_capture_on_commit_callbacks))
    stranger = ResidentProfileFactory(user=UserFactory())
    api_client.force_authenticate(user=stranger.user)
    assert api_client.get(f"{CASES}{case.reference}/").status_code == 404
    assert api_client.get(f"{CASES}{case.reference}/decision/").status_code == 404
    assert api_client.get(CASES).json() == []
    api_client.force_authenticate(user=None)
    assert api_client.get(f"{CASES}{case.reference}/").status_code == 403
    assert api_client.get(f"{CASES}{case.reference}/decision/").status_code == 403
    case.refresh_from_db()
    assert case.delivered_at is None


def test_public_verification_page_shows_the_signature_check_without_personal_data(
    client, api_client, outside_systems, broker, django_capture_on_commit_callbacks
):
    profile = identified(SZUCS_LEVENTE)
    case = run(submit(api_client, profile, SZUCS_LEVENTE_PLATE, django_capture_on_commit_callbacks))
    page = client.get(f"/ellenorzes/{case.verification_token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "The decision is authentic" in html and case.reference in html and case.decision_sha256 in html
    assert "Szűcs" not in html and SZUCS_LEVENTE_PLATE not in html
    assert client.get("/ellenorzes/nincs-ilyen/").status_code == 404


def test_clerk_sees_the_case_page_and_staff_without_permission_do_not(
    clerk_client, editor, outside_systems, api_client, broker, django_capture_on_commit_callbacks
):
    from django.test import Client

    from tests.conftest import login_staff_with_mfa

    profile = identified(SZUCS_LEVENTE)
    case = run(submit(api_client, profile, SZUCS_LEVENTE_PLATE, django_capture_on_commit_callbacks))
    page = clerk_client.get(f"/admin/cases/case/{case.pk}/")
    assert page.status_code == 200 and case.permit_number in page.content.decode()
    listing = clerk_client.get("/admin/cases/", {"status": "granted"})
    assert list(listing.context["object_list"]) == [case]
    other = login_staff_with_mfa(Client(), editor)
    assert other.get(f"/admin/cases/case/{case.pk}/").status_code == 302


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/services/parking_permit/vehicles/", None),
        ("post", "/api/v1/services/parking_permit/eligibility/", {"plate": SZUCS_LEVENTE_PLATE}),
    ],
)
def test_registry_down_during_the_wizard_is_a_clear_503_not_a_500(api_client, outside_systems, method, path, body):
    profile = identified(SZUCS_LEVENTE)
    api_client.force_authenticate(user=profile.user)
    sim(outside_systems["registry"], "/_sim/faults", {"error_rate": 1.0})
    response = getattr(api_client, method)(path, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response.json()["code"] == "outside_system_unavailable"
    assert "try again" in response.json()["message"]
    assert Case.objects.count() == 0
