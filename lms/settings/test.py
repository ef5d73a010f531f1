"""Test settings: the same as dev, fast password hashing, mail kept in memory.

DATABASE_URL / REDIS_URL in the environment run the suite on PostgreSQL and Redis (CI);
without them it runs on SQLite with a local-memory cache (the Quick start).
"""

import os
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F401,F403
from .base import CACHES, CELERY_BROKER_URL, DATABASES, REDIS_URL, env

# pytest-xdist runs the suite in several processes (gw0, gw1, …); pytest-django gives each
# its own test database. Each also gets its own Redis database (the given one + its
# number), so one process's cache.clear() or queue purge never touches another's.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _xdist_worker.startswith("gw"):
    _url = urlsplit(REDIS_URL)
    _db = int(_url.path.strip("/") or 0) + int(_xdist_worker[2:])
    REDIS_URL = urlunsplit(_url._replace(path=f"/{_db % 64}"))
    CACHES["default"]["LOCATION"] = REDIS_URL
    if CELERY_BROKER_URL.startswith("redis://"):
        CELERY_BROKER_URL = REDIS_URL

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "lms.accounts.sms.MemorySmsBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Jobs run inline unless a test starts a real worker (tests/lms/jobs).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=CELERY_BROKER_URL)
# Two-factor enrolment for staff roles (lms.accounts.mfa) is off for the suite, whose
# tests log officers and administrators in with force_login; tests/lms/accounts turn it
# back on. Production forces it on (tests/lms/test_settings.py checks that).
LMS_MFA_REQUIRED = False

# >>> Read replica (lms.core.replicas): an alias that mirrors the test database, as a
# replica would. Nothing is routed to it unless a test configures it as a replica and
# installs the router (tests/lms/test_replicas.py); other tests cannot even query it.
DATABASES = {
    "default": DATABASES["default"],
    "replica": {**DATABASES["default"], "TEST": {"MIRROR": "default"}},
}
DATABASE_REPLICAS: list[str] = []
DATABASE_ROUTERS: list[str] = []
# <<< Read replica
