"""Client records: one save for staff, accounts and imports — cleansed, with a history of who
changed what, one default per channel, problems queued — and the quick search over them."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry

from crm.errors import CrmError
from crm.models import (
    CleanupItem,
    CleanupState,
    Client,
    ClientChange,
    ClientEmail,
    ClientSource,
    GenderSource,
    TimelineEntry,
    ValidationState,
)
from crm.selectors import clients_quick_search
from crm.services import (
    AddressData,
    ClientData,
    ConsentData,
    EmailData,
    PhoneData,
    cleanup_resolve,
    client_data_of,
    client_save,
    client_sync_from_account,
)
from crm.timeline import timeline_record
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def crm_clerk(db):
    return staff_user(role="crm_clerk", email="crm@test.example")


def kovacs(**overrides) -> ClientData:
    data = ClientData(
        name_prefix="",
        family_name="dr. Kovács",
        given_names="JÁNOS",
        birth_date=datetime.date(1971, 3, 14),
        emails=[EmailData(address="Kovacs.Janos@GMAIL.com")],
        phones=[PhoneData(number="06 30 123 4567")],
        addresses=[
            AddressData(
                postcode="1123", settlement="Budapest", street_name="Alkotás", street_type="utca", house_number="7/B"
            )
        ],
        consents={"newsletter": ConsentData(granted=True, source="ügyfélszolgálat")},
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def test_a_new_client_is_cleansed_and_stored_with_its_history(crm_clerk):
    result = client_save(data=kovacs(), user=crm_clerk)
    client = result.client
    assert (client.name_prefix, client.family_name, client.given_names) == ("dr.", "Kovács", "János")
    assert (client.gender, client.gender_source) == ("male", GenderSource.INFERRED)
    assert [(e.address, e.is_default, e.validation_state) for e in client.emails.all()] == [
        ("Kovacs.Janos@gmail.com", True, ValidationState.CORRECTED)
    ]
    assert [(p.number, p.kind, p.is_default) for p in client.phones.all()] == [("+36301234567", "mobile", True)]
    address = client.addresses.get()
    assert (address.district, address.is_default) == (12, True)
    assert client.consents.get().granted is True
    assert client.search_name == "kovacs janos"
    assert {"kov", "kovacs", "jan", "alkotas", "7", "1123"} <= set(client.search_keys)
    change = ClientChange.objects.get(client=client)
    assert (change.action, change.actor, change.source) == ("created", crm_clerk, ClientSource.STAFF)
    assert change.changes["family_name"] == [None, "Kovács"]
    assert result.corrections  # the clerk is told what was written differently


def test_an_update_records_only_what_changed_with_who_and_when(crm_clerk):
    client = client_save(data=kovacs(), user=crm_clerk).client
    data = client_data_of(client)
    data.given_names = "János Péter"
    data.phones.append(PhoneData(number="+36 1 224 5900", kind="work"))
    client_save(client=client, data=data, user=crm_clerk)
    change = ClientChange.objects.filter(client=client).first()
    assert change.action == "updated" and change.actor == crm_clerk
    assert change.changes["given_names"] == ["János", "János Péter"]
    assert change.changes["phones"] == {"added": ["+3612245900"]}
    assert "family_name" not in change.changes
    # saving the same data again writes no history row
    client_save(client=client, data=client_data_of(client), user=crm_clerk)
    assert ClientChange.objects.filter(client=client).count() == 2


def test_one_default_per_channel_is_enforced_by_the_database(crm_clerk):
    client = client_save(data=kovacs(), user=crm_clerk).client
    with pytest.raises(IntegrityError), transaction.atomic():
        ClientEmail.objects.create(
            client=client, address="masik@example.hu", normalised="masik@example.hu", is_default=True
        )
    with pytest.raises(CrmError) as refused:
        client_save(
            data=kovacs(
                emails=[
                    EmailData(address="a@example.hu", is_default=True),
                    EmailData(address="b@example.hu", is_default=True),
                ]
            )
        )
    assert refused.value.fields == {"emails": ["Mark only one of them as default."]}


def test_a_moved_default_keeps_one_default(crm_clerk):
    client = client_save(
        data=kovacs(emails=[EmailData(address="a@example.hu"), EmailData(address="b@example.hu")]), user=crm_clerk
    ).client
    data = client_data_of(client)
    data.emails[0].is_default, data.emails[1].is_default = False, True
    client_save(client=client, data=data, user=crm_clerk)
    assert [(e.address, e.is_default) for e in client.emails.order_by("address")] == [
        ("a@example.hu", False),
        ("b@example.hu", True),
    ]


def test_bad_input_is_refused_with_field_messages_and_nothing_is_stored(crm_clerk):
    cases = [
        (ClientData(), "family_name"),
        (kovacs(birth_date=datetime.date(2999, 1, 1)), "birth_date"),
        (kovacs(birth_date=datetime.date(1850, 1, 1)), "birth_date"),
        (kovacs(gender="alien"), "gender"),
        (kovacs(loyalty_card_number="12"), "loyalty_card_number"),
        (kovacs(emails=[EmailData(address="x@example.hu", id=999)]), "emails"),
    ]
    for data, field in cases:
        with pytest.raises(CrmError) as refused:
            client_save(data=data, user=crm_clerk)
        assert refused.value.http_status == 400 and field in refused.value.fields, field
    assert Client.objects.count() == 0


def test_a_loyalty_card_belongs_to_one_client(crm_clerk):
    client_save(data=kovacs(loyalty_card_number="HK 1234 5678"), user=crm_clerk)
    with pytest.raises(CrmError) as refused:
        client_save(data=kovacs(family_name="Nagy", loyalty_card_number="hk-12345678"), user=crm_clerk)
    assert refused.value.code == "duplicate_loyalty_card"
    assert Client.objects.get().loyalty_card_number == "HK12345678"


def test_problems_go_to_the_cleanup_queue_and_close_when_fixed(crm_clerk):
    client = client_save(
        data=kovacs(emails=[EmailData(address="kovacs.janos")], phones=[PhoneData(number="123")]), user=crm_clerk
    ).client
    open_items = CleanupItem.objects.filter(client=client, state=CleanupState.OPEN)
    assert sorted(open_items.values_list("field", "code")) == [("email", "email_invalid"), ("phone", "phone_invalid")]
    # the same problem saved again is not queued twice
    client_save(client=client, data=client_data_of(client), user=crm_clerk)
    assert open_items.count() == 2
    # the clerk fixes the email: its item closes by itself; the phone problem is dismissed
    data = client_data_of(client)
    data.emails = [EmailData(address="kovacs.janos@gmail.com")]
    client_save(client=client, data=data, user=crm_clerk)
    assert list(open_items.values_list("field", flat=True)) == ["phone"]
    cleanup_resolve(item=open_items.get(), user=crm_clerk, dismiss=True, note="régi vezetékes szám")
    assert not open_items.exists()
    assert ClientChange.objects.filter(client=client, action="cleanup_dismissed").count() == 1
    with pytest.raises(CrmError):
        cleanup_resolve(item=CleanupItem.objects.get(field="phone"), user=crm_clerk, dismiss=False)


def test_a_stated_gender_wins_and_an_unknown_name_is_queued(crm_clerk):
    stated = client_save(data=kovacs(gender="female"), user=crm_clerk).client
    assert (stated.gender, stated.gender_source) == ("female", GenderSource.STATED)
    unknown = client_save(data=kovacs(family_name="Xyz", given_names="Qwrtzx"), user=crm_clerk).client
    assert (unknown.gender, unknown.gender_source) == ("", GenderSource.UNKNOWN)
    assert CleanupItem.objects.filter(client=unknown, code="gender_unknown").exists()


def test_a_resident_account_has_its_client_record_kept_in_step():
    from eservices.services import resident_profile_ensure, resident_profile_update

    user = UserFactory()
    profile = resident_profile_ensure(user=user, family_name="Szűcs", given_names="Levente")
    client = Client.objects.get(user=user)  # made with the account's profile
    assert (client.family_name, client.given_names, client.source) == ("Szűcs", "Levente", ClientSource.ACCOUNT)
    assert [e.address for e in client.emails.all()] == [user.email]
    resident_profile_update(profile=profile, data={"phone": "+36301112233"})
    # staff add a landline; a later change of the profile reaches the client and keeps it
    data = client_data_of(client)
    data.phones.append(PhoneData(number="06 1 224 5900"))
    client_save(client=client, data=data)
    resident_profile_update(profile=profile, data={"given_names": "Levente Ádám"})
    client.refresh_from_db()
    assert client.given_names == "Levente Ádám"
    assert sorted(p.number for p in client.phones.all()) == ["+3612245900", "+36301112233"]
    assert Client.objects.filter(user=user).count() == 1
    assert client_sync_from_account(user=user).pk == client.pk


def test_other_apps_write_to_the_timeline_once_per_event():
    user = UserFactory()
    for _ in range(2):
        timeline_record(user=user, kind="payment.captured", title="Parkolási díj · 24000 Ft", key="order:1:paid")
    client = Client.objects.get(user=user)
    assert list(TimelineEntry.objects.filter(client=client).values_list("kind", flat=True)) == ["payment.captured"]
    with pytest.raises(ValueError):
        timeline_record(user=user, kind="no.such.kind", title="x", key="x")


# --- quick search ---------------------------------------------------------------------------------
@pytest.fixture
def clients(crm_clerk):
    made = {}
    for key, family, given, email, phone, street, number, card in [
        ("janos", "Kovács", "János", "kovacs.janos@gmail.com", "06 30 123 4567", "Alkotás", "7", "HK10000001"),
        ("janosne", "Kovács", "Jánosné", "kjanosne@freemail.hu", "06 20 555 1234", "Böszörményi", "12", ""),
        ("anna", "Nagy", "Anna Mária", "nagy.anna@citromail.hu", "06 70 222 3344", "Csörsz", "12", ""),
        ("janos2", "Jánosi", "Kovács Béla", "jb@example.hu", "", "Maros", "3", ""),
    ]:
        street_type = "út" if street == "Böszörményi" else "utca"
        made[key] = client_save(
            data=ClientData(
                family_name=family,
                given_names=given,
                loyalty_card_number=card,
                emails=[EmailData(address=email)],
                phones=[PhoneData(number=phone)] if phone else [],
                addresses=[
                    AddressData(
                        postcode="1122" if street == "Maros" else "1123",
                        settlement="Budapest",
                        street_name=street,
                        street_type=street_type,
                        house_number=number,
                    )
                ],
            ),
            user=crm_clerk,
        ).client
    return made


def names(result) -> list[str]:
    return [f"{c.family_name} {c.given_names}" for c in result.clients]


def test_quick_search_by_name_prefixes_in_any_order_without_accents(clients):
    assert names(clients_quick_search("kov jan")) == ["Kovács János", "Kovács Jánosné", "Jánosi Kovács Béla"]
    assert names(clients_quick_search("JAN KOV"))[:2] == ["Jánosi Kovács Béla", "Kovács János"]
    assert names(clients_quick_search("nagy anna mar")) == ["Nagy Anna Mária"]
    assert names(clients_quick_search("Kovács Jánosné")) == ["Kovács Jánosné"]
    assert clients_quick_search("zzz").clients == []


def test_quick_search_by_email_phone_card_and_address(clients):
    assert names(clients_quick_search("nagy.anna@cit")) == ["Nagy Anna Mária"]
    for typed in ("06 30 123 4567", "+36301234567", "30/123-4567", "06 30 123"):
        assert names(clients_quick_search(typed)) == ["Kovács János"], typed
    assert names(clients_quick_search("HK 1000 0001")) == ["Kovács János"]
    assert names(clients_quick_search("böszörményi 12")) == ["Kovács Jánosné"]
    # typed with the street type, full or short
    assert names(clients_quick_search("böszörményi út 12")) == ["Kovács Jánosné"]
    assert names(clients_quick_search("Böszörményi u. 12")) == ["Kovács Jánosné"]
    assert sorted(names(clients_quick_search("1123"))) == ["Kovács János", "Kovács Jánosné", "Nagy Anna Mária"]


def test_quick_search_takes_an_email_beginning_without_its_at_and_survives_control_characters(clients, client):
    assert names(clients_quick_search("nagy.anna")) == ["Nagy Anna Mária"]
    for typed in ("\x00abc@x", "HK\x001000 0001", "kov\x00 jan", "\x1b[2J"):
        clients_quick_search(typed)  # no database error
    assert names(clients_quick_search("HK\x0010000001")) == ["Kovács János"]


def test_quick_search_is_a_few_queries_whatever_it_finds(clients):
    with CaptureQueriesContext(connection) as queries:
        result = clients_quick_search("kov")
    assert len(result.clients) == 3
    assert len(queries) <= 6  # the card, the keys, email beginnings, the clients with emails, phones, addresses


def test_staff_search_page_and_client_page_are_for_crm_clerks_and_reads_are_audited(clients, crm_clerk, client):
    from django.test import Client as Browser

    from tests.conftest import login_staff_with_mfa

    staff = login_staff_with_mfa(client, crm_clerk)
    page = staff.get("/admin/crm/", {"q": "kov jan"})
    assert page.status_code == 200 and "Kovács János" in page.content.decode()
    fragment = staff.get("/admin/crm/", {"q": "nagy", "partial": "1"})
    assert fragment.status_code == 200 and "Nagy Anna Mária" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    janos = clients["janos"]
    detail = staff.get(f"/admin/crm/client/{janos.pk}/")
    assert detail.status_code == 200 and "kovacs.janos@gmail.com" in detail.content.decode()
    assert (
        ModelLogEntry.objects.filter(action="crm.client_viewed", object_id=str(janos.pk), user=crm_clerk).count() == 1
    )
    # staff without the CRM permission, residents and anonymous visitors see nothing
    editor = login_staff_with_mfa(Browser(), staff_user(role="editor", email="ed@test.example"))
    resident = Browser()
    resident.force_login(UserFactory())
    for other in (editor, resident, Browser()):
        for path in ("/admin/crm/?q=kov", f"/admin/crm/client/{janos.pk}/", "/admin/crm/cleanup/"):
            assert other.get(path).status_code in (302, 403), path
    assert ModelLogEntry.objects.filter(action="crm.client_viewed").count() == 1
    # bad input from the browser gets an answer, not a server error
    assert staff.get("/admin/crm/", {"q": "\x00abc@x"}).status_code == 200
    for bad in ({"item": "abc", "action": "fixed"}, {"item": "999999", "action": "fixed"}, {"action": "fixed"}):
        assert staff.post("/admin/crm/cleanup/", bad).status_code in (302, 404)


def test_applications_and_payments_reach_the_residents_timeline(parking_service):
    from eservices.cases.services import case_submit
    from eservices.models import IdentificationStatus
    from tests.factories import ResidentProfileFactory
    from tests.payments.test_invoices import pay, unpaid_order

    profile = ResidentProfileFactory(identification_status=IdentificationStatus.VERIFIED)
    case = case_submit(applicant=profile, service_code="parking_permit", data={"plate": "AB-SL-126"})
    parking_service.fee_huf = 12_000
    parking_service.save(update_fields=["fee_huf"])
    order = pay(unpaid_order(profile, parking_service))
    client = Client.objects.get(user=profile.user)
    entries = list(TimelineEntry.objects.filter(client=client).order_by("at", "pk"))
    assert [(e.kind, e.url) for e in entries] == [
        ("case.submitted", f"/admin/cases/case/{case.pk}/"),
        ("payment.captured", f"/admin/orders/order/{order.pk}/"),
    ]
    assert entries[0].title == f"{case.reference} · Lakossági várakozási hozzájárulás"


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_syncs_of_an_account_make_one_client():
    import threading

    from django.db import connection as default_connection

    user = UserFactory()
    barrier = threading.Barrier(4)
    errors = []

    def sync():
        try:
            barrier.wait()
            client_sync_from_account(user=user)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            default_connection.close()

    threads = [threading.Thread(target=sync) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Client.objects.count() == 1 and Client.objects.get().user == user


def test_a_merged_record_cannot_be_saved_again(crm_clerk):
    from crm.duplicates.merge import client_merge
    from crm.models import ClientState

    a = client_save(data=kovacs(), user=crm_clerk).client
    b = client_save(data=kovacs(emails=[]), user=crm_clerk).client
    client_merge(survivor=a, merged=b, user=crm_clerk)
    b.refresh_from_db()
    with pytest.raises(CrmError) as caught:
        client_save(client=b, data=client_data_of(b), user=crm_clerk)
    assert caught.value.code == "client_not_active"
    b.refresh_from_db()
    assert b.state == ClientState.MERGED
