"""Checks for the outside services some tests need.

Where a service is missing the test is skipped with the reason, except when CI=true:
there a missing service fails the run, so CI can never pass by skipping.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() == "true"


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true and a required service is missing: {reason}", pytrace=False)
    pytest.skip(reason)


def _port_open(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 1):
            return True
    except OSError:
        return False


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://…")


def require_redis() -> str:
    url = getattr(settings, "REDIS_URL", "") or os.environ.get("REDIS_URL", "")
    if not url:
        _missing("needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")
    if not _port_open(url):
        _missing(f"Redis is not reachable at {url}")
    return url


CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def require_chromium() -> str:
    for path in CHROMIUM_PATHS:
        if shutil.which(path):
            return path
    _missing("needs Chromium: apt-get install chromium")
    return ""  # unreachable
