"""Production posture: security headers, CSP, admin brute-force lockout, revocable
staff tokens, secure cookies in production."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("url", ["/api/v1/articles/", "/api/docs/", "/admin/login/", "/healthz"])
def test_security_headers_on_every_kind_of_page(client, url):
    response = client.get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"  # no inline or remote scripts
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_hsts_is_sent_over_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/api/v1/articles/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def _login(client, password, ip="198.51.100.20"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": password},
        REMOTE_ADDR=ip,
    )


def test_admin_login_locks_out_after_repeated_failures(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    StaffUserFactory(username="editor", password="the-right-password-42")

    for _ in range(5):
        failed = _login(client, "wrong")
        assert failed.status_code in (200, 429)  # the form again, then the lockout
    locked = _login(client, "the-right-password-42")

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not locked out: an attacker cannot lock staff out from afar.
    other = _login(client, "the-right-password-42", ip="198.51.100.99")
    assert other.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_success_before_the_limit_resets_the_count(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    StaffUserFactory(username="editor", password="the-right-password-42")
    _login(client, "wrong")
    _login(client, "wrong")
    assert _login(client, "the-right-password-42").status_code == 302
    client.logout()
    _login(client, "wrong")
    _login(client, "wrong")
    assert _login(client, "the-right-password-42").status_code == 302


def test_staff_token_works_until_revoked(api_client):
    staff = StaffUserFactory()
    token = Token.objects.create(user=staff)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get("/api/v1/moderation/comments/").status_code == 200

    token.delete()  # Admin → Auth Token → delete: revoked at once

    assert api_client.get("/api/v1/moderation/comments/").status_code in (401, 403)


def test_basic_auth_is_not_accepted(api_client):
    StaffUserFactory(username="boss", password="the-right-password-42")
    api_client.credentials(HTTP_AUTHORIZATION="Basic Ym9zczp0aGUtcmlnaHQtcGFzc3dvcmQtNDI=")
    assert api_client.get("/api/v1/moderation/comments/").status_code in (401, 403)


def test_production_settings_secure_cookies_and_redirects(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="news.example.com",
        DJANGO_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="cms.settings",
    )
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ['SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
        "'SESSION_COOKIE_HTTPONLY', 'DEBUG']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_HTTPONLY": True,
        "DEBUG": False,
    }


@pytest.mark.parametrize("url", ["/api/v1/articles/", "/api/v1/categories/", "/api/v1/tags/"])
def test_public_reads_ignore_a_wrong_token(api_client, url):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get(url).status_code == 200
