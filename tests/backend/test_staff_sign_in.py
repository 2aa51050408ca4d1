"""Staff sign-in with a second factor, as a new staff member meets it."""

from __future__ import annotations

import re

import pyotp
import pytest

from tests.factories import PASSWORD, staff_user

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)  # allauth records the step in an on_commit callback
def test_new_staff_member_sets_up_totp_then_reaches_the_staff_area(client):
    clerk = staff_user(role="clerk", email="friss@hegyvidek.example")
    # given a clerk without a second factor who signs in with the password
    response = client.post("/accounts/login/?next=/admin/", {"login": clerk.email, "password": PASSWORD})
    assert response.status_code == 302
    # when they open the staff area they are sent to set up TOTP (after confirming the password)
    response = client.get("/admin/")
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    client.post(response.redirect_chain[-1][0], {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page)
    secret = secret or re.search(r'value="([A-Z2-7]{32})"', page)
    assert secret, page[:2000]
    response = client.post("/accounts/2fa/totp/activate/", {"code": pyotp.TOTP(secret.group(1)).now()})
    assert response.status_code == 302
    # then the staff area opens without a second sign-in
    response = client.get("/admin/")
    assert response.status_code == 200


def test_staff_session_without_the_totp_step_is_signed_out(client):
    from allauth.mfa.totp.internal.auth import TOTP

    clerk = staff_user(role="clerk", email="kodos@hegyvidek.example")
    TOTP.activate(clerk, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client.force_login(clerk)  # e.g. a session that never passed the TOTP step
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_sign_in_pages_load_the_icon_sprite_without_the_gate(client):
    clerk = staff_user(role="clerk", email="sprite@hegyvidek.example")
    client.force_login(clerk)
    assert client.get("/admin/sprite/").status_code == 200
