"""Security baseline: headers, cookies, hashing, DEBUG default, API error shape."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_security_headers_and_csp_on_the_spa_and_api(client):
    for path in ("/", "/api/v1/csrf/"):
        response = client.get(path)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-eval" not in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_spa_sets_the_csrf_cookie(client):
    response = client.get("/profile")
    assert "csrftoken" in response.cookies


def test_passwords_are_hashed_with_argon2():
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_debug_is_off_and_cookies_secure_unless_set():
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECURE_COOKIES")}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='backend.settings'; "
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "True", "True"]


def test_settings_refuse_to_start_without_secrets_when_debug_is_off():
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECRET_KEY")}
    code = "import os; os.environ['DJANGO_SETTINGS_MODULE']='backend.settings'; from django.conf import settings as s; s.DEBUG"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "SECRET_KEY must be set" in out.stderr


def test_unknown_api_path_is_a_json_404_not_the_spa(client):
    response = client.get("/api/v1/nincs-ilyen/")
    assert response.status_code == 404


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
