"""Eligibility rules of the residential parking permit, one by one (pure: no I/O)."""

from __future__ import annotations

import dataclasses

import pytest

from eservices.servicetypes import parking_permit
from eservices.servicetypes.parking_permit import Facts, evaluate, granted

PERSON = "a1f4c2d0-0000-4000-8000-000000000001"
ADDRESS = {
    "postcode": "1122",
    "settlement": "Budapest",
    "district": "XII",
    "street_name": "Városmajor",
    "street_type": "utca",
    "house_number": "12",
}


def car(plate, owner_since, status="active", owner=PERSON):
    return {
        "plate": plate,
        "owner_person_id": owner,
        "operator_person_id": "",
        "status": status,
        "owner_since": owner_since,
        "make": "Suzuki",
        "model": "Swift",
    }


def facts(**changes) -> Facts:
    base = Facts(
        identity_verified=True,
        person_id=PERSON,
        person_name="Kovács Anna",
        permanent_address=ADDRESS,
        plate="ABC-123",
        vehicle=car("ABC-123", "2019-04-01"),
        owned_vehicles=[
            car("ABC-123", "2019-04-01"),
            car("XYZ-987", "2022-09-15"),
            car("OLD-111", "2010-01-01", "deregistered"),
        ],
        other_valid_permit="",
        precheck_ok=True,
        precheck_reasons=[],
    )
    return dataclasses.replace(base, **changes)


def outcome(result_list) -> dict[str, bool]:
    return {result.code: result.passed for result in result_list}


def test_everything_in_order_is_granted_and_explained_in_both_languages():
    results = evaluate(facts())
    assert granted(results)
    assert [r.code for r in results] == [
        "natural_person_identified",
        "permanent_address_in_district",
        "vehicle_registered_to_applicant",
        "first_vehicle_only",
        "no_other_valid_permit",
        "parking_system_precheck",
    ]
    assert all(r.explanation_hu and r.explanation_en for r in results)
    assert "1122 Budapest XII. ker., Városmajor utca 12" in results[1].explanation_hu


@pytest.mark.parametrize(
    ("changes", "failing_rule"),
    [
        ({"identity_verified": False}, "natural_person_identified"),
        ({"person_id": ""}, "natural_person_identified"),
        ({"permanent_address": {**ADDRESS, "postcode": "1051", "district": "V"}}, "permanent_address_in_district"),
        ({"permanent_address": {}}, "permanent_address_in_district"),
        ({"vehicle": None}, "vehicle_registered_to_applicant"),
        ({"vehicle": car("ABC-123", "2019-04-01", owner="company-1")}, "vehicle_registered_to_applicant"),
        ({"vehicle": car("ABC-123", "2019-04-01", status="deregistered")}, "vehicle_registered_to_applicant"),
        ({"plate": "XYZ-987", "vehicle": car("XYZ-987", "2022-09-15")}, "first_vehicle_only"),
        ({"other_valid_permit": "HV-2026-000001"}, "no_other_valid_permit"),
        (
            {
                "precheck_ok": False,
                "precheck_reasons": [
                    {
                        "code": "plate_has_valid_permit",
                        "message_hu": "A rendszámra már van érvényes hozzájárulás",
                        "message_en": "The plate already has a valid permit",
                    }
                ],
            },
            "parking_system_precheck",
        ),
    ],
)
def test_each_rule_refuses_on_its_own(changes, failing_rule):
    results = evaluate(facts(**changes))
    assert not granted(results)
    failed = [code for code, passed in outcome(results).items() if not passed]
    assert failing_rule in failed
    reason = next(r for r in results if r.code == failing_rule)
    assert reason.explanation_hu and reason.explanation_en


def test_deregistered_cars_do_not_count_as_the_first_vehicle():
    # the deregistered OLD-111 was registered earlier, but only active cars count
    assert outcome(evaluate(facts()))["first_vehicle_only"] is True


def test_permit_is_valid_for_a_year_from_the_decision():
    import datetime

    start, end = parking_permit.permit_dates(datetime.date(2026, 11, 21), 365)
    assert (start, end) == (datetime.date(2026, 11, 21), datetime.date(2027, 11, 20))


def test_every_rule_has_a_hungarian_name_for_the_decision():
    assert {r.code for r in evaluate(facts())} == set(parking_permit.RULE_NAMES_HU)
