"""Resident accounts through allauth's headless API, as the SPA uses it: real SMTP to the sink,
Facebook through its simulator over HTTP."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import requests as http  # tests are clients too: they talk to the simulators over HTTP  # noqa: TID251
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.hashers import identify_hasher

from eservices.models import ResidentProfile, User
from integrations.mail.sink import wait_for_message
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

AUTH = "/_allauth/browser/v1"


@pytest.fixture
def spa(client):
    """A browser-like client that sends the CSRF header the way the SPA does."""
    client.get("/api/v1/csrf/")

    def call(method, path, data=None, **extra):
        token = client.cookies["csrftoken"].value
        if data is None:  # like fetch() without a body
            return getattr(client, method)(path, HTTP_X_CSRFTOKEN=token, **extra)
        return getattr(client, method)(
            path, data=data, content_type="application/json", HTTP_X_CSRFTOKEN=token, **extra
        )

    call.client = client
    return call


def link_key(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    assert match, text
    return unquote(match.group(1))


def test_signup_sends_hungarian_verification_email_then_login_works(spa, mail_sink):
    # when a resident signs up
    response = spa("post", f"{AUTH}/auth/signup", {"email": "uj.lakos@example.hu", "password": "Hegyi-Sas-2026!"})
    # then the account waits for email verification
    assert response.status_code == 401
    assert any(flow["id"] == "verify_email" and flow.get("is_pending") for flow in response.json()["data"]["flows"])
    user = User.objects.get(email="uj.lakos@example.hu")
    assert ResidentProfile.objects.filter(user=user).exists()
    assert identify_hasher(user.password).algorithm == "argon2"

    # and a Hungarian email with a link to the SPA arrives over SMTP
    message = wait_for_message(mail_sink, lambda m: "uj.lakos@example.hu" in m.to)
    assert message.subject.strip() == "[Hegyvidék e-Portál] Kérjük, erősítse meg e-mail-címét"
    assert message.text.startswith("Tisztelt Ügyfelünk!")
    key = link_key(message.text, r"/account/verify-email/([^\s/]+)")

    # when the link is followed in the SPA
    response = spa("post", f"{AUTH}/auth/email/verify", {"key": key})
    # then the resident is signed in and verified
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["user"]["email"] == "uj.lakos@example.hu"
    assert spa("get", "/api/v1/me/profile/").status_code == 200

    # log out and in again
    assert spa("delete", f"{AUTH}/auth/session").status_code == 401
    assert spa("get", "/api/v1/me/profile/").status_code == 403
    response = spa("post", f"{AUTH}/auth/login", {"email": "uj.lakos@example.hu", "password": "Hegyi-Sas-2026!"})
    assert response.status_code == 200


def test_signup_rejects_weak_password_and_bad_email_with_field_errors(spa):
    response = spa("post", f"{AUTH}/auth/signup", {"email": "nem-email", "password": "123"}, HTTP_ACCEPT_LANGUAGE="hu")
    assert response.status_code == 400
    params = {error.get("param") for error in response.json()["errors"]}
    assert "email" in params
    assert User.objects.count() == 0


def test_password_reset_by_email(spa, mail_sink):
    user = UserFactory(email="feledekeny@example.hu")
    assert spa("post", f"{AUTH}/auth/password/request", {"email": user.email}).status_code == 200
    message = wait_for_message(mail_sink, lambda m: user.email in m.to)
    key = link_key(message.text, r"/account/password/reset/key/([^\s]+)")
    response = spa("post", f"{AUTH}/auth/password/reset", {"key": key, "password": "Uj-Jelszo-Hegyen-7"})
    assert response.status_code in (200, 401), response.json()
    user.refresh_from_db()
    assert user.check_password("Uj-Jelszo-Hegyen-7")


def test_change_email_sends_verification_to_the_new_address(spa, mail_sink):
    user = UserFactory(email="regi@example.hu")
    assert spa("post", f"{AUTH}/auth/login", {"email": user.email, "password": PASSWORD}).status_code == 200
    response = spa("post", f"{AUTH}/account/email", {"email": "uj@example.hu"})
    assert response.status_code == 200, response.json()
    message = wait_for_message(mail_sink, lambda m: "uj@example.hu" in m.to)
    key = link_key(message.text, r"/account/verify-email/([^\s/]+)")
    assert spa("post", f"{AUTH}/auth/email/verify", {"key": key}).status_code == 200
    user.refresh_from_db()
    assert user.email == "uj@example.hu"


def test_failed_logins_are_rate_limited(spa):
    user = UserFactory(email="celpont@example.hu")
    codes = [
        spa("post", f"{AUTH}/auth/login", {"email": user.email, "password": "rossz-jelszo"}).json()["errors"][0]["code"]
        for _ in range(6)
    ]
    assert codes[:5] == ["email_password_mismatch"] * 5
    assert codes[5] == "too_many_login_attempts"
    # even the right password is refused while the account is locked
    response = spa("post", f"{AUTH}/auth/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "too_many_login_attempts"


def test_writes_without_csrf_token_are_refused():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"{AUTH}/auth/login", {"email": "x@example.hu", "password": "y"}, content_type="application/json"
    )
    assert response.status_code == 403


def facebook_login(spa, facebook_sim, fb_user_id):
    client = spa.client
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"{AUTH}/auth/provider/redirect",
        {
            "provider": "facebook",
            "callback_url": "/account/provider/callback",
            "process": "login",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    authorize = urlparse(response["Location"])
    assert response["Location"].startswith(facebook_sim)
    params = {key: values[0] for key, values in parse_qs(authorize.query).items()}
    # the resident picks their Facebook account in the simulator's dialog (real HTTP)
    answer = http.post(
        f"{facebook_sim}{authorize.path}", data={**params, "user_id": fb_user_id}, allow_redirects=False, timeout=5
    )
    assert answer.status_code in (302, 303), answer.text
    callback = urlparse(answer.headers["Location"])
    response = client.get(f"{callback.path}?{callback.query}")
    return response


def test_facebook_login_creates_a_resident_with_names(spa, facebook_sim):
    from integrations.facebook.simulator import FB_TOTH_BENCE

    response = facebook_login(spa, facebook_sim, FB_TOTH_BENCE.id)
    assert response.status_code == 302 and response["Location"].endswith("/account/provider/callback")
    session = spa("get", f"{AUTH}/auth/session")
    assert session.status_code == 200, session.json()
    user = User.objects.get(email=FB_TOTH_BENCE.email)
    assert SocialAccount.objects.filter(user=user, provider="facebook", uid=FB_TOTH_BENCE.id).exists()
    profile = ResidentProfile.objects.get(user=user)
    assert (profile.family_name, profile.given_names) == ("Tóth", "Bence")


def test_facebook_login_with_wrong_app_secret_fails_cleanly(spa, facebook_sim, settings):
    from integrations.facebook.simulator import FB_TOTH_BENCE

    provider = settings.SOCIALACCOUNT_PROVIDERS["facebook"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "facebook": {**provider, "APPS": [{"client_id": "eportal-dev-app", "secret": "wrong", "key": ""}]}
    }
    response = facebook_login(spa, facebook_sim, FB_TOTH_BENCE.id)
    assert response.status_code == 302 and "error=" in response["Location"]
    assert not User.objects.filter(email=FB_TOTH_BENCE.email).exists()
