"""Settings for PSP Case Management, read from the environment.

With no environment at all the app runs as the embedded default: SQLite in ``var/``,
tasks in-process, e-mail to the console. Production sets ``DEBUG=false`` and must then
provide ``SECRET_KEY`` and ``ALLOWED_HOSTS``; it fails loudly if they are missing.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications -------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "psp",
    "referrals",
    "mentoring",
    "councils",
    "reporting",
]

MIDDLEWARE = [
    # First, so that its time is the whole app's (psp/middleware.py).
    "psp.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before everything that sets a page's content, after WhiteNoise (whose files are already
    # compressed). Why it is safe with CSRF tokens in pages: psp/middleware.py.
    "psp.middleware.CompressPagesMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After SessionMiddleware, so it marks the session before that saves it.
    "psp.middleware.KeepSessionAliveMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After AuthenticationMiddleware: a signed-in person's own language over the browser's.
    "psp.middleware.UserLanguageMiddleware",
    "psp.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "psp.middleware.RequestLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "psp.middleware.AuditContextMiddleware",
    "psp.middleware.RequireMfaMiddleware",
]

ROOT_URLCONF = "psp.urls"
WSGI_APPLICATION = "psp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "psp.context_processors.navigation",
            ],
            # Dates in the style of their kind: {{ day|when:"date" }} (psp/dates.py).
            "builtins": ["psp.templatetags.dates"],
        },
    },
]

# Widgets render through TEMPLATES, so templates/includes/widgets/ can hold our own.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Data ---------------------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# PostgreSQL connections are kept for a minute between requests (opening one costs several
# milliseconds), and checked before a request uses one: after PostgreSQL restarts, the next
# request opens a new connection instead of failing. A SQLite file opens in microseconds: its
# connections are not kept (Django's default). Celery workers close their connections before
# and after each task (Celery's Django fixup), so a task never starts on a stale one.
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "CONN_MAX_AGE", default=0 if "sqlite" in DATABASES["default"]["ENGINE"] else 60
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No just-in-time compilation of queries. The app's queries are short and read indexes;
    # PostgreSQL compiles any whose estimated cost passes jit_above_cost, which a correlated
    # subquery's estimate easily does: the equity funnel spent 332 ms compiling a query that
    # ran in 180 ms. Compiling pays off only for long analytic scans, which this app has none of.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    # Redis unreachable: each process falls back to a cache in its memory (psp/cache.py),
    # after waiting at most a second for Redis.
    CACHES = {
        "default": {
            "BACKEND": "psp.cache.FailSafeRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # The login rate limits need a cache that all processes share; the database is one.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "psp_cache",
        }
    }

# --- Request limits -----------------------------------------------------------------------

# The largest form (a council meeting with 500 members' attendance and long minutes) stays
# well under these. Bigger requests are refused with 400 (too many fields, Django) or 413
# (too large, psp.middleware) before a view reads them; the only pages that take a file (a
# family's documents, below) allow a body of one document and the form around it. Files
# over FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to a temporary file, not held in memory.
PSP_MAX_REQUEST_BYTES = env.int("PSP_MAX_REQUEST_BYTES", default=2_621_440)
DATA_UPLOAD_MAX_MEMORY_SIZE = PSP_MAX_REQUEST_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1_200
FILE_UPLOAD_MAX_MEMORY_SIZE = PSP_MAX_REQUEST_BYTES
# A CSV download holds at most this many rows (about 5 s of a web worker's time); a larger
# one is refused with a message asking to narrow the list by its filters first.
PSP_EXPORT_MAX_ROWS = env.int("PSP_EXPORT_MAX_ROWS", default=100_000)

# The public pages' forms (psp/public.py): how many one address may send in an hour, how
# soon after it is shown a form is a robot's, and the largest body they take.
PSP_PUBLIC_FORMS_PER_HOUR = env.int("PSP_PUBLIC_FORMS_PER_HOUR", default=10)
PSP_PUBLIC_FORM_MIN_SECONDS = env.int("PSP_PUBLIC_FORM_MIN_SECONDS", default=3)
PSP_PUBLIC_FORM_MAX_BYTES = env.int("PSP_PUBLIC_FORM_MAX_BYTES", default=32_768)

# Each answer's Server-Timing header also counts its database queries (`make bench` turns it
# on; a wrapper around every query, so off in production).
PSP_COUNT_QUERIES = env.bool("PSP_COUNT_QUERIES", default=False)

# --- Background tasks ---------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Tests set it on: tasks run where they are queued, except in the real-worker test.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "America/Chicago"
# A task's message is acknowledged when the task ends, and given back to the queue when its
# worker process dies, so a killed worker's report is made again (reporting/tasks.py makes
# that safe). A message taken by a worker that vanished entirely goes back to the queue after
# the visibility timeout, which must outlast the longest task (16 minutes) or it would be
# handed out twice while still running.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=20 * 60),
    "socket_connect_timeout": 2,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=50)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers wait for the broker as long as it takes; a web request gives up after a few
# seconds and leaves the report for the requeue job (see reporting.tasks.send_report).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # A case whose next hearing has passed shows the one after it.
    "mentoring-move-on-next-hearings": {
        "task": "mentoring.move_on_next_hearings",
        "schedule": crontab(hour=0, minute=5),
    },
    "mentoring-daily-reminders": {
        "task": "mentoring.send_daily_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "mentoring-weekly-digest": {
        "task": "mentoring.send_weekly_digest",
        "schedule": crontab(hour=7, minute=30, day_of_week="monday"),
    },
    # Changes to the numbers of quarters already closed and filed.
    "reporting-find-amendments": {
        "task": "reporting.find_amendments",
        "schedule": crontab(hour=1, minute=30),
    },
    # Reports asked for while the broker was down, or left by a worker that died.
    "reporting-requeue-waiting": {
        "task": "reporting.requeue_waiting",
        "schedule": 5 * 60,
    },
    # The dashboards' numbers, computed before they expire (reporting.dashboards: five
    # minutes) so that no visitor waits for them.
    "reporting-refresh-dashboard-numbers": {
        "task": "reporting.refresh_dashboard_numbers",
        "schedule": 4 * 60,
    },
    # The outcomes of served children against the state's comparison extract, our records
    # having moved during the day (reporting.outcomes).
    "reporting-compare-outcomes": {
        "task": "reporting.compare_outcomes",
        "schedule": crontab(hour=2, minute=30),
    },
    # The quarter just ended: every active program's report and the statewide one.
    "reporting-last-quarter": {
        "task": "reporting.generate_last_quarter",
        "schedule": crontab(hour=2, minute=0, day_of_month=1, month_of_year="1,4,7,10"),
    },
}

# --- Records retention --------------------------------------------------------------------
# Families whose cases and referrals all closed more than this many years ago have their
# identifying details replaced by placeholders (``manage.py anonymise_closed_families``).
# Seven years after closure is a common child-welfare schedule; the county sets its own.
PSP_RETENTION_YEARS = env.int("PSP_RETENTION_YEARS", default=7)
if PSP_RETENTION_YEARS < 1:
    raise ImproperlyConfigured("PSP_RETENTION_YEARS must be 1 or more.")
# Off by default: a county turns it on once it has agreed its schedule. On, beat runs the
# command's work on the 2nd of each month at 03:00.
PSP_RETENTION_AUTORUN = env.bool("PSP_RETENTION_AUTORUN", default=False)
if PSP_RETENTION_AUTORUN:
    CELERY_BEAT_SCHEDULE["referrals-anonymise-closed-families"] = {
        "task": "referrals.anonymise_closed_families",
        "schedule": crontab(hour=3, minute=0, day_of_month=2),
    }

# --- People and sign-in -------------------------------------------------------------------

AUTH_USER_MODEL = "psp.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "psp.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "psp.forms.LoginForm"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_RATE_LIMITS = {
    # Five wrong passwords lock one account for a few minutes; a county office signs in
    # from one address, so the limit per address is a guard against guessing at scale,
    # not a lock on every coordinator after a few typos.
    "login_failed": "5/5m/key,60/15m/ip",
    "reset_password": "5/m/ip,3/m/key",
    "reset_password_from_key": "20/m/ip",
}
# Changing a second factor or the e-mail address asks again for the password (or, for the
# first authenticator app, a code sent by e-mail) unless the person did so this recently.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="PSP Case Management")
PSP_REQUIRE_MFA = env.bool("PSP_REQUIRE_MFA", default=False)

# Signed out after this much inactivity: shared tablets and sensitive records.
# Each request moves the expiry on (at most one write a minute: KeepSessionAliveMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ],
)

# --- E-mail -------------------------------------------------------------------------------

_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PSP Case Management <psp@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Language and time --------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("hmn", _("Hmong"))]
# Django knows no Hmong; its name for the language switcher (docs/translating.md).
LANG_INFO.setdefault("hmn", {"bidi": False, "code": "hmn", "name": "Hmong", "name_local": "Hmoob"})
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Chicago"
# One style per kind of date, per language (psp/dates.py).
FORMAT_MODULE_PATH = ["psp.formats"]
USE_I18N = True
USE_TZ = True

# --- Reports ------------------------------------------------------------------------------

# Counts of families from 1 to PSP_SMALL_COUNT_THRESHOLD - 1 are hidden in what state staff
# see; percents of fewer than PSP_SMALL_DENOMINATOR are marked too few to compare. The
# reports' sentences name both as set here.
PSP_SMALL_COUNT_THRESHOLD = env.int("PSP_SMALL_COUNT_THRESHOLD", default=5)
PSP_SMALL_DENOMINATOR = env.int("PSP_SMALL_DENOMINATOR", default=10)

# The data-quality panel lists a referral still waiting for a decision (received or being
# screened) more than this many days after it arrived.
PSP_DECISION_DAYS = env.int("PSP_DECISION_DAYS", default=14)
if PSP_DECISION_DAYS < 1:
    raise ImproperlyConfigured("PSP_DECISION_DAYS must be 1 or more.")

# --- Static files -------------------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("PSP_MANIFEST_STATIC", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"
# Where `manage.py backup` writes its archives (they hold every family's record).
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "var" / "backups")

# --- Family documents ---------------------------------------------------------------------

# Signed consents, releases of information, court orders (mentoring.documents): kept under
# random names where no address serves them, read only through the app's download page.
# "local" (the default): a folder, by default inside MEDIA_ROOT so that `make backup` and
# the Compose file's media volume keep them; nothing serves MEDIA_ROOT. "s3": a private
# bucket of any S3-compatible service, with django-storages (pip install '.[s3]').
PSP_DOCUMENT_MAX_BYTES = env.int("PSP_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
PSP_DOCUMENTS_STORAGE = env.str("PSP_DOCUMENTS_STORAGE", default="local")
PSP_DOCUMENTS_ROOT = env.str("PSP_DOCUMENTS_ROOT", default=str(Path(MEDIA_ROOT) / "documents"))
if PSP_DOCUMENT_MAX_BYTES < 1:
    raise ImproperlyConfigured("PSP_DOCUMENT_MAX_BYTES must be 1 or more.")
if PSP_DOCUMENTS_STORAGE == "local":
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(PSP_DOCUMENTS_ROOT),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
elif PSP_DOCUMENTS_STORAGE == "s3":
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "PSP_DOCUMENTS_STORAGE=s3 needs django-storages: pip install '.[s3]'."
        )
    PSP_DOCUMENTS_S3_BUCKET = env.str("PSP_DOCUMENTS_S3_BUCKET", default="")
    if not PSP_DOCUMENTS_S3_BUCKET:
        raise ImproperlyConfigured("PSP_DOCUMENTS_STORAGE=s3 needs PSP_DOCUMENTS_S3_BUCKET.")
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PSP_DOCUMENTS_S3_BUCKET,
            "endpoint_url": env.str("PSP_DOCUMENTS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("PSP_DOCUMENTS_S3_REGION", default="") or None,
            "access_key": env.str("PSP_DOCUMENTS_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("PSP_DOCUMENTS_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("PSP_DOCUMENTS_S3_PREFIX", default="documents"),
            "default_acl": "private",
            "file_overwrite": False,
            # Files are streamed through the app's download page, never linked to.
            "querystring_auth": True,
            "querystring_expire": 60,
        },
    }
else:
    raise ImproperlyConfigured('PSP_DOCUMENTS_STORAGE must be "local" or "s3".')

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -----------------------------------------------------------------------------

# PSP_HTTPS is on wherever DEBUG is off, unless a test or a plain-HTTP demo turns it off.
PSP_HTTPS = env.bool("PSP_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = PSP_HTTPS
SESSION_COOKIE_SECURE = PSP_HTTPS
CSRF_COOKIE_SECURE = PSP_HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if PSP_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PSP_HTTPS
SECURE_HSTS_PRELOAD = PSP_HTTPS
if env.bool("PSP_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# A form sent without its CSRF token: the site's own page, saying what to do (psp.views).
CSRF_FAILURE_VIEW = "psp.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# The caller's address (the audit log, the public forms' limit per address); behind a proxy
# the last X-Forwarded-For address, the one the proxy added (psp.middleware.client_ip).
PSP_TRUST_X_FORWARDED_FOR = env.bool("PSP_TRUST_X_FORWARDED_FOR", default=False)
# allauth's sign-in limits per address read the same address: else, behind the proxy, every
# sign-in would count against the proxy's own address, and one person's failed attempts
# would lock everybody out.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if PSP_TRUST_X_FORWARDED_FOR else 0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs every layout step at INFO; a worker's log wants only problems.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- The JSON API (/api/v1/) ----------------------------------------------------------------

REST_FRAMEWORK = {
    # The tablet and the app's own pages use the browser session (CSRF checked); systems use
    # a scoped token made by an administrator (psp/api.py).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "psp.api.TokenAuthentication",
        "psp.api.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["psp.api.SignedIn"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "psp.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "psp.api.problem_details",
    # Tokens are limited per token; people signed in are limited by the pages they can click.
    "DEFAULT_THROTTLE_CLASSES": ["psp.api.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("PSP_API_TOKEN_RATE", default="600/hour")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# How long a new API token lasts unless the administrator chooses otherwise (days).
PSP_API_TOKEN_DAYS = env.int("PSP_API_TOKEN_DAYS", default=90)

SPECTACULAR_SETTINGS = {
    "TITLE": "PSP Case Management API",
    "DESCRIPTION": (
        "Parents Supporting Parents: a Parent Partner's caseload and contacts for the tablet, "
        "and each program's quarterly figures for the state. Every call sees only what its "
        "caller may see in the app."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Without deep links, each operation's path is plain text inside its toggle button, not
    # a link nested in a button (which screen readers and keyboards cannot use).
    # Syntax colours off: several of its colours are under 4.5:1 on its dark background.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "syntaxHighlight": False},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "psp.api.document_problems",
    ],
}
