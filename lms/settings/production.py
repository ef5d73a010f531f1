"""Production: every secret and address comes from the environment.

Refuses to start without DJANGO_SECRET_KEY or CERTIFICATE_SIGNING_KEY and passes `manage.py check --deploy`.
"""

import base64

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import LOGGING, MEDIA_STORAGE, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random string of 50 characters or more."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# Certificates are signed with this key (Open Badges). Deriving it from SECRET_KEY, as
# development does, would tie every issued credential to a key rotated for other reasons.
CERTIFICATE_SIGNING_KEY = env("CERTIFICATE_SIGNING_KEY", default="")
try:
    _signing_seed = base64.b64decode(CERTIFICATE_SIGNING_KEY, validate=True)
except ValueError:
    _signing_seed = b""
if len(_signing_seed) != 32:
    raise ImproperlyConfigured(
        "CERTIFICATE_SIGNING_KEY must be set to the base64 of a random 32-byte Ed25519 seed "
        "(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')."
    )

# >>> security (owned by lms.accounts; docs/security.md) ------------------------------
# Behind the TLS proxy: it says the request was HTTPS and who the client is.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Rate limits count per client address: the address the proxy appended to
# X-Forwarded-For (the last one, with one proxy), never REMOTE_ADDR (the proxy itself,
# which would put every visitor in one bucket).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=1)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Two-factor authentication for officers, managers, editors and administrators: always,
# whatever the environment says (tests/lms/test_settings.py checks it).
LMS_MFA_REQUIRED = True
# <<< security --------------------------------------------------------------------------
# Content-Security-Policy (base.py): production is served over HTTPS only.
CSP_POLICY = {**CSP_POLICY, "upgrade-insecure-requests": []}  # noqa: F405
CSP_RELAXED_POLICY = {**CSP_RELAXED_POLICY, "upgrade-insecure-requests": []}  # noqa: F405

DEMO_DATA_ALLOWED = False

# >>> Production recipe (docs/operations.md): storage, logs, Celery logging -----------------
STORAGES = {
    "default": MEDIA_STORAGE,  # S3-compatible when AWS_STORAGE_BUCKET_NAME is set (base.py)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# One JSON object per line on stdout (lms.core.logs): time, level, logger, message,
# request_id (lms.core.request_id) or task, exception. LOG_FORMAT=text for plain lines.
if env("LOG_FORMAT", default="json") == "json":
    LOGGING = {
        **LOGGING,
        "formatters": {"json": {"()": "lms.core.logs.JsonFormatter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}
        },
    }
# Celery workers log through the same configuration instead of their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_REDIRECT_STDOUTS = False
# <<< Production recipe ---------------------------------------------------------------------
