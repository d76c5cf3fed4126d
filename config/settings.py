"""Settings for the receivables-monitoring platform: every value comes from the environment.

The embedded defaults need no server (SQLite file, Celery on the filesystem broker, console e-mail),
so `make run` works on a fresh machine; production sets the variables listed in the README.
"""

from __future__ import annotations

import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

# Everything the platform writes at run time (SQLite file, broker folders, uploads) lives here;
# tests get their own folder so they never share a broker queue with a running `make run`.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / ("var/test" if TESTING else "var"))))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-and-tests-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "tenants",
    "webhooks",
    "payers",
    "invoices",
    "imports",
    "contact_schedule",
    "dunning",
    "stamps",
    "agent",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenants.middleware.TenantMiddleware",
    "tenants.middleware.LanguageMiddleware",
    "tenants.idempotency.IdempotencyMiddleware",
    "tenants.middleware.StaffMFAMiddleware",
]

if not (DEBUG or TESTING):
    # Production serves collected static files itself (runserver and tests do it themselves).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.tenancy",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web process and the worker share the file without
    # "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache carries login rate limits and live import progress between processes: files on one
# machine (the embedded default), Redis in production; tests keep it in memory.
_default_cache = "locmemcache://" if TESTING else f"filecache://{VAR_DIR / 'cache'}"
CACHES = {"default": env.cache("CACHE_URL", default=_default_cache)}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "tenants.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "tenants.auth.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
# Failed logins are limited per IP and per account; password-reset mails per address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_ADAPTER = "tenants.auth.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Monitoring należności")
# Operator staff (account managers, supervisors, consultants) must use TOTP when this is on.
REQUIRE_STAFF_MFA = env.bool("REQUIRE_STAFF_MFA", default=not DEBUG)

# --- Internationalisation and time ----------------------------------------------------------
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Warsaw")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Clients' nightly files: DROP_FOLDER_ROOT/<client slug>/incoming (imports.drop_folder).
DROP_FOLDER_ROOT = Path(env("DROP_FOLDER_ROOT", default=str(VAR_DIR / "drop")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- E-mail ---------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Monitoring należności <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------------
# TLS ends at the reverse proxy: it sets X-Forwarded-Proto, redirects HTTP and may send HSTS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_DATA_DIR = VAR_DIR / "celery" / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("broker", "processed", "results", "control"):
        (VAR_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DATA_DIR),
        "data_folder_out": str(CELERY_BROKER_DATA_DIR),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    _default_result_backend = f"file://{VAR_DIR / 'celery' / 'results'}"
else:
    _default_result_backend = CELERY_BROKER_URL
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=_default_result_backend)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = "default"
# A huge import must never delay an SMS: each kind of work has its own queue.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "snapshot-aging-hourly": {
        "task": "invoices.tasks.snapshot_aging_for_all_tenants",
        "schedule": 3600.0,
    },
    "purge-idempotency-records-daily": {
        "task": "tenants.tasks.purge_idempotency_records",
        "schedule": 24 * 3600.0,
    },
    # On the quarter hour, so a client's import hour starts its scan at hh:00 of its own zone.
    "scan-drop-folders": {
        "task": "imports.tasks.scan_drop_folders",
        "schedule": crontab(minute="*/15"),
    },
    # Each client's day is planned once, after its import window (contact_schedule.selectors).
    "plan-contacts": {
        "task": "contact_schedule.tasks.plan_due_clients",
        "schedule": crontab(minute="*/15"),
    },
    # Promises kept or broken and escalations at +90, per client at its planning hour.
    "check-outcomes": {
        "task": "contact_schedule.tasks.check_outcomes_due_clients",
        "schedule": crontab(minute=5),
    },
    # Webhook retries are rows in the database; this sweep sends the due ones (webhooks.services).
    "deliver-due-webhooks": {
        "task": "webhooks.tasks.deliver_due_webhooks",
        "schedule": 60.0,
    },
    "purge-old-webhook-events-daily": {
        "task": "webhooks.tasks.purge_old_webhook_events",
        "schedule": 24 * 3600.0,
    },
    # NBP publishes table A around noon Warsaw time on business days; the task re-reads 10 days.
    # The outbox: due messages out, inside each payer's contact window (dunning.outbox).
    "dispatch-messages": {
        "task": "dunning.tasks.dispatch_messages",
        "schedule": 120.0,
        "options": {"queue": "messaging"},
    },
    # Sent messages whose status callback never came are asked about by SID.
    "refresh-message-statuses": {
        "task": "dunning.tasks.refresh_message_statuses",
        "schedule": 3600.0,
        "options": {"queue": "messaging"},
    },
    # Today's SMS, voice and e-mail contact tasks become queued messages (idempotent).
    "queue-contact-messages": {
        "task": "contact_schedule.messaging.queue_due_messages",
        "schedule": crontab(minute="*/15"),
        "options": {"queue": "messaging"},
    },
    "fetch-nbp-rates": {
        "task": "dunning.tasks.fetch_recent_nbp_rates",
        "schedule": crontab(minute=30, hour=12, day_of_week="mon-fri"),
    },
}

# --- Outbound webhooks ----------------------------------------------------------------------
# Plain http:// and private or loopback addresses are refused (SSRF) unless on (webhooks.safety).
WEBHOOKS_ALLOW_PRIVATE_URLS = env.bool("WEBHOOKS_ALLOW_PRIVATE_URLS", default=DEBUG)
# An endpoint whose every attempt failed for this many days is switched off, with the reason shown.
WEBHOOKS_DISABLE_AFTER_DAYS = env.int("WEBHOOKS_DISABLE_AFTER_DAYS", default=5)
# Events and their delivery log are kept this long (purged daily).
WEBHOOKS_RETENTION_DAYS = env.int("WEBHOOKS_RETENTION_DAYS", default=90)

# --- Statutory interest and compensation (dunning) -----------------------------------------
# The NBP public API (table-A exchange rates for the recovery-cost compensation).
NBP_API_URL = env("NBP_API_URL", default="https://api.nbp.pl/api")
# Interest divisor: 365 also in leap years (courts' and calculators' practice, DOMAIN.md §1).
INTEREST_YEAR_DAYS = env.int("INTEREST_YEAR_DAYS", default=365)

# --- Payment demands and interest notes (dunning.documents) ---------------------------------
# Days the payer is given to pay a demand (DOMAIN.md §3: commonly 7 days from receipt).
DOCUMENTS_PAYMENT_DAYS = env.int("DOCUMENTS_PAYMENT_DAYS", default=7)
# The operator's desk on letters; a client's team member is named as the consultant when set.
DOCUMENTS_CONTACT_PHONE = env("DOCUMENTS_CONTACT_PHONE", default="")
DOCUMENTS_CONTACT_EMAIL = env("DOCUMENTS_CONTACT_EMAIL", default="monitoring@localhost")

# --- Communications: Twilio, the outbox (dunning) ------------------------------------------
# "console" (the embedded default) logs each message and marks it delivered; "twilio" sends.
TELEPHONY_BACKEND = env("TELEPHONY_BACKEND", default="console")
if TELEPHONY_BACKEND not in ("console", "twilio"):
    raise ImproperlyConfigured("TELEPHONY_BACKEND must be 'console' or 'twilio'.")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
# The operator's defaults; a client's SenderIdentity overrides them.
TWILIO_FROM = env("TWILIO_FROM", default="")
TWILIO_MESSAGING_SERVICE_SID = env("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_CALLER_ID = env("TWILIO_CALLER_ID", default=TWILIO_FROM)
# Tests and the benchmark point the real client at a local fake server.
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default="")
TWILIO_HTTP_TIMEOUT = env.float("TWILIO_HTTP_TIMEOUT", default=20.0)
# Twilio signs webhooks with the URL it called: the public address, not the proxy's inner one.
TWILIO_WEBHOOK_BASE_URL = env("TWILIO_WEBHOOK_BASE_URL", default="")
if TELEPHONY_BACKEND == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN):
    raise ImproperlyConfigured("TELEPHONY_BACKEND=twilio needs TWILIO_ACCOUNT_SID and _AUTH_TOKEN.")
# Voice messages: Amazon Polly's Polish voice through Twilio.
TWILIO_VOICE = env("TWILIO_VOICE", default="Polly.Ewa")
# The dispatcher takes this many messages per claim; a message left `sending` longer than
# OUTBOX_STALE_AFTER_SECONDS (well over the HTTP timeout) is reconciled with the provider.
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=100)
OUTBOX_STALE_AFTER_SECONDS = env.int("OUTBOX_STALE_AFTER_SECONDS", default=120)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_BACKOFF_SECONDS = env.int("OUTBOX_BACKOFF_SECONDS", default=30)
# One dispatcher run stops taking new batches after this long (the next beat tick goes on).
OUTBOX_RUN_SECONDS = env.int("OUTBOX_RUN_SECONDS", default=240)
# SMTP gets the same bound as Twilio: the outbox relies on every send ending in time.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=int(TWILIO_HTTP_TIMEOUT))
if max(TWILIO_HTTP_TIMEOUT, EMAIL_TIMEOUT) >= OUTBOX_STALE_AFTER_SECONDS / 4:
    # A live worker's slow sends must never look like a dead worker's (dunning.outbox).
    raise ImproperlyConfigured(
        "TWILIO_HTTP_TIMEOUT and EMAIL_TIMEOUT must be under OUTBOX_STALE_AFTER_SECONDS / 4."
    )
# The number payers are told to call back (placeholder {{ consultant_phone }}).
CONSULTANT_PHONE = env("CONSULTANT_PHONE", default="+48 22 100 20 30")

# --- Prevention stamps ----------------------------------------------------------------------
# The agency's name on the stamps and on the public verification page.
OPERATOR_NAME = env("OPERATOR_NAME", default="Monitoring należności")
# Where the public pages are reached from outside: the stamps' QR codes lead to <this>/v/<code>.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://localhost:8000")
# The verification page is public: each address may check this many codes a minute, and shared
# caches may keep an answer this long (so a revocation shows within that time).
STAMPS_VERIFY_RATE_PER_MINUTE = env.int("STAMPS_VERIFY_RATE_PER_MINUTE", default=30)
STAMPS_VERIFY_CACHE_SECONDS = env.int("STAMPS_VERIFY_CACHE_SECONDS", default=60)

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenants.api_auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tenants.api_auth.HasTenantScope"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # One budget per API key (per user for logged-in sessions); over it: 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["tenants.api_auth.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env("API_RATE", default="600/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Monitoring należności API",
    "DESCRIPTION": "The data feed of a client's ERP: payers, invoices, payments, imports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two models have a field called "kind" with different choices; give each enum its own name.
    "ENUM_NAME_OVERRIDES": {
        "PayerKindEnum": "payers.models.Payer.Kind",
        "InvoiceKindEnum": "invoices.models.Invoice.Kind",
        "WebhookEventTypeEnum": "webhooks.events.SUBSCRIBABLE_TYPES",
        "WebhookDeliveryStateEnum": "webhooks.models.WebhookDelivery.State",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # The twilio client logs every request at INFO; the outbox logs what matters itself.
    "loggers": {"twilio.http_client": {"level": "WARNING"}},
}
