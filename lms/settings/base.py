"""Settings shared by every environment.

Everything that differs between a laptop and a production cluster is read from the
environment with django-environ. With no environment at all the project runs on an
embedded SQLite file, a local-memory cache and Celery in eager mode: no service needed.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Our apps first so their templates override third-party ones (allauth, wagtail).
    "lms.accounts",
    "lms.places",
    "lms.organisations",
    "lms.jobs",
    "lms.core",
    "lms.privacy",
    "lms.audit",
    "content",
    "assessments",
    "assessments.quizzes",
    "courses",
    "courses.certificates",
    "courses.training",
    "courses.compliance",
    "community_teams",
    "community_teams.indicators",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "lms.core.request_id.RequestIdMiddleware",  # first: every response carries the id
    "django.middleware.security.SecurityMiddleware",
    "lms.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lms.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lms.audit.context.AuditContextMiddleware",
    "lms.audit.admin_reads.AdminReadAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "lms.accounts.middleware.MfaRequiredMiddleware",
    "lms.accounts.middleware.SecurityHeadersMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# >>> Database: primary, read replicas, pooler (production recipe, docs/operations.md) --
# DATABASE_URL switches to PostgreSQL (postgres://user@host:5432/name).
# DATABASE_REPLICA_URLS (comma-separated, optional): read replicas that dashboards and
# exports may read from (lms.core.replicas); without them nothing is routed anywhere.
# DATABASE_POOLER=pgbouncer: the URLs point at PgBouncer in transaction pooling mode.
DATABASE_POOLER = env("DATABASE_POOLER", default="").strip().lower()
if DATABASE_POOLER not in ("", "pgbouncer"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DATABASE_POOLER must be empty or 'pgbouncer'.")


def _database(config: dict) -> dict:
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Persistent connections (seconds; 0 closes after each request), checked before
        # reuse so a connection the server or PgBouncer dropped is replaced, not an error.
        config.setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
        config["CONN_HEALTH_CHECKS"] = env.bool("DB_CONN_HEALTH_CHECKS", default=True)
        # A database that does not answer fails a request (and /readyz) in seconds.
        options = config.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5))
        if DATABASE_POOLER == "pgbouncer":
            # Transaction pooling hands each transaction to any server connection: a
            # server-side cursor (DECLARE … outside a transaction) would not survive.
            # Django already keeps psycopg from preparing statements.
            config["DISABLE_SERVER_SIDE_CURSORS"] = True
    return config


DATABASES = {
    "default": _database(env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")),
}
DATABASE_REPLICAS: list[str] = []
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    DATABASES[f"replica{_number}"] = _database(env.db_url_config(_url.strip()))
    DATABASE_REPLICAS.append(f"replica{_number}")
DATABASE_ROUTERS = ["lms.core.replicas.PrimaryReplicaRouter"] if DATABASE_REPLICAS else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# <<< Database ----------------------------------------------------------------------------

# --- Cache, sessions -----------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis, plus a per-process fallback for sign-in limits (lms/core/cache.py).
            "BACKEND": "lms.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                # A Redis outage must degrade the site, not break it: errors are ignored
                # and every read falls through to the database.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="lms"),
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# cached_db: a Redis outage logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Celery --------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Publishing fails fast when the broker is down (one immediate retry, no 2 s sleep):
# the outbox row stays pending and the dispatcher sends it later.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
}

# --- Auth ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# >>> allauth (owned by lms.accounts) -------------------------------------------------
# People sign up and log in with an e-mail address OR a Vietnamese mobile number; the
# username is an internal handle. Why each choice: lms/accounts/adapter.py, stages.py.
ACCOUNT_ADAPTER = "lms.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
# Both optional for allauth (so check account.W001 is silenced);
# lms.accounts.forms.SignupForm requires one of the two.
ACCOUNT_SIGNUP_FIELDS = ["phone", "email", "password1*", "password2*"]
SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "account.W001"]
ACCOUNT_FORMS = {
    "login": "lms.accounts.forms.LoginForm",
    "signup": "lms.accounts.forms.SignupForm",
    "add_email": "lms.accounts.forms.AddEmailForm",
    "change_email": "lms.accounts.forms.ChangeEmailForm",
    "change_password": "lms.accounts.forms.ChangePasswordForm",
    "set_password": "lms.accounts.forms.SetPasswordForm",
    "reset_password": "lms.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "lms.accounts.forms.ResetPasswordKeyForm",
    "confirm_password_reset_code": "lms.accounts.forms.ConfirmPasswordResetCodeForm",
    "reauthenticate": "lms.accounts.forms.ReauthenticateForm",
    "request_login_code": "lms.accounts.forms.RequestLoginCodeForm",
    "confirm_login_code": "lms.accounts.forms.ConfirmLoginCodeForm",
    "confirm_email_verification_code": "lms.accounts.forms.ConfirmEmailVerificationCodeForm",
    "verify_phone": "lms.accounts.forms.VerifyPhoneForm",
    "change_phone": "lms.accounts.forms.ChangePhoneForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_USER_DISPLAY = "lms.accounts.adapter.user_display"
ACCOUNT_UNIQUE_EMAIL = True
# "optional" for allauth ("mandatory" needs a required e-mail field); the login stage
# lms.accounts.stages.EmailVerificationStage makes it mandatory for anyone without a
# verified phone number. A confirmation mail is sent at every e-mail sign-up.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 15 * 60
ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS = 5
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True  # SMS do get lost
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_CHANGE = True  # fix a mistyped number
# Sign in with a one-time code by SMS or e-mail: for people who forgot their password.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
# Codes are 6 digits: easy to type on any phone keypad.
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
# Password reset by e-mail is allauth's link; by phone it is our SMS-code flow
# (lms.accounts.views.phone_password_reset*), with the same timeout and attempts.
ACCOUNT_PASSWORD_RESET_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_PASSWORD_RESET_BY_CODE_MAX_ATTEMPTS = 5
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# A person told "this phone number already has an account" can log in or reset the
# password; hiding it (enumeration prevention) confuses first-time users more than it
# protects them. The rate limits below cap probing.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_LOGOUT_ON_GET = False  # log out is a POST (the header's button)
ACCOUNT_SESSION_REMEMBER = None  # ask: shared phones are common
# <<< allauth ---------------------------------------------------------------------------

# >>> security (owned by lms.accounts and lms.audit; docs/security.md) ----------------
# Passwords: Django's validators (their messages are translated to Vietnamese by
# Django) plus a list of passwords common in Vietnam, compared without accents.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email", "phone")},
    },
    {"NAME": "lms.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "lms.accounts.passwords.VietnameseCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# allauth's rate limits, every one stated (cache-based; "key" is what the action is
# about: the login typed, the phone number, the e-mail). "login_failed" is keyed by the
# login typed AND the client address (lms.accounts.adapter): five wrong passwords lock
# that account out from that address for 15 minutes, never from everywhere (why:
# docs/security.md, "Rate limits and lockout").
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/15m/key",
    "signup": "20/m/ip,200/h/ip",
    "reset_password": "20/m/ip,5/m/key,10/h/key",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key,10/h/key",
    # Per IP looser than allauth's 3/m: a community team signs up residents from one
    # commune hall connection.
    "verify_phone": "1/30s/key,10/m/ip",
    "change_phone": "1/m/user",
    "confirm_email": "1/180s/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Our own endpoints, counted by lms.accounts.ratelimit (same "amount/period/per" form;
# per is ip, user or key).
LMS_RATE_LIMITS = {
    # SMS with a password-reset code: each costs money and reaches a real phone.
    "phone_code_send": "3/15m/key,30/h/ip",
    # Typing that code: beyond the 5 tries per code, per number and per address.
    "phone_code_verify": "10/h/key,30/h/ip",
    # API tokens and offline-app devices are minted from a session.
    "api_token_create": "10/h/user",
    "device_pair": "10/h/user",
    # Requests with a bearer or device token that is unknown or revoked.
    "api_token_failed": "30/m/ip",
    # Second-factor codes at login (allauth.mfa counts 5 per login too).
    "mfa_code_failed": "10/15m/key",
}
# Two-factor authentication (allauth.mfa): TOTP and recovery codes. Required for
# officers, training managers, editors and administrators (lms.accounts.mfa); only the
# test settings turn the requirement off (their hundreds of force_login staff), never
# production.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Kỹ năng số"
MFA_ADAPTER = "lms.accounts.mfa.MfaAdapter"
MFA_FORMS = {
    "authenticate": "lms.accounts.forms.MfaAuthenticateForm",
    "reauthenticate": "lms.accounts.forms.MfaReauthenticateForm",
    "activate_totp": "lms.accounts.forms.ActivateTotpForm",
    "deactivate_totp": "lms.accounts.forms.DeactivateTotpForm",
    "generate_recovery_codes": "lms.accounts.forms.GenerateRecoveryCodesForm",
}
LMS_MFA_REQUIRED = env.bool("LMS_MFA_REQUIRED", default=True)
# Headers sent on every response (lms.accounts.middleware.SecurityHeadersMiddleware for
# Permissions-Policy; Django's SecurityMiddleware and XFrameOptionsMiddleware for the rest).
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview panel overrides it with SAMEORIGIN itself
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Geolocation: the visit form may record where a visit happened (same origin only).
PERMISSIONS_POLICY = {
    "accelerometer": "()",
    "camera": "()",
    "geolocation": "(self)",
    "gyroscope": "()",
    "magnetometer": "()",
    "microphone": "()",
    "payment": "()",
    "usb": "()",
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The audit log keeps events this many days, then the nightly job audit.retention_apply
# deletes them in batches (lms.audit.services.retention_apply; 0 keeps everything; the
# database refuses to delete anything younger than 365 days whatever this says).
# Five years by default: docs/security.md, "Audit log".
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=5 * 365)
# Administration pages that show people's data: each page served writes an audit row
# (lms/audit/admin_reads.py). Our own pages and API operations write theirs themselves.
AUDIT_ADMIN_PERSONAL_DATA_PATHS = [
    "/admin/users/",
    "/django-admin/quizzes/attempt/",
    "/django-admin/quizzes/response/",
    "/django-admin/accounts/",
]
# <<< security --------------------------------------------------------------------------

# >>> Content-Security-Policy (owned by lms.core.csp; why: docs/security.md) -----------
# Our pages: scripts and styles from our origin only (an inline script that must stay
# carries request.csp_nonce), no plugins, no framing by anyone. CSP_MEDIA_ORIGINS names
# where uploaded images and videos are served from when that is another origin (a CDN
# or object storage, e.g. https://media.example.vn); CSP_FRAME_ORIGINS the video sites
# whose players the lessons' video block embeds.
CSP_MEDIA_ORIGINS = env.list("CSP_MEDIA_ORIGINS", default=[])
CSP_FRAME_ORIGINS = env.list(
    "CSP_FRAME_ORIGINS",
    default=["https://www.youtube.com", "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
)
CSP_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", *CSP_MEDIA_ORIGINS],
    "media-src": ["'self'", *CSP_MEDIA_ORIGINS],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'", *CSP_FRAME_ORIGINS],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
# Wagtail's and Django's admin and the API's Swagger page write inline scripts and
# styles: under these paths the policy allows them, and the admin may frame itself
# (Wagtail's live preview). Other origins' scripts stay refused there too.
CSP_RELAXED_PATHS = ["/admin/", "/django-admin/", "/api/docs"]
CSP_RELAXED_POLICY = {
    **CSP_POLICY,
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", *CSP_MEDIA_ORIGINS],
    "font-src": ["'self'", "data:"],
    "frame-ancestors": ["'self'"],
}
# <<< Content-Security-Policy -----------------------------------------------------------

# Certificates: the public address printed in QR codes and signed into Open Badges
# (set it in production and never change it), and the Ed25519 signing key (base64 of a
# 32-byte seed; derived from SECRET_KEY when unset, for development).
CERTIFICATE_BASE_URL = env("CERTIFICATE_BASE_URL", default="")
CERTIFICATE_SIGNING_KEY = env("CERTIFICATE_SIGNING_KEY", default="")

# Demo data may be loaded (never in production).
DEMO_DATA_ALLOWED = True

# --- Mail and SMS --------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Kỹ năng số <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Dotted path to the class that sends SMS (see lms.accounts.sms).
SMS_BACKEND = env("SMS_BACKEND", default="lms.accounts.sms.ConsoleSmsBackend")

# --- Internationalisation ------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = [("vi", "Tiếng Việt")]

# --- Static and media ----------------------------------------------------------------
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "static_collected")
STATIC_URL = "/static/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
# >>> Media on S3-compatible object storage (production recipe, docs/operations.md) -------
# With a bucket named, uploads (documents, images, certificates) go to it, so every web
# and worker machine sees the same files; else to MEDIA_ROOT (one machine only). Keys
# come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the machine's role), read by
# boto3 itself: they are never Django settings. S3_* names are accepted as aliases.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="") or env("S3_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # MinIO, Ceph, a Vietnamese cloud's S3: its address; unset for AWS itself.
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="")
            or env("S3_ENDPOINT_URL", default="")
            or None,
            "region_name": env("AWS_S3_REGION_NAME", default="") or env("S3_REGION_NAME", default="") or None,
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="") or None,  # "path" for MinIO
            "location": env("AWS_LOCATION", default="media"),
            # Private objects, links signed for an hour: documents of restricted pages and
            # certificates are not public just because someone has the address.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=3600),
            # Never overwrite: a second upload with the same name gets a new name.
            "file_overwrite": False,
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# <<< Media storage -------------------------------------------------------------------------
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Wagtail -------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Kỹ năng số cho mọi người"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
# "simple": no stemming and no English stop words. The index holds folded Vietnamese
# (content.search), where "the" (thẻ) or "to" (tổ) are real words, not noise.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"}
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False  # allauth owns passwords
# The admin makes no request to other sites (tests/e2e/test_csp.py): no Gravatar (it
# would send a hash of each editor's e-mail address and their IP address to a third
# party; Wagtail draws its own default avatar), no check for new Wagtail releases
# (upgrades go through requirements/, not an editor's banner).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
# Catalogue, course, module and lesson pages are routed from the cache (courses.routing);
# off only to measure or to rule it out.
COURSES_ROUTE_CACHE = env.bool("COURSES_ROUTE_CACHE", default=True)

# --- Logging -------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail's immediate task backend logs every index update at INFO.
        "django_tasks": {"level": "WARNING"},
        # Page edits are kept in Wagtail's own audit log (the database); no need to print them.
        "wagtail": {"level": "WARNING"},
    },
}
