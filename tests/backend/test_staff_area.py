"""Pages of the staff area a superuser and an editor rely on render with our user model."""

from __future__ import annotations

import pytest

from tests.conftest import login_staff_with_mfa
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/", "/admin/users/", "/admin/users/new/", "/admin/groups/", "/admin/pages/"])
def test_superuser_screens_render(client, path):
    login_staff_with_mfa(client, UserFactory(is_staff=True, is_superuser=True))
    assert client.get(path).status_code == 200


def test_superuser_creates_a_staff_member_in_the_staff_area(client):
    from eservices.models import User

    login_staff_with_mfa(client, UserFactory(is_staff=True, is_superuser=True))
    form = client.get("/admin/users/new/").context["form"]
    data = {
        "email": "uj.szerkeszto@hegyvidek.example",
        "first_name": "Ágnes",
        "last_name": "Tóth",
        "password1": "Hosszu-Jelszo-2026",
        "password2": "Hosszu-Jelszo-2026",
        "is_active": "on",
    }
    if "username" in form.fields:
        data["username"] = "uj.szerkeszto@hegyvidek.example"
    response = client.post("/admin/users/new/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert User.objects.filter(email="uj.szerkeszto@hegyvidek.example").exists()
