"""The duplicates API: pairs, merge with choices, not a duplicate, unmerge, bad input."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from crm.duplicates import duplicates_scan
from crm.models import ClientState, DuplicatePair, DuplicateState
from crm.services import ClientData, EmailData, client_save
from tests.conftest import login_staff_with_mfa
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

API = "/api/staff/v1/crm/"


@pytest.fixture
def crm_clerk(db):
    return staff_user(role="crm_clerk", email="ugyfel@test.example")


@pytest.fixture
def api(crm_clerk):
    return login_staff_with_mfa(APIClient(), crm_clerk)


@pytest.fixture
def pair(crm_clerk):
    born = datetime.date(1962, 11, 2)
    a = client_save(data=ClientData(family_name="Horváth", given_names="Ödön", birth_date=born), user=crm_clerk).client
    b = client_save(
        data=ClientData(
            family_name="Horvath",
            given_names="Odon",
            birth_date=born,
            emails=[EmailData(address="horvath.odon@citromail.hu")],
        ),
        user=crm_clerk,
    ).client
    duplicates_scan()
    return DuplicatePair.objects.get(client_a=a, client_b=b)


def test_list_and_read_a_pair(api, pair):
    listing = api.get(API + "duplicates/")
    assert listing.status_code == 200
    assert listing.json()["count"] == 1
    row = listing.json()["results"][0]
    assert row["id"] == pair.pk and {r["code"] for r in row["reasons"]} == {"name_same", "birth_date_same", "name_rare"}
    detail = api.get(API + f"duplicates/{pair.pk}/").json()
    assert detail["client_a"]["family_name"] == "Horváth"
    assert detail["default_choices"]["family_name"] == pair.client_a_id


def test_merge_and_unmerge_round_trip(api, pair):
    response = api.post(
        API + f"duplicates/{pair.pk}/merge/",
        {"survivor": pair.client_b_id, "choices": {"family_name": pair.client_a_id, "given_names": pair.client_a_id}},
        format="json",
    )
    assert response.status_code == 200, response.content
    b = pair.client_b
    b.refresh_from_db()
    assert (b.family_name, b.given_names) == ("Horváth", "Ödön")
    assert response.json()["provenance"]["family_name"]["from"] == pair.client_a_id
    merge_id = response.json()["merge"]
    undone = api.post(API + f"merges/{merge_id}/unmerge/")
    assert undone.status_code == 200
    b.refresh_from_db()
    a = pair.client_a
    a.refresh_from_db()
    assert (b.family_name, a.state) == ("Horvath", ClientState.ACTIVE)
    assert api.post(API + f"merges/{merge_id}/unmerge/").status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"survivor": "x"},
        {"survivor": 0},
        {"survivor": None},
        {"survivor": 1, "choices": "family_name"},
        {"survivor": 1, "choices": {"family_name": "a"}},
    ],
)
def test_bad_merge_input_is_a_400_with_fields(api, pair, body):
    if body.get("survivor") == 1:
        body = {**body, "survivor": pair.client_a_id}
    response = api.post(API + f"duplicates/{pair.pk}/merge/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["fields"]
    pair.refresh_from_db()
    assert pair.state == DuplicateState.OPEN


def test_dismiss_and_unknown_pairs(api, pair):
    assert api.post(API + f"duplicates/{pair.pk}/dismiss/").json()["state"] == "not_duplicate"
    assert api.get(API + "duplicates/?state=nonsense").status_code == 400
    assert api.get(API + "duplicates/?page=x").status_code == 400
    assert api.get(API + "duplicates/999999/").status_code == 404
    assert api.post(API + "merges/999999/unmerge/").status_code == 404


def test_without_the_merge_permission_nothing_is_shown(pair):
    viewer = staff_user(email="nezo@test.example")
    api = login_staff_with_mfa(APIClient(), viewer)
    assert api.get(API + "duplicates/").status_code == 403
    assert api.post(API + f"duplicates/{pair.pk}/dismiss/").status_code == 403
    assert APIClient().get(API + "duplicates/").status_code == 403
