"""The duplicates screens: the list of pairs, comparing and merging field by field, "not a
duplicate", undoing a merge from the client page, and who may do it."""

from __future__ import annotations

import datetime

import pytest

from crm.duplicates import duplicates_scan
from crm.models import Client, ClientMerge, ClientState, DuplicatePair, DuplicateState
from crm.services import ClientData, EmailData, PhoneData, client_save
from tests.conftest import login_staff_with_mfa
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def crm_clerk(db):
    return staff_user(role="crm_clerk", email="ugyfel@test.example")


@pytest.fixture
def staff(client, crm_clerk):
    return login_staff_with_mfa(client, crm_clerk)


@pytest.fixture
def pair(crm_clerk):
    born = datetime.date(1980, 5, 17)
    a = client_save(
        data=ClientData(
            family_name="Szőke",
            given_names="Anna",
            birth_date=born,
            emails=[EmailData(address="szoke.anna@freemail.hu")],
        ),
        user=crm_clerk,
    ).client
    b = client_save(
        data=ClientData(
            name_prefix="dr.",
            family_name="Szoke",
            given_names="Anna Mária",
            birth_date=born,
            phones=[PhoneData(number="06 20 555 1234")],
            loyalty_card_number="HK778899",
        ),
        user=crm_clerk,
    ).client
    duplicates_scan()
    return DuplicatePair.objects.get(client_a=a, client_b=b)


def test_the_list_shows_open_pairs_with_their_reasons(staff, pair):
    page = staff.get("/admin/crm/duplicates/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Szőke Anna" in text and "Similar name" in text and "Same date of birth" in text
    assert f"/admin/crm/duplicates/{pair.pk}/" in text


def test_merging_takes_each_field_from_the_chosen_record(staff, pair):
    a, b = pair.client_a, pair.client_b
    page = staff.get(f"/admin/crm/duplicates/{pair.pk}/")
    assert page.status_code == 200 and "HK778899" in page.content.decode()
    response = staff.post(
        f"/admin/crm/duplicates/{pair.pk}/",
        {
            "action": "merge",
            "survivor": a.pk,
            "field_family_name": a.pk,
            "field_given_names": b.pk,
            "field_name_prefix": b.pk,
            "field_gender": a.pk,
            "field_birth_date": a.pk,
            "field_loyalty_card_number": b.pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/admin/crm/client/{a.pk}/"
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.name_prefix, a.family_name, a.given_names, a.loyalty_card_number) == (
        "dr.",
        "Szőke",
        "Anna Mária",
        "HK778899",
    )
    assert [p.number for p in a.phones.all()] == ["+36205551234"]
    assert b.state == ClientState.MERGED
    # the client page offers to undo it; undoing gives the other record back
    merge = ClientMerge.objects.get()
    client_page = staff.get(f"/admin/crm/client/{a.pk}/").content.decode()
    assert f"/admin/crm/merges/{merge.pk}/unmerge/" in client_page
    response = staff.post(f"/admin/crm/merges/{merge.pk}/unmerge/")
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.given_names, a.loyalty_card_number, b.state, b.loyalty_card_number) == (
        "Anna",
        None,
        ClientState.ACTIVE,
        "HK778899",
    )
    assert b.phones.count() == 1 and a.phones.count() == 0


def test_not_a_duplicate_is_remembered(staff, pair):
    response = staff.post(f"/admin/crm/duplicates/{pair.pk}/", {"action": "dismiss"})
    assert response.status_code == 302
    duplicates_scan()
    pair.refresh_from_db()
    assert pair.state == DuplicateState.NOT_DUPLICATE
    assert "Szőke Anna" not in staff.get("/admin/crm/duplicates/").content.decode()
    assert "Szőke Anna" in staff.get("/admin/crm/duplicates/?state=not_duplicate").content.decode()


def test_a_bad_choice_is_a_message_not_a_failure(staff, pair):
    response = staff.post(
        f"/admin/crm/duplicates/{pair.pk}/", {"action": "merge", "survivor": pair.client_a_id, "field_family_name": "x"}
    )
    assert response.status_code == 400
    assert "Choose each field from one of the two clients." in response.content.decode()
    assert Client.objects.filter(state=ClientState.MERGED).count() == 0


def test_the_scan_button_sends_the_job(staff, pair, broker):
    response = staff.post("/admin/crm/duplicates/")
    assert response.status_code == 302
    assert broker.queues["crm"].qsize() == 1  # the worker runs the scan


def test_only_clerks_who_may_merge_see_duplicates(client, pair):
    nobody = staff_user(email="editor@test.example")
    login_staff_with_mfa(client, nobody)
    assert client.get("/admin/crm/duplicates/").status_code in (302, 403)
    assert client.post(f"/admin/crm/duplicates/{pair.pk}/", {"action": "dismiss"}).status_code in (302, 403)
    pair.refresh_from_db()
    assert pair.state == DuplicateState.OPEN
