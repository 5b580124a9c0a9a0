"""Settings for Handover, read from the environment.

Every value a deployment changes comes from an environment variable, so that one image runs the
embedded demo (SQLite, local mailbox) and a production fleet (PostgreSQL, SMTP) alike.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url

from handover.runtime.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("HANDOVER_DATA_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")
# The embedded default keeps a generated key beside its data, so sessions survive restarts.
SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    _key_file = DATA_DIR / "secret_key"
    if _key_file.exists():
        SECRET_KEY = _key_file.read_text().strip()
    else:
        from django.core.management.utils import get_random_secret_key

        SECRET_KEY = get_random_secret_key()
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(SECRET_KEY)
        _key_file.chmod(0o600)

BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", f"127.0.0.1,localhost,{urlparse(BASE_URL).hostname}").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [BASE_URL]

INSTALLED_APPS = [
    "handover.accounts",
    "handover.web",
    "handover.organizations",
    "handover.products",
    "handover.billing",
    "handover.terms",
    "handover.transfers",
    "handover.webhooks",
    "handover.audit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # its templates and static files: the API docs are served from here, not from a CDN
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "handover.runtime.middleware.RequestObservationMiddleware",  # request id, access log, metrics
    "handover.web.middleware.ProbeMiddleware",  # /healthz, /readyz, /metrics: before the Host check
    "django.middleware.security.SecurityMiddleware",
    "handover.web.middleware.HeadAsGetMiddleware",  # a HEAD is a GET: no view counts it as an attempt
    "handover.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "handover.web.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "handover.audit.middleware.AuditContextMiddleware",
    "handover.web.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "handover.urls"
WSGI_APPLICATION = "handover.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "handover.web.context_processors.layout",
            ],
        },
    },
]
# Forms and fields of every page through web/form.html and web/field.html.
FORM_RENDERER = "handover.pages.FormRenderer"

# Database: the embedded default is SQLite under HANDOVER_DATA_DIR; DATABASE_URL picks PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'handover.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Immediate transactions take the write lock at BEGIN, so concurrent writers wait for it
        # (up to the busy timeout) instead of failing half-way with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Shared by every process of a fleet: the cache (allauth's sign-in rate limits, the sweep's schedule)
# is a table of the database, created by `handover migrate` (and so by `handover serve`).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "handover_cache",
        # Entries expire within minutes; culling (a third of them past this count) would forget throttles.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en"
# Each named in itself, as a person looks for their own language in a list.
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("it", "Italiano"),
    ("es", "Español"),
]
# The app's catalog, then its wording of third-party messages (allauth's), which wins over theirs.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
FORMAT_MODULE_PATH = ["handover.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"

# Accounts (django-allauth): email is the identifier; signing up alone creates an Organization.
ACCOUNT_ADAPTER = "handover.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "handover.accounts.forms.SignupForm"
ACCOUNT_FORMS = {"add_email": "handover.accounts.email_forms.AddEmailForm"}
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("HANDOVER_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = int(os.environ.get("HANDOVER_REAUTHENTICATION_TIMEOUT", "300"))
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Handover] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Handover"

# Background tasks: a database queue, so a task enqueued in a transaction commits or rolls back with it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Seconds between two sweeps of the task workers (0: none), and the task they enqueue.
HANDOVER_SWEEP_INTERVAL = float(os.environ.get("HANDOVER_SWEEP_INTERVAL", "60"))
HANDOVER_SWEEP_TASK = "handover.webhooks.tasks.sweep"
# Seconds after which a task left running (its worker killed) goes back to the queue.
HANDOVER_TASK_TIMEOUT = float(os.environ.get("HANDOVER_TASK_TIMEOUT", "900"))

# Email: EMAIL_URL is smtp://user:pass@host:port (smtps:// or ?tls=1 for TLS), console:, or
# mailbox: (the local mailbox of the demo, readable at /mailbox/).
EMAIL_URL = os.environ.get("EMAIL_URL", "mailbox:")
_email = urlparse(EMAIL_URL)
MAILBOX_DIR = DATA_DIR / "mailbox"
if _email.scheme in {"smtp", "smtps"}:
    _query = parse_qs(_email.query)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = _query.get("tls", ["0"])[0] in {"1", "true"}
elif _email.scheme == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "handover.web.mailbox.MailboxBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Handover <no-reply@handover.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. HTTPS-only settings follow BASE_URL's scheme.
_https = BASE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# A refused CSRF check answers the product's own 403 page, not Django's bare English one.
CSRF_FAILURE_VIEW = "handover.web.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# The API's lists are bounded, whichever router declares them (see handover.schemas.Pagination).
NINJA_PAGINATION_CLASS = "handover.schemas.Pagination"

# Handover itself.
HANDOVER_TRANSFER_TTL = int(os.environ.get("HANDOVER_TRANSFER_TTL", str(7 * 24 * 3600)))
# The most products one transfer holds (all or nothing).
HANDOVER_MAX_PRODUCTS_PER_TRANSFER = max(
    1, int(os.environ.get("HANDOVER_MAX_PRODUCTS_PER_TRANSFER", "10000"))
)
# The web form that starts the largest transfer posts one field per product, plus a few of its own;
# the API's body lists one id (~40 bytes of JSON) per product.
DATA_UPLOAD_MAX_NUMBER_FIELDS = HANDOVER_MAX_PRODUCTS_PER_TRANSFER + 100
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2_621_440, HANDOVER_MAX_PRODUCTS_PER_TRANSFER * 64)
# Failed link lookups allowed per user and per address within the window, before 429.
HANDOVER_LINK_ATTEMPT_LIMIT = int(os.environ.get("HANDOVER_LINK_ATTEMPT_LIMIT", "20"))
HANDOVER_LINK_ATTEMPT_WINDOW = int(os.environ.get("HANDOVER_LINK_ATTEMPT_WINDOW", "900"))
# How many times per HANDOVER_RATE_WINDOW seconds one user, and everyone in one Organization, may do
# each action, on every interface (handover.ratelimits); over it, 429 `too_many_requests`.
HANDOVER_RATE_WINDOW = 3600
HANDOVER_RATE_LIMITS: dict[str, dict[str, int]] = {
    "invite_member": {"user": 20, "organization": 50},
    "send_link": {"user": 30, "organization": 100},
    "add_email": {"user": 10},
}
# Extra product types: {"code": {"label": ..., "transferable": bool, "policy": ..., "reason": ...}}.
HANDOVER_EXTRA_PRODUCT_TYPES: dict[str, dict] = {}

# Webhooks go to https:// URLs of public addresses only; 1 also allows http:// and private, loopback
# and link-local addresses (tests, the demo, a receiver inside the provider's own network).
HANDOVER_WEBHOOK_ALLOW_PRIVATE = env_bool("HANDOVER_WEBHOOK_ALLOW_PRIVATE")
# The certificate authorities (a PEM file) webhook receivers' certificates are checked against, instead
# of the system's (a provider's own authority, tests).
HANDOVER_WEBHOOK_CA_FILE = os.environ.get("HANDOVER_WEBHOOK_CA_FILE", "")
# Webhook events, with their deliveries and attempts, are kept this many days, then the sweep deletes
# them (never one still being retried).
HANDOVER_WEBHOOK_RETENTION_DAYS = int(os.environ.get("HANDOVER_WEBHOOK_RETENTION_DAYS", "30"))

# /metrics answers a bearer of this token, and is absent (404) without one.
HANDOVER_METRICS_TOKEN = os.environ.get("HANDOVER_METRICS_TOKEN", "")

# Logs: readable text on stderr, or with LOG_FORMAT=json one JSON object per line on stdout; secrets
# are redacted from every record (see handover.runtime.logs).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = logging_config(format=LOG_FORMAT, level=os.environ.get("LOG_LEVEL", "INFO"))
