"""Staff area: the outside-system log is read-only and visible only with permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from integrations.models import Exchange
from tests.conftest import login_staff_with_mfa
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db

INDEX = "/admin/outside_system_log/"


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    # Without DEBUG the manifest storage wants `collectstatic` first; the admin pages only need URLs.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def exchanges():
    common = {"method": "POST", "url": "http://127.0.0.1:8101/v1/persons/lookup", "duration_ms": 12}
    ok = Exchange.objects.create(
        system="registry",
        operation="person_lookup",
        request_id="r-ok",
        status_code=200,
        request_body={"document_number": "***"},
        **common,
    )
    down = Exchange.objects.create(
        system="registry",
        operation="person_lookup",
        request_id="r-down",
        status_code=None,
        error="timeout: ReadTimeout",
        **common,
    )
    other = Exchange.objects.create(
        system="parking", operation="permit_create", request_id="r-parking", status_code=503, **common
    )
    return ok, down, other


def test_superuser_lists_filters_and_inspects(client, exchanges):
    # given a superuser signed in with the second factor
    ok, down, _other = exchanges
    login_staff_with_mfa(client, UserFactory(is_staff=True, is_superuser=True))

    # when they open the log, filter it, and inspect a row
    listing = client.get(INDEX)
    registry_only = client.get(INDEX, {"system": "registry"})
    no_response = client.get(INDEX, {"outcome": "no_response"})
    inspect = client.get(f"{INDEX}inspect/{ok.pk}/")

    # then they see the rows, the filters narrow them, and the inspect page shows the redacted body
    assert listing.status_code == 200
    page = listing.content.decode()
    # the sidebar menu item, Hungarian first (the sidebar's props are JSON-escaped)
    assert "Külső rendszerek naplója" in page or "K\\u00fcls\\u0151 rendszerek napl\\u00f3ja" in page
    assert [e.request_id for e in listing.context["object_list"]] == ["r-parking", "r-down", "r-ok"]
    assert [e.request_id for e in registry_only.context["object_list"]] == ["r-down", "r-ok"]
    assert [e.request_id for e in no_response.context["object_list"]] == ["r-down"]
    assert inspect.status_code == 200
    assert "r-ok" in inspect.content.decode()


def test_there_is_no_add_edit_or_delete(client, exchanges):
    ok = exchanges[0]
    login_staff_with_mfa(client, UserFactory(is_staff=True, is_superuser=True))
    for name, args in (("add", []), ("edit", [ok.pk]), ("delete", [ok.pk]), ("copy", [ok.pk])):
        with pytest.raises(NoReverseMatch):
            reverse(f"outside_system_log:{name}", args=args)
    assert client.get(f"{INDEX}new/").status_code == 404
    assert client.get(f"{INDEX}delete/{ok.pk}/").status_code == 404
    assert Exchange.objects.count() == 3


def test_staff_with_view_permission_can_read(client, exchanges):
    user = staff_user(email="operator@hegyvidek.example")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(content_type__app_label="integrations", codename="view_exchange"),
    )
    login_staff_with_mfa(client, user)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert len(response.context["object_list"]) == 3


def test_staff_without_permission_is_refused(client, exchanges):
    user = staff_user(email="editor2@hegyvidek.example")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    login_staff_with_mfa(client, user)
    response = client.get(INDEX)
    assert response.status_code == 302  # Wagtail sends users without permission to the dashboard
    assert response["Location"] == "/admin/"


def test_anonymous_is_sent_to_sign_in(client, exchanges):
    response = client.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
