"""Settings for Vetted, read from the environment (see README "Configuration")."""

from __future__ import annotations

import re
from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.get_str("VETTED_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.get_bool("DEBUG", False)
SECRET_KEY = env.get_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off: set the SECRET_KEY environment variable to a long random "
            "value (e.g. the output of python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=1 for development mode (never in production)."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_fsm",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "accounts",
    "onboarding",
    "watchlists",
    "screening",
    "approvals",
    "monitoring",
    "outcomes",
    "analysis",
    "training",
    # Before rest_framework: the api app's catalogue restores Django's own wording of the few
    # messages DRF's catalogue translates differently (an app's catalogue overrides Django's).
    "api",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
if DEBUG:
    INSTALLED_APPS.append("bench")  # benchmark commands (bench_pages), never in production

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Right after the sessions: renews a session's expiry now and then instead of every request.
    "accounts.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the user, their language and messages are known: holds a user who must set up or
    # give a second factor on the two-factor pages until done.
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Must be last: it turns a lockout signalled by the backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.get_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.get_int("DB_CONN_MAX_AGE", 60, minimum=0)
# A kept connection may have been closed by the server meanwhile (restart, failover, idle timeout):
# check it before the first query of each request instead of failing that request with a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for a lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The client's address. Behind the TLS proxy every request comes from the proxy, so the
# address is read from X-Forwarded-For: the entry the outermost of TRUSTED_PROXY_COUNT proxies
# appended (counted from the right, where a client cannot write), and only when the request
# comes from one of TRUSTED_PROXIES (empty: any peer is the proxy). 0 proxies: REMOTE_ADDR,
# the header is ignored. See accounts.client_ip.
TRUSTED_PROXY_COUNT = env.get_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
TRUSTED_PROXIES = []
for _proxy in env.get_list("TRUSTED_PROXIES", []):
    try:
        TRUSTED_PROXIES.append(ip_network(_proxy, strict=False))
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network.") from None
if TRUSTED_PROXIES and not TRUSTED_PROXY_COUNT:
    raise ImproperlyConfigured("TRUSTED_PROXIES is set but TRUSTED_PROXY_COUNT is 0: say how many proxies forward.")

# Login throttling (django-axes): lock a username+address pair after repeated failures, so that
# failures from another address never lock a user out; a lockout ends a fixed time after the
# failure that caused it (trying again meanwhile does not push it back: the page says when).
AXES_FAILURE_LIMIT = env.get_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.get_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# django-axes logs "AXES: BEGIN ..." at every start, which would open the output of every
# management command; the configuration is in this file for whoever needs it.
AXES_VERBOSE = False

# Two-factor sign-in (django-otp): a TOTP app plus single-use recovery codes. Required for the
# roles below (and for staff, who reach the Django admin) when MFA_REQUIRED is on, which it is
# unless DEBUG is on (the demo); anyone may enrol from their account page.
MFA_REQUIRED = env.get_bool("MFA_REQUIRED", not DEBUG)
MFA_REQUIRED_ROLES = env.get_list(
    "MFA_REQUIRED_ROLES", ["approver_finance", "approver_legal", "approver_business", "risk_manager", "admin"]
)
MFA_RECOVERY_CODE_COUNT = 10
# Minutes between the password and the code before the password must be given again.
MFA_CODE_STEP_MINUTES = 5
OTP_TOTP_ISSUER = "Vetted"

LANGUAGE_CODE = env.get_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}.")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.get_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded files live outside static/ and have no URL: they are served only by views
# that check permission (onboarding.views.document_download).
MEDIA_ROOT = Path(env.get_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# No URL pattern serves this prefix: the value only exists because Django's test server expects one.
MEDIA_URL = "/no-public-media/"
MAX_UPLOAD_MB = env.get_int("MAX_UPLOAD_MB", 20, minimum=1)
# Zip-based uploads (DOCX, XLSX): limits read from the archive's directory, never by inflating it.
UPLOAD_MAX_UNCOMPRESSED_MB = env.get_int("UPLOAD_MAX_UNCOMPRESSED_MB", 100, minimum=1)
UPLOAD_MAX_ZIP_ENTRIES = env.get_int("UPLOAD_MAX_ZIP_ENTRIES", 2000, minimum=1)
UPLOAD_MAX_ZIP_RATIO = env.get_int("UPLOAD_MAX_ZIP_RATIO", 100, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Sessions end after a period of inactivity. The expiry is pushed forward when a thirtieth of
# it has passed since the session was last saved (accounts.middleware.SessionRefreshMiddleware),
# not on every request: a signed-in page costs no database write. A session thus ends between
# 29 and 30 minutes (at the default) after its last request.
SESSION_COOKIE_AGE = env.get_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = max(1, SESSION_COOKIE_AGE // 30)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: everything from our own origin, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}

_email = env.get_email("EMAIL_URL", "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
# Absolute links in e-mails (notifications, work reports) start with this.
SITE_URL = env.get_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env.get_str("DEFAULT_FROM_EMAIL", "Vetted <vetted@localhost>")

# Celery: Redis when REDIS_URL is set, otherwise a file-system broker for the embedded setup.
# Every task is safe to run twice and finds its work in the database (see config/celery.py):
# a message is acknowledged only after its task finished, so a worker killed mid-task hands
# the message back; tasks are bounded well below the visibility timeout (monitoring work
# tasks stop after MONITORING_TASK_BUDGET seconds and queue a successor).
CELERY_TASK_SOFT_TIME_LIMIT = 900
CELERY_TASK_TIME_LIMIT = 1200
REDIS_URL = env.get_url("REDIS_URL", "", schemes=("redis", "rediss"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Must exceed the longest task (CELERY_TASK_TIME_LIMIT), or Redis redelivers a running task.
        "visibility_timeout": 3600,
        "socket_timeout": 5,
        "socket_connect_timeout": 5,
        # Connecting to publish gives up after a few quick tries instead of waiting for ever
        # (a web request queueing a task while Redis is down). Consumers reconnect regardless.
        "max_retries": 3,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
else:
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.get_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers and beat reconnect for ever when the broker goes away and comes back.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# With late acks a message whose connection was lost is delivered again: stop the running copy.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# A web request that queues a task must not hang when the broker is down: fail fast, the
# database keeps the work and the next tick picks it up.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

# The REST API (api/): API clients' Bearer tokens only, JSON only, cursor pages, a rate per client.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "api.authentication.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.authentication.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vetted API",
    "DESCRIPTION": "New-customer admission: applications, customers, screening, alerts. See docs/integration.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStateEnum": "onboarding.enums.State",
        "PaymentTermsEnum": "onboarding.enums.PaymentTerms",
        "DocumentStatusEnum": "onboarding.enums.DocumentStatus",
        "CustomerStatusEnum": "onboarding.enums.CustomerStatus",
    },
}
# Requests per API client, e.g. "600/min" ("" for no limit); counted in the default cache.
API_RATE_LIMIT = env.get_str("API_RATE_LIMIT", "600/min").strip()
if API_RATE_LIMIT and not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", API_RATE_LIMIT):
    raise ImproperlyConfigured("API_RATE_LIMIT must look like 600/min (or be empty for no limit).")
# Seconds to wait for a webhook receiver's answer before counting the attempt as failed.
WEBHOOK_TIMEOUT_SECONDS = env.get_int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)

# How long each stage may take before an application shows as overdue in the queues.
STAGE_DEADLINE_DAYS = {"document_review": 3, "background_check": 5, "committee_review": 5, "returned": 10}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Training (issue 14): when on, each role's gated actions need a valid pass of the role's
# required courses (or an admin's waiver). Off by default, so the demo walkthrough works.
TRAINING_REQUIRED = env.get_bool("TRAINING_REQUIRED", False)
