"""The resident's own profile: who may read and change it, and what bad input gives."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from eservices.models import IdentificationStatus, ResidentProfile
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROFILE_URL = "/api/v1/me/profile/"


def login(api_client, profile):
    api_client.force_authenticate(user=profile.user)
    return api_client


def test_anonymous_cannot_read_or_change_a_profile(api_client, resident):
    # given a resident and nobody signed in
    # when an anonymous client reads and patches the profile endpoint
    read = api_client.get(PROFILE_URL)
    write = api_client.patch(PROFILE_URL, {"family_name": "Betörő"}, format="json")
    # then both are refused and nothing changed
    assert read.status_code == 403 and read.json()["code"] == "not_authenticated"
    assert write.status_code == 403
    resident.refresh_from_db()
    assert resident.family_name == "Kovács"


def test_resident_reads_only_their_own_profile(api_client, resident, other_resident):
    response = login(api_client, resident).get(PROFILE_URL)
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == resident.user.email
    assert body["family_name"] == "Kovács" and body["mother_birth_name"] == "Szabó Mária"
    assert body["birth_date"] == "1985-03-14"
    assert body["permanent_address"]["postcode"] == "1122"
    assert body["identification_status"] == "unverified"
    assert other_resident.user.email not in response.content.decode()


def test_resident_updates_profile_and_phone_is_normalised(api_client, resident):
    response = login(api_client, resident).patch(
        PROFILE_URL,
        {"given_names": "  Anna   Mária ", "phone": "06 30 765 4321", "mailing_address": None},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["given_names"] == "Anna Mária"
    assert response.json()["phone"] == "+36307654321"
    resident.refresh_from_db()
    assert resident.given_names == "Anna Mária" and str(resident.phone) == "+36307654321"


@pytest.mark.parametrize(
    ("payload", "field_path", "lang", "message_part"),
    [
        ({"phone": "12345"}, ("phone",), "en", "valid phone number"),
        ({"phone": "12345"}, ("phone",), "hu", "telefonszám"),
        ({"birth_date": "2999-01-01"}, ("birth_date",), "en", "future"),
        ({"birth_date": "2999-01-01"}, ("birth_date",), "hu", "jövőbeli"),
        ({"birth_date": "1985-02-30"}, ("birth_date",), "en", "Date has wrong format"),
        ({"family_name": "K0vács"}, ("family_name",), "en", "digits"),
        (
            {
                "permanent_address": {
                    "postcode": "11a2",
                    "settlement": "Budapest",
                    "street_name": "Alkotás",
                    "street_type": "utca",
                    "house_number": "1",
                }
            },
            ("permanent_address", "postcode"),
            "hu",
            "négy számjegy",
        ),
        (
            {"permanent_address": {"postcode": "1122"}},
            ("permanent_address", "street_name"),
            "en",
            "required",
        ),
    ],
)
def test_bad_input_gets_translated_field_errors_and_changes_nothing(
    api_client, resident, payload, field_path, lang, message_part
):
    response = login(api_client, resident).patch(PROFILE_URL, payload, format="json", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["message"]
    errors = body["fields"]
    for key in field_path:
        errors = errors[key]
    assert any(message_part in message for message in errors), errors
    resident.refresh_from_db()
    assert resident.birth_date == datetime.date(1985, 3, 14)
    assert str(resident.phone) == "+36301234567"
    assert resident.permanent_address["postcode"] == "1122"


def test_non_json_and_wrong_types_give_400_not_500(api_client, resident):
    client = login(api_client, resident)
    assert client.patch(PROFILE_URL, "not json", content_type="application/json").status_code == 400
    assert client.patch(PROFILE_URL, {"permanent_address": "x"}, format="json").status_code == 400
    assert client.patch(PROFILE_URL, {"birth_date": 12}, format="json").status_code == 400
    assert client.patch(PROFILE_URL, [1, 2], format="json").status_code == 400


def test_identified_resident_cannot_change_identity_data_but_can_change_contact(api_client, resident):
    resident.identification_status = IdentificationStatus.VERIFIED
    resident.save()
    client = login(api_client, resident)
    refused = client.patch(PROFILE_URL, {"mother_birth_name": "Más Név"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert refused.json()["code"] == "identity_locked"
    assert "office" in refused.json()["fields"]["mother_birth_name"][0]
    same = client.patch(PROFILE_URL, {"mother_birth_name": "Szabó  Mária", "phone": "+36 70 111 2222"}, format="json")
    assert same.status_code == 200
    resident.refresh_from_db()
    assert resident.mother_birth_name == "Szabó Mária" and str(resident.phone) == "+36701112222"


def test_csrf_is_enforced_on_session_authenticated_writes(resident):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    assert client.login(email=resident.user.email, password=PASSWORD)
    response = client.patch(PROFILE_URL, {"family_name": "X"}, format="json")
    assert response.status_code == 403
    client.get("/api/v1/csrf/")
    token = client.cookies["csrftoken"].value
    response = client.patch(PROFILE_URL, {"family_name": "Kiss"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


def test_protected_personal_data_are_encrypted_at_rest(resident):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT birth_name, mother_birth_name, birth_date, birth_place, family_name "
            "FROM eservices_residentprofile WHERE id = %s",
            [resident.pk],
        )
        birth_name, mother, birth_date, birth_place, family_name = cursor.fetchone()
    assert family_name == "Kovács"  # not protected: needed for search
    for raw, plain in (
        (birth_name, "Kovács Anna"),
        (mother, "Szabó Mária"),
        (birth_date, "1985-03-14"),
        (birth_place, "Budapest"),
    ):
        assert plain not in raw and raw.startswith("gAAAA")
    fresh = ResidentProfile.objects.get(pk=resident.pk)
    assert fresh.mother_birth_name == "Szabó Mária" and fresh.birth_date == datetime.date(1985, 3, 14)


def test_key_rotation_reencrypts_with_the_new_key(resident, settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *old_keys]
    call_command("personal_data_rotate_keys", stdout=open("/dev/null", "w"))
    # the old keys are gone; the data still read back
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    fresh = ResidentProfile.objects.get(pk=resident.pk)
    assert fresh.mother_birth_name == "Szabó Mária" and fresh.birth_date == datetime.date(1985, 3, 14)


def test_identification_status_tells_what_to_bring(api_client, resident):
    response = login(api_client, resident).get("/api/v1/me/identification/", HTTP_ACCEPT_LANGUAGE="hu")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "unverified" and body["verified_at"] is None
    assert body["office"]["address"].startswith("1126 Budapest")
    assert len(body["what_to_bring"]) == 3


@pytest.mark.parametrize(
    "raw",
    [
        '{"family_name": "Kov\\ud800cs"}',  # a lone surrogate: valid JSON, not encodable text
        '{"permanent_address": {"postcode": "1126", "settlement": "Budapest", "street_name": "\\udfff",'
        ' "street_type": "utca", "house_number": "1"}}',
        '{"birth_place": "P\\u0000cs"}',  # NUL: PostgreSQL text cannot hold it
        '{"given_names": "Anna\\u001bEszter"}',  # a control character
        '{"permanent_address": {"postcode": "1126", "settlement": "Budapest", "street_name": "Csörsz",'
        ' "street_type": "utca", "house_number": "1\\u200e"}}',  # an invisible direction mark
    ],
)
def test_text_that_is_not_text_is_a_400_and_nothing_is_stored(api_client, resident, raw):
    client = login(api_client, resident)
    before = client.get(PROFILE_URL).json()
    response = client.patch(PROFILE_URL, raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] in ("invalid", "parse_error")
    assert client.get(PROFILE_URL).json() == before
