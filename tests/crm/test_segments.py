"""Segments: saved searches, tags and groups — the services (bulk changes as one statement,
idempotent, active clients only, audited once) and the staff screens (builder, results, save as,
bulk tagging with a confirmation, tags and groups on the client's page)."""

from __future__ import annotations

import datetime
import json
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry

from crm import segments
from crm.errors import CrmError, ErrorCode
from crm.models import (
    Client,
    ClientAddress,
    ClientChange,
    ClientEmail,
    ClientGroup,
    ClientState,
    ClientTag,
    GroupMembership,
    SavedSearch,
    Tag,
)
from crm.search.expression import clients_matching
from tests.conftest import login_staff_with_mfa
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

DISTRICT_XII = {"op": "and", "items": [{"field": "district", "operator": "eq", "value": 12}]}


def person(family: str, given: str, *, district: int = 12, state: str = ClientState.ACTIVE, email: str = "") -> Client:
    client = Client.objects.create(
        family_name=family, given_names=given, birth_date=datetime.date(1970, 5, 1), state=state
    )
    ClientAddress.objects.create(
        client=client, postcode=f"1{district:02d}1", settlement="Budapest", district=district, is_default=True
    )
    if email:
        ClientEmail.objects.create(client=client, address=email, normalised=email.lower(), is_default=True)
    return client


@pytest.fixture
def crm_clerk(db):
    return staff_user(role="crm_clerk", email="ugyfel@test.example")


@pytest.fixture
def clerk_browser(crm_clerk) -> HttpClient:
    """A CRM clerk signed in with password and TOTP, as the staff area requires."""
    return login_staff_with_mfa(HttpClient(), crm_clerk)


@pytest.fixture
def hegyvidek(db):
    """Three active clients in District XII, one in District XI, one merged away in XII."""
    return {
        "kovacs": person("Kovács", "János", email="kovacs.janos@example.hu"),
        "nagy": person("Nagy", "Éva"),
        "szabo": person("Szabó", "Ödön"),
        "kiss": person("Kiss", "Anna", district=11),
        "merged": person("Kovács", "J.", state=ClientState.MERGED),
    }


# --- services: tags ------------------------------------------------------------------------------
def test_bulk_tagging_tags_every_active_client_found_in_one_statement_and_once(hegyvidek, crm_clerk):
    clients = clients_matching(DISTRICT_XII)
    with CaptureQueriesContext(connection) as queries:
        added = segments.tags_bulk_apply(
            clients=clients, tag_names=["Nyugdíjas"], remove=False, user=crm_clerk, expression=DISTRICT_XII
        )
    tag = Tag.objects.get(name="Nyugdíjas")
    tagged = set(ClientTag.objects.filter(tag=tag).values_list("client_id", flat=True))
    assert added == 3
    assert tagged == {hegyvidek[key].pk for key in ("kovacs", "nagy", "szabo")}
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT INTO crm_clienttag ")]
    assert len(inserts) == 1 and "ON CONFLICT" in inserts[0]
    # running it again changes nothing
    assert segments.tags_bulk_apply(clients=clients, tag_names=["nyugdíjas"], remove=False, user=crm_clerk) == 0
    assert ClientTag.objects.filter(tag=tag).count() == 3 and Tag.objects.count() == 1
    # one audit entry per bulk action, not one per client; no client history rows
    entry = ModelLogEntry.objects.filter(action="crm.tag_bulk_added").order_by("pk").first()
    assert entry.data["count"] == 3 and entry.data["tag"] == "Nyugdíjas"
    assert entry.data["expression"] == DISTRICT_XII and entry.user_id == crm_clerk.pk
    assert not ClientChange.objects.exists()


def test_bulk_untagging_removes_only_from_the_clients_found(hegyvidek, crm_clerk):
    everyone = Client.objects.all()
    segments.tags_bulk_apply(clients=everyone, tag_names=["Önkéntes", "Sportoló"], remove=False, user=crm_clerk)
    assert ClientTag.objects.count() == 8  # 4 active clients × 2 tags; the merged one never
    assert not ClientTag.objects.filter(client=hegyvidek["merged"]).exists()

    removed = segments.tags_bulk_apply(
        clients=clients_matching(DISTRICT_XII), tag_names=["Önkéntes"], remove=True, user=crm_clerk
    )
    assert removed == 3
    left = ClientTag.objects.filter(tag__name="Önkéntes").values_list("client_id", flat=True)
    assert list(left) == [hegyvidek["kiss"].pk]
    assert ClientTag.objects.filter(tag__name="Sportoló").count() == 4
    assert segments.tags_bulk_apply(clients=everyone, tag_names=["Önkéntes"], remove=True, user=crm_clerk) == 1


def test_removing_a_tag_that_does_not_exist_is_a_field_error_and_creates_nothing(hegyvidek, crm_clerk):
    with pytest.raises(CrmError) as error:
        segments.tags_bulk_apply(clients=Client.objects.all(), tag_names=["Nincs ilyen"], remove=True, user=crm_clerk)
    assert "tags" in error.value.fields and not Tag.objects.exists()


def test_tags_are_found_whatever_their_capitals(crm_clerk):
    tag, created = segments.tag_get_or_create(name="  Nyugdíjas  ", user=crm_clerk)
    again, created_again = segments.tag_get_or_create(name="NYUGDÍJAS", user=crm_clerk)
    assert (tag.name, created, again.pk, created_again) == ("Nyugdíjas", True, tag.pk, False)
    with pytest.raises(CrmError) as error:
        segments.tag_create(name="nyugdíjas", user=crm_clerk)
    assert error.value.code == ErrorCode.DUPLICATE_NAME and "name" in error.value.fields


# --- services: groups ----------------------------------------------------------------------------
def test_bulk_group_membership_with_validity_dates_is_idempotent_and_updatable(hegyvidek, crm_clerk):
    group = segments.group_create(name="Idősek napja 2026", user=crm_clerk)
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    clients = clients_matching(DISTRICT_XII)
    assert (
        segments.groups_bulk_apply(
            clients=clients, group=group, remove=False, valid_from=start, valid_until=end, user=crm_clerk
        )
        == 3
    )
    assert set(GroupMembership.objects.values_list("valid_from", "valid_until")) == {(start, end)}
    # the same again: nothing to do
    assert (
        segments.groups_bulk_apply(
            clients=clients, group=group, remove=False, valid_from=start, valid_until=end, user=crm_clerk
        )
        == 0
    )
    # new dates: the memberships are extended, not duplicated
    later = datetime.date(2027, 6, 30)
    assert (
        segments.groups_bulk_apply(
            clients=clients, group=group, remove=False, valid_from=start, valid_until=later, user=crm_clerk
        )
        == 3
    )
    assert GroupMembership.objects.count() == 3
    assert set(GroupMembership.objects.values_list("valid_until", flat=True)) == {later}
    assert segments.groups_bulk_apply(clients=clients, group=group, remove=True, user=crm_clerk) == 3
    assert not GroupMembership.objects.exists()
    actions = list(ModelLogEntry.objects.filter(object_id=str(group.pk)).values_list("action", flat=True))
    assert actions.count("crm.group_bulk_added") == 3 and actions.count("crm.group_bulk_removed") == 1


def test_a_membership_cannot_end_before_it_starts(hegyvidek, crm_clerk):
    group = segments.group_create(name="Próba", user=crm_clerk)
    with pytest.raises(CrmError) as error:
        segments.groups_bulk_apply(
            clients=Client.objects.all(),
            group=group,
            remove=False,
            valid_from=datetime.date(2026, 5, 1),
            valid_until=datetime.date(2026, 4, 30),
            user=crm_clerk,
        )
    assert "valid_until" in error.value.fields and not GroupMembership.objects.exists()


def test_group_names_are_unique(crm_clerk):
    segments.group_create(name="Önkéntesek", user=crm_clerk)
    with pytest.raises(CrmError) as error:
        segments.group_create(name="önkéntesek ", user=crm_clerk)
    assert error.value.code == ErrorCode.DUPLICATE_NAME


# --- services: saved searches --------------------------------------------------------------------
def test_a_saved_search_is_checked_named_once_and_stored_normalised(crm_clerk):
    saved = segments.saved_search_save(
        name="  XII. kerületiek ", description="Hírlevélhez", expression=DISTRICT_XII, user=crm_clerk
    )
    assert (saved.name, saved.expression, saved.created_by) == ("XII. kerületiek", DISTRICT_XII, crm_clerk)
    with pytest.raises(CrmError) as duplicate:
        segments.saved_search_save(name="xii. kerületiek", expression=DISTRICT_XII, user=crm_clerk)
    assert duplicate.value.code == ErrorCode.DUPLICATE_NAME and "name" in duplicate.value.fields
    with pytest.raises(CrmError) as invalid:
        segments.saved_search_save(
            name="Rossz",
            expression={"op": "and", "items": [{"field": "age", "operator": "gte", "value": 200}]},
            user=crm_clerk,
        )
    assert invalid.value.code == ErrorCode.INVALID_EXPRESSION
    assert "items[0].value" in invalid.value.fields["expression"][0]
    assert SavedSearch.objects.count() == 1
    segments.saved_search_delete(saved_search=saved, user=crm_clerk)
    assert not SavedSearch.objects.exists()
    assert ModelLogEntry.objects.filter(action="wagtail.delete", data__name="XII. kerületiek").exists()


# --- services: one client ------------------------------------------------------------------------
def test_tagging_one_client_is_kept_in_its_history(hegyvidek, crm_clerk):
    client = hegyvidek["nagy"]
    segments.client_tag_add(client=client, tag_name="Önkéntes", user=crm_clerk)
    segments.client_tag_add(client=client, tag_name="önkéntes", user=crm_clerk)  # already has it
    tag = Tag.objects.get()
    assert segments.client_tag_remove(client=client, tag=tag, user=crm_clerk) is True
    history = list(ClientChange.objects.filter(client=client).order_by("pk").values_list("action", "changes"))
    assert history == [
        ("tag_added", {"tags": {"added": ["Önkéntes"]}}),
        ("tag_removed", {"tags": {"removed": ["Önkéntes"]}}),
    ]
    with pytest.raises(CrmError) as error:
        segments.client_tag_add(client=hegyvidek["merged"], tag_name="Önkéntes", user=crm_clerk)
    assert error.value.code == ErrorCode.CLIENT_NOT_ACTIVE


# --- staff screens -------------------------------------------------------------------------------
def test_the_builder_page_delivers_the_schema(clerk_browser):
    Tag.objects.create(name="Nyugdíjas")
    page = clerk_browser.get("/admin/crm/search/complex/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="crm-search-schema"' in html and "crm/search_builder.js" in html
    assert 'name="expression"' in html
    schema = page.context["schema"]
    assert {field["name"] for field in schema["fields"]} >= {"age", "district", "tag", "group", "has_case"}
    assert schema["choices"]["tags"][0]["label"] == "Nyugdíjas"
    assert schema["texts"]["add_condition"] == "Add condition"
    # the menu offers it under Clients
    assert "/admin/crm/search/saved/" in html and "/admin/crm-tags/" in html


def test_a_bad_expression_shows_the_error_summary(clerk_browser):
    bad = {"op": "and", "items": [{"field": "age", "operator": "between", "value": {"min": 50, "max": 30}}]}
    page = clerk_browser.get("/admin/crm/search/complex/", {"expression": json.dumps(bad)})
    html = page.content.decode()
    assert page.status_code == 200 and page.context["result"] is None
    assert 'data-testid="search-errors"' in html
    assert "items[0].value: min must not be greater than max" in html
    assert 'href="#crm-node-0"' in html
    broken = clerk_browser.get("/admin/crm/search/complex/", {"expression": "{not json"})
    assert "The search is not valid JSON" in broken.content.decode()


def test_a_good_expression_shows_the_results(clerk_browser, hegyvidek):
    page = clerk_browser.get("/admin/crm/search/complex/", {"expression": json.dumps(DISTRICT_XII)})
    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["result"]["count"] == 3
    assert "3 clients found" in html and "district: XII" in html
    assert f"/admin/crm/client/{hegyvidek['kovacs'].pk}/" in html and "kovacs.janos@example.hu" in html
    assert "Kiss" not in html  # District XI


def test_save_as_creates_a_saved_search_that_opens_again(clerk_browser, hegyvidek):
    response = clerk_browser.post(
        "/admin/crm/search/complex/",
        {"action": "save", "expression": json.dumps(DISTRICT_XII), "name": "XII. kerület", "description": "Teszt"},
    )
    saved = SavedSearch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?saved={saved.pk}")
    assert (saved.name, saved.description, saved.expression) == ("XII. kerület", "Teszt", DISTRICT_XII)
    opened = clerk_browser.get(response["Location"])
    assert opened.context["result"]["count"] == 3 and "XII. kerület" in opened.content.decode()
    # the same name again is a field error, nothing stored
    again = clerk_browser.post(
        "/admin/crm/search/complex/",
        {"action": "save", "expression": json.dumps(DISTRICT_XII), "name": "xii. kerület"},
    )
    assert again.status_code == 200 and SavedSearch.objects.count() == 1
    assert "This name is already used" in again.content.decode()
    listing = clerk_browser.get("/admin/crm/search/saved/")
    assert listing.status_code == 200 and listing.context["page"][0].count == 3


def test_bulk_tagging_from_the_results_asks_first_then_tags_everyone_found(clerk_browser, hegyvidek):
    form = {"action": "tags", "mode": "add", "tags": "Nyugdíjas, Önkéntes", "expression": json.dumps(DISTRICT_XII)}
    asked = clerk_browser.post("/admin/crm/search/complex/", form)
    html = asked.content.decode()
    assert asked.status_code == 200 and 'data-testid="bulk-confirm"' in html
    assert "to 3 clients?" in html and not ClientTag.objects.exists()

    done = clerk_browser.post("/admin/crm/search/complex/", {**form, "confirm": "yes"})
    assert done.status_code == 302
    assert ClientTag.objects.count() == 6
    assert not ClientTag.objects.filter(client__in=[hegyvidek["kiss"], hegyvidek["merged"]]).exists()


def test_bulk_group_from_the_results_with_validity(clerk_browser, hegyvidek):
    group = ClientGroup.objects.create(name="Kertbarát kör")
    form = {
        "action": "group",
        "mode": "add",
        "group": str(group.pk),
        "valid_from": "2026-01-01",
        "valid_until": "2025-01-01",
        "expression": json.dumps(DISTRICT_XII),
        "confirm": "yes",
    }
    wrong = clerk_browser.post("/admin/crm/search/complex/", form)
    assert wrong.status_code == 200 and "cannot end before it starts" in wrong.content.decode()
    assert not GroupMembership.objects.exists()
    done = clerk_browser.post("/admin/crm/search/complex/", {**form, "valid_until": "2026-12-31"})
    assert done.status_code == 302 and GroupMembership.objects.filter(group=group).count() == 3


def test_export_from_the_staff_area_is_audited(clerk_browser, crm_clerk, hegyvidek):
    response = clerk_browser.get(
        "/admin/crm/search/complex/export/?" + urlencode({"expression": json.dumps(DISTRICT_XII), "format": "csv"})
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert len(body.strip().splitlines()) == 4 and "Kovács János" in body
    entry = ModelLogEntry.objects.get(action="crm.clients_exported")
    assert entry.data["count"] == 3 and entry.data["format"] == "csv" and entry.user_id == crm_clerk.pk


def test_tags_and_groups_on_the_client_page(clerk_browser, hegyvidek):
    client = hegyvidek["nagy"]
    group = ClientGroup.objects.create(name="Önkéntesek")
    page = clerk_browser.get(f"/admin/crm/client/{client.pk}/")
    assert page.status_code == 200 and 'data-testid="client-segments"' in page.content.decode()

    added = clerk_browser.post(f"/admin/crm/search/client/{client.pk}/tags/", {"action": "add", "tag_name": "Sportoló"})
    assert added.status_code == 302 and ClientTag.objects.filter(client=client, tag__name="Sportoló").exists()
    clerk_browser.post(
        f"/admin/crm/search/client/{client.pk}/groups/",
        {"action": "add", "group": group.pk, "valid_from": "2026-01-01", "valid_until": ""},
    )
    membership = GroupMembership.objects.get(client=client)
    assert (membership.valid_from, membership.valid_until) == (datetime.date(2026, 1, 1), None)
    page = clerk_browser.get(f"/admin/crm/client/{client.pk}/")
    html = page.content.decode()
    assert "Remove tag Sportoló" in html and "Tag added" in html and "Added to a group" in html

    tag = Tag.objects.get(name="Sportoló")
    clerk_browser.post(f"/admin/crm/search/client/{client.pk}/tags/", {"action": "remove", "tag": tag.pk})
    clerk_browser.post(f"/admin/crm/search/client/{client.pk}/groups/", {"action": "remove", "group": group.pk})
    assert not ClientTag.objects.filter(client=client).exists() and not GroupMembership.objects.exists()
    assert ClientChange.objects.filter(client=client).count() == 4


def test_tags_and_groups_lists_show_member_counts(clerk_browser, hegyvidek, crm_clerk):
    segments.tags_bulk_apply(clients=Client.objects.all(), tag_names=["Nyugdíjas"], remove=False, user=crm_clerk)
    tags = clerk_browser.get("/admin/crm-tags/")
    assert tags.status_code == 200 and "Nyugdíjas" in tags.content.decode()
    assert [tag.members for tag in tags.context["object_list"]] == [4]
    created = clerk_browser.post("/admin/crm-groups/new/", {"name": "Kertbarátok", "description": ""})
    assert created.status_code == 302
    assert ClientGroup.objects.get().created_by == crm_clerk
    groups = clerk_browser.get("/admin/crm-groups/")
    assert groups.status_code == 200 and "Kertbarátok" in groups.content.decode()


def test_staff_without_the_crm_role_cannot_use_the_screens(db, hegyvidek):
    other = login_staff_with_mfa(HttpClient(), staff_user(role="editor", email="szerkeszto@test.example"))
    assert other.get("/admin/crm/search/complex/").status_code in (302, 403)
    response = other.post(
        "/admin/crm/search/complex/",
        {"action": "tags", "mode": "add", "tags": "X", "expression": json.dumps(DISTRICT_XII), "confirm": "yes"},
    )
    assert response.status_code in (302, 403) and not Tag.objects.exists()


# --- a page of results ----------------------------------------------------------------------------
def test_a_results_page_counts_and_lists_in_one_query_then_reads_its_rows(db, django_assert_num_queries):
    from crm.search.results import results_page

    found = [person(f"Kovács{i:02d}", "Anna") for i in range(7)]
    person("Tóth", "Béla", district=11)  # not found
    person("Merged", "Away", state=ClientState.MERGED)  # never a result
    with django_assert_num_queries(2):  # count and ids; then the rows of the page
        page, rows = results_page(clients_matching(DISTRICT_XII), page="2", per_page=3)
    assert page.paginator.count == 7 and page.paginator.num_pages == 3 and page.number == 2
    assert page.has_previous() and page.has_next()
    assert [row.id for row in rows] == [client.pk for client in found[3:6]]
    assert rows[0].name == "Kovács03 Anna" and rows[0].district_label == "XII."


@pytest.mark.parametrize(
    ("asked", "number", "names"),
    [
        ("9", 3, ["Kovács06"]),
        ("x", 1, ["Kovács00", "Kovács01", "Kovács02"]),
        ("-4", 1, ["Kovács00", "Kovács01", "Kovács02"]),
    ],
)
def test_a_page_out_of_range_or_not_a_number_gives_the_last_or_the_first(db, asked, number, names):
    from crm.search.results import results_page

    for i in range(7):
        person(f"Kovács{i:02d}", "Anna")
    page, rows = results_page(clients_matching(DISTRICT_XII), page=asked, per_page=3)
    assert page.number == number and page.paginator.count == 7
    assert [row.name.split()[0] for row in rows] == names


def test_a_search_that_finds_no_one_is_one_empty_page(db):
    from crm.search.results import results_page

    person("Tóth", "Béla", district=11)
    page, rows = results_page(clients_matching(DISTRICT_XII), page=3)
    assert (page.number, page.paginator.count, page.paginator.num_pages, rows) == (1, 0, 1, [])
    page, rows = results_page(Client.objects.none(), page=1)
    assert (page.paginator.count, rows) == (0, [])
