"""The Facebook simulator, driven the way django-allauth's Facebook provider calls it."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.providers.facebook.flows import compute_appsecret_proof

from integrations.facebook.simulator import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    FB_KOVACS_ANNA,
    FB_TOTH_BENCE,
    FB_VARGA_JULIA,
    TOKEN_LIFETIME_S,
)
from tests.integrations.conftest import http

CALLBACK = "http://127.0.0.1:8000/accounts/facebook/login/callback/"
FIELDS = "id,email,name,first_name,last_name"


def authorize_params(**overrides) -> dict:
    # what allauth's OAuth2Client.get_redirect_url sends
    params = {
        "client_id": DEFAULT_APP_ID,
        "redirect_uri": CALLBACK,
        "scope": "email,public_profile",
        "response_type": "code",
        "state": "st4te",
    }
    return {**params, **overrides}


def choose(server, user_id: str, **overrides) -> dict[str, str]:
    """Press "Continue as …" on the dialog; returns the query of the redirect back to us."""
    form = {**authorize_params(**overrides), "user_id": user_id}
    reply = http("POST", f"{server.base_url}/v19.0/dialog/oauth", form=form)
    assert reply.status == 302
    location = urlsplit(reply.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def exchange_code(server, code: str, *, secret: str = DEFAULT_APP_SECRET, redirect_uri: str = CALLBACK):
    # allauth's FacebookOAuth2Adapter: access_token_method = "GET", params as OAuth2Client.get_access_token
    return http(
        "GET",
        f"{server.base_url}/v19.0/oauth/access_token",
        params={
            "redirect_uri": redirect_uri,
            "grant_type": "authorization_code",
            "code": code,
            "client_id": DEFAULT_APP_ID,
            "client_secret": secret,
        },
    )


def me(server, token: str, *, secret: str = DEFAULT_APP_SECRET, proof: str | None = None):
    if proof is None:
        proof = compute_appsecret_proof(SimpleNamespace(secret=secret), SimpleNamespace(token=token))
    return http(
        "GET", f"{server.base_url}/v19.0/me", params={"fields": FIELDS, "access_token": token, "appsecret_proof": proof}
    )


def test_authorize_page_lists_demo_users_accessibly(facebook_server):
    # given / when the dialog is opened the way allauth redirects to it
    reply = http("GET", f"{facebook_server.base_url}/v19.0/dialog/oauth", params=authorize_params())

    # then it is a Hungarian-first page with a heading and a labelled button per user, and Cancel
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    page = reply.text
    assert '<html lang="hu">' in page
    assert "<h1>Bejelentkezés Facebookkal" in page
    assert "Facebook-felhasználó: Tóth Bence" in page
    assert ">Folytatás mint Kovács Anna / Continue as Anna Kovács</button>" in page
    assert ">Mégse / Cancel</button>" in page
    assert 'name="state" value="st4te"' in page


def test_full_dance_gives_the_chosen_users_profile(facebook_server):
    # given the resident chose "Continue as Kovács Anna"
    back = choose(facebook_server, FB_KOVACS_ANNA.id)
    assert back["state"] == "st4te"

    # when our server exchanges the code and asks /me with the appsecret_proof
    token_reply = exchange_code(facebook_server, back["code"])
    token = token_reply.json()
    me_reply = me(facebook_server, token["access_token"])

    # then the token is a bearer token and /me returns exactly the requested fields
    assert token_reply.status == 200
    assert (token["token_type"], token["expires_in"]) == ("bearer", TOKEN_LIFETIME_S)
    assert me_reply.status == 200
    assert me_reply.json() == {
        "id": "100000000000101",
        "email": "kovacs.anna@example.hu",
        "name": "Kovács Anna",
        "first_name": "Anna",
        "last_name": "Kovács",
    }


def test_wrong_client_secret_gets_no_token_and_the_code_survives(facebook_server):
    # given a valid code
    code = choose(facebook_server, FB_TOTH_BENCE.id)["code"]

    # when it is exchanged with the wrong secret, then with the right one
    wrong = exchange_code(facebook_server, code, secret="not-the-secret")
    right = exchange_code(facebook_server, code)

    # then the first is refused as Graph does, the second works
    assert wrong.status == 400
    assert wrong.json()["error"]["message"] == "Error validating client secret."
    assert wrong.json()["error"]["type"] == "OAuthException"
    assert right.status == 200


def test_code_works_once_and_only_for_its_redirect_uri(facebook_server):
    # given two codes
    code_a = choose(facebook_server, FB_TOTH_BENCE.id)["code"]
    code_b = choose(facebook_server, FB_TOTH_BENCE.id)["code"]

    # when A is used twice and B with another redirect_uri
    first = exchange_code(facebook_server, code_a)
    replay = exchange_code(facebook_server, code_a)
    other_uri = exchange_code(facebook_server, code_b, redirect_uri="http://127.0.0.1:8000/elsewhere/")

    # then only the first succeeds
    assert first.status == 200
    assert (replay.status, replay.json()["error"]["error_subcode"]) == (400, 36009)
    assert (other_uri.status, other_uri.json()["error"]["error_subcode"]) == (400, 36008)


@pytest.mark.parametrize(
    ("kind", "expected_message"),
    [
        ("wrong_secret", "Invalid appsecret_proof provided in the API argument"),
        ("missing", "API calls from the server require an appsecret_proof argument"),
    ],
)
def test_me_requires_a_correct_appsecret_proof(facebook_server, kind, expected_message):
    # given a valid user token
    token = exchange_code(facebook_server, choose(facebook_server, FB_KOVACS_ANNA.id)["code"]).json()["access_token"]

    # when /me is called with a proof made with the wrong secret, or none
    reply = (
        me(facebook_server, token, secret="wrong") if kind == "wrong_secret" else me(facebook_server, token, proof="")
    )

    # then Graph refuses it
    assert reply.status == 400
    assert reply.json()["error"]["message"] == expected_message


def test_me_refuses_an_unknown_token(facebook_server):
    reply = me(facebook_server, "made-up-token")
    assert reply.status == 400
    assert reply.json()["error"]["code"] == 190


def test_email_only_with_the_email_scope_and_when_the_user_has_one(facebook_server):
    # given one login without the email scope and one by a user who shares no email
    token_no_scope = exchange_code(
        facebook_server, choose(facebook_server, FB_KOVACS_ANNA.id, scope="public_profile")["code"]
    ).json()["access_token"]
    token_no_email = exchange_code(facebook_server, choose(facebook_server, FB_VARGA_JULIA.id)["code"]).json()[
        "access_token"
    ]

    # when /me is asked for the email
    without_scope = me(facebook_server, token_no_scope).json()
    without_email = me(facebook_server, token_no_email).json()

    # then neither carries one
    assert without_scope == {
        "id": FB_KOVACS_ANNA.id,
        "name": "Kovács Anna",
        "first_name": "Anna",
        "last_name": "Kovács",
    }
    assert without_email == {
        "id": FB_VARGA_JULIA.id,
        "name": "Varga Júlia",
        "first_name": "Júlia",
        "last_name": "Varga",
    }


def test_cancel_redirects_back_with_access_denied(facebook_server):
    # given / when the resident presses "Mégse / Cancel"
    form = {**authorize_params(), "cancel": "1"}
    reply = http("POST", f"{facebook_server.base_url}/v19.0/dialog/oauth", form=form)

    # then they go back to us with the OAuth2 error and our state
    assert reply.status == 302
    query = parse_qs(urlsplit(reply.headers["Location"]).query)
    assert query["error"] == ["access_denied"]
    assert query["error_reason"] == ["user_denied"]
    assert query["state"] == ["st4te"]
    assert "code" not in query


@pytest.mark.parametrize(
    "overrides",
    [{"client_id": "someone-elses-app"}, {"redirect_uri": "https://evil.example/callback/"}],
)
def test_dialog_refuses_unknown_app_or_redirect_without_redirecting(facebook_server, overrides):
    # given / when the dialog is opened for another app, or with an unregistered redirect address
    shown = http("GET", f"{facebook_server.base_url}/v19.0/dialog/oauth", params=authorize_params(**overrides))
    posted = http(
        "POST",
        f"{facebook_server.base_url}/v19.0/dialog/oauth",
        form={**authorize_params(**overrides), "user_id": FB_TOTH_BENCE.id},
    )

    # then an error page, never a redirect
    assert (shown.status, posted.status) == (400, 400)
    assert "Location" not in posted.headers
    assert 'role="alert"' in shown.text


def test_token_login_path_debug_token(facebook_server):
    # given a user token and an app token (allauth's login-by-token flow)
    user_token = exchange_code(facebook_server, choose(facebook_server, FB_TOTH_BENCE.id)["code"]).json()[
        "access_token"
    ]
    app_token = http(
        "GET",
        f"{facebook_server.base_url}/v19.0/oauth/access_token",
        params={
            "client_id": DEFAULT_APP_ID,
            "client_secret": DEFAULT_APP_SECRET,
            "grant_type": "client_credentials",
        },
    ).json()["access_token"]

    # when the user token is inspected
    data = http(
        "GET",
        f"{facebook_server.base_url}/v19.0/debug_token",
        params={"input_token": user_token, "access_token": app_token},
    ).json()["data"]

    # then it is valid, for our app and that user
    assert (data["is_valid"], data["app_id"], data["user_id"]) == (True, DEFAULT_APP_ID, FB_TOTH_BENCE.id)
