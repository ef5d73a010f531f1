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
