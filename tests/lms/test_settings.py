"""Production settings: refuse to start without a secret, pass check --deploy cleanly."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIGNING_KEY = base64.b64encode(secrets.token_bytes(32)).decode()


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "lms.settings.production",
            "CERTIFICATE_SIGNING_KEY": SIGNING_KEY,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter under the production settings (a secret key,
    a signing key, one allowed host, an in-memory SQLite database; `env` adds or
    overrides), as a deployment would import them."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "lms.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "kynangso.example.vn",
            "CERTIFICATE_SIGNING_KEY": SIGNING_KEY,
            "DATABASE_URL": "sqlite:///:memory:",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", DJANGO_ALLOWED_HOSTS="kynangso.example.vn")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_certificate_signing_key():
    for key in ("", "not base64!", base64.b64encode(b"too short").decode()):
        result = _manage(
            "check",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
            DJANGO_ALLOWED_HOSTS="kynangso.example.vn",
            CERTIFICATE_SIGNING_KEY=key,
        )
        assert result.returncode != 0, key
        assert "CERTIFICATE_SIGNING_KEY" in result.stderr


def test_production_refuses_the_development_key():
    result = _manage(
        "check",
        DJANGO_SECRET_KEY="dev-only-insecure-key-change-me",
        DJANGO_ALLOWED_HOSTS="kynangso.example.vn",
    )
    assert result.returncode != 0


def test_production_passes_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="kynangso.example.vn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_demo_data_is_refused_in_production():
    result = _manage(
        "load_demo_data",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="kynangso.example.vn",
        DATABASE_URL="sqlite:///:memory:",
    )
    assert result.returncode != 0
    assert "refused" in result.stderr


def test_time_zone_and_language(settings):
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"


def test_production_collectstatic_succeeds(tmp_path):
    """The manifest storage refuses a file that names a missing one (a vendored script's
    source map, a CSS url()): this is the release step that would fail."""
    result = _manage(
        "collectstatic",
        "--noinput",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="kynangso.example.vn",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()


HEADER_SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
out = {"mfa_required": settings.LMS_MFA_REQUIRED}
client = Client()
# The manifest of static files is built by collectstatic at release (tested above);
# here only the headers matter, so static URLs are resolved without it.
plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}).enable()
for path in ("/healthz", "/api/v1/csrf"):
    plain = client.get(path, HTTP_HOST="kynangso.example.vn")
    response = client.get(path, secure=True, HTTP_HOST="kynangso.example.vn")
    out[path] = {
        "plain_status": plain.status_code,
        "plain_location": plain.get("Location", ""),
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": {k: dict(v) for k, v in response.cookies.items()},
    }
print(json.dumps(out))
"""


def test_production_headers_on_real_responses():
    """Under the production settings: HTTPS redirect, HSTS, frame, referrer, permissions
    and opener policies; a Secure, SameSite CSRF cookie; two-factor authentication
    required."""
    import json

    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = production_python(HEADER_SCRIPT, **base, LMS_MFA_REQUIRED="false")  # production ignores it
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["mfa_required"] is True
    # Two responses that need no database (the subprocess has none): the health check
    # and the API call that sets the CSRF cookie.
    for path in ("/healthz", "/api/v1/csrf"):
        page = out[path]
        assert page["plain_status"] == 301 and page["plain_location"].startswith("https://"), path
        assert page["status"] == 200, path
        headers = page["headers"]
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        policy = headers["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=(self)", "payment=()"):
            assert feature in policy
    cookies = out["/api/v1/csrf"]["cookies"]
    assert cookies["csrftoken"]["secure"] is True and cookies["csrftoken"]["samesite"] == "Lax"

