"""Every CRM staff API endpoint answers odd input with a 4xx, never a 500, and stores nothing
half-done."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from crm.models import Client
from crm.services import ClientData, EmailData, client_save
from tests.conftest import login_staff_with_mfa
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

API = "/api/staff/v1/crm/"

ODD_BODIES = [
    None,
    [],
    "text",
    123,
    {"": ""},
    {"expression": None},
    {"expression": "[]"},
    {"expression": {"op": "and", "items": [{"field": "age", "operator": "between", "value": {"min": "x"}}]}},
    {"expression": {"op": "xor", "items": "nope"}},
    {"family_name": ["a"], "emails": "x", "phones": [{"number": None}], "addresses": [1]},
    {"family_name": "\x00", "birth_date": "2999-01-01", "emails": [{"address": "a" * 500}]},
    {"survivor": {"a": 1}, "choices": []},
    {"name": "", "expression": {}},
    {"tags": None, "saved_search": "x", "mode": "sideways"},
    {"group": "x", "valid_from": "yesterday", "valid_until": "2020-02-30"},
    {"reason": ""},
    {"q": "\x00" * 10},
]

ENDPOINTS = [
    "clients/",
    "clients/{id}/",
    "clients/check-duplicates/",
    "clients/{id}/erase/",
    "search/validate/",
    "search/",
    "search/tags/",
    "search/groups/",
    "saved-searches/",
    "tags/",
    "groups/",
    "duplicates/1/merge/",
    "duplicates/1/dismiss/",
    "merges/1/unmerge/",
]


@pytest.fixture
def api(db):
    admin = staff_user(email="fuzz@test.example", is_superuser=True)
    return login_staff_with_mfa(APIClient(), admin)


def test_odd_bodies_never_fail_the_server(api):
    client = client_save(
        data=ClientData(
            family_name="Kovács",
            given_names="János",
            birth_date=datetime.date(1970, 1, 1),
            emails=[EmailData(address="kj@example.hu")],
        ),
    ).client
    for endpoint in ENDPOINTS:
        url = API + endpoint.format(id=client.pk)
        for body in ODD_BODIES:
            for method in ("post", "put"):
                response = getattr(api, method)(url, body, format="json")
                assert response.status_code < 500, (method, url, body, response.content[:300])
        for query in ("?page=-1", "?page=abc", "?q=%00", "?format=exe", "?state=x&page=99999999999999999999"):
            response = api.get(url + query)
            assert response.status_code < 500, (url, query, response.content[:300])
    client.refresh_from_db()
    assert client.state == "active" and client.family_name == "Kovács"
    assert Client.objects.count() == 1
