"""The staff form for a client record: new and edit, repeating rows that work without
JavaScript, an error summary linking to the fields, likely duplicates before a new client is
stored, and the GDPR export download and erase confirmation."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.test import Client as Browser
from wagtail.models import ModelLogEntry

from crm.models import Client, ClientEmail, ClientNote, ClientPhone, ClientState
from crm.services import ClientData, EmailData, PhoneData, client_save
from tests.conftest import login_staff_with_mfa
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

NEW = "/admin/crm/client/new/"


@pytest.fixture
def crm_clerk(db):
    return staff_user(role="crm_clerk", email="ugyfel@test.example")


@pytest.fixture
def staff(crm_clerk):
    return login_staff_with_mfa(Browser(), crm_clerk)


@pytest.fixture
def janos(crm_clerk):
    return client_save(
        data=ClientData(
            family_name="Kovács",
            given_names="János",
            birth_date=datetime.date(1971, 3, 14),
            emails=[EmailData(address="kovacs.janos@gmail.com")],
            phones=[PhoneData(number="+36301234567")],
        ),
        user=crm_clerk,
    ).client


def rows(prefix: str, items: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    for index, item in enumerate(items):
        data.update({f"{prefix}-{index}-{key}": value for key, value in item.items()})
    return data


def form(**person) -> dict:
    data = {
        "family_name": "SZABÓ",
        "given_names": "éva",
        "birth_date": "1985-06-02",
        "newsletter": "granted",
        "newsletter_source": "desk",
        "note": "Came to the desk.",
        **rows("emails", [{"address": "szabo.eva@gmial.com", "kind": "private", "is_default": "on"}]),
        **rows("phones", [{"number": "06 30 765 4321", "kind": ""}]),
        **rows(
            "addresses",
            [
                {
                    "kind": "permanent",
                    "postcode": "1126",
                    "settlement": "Budapest",
                    "street_name": "Boszormenyi",
                    "street_type": "ut",
                    "house_number": "12",
                    "country": "HU",
                }
            ],
        ),
    }
    data.update(person)
    return data


def test_the_new_client_form_works_without_javascript(staff):
    page = staff.get(NEW)

    assert page.status_code == 200
    html = page.content.decode()
    for name in (
        "family_name",
        "given_names",
        "birth_date",
        "emails-0-address",
        "phones-0-number",
        "addresses-0-postcode",
    ):
        assert f'name="{name}"' in html, name
    assert 'name="emails-TOTAL_FORMS" value="1"' in html.replace(' id="id_emails-TOTAL_FORMS"', "")
    assert "emails-__prefix__-address" in html  # the row JavaScript copies
    assert "crm/client_form.js" in html and not re.search(
        r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", html
    )
    assert '<label class="w-field__label" for="id_family_name"' in html


def test_a_new_client_is_saved_and_the_clerk_sees_the_corrections(staff, crm_clerk):
    response = staff.post(NEW, form())

    client = Client.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/crm/client/{client.pk}/"
    assert (client.family_name, client.given_names, client.gender) == ("Szabó", "Éva", "female")
    assert client.emails.get().address == "szabo.eva@gmail.com"
    assert client.phones.get().number == "+36307654321"
    address = client.addresses.get()
    assert (address.street_name, address.street_type, address.district) == ("Böszörményi", "út", 12)
    assert client.consents.get().source == "desk"
    assert ClientNote.objects.get(client=client).author == crm_clerk
    page = staff.get(response["Location"])
    text = page.content.decode()
    assert "Szabó Éva is saved." in text and "gmail.com" in text and "Corrected on entry" in text


def test_errors_are_summarised_at_the_top_with_links_to_the_fields(staff):
    bad = form(
        birth_date="2999-01-01",
        newsletter="granted",
        newsletter_source="",
        **rows("emails", [{"address": "a@example.com", "kind": "fax"}]),
    )

    response = staff.post(NEW, bad)

    assert response.status_code == 400
    html = response.content.decode()
    summary = html[html.index('data-testid="crm-error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert 'href="#id_newsletter_source"' in summary
    assert 'href="#id_emails-0-kind"' in summary
    assert Client.objects.count() == 0
    # the rules of the save itself come back the same way
    future = staff.post(NEW, form(birth_date="2999-01-01"))
    assert future.status_code == 400
    assert 'href="#id_birth_date"' in future.content.decode()
    assert "The date of birth cannot be in the future." in future.content.decode()
    two = form(
        **rows(
            "emails",
            [
                {"address": "a@example.com", "kind": "private", "is_default": "on"},
                {"address": "b@example.com", "kind": "private", "is_default": "on"},
            ],
        )
    )
    response = staff.post(NEW, two)
    assert response.status_code == 400 and 'href="#crm-emails"' in response.content.decode()
    assert Client.objects.count() == 0


def test_likely_duplicates_are_shown_before_a_new_client_is_stored(staff, crm_clerk, janos):
    same = form(
        family_name="Kovacs",
        given_names="Janos",
        birth_date="1971-03-14",
        **rows("emails", [{"address": "", "kind": "private"}]),
        **rows("phones", [{"number": "", "kind": ""}]),
        **rows("addresses", [{"kind": "permanent", "postcode": "", "country": "HU"}]),
    )

    warned = staff.post(NEW, same)

    assert warned.status_code == 200
    html = warned.content.decode()
    assert 'data-testid="crm-duplicates"' in html
    assert f'href="/admin/crm/client/{janos.pk}/">Kovács János</a>' in html
    assert "1971. 03. 14." in html and "kovacs.janos@gmail.com" in html and "+36301234567" in html
    assert "Same name" in html and "Same date of birth" in html
    assert 'name="confirm_not_duplicate"' in html
    assert Client.objects.count() == 1

    saved = staff.post(NEW, {**same, "confirm_not_duplicate": "on"})
    assert saved.status_code == 302
    assert Client.objects.count() == 2


def test_editing_keeps_rows_removes_ticked_ones_and_adds_new(staff, crm_clerk, janos):
    email = ClientEmail.objects.get(client=janos)
    phone = ClientPhone.objects.get(client=janos)
    ClientEmail.objects.filter(pk=email.pk).update(verified_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC))

    page = staff.get(f"/admin/crm/client/{janos.pk}/edit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="kovacs.janos@gmail.com"' in html and f'name="emails-0-id" value="{email.pk}"' in html
    assert 'value="1971-03-14"' in html

    data = {
        "family_name": "Kovács",
        "given_names": "János Péter",
        "gender": "male",
        "birth_date": "1971-03-14",
        **rows(
            "emails",
            [
                {"id": str(email.pk), "address": "kovacs.janos@gmail.com", "kind": "private", "is_default": "on"},
                {"address": "jp@work.example", "kind": "work"},
            ],
            initial=1,
        ),
        **rows(
            "phones", [{"id": str(phone.pk), "number": "+36301234567", "kind": "mobile", "DELETE": "on"}], initial=1
        ),
        **rows("addresses", [{"kind": "permanent", "postcode": "", "country": "HU"}]),
        "sms": "refused",
        "sms_source": "phone call",
    }
    response = staff.post(f"/admin/crm/client/{janos.pk}/edit/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    janos.refresh_from_db()
    assert janos.given_names == "János Péter"
    assert sorted(janos.emails.values_list("address", flat=True)) == ["jp@work.example", "kovacs.janos@gmail.com"]
    assert ClientEmail.objects.get(pk=email.pk).verified_at is not None  # sent back unchanged: still proven
    assert not janos.phones.exists()
    assert janos.consents.get().granted is False
    assert ModelLogEntry.objects.filter(action="crm.client_viewed", data__context="edit_form").count() == 1


def test_export_download_and_erase_confirmation(janos, crm_clerk, staff):
    download = staff.get(f"/admin/crm/client/{janos.pk}/export/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="client-{janos.pk}.json"'
    assert json.loads(download.content)["client"]["given_names"] == "János"

    admin = login_staff_with_mfa(Browser(), staff_user(email="dpo@test.example", is_superuser=True))
    confirm = admin.get(f"/admin/crm/client/{janos.pk}/erase/")
    assert confirm.status_code == 200 and 'name="reason"' in confirm.content.decode()
    empty = admin.post(f"/admin/crm/client/{janos.pk}/erase/", {"reason": ""})
    assert empty.status_code == 400 and Client.objects.get(pk=janos.pk).state == ClientState.ACTIVE
    done = admin.post(f"/admin/crm/client/{janos.pk}/erase/", {"reason": "request 5/2026"})
    assert done.status_code == 302 and done["Location"] == f"/admin/crm/client/{janos.pk}/"
    assert Client.objects.get(pk=janos.pk).state == ClientState.ERASED
    # nothing to edit or erase any more
    assert admin.get(f"/admin/crm/client/{janos.pk}/erase/").status_code == 302
    assert staff.post(f"/admin/crm/client/{janos.pk}/edit/", form()).status_code == 302
    assert Client.objects.get(pk=janos.pk).family_name == ""
