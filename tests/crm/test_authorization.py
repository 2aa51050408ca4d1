"""Who may do what with client records, in the staff area and the staff API: anonymous visitors,
residents, staff whose session skipped the second factor, staff without the CRM permission, CRM
clerks and superusers. A refused request leaves no trace in the data; every read of a client's
personal data is audited, and search results show no more than the name."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client as Browser
from rest_framework.test import APIClient
from wagtail.models import ModelLogEntry

from crm.models import Client, ClientState
from crm.services import ClientData, EmailData, PhoneData, client_save
from tests.conftest import TOTP_SECRET, login_staff_with_mfa
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db

ACTORS = (
    "anonymous",
    "resident",
    "staff_without_totp_session",
    "staff_without_crm_permission",
    "crm_clerk",
    "superuser",
)

# what each actor gets on the staff pages: "login" = 302 to the sign-in page (a session that
# skipped the TOTP step is signed out first); "denied" = Wagtail's answer to a staff member
# without the permission, 302 to the dashboard with an error message
PAGES = ("search", "client", "new", "edit", "cleanup", "export", "erase")
PAGE_STATUS = {
    "anonymous": dict.fromkeys(PAGES, "login"),
    "resident": dict.fromkeys(PAGES, "login"),
    "staff_without_totp_session": dict.fromkeys(PAGES, "login"),
    "staff_without_crm_permission": dict.fromkeys(PAGES, "denied"),
    "crm_clerk": {**dict.fromkeys(PAGES, 200), "erase": "denied"},
    "superuser": dict.fromkeys(PAGES, 200),
}
CALLS = ("list", "read", "update", "create", "check_duplicates", "export", "erase")
API_STATUS = {
    "anonymous": dict.fromkeys(CALLS, 403),
    "resident": dict.fromkeys(CALLS, 403),
    "staff_without_totp_session": dict.fromkeys(CALLS, 403),
    "staff_without_crm_permission": dict.fromkeys(CALLS, 403),
    "crm_clerk": {
        "list": 200,
        "read": 200,
        "update": 200,
        "create": 201,
        "check_duplicates": 200,
        "export": 200,
        "erase": 403,
    },
    "superuser": {
        "list": 200,
        "read": 200,
        "update": 200,
        "create": 201,
        "check_duplicates": 200,
        "export": 200,
        "erase": 200,
    },
}


@pytest.fixture
def janos(db):
    return client_save(
        data=ClientData(
            family_name="Kovács",
            given_names="János",
            birth_date=datetime.date(1971, 3, 14),
            emails=[EmailData(address="kovacs.janos@gmail.com")],
            phones=[PhoneData(number="+36301234567")],
        )
    ).client


def actor_user(actor: str):
    if actor == "anonymous":
        return None
    if actor == "resident":
        return UserFactory(email="lakos@example.com")
    if actor == "staff_without_totp_session":
        from allauth.mfa.totp.internal.auth import TOTP

        user = staff_user(role="crm_clerk", email="nototp@test.example")
        TOTP.activate(user, TOTP_SECRET)
        return user
    if actor == "staff_without_crm_permission":
        return staff_user(role="editor", email="editor@test.example")
    if actor == "crm_clerk":
        return staff_user(role="crm_clerk", email="ugyfel@test.example")
    return staff_user(email="admin@test.example", is_superuser=True)


def signed_in(browser, actor: str, user):
    if actor in ("anonymous",):
        return browser
    if actor == "resident":
        browser.force_login(user)
        return browser
    if actor == "staff_without_totp_session":
        browser.force_login(user)  # a password-only (or social) session: the TOTP step never happened
        return browser
    return login_staff_with_mfa(browser, user)


def page_paths(pk: int) -> dict[str, str]:
    return {
        "search": "/admin/crm/?q=kov",
        "client": f"/admin/crm/client/{pk}/",
        "new": "/admin/crm/client/new/",
        "edit": f"/admin/crm/client/{pk}/edit/",
        "cleanup": "/admin/crm/cleanup/",
        "export": f"/admin/crm/client/{pk}/export/",
        "erase": f"/admin/crm/client/{pk}/erase/",
    }


def _snapshot():
    return sorted(Client.objects.values_list("pk", "family_name", "given_names", "state"))


@pytest.mark.parametrize("actor", ACTORS)
def test_staff_pages(actor, janos):
    user = actor_user(actor)
    browser = signed_in(Browser(), actor, user)
    before = _snapshot()

    for page, path in page_paths(janos.pk).items():
        response = browser.get(path)
        expected = PAGE_STATUS[actor][page]
        if expected == 200:
            assert response.status_code == 200, (actor, page, response.status_code)
        else:
            assert response.status_code == 302, (actor, page, response.status_code)
            where = response["Location"]
            assert where.startswith("/accounts/login/") if expected == "login" else where == "/admin/", (actor, page)
        if actor == "staff_without_totp_session":
            browser = signed_in(Browser(), actor, user)  # the gate signed it out: a fresh skipped-TOTP session

    assert _snapshot() == before
    audited = set(ModelLogEntry.objects.filter(object_id=str(janos.pk)).values_list("action", flat=True))
    if actor in ("crm_clerk", "superuser"):
        # the client page, the edit form and the export read personal data; the search list does not
        assert audited == {"crm.client_viewed", "crm.client_exported"}
        contexts = ModelLogEntry.objects.filter(action="crm.client_viewed", user=user).values_list(
            "data__context", flat=True
        )
        assert sorted(contexts) == ["client_page", "edit_form"]
    else:
        assert audited == set()


@pytest.mark.parametrize("actor", ACTORS)
def test_staff_api(actor, janos):
    user = actor_user(actor)
    api = signed_in(APIClient(), actor, user)
    base = "/api/staff/v1/crm/clients/"
    before = _snapshot()
    calls = {
        "list": lambda: api.get(base, {"q": "kov"}),
        "read": lambda: api.get(f"{base}{janos.pk}/"),
        "update": lambda: api.put(f"{base}{janos.pk}/", {"given_names": "János"}, format="json"),
        "create": lambda: api.post(
            base, {"family_name": "Tóth", "given_names": "Ilona", "confirm_not_duplicate": True}, format="json"
        ),
        "check_duplicates": lambda: api.post(
            f"{base}check-duplicates/", {"family_name": "Kovács", "given_names": "János"}, format="json"
        ),
        "export": lambda: api.get(f"{base}{janos.pk}/export/"),
        "erase": lambda: api.post(f"{base}{janos.pk}/erase/", {"reason": "request 7/2026"}, format="json"),
    }

    answers = {}
    for name in CALLS:
        answers[name] = calls[name]()
        assert answers[name].status_code == API_STATUS[actor][name], (actor, name, answers[name].content[:300])

    allowed = API_STATUS[actor]
    if allowed["list"] != 200:
        assert _snapshot() == before  # nothing changed, nothing created
        assert not ModelLogEntry.objects.filter(object_id=str(janos.pk)).exists()
        assert answers["read"].json()["code"] in ("not_authenticated", "permission_denied")
        return
    # search results: the name and where the record is, nothing more
    [item] = answers["list"].json()["results"]
    assert item == {"id": janos.pk, "display_name": "Kovács János", "url": f"{base}{janos.pk}/"}
    assert answers["read"].json()["birth_date"] == "1971-03-14"
    contexts = list(
        ModelLogEntry.objects.filter(action="crm.client_viewed", object_id=str(janos.pk), user=user)
        .order_by("timestamp")
        .values_list("data__context", flat=True)
    )
    assert contexts == ["api"]  # the read; the list was not one, and no candidate was shown (name alone is 45)
    assert ModelLogEntry.objects.filter(action="crm.client_exported", user=user).count() == 1
    assert Client.objects.filter(family_name="Tóth").count() == 1
    state = Client.objects.get(pk=janos.pk).state
    assert state == (ClientState.ERASED if allowed["erase"] == 200 else ClientState.ACTIVE)
    assert ModelLogEntry.objects.filter(action="crm.client_erased").count() == (1 if allowed["erase"] == 200 else 0)


def test_the_api_checks_csrf_on_writes(janos):
    clerk = staff_user(role="crm_clerk", email="csrf@test.example")
    api = login_staff_with_mfa(APIClient(), clerk)
    api.handler.enforce_csrf_checks = True  # from now on, as a browser: no CSRF token, no write

    response = api.put(f"/api/staff/v1/crm/clients/{janos.pk}/", {"family_name": "Hacked"}, format="json")

    assert response.status_code == 403
    assert Client.objects.get(pk=janos.pk).family_name == "Kovács"


def test_the_edit_and_erase_buttons_follow_the_permissions(janos):
    clerk = login_staff_with_mfa(Browser(), staff_user(role="crm_clerk", email="b1@test.example"))
    admin = login_staff_with_mfa(Browser(), staff_user(email="b2@test.example", is_superuser=True))

    clerk_page = clerk.get(f"/admin/crm/client/{janos.pk}/").content.decode()
    admin_page = admin.get(f"/admin/crm/client/{janos.pk}/").content.decode()

    for html in (clerk_page, admin_page):
        assert f"/admin/crm/client/{janos.pk}/edit/" in html and f"/admin/crm/client/{janos.pk}/export/" in html
    assert f"/admin/crm/client/{janos.pk}/erase/" not in clerk_page
    assert f"/admin/crm/client/{janos.pk}/erase/" in admin_page
    assert "/admin/crm/client/new/" in clerk.get("/admin/crm/").content.decode()
