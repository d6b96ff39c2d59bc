"""Settings for the KIM casework system.

Every value that differs between a laptop, CI and production comes from the
environment; the defaults give a working local installation on SQLite.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# A fixed key is only acceptable for local development; production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("KIM_ALLOW_INSECURE_KEY", False):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The admin site is KimAdminSite (kim/admin.py): django-otp's admin, second factor required.
    "kim.apps.KimAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "django_countries",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "accounts",
    "regions",
    "casework",
    "audit",
    "privacy",
    "reporting",
    "structural",
    "exchange",
    "jobs",
    "reminders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: an oversized request is refused unread (413).
    "kim.middleware.RequestSizeLimitMiddleware",
    # Serves the collected static files in production (gunicorn), with far-future caching.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After SessionMiddleware: keeps the 30-minute inactivity timeout with one session write a
    # minute instead of one per request (replaces SESSION_SAVE_EVERY_REQUEST).
    "kim.middleware.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store for every response to a signed-in user; Permissions-Policy.
    "kim.middleware.PrivateResponseMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Superusers, staff and administrators: no page without a verified one-time code.
    "kim.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a flagged login attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kim.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "kim.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Django runs .iterator() (e.g. the choices of every ModelChoiceField) on PostgreSQL through a
# server-side cursor: DECLARE ... WITH HOLD, FETCH, CLOSE, i.e. extra round trips and a result
# materialised at commit, for lists of a few dozen rows. Plain client-side fetching is cheaper
# here, and it is what a transaction-pooling pgbouncer would need anyway.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No parallel query for the application's connections: a page's statements read a few
    # index ranges, and starting parallel workers cost 10–30 ms per statement on the 2-core
    # machines it runs on, where the gunicorn workers use the cores anyway (bench/RESULTS.md).
    # A DATABASE_URL naming its own `options` keeps them.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("options", "-c max_parallel_workers_per_gather=0")
    # An unreachable database fails a request after this many seconds (the 503 page,
    # kim/health.py) instead of holding a worker until the operating system gives up.
    options.setdefault("connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")))

# No statement runs unbounded. A web request's statement is cancelled after
# KIM_STATEMENT_TIMEOUT_MS (the German "zu lange gedauert" page, kim/health.py), so an expensive
# admin search ends with a message instead of running on in the database after gunicorn killed
# its worker. The statistics and the printable report set KIM_STATISTICS_STATEMENT_TIMEOUT_MS
# for their own requests (kim.sql.statement_timeout). Management commands and other jobs
# (migrations, retention, imports, the benchmark's data set) declare KIM_PROCESS_KIND=job
# (manage.py does) and get KIM_JOB_STATEMENT_TIMEOUT_MS; 0 means no limit.
KIM_PROCESS_KIND = os.environ.get("KIM_PROCESS_KIND", "web")
KIM_STATEMENT_TIMEOUT_MS = int(os.environ.get("KIM_STATEMENT_TIMEOUT_MS", "5000"))
KIM_STATISTICS_STATEMENT_TIMEOUT_MS = int(os.environ.get("KIM_STATISTICS_STATEMENT_TIMEOUT_MS", "30000"))
KIM_JOB_STATEMENT_TIMEOUT_MS = int(os.environ.get("KIM_JOB_STATEMENT_TIMEOUT_MS", str(60 * 60 * 1000)))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _timeout = KIM_JOB_STATEMENT_TIMEOUT_MS if KIM_PROCESS_KIND == "job" else KIM_STATEMENT_TIMEOUT_MS
    options = DATABASES["default"]["OPTIONS"]
    if "statement_timeout" not in options.get("options", ""):
        # Set at connect time, so it costs no statement per request.
        options["options"] = f"{options.get('options', '')} -c statement_timeout={_timeout}".strip()

# Seconds a client is asked to wait (Retry-After) when the database cannot be reached.
KIM_RETRY_AFTER_SECONDS = int(os.environ.get("KIM_RETRY_AFTER_SECONDS", "30"))
# /healthz gives up on the broker (CELERY_BROKER_URL) after this many seconds.
KIM_HEALTH_BROKER_TIMEOUT_SECONDS = float(os.environ.get("KIM_HEALTH_BROKER_TIMEOUT_SECONDS", "2"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# django-axes' backend comes first: it refuses a locked-out username/IP before the password
# is checked. It needs `request` in authenticate(); the test client's login() gives none, so
# tests use force_login() or pass request=HttpRequest() (as django-axes' docs describe).
AUTHENTICATION_BACKENDS = [
    # Authenticates nobody: makes attempts for a username attacked from many addresses wait.
    "accounts.throttling.SlowDownUnderAttackBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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

# Password reset mails (Django's PasswordResetView): SMTP in production, the console in DEBUG.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kim@localhost")
# At most this many reset mails an hour for one e-mail address, twice as many from one client.
KIM_PASSWORD_RESET_LIMIT = int(os.environ.get("KIM_PASSWORD_RESET_LIMIT", "3"))
# A reset link is valid this long (Django's default is three days).
PASSWORD_RESET_TIMEOUT = 2 * 3600

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# German only for now: no LocaleMiddleware, so Django's own messages are never in the
# browser's language while the rest of the UI is German.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "public"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed file names need `collectstatic`; development and tests serve the sources.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or env_bool("KIM_PLAIN_STATIC", False)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Case documents are social data: they live outside any path a web server serves
# and are only handed out by a view that checks the user's access to the case.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))
# Through Django's storage API (casework/documents.py): this folder by default; with
# KIM_DOCUMENT_STORAGE=s3 any S3-compatible object store (django-storages, an optional
# dependency: requirements-s3.txt), so several app servers share the documents. The bucket must
# not be public: documents are handed out only by the download view.
KIM_DOCUMENT_STORAGE = os.environ.get("KIM_DOCUMENT_STORAGE", "filesystem")
if KIM_DOCUMENT_STORAGE == "s3":
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("KIM_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("KIM_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("KIM_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("KIM_S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("KIM_S3_REGION") or None,
            "location": os.environ.get("KIM_S3_PREFIX", ""),
            # MinIO and most self-hosted stores want path-style addresses.
            "addressing_style": os.environ.get("KIM_S3_ADDRESSING_STYLE", "path"),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "object_parameters": {"ServerSideEncryption": "AES256"}
            if env_bool("KIM_S3_SERVER_SIDE_ENCRYPTION", False)
            else {},
        },
    }
elif KIM_DOCUMENT_STORAGE == "filesystem":
    # No base_url: the files are never served directly, only through a view that checks
    # access to the case.
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("KIM_DOCUMENT_STORAGE must be 'filesystem' or 's3'.")
DOCUMENT_MAX_UPLOAD_BYTES = int(os.environ.get("KIM_DOCUMENT_MAX_UPLOAD_MB", "20")) * 2**20
# No request body may be larger than this (kim.middleware.RequestSizeLimitMiddleware, 413 at
# once, from the announced Content-Length): the largest document plus room for the form.
# Set the reverse proxy's limit to the same value (nginx: client_max_body_size; README).
KIM_MAX_REQUEST_BYTES = (
    int(os.environ.get("KIM_MAX_REQUEST_MB", str(DOCUMENT_MAX_UPLOAD_BYTES // 2**20 + 1))) * 2**20
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 30 * 60
# The 30 minutes count from the last activity: kim.middleware.SessionRefreshMiddleware saves a
# signed-in session (and so moves its expiry) at most once a minute, instead of on every request.
SESSION_SAVE_EVERY_REQUEST = False
# However active, a signed-in session ends this many hours after the sign-in (a working day).
KIM_SESSION_MAX_HOURS = float(os.environ.get("KIM_SESSION_MAX_HOURS", "10"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    # Production sits behind TLS; set these to false/0 only for a local trial without it.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The load balancer asks each node directly, often over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Login throttling (django-axes): five failed attempts for one username from one address lock
# that combination for 30 minutes; every further attempt during the lockout restarts the
# 30 minutes. A successful login clears the count. Administrators lift a lockout in the
# admin (Zugriffsversuche) or with `manage.py axes_reset_username <name>`.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# The client's address behind KIM_TRUSTED_PROXY_COUNT reverse proxies (X-Forwarded-For, the
# entries the proxies appended); 0 = no proxy, the connection's address (accounts/throttling.py).
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"
KIM_TRUSTED_PROXY_COUNT = int(os.environ.get("KIM_TRUSTED_PROXY_COUNT", "0"))
# A username with this many failures from all addresses together (within the cool-off time)
# is slowed down: each attempt waits, up to KIM_LOGIN_SLOWDOWN_MAX_SECONDS; it is never locked.
KIM_LOGIN_SLOWDOWN_AFTER = int(os.environ.get("KIM_LOGIN_SLOWDOWN_AFTER", "10"))
KIM_LOGIN_SLOWDOWN_MAX_SECONDS = float(os.environ.get("KIM_LOGIN_SLOWDOWN_MAX_SECONDS", "3"))

# Second factor (django-otp, TOTP) for the Django admin; see kim/admin.py. A device's secret
# is shown once, when it is created (`manage.py add_totp_device`), never again in the admin.
OTP_TOTP_ISSUER = "KIM Kreis Coesfeld"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Content-Security-Policy (django-csp 4): only our own scripts and styles, no inline code,
# so injected markup cannot run. Templates therefore carry no style="" and no <script> bodies.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# Error reports never carry request data or local variables: they would hold client data.
DEFAULT_EXCEPTION_REPORTER_FILTER = "kim.logging.NoPersonalDataExceptionReporterFilter"

# Kosovo has no ISO 3166 code yet; XK is the code the EU and Germany's authorities use.
COUNTRIES_OVERRIDE = {"XK": _("Kosovo")}

# Residence titles that run out within this many weeks are flagged on the case.
KIM_RESIDENCE_WARNING_WEEKS = int(os.environ.get("KIM_RESIDENCE_WARNING_WEEKS", "8"))

# A referral still "vermittelt" this many days after it was made has no Rückmeldung yet:
# Mein Arbeitsplatz lists it as open work.
KIM_REFERRAL_RESPONSE_DAYS = int(os.environ.get("KIM_REFERRAL_RESPONSE_DAYS", "14"))

# Retention periods (deletion concept in the spirit of DIN 66398): each kind of data has its own
# period, in whole years after the last case concerning the client (or their household) was
# closed; `manage.py apply_retention` applies them and privacy/inventory.py says which field
# belongs to which kind. The defaults are a proposal; the district's deletion concept sets the
# binding values through the environment.
KIM_RETENTION = {
    # Uploaded documents (certificates, notices, letters) are copies of papers the client or
    # the issuing authority keeps; after 3 years (regular limitation period, § 195 BGB) no
    # follow-up question needs them any more.
    "documents": int(os.environ.get("KIM_RETENTION_DOCUMENTS_YEARS", "3")),
    # Free-text notes (contacts, goals, referral outcomes, follow-ups, consents, handovers):
    # useful only if the person comes back soon; same 3 years as documents.
    "notes": int(os.environ.get("KIM_RETENTION_NOTES_YEARS", "3")),
    # Name, address, contact details, exact date of birth: kept 5 years to recognise a returning
    # client and to answer audits of the state funding (Verwendungsnachweis); then anonymised.
    # Cases, phases, dates, legal frameworks and referrals stay as anonymous statistics.
    "client_identity": int(os.environ.get("KIM_RETENTION_CLIENT_IDENTITY_YEARS", "5")),
}

# Exported statistics (CSV, XLSX, printed report) show counts from 1 up to this value
# minus one as "<N", so no person can be identified from a small cell.
KIM_STATISTICS_MIN_COUNT = int(os.environ.get("KIM_STATISTICS_MIN_COUNT", "3"))

# A case conference's pseudonymised presentation names the municipality only from this many
# inhabitants on (regions.Municipality.population); smaller or unknown ones show the region.
KIM_PSEUDONYM_MIN_POPULATION = int(os.environ.get("KIM_PSEUDONYM_MIN_POPULATION", "20000"))

# --- Background work (Celery) ------------------------------------------------------------------
# With a broker (Redis), imports, long exports and the scheduled work run in `celery -A kim
# worker`, the schedule in `celery -A kim beat`. Without one (the one-command demo) every task
# runs in the process that asks for it (eager), so the demo needs nothing but Python.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Job state (status, progress, result) lives in the database (jobs.Job) and progress in the
# cache below, so no result backend is needed: any app server reads a job's state.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "kim")
# A task is acknowledged only when it ends: a worker that dies mid-import hands it on rather
# than losing it (the import's transaction was rolled back, so the rerun starts clean).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE


def _daily(name: str, default: str):
    """A time of day from the environment (HH:MM) as a celery beat crontab."""
    from celery.schedules import crontab

    hour, minute = os.environ.get(name, default).split(":")
    return crontab(hour=int(hour), minute=int(minute))


# The scheduled work (celery beat). Each run takes a lock (jobs.locks) and records its outcome
# (jobs.ScheduledRun, read-only in the admin), so two schedulers or a manual run at the same
# time do the work once.
CELERY_BEAT_SCHEDULE = {
    "retention": {"task": "jobs.tasks.retention", "schedule": _daily("KIM_RETENTION_TIME", "02:30")},
    "expire-files": {"task": "jobs.tasks.expire_files", "schedule": _daily("KIM_EXPIRE_FILES_TIME", "03:30")},
    "reminder-digest": {
        "task": "reminders.tasks.send_digests",
        "schedule": _daily("KIM_REMINDER_DIGEST_TIME", "06:30"),
    },
}

# Progress of running jobs, read by every app server: Redis when there is a broker, otherwise
# the process's own memory (eager tasks finish before the page that started them is shown).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("CACHE_URL", CELERY_BROKER_URL),
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "kim"),
    }
    if CELERY_BROKER_URL or os.environ.get("CACHE_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Hard limits of an import. The file is refused before it is read past the limit it breaks, with
# a German message naming that limit; nothing is written.
KIM_IMPORT_MAX_BYTES = int(os.environ.get("KIM_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
KIM_IMPORT_MAX_ROWS = int(os.environ.get("KIM_IMPORT_MAX_ROWS", "5000"))
KIM_IMPORT_MAX_CELLS_PER_ROW = int(os.environ.get("KIM_IMPORT_MAX_CELLS_PER_ROW", "50"))
KIM_IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("KIM_IMPORT_MAX_UNPACKED_BYTES", str(50 * 1024 * 1024)))
KIM_IMPORT_MAX_COMPRESSION_RATIO = int(os.environ.get("KIM_IMPORT_MAX_COMPRESSION_RATIO", "100"))
KIM_IMPORT_MAX_SECONDS = int(os.environ.get("KIM_IMPORT_MAX_SECONDS", "600"))
# Uploaded import files and finished export files: read and written only through the storage
# API (the "jobs" storage), so every app server and worker sees the same files when this is
# a shared folder or, with django-storages, an object store. Never served directly.
KIM_JOB_FILES_ROOT = Path(os.environ.get("KIM_JOB_FILES_ROOT", BASE_DIR / "job_files"))
STORAGES["jobs"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": KIM_JOB_FILES_ROOT,
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    },
}
# A case list export of more rows than this is built by a worker and offered for download.
KIM_EXPORT_INLINE_MAX_ROWS = int(os.environ.get("KIM_EXPORT_INLINE_MAX_ROWS", "2000"))
# The statistics workbook is built by a worker (a download page) when there is one.
KIM_STATISTICS_EXPORT_AS_JOB = env_bool("KIM_STATISTICS_EXPORT_AS_JOB", bool(CELERY_BROKER_URL))
# They are deleted after this many hours (scheduled task expire_files).
KIM_JOB_FILES_HOURS = int(os.environ.get("KIM_JOB_FILES_HOURS", "24"))

# --- E-mail (the daily reminder digest) ---------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kim@localhost")
# The digest's links: the address users open the application at.
KIM_BASE_URL = os.environ.get("KIM_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Query strings hold search terms such as names: they are cut from request log records
    # before any handler sees them (on the loggers), and again in our handlers (for records
    # of other loggers that carry a request).
    "filters": {"redact_query_strings": {"()": "kim.logging.RedactQueryStrings"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "kim.logging.JsonFormatter"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # Structured (JSON lines) in production, readable lines in development.
            "formatter": os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json"),
            "filters": ["redact_query_strings"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_query_strings"],
        },
    },
    "loggers": {
        # Lockouts and repeated failures are warnings; each login's four info lines are noise
        # (successful logins are in the admin's access log).
        "axes": {"level": "WARNING"},
        "django.request": {"filters": ["redact_query_strings"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_query_strings"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
