"""The staff API of client records: create and update through the one save (cleansed, with
what was corrected), field errors by path, likely duplicates before a create, search results
that show names only, audited reads, GDPR export and erasure."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient
from wagtail.models import ModelLogEntry

from crm.models import Client, ClientChange, ClientEmail, ClientNote, ClientState
from crm.services import AddressData, ClientData, EmailData, PhoneData, client_save
from tests.conftest import login_staff_with_mfa
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

API = "/api/staff/v1/crm/clients/"


@pytest.fixture
def crm_clerk(db):
    return staff_user(role="crm_clerk", email="ugyfel@test.example")


@pytest.fixture
def clerk_api(crm_clerk):
    return login_staff_with_mfa(APIClient(), crm_clerk)


@pytest.fixture
def janos(crm_clerk):
    return client_save(
        data=ClientData(
            family_name="Kovács",
            given_names="János",
            birth_date=datetime.date(1971, 3, 14),
            emails=[EmailData(address="kovacs.janos@gmail.com")],
            phones=[PhoneData(number="+36301234567")],
            addresses=[
                AddressData(
                    postcode="1123", settlement="Budapest", street_name="Alkotás", street_type="utca", house_number="7"
                )
            ],
        ),
        user=crm_clerk,
    ).client


def payload(**overrides) -> dict:
    body = {
        "name_prefix": "",
        "family_name": "SZABÓ",
        "given_names": "éva",
        "birth_date": "1985-06-02",
        "emails": [{"address": "szabo.eva@gmial.com", "kind": "private", "is_default": True}],
        "phones": [{"number": "06 30 765 4321"}],
        "addresses": [
            {
                "postcode": "1126",
                "settlement": "Bp.",
                "street_name": "Böszörményi",
                "street_type": "út",
                "house_number": "12",
            }
        ],
        "consents": {"newsletter": {"granted": True, "source": "ügyfélszolgálat"}},
        "note": "Called about the parking permit.",
    }
    body.update(overrides)
    return body


def test_a_clerk_creates_a_client_and_sees_what_cleansing_corrected(clerk_api, crm_clerk):
    response = clerk_api.post(API, payload(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    client = Client.objects.get(pk=body["id"])
    assert (client.family_name, client.given_names, client.gender) == ("Szabó", "Éva", "female")
    assert body["display_name"] == "Szabó Éva"
    assert [e["address"] for e in body["emails"]] == ["szabo.eva@gmail.com"]
    assert body["phones"][0]["number"] == "+36307654321"
    assert body["addresses"][0]["district"] == 12 and body["addresses"][0]["settlement"] == "Budapest"
    assert body["consents"]["newsletter"]["granted"] is True
    assert any("gmail.com" in line for line in body["corrections"]), body["corrections"]
    assert body["problems"] == []
    assert ClientNote.objects.get(client=client).text == "Called about the parking permit."
    assert ClientChange.objects.get(client=client).actor == crm_clerk


def test_bad_input_is_answered_with_field_errors_by_path_and_stores_nothing(clerk_api):
    bad = payload(
        gender="x",
        birth_date="2999-01-01",
        emails=[{"address": "a@example.com"}, {"address": "", "kind": "fax"}],
        addresses=[{"postcode": "", "settlement": ""}],
        consents={"sms": {"granted": True}},
    )
    response = clerk_api.post(API, bad, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {
        "gender",
        "emails[1].address",
        "emails[1].kind",
        "addresses[0]",
        "consents.sms.source",
    }
    assert Client.objects.count() == 0


def test_rules_of_the_save_come_back_as_field_errors(clerk_api, janos):
    future = clerk_api.post(API, payload(birth_date="2999-01-01"), format="json")
    assert future.status_code == 400
    assert future.json()["fields"] == {"birth_date": ["The date of birth cannot be in the future."]}

    two_defaults = payload(
        emails=[{"address": "a@example.com", "is_default": True}, {"address": "b@example.com", "is_default": True}]
    )
    response = clerk_api.post(API, two_defaults, format="json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["emails"]

    janos.loyalty_card_number = "HK12345678"
    janos.save(update_fields=["loyalty_card_number"])
    taken = clerk_api.post(API, payload(loyalty_card_number="hk 1234 5678", confirm_not_duplicate=True), format="json")
    assert taken.status_code == 400 and taken.json()["code"] == "duplicate_loyalty_card"
    assert list(taken.json()["fields"]) == ["loyalty_card_number"]
    assert Client.objects.count() == 1

    not_json = clerk_api.post(API, "[1, 2", content_type="application/json")
    assert not_json.status_code == 400


def test_a_likely_duplicate_stops_a_blind_create(clerk_api, crm_clerk, janos):
    same_person = payload(
        family_name="Kovacs",
        given_names="Janos",
        birth_date="1971-03-14",
        emails=[{"address": "janos.k@example.com"}],
        phones=[],
        addresses=[],
        consents={},
    )

    response = clerk_api.post(API, same_person, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "possible_duplicates"
    [candidate] = body["candidates"]
    assert candidate["id"] == janos.pk and candidate["display_name"] == "Kovács János"
    assert candidate["birth_date"] == "1971-03-14" and candidate["email"] == "kovacs.janos@gmail.com"
    assert candidate["phone"] == "+36301234567" and candidate["score"] >= 70
    assert {r["code"] for r in candidate["reasons"]} >= {"name_same", "birth_date_same"}
    assert all(r["label"] for r in candidate["reasons"])
    assert candidate["url"] == f"/admin/crm/client/{janos.pk}/"
    assert Client.objects.count() == 1
    # showing the candidate's contacts is a read of personal data
    assert ModelLogEntry.objects.filter(
        action="crm.client_viewed", object_id=str(janos.pk), data__context="duplicate_check"
    ).exists()

    confirmed = clerk_api.post(API, {**same_person, "confirm_not_duplicate": True}, format="json")
    assert confirmed.status_code == 201
    assert Client.objects.count() == 2


def test_check_duplicates_answers_while_a_record_is_entered(clerk_api, janos):
    typed = {"family_name": "Kovács", "given_names": "Jánso", "phones": [{"number": "06-30/123-4567"}]}

    response = clerk_api.post(f"{API}check-duplicates/", typed, format="json")

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["candidates"]] == [janos.pk]
    assert {r["code"] for r in response.json()["candidates"][0]["reasons"]} == {"name_similar", "phone"}
    # the record being edited is not its own duplicate
    excluded = clerk_api.post(f"{API}check-duplicates/", {**typed, "exclude_client_id": janos.pk}, format="json")
    assert excluded.json() == {"candidates": []}
    nobody = clerk_api.post(f"{API}check-duplicates/", {"family_name": "Tóth", "given_names": "Ilona"}, format="json")
    assert nobody.json() == {"candidates": []}
    bad = clerk_api.post(f"{API}check-duplicates/", {"emails": [{"kind": "x"}]}, format="json")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"emails[0].address", "emails[0].kind"}
    assert Client.objects.count() == 1


def test_reading_a_record_is_audited_and_an_update_keeps_rows_by_id(clerk_api, crm_clerk, janos):
    read = clerk_api.get(f"{API}{janos.pk}/")
    assert read.status_code == 200
    record = read.json()
    assert ModelLogEntry.objects.filter(
        action="crm.client_viewed", object_id=str(janos.pk), user=crm_clerk, data__context="api"
    ).exists()
    email_id = record["emails"][0]["id"]

    response = clerk_api.put(
        f"{API}{janos.pk}/",
        {
            "given_names": "János Péter",
            "emails": [
                {"id": email_id, "address": "kovacs.janos@gmail.com", "kind": "work"},
                {"address": "jp@citromial.hu", "is_default": True},
            ],
            "addresses": [],
            "consents": {"sms": {"granted": False, "source": "phone call"}},
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["given_names"] == "János Péter" and body["family_name"] == "Kovács"  # left out: kept
    assert body["birth_date"] == "1971-03-14"
    emails = {e["address"]: e for e in body["emails"]}
    assert emails["kovacs.janos@gmail.com"]["id"] == email_id and emails["kovacs.janos@gmail.com"]["kind"] == "work"
    assert emails["jp@citromail.hu"]["is_default"] is True
    assert body["addresses"] == [] and [p["number"] for p in body["phones"]] == ["+36301234567"]
    assert body["consents"]["sms"]["granted"] is False
    assert body["corrections"]
    change = ClientChange.objects.filter(client=janos, action="updated").get()
    assert change.changes["given_names"] == ["János", "János Péter"] and change.actor == crm_clerk


def test_an_update_cannot_take_another_clients_rows(clerk_api, crm_clerk, janos):
    other = client_save(data=ClientData(family_name="Nagy", given_names="Anna"), user=crm_clerk).client
    email = ClientEmail.objects.get(client=janos)

    response = clerk_api.put(
        f"{API}{other.pk}/", {"emails": [{"id": email.pk, "address": "x@example.com"}]}, format="json"
    )

    assert response.status_code == 400 and list(response.json()["fields"]) == ["emails"]
    email.refresh_from_db()
    assert (email.client_id, email.address) == (janos.pk, "kovacs.janos@gmail.com")


def test_a_merged_or_erased_client_cannot_be_changed(clerk_api, crm_clerk, janos):
    other = client_save(data=ClientData(family_name="Nagy", given_names="Anna"), user=crm_clerk).client
    Client.objects.filter(pk=other.pk).update(state=ClientState.MERGED, merged_into=janos)
    Client.objects.filter(pk=janos.pk).update(state=ClientState.ERASED)

    for client in (janos, other):
        response = clerk_api.put(f"{API}{client.pk}/", {"family_name": "Új"}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "client_not_active"
    assert Client.objects.get(pk=other.pk).family_name == "Nagy"
    assert clerk_api.get(f"{API}999999/").status_code == 404


def test_search_lists_names_only_and_pages(clerk_api, crm_clerk, janos):
    for given in ("Józsa", "Júlia"):
        client_save(data=ClientData(family_name="Kovács", given_names=given), user=crm_clerk)

    first = clerk_api.get(API, {"q": "kov", "page_size": 2})
    second = clerk_api.get(API, {"q": "kov", "page_size": 2, "page": 2})

    assert first.status_code == 200
    body = first.json()
    assert body["count"] == 3 and body["has_next"] is True and len(body["results"]) == 2
    assert set(body["results"][0]) == {"id", "display_name", "url"}
    assert second.json()["has_next"] is False and len(second.json()["results"]) == 1
    names = {r["display_name"] for r in body["results"] + second.json()["results"]}
    assert names == {"Kovács János", "Kovács Józsa", "Kovács Júlia"}
    # a list is not a read of anyone's personal data
    assert not ModelLogEntry.objects.filter(action="crm.client_viewed").exists()
    assert clerk_api.get(API, {"q": "kov", "page": "0"}).status_code == 400
    assert clerk_api.get(API, {"q": "kov", "page_size": "1000"}).status_code == 400
    assert clerk_api.get(API).json()["results"] == []


def test_export_and_erase_through_the_api(clerk_api, crm_clerk, janos):
    export = clerk_api.get(f"{API}{janos.pk}/export/")
    assert export.status_code == 200
    assert export["Content-Disposition"] == f'attachment; filename="client-{janos.pk}.json"'
    assert export.json()["client"]["family_name"] == "Kovács"
    assert ModelLogEntry.objects.filter(action="crm.client_exported", object_id=str(janos.pk)).count() == 1

    # the CRM clerk role may not erase
    assert clerk_api.post(f"{API}{janos.pk}/erase/", {"reason": "request 12/2026"}, format="json").status_code == 403
    assert Client.objects.get(pk=janos.pk).state == ClientState.ACTIVE

    officer = staff_user(email="dpo@test.example", is_superuser=True)
    dpo = login_staff_with_mfa(APIClient(), officer)
    missing = dpo.post(f"{API}{janos.pk}/erase/", {"reason": "  "}, format="json")
    assert missing.status_code == 400 and list(missing.json()["fields"]) == ["reason"]
    erased = dpo.post(f"{API}{janos.pk}/erase/", {"reason": "request 12/2026"}, format="json")
    assert erased.status_code == 200 and erased.json() == {"id": janos.pk, "state": "erased"}
    again = dpo.post(f"{API}{janos.pk}/erase/", {"reason": "request 12/2026"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "client_not_active"
