"""The permit for a further vehicle: the residential permit's rules with the first-vehicle and
other-permit rules turned around, a fee paid before the permit is made, and the fee stated in
the signed decision."""

from __future__ import annotations

import dataclasses

import pytest

from eservices.cases.models import Case, CaseStatus, Step
from eservices.servicetypes import additional_vehicle_permit, parking_permit, rules_for
from integrations.registry.population import SZUCS_LEVENTE, SZUCS_LEVENTE_PLATE, SZUCS_LEVENTE_SECOND_PLATE
from payments.models import Order, OrderStatus
from tests.eservices.test_case_pipeline import identified, run
from tests.factories import staff_user

SERVICE = additional_vehicle_permit.CODE


def facts(**overrides) -> parking_permit.Facts:
    base = parking_permit.Facts(
        identity_verified=True,
        person_id="p1",
        person_name="Szűcs Levente",
        permanent_address={"district": "XII", "postcode": "1126"},
        plate="AB-SL-471",
        vehicle={"plate": "AB-SL-471", "owner_person_id": "p1", "operator_person_id": "p1", "status": "active"},
        owned_vehicles=[
            {"plate": "AB-SL-126", "status": "active", "owner_since": "2022-11-04"},
            {"plate": "AB-SL-471", "status": "active", "owner_since": "2025-03-10"},
        ],
        other_valid_permit="HV1-2026-000001",
        precheck_ok=True,
        precheck_reasons=[],
        other_additional_permit="",
    )
    return dataclasses.replace(base, **overrides)


def outcome(results) -> dict[str, bool]:
    return {result.code: result.passed for result in results}


def test_rules_grant_a_further_vehicle_of_a_permit_holder():
    results = additional_vehicle_permit.evaluate(facts())
    assert outcome(results) == {
        "natural_person_identified": True,
        "permanent_address_in_district": True,
        "vehicle_registered_to_applicant": True,
        "further_vehicle": True,
        "first_vehicle_permit_valid": True,
        "no_other_further_permit": True,
        "parking_system_precheck": True,
    }
    assert additional_vehicle_permit.granted(results)


@pytest.mark.parametrize(
    ("overrides", "failing"),
    [
        ({"plate": "AB-SL-126"}, "further_vehicle"),  # the first car gets the free permit, not this one
        ({"other_valid_permit": ""}, "first_vehicle_permit_valid"),  # the free permit comes first
        ({"other_additional_permit": "HV1-2026-000009"}, "no_other_further_permit"),  # one further vehicle
    ],
)
def test_rules_refuse_with_the_reason(overrides, failing):
    results = additional_vehicle_permit.evaluate(facts(**overrides))
    assert [code for code, passed in outcome(results).items() if not passed] == [failing]
    assert not additional_vehicle_permit.granted(results)
    refused = next(r for r in results if r.code == failing)
    assert refused.explanation_hu and refused.explanation_en


def test_rules_module_comes_from_the_service_type(additional_vehicle_service, parking_service):
    assert rules_for(additional_vehicle_service) is additional_vehicle_permit
    assert rules_for(parking_service) is parking_permit


@pytest.mark.django_db
def test_further_vehicle_from_application_to_paid_signed_decision(
    additional_vehicle_service, api_client, outside_systems, broker, django_capture_on_commit_callbacks
):
    from eservices.cases.decision import decision_data
    from payments.services import payment_record_cash
    from tests.documents.test_render import pdftotext

    profile = identified(SZUCS_LEVENTE)
    api_client.force_authenticate(user=profile.user)

    # given the free permit for his first car
    with django_capture_on_commit_callbacks(execute=True):
        first = api_client.post(
            "/api/v1/cases/", {"service": "parking_permit", "plate": SZUCS_LEVENTE_PLATE}, format="json"
        )
    first_case = run(Case.objects.get(reference=first.json()["reference"]))
    assert first_case.status == CaseStatus.GRANTED

    # when the wizard checks his second car for the further-vehicle permit, and he applies
    preview = api_client.post(
        f"/api/v1/services/{SERVICE}/eligibility/", {"plate": SZUCS_LEVENTE_SECOND_PLATE}, format="json"
    )
    assert preview.status_code == 200 and preview.json()["eligible"] is True
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/cases/", {"service": SERVICE, "plate": SZUCS_LEVENTE_SECOND_PLATE}, format="json"
        )
    assert response.status_code == 201
    case = run(Case.objects.get(reference=response.json()["reference"]))

    # then it is granted by the rules and waits for the 24 000 Ft fee
    assert (case.step, case.status) == (Step.AWAIT_PAYMENT, CaseStatus.AWAITING_PAYMENT)
    order = Order.objects.get(case=case)
    assert (order.amount, order.status) == (24000, OrderStatus.OPEN)

    # when the fee is paid at the desk, the case finishes with the fee in the signed decision
    clerk = staff_user(role="finance_clerk", email="penzugy@test.example")
    with django_capture_on_commit_callbacks(execute=True):
        payment_record_cash(order=order, amount=24000, receipt_number="E-1", clerk=clerk)
    case = run(case)
    assert (case.step, case.status) == (Step.DONE, CaseStatus.GRANTED)
    assert case.permit_number and case.permit_number != first_case.permit_number
    data = decision_data(case)
    assert data.subject == "lakossági várakozási hozzájárulás további gépjárműre"
    assert any("24\u00a0000\u00a0Ft díját a kérelmező" in part for part in data.operative_part)
    text = pdftotext(bytes(case.decision_unsigned))
    assert "további gépjárműre szóló lakossági várakozási hozzájárulást adok" in text
    assert f"fizetési azonosító: {order.reference}" in text


@pytest.mark.django_db
def test_further_vehicle_refused_without_a_first_permit_costs_nothing(
    additional_vehicle_service, api_client, outside_systems, broker, django_capture_on_commit_callbacks
):
    profile = identified(SZUCS_LEVENTE)
    api_client.force_authenticate(user=profile.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/cases/", {"service": SERVICE, "plate": SZUCS_LEVENTE_SECOND_PLATE}, format="json"
        )
    case = run(Case.objects.get(reference=response.json()["reference"]))
    assert (case.step, case.status) == (Step.DONE, CaseStatus.REFUSED)
    assert not Order.objects.filter(case=case).exists()
    refused = [r["code"] for r in case.eligibility["results"] if not r["passed"]]
    assert refused == ["first_vehicle_permit_valid"]


@pytest.mark.django_db
def test_unknown_service_eligibility_is_404(api_client, parking_service):
    profile = identified(SZUCS_LEVENTE)
    api_client.force_authenticate(user=profile.user)
    response = api_client.post("/api/v1/services/dog_licence/eligibility/", {"plate": SZUCS_LEVENTE_PLATE})
    assert response.status_code == 404
