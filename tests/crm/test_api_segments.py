"""The staff API of complex search, saved searches, tags and groups: bad expressions answered
with every problem and its path, pages of results, CSV/XLSX exports (audited), saved search
CRUD, bulk tagging by a saved search, and who may call it."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client as HttpClient
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from crm.models import ClientGroup, ClientState, ClientTag, GroupMembership, SavedSearch, Tag
from tests.conftest import login_staff_with_mfa
from tests.crm.test_segments import DISTRICT_XII, person
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

API = "/api/staff/v1/crm"


@pytest.fixture
def crm_clerk(db):
    return staff_user(role="crm_clerk", email="ugyfel@test.example")


@pytest.fixture
def api(crm_clerk) -> HttpClient:
    """A CRM clerk's browser session that passed the second factor (the API's only way in)."""
    return login_staff_with_mfa(HttpClient(), crm_clerk)


def post(client: HttpClient, url: str, data, **kwargs):
    return client.post(url, json.dumps(data), content_type="application/json", **kwargs)


@pytest.fixture
def residents(db):
    clients = [person("Kovács", f"Ügyfél {n:02d}", email=f"ugyfel{n:02d}@example.hu") for n in range(12)]
    person("Kiss", "Anna", district=11)
    person("Régi", "Béla", state=ClientState.MERGED)
    return clients


def test_validate_answers_a_bad_expression_with_every_problem_and_its_path(api):
    bad = {
        "op": "and",
        "items": [
            {"field": "age", "operator": "between", "value": {"min": 10, "max": 999}},
            {"field": "shoe_size", "operator": "eq", "value": 42},
        ],
    }
    response = post(api, f"{API}/search/validate/", {"expression": bad})
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid_expression"
    problems = body["fields"]["expression"]
    assert any(p.startswith("items[0].value.max: must be a whole number between 0 and 130") for p in problems)
    assert any(p.startswith("items[1].field: unknown field") for p in problems)
    # a well-formed expression naming a tag that does not exist
    unknown = {"op": "and", "items": [{"op": "or", "items": [{"field": "tag", "operator": "any_of", "value": [987]}]}]}
    response = post(api, f"{API}/search/validate/", {"expression": unknown})
    assert response.status_code == 400
    assert response.json()["fields"]["expression"] == ["items[0].items[0].value[0]: there is no tag with this id"]
    missing = post(api, f"{API}/search/validate/", {})
    assert missing.status_code == 400 and "expression" in missing.json()["fields"]


def test_validate_a_good_expression_gives_its_description_and_count(api, residents):
    response = post(api, f"{API}/search/validate/", {"expression": DISTRICT_XII})
    assert response.status_code == 200
    assert response.json() | {"expression": None} == {
        "valid": True,
        "expression": None,
        "description": "district: XII",
        "count": 12,
    }


def test_search_is_paginated_and_shows_emails_to_clerks(api, residents):
    first = post(api, f"{API}/search/", {"expression": DISTRICT_XII, "page": 1, "page_size": 5}).json()
    last = post(api, f"{API}/search/", {"expression": DISTRICT_XII, "page": 3, "page_size": 5}).json()
    assert (first["count"], first["pages"], len(first["results"]), len(last["results"])) == (12, 3, 5, 2)
    row = first["results"][0]
    assert row == {
        "id": residents[0].pk,
        "name": "Kovács Ügyfél 00",
        "birth_date": "1970-05-01",
        "age": row["age"],
        "district": 12,
        "email": "ugyfel00@example.hu",
        "tags": [],
    }
    assert isinstance(row["age"], int) and row["age"] >= 55
    ids = [r["id"] for r in first["results"] + last["results"]]
    assert len(set(ids)) == 7 and ids == sorted(ids)


def test_export_csv_and_xlsx_are_audited(api, crm_clerk, residents):
    response = post(api, f"{API}/search/export/?format=csv", {"expression": DISTRICT_XII})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.csv"')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:2] == ["Id", "Name"] and len(rows) == 13
    assert rows[1][1] == "Kovács Ügyfél 00" and rows[1][4] == "ugyfel00@example.hu"

    response = post(api, f"{API}/search/export/?format=xlsx", {"expression": DISTRICT_XII})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][1] == "Name" and len(values) == 13 and values[12][1] == "Kovács Ügyfél 11"

    entries = ModelLogEntry.objects.filter(action="crm.clients_exported").order_by("pk")
    assert [(e.data["format"], e.data["count"], e.user_id) for e in entries] == [
        ("csv", 12, crm_clerk.pk),
        ("xlsx", 12, crm_clerk.pk),
    ]
    wrong = post(api, f"{API}/search/export/?format=pdf", {"expression": DISTRICT_XII})
    assert wrong.status_code == 400 and "format" in wrong.json()["fields"]


def test_saved_search_crud_and_its_clients(api, residents):
    created = post(api, f"{API}/saved-searches/", {"name": "XII. kerület", "expression": DISTRICT_XII})
    assert created.status_code == 201
    saved = created.json()
    assert (saved["name"], saved["count"], saved["summary"]) == ("XII. kerület", 12, "district: XII")

    duplicate = post(api, f"{API}/saved-searches/", {"name": "xii. kerület", "expression": DISTRICT_XII})
    assert duplicate.status_code == 400 and duplicate.json()["code"] == "duplicate_name"
    assert "name" in duplicate.json()["fields"] and SavedSearch.objects.count() == 1
    invalid = post(api, f"{API}/saved-searches/", {"name": "Rossz", "expression": {"op": "xor", "items": []}})
    assert invalid.status_code == 400 and invalid.json()["code"] == "invalid_expression"

    listing = api.get(f"{API}/saved-searches/").json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == saved["id"]

    changed = api.patch(
        f"{API}/saved-searches/{saved['id']}/",
        json.dumps(
            {
                "description": "Hírlevél",
                "expression": {"op": "and", "items": [{"field": "district", "operator": "in", "value": [11, 12]}]},
            }
        ),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["count"] == 13
    assert SavedSearch.objects.get().description == "Hírlevél"

    page = api.get(f"{API}/saved-searches/{saved['id']}/clients/", {"page": 2, "page_size": 10}).json()
    assert (page["count"], page["page"], len(page["results"])) == (13, 2, 3)

    assert api.delete(f"{API}/saved-searches/{saved['id']}/").status_code == 204
    assert not SavedSearch.objects.exists()
    assert api.get(f"{API}/saved-searches/{saved['id']}/").status_code == 404


def test_bulk_tags_by_a_saved_search_and_groups_by_an_expression(api, residents):
    saved = SavedSearch.objects.create(name="XII", expression=DISTRICT_XII)
    response = post(api, f"{API}/search/tags/", {"saved_search": saved.pk, "tags": ["Nyugdíjas"]})
    assert response.status_code == 200 and response.json() == {"count": 12}
    assert post(api, f"{API}/search/tags/", {"saved_search": saved.pk, "tags": ["Nyugdíjas"]}).json() == {"count": 0}
    assert ClientTag.objects.filter(tag__name="Nyugdíjas").count() == 12
    entry = ModelLogEntry.objects.filter(action="crm.tag_bulk_added").first()
    assert entry.data["saved_search"] == {"id": saved.pk, "name": "XII"}

    both = post(api, f"{API}/search/tags/", {"saved_search": saved.pk, "expression": DISTRICT_XII, "tags": ["X"]})
    assert both.status_code == 400 and not Tag.objects.filter(name="X").exists()

    group = ClientGroup.objects.create(name="Kertbarátok")
    wrong = post(
        api,
        f"{API}/search/groups/",
        {"expression": DISTRICT_XII, "group": group.pk, "valid_from": "2026-02-01", "valid_until": "2026-01-01"},
    )
    assert wrong.status_code == 400 and "valid_until" in wrong.json()["fields"]
    added = post(api, f"{API}/search/groups/", {"expression": DISTRICT_XII, "group": group.pk})
    assert added.json() == {"count": 12} and GroupMembership.objects.count() == 12
    removed = post(api, f"{API}/search/groups/", {"expression": DISTRICT_XII, "group": group.pk, "remove": True})
    assert removed.json() == {"count": 12} and not GroupMembership.objects.exists()


def test_tags_and_groups_list_and_create(api, residents):
    assert post(api, f"{API}/tags/", {"name": "Önkéntes"}).status_code == 201
    assert post(api, f"{API}/tags/", {"name": "önkéntes"}).json()["code"] == "duplicate_name"
    post(api, f"{API}/search/tags/", {"expression": DISTRICT_XII, "tags": ["Önkéntes"]})
    tags = api.get(f"{API}/tags/").json()
    assert [(t["name"], t["members"]) for t in tags["results"]] == [("Önkéntes", 12)]
    created = post(api, f"{API}/groups/", {"name": "Idősek", "description": "65+"})
    assert created.status_code == 201 and ClientGroup.objects.get().created_by is not None
    assert post(api, f"{API}/groups/", {"name": "idősek"}).status_code == 400
    assert [g["name"] for g in api.get(f"{API}/groups/").json()["results"]] == ["Idősek"]


def test_who_may_call_it(db, residents):
    anonymous = HttpClient()
    assert post(anonymous, f"{API}/search/", {"expression": DISTRICT_XII}).status_code in (401, 403)
    editor = login_staff_with_mfa(HttpClient(), staff_user(role="editor", email="szerkeszto@test.example"))
    assert post(editor, f"{API}/search/", {"expression": DISTRICT_XII}).status_code == 403
    assert post(editor, f"{API}/search/tags/", {"expression": DISTRICT_XII, "tags": ["X"]}).status_code == 403
    assert not Tag.objects.exists()
    # a clerk whose session skipped the second factor is refused too
    clerk = staff_user(role="crm_clerk", email="masik@test.example")
    skipped = HttpClient()
    skipped.force_login(clerk)
    assert post(skipped, f"{API}/search/", {"expression": DISTRICT_XII}).status_code == 403
