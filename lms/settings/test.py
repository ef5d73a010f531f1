"""Test settings: the same as dev, fast password hashing, mail kept in memory.

DATABASE_URL / REDIS_URL in the environment run the suite on PostgreSQL and Redis (CI);
without them it runs on SQLite with a local-memory cache (the Quick start).
"""

from .base import *  # noqa: F401,F403
from .base import CELERY_BROKER_URL, env

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
