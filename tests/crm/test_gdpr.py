"""GDPR: a client's data exported as JSON, and erasure that anonymises the record but keeps what
the law requires (filed cases and payments on the timeline), with an audit entry that holds the
reason and no personal data."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from wagtail.models import ModelLogEntry

from crm.errors import CrmError
from crm.gdpr import ERASED, client_erase, client_export
from crm.models import (
    CleanupItem,
    Client,
    ClientChange,
    ClientConsent,
    ClientEmail,
    ClientGroup,
    ClientIdentifier,
    ClientNote,
    ClientPhone,
    ClientState,
    ClientTag,
    GroupMembership,
    IdentifierKind,
    Tag,
    TimelineEntry,
)
from crm.services import (
    AddressData,
    ClientData,
    ConsentData,
    EmailData,
    PhoneData,
    client_data_of,
    client_save,
    client_viewed,
)
from crm.timeline import timeline_record
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def crm_clerk(db):
    return staff_user(role="crm_clerk", email="ugyfel@test.example")


@pytest.fixture
def officer(db):
    return staff_user(email="dpo@test.example", is_superuser=True)


@pytest.fixture
def anna(crm_clerk):
    """A client with everything the CRM can hold about a person."""
    account = UserFactory(email="nagy.anna@example.com")
    client = client_save(
        data=ClientData(
            family_name="Nagy",
            given_names="Anna Mária",
            birth_date=datetime.date(1980, 5, 17),
            loyalty_card_number="HK20260001",
            emails=[EmailData(address="nagy.anna@example.com"), EmailData(address="anna@work.example", kind="work")],
            phones=[PhoneData(number="06 20 555 1234")],
            addresses=[
                AddressData(
                    postcode="1126",
                    settlement="Budapest",
                    street_name="Böszörményi",
                    street_type="út",
                    house_number="3",
                )
            ],
            consents={"newsletter": ConsentData(granted=True, source="web form")},
        ),
        user=crm_clerk,
        account=account,
    ).client
    client_save(client=client, data=_renamed(client, "Nagy-Kiss"), user=crm_clerk)
    ClientNote.objects.create(client=client, text="Prefers calls after 4 pm.", author=crm_clerk)
    ClientIdentifier.objects.create(client=client, kind=IdentifierKind.REGISTRY_PERSON, value="SZL-778899")
    ClientTag.objects.create(client=client, tag=Tag.objects.create(name="volunteer"), added_by=crm_clerk)
    GroupMembership.objects.create(
        client=client, group=ClientGroup.objects.create(name="Seniors' club"), valid_until=datetime.date(2026, 12, 31)
    )
    CleanupItem.objects.create(client=client, field="phone", code="phone_invalid", message="?", value="06 20 555")
    timeline_record(
        client=client,
        kind="case.submitted",
        title="HV-2026-000123 · Lakossági várakozási hozzájárulás · Nagy-Kiss Anna Mária",
        key="case:123:submitted",
        data={"case": 123, "reference": "HV-2026-000123", "applicant": "Nagy-Kiss Anna Mária"},
        url="/admin/cases/case/123/",
    )
    timeline_record(
        client=client,
        kind="payment.captured",
        title="Parking permit fee · 24000 Ft",
        key="order:55:paid",
        data={"order": 55, "amount": 24000},
    )
    timeline_record(client=client, kind="newsletter.opened", title="Hegyvidéki Hírek, May", key="nl:1:opened:x")
    timeline_record(client=client, kind="contact.inquiry", title="Called: nagy.anna@example.com", key="cc:9")
    client.refresh_from_db()
    return client


def _renamed(client: Client, family_name: str) -> ClientData:
    data = client_data_of(client)
    data.family_name = family_name
    return data


def test_the_export_holds_all_the_personal_data_and_is_audited(anna, crm_clerk):
    data = client_export(client=anna, user=crm_clerk)

    json.dumps(data)  # plain JSON types only
    record = data["client"]
    assert (record["family_name"], record["given_names"], record["birth_date"]) == (
        "Nagy-Kiss",
        "Anna Mária",
        "1980-05-17",
    )
    assert record["loyalty_card_number"] == "HK20260001" and record["gender"] == "female"
    assert record["resident_account"]["email"] == "nagy.anna@example.com"
    assert {e["address"] for e in data["emails"]} == {"nagy.anna@example.com", "anna@work.example"}
    assert [p["number"] for p in data["phones"]] == ["+36205551234"]
    assert data["addresses"][0]["one_line"] == "1126 Budapest XII., Böszörményi út 3"
    assert data["identifiers"] == [
        {"kind": "registry_person", "value": "SZL-778899", "created_at": data["identifiers"][0]["created_at"]}
    ]
    assert [(c["channel"], c["granted"], c["source"]) for c in data["consents"]] == [("newsletter", True, "web form")]
    assert [n["text"] for n in data["notes"]] == ["Prefers calls after 4 pm."]
    assert [t["tag"] for t in data["tags"]] == ["volunteer"]
    assert data["groups"][0]["group"] == "Seniors' club" and data["groups"][0]["valid_until"] == "2026-12-31"
    assert [h["action"] for h in data["history"]] == ["created", "updated"]
    assert data["history"][1]["changes"]["family_name"] == ["Nagy", "Nagy-Kiss"]
    assert {t["kind"] for t in data["timeline"]} == {
        "case.submitted",
        "payment.captured",
        "newsletter.opened",
        "contact.inquiry",
    }
    assert data["data_problems"][0]["value"] == "06 20 555"
    # who on the staff did what is not part of the person's data
    assert "ugyfel@test.example" not in json.dumps(data)
    entry = ModelLogEntry.objects.get(action="crm.client_exported")
    assert (entry.object_id, entry.user) == (str(anna.pk), crm_clerk)


def test_erasure_anonymises_the_record_and_keeps_filed_cases_and_payments(anna, officer, crm_clerk):
    account = anna.user
    client_viewed(client=anna, user=crm_clerk, context="client_page")

    erased = client_erase(client=anna, user=officer, reason="Request GDPR-2026/14 of the person, art. 17")

    assert erased.state == ClientState.ERASED
    stored = Client.objects.get(pk=anna.pk)
    assert (stored.family_name, stored.given_names, stored.name_prefix, stored.gender) == ("", "", "", "")
    assert (stored.birth_date, stored.loyalty_card_number, stored.search_name, stored.search_keys) == (
        None,
        None,
        "",
        [],
    )
    # the resident account is unlinked, not deleted
    assert stored.user is None
    account.refresh_from_db()
    assert account.is_active
    for model in (
        ClientEmail,
        ClientPhone,
        ClientConsent,
        ClientNote,
        ClientIdentifier,
        ClientTag,
        GroupMembership,
        CleanupItem,
    ):
        assert not model.objects.filter(client=anna).exists(), model
    assert not stored.addresses.exists()
    # filed cases and payments stay on the timeline, without the person's name; the rest goes
    kept = {e.kind: e for e in TimelineEntry.objects.filter(client=anna)}
    assert set(kept) == {"case.submitted", "payment.captured"}
    case = kept["case.submitted"]
    assert case.title == f"HV-2026-000123 · Lakossági várakozási hozzájárulás · {ERASED}"
    assert case.data == {"case": 123, "reference": "HV-2026-000123", "applicant": ERASED}
    assert kept["payment.captured"].title == "Parking permit fee · 24000 Ft"
    # the history says what changed when, not the values
    history = list(ClientChange.objects.filter(client=anna).order_by("at", "pk"))
    assert [h.action for h in history] == ["created", "updated", "erased"]
    assert history[1].changes["family_name"] == [ERASED, ERASED]
    dumped = json.dumps([h.changes for h in history], ensure_ascii=False)
    for secret in ("Nagy", "Anna", "1980", "example.com", "555", "Böszörményi", "HK20260001"):
        assert secret not in dumped, secret
    # the audit entry: who, when, why; no personal data, and older entries lose the name
    audit = ModelLogEntry.objects.get(action="crm.client_erased")
    assert (audit.object_id, audit.user) == (str(anna.pk), officer)
    assert audit.data["reason"] == "Request GDPR-2026/14 of the person, art. 17"
    entries = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Client), object_id=str(anna.pk)
    )
    assert {e.action for e in entries} == {"crm.client_viewed", "crm.client_erased"}
    assert all("Nagy" not in e.label for e in entries)


def test_erasure_needs_a_reason_and_happens_once(anna, officer):
    with pytest.raises(CrmError) as missing:
        client_erase(client=anna, user=officer, reason="   ")
    assert missing.value.fields == {"reason": [missing.value.message]}
    assert Client.objects.get(pk=anna.pk).family_name == "Nagy-Kiss"

    client_erase(client=anna, user=officer, reason="Nagy-Kiss Anna Mária asked on the phone")
    # a name typed into the reason does not reach the audit log
    assert ModelLogEntry.objects.get(action="crm.client_erased").data["reason"] == f"{ERASED} asked on the phone"
    with pytest.raises(CrmError) as again:
        client_erase(client=anna, user=officer, reason="again")
    assert again.value.code == "client_not_active"


def test_records_merged_into_the_client_are_erased_with_it(anna, officer, crm_clerk):
    old = client_save(
        data=ClientData(family_name="Nagy", given_names="Anna", emails=[EmailData(address="anna.old@example.com")]),
        user=crm_clerk,
    ).client
    Client.objects.filter(pk=old.pk).update(state=ClientState.MERGED, merged_into=anna)

    with pytest.raises(CrmError) as merged:
        client_erase(client=old, user=officer, reason="request 3")
    assert merged.value.code == "client_not_active"

    client_erase(client=anna, user=officer, reason="request 3")

    old.refresh_from_db()
    assert (old.state, old.family_name, old.given_names) == (ClientState.ERASED, "", "")
    assert not ClientEmail.objects.filter(client=old).exists()
    assert ModelLogEntry.objects.get(action="crm.client_erased").data["clients"] == [anna.pk, old.pk]


def test_an_erased_client_is_not_found_by_search_and_is_not_edited_on_its_page(anna, officer, crm_clerk, client):
    from crm.selectors import clients_quick_search
    from tests.conftest import login_staff_with_mfa

    client_erase(client=anna, user=officer, reason="request 4")

    assert clients_quick_search("nagy anna").clients == []
    assert clients_quick_search("nagy.anna@example.com").clients == []
    staff = login_staff_with_mfa(client, crm_clerk)
    page = staff.get(f"/admin/crm/client/{anna.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Erased (GDPR)" in html and f"/admin/crm/client/{anna.pk}/edit/" not in html
    edit = staff.get(f"/admin/crm/client/{anna.pk}/edit/")
    assert edit.status_code == 302 and edit["Location"] == f"/admin/crm/client/{anna.pk}/"
